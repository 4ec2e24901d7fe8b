// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_sff.bpf.c - sfc_from_sf: tcx ingress of an SF endpoint's host-side
 * veth, i.e. packets an SF sends back to the SFF (RFC 8300 section 4).
 *
 * Validates the NSH, consumes OAM liveness echoes, decrements the NSH TTL,
 * checks the SF served the hop it claims to have served, and runs the SFF
 * forward step. Plain IP coming back from an SFC-unaware SF gets its NSH
 * back from the SFC proxy state. An SF's control TLV is recorded and
 * stripped, its counts queries answered (lib/flowprog.h). Also runs the
 * second pass of packets it re-injected itself: decap (see
 * sfc_strip_then() in lib/sff.h) and control TLV strip.
 */
#include "lib/defs.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/nsh.h"
#include "lib/deliver.h"
#include "lib/flowprog.h"
#include "lib/sff.h"
#include "lib/verdict.h"

/*
 * Second pass of a packet re-injected by sfc_strip_then(): skb->protocol
 * is IP now, so the NSH can be stripped; its SP names the hop reached.
 * The low bits of the mark say what follows: deliver (0) or the SFC proxy
 * to that unaware SF. Only we set this mark: marks are scrubbed when a
 * packet crosses into this netns from a pod.
 */
static __always_inline int sfc_decap_pass(struct __sk_buff *skb, __u32 mark)
{
	__u32 target = mark & SFC_MARK_VPID_MASK, word, sp, flow_id;
	struct sfc_nsh_hdr *nsh;
	struct ethhdr *eth;
	__u8 reply;
	__u64 ep;
	int ret;

	skb->mark = 0;
	nsh = sfc_nsh_at(skb, &eth);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	word = bpf_ntohl(nsh->base.word);
	sp = bpf_ntohl(nsh->base.sp);
	ep = sfc_ep_u64(&nsh->ep);
	flow_id = bpf_ntohl(nsh->ep.flow_id);
	reply = nsh->ep.flags & SFC_TLV_F_REPLY;
	ret = sfc_nsh_strip(skb, eth->h_proto);
	if (ret)
		return ret;
	if (target)
		return sfc_proxy_send(skb, target, word, sp, ep);
	return sfc_end_deliver(skb, SFC_SP_SPI(sp),
			      SFC_FWD_META(SFC_SP_SI(sp), reply, 0), flow_id);
}

/*
 * Second pass of a packet whose control or translation TLV
 * sfc_ctrl_reinject() left in place: skb->protocol is IP now, so the TLV
 * (12 or 28 bytes, from the NSH Length) can go. The 20-byte NSH (Length
 * set back to 5) is written over the TLV's end and as many bytes after
 * the Ethernet header are cut; then the SFF forward step runs at the SP
 * the SF returned (TTL and hop already checked in the first pass).
 */
static __always_inline int sfc_ctrl_strip_pass(struct __sk_buff *skb)
{
	struct sfc_nsh_hdr *n, h;
	struct ethhdr *eth;
	void *data, *data_end;
	__u32 vpid, w, sp, len;
	__s32 cut;

	skb->mark = 0;
	vpid = sfc_vpid_of_ifindex(skb->ifindex);
	if (!vpid)
		return SFC_DROP_NO_ENDPOINT;
	sfc_pull_headers(skb);
	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	n = data + ETH_HLEN;
	if ((void *)(n + 1) > data_end)
		return SFC_DROP_MALFORMED;
	h = *n;
	w = bpf_ntohl(h.base.word);
	len = (w >> SFC_NSH_LEN_SHIFT) & SFC_NSH_LEN_MASK;
	if (len == SFC_NSH_CTRL_LEN_WORDS)
		cut = SFC_CTRL_TLV_LEN;
	else if (len == SFC_NSH_NAT_LEN_WORDS)
		cut = SFC_NAT_TLV_LEN;
	else
		return SFC_DROP_BAD_NSH;
	w &= ~(SFC_NSH_LEN_MASK << SFC_NSH_LEN_SHIFT);
	h.base.word = bpf_htonl(w | (SFC_NSH_LEN_WORDS << SFC_NSH_LEN_SHIFT));
	if (bpf_skb_store_bytes(skb, ETH_HLEN + cut, &h, sizeof(h), 0) ||
	    bpf_skb_adjust_room(skb, -cut, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO))
		return SFC_DROP_ENCAP;
	eth = sfc_data(skb);
	if ((void *)(eth + 1) > sfc_data_end(skb))
		return SFC_DROP_MALFORMED;
	eth->h_proto = bpf_htons(SFC_ETH_P_NSH);
	sp = bpf_ntohl(h.base.sp);
	return sfc_forward(skb, SFC_SP_SPI(sp),
			   SFC_FWD_META(SFC_SP_SI(sp),
					h.ep.flags & SFC_TLV_F_REPLY, vpid),
			   bpf_ntohl(h.ep.flow_id));
}

