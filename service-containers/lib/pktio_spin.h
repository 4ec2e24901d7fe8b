/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pktio_spin.h - the adaptive spin budget of the receive loop (pure logic,
 * no I/O; pktio_rx.c drives it).
 *
 * When a batch is done and the socket is empty, the loop may keep asking
 * the socket (non-blocking, yielding the CPU between tries) for up to a
 * budget before it sleeps in ppoll: a frame that arrives meanwhile costs
 * no wake-up (no IPI, no halted vCPU to resume, no context switch), which
 * is most of what a user-space hop adds to a round trip on a VM. Like
 * KVM's halt polling, the budget follows what spinning would have won:
 *   - a spin that found a frame leaves the budget alone;
 *   - a frame that came after the spin gave up, but within the ceiling
 *     from the spin's start (a longer spin would have caught it), grows
 *     it: to SF_SPIN_GROW_START_NS from 0, then doubled, up to the ceiling;
 *   - a frame later than the ceiling, or none before the idle tick,
 *     shrinks it by an eighth (below SF_SPIN_GROW_START_NS / 2: to 0),
 *     unless the spin before it had found its frame.
 * So idle or sparse traffic spins (almost) never, traffic with gaps below
 * the ceiling spins, and a request/response pattern (a short gap until the
 * reply, a long one after it: hit, miss, hit, ...) keeps a budget that
 * catches the reply while each long gap costs at most one budget of CPU.
 */
#ifndef SF_PKTIO_SPIN_H
#define SF_PKTIO_SPIN_H

#include <stdbool.h>
#include <stdint.h>

/* The first budget after 0: about two wake-ups' worth on this VM. */
#define SF_SPIN_GROW_START_NS 10000u
/* Ceiling accepted from the command line (--spin-us): 1 ms. */
#define SF_SPIN_MAX_US 1000u

struct sf_spin {
	uint64_t max_ns;  /* ceiling; 0: never spin */
	uint64_t cur_ns;  /* budget of the next spin */
	uint64_t hits;    /* spins that found a frame */
	uint64_t misses;  /* spins that gave up (the loop slept after) */
	uint64_t spun_ns; /* time spent spinning, in total */
	bool last_hit;    /* the latest spin found its frame */
};

/** sf_spin_init() - budget 0, ceiling @max_ns (0 disables spinning). */
void sf_spin_init(struct sf_spin *s, uint64_t max_ns);

/** sf_spin_budget() - how long the next spin may last, ns (0: sleep now). */
static inline uint64_t sf_spin_budget(const struct sf_spin *s)
{
	return s->cur_ns;
}

/**
 * sf_spin_hit() - the spin found a frame @waited_ns after it started.
 */
void sf_spin_hit(struct sf_spin *s, uint64_t waited_ns);

/**
 * sf_spin_slept() - the spin (of sf_spin_budget() ns, possibly 0) gave up
 * and the loop slept; it woke @gap_ns after the spin started.
 * @frame: true if it woke because a frame is ready, false on the idle
 * timeout. A signal's wake-up (neither) is not reported.
 */
void sf_spin_slept(struct sf_spin *s, uint64_t gap_ns, bool frame);

#endif /* SF_PKTIO_SPIN_H */
