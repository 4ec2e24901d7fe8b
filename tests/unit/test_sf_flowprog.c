// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_flowprog.c - flow programming in the SF framework: a request
 * of the packet handler goes back as a control TLV after the NSH (the
 * headers move into the headroom, the packet stays, vnet offsets follow),
 * when it cannot, a DROP request's carrier, the SFF's counts answers
 * handed to the SF, and the counts query queue (flowq.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "flowq.h"
#include "frame.h"
#include "test_sf_util.h"

static uint8_t want_action, want_flags;
static enum sf_verdict want_verdict;

static enum sf_verdict ask(void *ctx, const struct sf_pkt *pkt)
{
	(void)ctx;
	if (want_action)
		sf_pkt_program(pkt, want_action, want_flags);
	return want_verdict;
}

static void want(uint8_t action, uint8_t flags, enum sf_verdict v)
{
	want_action = action;
	want_flags = flags;
	want_verdict = v;
}

Test(sf_flowprog, bypass_request_goes_back_as_control_tlv)
{
	static struct tpkt p, orig;
	struct sf_counters c = { 0 };
	const uint8_t *tlv;
	uint32_t id;

	tpkt_build(&p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", 80, 0x10, 100);
	tpkt_flow(&p, 0x1234, false);
	tpkt_make_partial(&p, 0);
	orig = p;
	want(SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT, SF_VERDICT_PASS);
	cr_assert_eq(sf_frame_process(&c, &p.f, ask, NULL), SF_VERDICT_PASS);
	cr_assert_eq(p.f.data, p.buf - SFC_CTRL_TLV_LEN, "headers moved back");
	cr_assert_eq(p.f.len, orig.f.len + SFC_CTRL_TLV_LEN);
	cr_assert_eq(p.f.headroom, sizeof(p.room) - SFC_CTRL_TLV_LEN);
	cr_assert_arr_eq(p.f.data, orig.buf, 14, "Ethernet header");
	cr_assert_eq(p.f.data[15] & 0x3F, 8, "NSH Length 8");
	cr_assert_eq(p.f.data[14 + 7], 199, "SI decremented");
	cr_assert_arr_eq(p.f.data + 16, orig.buf + 16, 5, "MD type, NP, SPI");
	cr_assert_arr_eq(p.f.data + 22, orig.buf + 22, 12, "endpoint TLV");
	tlv = p.f.data + 14 + SFC_NSH_LEN;
	cr_assert_eq(tlv[0] << 8 | tlv[1], SFC_NSH_MD_CLASS);
	cr_assert_eq(tlv[2], SFC_TLV_CTRL);
	cr_assert_eq(tlv[3], 8);
	cr_assert_eq(tlv[4], SFC_CTRL_VERSION);
	cr_assert_eq(tlv[5], SFC_CTRL_BYPASS);
	cr_assert_eq(tlv[6], SFC_CTRL_F_COUNT);
	memcpy(&id, tlv + 8, sizeof(id));
	cr_assert_eq(ntohl(id), 0x1234, "flow id echoed");
	cr_assert_arr_eq(tlv + SFC_CTRL_TLV_LEN, orig.buf + orig.ip_off,
			 orig.f.len - orig.ip_off, "inner packet untouched");
	cr_assert_eq(p.vnet.csum_start, orig.vnet.csum_start + SFC_CTRL_TLV_LEN);
	cr_assert_eq(p.vnet.csum_offset, orig.vnet.csum_offset);
	cr_assert(tpkt_l4_csum_ok(&orig));
	cr_assert_eq(c.ctrl_sent[SFC_CTRL_BYPASS - 1], 1);
	cr_assert_eq(c.tx_packets, 1);
	cr_assert_eq(c.tx_bytes, p.f.len);
	cr_assert_eq(c.ctrl_unsent, 0);
}

/* pktio puts the vnet header right before the frame: it moves along. */
Test(sf_flowprog, adjacent_vnet_header_moves_with_the_headers)
{
	static struct tpkt p;
	static uint8_t slot[64 + sizeof(struct virtio_net_hdr) + 4096];
	struct virtio_net_hdr *vnet = (void *)(slot + 64);
	struct sf_counters c = { 0 };
	struct sf_frame f;

	tpkt_build(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, 0, 10);
	tpkt_flow(&p, 7, true);
	tpkt_make_partial(&p, 0);
	*vnet = p.vnet;
	memcpy(vnet + 1, p.buf, p.f.len);
	f = p.f;
	f.vnet = vnet;
	f.data = (uint8_t *)(vnet + 1);
	f.headroom = 64;
	want(SFC_CTRL_PASS_TO_END, 0, SF_VERDICT_PASS);
	cr_assert_eq(sf_frame_process(&c, &f, ask, NULL), SF_VERDICT_PASS);
	cr_assert_eq((uint8_t *)f.vnet, slot + 64 - SFC_CTRL_TLV_LEN);
	cr_assert_eq((uint8_t *)(f.vnet + 1), f.data, "still adjacent");
	cr_assert_eq(f.vnet->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	cr_assert_eq(f.vnet->csum_start, p.vnet.csum_start + SFC_CTRL_TLV_LEN);
	cr_assert_eq(f.data[14 + SFC_NSH_LEN + 5], SFC_CTRL_PASS_TO_END);
	cr_assert_eq(f.headroom, 64 - SFC_CTRL_TLV_LEN);
}

/* A request that cannot go back: counted, the frame as it would be. */
Test(sf_flowprog, unsendable_requests)
{
	static struct tpkt p;
	struct sf_counters c = { 0 };
	uint8_t action;

	tpkt_build(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, 0, 10);
	want(SFC_CTRL_BYPASS, 0, SF_VERDICT_PASS);
	/* Flow id 0: the SFF keeps no state for it. */
	p.f.headroom = sizeof(p.room);
	cr_assert_eq(tpkt_run_ctrl(&p, &c, ask, NULL, &action, NULL),
		     SF_VERDICT_PASS);
	cr_assert_eq(action, 0);
	cr_assert_eq(c.ctrl_unsent, 1);
	/* No headroom. */
	tpkt_flow(&p, 9, false);
	p.f.headroom = SFC_CTRL_TLV_LEN - 1;
	cr_assert_eq(tpkt_run_ctrl(&p, &c, ask, NULL, &action, NULL),
		     SF_VERDICT_PASS);
	cr_assert_eq(action, 0);
	cr_assert_eq(c.ctrl_unsent, 2);
	/* Not the SFF's 20-byte NSH (one more TLV already). */
	p.f.headroom = sizeof(p.room);
	p.buf[15] = (uint8_t)((p.buf[15] & 0xC0) | 6);
	memmove(p.buf + 38, p.buf + 34, p.f.len - 34);
	memcpy(p.buf + 34, "\xFF\xF6\x09\x00", 4);
	p.f.len += 4;
	cr_assert_eq(tpkt_run_ctrl(&p, &c, ask, NULL, &action, NULL),
		     SF_VERDICT_PASS);
	cr_assert_eq(action, 0);
	cr_assert_eq(c.ctrl_unsent, 3);
	cr_assert_eq(c.tx_packets, 3, "the frames still pass");
	/* BYPASS of a frame the SF drops: nothing to carry it. */
	tpkt_build(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, 0, 10);
	tpkt_flow(&p, 9, false);
	want(SFC_CTRL_BYPASS, 0, SF_VERDICT_DROP);
	cr_assert_eq(tpkt_run_ctrl(&p, &c, ask, NULL, &action, NULL),
		     SF_VERDICT_DROP);
	cr_assert_eq(c.ctrl_unsent, 4);
	cr_assert_eq(c.dropped, 1);
}

/* DROP rides on the frame the SF drops: it goes back, the SFF drops it. */
Test(sf_flowprog, drop_request_carrier)
{
	static struct tpkt p;
	struct sf_counters c = { 0 };
	uint8_t action;

	tpkt_build(&p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", 22, 0x02, 0);
	tpkt_flow(&p, 0x99, false);
	want(SFC_CTRL_DROP, 0, SF_VERDICT_DROP);
	cr_assert_eq(tpkt_run_ctrl(&p, &c, ask, NULL, &action, NULL),
		     SF_VERDICT_PASS, "sent back to carry the request");
	cr_assert_eq(action, SFC_CTRL_DROP);
	cr_assert_eq(c.dropped, 1, "the SF's verdict: dropped");
	cr_assert_eq(c.tx_packets, 0);
	cr_assert_eq(c.ctrl_sent[SFC_CTRL_DROP - 1], 1);
	cr_assert_eq(c.rx_packets, c.tx_packets + c.dropped + c.malformed);
	/* Without headroom the frame is simply dropped. */
	p.f.headroom = 0;
	cr_assert_eq(tpkt_run_ctrl(&p, &c, ask, NULL, &action, NULL),
		     SF_VERDICT_DROP);
	cr_assert_eq(c.dropped, 2);
	cr_assert_eq(c.ctrl_unsent, 1);
}

static struct sf_counts_answer got;
static int n_got;

static void on_counts(void *ctx, const struct sf_counts_answer *a)
{
	(void)ctx;
	got = *a;
	n_got++;
}

/* An answer frame: the query the SF sent, as the SFF rewrote it. */
static size_t answer_frame(uint8_t *buf, uint8_t status, uint64_t pkts)
{
	struct sfc_tlv_endpoint ep = { .flow_id = htonl(0x77) };
	struct sfc_nsh_counts_hdr h;

	memset(buf, 0, 14);
	buf[12] = 0x89;
	buf[13] = 0x4F;
	cr_assert_eq(sf_nsh_counts_query(&h, sizeof(h), SFC_SP(5, 255), &ep),
		     SFC_NSH_COUNTS_LEN);
	h.counts.status = status;
	h.counts.packets[0] = htobe64(pkts);
	memcpy(buf + 14, &h, sizeof(h)); /* at an odd offset of the frame */
	return 14 + SFC_NSH_COUNTS_LEN;
}

Test(sf_flowprog, counts_answer_goes_to_the_sf_not_echoed)
{
	const struct sf_frame_ops ops = { .on_counts = on_counts };
	struct sf_counters c = { 0 };
	uint8_t buf[128];
	struct sf_frame f = { .data = buf };

	n_got = 0;
	f.len = f.wire_len = (uint32_t)answer_frame(buf, SFC_COUNTS_ANSWER, 42);
	cr_assert_eq(sf_frame_process_ops(&c, &f, &ops, NULL), SF_VERDICT_DROP);
	cr_assert_eq(n_got, 1);
	cr_assert_eq(got.flow_id, 0x77);
	cr_assert_eq(got.packets[0], 42);
	cr_assert_eq(got.sp, SFC_SP(5, 255));
	cr_assert_eq(c.counts_answers, 1);
	cr_assert_eq(c.oam + c.rx_packets, 0);
	/* A request (our own query echoed?) is no answer: plain OAM echo. */
	f.len = (uint32_t)answer_frame(buf, SFC_COUNTS_REQUEST, 1);
	cr_assert_eq(sf_frame_process_ops(&c, &f, &ops, NULL), SF_VERDICT_PASS);
	cr_assert_eq(c.oam, 1);
	/* An SF without a queue echoes answers like any OAM. */
	f.len = (uint32_t)answer_frame(buf, SFC_COUNTS_ANSWER, 1);
	cr_assert_eq(sf_frame_process(&c, &f, NULL, NULL), SF_VERDICT_PASS);
	cr_assert_eq(c.oam, 2);
	cr_assert_eq(n_got, 1);
}

/* --- the counts query queue --- */

static uint64_t fake_ms;
static uint64_t fake_clock(void) { return fake_ms; }

struct heard {
	int n;
	struct sf_tuple t;
	uint32_t why;
	bool answered;
	uint64_t packets;
};

static void heard_fn(void *ctx, const struct sf_tuple *t, uint32_t why,
		     const struct sf_counts_answer *a)
{
	struct heard *h = ctx;

	h->n++;
	h->t = *t;
	h->why = why;
	h->answered = a != NULL;
	h->packets = a ? a->packets[1] : 0;
}

static struct sf_flow_ref ref_of(uint32_t flow_id, uint32_t sp)
{
	struct sf_flow_ref r = { .sp = sp };

	memcpy(r.eth, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	r.ep.flow_id = htonl(flow_id);
	r.ep.src_vpid = htons(3);
	return r;
}

Test(sf_flowprog, flowq_ask_send_answer_expire)
{
	static struct sf_flowq q;
	struct sf_flow_ref r1 = ref_of(0x10, SFC_SP(4, 254));
	struct sf_flow_ref r2 = ref_of(0x20, SFC_SP(4, 254));
	struct sf_tuple t1 = { .sport = 1, .family = 4 }, t2 = { .sport = 2 };
	struct sf_counts_answer a = { .status = SFC_COUNTS_ANSWER };
	uint8_t frame[SF_FLOWQ_FRAME_LEN];
	struct heard h = { 0 };
	struct sf_nsh n;

	sf_flowq_init(&q, heard_fn, &h);
	q.clock = fake_clock;
	fake_ms = 1000;
	cr_assert_eq(sf_flowq_ask(&q, &r1, &t1, 7), 0);
	cr_assert_eq(sf_flowq_ask(&q, &r1, &t1, 8), -EEXIST, "in flight");
	cr_assert_eq(sf_flowq_ask(&q, &r2, &t2, 9), 0);

	/* The first frame: MACs as received, then the query NSH. */
	cr_assert_eq(sf_flowq_next(&q, frame, sizeof(frame)), SF_FLOWQ_FRAME_LEN);
	cr_assert_arr_eq(frame, r1.eth, 12);
	cr_assert_eq(frame[12], 0x89);
	cr_assert_eq(frame[13], 0x4F);
	cr_assert_eq(sf_nsh_parse(frame + 14, SFC_NSH_COUNTS_LEN, &n), 0);
	cr_assert(sf_nsh_is_oam(&n));
	cr_assert_eq(n.sp, SFC_SP(4, 254));
	cr_assert_eq(sf_flowq_next(&q, frame, sizeof(frame)), SF_FLOWQ_FRAME_LEN);
	cr_assert_eq(sf_flowq_next(&q, frame, sizeof(frame)), 0, "all sent");
	cr_assert_eq(sf_flowq_next(&q, frame, 10), 0, "too small");

	/* An answer to no question; then r2's. */
	a.flow_id = 0x30;
	a.sp = SFC_SP(4, 254);
	sf_flowq_answer(&q, &a);
	cr_assert_eq(q.unmatched, 1);
	a.flow_id = 0x20;
	a.packets[1] = 5;
	sf_flowq_answer(&q, &a);
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.t.sport, 2);
	cr_assert_eq(h.why, 9);
	cr_assert(h.answered);
	cr_assert_eq(h.packets, 5);
	cr_assert_eq(q.n, 1);

	/* r1 gets no answer: given up after SF_FLOWQ_TIMEOUT_MS. */
	fake_ms += SF_FLOWQ_TIMEOUT_MS - 1;
	sf_flowq_expire(&q);
	cr_assert_eq(h.n, 1);
	fake_ms += 1;
	sf_flowq_expire(&q);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.t.sport, 1);
	cr_assert_eq(h.why, 7);
	cr_assert(!h.answered);
	cr_assert_eq(q.n, 0);
	cr_assert_eq(q.timeouts, 1);
	cr_assert_eq(q.answered, 1);
}

Test(sf_flowprog, flowq_is_bounded)
{
	static struct sf_flowq q;
	struct sf_tuple t = { 0 };
	struct heard h = { 0 };
	struct sf_flow_ref r;
	uint32_t i;

	sf_flowq_init(&q, heard_fn, &h);
	for (i = 0; i < SF_FLOWQ_CAP; i++) {
		r = ref_of(i + 1, 1);
		cr_assert_eq(sf_flowq_ask(&q, &r, &t, 0), 0);
	}
	r = ref_of(i + 1, 1);
	cr_assert_eq(sf_flowq_ask(&q, &r, &t, 0), -ENOSPC);
	cr_assert_eq(q.full, 1);
}
