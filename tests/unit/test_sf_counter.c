// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_counter.c - sf-counter's bounded LRU flow table (flowtab.h over
 * flowmap.h): counters, totals, eviction order, top flows, stats JSON.
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
	cr_assert_eq(sf_flowmap_ent_of(&ft.fm, f)->last_ms, 2);
	cr_assert_eq(memcmp(&sf_flowmap_ent_of(&ft.fm, f)->t, &a, sizeof(a)), 0);
	cr_assert_eq(sf_flowtab_lookup(&ft, &b)->bytes, 10);
	cr_assert_eq(ft.total_packets, 3);
	cr_assert_eq(ft.total_bytes, 160);
	cr_assert_eq(ft.fm.lru.n, 2);
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
	sf_flowtab_account(&ft, &t[1], 10, 0);
	sf_flowtab_account(&ft, &t[2], 100, 0);
	sf_flowtab_account(&ft, &t[0], 1000, 0); /* 0 is now the newest */
	/* A lookup (e.g. for the stats) must not save the oldest flow. */
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[1]));
	sf_flowtab_account(&ft, &t[3], 1, 0); /* evicts 1 */
	cr_assert_null(sf_flowtab_lookup(&ft, &t[1]));
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[0]));
	sf_flowtab_account(&ft, &t[4], 1, 0); /* evicts 2 */
	cr_assert_null(sf_flowtab_lookup(&ft, &t[2]));
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[3]));
	cr_assert_not_null(sf_flowtab_lookup(&ft, &t[4]));
	cr_assert_eq(ft.fm.lru.n, 3);
	cr_assert_eq(ft.fm.evictions, 2);
	cr_assert_eq(ft.total_packets, 6, "totals survive eviction");
	cr_assert_eq(ft.total_bytes, 1113, "totals survive eviction");
	cr_assert_eq(sf_flowtab_lookup(&ft, &t[0])->bytes, 1001);
	/* An evicted flow comes back fresh. */
	sf_flowtab_account(&ft, &t[1], 5, 9);
	cr_assert_eq(sf_flowtab_lookup(&ft, &t[1])->packets, 1);
	cr_assert_eq(sf_flowtab_lookup(&ft, &t[1])->first_ms, 9);
	sf_flowtab_fini(&ft);
	sf_flowtab_fini(&ft); /* a zeroed table: safe */
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
	cr_assert_eq(ft.fm.lru.n, 64);
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

Test(sf_counter, top_ties_and_short_tables)
{
	struct sf_tuple a = tup(1), b = tup(2), c = tup(3);
	const struct sf_flow *top[4];
	struct sf_flowtab ft;

	cr_assert_eq(sf_flowtab_init(&ft, 8), 0);
	sf_flowtab_account(&ft, &a, 100, 1);
	sf_flowtab_account(&ft, &b, 50, 2);
	sf_flowtab_account(&ft, &b, 50, 3); /* 100 bytes in 2 packets */
	sf_flowtab_account(&ft, &c, 100, 4); /* ties a, seen later */
	cr_assert_eq(sf_flowtab_top(&ft, top, 4), 3, "no more than the flows");
	cr_assert_eq(top[0], sf_flowtab_lookup(&ft, &b), "more packets");
	cr_assert_eq(top[1], sf_flowtab_lookup(&ft, &c), "more recent");
	cr_assert_eq(top[2], sf_flowtab_lookup(&ft, &a));
	cr_assert_eq(sf_flowtab_top(&ft, top, 1), 1);
	cr_assert_eq(top[0], sf_flowtab_lookup(&ft, &b));
	sf_flowtab_fini(&ft);
}

/* The stats JSON of @ft with the top @k, into @buf. */
static void stats(const struct sf_flowtab *ft, unsigned int k, char *buf,
		  size_t cap)
{
	const struct sf_flow *scratch[4];
	struct sfc_jbuf jb;

	sfc_jbuf_init(&jb, buf, cap);
	sfc_jbuf_open(&jb, NULL, '{');
	sf_flowtab_stats_json(ft, &jb, scratch, k);
	sfc_jbuf_close(&jb, '}');
	cr_assert_gt(sfc_jbuf_finish(&jb), 0);
}

Test(sf_counter, stats_json)
{
	struct sf_tuple a = tup(1000), b = tup(2000), c = tup(3000);
	struct sf_flowtab ft;
	char buf[2048];

	b.family = 6;
	b.proto = 17;
	memset(b.src, 0, sizeof(b.src));
	memset(b.dst, 0, sizeof(b.dst));
	b.src[0] = 0x20;
	b.src[1] = 0x01;
	b.src[15] = 1;
	b.dst[0] = 0xfe;
	b.dst[1] = 0x80;
	b.dst[15] = 2;
	cr_assert_eq(sf_flowtab_init(&ft, 2), 0);
	sf_flowtab_account(&ft, &c, 1, 5); /* evicted below */
	sf_flowtab_account(&ft, &a, 60, 10);
	sf_flowtab_account(&ft, &b, 1500, 11);
	sf_flowtab_account(&ft, &a, 40, 12);
	stats(&ft, 2, buf, sizeof(buf));
	cr_assert_str_eq(buf,
		"{\"flows\":{\"capacity\":2,\"active\":2,\"evictions\":1,"
		"\"total_packets\":4,\"total_bytes\":1601,\"top\":["
		"{\"proto\":\"udp\",\"src\":\"2001::1\",\"sport\":2000,"
		"\"dst\":\"fe80::2\",\"dport\":80,\"packets\":1,"
		"\"bytes\":1500,\"first_ms\":11,\"last_ms\":11},"
		"{\"proto\":\"tcp\",\"src\":\"10.0.0.0\",\"sport\":1000,"
		"\"dst\":\"11.0.0.0\",\"dport\":80,\"packets\":2,"
		"\"bytes\":100,\"first_ms\":10,\"last_ms\":12}]}}\n");
	stats(&ft, 0, buf, sizeof(buf));
	cr_assert_not_null(strstr(buf, "\"top\":[]}"), "%s", buf);
	sf_flowtab_fini(&ft);
}

Test(sf_counter, init_rejects_bad_capacity)
{
	struct sf_flowtab ft;

	cr_assert_eq(sf_flowtab_init(&ft, 0), -EINVAL);
	cr_assert_eq(sf_flowtab_init(&ft, SF_FLOWTAB_MAX_CAP + 1), -EINVAL);
}
