// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_counter.c - sf-counter's bounded LRU flow table.
 */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "flowtab.h"

static struct sf_tuple tup(uint16_t sport)
{
	struct sf_tuple t;

	memset(&t, 0, sizeof(t));
	t.family = 4;
	t.proto = 6;
	t.src[0] = 10;
	t.dst[0] = 11;
	t.sport = sport;
	t.dport = 80;
	return t;
}

Test(sf_counter, counts_per_flow_and_total)
{
	struct sf_flowtab ft;
	struct sf_tuple a = tup(1), b = tup(2);
	const struct sf_flow *f;

	cr_assert_eq(sf_flowtab_init(&ft, 8), 0);
	sf_flowtab_account(&ft, &a, 100, 1);
	sf_flowtab_account(&ft, &a, 50, 2);
	sf_flowtab_account(&ft, &b, 10, 3);
	f = sf_flowtab_lookup(&ft, &a);
	cr_assert_not_null(f);
	cr_assert_eq(f->packets, 2);
	cr_assert_eq(f->bytes, 150);
	cr_assert_eq(f->first_ms, 1);
	cr_assert_eq(f->last_ms, 2);
	cr_assert_eq(sf_flowtab_lookup(&ft, &b)->bytes, 10);
	cr_assert_eq(ft.total_packets, 3);
	cr_assert_eq(ft.total_bytes, 160);
	cr_assert_eq(ft.n, 2);
	b.dport = 81;
	cr_assert_null(sf_flowtab_lookup(&ft, &b));
	sf_flowtab_fini(&ft);
}

Test(sf_counter, evicts_least_recently_seen)
{
	struct sf_flowtab ft;
	struct sf_tuple t[5];
	int i;

	cr_assert_eq(sf_flowtab_init(&ft, 3), 0);
	for (i = 0; i < 5; i++)
		t[i] = tup((uint16_t)(i + 1));
	sf_flowtab_account(&ft, &t[0], 1, 0);
	sf_flowtab_account(&ft, &t[1], 1, 0);
	sf_flowtab_account(&ft, &t[2], 1, 0);
	sf_flowtab_account(&ft, &t[0], 1, 0); /* 0 is now the newest */
	sf_flowtab_account(&ft, &t[3], 1, 0); /* evicts 1 */
	cr_assert_null(sf_flowtab_lookup(&ft, &t[1]));
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[0]));
	sf_flowtab_account(&ft, &t[4], 1, 0); /* evicts 2 */
	cr_assert_null(sf_flowtab_lookup(&ft, &t[2]));
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[3]));
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[4]));
	cr_assert_eq(ft.n, 3);
	cr_assert_eq(ft.evictions, 2);
	cr_assert_eq(ft.total_packets, 6, "totals survive eviction");
	/* An evicted flow comes back fresh. */
	sf_flowtab_account(&ft, &t[1], 5, 9);
	cr_assert_eq(sf_flowtab_lookup(&ft, &t[1])->packets, 1);
	cr_assert_eq(sf_flowtab_lookup(&ft, &t[1])->first_ms, 9);
	sf_flowtab_fini(&ft);
}

Test(sf_counter, churn_keeps_table_consistent)
{
	struct sf_flowtab ft;
	struct sf_tuple t;
	uint32_t i, found = 0;

	cr_assert_eq(sf_flowtab_init(&ft, 64), 0);
	for (i = 0; i < 10000; i++) {
		t = tup((uint16_t)(i * 7919 % 300));
		sf_flowtab_account(&ft, &t, 1, i);
	}
	cr_assert_eq(ft.n, 64);
	for (i = 0; i < 300; i++) {
		t = tup((uint16_t)i);
		found += sf_flowtab_lookup(&ft, &t) != NULL;
	}
	cr_assert_eq(found, 64, "exactly capacity flows reachable");
	cr_assert_eq(ft.total_packets, 10000);
	sf_flowtab_fini(&ft);
}

Test(sf_counter, top_flows_by_bytes)
{
	const struct sf_flow *top[3];
	struct sf_flowtab ft;
	struct sf_tuple t;
	unsigned int i;

	cr_assert_eq(sf_flowtab_init(&ft, 16), 0);
	for (i = 1; i <= 6; i++) {
		t = tup((uint16_t)i);
		sf_flowtab_account(&ft, &t, i * 100 % 700, 0);
	}
	cr_assert_eq(sf_flowtab_top(&ft, top, 3), 3);
	cr_assert_eq(top[0]->bytes, 600);
	cr_assert_eq(top[1]->bytes, 500);
	cr_assert_eq(top[2]->bytes, 400);
	cr_assert_eq(sf_flowtab_top(&ft, top, 0), 0);
	sf_flowtab_fini(&ft);
}

Test(sf_counter, init_rejects_bad_capacity)
{
	struct sf_flowtab ft;

	cr_assert_eq(sf_flowtab_init(&ft, 0), -EINVAL);
	cr_assert_eq(sf_flowtab_init(&ft, SF_FLOWTAB_MAX_CAP + 1), -EINVAL);
}
