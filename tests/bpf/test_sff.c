// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sff.c - sfc_from_sf on crafted NSH packets coming back from SF 1
 * (ifindex 1 = lo is mapped to VPID_SF1): hop to hop, path end with the
 * re-injection step and the decap pass, hop ownership, NSH TTL, OAM echo,
 * strict NSH validation.
 */
#include <stddef.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(sff, .init = bpft_setup, .fini = bpft_teardown);

/* Path SPI: 255 -> SF1, 254 -> SF2, 253 -> END. */
static void path_sf1_sf2_end(void)
{
	bpft_map_lo(VPID_SF1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, 0);
}

/* What SF1 sends back: NSH(@word, SPI/@si) + A's TCP packet to B. */
static void from_sf1(struct pkt *p, uint32_t word, uint32_t si)
{
	bpft_pkt_from_sf(p, VPID_SF1, word, si, 0);
}

Test(sff, hop_to_hop_forwards_to_next_sf)
{
	const struct sfc_endpoint *sf2 = bpft_ep(VPID_SF2);
	struct run_out out;
	struct pkt in, exp;

	path_sf1_sf2_end();
	from_sf1(&in, nsh_word(63, 1), 254);
	bpft_run(T.from_sf_fd, &in, 0, &out);

	exp = in;
	memcpy(exp.b, sf2->mac, 6);
	memcpy(exp.b + 6, sf2->host_mac, 6);
	exp.b[14] = 0x0F; /* TTL 63 -> 62: 0x0FC5.. -> 0x0F85.. */
	exp.b[15] = 0x85;
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.len, exp.len);
	cr_assert_arr_eq(out.data, exp.b, exp.len);
	cr_assert_eq(bpft_stats(SPI, 255).from_sf_packets, 1);
	cr_assert_eq(bpft_stats(SPI, 255).from_sf_bytes, in.len);
	cr_assert_eq(bpft_stats(SPI, 254).to_sf_packets, 1);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(sff, fail_open_hop_skipped_writes_si)
{
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_SF1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_OPEN);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF1, SFC_HOP_F_DOWN, SFC_FAIL_OPEN);
	bpft_hop(SPI, 253, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_OPEN);
	from_sf1(&in, nsh_word(63, 1), 254);
	bpft_run(T.from_sf_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.data[14 + 7], 253, "SI of the skipped hop written");
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	cr_assert_eq(bpft_stats(SPI, 254).skipped_packets, 1);
	cr_assert_eq(bpft_stats(SPI, 253).to_sf_packets, 1);
}

/* END seen from the SFF side: the skb is 0x894F, adjust_room would fail,
 * so the program rewrites the EtherType, addresses our own host veth,
 * marks and re-injects into our ingress. */
Test(sff, path_end_reinjects_with_mark)
{
	const struct sfc_endpoint *sf1 = bpft_ep(VPID_SF1);
	struct { uint32_t np; uint8_t et0, et1; } cases[] = {
		{ 1, 0x08, 0x00 }, { 2, 0x86, 0xDD },
	};
	struct run_out out;
	struct pkt in, exp;

	bpft_map_lo(VPID_SF1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_END, 0, 0, 0);
	for (int i = 0; i < 2; i++) {
		from_sf1(&in, nsh_word(63, cases[i].np), 254);
		bpft_run(T.from_sf_fd, &in, 0, &out);
		exp = in;
		memcpy(exp.b, sf1->host_mac, 6);
		exp.b[12] = cases[i].et0;
		exp.b[13] = cases[i].et1;
		exp.b[15] = 0x85; /* NSH TTL decremented */
		cr_expect_eq(out.retval, V_REDIRECT, "np %u", cases[i].np);
		cr_expect_eq(out.mark, SFC_MARK_DECAP, "np %u", cases[i].np);
		cr_expect_arr_eq(out.data, exp.b, exp.len, "np %u", cases[i].np);
	}
	cr_assert_eq(bpft_drops_total(), 0);
}

/* Second pass: marked, EtherType IP, NSH still inside. Output is the
 * original IP packet delivered to B (TTL decremented once, as routing
 * through the node would), mark cleared. */
