/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h - bounds-checked header parsing. Every helper returns a value
 * >= 0 on success or a negative SFC_DROP_* reason on truncation/garbage.
 * Only untagged Ethernet, IPv4 (with options) and IPv6 without extension
 * headers are understood; the classifier matches on the first header.
 */
#ifndef SFC_BPF_PARSE_H
#define SFC_BPF_PARSE_H

#include "lib/defs.h"

/* What the classifier matches on. Addresses in network order, IPv4 in
 * [0]; ports in host order, 0 when the packet carries none (not TCP/UDP,
 * or a non-first fragment). */
struct sfc_pkt {
	__be32 saddr[4];
	__be32 daddr[4];
	__u16 sport;
	__u16 dport;
	__u8 family; /* 4 or 6 */
	__u8 proto;
	__u8 tcp_flags; /* TCP only: byte 13 of the header (FIN 0x01 ...) */
};

#define SFC_TCP_FIN 0x01
#define SFC_TCP_SYN 0x02
#define SFC_TCP_RST 0x04
#define SFC_TCP_ACK 0x10

/* Make the first SFC_PULL_LEN bytes (or the whole packet if shorter)
 * linear so direct packet access sees them. Invalidates packet pointers. */
static __always_inline void sfc_pull_headers(struct __sk_buff *skb)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	__u32 want = skb->len < SFC_PULL_LEN ? skb->len : SFC_PULL_LEN;

	if (data + SFC_PULL_LEN > data_end)
		bpf_skb_pull_data(skb, want);
}

/* Return: host-order EtherType or SFC_DROP_MALFORMED. */
static __always_inline int sfc_parse_eth(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return SFC_DROP_MALFORMED;
	return bpf_ntohs(eth->h_proto);
}

/* Ports of the TCP / UDP header at @l4, which must lie within both the
 * linear data and the @l4_len bytes the IP header says follow it. */
static __always_inline int sfc_parse_ports(void *l4, void *data_end,
					   __u32 l4_len, struct sfc_pkt *pkt)
{
	if (pkt->proto == IPPROTO_TCP_) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end || l4_len < sizeof(*th))
			return SFC_DROP_MALFORMED;
		pkt->sport = bpf_ntohs(th->source);
		pkt->dport = bpf_ntohs(th->dest);
		pkt->tcp_flags = *((__u8 *)th + 13);
	} else if (pkt->proto == IPPROTO_UDP_) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end || l4_len < sizeof(*uh))
			return SFC_DROP_MALFORMED;
		pkt->sport = bpf_ntohs(uh->source);
		pkt->dport = bpf_ntohs(uh->dest);
	}
	return 0;
}

/*
 * The IP packet's length from its header against the @l3_len bytes the
 * frame holds from the IP header on. Shorter is Ethernet padding (a 60-byte
 * minimum frame), which the receiver trims; longer is a truncated packet.
 * 0 in a GSO packet is Linux's BIG TCP (over 64 KiB): the skb's length.
 */
static __always_inline __u32 sfc_ip_len(__u32 len, __u32 l3_len, bool gso)
{
	return !len && gso ? l3_len : len;
}

static __always_inline int sfc_parse_ipv4(void *l3, void *data_end,
					  __u32 l3_len, bool gso,
					  struct sfc_pkt *pkt)
{
	struct iphdr *ip = l3;
	__u32 hlen, tot;

	if ((void *)(ip + 1) > data_end)
		return SFC_DROP_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return SFC_DROP_MALFORMED;
	hlen = ip->ihl * 4;
	if (l3 + hlen > data_end)
		return SFC_DROP_MALFORMED;
	tot = sfc_ip_len(bpf_ntohs(ip->tot_len), l3_len, gso);
	if (tot < hlen || tot > l3_len)
		return SFC_DROP_MALFORMED;
	pkt->family = 4;
	pkt->proto = ip->protocol;
	pkt->saddr[0] = ip->saddr;
	pkt->daddr[0] = ip->daddr;
	/* Only the first fragment carries the L4 header. */
	if (ip->frag_off & bpf_htons(IP_OFFSET_MASK))
		return 0;
	return sfc_parse_ports(l3 + hlen, data_end, tot - hlen, pkt);
}

