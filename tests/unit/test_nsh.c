// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_nsh.c - NSH (RFC 8300) parsing/building and the inner 5-tuple.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "inner.h"
#include "nsh.h"

static const struct sf_nsh_params P = {
	.spi = 0x123456, .si = 200, .ttl = 12, .next_proto = SFC_NSH_NP_IPV4,
};

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* Base header word with the given fields (RFC 8300 section 2.2). */
static uint32_t word(unsigned ver, unsigned len, unsigned md, unsigned np)
{
	return ver << 30 | 63u << 22 | len << 16 | md << 8 | np;
}

Test(nsh, sfc_header_round_trip)
{
	struct sfc_nsh_hdr h;
	struct sf_nsh n;
	struct sf_nsh_tlv tlv;

	cr_assert_eq(sf_nsh_build_sfc(&h, &P, 77, SFC_DIR_INGRESS), SFC_NSH_LEN);
	cr_assert_eq(sf_nsh_parse(&h, sizeof(h), &n), 0);
	cr_assert_eq(sf_nsh_version(&n), 0);
	cr_assert_eq(sf_nsh_spi(&n), 0x123456);
	cr_assert_eq(sf_nsh_si(&n), 200);
	cr_assert_eq(sf_nsh_ttl(&n), 12);
	cr_assert_eq(sf_nsh_md_type(&n), SFC_NSH_MD_TYPE_2);
	cr_assert_eq(sf_nsh_next_proto(&n), SFC_NSH_NP_IPV4);
	cr_assert(!sf_nsh_is_oam(&n));
	cr_assert_eq(n.hdr_len, SFC_NSH_LEN);
	/* The contract struct sees the same bytes. */
	cr_assert_eq(ntohl(h.base.sp), SFC_SP(0x123456, 200));
	cr_assert_eq(ntohs(h.tlv.md_class), SFC_NSH_MD_CLASS);
	cr_assert_eq(h.tlv.type, SFC_TLV_ENDPOINT);
	cr_assert_eq(h.tlv.len, sizeof(struct sfc_tlv_endpoint));
	cr_assert_eq(ntohs(h.ep.src_vpid), 77);
	cr_assert_eq(h.ep.dir, SFC_DIR_INGRESS);
	cr_assert_eq(sf_nsh_tlv_find(&n, SFC_NSH_MD_CLASS, SFC_TLV_ENDPOINT,
				     &tlv), 0);
	cr_assert_eq(tlv.len, sizeof(struct sfc_tlv_endpoint));
	cr_assert_eq(tlv.value[0] << 8 | tlv.value[1], 77);
	cr_assert_eq(sf_nsh_tlv_find(&n, SFC_NSH_MD_CLASS, 9, &tlv), -ENOENT);
}

Test(nsh, default_ttl_and_oam_bit)
{
	struct sf_nsh_params p = { .spi = 0, .si = 255, .oam = true,
				   .next_proto = SFC_NSH_NP_OAM };
	uint8_t buf[8];
	struct sf_nsh n;

	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, NULL, 0), 8);
	cr_assert_eq(sf_nsh_parse(buf, sizeof(buf), &n), 0);
	cr_assert(sf_nsh_is_oam(&n));
	cr_assert_eq(sf_nsh_ttl(&n), SFC_NSH_TTL_DEFAULT);
	cr_assert_eq(sf_nsh_next_proto(&n), SFC_NSH_NP_OAM);
	cr_assert_eq(n.ctx_len, 0);
}

Test(nsh, tlv_iteration_padding_and_c_bit)
{
	const uint8_t v1[5] = { 1, 2, 3, 4, 5 };
	const uint8_t v2[4] = { 9, 9, 9, 9 };
	struct sf_nsh_tlv in[3] = {
		{ .md_class = 0x1111, .type = 3, .len = 5, .value = v1 },
		{ .md_class = 0x2222, .type = 4, .len = 0, .critical = true },
		{ .md_class = 0xFFF6, .type = 1, .len = 4, .value = v2 },
	};
	struct sf_nsh_tlv_iter it;
	struct sf_nsh_tlv t;
	uint8_t buf[64];
	struct sf_nsh n;
	int len, i = 0;

	len = sf_nsh_build(buf, sizeof(buf), &P, in, 3);
	cr_assert_eq(len, 8 + (4 + 8) + 4 + (4 + 4));
	cr_assert_eq(sf_nsh_parse(buf, (size_t)len, &n), 0);
	sf_nsh_tlv_iter_init(&it, &n);
	while (sf_nsh_tlv_next(&it, &t) == 1) {
		cr_assert_eq(t.md_class, in[i].md_class);
		cr_assert_eq(t.type, in[i].type);
		cr_assert_eq(t.critical, in[i].critical);
		cr_assert_eq(t.len, in[i].len);
		if (t.len)
			cr_assert_arr_eq(t.value, in[i].value, t.len);
		else
			cr_assert_null(t.value);
		i++;
	}
	cr_assert_eq(i, 3);
	cr_assert_eq(buf[8 + 4 + 5], 0, "padding is zeroed");
}

