/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowtab.h - bounded per-flow packet/byte counters for sf-counter.
 *
 * A fixed pool of flows (allocated once, before the sandbox) indexed by a
 * chained hash of the directed 5-tuple. When the pool is full the least
 * recently seen flow is evicted (an LRU list), so the table keeps the
 * active flows and memory never grows with traffic.
 */
#ifndef SF_FLOWTAB_H
#define SF_FLOWTAB_H

#include <stdint.h>

#include "inner.h"
#include "jbuf.h"

#define SF_FLOWTAB_NONE UINT32_MAX
#define SF_FLOWTAB_MAX_CAP (1u << 22)

struct sf_flow {
	struct sf_tuple t;
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_ms;  /* caller's clock, e.g. sf_now_ms() */
	uint64_t last_ms;
	uint32_t hnext;     /* hash chain */
	uint32_t prev, next; /* LRU list: head = newest, tail = oldest */
};

struct sf_flowtab {
	struct sf_flow *flows;  /* owned, cap entries, n in use */
	uint32_t *buckets;      /* owned, nbuckets heads */
	uint32_t cap, n, nbuckets;
	uint32_t head, tail;
	uint64_t evictions;
	uint64_t total_packets; /* every packet accounted, evicted or not */
	uint64_t total_bytes;
};

/**
 * sf_flowtab_init() - allocate a table for @cap flows (1..SF_FLOWTAB_MAX_CAP).
 * Return: 0, -EINVAL on a bad @cap, -ENOMEM.
 */
int sf_flowtab_init(struct sf_flowtab *ft, uint32_t cap);

/** sf_flowtab_fini() - free; safe on a zeroed table. */
void sf_flowtab_fini(struct sf_flowtab *ft);

/**
 * sf_flowtab_account() - add one packet of @bytes to the flow of @t
 * (created, evicting the oldest if full) and to the totals; marks it the
 * newest. @t's pad bytes must be zero (sf_inner_parse() ensures it).
 * Return: the flow (owned by the table, valid until the next call).
 */
struct sf_flow *sf_flowtab_account(struct sf_flowtab *ft,
				   const struct sf_tuple *t, uint64_t bytes,
				   uint64_t now_ms);

/** sf_flowtab_lookup() - the flow of @t or NULL. Does not touch the LRU. */
const struct sf_flow *sf_flowtab_lookup(const struct sf_flowtab *ft,
					const struct sf_tuple *t);

/**
 * sf_flowtab_top() - the @k flows with most bytes (ties: more packets),
 * largest first, into @out (@k entries). Return: how many were written.
 */
unsigned int sf_flowtab_top(const struct sf_flowtab *ft,
			    const struct sf_flow **out, unsigned int k);

/**
 * sf_flowtab_stats_json() - "flows": {capacity, active, evictions,
 * total_packets, total_bytes, top: [{proto, src, sport, dst, dport,
 * packets, bytes, first_ms, last_ms}]}. @scratch: @k entries.
 */
void sf_flowtab_stats_json(const struct sf_flowtab *ft, struct sf_jbuf *jb,
			   const struct sf_flow **scratch, unsigned int k);

#endif /* SF_FLOWTAB_H */
