/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xlate.h - stateful offload: the translation an SF (sf-nat) hands the
 * SFF with SFC_TLV_NAT (sfc_common.h), recorded per flow and hop in
 * sfc_flow_nat, and applied in the SF's place to the packets of a flow
 * that skips the hop: IPv4 address and TCP/UDP port or ICMP echo id, the
 * IPv4 header checksum and the L4 checksum with the kernel's helpers,
 * which know CHECKSUM_PARTIAL (only the pseudo header is in the field
 * then, and a port is summed later) and CHECKSUM_COMPLETE skbs; GSO
 * packets are rewritten once, their segments inherit the headers.
 *
 * Both functions are BPF global functions (see flowprog.h).
 */
#ifndef SFC_BPF_XLATE_H
#define SFC_BPF_XLATE_H

#include "lib/flowprog.h"

#define SFC_IP_FRAG_MASK 0x3FFF /* MF and the fragment offset */
#define SFC_ICMP_ECHO_REPLY 0
#define SFC_ICMP_ECHO_REQUEST 8
#define IPPROTO_ICMP_ 1

/* The inner IPv4 packet as a translation sees it (network order). */
struct sfc_xl_pkt {
	__be32 saddr, daddr;
	__be16 sport, dport; /* ICMP echo: the id, both */
	__u32 l3, l4;        /* offsets in the frame */
	__u8 proto;
	__u8 icmp_type;
};

/*
 * The IPv4 packet at offset @l3 of @skb: TCP, UDP or ICMP echo, not a
 * fragment. Return: 0 with @x filled, -1 for anything else (the
 * translation does not apply).
 */
static __always_inline int sfc_xl_parse(struct __sk_buff *skb, __u32 l3,
					struct sfc_xl_pkt *x)
{
	__u8 l4[8];
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, l3, &ip, sizeof(ip)) || ip.version != 4 ||
	    ip.ihl < 5 || (ip.frag_off & bpf_htons(SFC_IP_FRAG_MASK)))
		return -1;
	x->l3 = l3;
	x->l4 = l3 + ip.ihl * 4;
	x->proto = ip.protocol;
	x->saddr = ip.saddr;
	x->daddr = ip.daddr;
	if (x->proto == IPPROTO_TCP_ || x->proto == IPPROTO_UDP_) {
		if (bpf_skb_load_bytes(skb, x->l4, l4, 4))
			return -1;
		__builtin_memcpy(&x->sport, l4, 2);
		__builtin_memcpy(&x->dport, l4 + 2, 2);
		return 0;
	}
	if (x->proto != IPPROTO_ICMP_ || bpf_skb_load_bytes(skb, x->l4, l4, 8))
		return -1;
	x->icmp_type = l4[0];
	if (x->icmp_type != SFC_ICMP_ECHO_REQUEST &&
	    x->icmp_type != SFC_ICMP_ECHO_REPLY)
		return -1;
	__builtin_memcpy(&x->sport, l4 + 4, 2);
	x->dport = x->sport;
	return 0;
}

/*
 * Rewrite the source (@dst false) or destination address @from_a -> @to_a
 * and port / echo id @from_p -> @to_p of @x in @skb. Checksums first (the
 * helpers read the old field), then the bytes. The L4 checksum covers the
 * address through the pseudo header (TCP, UDP; BPF_F_PSEUDO_HDR), the
 * port always; a UDP checksum of 0 (none) stays 0 and a computed 0 is
 * sent as 0xFFFF (BPF_F_MARK_MANGLED_0, RFC 768).
 * Return: 0 or SFC_DROP_ENCAP.
 */
