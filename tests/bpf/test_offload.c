// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_offload.c - stateful offload (sfc_common.h, SFC_TLV_NAT): the SF
 * at hop 0 (SF1, source NAT 10.0.0.10:40000 -> 10.250.0.1:20000) returns
 * the first packet translated with a translation TLV; the SFF records it
 * and translates the flow's next packets itself, both directions, with
 * checksums that the test recomputes from scratch; TCP, UDP (with and
 * without a checksum) and ICMP echo. Then the fallbacks: the SF down in a
 * fail-closed chain, a new SF epoch (restart, reload), the flow idle past
 * the SF's timeout, the chain deleted: no stale translation.
 * Bad input is in test_offload_bad.c.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"
#include "offload_util.h"

TestSuite(offload, .init = bpft_setup, .fini = bpft_teardown);

/* One translated flow through the classifier: forward packet of @proto
 * from A, its first pass at SF1 with the TLV, the strip pass delivering it
 * to B. Return: the flow id. */
static uint32_t offloaded(uint8_t proto, bool udp_csum)
{
	struct run_out got, first, out;
	struct pkt p;
	uint32_t id;

	ol_chain(SFC_FAIL_CLOSED);
	ol_from_a(&got, proto, udp_csum);
	cr_assert_eq(got.retval, V_REDIRECT);
	cr_assert_arr_eq(got.data, bpft_ep(VPID_SF1)->mac, 6, "to the NAT SF");
	id = nsh_flow_id(got.data);
	bpft_sf_back(&p, &got, VPID_SF1);
	ol_sf_translate(&p, proto, OL_EPOCH, 0, id);
	bpft_run(T.from_sf_fd, &p, 0, &first);
	cr_assert_eq(first.retval, V_REDIRECT);
	cr_assert_eq(first.mark, SFC_MARK_CTRL);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT), 1);
	ol_strip_pass(&first, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "delivered to B");
	ol_assert_ip(out.data + 14, "10.250.0.1", OL_NAT_PORT, "10.0.0.11",
		     proto == OL_ICMP ? OL_NAT_PORT : 80, proto);
	return id;
}

Test(offload, tcp_translated_both_ways_checksums_recomputed)
{
	struct run_out out;
	struct sfc_flow f;
	uint32_t id;

	id = offloaded(OL_TCP, true);
	f = bpft_flow(id);
	cr_assert_eq(f.nat, 1);
	cr_assert_eq(f.prog, SFC_FLOW_PROG_SKIP(0) | SFC_FLOW_PROG_COUNT(0));
	/* The next forward packet never reaches SF1: translated in place. */
	ol_from_a(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "straight to B");
	ol_assert_ip(out.data + 14, "10.250.0.1", OL_NAT_PORT, "10.0.0.11", 80,
		     OL_TCP);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 1, "the first only");
	cr_assert_eq(bpft_stats(SPI, 255).bypassed_packets, 1);
	/* The reply to the NAT address gets the client's back. */
	ol_from_b(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_A)->mac, 6, "straight to A");
	ol_assert_ip(out.data + 14, "10.0.0.11", 80, "10.0.0.10", 40000, OL_TCP);
	cr_assert_eq(bpft_stats(OL_RSPI, 255).to_sf_packets, 0);
	cr_assert_eq(bpft_stats(OL_RSPI, 255).bypassed_packets, 1);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT_MISS), 0);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(offload, udp_with_and_without_checksum)
{
	struct run_out out;

	offloaded(OL_UDP, true);
	ol_from_a(&out, OL_UDP, true);
	ol_assert_ip(out.data + 14, "10.250.0.1", OL_NAT_PORT, "10.0.0.11", 80,
		     OL_UDP);
	cr_assert_neq(ol_l4_csum(out.data + 14), 0);
	ol_from_b(&out, OL_UDP, true);
	ol_assert_ip(out.data + 14, "10.0.0.11", 80, "10.0.0.10", 40000, OL_UDP);
	/* A UDP checksum of 0 means none (RFC 768): it stays 0. */
	ol_from_a(&out, OL_UDP, false);
	ol_assert_ip(out.data + 14, "10.250.0.1", OL_NAT_PORT, "10.0.0.11", 80,
		     OL_UDP);
	cr_assert_eq(ol_l4_csum(out.data + 14), 0);
	ol_from_b(&out, OL_UDP, false);
	ol_assert_ip(out.data + 14, "10.0.0.11", 80, "10.0.0.10", 40000, OL_UDP);
	cr_assert_eq(ol_l4_csum(out.data + 14), 0);
}

