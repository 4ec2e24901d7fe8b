// SPDX-License-Identifier: GPL-2.0-only
/*
 * l4.c - checksums (RFC 1071, RFC 1624) and ICMP echo ids. See l4.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <linux/virtio_net.h>

#include "l4.h"

static uint16_t load16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void store16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint32_t sf_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += load16(b + i);
	if (len & 1)
		s += (uint16_t)(b[len - 1] << 8);
	while (s >> 32)
		s = (s & 0xFFFFFFFF) + (s >> 32);
	return (uint32_t)s;
}

uint16_t sf_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

void sf_ip4_csum_set(uint8_t *ip, size_t ihl)
{
	ip[10] = ip[11] = 0;
	store16(ip + 10, (uint16_t)~sf_csum_fold(sf_csum_add(0, ip, ihl)));
}

void sf_csum_replace(uint8_t *field, const uint8_t *from, const uint8_t *to,
		     size_t n, bool partial)
{
	uint16_t hc = load16(field);
	uint32_t s = partial ? hc : (uint16_t)~hc;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		s += (uint16_t)~load16(from + i);
		s += load16(to + i);
	}
	hc = sf_csum_fold(s);
	store16(field, partial ? hc : (uint16_t)~hc);
}

int sf_icmp_echo(const uint8_t *ip, const struct sf_inner *in, uint16_t *id)
{
	const uint8_t *h = ip + in->l4_off;
	uint8_t type;

	if (in->frag || (in->t.proto != IPPROTO_ICMP &&
			 in->t.proto != IPPROTO_ICMPV6))
		return SF_ICMP_NOT_ECHO;
	type = h[0];
	if (in->t.proto == IPPROTO_ICMP && type != 8 && type != 0)
		return SF_ICMP_NOT_ECHO;
	if (in->t.proto == IPPROTO_ICMPV6 && type != 128 && type != 129)
		return SF_ICMP_NOT_ECHO;
	if ((size_t)in->l4_off + 8 > in->l3_len)
		return -EMSGSIZE;
	*id = load16(h + 4);
	return (type == 8 || type == 128) ? SF_ICMP_ECHO_REQUEST
					  : SF_ICMP_ECHO_REPLY;
}

int sf_l4_csum_partial(const struct virtio_net_hdr *vnet, size_t l4_frame_off)
{
	if (!vnet || !(vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	return vnet->csum_start == l4_frame_off ? 1 : -EINVAL;
}

uint8_t sf_tcp_flags(const uint8_t *ip, const struct sf_inner *in)
{
	if (in->frag || in->t.proto != IPPROTO_TCP)
		return 0;
	return ip[in->l4_off + 13];
}
