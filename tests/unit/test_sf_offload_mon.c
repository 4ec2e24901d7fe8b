// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_offload_mon.c - flow programming decisions of sf-monitor (bypass
 * with counts once a flow was seen both ways; FIN records wait for the
 * SFF's counts and add them; an idle bypassed flow is asked before it is
 * written, kept while the SFF still carries it) and sf-ids (bypass after
 * bypass_after_bytes without a match, never after a match, drop a
 * blocked flow in the kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ids.h"
#include "monitor.h"
#include "sfc_flowrec.h"
#include "test_sf_monitor_pkt.h"

static char dir[64], out[128], rules[128];
static uint64_t fake_now;
static uint64_t fake_clock(void) { return fake_now; }

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sfoffXXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/flows.jsonl", dir);
	snprintf(rules, sizeof(rules), "%s/ids.rules", dir);
}

static void rm_dir(void)
{
	unlink(out);
	unlink(rules);
	rmdir(dir);
}

TestSuite(sf_offload_mon, .init = setup_dir, .fini = rm_dir);

static const struct tflow A = { 6, 1, 2, 40000, 80 };
#define FLOW 0x4242u

static void mon_start(struct sf_mon *m)
{
	struct sf_mon_cfg c = { .idle_ms = 60000, .max_flows = 64,
				.offload = true };
	char err[256] = "";

	snprintf(c.output, sizeof(c.output), "%s", out);
	cr_assert_eq(sf_mon_init(m, &c, err, sizeof(err)), 0, "%s", err);
	m->clock = fake_clock;
	m->q.clock = fake_clock;
	fake_now = 1700000000000ull;
	cr_assert_eq(sf_mon_flowq(m), &m->q);
}

static int read_recs(struct sfc_flowrec *r, int max)
{
	char line[SFC_FLOWREC_LINE_MAX];
	FILE *f = fopen(out, "r");
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f))
		cr_assert_eq(sfc_flowrec_parse(line, &r[n++]), 0, "%s", line);
	fclose(f);
	return n;
}

static uint8_t mon_send(struct sf_mon *m, struct tflow fl, uint8_t flags,
			bool reply, uint8_t *ctrl_flags)
{
	return tsend_flow(fl, flags, 1, NULL, FLOW, reply, sf_mon_packet, m,
			  NULL, ctrl_flags);
}

static void mon_answer(struct sf_mon *m, uint64_t p0, uint64_t b0,
		       uint64_t p1, uint64_t b1)
{
	struct sf_counts_answer a = { .sp = SFC_SP(7, 200), .flow_id = FLOW,
				      .status = SFC_COUNTS_ANSWER,
				      .flags = SFC_COUNTS_F_BYPASSED,
				      .packets = { p0, p1 },
				      .bytes = { b0, b1 } };

	sf_flowq_answer(&m->q, &a);
}

Test(sf_offload_mon, fin_records_add_what_the_sff_skipped)
{
	struct sfc_flowrec r[4];
	struct sf_mon m;
	uint8_t cf = 0;

	mon_start(&m);
	cr_assert_eq(mon_send(&m, A, T_SYN, false, NULL), 0, "seen one way");
	cr_assert_eq(mon_send(&m, tflow_rev(A), T_SYN | T_ACK, true, &cf),
		     SFC_CTRL_BYPASS, "seen both ways");
	cr_assert_eq(cf, SFC_CTRL_F_COUNT);
	cr_assert_eq(m.bypass_requests, 1);
	/* A's FIN comes through; its record waits for the counts. */
	cr_assert_eq(mon_send(&m, A, T_FIN | T_ACK, false, NULL), 0);
	cr_assert_eq(read_recs(r, 4), 0);
	cr_assert_eq(m.q.n, 1);
	mon_answer(&m, 10, 12000, 6, 240);
	cr_assert_eq(read_recs(r, 4), 1);
	cr_assert_str_eq(r[0].end, "fin");
	cr_assert_eq(r[0].sport, 40000);
	cr_assert_eq(r[0].packets, 2 + 10, "SYN, FIN and 10 skipped");
	cr_assert_eq(r[0].bytes, 2 * 40 + 12000);
	/* B's FIN: its record with the reply counts, cumulative. */
	cr_assert_eq(mon_send(&m, tflow_rev(A), T_FIN | T_ACK, true, NULL), 0);
	mon_answer(&m, 10, 12000, 7, 280);
	cr_assert_eq(read_recs(r, 4), 2);
	cr_assert_str_eq(r[1].end, "fin");
	cr_assert_eq(r[1].sport, 80);
	cr_assert_eq(r[1].packets, 2 + 7);
	cr_assert_eq(r[1].bytes, 2 * 40 + 280);
	cr_assert_eq(m.skipped_packets, 17);
	sf_mon_fini(&m);
}

/* No answer in time: the record is written with what is known. */
Test(sf_offload_mon, unanswered_question_writes_anyway)
{
	struct sfc_flowrec r[2];
	struct sf_mon m;

	mon_start(&m);
	mon_send(&m, A, T_SYN, false, NULL);
	mon_send(&m, tflow_rev(A), T_SYN | T_ACK, true, NULL);
	mon_send(&m, A, T_RST, false, NULL);
	fake_now += SF_FLOWQ_TIMEOUT_MS;
	sf_flowq_expire(&m.q);
	cr_assert_eq(read_recs(r, 2), 1);
	cr_assert_str_eq(r[0].end, "rst");
	cr_assert_eq(r[0].packets, 2);
	cr_assert_eq(m.q.timeouts, 1);
	sf_mon_fini(&m);
}

