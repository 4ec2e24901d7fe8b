// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_ratelimit.c - token bucket math with an injected clock (rate,
 * burst, refill, no overflow), per-source isolation and eviction, GSO
 * frames by full length, config errors, reload, stats.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "config.h"
#include "ratelimit.h"
#include "test_sf_util.h"

#define MS 1000000ull
#define SEC 1000000000ull

static char err[512];
static uint64_t now_ns;

static int configure(struct sf_rl *rl, const char *json)
{
	cJSON *root = NULL;
	int ret;

	err[0] = '\0';
	ret = sf_config_parse(json, "rl.json", &root, err, sizeof(err));
	if (!ret)
		ret = sf_rl_configure(rl, root, "rl.json", err, sizeof(err));
	cJSON_Delete(root);
	return ret;
}

static bool allow4(struct sf_rl *rl, const char *src, uint64_t bytes,
		   uint64_t t)
{
	uint8_t a[4];

	inet_pton(AF_INET, src, a);
	return sf_rl_allow(rl, 4, a, bytes, t);
}

Test(sf_ratelimit, burst_then_rate)
{
	struct sf_rl rl = { 0 };

	/* 8000 bit/s = 1000 B/s, bucket 1500 B. */
	cr_assert_eq(configure(&rl, "{\"rate_bps\": 8000, \"burst_bytes\": 1500}"),
		     0, "%s", err);
	cr_assert(allow4(&rl, "10.0.0.1", 1000, 0), "new source: full bucket");
	cr_assert(allow4(&rl, "10.0.0.1", 500, 0));
	cr_assert_not(allow4(&rl, "10.0.0.1", 1, 0), "bucket empty");
	cr_assert_not(allow4(&rl, "10.0.0.1", 100, 99 * MS), "99 B refilled");
	cr_assert(allow4(&rl, "10.0.0.1", 100, 100 * MS), "100 B after 100 ms");
	cr_assert_not(allow4(&rl, "10.0.0.1", 1, 100 * MS));
	cr_assert(allow4(&rl, "10.0.0.1", 1, 101 * MS), "1 ms = 1 byte");
	/* A long silence refills to the burst, never beyond. */
	cr_assert_not(allow4(&rl, "10.0.0.1", 1501, 3600 * SEC));
	cr_assert(allow4(&rl, "10.0.0.1", 1500, 3600 * SEC));
	cr_assert_eq(rl.passed_packets, 5);
	cr_assert_eq(rl.dropped_packets, 4);
	cr_assert_eq(sf_rl_find(&rl, 4, (uint8_t[]){ 10, 0, 0, 1 })->dropped_bytes,
		     1 + 100 + 1 + 1501);
	sf_rl_free(&rl);
}

Test(sf_ratelimit, sustained_rate_is_exact)
{
	struct sf_rl rl = { 0 };
	uint64_t t, passed = 0;

	/* 1 Mbit/s, one 100-byte packet every 100 us = 8 Mbit/s offered. */
	cr_assert_eq(configure(&rl, "{\"rate_bps\": 1000000, \"burst_bytes\": 100}"), 0);
	for (t = 0; t < 10 * SEC; t += 100000)
		passed += allow4(&rl, "10.0.0.2", 100, t);
	/* 125000 B/s for 10 s = 12500 packets, plus the first burst. */
	cr_assert(passed >= 12499 && passed <= 12501, "passed %lu",
		  (unsigned long)passed);
	sf_rl_free(&rl);
}

Test(sf_ratelimit, extreme_values_do_not_overflow)
{
	struct sf_rl rl = { 0 };

	cr_assert_eq(configure(&rl, "{\"rate_bps\": 1000000000000, "
				    "\"burst_bytes\": 1000000000}"), 0, "%s", err);
	cr_assert(allow4(&rl, "10.0.0.3", 1000000000, 0));
	cr_assert_not(allow4(&rl, "10.0.0.3", 1000, 0));
	cr_assert(allow4(&rl, "10.0.0.3", 1000000000, UINT64_MAX / 2));
	cr_assert(allow4(&rl, "10.0.0.3", 125, UINT64_MAX / 2 + 1), "1 ns");
	cr_assert_not(allow4(&rl, "10.0.0.3", 126, UINT64_MAX / 2 + 2));
	sf_rl_free(&rl);
}

