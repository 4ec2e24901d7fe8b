/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sff.h - the SFF forward step (RFC 7665 section 4.3, RFC 8300 section 4),
 * shared by the classifier (after it pushed NSH) and the SFF return step
 * (after an SF sent the packet back): find the hop for (SPI, SI), skip
 * fail-open hops that are down, send to the SF, or end the path.
 */
#ifndef SFC_BPF_SFF_H
#define SFC_BPF_SFF_H

#include "lib/deliver.h"
#include "lib/maps.h"
#include "lib/nsh.h"

/* Send the NSH packet to SF endpoint @vpid serving hop @sp. */
static __always_inline int sfc_to_sf(struct __sk_buff *skb, __u32 sp,
				     __u32 vpid)
{
	struct sfc_endpoint *ep = sfc_endpoint_get(vpid);
	struct sfc_hop_stats *st;
	struct sfc_nsh_hdr *nsh;
	int ret;

	if (!ep || ep->role != SFC_ROLE_SF)
		return SFC_DROP_NO_ENDPOINT;
	nsh = sfc_nsh_at(skb, 0);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	nsh->base.sp = bpf_htonl(sp);
	ret = sfc_set_macs(skb, ep->mac, ep->host_mac);
	if (ret)
		return ret;
	st = sfc_hop_stats_get(sp);
	if (st) {
		st->to_sf_packets++;
		st->to_sf_bytes += skb->len;
	}
	return bpf_redirect_peer(ep->ifindex, 0);
}

/*
 * sfc_path_end() - strip NSH and deliver.
 *
 * bpf_skb_adjust_room() only works while skb->protocol is IPv4/IPv6. On the
 * classifier side it still is (we pushed NSH in this same pass). A packet
 * from an SF arrived as 0x894F, so it is re-injected instead: EtherType
 * set from Next Protocol, dst MAC = our host veth (so it is PACKET_HOST),
 * mark SFC_MARK_DECAP, redirect to our own ingress. dev_forward_skb() runs
 * eth_type_trans(), skb->protocol becomes IP, the mark survives (same
 * netns), and the decap pass of sfc_from_sf strips the 16 bytes.
 * @self_vpid: the SF endpoint the packet came from (SFF side only).
 */
static __always_inline int sfc_path_end(struct __sk_buff *skb, __u32 self_vpid)
{
	struct sfc_endpoint *self;
	struct sfc_nsh_hdr *nsh;
	struct ethhdr *eth;
	__be16 proto;

	if (skb->protocol == bpf_htons(ETH_P_IP) ||
	    skb->protocol == bpf_htons(ETH_P_IPV6)) {
		proto = (__be16)skb->protocol;
		if (bpf_skb_adjust_room(skb, -(__s32)SFC_NSH_LEN,
					BPF_ADJ_ROOM_MAC,
					BPF_F_ADJ_ROOM_FIXED_GSO))
			return SFC_DROP_ENCAP;
		eth = sfc_data(skb);
		if ((void *)(eth + 1) > sfc_data_end(skb))
			return SFC_DROP_MALFORMED;
		eth->h_proto = proto;
		return sfc_deliver_by_dst(skb);
	}

	self = sfc_endpoint_get(self_vpid);
	if (!self)
		return SFC_DROP_NO_ENDPOINT;
	nsh = sfc_nsh_at(skb, &eth);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	proto = sfc_nsh_np_ethertype(nsh);
	if (!proto)
		return SFC_DROP_BAD_NSH;
	eth->h_proto = proto;
	__builtin_memcpy(eth->h_dest, self->host_mac, ETH_ALEN);
	skb->mark = SFC_MARK_DECAP;
	return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
}

/*
 * sfc_sff_forward() - forward the NSH packet in @skb at (@spi, @si).
 * Fail-open hops that are down are skipped (SI decremented on their
 * behalf), at most SFC_MAX_PATH_HOPS of them in one pass.
 * @self_vpid: endpoint the packet came from, for sfc_path_end().
 * Return: TC_ACT_REDIRECT, SFC_V_NEXT, or a drop reason.
 */
static __always_inline int sfc_sff_forward(struct __sk_buff *skb, __u32 spi,
					   __u32 si, __u32 self_vpid)
{
	struct sfc_hop_stats *st;
	struct sfc_hop *hop;
	__u32 i, sp;

	for (i = 0; i < SFC_MAX_PATH_HOPS; i++) {
		sp = SFC_SP(spi, si);
		hop = bpf_map_lookup_elem(&sfc_paths, &sp);
		if (!hop)
			return SFC_DROP_NO_PATH;
		if (hop->kind == SFC_HOP_END)
			return sfc_path_end(skb, self_vpid);
		if (hop->kind != SFC_HOP_SF)
			return SFC_DROP_NO_PATH;
		if (!(hop->flags & SFC_HOP_F_DOWN))
			return sfc_to_sf(skb, sp, hop->vpid);
		st = sfc_hop_stats_get(sp);
		if (hop->policy != SFC_FAIL_OPEN) {
			if (st)
				st->dropped_packets++;
			return SFC_DROP_SF_DOWN;
		}
		if (st)
			st->skipped_packets++;
		if (si == 0)
			return SFC_DROP_NO_PATH; /* SI cannot go below 0 */
		si--;
	}
	return SFC_DROP_LOOP;
}

#endif /* SFC_BPF_SFF_H */
