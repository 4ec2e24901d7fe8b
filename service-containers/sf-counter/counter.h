/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * counter.h - sf-counter: packets and bytes per flow (directed inner
 * 5-tuple, flowtab.h) and in total; every packet passes. The top flows
 * by bytes appear in the stats file.
 *
 * Config (optional): {"max_flows": 65536 (1..SF_FLOWTAB_MAX_CAP),
 *                     "top": 10 (0..1000)}
 */
#ifndef SF_COUNTER_H
#define SF_COUNTER_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "flowtab.h"
#include "frame.h"
#include "sfc_jbuf.h"

#define SF_COUNTER_MAX_FLOWS_DEFAULT 65536
#define SF_COUNTER_TOP_DEFAULT 10
#define SF_COUNTER_TOP_MAX 1000

struct sf_counter {
	struct sf_flowtab ft;
	const struct sf_flow **top; /* scratch for the stats, top_n entries */
	unsigned int top_n;
	uint64_t start_ms;          /* sf_now_ms() at configure */
};

/**
 * sf_counter_configure() - sf_app_ops.configure of the struct sf_counter
 * @ctx: @cfg may be NULL (no --config: the defaults).
 * Return: 0; -EINVAL with "PATH: field: message" in @err; -ENOMEM.
 */
int sf_counter_configure(void *ctx, const cJSON *cfg, const char *path,
			 char *err, size_t errlen);

/** sf_counter_on_packet() - sf_pkt_fn: count @pkt's inner IP bytes
 * against its flow, at ms since configure. Always passes. */
enum sf_verdict sf_counter_on_packet(void *ctx, const struct sf_pkt *pkt);

/** sf_counter_stats_json() - the "flows" member with the top flows. */
void sf_counter_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_counter_free() - release everything; @ctx becomes zeroed. */
void sf_counter_free(void *ctx);

#endif /* SF_COUNTER_H */
