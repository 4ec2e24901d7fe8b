/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * counter.h - sf-counter: packets (on the wire: a GSO frame counts as its
 * segments) and bytes (inner IP) per flow (directed inner 5-tuple,
 * flowtab.h) and in total; every packet passes. The top flows by bytes
 * appear in the stats file.
 *
 * Offload ("offload": true; flow programming, sfc_common.h): once a flow
 * was seen both ways the counter asks the SFF to bypass it and to count
 * what it skips it for; it asks for those counts (flowq.h) on the flow's
 * FIN or RST (which still come through) and at most every
 * SF_COUNTER_SYNC_MS, and adds them, so its numbers keep counting every
 * packet of the flow. A bypassed flow looks idle, so a full table evicts
 * it first, with what the SFF counted since the last answer.
 *
 * Config (optional): {"max_flows": 65536 (1..SF_FLOWTAB_MAX_CAP),
 *                     "top": 10 (0..1000), "offload": false}
 */
#ifndef SF_COUNTER_H
#define SF_COUNTER_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "flowq.h"
#include "flowtab.h"
#include "frame.h"
#include "sfc_jbuf.h"

#define SF_COUNTER_MAX_FLOWS_DEFAULT 65536
#define SF_COUNTER_TOP_DEFAULT 10
#define SF_COUNTER_TOP_MAX 1000
#define SF_COUNTER_SYNC_MS 1000  /* counts questions per bypassed flow */
#define SF_COUNTER_REASK 64      /* bypassed but still seen: ask again */

struct sf_counter {
	struct sf_flowtab ft;
	const struct sf_flow **top; /* scratch for the stats, top_n entries */
	unsigned int top_n;
	uint64_t start_ms;          /* sf_now_ms() at configure */
	bool offload;
	struct sf_flowq q;          /* counts queries (offload) */
	uint64_t last_sync_ms;      /* q.clock() of the last sync scan */
	uint64_t bypass_requests, skipped_packets, skipped_bytes;
};

/**
 * sf_counter_configure() - sf_app_ops.configure of the struct sf_counter
 * @ctx: @cfg may be NULL (no --config: the defaults).
 * Return: 0; -EINVAL with "PATH: field: message" in @err; -ENOMEM.
 */
int sf_counter_configure(void *ctx, const cJSON *cfg, const char *path,
			 char *err, size_t errlen);

/** sf_counter_on_packet() - sf_pkt_fn: count @pkt's segments and inner
 * IP bytes against its flow, at ms since configure. Always passes. */
enum sf_verdict sf_counter_on_packet(void *ctx, const struct sf_pkt *pkt);

/** sf_counter_tick() - sf_app_ops.tick: ask for the counts of bypassed
 * flows not asked about for SF_COUNTER_SYNC_MS. */
void sf_counter_tick(void *ctx, uint64_t now_ms);

/** sf_counter_flowq() - sf_app_ops.flowq: the counts query queue with
 * offload, else NULL. */
struct sf_flowq *sf_counter_flowq(void *ctx);

/** sf_counter_answer() - sf_flowq_answer_fn: add what the SFF counted to
 * both directions of the flow. */
void sf_counter_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
		       const struct sf_counts_answer *a);

/** sf_counter_stats_json() - the "flows" member with the top flows. */
void sf_counter_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_counter_free() - release everything; @ctx becomes zeroed. */
void sf_counter_free(void *ctx);

#endif /* SF_COUNTER_H */
