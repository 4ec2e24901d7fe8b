// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get endpoints : endpoint records joined with sfc_endpoints (the
 * MAC delivered to, qdisc marks), and the sfc_endpoints entries no record
 * accounts for (orphans, e.g. of an ADD killed between programming the
 * maps and writing its record; sfc-cni GC removes them). HOOK is the
 * record's hook mode: tcx (link pinned in links/) or tc (clsact filter).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

static int cmp_vpid(const void *a, const void *b)
{
	const struct sfcctl_ep_row *x = a, *y = b;

	return (x->vpid > y->vpid) - (x->vpid < y->vpid);
}

/* Addresses of orphan @row from sfc_ep_by_ip (the entries pointing at its
 * VPID), in the map's order; at most SFC_MAX_IPS. */
static void orphan_ips(int ep_by_ip_fd, struct sfcctl_ep_row *row)
{
	struct sfc_ip_key key, *prev = NULL;
	uint32_t vpid;

	while (row->n_ips < SFC_MAX_IPS &&
	       !bpf_map_get_next_key(ep_by_ip_fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(ep_by_ip_fd, &key, &vpid) ||
		    vpid != row->vpid)
			continue;
		inet_ntop(key.family == 6 ? AF_INET6 : AF_INET, key.addr,
			  row->ips[row->n_ips], sizeof(row->ips[0]));
		row->n_ips++;
	}
}

/* Append to *@v (*@cnt rows) one row per sfc_endpoints entry in use whose
 * VPID has no record (@has_rec). Return: 0 or -ENOMEM. */
