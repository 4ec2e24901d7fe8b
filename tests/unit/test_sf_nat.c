// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_nat.c - sf-nat: forward + reverse translation round trips with
 * checksum verification (full checksums and CHECKSUM_PARTIAL GSO frames),
 * ICMP echo ids, filtering, port exhaustion, expiry, config errors, a
 * nat_ip that is not unicast refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <cjson/cJSON.h>
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

static int configure(struct sf_nat *nat, const char *json)
{
	cJSON *root = NULL;
	int ret;

	err[0] = '\0';
	ret = sf_config_parse(json, "nat.json", &root, err, sizeof(err));
	if (!ret)
		ret = sf_nat_configure(nat, root, "nat.json", err, sizeof(err));
	cJSON_Delete(root);
	return ret;
}

static void assert_addrs(const struct tpkt *p, const char *src,
			 const char *dst)
{
	char s[46], d[46];

	tpkt_addrs(p, s, d);
	cr_assert_str_eq(s, src);
	cr_assert_str_eq(d, dst);
	cr_assert(tpkt_ip_csum_ok(p), "IPv4 header checksum");
	cr_assert(tpkt_l4_csum_ok(p), "L4 checksum (%s -> %s)", s, d);
}

/* Client 192.168.1.5:@cport -> server 10.9.0.1:@sport and back. */
static void round_trip(uint8_t proto, uint16_t gso, size_t payload)
{
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt out, back;
	uint16_t port;

	now_ms = 5;
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\", "
				     "\"port_range\": \"20000-20009\"}"), 0, "%s", err);
	if (proto == IPPROTO_ICMP)
		tpkt_build(&out, proto, "192.168.1.5", 8, "10.9.0.1", 4242, 0, payload);
	else
		tpkt_build(&out, proto, "192.168.1.5", 43210, "10.9.0.1", 443,
			   0x18, payload);
	if (gso || proto == IPPROTO_UDP * (payload == 1))
		tpkt_make_partial(&out, gso);
	cr_assert(tpkt_l4_csum_ok(&out));
	cr_assert_eq(tpkt_run(&out, &c, at_now, &nat), SF_VERDICT_PASS);
	assert_addrs(&out, "10.250.0.1", "10.9.0.1");
	port = tpkt_sport(&out);
	cr_assert(port >= 20000 && port <= 20009, "port %u", port);
	cr_assert_eq(out.vnet.gso_type, gso ? VIRTIO_NET_HDR_GSO_TCPV4 : 0,
		     "GSO kept");
	tpkt_reply(&out, &back, 0x18);
	if (gso)
		tpkt_make_partial(&back, gso);
	cr_assert_eq(tpkt_run(&back, &c, at_now, &nat), SF_VERDICT_PASS);
	assert_addrs(&back, "10.9.0.1", "192.168.1.5");
	cr_assert_eq(tpkt_dport(&back), proto == IPPROTO_ICMP ? 4242 : 43210);
	cr_assert_eq(nat.translated_out, 1);
	cr_assert_eq(nat.translated_in, 1);
	cr_assert_eq(sf_nat_active(&nat), 1);
	/* The same connection keeps its port. */
	cr_assert_eq(nat.allocations, 1);
	sf_nat_free(&nat);
}

Test(sf_nat, tcp_full_checksum_round_trip) { round_trip(IPPROTO_TCP, 0, 100); }
Test(sf_nat, udp_full_checksum_round_trip) { round_trip(IPPROTO_UDP, 0, 33); }
Test(sf_nat, icmp_echo_id_round_trip) { round_trip(IPPROTO_ICMP, 0, 56); }
Test(sf_nat, tcp_gso_partial_round_trip) { round_trip(IPPROTO_TCP, 1448, 3000); }
Test(sf_nat, udp_partial_round_trip) { round_trip(IPPROTO_UDP, 0, 1); }

