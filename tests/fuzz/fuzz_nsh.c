// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_nsh.c - libFuzzer target for the SF side of the wire format
 * (service-containers/lib/nsh.c, inner.c, frame.c): whatever arrives on an
 * SF's interface.
 *
 * The input is one frame starting at the NSH header (no Ethernet header):
 *   - sf_nsh_parse(), then every MD type 2 TLV through the iterator and
 *     sf_nsh_tlv_find() for the sfc TLV, and sf_nsh_dec_si() on a copy;
 *   - sf_inner_parse() of the bytes after the NSH header with the header's
 *     Next Protocol (and with IPv4/IPv6 forced), then sf_tuple_format();
 *   - sf_frame_process(), the whole per-frame step, on a writable copy with
 *     a 14-byte Ethernet header (EtherType 0x894F) in front, counters
 *     checked: every non-OAM frame is rx = tx + dropped + malformed.
 * Each step reads from an exact-size heap copy so ASan sees over-reads.
 * Seeds: tests/fuzz/corpus/nsh/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "frame.h"
#include "inner.h"
#include "nsh.h"

static void fuzz_inner(const uint8_t *pkt, size_t len, uint8_t np)
{
	struct sf_inner in;
	char buf[128];

	if (sf_inner_parse(pkt, len, np, &in) == 0)
		(void)sf_tuple_format(&in.t, buf, sizeof(buf));
}

static void fuzz_parse(const uint8_t *buf, size_t size)
{
	struct sf_nsh n;
	struct sf_nsh_tlv_iter it;
	struct sf_nsh_tlv t;
	uint8_t hdr[SF_NSH_MAX_LEN];
	int guard = 0;

	if (sf_nsh_parse(buf, size, &n) != 0)
		return;
	sf_nsh_tlv_iter_init(&it, &n);
	while (sf_nsh_tlv_next(&it, &t) > 0 && ++guard < 256)
		if (t.len && t.value)
			(void)t.value[t.len - 1];
	(void)sf_nsh_tlv_find(&n, SFC_NSH_MD_CLASS, 1, &t);
	memcpy(hdr, buf, n.hdr_len);
	(void)sf_nsh_dec_si(hdr);
	fuzz_inner(buf + n.hdr_len, size - n.hdr_len, sf_nsh_next_proto(&n));
}

static enum sf_verdict pass(void *ctx, const struct sf_pkt *pkt)
{
	(void)ctx;
	return pkt->ip_len & 1 ? SF_VERDICT_PASS : SF_VERDICT_DROP;
}

static void fuzz_frame(const uint8_t *data, size_t size)
{
	struct sf_counters c;
	struct sf_frame f;
	uint8_t *buf = malloc(SF_ETH_HLEN + size);

	if (!buf)
		return;
	memset(buf, 0x02, 12);
	buf[12] = 0x89;
	buf[13] = 0x4f;
	memcpy(buf + SF_ETH_HLEN, data, size);
	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	f.data = buf;
	f.len = SF_ETH_HLEN + size;
	f.wire_len = f.len;
	(void)sf_frame_process(&c, &f, pass, NULL);
	if (c.rx_packets != c.tx_packets + c.dropped + c.malformed)
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size > 65536)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	fuzz_parse(buf, size);
	fuzz_inner(buf, size, SFC_NSH_NP_IPV4);
	fuzz_inner(buf, size, SFC_NSH_NP_IPV6);
	free(buf);
	fuzz_frame(data, size);
	return 0;
}
