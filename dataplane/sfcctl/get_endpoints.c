// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get endpoints : endpoint records joined with sfc_endpoints (the
 * MAC delivered to, qdisc marks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

struct ep_row {
	const struct sfc_ep_record *r;
	struct sfc_endpoint ep;
	bool in_map;
};

/* The MAC the dataplane delivers to (learned after a change), else the
 * record's ADD-time one. */
static const char *ep_mac(const struct ep_row *e, char buf[18])
{
	if (!e->in_map)
		return e->r->mac;
	sfcctl_fmt_mac(e->ep.mac, buf);
	return buf;
}

static cJSON *ep_json(const struct ep_row *e)
{
	const struct sfc_ep_record *r = e->r;
	cJSON *o = cJSON_CreateObject(), *ips;
	char pod[320], mac[18];
	int i;

	snprintf(pod, sizeof(pod), "%s/%s", r->pod_namespace, r->pod_name);
	cJSON_AddNumberToObject(o, "vpid", r->vpid);
	cJSON_AddStringToObject(o, "role", sfc_role_name(r->role));
	cJSON_AddStringToObject(o, "function", r->function);
	cJSON_AddStringToObject(o, "pod", pod);
	cJSON_AddStringToObject(o, "namespace", r->pod_namespace);
	cJSON_AddStringToObject(o, "name", r->pod_name);
	cJSON_AddStringToObject(o, "containerId", r->container_id);
	cJSON_AddStringToObject(o, "ifname", r->ifname);
	cJSON_AddStringToObject(o, "hostIfname", r->host_ifname);
	cJSON_AddNumberToObject(o, "ifindex", e->in_map ? e->ep.ifindex : 0);
	cJSON_AddStringToObject(o, "mac", ep_mac(e, mac));
	cJSON_AddStringToObject(o, "hostMac", r->host_mac);
	cJSON_AddBoolToObject(o, "shapedIn", e->in_map && (e->ep.flags & SFC_EP_F_SHAPED_IN));
	cJSON_AddBoolToObject(o, "shapedOut", e->in_map && (e->ep.flags & SFC_EP_F_SHAPED_OUT));
	ips = cJSON_AddArrayToObject(o, "ips");
	for (i = 0; i < r->n_ips; i++)
		cJSON_AddItemToArray(ips, cJSON_CreateString(r->ips[i]));
	cJSON_AddBoolToObject(o, "inMaps", e->in_map);
	return o;
}

static void ep_table_row(struct table *t, const struct ep_row *e)
{
	const struct sfc_ep_record *r = e->r;
	char vpid[16], ifx[16] = "-", pod[320], ips[300] = "", mac[18];
	int i;

	snprintf(vpid, sizeof(vpid), "%u", r->vpid);
	if (e->in_map)
		snprintf(ifx, sizeof(ifx), "%u", e->ep.ifindex);
	snprintf(pod, sizeof(pod), "%s/%s", r->pod_namespace, r->pod_name);
	for (i = 0; i < r->n_ips; i++) {
		if (i)
			strncat(ips, ",", sizeof(ips) - strlen(ips) - 1);
		strncat(ips, r->ips[i], sizeof(ips) - strlen(ips) - 1);
	}
	table_row(t, vpid, sfc_role_name(r->role), r->function[0] ? r->function : "-",
		  pod, r->host_ifname, ifx, ep_mac(e, mac), ips[0] ? ips : "-",
		  e->in_map ? "yes" : "NO");
}

static int cmp_vpid(const void *a, const void *b)
{
	const struct sfc_ep_record *x = a, *y = b;

	return (x->vpid > y->vpid) - (x->vpid < y->vpid);
}

int cmd_get_endpoints(struct sfcctl *c)
{
	static const char *const hdr[] = { "VPID", "ROLE", "FUNCTION", "POD",
		"HOST-IF", "IFINDEX", "MAC", "IPS", "IN-MAPS" };
	struct sfc_ep_record *recs = NULL;
	struct sfc_dp dp = { 0 };
	struct ep_row row;
	struct table *t = NULL;
	cJSON *arr = NULL;
	bool have_dp;
	int n = 0, i, rc;

	rc = sfc_state_list(c->state_dir, &recs, &n);
	if (rc)
		return sfcctl_fail("get endpoints: %s/endpoints: %s", c->state_dir,
				   strerror(-rc));
	if (n)
		qsort(recs, (size_t)n, sizeof(*recs), cmp_vpid);
	have_dp = sfc_dp_open(c->pin_dir, &dp) == 0;
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(9, hdr);
	for (i = 0; i < n; i++) {
		memset(&row, 0, sizeof(row));
		row.r = &recs[i];
		row.in_map = have_dp &&
			     !bpf_map_lookup_elem(dp.endpoints_fd, &recs[i].vpid, &row.ep) &&
			     row.ep.role != SFC_ROLE_NONE;
		if (arr)
			cJSON_AddItemToArray(arr, ep_json(&row));
		else
			ep_table_row(t, &row);
	}
	if (have_dp)
		sfc_dp_close(&dp);
	free(recs);
	return sfcctl_print(arr, t);
}
