// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_offload.c - flow programming decisions of sf-firewall (bypass
 * an established connection, drop a denied flow, asked again while the
 * flow keeps coming, the "offload" switch) and sf-counter (bypass with
 * counts once a flow was seen both ways, the SFF's counts added to both
 * directions and the totals, asked on FIN and every SF_COUNTER_SYNC_MS).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <criterion/criterion.h>

#include "config.h"
#include "counter.h"
#include "firewall.h"
#include "l4.h"
#include "test_sf_util.h"

static char err[512];

static int fw_load(struct sf_firewall *fw, const char *json)
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

/* TCP A:40000 -> B:@dport with @flags, flow 0x42 (@reply: B's answer). */
static void tcp(struct tpkt *p, uint16_t dport, uint8_t flags, bool reply)
{
	if (reply)
		tpkt_build(p, IPPROTO_TCP, "10.0.0.2", dport, "10.0.0.1", 40000,
			   flags, 0);
	else
		tpkt_build(p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", dport,
			   flags, 0);
	tpkt_flow(p, 0x42, reply);
}

static uint8_t fw_send(struct sf_firewall *fw, uint16_t dport, uint8_t flags,
		       bool reply, struct sf_counters *c, enum sf_verdict *v)
{
	static struct tpkt p;
	uint8_t action;

	tcp(&p, dport, flags, reply);
	*v = tpkt_run_ctrl(&p, c, sf_firewall_on_packet, fw, &action, NULL);
	return action;
}

Test(sf_offload, firewall_bypasses_once_established)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	enum sf_verdict v;
	int i;

	cr_assert_eq(fw_load(&fw, "{\"rules\": []}"), 0, "%s", err);
	cr_assert(fw.offload, "on by default");
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_SYN, false, &c, &v), 0, "new");
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_SYN | SF_TCP_ACK, true, &c, &v),
		     SFC_CTRL_BYPASS, "the packet that establishes it asks");
	cr_assert_eq(v, SF_VERDICT_PASS);
	/* Packets already on their way: not asked again for a while... */
	for (i = 1; i < SF_FIREWALL_REASK; i++)
		cr_assert_eq(fw_send(&fw, 80, SF_TCP_ACK, i & 1, &c, &v), 0,
			     "packet %d", i);
	/* ... but a flow that keeps coming was not taken: ask again. */
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_ACK, false, &c, &v),
		     SFC_CTRL_BYPASS);
	cr_assert_eq(fw.bypass_requests, 2);
	/* FIN still comes through; a closing connection is not offloaded. */
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_FIN | SF_TCP_ACK, false, &c, &v), 0);
	for (i = 0; i < SF_FIREWALL_REASK + 1; i++)
		cr_assert_eq(fw_send(&fw, 80, SF_TCP_ACK, true, &c, &v), 0);
	cr_assert_eq(c.ctrl_sent[SFC_CTRL_BYPASS - 1], 2);
	sf_firewall_free(&fw);
}

Test(sf_offload, firewall_drops_denied_flows_in_the_kernel)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	enum sf_verdict v;

	cr_assert_eq(fw_load(&fw, "{\"rules\": [{\"action\": \"deny\", "
			     "\"protocol\": \"tcp\", \"dport\": \"22\"}]}"), 0,
		     "%s", err);
	cr_assert_eq(fw_send(&fw, 22, SF_TCP_SYN, false, &c, &v),
		     SFC_CTRL_DROP);
	cr_assert_eq(v, SF_VERDICT_PASS, "goes back to carry the request");
	cr_assert_eq(c.dropped, 1);
	cr_assert_eq(c.tx_packets, 0);
	cr_assert_eq(fw.pkts_denied, 1);
	cr_assert_eq(fw.drop_requests, 1);
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_SYN, false, &c, &v), 0, "allowed");
	/* The middle of a connection the tracker does not know (one offloaded
	 * for longer than its idle timeout, now closing): dropped, but its
	 * flow is not. */
	cr_assert_eq(fw_send(&fw, 22, SF_TCP_FIN | SF_TCP_ACK, false, &c, &v), 0);
	cr_assert_eq(v, SF_VERDICT_DROP);
	cr_assert_eq(fw_send(&fw, 22, SF_TCP_RST, false, &c, &v), 0);
	cr_assert_eq(fw.drop_requests, 1);
	sf_firewall_free(&fw);
}

