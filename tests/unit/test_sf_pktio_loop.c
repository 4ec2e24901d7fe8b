// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_pktio_loop.c - the SF receive loop on a real packet socket: a
 * forked child in its own network namespace opens pktio on "lo" there;
 * the loop's tick sends frames to itself over lo. Each mode (recvmmsg
 * with and without the adaptive spin, the TPACKET_V3 ring) must hand over
 * every frame, sleep through idle periods waking for the tick, and stop
 * on the stop flag. Needs root (unshare, packet socket); skips otherwise.
 */
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "pktio.h"
#include "stats.h"
#include "sfc_common.h"
#include "test_sf_util.h"

/* The socket takes only NSH (pktio.c's filter): the frames are NSH. */
#define ETH_P_TEST SFC_ETH_P_NSH
#define FRAMES 200

struct loop {
	struct sf_pktio io;
	volatile sig_atomic_t stop;
	unsigned int sent, got, bad, ticks, idle_ticks;
	bool idle;            /* send nothing: count ticks only */
	uint8_t frame[60];
};

static enum sf_pktio_mode t_mode;
static unsigned int t_spin_us;

static enum sf_verdict on_frame(void *arg, struct sf_frame *f)
{
	struct loop *l = arg;

	if (f->len < 14 || f->data[12] != (ETH_P_TEST >> 8) ||
	    f->data[13] != (ETH_P_TEST & 0xFF))
		return SF_VERDICT_DROP; /* anything else on lo */
	if (f->len != sizeof(l->frame) || f->data[14] != (uint8_t)l->got)
		l->bad++;
	l->got++;
	return SF_VERDICT_DROP;
}

/* Called when the loop is idle (and after each batch): send the next
 * frame once the last one came back, so every wait has a frame coming. */
static void on_tick(void *arg)
{
	struct loop *l = arg;

	l->ticks++;
	if (l->idle) {
		if (l->ticks >= 5)
			l->stop = 1;
		return;
	}
	if (l->got == FRAMES) {
		l->stop = 1;
		return;
	}
	if (l->sent > l->got)
		return;
	l->frame[14] = (uint8_t)l->sent;
	if (!sf_pktio_send(&l->io, l->frame, sizeof(l->frame), NULL))
		l->sent++;
}

/* Exit codes name the failed check. */
static int child_loop(void)
{
	struct sf_pktio_opts o;
	struct loop l;
	uint64_t t0;

	if (tsf_netns_lo())
		return 100;
	memset(&l, 0, sizeof(l));
	memset(l.frame, 0xAB, sizeof(l.frame));
	l.frame[12] = ETH_P_TEST >> 8;
	l.frame[13] = ETH_P_TEST & 0xFF;
	sf_pktio_opts_default(&o);
	o.mode = t_mode;
	o.spin_us = t_spin_us;
	o.poll_ms = 20;
	if (sf_pktio_open(&l.io, "lo", &o))
		return 101;
	l.io.stop = &l.stop;
	l.io.tick = on_tick;
	l.io.tick_ctx = &l;
	if (sf_pktio_run(&l.io, on_frame, &l) || l.got != FRAMES)
		return 102;
	if (l.bad)
		return 103;
	/* The spin took over from the sleeps once it learned that the
	 * frames come right away; without a ceiling it never runs. */
	if (t_mode == SF_PKTIO_MMSG && t_spin_us && l.io.spin.hits < FRAMES / 2)
		return 104;
	if (!t_spin_us && (l.io.spin.hits || l.io.spin.misses))
		return 105;
	/* Idle: the loop sleeps and wakes for the tick every poll_ms. */
	l.idle = true;
	l.stop = 0;
	l.ticks = 0;
	t0 = sf_now_ms();
	if (sf_pktio_run(&l.io, on_frame, &l))
		return 106;
	if (sf_now_ms() - t0 < 4 * 20 - 5)
		return 107; /* woke up before the tick was due */
	if (sf_now_ms() - t0 > 2000)
		return 108;
	/* After idle timeouts the spin has shrunk. */
	if (l.io.spin.cur_ns > l.io.spin.max_ns)
		return 109;
	sf_pktio_close(&l.io);
	return 0;
}

static void run(enum sf_pktio_mode mode, unsigned int spin_us)
{
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root for a network namespace and a packet socket");
	t_mode = mode;
	t_spin_us = spin_us;
	st = tsf_run_child(child_loop);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
}

Test(sf_pktio_loop, mmsg_sleeping_in_recvmmsg)
{
	run(SF_PKTIO_MMSG, 0);
}

Test(sf_pktio_loop, mmsg_with_adaptive_spin)
{
	run(SF_PKTIO_MMSG, 200);
}

Test(sf_pktio_loop, ring)
{
	run(SF_PKTIO_RING, 0);
}

Test(sf_pktio_loop, ring_with_adaptive_spin)
{
	run(SF_PKTIO_RING, 200);
}