static __always_inline int sfc_xl_rewrite(struct __sk_buff *skb,
					  const struct sfc_xl_pkt *x, bool dst,
					  __be32 from_a, __be32 to_a,
					  __be16 from_p, __be16 to_p)
{
	__u32 aoff = x->l3 + (dst ? 16 : 12);
	__u32 poff = x->l4 + (x->proto == IPPROTO_ICMP_ ? 4 : dst ? 2 : 0);
	__u32 coff = x->l4 + (x->proto == IPPROTO_TCP_ ? 16 :
			      x->proto == IPPROTO_UDP_ ? 6 : 2);
	__u64 mz = x->proto == IPPROTO_UDP_ ? BPF_F_MARK_MANGLED_0 : 0;

	if (x->proto != IPPROTO_ICMP_ &&
	    bpf_l4_csum_replace(skb, coff, from_a, to_a,
				BPF_F_PSEUDO_HDR | mz | sizeof(to_a)))
		return SFC_DROP_ENCAP;
	if (bpf_l4_csum_replace(skb, coff, from_p, to_p, mz | sizeof(to_p)) ||
	    bpf_l3_csum_replace(skb, x->l3 + 10, from_a, to_a, sizeof(to_a)) ||
	    bpf_skb_store_bytes(skb, aoff, &to_a, sizeof(to_a), 0) ||
	    bpf_skb_store_bytes(skb, poff, &to_p, sizeof(to_p), 0))
		return SFC_DROP_ENCAP;
	return 0;
}

/*
 * sfc_nat_apply() - translate the packet (20-byte NSH in place) of flow
 * @flow_id (entry born @born) at forward hop index @meta & 0xFF, @meta bit
 * 8 for a reply, as the SF there asked: a forward packet from orig_addr:
 * orig_port leaves from new_addr:new_port, a reply to new_addr:new_port
 * goes to orig_addr:orig_port. Anything else (no translation recorded,
 * another protocol or address, a fragment) is counted in NAT_MISS and
 * left to the SF.
 * Return: 1 translated, 0 not (serve the SF), or SFC_DROP_ENCAP.
 */
__attribute__((noinline)) int sfc_nat_apply(struct __sk_buff *skb,
					    __u32 flow_id, __u32 meta,
					    __u32 born)
{
	struct sfc_count_key key = { .flow_id = flow_id, .hop = meta & 0xFFu,
				     .born = born };
	bool reply = meta & 0x100u;
	struct sfc_nat_xlate *p, xl;
	struct sfc_xl_pkt x = {};
	int ret;

	if (!skb)
		return 0;
	p = bpf_map_lookup_elem(&sfc_flow_nat, &key);
	if (!p)
		goto miss;
	xl = *p;
	if (sfc_xl_parse(skb, ETH_HLEN + SFC_NSH_LEN, &x) || x.proto != xl.proto)
		goto miss;
	if (!reply) {
		if (x.saddr != xl.orig_addr || x.sport != xl.orig_port ||
		    (x.proto == IPPROTO_ICMP_ &&
		     x.icmp_type != SFC_ICMP_ECHO_REQUEST))
			goto miss;
		ret = sfc_xl_rewrite(skb, &x, false, xl.orig_addr, xl.new_addr,
				     xl.orig_port, xl.new_port);
		return ret ? ret : 1;
	}
	if (x.daddr != xl.new_addr || x.dport != xl.new_port ||
	    (x.proto == IPPROTO_ICMP_ && x.icmp_type != SFC_ICMP_ECHO_REPLY))
		goto miss;
	ret = sfc_xl_rewrite(skb, &x, true, xl.new_addr, xl.orig_addr,
			     xl.new_port, xl.orig_port);
	return ret ? ret : 1;
miss:
	sfc_ctrl_stat(SFC_CTRL_ST_NAT_MISS);
	return 0;
}

/* The NAT TLV as it follows the endpoint TLV. */
struct sfc_nat_tlv_wire {
	struct sfc_nsh_tlv_hdr h;
	struct sfc_tlv_nat n;
};

/* Does the carrier @x (after the SF) show translation @t (its @reply
 * direction)? */
static __always_inline bool sfc_xl_carried(const struct sfc_xl_pkt *x,
					   const struct sfc_tlv_nat *t,
					   bool reply)
{
	if (x->proto != t->proto)
		return false;
	if (reply)
		return x->daddr == t->orig_addr && x->dport == t->orig_port;
	return x->saddr == t->new_addr && x->sport == t->new_port;
}

