// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_flowprog_bad.c - flow programming against bad input: the control
 * TLV parser (unknown class, type, length, version, action; truncated;
 * wrong or foreign flow id; NSH shapes), a control TLV from an app pod
 * or from an SF that does not serve the hop, and the counts query an SF
 * makes for what a counted bypass skipped (answered, refused, forged).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(flowprog_bad, .init = bpft_setup, .fini = bpft_teardown);

#define GEN 0x77u

static const struct sfc_rule ALL_TCP = { .spi = SPI, .proto = 6 };

/* A -> TCP enters SPI: 255 -> SF1, 254 -> SF2, 253 -> END. */
static void chain(void)
{
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &ALL_TCP, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
	bpft_path_gen(SPI, GEN);
}

/* A's packet to B:@dport through the classifier, into @out. */
static uint32_t from_a(struct run_out *out, uint16_t dport)
{
	struct pkt in;

	pkt_tcp4(&in, "10.0.0.11", dport, 64);
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &in, 0, out);
	cr_assert_eq(out->retval, V_REDIRECT);
	return nsh_flow_id(out->data);
}

/* A's packet of the same flow from the middle of the connection (ACK):
 * a SYN would start a new connection on the flow entry, without the
 * programs made for the last one (sfc_flow_open()). */
static void from_a_ack(struct run_out *out, uint16_t dport)
{
	struct pkt in;

	pkt_tcp4(&in, "10.0.0.11", dport, 64);
	in.b[14 + 20 + 13] = 0x10;
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &in, 0, out);
	cr_assert_eq(out->retval, V_REDIRECT);
}

static uint64_t ctrl_total(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < SFC_CTRL_ST_MAX; i++)
		sum += bpft_ctrl_stat(i);
	return sum;
}

/* Every request SF1 may get wrong. The packet goes on (a DROP request's
 * is dropped, see drop_carrier below) and nothing is programmed. */
Test(flowprog_bad, control_tlv_parser_table)
{
	struct {
		const char *name;
		int off;      /* byte of the frame to overwrite, -1: none */
		uint8_t val;
		uint32_t len; /* cut the frame there, 0: keep */
		int stat;     /* sfc_ctrl_stats counter, -1: none */
		int drop;     /* drop reason, 0: forwarded */
	} cases[] = {
		{ "valid (C bit set)", 36, 0x82, 0, SFC_CTRL_ST_BYPASS, 0 },
		{ "unknown MD class", 34, 0x00, 0, SFC_CTRL_ST_BAD_TLV, 0 },
		{ "unknown TLV type", 36, 0x05, 0, SFC_CTRL_ST_BAD_TLV, 0 },
		{ "endpoint type again", 36, 0x01, 0, SFC_CTRL_ST_BAD_TLV, 0 },
		{ "TLV length 4", 37, 4, 0, SFC_CTRL_ST_BAD_TLV, 0 },
		{ "TLV length 12", 37, 12, 0, SFC_CTRL_ST_BAD_TLV, 0 },
		{ "version 0", 38, 0, 0, SFC_CTRL_ST_BAD_VERSION, 0 },
		{ "version 2", 38, 2, 0, SFC_CTRL_ST_BAD_VERSION, 0 },
		{ "action 0", 39, 0, 0, SFC_CTRL_ST_BAD_ACTION, 0 },
		{ "action 4", 39, 4, 0, SFC_CTRL_ST_BAD_ACTION, 0 },
		{ "action 255", 39, 255, 0, SFC_CTRL_ST_BAD_ACTION, 0 },
		{ "flow id not echoed", 45, 0x5A, 0, SFC_CTRL_ST_BAD_FLOW, 0 },
		{ "truncated in the TLV", -1, 0, 14 + 26, -1, SFC_DROP_MALFORMED },
		{ "truncated after the TLV header", -1, 0, 14 + 24, -1,
		  SFC_DROP_MALFORMED },
		{ "NSH Length 7", 15, 0xC7, 0, -1, SFC_DROP_BAD_NSH },
		{ "NSH Length 9", 15, 0xC9, 0, -1, SFC_DROP_BAD_NSH },
		{ "O bit", 14, 0x2F, 0, -1, SFC_DROP_BAD_NSH },
	};
	struct run_out got, out;
	struct pkt p;
	uint32_t id;

	chain();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = cases[i].stat >= 0 ? bpft_ctrl_stat(cases[i].stat) : 0;
		uint64_t total = ctrl_total();
		uint64_t drops = cases[i].drop ? bpft_drops(cases[i].drop) : 0;

		/* A fresh flow per case: one valid request must not hide
		 * what the next case does. */
		id = from_a(&got, (uint16_t)(1000 + i));
		bpft_sf_back(&p, &got, VPID_SF1);
		pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, 0, id);
		if (cases[i].off >= 0)
			p.b[cases[i].off] = cases[i].val;
		if (cases[i].len)
			p.len = cases[i].len;
		bpft_run(T.from_sf_fd, &p, 0, &out);
		if (cases[i].drop) {
			cr_expect_eq(out.retval, V_SHOT, "%s", cases[i].name);
			cr_expect_eq(bpft_drops(cases[i].drop), drops + 1, "%s",
				     cases[i].name);
			cr_expect_eq(ctrl_total(), total, "%s: not counted as a "
				     "control TLV", cases[i].name);
		} else {
			cr_expect_eq(out.retval, V_REDIRECT, "%s", cases[i].name);
			cr_expect_eq(out.mark, SFC_MARK_CTRL, "%s: TLV stripped "
				     "in a second pass", cases[i].name);
			cr_expect_eq(bpft_ctrl_stat(cases[i].stat), before + 1,
				     "%s", cases[i].name);
		}
		if (cases[i].stat != SFC_CTRL_ST_BYPASS)
			cr_expect_eq(bpft_flow(id).prog, 0, "%s", cases[i].name);
		cr_expect_eq(bpft_flow(id).flags, 0, "%s", cases[i].name);
	}
}

