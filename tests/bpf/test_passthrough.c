// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_passthrough.c - sfc_from_pod without a chain: direct delivery to a
 * local pod, TCX_NEXT for everything the kernel should handle, and
 * malformed packets at the exact header boundaries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(passthrough, .init = bpft_setup, .fini = bpft_teardown);

Test(passthrough, local_ipv4_delivered_with_ttl_and_checksum)
{
	const struct sfc_endpoint *b = bpft_ep(VPID_B);
	struct run_out out;
	struct pkt in, exp;

	bpft_map_lo(VPID_A);
	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	pkt_tcp4(&exp, "10.0.0.11", 80, 63);
	memcpy(exp.b, b->mac, 6);
	memcpy(exp.b + 6, b->host_mac, 6);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.len, exp.len);
	/* exp was built with TTL 63 and a freshly computed checksum: the
	 * incremental update must agree byte for byte. */
	cr_assert_arr_eq(out.data, exp.b, exp.len);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(passthrough, local_ipv6_delivered_with_hop_limit)
{
	const struct sfc_endpoint *b = bpft_ep(VPID_B);
	struct run_out out;
	struct pkt in, exp;

	bpft_map_lo(VPID_A);
	pkt_udp6(&in, "fd00::11", 53, 2);
	pkt_udp6(&exp, "fd00::11", 53, 1);
	memcpy(exp.b, b->mac, 6);
	memcpy(exp.b + 6, b->host_mac, 6);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, exp.b, exp.len);
}

