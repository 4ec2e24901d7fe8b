// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_neigh.c - sfc_from_pod on the pod's link-layer frames: ARP and
 * ICMPv6 NS answered as the gateway with the host veth MAC, the pod's MAC
 * learned from them (and used by delivery), everything else left alone.
 */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(neigh, .init = bpft_setup, .fini = bpft_teardown);

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t NEW_MAC[6] = { 0x0a, 0x58, 0, 0, 0, 0x42 };

static void put_ip4(struct pkt *p, const char *ip)
{
	uint32_t a;

	inet_pton(AF_INET, ip, &a);
	pkt_bytes(p, &a, 4);
}

/* ARP request (@op 1) or reply from @sha/@spa for @tpa, on Ethernet. */
static void pkt_arp(struct pkt *p, const uint8_t *src, uint16_t op,
		    const uint8_t *sha, const char *spa, const char *tpa)
{
	static const uint8_t hdr[6] = { 0, 1, 0x08, 0, 6, 4 };
	static const uint8_t zero[6];
	uint8_t opb[2] = { 0, (uint8_t)op };

	p->len = 0;
	pkt_eth(p, BCAST, src, 0x0806);
	pkt_bytes(p, hdr, sizeof(hdr));
	pkt_bytes(p, opb, 2);
	pkt_bytes(p, sha, 6);
	put_ip4(p, spa);
	pkt_bytes(p, zero, 6);
	put_ip4(p, tpa);
}

/* ICMPv6 NS from @src for @target to its solicited-node group, with a
 * source link-layer address option unless @no_opt. */
static void pkt_ns(struct pkt *p, const uint8_t *mac, const char *src,
		   const char *target, bool no_opt)
{
	uint8_t icmp[32] = { 135 };
	uint8_t t[16];

	inet_pton(AF_INET6, target, t);
	memcpy(icmp + 8, t, 16);
	icmp[24] = 1; /* source link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	p->len = 0;
	pkt_eth(p, (const uint8_t[]){ 0x33, 0x33, 0xff, t[13], t[14], t[15] },
		mac, 0x86DD);
	pkt_ipv6(p, src, "ff02::1:ff00:1", 58, 255, no_opt ? 24 : 32);
	pkt_bytes(p, icmp, no_opt ? 24 : 32);
}

static struct sfc_endpoint ep_in_map(uint32_t vpid)
{
	struct sfc_endpoint ep;

	cr_assert_eq(bpf_map_lookup_elem(T.dp.endpoints_fd, &vpid, &ep), 0);
	return ep;
}

/* Ones' complement sum for the ICMPv6 checksum check (RFC 8200 8.1). */
static uint16_t icmp6_csum(const uint8_t *ip6, const uint8_t *l4, uint32_t len)
{
	uint32_t sum = 0;

	for (int i = 8; i < 40; i += 2)
		sum += (ip6[i] << 8) | ip6[i + 1];
	sum += len + 58;
	for (uint32_t i = 0; i < len; i += 2)
		sum += (l4[i] << 8) | (i + 1 < len ? l4[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum; /* 0xFFFF when the checksum field is right */
}

Test(neigh, arp_request_for_gateway_answered_by_host_veth)
{
	const struct sfc_endpoint *a = bpft_ep(VPID_A);
	struct run_out out;
	struct pkt in, exp;

	bpft_map_lo(VPID_A);
	pkt_arp(&in, a->mac, 1, a->mac, "10.0.0.10", "10.0.0.1");
	bpft_run(T.from_pod_fd, &in, 0, &out);

	cr_assert_eq(out.retval, V_REDIRECT, "answered back to the pod");
	exp.len = 0;
	pkt_eth(&exp, a->mac, a->host_mac, 0x0806);
	pkt_bytes(&exp, (const uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, 2 }, 8);
	pkt_bytes(&exp, a->host_mac, 6);
	put_ip4(&exp, "10.0.0.1");
	pkt_bytes(&exp, a->mac, 6);
	put_ip4(&exp, "10.0.0.10");
	cr_assert_eq(out.len, exp.len);
	cr_assert_arr_eq(out.data, exp.b, exp.len, "ARP reply bytes differ");
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(neigh, arp_left_to_kernel_when_not_a_gateway_request)
{
	const struct sfc_endpoint *a = bpft_ep(VPID_A);
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	/* Gratuitous ARP, a reply, an address probe (RFC 5227). */
	pkt_arp(&in, a->mac, 1, a->mac, "10.0.0.10", "10.0.0.10");
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "gratuitous ARP");
	pkt_arp(&in, a->mac, 2, a->mac, "10.0.0.10", "10.0.0.1");
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "ARP reply");
	pkt_arp(&in, a->mac, 1, a->mac, "0.0.0.0", "10.0.0.10");
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "ARP probe (RFC 5227)");
	cr_assert_arr_eq(out.data, in.b, in.len, "left untouched");
	in.len = 30; /* truncated ARP body */
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "truncated ARP");
	/* Not an endpoint's veth: nothing to answer for. */
	bpft_map_lo(0);
	pkt_arp(&in, a->mac, 1, a->mac, "10.0.0.10", "10.0.0.1");
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "unknown interface");
}

