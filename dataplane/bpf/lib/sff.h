/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sff.h - the SFF forward step (RFC 7665 section 4.3, RFC 8300 section 4),
 * shared by the classifier (after it pushed NSH), the SFF return step
 * (after an SF sent the packet back) and the SFC proxy restore: find the
 * hop for (SPI, SI), pick the flow's instance of the hop's SF group, skip
 * fail-open hops without a live instance, send to the SF (with NSH, or
 * plain through the SFC proxy), or end the path.
 */
#ifndef SFC_BPF_SFF_H
#define SFC_BPF_SFF_H

#include "lib/deliver.h"
#include "lib/flow.h"
#include "lib/flowprog.h"
#include "lib/group.h"
#include "lib/maps.h"
#include "lib/nsh.h"
#include "lib/proxy.h"
#include "lib/xlate.h"

static __always_inline bool sfc_skb_is_ip(const struct __sk_buff *skb)
{
	return skb->protocol == bpf_htons(ETH_P_IP) ||
	       skb->protocol == bpf_htons(ETH_P_IPV6);
}

/* Send the NSH packet to SFC-aware SF instance @vpid serving hop @sp,
 * marked @mark (sfc_sf_mark()). */
static __always_inline int sfc_to_sf(struct __sk_buff *skb, __u32 sp,
				     __u32 vpid, __u8 hop_flags, __u32 mark)
{
	struct sfc_endpoint *ep = sfc_endpoint_get(vpid);
	struct sfc_nsh_hdr *nsh;
	int ret;

	if (!ep || ep->role != SFC_ROLE_SF)
		return SFC_DROP_NO_ENDPOINT;
	nsh = sfc_nsh_at(skb, 0);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	nsh->base.sp = bpf_htonl(sp);
	if (hop_flags & SFC_HOP_F_NEXT_UNAWARE)
		nsh->ep.flags |= SFC_TLV_F_SMALL;
	else
		nsh->ep.flags &= ~SFC_TLV_F_SMALL;
	ret = sfc_set_macs(skb, ep->mac, ep->host_mac);
	if (ret)
		return ret;
	sfc_count_to_sf(sp, vpid, skb->len);
	skb->mark = mark;
	return bpf_redirect_peer(ep->ifindex, 0);
}

#define SFC_FWD_META(si, reply, self) \
	(((__u32)(si) & 0xFFu) | ((reply) ? 0x100u : 0) | ((__u32)(self) << 16))

static __always_inline void sfc_fwd_unpack(struct sfc_fwd *fw, __u32 spi,
					   __u32 meta, __u32 flow_id)
{
	fw->spi = spi;
	fw->si = meta & 0xFFu;
	fw->self_vpid = meta >> 16;
	fw->flow_id = flow_id;
	fw->reply = !!(meta & 0x100u);
}

/*
 * sfc_end_deliver() - the NSH of flow @flow_id, at the end of SFP @spi
 * (SI and direction in @meta, SFC_FWD_META()), is stripped: deliver the
 * packet to the local pod owning its destination; a forward packet of a
 * symmetric chain first records the reverse path (sfc_flow_path_end()).
 * A global function, like sfc_proxy_send().
 * Return: like sfc_deliver(); SFC_V_NEXT if the destination is not local.
 */
__attribute__((noinline)) int sfc_end_deliver(struct __sk_buff *skb, __u32 spi,
					      __u32 meta, __u32 flow_id)
{
	struct sfc_pkt pkt = {};
	struct sfc_fwd fw;
	__u32 vpid;
	int ret;

	if (!skb)
		return SFC_DROP_MALFORMED;
	sfc_fwd_unpack(&fw, spi, meta, flow_id);
	ret = sfc_parse_skb_ip(skb, &pkt);
	if (ret)
		return ret;
	vpid = sfc_local_vpid(pkt.family, pkt.daddr);
	if (!vpid)
		return SFC_V_NEXT;
	sfc_flow_path_end(&fw, &pkt);
	return sfc_deliver(skb, vpid);
}

/*
 * sfc_strip_then() - strip NSH, then end the path (@target 0) or hand the
 * plain packet to unaware SF @target (SFC proxy).
 *
 * bpf_skb_adjust_room() only works while skb->protocol is IPv4/IPv6. On the
 * classifier side (and after a proxy restore) it still is: strip now. A
 * packet from an SF arrived as 0x894F, so it is re-injected instead:
 * EtherType set from Next Protocol, dst MAC = our host veth (so it is
 * PACKET_HOST), mark SFC_MARK_DECAP / SFC_MARK_PROXY(target), redirect to
 * our own ingress. dev_forward_skb() runs eth_type_trans(), skb->protocol
 * becomes IP, the mark survives (same netns), and the decap pass of
 * sfc_from_sf strips the NSH, whose SP now names the hop reached.
 */