Test(sf_nat, udp_without_checksum_stays_without)
{
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;

	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\"}"), 0, "%s", err);
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 1, "10.9.0.1", 2, 0, 9);
	p.buf[p.l4_off + 6] = p.buf[p.l4_off + 7] = 0;
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_PASS);
	cr_assert_eq(p.buf[p.l4_off + 6] | p.buf[p.l4_off + 7], 0);
	cr_assert(tpkt_ip_csum_ok(&p));
	cr_assert_eq(tpkt_sport(&p), 20000, "first port of the default range");
	sf_nat_free(&nat);
}

Test(sf_nat, reverse_filtering_and_unsolicited)
{
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt out, back, bad;

	now_ms = 1;
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\"}"), 0, "%s", err);
	tpkt_build(&bad, IPPROTO_TCP, "10.9.0.1", 443, "10.250.0.1", 20000, 2, 0);
	cr_assert_eq(tpkt_run(&bad, &c, at_now, &nat), SF_VERDICT_DROP,
		     "unsolicited");
	tpkt_build(&out, IPPROTO_TCP, "192.168.1.5", 1111, "10.9.0.1", 443, 2, 0);
	cr_assert_eq(tpkt_run(&out, &c, at_now, &nat), SF_VERDICT_PASS);
	tpkt_reply(&out, &back, 0x12);
	tpkt_build(&bad, IPPROTO_TCP, "10.9.0.2", 443, "10.250.0.1",
		   tpkt_sport(&out), 0x12, 0);
	cr_assert_eq(tpkt_run(&bad, &c, at_now, &nat), SF_VERDICT_DROP,
		     "another server");
	tpkt_build(&bad, IPPROTO_UDP, "10.9.0.1", 443, "10.250.0.1",
		   tpkt_sport(&out), 0, 0);
	cr_assert_eq(tpkt_run(&bad, &c, at_now, &nat), SF_VERDICT_DROP,
		     "another protocol");
	cr_assert_eq(nat.no_mapping, 3);
	cr_assert_eq(tpkt_run(&back, &c, at_now, &nat), SF_VERDICT_PASS);
	sf_nat_free(&nat);
}

Test(sf_nat, exhaustion_and_expiry)
{
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;
	uint16_t i;

	now_ms = 0;
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\", \"port_range\":"
				     " \"30000-30002\", \"timeout_s\": 10}"), 0, "%s", err);
	for (i = 0; i < 3; i++) {
		tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", (uint16_t)(100 + i),
			   "10.9.0.1", 53, 0, 0);
		cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_PASS);
		cr_assert_eq(tpkt_sport(&p), 30000 + i);
	}
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 200, "10.9.0.1", 53, 0, 0);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_DROP);
	cr_assert_eq(nat.exhausted, 1);
	tpkt_build(&p, IPPROTO_TCP, "192.168.1.5", 200, "10.9.0.1", 53, 2, 0);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_PASS,
		     "ports are per protocol");
	now_ms = 10000;
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 200, "10.9.0.1", 53, 0, 0);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_PASS,
		     "idle mappings expired");
	cr_assert_eq(nat.expired, 4);
	cr_assert_eq(sf_nat_active(&nat), 1);
	cr_assert_eq(tpkt_sport(&p), 30000, "FIFO port reuse");
	sf_nat_free(&nat);
}

