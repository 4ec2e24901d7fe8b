// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_sff.bpf.c - sfc_from_sf: tcx ingress of an SF endpoint's host-side
 * veth, i.e. packets an SF sends back to the SFF (RFC 8300 section 4).
 *
 * Validates the NSH, consumes OAM liveness echoes, decrements the NSH TTL,
 * checks the SF served the hop it claims to have served, and runs the SFF
 * forward step. Also runs the decap pass of packets it re-injected itself
 * at the end of a path (see sfc_path_end() in lib/sff.h).
 */
#include "lib/defs.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/nsh.h"
#include "lib/deliver.h"
#include "lib/sff.h"
#include "lib/verdict.h"

/* Second pass of a packet re-injected by sfc_path_end(): skb->protocol is
 * IP now, so the NSH can be stripped. Only we set this mark: marks are
 * scrubbed when a packet crosses into this netns from a pod. */
static __always_inline int sfc_decap_pass(struct __sk_buff *skb)
{
	skb->mark = 0;
	if (bpf_skb_adjust_room(skb, -(__s32)SFC_NSH_LEN, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO))
		return SFC_DROP_ENCAP;
	return sfc_deliver_by_dst(skb);
}

/* OAM echo (O bit, RFC 8300 section 2.2): the SF is alive; consume it. */
static __always_inline int sfc_oam_echo(__u32 vpid)
{
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&sfc_sf_health, &vpid, &now, BPF_ANY);
	return TC_ACT_SHOT;
}

/*
 * The SF returned (SPI, SI): the hop it served is (SPI, SI + 1), and that
 * hop must be served by this very endpoint. Stops an SF from injecting
 * into arbitrary paths, and catches one that forgot to decrement SI.
 */
static __always_inline int sfc_check_served(__u32 vpid, __u32 spi, __u32 si,
					    __u32 len)
{
	struct sfc_hop_stats *st;
	struct sfc_hop *hop;
	__u32 sp;

	if (si >= SFC_NSH_SI_START)
		return SFC_DROP_NO_PATH;
	sp = SFC_SP(spi, si + 1);
	hop = bpf_map_lookup_elem(&sfc_paths, &sp);
	if (!hop || hop->kind != SFC_HOP_SF || hop->vpid != vpid)
		return SFC_DROP_NO_PATH;
	st = sfc_hop_stats_get(sp);
	if (st) {
		st->from_sf_packets++;
		st->from_sf_bytes += len;
	}
	return 0;
}

static __always_inline int sfc_from_sf_main(struct __sk_buff *skb)
{
	struct sfc_nsh_hdr *nsh;
	__u32 vpid, w, ttl, sp;
	void *data, *data_end;
	int ret;

	if (skb->mark == SFC_MARK_DECAP)
		return sfc_decap_pass(skb);
	vpid = sfc_vpid_of_ifindex(skb->ifindex);
	if (!vpid)
		return SFC_V_NEXT;

	sfc_pull_headers(skb);
	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	ret = sfc_parse_eth(data, data_end);
	if (ret < 0)
		return ret;
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
		return sfc_oam_echo(vpid);
	/* RFC 8300 section 2.2: decrement, discard when it reaches 0. */
	ttl = (w >> SFC_NSH_TTL_SHIFT) & SFC_NSH_TTL_MASK;
	if (ttl <= 1)
		return SFC_DROP_NSH_TTL;
	w = (w & ~(SFC_NSH_TTL_MASK << SFC_NSH_TTL_SHIFT)) |
	    ((ttl - 1) << SFC_NSH_TTL_SHIFT);
	nsh->base.word = bpf_htonl(w);

	sp = bpf_ntohl(nsh->base.sp);
	ret = sfc_check_served(vpid, SFC_SP_SPI(sp), SFC_SP_SI(sp), skb->len);
	if (ret)
		return ret;
	return sfc_sff_forward(skb, SFC_SP_SPI(sp), SFC_SP_SI(sp), vpid);
}

SEC("tc")
int sfc_from_sf(struct __sk_buff *skb)
{
	return sfc_exit(sfc_from_sf_main(skb));
}

char LICENSE[] SEC("license") = "GPL";
