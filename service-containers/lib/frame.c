// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame.c - shared per-frame SF step. See frame.h.
 */
#include <errno.h>

#include "frame.h"

static enum sf_verdict drop(uint64_t *counter)
{
	(*counter)++;
	return SF_VERDICT_DROP;
}

enum sf_verdict sf_frame_process(struct sf_counters *c, struct sf_frame *f,
				 sf_pkt_fn fn, void *ctx)
{
	struct sf_pkt pkt = { .frame = f };
	uint8_t *nsh;
	int err;

	if (f->len >= SF_ETH_HLEN + SF_NSH_BASE_LEN && !f->truncated &&
	    f->data[12] == (SFC_ETH_P_NSH >> 8) &&
	    f->data[13] == (SFC_ETH_P_NSH & 0xFF)) {
		nsh = f->data + SF_ETH_HLEN;
		err = sf_nsh_parse(nsh, f->len - SF_ETH_HLEN, &pkt.nsh);
		if (!err && sf_nsh_is_oam(&pkt.nsh)) {
			c->oam++;
			return SF_VERDICT_PASS;
		}
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
	if (fn && fn(ctx, &pkt) != SF_VERDICT_PASS)
		return drop(&c->dropped);
	sf_nsh_dec_si(nsh);
	c->tx_packets++;
	c->tx_bytes += f->len;
	return SF_VERDICT_PASS;
}
