// SPDX-License-Identifier: GPL-2.0-only
/*
 * ratelimit.c - per-source token buckets. See ratelimit.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "config.h"
#include "ratelimit.h"

static uint32_t bucket_of(const struct sf_rl *rl, uint8_t family,
			  const uint8_t *addr)
{
	return sf_hash_bytes(addr, family == 4 ? 4 : 16) & (rl->nbuckets - 1);
}

static void table_free(struct sf_rl *rl)
{
	free(rl->s);
	free(rl->lk);
	free(rl->buckets);
	rl->s = NULL;
	rl->lk = NULL;
	rl->buckets = NULL;
}

static int table_init(struct sf_rl *rl, uint32_t cap)
{
	uint32_t i;

	rl->cap = cap;
	rl->nbuckets = sf_pow2_ceil(cap);
	rl->s = calloc(cap, sizeof(*rl->s));
	rl->lk = calloc(cap, sizeof(*rl->lk));
	rl->buckets = malloc(rl->nbuckets * sizeof(*rl->buckets));
	if (!rl->s || !rl->lk || !rl->buckets) {
		table_free(rl);
		return -ENOMEM;
	}
	for (i = 0; i < rl->nbuckets; i++)
		rl->buckets[i] = SF_IDX_NONE;
	for (i = 0; i < cap; i++)
		rl->s[i].hnext = i + 1 < cap ? i + 1 : SF_IDX_NONE;
	rl->free_head = 0;
	sf_ilist_init(&rl->lru);
	return 0;
}

int sf_rl_configure(void *ctx, const cJSON *cfg, const char *path,
		    char *err, size_t errlen)
{
	static const char *const keys[] = { "rate_bps", "burst_bytes",
					    "max_sources", "comment", NULL };
	uint64_t rate = 0, burst = 0, cap = SF_RL_SOURCES_DEFAULT;
	struct sf_rl *rl = ctx;
	struct sf_rl fresh;
	uint32_t i;
	int ret;

	if (!cJSON_IsObject(cfg))
		return sf_config_err(err, errlen, path, NULL,
				     "a config object is required");
	ret = sf_config_check_keys(cfg, keys, path, "", err, errlen);
	if (!ret)
		ret = sf_config_uint(cfg, "rate_bps", 1, SF_RL_RATE_MAX, true, &rate,
			      path, err, errlen);
	if (!ret)
		ret = sf_config_uint(cfg, "burst_bytes", 1, SF_RL_BURST_MAX, true,
			      &burst, path, err, errlen);
	if (!ret)
		ret = sf_config_uint(cfg, "max_sources", 1, SF_RL_SOURCES_MAX, false,
			      &cap, path, err, errlen);
	if (ret)
		return ret;
	if (!rl->s || rl->cap != cap) {
		memset(&fresh, 0, sizeof(fresh));
		ret = table_init(&fresh, (uint32_t)cap);
		if (ret)
			return ret;
		memcpy(&fresh.passed_packets, &rl->passed_packets,
		       sizeof(*rl) - offsetof(struct sf_rl, passed_packets));
		table_free(rl);
		*rl = fresh;
	}
	rl->rate_bps = rate;
	rl->burst_bytes = burst;
	for (i = 0; i < rl->cap; i++)
		if (rl->s[i].tokens > burst * SF_RL_UNITS_PER_BYTE)
			rl->s[i].tokens = burst * SF_RL_UNITS_PER_BYTE;
	return 0;
}

const struct sf_rl_src *sf_rl_find(const struct sf_rl *rl, uint8_t family,
				   const uint8_t *addr)
{
	size_t alen = family == 4 ? 4 : 16;
	uint32_t i;

	for (i = rl->buckets[bucket_of(rl, family, addr)]; i != SF_IDX_NONE;
	     i = rl->s[i].hnext)
		if (rl->s[i].family == family && !memcmp(rl->s[i].addr, addr, alen))
			return &rl->s[i];
	return NULL;
}

static void unhash(struct sf_rl *rl, uint32_t i)
{
	uint32_t *link = &rl->buckets[bucket_of(rl, rl->s[i].family,
						rl->s[i].addr)];

	while (*link != i)
		link = &rl->s[*link].hnext;
	*link = rl->s[i].hnext;
	sf_ilist_unlink(&rl->lru, rl->lk, i);
}

static struct sf_rl_src *add_source(struct sf_rl *rl, uint8_t family,
				    const uint8_t *addr, uint64_t now_ns)
{
	uint32_t i = rl->free_head, b;
	struct sf_rl_src *s;

	if (i == SF_IDX_NONE) {
		i = rl->lru.tail;
		unhash(rl, i);
		rl->evictions++;
	} else {
		rl->free_head = rl->s[i].hnext;
	}
	s = &rl->s[i];
	memset(s, 0, sizeof(*s));
	memcpy(s->addr, addr, family == 4 ? 4 : 16);
	s->family = family;
	s->used = true;
	s->tokens = rl->burst_bytes * SF_RL_UNITS_PER_BYTE;
	s->last_ns = now_ns;
	b = bucket_of(rl, family, addr);
	s->hnext = rl->buckets[b];
	rl->buckets[b] = i;
	sf_ilist_push_head(&rl->lru, rl->lk, i);
	return s;
}

/* tokens += elapsed * rate, capped at burst, without overflow: the
 * product is only formed when it stays below the missing amount. */
