// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get pods : every Pod object (standalone: one file of pods.d each;
 * cluster mode: the pods of sfc-agent's snapshot), with its sfc.io
 * annotations, its endpoints on this node, and whether it can be used: a
 * broken object is listed with its reason (its pod's sfc-cni ADD fails,
 * its policy is left as it is, its SF instance serves no flows). A chain
 * no object defines is shown "NAME (missing)" (cluster mode drops the
 * pod's traffic as no-chain, standalone leaves it unchained).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfcctl.h"

#define POD_VPIDS_MAX 16 /* endpoints (interfaces) of one pod listed */

/* "ns/name", or "-" for an object too broken to name its pod. */
static void pod_id(const struct sfc_pod *p, char *buf, size_t len)
{
	if (p->name[0])
		snprintf(buf, len, "%s/%s", p->ns[0] ? p->ns : "default", p->name);
	else
		snprintf(buf, len, "-");
}

/* "10.0.0.0/8" of allowed source @k. */
static void src_text(const struct sfc_src_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(k->family == 6 ? AF_INET6 : AF_INET, k->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, k->prefixlen - SFC_SRC_KEY_BITS);
}

/* VPIDs of @p's endpoints in plan @pl into @vpids (at most @max). */
static int pod_vpids(const struct sfc_plan *pl, const struct sfc_pod *p,
		     uint32_t *vpids, int max)
{
	int i, n = 0;

	for (i = 0; i < pl->n_eps && n < max && p->name[0]; i++)
		if (!strcmp(pl->eps[i].pod_namespace, p->ns) &&
		    !strcmp(pl->eps[i].pod_name, p->name))
			vpids[n++] = pl->eps[i].vpid;
	return n;
}

static cJSON *pod_json(const struct sfc_plan *pl, const struct sfc_pod *p)
{
	cJSON *o = cJSON_CreateObject(), *a;
	uint32_t vpids[POD_VPIDS_MAX];
	char src[64];
	int i, n;

	cJSON_AddStringToObject(o, "namespace", p->name[0] ? p->ns : "");
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "file", p->file);
	cJSON_AddStringToObject(o, "chain", p->info.chain);
	cJSON_AddBoolToObject(o, "chainMissing", sfcctl_chain_missing(pl, p));
	cJSON_AddStringToObject(o, "function", p->info.function);
	cJSON_AddBoolToObject(o, "aware", !p->info.unaware);
	a = cJSON_AddArrayToObject(o, "allowedSources");
	for (i = 0; i < p->info.n_allowed_src; i++) {
		src_text(&p->info.allowed_src[i], src, sizeof(src));
		cJSON_AddItemToArray(a, cJSON_CreateString(src));
	}
	a = cJSON_AddArrayToObject(o, "vpids");
	n = pod_vpids(pl, p, vpids, POD_VPIDS_MAX);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(vpids[i]));
	cJSON_AddStringToObject(o, "status", p->status ? "error" : "ok");
	cJSON_AddStringToObject(o, "error", p->status ? p->error : "");
	return o;
}

static void pod_row(struct table *t, const struct sfc_plan *pl,
		    const struct sfc_pod *p)
{
	uint32_t vpids[POD_VPIDS_MAX];
	char id[320], eps[128] = "", one[16], chain[SFC_NAME_MAX + 16] = "-";
	int i, n;

	pod_id(p, id, sizeof(id));
	n = pod_vpids(pl, p, vpids, POD_VPIDS_MAX);
	for (i = 0; i < n; i++) {
		snprintf(one, sizeof(one), "%s%u", i ? "," : "", vpids[i]);
		strncat(eps, one, sizeof(eps) - strlen(eps) - 1);
	}
	if (p->info.chain[0])
		snprintf(chain, sizeof(chain), "%s%s", p->info.chain,
			 sfcctl_chain_missing(pl, p) ? " (missing)" : "");
	table_row(t, id, p->file, chain,
		  p->info.function[0] ? p->info.function : "-",
		  p->info.function[0] ? (p->info.unaware ? "no" : "yes") : "-",
		  eps[0] ? eps : "-", p->status ? "error" : "ok",
		  p->status ? p->error : "");
}

int cmd_get_pods(struct sfcctl *c)
{
	static const char *const hdr[] = { "POD", "FILE", "CHAIN", "FUNCTION",
		"AWARE", "VPIDS", "STATUS", "ERROR" };
	char err[4096] = "";
	struct sfcctl_src src;
	struct sfc_plan p;
	struct table *t = NULL;
	cJSON *arr = NULL;
	int i, rc;

	rc = sfcctl_plan_load(c, &p, &src, err, sizeof(err));
	if (!rc && !c->json)
		sfcctl_src_note(&src);
	sfcctl_src_free(&src);
	if (rc) {
		sfc_plan_free(&p);
		return sfcctl_fail("get pods: %s", err[0] ? err : strerror(-rc));
	}
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(8, hdr);
	for (i = 0; i < p.n_pods; i++) {
		if (arr)
			cJSON_AddItemToArray(arr, pod_json(&p, &p.pods[i]));
		else
			pod_row(t, &p, &p.pods[i]);
	}
	sfc_plan_free(&p);
	return sfcctl_print(arr, t);
}
