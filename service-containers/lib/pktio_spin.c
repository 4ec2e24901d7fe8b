// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktio_spin.c - the adaptive spin budget. See pktio_spin.h.
 */
#include <string.h>

#include "pktio_spin.h"

void sf_spin_init(struct sf_spin *s, uint64_t max_ns)
{
	memset(s, 0, sizeof(*s));
	s->max_ns = max_ns;
}

void sf_spin_hit(struct sf_spin *s, uint64_t waited_ns)
{
	s->hits++;
	s->spun_ns += waited_ns;
	s->last_hit = true;
}

static void grow(struct sf_spin *s)
{
	uint64_t start = SF_SPIN_GROW_START_NS;

	s->cur_ns = s->cur_ns ? 2 * s->cur_ns : start;
	if (s->cur_ns > s->max_ns)
		s->cur_ns = s->max_ns;
}

/* Slowly, and not right after a hit: the long gaps of a request/response
 * pattern must not undo what its short gaps taught. */
static void shrink(struct sf_spin *s)
{
	if (s->last_hit)
		return;
	s->cur_ns -= s->cur_ns / 8;
	if (s->cur_ns < SF_SPIN_GROW_START_NS / 2)
		s->cur_ns = 0;
}

void sf_spin_slept(struct sf_spin *s, uint64_t gap_ns, bool frame)
{
	if (s->cur_ns) {
		s->misses++;
		s->spun_ns += s->cur_ns;
	}
	if (frame && gap_ns <= s->max_ns)
		grow(s);
	else
		shrink(s);
	s->last_hit = false;
}