Test(sf_nat, unsupported_fragments_v6_truncated)
{
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;

	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\"}"), 0, "%s", err);
	tpkt_build(&p, IPPROTO_ICMP, "192.168.1.5", 3, "10.9.0.1", 0, 0, 8);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_DROP,
		     "ICMP error: not translated");
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 1, "10.9.0.1", 2, 0, 8);
	p.buf[p.ip_off + 6] = 0x20; /* MF */
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_DROP);
	cr_assert_eq(nat.fragments, 1);
	tpkt_build(&p, IPPROTO_UDP, "fd00::1", 1, "fd00::2", 2, 0, 8);
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_PASS);
	cr_assert_eq(nat.passed_v6, 1);
	tpkt_build(&p, IPPROTO_ICMP, "192.168.1.5", 8, "10.9.0.1", 9, 0, 0);
	p.f.len -= 4;
	p.buf[p.ip_off + 3] -= 4;
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_DROP,
		     "echo without its id");
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 1, "10.9.0.1", 2, 0, 8);
	p.f.len = (uint32_t)p.l4_off + 4;
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_DROP);
	cr_assert_eq(c.malformed, 1, "truncated UDP header");
	tpkt_build(&p, IPPROTO_TCP, "192.168.1.5", 1, "10.9.0.1", 2, 2, 8);
	tpkt_make_partial(&p, 0);
	p.vnet.csum_start += 2;
	cr_assert_eq(tpkt_run(&p, &c, at_now, &nat), SF_VERDICT_DROP);
	cr_assert_eq(nat.bad_offload, 1);
	cr_assert_eq(nat.unsupported, 2);
	cr_assert_eq(sf_nat_active(&nat), 0);
	sf_nat_free(&nat);
}

Test(sf_nat, config_errors_and_reload)
{
	static const struct { const char *json, *needle; } bad[] = {
		{ "{}", "nat.json: nat_ip: required" },
		{ "{\"nat_ip\": \"10.0.0.256\"}", "nat.json: nat_ip" },
		{ "{\"nat_ip\": \"fd00::1\"}", "nat.json: nat_ip" },
		{ "{\"nat_ip\": \"1.2.3.4\", \"port_range\": \"0-10\"}", "port_range" },
		{ "{\"nat_ip\": \"1.2.3.4\", \"port_range\": \"9-8\"}", "port_range" },
		{ "{\"nat_ip\": \"1.2.3.4\", \"timeout_s\": 0}", "timeout_s" },
		{ "{\"nat_ip\": \"1.2.3.4\", \"timeout\": 5}", "timeout: unknown field" },
	};
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(configure(&nat, bad[i].json), -EINVAL, "case %zu", i);
		cr_assert(strstr(err, bad[i].needle), "case %zu: %s", i, err);
		cr_assert_null(nat.m);
	}
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\"}"), 0);
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 1, "10.9.0.1", 2, 0, 8);
	tpkt_run(&p, &c, at_now, &nat);
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\", \"timeout_s\": 9}"), 0);
	cr_assert_eq(sf_nat_active(&nat), 1, "timeout change keeps mappings");
	cr_assert_eq(nat.cfg.timeout_ms, 9000);
	cr_assert_eq(configure(&nat, "{\"nat_ip\": 1}"), -EINVAL);
	cr_assert_eq(sf_nat_active(&nat), 1, "bad reload keeps the table");
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.2\"}"), 0);
	cr_assert_eq(sf_nat_active(&nat), 0, "new address: new table");
	cr_assert_eq(nat.allocations, 1, "counters carry over");
	sf_nat_free(&nat);
}

/* nat_ip is the source of every translated packet: only a unicast
 * address can get replies. A refused reload keeps the running table. */
