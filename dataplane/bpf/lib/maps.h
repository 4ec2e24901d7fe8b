/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h - every map of the sfc dataplane, defined once and included by both
 * programs. LIBBPF_PIN_BY_NAME plus the pin_root_path given by libsfcdp
 * makes the two objects (and every later load) share one instance of each
 * map under the pin dir. Layouts are in sfc_common.h (SFC_LAYOUT_VERSION).
 */
#ifndef SFC_BPF_MAPS_H
#define SFC_BPF_MAPS_H

#include "lib/defs.h"

/* [0]: layout version, written by user space only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sfc_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_meta SEC(".maps");

/* [vpid]: endpoint; role SFC_ROLE_NONE marks a free slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, struct sfc_endpoint);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_endpoints SEC(".maps");

/* host-side ifindex -> vpid: which endpoint a packet entered from. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_ifindex_vpid SEC(".maps");

/* pod address -> vpid: is a destination local, and which endpoint. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SFC_MAX_ENDPOINTS);
	__type(key, struct sfc_ip_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_ep_by_ip SEC(".maps");

/* {vpid, source prefix} -> 1: prefixes an app endpoint may send from
 * besides its own addresses (sfc.io/allowed-sources), written by control. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SFC_MAX_ALLOWED_SRC);
	__type(key, struct sfc_src_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_allowed_src SEC(".maps");

/* {vpid, dir} -> ordered classifier rules. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SFC_MAX_ENDPOINTS);
	__type(key, struct sfc_policy_key);
	__type(value, struct sfc_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_policy SEC(".maps");

/* SFC_SP(spi, si) -> hop. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_PATHS);
	__type(key, __u32);
	__type(value, struct sfc_hop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_paths SEC(".maps");

/* SFC_SP(spi, si) -> per-CPU counters of that hop. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SFC_MAX_PATHS);
	__type(key, __u32);
	__type(value, struct sfc_hop_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_hop_stats SEC(".maps");

/* [-reason]: per-CPU drop counters (enum sfc_drop_reason). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_drops SEC(".maps");

/* [vpid]: sfc_now() of the SF's last OAM echo; 0 = never. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_health SEC(".maps");

/* [group]: SF group members, written by control. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct sfc_group);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_groups SEC(".maps");

/* [vpid]: SFC_SF_F_* of an SF instance, written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_state SEC(".maps");

/* [vpid]: per-CPU per-instance counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, struct sfc_sf_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_stats SEC(".maps");

/* forward SPI -> reverse SPI of a symmetric chain, written by control. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_PATHS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_rev_spi SEC(".maps");

/* flow id -> per-flow SFF state (pinned instances), written by BPF. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_MAX_FLOWS);
	__type(key, __u32);
	__type(value, struct sfc_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flows SEC(".maps");

/* 5-tuple -> flow to push (reply entries), written by BPF. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_MAX_FLOWS);
	__type(key, struct sfc_flow_key);
	__type(value, struct sfc_flow_ref);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flow_tuples SEC(".maps");

/* {unaware SF vpid, 5-tuple} -> stripped NSH (SFC proxy), written by BPF. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_MAX_PROXY_FLOWS);
	__type(key, struct sfc_proxy_key);
	__type(value, struct sfc_proxy_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_proxy SEC(".maps");

/* [vpid]: flows an SF programmed in the current window (flow programming
 * bound), written by BPF. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, struct sfc_sf_prog);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_prog SEC(".maps");

/* [enum sfc_ctrl_stat]: per-CPU counters of control / counts TLVs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_CTRL_STAT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_ctrl_stats SEC(".maps");

/* {flow id, hop} -> what a counted bypass skipped, written by BPF. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_MAX_FLOWS);
	__type(key, struct sfc_count_key);
	__type(value, struct sfc_flow_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flow_counts SEC(".maps");

/* {flow id, hop, born} -> the translation an SF offloaded there (BPF). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_MAX_FLOWS);
	__type(key, struct sfc_count_key);
	__type(value, struct sfc_nat_xlate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flow_nat SEC(".maps");

/* Per-CPU counters of the hop at @sp, created on first use. NULL only if
 * the map is full, in which case the packet still flows uncounted. */
static const struct sfc_hop_stats sfc_hop_stats_zero; /* .rodata, not stack */

static __always_inline struct sfc_hop_stats *sfc_hop_stats_get(__u32 sp)
{
	struct sfc_hop_stats *st;

	st = bpf_map_lookup_elem(&sfc_hop_stats, &sp);
	if (st)
		return st;
	bpf_map_update_elem(&sfc_hop_stats, &sp, &sfc_hop_stats_zero,
			    BPF_NOEXIST);
	return bpf_map_lookup_elem(&sfc_hop_stats, &sp);
}

static __always_inline void sfc_ctrl_stat(__u32 stat)
{
	__u64 *cnt = bpf_map_lookup_elem(&sfc_ctrl_stats, &stat);

	if (cnt)
		*cnt += 1;
}

static __always_inline struct sfc_endpoint *sfc_endpoint_get(__u32 vpid)
{
	struct sfc_endpoint *ep = bpf_map_lookup_elem(&sfc_endpoints, &vpid);

	if (!ep || ep->role == SFC_ROLE_NONE)
		return 0;
	return ep;
}

/* vpid of the endpoint whose host veth is @ifindex, 0 if none. */
static __always_inline __u32 sfc_vpid_of_ifindex(__u32 ifindex)
{
	__u32 *vpid = bpf_map_lookup_elem(&sfc_ifindex_vpid, &ifindex);

	return vpid ? *vpid : 0;
}

#endif /* SFC_BPF_MAPS_H */
