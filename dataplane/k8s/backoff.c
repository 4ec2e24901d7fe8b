// SPDX-License-Identifier: GPL-2.0-only
/*
 * backoff.c - randomised delays: the reconnect backoff of reflectors and
 * the timeoutSeconds of their watches.
 */
#include "k8s_internal.h"

unsigned sfc_k8s_backoff_next(struct sfc_k8s_backoff *b, double u)
{
	uint64_t base = b->initial_ms;
	unsigned i;

	for (i = 0; i < b->steps && base < b->cap_ms; i++)
		base *= 2;
	if (base > b->cap_ms)
		base = b->cap_ms;
	/* Count steps only while the delay still grows: they cannot
	 * overflow however long the outage. */
	if (base < b->cap_ms)
		b->steps++;
	if (u < 0 || u >= 1)
		u = 0;
	/* base minus the rounded-down jitter: strictly above base / 2. */
	return (unsigned)(base - (uint64_t)((double)base * u / 2));
}

void sfc_k8s_backoff_reset(struct sfc_k8s_backoff *b)
{
	b->steps = 0;
}

unsigned sfc_k8s_watch_timeout_s(unsigned min_s, double u)
{
	if (u < 0 || u >= 1)
		u = 0;
	return min_s + (unsigned)(u * min_s);
}
