// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_groups.c - SF groups, symmetric chains and the SFC proxy:
 * instance choice by flow hash, stickiness, failover, all instances down
 * (fail-open / fail-closed), the reply of a symmetric chain taking the
 * reverse SFP through the same instances, NSH stripped for an SFC-unaware
 * SF and restored when its plain packet comes back, and malformed cases.
 */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(groups, .init = bpft_setup, .fini = bpft_teardown);

#define GROUP_SF2 101
#define GROUP_UN 102
#define RSPI (SPI + 1)

static const uint32_t FW3[3] = { VPID_SF1, VPID_SF3, VPID_SF4 };
static const struct sfc_rule ALL_TCP = { .spi = SPI, .proto = 6 };

/* TCP @src:@sport -> @dst:@dport as it leaves pod @from. */
static void tcp_from(struct pkt *p, uint32_t from, const char *src,
		     const char *dst, uint16_t sport, uint16_t dport)
{
	p->len = 0;
	pkt_eth(p, MAC_GW, bpft_ep(from)->mac, 0x0800);
	pkt_ipv4(p, src, dst, 6, 64, 20);
	pkt_tcp(p, sport, dport);
}

/* The SF endpoint whose MAC the frame is addressed to, 0 if none. */
static uint32_t to_vpid(const struct run_out *out)
{
	static const uint32_t sfs[] = { VPID_SF1, VPID_SF2, VPID_SF3,
					VPID_SF4, VPID_UN };

	for (size_t i = 0; i < sizeof(sfs) / sizeof(sfs[0]); i++)
		if (!memcmp(out->data, bpft_ep(sfs[i])->mac, 6))
			return sfs[i];
	return 0;
}

/* A -> anything TCP enters SPI: 255 -> {SF1, SF3, SF4}, 254 -> END. */
static void fw_group_path(uint8_t policy)
{
	bpft_map_lo(VPID_A);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &ALL_TCP, 1);
	bpft_group(GROUP_FW, FW3, NULL, 3);
	bpft_hop(SPI, 255, SFC_HOP_SF, GROUP_FW, 0, policy);
	bpft_hop(SPI, 254, SFC_HOP_END, 0, 0, policy);
}

Test(groups, flows_spread_over_instances_by_hash)
{
	uint32_t hits[3] = { 0 }, pinned = 0;
	struct run_out out;
	struct pkt in;

	fw_group_path(SFC_FAIL_CLOSED);
	for (int i = 0; i < 90; i++) {
		uint32_t v;

		tcp_from(&in, VPID_A, "10.0.0.10", "192.0.2.1", 30000 + i, 80);
		bpft_run(T.from_pod_fd, &in, 0, &out);
		cr_assert_eq(out.retval, V_REDIRECT);
		v = to_vpid(&out);
		cr_assert(v == VPID_SF1 || v == VPID_SF3 || v == VPID_SF4);
		hits[v == VPID_SF1 ? 0 : v == VPID_SF3 ? 1 : 2]++;
		cr_assert_eq(bpft_flow(nsh_flow_id(out.data)).inst[0], v);
	}
	for (int i = 0; i < 3; i++) {
		cr_expect_geq(hits[i], 15, "instance %d got %u of 90 flows", i,
			      hits[i]);
		pinned += (uint32_t)bpft_sf_stats(FW3[i]).flows_pinned;
		cr_expect_eq(bpft_sf_stats(FW3[i]).to_sf_packets, hits[i]);
	}
	cr_assert_eq(pinned, 90);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 90);
}

Test(groups, flow_sticks_to_its_instance)
{
	struct run_out out;
	uint32_t first, id;
	struct pkt in;

	fw_group_path(SFC_FAIL_CLOSED);
	tcp_from(&in, VPID_A, "10.0.0.10", "192.0.2.1", 41000, 443);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	first = to_vpid(&out);
	id = nsh_flow_id(out.data);
	for (int i = 0; i < 20; i++) {
		bpft_run(T.from_pod_fd, &in, 0, &out);
		cr_assert_eq(to_vpid(&out), first, "packet %d", i);
		cr_assert_eq(nsh_flow_id(out.data), id, "same flow id");
	}
	cr_assert_eq(bpft_sf_stats(first).flows_pinned, 1);
	cr_assert_eq(bpft_sf_stats(first).to_sf_packets, 21);
}