Test(nsh, si_decrement_and_zero)
{
	struct sfc_nsh_hdr h;
	struct sf_nsh_params p = P;
	struct sf_nsh n;

	p.si = 1;
	sf_nsh_build_sfc(&h, &p, 1, 0);
	cr_assert_eq(sf_nsh_dec_si(&h), 0);
	cr_assert_eq(sf_nsh_parse(&h, sizeof(h), &n), 0);
	cr_assert_eq(sf_nsh_si(&n), 0);
	cr_assert_eq(sf_nsh_spi(&n), P.spi, "SPI untouched");
	cr_assert_eq(sf_nsh_ttl(&n), P.ttl, "TTL untouched");
	cr_assert_eq(sf_nsh_dec_si(&h), -ERANGE);
	cr_assert_eq(sf_nsh_parse(&h, sizeof(h), &n), 0);
	cr_assert_eq(sf_nsh_si(&n), 0, "unchanged after -ERANGE");
}

Test(nsh, malformed_headers)
{
	uint8_t b[32] = { 0 };
	struct sf_nsh n;

	cr_assert_eq(sf_nsh_parse(NULL, 8, &n), -EINVAL);
	cr_assert_eq(sf_nsh_parse(b, 8, NULL), -EINVAL);
	put32(b, word(0, 2, 2, 1));
	cr_assert_eq(sf_nsh_parse(b, 7, &n), -EMSGSIZE, "under 8 bytes");
	cr_assert_eq(sf_nsh_parse(b, 8, &n), 0, "MD2 without context");
	put32(b, word(1, 2, 2, 1));
	cr_assert_eq(sf_nsh_parse(b, 8, &n), -EPROTO, "version 1");
	put32(b, word(0, 2, 0, 1));
	cr_assert_eq(sf_nsh_parse(b, 8, &n), -EPROTONOSUPPORT, "MD type 0");
	put32(b, word(0, 2, 0xF, 1));
	cr_assert_eq(sf_nsh_parse(b, 8, &n), -EPROTONOSUPPORT, "MD type 15");
	put32(b, word(0, 1, 2, 1));
	cr_assert_eq(sf_nsh_parse(b, 8, &n), -EBADMSG, "length 1 word");
	put32(b, word(0, 5, 1, 1));
	cr_assert_eq(sf_nsh_parse(b, 32, &n), -EBADMSG, "MD1 length != 6");
	put32(b, word(0, 6, 1, 1));
	cr_assert_eq(sf_nsh_parse(b, 24, &n), 0, "MD1 ok");
	cr_assert_eq(sf_nsh_parse(b, 23, &n), -EMSGSIZE, "MD1 truncated");
	put32(b, word(0, 4, 2, 1));
	cr_assert_eq(sf_nsh_parse(b, 15, &n), -EMSGSIZE, "MD2 truncated");
}

Test(nsh, malformed_tlvs)
{
	uint8_t b[32] = { 0 };
	struct sf_nsh n;

	/* Length 3 words: one TLV header, value length 4 overruns. */
	put32(b, word(0, 3, 2, 1));
	put32(b + 8, 0xFFF60104);
	cr_assert_eq(sf_nsh_parse(b, 32, &n), -EBADMSG);
	/* Length 4: TLV of 4 bytes fits exactly. */
	put32(b, word(0, 4, 2, 1));
	cr_assert_eq(sf_nsh_parse(b, 32, &n), 0);
	/* Length 5: 4 bytes left after it, a TLV header of len 0 fits. */
	put32(b, word(0, 5, 2, 1));
	put32(b + 16, 0x00010200);
	cr_assert_eq(sf_nsh_parse(b, 32, &n), 0);
	/* ...but value length 1 pads to 4 more bytes: overruns. */
	put32(b + 16, 0x00010201);
	cr_assert_eq(sf_nsh_parse(b, 32, &n), -EBADMSG);
}

