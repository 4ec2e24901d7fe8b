// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get paths : the service function paths as programmed in sfc_paths,
 * forward (SPI) and reverse (SPI + 1), each SF hop with its group's
 * instances and their state.
 */
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

/* A hop is up when it is not down as a whole and has a live instance. */
static const char *hop_state(const struct hop_info *h)
{
	if (h->kind != SFC_HOP_SF)
		return "-";
	return (h->flags & SFC_HOP_F_DOWN) || !h->n_live ? "down" : "up";
}

static cJSON *members_json(const struct hop_info *h, const struct sfc_plan *p,
			   struct sfc_dp *dp)
{
	cJSON *a = cJSON_CreateArray(), *o;
	const struct sfc_group_member *m;
	char pod[320];
	uint32_t i;

	for (i = 0; i < h->grp.n_members && i < SFC_GROUP_MAX_MEMBERS; i++) {
		m = &h->grp.m[i];
		sfcctl_pod_of(p, m->vpid, pod, sizeof(pod));
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "vpid", m->vpid);
		cJSON_AddStringToObject(o, "pod", pod);
		cJSON_AddBoolToObject(o, "aware", !(m->flags & SFC_MEMBER_F_UNAWARE));
		cJSON_AddStringToObject(o, "state",
					sfcctl_sf_down(dp, m->vpid) ? "down" : "up");
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *hop_json(const struct hop_info *h, const struct sfc_plan *p,
		       struct sfc_dp *dp)
{
	cJSON *o = hop_info_json(h);

	cJSON_AddItemToObject(o, "instances", members_json(h, p, dp));
	cJSON_AddStringToObject(o, "state", hop_state(h));
	cJSON_AddNumberToObject(o, "flags", h->flags);
	cJSON_AddStringToObject(o, "policy", sfc_fail_policy_name(h->policy));
	return o;
}

/* "c1:5:up,c2:6:down" (pod name:VPID:state, "~" marks SFC-unaware). */
static void members_text(const struct hop_info *h, const struct sfc_plan *p,
			 struct sfc_dp *dp, char *buf, size_t len)
{
	const struct sfc_ep_record *r;
	const struct sfc_group_member *m;
	char one[320];
	uint32_t i;

	snprintf(buf, len, "-");
	for (i = 0; i < h->grp.n_members && i < SFC_GROUP_MAX_MEMBERS; i++) {
		m = &h->grp.m[i];
		r = sfc_plan_endpoint(p, m->vpid);
		snprintf(one, sizeof(one), "%s%s%s:%u:%s", i ? "," : "",
			 (m->flags & SFC_MEMBER_F_UNAWARE) ? "~" : "",
			 r ? r->pod_name : "?", m->vpid,
			 sfcctl_sf_down(dp, m->vpid) ? "down" : "up");
		if (!i)
			buf[0] = '\0';
		strncat(buf, one, len - strlen(buf) - 1);
	}
}

static void hop_row(struct table *t, const struct hop_info *h,
		    const struct sfc_plan *p, struct sfc_dp *dp)
{
	char spi[16], si[8], grp[16] = "-", mem[1024] = "-";

	snprintf(spi, sizeof(spi), "%u", h->spi);
	snprintf(si, sizeof(si), "%u", h->si);
	if (h->kind == SFC_HOP_SF) {
		snprintf(grp, sizeof(grp), "%u", h->group);
		members_text(h, p, dp, mem, sizeof(mem));
	}
	table_row(t, spi, si, h->chain[0] ? h->chain : "?", h->path,
		  hop_kind_name(h->kind), h->function[0] ? h->function : "-", grp,
		  mem, hop_state(h), sfc_fail_policy_name(h->policy));
}

int cmd_get_paths(struct sfcctl *c)
{
	static const char *const hdr[] = { "SPI", "SI", "CHAIN", "PATH", "KIND",
		"FUNCTION", "GROUP", "INSTANCES(POD:VPID:STATE)", "STATE", "POLICY" };
	static const struct hop_view view = {
		"get paths", 10, hdr, hop_json, hop_row,
	};

	return hops_show(c, &view);
}
