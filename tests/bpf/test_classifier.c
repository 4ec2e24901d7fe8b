// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_classifier.c - sfc_from_pod on crafted packets: chain entry (NSH
 * push + first hop), rule matching, fail-open / fail-closed, direct
 * delivery, pass-through, malformed input at the exact boundaries.
 */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(classifier, .init = bpft_setup, .fini = bpft_teardown);

static const struct sfc_rule RULE_TCP80 = {
	.spi = SPI, .proto = 6, .port_lo = 80, .port_hi = 80
};

/* out == NSH-encapsulated @in sent to SF @sf_vpid at SI @si. */
static void assert_to_sf(const struct run_out *out, const struct pkt *in,
			 uint32_t sf_vpid, uint32_t np, uint32_t si,
			 uint32_t dir)
{
	const struct sfc_endpoint *sf = bpft_ep(sf_vpid);
	struct pkt exp = { .len = 0 };

	uint32_t flow_id = nsh_flow_id(out->data);
	struct sfc_flow f;

	pkt_eth(&exp, sf->mac, sf->host_mac, 0x894F);
	pkt_nsh(&exp, nsh_word(63, np), SFC_SP(SPI, si), NSH_TLV,
		NSH_EP(VPID_A, dir), flow_id);
	pkt_bytes(&exp, in->b + 14, in->len - 14);
	cr_assert_eq(out->retval, V_REDIRECT);
	/* The flow id is the flow's sfc_flows key, pinning the instance. */
	cr_assert_neq(flow_id, 0);
	f = bpft_flow(flow_id);
	cr_assert_eq(f.spi, SPI);
	cr_assert_eq(f.src_vpid, VPID_A);
	cr_assert_eq(f.inst[255 - si], sf_vpid);
	cr_assert_eq(out->len, exp.len, "len %u != %u", out->len, exp.len);
	cr_assert_arr_eq(out->data, exp.b, exp.len, "encapsulated bytes differ");
}

/* Exact NSH bytes from the spec, independent of the builders. */
Test(classifier, chain_entry_pushes_exact_nsh)
{
	static const uint8_t nsh[16] = { 0x0F, 0xC5, 0x02, 0x01, 0x00, 0x01,
					 0x23, 0xFF, 0xFF, 0xF6, 0x01, 0x08,
					 0x00, VPID_A, 0x00, 0x00 };
	struct run_out out;
	struct pkt in;
	struct sfc_hop_stats st;

	bpft_map_lo(VPID_A);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &RULE_TCP80, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	pkt_tcp4(&in, "192.0.2.1", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);

	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6);
	cr_assert_arr_eq(out.data + 6, bpft_ep(VPID_SF1)->host_mac, 6);
	cr_assert_eq(out.data[12], 0x89);
	cr_assert_eq(out.data[13], 0x4F);
	cr_assert_arr_eq(out.data + 14, nsh, 16);
	cr_assert_eq(out.data[15] & 0x3F, 5, "Length: 5 words, 20 bytes");
	assert_to_sf(&out, &in, VPID_SF1, 1, 255, SFC_DIR_EGRESS);
	st = bpft_stats(SPI, 255);
	cr_assert_eq(st.to_sf_packets, 1);
	cr_assert_eq(st.to_sf_bytes, out.len);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(classifier, chain_entry_ipv6_and_ingress_rule)
{
	static const struct sfc_rule udp6 = { .spi = SPI, .proto = 17,
					      .family = 6 };
	/* B's ingress rule: peer is the source, A's address. */
	struct sfc_rule from_a = { .spi = SPI, .family = 4, .prefix_len = 32 };
	struct run_out out;
	struct pkt in;

	inet_pton(AF_INET, "10.0.0.10", from_a.addr);
	bpft_map_lo(VPID_A);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);

	bpft_policy(VPID_A, SFC_DIR_EGRESS, &udp6, 1);
	pkt_udp6(&in, "fd00::99", 53, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	assert_to_sf(&out, &in, VPID_SF2, 2, 255, SFC_DIR_EGRESS);

	bpft_policy(VPID_B, SFC_DIR_INGRESS, &from_a, 1);
	pkt_tcp4(&in, "10.0.0.11", 22, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	assert_to_sf(&out, &in, VPID_SF2, 1, 255, SFC_DIR_INGRESS);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 2);
}

