// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_flowprog.c - flow programming (sfc_common.h, SFC_TLV_CTRL): an SF
 * returns a packet with a control TLV; the SFF records it, strips it in
 * a second pass, and from then on skips the hop (BYPASS), drops the flow
 * at its classifier (DROP) or skips every later hop (PASS_TO_END), in both
 * directions of a symmetric chain, until the chain's version changes;
 * TCP FIN/RST still reach every SF; the per-SF bound.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"
#include "offload_util.h"

TestSuite(flowprog, .init = bpft_setup, .fini = bpft_teardown);

#define GEN 0x1234567u
#define RSPI (SPI + 1)

static const struct sfc_rule ALL_TCP = { .spi = SPI, .proto = 6 };

/* A -> TCP enters SPI: 255 -> SF1, 254 -> SF2, 253 -> END, version GEN;
 * the reverse SFP RSPI: 255 -> SF2, 254 -> SF1, 253 -> END. */
static void fp_chain(void)
{
	uint32_t spi = SPI, rspi = RSPI;

	bpft_policy(VPID_A, SFC_DIR_EGRESS, &ALL_TCP, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
	bpft_hop(RSPI, 255, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(RSPI, 254, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(RSPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
	bpft_path_gen(SPI, GEN);
	bpft_path_gen(RSPI, GEN);
	cr_assert_eq(bpf_map_update_elem(T.dp.rev_spi_fd, &spi, &rspi, BPF_ANY), 0);
}

/* A's TCP packet to B:80 with TCP @flags through the classifier. */
static void from_a(struct run_out *out, uint8_t flags)
{
	struct pkt in;

	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	in.b[14 + 20 + 13] = flags;
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &in, 0, out);
}

static uint32_t sp_of(const struct run_out *out)
{
	uint32_t v;

	memcpy(&v, out->data + 18, 4);
	return ntohl(v);
}

/* The first packet of the flow reaches SF1; SF1 returns it with a control
 * TLV (@action, @flags); the SFF's first pass. Return: the flow id. */
static uint32_t sf1_programs(uint8_t action, uint8_t flags, struct run_out *out)
{
	struct run_out got;
	uint32_t id;
	struct pkt p;

	from_a(&got, 0x02);
	cr_assert_eq(got.retval, V_REDIRECT);
	cr_assert_arr_eq(got.data, bpft_ep(VPID_SF1)->mac, 6);
	id = nsh_flow_id(got.data);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, action, flags, id);
	bpft_run(T.from_sf_fd, &p, 0, out);
	return id;
}

/* The SFF's second pass on what its first pass re-injected. */
static void strip_pass(const struct run_out *first, struct run_out *out)
{
	struct pkt p;

	memcpy(p.b, first->data, first->len);
	p.len = first->len;
	bpft_run(T.from_sf_fd, &p, SFC_MARK_CTRL, out);
}

Test(flowprog, bypass_recorded_stripped_and_hop_skipped)
{
	const struct sfc_endpoint *sf1 = bpft_ep(VPID_SF1);
	struct run_out first, out;
	uint32_t id;

	fp_chain();
	id = sf1_programs(SFC_CTRL_BYPASS, 0, &first);
	/* First pass: recorded, re-injected as IP towards our own host veth. */
	cr_assert_eq(first.retval, V_REDIRECT);
	cr_assert_eq(first.mark, SFC_MARK_CTRL);
	cr_assert_arr_eq(first.data, sf1->host_mac, 6);
	cr_assert_eq(first.data[12], 0x08);
	cr_assert_eq(first.data[13], 0x00);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BYPASS), 1);
	cr_assert_eq(bpft_flow(id).prog, SFC_FLOW_PROG_SKIP(0));
	cr_assert_eq(bpft_flow(id).gen, GEN);

	/* Second pass: the TLV is gone, the NSH is 20 bytes again (Length
	 * 5, TTL 62, SI 254) and the packet goes on to SF2. */
	strip_pass(&first, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	/* No SFC_MARK_CTRL left: the frame to SF2 carries the flow's CPU. */
	cr_assert_eq(out.mark, SFC_MARK_SF_CPU(bpft_flow(id).cpu - 1));
	cr_assert_eq(out.len, first.len - 12);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	cr_assert_eq(out.data[12], 0x89);
	cr_assert_eq(out.data[13], 0x4F);
	cr_assert_eq(ntohl(*(uint32_t *)(out.data + 14)), nsh_word(62, 1));
	cr_assert_eq(sp_of(&out), SFC_SP(SPI, 254));
	cr_assert_eq(ntohl(*(uint32_t *)(out.data + 22)), NSH_TLV);
	cr_assert_eq(nsh_flow_id(out.data), id);
	cr_assert_arr_eq(out.data + 34, first.data + 46, out.len - 34,
			 "inner packet unchanged");

	/* Next packet: SF1's hop is skipped, SF2 gets it at SI 254. */
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	cr_assert_eq(sp_of(&out), SFC_SP(SPI, 254));
	cr_assert_eq(bpft_stats(SPI, 255).bypassed_packets, 1);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 1, "only the first");
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_SKIPPED), 1);
	cr_assert_eq(bpft_drops_total(), 0);
}

