// SPDX-License-Identifier: GPL-2.0-only
/*
 * gso.c - software TCP segmentation of NSH GSO frames. See gso.h.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "gso.h"
#include "nsh.h"

#define ETH_HLEN_ 14
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

struct gso_layout {
	size_t ip_off;    /* inner IP header */
	size_t tcp_off;   /* == csum_start */
	size_t hdr_len;   /* through the TCP header */
	unsigned int mss;
	int v6;
};

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xFF;
}

static int layout(const uint8_t *f, size_t len,
		  const struct virtio_net_hdr *vnet, struct gso_layout *l)
{
	unsigned int gt = vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	struct sf_nsh nsh;

	if (gt != VIRTIO_NET_HDR_GSO_TCPV4 && gt != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EINVAL;
	if (!(vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !vnet->gso_size)
		return -EINVAL;
	if (len < ETH_HLEN_ || sf_nsh_parse(f + ETH_HLEN_, len - ETH_HLEN_, &nsh))
		return -EINVAL;
	l->v6 = gt == VIRTIO_NET_HDR_GSO_TCPV6;
	l->ip_off = ETH_HLEN_ + nsh.hdr_len;
	l->tcp_off = vnet->csum_start;
	l->mss = vnet->gso_size;
	if (l->tcp_off < l->ip_off + (l->v6 ? 40 : 20) || l->tcp_off + 20 > len)
		return -EINVAL;
	l->hdr_len = l->tcp_off + (size_t)(f[l->tcp_off + 12] >> 4) * 4;
	if (l->hdr_len < l->tcp_off + 20 || l->hdr_len > len ||
	    l->hdr_len > SF_GSO_MAX_HDR)
		return -EINVAL;
	return 0;
}

/* Rewrite the copied headers of segment @i carrying @pay bytes. */
static void fix_headers(uint8_t *h, const struct gso_layout *l, unsigned int i,
			size_t pay, int first, int last)
{
	uint8_t *ip = h + l->ip_off, *th = h + l->tcp_off;
	size_t tcp_len = l->hdr_len - l->tcp_off + pay;
	uint32_t seq, s;

	memcpy(&seq, th + 4, 4);
	seq = htonl(ntohl(seq) + i * l->mss);
	memcpy(th + 4, &seq, 4);
	if (!last)
		th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (!first)
		th[13] &= (uint8_t)~TCP_CWR;
	if (l->v6) {
		put16(ip + 4, (uint16_t)(l->hdr_len - l->ip_off - 40 + pay));
		s = sum16(ip + 8, 32, 0);
	} else {
		put16(ip + 2, (uint16_t)(l->hdr_len - l->ip_off + pay));
		put16(ip + 4, (uint16_t)((ip[4] << 8 | ip[5]) + i));
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~fold(sum16(ip, (size_t)(ip[0] & 0xF) * 4, 0)));
		s = sum16(ip + 12, 8, 0);
	}
	/* CHECKSUM_PARTIAL convention: the field holds the folded
	 * pseudo-header sum; the kernel adds the segment and inverts. */
	s += IPPROTO_TCP + (uint32_t)tcp_len;
	put16(th + 16, fold(s));
}

int sf_gso_segment(const uint8_t *frame, size_t len,
		   const struct virtio_net_hdr *vnet, sf_gso_emit_fn emit,
		   void *ctx)
{
	struct virtio_net_hdr sv = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_NONE,
		.csum_start = vnet->csum_start,
		.csum_offset = vnet->csum_offset,
	};
	uint8_t hdr[SF_GSO_MAX_HDR];
	struct gso_layout l;
	size_t off, pay;
	unsigned int i;
	int err;

	err = layout(frame, len, vnet, &l);
	if (err)
		return err;
	for (i = 0, off = l.hdr_len; off < len; i++, off += pay) {
		pay = len - off < l.mss ? len - off : l.mss;
		memcpy(hdr, frame, l.hdr_len);
		fix_headers(hdr, &l, i, pay, i == 0, off + pay >= len);
		err = emit(ctx, &sv, hdr, l.hdr_len, frame + off, pay);
		if (err)
			return err;
	}
	return (int)i;
}