Test(sff, decap_pass_delivers_original_packet)
{
	const struct sfc_endpoint *b = bpft_ep(VPID_B);
	struct run_out out;
	struct pkt in, exp;

	bpft_map_lo(VPID_SF1);
	from_sf1(&in, nsh_word(62, 1), 254);
	in.b[12] = 0x08;
	in.b[13] = 0x00;
	pkt_tcp4(&exp, "10.0.0.11", 80, 63);
	memcpy(exp.b, b->mac, 6);
	memcpy(exp.b + 6, b->host_mac, 6);

	bpft_run(T.from_sf_fd, &in, SFC_MARK_DECAP, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.mark, 0);
	cr_assert_eq(out.len, exp.len);
	cr_assert_arr_eq(out.data, exp.b, exp.len);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(sff, decap_pass_non_local_and_truncated)
{
	struct run_out out;
	struct pkt in, ip;

	/* Destination not on this node: stripped, then TCX_NEXT. */
	pkt_tcp4(&ip, "192.0.2.1", 80, 64);
	in.len = 0;
	pkt_eth(&in, MAC_GW, bpft_ep(VPID_SF1)->mac, 0x0800);
	pkt_nsh(&in, nsh_word(62, 1), SFC_SP(SPI, 254), NSH_TLV, 0, 0);
	pkt_bytes(&in, ip.b + 14, ip.len - 14);
	bpft_run(T.from_sf_fd, &in, SFC_MARK_DECAP, &out);
	cr_assert_eq(out.retval, V_NEXT);
	cr_assert_eq(out.len, ip.len);
	cr_assert_arr_eq(out.data + 14, ip.b + 14, ip.len - 14);

	/* 20 bytes of NSH + 4 bytes of IPv4: test_run accepts it (it sees a
	 * 24-byte "IPv4 header"), but the kernel refuses to shrink below an
	 * IPv4 header: bpf_skb_adjust_room fails, counted as encap. */
	in.len = 14 + 20 + 4;
	bpft_run(T.from_sf_fd, &in, SFC_MARK_DECAP, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_ENCAP), 1);

	/* A full 20 bytes claiming IHL 6: stripped, then our parser finds
	 * the options missing. */
	in.len = 14 + 20 + 20;
	in.b[14 + 20] = 0x46;
	bpft_run(T.from_sf_fd, &in, SFC_MARK_DECAP, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_MALFORMED), 1);
}

/* The hop an SF claims to have served must be its own. */
Test(sff, wrong_sf_injection_dropped)
{
	struct { const char *name; uint32_t si; uint32_t spi; } cases[] = {
		{ "hop belongs to SF2", 253, SPI },
		{ "SI not decremented", 255, SPI },
		{ "unknown path", 254, 0x456 },
		{ "served hop is END", 252, SPI },
	};
	struct run_out out;
	struct pkt in;

	path_sf1_sf2_end();
	bpft_hop(SPI, 252, SFC_HOP_END, 0, 0, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = bpft_drops(SFC_DROP_NO_PATH);

		from_sf1(&in, nsh_word(63, 1), cases[i].si);
		((uint8_t *)in.b)[18] = (cases[i].spi >> 16) & 0xFF;
		((uint8_t *)in.b)[19] = (cases[i].spi >> 8) & 0xFF;
		((uint8_t *)in.b)[20] = cases[i].spi & 0xFF;
		bpft_run(T.from_sf_fd, &in, 0, &out);
		cr_expect_eq(out.retval, V_SHOT, "case '%s'", cases[i].name);
		cr_expect_eq(bpft_drops(SFC_DROP_NO_PATH), before + 1,
			     "case '%s'", cases[i].name);
	}
	cr_assert_eq(bpft_stats(SPI, 254).from_sf_packets, 0);
}

Test(sff, nsh_ttl_expiry)
{
	struct { uint32_t ttl; int verdict; } cases[] = {
		{ 0, V_SHOT }, { 1, V_SHOT }, { 2, V_REDIRECT },
	};
	struct run_out out;
	struct pkt in;

	path_sf1_sf2_end();
	for (int i = 0; i < 3; i++) {
		from_sf1(&in, nsh_word(cases[i].ttl, 1), 254);
		bpft_run(T.from_sf_fd, &in, 0, &out);
		cr_expect_eq(out.retval, cases[i].verdict, "ttl %u", cases[i].ttl);
	}
	cr_assert_eq(bpft_drops(SFC_DROP_NSH_TTL), 2);
	/* TTL 2 leaves with 1. */
	cr_assert_eq((ntohl(*(uint32_t *)(out.data + 14)) >> 22) & 0x3F, 1);
}

