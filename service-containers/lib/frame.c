// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame.c - shared per-frame SF step. See frame.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "frame.h"
#include "sfc_fnv.h"

/* The process's epoch: one SF instance per process. */
static uint32_t epoch;

uint32_t sf_epoch(void)
{
	return epoch;
}

void sf_epoch_new(void)
{
	struct timespec ts;
	uint32_t e;

	/* Unlike any earlier one of this VPID: the clock (no getrandom under
	 * seccomp) mixed with the pid and the previous epoch. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	e = (uint32_t)sfc_fnv1a64(SFC_FNV64_INIT, &ts, sizeof(ts)) ^ (uint32_t)getpid() * 2654435761u;
	e ^= epoch * 0x9E3779B9u;
	epoch = e ? e : 1;
}

uint8_t sf_idle_units(uint64_t timeout_ms)
{
	uint64_t u = timeout_ms / (SFC_CTRL_IDLE_UNIT_S * 1000ull);

	return (uint8_t)(u > SFC_CTRL_IDLE_MAX ? SFC_CTRL_IDLE_MAX : u);
}

static enum sf_verdict drop(uint64_t *counter)
{
	(*counter)++;
	return SF_VERDICT_DROP;
}

uint64_t sf_pkt_segments(const struct sf_pkt *pkt)
{
	const struct sf_inner *in = &pkt->inner;
	const struct virtio_net_hdr *v = pkt->frame->vnet;
	const uint8_t *l4 = pkt->ip + in->l4_off;
	uint32_t hdr = 0, payload;

	if (in->frag)
		return 1;
	if (in->t.proto == IPPROTO_TCP)
		hdr = (uint32_t)(l4[12] >> 4) * 4;
	else if (in->t.proto == IPPROTO_UDP)
		hdr = 8;
	if (!v || v->gso_type == VIRTIO_NET_HDR_GSO_NONE || !v->gso_size ||
	    !hdr || in->l3_len <= in->l4_off + hdr)
		return 1;
	payload = in->l3_len - in->l4_off - hdr;
	return (payload + v->gso_size - 1) / v->gso_size;
}

int sf_pkt_flow_ref(const struct sf_pkt *pkt, struct sf_flow_ref *ref)
{
	if (sf_nsh_endpoint(&pkt->nsh, &ref->ep) || !ref->ep.flow_id)
		return -ENOENT;
	memcpy(ref->eth, pkt->frame->data, sizeof(ref->eth));
	ref->sp = pkt->nsh.sp;
	return 0;
}

/*
 * Insert the control TLV for @r after the 20-byte NSH of @f (SI already
 * decremented). The packet stays where it is: the Ethernet and NSH
 * headers (and the vnet header right before them, if it is there) move
 * SFC_CTRL_TLV_LEN bytes into the headroom. Offsets the vnet header
 * counts from the frame's start grow by as much.
 */
static int add_ctrl(struct sf_frame *f, const struct sf_pkt *pkt,
		    const struct sf_ctrl_req *r)
{
	const size_t head = SF_ETH_HLEN + SFC_NSH_LEN;
	const size_t d = r->nat ? SFC_NAT_TLV_LEN : SFC_CTRL_TLV_LEN;
	uint8_t tlv[SFC_NAT_TLV_LEN], *from;
	struct sfc_tlv_endpoint ep;
	bool adjacent;
	int err;

	if (pkt->nsh.hdr_len != SFC_NSH_LEN || sf_nsh_endpoint(&pkt->nsh, &ep))
		return -ENOSPC;
	if (r->nat)
		err = sf_nsh_nat_tlv(tlv, &r->x, r->idle, ntohl(ep.flow_id),
				     epoch);
	else
		err = sf_nsh_ctrl_tlv(tlv, r->action, r->flags,
				      ntohl(ep.flow_id));
	if (err || f->headroom < d)
		return -ENOSPC;
	if (!r->nat) /* the idle byte: struct sfc_tlv_ctrl.idle */
		tlv[SF_NSH_TLV_HDR_LEN + 3] = r->idle;
	adjacent = f->vnet && (uint8_t *)(f->vnet + 1) == f->data;
	from = adjacent ? (uint8_t *)f->vnet : f->data;
	memmove(from - d, from, (size_t)(f->data - from) + head);
	if (adjacent)
		f->vnet = (struct virtio_net_hdr *)((uint8_t *)f->vnet - d);
	f->data -= d;
	f->len += (uint32_t)d;
	f->headroom -= (uint32_t)d;
	memcpy(f->data + head, tlv, d);
	/* NSH Length (low 6 bits of byte 1): 5 -> 8 or 12 words. */
	f->data[SF_ETH_HLEN + 1] = (uint8_t)((f->data[SF_ETH_HLEN + 1] & 0xC0) |
					     (r->nat ? SFC_NSH_NAT_LEN_WORDS :
						       SFC_NSH_CTRL_LEN_WORDS));
	if (f->vnet && (f->vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		f->vnet->csum_start += d;
	if (f->vnet && f->vnet->hdr_len)
		f->vnet->hdr_len += d;
	return 0;
}

/* An OAM frame: the SFF's answer to our counts query, or a probe to echo
 * (with our epoch in its flow id field, if we have one: sfc_common.h). */
static enum sf_verdict oam(struct sf_counters *c, struct sf_frame *f,
			   const struct sf_nsh *n, const struct sf_frame_ops *ops)
{
	struct sfc_tlv_endpoint ep;
	struct sf_counts_answer a;
	uint32_t e = htonl(epoch);

	if (ops && ops->on_counts && !sf_nsh_counts_answer(n, &a)) {
		c->counts_answers++;
		ops->on_counts(ops->counts_ctx, &a);
		return SF_VERDICT_DROP;
	}
	if (epoch && n->hdr_len == SFC_NSH_LEN && !sf_nsh_endpoint(n, &ep))
		memcpy(f->data + SF_ETH_HLEN +
		       offsetof(struct sfc_nsh_hdr, ep.flow_id), &e, sizeof(e));
	c->oam++;
	return SF_VERDICT_PASS;
}

/* The packet handler's verdict, with its request attached when it can be. */
static enum sf_verdict handled(struct sf_counters *c, struct sf_frame *f,
			       struct sf_pkt *pkt, uint8_t *nsh,
			       enum sf_verdict v)
{
	const struct sf_ctrl_req *r = pkt->req;
	bool carry = r->action && (v == SF_VERDICT_PASS ||
				   r->action == SFC_CTRL_DROP);

	if (r->action && !carry)
		c->ctrl_unsent++; /* BYPASS of a frame the SF dropped */
	if (!carry) {
		if (v != SF_VERDICT_PASS)
			return drop(&c->dropped);
		sf_nsh_dec_si(nsh);
		c->tx_packets++;
		c->tx_bytes += f->len;
		return SF_VERDICT_PASS;
	}
	sf_nsh_dec_si(nsh);
	if (add_ctrl(f, pkt, r)) {
		c->ctrl_unsent++;
		if (v != SF_VERDICT_PASS)
			return drop(&c->dropped);
	} else {
		if (r->nat)
			c->ctrl_nat++;
		else
			c->ctrl_sent[r->action - 1]++;
		if (v != SF_VERDICT_PASS) {
			c->dropped++; /* goes back only to carry the request */
			return SF_VERDICT_PASS;
		}
	}
	c->tx_packets++;
	c->tx_bytes += f->len;
	return SF_VERDICT_PASS;
}

enum sf_verdict sf_frame_process_ops(struct sf_counters *c, struct sf_frame *f,
				     const struct sf_frame_ops *ops, void *ctx)
{
	struct sf_ctrl_req req = { 0 };
	struct sf_pkt pkt = { .frame = f, .req = &req };
	enum sf_verdict v = SF_VERDICT_PASS;
	uint8_t *nsh;
	int err;

	if (f->len >= SF_ETH_HLEN + SF_NSH_BASE_LEN && !f->truncated &&
	    f->data[12] == (SFC_ETH_P_NSH >> 8) &&
	    f->data[13] == (SFC_ETH_P_NSH & 0xFF)) {
		nsh = f->data + SF_ETH_HLEN;
		err = sf_nsh_parse(nsh, f->len - SF_ETH_HLEN, &pkt.nsh);
		if (!err && sf_nsh_is_oam(&pkt.nsh))
			return oam(c, f, &pkt.nsh, ops);
	} else {
		nsh = NULL;
		err = -EBADMSG;
	}
	c->rx_packets++;
	c->rx_bytes += f->wire_len;
	if (err)
		return drop(&c->malformed);
	pkt.ip = nsh + pkt.nsh.hdr_len;
	pkt.ip_len = f->len - SF_ETH_HLEN - pkt.nsh.hdr_len;
	if (sf_inner_parse(pkt.ip, pkt.ip_len, sf_nsh_next_proto(&pkt.nsh),
			   &pkt.inner))
		return drop(&c->malformed);
	if (sf_nsh_si(&pkt.nsh) == 0)
		return drop(&c->dropped);
	if (ops && ops->on_packet)
		v = ops->on_packet(ctx, &pkt);
	return handled(c, f, &pkt, nsh, v);
}

enum sf_verdict sf_frame_process(struct sf_counters *c, struct sf_frame *f,
				 sf_pkt_fn fn, void *ctx)
{
	const struct sf_frame_ops ops = { .on_packet = fn };

	return sf_frame_process_ops(c, f, &ops, ctx);
}