Test(offload, icmp_echo_id_translated)
{
	struct run_out out;

	offloaded(OL_ICMP, true);
	ol_from_a(&out, OL_ICMP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6);
	ol_assert_ip(out.data + 14, "10.250.0.1", OL_NAT_PORT, "10.0.0.11",
		     OL_NAT_PORT, OL_ICMP);
	ol_from_b(&out, OL_ICMP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_A)->mac, 6);
	ol_assert_ip(out.data + 14, "10.0.0.11", 40000, "10.0.0.10", 40000,
		     OL_ICMP);
}

/* A packet the translation does not match (here: the recorded one was
 * changed under it) goes to the SF, untouched. */
Test(offload, mismatch_goes_to_the_sf)
{
	struct sfc_count_key key;
	struct sfc_nat_xlate xl;
	struct run_out out;
	uint32_t id;

	id = offloaded(OL_TCP, true);
	key = (struct sfc_count_key){ .flow_id = id, .hop = 0,
				      .born = bpft_flow(id).born };
	cr_assert_eq(bpf_map_lookup_elem(T.dp.flow_nat_fd, &key, &xl), 0);
	xl.orig_port = htons(40001);
	cr_assert_eq(bpf_map_update_elem(T.dp.flow_nat_fd, &key, &xl, BPF_ANY), 0);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "to the SF");
	ol_assert_ip(out.data + 14 + 20, "10.0.0.10", 40000, "10.0.0.11", 80,
		     OL_TCP);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_NAT_MISS), 1);
}

/* The NAT SF dies in a fail-closed chain: its offloaded flow stops (no
 * translation without it), in both directions. */
Test(offload, sf_down_fail_closed_stops_the_flow)
{
	struct run_out out;
	uint32_t id;

	id = offloaded(OL_TCP, true);
	bpft_sf_down(VPID_SF1, 1);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_SF_DOWN), 1);
	ol_from_b(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_SF_DOWN), 2);
	cr_assert_eq(bpft_flow(id).prog & SFC_FLOW_PROG_SKIP_MASK, 0);
	cr_assert_geq(bpft_ctrl_stat(SFC_CTRL_ST_VOIDED), 1);
}

/* The bypass of a plain SF dies with it too (fail-closed). */
Test(offload, bypassed_flow_of_a_dead_sf_stops)
{
	struct run_out got, out;
	struct pkt p;

	ol_chain(SFC_FAIL_CLOSED);
	ol_from_a(&got, OL_TCP, true);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, 0,
		     nsh_flow_id(got.data));
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_BYPASS), 1);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "bypassed");
	bpft_sf_down(VPID_SF1, 1);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_SF_DOWN), 1);
}

/* The SF restarted (or reloaded): its OAM echo carries a new epoch, and
 * what it programmed before is void: the next packets reach it as they
 * are, the forward one untranslated, the reply to the NAT address too. */
Test(offload, new_epoch_voids_the_translation)
{
	struct run_out out;
	uint32_t id;

	id = offloaded(OL_TCP, true);
	ol_echo(VPID_SF1, OL_EPOCH, &out);
	cr_assert_eq(out.retval, V_SHOT, "echo consumed");
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "same epoch: kept");
	ol_echo(VPID_SF1, OL_EPOCH + 1, &out);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "to the SF again");
	ol_assert_ip(out.data + 14 + 20, "10.0.0.10", 40000, "10.0.0.11", 80,
		     OL_TCP);
	cr_assert_eq(bpft_flow(id).nat, 0);
	ol_from_b(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "reply to the SF");
	ol_assert_ip(out.data + 14 + 20, "10.0.0.11", 80, "10.250.0.1",
		     OL_NAT_PORT, OL_TCP);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_VOIDED), 1);
}