/* Rule semantics: one rule against the standard TCP packet
 * 10.0.0.10:40000 -> 192.0.2.1:<dport>; match = encapsulated. */
struct rule_case {
	const char *name;
	struct sfc_rule rule;
	const char *addr; /* rule address, parsed into rule.addr */
	uint16_t dport;
	bool match;
};

static const struct rule_case rule_cases[] = {
	{ "all zero matches all", { .spi = SPI }, NULL, 80, true },
	{ "proto tcp", { .spi = SPI, .proto = 6 }, NULL, 80, true },
	{ "proto udp", { .spi = SPI, .proto = 17 }, NULL, 80, false },
	{ "family 4", { .spi = SPI, .family = 4 }, NULL, 80, true },
	{ "family 6", { .spi = SPI, .family = 6 }, NULL, 80, false },
	{ "port lo edge", { .spi = SPI, .port_lo = 80, .port_hi = 90 }, NULL, 80, true },
	{ "port hi edge", { .spi = SPI, .port_lo = 70, .port_hi = 80 }, NULL, 80, true },
	{ "port below", { .spi = SPI, .port_lo = 81, .port_hi = 90 }, NULL, 80, false },
	{ "port above", { .spi = SPI, .port_lo = 70, .port_hi = 79 }, NULL, 80, false },
	{ "port full range", { .spi = SPI, .port_lo = 0, .port_hi = 65535 }, NULL, 1, true },
	{ "/24 inside", { .spi = SPI, .family = 4, .prefix_len = 24 }, "192.0.2.0", 80, true },
	{ "/24 outside", { .spi = SPI, .family = 4, .prefix_len = 24 }, "192.0.3.0", 80, false },
	{ "/32 exact", { .spi = SPI, .family = 4, .prefix_len = 32 }, "192.0.2.1", 80, true },
	{ "/32 other", { .spi = SPI, .family = 4, .prefix_len = 32 }, "192.0.2.2", 80, false },
	{ "/1 inside", { .spi = SPI, .family = 4, .prefix_len = 1 }, "128.0.0.0", 80, true },
	{ "/1 outside", { .spi = SPI, .family = 4, .prefix_len = 1 }, "0.0.0.0", 80, false },
};

Test(classifier, rule_matching_table)
{
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
		const struct rule_case *c = &rule_cases[i];
		struct sfc_rule r = c->rule;

		if (c->addr)
			inet_pton(AF_INET, c->addr, r.addr);
		bpft_policy(VPID_A, SFC_DIR_EGRESS, &r, 1);
		pkt_tcp4(&in, "192.0.2.1", c->dport, 64);
		bpft_run(T.from_pod_fd, &in, 0, &out);
		cr_expect_eq(out.retval, c->match ? V_REDIRECT : V_NEXT,
			     "case '%s': verdict %d", c->name, out.retval);
	}
}

Test(classifier, first_match_wins_and_n_rules_bounds)
{
	struct sfc_rule rules[3] = {
		{ .spi = 0x77, .proto = 17 },            /* no match */
		{ .spi = SPI, .proto = 6 },              /* first match */
		{ .spi = 0x99 },                         /* would match */
	};
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, rules, 3);
	pkt_tcp4(&in, "192.0.2.1", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	assert_to_sf(&out, &in, VPID_SF1, 1, 255, SFC_DIR_EGRESS);
	/* n_rules = 1 hides the matching rules behind it. */
	bpft_policy(VPID_A, SFC_DIR_EGRESS, rules, 1);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
}

/* Every hop fail-open and down: the classifier reaches END itself,
 * strips the NSH it pushed and delivers the plain packet to B. */