Test(groups, failover_moves_pinned_flow_to_live_instance)
{
	uint32_t first, second, id;
	struct run_out out;
	struct pkt in;

	fw_group_path(SFC_FAIL_CLOSED);
	tcp_from(&in, VPID_A, "10.0.0.10", "192.0.2.1", 42000, 443);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	first = to_vpid(&out);
	id = nsh_flow_id(out.data);

	bpft_sf_down(first, 1);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	second = to_vpid(&out);
	cr_assert(second && second != first, "moved off %u to %u", first, second);
	cr_assert_eq(bpft_flow(id).inst[0], second, "re-pinned");
	cr_assert_eq(bpft_sf_stats(first).flows_moved_away, 1);

	/* The old instance back up: the flow stays where it is now. */
	bpft_sf_down(first, 0);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(to_vpid(&out), second);

	/* An instance that leaves the group loses its flows the same way. */
	{
		uint32_t rest[2], n = 0;

		for (int i = 0; i < 3; i++)
			if (FW3[i] != second)
				rest[n++] = FW3[i];
		bpft_group(GROUP_FW, rest, NULL, 2);
		bpft_run(T.from_pod_fd, &in, 0, &out);
		cr_assert(to_vpid(&out) == rest[0] || to_vpid(&out) == rest[1]);
	}
}

Test(groups, all_instances_down_fail_closed_drops)
{
	struct run_out out;
	struct pkt in;

	fw_group_path(SFC_FAIL_CLOSED);
	for (int i = 0; i < 3; i++)
		bpft_sf_down(FW3[i], 1);
	tcp_from(&in, VPID_A, "10.0.0.10", "10.0.0.11", 43000, 80);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_SF_DOWN), 1);
	cr_assert_eq(bpft_stats(SPI, 255).dropped_packets, 1);
}

Test(groups, all_instances_down_fail_open_skips)
{
	const struct sfc_endpoint *b = bpft_ep(VPID_B);
	struct run_out out;
	struct pkt in;

	fw_group_path(SFC_FAIL_OPEN);
	for (int i = 0; i < 3; i++)
		bpft_sf_down(FW3[i], 1);
	tcp_from(&in, VPID_A, "10.0.0.10", "10.0.0.11", 43000, 80);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.len, in.len, "plain packet, no NSH");
	cr_assert_arr_eq(out.data, b->mac, 6);
	cr_assert_eq(bpft_stats(SPI, 255).skipped_packets, 1);
	cr_assert_eq(bpft_drops_total(), 0);

	/* One instance back: the next packet goes through it. */
	bpft_sf_down(VPID_SF3, 0);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(to_vpid(&out), VPID_SF3);
}

/* Symmetric chain: SPI 255 -> FW group, 254 -> SF2, 253 END; reverse
 * SPI+1: 255 -> SF2, 254 -> FW group, 253 END. */
