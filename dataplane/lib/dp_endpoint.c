// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_endpoint.c - endpoint records: VPID allocation, put, delete.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_dp.h"

/* Entries per BPF_MAP_LOOKUP_BATCH call: one syscall reads what took one
 * lookup per entry (sfc_endpoints: 256 x 20 bytes). */
#define SFC_BATCH 256

int sfc_dp_vpid_alloc(struct sfc_dp *dp, const struct sfc_endpoint *ep,
		      uint32_t *vpid)
{
	struct sfc_endpoint cur[SFC_BATCH];
	__u32 keys[SFC_BATCH], in = 0, out = 0, n, i;
	bool first = true, last = false;
	int err;

	if (!ep || ep->role == SFC_ROLE_NONE)
		return -EINVAL;
	/* Lowest free VPID (0 is never one), read a batch at a time. */
	while (!last) {
		n = SFC_BATCH;
		err = bpf_map_lookup_batch(dp->endpoints_fd, first ? NULL : &in,
					   &out, keys, cur, &n, NULL);
		if (err && err != -ENOENT)
			return err;
		last = err == -ENOENT;
		for (i = 0; i < n; i++) {
			if (!keys[i] || cur[i].role != SFC_ROLE_NONE)
				continue;
			if (bpf_map_update_elem(dp->endpoints_fd, &keys[i], ep,
						BPF_ANY))
				return -errno;
			*vpid = keys[i];
			return 0;
		}
		first = false;
		in = out;
	}
	return -ENOSPC;
}

