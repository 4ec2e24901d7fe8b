// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl flows [--file PATH] [-o json] : the flow records sf-monitor
 * writes (JSON lines, the contract dataplane/include/sfc_flowrec.h), read from PATH
 * and its rotations PATH.1 .. PATH.100, the latest record of each flow
 * kept, sorted by bytes. PATH: --file, $SFC_FLOWS_FILE, or the default.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sfc_env.h"
#include "sfc_flowrec.h"
#include "sfcctl.h"

#define FLOWS_FILE_DEFAULT "/var/log/sfc/flows.jsonl"

/* "2026-11-25T14:31:07.123Z" */
static void fmt_time(uint64_t ms, char *buf, size_t cap)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000));
}

static uint64_t duration(const struct sfc_flowrec *r)
{
	return r->last_ms > r->first_ms ? r->last_ms - r->first_ms : 0;
}

static cJSON *rec_json(const struct sfc_flowrec *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "proto", r->proto);
	cJSON_AddStringToObject(o, "src", r->src);
	cJSON_AddNumberToObject(o, "sport", r->sport);
	cJSON_AddStringToObject(o, "dst", r->dst);
	cJSON_AddNumberToObject(o, "dport", r->dport);
	cJSON_AddNumberToObject(o, "packets", (double)r->packets);
	cJSON_AddNumberToObject(o, "bytes", (double)r->bytes);
	cJSON_AddNumberToObject(o, "first_ms", (double)r->first_ms);
	cJSON_AddNumberToObject(o, "last_ms", (double)r->last_ms);
	cJSON_AddNumberToObject(o, "duration_ms", (double)duration(r));
	cJSON_AddStringToObject(o, "tcp_flags", r->tcp_flags);
	cJSON_AddStringToObject(o, "end", r->end);
	return o;
}

static void rec_row(struct table *t, const struct sfc_flowrec *r)
{
	char sp[8], dp[8], pk[24], by[24], first[64], last[64], dur[32];

	snprintf(sp, sizeof(sp), "%u", r->sport);
	snprintf(dp, sizeof(dp), "%u", r->dport);
	snprintf(pk, sizeof(pk), "%" PRIu64, r->packets);
	snprintf(by, sizeof(by), "%" PRIu64, r->bytes);
	fmt_time(r->first_ms, first, sizeof(first));
	fmt_time(r->last_ms, last, sizeof(last));
	snprintf(dur, sizeof(dur), "%" PRIu64 ".%03us", duration(r) / 1000,
		 (unsigned)(duration(r) % 1000));
	table_row(t, r->proto, r->src, sp, r->dst, dp, pk, by, first, last,
		  dur);
}

int cmd_flows(struct sfcctl *c)
{
	static const char *const hdr[] = { "PROTO", "SRC", "SPORT", "DST",
		"DPORT", "PACKETS", "BYTES", "FIRST", "LAST", "DURATION" };
	const char *path = c->file && c->file[0]
				   ? c->file
				   : sfc_env_or("SFC_FLOWS_FILE", FLOWS_FILE_DEFAULT);
	struct sfc_flowrec_set set;
	struct table *t;
	cJSON *arr;
	size_t i;
	int rc;

	if (c->argc)
		return sfcctl_fail("flows: unexpected argument '%s'", c->argv[0]);
	rc = sfc_flowrec_load(path, SFC_FLOWREC_MAX_ROTATED, &set);
	if (rc)
		return sfcctl_fail("flows: %s: %s", path, strerror(-rc));
	if (set.bad_lines)
		fprintf(stderr, "sfcctl: flows: %zu unreadable line(s) skipped\n",
			set.bad_lines);
	if (c->json) {
		arr = cJSON_CreateArray();
		for (i = 0; i < set.n; i++)
			cJSON_AddItemToArray(arr, rec_json(&set.r[i]));
		sfc_flowrec_free(&set);
		return sfcctl_print_json(arr);
	}
	t = table_new(10, hdr);
	for (i = 0; i < set.n; i++)
		rec_row(t, &set.r[i]);
	sfc_flowrec_free(&set);
	table_print(t);
	return 0;
}
