// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_gso.c - software segmentation of NSH TCP GSO frames.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "gso.h"
#include "nsh.h"

#define PAY 2500
#define HDRS (14 + SFC_NSH_LEN + 20 + 20)

static uint8_t frame[HDRS + PAY];
static uint8_t segs[4][HDRS + 1000];
static size_t seg_len[4];
static int nseg;

static int collect(void *ctx, const struct virtio_net_hdr *v,
		   const uint8_t *hdr, size_t hl, const uint8_t *pay, size_t pl)
{
	cr_assert_eq(v->gso_type, VIRTIO_NET_HDR_GSO_NONE);
	cr_assert_eq(v->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	cr_assert_lt(nseg, 4);
	memcpy(segs[nseg], hdr, hl);
	memcpy(segs[nseg] + hl, pay, pl);
	seg_len[nseg++] = hl + pl;
	return 0;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

Test(sf_gso, tcpv4_segments)
{
	struct sf_nsh_params p = { .spi = 1, .si = 9,
				   .next_proto = SFC_NSH_NP_IPV4 };
	struct virtio_net_hdr v = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = HDRS, .gso_size = 1000,
		.csum_start = 14 + SFC_NSH_LEN + 20, .csum_offset = 16,
	};
	uint8_t *ip = frame + 14 + SFC_NSH_LEN, *th = ip + 20;
	int i;

	frame[12] = 0x89; frame[13] = 0x4F;
	sf_nsh_build_sfc((struct sfc_nsh_hdr *)(frame + 14), &p, 1, 0);
	ip[0] = 0x45; ip[2] = (40 + PAY) >> 8; ip[3] = (40 + PAY) & 0xFF;
	ip[4] = 0x12; ip[5] = 0x34; ip[8] = 64; ip[9] = 6;
	ip[12] = 10; ip[15] = 1; ip[16] = 10; ip[19] = 2;
	th[4] = 0; th[5] = 0; th[6] = 0; th[7] = 100; /* seq 100 */
	th[12] = 5 << 4;
	th[13] = 0x18 | 0x01 | 0x80; /* PSH ACK FIN CWR */
	for (i = 0; i < PAY; i++)
		frame[HDRS + i] = (uint8_t)i;
	nseg = 0;
	cr_assert_eq(sf_gso_segment(frame, sizeof(frame), &v, collect, NULL), 3);
	cr_assert_eq(seg_len[0], HDRS + 1000);
	cr_assert_eq(seg_len[2], HDRS + 500);
	for (i = 0; i < 3; i++) {
		uint8_t *s = segs[i], *sip = s + 14 + SFC_NSH_LEN, *sth = sip + 20;
		uint32_t seq;

		cr_assert_eq(sip[2] << 8 | sip[3], seg_len[i] - 14 - SFC_NSH_LEN);
		cr_assert_eq(sip[4] << 8 | sip[5], 0x1234 + i);
		cr_assert_eq(csum(sip, 20), 0, "IPv4 header checksum");
		memcpy(&seq, sth + 4, 4);
		cr_assert_eq(ntohl(seq), 100 + 1000u * i);
		cr_assert_eq(!!(sth[13] & 0x01), i == 2, "FIN only last");
		cr_assert_eq(!!(sth[13] & 0x08), i == 2, "PSH only last");
		cr_assert_eq(!!(sth[13] & 0x80), i == 0, "CWR only first");
		cr_assert_eq(s[HDRS], (uint8_t)(1000 * i), "payload slice");
		cr_assert_eq(s[14 + 7], 9, "NSH copied");
	}
}

Test(sf_gso, rejects_non_tcp_gso)
{
	struct virtio_net_hdr v = { .gso_type = VIRTIO_NET_HDR_GSO_UDP,
				    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_size = 1000 };

	cr_assert_eq(sf_gso_segment(frame, sizeof(frame), &v, collect, NULL),
		     -EINVAL);
	v.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	v.csum_start = 20; /* inside the NSH header */
	cr_assert_eq(sf_gso_segment(frame, sizeof(frame), &v, collect, NULL),
		     -EINVAL);
}
