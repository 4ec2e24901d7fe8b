/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frame.h - the per-frame step every NSH-aware SF shares: check the
 * Ethernet/NSH framing, echo OAM probes, parse the inner packet, ask the
 * SF, decrement SI, count. No I/O, so it is unit tested on byte arrays.
 */
#ifndef SF_FRAME_H
#define SF_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "inner.h"
#include "nsh.h"
#include "pktio.h"
#include "stats.h"

#define SF_ETH_HLEN 14

/* What an SF's packet handler sees; all pointers borrow the frame. */
struct sf_pkt {
	const struct sf_frame *frame;
	struct sf_nsh nsh;        /* validated, SI not yet decremented */
	struct sf_inner inner;    /* 5-tuple of the inner packet */
	const uint8_t *ip;        /* inner IP header */
	size_t ip_len;            /* bytes from ip to the end of the frame */
};

typedef enum sf_verdict (*sf_pkt_fn)(void *ctx, const struct sf_pkt *pkt);

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
