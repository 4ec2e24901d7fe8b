// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get paths : the service function paths as programmed in sfc_paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

static const char *hop_state(const struct hop_info *h)
{
	if (h->kind != SFC_HOP_SF)
		return "-";
	return (h->flags & SFC_HOP_F_DOWN) ? "down" : "up";
}

static cJSON *hop_json(const struct hop_info *h)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "spi", h->spi);
	cJSON_AddNumberToObject(o, "si", h->si);
	cJSON_AddStringToObject(o, "chain", h->chain);
	cJSON_AddStringToObject(o, "direction", h->dir);
	cJSON_AddStringToObject(o, "kind", hop_kind_name(h->kind));
	cJSON_AddStringToObject(o, "function", h->function);
	cJSON_AddNumberToObject(o, "vpid", h->vpid);
	cJSON_AddStringToObject(o, "pod", h->pod);
	cJSON_AddStringToObject(o, "state", hop_state(h));
	cJSON_AddNumberToObject(o, "flags", h->flags);
	cJSON_AddStringToObject(o, "policy", sfc_fail_policy_name(h->policy));
	return o;
}

static void hop_row(struct table *t, const struct hop_info *h)
{
	char spi[16], si[8], vpid[16] = "-";

	snprintf(spi, sizeof(spi), "%u", h->spi);
	snprintf(si, sizeof(si), "%u", h->si);
	if (h->kind == SFC_HOP_SF)
		snprintf(vpid, sizeof(vpid), "%u", h->vpid);
	table_row(t, spi, si, h->chain[0] ? h->chain : "?", h->dir,
		  hop_kind_name(h->kind), h->function[0] ? h->function : "-", vpid,
		  h->pod[0] ? h->pod : "-", hop_state(h),
		  sfc_fail_policy_name(h->policy));
}

int cmd_get_paths(struct sfcctl *c)
{
	static const char *const hdr[] = { "SPI", "SI", "CHAIN", "DIR", "KIND",
		"FUNCTION", "VPID", "POD", "STATE", "POLICY" };
	char err[4096] = "";
	struct hop_info *hops = NULL;
	struct sfc_dp dp;
	struct sfc_plan p;
	struct table *t;
	cJSON *arr;
	int n = 0, i, rc;

	if (sfcctl_open_dp(c, &dp, "get paths"))
		return 1;
	sfc_plan_build(c->conf_dir, c->state_dir, &p, err, sizeof(err));
	rc = hops_load(&dp, &p, &hops, &n);
	sfc_plan_free(&p);
	sfc_dp_close(&dp);
	if (rc)
		return sfcctl_fail("get paths: reading sfc_paths: %s", strerror(-rc));
	if (c->json) {
		arr = cJSON_CreateArray();
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, hop_json(&hops[i]));
		free(hops);
		return sfcctl_print_json(arr);
	}
	t = table_new(10, hdr);
	for (i = 0; i < n; i++)
		hop_row(t, &hops[i]);
	table_print(t);
	free(hops);
	return 0;
}
