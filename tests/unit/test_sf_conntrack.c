// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_conntrack.c - stateful sf-firewall: new/established, replies
 * pass, deny, timeouts, eviction, ICMP echo ids, reload re-check, crafted
 * truncated frames, stats.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "config.h"
#include "firewall.h"
#include "test_sf_util.h"

static char err[512];
static uint64_t now_ms;

static enum sf_verdict at_now(void *ctx, const struct sf_pkt *pkt)
{
	return sf_firewall_check(ctx, pkt, now_ms);
}

static int configure(struct sf_firewall *fw, const char *json)
{
	cJSON *root = NULL;
	int ret;

	err[0] = '\0';
	ret = sf_config_parse(json, "fw.json", &root, err, sizeof(err));
	if (!ret)
		ret = sf_firewall_configure(fw, root, "fw.json", err,
					    sizeof(err));
	cJSON_Delete(root);
	return ret;
}

/* Clients in 192.168/16 may open TCP 80 and UDP 53 and ping; nothing
 * else, in particular nothing from the servers. */
static const char *policy =
	"{\"rules\": ["
	"{\"action\": \"allow\", \"protocol\": \"tcp\", \"src\": \"192.168.0.0/16\", \"dport\": 80},"
	"{\"action\": \"allow\", \"protocol\": \"udp\", \"src\": \"192.168.0.0/16\", \"dport\": 53},"
	"{\"action\": \"allow\", \"protocol\": \"icmp\", \"src\": \"192.168.0.0/16\"}],"
	" \"default\": \"deny\"}";

static enum sf_verdict run(struct sf_firewall *fw, struct tpkt *p,
			   struct sf_counters *c)
{
	return tpkt_run(p, c, at_now, fw);
}

Test(sf_conntrack, new_established_reply_passes)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt syn, synack, ack;
	struct sf_ct_entry *e;
	bool reply;

	now_ms = 1000;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	tpkt_build(&syn, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80,
		   0x02, 0);
	tpkt_reply(&syn, &synack, 0x12);
	cr_assert_eq(run(&fw, &synack, &c), SF_VERDICT_DROP,
		     "server-side packet before any connection: rules deny");
	cr_assert_eq(run(&fw, &syn, &c), SF_VERDICT_PASS);
	cr_assert_eq(fw.pkts_new, 1);
	cr_assert_eq(sf_ct_count(&fw.ct), 1);
	cr_assert_eq(run(&fw, &synack, &c), SF_VERDICT_PASS,
		     "reply of an allowed connection passes");
	tpkt_build(&ack, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80,
		   0x10, 100);
	cr_assert_eq(run(&fw, &ack, &c), SF_VERDICT_PASS);
	cr_assert_eq(fw.pkts_established, 2);
	cr_assert_eq(fw.pkts_denied, 1);
	cr_assert_eq(fw.rules.rules[0].hits, 1, "established: no rule lookup");
	e = sf_ct_lookup(&fw.ct, &(struct sf_inner){ 0 }.t, now_ms, &reply);
	cr_assert_null(e);
	cr_assert_eq(fw.ct.lists[1].n, 1, "TCP established: long timeout");
	cr_assert_eq(c.tx_packets, 3);
	cr_assert_eq(c.dropped, 1);
	sf_firewall_free(&fw);
}

Test(sf_conntrack, new_flow_judged_in_its_direction)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;

	now_ms = 1;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	/* The server opening a connection to the client: denied. */
	tpkt_build(&p, IPPROTO_TCP, "10.9.0.1", 80, "192.168.1.1", 40000,
		   0x02, 0);
	cr_assert_eq(run(&fw, &p, &c), SF_VERDICT_DROP);
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.1", 5000, "10.9.0.1", 54, 0, 8);
	cr_assert_eq(run(&fw, &p, &c), SF_VERDICT_DROP, "port 54 not allowed");
	cr_assert_eq(fw.pkts_denied, 2);
	cr_assert_eq(sf_ct_count(&fw.ct), 0, "denied flows are not tracked");
	sf_firewall_free(&fw);
}