Test(nsh, build_errors)
{
	struct sf_nsh_params p = P;
	struct sf_nsh_tlv big = { .len = 128, .value = (const uint8_t *)"" };
	struct sf_nsh_tlv max = { .len = 127 };
	uint8_t v[127] = { 0 }, buf[256];

	cr_assert_eq(sf_nsh_build(buf, 7, &p, NULL, 0), -EMSGSIZE);
	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, &big, 1), -EINVAL);
	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, &max, 1), -EINVAL,
		     "NULL value");
	max.value = v;
	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, &max, 1), 8 + 4 + 128);
	struct sf_nsh_tlv two[2] = { max, max };
	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, two, 2), -EMSGSIZE,
		     "over 63 words");
	p.spi = 0x1000000;
	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, NULL, 0), -EINVAL);
	p.spi = 1;
	p.ttl = 64;
	cr_assert_eq(sf_nsh_build(buf, sizeof(buf), &p, NULL, 0), -EINVAL);
}

Test(nsh, parse_every_prefix_never_overreads)
{
	struct sfc_nsh_hdr h;
	struct sf_nsh n;
	size_t i;

	sf_nsh_build_sfc(&h, &P, 3, 0);
	for (i = 0; i < sizeof(h); i++) {
		uint8_t *copy = malloc(i ? i : 1); /* ASan catches overreads */

		memcpy(copy, &h, i);
		cr_assert_eq(sf_nsh_parse(copy, i, &n), -EMSGSIZE, "len %zu", i);
		free(copy);
	}
}

/* --- flow programming TLVs (sfc_common.h) --- */

Test(nsh, control_tlv_bytes)
{
	static const uint8_t want[SFC_CTRL_TLV_LEN] = {
		0xFF, 0xF6, 0x02, 8, SFC_CTRL_VERSION, SFC_CTRL_BYPASS,
		SFC_CTRL_F_COUNT, 0, 0x01, 0x02, 0x03, 0x04,
	};
	uint8_t out[SFC_CTRL_TLV_LEN];
	struct sfc_tlv_ctrl c;

	cr_assert_eq(sf_nsh_ctrl_tlv(out, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT,
				     0x01020304), 0);
	cr_assert_arr_eq(out, want, sizeof(want));
	memcpy(&c, out + 4, sizeof(c)); /* the contract struct agrees */
	cr_assert_eq(c.action, SFC_CTRL_BYPASS);
	cr_assert_eq(ntohl(c.flow_id), 0x01020304);
	cr_assert_eq(sf_nsh_ctrl_tlv(out, SFC_CTRL_DROP, 0, 9), 0);
	cr_assert_eq(out[5], SFC_CTRL_DROP);
	cr_assert_eq(sf_nsh_ctrl_tlv(out, SFC_CTRL_PASS_TO_END, 0, 9), 0);
	cr_assert_eq(sf_nsh_ctrl_tlv(out, 0, 0, 9), -EINVAL);
	cr_assert_eq(sf_nsh_ctrl_tlv(out, 4, 0, 9), -EINVAL);
	cr_assert_eq(sf_nsh_ctrl_tlv(out, SFC_CTRL_BYPASS, 0, 0), -EINVAL,
		     "no flow: nothing to program");
}

Test(nsh, endpoint_tlv)
{
	struct sfc_tlv_endpoint ep;
	struct sfc_nsh_hdr h;
	struct sf_nsh n;

	sf_nsh_build_sfc(&h, &P, 77, SFC_DIR_EGRESS);
	h.ep.flow_id = htonl(0xABCD);
	h.ep.flags = SFC_TLV_F_REPLY;
	cr_assert_eq(sf_nsh_parse(&h, sizeof(h), &n), 0);
	cr_assert_eq(sf_nsh_endpoint(&n, &ep), 0);
	cr_assert_eq(ntohl(ep.flow_id), 0xABCD);
	cr_assert_eq(ntohs(ep.src_vpid), 77);
	cr_assert_eq(ep.flags, SFC_TLV_F_REPLY);
	h.tlv.type = 5;
	cr_assert_eq(sf_nsh_parse(&h, sizeof(h), &n), 0);
	cr_assert_eq(sf_nsh_endpoint(&n, &ep), -ENOENT);
}