Test(sf_ratelimit, per_source_and_eviction)
{
	struct sf_rl rl = { 0 };

	cr_assert_eq(configure(&rl, "{\"rate_bps\": 8, \"burst_bytes\": 10,"
				    " \"max_sources\": 2}"), 0, "%s", err);
	cr_assert(allow4(&rl, "10.0.0.1", 10, 0));
	cr_assert_not(allow4(&rl, "10.0.0.1", 10, 0));
	cr_assert(allow4(&rl, "10.0.0.2", 10, 0), "other source, own bucket");
	cr_assert(allow4(&rl, "10.0.0.3", 10, 0), "evicts the oldest");
	cr_assert_eq(rl.evictions, 1);
	cr_assert_null(sf_rl_find(&rl, 4, (uint8_t[]){ 10, 0, 0, 1 }));
	cr_assert_eq(rl.lru.n, 2);
	sf_rl_free(&rl);
}

static enum sf_verdict at_now(void *ctx, const struct sf_pkt *pkt)
{
	return sf_rl_check(ctx, pkt, now_ns);
}

Test(sf_ratelimit, frames_gso_by_full_length_v6_truncated)
{
	struct sf_rl rl = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;

	now_ns = 0;
	cr_assert_eq(configure(&rl, "{\"rate_bps\": 8, \"burst_bytes\": 4000}"), 0);
	tpkt_build(&p, IPPROTO_TCP, "10.1.0.1", 1, "10.2.0.2", 2, 0x10, 3000);
	tpkt_make_partial(&p, 1448);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &rl), SF_VERDICT_PASS);
	cr_assert_eq(rl.passed_bytes, 3040, "inner IP length of the super-frame");
	cr_assert_eq(tpkt_run(&p, &c, at_now, &rl), SF_VERDICT_DROP);
	cr_assert_eq(c.dropped, 1);
	tpkt_build(&p, IPPROTO_UDP, "fd00::1", 1, "fd00::2", 2, 0, 10);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &rl), SF_VERDICT_PASS, "IPv6 source");
	p.f.len = (uint32_t)p.ip_off + 30;
	cr_assert_eq(tpkt_run(&p, &c, at_now, &rl), SF_VERDICT_DROP);
	cr_assert_eq(c.malformed, 1, "truncated IPv6 header");
	cr_assert_eq(rl.lru.n, 2);
	sf_rl_free(&rl);
}

Test(sf_ratelimit, config_errors_reload_and_stats)
{
	static const struct { const char *json, *needle; } bad[] = {
		{ "{}", "rl.json: rate_bps: required" },
		{ "{\"rate_bps\": 0, \"burst_bytes\": 1}", "rl.json: rate_bps" },
		{ "{\"rate_bps\": 1.5, \"burst_bytes\": 1}", "rl.json: rate_bps" },
		{ "{\"rate_bps\": 1}", "rl.json: burst_bytes: required" },
		{ "{\"rate_bps\": 1, \"burst_bytes\": 1, \"max_sources\": 0}", "max_sources" },
		{ "{\"rate_bps\": 1, \"burst_bytes\": 1, \"rate\": 0}", "rate: unknown field" },
	};
	struct sf_rl rl = { 0 };
	char buf[4096];
	struct sfc_jbuf jb;
	cJSON *root, *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(configure(&rl, bad[i].json), -EINVAL, "case %zu", i);
		cr_assert(strstr(err, bad[i].needle), "case %zu: %s", i, err);
	}
	cr_assert_eq(configure(&rl, "{\"rate_bps\": 8, \"burst_bytes\": 100}"), 0);
	cr_assert(allow4(&rl, "10.0.0.1", 50, 0));
	cr_assert_not(allow4(&rl, "10.0.0.1", 60, 0));
	cr_assert_eq(configure(&rl, "{\"rate_bps\": 8, \"burst_bytes\": 20}"), 0);
	cr_assert_eq(rl.lru.n, 1, "same table");
	cr_assert_not(allow4(&rl, "10.0.0.1", 21, 0), "tokens clipped to 20");
	cr_assert(allow4(&rl, "10.0.0.1", 20, 0));
	cr_assert_eq(configure(&rl, "{\"rate_bps\": \"x\", \"burst_bytes\": 20}"), -EINVAL);
	cr_assert_eq(rl.burst_bytes, 20, "bad reload keeps the config");
	sfc_jbuf_init(&jb, buf, sizeof(buf));
	sfc_jbuf_open(&jb, NULL, '{');
	sf_rl_stats_json(&rl, &jb);
	sfc_jbuf_close(&jb, '}');
	cr_assert_gt(sfc_jbuf_finish(&jb), 0);
	root = cJSON_Parse(buf);
	cr_assert_not_null(root, "%s", buf);
	r = cJSON_GetObjectItem(root, "ratelimit");
	cr_assert_eq(cJSON_GetObjectItem(r, "dropped_packets")->valueint, 2);
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "top_dropped"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(r, "src")->valuestring, "10.0.0.1");
	cr_assert_eq(cJSON_GetObjectItem(r, "dropped_bytes")->valueint, 81);
	cJSON_Delete(root);
	sf_rl_free(&rl);
}
