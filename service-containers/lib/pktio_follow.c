// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktio_follow.c - following the flow's CPU. See pktio_follow.h.
 */
#include <string.h>

#include "pktio_follow.h"

static void new_window(struct sf_follow *f, uint64_t now_ns, uint64_t run_ns,
		       uint64_t wait_ns)
{
	if (f->frames)
		memset(f->votes, 0, sizeof(f->votes));
	f->frames = 0;
	f->win_start_ns = now_ns;
	f->win_run_ns = run_ns;
	f->win_wait_ns = wait_ns;
}

void sf_follow_init(struct sf_follow *f, bool on, const cpu_set_t *allowed,
		    uint64_t now_ns, uint64_t run_ns, uint64_t wait_ns)
{
	memset(f, 0, sizeof(*f));
	f->allowed = *allowed;
	f->on = on && CPU_COUNT(allowed) > 1;
	f->pinned = -1;
	f->backoff_next = 1;
	new_window(f, now_ns, run_ns, wait_ns);
}

/* The allowed CPU that sent 3/4 of the window's frames, or -1. */
static int majority(const struct sf_follow *f)
{
	uint32_t i, best = 0;

	for (i = 1; i < SF_FOLLOW_MAX_CPUS; i++)
		if (f->votes[i] > f->votes[best])
			best = i;
	if ((uint64_t)f->votes[best] * 4 < (uint64_t)f->frames * 3 ||
	    !CPU_ISSET(best, &f->allowed))
		return -1;
	return (int)best;
}

/* Back to every allowed CPU, and no pin for a while: longer each time
 * following did not pay since the last calm window. */
static int retreat(struct sf_follow *f, uint64_t *reason)
{
	(*reason)++;
	f->backoff = f->backoff_next;
	if (f->backoff_next < SF_FOLLOW_BACKOFF_MAX)
		f->backoff_next *= 2;
	return -1;
}

int sf_follow_batch_end(struct sf_follow *f)
{
	if (!f->on || f->pinned < 0 || f->away < SF_FOLLOW_AWAY_FRAMES)
		return -2;
	f->away = 0;
	return retreat(f, &f->left);
}

static int verdict(struct sf_follow *f, uint64_t span, uint64_t ran,
		   uint64_t waited)
{
	int cpu;

	if (f->pinned >= 0 && waited * 100 >= span * SF_FOLLOW_WAIT_PCT)
		return retreat(f, &f->contended);
	if (ran * 100 >= span * SF_FOLLOW_BUSY_PCT)
		return f->pinned >= 0 ? retreat(f, &f->busy) : -1;
	cpu = majority(f);
	if (f->pinned >= 0) {
		if (cpu != f->pinned) /* the clients did not stay with us */
			return retreat(f, &f->left);
		f->backoff_next = 1; /* a calm window where we are */
		return cpu;
	}
	if (f->backoff) {
		f->backoff--;
		return -1;
	}
	return cpu;
}

int sf_follow_decide(struct sf_follow *f, uint64_t now_ns, uint64_t run_ns,
		     uint64_t wait_ns)
{
	uint64_t span = now_ns - f->win_start_ns;
	int cpu = -2;

	if (f->on && f->frames >= SF_FOLLOW_MIN_FRAMES && span)
		cpu = verdict(f, span, run_ns - f->win_run_ns,
			      wait_ns - f->win_wait_ns);
	new_window(f, now_ns, run_ns, wait_ns);
	return cpu == f->pinned ? -2 : cpu;
}

void sf_follow_applied(struct sf_follow *f, int cpu, bool ok)
{
	if (!ok) {
		f->on = false;
		return;
	}
	if (cpu >= 0)
		f->pins++;
	else
		f->unpins++;
	f->pinned = cpu;
	f->away = 0;
}
