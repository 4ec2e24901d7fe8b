// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hop_info.c - sfc_paths entries joined with chain names and their SF
 * group's members, and the command that lists them: shared by `get paths`
 * and `get counters`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

const char *hop_kind_name(uint8_t kind)
{
	return kind == SFC_HOP_SF ? "sf" : kind == SFC_HOP_END ? "end" : "?";
}

int sfcctl_open_dp(struct sfcctl *c, struct sfc_dp *dp, const char *cmd)
{
	int rc = sfc_dp_open(c->pin_dir, dp);

	if (rc == -ENOENT)
		return sfcctl_fail("%s: dataplane not initialised under %s",
				   cmd, c->pin_dir);
	if (rc)
		return sfcctl_fail("%s: opening maps under %s: %s", cmd,
				   c->pin_dir, strerror(-rc));
	return 0;
}

void sfcctl_pod_of(const struct sfc_plan *p, uint32_t vpid, char *buf,
		   size_t len)
{
	const struct sfc_ep_record *r = vpid ? sfc_plan_endpoint(p, vpid) : NULL;

	if (r)
		snprintf(buf, len, "%s/%s", r->pod_namespace, r->pod_name);
	else if (len)
		buf[0] = '\0';
}

bool sfcctl_sf_down(struct sfc_dp *dp, uint32_t vpid)
{
	uint32_t st = 0;

	if (vpid >= SFC_MAX_ENDPOINTS ||
	    bpf_map_lookup_elem(dp->sf_state_fd, &vpid, &st))
		return false;
	return st & SFC_SF_F_DOWN;
}

static void hop_names(const struct sfc_plan *p, struct hop_info *h)
{
	const struct sfc_chain_entry *ce = sfc_plan_chain_by_spi(p, h->spi);
	const struct sfc_group_entry *g;
	uint32_t idx = SFC_NSH_SI_START - h->si, n;

	h->path = (h->spi & 1) ? "reverse" : "forward";
	if (ce) {
		snprintf(h->chain, sizeof(h->chain), "%s", ce->chain.name);
		n = (uint32_t)ce->chain.n_sfs;
		if (h->kind == SFC_HOP_SF && idx < n)
			snprintf(h->function, sizeof(h->function), "%s",
				 ce->chain.sfs[(h->spi & 1) ? n - 1 - idx : idx]);
	}
	g = h->kind == SFC_HOP_SF ? sfc_group_by_id(p->groups, p->n_groups, h->group)
				  : NULL;
	if (g && !h->function[0])
		snprintf(h->function, sizeof(h->function), "%s", g->function);
}

static int cmp_hop(const void *a, const void *b)
{
	const struct hop_info *x = a, *y = b;

	if (x->spi != y->spi)
		return x->spi < y->spi ? -1 : 1;
	return (x->si < y->si) - (x->si > y->si);
}

/* What hop_fill() joins an sfc_paths entry with. */
struct hops_ctx {
	struct sfc_dp *dp;
	const struct sfc_plan *p;
};

static void hop_fill(void *row, const void *key, const void *val, void *ctx)
{
	const struct hops_ctx *c = ctx;
	const struct sfc_hop *hop = val;
	uint32_t sp = *(const uint32_t *)key, i;
	struct hop_info *h = row;

	h->spi = SFC_SP_SPI(sp);
	h->si = SFC_SP_SI(sp);
	h->kind = hop->kind;
	h->flags = hop->flags;
	h->policy = hop->policy;
	h->group = hop->group;
	if (hop->kind == SFC_HOP_SF && hop->group < SFC_MAX_GROUPS &&
	    !bpf_map_lookup_elem(c->dp->groups_fd, &hop->group, &h->grp)) {
		for (i = 0; i < h->grp.n_members && i < SFC_GROUP_MAX_MEMBERS; i++)
			h->n_live += !sfcctl_sf_down(c->dp, h->grp.m[i].vpid);
	}
	hop_names(c->p, h);
}

int hops_load(struct sfc_dp *dp, const struct sfc_plan *p,
	      struct hop_info **out, int *n)
{
	struct hops_ctx ctx = { dp, p };
	struct sfc_hop hop;
	uint32_t key;
	int rc;

	rc = sfcctl_map_rows(dp->paths_fd, &key, &hop, sizeof(**out), hop_fill,
			     &ctx, (void **)out, n);
	if (!rc && *n)
		qsort(*out, (size_t)*n, sizeof(**out), cmp_hop);
	return rc;
}

cJSON *hop_info_json(const struct hop_info *h)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "spi", h->spi);
	cJSON_AddNumberToObject(o, "si", h->si);
	cJSON_AddStringToObject(o, "chain", h->chain);
	cJSON_AddStringToObject(o, "path", h->path);
	cJSON_AddStringToObject(o, "kind", hop_kind_name(h->kind));
	cJSON_AddStringToObject(o, "function", h->function);
	cJSON_AddNumberToObject(o, "group", h->kind == SFC_HOP_SF ? h->group : 0);
	return o;
}

int hops_show(struct sfcctl *c, const struct hop_view *v)
{
	char err[4096] = "";
	struct hop_info *hops = NULL;
	struct sfc_dp dp;
	struct sfc_plan p;
	struct sfcctl_src src;
	struct table *t = NULL;
	cJSON *arr = NULL;
	int n = 0, i, rc;

	if (sfcctl_open_dp(c, &dp, v->cmd))
		return 1;
	/* Not checked: a plan with errors, or none, still names what it can,
	 * and the view shows the maps as they are. */
	sfcctl_plan_load(c, &p, &src, err, sizeof(err));
	if (!c->json)
		sfcctl_src_note(&src);
	sfcctl_src_free(&src);
	rc = hops_load(&dp, &p, &hops, &n);
	if (rc) {
		sfc_plan_free(&p);
		sfc_dp_close(&dp);
		return sfcctl_fail("%s: reading sfc_paths: %s", v->cmd,
				   strerror(-rc));
	}
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(v->ncols, v->hdr);
	for (i = 0; i < n; i++) {
		if (arr)
			cJSON_AddItemToArray(arr, v->json(&hops[i], &p, &dp));
		else
			v->row(t, &hops[i], &p, &dp);
	}
	sfc_plan_free(&p);
	sfc_dp_close(&dp);
	free(hops);
	return sfcctl_print(arr, t);
}