/* A flow idle for the SF's timeout (1 unit, 4 s) loses its programs at
 * its next packet, which reaches the SF (whose mapping may be gone). */
Test(offload, idle_past_the_sf_timeout)
{
	struct run_out got, first, out;
	struct sfc_flow f;
	struct pkt p;
	uint32_t id;

	ol_chain(SFC_FAIL_CLOSED);
	ol_from_a(&got, OL_TCP, true);
	id = nsh_flow_id(got.data);
	bpft_sf_back(&p, &got, VPID_SF1);
	ol_sf_translate(&p, OL_TCP, OL_EPOCH, 1, id);
	bpft_run(T.from_sf_fd, &p, 0, &first);
	cr_assert_eq(bpft_flow(id).idle, 1);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "offloaded");
	f = bpft_flow(id);
	f.seen_ns -= (SFC_CTRL_IDLE_UNIT_S + 1) * 1000000000ull;
	cr_assert_eq(bpf_map_update_elem(T.dp.flows_fd, &id, &f, BPF_EXIST), 0);
	ol_from_a(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "idle: to the SF");
	cr_assert_eq(bpft_flow(id).prog, 0);
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_VOIDED), 1);
}

/* The chain deleted (policy and paths gone): the flow is unchained, no
 * translation, and a packet to the NAT address is not a reply. */
Test(offload, chain_deleted_no_stale_translation)
{
	struct run_out out;

	offloaded(OL_TCP, true);
	ol_chain_delete();
	ol_from_a(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "direct");
	ol_assert_ip(out.data + 14, "10.0.0.10", 40000, "10.0.0.11", 80, OL_TCP);
	ol_from_b(&out, OL_TCP, true);
	cr_assert_eq(out.retval, V_NEXT, "not local, not a reply: the kernel");
	ol_assert_ip(out.data + 14, "10.0.0.11", 80, "10.250.0.1", OL_NAT_PORT,
		     OL_TCP);
}

/* A FIN ends the translation like any offload: the FIN and what follows
 * reach the SF, which still holds the mapping. */
Test(offload, fin_ends_the_translation)
{
	struct run_out out;
	struct pkt in;
	uint32_t id;

	id = offloaded(OL_TCP, true);
	ol_build(&in, VPID_A, OL_TCP, true);
	in.b[14 + 20 + 13] = 0x11;
	ol_fix_l4(in.b + 14);
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &in, 0, &out);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "FIN to the SF");
	cr_assert_eq(bpft_flow(id).nat, 0);
	ol_from_b(&out, OL_TCP, true);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "and the reply");
}

/* The client reuses its port: a new SYN on an offloaded flow's entry
 * starts a new connection. The last one's translation and counts are not
 * applied to it (it reaches the NAT SF, which maps it afresh), and what
 * is skipped for it later is counted under its own birth. */
Test(offload, new_syn_on_the_entry_starts_afresh)
{
	struct run_out out;
	struct sfc_flow f0, f;
	struct pkt p;
	uint32_t id;

	id = offloaded(OL_TCP, true);
	f0 = bpft_flow(id);
	ol_build(&p, VPID_A, OL_TCP, true);
	p.b[14 + 20 + 13] = 0x02; /* SYN */
	ol_fix_l4(p.b + 14);
	usleep(2000); /* a birth of its own (ns clock, low 32 bits) */
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "to the NAT SF");
	ol_assert_ip(out.data + 14 + 20, "10.0.0.10", 40000, "10.0.0.11", 80,
		     OL_TCP);
	f = bpft_flow(id);
	cr_assert_eq(nsh_flow_id(out.data), id, "the same entry");
	cr_assert_eq(f.prog, 0, "the last connection's programs are gone");
	cr_assert_eq(f.nat, 0);
	cr_assert_neq(f.born, f0.born, "born again");
	cr_assert_eq(f.inst[0], f0.inst[0], "pins stay");
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 2);
	/* A SYN-ACK's ACK (no SYN) changes nothing. */
	ol_from_a(&out, OL_TCP, true);
	cr_assert_eq(bpft_flow(id).born, f.born);
	cr_assert_eq(bpft_drops_total(), 0);
}
