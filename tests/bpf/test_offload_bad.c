// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_offload_bad.c - bad translation TLVs (sfc_common.h, SFC_TLV_NAT):
 * the parser table (class, type, length, version, protocol, flags), a
 * flow id not echoed or of a flow not pinned to the SF, a carrier the SF
 * did not translate as it says, a TLV from an app pod and from an SF off
 * the hop, one replayed after the chain changed, and a flood within the
 * per-SF bound: each ignored and counted, never acted on.
 */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"
#include "offload_util.h"

TestSuite(offload_bad, .init = bpft_setup, .fini = bpft_teardown);

/* A's packet from source port @sport reaches SF1; @p gets what SF1
 * returns for it, translated, without a TLV yet. Return: the flow id. */
static uint32_t at_sf1(uint16_t sport, struct pkt *p)
{
	struct run_out got;
	struct pkt in;
	uint32_t id;

	ol_build(&in, VPID_A, OL_TCP, true);
	in.b[14 + 20] = sport >> 8;
	in.b[14 + 21] = sport & 0xFF;
	ol_fix_l4(in.b + 14);
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &in, 0, &got);
	cr_assert_arr_eq(got.data, bpft_ep(VPID_SF1)->mac, 6);
	id = nsh_flow_id(got.data);
	bpft_sf_back(p, &got, VPID_SF1);
	/* Translated by the SF: source 10.250.0.1:20000. */
	inet_pton(AF_INET, OL_NAT_IP, p->b + 34 + 12);
	p->b[34 + 20] = OL_NAT_PORT >> 8;
	p->b[34 + 21] = OL_NAT_PORT & 0xFF;
	p->b[34 + 10] = p->b[34 + 11] = 0;
	{
		uint16_t c = ip_csum(p->b + 34, 20);

		p->b[34 + 10] = c >> 8;
		p->b[34 + 11] = c & 0xFF;
	}
	ol_fix_l4(p->b + 34);
	return id;
}

struct bad_case {
	const char *what;
	uint32_t hdr;
	uint8_t version, proto, flags;
	int stat;
};

Test(offload_bad, parser_table)
{
	static const struct bad_case cases[] = {
		{ "class", (0xFFF5u << 16) | (4u << 8) | 24u, 1, 6, 0,
		  SFC_CTRL_ST_BAD_TLV },
		{ "type 2 (a control TLV) at Length 12", (0xFFF6u << 16) | (2u << 8) | 24u,
		  1, 6, 0, SFC_CTRL_ST_BAD_TLV },
		{ "type 5", (0xFFF6u << 16) | (5u << 8) | 24u, 1, 6, 0,
		  SFC_CTRL_ST_BAD_TLV },
		{ "length 20", (0xFFF6u << 16) | (4u << 8) | 20u, 1, 6, 0,
		  SFC_CTRL_ST_BAD_TLV },
		{ "version 2", OL_NAT_TLV_HDR, 2, 6, 0, SFC_CTRL_ST_BAD_VERSION },
		{ "version 0", OL_NAT_TLV_HDR, 0, 6, 0, SFC_CTRL_ST_BAD_VERSION },
		{ "protocol 47", OL_NAT_TLV_HDR, 1, 47, 0, SFC_CTRL_ST_BAD_ACTION },
		{ "unknown flag", OL_NAT_TLV_HDR, 1, 6, 0x80, SFC_CTRL_ST_BAD_ACTION },
		{ "protocol not the carrier's", OL_NAT_TLV_HDR, 1, 17, 0,
		  SFC_CTRL_ST_BAD_FLOW },
	};
	struct run_out first, out;
	struct pkt p;
	uint32_t id;

	ol_chain(SFC_FAIL_CLOSED);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		uint64_t before = bpft_ctrl_stat(c->stat);

		id = at_sf1(40000, &p);
		ol_nat_tlv(&p, c->hdr, c->version, c->proto, c->flags, 0, id,
			   OL_EPOCH);
		bpft_run(T.from_sf_fd, &p, 0, &first);
		cr_assert_eq(first.retval, V_REDIRECT, "%s: goes on", c->what);
		cr_assert_eq(first.mark, SFC_MARK_CTRL, "%s", c->what);
		cr_assert_eq(bpft_ctrl_stat(c->stat), before + 1, "%s: counted",
			     c->what);
		cr_assert_eq(bpft_flow(id).nat, 0, "%s: not recorded", c->what);
		cr_assert_eq(bpft_flow(id).prog, 0, "%s", c->what);
		/* The strip pass still removes the 28 bytes. */
		ol_strip_pass(&first, &out);
		cr_assert_eq(out.retval, V_REDIRECT, "%s", c->what);
		cr_assert_eq(out.len, first.len - 28 - 20, "%s: delivered", c->what);
	}
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT), 0);
	cr_assert_eq(bpft_drops_total(), 0);
}

/* The flow id in the TLV is not the endpoint TLV's, or names another
 * flow that is not pinned to this SF at this hop. */
