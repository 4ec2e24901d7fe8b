/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frame.h - the per-frame step every NSH-aware SF shares: check the
 * Ethernet/NSH framing, echo OAM probes, parse the inner packet, ask the
 * SF, decrement SI, attach the SF's flow programming request, hand the
 * SFF's answers to counts queries over, count. No I/O, so it is unit
 * tested on byte arrays.
 */
#ifndef SF_FRAME_H
#define SF_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inner.h"
#include "nsh.h"
#include "pktio.h"
#include "stats.h"

#define SF_ETH_HLEN 14

/* A flow programming request (sfc_common.h) for the packet's flow. */
struct sf_ctrl_req {
	uint8_t action;           /* enum sfc_ctrl_action, 0: none */
	uint8_t flags;            /* SFC_CTRL_F_* */
	uint8_t idle;             /* the SF's idle timeout for the flow,
				   * SFC_CTRL_IDLE_UNIT_S units, 0: none */
	bool nat;                 /* a translation (x) with the BYPASS */
	struct sf_xlate x;
};

/**
 * sf_idle_units() - @timeout_ms as the idle field of a request: whole
 * SFC_CTRL_IDLE_UNIT_S units, rounded down (the SFF must not keep a flow
 * longer than the SF would), at most SFC_CTRL_IDLE_MAX; 0 (none) for a
 * timeout under one unit: the SF then gives no timeout and must not
 * offload flows whose state it would let idle out.
 */
uint8_t sf_idle_units(uint64_t timeout_ms);

/**
 * sf_epoch() - this SF instance's epoch (sfc_common.h): 0 until
 * sf_epoch_new(), then never 0. While it is not 0 the frame step writes
 * it into the flow id field of every OAM probe it echoes, and
 * sf_pkt_program_nat() requests carry it.
 */
uint32_t sf_epoch(void);

/**
 * sf_epoch_new() - start a new epoch: at start, and when what the SF
 * programmed is no longer true (its rules reloaded, its table started
 * over). The SFF voids every program of the old one on its next echo.
 */
void sf_epoch_new(void);

/* What an SF's packet handler sees; all pointers borrow the frame. */
struct sf_pkt {
	const struct sf_frame *frame;
	struct sf_nsh nsh;        /* validated, SI not yet decremented */
	struct sf_inner inner;    /* 5-tuple of the inner packet */
	const uint8_t *ip;        /* inner IP header */
	size_t ip_len;            /* bytes from ip to the end of the frame */
	struct sf_ctrl_req *req;  /* sf_pkt_program() writes it; may be NULL
				   * (then requests are ignored) */
};

typedef enum sf_verdict (*sf_pkt_fn)(void *ctx, const struct sf_pkt *pkt);

/**
 * sf_pkt_program() - ask the SFF to act on @pkt's flow (both directions)
 * from its next packet (flow programming, sfc_common.h): the frame goes
 * back with a control TLV after its NSH. @action: SFC_CTRL_BYPASS (skip
 * this SF), SFC_CTRL_DROP (drop the flow at its classifier) or
 * SFC_CTRL_PASS_TO_END (skip this SF and every later one); @flags:
 * SFC_CTRL_F_COUNT with BYPASS, for counts queries (flowq.h).
 * A BYPASS or PASS_TO_END request needs a frame the SF passes; a DROP
 * request goes with either verdict: a dropped frame then still goes back,
 * to carry it, and the SFF drops it. The last request of a packet wins.
 * The SFF may ignore any request (sfc_common.h says when): an SF that
 * keeps seeing the flow may ask again.
 */
static inline void sf_pkt_program(const struct sf_pkt *pkt, uint8_t action,
				  uint8_t flags)
{
	if (pkt->req) {
		pkt->req->action = action;
		pkt->req->flags = flags;
		pkt->req->idle = 0;
		pkt->req->nat = false;
	}
}

/**
 * sf_pkt_program_idle() - sf_pkt_program() with the SF's idle timeout
 * for the flow, @timeout_ms (sf_idle_units()): the SFF ends the program
 * once the flow was idle that long, so its next packet reaches the SF,
 * which would have forgotten it by then.
 */
