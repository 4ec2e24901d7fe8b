// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_classifier.bpf.c - sfc_from_pod: tcx ingress of an app endpoint's
 * host-side veth, i.e. every packet leaving the pod.
 *
 * A reply of a connection that went through a symmetric chain (a
 * sfc_flow_tuples hit) takes the chain's reverse SFP through the same SF
 * instances. Otherwise the packet is classified against the pod's egress
 * rules, then the destination pod's ingress rules; on a match it gets its
 * flow entry (sfc_flows), NSH (RFC 8300) is pushed and the SFF forward
 * step runs; a flow an SF asked to drop is dropped here (lib/flowprog.h). Unmatched traffic to a local pod is delivered
 * directly; everything else, and link-scope traffic (ND, multicast,
 * broadcast) always, goes on to the kernel (TCX_NEXT). The pod's ARP and
 * NS/NA frames refresh its MAC in sfc_endpoints, and its requests for the
 * gateway are answered here (lib/neigh.h). Any other packet must come
 * from the pod's MAC and one of its addresses, else it is dropped as
 * spoofed (lib/source.h).
 */
#include "lib/defs.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/policy.h"
#include "lib/flow.h"
#include "lib/nsh.h"
#include "lib/deliver.h"
#include "lib/neigh.h"
#include "lib/source.h"
#include "lib/sff.h"
#include "lib/verdict.h"

/* Which rule set matched, and with which SPI. */
struct sfc_class {
	__u32 spi;
	__u32 dir;
};

/* Egress rules of the source first, then ingress rules of a local dst. */
static __always_inline bool sfc_classify(__u32 src_vpid, __u32 dst_vpid,
					 const struct sfc_pkt *pkt,
					 struct sfc_class *cls)
{
	if (sfc_policy_match(src_vpid, SFC_DIR_EGRESS, pkt, &cls->spi)) {
		cls->dir = SFC_DIR_EGRESS;
		return true;
	}
	if (dst_vpid &&
	    sfc_policy_match(dst_vpid, SFC_DIR_INGRESS, pkt, &cls->spi)) {
		cls->dir = SFC_DIR_INGRESS;
		return true;
	}
	return false;
}

/* Push NSH for @fw (SI 255) with the endpoint TLV and run the SFF step.
 * A TCP FIN or RST is flagged SFC_TLV_F_END: it skips no programmed hop,
 * and ends the flow's hop programs (sfc_flow_gate()). */
static __always_inline int sfc_enter_path(struct __sk_buff *skb,
					  struct sfc_fwd *fw,
					  const struct sfc_pkt *pkt, __u32 dir)
{
	struct sfc_tlv_endpoint ep = {
		.src_vpid = bpf_htons((__u16)fw->self_vpid),
		.dir = (__u8)dir,
		.flags = fw->reply ? SFC_TLV_F_REPLY : 0,
		.flow_id = bpf_htonl(fw->flow_id),
	};
	__u32 np = pkt->family == 4 ? SFC_NSH_NP_IPV4 : SFC_NSH_NP_IPV6;
	__u32 gate = fw->reply ? SFC_GATE_REPLY : 0;
	int ret;

	if (pkt->proto == IPPROTO_TCP_ &&
	    (pkt->tcp_flags & (SFC_TCP_FIN | SFC_TCP_RST))) {
		ep.flags |= SFC_TLV_F_END;
		gate |= SFC_GATE_END;
	}
	ret = sfc_flow_gate(fw->flow_id, fw->spi, gate);
	if (ret)
		return ret;
	ret = sfc_nsh_push(skb, sfc_nsh_word(SFC_NSH_TTL_DEFAULT, np),
			   SFC_SP(fw->spi, SFC_NSH_SI_START), &ep);
	if (ret)
		return ret;
	return sfc_forward(skb, fw->spi,
			   SFC_FWD_META(fw->si, fw->reply, fw->self_vpid),
			   fw->flow_id);
}