/*
 * The SF returned a packet with a control TLV or (@nat) a translation TLV
 * (@fw: its SP, flow, self): record it (sfc_ctrl_apply(),
 * sfc_nat_record()), then strip it. bpf_skb_adjust_room() refuses an NSH
 * skb, so, as for decap, the packet goes back into our own ingress with
 * its EtherType set from Next Protocol and the mark SFC_MARK_CTRL;
 * sfc_ctrl_strip_pass() cuts the TLV there.
 */
static __always_inline int sfc_ctrl_reinject(struct __sk_buff *skb,
					     const struct sfc_fwd *fw, bool nat)
{
	struct sfc_nsh_ctrl_hdr *c;
	struct sfc_endpoint *self;
	void *data, *data_end;
	struct ethhdr *eth;
	__u32 tlv_hdr;
	__u64 tlv_val;
	__be16 proto;
	int ret;

	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	c = data + ETH_HLEN;
	if ((void *)(c + 1) > data_end)
		return SFC_DROP_MALFORMED;
	__builtin_memcpy(&tlv_hdr, &c->tlv, sizeof(tlv_hdr));
	__builtin_memcpy(&tlv_val, &c->ctrl, sizeof(tlv_val));
	if (nat)
		ret = sfc_nat_record(skb, fw->spi,
				     SFC_FWD_META(fw->si + 1, fw->reply,
						  fw->self_vpid),
				     fw->flow_id);
	else
		ret = sfc_ctrl_apply(fw->spi, SFC_FWD_META(fw->si + 1, fw->reply,
							   fw->self_vpid),
				     fw->flow_id, tlv_hdr, tlv_val);
	if (ret)
		return ret;
	self = sfc_endpoint_get(fw->self_vpid);
	if (!self)
		return SFC_DROP_NO_ENDPOINT;
	eth = sfc_data(skb);
	c = (void *)(eth + 1);
	if ((void *)(c + 1) > sfc_data_end(skb))
		return SFC_DROP_MALFORMED;
	proto = sfc_nsh_np_ethertype(&c->h);
	if (!proto)
		return SFC_DROP_BAD_NSH;
	eth->h_proto = proto;
	__builtin_memcpy(eth->h_dest, self->host_mac, ETH_ALEN);
	skb->mark = SFC_MARK_CTRL;
	return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
}

/* OAM echo (O bit, RFC 8300 section 2.2): the SF is alive; consume it.
 * An SF that programs the SFF announces its epoch in the echo's flow id
 * field (sfc_common.h). */
static __always_inline int sfc_oam_echo(__u32 vpid, __u32 epoch)
{
	__u64 now = sfc_now();

	bpf_map_update_elem(&sfc_sf_health, &vpid, &now, BPF_ANY);
	sfc_sf_epoch(vpid, epoch);
	return TC_ACT_SHOT;
}

/*
 * The SF returned (SPI, SI): the hop it served is (SPI, SI + 1), and this
 * very endpoint must be an instance of that hop's group. Stops an SF from
 * injecting into arbitrary paths, and catches one that forgot to
 * decrement SI.
 */
static __always_inline int sfc_check_served(__u32 vpid, __u32 spi, __u32 si,
					    __u32 len)
{
	struct sfc_hop *hop;
	__u32 sp;

	if (si >= SFC_NSH_SI_START)
		return SFC_DROP_NO_PATH;
	sp = SFC_SP(spi, si + 1);
	hop = bpf_map_lookup_elem(&sfc_paths, &sp);
	if (!hop || hop->kind != SFC_HOP_SF || !sfc_group_has(hop->group, vpid))
		return SFC_DROP_NO_PATH;
	sfc_count_from_sf(sp, vpid, len);
	return 0;
}

/* NSH TTL (RFC 8300 section 2.2): decremented per SFF, 0 discards.
 * Return: the new first word (host order), or 0 if it expired. */
static __always_inline __u32 sfc_ttl_step(__u32 w)
{
	__u32 ttl = (w >> SFC_NSH_TTL_SHIFT) & SFC_NSH_TTL_MASK;

	if (ttl <= 1)
		return 0;
	return (w & ~(SFC_NSH_TTL_MASK << SFC_NSH_TTL_SHIFT)) |
	       ((ttl - 1) << SFC_NSH_TTL_SHIFT);
}

/*
 * SFC proxy, way back: a plain IP packet from SF @vpid. If the proxy sent
 * it this flow, push the saved NSH with SI decremented on the SF's behalf
 * and go on; otherwise it is the SF's own traffic (ARP, ...): not ours.
 */