Test(sf_conntrack, timeouts)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt q, r, syn, synack;

	now_ms = 0;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	tpkt_build(&q, IPPROTO_UDP, "192.168.1.1", 5000, "10.9.0.53", 53, 0, 20);
	tpkt_reply(&q, &r, 0);
	tpkt_build(&syn, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80,
		   0x02, 0);
	tpkt_reply(&syn, &synack, 0x12);
	cr_assert_eq(run(&fw, &q, &c), SF_VERDICT_PASS);
	cr_assert_eq(run(&fw, &syn, &c), SF_VERDICT_PASS);
	cr_assert_eq(run(&fw, &synack, &c), SF_VERDICT_PASS);
	now_ms = 29999;
	cr_assert_eq(run(&fw, &r, &c), SF_VERDICT_PASS, "UDP within 30 s");
	now_ms = 29999 + 30000;
	cr_assert_eq(run(&fw, &r, &c), SF_VERDICT_DROP,
		     "UDP idle 30 s: gone, the reply is judged as new");
	now_ms = 299999;
	cr_assert_eq(run(&fw, &synack, &c), SF_VERDICT_PASS,
		     "TCP established within 300 s");
	now_ms = 299999 + 300000;
	cr_assert_eq(sf_ct_expire(&fw.ct, now_ms), 1);
	cr_assert_eq(run(&fw, &synack, &c), SF_VERDICT_DROP);
	cr_assert_eq(sf_ct_count(&fw.ct), 0);
	cr_assert_geq(fw.ct.expired, 2);
	sf_firewall_free(&fw);
}

Test(sf_conntrack, fin_shortens_and_syn_reopens)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt syn, synack, fin;

	now_ms = 0;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	tpkt_build(&syn, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80,
		   0x02, 0);
	tpkt_reply(&syn, &synack, 0x12);
	tpkt_build(&fin, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80,
		   0x11, 0);
	run(&fw, &syn, &c);
	run(&fw, &synack, &c);
	cr_assert_eq(run(&fw, &fin, &c), SF_VERDICT_PASS);
	cr_assert_eq(fw.ct.lists[1].n, 0, "closing: short list");
	cr_assert_eq(fw.ct.e[0].state, SF_CT_CLOSING);
	cr_assert_eq(run(&fw, &syn, &c), SF_VERDICT_PASS, "port reuse");
	cr_assert_eq(fw.pkts_new, 2, "a SYN on a closing entry is new");
	now_ms = 30000;
	cr_assert_eq(sf_ct_expire(&fw.ct, now_ms), 1);
	sf_firewall_free(&fw);
}

Test(sf_conntrack, eviction_when_full)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p, r;
	int i;

	now_ms = 0;
	cr_assert_eq(configure(&fw, "{\"max_connections\": 2}"), 0, "%s", err);
	for (i = 0; i < 3; i++) {
		now_ms += 10;
		tpkt_build(&p, IPPROTO_UDP, "10.0.0.1", (uint16_t)(1000 + i),
			   "10.0.0.2", 53, 0, 4);
		cr_assert_eq(run(&fw, &p, &c), SF_VERDICT_PASS);
	}
	cr_assert_eq(sf_ct_count(&fw.ct), 2);
	cr_assert_eq(fw.ct.evicted, 1);
	tpkt_build(&p, IPPROTO_UDP, "10.0.0.1", 1000, "10.0.0.2", 53, 0, 4);
	tpkt_reply(&p, &r, 0);
	run(&fw, &r, &c);
	cr_assert_eq(fw.pkts_new, 4, "the oldest flow was evicted");
	cr_assert_eq(configure(&fw, "{\"max_connections\": 0}"), -EINVAL);
	cr_assert(strstr(err, "fw.json: max_connections"), "%s", err);
	sf_firewall_free(&fw);
}

Test(sf_conntrack, icmp_echo_id_is_the_port)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt req, rep, other;

	now_ms = 0;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	tpkt_build(&req, IPPROTO_ICMP, "192.168.1.1", 8, "10.9.0.1", 77, 0, 32);
	tpkt_reply(&req, &rep, 0);
	tpkt_build(&other, IPPROTO_ICMP, "10.9.0.1", 0, "192.168.1.1", 78, 0, 32);
	cr_assert_eq(run(&fw, &rep, &c), SF_VERDICT_DROP);
	cr_assert_eq(run(&fw, &req, &c), SF_VERDICT_PASS);
	cr_assert_eq(run(&fw, &rep, &c), SF_VERDICT_PASS);
	cr_assert_eq(run(&fw, &other, &c), SF_VERDICT_DROP, "other id");
	tpkt_build(&req, IPPROTO_ICMPV6, "fd00::1", 128, "fd00::2", 5, 0, 8);
	tpkt_reply(&req, &rep, 0);
	cr_assert_eq(run(&fw, &req, &c), SF_VERDICT_DROP, "v4 rules only");
	sf_firewall_free(&fw);
}