/*
 * The pod's ARP (@arp) or NS / NA: learn its MAC, answer its requests as
 * the gateway. A subprogram: the NA it builds must not add to the inlined
 * fast path's stack.
 */
static __noinline int sfc_from_pod_neigh(struct __sk_buff *skb, __u32 vpid,
					 bool arp)
{
	struct sfc_endpoint *ep = sfc_endpoint_get(vpid);

	if (!ep || ep->role != SFC_ROLE_APP)
		return SFC_V_NEXT;
	sfc_learn_mac(skb, ep);
	return arp ? sfc_arp_respond(skb, vpid, ep) : sfc_nd_respond(skb, vpid, ep);
}

/*
 * No chain: straight to a local pod, unless the sender's egress is shaped
 * (its ingress qdisc, which runs after tcx, must see the packet; the
 * kernel then routes it to the pod's host veth). Off-node: the kernel.
 */
static __always_inline int sfc_unchained(struct __sk_buff *skb,
					 const struct sfc_endpoint *self,
					 __u32 dst_vpid)
{
	if (!dst_vpid || (self->flags & SFC_EP_F_SHAPED_OUT))
		return SFC_V_NEXT;
	return sfc_deliver(skb, dst_vpid);
}

static __always_inline int sfc_from_pod_main(struct __sk_buff *skb)
{
	struct sfc_fwd fw = { .si = SFC_NSH_SI_START };
	struct sfc_class cls = {};
	struct sfc_endpoint *self;
	struct sfc_flow_ref *ref;
	struct sfc_pkt pkt = {};
	__u32 dst_vpid;
	int ret;

	fw.self_vpid = sfc_vpid_of_ifindex(skb->ifindex);
	if (!fw.self_vpid)
		return SFC_V_NEXT;
	if (skb->protocol == bpf_htons(ETH_P_ARP))
		return sfc_from_pod_neigh(skb, fw.self_vpid, true);
	if (skb->protocol != bpf_htons(ETH_P_IP) &&
	    skb->protocol != bpf_htons(ETH_P_IPV6))
		return SFC_V_NEXT;

	sfc_pull_headers(skb);
	ret = sfc_parse_skb(skb, &pkt);
	if (ret)
		return ret;
	if (pkt.family == 6 && pkt.proto == IPPROTO_ICMPV6_ &&
	    sfc_is_nd_frame(sfc_data(skb), sfc_data_end(skb)))
		return sfc_from_pod_neigh(skb, fw.self_vpid, false);
	self = sfc_endpoint_get(fw.self_vpid);
	if (!self || self->role != SFC_ROLE_APP)
		return SFC_V_NEXT;
	ret = sfc_check_source(skb, fw.self_vpid, self, &pkt);
	if (ret)
		return ret;
	if (sfc_is_link_scope(&pkt))
		return SFC_V_NEXT;

	ref = sfc_reply_lookup(&pkt);
	if (ref) {
		fw.spi = ref->spi & SFC_SPI_MAX;
		fw.flow_id = ref->flow_id;
		fw.reply = 1;
		cls.dir = SFC_DIR_EGRESS;
	} else {
		dst_vpid = sfc_local_vpid(pkt.family, pkt.daddr);
		if (!sfc_classify(fw.self_vpid, dst_vpid, &pkt, &cls))
			return sfc_unchained(skb, self, dst_vpid);
		/* Fail closed on a chain that does not exist, before a flow
		 * entry is spent on a packet that goes nowhere. */
		if (cls.spi == SFC_SPI_NO_CHAIN)
			return SFC_DROP_NO_CHAIN;
		fw.spi = cls.spi;
		fw.flow_id = sfc_flow_open(&pkt, cls.spi, fw.self_vpid);
	}
	return sfc_enter_path(skb, &fw, &pkt, cls.dir);
}

SEC("tc")
int sfc_from_pod(struct __sk_buff *skb)
{
	return sfc_exit(sfc_from_pod_main(skb));
}

char LICENSE[] SEC("license") = "GPL";