Test(sf_offload, firewall_offload_switch)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	enum sf_verdict v;

	cr_assert_eq(fw_load(&fw, "{\"offload\": false, \"rules\": [{\"action\":"
			     " \"deny\", \"protocol\": \"tcp\", \"dport\": \"22\"}]}"),
		     0, "%s", err);
	cr_assert_eq(fw_send(&fw, 22, SF_TCP_SYN, false, &c, &v), 0);
	cr_assert_eq(v, SF_VERDICT_DROP);
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_SYN, false, &c, &v), 0);
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_SYN | SF_TCP_ACK, true, &c, &v), 0);
	cr_assert_eq(c.ctrl_sent[0] + c.ctrl_sent[1] + c.ctrl_unsent, 0);
	/* A reload turns it on. */
	cr_assert_eq(fw_load(&fw, "{\"offload\": true}"), 0, "%s", err);
	cr_assert_eq(fw_send(&fw, 80, SF_TCP_ACK, false, &c, &v),
		     SFC_CTRL_BYPASS);
	cr_assert_eq(fw_load(&fw, "{\"offload\": \"yes\"}"), -EINVAL);
	cr_assert(strstr(err, "fw.json: offload: expected true or false"), "%s",
		  err);
	cr_assert(fw.offload, "a failed reload keeps the running config");
	sf_firewall_free(&fw);
}

Test(sf_offload, firewall_udp_bypassed_after_a_reply)
{
	struct sf_firewall fw = { 0 };
	struct sf_counters c = { 0 };
	static struct tpkt p, r;
	uint8_t action;

	cr_assert_eq(fw_load(&fw, "{}"), 0, "%s", err);
	tpkt_build(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, 0, 20);
	tpkt_flow(&p, 7, false);
	tpkt_reply(&p, &r, 0);
	tpkt_flow(&r, 7, true);
	tpkt_run_ctrl(&p, &c, sf_firewall_on_packet, &fw, &action, NULL);
	cr_assert_eq(action, 0);
	tpkt_run_ctrl(&r, &c, sf_firewall_on_packet, &fw, &action, NULL);
	cr_assert_eq(action, SFC_CTRL_BYPASS);
	sf_firewall_free(&fw);
}

/* --- sf-counter --- */

static uint64_t fake_ms;
static uint64_t fake_clock(void) { return fake_ms; }

static void counter_start(struct sf_counter *cn)
{
	cJSON *root = NULL;

	memset(cn, 0, sizeof(*cn));
	cr_assert_eq(sf_config_parse("{\"offload\": true}", "c.json", &root,
				     err, sizeof(err)), 0);
	cr_assert_eq(sf_counter_configure(cn, root, "c.json", err, sizeof(err)),
		     0, "%s", err);
	cJSON_Delete(root);
	cn->q.clock = fake_clock;
	fake_ms = 5000;
}

static uint8_t cn_send(struct sf_counter *cn, uint8_t flags, bool reply,
		       size_t payload, uint8_t *ctrl_flags)
{
	static struct tpkt p;
	struct sf_counters c = { 0 };
	uint8_t action;

	if (reply)
		tpkt_build(&p, IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.1", 40000,
			   flags, payload);
	else
		tpkt_build(&p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", 80,
			   flags, payload);
	tpkt_flow(&p, 0x42, reply);
	tpkt_run_ctrl(&p, &c, sf_counter_on_packet, cn, &action, ctrl_flags);
	return action;
}

static struct sf_counts_answer answer(uint64_t p0, uint64_t b0, uint64_t p1,
				      uint64_t b1)
{
	struct sf_counts_answer a = { .sp = SFC_SP(7, 200), .flow_id = 0x42,
				      .status = SFC_COUNTS_ANSWER,
				      .flags = SFC_COUNTS_F_BYPASSED };

	a.packets[0] = p0;
	a.bytes[0] = b0;
	a.packets[1] = p1;
	a.bytes[1] = b1;
	return a;
}

