// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_check.c - CNI CHECK (spec section "CHECK: Check container's
 * networking is as expected"; config version 0.4.0 or later).
 *
 * Checks, in order, and fails naming the first thing missing: CNI_NETNS
 * (a network namespace, not sfc-cni's own), the state record, the host
 * veth, the pod interface in CNI_NETNS with its addresses (the record's
 * and prevResult's), its default route, prevResult's interfaces (host or
 * pod side, MAC), the program attached to the host veth, the endpoint
 * entry in sfc_endpoints, and IPAM CHECK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cni_cmd.h"
#include "cni_net.h"
#include "sfc_dp.h"

/* prevResult's interfaces: in the pod netns when they have a sandbox
 * (that netns must be CNI_NETNS), else on the host; MACs must match. */
static int check_prev_ifaces(struct cni_ctx *x, struct nl_sock *host,
			     struct nl_sock *pod)
{
	const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(x->conf.prev_result,
							   "interfaces");
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, ifs) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *mac = cJSON_GetObjectItemCaseSensitive(it, "mac");
		const cJSON *sb = cJSON_GetObjectItemCaseSensitive(it, "sandbox");
		bool in_pod = cJSON_IsString(sb) && sb->valuestring[0];
		char have[18];
		int idx, err;

		if (!cJSON_IsString(name) || !cni_ifname_valid(name->valuestring))
			return cni_err_set(&x->err, CNI_ERR_DECODE, 0,
					   "prevResult interfaces[%d]: bad name", i);
		if (in_pod && strcmp(sb->valuestring, x->env.netns))
			return cni_err_set(&x->err, CNI_ERR_INTERNAL, 0,
					   "prevResult interface %s is in sandbox %s, not CNI_NETNS %s",
					   name->valuestring, sb->valuestring, x->env.netns);
		err = cni_link_get(in_pod ? pod : host, name->valuestring, &idx, have);
		if (err)
			return cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
					   "prevResult interface %s (%s)", name->valuestring,
					   in_pod ? x->env.netns : "host");
		if (cJSON_IsString(mac) && strcasecmp(mac->valuestring, have))
			return cni_err_set(&x->err, CNI_ERR_INTERNAL, 0,
					   "prevResult interface %s has MAC %s, expected %s",
					   name->valuestring, have, mac->valuestring);
		i++;
	}
	return 0;
}

/* Addresses of prevResult (if any) must be on the pod interface too. */
static int check_prev(struct cni_ctx *x, struct nl_sock *pod, int idx)
{
	const cJSON *ips = cJSON_GetObjectItemCaseSensitive(x->conf.prev_result, "ips");
	struct cni_ipam_result r;
	char *txt;
	int err;

	if (!cJSON_IsArray(ips) || !cJSON_GetArraySize(ips))
		return 0;
	txt = cJSON_PrintUnformatted(x->conf.prev_result);
	if (!txt)
		return cni_err_set(&x->err, CNI_ERR_INTERNAL, -ENOMEM, "prevResult");
	err = cni_ipam_result_parse(txt, &r, &x->err);
	free(txt);
	if (err)
		return err;
	for (int i = 0; i < r.n_ips && !err; i++)
		if (cni_addr_present(pod, idx, &r.ips[i]) != 1)
			err = cni_err_set(&x->err, CNI_ERR_INTERNAL, 0,
					  "prevResult address %s/%d missing on %s",
					  r.ips[i].addr, r.ips[i].prefix, x->env.ifname);
	cni_ipam_result_free(&r);
	return err;
}