Test(offload_bad, wrong_flow_id)
{
	uint32_t id, other;
	struct run_out out;
	struct pkt p, q;

	ol_chain(SFC_FAIL_CLOSED);
	other = at_sf1(40001, &q);
	id = at_sf1(40000, &p);
	cr_assert_neq(id, other);
	ol_nat_tlv(&p, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, other, OL_EPOCH);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	ol_nat_tlv(&q, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, 0xDEAD, OL_EPOCH);
	bpft_run(T.from_sf_fd, &q, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BAD_FLOW), 2);
	cr_assert_eq(bpft_flow(id).nat | bpft_flow(other).nat, 0);
	/* A flow pinned to another SF: SF1 claims SF3's flow. */
	{
		struct sfc_flow f = bpft_flow(other);

		f.inst[0] = VPID_SF3;
		cr_assert_eq(bpf_map_update_elem(T.dp.flows_fd, &other, &f,
						 BPF_EXIST), 0);
		at_sf1(40001, &q); /* re-pinned to SF1 on the way: undo */
		f = bpft_flow(other);
		f.inst[0] = VPID_SF3;
		cr_assert_eq(bpf_map_update_elem(T.dp.flows_fd, &other, &f,
						 BPF_EXIST), 0);
		ol_nat_tlv(&q, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, other, OL_EPOCH);
		bpft_run(T.from_sf_fd, &q, 0, &out);
		cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BAD_FLOW), 3);
		cr_assert_eq(bpft_flow(other).nat, 0);
	}
}

/* The SF says it translated, but the carrier shows no such thing. */
Test(offload_bad, carrier_not_translated)
{
	struct run_out out;
	struct pkt p;
	uint32_t id;

	ol_chain(SFC_FAIL_CLOSED);
	id = at_sf1(40000, &p);
	p.b[34 + 21] ^= 1; /* source port 20001, not the TLV's 20000 */
	ol_fix_l4(p.b + 34);
	ol_nat_tlv(&p, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, id, OL_EPOCH);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BAD_FLOW), 1);
	cr_assert_eq(bpft_flow(id).nat, 0);
}

/* An app pod cannot program anything: its NSH frames are not ours (the
 * kernel gets them). An SF off the hop is refused before any TLV. */
Test(offload_bad, not_from_the_hops_sf)
{
	struct run_out out;
	struct pkt p, q;
	uint32_t id;

	ol_chain(SFC_FAIL_CLOSED);
	id = at_sf1(40000, &p);
	ol_nat_tlv(&p, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, id, OL_EPOCH);
	q = p;
	memcpy(q.b + 6, bpft_ep(VPID_A)->mac, 6);
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &q, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "from an app pod: not ours");
	q = p;
	memcpy(q.b + 6, bpft_ep(VPID_SF2)->mac, 6);
	bpft_map_lo(VPID_SF2);
	bpft_run(T.from_sf_fd, &q, 0, &out);
	cr_assert_eq(out.retval, V_SHOT, "SF2 serves no such hop");
	cr_assert_eq(bpft_drops(SFC_DROP_NO_PATH), 1);
	cr_assert_eq(bpft_flow(id).nat, 0);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT), 0);
}

/* Recorded under version OL_GEN; the chain is applied changed: the same
 * TLV replayed is stale, and the flow's next packet reaches the SF as it
 * is (the programs were cleared): no translation of the old version. */
Test(offload_bad, replayed_after_chain_change)
{
	struct run_out first, out;
	struct pkt p, replay;
	uint32_t id;

	ol_chain(SFC_FAIL_CLOSED);
	id = at_sf1(40000, &p);
	ol_nat_tlv(&p, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, id, OL_EPOCH);
	replay = p;
	bpft_run(T.from_sf_fd, &p, 0, &first);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT), 1);
	bpft_path_gen(SPI, OL_GEN + 1);
	bpft_path_gen(OL_RSPI, OL_GEN + 1);
	bpft_map_lo(VPID_SF1);
	bpft_run(T.from_sf_fd, &replay, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_STALE), 1);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "to the SF");
	ol_assert_ip(out.data + 14 + 20, "10.0.0.10", 40000, "10.0.0.11", 80,
		     OL_TCP);
	cr_assert_eq(bpft_flow(id).nat, 0);
	cr_assert_eq(bpft_flow(id).gen, OL_GEN + 1);
}

/* A flood of translations, one per flow, within the per-SF bound: the
 * window holds SFC_SF_PROG_MAX - 3, so 3 of 6 are taken. */
Test(offload_bad, flood_within_bound)
{
	struct sfc_sf_prog win = { .n = SFC_SF_PROG_MAX - 3 };
	uint32_t vpid = VPID_SF1, ids[6];
	struct run_out out;
	struct pkt p;
	int taken = 0;

	ol_chain(SFC_FAIL_CLOSED);
	win.window_ns = sfc_dp_now_ns();
	cr_assert_eq(bpf_map_update_elem(T.dp.sf_prog_fd, &vpid, &win, BPF_ANY), 0);
	for (int i = 0; i < 6; i++) {
		ids[i] = at_sf1((uint16_t)(41000 + i), &p);
		ol_nat_tlv(&p, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, ids[i], OL_EPOCH);
		bpft_run(T.from_sf_fd, &p, 0, &out);
		cr_assert_eq(out.retval, V_REDIRECT, "every carrier goes on");
		taken += bpft_flow(ids[i]).nat != 0;
	}
	cr_assert_eq(taken, 3);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT), 3);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_OVER_BOUND), 3);
	/* A repeat of a taken one costs nothing. */
	at_sf1(41000, &p);
	ol_nat_tlv(&p, OL_NAT_TLV_HDR, 1, OL_TCP, 0, 0, ids[0], OL_EPOCH);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_REPEAT), 1);
}