Test(sff, oam_echo_updates_health_and_is_consumed)
{
	struct run_out out;
	uint64_t seen = 0, now;
	uint32_t vpid = VPID_SF1;
	struct pkt in = { .len = 0 };

	bpft_map_lo(VPID_SF1);
	pkt_eth(&in, bpft_ep(VPID_SF1)->host_mac, bpft_ep(VPID_SF1)->mac,
		0x894F);
	pkt_nsh(&in, nsh_word(63, SFC_NSH_NP_OAM) | SFC_NSH_O_BIT,
		SFC_SP(0, 255), NSH_TLV, 0, 0);
	bpft_run(T.from_sf_fd, &in, 0, &out);
	now = sfc_dp_now_ns();

	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops_total(), 0, "consumed, not counted as a drop");
	cr_assert_eq(bpf_map_lookup_elem(T.dp.sf_health_fd, &vpid, &seen), 0);
	cr_assert(seen > 0 && seen <= now && now - seen < 5000000000ull,
		  "health %llu, now %llu", (unsigned long long)seen,
		  (unsigned long long)now);
}

/* Strict NSH: anything but the shape we emit is refused. */
Test(sff, bad_nsh_table)
{
	struct {
		const char *name;
		int off;      /* byte offset in the frame to overwrite */
		uint8_t val;
		uint32_t len; /* 0 = keep */
		int reason;   /* 0 = TCX_NEXT */
	} cases[] = {
		{ "version 1", 14, 0x4F, 0, SFC_DROP_BAD_NSH },
		{ "MD type 1", 16, 0x01, 0, SFC_DROP_BAD_NSH },
		{ "length 2 words", 15, 0xC2, 0, SFC_DROP_BAD_NSH },
		{ "length 4 words (layout 1)", 15, 0xC4, 0, SFC_DROP_BAD_NSH },
		{ "length 6 words", 15, 0xC6, 0, SFC_DROP_BAD_NSH },
		{ "MD class", 22, 0x00, 0, SFC_DROP_BAD_NSH },
		{ "TLV type", 24, 0x02, 0, SFC_DROP_BAD_NSH },
		{ "TLV length 4 (layout 1)", 25, 0x04, 0, SFC_DROP_BAD_NSH },
		{ "TLV length 12", 25, 0x0C, 0, SFC_DROP_BAD_NSH },
		{ "Ethernet only", -1, 0, 14, SFC_DROP_MALFORMED },
		{ "NSH 19 bytes", -1, 0, 33, SFC_DROP_MALFORMED },
		{ "not NSH: IPv4", 12, 0x08, 0, 0 },
	};
	struct run_out out;
	struct pkt in;

	path_sf1_sf2_end();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = cases[i].reason ? bpft_drops(cases[i].reason) : 0;

		from_sf1(&in, nsh_word(63, 1), 254);
		if (cases[i].off >= 0)
			in.b[cases[i].off] = cases[i].val;
		if (cases[i].off == 12)
			in.b[13] = 0x00;
		if (cases[i].len)
			in.len = cases[i].len;
		bpft_run(T.from_sf_fd, &in, 0, &out);
		if (!cases[i].reason) {
			cr_expect_eq(out.retval, V_NEXT, "case '%s'", cases[i].name);
			continue;
		}
		cr_expect_eq(out.retval, V_SHOT, "case '%s'", cases[i].name);
		cr_expect_eq(bpft_drops(cases[i].reason), before + 1,
			     "case '%s'", cases[i].name);
	}
}

Test(sff, end_with_unknown_next_protocol_dropped)
{
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_SF1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_END, 0, 0, 0);
	from_sf1(&in, nsh_word(63, SFC_NSH_NP_ETHERNET), 254);
	bpft_run(T.from_sf_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_BAD_NSH), 1);
}

Test(sff, unknown_interface_is_not_ours)
{
	struct run_out out;
	struct pkt in;

	from_sf1(&in, nsh_word(63, 1), 254); /* lo not mapped */
	bpft_run(T.from_sf_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
	cr_assert_arr_eq(out.data, in.b, in.len);
}

/* A hop flagged SFC_HOP_F_NEXT_UNAWARE asks its SF for small plain frames
 * (SFC_TLV_F_SMALL in the endpoint TLV); any other hop clears the request. */
Test(sff, small_frame_request_follows_hop_flag)
{
	const size_t flags_off = 14 + sizeof(struct sfc_nsh_base) +
				 sizeof(struct sfc_nsh_tlv_hdr) +
				 offsetof(struct sfc_tlv_endpoint, flags);
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_SF1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, SFC_HOP_F_NEXT_UNAWARE, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, 0);
	from_sf1(&in, nsh_word(63, 1), 254);
	cr_assert_eq(in.b[flags_off] & SFC_TLV_F_SMALL, 0);
	bpft_run(T.from_sf_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.data[flags_off] & SFC_TLV_F_SMALL, SFC_TLV_F_SMALL, "request set");

	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);
	in.b[flags_off] |= SFC_TLV_F_SMALL;
	bpft_run(T.from_sf_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.data[flags_off] & SFC_TLV_F_SMALL, 0, "request cleared");
}