static int check_pod(struct cni_ctx *x, const struct sfc_ep_record *rec,
		     int netns_fd, struct nl_sock *host)
{
	struct nl_sock *pod = NULL;
	struct cni_err *e = &x->err;
	int idx, err;

	err = cni_nl_open(netns_fd, &pod);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "netlink in %s",
				   x->env.netns);
	err = cni_link_get(pod, x->env.ifname, &idx, NULL);
	if (err) {
		err = cni_err_set(e, CNI_ERR_INTERNAL, err, "interface %s in %s",
				  x->env.ifname, x->env.netns);
		goto out;
	}
	for (int i = 0; i < rec->n_ips && !err; i++) {
		struct cni_ip ip = { 0 };
		char *slash = strchr(rec->ips[i], '/');
		long plen = slash ? strtol(slash + 1, NULL, 10) : -1;

		snprintf(ip.addr, sizeof(ip.addr), "%.*s",
			 slash ? (int)(slash - rec->ips[i]) : 0, rec->ips[i]);
		/* A corrupt record's prefix matches no address. */
		ip.prefix = plen >= 0 && plen <= 128 ? (int)plen : -1;
		ip.family = strchr(ip.addr, ':') ? 6 : 4;
		if (cni_addr_present(pod, idx, &ip) != 1)
			err = cni_err_set(e, CNI_ERR_INTERNAL, 0,
					  "address %s missing on %s", rec->ips[i],
					  x->env.ifname);
		/* Routes of an attach-only endpoint are the earlier plugin's. */
		else if (!(rec->flags & SFC_REC_F_ATTACH_ONLY) &&
			 cni_route_present(pod, idx, ip.family == 4 ? "0.0.0.0/0"
								    : "::/0") != 1)
			err = cni_err_set(e, CNI_ERR_INTERNAL, 0,
					  "default route via %s missing in %s",
					  x->env.ifname, x->env.netns);
	}
	if (!err)
		err = check_prev(x, pod, idx);
	if (!err && x->conf.has_prev_result)
		err = check_prev_ifaces(x, host, pod);
out:
	cni_nl_close(pod);
	return err;
}

static int check_dataplane(struct cni_ctx *x, const struct sfc_ep_record *rec,
			   int host_idx)
{
	struct sfc_endpoint ep;
	struct sfc_dp dp = { 0 };
	struct cni_err *e = &x->err;
	__u32 key = rec->vpid;
	bool tc;
	int err;

	/* Attached the way the record says (tcx link or tc filter). */
	tc = rec->flags & SFC_REC_F_HOOK_TC;
	err = sfc_dp_hook_of(x->conf.bpffs_dir, host_idx);
	if (err != (tc ? SFC_HOOK_TC : SFC_HOOK_TCX))
		return cni_err_set(e, CNI_ERR_INTERNAL, err < 0 ? err : 0,
				   "no sfc program attached to %s (%s)",
				   rec->host_ifname, tc ? "tc" : "tcx");
	err = sfc_dp_open(x->conf.bpffs_dir, &dp);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "dataplane maps in %s",
				   x->conf.bpffs_dir);
	if (bpf_map_lookup_elem(dp.endpoints_fd, &key, &ep) ||
	    ep.ifindex != (__u32)host_idx || ep.role != rec->role)
		err = cni_err_set(e, CNI_ERR_INTERNAL, 0,
				  "endpoint %u missing or stale in %s", rec->vpid,
				  SFC_MAP_ENDPOINTS);
	sfc_dp_close(&dp);
	return err;
}

int cmd_check(struct cni_ctx *x)
{
	struct sfc_ep_record rec;
	struct nl_sock *host = NULL;
	char *out = NULL;
	int err, host_idx, netns_fd;

	netns_fd = cni_netns_open_pod(x->env.netns, &x->err);
	if (netns_fd < 0)
		return netns_fd;
	err = sfc_state_read(x->conf.state_dir, x->env.container_id,
			     x->env.ifname, &rec);
	if (err)
		err = cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
				  "no state record for %s/%s in %s",
				  x->env.container_id, x->env.ifname, x->conf.state_dir);
	if (!err && (err = cni_nl_open(-1, &host)))
		cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "netlink socket");
	if (!err && (err = cni_link_get(host, rec.host_ifname, &host_idx, NULL)))
		cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "host veth %s",
			    rec.host_ifname);
	if (!err)
		err = check_pod(x, &rec, netns_fd, host);
	cni_nl_close(host);
	close(netns_fd);
	if (!err)
		err = check_dataplane(x, &rec, host_idx);
	/* Attach-only: the earlier plugin checks its own IPAM. */
	if (!err && x->conf.ipam_type[0] && !(rec.flags & SFC_REC_F_ATTACH_ONLY))
		err = cni_ipam_exec(&x->env, &x->conf, "CHECK", x->stdin_data,
				    x->stdin_len, &out, &x->err);
	free(out);
	return err;
}