Test(sf_offload, counter_adds_what_the_sff_counted)
{
	const struct sf_flow *fwd, *rev;
	struct sf_counts_answer a;
	struct sf_tuple tf, tr;
	struct sf_counter cn;
	uint8_t flags = 0;

	counter_start(&cn);
	cr_assert_eq(cn_send(&cn, SF_TCP_SYN, false, 0, NULL), 0, "one way");
	cr_assert_eq(cn_send(&cn, SF_TCP_SYN | SF_TCP_ACK, true, 0, &flags),
		     SFC_CTRL_BYPASS, "seen both ways");
	cr_assert_eq(flags, SFC_CTRL_F_COUNT);
	cr_assert_eq(cn.q.n, 0);
	/* FIN comes through: the counter asks. */
	cr_assert_eq(cn_send(&cn, SF_TCP_FIN | SF_TCP_ACK, false, 0, NULL), 0);
	cr_assert_eq(cn.q.n, 1);
	a = answer(10, 10000, 4, 160);
	sf_flowq_answer(&cn.q, &a);
	memset(&tf, 0, sizeof(tf));
	memset(&tr, 0, sizeof(tr));
	tf.family = tr.family = 4;
	tf.proto = tr.proto = IPPROTO_TCP;
	tf.src[0] = tf.dst[0] = tr.src[0] = tr.dst[0] = 10;
	tf.src[3] = tr.dst[3] = 1;
	tf.dst[3] = tr.src[3] = 2;
	tf.sport = tr.dport = 40000;
	tf.dport = tr.sport = 80;
	fwd = sf_flowtab_lookup(&cn.ft, &tf);
	rev = sf_flowtab_lookup(&cn.ft, &tr);
	cr_assert(fwd && rev);
	cr_assert_eq(fwd->packets, 2 + 10, "SYN, FIN + what the SFF skipped");
	cr_assert_eq(fwd->bytes, 2 * 40 + 10000);
	cr_assert_eq(rev->packets, 1 + 4);
	cr_assert_eq(rev->bytes, 40 + 160);
	cr_assert_eq(cn.ft.total_packets, 3 + 14);
	/* Answers are cumulative: only what is new counts. */
	cr_assert_eq(cn_send(&cn, SF_TCP_FIN | SF_TCP_ACK, true, 0, NULL), 0);
	a = answer(11, 10040, 5, 200);
	sf_flowq_answer(&cn.q, &a);
	cr_assert_eq(fwd->packets, 13);
	cr_assert_eq(rev->packets, 2 + 5);
	cr_assert_eq(cn.skipped_packets, 16);
	sf_counter_free(&cn);
}

Test(sf_offload, counter_asks_bypassed_flows_periodically)
{
	struct sf_counts_answer a;
	struct sf_counter cn;

	counter_start(&cn);
	cn_send(&cn, SF_TCP_SYN, false, 0, NULL);
	cn_send(&cn, SF_TCP_SYN | SF_TCP_ACK, true, 0, NULL);
	sf_counter_tick(&cn, 0);
	cr_assert_eq(cn.q.n, 0, "just bypassed");
	fake_ms += SF_COUNTER_SYNC_MS;
	sf_counter_tick(&cn, 0);
	cr_assert_eq(cn.q.n, 1, "one question for the flow, both ways");
	/* The SFF no longer bypasses it (its chain changed): seen again. */
	a = answer(3, 120, 0, 0);
	a.flags = 0;
	sf_flowq_answer(&cn.q, &a);
	fake_ms += SF_COUNTER_SYNC_MS;
	sf_counter_tick(&cn, 0);
	cr_assert_eq(cn.q.n, 0, "not bypassed: nothing to ask");
	cr_assert_eq(cn_send(&cn, SF_TCP_ACK, false, 0, NULL), SFC_CTRL_BYPASS,
		     "asks again");
	cr_assert_eq(cn.ft.total_packets, 2 + 3 + 1);
	sf_counter_free(&cn);
}

/* sf_firewall_check() at the fake clock. */
static enum sf_verdict fw_at_fake(void *ctx, const struct sf_pkt *pkt)
{
	return sf_firewall_check(ctx, pkt, fake_ms);
}

static uint8_t fw_send_at(struct sf_firewall *fw, uint8_t flags, bool reply,
			  uint8_t *ctrl_flags)
{
	static struct tpkt p;
	struct sf_counters c = { 0 };
	uint8_t action;

	tcp(&p, 80, flags, reply);
	tpkt_run_ctrl(&p, &c, fw_at_fake, fw, &action, ctrl_flags);
	return action;
}

