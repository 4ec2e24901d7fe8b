/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * proxy.h - the SFC proxy (RFC 7665 section 4.6) for SFC-unaware SFs:
 * strip NSH and hand the plain IP packet to the SF (dst MAC = the SF's
 * interface, so its kernel forwards it back to its gateway, our host
 * veth); save the NSH in sfc_proxy under {SF, 5-tuple}; when the plain
 * packet comes back, push the NSH again with SI decremented.
 */
#ifndef SFC_BPF_PROXY_H
#define SFC_BPF_PROXY_H

#include "lib/deliver.h"
#include "lib/flow.h"
#include "lib/group.h"
#include "lib/nsh.h"

/* Bytes counted for hop/instance stats: without the NSH on the way out. */
static __always_inline void sfc_count_to_sf(__u32 sp, __u32 vpid, __u32 len)
{
	struct sfc_hop_stats *hs = sfc_hop_stats_get(sp);
	struct sfc_sf_stats *st = sfc_sf_stats_get(vpid);

	if (hs) {
		hs->to_sf_packets++;
		hs->to_sf_bytes += len;
	}
	if (st) {
		st->to_sf_packets++;
		st->to_sf_bytes += len;
	}
}

static __always_inline void sfc_count_from_sf(__u32 sp, __u32 vpid, __u32 len)
{
	struct sfc_hop_stats *hs = sfc_hop_stats_get(sp);
	struct sfc_sf_stats *st = sfc_sf_stats_get(vpid);

	if (hs) {
		hs->from_sf_packets++;
		hs->from_sf_bytes += len;
	}
	if (st) {
		st->from_sf_packets++;
		st->from_sf_bytes += len;
	}
}

/*
 * sfc_proxy_send() - the NSH is already stripped: record the proxy state
 * (@word, @sp and the endpoint TLV @ep of the stripped NSH) and send the
 * plain packet to unaware SF @vpid. A global function: its stack does not
 * add to the hop loop's (the verifier's 512-byte limit is per call chain).
 * Return: TC_ACT_REDIRECT or a drop reason.
 */
__attribute__((noinline)) int sfc_proxy_send(struct __sk_buff *skb, __u32 vpid,
					     __u32 word, __u32 sp, __u64 ep)
{
	struct sfc_endpoint *sf = sfc_endpoint_get(vpid);
	struct sfc_proxy_state ps = {};
	struct sfc_proxy_key key = {};
	struct sfc_pkt pkt = {};
	int ret;

	if (!skb)
		return SFC_DROP_MALFORMED;
	if (!sf || sf->role != SFC_ROLE_SF)
		return SFC_DROP_NO_ENDPOINT;
	ret = sfc_parse_skb_ip(skb, &pkt);
	if (ret)
		return ret;
	sfc_flow_key_set(&key.tuple, &pkt, false);
	key.vpid = vpid;
	ps.sp = sp;
	ps.word = word;
	__builtin_memcpy(&ps.ep, &ep, sizeof(ps.ep));
	ps.last_ns = sfc_now();
	if (bpf_map_update_elem(&sfc_proxy, &key, &ps, BPF_ANY))
		return SFC_DROP_PROXY;
	ret = sfc_set_macs(skb, sf->mac, sf->host_mac);
	if (ret)
		return ret;
	sfc_count_to_sf(sp, vpid, skb->len);
	return bpf_redirect_peer(sf->ifindex, 0);
}

/* The endpoint TLV as the scalar sfc_proxy_send() takes. */
static __always_inline __u64 sfc_ep_u64(const struct sfc_tlv_endpoint *ep)
{
	__u64 v;

	__builtin_memcpy(&v, ep, sizeof(v));
	return v;
}

/*
 * sfc_proxy_lookup() - proxy state for the plain IP packet @pkt coming
 * back from SF @vpid; NULL if the SF never got this flow from the proxy,
 * or not within SFC_FLOW_IDLE_NS (the packet is then the SF's own).
 */
static __always_inline struct sfc_proxy_state *
sfc_proxy_lookup(__u32 vpid, const struct sfc_pkt *pkt)
{
	struct sfc_proxy_key key = {};
	struct sfc_proxy_state *ps;
	__u64 now = sfc_now();

	sfc_flow_key_set(&key.tuple, pkt, false);
	key.vpid = vpid;
	ps = bpf_map_lookup_elem(&sfc_proxy, &key);
	if (!ps || !sfc_fresh(ps->last_ns, now))
		return 0;
	sfc_touch(&ps->last_ns, now);
	return ps;
}

#endif /* SFC_BPF_PROXY_H */
