// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hop_info.c - sfc_paths entries joined with chain names and their SF
 * group's members, shared by `get paths` and `get counters`.
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
	h->dir = (h->spi & 1) ? "ingress" : "egress";
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

int hops_load(struct sfc_dp *dp, const struct sfc_plan *p,
	      struct hop_info **out, int *n)
{
	struct hop_info *v = NULL, *nv;
	uint32_t key, *prev = NULL;
	struct sfc_hop hop;
	int cnt = 0, cap = 0;
	uint32_t i;

	while (!bpf_map_get_next_key(dp->paths_fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(dp->paths_fd, &key, &hop))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].spi = SFC_SP_SPI(key);
		v[cnt].si = SFC_SP_SI(key);
		v[cnt].kind = hop.kind;
		v[cnt].flags = hop.flags;
		v[cnt].policy = hop.policy;
		v[cnt].group = hop.group;
		if (hop.kind == SFC_HOP_SF && hop.group < SFC_MAX_GROUPS &&
		    !bpf_map_lookup_elem(dp->groups_fd, &hop.group, &v[cnt].grp)) {
			for (i = 0; i < v[cnt].grp.n_members &&
				    i < SFC_GROUP_MAX_MEMBERS; i++)
				v[cnt].n_live += !sfcctl_sf_down(dp, v[cnt].grp.m[i].vpid);
		}
		hop_names(p, &v[cnt]);
		cnt++;
	}
	if (cnt)
		qsort(v, (size_t)cnt, sizeof(*v), cmp_hop);
	*out = v;
	*n = cnt;
	return 0;
}

cJSON *hop_info_json(const struct hop_info *h)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "spi", h->spi);
	cJSON_AddNumberToObject(o, "si", h->si);
	cJSON_AddStringToObject(o, "chain", h->chain);
	cJSON_AddStringToObject(o, "path", h->path);
	cJSON_AddStringToObject(o, "direction", h->dir);
	cJSON_AddStringToObject(o, "kind", hop_kind_name(h->kind));
	cJSON_AddStringToObject(o, "function", h->function);
	cJSON_AddNumberToObject(o, "group", h->kind == SFC_HOP_SF ? h->group : 0);
	return o;
}
