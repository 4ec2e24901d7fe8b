/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_sf_monitor_pkt.h - crafted Ethernet | NSH | IPv4 | TCP/UDP frames
 * for the sf-monitor and sf-ids unit tests (no sockets).
 */
#ifndef TEST_SF_MONITOR_PKT_H
#define TEST_SF_MONITOR_PKT_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "frame.h"

#define TP_ETH_NSH (14 + SFC_NSH_LEN)
#define TP_MAX (TP_ETH_NSH + 20 + 20 + 65000)

struct tpkt {
	uint8_t room[SF_PKTIO_HEADROOM]; /* headroom, right before buf */
	uint8_t buf[TP_MAX];
	struct virtio_net_hdr vnet;
	struct sf_frame f;
};

struct tflow {
	uint8_t proto;          /* 6 or 17 */
	uint8_t src, dst;       /* 10.0.0.<src> -> 10.0.0.<dst> */
	uint16_t sport, dport;
};

static inline struct tflow tflow_rev(struct tflow t)
{
	struct tflow r = { t.proto, t.dst, t.src, t.dport, t.sport };

	return r;
}

/* One frame of @fl with TCP @flags and @seq (ignored for UDP). */
static inline struct tpkt *tpkt_new(struct tflow fl, uint8_t flags,
				    uint32_t seq, const void *data, size_t len)
{
	struct sf_nsh_params p = { .spi = 7, .si = 200,
				   .next_proto = SFC_NSH_NP_IPV4 };
	struct tpkt *t = calloc(1, sizeof(*t));
	size_t l4 = fl.proto == 6 ? 20 : 8, tot = 20 + l4 + len;
	uint8_t *ip = t->buf + TP_ETH_NSH, *h = ip + 20;

	cr_assert_not_null(t);
	cr_assert(tot + TP_ETH_NSH <= TP_MAX);
	t->buf[12] = 0x89;
	t->buf[13] = 0x4F;
	cr_assert_eq(sf_nsh_build_sfc((struct sfc_nsh_hdr *)(t->buf + 14), &p,
				      1, 0), (int)SFC_NSH_LEN);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = fl.proto;
	ip[12] = 10; ip[15] = fl.src;
	ip[16] = 10; ip[19] = fl.dst;
	h[0] = (uint8_t)(fl.sport >> 8); h[1] = (uint8_t)fl.sport;
	h[2] = (uint8_t)(fl.dport >> 8); h[3] = (uint8_t)fl.dport;
	if (fl.proto == 6) {
		h[4] = (uint8_t)(seq >> 24); h[5] = (uint8_t)(seq >> 16);
		h[6] = (uint8_t)(seq >> 8); h[7] = (uint8_t)seq;
		h[12] = 5 << 4;
		h[13] = flags;
	} else {
		h[4] = (uint8_t)((8 + len) >> 8);
		h[5] = (uint8_t)(8 + len);
	}
	if (len)
		memcpy(h + l4, data, len);
	t->f.data = t->buf;
	t->f.len = t->f.wire_len = (uint32_t)(TP_ETH_NSH + tot);
	t->f.vnet = &t->vnet;
	return t;
}

/* Run one frame through the shared step and @fn; return the verdict
 * (and check SI went 200 -> 199 when it passed). */
static inline enum sf_verdict tpkt_run(struct tpkt *t, sf_pkt_fn fn,
				       void *ctx)
{
	struct sf_counters c = { 0 };
	enum sf_verdict v = sf_frame_process(&c, &t->f, fn, ctx);

	cr_assert_eq(c.malformed, 0, "crafted frame is valid");
	if (v == SF_VERDICT_PASS)
		cr_assert_eq(t->buf[14 + 7], 199, "SI decremented");
	free(t);
	return v;
}

/* Build and run in one go. */
static inline enum sf_verdict tsend(struct tflow fl, uint8_t flags,
				    uint32_t seq, const char *data,
				    sf_pkt_fn fn, void *ctx)
{
	return tpkt_run(tpkt_new(fl, flags, seq, data,
				 data ? strlen(data) : 0), fn, ctx);
}

/*
 * tsend_flow() - tsend() of a frame of flow @flow_id (the endpoint TLV's;
 * @reply: the chain's reply direction) with headroom, as the SFF sends
 * it, so that flow programming requests go back with it.
 * Return: the action of the control TLV the frame went back with, 0 for
 * none; *@v the verdict, *@ctrl_flags the TLV's flags (both may be NULL).
 */
static inline uint8_t tsend_flow(struct tflow fl, uint8_t flags, uint32_t seq,
				 const char *data, uint32_t flow_id, bool reply,
				 sf_pkt_fn fn, void *ctx, enum sf_verdict *v,
				 uint8_t *ctrl_flags)
{
	struct tpkt *t = tpkt_new(fl, flags, seq, data, data ? strlen(data) : 0);
	const size_t ep = 14 + offsetof(struct sfc_nsh_hdr, ep);
	struct sf_counters c = { 0 };
	uint32_t id = htonl(flow_id);
	enum sf_verdict r;
	uint8_t action = 0;

	/* Byte copies: the NSH sits at an odd offset of the frame. */
	memcpy(t->buf + ep + offsetof(struct sfc_tlv_endpoint, flow_id), &id,
	       sizeof(id));
	t->buf[ep + offsetof(struct sfc_tlv_endpoint, flags)] =
		reply ? SFC_TLV_F_REPLY : 0;
	t->f.headroom = sizeof(t->room);
	r = sf_frame_process(&c, &t->f, fn, ctx);
	cr_assert_eq(c.malformed, 0, "crafted frame is valid");
	if ((t->f.data[15] & 0x3F) == SFC_NSH_CTRL_LEN_WORDS) {
		action = t->f.data[14 + SFC_NSH_LEN + 5];
		if (ctrl_flags)
			*ctrl_flags = t->f.data[14 + SFC_NSH_LEN + 6];
	}
	if (v)
		*v = r;
	free(t);
	return action;
}

#define T_FIN 0x01
#define T_SYN 0x02
#define T_RST 0x04
#define T_PSH 0x08
#define T_ACK 0x10

#endif /* TEST_SF_MONITOR_PKT_H */
