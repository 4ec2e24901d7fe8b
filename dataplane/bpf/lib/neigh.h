/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * neigh.h - the pod's link layer, seen from its host veth: learn the pod's
 * MAC, answer its neighbour requests for the gateway.
 *
 * Delivery writes the endpoint's recorded MAC as the destination, and the
 * pod's kernel drops frames for any other unicast MAC. A plugin later in
 * the conflist (tuning with "mac") or the pod itself may change that MAC
 * after sfc-cni's ADD. The kernel announces the change (gratuitous ARP /
 * unsolicited NA: sfc-cni turns on arp_notify and ndisc_notify in the pod)
 * and answers probes from the new MAC, so the source MAC of the pod's ARP
 * and ICMPv6 NS/NA frames is the truth. Only those frames are looked at:
 * data packets pay nothing.
 *
 * A MAC change also flushes the pod's neighbour table, including the
 * permanent gateway entry sfc-cni installed, and the gateway address lives
 * nowhere on the host. So the host veth answers, as the gateway, every ARP
 * request and neighbour solicitation of the pod for an address that is not
 * the pod's own (the pod is on a point-to-point link: all it can reach
 * there is the host), the way a router's proxy ARP would.
 */
#ifndef SFC_BPF_NEIGH_H
#define SFC_BPF_NEIGH_H

#include "lib/maps.h"
#include "lib/deliver.h"

#define ETH_P_ARP 0x0806
#define ARPOP_REQUEST_ 1
#define ARPOP_REPLY_ 2
#define IPPROTO_ICMPV6_ 58
#define ICMPV6_ND_NS 135
#define ICMPV6_ND_NA 136
#define ND_OPT_TLLA 2
#define ND_NA_F_ROUTER_SOLICITED_OVERRIDE 0xE0000000u

/* ARP for IPv4 over Ethernet (RFC 826), the only kind a veth carries. */
struct sfc_arp {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__be32 spa;
	__u8 tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

/* ICMPv6 neighbour solicitation / advertisement with one link-layer
 * address option (RFC 4861 sections 4.3, 4.4, 4.6.1). */
struct sfc_nd {
	__u8 type, code;
	__sum16 csum;
	__be32 flags;
	__be32 target[4];
	__u8 opt_type, opt_len;
	__u8 opt_mac[ETH_ALEN];
};

#define SFC_ND_NS_MIN (ETH_HLEN + sizeof(struct ipv6hdr) + 24)
#define SFC_ND_NA_LEN (ETH_HLEN + sizeof(struct ipv6hdr) + sizeof(struct sfc_nd))

/* True for an ICMPv6 neighbour solicitation or advertisement. */
static __always_inline bool sfc_is_nd_frame(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	__u8 *type = (void *)(ip6 + 1);

	if ((void *)(type + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IPV6) ||
	    ip6->nexthdr != IPPROTO_ICMPV6_)
		return false;
	return *type == ICMPV6_ND_NS || *type == ICMPV6_ND_NA;
}

/*
 * sfc_learn_mac() - @skb is an ARP or NS/NA frame received from app
 * endpoint @ep's pod: if it comes from a unicast MAC other than the
 * recorded one, record it. A pod can only misdirect frames meant for
 * itself this way.
 */
static __always_inline void sfc_learn_mac(struct __sk_buff *skb,
					  struct sfc_endpoint *ep)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct ethhdr *eth = data;
	bool same = true;
	int i;

	if ((void *)(eth + 1) > data_end)
		return;
	if (eth->h_source[0] & 1) /* multicast / broadcast: not a station */
		return;
#pragma unroll
	for (i = 0; i < ETH_ALEN; i++)
		same &= ep->mac[i] == eth->h_source[i];
	if (!same)
		__builtin_memcpy(ep->mac, eth->h_source, ETH_ALEN);
}

/* Send the rewritten frame back out of the host veth, to the pod. */
static __always_inline int sfc_reply_to_pod(struct __sk_buff *skb)
{
	return bpf_redirect(skb->ifindex, 0);
}

/*
 * sfc_arp_respond() - answer @vpid's ARP request for any address but its
 * own with the host veth MAC @ep->host_mac, in place (RFC 826 reply).
 * Return: TC_ACT_REDIRECT, or SFC_V_NEXT to leave the frame to the kernel.
 */