Test(nsh, counts_query_and_answer)
{
	struct sfc_tlv_endpoint ep = { .flow_id = htonl(0x5151),
				       .flags = SFC_TLV_F_REPLY };
	struct sfc_nsh_counts_hdr q;
	struct sf_counts_answer a;
	struct sf_nsh n;
	uint8_t small[40];

	cr_assert_eq(sf_nsh_counts_query(&q, sizeof(q), SFC_SP(0x42, 254), &ep),
		     SFC_NSH_COUNTS_LEN);
	cr_assert_eq(sf_nsh_counts_query(small, sizeof(small), 1, &ep),
		     -EMSGSIZE);
	cr_assert_eq(sf_nsh_parse(&q, sizeof(q), &n), 0);
	cr_assert(sf_nsh_is_oam(&n));
	cr_assert_eq(sf_nsh_next_proto(&n), SFC_NSH_NP_OAM);
	cr_assert_eq(n.hdr_len, SFC_NSH_COUNTS_LEN);
	cr_assert_eq(n.sp, SFC_SP(0x42, 254));
	cr_assert_eq(q.h.ep.flow_id, ep.flow_id, "endpoint TLV as received");
	cr_assert_eq(q.h.ep.flags, SFC_TLV_F_REPLY);
	cr_assert_eq(ntohs(q.tlv.md_class), SFC_NSH_MD_CLASS);
	cr_assert_eq(q.tlv.type, SFC_TLV_COUNTS);
	cr_assert_eq(q.tlv.len, sizeof(struct sfc_tlv_counts));
	cr_assert_eq(q.counts.version, SFC_CTRL_VERSION);
	cr_assert_eq(q.counts.status, SFC_COUNTS_REQUEST);
	cr_assert_eq(q.counts.flow_id, ep.flow_id);
	cr_assert_eq(sf_nsh_counts_answer(&n, &a), -ENOENT, "a request");

	/* What the SFF writes back. */
	q.counts.status = SFC_COUNTS_ANSWER;
	q.counts.flags = SFC_COUNTS_F_BYPASSED;
	q.counts.packets[0] = htobe64(3);
	q.counts.packets[1] = htobe64(0x100000002ull);
	q.counts.bytes[0] = htobe64(120);
	q.counts.bytes[1] = htobe64(7);
	cr_assert_eq(sf_nsh_parse(&q, sizeof(q), &n), 0);
	cr_assert_eq(sf_nsh_counts_answer(&n, &a), 0);
	cr_assert_eq(a.status, SFC_COUNTS_ANSWER);
	cr_assert_eq(a.flags, SFC_COUNTS_F_BYPASSED);
	cr_assert_eq(a.flow_id, 0x5151);
	cr_assert_eq(a.sp, SFC_SP(0x42, 254));
	cr_assert_eq(a.packets[0], 3);
	cr_assert_eq(a.packets[1], 0x100000002ull);
	cr_assert_eq(a.bytes[0], 120);
	cr_assert_eq(a.bytes[1], 7);
	q.counts.status = SFC_COUNTS_REFUSED;
	cr_assert_eq(sf_nsh_counts_answer(&n, &a), 0);
	cr_assert_eq(a.status, SFC_COUNTS_REFUSED);

	q.counts.version = 2;
	cr_assert_eq(sf_nsh_counts_answer(&n, &a), -ENOENT, "version 2");
	q.counts.version = SFC_CTRL_VERSION;
	q.tlv.len = 36;
	cr_assert_eq(sf_nsh_counts_answer(&n, &a), -ENOENT, "length");
	q.tlv.len = sizeof(struct sfc_tlv_counts);
	q.h.base.word &= ~htonl(SFC_NSH_O_BIT);
	cr_assert_eq(sf_nsh_parse(&q, sizeof(q), &n), 0);
	cr_assert_eq(sf_nsh_counts_answer(&n, &a), -ENOENT, "not OAM");
}

/* --- inner packet --- */

static size_t v4_udp(uint8_t *p, uint16_t sport, uint16_t dport)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "10.0.0.1", p + 12);
	inet_pton(AF_INET, "10.0.0.2", p + 16);
	p[20] = sport >> 8; p[21] = sport & 0xFF;
	p[22] = dport >> 8; p[23] = dport & 0xFF;
	return 28;
}