static __always_inline int sfc_strip_then(struct __sk_buff *skb,
					  const struct sfc_fwd *fw,
					  __u32 target)
{
	struct sfc_endpoint *self;
	struct sfc_nsh_hdr *nsh;
	struct ethhdr *eth;
	__u32 sp, word;
	__be16 proto;
	__u64 ep;
	int ret;

	nsh = sfc_nsh_at(skb, &eth);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	sp = SFC_SP(fw->spi, fw->si);
	nsh->base.sp = bpf_htonl(sp);
	proto = sfc_nsh_np_ethertype(nsh);
	if (!proto)
		return SFC_DROP_BAD_NSH;
	if (sfc_skb_is_ip(skb)) {
		word = bpf_ntohl(nsh->base.word);
		ep = sfc_ep_u64(&nsh->ep);
		ret = sfc_nsh_strip(skb, proto);
		if (ret)
			return ret;
		if (target)
			return sfc_proxy_send(skb, target, word, sp, ep);
		return sfc_end_deliver(skb, fw->spi,
				      SFC_FWD_META(fw->si, fw->reply,
						   fw->self_vpid),
				      fw->flow_id);
	}
	self = sfc_endpoint_get(fw->self_vpid);
	if (!self)
		return SFC_DROP_NO_ENDPOINT;
	nsh = sfc_nsh_at(skb, &eth);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	eth->h_proto = proto;
	__builtin_memcpy(eth->h_dest, self->host_mac, ETH_ALEN);
	skb->mark = target ? SFC_MARK_PROXY(target) : SFC_MARK_DECAP;
	return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
}

/* A hop without a live instance: count it, drop (fail-closed) or let the
 * caller skip it (fail-open, returns 0). */
static __always_inline int sfc_hop_down(const struct sfc_hop *hop, __u32 sp)
{
	struct sfc_hop_stats *st = sfc_hop_stats_get(sp);

	if (hop->policy != SFC_FAIL_OPEN) {
		if (st)
			st->dropped_packets++;
		return SFC_DROP_SF_DOWN;
	}
	if (st)
		st->skipped_packets++;
	return 0;
}

/*
 * sfc_sff_forward() - forward the NSH packet in @skb at (fw->spi, fw->si).
 * Hops an SF programmed away for the flow (sfc_flow_skip()), and hops
 * without a live instance when fail-open, are skipped (SI decremented on
 * their behalf), at most SFC_MAX_PATH_HOPS of them in one pass; fw->si
 * follows.
 * Return: TC_ACT_REDIRECT, SFC_V_NEXT, or a drop reason.
 */
static __always_inline int sfc_sff_forward(struct __sk_buff *skb,
					   struct sfc_fwd *fw)
{
	struct sfc_hop *hop;
	__u32 i, sp, inst;
	int ret;

	for (i = 0; i < SFC_MAX_PATH_HOPS; i++) {
		sp = SFC_SP(fw->spi, fw->si);
		hop = bpf_map_lookup_elem(&sfc_paths, &sp);
		if (!hop)
			return SFC_DROP_NO_PATH;
		if (hop->kind == SFC_HOP_END)
			return sfc_strip_then(skb, fw, 0);
		if (hop->kind != SFC_HOP_SF)
			return SFC_DROP_NO_PATH;
		ret = sfc_flow_skip(skb, fw->flow_id, fw->spi,
				    SFC_FWD_META(fw->si, fw->reply, hop->group),
				    hop->gen);
		if (ret < 0)
			return ret;
		if (ret) {
			if (fw->si == 0)
				return SFC_DROP_NO_PATH;
			fw->si--;
			continue;
		}
		inst = 0;
		if (!(hop->flags & SFC_HOP_F_DOWN))
			inst = sfc_pick_instance(fw->flow_id, hop->group,
						 SFC_NSH_SI_START - fw->si,
						 fw->reply);
		if (SFC_INST_VPID(inst) &&
		    (SFC_INST_FLAGS(inst) & SFC_MEMBER_F_UNAWARE))
			return sfc_strip_then(skb, fw, SFC_INST_VPID(inst));
		if (SFC_INST_VPID(inst))
			return sfc_to_sf(skb, sp, SFC_INST_VPID(inst), hop->flags,
					 sfc_sf_mark(fw->flow_id));
		ret = sfc_hop_down(hop, sp);
		if (ret)
			return ret;
		if (fw->si == 0)
			return SFC_DROP_NO_PATH; /* SI cannot go below 0 */
		fw->si--;
	}
	return SFC_DROP_LOOP;
}

/*
 * sfc_forward() - sfc_sff_forward() as a global function, so the verifier
 * checks the hop loop once per program instead of once per call site and
 * classifier state. @meta: SFC_FWD_META(si, reply, self_vpid).
 * Return: like sfc_sff_forward().
 */
__attribute__((noinline)) int sfc_forward(struct __sk_buff *skb, __u32 spi,
					  __u32 meta, __u32 flow_id)
{
	struct sfc_fwd fw;

	if (!skb)
		return SFC_DROP_MALFORMED;
	sfc_fwd_unpack(&fw, spi, meta, flow_id);
	return sfc_sff_forward(skb, &fw);
}

#endif /* SFC_BPF_SFF_H */
