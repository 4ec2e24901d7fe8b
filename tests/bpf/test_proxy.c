// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_proxy.c - the SFC proxy for SFC-unaware SFs: NSH stripped before
 * the packet goes to the SF (plain IP to the SF's MAC), directly on the
 * classifier side and by re-injection (SFC_MARK_PROXY) after an aware SF;
 * SPI/SI/TLV restored when the plain packet comes back; malformed cases.
 */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(proxy, .init = bpft_setup, .fini = bpft_teardown);

#define GROUP_UN 102

static const struct sfc_rule ALL_TCP = { .spi = SPI, .proto = 6 };

/* A -> B TCP. Path: @first at 255, @second at 254, END at 253. */
static void path(uint32_t first, uint32_t second)
{
	uint32_t un = VPID_UN;
	uint8_t unaware = SFC_MEMBER_F_UNAWARE;

	bpft_group(GROUP_UN, &un, &unaware, 1);
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &ALL_TCP, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, first, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_SF, second, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
}

/* Plain frame @out must be @ip (Ethernet + IPv4) addressed to the
 * unaware SF: dst = its interface MAC, src = its gateway (host veth). */
static void assert_plain_to_un(const struct run_out *out, const struct pkt *ip)
{
	const struct sfc_endpoint *un = bpft_ep(VPID_UN);

	cr_assert_eq(out->retval, V_REDIRECT);
	cr_assert_eq(out->len, ip->len, "no NSH left");
	cr_assert_arr_eq(out->data, un->mac, 6);
	cr_assert_arr_eq(out->data + 6, un->host_mac, 6);
	cr_assert_eq(out->data[12], 0x08);
	cr_assert_eq(out->data[13], 0x00);
	cr_assert_arr_eq(out->data + 14, ip->b + 14, ip->len - 14,
			 "IP packet untouched (the SF's kernel routes it)");
}

Test(proxy, strip_on_classifier_side_and_restore)
{
	const struct sfc_endpoint *un = bpft_ep(VPID_UN);
	const struct sfc_endpoint *sf2 = bpft_ep(VPID_SF2);
	struct sfc_proxy_key key = { .tuple = { .sport = 40000, .dport = 80,
						.proto = 6, .family = 4 },
				     .vpid = VPID_UN };
	struct sfc_proxy_state ps;
	struct run_out out;
	struct pkt in, back, exp;
	uint32_t id;

	path(GROUP_UN, VPID_SF2);
	bpft_map_lo(VPID_A);
	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	assert_plain_to_un(&out, &in);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 1);
	cr_assert_eq(bpft_sf_stats(VPID_UN).to_sf_packets, 1);

	inet_pton(AF_INET, "10.0.0.10", &key.tuple.saddr[0]);
	inet_pton(AF_INET, "10.0.0.11", &key.tuple.daddr[0]);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.proxy_fd, &key, &ps), 0);
	cr_assert_eq(ps.sp, SFC_SP(SPI, 255));
	cr_assert_eq(ps.word, nsh_word(63, 1));
	id = ntohl(ps.ep.flow_id);
	cr_assert_neq(id, 0);
	cr_assert_eq(ntohs(ps.ep.src_vpid), VPID_A);

	/* The SF's kernel forwarded it back to its gateway (TTL - 1). */
	pkt_tcp4(&back, "10.0.0.11", 80, 63);
	memcpy(back.b, un->host_mac, 6);
	memcpy(back.b + 6, un->mac, 6);
	bpft_map_lo(VPID_UN);
	bpft_run(T.from_sf_fd, &back, 0, &out);

	/* Restored: NSH SPI / SI 254 (decremented on the SF's behalf), NSH
	 * TTL - 1, same TLV and flow id, on to SF2 (aware). */
	exp.len = 0;
	pkt_eth(&exp, sf2->mac, sf2->host_mac, 0x894F);
	pkt_nsh(&exp, nsh_word(62, 1), SFC_SP(SPI, 254), NSH_TLV,
		NSH_EP(VPID_A, SFC_DIR_EGRESS), id);
	pkt_bytes(&exp, back.b + 14, back.len - 14);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.len, exp.len);
	cr_assert_arr_eq(out.data, exp.b, exp.len);
	cr_assert_eq(bpft_stats(SPI, 255).from_sf_packets, 1);
	cr_assert_eq(bpft_sf_stats(VPID_UN).from_sf_packets, 1);
	cr_assert_eq(bpft_drops_total(), 0);
}

/* After an aware SF the skb is 0x894F: the strip takes the re-injection
 * pass, marked with the unaware SF's VPID. */
Test(proxy, strip_after_aware_sf_by_reinjection)
{
	const struct sfc_endpoint *sf1 = bpft_ep(VPID_SF1);
	struct run_out out;
	struct pkt in, ip;

	path(VPID_SF1, GROUP_UN);
	pkt_tcp4(&ip, "10.0.0.11", 80, 64); /* what it carries */
	bpft_pkt_from_sf(&in, VPID_SF1, nsh_word(63, 1), 254, 0x1234);
	bpft_map_lo(VPID_SF1);
	bpft_run(T.from_sf_fd, &in, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.mark, SFC_MARK_PROXY(VPID_UN));
	cr_assert_arr_eq(out.data, sf1->host_mac, 6);
	cr_assert_eq(out.data[12], 0x08, "EtherType from Next Protocol");

	memcpy(in.b, out.data, out.len);
	in.len = out.len;
	bpft_run(T.from_sf_fd, &in, SFC_MARK_PROXY(VPID_UN), &out);
	cr_assert_eq(out.mark, 0);
	assert_plain_to_un(&out, &ip);
	cr_assert_eq(bpft_stats(SPI, 254).to_sf_packets, 1);
}