Test(inner, ipv4_udp_and_errors)
{
	uint8_t p[64];
	struct sf_inner in;
	size_t len = v4_udp(p, 1234, 53);

	cr_assert_eq(sf_inner_parse(p, len + 6, SFC_NSH_NP_IPV4, &in), 0);
	cr_assert_eq(in.t.family, 4);
	cr_assert_eq(in.t.proto, IPPROTO_UDP);
	cr_assert_eq(in.t.sport, 1234);
	cr_assert_eq(in.t.dport, 53);
	cr_assert_eq(in.l3_len, 28);
	cr_assert_eq(sf_inner_parse(p, len - 1, SFC_NSH_NP_IPV4, &in), -EMSGSIZE);
	cr_assert_eq(sf_inner_parse(p, len, SFC_NSH_NP_IPV6, &in), -EMSGSIZE);
	cr_assert_eq(sf_inner_parse(p, len, SFC_NSH_NP_ETHERNET, &in),
		     -EPROTONOSUPPORT);
	p[0] = 0x44;
	cr_assert_eq(sf_inner_parse(p, len, SFC_NSH_NP_IPV4, &in), -EPROTO);
	p[0] = 0x45;
	p[3] = 24; /* UDP header cut by tot_len */
	cr_assert_eq(sf_inner_parse(p, len, SFC_NSH_NP_IPV4, &in), -EMSGSIZE);
	p[3] = 28;
	p[6] = 0x00; p[7] = 0x10; /* non-first fragment: no ports */
	cr_assert_eq(sf_inner_parse(p, len, SFC_NSH_NP_IPV4, &in), 0);
	cr_assert(in.frag);
	cr_assert_eq(in.t.dport, 0);
}

Test(inner, ipv6_tcp_with_ext_header)
{
	uint8_t p[40 + 8 + 20] = { 0 };
	struct sf_inner in;

	p[0] = 0x60;
	p[5] = 28;                 /* payload: 8 ext + 20 TCP */
	p[6] = IPPROTO_DSTOPTS;
	inet_pton(AF_INET6, "2001:db8::1", p + 8);
	inet_pton(AF_INET6, "2001:db8::2", p + 24);
	p[40] = IPPROTO_TCP;       /* ext hdr: next header, len 0 = 8 B */
	p[48] = 0x1F; p[49] = 0x90; /* sport 8080 */
	p[50] = 0x01; p[51] = 0xBB; /* dport 443 */
	cr_assert_eq(sf_inner_parse(p, sizeof(p), SFC_NSH_NP_IPV6, &in), 0);
	cr_assert_eq(in.t.family, 6);
	cr_assert_eq(in.t.proto, IPPROTO_TCP);
	cr_assert_eq(in.l4_off, 48);
	cr_assert_eq(in.t.sport, 8080);
	cr_assert_eq(in.t.dport, 443);
	cr_assert_eq(sf_inner_parse(p, sizeof(p) - 1, SFC_NSH_NP_IPV6, &in),
		     -EMSGSIZE);
	p[5] = 0;
	cr_assert_eq(sf_inner_parse(p, sizeof(p), SFC_NSH_NP_IPV6, &in),
		     -EBADMSG, "jumbogram");
}

Test(nsh, counts_delta_follows_totals_and_restarts)
{
	struct sf_counts_answer a = { .packets = { 10, 3 }, .bytes = { 1000, 300 } };
	uint64_t sp = 0, sb = 0, dp, db;

	sf_counts_delta(&a, 0, &sp, &sb, &dp, &db);
	cr_assert(dp == 10 && db == 1000 && sp == 10 && sb == 1000);
	a.packets[0] = 15, a.bytes[0] = 1600;
	sf_counts_delta(&a, 0, &sp, &sb, &dp, &db);
	cr_assert(dp == 5 && db == 600, "only what is new since the last answer");
	/* The SFF's entry was dropped and counts again from zero. */
	a.packets[0] = 2, a.bytes[0] = 150;
	sf_counts_delta(&a, 0, &sp, &sb, &dp, &db);
	cr_assert(dp == 2 && db == 150 && sp == 2 && sb == 150);
	sp = sb = 0;
	sf_counts_delta(&a, 1, &sp, &sb, &dp, &db);
	cr_assert(dp == 3 && db == 300, "the reply direction's own totals");
}