int sfc_dp_endpoint_put(struct sfc_dp *dp, uint32_t vpid,
			const struct sfc_endpoint *ep,
			const struct sfc_ip_key *ips, int n_ips)
{
	struct sfc_endpoint old;
	__u32 v = vpid, ifx, old_vpid = 0;
	bool had_ifx;
	int i = 0, err;

	if (!vpid || vpid >= SFC_MAX_ENDPOINTS || !ep ||
	    ep->role == SFC_ROLE_NONE || n_ips < 0 || (n_ips && !ips))
		return -EINVAL;
	ifx = ep->ifindex;
	if (bpf_map_lookup_elem(dp->endpoints_fd, &v, &old))
		return -errno;
	had_ifx = !bpf_map_lookup_elem(dp->ifindex_fd, &ifx, &old_vpid);

	if (bpf_map_update_elem(dp->endpoints_fd, &v, ep, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(dp->ifindex_fd, &ifx, &v, BPF_ANY)) {
		err = -errno;
		goto undo_ep;
	}
	for (i = 0; i < n_ips; i++) {
		if (bpf_map_update_elem(dp->ep_by_ip_fd, &ips[i], &v, BPF_ANY)) {
			err = -errno;
			goto undo_ips;
		}
	}
	/* Re-wired endpoint: its old veth must no longer map to it. */
	if (old.role != SFC_ROLE_NONE && old.ifindex != ifx &&
	    !bpf_map_lookup_elem(dp->ifindex_fd, &old.ifindex, &old_vpid) &&
	    old_vpid == v)
		bpf_map_delete_elem(dp->ifindex_fd, &old.ifindex);
	return 0;

	/* Roll back so no half-written endpoint steers traffic. Addresses
	 * that belonged to someone else before are gone; that someone was
	 * being replaced anyway. */
undo_ips:
	while (i-- > 0)
		bpf_map_delete_elem(dp->ep_by_ip_fd, &ips[i]);
	if (had_ifx)
		bpf_map_update_elem(dp->ifindex_fd, &ifx, &old_vpid, BPF_ANY);
	else
		bpf_map_delete_elem(dp->ifindex_fd, &ifx);
undo_ep:
	bpf_map_update_elem(dp->endpoints_fd, &v, &old, BPF_ANY);
	return err;
}

/* Keys of sfc_ep_by_ip entries pointing at @vpid, one entry at a time:
 * for a hash bucket too big for a batch (-ENOSPC). */
static int sfc_ips_of_walk(struct sfc_dp *dp, __u32 vpid,
			   struct sfc_ip_key *keys, int max, int *n)
{
	struct sfc_ip_key cur, next;
	void *prev = NULL;
	__u32 val;

	*n = 0;
	while (!bpf_map_get_next_key(dp->ep_by_ip_fd, prev, &next)) {
		cur = next;
		prev = &cur;
		if (bpf_map_lookup_elem(dp->ep_by_ip_fd, &cur, &val) ||
		    val != vpid)
			continue;
		if (*n < max)
			keys[(*n)++] = cur;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* The same in BPF_MAP_LOOKUP_BATCH calls of SFC_BATCH entries. */
static int sfc_ips_of(struct sfc_dp *dp, __u32 vpid, struct sfc_ip_key *keys,
		      int max, int *n)
{
	struct sfc_ip_key k[SFC_BATCH];
	__u32 v[SFC_BATCH], in = 0, out = 0, cnt, i;
	bool first = true, last = false;
	int err;

	*n = 0;
	while (!last) {
		cnt = SFC_BATCH;
		err = bpf_map_lookup_batch(dp->ep_by_ip_fd, first ? NULL : &in,
					   &out, k, v, &cnt, NULL);
		if (err == -ENOSPC)
			return sfc_ips_of_walk(dp, vpid, keys, max, n);
		if (err && err != -ENOENT)
			return err;
		last = err == -ENOENT;
		for (i = 0; i < cnt; i++)
			if (v[i] == vpid && *n < max)
				keys[(*n)++] = k[i];
		first = false;
		in = out;
	}
	return 0;
}

/* Delete every sfc_ep_by_ip entry pointing at @vpid. Keys are collected
 * first: deleting while walking a hash map can restart the walk. */
static int sfc_dp_del_ips(struct sfc_dp *dp, __u32 vpid)
{
	struct sfc_ip_key keys[64];
	int n, i, err;

	err = sfc_ips_of(dp, vpid, keys, (int)(sizeof(keys) / sizeof(keys[0])),
			 &n);
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(dp->ep_by_ip_fd, &keys[i]) &&
		    errno != ENOENT && !err)
			err = -errno;
	return err;
}

int sfc_dp_endpoint_del(struct sfc_dp *dp, uint32_t vpid)
{
	struct sfc_endpoint ep, zero = {};
	struct sfc_policy_key pk = { .vpid = vpid };
	__u32 v = vpid, owner;
	__u64 health = 0;
	int err;

	if (!vpid || vpid >= SFC_MAX_ENDPOINTS)
		return -EINVAL;
	if (bpf_map_lookup_elem(dp->endpoints_fd, &v, &ep))
		return -errno;
	/* The ifindex may already be reused by a newer endpoint: only drop
	 * the mapping if it still points at us. */
	if (ep.role != SFC_ROLE_NONE &&
	    !bpf_map_lookup_elem(dp->ifindex_fd, &ep.ifindex, &owner) &&
	    owner == vpid && bpf_map_delete_elem(dp->ifindex_fd, &ep.ifindex) &&
	    errno != ENOENT)
		return -errno;
	err = sfc_dp_del_ips(dp, vpid);
	if (!err)
		err = sfc_dp_allowed_src_set(dp, vpid, NULL, 0);
	if (err)
		return err;
	for (pk.dir = 0; pk.dir < SFC_DIR_MAX; pk.dir++)
		if (bpf_map_delete_elem(dp->policy_fd, &pk) && errno != ENOENT)
			return -errno;
	if (bpf_map_update_elem(dp->sf_health_fd, &v, &health, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(dp->endpoints_fd, &v, &zero, BPF_ANY))
		return -errno;
	return 0;
}

int sfc_dp_for_each_endpoint(struct sfc_dp *dp,
			     int (*fn)(uint32_t vpid, const struct sfc_endpoint *ep,
				       void *arg),
			     void *arg)
{
	struct sfc_endpoint ep;
	int err = 0;

	for (__u32 vpid = 1; !err && vpid < SFC_MAX_ENDPOINTS; vpid++) {
		if (bpf_map_lookup_elem(dp->endpoints_fd, &vpid, &ep))
			return -errno;
		if (ep.role != SFC_ROLE_NONE)
			err = fn(vpid, &ep, arg);
	}
	return err;
}

int sfc_dp_vpid_of_ifindex(struct sfc_dp *dp, int ifindex, uint32_t *vpid)
{
	__u32 key = (__u32)ifindex;

	if (ifindex <= 0)
		return -EINVAL;
	return bpf_map_lookup_elem(dp->ifindex_fd, &key, vpid) ? -errno : 0;
}
