/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * source.h - anti-spoofing: a packet leaving an app pod must carry the
 * pod's own source MAC and a source address of the pod.
 *
 * The classifier matches ingress rules on the source address, and
 * delivery to a local pod skips the kernel's routing (and its reverse
 * path filter): a pod sending with another pod's address would otherwise
 * pass a chain meant for that peer, or skip it. SF pods are not checked
 * here: their packets are the SFF's business (sfc_from_sf), which accepts
 * only NSH of a hop the SF serves and plain IP it proxied.
 */
#ifndef SFC_BPF_SOURCE_H
#define SFC_BPF_SOURCE_H

#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/deliver.h"

/* The unspecified address (0.0.0.0, ::) or, in IPv6, a link-local one
 * (fe80::/10): sources of the pod's link-scope traffic before or without
 * a global address (DHCP, DAD and its MLD reports, ND, router
 * solicitation). */
static __always_inline bool sfc_src_link_only(const struct sfc_pkt *pkt)
{
	__u32 s0 = bpf_ntohl(pkt->saddr[0]);

	if (pkt->family == 4)
		return !s0;
	if ((s0 >> 22) == (0xFE80 >> 6))
		return true;
	return !(pkt->saddr[0] | pkt->saddr[1] | pkt->saddr[2] | pkt->saddr[3]);
}

/* Is the source of @pkt in a prefix allowed for @vpid (sfc_allowed_src)? */
static __always_inline bool sfc_src_allowed(__u32 vpid, const struct sfc_pkt *pkt)
{
	struct sfc_src_key key = {
		.prefixlen = SFC_SRC_KEY_BITS + (pkt->family == 4 ? 32 : 128),
		.vpid = vpid,
		.family = pkt->family,
	};

	key.addr[0] = pkt->saddr[0];
	if (pkt->family == 6) {
		key.addr[1] = pkt->saddr[1];
		key.addr[2] = pkt->saddr[2];
		key.addr[3] = pkt->saddr[3];
	}
	return bpf_map_lookup_elem(&sfc_allowed_src, &key) != 0;
}

/*
 * sfc_check_source() - may app endpoint @vpid (@ep) send IP packet @pkt
 * (@skb, already parsed)? Its source MAC must be @ep->mac, the MAC
 * delivery writes (set at ADD, then learned from the pod's ARP / ND:
 * lib/neigh.h; all zero = not known, not checked), and its source address
 * one of the pod's (sfc_ep_by_ip) or in a prefix allowed for it
 * (sfc_allowed_src). Link-scope traffic from the unspecified or an IPv6
 * link-local address is left to the kernel, which does not forward it.
 * The pod's own address costs one hash lookup; only other sources pay
 * the trie.
 * Return: 0 (go on), SFC_V_NEXT (link-scope, the kernel's) or
 * SFC_DROP_SPOOFED.
 */
static __always_inline int sfc_check_source(struct __sk_buff *skb, __u32 vpid,
					    const struct sfc_endpoint *ep,
					    const struct sfc_pkt *pkt)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct ethhdr *eth = data;
	__u8 known = 0, diff = 0;
	int i;

	if ((void *)(eth + 1) > data_end)
		return SFC_DROP_MALFORMED;
#pragma unroll
	for (i = 0; i < ETH_ALEN; i++) {
		known |= ep->mac[i];
		diff |= ep->mac[i] ^ eth->h_source[i];
	}
	if (known && diff)
		return SFC_DROP_SPOOFED;
	if (sfc_local_vpid(pkt->family, pkt->saddr) == vpid ||
	    sfc_src_allowed(vpid, pkt))
		return 0;
	if (sfc_src_link_only(pkt) && sfc_is_link_scope(pkt))
		return SFC_V_NEXT;
	return SFC_DROP_SPOOFED;
}

#endif /* SFC_BPF_SOURCE_H */
