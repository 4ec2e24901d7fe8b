// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_frame.c - the per-frame step shared by all SFs: OAM echo,
 * malformed frames, SI decrement, counters. Also the stats JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "frame.h"

struct built {
	uint8_t buf[128];
	struct virtio_net_hdr vnet;
	struct sf_frame f;
};

/* Ethernet | NSH(spi 5, @si) | IPv4/UDP 10.0.0.1:1000 -> 10.0.0.2:53 */
static void build(struct built *b, uint8_t si, bool oam)
{
	struct sf_nsh_params p = { .spi = 5, .si = si, .oam = oam,
				   .next_proto = oam ? SFC_NSH_NP_OAM
						     : SFC_NSH_NP_IPV4 };
	uint8_t *ip = b->buf + 14 + SFC_NSH_LEN;

	memset(b, 0, sizeof(*b));
	b->buf[12] = 0x89;
	b->buf[13] = 0x4F;
	sf_nsh_build_sfc((struct sfc_nsh_hdr *)(b->buf + 14), &p, 1, 0);
	ip[0] = 0x45;
	ip[3] = 28;
	ip[9] = 17;
	ip[12] = 10; ip[15] = 1;
	ip[16] = 10; ip[19] = 2;
	ip[20] = 0x03; ip[21] = 0xE8;
	ip[23] = 53;
	b->f.data = b->buf;
	b->f.len = b->f.wire_len = 14 + SFC_NSH_LEN + 28;
	b->f.vnet = &b->vnet;
}

static enum sf_verdict deny_port_53(void *ctx, const struct sf_pkt *pkt)
{
	(*(int *)ctx)++;
	return pkt->inner.t.dport == 53 ? SF_VERDICT_DROP : SF_VERDICT_PASS;
}

Test(sf_frame, pass_decrements_si)
{
	struct sf_counters c = { 0 };
	struct built b;

	build(&b, 255, false);
	cr_assert_eq(sf_frame_process(&c, &b.f, NULL, NULL), SF_VERDICT_PASS);
	cr_assert_eq(b.buf[14 + 7], 254);
	cr_assert_eq(c.rx_packets, 1);
	cr_assert_eq(c.tx_packets, 1);
	cr_assert_eq(c.tx_bytes, b.f.len);
}

Test(sf_frame, oam_echoed_unchanged_not_counted)
{
	struct sf_counters c = { 0 };
	struct built b, orig;

	build(&b, 255, true);
	b.f.len = 14 + SFC_NSH_LEN;
	orig = b;
	cr_assert_eq(sf_frame_process(&c, &b.f, deny_port_53, NULL),
		     SF_VERDICT_PASS);
	cr_assert_arr_eq(b.buf, orig.buf, sizeof(b.buf));
	cr_assert_eq(c.oam, 1);
	cr_assert_eq(c.rx_packets + c.tx_packets + c.dropped + c.malformed, 0);
}

Test(sf_frame, malformed_and_dropped)
{
	struct sf_counters c = { 0 };
	struct built b;
	int calls = 0;

	build(&b, 9, false);
	b.buf[13] = 0x00; /* IPv4 EtherType: not NSH */
	cr_assert_eq(sf_frame_process(&c, &b.f, NULL, NULL), SF_VERDICT_DROP);
	build(&b, 9, false);
	b.f.len = 14 + SFC_NSH_LEN + 10; /* inner IPv4 truncated */
	cr_assert_eq(sf_frame_process(&c, &b.f, NULL, NULL), SF_VERDICT_DROP);
	build(&b, 9, false);
	b.f.len = 20; /* NSH truncated */
	cr_assert_eq(sf_frame_process(&c, &b.f, NULL, NULL), SF_VERDICT_DROP);
	build(&b, 9, false);
	b.f.truncated = true;
	cr_assert_eq(sf_frame_process(&c, &b.f, NULL, NULL), SF_VERDICT_DROP);
	cr_assert_eq(c.malformed, 4);
	build(&b, 0, false); /* SI 0: RFC 8300 drop */
	cr_assert_eq(sf_frame_process(&c, &b.f, deny_port_53, &calls),
		     SF_VERDICT_DROP);
	cr_assert_eq(calls, 0);
	build(&b, 9, false);
	cr_assert_eq(sf_frame_process(&c, &b.f, deny_port_53, &calls),
		     SF_VERDICT_DROP);
	cr_assert_eq(b.buf[14 + 7], 9, "no SI change on drop");
	cr_assert_eq(calls, 1);
	cr_assert_eq(c.dropped, 2);
	cr_assert_eq(c.rx_packets, 6);
	cr_assert_eq(c.tx_packets, 0);
}

Test(sf_frame, every_truncation_is_safe)
{
	struct sf_counters c = { 0 };
	struct built b;
	uint32_t n;

	for (n = 0; n < 14 + SFC_NSH_LEN + 28; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		build(&b, 9, false);
		memcpy(copy, b.buf, n);
		b.f.data = copy;
		b.f.len = b.f.wire_len = n;
		cr_assert_eq(sf_frame_process(&c, &b.f, NULL, NULL),
			     SF_VERDICT_DROP, "len %u", n);
		free(copy);
	}
	cr_assert_eq(c.malformed, 14 + SFC_NSH_LEN + 28);
}

Test(sf_frame, stats_json_parses)
{
	struct sf_stats s;
	cJSON *root;
	int len;

	cr_assert_eq(sf_stats_init(&s, "sf-test", "eth0", NULL), 0);
	s.c.rx_packets = 3;
	s.c.oam = 2;
	len = sf_stats_render(&s, sf_now_ms());
	cr_assert_gt(len, 0);
	root = cJSON_Parse(s.buf);
	cr_assert_not_null(root, "%s", s.buf);
	cr_assert_str_eq(cJSON_GetObjectItem(root, "sf")->valuestring, "sf-test");
	cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "counters"),
					 "oam")->valueint, 2);
	cJSON_Delete(root);
	sf_stats_fini(&s);
}