/*
 * sfc_nat_record() - the SFC_TLV_NAT SF @meta >> 16 put on a packet of
 * flow @flow_id it returned from hop (@spi, SI @meta & 0xFF), @meta bit 8
 * on the reverse SFP (SFC_FWD_META of the SI served). The caller checked
 * that the hop is the SF's. Recorded like a counted BYPASS (the same
 * checks, in sfc_ctrl_stats) plus: a known protocol, no flags, and the
 * carrier translated as the TLV says; the SF's epoch is taken first.
 * Return: 0 (the packet goes on either way).
 */
__attribute__((noinline)) int sfc_nat_record(struct __sk_buff *skb, __u32 spi,
					     __u32 meta, __u32 flow_id)
{
	__u32 si = meta & 0xFFu, vpid = meta >> 16, pin = 0, sp, bits;
	struct sfc_count_key key = { .flow_id = flow_id };
	struct sfc_nat_xlate xl = {}, *old;
	bool reply = meta & 0x100u;
	struct sfc_nat_tlv_wire t;
	struct sfc_xl_pkt x = {};
	struct sfc_flow *f = 0;
	struct sfc_hop *hop;

	if (!skb)
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + SFC_NSH_LEN, &t, sizeof(t)) ||
	    t.h.md_class != bpf_htons(SFC_NSH_MD_CLASS) ||
	    (t.h.type & 0x7F) != SFC_TLV_NAT || t.h.len != sizeof(t.n)) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_TLV);
		return 0;
	}
	if (t.n.version != SFC_CTRL_VERSION) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_VERSION);
		return 0;
	}
	if (t.n.flags || (t.n.proto != IPPROTO_TCP_ && t.n.proto != IPPROTO_UDP_ &&
			  t.n.proto != IPPROTO_ICMP_)) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_ACTION);
		return 0;
	}
	if (bpf_ntohl(t.n.flow_id) == flow_id)
		f = sfc_flow_of_sf(flow_id, spi, si, reply, vpid, &pin);
	if (!f || sfc_xl_parse(skb, ETH_HLEN + SFC_NSH_NAT_LEN, &x) ||
	    !sfc_xl_carried(&x, &t.n, reply)) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_FLOW);
		return 0;
	}
	sp = SFC_SP(spi, si);
	hop = bpf_map_lookup_elem(&sfc_paths, &sp);
	if (!hop || hop->gen != f->gen) {
		sfc_ctrl_stat(SFC_CTRL_ST_STALE);
		return 0;
	}
	sfc_sf_epoch(vpid, bpf_ntohl(t.n.epoch));
	xl.orig_addr = t.n.orig_addr;
	xl.new_addr = t.n.new_addr;
	xl.orig_port = t.n.orig_port;
	xl.new_port = t.n.new_port;
	xl.proto = t.n.proto;
	key.hop = pin;
	key.born = f->born;
	bits = SFC_FLOW_PROG_SKIP(pin) | SFC_FLOW_PROG_COUNT(pin);
	old = bpf_map_lookup_elem(&sfc_flow_nat, &key);
	if ((f->prog & bits) == bits && (f->nat & SFC_FLOW_PROG_SKIP(pin)) &&
	    sfc_prog_gens_current(f, SFC_FLOW_PROG_SKIP(pin)) && old &&
	    old->orig_addr == xl.orig_addr && old->new_addr == xl.new_addr &&
	    old->orig_port == xl.orig_port && old->new_port == xl.new_port &&
	    old->proto == xl.proto) {
		sfc_ctrl_stat(SFC_CTRL_ST_REPEAT);
		return 0;
	}
	if (!sfc_prog_admit(vpid)) {
		sfc_ctrl_stat(SFC_CTRL_ST_OVER_BOUND);
		return 0;
	}
	if (bpf_map_update_elem(&sfc_flow_nat, &key, &xl, BPF_ANY))
		return 0;
	sfc_prog_record(f, SFC_FLOW_PROG_SKIP(pin), t.n.idle);
	f->prog |= bits;
	f->nat |= (__u16)SFC_FLOW_PROG_SKIP(pin);
	sfc_ctrl_stat(SFC_CTRL_ST_NAT);
	return 0;
}

#endif /* SFC_BPF_XLATE_H */