Test(neigh, new_mac_learned_from_arp_and_used_for_delivery)
{
	const struct sfc_endpoint *a = bpft_ep(VPID_A);
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	/* A data packet from another source MAC teaches nothing. */
	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	memcpy(in.b + 6, NEW_MAC, 6);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_arr_eq(ep_in_map(VPID_A).mac, a->mac, 6);
	/* Nor does a broadcast source. */
	pkt_arp(&in, BCAST, 1, NEW_MAC, "10.0.0.10", "10.0.0.10");
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_arr_eq(ep_in_map(VPID_A).mac, a->mac, 6);
	/* The gratuitous ARP the pod sends after tuning changed its MAC. */
	pkt_arp(&in, NEW_MAC, 1, NEW_MAC, "10.0.0.10", "10.0.0.10");
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
	cr_assert_arr_eq(ep_in_map(VPID_A).mac, NEW_MAC, 6, "MAC learned");
	cr_assert_eq(ep_in_map(VPID_A).ifindex, a->ifindex, "rest kept");

	/* B -> A is now delivered to the new MAC. */
	bpft_map_lo(VPID_B);
	in.len = 0;
	pkt_eth(&in, MAC_GW, bpft_ep(VPID_B)->mac, 0x0800);
	pkt_ipv4(&in, "10.0.0.11", "10.0.0.10", 6, 64, 20);
	pkt_tcp(&in, 40000, 80);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, NEW_MAC, 6, "delivered to the learned MAC");
	cr_assert_arr_eq(out.data + 6, a->host_mac, 6);
}

Test(neigh, ns_for_gateway_answered_with_na)
{
	const struct sfc_endpoint *a = bpft_ep(VPID_A);
	uint8_t gw[16], pod[16];
	struct run_out out;
	struct pkt in;

	inet_pton(AF_INET6, "fd00::1", gw);
	inet_pton(AF_INET6, "fd00::10", pod);
	bpft_map_lo(VPID_A);
	for (int no_opt = 0; no_opt < 2; no_opt++) {
		pkt_ns(&in, a->mac, "fd00::10", "fd00::1", no_opt);
		bpft_run(T.from_pod_fd, &in, 0, &out);

		cr_assert_eq(out.retval, V_REDIRECT, "no_opt=%d", no_opt);
		cr_assert_eq(out.len, 14 + 40 + 32, "NA with a TLLA option");
		cr_assert_arr_eq(out.data, a->mac, 6);
		cr_assert_arr_eq(out.data + 6, a->host_mac, 6);
		cr_assert_eq(out.data[12], 0x86);
		cr_assert_eq(out.data[13], 0xDD);
		const uint8_t *ip6 = out.data + 14, *na = ip6 + 40;
		cr_assert_eq(ip6[0] >> 4, 6);
		cr_assert_eq((ip6[4] << 8) | ip6[5], 32, "payload length");
		cr_assert_eq(ip6[6], 58);
		cr_assert_eq(ip6[7], 255, "hop limit 255 (RFC 4861 7.1.2)");
		cr_assert_arr_eq(ip6 + 8, gw, 16, "from the target");
		cr_assert_arr_eq(ip6 + 24, pod, 16, "to the solicitor");
		cr_assert_eq(na[0], 136);
		cr_assert_eq(na[1], 0);
		cr_assert_eq(na[4], 0xE0, "Router, Solicited, Override");
		cr_assert_arr_eq(na + 8, gw, 16);
		cr_assert_eq(na[24], 2, "target link-layer address option");
		cr_assert_eq(na[25], 1);
		cr_assert_arr_eq(na + 26, a->host_mac, 6);
		cr_assert_eq(icmp6_csum(ip6, na, 32), 0xFFFF, "checksum");
	}
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(neigh, ns_left_to_kernel_for_dad_and_own_address)
{
	const struct sfc_endpoint *a = bpft_ep(VPID_A);
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	pkt_ns(&in, a->mac, "::", "fd00::1", true);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "DAD probe");
	pkt_ns(&in, a->mac, "fd00::10", "fd00::10", false);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "own address");
	pkt_ns(&in, a->mac, "fd00::10", "fd00::1", false);
	in.b[14 + 7] = 64; /* hop limit: not from the link (RFC 4861 7.1.1) */
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "hop limit != 255");
	cr_assert_arr_eq(out.data, in.b, in.len, "left untouched");
}

Test(neigh, new_mac_learned_from_na)
{
	struct run_out out;
	struct pkt in;

	bpft_map_lo(VPID_A);
	pkt_ns(&in, NEW_MAC, "fd00::10", "fd00::1", false);
	in.b[14 + 40] = 136; /* unsolicited NA (ndisc_notify) */
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_NEXT, "NA goes on to the kernel");
	cr_assert_arr_eq(ep_in_map(VPID_A).mac, NEW_MAC, 6, "MAC learned");
}