/* FIN and RST are flagged SFC_TLV_F_END, pass the bypassed SF and end
 * the offload: the rest of the flow reaches the SF again (its state sees
 * the close), until it programs the flow again. */
Test(flowprog, fin_and_rst_reach_a_bypassed_sf_and_end_it)
{
	struct run_out first, out;
	uint8_t flags[] = { 0x11, 0x04 };
	uint32_t id = 0;

	fp_chain();
	for (int i = 0; i < 2; i++) {
		id = sf1_programs(SFC_CTRL_BYPASS, 0, &first);
		cr_assert_eq(bpft_flow(id).prog, SFC_FLOW_PROG_SKIP(0));
		from_a(&out, 0x10);
		cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6, "bypassed");
		from_a(&out, flags[i]);
		cr_expect_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6,
				 "flags %02x", flags[i]);
		cr_expect_eq(out.data[29], SFC_TLV_F_END, "flags %02x", flags[i]);
		cr_assert_eq(bpft_flow(id).prog, 0, "offload ended");
		from_a(&out, 0x10);
		cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6,
				 "the packet after flags %02x", flags[i]);
		cr_assert_eq(out.data[29], 0);
	}
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_VOIDED), 2);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BYPASS), 2);
}

Test(flowprog, drop_drops_carrier_and_flow_at_classifier)
{
	struct run_out out;
	uint32_t id;

	fp_chain();
	id = sf1_programs(SFC_CTRL_DROP, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_FLOW), 1);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_DROP), 1);
	cr_assert_eq(bpft_flow(id).flags, SFC_FLOW_P_DROP);
	for (int i = 0; i < 3; i++) {
		from_a(&out, 0x10);
		cr_assert_eq(out.retval, V_SHOT);
	}
	cr_assert_eq(bpft_drops(SFC_DROP_FLOW), 4);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 1);
	/* Another flow of the same pod is not affected. */
	{
		struct pkt in;

		pkt_tcp4(&in, "10.0.0.11", 81, 64);
		bpft_run(T.from_pod_fd, &in, 0, &out);
		cr_assert_eq(out.retval, V_REDIRECT);
	}
}

/* A DROP is its SF's verdict under its epoch: the same epoch announced
 * again keeps the flow dropped; a new one (the SF restarted, or reloaded
 * its rules) voids it, and the flow reaches the SF to be judged again. */
Test(flowprog, drop_voided_by_a_new_epoch_of_its_sf)
{
	struct run_out out;
	uint32_t id;

	fp_chain();
	ol_echo(VPID_SF1, 7, &out);
	id = sf1_programs(SFC_CTRL_DROP, 0, &out);
	cr_assert_eq(bpft_flow(id).drop_hop, 1, "SF1's hop (index 0)");
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_SHOT);
	ol_echo(VPID_SF1, 7, &out);
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_SHOT, "same epoch: still dropped");
	ol_echo(VPID_SF1, 8, &out);
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_REDIRECT, "new epoch: judged again");
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6);
	cr_assert_eq(bpft_flow(id).flags, 0);
	cr_assert_eq(bpft_flow(id).drop_hop, 0);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_VOIDED), 1);
	cr_assert_eq(bpft_drops(SFC_DROP_FLOW), 3, "the carrier and two");
}

Test(flowprog, pass_to_end_goes_straight_to_delivery)
{
	struct run_out first, out;
	struct pkt in;
	uint32_t id;

	fp_chain();
	id = sf1_programs(SFC_CTRL_PASS_TO_END, 0, &first);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_PASS_TO_END), 1);
	cr_assert_eq(bpft_flow(id).prog & SFC_FLOW_PROG_SKIP_MASK, 0xFFFF);
	/* The carrier itself skips SF2 after the strip: END, delivered. */
	strip_pass(&first, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6);
	pkt_tcp4(&in, "10.0.0.11", 80, 63);
	cr_assert_eq(out.len, in.len, "NSH stripped");
	/* Later packets never see an SF: plain packet to B, TTL - 1. */
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6);
	cr_assert_eq(out.len, in.len);
	cr_assert_eq(out.data[14 + 8], 63);
	cr_assert_eq(bpft_stats(SPI, 255).bypassed_packets, 1);
	cr_assert_eq(bpft_stats(SPI, 254).bypassed_packets, 2);
	cr_assert_eq(bpft_stats(SPI, 254).to_sf_packets, 0);
}