Test(sf_nat, nat_ip_must_be_unicast)
{
	static const struct { const char *ip, *why; } bad[] = {
		{ "0.0.0.0", "0.0.0.0 is in 0.0.0.0/8" },
		{ "0.1.2.3", "0.1.2.3 is in 0.0.0.0/8" },
		{ "255.255.255.255", "255.255.255.255 is the broadcast address" },
		{ "224.0.0.1", "224.0.0.1 is a multicast address" },
		{ "239.255.255.250", "239.255.255.250 is a multicast address" },
		{ "127.0.0.1", "127.0.0.1 is a loopback address" },
		{ "127.255.0.9", "127.255.0.9 is a loopback address" },
		{ "240.0.0.1", "240.0.0.1 is reserved (240.0.0.0/4)" },
	};
	struct sf_nat nat = { 0 };
	struct sf_counters c = { 0 };
	char json[96];
	struct tpkt p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "{\"nat_ip\": \"%s\"}", bad[i].ip);
		cr_assert_eq(configure(&nat, json), -EINVAL, "%s", bad[i].ip);
		cr_assert(strstr(err, "nat.json: nat_ip: ") &&
			  strstr(err, bad[i].why) &&
			  strstr(err, ": a unicast address is required"),
			  "%s: %s", bad[i].ip, err);
		cr_assert_null(nat.m, "%s: nothing configured", bad[i].ip);
	}
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"223.255.255.254\"}"), 0,
		     "%s", err);
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.5", 1, "10.9.0.1", 2, 0, 8);
	tpkt_run(&p, &c, at_now, &nat);
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"224.0.0.5\"}"), -EINVAL);
	cr_assert_eq(sf_nat_active(&nat), 1, "refused reload keeps the table");
	cr_assert_eq(nat.cfg.nat_ip[0], 223, "and the address");
	sf_nat_free(&nat);
}

/* The NAT port @cport of 192.168.1.@host gets towards 10.9.0.1:80. */
static uint16_t port_for(struct sf_nat *nat, int host, uint16_t cport)
{
	struct sf_counters c = { 0 };
	char src[32];
	struct tpkt p;

	snprintf(src, sizeof(src), "192.168.1.%d", host);
	tpkt_build(&p, IPPROTO_TCP, src, cport, "10.9.0.1", 80, 2, 0);
	cr_assert_eq(tpkt_run(&p, &c, at_now, nat), SF_VERDICT_PASS);
	return tpkt_sport(&p);
}

/* A client port in the range is kept; a restarted sf-nat (a new table)
 * gives the connection the same port, not the first free one, which a
 * server may hold in TIME-WAIT for another connection. */
Test(sf_nat, client_port_in_range_preserved_across_restarts)
{
	static const char *cfg = "{\"nat_ip\": \"10.250.0.1\", \"port_range\":"
				 " \"40000-40009\", \"timeout_s\": 10}";
	struct sf_nat nat = { 0 }, again = { 0 };

	now_ms = 5000;
	cr_assert_eq(configure(&nat, cfg), 0, "%s", err);
	cr_assert_eq(port_for(&nat, 5, 40007), 40007, "preserved");
	cr_assert_eq(port_for(&nat, 6, 40007), 40000, "taken: the FIFO's first");
	cr_assert_eq(port_for(&nat, 5, 1234), 40001, "outside the range: FIFO");
	cr_assert_eq(configure(&again, cfg), 0, "%s", err);
	cr_assert_eq(port_for(&again, 5, 40007), 40007, "the same after a restart");
	sf_nat_free(&nat);
	sf_nat_free(&again);
}

/* A port another connection freed is not preserved within 2 MSL; the
 * connection that had it gets it back at once. */
Test(sf_nat, freed_port_not_preserved_for_another_within_2msl)
{
	struct sf_nat nat = { 0 };

	now_ms = 1000;
	cr_assert_eq(configure(&nat, "{\"nat_ip\": \"10.250.0.1\", \"port_range\":"
				     " \"40000-40009\", \"timeout_s\": 1}"), 0, "%s", err);
	cr_assert_eq(port_for(&nat, 5, 40003), 40003);
	now_ms += 2000;
	sf_nat_tick(&nat, now_ms);
	cr_assert_eq(sf_nat_active(&nat), 0, "expired");
	cr_assert_eq(port_for(&nat, 6, 40003), 40000, "another client: FIFO");
	cr_assert_eq(port_for(&nat, 5, 40003), 40003, "its own connection again");
	now_ms += 2000;
	sf_nat_tick(&nat, now_ms);
	cr_assert_eq(sf_nat_active(&nat), 0);
	now_ms += SF_NAT_REUSE_MS;
	cr_assert_eq(port_for(&nat, 6, 40003), 40003, "2 MSL later: preserved");
	sf_nat_free(&nat);
}
