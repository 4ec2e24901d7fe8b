// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get counters : per-hop traffic (sfc_hop_stats, summed over CPUs),
 * forward and reverse SFPs. Per-instance traffic: `sfcctl get instances`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

static cJSON *ctr_json(const struct hop_info *h, const struct sfc_hop_stats *s)
{
	cJSON *o = hop_info_json(h);

	cJSON_AddNumberToObject(o, "toSfPackets", (double)s->to_sf_packets);
	cJSON_AddNumberToObject(o, "toSfBytes", (double)s->to_sf_bytes);
	cJSON_AddNumberToObject(o, "fromSfPackets", (double)s->from_sf_packets);
	cJSON_AddNumberToObject(o, "fromSfBytes", (double)s->from_sf_bytes);
	cJSON_AddNumberToObject(o, "skippedPackets", (double)s->skipped_packets);
	cJSON_AddNumberToObject(o, "droppedPackets", (double)s->dropped_packets);
	return o;
}

static void ctr_row(struct table *t, const struct hop_info *h,
		    const struct sfc_hop_stats *s)
{
	char v[8][24];
	const char *fn = h->kind == SFC_HOP_SF ? (h->function[0] ? h->function : "?")
					       : "(end)";

	snprintf(v[0], sizeof(v[0]), "%u", h->spi);
	snprintf(v[1], sizeof(v[1]), "%u", h->si);
	snprintf(v[2], sizeof(v[2]), "%" PRIu64, (uint64_t)s->to_sf_packets);
	snprintf(v[3], sizeof(v[3]), "%" PRIu64, (uint64_t)s->to_sf_bytes);
	snprintf(v[4], sizeof(v[4]), "%" PRIu64, (uint64_t)s->from_sf_packets);
	snprintf(v[5], sizeof(v[5]), "%" PRIu64, (uint64_t)s->from_sf_bytes);
	snprintf(v[6], sizeof(v[6]), "%" PRIu64, (uint64_t)s->skipped_packets);
	snprintf(v[7], sizeof(v[7]), "%" PRIu64, (uint64_t)s->dropped_packets);
	table_row(t, v[0], v[1], h->chain[0] ? h->chain : "?", h->path, fn,
		  v[2], v[3], v[4], v[5], v[6], v[7]);
}

int cmd_get_counters(struct sfcctl *c)
{
	static const char *const hdr[] = { "SPI", "SI", "CHAIN", "PATH", "SF",
		"TO-SF-PKTS", "TO-SF-BYTES", "FROM-SF-PKTS", "FROM-SF-BYTES",
		"SKIPPED", "DROPPED" };
	char err[4096] = "";
	struct hop_info *hops = NULL;
	struct sfc_hop_stats s;
	struct sfc_dp dp;
	struct sfc_plan p;
	struct table *t = NULL;
	cJSON *arr = NULL;
	int n = 0, i, rc;

	if (sfcctl_open_dp(c, &dp, "get counters"))
		return 1;
	sfc_plan_build(c->conf_dir, c->state_dir, &p, err, sizeof(err));
	rc = hops_load(&dp, &p, &hops, &n);
	sfc_plan_free(&p);
	if (rc) {
		sfc_dp_close(&dp);
		return sfcctl_fail("get counters: reading sfc_paths: %s", strerror(-rc));
	}
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(11, hdr);
	for (i = 0; i < n; i++) {
		rc = sfc_dp_hop_stats_sum(&dp, SFC_SP(hops[i].spi, hops[i].si), &s);
		if (rc)
			memset(&s, 0, sizeof(s));
		if (arr)
			cJSON_AddItemToArray(arr, ctr_json(&hops[i], &s));
		else
			ctr_row(t, &hops[i], &s);
	}
	sfc_dp_close(&dp);
	free(hops);
	if (arr)
		return sfcctl_print_json(arr);
	table_print(t);
	return 0;
}
