// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_offload_nat.c - sf-nat's stateful offload: the translation TLV
 * on the packet that uses a mapping (fields, epoch, idle units), none
 * after a TCP FIN, none with "offload": false, re-offered after
 * SF_NAT_REASK packets; an offloaded mapping due to expire is asked about
 * and kept or freed by the SFF's answer; a new table starts a new epoch.
 */
#include <arpa/inet.h>
#include <string.h>
#include <netinet/in.h>
#include <criterion/criterion.h>

#include "config.h"
#include "nat.h"
#include "test_sf_util.h"

static char err[512];
static uint64_t now_ms;

static enum sf_verdict at_now(void *ctx, const struct sf_pkt *pkt)
{
	return sf_nat_translate(ctx, pkt, now_ms);
}

static void load(struct sf_nat *nat, const char *json)
{
	cJSON *root = NULL;

	cr_assert_eq(sf_config_parse(json, "nat.json", &root, err, sizeof(err)), 0);
	cr_assert_eq(sf_nat_configure(nat, root, "nat.json", err, sizeof(err)),
		     0, "%s", err);
	cJSON_Delete(root);
}

/* Run client 192.168.1.5:43210 -> 10.9.0.1:443 (@flags) through @nat;
 * @tlv gets the translation TLV it went back with. Return: whether it
 * carried one. */
static bool nat_send(struct sf_nat *nat, uint8_t flags, struct sfc_tlv_nat *tlv)
{
	static struct tpkt p, t;
	struct sf_counters c = { 0 };

	tpkt_build(&p, IPPROTO_TCP, "192.168.1.5", 43210, "10.9.0.1", 443,
		   flags, 10);
	tpkt_flow(&p, 0x77, false);
	t = p;
	t.f.data = t.buf;
	t.f.vnet = &t.vnet;
	cr_assert_eq(sf_frame_process(&c, &t.f, at_now, nat), SF_VERDICT_PASS);
	if ((t.f.data[15] & 0x3F) != SFC_NSH_NAT_LEN_WORDS)
		return false;
	cr_assert_eq(t.f.data[14 + SFC_NSH_LEN + 2], SFC_TLV_NAT);
	cr_assert_eq(t.f.data[14 + SFC_NSH_LEN + 3], sizeof(*tlv));
	memcpy(tlv, t.f.data + 14 + SFC_NSH_LEN + 4, sizeof(*tlv));
	cr_assert_eq(c.ctrl_nat, 1);
	return true;
}

Test(sf_offload_nat, translation_sent_with_the_mapping)
{
	struct sf_nat nat = { 0 };
	struct sfc_tlv_nat t;
	uint8_t a[4];

	now_ms = 1;
	load(&nat, "{\"nat_ip\": \"10.250.0.1\", \"port_range\": \"20000-20009\","
		   " \"timeout_s\": 30}");
	cr_assert(nat_send(&nat, 0x02, &t), "the SYN carries it");
	cr_assert_eq(t.version, SFC_CTRL_VERSION);
	cr_assert_eq(t.proto, IPPROTO_TCP);
	cr_assert_eq(t.idle, 7, "30 s: 7 units of 4 s, rounded down");
	cr_assert_eq(ntohl(t.flow_id), 0x77);
	cr_assert_eq(ntohl(t.epoch), sf_epoch());
	cr_assert_neq(sf_epoch(), 0);
	inet_pton(AF_INET, "192.168.1.5", a);
	cr_assert_arr_eq(&t.orig_addr, a, 4);
	inet_pton(AF_INET, "10.250.0.1", a);
	cr_assert_arr_eq(&t.new_addr, a, 4);
	cr_assert_eq(ntohs(t.orig_port), 43210);
	cr_assert_eq(ntohs(t.new_port), 20000);
	cr_assert_eq(nat.offload_requests, 1);
	/* Seen again: asked again only after SF_NAT_REASK packets. */
	for (int i = 1; i < SF_NAT_REASK; i++)
		cr_assert_not(nat_send(&nat, 0x10, &t), "packet %d", i);
	cr_assert(nat_send(&nat, 0x10, &t), "re-offered");
	/* A FIN: the SFF ended the offload, the SF does not offer again. */
	cr_assert_not(nat_send(&nat, 0x11, &t));
	cr_assert_not(nat_send(&nat, 0x10, &t));
	/* A new SYN on the same ports: a new connection, offered. */
	cr_assert(nat_send(&nat, 0x02, &t));
	sf_nat_free(&nat);
}

Test(sf_offload_nat, switch_and_short_timeout)
{
	struct sf_nat nat = { 0 };
	struct sfc_tlv_nat t;

	now_ms = 1;
	load(&nat, "{\"nat_ip\": \"10.250.0.1\", \"offload\": false}");
	cr_assert_not(nat_send(&nat, 0x02, &t));
	sf_nat_free(&nat);
	load(&nat, "{\"nat_ip\": \"10.250.0.1\", \"timeout_s\": 3}");
	cr_assert_not(nat_send(&nat, 0x02, &t), "under one idle unit: never");
	sf_nat_free(&nat);
}

/* Expiry of an offloaded mapping waits for the SFF's answer. */
Test(sf_offload_nat, expiry_asks_the_sff)
{
	struct sf_counts_answer a = { .status = SFC_COUNTS_ANSWER,
				      .flags = SFC_COUNTS_F_BYPASSED };
	struct sf_nat nat = { 0 };
	struct sfc_tlv_nat t;
	struct sf_tuple tu = { .family = 4, .proto = IPPROTO_TCP,
			       .sport = 43210, .dport = 443 };

	inet_pton(AF_INET, "192.168.1.5", tu.src);
	inet_pton(AF_INET, "10.9.0.1", tu.dst);
	now_ms = 1;
	load(&nat, "{\"nat_ip\": \"10.250.0.1\", \"timeout_s\": 10}");
	cr_assert(nat_send(&nat, 0x02, &t));
	now_ms = 1 + 10000;
	sf_nat_tick(&nat, now_ms);
	cr_assert_eq(sf_nat_active(&nat), 1, "kept while asking");
	cr_assert_eq(nat.q.n, 1, "one question queued");
	a.packets[0] = 500;
	sf_nat_answer(&nat, &tu, 0, &a);
	cr_assert_eq(nat.offload_kept, 1, "the SFF carried it: kept");
	now_ms += 10000;
	sf_nat_tick(&nat, now_ms);
	cr_assert_eq(sf_nat_active(&nat), 1);
	sf_nat_answer(&nat, &tu, 0, &a); /* the same totals: idle */
	cr_assert_eq(sf_nat_active(&nat), 0, "idle in the kernel too: freed");
	cr_assert_eq(nat.offload_released, 1);
	sf_nat_free(&nat);
}

/* A table that starts over starts a new epoch. */
Test(sf_offload_nat, new_table_new_epoch)
{
	struct sf_nat nat = { 0 };
	uint32_t e;

	load(&nat, "{\"nat_ip\": \"10.250.0.1\"}");
	e = sf_epoch();
	load(&nat, "{\"nat_ip\": \"10.250.0.1\", \"timeout_s\": 600}");
	cr_assert_eq(sf_epoch(), e, "a longer timeout keeps the table and epoch");
	load(&nat, "{\"nat_ip\": \"10.250.0.2\"}");
	cr_assert_neq(sf_epoch(), e);
	sf_nat_free(&nat);
}
