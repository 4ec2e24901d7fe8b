/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowtab.h - bounded per-flow packet/byte counters for sf-counter.
 *
 * The counters of each directed 5-tuple are the state of a flowmap.h
 * table (a fixed pool allocated once, before the sandbox): when it is full
 * the least recently seen flow is evicted, so the table keeps the active
 * flows and memory never grows with traffic. The totals count every
 * packet, including those of flows evicted since.
 */
#ifndef SF_FLOWTAB_H
#define SF_FLOWTAB_H

#include <stdint.h>

#include "flowmap.h"
#include "frame.h"
#include "inner.h"
#include "sfc_jbuf.h"

#define SF_FLOWTAB_MAX_CAP SF_FLOWMAP_MAX_CAP

/*
 * One flow's counters. Its tuple and last_ms (the time of its latest
 * packet) live in the flowmap entry: sf_flowmap_ent_of(&ft->fm, f).
 */
struct sf_flow {
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_ms;  /* caller's clock, e.g. sf_now_ms() */
	/* offload (counter.h) */
	bool reply;         /* this direction is the chain's reply path */
	bool bypassed;      /* the SFF was asked to bypass the flow */
	bool has_ref;
	uint8_t reask;      /* packets seen since bypassed */
	struct sf_flow_ref ref;
	uint64_t sff_packets, sff_bytes; /* the SFF's counts added so far */
	uint64_t asked_ms;  /* last counts question (caller's clock) */
};

struct sf_flowtab {
	struct sf_flowmap fm;   /* state: struct sf_flow; capacity, count and
				 * evictions are fm.cap, fm.lru.n, fm.evictions */
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
 * (created, evicting the least recently seen if full) and to the totals;
 * marks it the most recent, seen at @now_ms (caller's clock, ms). @t's pad
 * bytes must be zero (sf_inner_parse() ensures it).
 * Return: the flow (owned by the table, valid until the next call).
 */
struct sf_flow *sf_flowtab_account(struct sf_flowtab *ft,
				   const struct sf_tuple *t, uint64_t bytes,
				   uint64_t now_ms);

/**
 * sf_flowtab_add() - add @packets and @bytes more to flow @f (from this
 * table) and to the totals, without touching the LRU: the wire segments
 * of a GSO frame beyond the first, or what the SFF counted for the SF.
 */
void sf_flowtab_add(struct sf_flowtab *ft, struct sf_flow *f,
		    uint64_t packets, uint64_t bytes);

/** sf_flowtab_lookup() - the flow of @t or NULL. Does not touch the LRU. */
const struct sf_flow *sf_flowtab_lookup(const struct sf_flowtab *ft,
					const struct sf_tuple *t);

/**
 * sf_flowtab_top() - the @k flows with most bytes (ties: more packets, then
 * the more recently seen), largest first, into @out (@k entries; the
 * pointers are owned by the table and valid until the next account).
 * Return: how many were written, at most @k and the number of flows.
 */
unsigned int sf_flowtab_top(const struct sf_flowtab *ft,
			    const struct sf_flow **out, unsigned int k);

/**
 * sf_flowtab_stats_json() - "flows": {capacity, active, evictions,
 * total_packets, total_bytes, top: [{proto, src, sport, dst, dport,
 * packets, bytes, first_ms, last_ms}]}, top as sf_flowtab_top() with @k.
 * @scratch: @k entries, caller-owned.
 */
void sf_flowtab_stats_json(const struct sf_flowtab *ft, struct sfc_jbuf *jb,
			   const struct sf_flow **scratch, unsigned int k);

#endif /* SF_FLOWTAB_H */