static __always_inline int sfc_parse_ipv6(void *l3, void *data_end,
					  __u32 l3_len, bool gso,
					  struct sfc_pkt *pkt)
{
	struct ipv6hdr *ip6 = l3;
	__u32 plen;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return SFC_DROP_MALFORMED;
	if (ip6->version != 6)
		return SFC_DROP_MALFORMED;
	/* The whole header is in the linear data: l3_len >= 40. */
	plen = sfc_ip_len(bpf_ntohs(ip6->payload_len), l3_len - sizeof(*ip6),
			  gso);
	if (plen > l3_len - sizeof(*ip6))
		return SFC_DROP_MALFORMED;
	pkt->family = 6;
	pkt->proto = ip6->nexthdr;
	for (i = 0; i < 4; i++) {
		pkt->saddr[i] = ip6->saddr.in6_u.u6_addr32[i];
		pkt->daddr[i] = ip6->daddr.in6_u.u6_addr32[i];
	}
	return sfc_parse_ports(ip6 + 1, data_end, plen, pkt);
}

/*
 * sfc_parse_ip() - parse the IP packet right after the Ethernet header of
 * @skb, whose linear data is @data..@data_end.
 * @eth_proto: host-order EtherType from sfc_parse_eth().
 * Return: 0 with @pkt filled, SFC_V_NEXT if not IPv4/IPv6,
 * SFC_DROP_MALFORMED if truncated or invalid: a header cut short, or an
 * IP length beyond the frame, under the IP header, or leaving no room for
 * the TCP / UDP header.
 */
static __always_inline int sfc_parse_ip(struct __sk_buff *skb, void *data,
					void *data_end, int eth_proto,
					struct sfc_pkt *pkt)
{
	/* The caller found an Ethernet header in the linear data. */
	__u32 l3_len = skb->len - ETH_HLEN;
	bool gso = skb->gso_size != 0;

	if (eth_proto == ETH_P_IP)
		return sfc_parse_ipv4(data + ETH_HLEN, data_end, l3_len, gso, pkt);
	if (eth_proto == ETH_P_IPV6)
		return sfc_parse_ipv6(data + ETH_HLEN, data_end, l3_len, gso, pkt);
	return SFC_V_NEXT;
}

/*
 * sfc_parse_skb() - parse @skb's Ethernet and IP headers (direct access:
 * the caller made them linear, e.g. sfc_pull_headers()) into @pkt.
 * Return: like sfc_parse_ip(), or SFC_DROP_MALFORMED without an Ethernet
 * header.
 */
static __always_inline int sfc_parse_skb(struct __sk_buff *skb,
					 struct sfc_pkt *pkt)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	int ret = sfc_parse_eth(data, data_end);

	if (ret < 0)
		return ret;
	return sfc_parse_ip(skb, data, data_end, ret, pkt);
}

/*
 * sfc_parse_skb_ip() - sfc_parse_skb() for a packet that must be IP (it
 * left an NSH path or an SF): anything else is malformed.
 * Return: 0 or SFC_DROP_MALFORMED.
 */
static __always_inline int sfc_parse_skb_ip(struct __sk_buff *skb,
					    struct sfc_pkt *pkt)
{
	int ret = sfc_parse_skb(skb, pkt);

	return ret == SFC_V_NEXT ? SFC_DROP_MALFORMED : ret;
}

/*
 * Link-scope traffic: IPv6 link-local / multicast destinations (neighbour
 * discovery, router solicitations) and IPv4 multicast / broadcast. It
 * belongs to the pod's link, not to a flow, and must keep working even
 * when a chain's SF is down, so it never enters a chain.
 */
static __always_inline bool sfc_is_link_scope(const struct sfc_pkt *pkt)
{
	__u32 d0 = bpf_ntohl(pkt->daddr[0]);

	if (pkt->family == 6)
		return (d0 >> 24) == 0xFF || (d0 >> 22) == (0xFE80 >> 6);
	return (d0 >> 28) == 0xE || d0 == 0xFFFFFFFFu;
}

/* Key of sfc_ep_by_ip for @addr of @family. */
static __always_inline void sfc_ip_key_set(struct sfc_ip_key *key, __u8 family,
					   const __be32 *addr)
{
	key->family = family;
	key->addr[0] = addr[0];
	if (family == 6) {
		key->addr[1] = addr[1];
		key->addr[2] = addr[2];
		key->addr[3] = addr[3];
	}
}

#endif /* SFC_BPF_PARSE_H */
