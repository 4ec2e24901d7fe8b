// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get drops : dataplane drop-reason counters (sfc_drops, summed).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

int cmd_get_drops(struct sfcctl *c)
{
	static const char *const hdr[] = { "REASON", "INDEX", "PACKETS" };
	uint64_t v[SFC_DROP_REASON_MAX] = { 0 };
	char idx[8], cnt[24];
	const char *name;
	struct sfc_dp dp;
	struct table *t = NULL;
	cJSON *arr = NULL, *o;
	int i, rc;

	if (sfcctl_open_dp(c, &dp, "get drops"))
		return 1;
	rc = sfc_dp_drops_sum(&dp, v);
	sfc_dp_close(&dp);
	if (rc)
		return sfcctl_fail("get drops: reading sfc_drops: %s", strerror(-rc));
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(3, hdr);
	for (i = 1; i < SFC_DROP_REASON_MAX; i++) {
		name = sfc_dp_drop_reason_name(i);
		if (!name)
			name = "?";
		if (arr) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "reason", name);
			cJSON_AddNumberToObject(o, "index", i);
			cJSON_AddNumberToObject(o, "packets", (double)v[i]);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		snprintf(idx, sizeof(idx), "%d", i);
		snprintf(cnt, sizeof(cnt), "%" PRIu64, v[i]);
		table_row(t, name, idx, cnt);
	}
	return sfcctl_print(arr, t);
}