/* Cases where the packet is the kernel's business: unchanged, TCX_NEXT. */
Test(passthrough, next_table)
{
	static const uint8_t arp_body[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct {
		const char *name;
		bool map_lo;
		struct pkt p;
	} cases[10] = {
		{ .name = "non-local IPv4", .map_lo = true },
		{ .name = "non-local IPv6", .map_lo = true },
		{ .name = "ARP", .map_lo = true },
		{ .name = "unknown ifindex", .map_lo = false },
		{ .name = "TTL 1 to local", .map_lo = true },
		{ .name = "hop limit 1 to local", .map_lo = true },
		{ .name = "IPv6 ND to solicited-node multicast", .map_lo = true },
		{ .name = "IPv6 to link-local gateway", .map_lo = true },
		{ .name = "IPv4 multicast", .map_lo = true },
		{ .name = "IPv4 broadcast", .map_lo = true },
	};
	/* A rule that matches everything: link-scope traffic still bypasses. */
	static const struct sfc_rule any = { .spi = SPI };
	struct run_out out;

	pkt_tcp4(&cases[0].p, "192.0.2.1", 80, 64);
	pkt_udp6(&cases[1].p, "2001:db8::1", 53, 64);
	pkt_eth(&cases[2].p, MAC_GW, bpft_ep(VPID_A)->mac, 0x0806);
	pkt_bytes(&cases[2].p, arp_body, sizeof(arp_body));
	pkt_tcp4(&cases[3].p, "10.0.0.11", 80, 64);
	pkt_tcp4(&cases[4].p, "10.0.0.11", 80, 1);
	pkt_udp6(&cases[5].p, "fd00::11", 53, 1);
	pkt_udp6(&cases[6].p, "ff02::1:ff00:1", 53, 255);
	pkt_udp6(&cases[7].p, "fe80::1", 53, 255);
	pkt_tcp4(&cases[8].p, "224.0.0.251", 5353, 1);
	pkt_tcp4(&cases[9].p, "255.255.255.255", 67, 64);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	for (size_t i = 0; i < 10; i++) {
		uint32_t lo = 1;

		if (i == 6)
			bpft_policy(VPID_A, SFC_DIR_EGRESS, &any, 1);
		if (cases[i].map_lo)
			bpft_map_lo(VPID_A);
		else
			bpf_map_delete_elem(T.dp.ifindex_fd, &lo);
		bpft_run(T.from_pod_fd, &cases[i].p, 0, &out);
		cr_expect_eq(out.retval, V_NEXT, "case '%s': verdict %d",
			     cases[i].name, out.retval);
		cr_expect_eq(out.len, cases[i].p.len, "case '%s'", cases[i].name);
		cr_expect_arr_eq(out.data, cases[i].p.b, cases[i].p.len,
				 "case '%s' modified", cases[i].name);
	}
	cr_assert_eq(bpft_drops_total(), 0);
}

/*
 * Malformed input at the exact boundaries. This kernel's test_run itself
 * refuses (EINVAL) any packet shorter than Ethernet + a full IPv4 (20) or
 * IPv6 (40) header when the EtherType says IP, and anything under 14
 * bytes: those rows expect V_REFUSED, pinning the boundary where the
 * program's own truncation checks take over (a truncated IP header behind
 * NSH is covered by the decap-pass tests). A packet that claims IPv4/IPv6 but
 * is cut or invalid is dropped as malformed: it cannot be classified, and
 * letting it bypass the chain would be a hole. Non-IP stays TCX_NEXT.
 * The IP length field is set to the cut, so that each row tests one thing
 * (length disagreements have their own table below).
 */
#define V_REFUSED 1000 /* test_run refuses the input with EINVAL */

struct mal_case {
	const char *name;
	uint16_t ethertype;
	int cut;           /* keep this many bytes after Ethernet */
	int patch_off;     /* byte after Ethernet to overwrite, -1 none */
	uint8_t patch;
	bool v6;
	int verdict;
};

Test(passthrough, malformed_boundaries_table)
{
	static const struct mal_case cases[] = {
		{ "13 bytes", 0x0806, -1, -1, 0, false, V_REFUSED },
		{ "ARP, Ethernet only", 0x0806, 0, -1, 0, false, V_NEXT },
		{ "IPv4, Ethernet only", 0x0800, 0, -1, 0, false, V_REFUSED },
		{ "IPv4 19 bytes", 0x0800, 19, -1, 0, false, V_REFUSED },
		{ "IPv4 20 bytes, IHL 5, proto TCP", 0x0800, 20, -1, 0, false, V_SHOT },
		{ "IPv4 version 6", 0x0800, 40, 0, 0x65, false, V_SHOT },
		{ "IPv4 IHL 4", 0x0800, 40, 0, 0x44, false, V_SHOT },
		{ "IPv4 IHL 15 > packet", 0x0800, 40, 0, 0x4F, false, V_SHOT },
		{ "TCP 19 bytes", 0x0800, 39, -1, 0, false, V_SHOT },
		{ "TCP exactly 20 bytes", 0x0800, 40, -1, 0, false, V_NEXT },
		{ "IPv4 fragment, no L4", 0x0800, 20, 7, 0x10, false, V_NEXT },
		{ "IPv6 39 bytes", 0x86DD, 39, -1, 0, true, V_REFUSED },
		{ "IPv6 40 bytes, UDP missing", 0x86DD, 40, -1, 0, true, V_SHOT },
		{ "IPv6 version 4", 0x86DD, 52, 0, 0x40, true, V_SHOT },
		{ "UDP 7 bytes", 0x86DD, 47, -1, 0, true, V_SHOT },
		{ "UDP exactly 8 bytes", 0x86DD, 48, -1, 0, true, V_NEXT },
	};
	struct run_out out;

	bpft_map_lo(VPID_A);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mal_case *c = &cases[i];
		uint64_t before = bpft_drops(SFC_DROP_MALFORMED);
		struct pkt p;

		if (c->v6)
			pkt_udp6(&p, "2001:db8::1", 53, 64);
		else
			pkt_tcp4(&p, "192.0.2.1", 80, 64);
		p.b[12] = c->ethertype >> 8;
		p.b[13] = c->ethertype & 0xFF;
		p.len = 14 + c->cut;
		if (!c->v6 && c->cut >= 4) {
			p.b[14 + 2] = c->cut >> 8;
			p.b[14 + 3] = c->cut & 0xFF;
		} else if (c->v6 && c->cut >= 40) {
			p.b[14 + 4] = (c->cut - 40) >> 8;
			p.b[14 + 5] = (c->cut - 40) & 0xFF;
		}
		if (c->patch_off >= 0)
			p.b[14 + c->patch_off] = c->patch;
		if (c->verdict == V_REFUSED) {
			cr_expect_eq(bpft_try_run(T.from_pod_fd, &p, 0, &out),
				     -EINVAL, "case '%s'", c->name);
			continue;
		}
		bpft_run(T.from_pod_fd, &p, 0, &out);
		cr_expect_eq(out.retval, c->verdict, "case '%s': verdict %d",
			     c->name, out.retval);
		cr_expect_eq(bpft_drops(SFC_DROP_MALFORMED),
			     before + (c->verdict == V_SHOT), "case '%s' count",
			     c->name);
	}
}