/* Flow ids the SF was not handed for this hop: an unknown one, one whose
 * hop is pinned to another instance (both TLVs forged alike). */
Test(flowprog_bad, foreign_or_unknown_flow_id)
{
	struct run_out got, out;
	struct sfc_flow f;
	uint32_t mine, other;
	struct pkt p;

	chain();
	mine = from_a(&got, 80);
	other = from_a(&out, 81);
	f = bpft_flow(other);
	f.inst[0] = VPID_SF3; /* another instance of the hop's group */
	cr_assert_eq(bpf_map_update_elem(T.dp.flows_fd, &other, &f, BPF_ANY), 0);
	const uint32_t forged[] = { other, 0xDEADBEEFu, 0 };
	for (size_t i = 0; i < 3; i++) {
		uint32_t v = htonl(forged[i]);

		bpft_sf_back(&p, &got, VPID_SF1);
		memcpy(p.b + 30, &v, 4); /* the endpoint TLV's flow id */
		pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_DROP, 0, forged[i]);
		bpft_run(T.from_sf_fd, &p, 0, &out);
		cr_expect_eq(out.retval, V_SHOT, "a DROP's carrier is dropped");
		cr_expect_eq(bpft_ctrl_stat(SFC_CTRL_ST_BAD_FLOW), i + 1);
	}
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_DROP), 0);
	cr_assert_eq(bpft_flow(other).flags, 0);
	cr_assert_eq(bpft_flow(mine).flags, 0);
	from_a(&out, 81); /* still flows */
}

/* An SF that does not serve the hop it names: the NSH is refused before
 * its TLV is looked at. */
Test(flowprog_bad, control_tlv_from_an_sf_off_the_hop)
{
	struct run_out got, out;
	struct pkt p;
	uint32_t id;

	chain();
	id = from_a(&got, 80);
	bpft_sf_back(&p, &got, VPID_SF2); /* SF2 claims SF1's hop */
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, 0, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_NO_PATH), 1);
	cr_assert_eq(ctrl_total(), 0);
	cr_assert_eq(bpft_flow(id).prog, 0);
}

