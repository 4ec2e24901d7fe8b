// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get counters : per-hop traffic (sfc_hop_stats, summed over CPUs),
 * forward and reverse SFPs. Per-instance traffic: `sfcctl get instances`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

/* The hop's counters summed over CPUs; zero when it has none (yet). */
static void ctr_read(struct sfc_dp *dp, const struct hop_info *h,
		     struct sfc_hop_stats *s)
{
	if (sfc_dp_hop_stats_sum(dp, SFC_SP(h->spi, h->si), s))
		memset(s, 0, sizeof(*s));
}

static cJSON *ctr_json(const struct hop_info *h, const struct sfc_plan *p,
		       struct sfc_dp *dp)
{
	cJSON *o = hop_info_json(h);
	struct sfc_hop_stats s;

	ctr_read(dp, h, &s);
	cJSON_AddNumberToObject(o, "toSfPackets", (double)s.to_sf_packets);
	cJSON_AddNumberToObject(o, "toSfBytes", (double)s.to_sf_bytes);
	cJSON_AddNumberToObject(o, "fromSfPackets", (double)s.from_sf_packets);
	cJSON_AddNumberToObject(o, "fromSfBytes", (double)s.from_sf_bytes);
	cJSON_AddNumberToObject(o, "skippedPackets", (double)s.skipped_packets);
	cJSON_AddNumberToObject(o, "droppedPackets", (double)s.dropped_packets);
	return o;
}

static void ctr_row(struct table *t, const struct hop_info *h,
		    const struct sfc_plan *p, struct sfc_dp *dp)
{
	char v[8][24];
	const char *fn = h->kind == SFC_HOP_SF ? (h->function[0] ? h->function : "?")
					       : "(end)";
	struct sfc_hop_stats s;

	ctr_read(dp, h, &s);
	snprintf(v[0], sizeof(v[0]), "%u", h->spi);
	snprintf(v[1], sizeof(v[1]), "%u", h->si);
	snprintf(v[2], sizeof(v[2]), "%" PRIu64, (uint64_t)s.to_sf_packets);
	snprintf(v[3], sizeof(v[3]), "%" PRIu64, (uint64_t)s.to_sf_bytes);
	snprintf(v[4], sizeof(v[4]), "%" PRIu64, (uint64_t)s.from_sf_packets);
	snprintf(v[5], sizeof(v[5]), "%" PRIu64, (uint64_t)s.from_sf_bytes);
	snprintf(v[6], sizeof(v[6]), "%" PRIu64, (uint64_t)s.skipped_packets);
	snprintf(v[7], sizeof(v[7]), "%" PRIu64, (uint64_t)s.dropped_packets);
	table_row(t, v[0], v[1], h->chain[0] ? h->chain : "?", h->path, fn,
		  v[2], v[3], v[4], v[5], v[6], v[7]);
}

int cmd_get_counters(struct sfcctl *c)
{
	static const char *const hdr[] = { "SPI", "SI", "CHAIN", "PATH", "SF",
		"TO-SF-PKTS", "TO-SF-BYTES", "FROM-SF-PKTS", "FROM-SF-BYTES",
		"SKIPPED", "DROPPED" };
	static const struct hop_view view = {
		"get counters", 11, hdr, ctr_json, ctr_row,
	};

	return hops_show(c, &view);
}