/* A bypassed flow looks idle to the monitor: asked first, kept while the
 * SFF still counts packets, written idle when it does not. */
Test(sf_offload_mon, idle_bypassed_flow_asked_before_written)
{
	struct sfc_flowrec r[4];
	struct sf_mon m;

	mon_start(&m);
	mon_send(&m, A, T_SYN, false, NULL);
	mon_send(&m, tflow_rev(A), T_SYN | T_ACK, true, NULL);
	fake_now += m.cfg.idle_ms;
	sf_mon_tick(&m, fake_now);
	cr_assert_eq(read_recs(r, 4), 0, "asked, not written");
	cr_assert_eq(m.q.n, 1, "one question for both directions");
	mon_answer(&m, 50, 5000, 40, 1600);
	cr_assert_eq(read_recs(r, 4), 0, "still carried: not idle");
	cr_assert_eq(m.fm.lru.n, 2);
	fake_now += m.cfg.idle_ms;
	sf_mon_tick(&m, fake_now);
	mon_answer(&m, 50, 5000, 40, 1600);
	cr_assert_eq(read_recs(r, 4), 2);
	cr_assert_str_eq(r[0].end, "idle");
	cr_assert_str_eq(r[1].end, "idle");
	cr_assert_eq(r[0].packets + r[1].packets, 2 + 90);
	cr_assert_eq(m.fm.lru.n, 0);
	sf_mon_fini(&m);
}

/* Without offload nothing changes: FIN writes at once, no requests. */
Test(sf_offload_mon, monitor_without_offload)
{
	struct sf_mon_cfg c = { .idle_ms = 60000, .max_flows = 64 };
	struct sfc_flowrec r[2];
	char err[256] = "";
	struct sf_mon m;

	snprintf(c.output, sizeof(c.output), "%s", out);
	cr_assert_eq(sf_mon_init(&m, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(sf_mon_flowq(&m));
	mon_send(&m, A, T_SYN, false, NULL);
	cr_assert_eq(mon_send(&m, tflow_rev(A), T_SYN | T_ACK, true, NULL), 0);
	mon_send(&m, A, T_FIN, false, NULL);
	cr_assert_eq(read_recs(r, 2), 1);
	sf_mon_fini(&m);
}

/* --- sf-ids --- */

static void ids_start(struct sf_ids *ids, uint64_t bypass_after)
{
	struct sf_ids_cfg c = { .max_flows = 64, .idle_ms = 10000,
				.offload = true, .bypass_after = bypass_after };
	char err[512] = "";
	FILE *f = fopen(rules, "w");

	cr_assert_not_null(f);
	fputs("id:1 action:alert proto:tcp pattern:/EVIL/\n"
	      "id:2 action:drop proto:tcp port:80 pattern:/DROPME/\n", f);
	fclose(f);
	snprintf(c.rules, sizeof(c.rules), "%s", rules);
	cr_assert_eq(sf_ids_init(ids, &c, err, sizeof(err)), 0, "%s", err);
	ids->alert_fd = open("/dev/null", O_WRONLY);
}

static uint8_t ids_send(struct sf_ids *ids, struct tflow fl, uint32_t seq,
			const char *data, enum sf_verdict *v)
{
	return tsend_flow(fl, T_ACK, seq, data, FLOW, false, sf_ids_packet,
			  ids, v, NULL);
}

#define P40 "0123456789012345678901234567890123456789"

Test(sf_offload_mon, ids_bypasses_after_clean_bytes)
{
	struct sf_ids ids;
	enum sf_verdict v;

	ids_start(&ids, 100);
	cr_assert_eq(ids_send(&ids, A, 1, P40, &v), 0);
	cr_assert_eq(ids_send(&ids, tflow_rev(A), 1, P40, &v), 0, "80 bytes");
	cr_assert_eq(ids_send(&ids, A, 41, P40, &v), SFC_CTRL_BYPASS,
		     "120 bytes, both directions, no match");
	cr_assert_eq(v, SF_VERDICT_PASS);
	cr_assert_eq(ids.bypass_requests, 1);
	sf_ids_fini(&ids);
}

Test(sf_offload_mon, ids_never_bypasses_a_flow_that_matched)
{
	struct sf_ids ids;
	enum sf_verdict v;

	ids_start(&ids, 50);
	cr_assert_eq(ids_send(&ids, A, 1, "an EVIL thing", &v), 0);
	cr_assert_eq(ids.alerts, 1);
	cr_assert_eq(ids_send(&ids, A, 14, P40 P40, &v), 0);
	cr_assert_eq(ids.bypass_requests, 0);
	/* Switched off: no bypass either. */
	sf_ids_fini(&ids);
	ids_start(&ids, 50);
	ids.cfg.offload = false;
	cr_assert_eq(ids_send(&ids, A, 1, P40 P40, &v), 0);
	sf_ids_fini(&ids);
}

Test(sf_offload_mon, ids_drops_a_blocked_flow_in_the_kernel)
{
	struct sf_ids ids;
	enum sf_verdict v;

	ids_start(&ids, 0);
	cr_assert_eq(ids_send(&ids, A, 1, "GET /DROPME", &v), SFC_CTRL_DROP);
	cr_assert_eq(v, SF_VERDICT_PASS, "goes back to carry the request");
	cr_assert_eq(ids.blocked_flows, 1);
	/* Packets already on their way ask again; the SFF ignores repeats. */
	cr_assert_eq(ids_send(&ids, tflow_rev(A), 1, "ok", &v), SFC_CTRL_DROP);
	cr_assert_eq(ids.drop_requests, 2);
	sf_ids_fini(&ids);
}