/* An app pod is no SF: the classifier never reads NSH. A frame it sends
 * with a control TLV goes to the kernel (which has no NSH handler), and
 * the flow it names is not touched. */
Test(flowprog_bad, control_tlv_from_an_app_pod_is_not_read)
{
	struct run_out got, out;
	struct pkt p;
	uint32_t id;

	chain();
	id = from_a(&got, 80);
	memcpy(p.b, got.data, got.len);
	p.len = got.len;
	memcpy(p.b, MAC_GW, 6);
	memcpy(p.b + 6, bpft_ep(VPID_A)->mac, 6);
	p.b[14 + 7]--;
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_DROP, 0, id);
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_NEXT);
	cr_assert_arr_eq(out.data, p.b, p.len, "untouched");
	cr_assert_eq(ctrl_total(), 0);
	cr_assert_eq(bpft_flow(id).flags, 0);
	cr_assert_eq(bpft_drops_total(), 0);
	from_a(&out, 80); /* the flow still flows */
}

/* Counts query: SF @vpid asks about flow @id at (SPI, @si), @status. */
static void query(struct pkt *p, uint32_t vpid, uint32_t si, uint32_t id,
		  uint8_t status)
{
	uint8_t v[40] = { SFC_CTRL_VERSION, status };
	uint32_t fid = htonl(id);

	memcpy(v + 4, &fid, 4);
	p->len = 0;
	pkt_eth(p, bpft_ep(vpid)->host_mac, bpft_ep(vpid)->mac, 0x894F);
	pkt_nsh(p, (nsh_word(63, SFC_NSH_NP_OAM) & ~(0x3Fu << 16)) |
		SFC_NSH_O_BIT | (16u << 16), SFC_SP(SPI, si), NSH_TLV, 0, id);
	pkt_bytes(p, "\xFF\xF6\x03\x28", 4);
	pkt_bytes(p, v, sizeof(v));
	bpft_map_lo(vpid);
}

static uint64_t be64_at(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	return be64toh(v);
}

/* SF1 bypasses with COUNT; what the SFF then skips it for is counted
 * per direction, and SF1's query gets it back. */
Test(flowprog_bad, counted_bypass_answers_query)
{
	const struct sfc_endpoint *sf1 = bpft_ep(VPID_SF1);
	const uint32_t ans = 14 + 24; /* the counts TLV's value */
	struct run_out got, out;
	struct pkt p;
	uint32_t id;

	chain();
	id = from_a(&got, 80);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(bpft_flow(id).prog,
		     SFC_FLOW_PROG_SKIP(0) | SFC_FLOW_PROG_COUNT(0));
	for (int i = 0; i < 3; i++)
		from_a_ack(&out, 80);

	query(&p, VPID_SF1, 255, id, SFC_COUNTS_REQUEST);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "back to the SF");
	cr_assert_arr_eq(out.data, sf1->mac, 6);
	cr_assert_arr_eq(out.data + 6, sf1->host_mac, 6);
	cr_assert_eq(out.len, p.len);
	cr_assert_eq(out.data[ans + 1], SFC_COUNTS_ANSWER);
	cr_assert_eq(out.data[ans + 2], SFC_COUNTS_F_BYPASSED);
	cr_assert_eq(ntohl(*(uint32_t *)(out.data + ans + 4)), id);
	cr_assert_eq(be64_at(out.data + ans + 8), 3, "forward packets");
	cr_assert_eq(be64_at(out.data + ans + 16), 0, "reply packets");
	cr_assert_eq(be64_at(out.data + ans + 24), 3 * 40, "forward IP bytes");
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_QUERY), 1);
	cr_assert_eq(bpft_drops_total(), 0);
}

/* A new flow under a reused flow id (its entry idled out and was made
 * again) starts its counts from zero: the old flow's are not its. */