/*
 * The tracker's timeout passes while the SFF carries the connection: the
 * firewall asks before forgetting it, keeps it while the SFF says it
 * carried packets, so the server's FIN, which the rules would deny as a
 * new flow (only port 80 outwards is allowed), passes as the
 * connection's; a later term without traffic forgets it.
 */
Test(sf_offload, firewall_asks_the_sff_before_forgetting_an_offloaded_one)
{
	struct sf_counts_answer a;
	struct sf_firewall fw = { 0 };
	uint8_t flags = 0;
	uint64_t tmo;

	cr_assert_eq(fw_load(&fw, "{\"default\": \"deny\", \"rules\": [{\"action\":"
				  " \"allow\", \"protocol\": \"tcp\", \"dport\": \"80\"}]}"),
		     0, "%s", err);
	fw.q.clock = fake_clock;
	fake_ms = 5000;
	tmo = fw.ct.timeout_ms[1];
	cr_assert_eq(fw_send_at(&fw, SF_TCP_SYN, false, NULL), 0);
	cr_assert_eq(fw_send_at(&fw, SF_TCP_SYN | SF_TCP_ACK, true, &flags),
		     SFC_CTRL_BYPASS);
	cr_assert_eq(flags, SFC_CTRL_F_COUNT, "the SFF counts what it skips");
	/* The timeout passes: asked, kept until the answer. */
	fake_ms += tmo;
	sf_firewall_tick(&fw, fake_ms);
	cr_assert_eq(sf_ct_count(&fw.ct), 1);
	cr_assert_eq(fw.q.n, 1, "one question");
	sf_firewall_tick(&fw, fake_ms + 1);
	cr_assert_eq(fw.q.n, 1, "not asked twice");
	a = answer(900, 90000, 600, 24000);
	sf_flowq_answer(&fw.q, &a);
	cr_assert_eq(fw.offload_kept, 1, "carried: kept another term");
	/* Just before the new term ends, the server closes: still its. */
	fake_ms += tmo - 1;
	cr_assert_eq(fw_send_at(&fw, SF_TCP_FIN | SF_TCP_ACK, true, NULL), 0);
	cr_assert_eq(fw.pkts_denied, 0, "not judged by the rules");
	cr_assert_eq(fw.pkts_established, 2);
	sf_firewall_free(&fw);
}

Test(sf_offload, firewall_forgets_an_offloaded_one_the_sff_no_longer_carries)
{
	struct sf_counts_answer a;
	struct sf_firewall fw = { 0 };
	uint64_t tmo;

	cr_assert_eq(fw_load(&fw, "{\"rules\": []}"), 0, "%s", err);
	fw.q.clock = fake_clock;
	fake_ms = 5000;
	tmo = fw.ct.timeout_ms[1];
	fw_send_at(&fw, SF_TCP_SYN, false, NULL);
	fw_send_at(&fw, SF_TCP_SYN | SF_TCP_ACK, true, NULL);
	fake_ms += tmo;
	sf_firewall_tick(&fw, fake_ms);
	a = answer(5, 500, 5, 500);
	sf_flowq_answer(&fw.q, &a);
	cr_assert_eq(sf_ct_count(&fw.ct), 1, "carried 10 since");
	fake_ms += tmo;
	sf_firewall_tick(&fw, fake_ms);
	cr_assert_eq(fw.q.n, 1);
	sf_flowq_answer(&fw.q, &a);
	cr_assert_eq(sf_ct_count(&fw.ct), 0, "nothing since: forgotten");
	cr_assert_eq(fw.offload_released, 1);
	/* No answer in time: kept, asked at the next expiry. */
	fw_send_at(&fw, SF_TCP_SYN, false, NULL);
	fw_send_at(&fw, SF_TCP_SYN | SF_TCP_ACK, true, NULL);
	fake_ms += tmo;
	sf_firewall_tick(&fw, fake_ms);
	fake_ms += 2000;
	sf_flowq_expire(&fw.q);
	cr_assert_eq(fw.q.n, 0);
	cr_assert_eq(sf_ct_count(&fw.ct), 1);
	/* A bypass never recorded: the SFF refuses, the entry goes. */
	fake_ms += tmo;
	sf_firewall_tick(&fw, fake_ms);
	a.status = SFC_COUNTS_REFUSED;
	sf_flowq_answer(&fw.q, &a);
	cr_assert_eq(sf_ct_count(&fw.ct), 0);
	sf_firewall_free(&fw);
}
