// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_sff.bpf.c - sfc_from_sf: tcx ingress of an SF endpoint's host-side
 * veth, i.e. packets an SF sends back to the SFF (RFC 8300 section 4).
 *
 * Validates the NSH, consumes OAM liveness echoes, decrements the NSH TTL,
 * checks the SF served the hop it claims to have served, and runs the SFF
 * forward step. Plain IP coming back from an SFC-unaware SF gets its NSH
 * back from the SFC proxy state. Also runs the decap pass of packets it
 * re-injected itself (see sfc_strip_then() in lib/sff.h).
 */
#include "lib/defs.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/nsh.h"
#include "lib/deliver.h"
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

/* OAM echo (O bit, RFC 8300 section 2.2): the SF is alive; consume it. */
static __always_inline int sfc_oam_echo(__u32 vpid)
{
	__u64 now = sfc_now();

	bpf_map_update_elem(&sfc_sf_health, &vpid, &now, BPF_ANY);
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
	int ret;

	if ((skb->mark & SFC_MARK_MAGIC_MASK) == SFC_MARK_MAGIC)
		return sfc_decap_pass(skb, skb->mark);
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
	ret = sfc_nsh_check(nsh);
	if (ret)
		return ret;

	w = bpf_ntohl(nsh->base.word);
	if (w & SFC_NSH_O_BIT)
		return sfc_oam_echo(fw.self_vpid);
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
