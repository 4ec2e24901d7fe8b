// SPDX-License-Identifier: GPL-2.0-only
/*
 * inner.c - 5-tuple of the inner IP packet. See inner.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "inner.h"
#include "sfc_common.h"

#define IPV6_HDR_LEN 40
#define IPV6_MAX_EXT 8

static uint16_t load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Transport header: ports where the protocol has them, bounds-checked. */
static int parse_l4(const uint8_t *p, size_t end, struct sf_inner *out)
{
	size_t need, off = out->l4_off;

	if (out->frag)
		return 0;
	switch (out->t.proto) {
	case IPPROTO_TCP:
		need = 20;
		break;
	case IPPROTO_UDP:
		need = 8;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		need = 4;
		break;
	default:
		return 0;
	}
	if (off + need > end)
		return -EMSGSIZE;
	if (out->t.proto == IPPROTO_TCP || out->t.proto == IPPROTO_UDP) {
		out->t.sport = load_be16(p + off);
		out->t.dport = load_be16(p + off + 2);
	}
	return 0;
}

static int parse_v4(const uint8_t *p, size_t len, struct sf_inner *out)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < 20)
		return -EMSGSIZE;
	if (p[0] >> 4 != 4)
		return -EPROTO;
	ihl = (size_t)(p[0] & 0xF) * 4;
	tot = load_be16(p + 2);
	if (ihl < 20 || tot < ihl)
		return -EPROTO;
	if (ihl > len || tot > len)
		return -EMSGSIZE;
	frag = load_be16(p + 6);
	out->t.family = 4;
	out->t.proto = p[9];
	memcpy(out->t.src, p + 12, 4);
	memcpy(out->t.dst, p + 16, 4);
	out->l3_len = tot;
	out->l4_off = ihl;
	out->frag = (frag & 0x1FFF) != 0;
	return parse_l4(p, tot, out);
}

static bool v6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_AH;
}

/* Skip IPv6 extension headers; leaves proto/l4_off/frag in @out. */
static int skip_v6_ext(const uint8_t *p, size_t end, uint8_t nh,
		       struct sf_inner *out)
{
	size_t off = IPV6_HDR_LEN, hl;
	int n;

	for (n = 0; v6_is_ext(nh); n++) {
		if (n == IPV6_MAX_EXT)
			return -EBADMSG;
		if (off + 8 > end)
			return -EMSGSIZE;
		if (nh == IPPROTO_FRAGMENT) {
			hl = 8;
			if (load_be16(p + off + 2) & 0xFFF8)
				out->frag = true;
		} else if (nh == IPPROTO_AH) {
			hl = ((size_t)p[off + 1] + 2) * 4;
		} else {
			hl = ((size_t)p[off + 1] + 1) * 8;
		}
		nh = p[off];
		off += hl;
		if (off > end)
			return -EMSGSIZE;
		if (out->frag)
			break;
	}
	out->t.proto = nh;
	out->l4_off = off;
	return 0;
}

static int parse_v6(const uint8_t *p, size_t len, struct sf_inner *out)
{
	size_t plen;
	int err;

	if (len < IPV6_HDR_LEN)
		return -EMSGSIZE;
	if (p[0] >> 4 != 6)
		return -EPROTO;
	plen = load_be16(p + 4);
	if (plen == 0)
		return -EBADMSG; /* jumbogram or BIG TCP: not expected here */
	if (IPV6_HDR_LEN + plen > len)
		return -EMSGSIZE;
	out->t.family = 6;
	memcpy(out->t.src, p + 8, 16);
	memcpy(out->t.dst, p + 24, 16);
	out->l3_len = IPV6_HDR_LEN + plen;
	err = skip_v6_ext(p, out->l3_len, p[6], out);
	if (err)
		return err;
	return parse_l4(p, out->l3_len, out);
}

int sf_inner_parse(const void *pkt, size_t len, uint8_t next_proto,
		   struct sf_inner *out)
{
	if (!pkt || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (next_proto == SFC_NSH_NP_IPV4)
		return parse_v4(pkt, len, out);
	if (next_proto == SFC_NSH_NP_IPV6)
		return parse_v6(pkt, len, out);
	return -EPROTONOSUPPORT;
}

const char *sf_proto_name(uint8_t proto, char *tmp)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		snprintf(tmp, 4, "%u", proto);
		return tmp;
	}
}

int sf_tuple_format(const struct sf_tuple *t, char *buf, size_t cap)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], tmp[4];
	int af = t->family == 6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, t->src, s, sizeof(s)))
		strcpy(s, "?");
	if (!inet_ntop(af, t->dst, d, sizeof(d)))
		strcpy(d, "?");
	return snprintf(buf, cap, "%s %s:%u > %s:%u",
			sf_proto_name(t->proto, tmp), s, t->sport, d, t->dport);
}