static int add_orphans(int endpoints_fd, int ep_by_ip_fd,
		       const uint8_t *has_rec, struct sfcctl_ep_row **v,
		       int *cnt)
{
	struct sfcctl_ep_row *nv;
	struct sfc_endpoint ep;
	uint32_t vpid;

	/* VPID 0 is never allocated. */
	for (vpid = 1; vpid < SFC_MAX_ENDPOINTS; vpid++) {
		if (has_rec[vpid] || bpf_map_lookup_elem(endpoints_fd, &vpid, &ep) ||
		    ep.role == SFC_ROLE_NONE)
			continue;
		nv = realloc(*v, (size_t)(*cnt + 1) * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		nv = &nv[(*cnt)++];
		memset(nv, 0, sizeof(*nv));
		nv->vpid = vpid;
		nv->ep = ep;
		nv->in_map = true;
		if (ep_by_ip_fd >= 0)
			orphan_ips(ep_by_ip_fd, nv);
	}
	return 0;
}

int sfcctl_ep_rows(const struct sfc_ep_record *recs, int n_recs,
		   int endpoints_fd, int ep_by_ip_fd,
		   struct sfcctl_ep_row **out, int *n)
{
	struct sfcctl_ep_row *v = NULL;
	uint8_t *has_rec;
	int i, cnt = 0, rc = -ENOMEM;

	*out = NULL;
	*n = 0;
	has_rec = calloc(SFC_MAX_ENDPOINTS, 1);
	if (!has_rec || (n_recs > 0 && !(v = calloc((size_t)n_recs, sizeof(*v)))))
		goto out;
	for (i = 0; i < n_recs; i++, cnt++) {
		v[cnt].r = &recs[i];
		v[cnt].vpid = recs[i].vpid;
		if (recs[i].vpid < SFC_MAX_ENDPOINTS)
			has_rec[recs[i].vpid] = 1;
		v[cnt].in_map = endpoints_fd >= 0 &&
				!bpf_map_lookup_elem(endpoints_fd, &recs[i].vpid,
						     &v[cnt].ep) &&
				v[cnt].ep.role != SFC_ROLE_NONE;
	}
	rc = endpoints_fd >= 0 ? add_orphans(endpoints_fd, ep_by_ip_fd, has_rec,
					     &v, &cnt) : 0;
	if (rc)
		goto out;
	if (cnt)
		qsort(v, (size_t)cnt, sizeof(*v), cmp_vpid);
	*out = cnt ? v : NULL;
	*n = cnt;
	v = cnt ? NULL : v;
out:
	free(v);
	free(has_rec);
	return rc;
}

/* The MAC the dataplane delivers to (learned after a change), else the
 * record's ADD-time one. */
static const char *ep_mac(const struct sfcctl_ep_row *e, char buf[18])
{
	if (!e->in_map)
		return e->r->mac;
	sfcctl_fmt_mac(e->ep.mac, buf);
	return buf;
}

/* The host veth of an orphan, from its ifindex ("" when gone). */
static const char *orphan_ifname(const struct sfcctl_ep_row *e,
				 char buf[IF_NAMESIZE])
{
	if (!e->ep.ifindex || !if_indextoname(e->ep.ifindex, buf))
		buf[0] = '\0';
	return buf;
}

/* How the record says its program was attached: "tcx" (a link pinned in
 * <pin dir>/links), "tc" (a clsact filter, no pin); "" for an orphan. */
static const char *ep_hook(const struct sfc_ep_record *r)
{
	if (!r)
		return "";
	return r->flags & SFC_REC_F_HOOK_TC ? "tc" : "tcx";
}

static cJSON *ep_json(const struct sfcctl_ep_row *e)
{
	const struct sfc_ep_record *r = e->r;
	cJSON *o = cJSON_CreateObject(), *ips;
	char pod[320] = "", mac[18], hmac[18], ifn[IF_NAMESIZE];
	int i;

	if (r)
		snprintf(pod, sizeof(pod), "%s/%s", r->pod_namespace, r->pod_name);
	cJSON_AddNumberToObject(o, "vpid", e->vpid);
	cJSON_AddStringToObject(o, "role", sfc_role_name(r ? r->role : e->ep.role));
	cJSON_AddStringToObject(o, "function", r ? r->function : "");
	cJSON_AddStringToObject(o, "pod", pod);
	cJSON_AddStringToObject(o, "namespace", r ? r->pod_namespace : "");
	cJSON_AddStringToObject(o, "name", r ? r->pod_name : "");
	cJSON_AddStringToObject(o, "containerId", r ? r->container_id : "");
	cJSON_AddStringToObject(o, "ifname", r ? r->ifname : "");
	cJSON_AddStringToObject(o, "hostIfname", r ? r->host_ifname
						    : orphan_ifname(e, ifn));
	cJSON_AddNumberToObject(o, "ifindex", e->in_map ? e->ep.ifindex : 0);
	cJSON_AddStringToObject(o, "mac", ep_mac(e, mac));
	if (!r)
		sfcctl_fmt_mac(e->ep.host_mac, hmac);
	cJSON_AddStringToObject(o, "hostMac", r ? r->host_mac : hmac);
	cJSON_AddBoolToObject(o, "shapedIn", e->in_map && (e->ep.flags & SFC_EP_F_SHAPED_IN));
	cJSON_AddBoolToObject(o, "shapedOut", e->in_map && (e->ep.flags & SFC_EP_F_SHAPED_OUT));
	ips = cJSON_AddArrayToObject(o, "ips");
	for (i = 0; i < (r ? r->n_ips : e->n_ips); i++)
		cJSON_AddItemToArray(ips, cJSON_CreateString(r ? r->ips[i] : e->ips[i]));
	cJSON_AddBoolToObject(o, "inMaps", e->in_map);
	cJSON_AddBoolToObject(o, "orphan", !r);
	cJSON_AddStringToObject(o, "hook", ep_hook(r));
	return o;
}

static void ep_table_row(struct table *t, const struct sfcctl_ep_row *e)
{
	const struct sfc_ep_record *r = e->r;
	char vpid[16], ifx[16] = "-", pod[320] = "-", ips[300] = "", mac[18];
	char ifn[IF_NAMESIZE];
	int i, n_ips = r ? r->n_ips : e->n_ips;

	snprintf(vpid, sizeof(vpid), "%u", e->vpid);
	if (e->in_map)
		snprintf(ifx, sizeof(ifx), "%u", e->ep.ifindex);
	if (r)
		snprintf(pod, sizeof(pod), "%s/%s", r->pod_namespace, r->pod_name);
	for (i = 0; i < n_ips; i++) {
		if (i)
			strncat(ips, ",", sizeof(ips) - strlen(ips) - 1);
		strncat(ips, r ? r->ips[i] : e->ips[i], sizeof(ips) - strlen(ips) - 1);
	}
	if (!r)
		orphan_ifname(e, ifn);
	table_row(t, vpid, sfc_role_name(r ? r->role : e->ep.role),
		  r && r->function[0] ? r->function : "-", pod,
		  r ? r->host_ifname : ifn[0] ? ifn : "-", ifx, ep_mac(e, mac),
		  ips[0] ? ips : "-", !r ? "ORPHAN" : e->in_map ? "yes" : "NO",
		  r ? ep_hook(r) : "-");
}

int cmd_get_endpoints(struct sfcctl *c)
{
	static const char *const hdr[] = { "VPID", "ROLE", "FUNCTION", "POD",
		"HOST-IF", "IFINDEX", "MAC", "IPS", "IN-MAPS", "HOOK" };
	struct sfc_ep_record *recs = NULL;
	struct sfcctl_ep_row *rows = NULL;
	struct sfc_dp dp = { 0 };
	struct table *t = NULL;
	cJSON *arr = NULL;
	bool have_dp;
	int n = 0, n_rows = 0, i, rc;

	rc = sfc_state_list(c->state_dir, &recs, &n);
	if (rc)
		return sfcctl_fail("get endpoints: %s/endpoints: %s", c->state_dir,
				   strerror(-rc));
	have_dp = sfc_dp_open(c->pin_dir, &dp) == 0;
	rc = sfcctl_ep_rows(recs, n, have_dp ? dp.endpoints_fd : -1,
			    have_dp ? dp.ep_by_ip_fd : -1, &rows, &n_rows);
	if (have_dp)
		sfc_dp_close(&dp);
	if (rc) {
		free(recs);
		return sfcctl_fail("get endpoints: %s", strerror(-rc));
	}
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(10, hdr);
	for (i = 0; i < n_rows; i++) {
		if (arr)
			cJSON_AddItemToArray(arr, ep_json(&rows[i]));
		else
			ep_table_row(t, &rows[i]);
	}
	free(rows);
	free(recs);
	return sfcctl_print(arr, t);
}