static void refill(const struct sf_rl *rl, struct sf_rl_src *s,
		   uint64_t now_ns)
{
	uint64_t full = rl->burst_bytes * SF_RL_UNITS_PER_BYTE;
	uint64_t dt = now_ns > s->last_ns ? now_ns - s->last_ns : 0;
	uint64_t missing = full - s->tokens;

	s->last_ns = now_ns;
	if (dt >= missing / rl->rate_bps + 1)
		s->tokens = full;
	else
		s->tokens += dt * rl->rate_bps;
	if (s->tokens > full)
		s->tokens = full;
}

bool sf_rl_allow(struct sf_rl *rl, uint8_t family, const uint8_t *addr,
		 uint64_t bytes, uint64_t now_ns)
{
	struct sf_rl_src *s = (struct sf_rl_src *)sf_rl_find(rl, family, addr);
	uint64_t cost = bytes * SF_RL_UNITS_PER_BYTE;
	uint32_t i;

	if (!s) {
		s = add_source(rl, family, addr, now_ns);
	} else {
		i = (uint32_t)(s - rl->s);
		sf_ilist_unlink(&rl->lru, rl->lk, i);
		sf_ilist_push_head(&rl->lru, rl->lk, i);
		refill(rl, s, now_ns);
	}
	if (s->tokens >= cost) {
		s->tokens -= cost;
		s->passed_packets++;
		s->passed_bytes += bytes;
		rl->passed_packets++;
		rl->passed_bytes += bytes;
		return true;
	}
	s->dropped_packets++;
	s->dropped_bytes += bytes;
	rl->dropped_packets++;
	rl->dropped_bytes += bytes;
	return false;
}

enum sf_verdict sf_rl_check(struct sf_rl *rl, const struct sf_pkt *pkt,
			    uint64_t now_ns)
{
	const struct sf_tuple *t = &pkt->inner.t;

	return sf_rl_allow(rl, t->family, t->src, pkt->inner.l3_len, now_ns) ?
		       SF_VERDICT_PASS : SF_VERDICT_DROP;
}

enum sf_verdict sf_rl_on_packet(void *ctx, const struct sf_pkt *pkt)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return sf_rl_check(ctx, pkt,
			   (uint64_t)ts.tv_sec * 1000000000ull +
			   (uint64_t)ts.tv_nsec);
}

/* The SF_RL_TOP sources with most drops, largest first. */
static unsigned int top_droppers(const struct sf_rl *rl,
				 const struct sf_rl_src **top)
{
	unsigned int n = 0, j;
	uint32_t i;

	for (i = 0; i < rl->cap; i++) {
		const struct sf_rl_src *s = &rl->s[i];

		if (!s->used || !s->dropped_packets)
			continue;
		for (j = n; j > 0 && top[j - 1]->dropped_packets <
					     s->dropped_packets; j--)
			if (j < SF_RL_TOP)
				top[j] = top[j - 1];
		if (j < SF_RL_TOP)
			top[j] = s;
		if (n < SF_RL_TOP)
			n++;
	}
	return n;
}

void sf_rl_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	const struct sf_rl_src *top[SF_RL_TOP];
	struct sf_rl *rl = ctx;
	char a[INET6_ADDRSTRLEN];
	unsigned int n = top_droppers(rl, top), i;

	sfc_jbuf_open(jb, "ratelimit", '{');
	sfc_jbuf_u64(jb, "rate_bps", rl->rate_bps);
	sfc_jbuf_u64(jb, "burst_bytes", rl->burst_bytes);
	sfc_jbuf_u64(jb, "capacity", rl->cap);
	sfc_jbuf_u64(jb, "sources", rl->lru.n);
	sfc_jbuf_u64(jb, "evictions", rl->evictions);
	sfc_jbuf_u64(jb, "passed_packets", rl->passed_packets);
	sfc_jbuf_u64(jb, "passed_bytes", rl->passed_bytes);
	sfc_jbuf_u64(jb, "dropped_packets", rl->dropped_packets);
	sfc_jbuf_u64(jb, "dropped_bytes", rl->dropped_bytes);
	sfc_jbuf_open(jb, "top_dropped", '[');
	for (i = 0; i < n; i++) {
		inet_ntop(top[i]->family == 4 ? AF_INET : AF_INET6,
			  top[i]->addr, a, sizeof(a));
		sfc_jbuf_open(jb, NULL, '{');
		sfc_jbuf_str(jb, "src", a);
		sfc_jbuf_u64(jb, "dropped_packets", top[i]->dropped_packets);
		sfc_jbuf_u64(jb, "dropped_bytes", top[i]->dropped_bytes);
		sfc_jbuf_u64(jb, "passed_packets", top[i]->passed_packets);
		sfc_jbuf_u64(jb, "passed_bytes", top[i]->passed_bytes);
		sfc_jbuf_close(jb, '}');
	}
	sfc_jbuf_close(jb, ']');
	sfc_jbuf_close(jb, '}');
}

void sf_rl_free(void *ctx)
{
	struct sf_rl *rl = ctx;

	table_free(rl);
	memset(rl, 0, sizeof(*rl));
}