Test(flowprog_bad, reused_flow_id_counts_afresh)
{
	struct run_out got, out;
	struct sfc_flow f;
	struct pkt p;
	uint32_t id, again;

	chain();
	id = from_a(&got, 80);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	from_a_ack(&out, 80);
	from_a_ack(&out, 80);
	f = bpft_flow(id);
	f.last_ns = 1; /* idle for ages */
	cr_assert_eq(bpf_map_update_elem(T.dp.flows_fd, &id, &f, BPF_ANY), 0);
	again = from_a(&got, 80);
	cr_assert_eq(again, id, "same 5-tuple, same id");
	cr_assert_arr_eq(got.data, bpft_ep(VPID_SF1)->mac, 6, "a new flow");
	cr_assert_neq(bpft_flow(id).born, f.born);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT, id);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	from_a_ack(&out, 80);
	query(&p, VPID_SF1, 255, id, SFC_COUNTS_REQUEST);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.data[14 + 24 + 1], SFC_COUNTS_ANSWER);
	cr_assert_eq(be64_at(out.data + 14 + 24 + 8), 1, "only the new flow's");
}

/* Queries the SFF refuses (answered REFUSED, so the SF does not wait),
 * and ones it does not answer at all (consumed, counted bad-tlv): an
 * "answer" an SF sends must never bounce back and forth. */
Test(flowprog_bad, counts_query_refused_or_ignored)
{
	struct run_out got, out;
	uint32_t counted, plain;
	struct pkt p;

	chain();
	counted = from_a(&got, 80);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT,
		     counted);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	plain = from_a(&got, 81);
	bpft_sf_back(&p, &got, VPID_SF1);
	pkt_ctrl_tlv(&p, SFC_CTRL_VERSION, SFC_CTRL_BYPASS, 0, plain);
	bpft_run(T.from_sf_fd, &p, 0, &out);

	struct { const char *name; uint32_t vpid, si, id; int off; uint8_t val; } refused[] = {
		{ "not counted", VPID_SF1, 255, plain, -1, 0 },
		{ "another SF's hop", VPID_SF2, 255, counted, -1, 0 },
		{ "SF2's own hop, not its flow's counter", VPID_SF2, 254, counted, -1, 0 },
		{ "unknown flow", VPID_SF1, 255, 0xDEADBEEF, -1, 0 },
		{ "flow id not echoed", VPID_SF1, 255, counted, 14 + 24 + 7, 0x5A },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		query(&p, refused[i].vpid, refused[i].si, refused[i].id,
		      SFC_COUNTS_REQUEST);
		if (refused[i].off >= 0)
			p.b[refused[i].off] = refused[i].val;
		bpft_run(T.from_sf_fd, &p, 0, &out);
		cr_expect_eq(out.retval, V_REDIRECT, "%s", refused[i].name);
		cr_expect_eq(out.data[14 + 24 + 1], SFC_COUNTS_REFUSED, "%s",
			     refused[i].name);
		cr_expect_eq(be64_at(out.data + 14 + 24 + 8), 0, "%s",
			     refused[i].name);
	}
	cr_assert_eq(bpft_ctrl_stat(SFC_CTRL_ST_QUERY_REFUSED), 5);

	struct { const char *name; int off; uint8_t val; } ignored[] = {
		{ "status ANSWER", 14 + 24 + 1, SFC_COUNTS_ANSWER },
		{ "status REFUSED", 14 + 24 + 1, SFC_COUNTS_REFUSED },
		{ "version 2", 14 + 24, 2 },
		{ "TLV type", 14 + 22, 0x04 },
		{ "TLV length", 14 + 23, 36 },
	};
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		query(&p, VPID_SF1, 255, counted, SFC_COUNTS_REQUEST);
		p.b[ignored[i].off] = ignored[i].val;
		bpft_run(T.from_sf_fd, &p, 0, &out);
		cr_expect_eq(out.retval, V_SHOT, "%s", ignored[i].name);
		cr_expect_eq(bpft_ctrl_stat(SFC_CTRL_ST_BAD_TLV), i + 1, "%s",
			     ignored[i].name);
	}
	cr_assert_eq(bpft_drops_total(), 0, "consumed, not drops");

	/* The query shape without the O bit is no data packet. */
	query(&p, VPID_SF1, 255, counted, SFC_COUNTS_REQUEST);
	p.b[14] &= ~0x20;
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_BAD_NSH), 1);
}