Test(classifier, all_hops_skipped_delivers_plain)
{
	const struct sfc_endpoint *b = bpft_ep(VPID_B);
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &RULE_TCP80, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, SFC_HOP_F_DOWN, SFC_FAIL_OPEN);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, SFC_HOP_F_DOWN, SFC_FAIL_OPEN);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, 0);
	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);

	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.len, in.len);
	cr_assert_arr_eq(out.data, b->mac, 6);
	cr_assert_arr_eq(out.data + 6, b->host_mac, 6);
	cr_assert_eq(out.data[12], 0x08);
	cr_assert_eq(out.data[13], 0x00);
	cr_assert_eq(out.data[14 + 8], 63, "TTL decremented once");
	cr_assert_eq(ip_csum(out.data + 14, 20), 0, "IPv4 checksum valid");
	cr_assert_arr_eq(out.data + 14 + 12, in.b + 14 + 12, in.len - 26);
	cr_assert_eq(bpft_stats(SPI, 255).skipped_packets, 1);
	cr_assert_eq(bpft_stats(SPI, 254).skipped_packets, 1);
	cr_assert_eq(bpft_drops_total(), 0);
}

struct drop_case {
	const char *name;
	uint8_t flags, policy, kind;
	uint32_t vpid;
	bool no_hop;
	int reason;
};

Test(classifier, first_hop_drops_table)
{
	static const struct drop_case cases[] = {
		{ "fail-closed down", SFC_HOP_F_DOWN, SFC_FAIL_CLOSED, SFC_HOP_SF,
		  VPID_SF1, false, SFC_DROP_SF_DOWN },
		{ "no path entry", 0, 0, 0, 0, true, SFC_DROP_NO_PATH },
		{ "SF endpoint missing", 0, 0, SFC_HOP_SF, 333, false,
		  SFC_DROP_NO_ENDPOINT },
		{ "hop points at app pod", 0, 0, SFC_HOP_SF, VPID_B, false,
		  SFC_DROP_NO_ENDPOINT },
		{ "unknown hop kind", 0, 0, 9, VPID_SF1, false, SFC_DROP_NO_PATH },
	};
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &RULE_TCP80, 1);
	pkt_tcp4(&in, "192.0.2.1", 80, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct drop_case *c = &cases[i];
		uint64_t before = bpft_drops(c->reason);
		uint32_t sp = SFC_SP(SPI, 255);

		if (c->no_hop)
			bpf_map_delete_elem(T.dp.paths_fd, &sp);
		else
			bpft_hop(SPI, 255, c->kind, c->vpid, c->flags, c->policy);
		bpft_run(T.from_pod_fd, &in, 0, &out);
		cr_expect_eq(out.retval, V_SHOT, "case '%s'", c->name);
		cr_expect_eq(bpft_drops(c->reason), before + 1, "case '%s'",
			     c->name);
	}
	cr_assert_eq(bpft_stats(SPI, 255).dropped_packets, 1);
}

/* Entries of the flow-id-keyed hash map @fd. */
static int count_keys(int fd)
{
	uint32_t key, next;
	int n = 0;

	for (int err = bpf_map_get_next_key(fd, NULL, &key); !err;
	     err = bpf_map_get_next_key(fd, &key, &next), key = next)
		n++;
	return n;
}

/* Cluster mode's fail-closed rule for a pod naming a chain that does not
 * exist: dropped as no-chain at the classifier, no flow entry opened. */
Test(classifier, no_chain_rule_drops_without_a_flow)
{
	static const struct sfc_rule all = {
		.spi = SFC_SPI_NO_CHAIN, .port_hi = 65535
	};
	struct run_out out;
	struct pkt in;
	int flows = count_keys(T.dp.flows_fd);

	bpft_map_lo(VPID_A);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &all, 1);
	/* Even a path under that SPI is never taken. */
	bpft_hop(SFC_SPI_NO_CHAIN, 255, SFC_HOP_SF, VPID_SF1, 0, 0);
	pkt_tcp4(&in, "192.0.2.1", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_NO_CHAIN), 1);
	cr_assert_eq(bpft_drops(SFC_DROP_NO_PATH), 0);
	cr_assert_eq(bpft_stats(SFC_SPI_NO_CHAIN, 255).to_sf_packets, 0);
	cr_assert_eq(count_keys(T.dp.flows_fd), flows, "a flow entry was opened");
}

Test(classifier, skip_loop_is_bounded)
{
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &RULE_TCP80, 1);
	for (uint32_t si = 255; si > 255 - SFC_MAX_PATH_HOPS - 2; si--)
		bpft_hop(SPI, si, SFC_HOP_SF, VPID_SF1, SFC_HOP_F_DOWN,
			 SFC_FAIL_OPEN);
	pkt_tcp4(&in, "192.0.2.1", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_LOOP), 1);
}
