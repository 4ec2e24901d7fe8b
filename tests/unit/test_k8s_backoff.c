// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_backoff.c - the reconnect schedule: doubling from initial,
 * capped, jitter only ever shortening a delay by up to half, reset after
 * a success; and the randomised watch timeoutSeconds.
 */
#include <criterion/criterion.h>

#include "k8s_internal.h"

Test(k8s_backoff, doubles_to_the_cap_without_jitter)
{
	struct sfc_k8s_backoff b = { .initial_ms = 800, .cap_ms = 30000 };
	static const unsigned want[] = { 800, 1600, 3200, 6400, 12800, 25600,
					 30000, 30000, 30000 };
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_eq(sfc_k8s_backoff_next(&b, 0.0), want[i], "step %zu", i);
	/* Hundreds of failures later it is still the cap (no overflow). */
	for (i = 0; i < 1000; i++)
		cr_assert_eq(sfc_k8s_backoff_next(&b, 0.0), 30000);
	sfc_k8s_backoff_reset(&b);
	cr_assert_eq(sfc_k8s_backoff_next(&b, 0.0), 800);
	cr_assert_eq(sfc_k8s_backoff_next(&b, 0.0), 1600);
}

/* Every delay lies in (base / 2, base] for u in [0, 1). */
Test(k8s_backoff, jitter_bounds)
{
	static const double us[] = { 0.0, 0.25, 0.5, 0.999999 };
	unsigned d, base;
	size_t i, step;

	for (i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		struct sfc_k8s_backoff b = { .initial_ms = 1000, .cap_ms = 10000 };

		for (step = 0; step < 8; step++) {
			base = 1000u << step;
			if (base > 10000)
				base = 10000;
			d = sfc_k8s_backoff_next(&b, us[i]);
			cr_assert_leq(d, base, "u %f step %zu: %u", us[i], step, d);
			cr_assert_gt(d, base / 2, "u %f step %zu: %u", us[i], step, d);
		}
	}
	struct sfc_k8s_backoff b = { .initial_ms = 1000, .cap_ms = 10000 };

	cr_assert_eq(sfc_k8s_backoff_next(&b, 0.5), 750);
	cr_assert_eq(sfc_k8s_backoff_next(&b, 0.5), 1500);
	/* A broken random source (out of range) means no jitter, not chaos. */
	cr_assert_eq(sfc_k8s_backoff_next(&b, 1.0), 4000);
	cr_assert_eq(sfc_k8s_backoff_next(&b, -3.0), 8000);
}

/* An initial delay above the cap is the cap. */
Test(k8s_backoff, initial_above_cap)
{
	struct sfc_k8s_backoff b = { .initial_ms = 5000, .cap_ms = 2000 };

	cr_assert_eq(sfc_k8s_backoff_next(&b, 0.0), 2000);
	cr_assert_eq(sfc_k8s_backoff_next(&b, 0.0), 2000);
}

Test(k8s_backoff, watch_timeout_in_min_to_twice_min)
{
	cr_assert_eq(sfc_k8s_watch_timeout_s(300, 0.0), 300);
	cr_assert_eq(sfc_k8s_watch_timeout_s(300, 0.5), 450);
	cr_assert_eq(sfc_k8s_watch_timeout_s(300, 0.999999), 599);
	cr_assert_eq(sfc_k8s_watch_timeout_s(300, 1.0), 300);
	cr_assert_eq(sfc_k8s_watch_timeout_s(1, 0.9), 1);
}
