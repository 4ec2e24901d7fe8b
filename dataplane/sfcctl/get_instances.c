// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get instances : every SF instance (SF endpoint) with its SF type,
 * group, SFC awareness, up/down state as the agent judged it, last OAM
 * echo, and its own traffic (sfc_sf_stats, summed over CPUs).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

/* sfc_sf_stats[@vpid] summed over CPUs. Return: 0 or -errno. */
static int sf_stats_sum(struct sfc_dp *dp, uint32_t vpid,
			struct sfc_sf_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct sfc_sf_stats *v;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(dp->sf_stats_fd, &vpid, v)) {
		i = -errno;
		free(v);
		return i;
	}
	for (i = 0; i < ncpu; i++) {
		out->to_sf_packets += v[i].to_sf_packets;
		out->to_sf_bytes += v[i].to_sf_bytes;
		out->from_sf_packets += v[i].from_sf_packets;
		out->from_sf_bytes += v[i].from_sf_bytes;
		out->flows_pinned += v[i].flows_pinned;
		out->flows_moved_away += v[i].flows_moved_away;
	}
	free(v);
	return 0;
}

/* The group of SF type @fn in @p and whether @vpid is an unaware member. */
static uint32_t inst_group(const struct sfc_plan *p, const char *fn,
			   uint32_t vpid, bool *aware)
{
	const struct sfc_group_entry *g = sfc_group_find(p->groups, p->n_groups, fn);
	uint32_t i;

	*aware = true;
	if (!g)
		return 0;
	for (i = 0; i < g->grp.n_members && i < SFC_GROUP_MAX_MEMBERS; i++)
		if (g->grp.m[i].vpid == vpid)
			*aware = !(g->grp.m[i].flags & SFC_MEMBER_F_UNAWARE);
	return g->id;
}

/* ms since the last OAM echo, -1 if none. */
static long long echo_age_ms(struct sfc_dp *dp, uint32_t vpid)
{
	uint64_t last = 0, now = sfc_dp_now_ns();

	if (bpf_map_lookup_elem(dp->sf_health_fd, &vpid, &last) || !last)
		return -1;
	return now >= last ? (long long)((now - last) / 1000000ull) : 0;
}

struct inst {
	const struct sfc_ep_record *r;
	uint32_t group;
	bool aware, down;
	long long echo_ms;
	struct sfc_sf_stats s;
};

static cJSON *inst_json(const struct inst *x)
{
	cJSON *o = cJSON_CreateObject();
	char pod[320];

	snprintf(pod, sizeof(pod), "%s/%s", x->r->pod_namespace, x->r->pod_name);
	cJSON_AddStringToObject(o, "function", x->r->function);
	cJSON_AddNumberToObject(o, "group", x->group);
	cJSON_AddStringToObject(o, "pod", pod);
	cJSON_AddNumberToObject(o, "vpid", x->r->vpid);
	cJSON_AddStringToObject(o, "hostIfname", x->r->host_ifname);
	cJSON_AddBoolToObject(o, "aware", x->aware);
	cJSON_AddStringToObject(o, "state", x->down ? "down" : "up");
	cJSON_AddNumberToObject(o, "lastEchoMs", (double)x->echo_ms);
	cJSON_AddNumberToObject(o, "toSfPackets", (double)x->s.to_sf_packets);
	cJSON_AddNumberToObject(o, "toSfBytes", (double)x->s.to_sf_bytes);
	cJSON_AddNumberToObject(o, "fromSfPackets", (double)x->s.from_sf_packets);
	cJSON_AddNumberToObject(o, "fromSfBytes", (double)x->s.from_sf_bytes);
	cJSON_AddNumberToObject(o, "flowsPinned", (double)x->s.flows_pinned);
	cJSON_AddNumberToObject(o, "flowsMovedAway", (double)x->s.flows_moved_away);
	return o;
}

static void inst_row(struct table *t, const struct inst *x)
{
	char v[10][24], pod[320];

	snprintf(pod, sizeof(pod), "%s/%s", x->r->pod_namespace, x->r->pod_name);
	snprintf(v[0], sizeof(v[0]), "%u", x->group);
	snprintf(v[1], sizeof(v[1]), "%u", x->r->vpid);
	if (!x->aware)
		snprintf(v[2], sizeof(v[2]), "link");
	else if (x->echo_ms < 0)
		snprintf(v[2], sizeof(v[2]), "-");
	else
		snprintf(v[2], sizeof(v[2]), "%lldms", x->echo_ms);
	snprintf(v[3], sizeof(v[3]), "%" PRIu64, (uint64_t)x->s.to_sf_packets);
	snprintf(v[4], sizeof(v[4]), "%" PRIu64, (uint64_t)x->s.to_sf_bytes);
	snprintf(v[5], sizeof(v[5]), "%" PRIu64, (uint64_t)x->s.from_sf_packets);
	snprintf(v[6], sizeof(v[6]), "%" PRIu64, (uint64_t)x->s.from_sf_bytes);
	snprintf(v[7], sizeof(v[7]), "%" PRIu64, (uint64_t)x->s.flows_pinned);
	snprintf(v[8], sizeof(v[8]), "%" PRIu64, (uint64_t)x->s.flows_moved_away);
	table_row(t, x->r->function, v[0], pod, v[1], x->aware ? "yes" : "no",
		  x->down ? "down" : "up", v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
}

int cmd_get_instances(struct sfcctl *c)
{
	static const char *const hdr[] = { "FUNCTION", "GROUP", "POD", "VPID",
		"AWARE", "STATE", "ECHO", "TO-SF-PKTS", "TO-SF-BYTES",
		"FROM-SF-PKTS", "FROM-SF-BYTES", "FLOWS-PINNED", "FLOWS-MOVED" };
	char err[4096] = "";
	struct sfc_dp dp;
	struct sfc_plan p;
	struct sfcctl_src src;
	struct table *t = NULL;
	cJSON *arr = NULL;
	struct inst x;
	int i;

	if (sfcctl_open_dp(c, &dp, "get instances"))
		return 1;
	if (sfcctl_plan_load(c, &p, &src, err, sizeof(err))) {
		sfc_plan_free(&p);
		sfc_dp_close(&dp);
		return sfcctl_fail("get instances: %s",
				   err[0] ? err : "reading the endpoint records");
	}
	sfcctl_src_free(&src);
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(13, hdr);
	for (i = 0; i < p.n_eps; i++) {
		if (p.eps[i].role != SFC_ROLE_SF || !p.eps[i].vpid ||
		    p.eps[i].vpid >= SFC_MAX_ENDPOINTS)
			continue;
		memset(&x, 0, sizeof(x));
		x.r = &p.eps[i];
		x.group = inst_group(&p, x.r->function, x.r->vpid, &x.aware);
		x.down = sfcctl_sf_down(&dp, x.r->vpid);
		x.echo_ms = echo_age_ms(&dp, x.r->vpid);
		sf_stats_sum(&dp, x.r->vpid, &x.s);
		if (arr)
			cJSON_AddItemToArray(arr, inst_json(&x));
		else
			inst_row(t, &x);
	}
	sfc_plan_free(&p);
	sfc_dp_close(&dp);
	return sfcctl_print(arr, t);
}
