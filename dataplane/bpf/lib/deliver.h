/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * deliver.h - hand a plain IP packet (Ethernet | IP) to a local endpoint
 * the way the host's router would: MACs rewritten to the pod's gateway
 * and the pod, TTL / hop limit decremented, then straight into the pod's
 * netns with bpf_redirect_peer (keeps skb->mark, skips the backlog), or
 * out of its host veth when that veth's qdisc shapes the pod's traffic.
 */
#ifndef SFC_BPF_DELIVER_H
#define SFC_BPF_DELIVER_H

#include "lib/maps.h"
#include "lib/parse.h"

/*
 * Decrement the IPv4 TTL (incremental checksum update as in the kernel's
 * ip_decrease_ttl(), RFC 1624) or the IPv6 hop limit.
 * Return: 0, SFC_V_NEXT when it would expire (the kernel then routes it
 * and sends ICMP time exceeded), SFC_DROP_MALFORMED if truncated.
 */
static __always_inline int sfc_ttl_dec(struct __sk_buff *skb)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	int eth_proto = sfc_parse_eth(data, data_end);

	if (eth_proto == ETH_P_IP) {
		struct iphdr *ip = data + ETH_HLEN;
		__u32 check;

		if ((void *)(ip + 1) > data_end)
			return SFC_DROP_MALFORMED;
		if (ip->ttl <= 1)
			return SFC_V_NEXT;
		check = ip->check;
		check += bpf_htons(0x0100);
		ip->check = (__u16)(check + (check >= 0xFFFF));
		ip->ttl--;
		return 0;
	}
	if (eth_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = data + ETH_HLEN;

		if ((void *)(ip6 + 1) > data_end)
			return SFC_DROP_MALFORMED;
		if (ip6->hop_limit <= 1)
			return SFC_V_NEXT;
		ip6->hop_limit--;
		return 0;
	}
	return SFC_DROP_MALFORMED;
}

/* eth dst = @dst, src = @src. Return: 0 or SFC_DROP_MALFORMED. */
static __always_inline int sfc_set_macs(struct __sk_buff *skb,
					const __u8 *dst, const __u8 *src)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return SFC_DROP_MALFORMED;
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
	return 0;
}

/*
 * sfc_deliver() - deliver the plain IP packet in @skb to endpoint @vpid.
 * Return: TC_ACT_REDIRECT, SFC_V_NEXT (TTL expiring), or a drop reason.
 */
static __always_inline int sfc_deliver(struct __sk_buff *skb, __u32 vpid)
{
	struct sfc_endpoint *ep = sfc_endpoint_get(vpid);
	int ret;

	if (!ep)
		return SFC_DROP_NO_ENDPOINT;
	ret = sfc_ttl_dec(skb);
	if (ret)
		return ret;
	ret = sfc_set_macs(skb, ep->mac, ep->host_mac);
	if (ret)
		return ret;
	/* Through the host veth's qdisc when one shapes the pod's ingress. */
	if (ep->flags & SFC_EP_F_SHAPED_IN)
		return bpf_redirect(ep->ifindex, 0);
	return bpf_redirect_peer(ep->ifindex, 0);
}

/* vpid of the local endpoint owning @addr, 0 if the address is not local. */
static __always_inline __u32 sfc_local_vpid(__u8 family, const __be32 *addr)
{
	struct sfc_ip_key key = {};
	__u32 *vpid;

	sfc_ip_key_set(&key, family, addr);
	vpid = bpf_map_lookup_elem(&sfc_ep_by_ip, &key);
	return vpid ? *vpid : 0;
}

/*
 * sfc_deliver_by_dst() - deliver the plain IP packet in @skb to the local
 * endpoint owning its destination address.
 * Return: like sfc_deliver(); SFC_V_NEXT if the destination is not local.
 */
static __always_inline int sfc_deliver_by_dst(struct __sk_buff *skb)
{
	struct sfc_pkt pkt = {};
	__u32 vpid;
	int ret;

	ret = sfc_parse_skb_ip(skb, &pkt);
	if (ret)
		return ret;
	vpid = sfc_local_vpid(pkt.family, pkt.daddr);
	if (!vpid)
		return SFC_V_NEXT;
	return sfc_deliver(skb, vpid);
}

#endif /* SFC_BPF_DELIVER_H */