/*
 * The IP length field against the frame: beyond the frame, under the IP
 * header or leaving no room for the TCP / UDP header is malformed; shorter
 * than the frame is Ethernet padding and delivered (the receiver trims
 * it). A GSO packet with length 0 is BIG TCP (over 64 KiB): its length is
 * the skb's. Packets go from A to local pod B, so "accepted" is a
 * delivery and a packet that slipped through would reach the pod.
 */
struct len_case {
	const char *name;
	bool v6;
	uint16_t frame;   /* bytes after Ethernet (UDP payload fills it) */
	uint16_t ip_len;  /* IPv4 total length / IPv6 payload length */
	uint32_t gso_size;
	int verdict;
};

static void udp_to_b(struct pkt *p, const struct len_case *c)
{
	static const uint8_t zero[64];
	uint16_t sum;

	p->len = 0;
	pkt_eth(p, MAC_GW, bpft_ep(VPID_A)->mac, c->v6 ? 0x86DD : 0x0800);
	if (c->v6)
		pkt_ipv6(p, "fd00::10", "fd00::11", 17, 64, 8);
	else
		pkt_ipv4(p, "10.0.0.10", "10.0.0.11", 17, 64, 8);
	pkt_udp(p, 40000, 53, 0);
	pkt_bytes(p, zero, 14 + c->frame - p->len);
	if (c->v6) {
		p->b[14 + 4] = c->ip_len >> 8;
		p->b[14 + 5] = c->ip_len & 0xFF;
	} else {
		p->b[14 + 2] = c->ip_len >> 8;
		p->b[14 + 3] = c->ip_len & 0xFF;
		p->b[14 + 10] = p->b[14 + 11] = 0;
		sum = ip_csum(p->b + 14, 20);
		p->b[14 + 10] = sum >> 8;
		p->b[14 + 11] = sum & 0xFF;
	}
}

Test(passthrough, ip_length_table)
{
	static const struct len_case cases[] = {
		{ "IPv4 tot_len 1400 in a 47-byte frame", false, 33, 1400, 0, V_SHOT },
		{ "IPv4 tot_len one over the frame", false, 33, 34, 0, V_SHOT },
		{ "IPv4 tot_len 21: UDP header past it", false, 33, 21, 0, V_SHOT },
		{ "IPv4 tot_len 19 < IHL * 4", false, 33, 19, 0, V_SHOT },
		{ "IPv4 tot_len 0, not GSO", false, 33, 0, 0, V_SHOT },
		{ "IPv4 tot_len = frame", false, 33, 33, 0, V_REDIRECT },
		{ "IPv4 UDP header exactly in tot_len", false, 33, 28, 0, V_REDIRECT },
		{ "IPv4 60-byte frame with padding", false, 46, 30, 0, V_REDIRECT },
		{ "IPv4 GSO, tot_len 0 (BIG TCP)", false, 33, 0, 1400, V_REDIRECT },
		{ "IPv4 GSO, tot_len over the skb", false, 33, 1400, 1400, V_SHOT },
		{ "IPv6 payload 1400 in a short frame", true, 53, 1400, 0, V_SHOT },
		{ "IPv6 payload one over the frame", true, 53, 14, 0, V_SHOT },
		{ "IPv6 payload 4: UDP header past it", true, 53, 4, 0, V_SHOT },
		{ "IPv6 payload 0, not GSO", true, 53, 0, 0, V_SHOT },
		{ "IPv6 payload = frame", true, 53, 13, 0, V_REDIRECT },
		{ "IPv6 frame with padding", true, 60, 9, 0, V_REDIRECT },
		{ "IPv6 GSO, payload 0 (BIG TCP)", true, 53, 0, 1400, V_REDIRECT },
		{ "IPv6 GSO, payload over the skb", true, 53, 1400, 1400, V_SHOT },
	};
	struct run_out out;
	struct pkt p;

	bpft_map_lo(VPID_A);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct len_case *c = &cases[i];
		uint64_t before = bpft_drops(SFC_DROP_MALFORMED);
		int err;

		udp_to_b(&p, c);
		err = bpft_try_run_gso(T.from_pod_fd, &p, c->gso_size, &out);
		cr_assert_eq(err, 0, "case '%s': test_run %d", c->name, err);
		cr_expect_eq(out.retval, c->verdict, "case '%s': verdict %d",
			     c->name, out.retval);
		cr_expect_eq(bpft_drops(SFC_DROP_MALFORMED),
			     before + (c->verdict == V_SHOT), "case '%s' count",
			     c->name);
	}
}