static void symmetric_chain(void)
{
	uint32_t spi = SPI, rspi = RSPI, sf2 = VPID_SF2;

	fw_group_path(SFC_FAIL_CLOSED);
	bpft_group(GROUP_SF2, &sf2, NULL, 1);
	bpft_hop(SPI, 254, SFC_HOP_SF, GROUP_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
	bpft_hop(RSPI, 255, SFC_HOP_SF, GROUP_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(RSPI, 254, SFC_HOP_SF, GROUP_FW, 0, SFC_FAIL_CLOSED);
	bpft_hop(RSPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
	cr_assert_eq(bpf_map_update_elem(T.dp.rev_spi_fd, &spi, &rspi, BPF_ANY), 0);
}

/* What SF @vpid sends back: @out (what it got) with SI - 1, MACs swapped. */
static void sf_returns(struct pkt *p, const struct run_out *out, uint32_t vpid)
{
	memcpy(p->b, out->data, out->len);
	p->len = out->len;
	memcpy(p->b, bpft_ep(vpid)->host_mac, 6);
	memcpy(p->b + 6, bpft_ep(vpid)->mac, 6);
	p->b[14 + 7]--;
	bpft_map_lo(vpid);
}

Test(groups, reply_takes_reverse_path_through_same_instances)
{
	struct sfc_flow_key key = { .sport = 80, .dport = 44000, .proto = 6,
				    .family = 4 };
	struct sfc_flow_ref ref;
	uint32_t fw_inst, id;
	struct run_out out;
	struct pkt in, p;

	symmetric_chain();
	/* Forward: A -> B:80, through the FW group and SF2, to the end. */
	tcp_from(&in, VPID_A, "10.0.0.10", "10.0.0.11", 44000, 80);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	fw_inst = to_vpid(&out);
	id = nsh_flow_id(out.data);
	sf_returns(&p, &out, fw_inst);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(to_vpid(&out), VPID_SF2);
	sf_returns(&p, &out, VPID_SF2);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.mark, SFC_MARK_DECAP, "END: re-injected");
	memcpy(p.b, out.data, out.len);
	p.len = out.len;
	bpft_run(T.from_sf_fd, &p, SFC_MARK_DECAP, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "delivered to B");

	/* The reply entry: reverse of the final 5-tuple -> reverse SFP. */
	inet_pton(AF_INET, "10.0.0.11", &key.saddr[0]);
	inet_pton(AF_INET, "10.0.0.10", &key.daddr[0]);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.flow_tuples_fd, &key, &ref), 0);
	cr_assert_eq(ref.flow_id, id);
	cr_assert_eq(ref.spi, RSPI);
	cr_assert_eq(ref.flags, SFC_FLOW_F_REPLY);
	cr_assert_eq(bpft_flow(id).n_hops, 2);
	cr_assert_eq(bpft_flow(id).rev_spi, RSPI);

	/* B replies: its classifier has no rule, the flow table sends the
	 * reply into SPI+1 with the same flow id, first to SF2. */
	tcp_from(&in, VPID_B, "10.0.0.11", "10.0.0.10", 80, 44000);
	bpft_map_lo(VPID_B);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(to_vpid(&out), VPID_SF2);
	cr_assert_eq(ntohl(*(uint32_t *)(out.data + 18)), SFC_SP(RSPI, 255));
	cr_assert_eq(nsh_flow_id(out.data), id);
	cr_assert_eq(out.data[26], 0x00); /* TLV src VPID: the replying pod */
	cr_assert_eq(out.data[27], VPID_B);
	cr_assert_eq(out.data[29], SFC_TLV_F_REPLY);
	/* ... then to the very FW instance the forward direction used. */
	sf_returns(&p, &out, VPID_SF2);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(to_vpid(&out), fw_inst, "same instance in reverse");
	cr_assert_eq(ntohl(*(uint32_t *)(out.data + 18)), SFC_SP(RSPI, 254));
	/* ... and ends at A, with no reply entry installed for a reply. */
	sf_returns(&p, &out, fw_inst);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	memcpy(p.b, out.data, out.len);
	p.len = out.len;
	bpft_run(T.from_sf_fd, &p, SFC_MARK_DECAP, &out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_A)->mac, 6, "delivered to A");
	key.saddr[0] ^= key.daddr[0];
	key.daddr[0] ^= key.saddr[0];
	key.saddr[0] ^= key.daddr[0];
	key.sport = 44000;
	key.dport = 80;
	cr_assert_neq(bpf_map_lookup_elem(T.dp.flow_tuples_fd, &key, &ref), 0);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(groups, reply_entry_ignored_without_reverse_path)
{
	struct sfc_flow_key key = { .sport = 80, .dport = 44000, .proto = 6,
				    .family = 4 };
	struct sfc_flow_ref ref = { .flow_id = 7, .spi = 0x999,
				    .flags = SFC_FLOW_F_REPLY };
	struct run_out out;
	struct pkt in;

	ref.last_ns = sfc_dp_now_ns();
	inet_pton(AF_INET, "10.0.0.11", &key.saddr[0]);
	inet_pton(AF_INET, "10.0.0.10", &key.daddr[0]);
	cr_assert_eq(bpf_map_update_elem(T.dp.flow_tuples_fd, &key, &ref, BPF_ANY), 0);
	bpft_map_lo(VPID_B);
	tcp_from(&in, VPID_B, "10.0.0.11", "10.0.0.10", 80, 44000);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	/* No SFP 0x999: classified as usual (no rule), delivered directly. */
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_A)->mac, 6);
	cr_assert_eq(out.len, in.len);
	/* A stale entry of an existing SFP is ignored too. */
	symmetric_chain();
	ref.spi = RSPI;
	ref.last_ns = 1;
	cr_assert_eq(bpf_map_update_elem(T.dp.flow_tuples_fd, &key, &ref, BPF_ANY), 0);
	bpft_map_lo(VPID_B);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.len, in.len, "stale: not pushed into the reverse SFP");
}
