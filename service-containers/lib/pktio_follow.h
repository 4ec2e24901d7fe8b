/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pktio_follow.h - following the flow's CPU: an SF moves its thread to
 * the CPU its frames' flows come from while that pays, so the hops of a
 * chain hand frames over by local wake-ups.
 *
 * Why: a frame reaches an SF inside its sender's send (the SFF runs there
 * and bpf_redirect_peer queues the frame on the SF's socket), and the
 * scheduler wakes the SF on an idle CPU if there is one. On a VM a wake-up
 * across CPUs costs an inter-processor interrupt and a halted vCPU to be
 * resumed: 19 us per traversal here against 8 us with the client and the
 * SFs on one CPU (service-containers/README.md, Packet I/O).
 *
 * How: the SFF marks each frame with the CPU its flow was last classified
 * on (skb->mark SFC_MARK_SF_CPU, sfc_common.h), i.e. where the flow's
 * client last sent from; the receive loop counts the marks
 * (sf_follow_vote()). Every SF_FOLLOW_WINDOW_NS with frames it reads its
 * thread's run time and run-queue wait (/proc/thread-self/schedstat), and
 * sf_follow_decide() says where to run next:
 *   - busy: running SF_FOLLOW_BUSY_PCT of the window or more (a
 *     throughput hop needs a CPU of its own): every allowed CPU;
 *   - pinned, and contended (waiting on the run queue for
 *     SF_FOLLOW_WAIT_PCT of the window or more: the pin put the SF behind
 *     other work there), busy, or left (the window's majority is not the
 *     pinned CPU: the client moved on; also checked after every batch,
 *     sf_follow_batch_end(), so a pin outlives its client by a round trip
 *     at most): every allowed CPU, and a
 *     back-off without pins of 1 window, doubled at each such retreat up
 *     to SF_FOLLOW_BACKOFF_MAX, reset by a calm pinned window;
 *   - one allowed CPU named by 3/4 of the window's frames (at least
 *     SF_FOLLOW_MIN_FRAMES): that CPU;
 *   - otherwise (flows from clients on several CPUs): every allowed CPU.
 * "Left" is what an idle node does to a client: the scheduler wakes a
 * task on an idle CPU rather than on its own busy one, so a client woken
 * by the chain's last hop on their shared CPU moves away; chasing it
 * costs a migration per move and wins nothing, the back-off stops that.
 * "Every allowed CPU" is the affinity the SF started with (a pod's
 * cpuset). At most one move per window: following never chases a client
 * that hops CPUs faster than that.
 *
 * This part is pure logic; pktio_rx.c reads the clocks and applies the
 * verdicts (sched_setaffinity of its own thread).
 */
#ifndef SF_PKTIO_FOLLOW_H
#define SF_PKTIO_FOLLOW_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "sfc_common.h"

#define SF_FOLLOW_WINDOW_NS 10000000ull /* 10 ms */
#define SF_FOLLOW_MIN_FRAMES 4u
#define SF_FOLLOW_BUSY_PCT 50u
#define SF_FOLLOW_WAIT_PCT 10u
#define SF_FOLLOW_BACKOFF_MAX 128u      /* windows: 1.28 s */
#define SF_FOLLOW_AWAY_FRAMES 2u        /* in a row from elsewhere: left */
/* CPUs a vote can name (the mark holds 12 bits; cpu_set_t 1024). */
#define SF_FOLLOW_MAX_CPUS (CPU_SETSIZE < 4096 ? CPU_SETSIZE : 4096)

struct sf_follow {
	bool on;
	cpu_set_t allowed;        /* the affinity the SF started with */
	int pinned;               /* CPU it runs on now; -1: all allowed */
	uint64_t win_start_ns;    /* CLOCK_MONOTONIC */
	uint64_t win_run_ns;      /* thread's run time at the window start */
	uint64_t win_wait_ns;     /* its run-queue wait at the window start */
	uint32_t frames;          /* marked frames in this window */
	uint32_t away;            /* pinned: frames in a row naming another
				   * CPU */
	uint32_t votes[SF_FOLLOW_MAX_CPUS];
	uint32_t backoff;         /* windows left without pins */
	uint32_t backoff_next;    /* length of the next back-off */
	uint64_t pins;            /* moves to one CPU */
	uint64_t unpins;          /* returns to all allowed CPUs */
	uint64_t contended, busy, left; /* retreats from a pin, by reason */
};

/**
 * sf_follow_init() - start following (when @on) with @allowed (the
 * thread's affinity now) as "every allowed CPU", at @now_ns with the
 * thread's @run_ns and @wait_ns (schedstat, ns). Following is off when
 * @allowed holds fewer than two CPUs.
 */
void sf_follow_init(struct sf_follow *f, bool on, const cpu_set_t *allowed,
		    uint64_t now_ns, uint64_t run_ns, uint64_t wait_ns);

/** sf_follow_vote() - count one received frame of skb->mark @mark; a
 * mark that is not SFC_MARK_SF_CPU() (or names a CPU past the table) is
 * not a vote. */
static inline void sf_follow_vote(struct sf_follow *f, uint32_t mark)
{
	uint32_t cpu = mark & SFC_MARK_SF_CPU_MASK;

	if ((mark & ~SFC_MARK_SF_CPU_MASK) != SFC_MARK_SF_CPU_MAGIC ||
	    cpu >= SF_FOLLOW_MAX_CPUS)
		return;
	f->votes[cpu]++;
	f->frames++;
	f->away = f->pinned >= 0 && (int)cpu != f->pinned ? f->away + 1 : 0;
}

/**
 * sf_follow_batch_end() - after a batch: a pinned SF whose last
 * SF_FOLLOW_AWAY_FRAMES marked frames named another CPU retreats at once
 * (left; widening the affinity moves nothing). Return: -1 to go back to
 * every allowed CPU now, -2 to stay.
 */
int sf_follow_batch_end(struct sf_follow *f);

/** sf_follow_due() - whether the window that started at win_start_ns has
 * ended at @now_ns (CLOCK_MONOTONIC) with frames in it. */
static inline bool sf_follow_due(const struct sf_follow *f, uint64_t now_ns)
{
	return f->on && f->frames && now_ns - f->win_start_ns >=
					     SF_FOLLOW_WINDOW_NS;
}

/**
 * sf_follow_decide() - close the window at @now_ns, given the thread's
 * run time @run_ns and run-queue wait @wait_ns so far (ns, monotonic
 * counters), and start the next one.
 * Return: the CPU to move to, -1 for every allowed CPU, -2 to stay as
 * it is. The caller moves, then reports with sf_follow_applied().
 */
int sf_follow_decide(struct sf_follow *f, uint64_t now_ns, uint64_t run_ns,
		     uint64_t wait_ns);

/** sf_follow_applied() - the move to @cpu (-1: every allowed CPU) took
 * effect (@ok) or the kernel refused it (following stops). */
void sf_follow_applied(struct sf_follow *f, int cpu, bool ok);

#endif /* SF_PKTIO_FOLLOW_H */