static __always_inline int sfc_arp_respond(struct __sk_buff *skb, __u32 vpid,
					   const struct sfc_endpoint *ep)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct ethhdr *eth = data;
	struct sfc_arp *arp = data + ETH_HLEN;
	__be32 tpa;

	if ((void *)(arp + 1) > data_end)
		return SFC_V_NEXT;
	if (arp->htype != bpf_htons(1) || arp->ptype != bpf_htons(ETH_P_IP) ||
	    arp->hlen != ETH_ALEN || arp->plen != 4 ||
	    arp->op != bpf_htons(ARPOP_REQUEST_))
		return SFC_V_NEXT;
	tpa = arp->tpa;
	/* Gratuitous (announce / probe for itself) or for its own address. */
	if (tpa == arp->spa || !arp->spa || sfc_local_vpid(4, &tpa) == vpid)
		return SFC_V_NEXT;
	arp->op = bpf_htons(ARPOP_REPLY_);
	__builtin_memcpy(arp->tha, arp->sha, ETH_ALEN);
	arp->tpa = arp->spa;
	__builtin_memcpy(arp->sha, ep->host_mac, ETH_ALEN);
	arp->spa = tpa;
	__builtin_memcpy(eth->h_dest, arp->tha, ETH_ALEN);
	__builtin_memcpy(eth->h_source, ep->host_mac, ETH_ALEN);
	return sfc_reply_to_pod(skb);
}

static __always_inline __u16 sfc_csum_fold(__u32 sum)
{
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * sfc_nd_respond() - answer @vpid's neighbour solicitation for any address
 * but its own with a solicited neighbour advertisement (RFC 4861 7.2.4:
 * Router, Solicited and Override set, target link-layer address option =
 * @ep->host_mac). DAD probes (unspecified source) are left to the kernel.
 * Return: TC_ACT_REDIRECT, SFC_V_NEXT, or SFC_DROP_MALFORMED.
 */
static __always_inline int sfc_nd_respond(struct __sk_buff *skb, __u32 vpid,
					  const struct sfc_endpoint *ep)
{
	struct {
		struct ipv6hdr ip6;
		struct sfc_nd na;
	} r = {};
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	struct sfc_nd *ns = (void *)(ip6 + 1);
	__u8 mac[ETH_ALEN];
	__be32 pseudo[2];
	__u32 sum;

	if (data + SFC_ND_NS_MIN > data_end || ns->type != ICMPV6_ND_NS ||
	    ns->code || ip6->hop_limit != 255)
		return SFC_V_NEXT;
	if (!(ip6->saddr.in6_u.u6_addr32[0] | ip6->saddr.in6_u.u6_addr32[1] |
	      ip6->saddr.in6_u.u6_addr32[2] | ip6->saddr.in6_u.u6_addr32[3]))
		return SFC_V_NEXT;
	if (sfc_local_vpid(6, ns->target) == vpid)
		return SFC_V_NEXT;

	__builtin_memcpy(mac, ((struct ethhdr *)data)->h_source, ETH_ALEN);
	r.ip6.version = 6;
	r.ip6.payload_len = bpf_htons(sizeof(struct sfc_nd));
	r.ip6.nexthdr = IPPROTO_ICMPV6_;
	r.ip6.hop_limit = 255;
	__builtin_memcpy(&r.ip6.saddr, ns->target, 16);
	__builtin_memcpy(&r.ip6.daddr, &ip6->saddr, 16);
	r.na.type = ICMPV6_ND_NA;
	r.na.flags = bpf_htonl(ND_NA_F_ROUTER_SOLICITED_OVERRIDE);
	__builtin_memcpy(r.na.target, ns->target, 16);
	r.na.opt_type = ND_OPT_TLLA;
	r.na.opt_len = 1;
	__builtin_memcpy(r.na.opt_mac, ep->host_mac, ETH_ALEN);

	/* ICMPv6 checksum over the pseudo-header (RFC 8200 8.1) and the NA. */
	pseudo[0] = bpf_htonl(sizeof(struct sfc_nd));
	pseudo[1] = bpf_htonl(IPPROTO_ICMPV6_);
	sum = bpf_csum_diff(0, 0, (__be32 *)&r.ip6.saddr, 32, 0);
	sum = bpf_csum_diff(0, 0, pseudo, sizeof(pseudo), sum);
	sum = bpf_csum_diff(0, 0, (__be32 *)&r.na, sizeof(r.na), sum);
	r.na.csum = sfc_csum_fold(sum);

	if (skb->len != SFC_ND_NA_LEN &&
	    bpf_skb_change_tail(skb, SFC_ND_NA_LEN, 0))
		return SFC_DROP_MALFORMED;
	if (bpf_skb_store_bytes(skb, ETH_HLEN, &r, sizeof(r), 0))
		return SFC_DROP_MALFORMED;
	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	if (data + ETH_HLEN > data_end)
		return SFC_DROP_MALFORMED;
	__builtin_memcpy(((struct ethhdr *)data)->h_dest, mac, ETH_ALEN);
	__builtin_memcpy(((struct ethhdr *)data)->h_source, ep->host_mac, ETH_ALEN);
	return sfc_reply_to_pod(skb);
}

#endif /* SFC_BPF_NEIGH_H */