static inline void sf_pkt_program_idle(const struct sf_pkt *pkt,
				       uint8_t action, uint8_t flags,
				       uint64_t timeout_ms)
{
	sf_pkt_program(pkt, action, flags);
	if (pkt->req)
		pkt->req->idle = sf_idle_units(timeout_ms);
}

/**
 * sf_pkt_program_nat() - stateful offload: @pkt (translated by the SF as
 * @x says) goes back with a translation TLV (SFC_TLV_NAT, NSH Length
 * 12): from the flow's next packet the SFF skips this SF and applies @x
 * itself, both directions, and counts what it carried (a counts query
 * gets it, flowq.h), until the flow ends, idles @timeout_ms, the chain
 * changes or the SF starts a new epoch. Needs a frame the SF passes.
 */
static inline void sf_pkt_program_nat(const struct sf_pkt *pkt,
				      const struct sf_xlate *x,
				      uint64_t timeout_ms)
{
	sf_pkt_program_idle(pkt, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT, timeout_ms);
	if (pkt->req) {
		pkt->req->nat = true;
		pkt->req->x = *x;
	}
}

/**
 * sf_pkt_segments() - the packets on the wire @pkt stands for: a TCP or
 * UDP GSO frame counts as its payload cut in gso_size pieces (as the SFF
 * counts a GSO packet it skips), anything else as 1.
 */
uint64_t sf_pkt_segments(const struct sf_pkt *pkt);

/* What an SF keeps of a flow to send a counts query for it later: as
 * received in one of the flow's frames. */
struct sf_flow_ref {
	uint8_t eth[12];              /* destination and source MAC */
	uint32_t sp;                  /* SP (host order), SI not decremented */
	struct sfc_tlv_endpoint ep;   /* endpoint TLV, wire order */
};

/**
 * sf_pkt_flow_ref() - fill @ref from @pkt. Return: 0, or -ENOENT when
 * @pkt's NSH has no endpoint TLV with a flow id (nothing to ask about).
 */
int sf_pkt_flow_ref(const struct sf_pkt *pkt, struct sf_flow_ref *ref);

/* Hooks of the frame step beyond the packet handler. */
struct sf_frame_ops {
	sf_pkt_fn on_packet;      /* per valid traffic frame; NULL: pass */
	/* The SFF's answer to one of this SF's counts queries (the frame is
	 * consumed); NULL: answers are echoed like other OAM. */
	void (*on_counts)(void *ctx, const struct sf_counts_answer *a);
	void *counts_ctx;
};

/**
 * sf_frame_process_ops() - sf_frame_process() with the hooks of @ops:
 * an OAM frame carrying a counts answer (sf_nsh_counts_answer()) goes to
 * ops->on_counts, counted in c->answers, and is dropped; a request the
 * packet handler made with sf_pkt_program() is attached (control TLV,
 * NSH Length 8; a translation TLV, Length 12, counted in c->ctrl_nat) if
 * the frame has the SFF's 20-byte NSH with a flow id and f->headroom holds
 * the TLV, counted in c->ctrl_sent[action - 1], else in c->ctrl_unsent.
 * An OAM probe is echoed with sf_epoch() in its flow id field when the SF
 * has one. A DROP request's frame goes back although it counts as
 * dropped.
 * Return: the verdict for pktio.
 */
enum sf_verdict sf_frame_process_ops(struct sf_counters *c, struct sf_frame *f,
				     const struct sf_frame_ops *ops, void *ctx);

/**
 * sf_frame_process() - run the shared SF step on @f and count it in @c.
 * @fn: the SF's decision for a valid traffic frame (may be NULL: pass).
 *
 * - OAM probe (O bit set, RFC 8300 section 2.2): echoed back unchanged,
 *   counted in c->oam only.
 * - not Ethernet+NSH, truncated, invalid NSH, Next Protocol not IPv4/IPv6
 *   or invalid inner packet: c->malformed, dropped.
 * - SI already 0 or @fn says drop: c->dropped.
 * - otherwise SI is decremented in place and the frame passes (c->tx_*).
 * Every non-OAM frame counts in c->rx_*, so rx = tx + dropped + malformed.
 * Return: the verdict for pktio.
 */
enum sf_verdict sf_frame_process(struct sf_counters *c, struct sf_frame *f,
				 sf_pkt_fn fn, void *ctx);

#endif /* SF_FRAME_H */