static __always_inline int sfc_proxy_restore(struct __sk_buff *skb,
					     __u32 vpid, int eth_proto)
{
	void *data = sfc_data(skb);
	void *data_end = sfc_data_end(skb);
	struct sfc_proxy_state *ps, st;
	struct sfc_fwd fw = { .self_vpid = vpid };
	struct sfc_pkt pkt = {};
	__u32 w, si;
	int ret;

	/* Not parseable: cannot be a flow we proxied; the kernel decides. */
	if (sfc_parse_ip(skb, data, data_end, eth_proto, &pkt))
		return SFC_V_NEXT;
	ps = sfc_proxy_lookup(vpid, &pkt);
	if (!ps)
		return SFC_V_NEXT;
	st = *ps;
	w = sfc_ttl_step(st.word);
	if (!w)
		return SFC_DROP_NSH_TTL;
	si = SFC_SP_SI(st.sp);
	if (si == 0)
		return SFC_DROP_NO_PATH;
	fw.spi = SFC_SP_SPI(st.sp);
	fw.si = si - 1;
	fw.flow_id = bpf_ntohl(st.ep.flow_id);
	fw.reply = !!(st.ep.flags & SFC_TLV_F_REPLY);
	sfc_count_from_sf(st.sp, vpid, skb->len);
	ret = sfc_nsh_push(skb, w, SFC_SP(fw.spi, fw.si), &st.ep);
	if (ret)
		return ret;
	return sfc_forward(skb, fw.spi, SFC_FWD_META(fw.si, fw.reply, vpid),
			   fw.flow_id);
}

static __always_inline int sfc_from_sf_main(struct __sk_buff *skb)
{
	struct sfc_fwd fw = {};
	struct sfc_nsh_hdr *nsh;
	void *data, *data_end;
	__u32 w, sp;
	int ret, shape;

	if ((skb->mark & SFC_MARK_MAGIC_MASK) == SFC_MARK_MAGIC)
		return sfc_decap_pass(skb, skb->mark);
	if (skb->mark == SFC_MARK_CTRL)
		return sfc_ctrl_strip_pass(skb);
	fw.self_vpid = sfc_vpid_of_ifindex(skb->ifindex);
	if (!fw.self_vpid)
		return SFC_V_NEXT;

	sfc_pull_headers(skb);
	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	ret = sfc_parse_eth(data, data_end);
	if (ret < 0)
		return ret;
	if (ret == ETH_P_IP || ret == ETH_P_IPV6)
		return sfc_proxy_restore(skb, fw.self_vpid, ret);
	if (ret != SFC_ETH_P_NSH)
		return SFC_V_NEXT;
	nsh = sfc_nsh_at(skb, 0);
	if (!nsh)
		return SFC_DROP_MALFORMED;
	shape = sfc_nsh_check(nsh);
	if (shape < 0)
		return shape;

	w = bpf_ntohl(nsh->base.word);
	if (w & SFC_NSH_O_BIT) {
		if (shape == SFC_NSH_PLAIN)
			return sfc_oam_echo(fw.self_vpid,
					    bpf_ntohl(nsh->ep.flow_id));
		if (shape == SFC_NSH_COUNTS)
			return sfc_counts_query(skb, fw.self_vpid);
		return SFC_DROP_BAD_NSH;
	}
	if (shape == SFC_NSH_COUNTS)
		return SFC_DROP_BAD_NSH; /* a query is OAM */
	w = sfc_ttl_step(w);
	if (!w)
		return SFC_DROP_NSH_TTL;
	nsh->base.word = bpf_htonl(w);

	sp = bpf_ntohl(nsh->base.sp);
	fw.spi = SFC_SP_SPI(sp);
	fw.si = SFC_SP_SI(sp);
	fw.flow_id = bpf_ntohl(nsh->ep.flow_id);
	fw.reply = !!(nsh->ep.flags & SFC_TLV_F_REPLY);
	ret = sfc_check_served(fw.self_vpid, fw.spi, fw.si, skb->len);
	if (ret)
		return ret;
	if (shape == SFC_NSH_CTRL || shape == SFC_NSH_NAT)
		return sfc_ctrl_reinject(skb, &fw, shape == SFC_NSH_NAT);
	return sfc_forward(skb, fw.spi,
			   SFC_FWD_META(fw.si, fw.reply, fw.self_vpid),
			   fw.flow_id);
}

SEC("tc")
int sfc_from_sf(struct __sk_buff *skb)
{
	return sfc_exit(sfc_from_sf_main(skb));
}

char LICENSE[] SEC("license") = "GPL";