Test(proxy, plain_packets_without_proxy_state_are_not_ours)
{
	const struct sfc_endpoint *un = bpft_ep(VPID_UN);
	struct run_out out;
	struct pkt back, in;

	path(GROUP_UN, VPID_SF2);
	pkt_tcp4(&back, "10.0.0.11", 80, 63);
	memcpy(back.b, un->host_mac, 6);
	memcpy(back.b + 6, un->mac, 6);
	/* The SF's own traffic (never proxied): the kernel's. */
	bpft_map_lo(VPID_UN);
	bpft_run(T.from_sf_fd, &back, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
	/* Another SF cannot use the unaware SF's proxy state either. */
	bpft_map_lo(VPID_A);
	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	bpft_run(T.from_pod_fd, &in, 0, &out); /* creates state for UN */
	bpft_map_lo(VPID_SF1);
	bpft_run(T.from_sf_fd, &back, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
	/* Truncated IP from the SF: not parseable, not ours. */
	back.len = 14 + 20;
	back.b[14] = 0x46;
	bpft_map_lo(VPID_UN);
	bpft_run(T.from_sf_fd, &back, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(proxy, restore_malformed_state)
{
	const struct sfc_endpoint *un = bpft_ep(VPID_UN);
	struct sfc_proxy_key key = { .tuple = { .sport = 40000, .dport = 80,
						.proto = 6, .family = 4 },
				     .vpid = VPID_UN };
	struct {
		const char *name;
		uint32_t sp, word;
		int reason;
	} cases[] = {
		{ "SI 0", SFC_SP(SPI, 0), nsh_word(63, 1), SFC_DROP_NO_PATH },
		{ "NSH TTL 1", SFC_SP(SPI, 255), nsh_word(1, 1), SFC_DROP_NSH_TTL },
		{ "no path", SFC_SP(0x456, 255), nsh_word(63, 1), SFC_DROP_NO_PATH },
	};
	struct run_out out;
	struct pkt back;

	path(GROUP_UN, VPID_SF2);
	inet_pton(AF_INET, "10.0.0.10", &key.tuple.saddr[0]);
	inet_pton(AF_INET, "10.0.0.11", &key.tuple.daddr[0]);
	pkt_tcp4(&back, "10.0.0.11", 80, 63);
	memcpy(back.b, un->host_mac, 6);
	memcpy(back.b + 6, un->mac, 6);
	bpft_map_lo(VPID_UN);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sfc_proxy_state ps = { .sp = cases[i].sp,
					      .word = cases[i].word,
					      .last_ns = sfc_dp_now_ns() };
		uint64_t before = bpft_drops(cases[i].reason);

		cr_assert_eq(bpf_map_update_elem(T.dp.proxy_fd, &key, &ps,
						 BPF_ANY), 0);
		bpft_run(T.from_sf_fd, &back, 0, &out);
		cr_expect_eq(out.retval, V_SHOT, "case '%s'", cases[i].name);
		cr_expect_eq(bpft_drops(cases[i].reason), before + 1,
			     "case '%s'", cases[i].name);
	}
}

/* Proxy state idle for SFC_FLOW_IDLE_NS (or never stamped, 0) is ignored
 * like every flow entry: the plain packet is the SF's own. Fresh state of
 * the same shape is restored. */
Test(proxy, stale_state_is_not_restored)
{
	const struct sfc_endpoint *un = bpft_ep(VPID_UN);
	struct sfc_proxy_key key = { .tuple = { .sport = 40000, .dport = 80,
						.proto = 6, .family = 4 },
				     .vpid = VPID_UN };
	struct sfc_proxy_state ps = { .sp = SFC_SP(SPI, 255),
				      .word = nsh_word(63, 1) };
	const uint64_t now = sfc_dp_now_ns();
	const uint64_t stamps[] = { 0, 1, now - SFC_FLOW_IDLE_NS - 1000000000ull };
	struct run_out out;
	struct pkt back;

	path(GROUP_UN, VPID_SF2);
	inet_pton(AF_INET, "10.0.0.10", &key.tuple.saddr[0]);
	inet_pton(AF_INET, "10.0.0.11", &key.tuple.daddr[0]);
	pkt_tcp4(&back, "10.0.0.11", 80, 63);
	memcpy(back.b, un->host_mac, 6);
	memcpy(back.b + 6, un->mac, 6);
	bpft_map_lo(VPID_UN);
	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		ps.last_ns = stamps[i];
		cr_assert_eq(bpf_map_update_elem(T.dp.proxy_fd, &key, &ps,
						 BPF_ANY), 0);
		bpft_run(T.from_sf_fd, &back, 0, &out);
		cr_expect_eq(out.retval, V_NEXT, "last_ns %llu: verdict %d",
			     (unsigned long long)stamps[i], out.retval);
	}
	ps.last_ns = now;
	cr_assert_eq(bpf_map_update_elem(T.dp.proxy_fd, &key, &ps, BPF_ANY), 0);
	bpft_run(T.from_sf_fd, &back, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "fresh state restored");
	cr_assert_eq(bpft_drops_total(), 0);
}
