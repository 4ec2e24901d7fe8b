/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nsh.h - the NSH (RFC 8300) we push and accept: base header (section 2.2),
 * service path header (section 2.3) and one MD type 2 context header
 * (section 2.5) carrying struct sfc_tlv_endpoint: 20 bytes. An SF may
 * return it with one more context header (flow programming, flowprog.h).
 */
#ifndef SFC_BPF_NSH_H
#define SFC_BPF_NSH_H

#include "lib/defs.h"

/* First NSH word (host order): Ver 0, O 0, TTL, Length, MD type 2, NP. */
static __always_inline __u32 sfc_nsh_word(__u32 ttl, __u32 np)
{
	return (SFC_NSH_VERSION << SFC_NSH_VER_SHIFT) |
	       ((ttl & SFC_NSH_TTL_MASK) << SFC_NSH_TTL_SHIFT) |
	       (SFC_NSH_LEN_WORDS << SFC_NSH_LEN_SHIFT) |
	       (SFC_NSH_MD_TYPE_2 << SFC_NSH_MDTYPE_SHIFT) |
	       (np & SFC_NSH_NP_MASK);
}

/* Bounds-checked NSH right after the Ethernet header, or NULL; @eth (if
 * not NULL) gets the Ethernet header derived from the same checked base,
 * since every fresh load of skb->data starts with no verified range. */
static __always_inline struct sfc_nsh_hdr *sfc_nsh_at(struct __sk_buff *skb,
						       struct ethhdr **eth)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct sfc_nsh_hdr *nsh = data + ETH_HLEN;

	if ((void *)(nsh + 1) > data_end)
		return 0;
	if (eth)
		*eth = data;
	return nsh;
}

/*
 * sfc_nsh_push() - insert our NSH between the Ethernet and the IP header.
 * BPF_F_ADJ_ROOM_FIXED_GSO keeps gso_size: pods keep their MSS and GSO
 * super-packets stay whole (SF interfaces carry the extra MTU instead).
 * Only while skb->protocol is IPv4/IPv6 (the kernel refuses otherwise).
 * @word: first NSH word (host order, see sfc_nsh_word()); @sp: SPI/SI;
 * @ep: the endpoint TLV value, copied as is.
 * Return: 0, SFC_DROP_ENCAP if the kernel refused, SFC_DROP_MALFORMED.
 */
static __always_inline int sfc_nsh_push(struct __sk_buff *skb, __u32 word,
					__u32 sp,
					const struct sfc_tlv_endpoint *ep)
{
	struct sfc_nsh_hdr *nsh;
	struct ethhdr *eth;

	if (bpf_skb_adjust_room(skb, SFC_NSH_LEN, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO))
		return SFC_DROP_ENCAP;
	nsh = sfc_nsh_at(skb, &eth);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	eth->h_proto = bpf_htons(SFC_ETH_P_NSH);
	nsh->base.word = bpf_htonl(word);
	nsh->base.sp = bpf_htonl(sp);
	nsh->tlv.md_class = bpf_htons(SFC_NSH_MD_CLASS);
	nsh->tlv.type = SFC_TLV_ENDPOINT;
	nsh->tlv.len = sizeof(struct sfc_tlv_endpoint);
	nsh->ep = *ep;
	return 0;
}

/* Strip our NSH while skb->protocol is IP (see sfc_nsh_push()); the
 * EtherType becomes @proto. Return: 0, SFC_DROP_ENCAP, SFC_DROP_MALFORMED. */
static __always_inline int sfc_nsh_strip(struct __sk_buff *skb, __be16 proto)
{
	struct ethhdr *eth;

	if (bpf_skb_adjust_room(skb, -(__s32)SFC_NSH_LEN, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO))
		return SFC_DROP_ENCAP;
	eth = sfc_data(skb);
	if ((void *)(eth + 1) > sfc_data_end(skb))
		return SFC_DROP_MALFORMED;
	eth->h_proto = proto;
	return 0;
}

/* The NSH shapes sfc_nsh_check() accepts. */
enum sfc_nsh_shape {
	SFC_NSH_PLAIN = 0,  /* 20 bytes: base, SP, endpoint TLV */
	SFC_NSH_CTRL = 1,   /* 32: one more context header (an SF's control
			     * TLV, checked by sfc_ctrl_apply()) */
	SFC_NSH_COUNTS = 2, /* 64: an SF's counts query (OAM) */
	SFC_NSH_NAT = 3,    /* 48: an SF's translation TLV (lib/xlate.h) */
};

/*
 * sfc_nsh_check() - accept only the NSH we emit, or what an SF may return
 * on top of it: version 0 (RFC 8300 section 2.2), MD type 2, first context
 * header our MD class / endpoint TLV of 8 bytes, Length 5 words, or 8 (a
 * control TLV follows), 12 (a translation TLV follows) or 16 (a counts
 * query follows). SFs must not change its shape otherwise.
 * Return: enum sfc_nsh_shape or SFC_DROP_BAD_NSH.
 */
static __always_inline int sfc_nsh_check(const struct sfc_nsh_hdr *nsh)
{
	__u32 w = bpf_ntohl(nsh->base.word), len;

	if ((w >> SFC_NSH_VER_SHIFT) != SFC_NSH_VERSION)
		return SFC_DROP_BAD_NSH;
	if (((w >> SFC_NSH_MDTYPE_SHIFT) & SFC_NSH_MDTYPE_MASK) !=
	    SFC_NSH_MD_TYPE_2)
		return SFC_DROP_BAD_NSH;
	if (nsh->tlv.md_class != bpf_htons(SFC_NSH_MD_CLASS) ||
	    (nsh->tlv.type & 0x7F) != SFC_TLV_ENDPOINT ||
	    nsh->tlv.len != sizeof(struct sfc_tlv_endpoint))
		return SFC_DROP_BAD_NSH;
	len = (w >> SFC_NSH_LEN_SHIFT) & SFC_NSH_LEN_MASK;
	if (len == SFC_NSH_LEN_WORDS)
		return SFC_NSH_PLAIN;
	if (len == SFC_NSH_CTRL_LEN_WORDS)
		return SFC_NSH_CTRL;
	if (len == SFC_NSH_COUNTS_LEN_WORDS)
		return SFC_NSH_COUNTS;
	if (len == SFC_NSH_NAT_LEN_WORDS)
		return SFC_NSH_NAT;
	return SFC_DROP_BAD_NSH;
}

/* EtherType (network order) of the payload named by NSH Next Protocol,
 * or 0 for anything we cannot deliver. */
static __always_inline __be16 sfc_nsh_np_ethertype(const struct sfc_nsh_hdr *nsh)
{
	__u32 np = bpf_ntohl(nsh->base.word) & SFC_NSH_NP_MASK;

	if (np == SFC_NSH_NP_IPV4)
		return bpf_htons(ETH_P_IP);
	if (np == SFC_NSH_NP_IPV6)
		return bpf_htons(ETH_P_IPV6);
	return 0;
}

#endif /* SFC_BPF_NSH_H */