/* The forward walk to B that installs the reply entry, SF1 bypassing:
 * classifier -> SF2 -> END -> decap pass. */
static void forward_to_b(void)
{
	struct run_out out;
	struct pkt p;

	from_a(&out, 0x10);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	bpft_sf_back(&p, &out, VPID_SF2);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.mark, SFC_MARK_DECAP);
	memcpy(p.b, out.data, out.len);
	p.len = out.len;
	bpft_run(T.from_sf_fd, &p, SFC_MARK_DECAP, &out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "delivered to B");
}

/* B's reply through the classifier: where does it go first? */
static void reply_from_b(struct run_out *out)
{
	struct pkt in;

	in.len = 0;
	pkt_eth(&in, MAC_GW, bpft_ep(VPID_B)->mac, 0x0800);
	pkt_ipv4(&in, "10.0.0.11", "10.0.0.10", 6, 64, 20);
	pkt_tcp(&in, 80, 40000);
	in.b[14 + 20 + 13] = 0x10;
	bpft_map_lo(VPID_B);
	bpft_run(T.from_pod_fd, &in, 0, out);
}

/* SF1 is forward hop 0 and reverse hop 1: its bypass holds for replies
 * (which then skip it after SF2), a DROP drops them at B's classifier. */
Test(flowprog, both_directions_of_a_symmetric_chain)
{
	struct run_out first, out;
	struct pkt p;
	uint32_t id;

	fp_chain();
	id = sf1_programs(SFC_CTRL_BYPASS, 0, &first);
	forward_to_b();
	cr_assert_eq(bpft_flow(id).rev_spi, RSPI);
	reply_from_b(&out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	cr_assert_eq(sp_of(&out), SFC_SP(RSPI, 255));
	bpft_sf_back(&p, &out, VPID_SF2);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.mark, SFC_MARK_DECAP, "SF1 skipped: END at SI 253");
	cr_assert_eq(sp_of(&out), SFC_SP(RSPI, 253));
	cr_assert_eq(bpft_stats(RSPI, 254).bypassed_packets, 1);

	/* SF2 now drops the flow from a reply: both classifiers drop it. */
	reply_from_b(&out);
	bpft_sf_back(&p, &out, VPID_SF2);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_DROP, 0, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	reply_from_b(&out);
	cr_assert_eq(out.retval, V_SHOT);
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_FLOW), 3);
}

/* PASS_TO_END on a reply: the hops after this one in the reply's
 * direction, i.e. forward hops 0..pin. SF2 is reverse hop 0 = forward 1. */
Test(flowprog, pass_to_end_from_a_reply)
{
	struct run_out first, out;
	struct pkt p;
	uint32_t id;

	fp_chain();
	id = sf1_programs(SFC_CTRL_BYPASS, 0, &first);
	forward_to_b();
	reply_from_b(&out);
	bpft_sf_back(&p, &out, VPID_SF2);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_PASS_TO_END, 0, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.mark, SFC_MARK_CTRL);
	cr_assert_eq(bpft_flow(id).prog, SFC_FLOW_PROG_SKIP(0) | SFC_FLOW_PROG_SKIP(1));
	reply_from_b(&out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_A)->mac, 6, "straight to A");
}

/* Applying a changed chain (a new sfc_hop.gen) voids every program; the
 * same request replayed before the flow's entry moved to the new version
 * is stale: ignored and counted. */
Test(flowprog, chain_version_change_voids_programs_and_replays)
{
	struct run_out got, out;
	struct pkt req;
	uint32_t id;

	fp_chain();
	from_a(&got, 0x02);
	id = nsh_flow_id(got.data);
	bpft_sf_back(&req, &got, VPID_SF1);
	pkt_ctrl_tlv(&req, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, 0, id);
	bpft_run(T.from_sf_fd, &req, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BYPASS), 1);
	bpft_run(T.from_sf_fd, &req, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_REPEAT), 1);

	bpft_path_gen(SPI, GEN + 1);
	bpft_path_gen(RSPI, GEN + 1);
	bpft_map_lo(VPID_SF1);
	bpft_run(T.from_sf_fd, &req, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "the packet still goes on");
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_STALE), 1);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BYPASS), 1, "not acted on");

	/* The next packet moves the entry to the new version: SF1 sees the
	 * flow again, and may program it again. */
	from_a(&out, 0x10);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6);
	cr_assert_eq(bpft_flow(id).prog, 0);
	cr_assert_eq(bpft_flow(id).gen, GEN + 1);
	sf1_programs(SFC_CTRL_BYPASS, 0, &got);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BYPASS), 2);
	from_a(&out, 0x10);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
}