Test(sf_conntrack, reload_forgets_now_denied)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p, r;

	now_ms = 0;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	tpkt_build(&p, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80, 2, 0);
	tpkt_reply(&p, &r, 0x12);
	run(&fw, &p, &c);
	tpkt_build(&p, IPPROTO_UDP, "192.168.1.1", 5000, "10.9.0.1", 53, 0, 0);
	run(&fw, &p, &c);
	cr_assert_eq(sf_ct_count(&fw.ct), 2);
	cr_assert_eq(configure(&fw, "{\"rules\": [{\"action\": \"deny\","
				    " \"protocol\": \"udp\"}]}"), 0, "%s", err);
	cr_assert_eq(sf_ct_count(&fw.ct), 1, "the UDP flow is now denied");
	cr_assert_eq(fw.reload_removed, 1);
	cr_assert_eq(run(&fw, &r, &c), SF_VERDICT_PASS, "TCP kept");
	cr_assert_eq(fw.rules.default_hits, 0, "re-check is not a hit");
	cr_assert_eq(configure(&fw, "{\"rules\": 1}"), -EINVAL);
	cr_assert_eq(sf_ct_count(&fw.ct), 1, "bad config: state untouched");
	cr_assert_eq(fw.rules.n, 1);
	sf_firewall_free(&fw);
}

Test(sf_conntrack, truncated_and_non_nsh_frames)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;

	now_ms = 0;
	cr_assert_eq(configure(&fw, "{}"), 0, "%s", err);
	/* ICMP echo cut to its 4-byte header: the id is missing. */
	tpkt_build(&p, IPPROTO_ICMP, "192.168.1.1", 8, "10.9.0.1", 1, 0, 0);
	p.f.len -= 4;
	p.buf[p.ip_off + 3] -= 4;
	cr_assert_eq(run(&fw, &p, &c), SF_VERDICT_DROP);
	cr_assert_eq(fw.pkts_malformed, 1);
	/* TCP header cut short: the frame step rejects it. */
	tpkt_build(&p, IPPROTO_TCP, "192.168.1.1", 1, "10.9.0.1", 2, 2, 0);
	p.f.len -= 8;
	cr_assert_eq(run(&fw, &p, &c), SF_VERDICT_DROP);
	cr_assert_eq(c.malformed, 1);
	p.buf[12] = 0x08; p.buf[13] = 0x00; /* plain IPv4, no NSH */
	cr_assert_eq(run(&fw, &p, &c), SF_VERDICT_DROP);
	cr_assert_eq(c.malformed, 2);
	cr_assert_eq(sf_ct_count(&fw.ct), 0);
	sf_firewall_free(&fw);
}

Test(sf_conntrack, stats_json)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	struct tpkt p;
	char buf[4096];
	struct sfc_jbuf jb;
	cJSON *root, *ct;

	now_ms = 0;
	cr_assert_eq(configure(&fw, policy), 0, "%s", err);
	tpkt_build(&p, IPPROTO_TCP, "192.168.1.1", 40000, "10.9.0.1", 80, 2, 0);
	run(&fw, &p, &c);
	run(&fw, &p, &c);
	sfc_jbuf_init(&jb, buf, sizeof(buf));
	sfc_jbuf_open(&jb, NULL, '{');
	sf_firewall_stats_json(&fw, &jb);
	sfc_jbuf_close(&jb, '}');
	cr_assert_gt(sfc_jbuf_finish(&jb), 0);
	root = cJSON_Parse(buf);
	cr_assert_not_null(root, "%s", buf);
	ct = cJSON_GetObjectItem(root, "conntrack");
	cr_assert_eq(cJSON_GetObjectItem(ct, "entries")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(ct, "new")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(ct, "established")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(ct, "denied")->valueint, 0);
	cr_assert_not_null(cJSON_GetObjectItem(root, "firewall"));
	cJSON_Delete(root);
	sf_firewall_free(&fw);
}