/* A program under an old version is void for replies too, which never
 * pass sfc_flow_open(). */
Test(flowprog, old_version_ignored_on_the_reply_path)
{
	struct run_out first, out;

	fp_chain();
	sf1_programs(SFC_CTRL_PASS_TO_END, 0, &first);
	strip_pass(&first, &out); /* delivered: the reply entry exists */
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6);
	reply_from_b(&out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_A)->mac, 6, "every hop skipped");
	bpft_path_gen(SPI, GEN + 1);
	bpft_path_gen(RSPI, GEN + 1);
	reply_from_b(&out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6,
			 "program of GEN ignored under GEN + 1");
}

/* SFC_SF_PROG_MAX programs per SF per window; over it: ignored, counted. */
Test(flowprog, per_sf_bound)
{
	struct sfc_sf_prog full = { .n = SFC_SF_PROG_MAX };
	struct run_out out;
	uint32_t vpid = VPID_SF1, id;

	fp_chain();
	full.window_ns = sfc_dp_now_ns();
	cr_assert_eq(bpf_map_update_elem(T.dp.sf_prog_fd, &vpid, &full, BPF_ANY), 0);
	id = sf1_programs(SFC_CTRL_BYPASS, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "forwarded");
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_OVER_BOUND), 1);
	cr_assert_eq(bpft_flow(id).prog, 0);
	full.n = SFC_SF_PROG_MAX - 1;
	cr_assert_eq(bpf_map_update_elem(T.dp.sf_prog_fd, &vpid, &full, BPF_ANY), 0);
	sf1_programs(SFC_CTRL_BYPASS, 0, &out);
	cr_assert_eq(bpft_flow(id).prog, SFC_FLOW_PROG_SKIP(0));
}

/* A flood of requests, one per flow: at most SFC_SF_PROG_MAX accepted per
 * window the flood spans. */
Test(flowprog, flood_of_requests_stays_within_bound)
{
	const int n = SFC_SF_PROG_MAX + 200;
	struct timespec t0, t1;
	struct run_out got, out;
	uint64_t acc, elapsed;
	struct pkt in, p;

	fp_chain();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		pkt_tcp4(&in, "10.0.0.11", 80, 64);
		in.b[14 + 20] = (uint8_t)(1 + i / 250); /* source port */
		in.b[14 + 21] = (uint8_t)(i % 250);
		bpft_map_lo(VPID_A);
		bpft_run(T.from_pod_fd, &in, 0, &got);
		bpft_sf_back(&p, &got, VPID_SF1);
		pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, 0,
			     nsh_flow_id(got.data));
		bpft_run(T.from_sf_fd, &p, 0, &out);
		cr_assert_eq(out.retval, V_REDIRECT);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
		  (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	acc = bpft_ctrl_stat(SFC_CTRL_ST_BYPASS);
	cr_assert_eq(acc + bpft_ctrl_stat(SFC_CTRL_ST_OVER_BOUND), (uint64_t)n);
	/* The flood spans at most this many windows. */
	cr_assert_leq(acc, (1 + elapsed / SFC_SF_PROG_WINDOW_NS) * SFC_SF_PROG_MAX);
	if (elapsed < SFC_SF_PROG_WINDOW_NS)
		cr_assert_eq(acc, SFC_SF_PROG_MAX, "one window: exactly the bound");
}

/* A DROP under an old version no longer drops, replies included (they
 * reach the gate before any forward packet renews the entry). */
Test(flowprog, drop_voided_by_chain_change)
{
	struct run_out first, out;
	struct pkt p;
	uint32_t id;

	fp_chain();
	id = sf1_programs(SFC_CTRL_BYPASS, 0, &first);
	forward_to_b();
	reply_from_b(&out);
	bpft_sf_back(&p, &out, VPID_SF2);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_DROP, 0, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	reply_from_b(&out);
	cr_assert_eq(out.retval, V_SHOT);
	bpft_path_gen(SPI, GEN + 1);
	bpft_path_gen(RSPI, GEN + 1);
	reply_from_b(&out);
	cr_assert_eq(out.retval, V_REDIRECT, "reply passes under GEN + 1");
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	from_a(&out, 0x10);
	cr_assert_eq(out.retval, V_REDIRECT, "forward passes under GEN + 1");
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6);
	cr_assert_eq(bpft_flow(id).flags, 0, "renewed entry lost the DROP");
}
