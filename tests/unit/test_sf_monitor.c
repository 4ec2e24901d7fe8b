// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_monitor.c - sf-monitor's engine through crafted NSH frames:
 * record lifecycle (new, update, FIN/RST end, late packets, idle timeout
 * with an injected clock, periodic export, eviction, exit), GSO segment
 * counting, rotation with K files, the JSON line format, config errors.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "sfc_flowrec.h"
#include "monitor.h"
#include "test_sf_monitor_pkt.h"

static uint64_t fake_now;
static uint64_t fake_clock(void) { return fake_now; }

static char dir[64], out[128];

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sfmonXXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/flows.jsonl", dir);
}

static void rm_dir(void)
{
	char p[160];
	int k;

	unlink(out);
	for (k = 1; k <= 10; k++) {
		snprintf(p, sizeof(p), "%s.%d", out, k);
		unlink(p);
	}
	rmdir(dir);
}

static void mon_start(struct sf_mon *m, uint64_t rotate, unsigned int keep,
		      uint32_t max_flows)
{
	struct sf_mon_cfg c = { .rotate_bytes = rotate, .rotate_keep = keep,
				.idle_ms = 60000, .export_ms = 0,
				.max_flows = max_flows };
	char err[256] = "";

	snprintf(c.output, sizeof(c.output), "%s", out);
	cr_assert_eq(sf_mon_init(m, &c, err, sizeof(err)), 0, "%s", err);
	m->clock = fake_clock;
	fake_now = 1700000000000ull;
}

/* Every record in @path, in order; returns the count. */
static int read_recs(const char *path, struct sfc_flowrec *r, int max)
{
	char line[SFC_FLOWREC_LINE_MAX];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		cr_assert_eq(sfc_flowrec_parse(line, &r[n]), 0, "line: %s", line);
		n++;
	}
	fclose(f);
	return n;
}

static const struct tflow A = { 6, 1, 2, 40000, 80 };
static const struct tflow B = { 6, 2, 1, 80, 40000 }; /* A's replies */

TestSuite(sf_monitor, .init = setup_dir, .fini = rm_dir);

Test(sf_monitor, new_flow_then_updates)
{
	const struct sf_mon_flow *f;
	struct sf_mon m;
	struct sf_tuple t = { .family = 4, .proto = 6, .sport = 40000,
			      .dport = 80 };

	mon_start(&m, 0, 0, 16);
	t.src[0] = t.dst[0] = 10;
	t.src[3] = 1;
	t.dst[3] = 2;
	cr_assert_eq(tsend(A, T_SYN, 1, NULL, sf_mon_packet, &m), SF_VERDICT_PASS);
	fake_now += 5;
	cr_assert_eq(tsend(A, T_ACK | T_PSH, 2, "hello", sf_mon_packet, &m),
		     SF_VERDICT_PASS);
	f = sf_flowmap_find(&m.fm, &t);
	cr_assert_not_null(f);
	cr_assert_eq(f->packets, 2);
	cr_assert_eq(f->bytes, 40 + 45);
	cr_assert_eq(f->first_ms, 1700000000000ull);
	cr_assert_eq(f->last_ms, 1700000000005ull);
	cr_assert_eq(f->tcp_flags, T_SYN | T_ACK | T_PSH);
	cr_assert_eq(m.log.lines, 0, "no record while the flow is open");
	sf_mon_fini(&m);
}

Test(sf_monitor, fin_ends_flow_late_ack_is_not_a_new_flow)
{
	struct sfc_flowrec r[4];
	struct sf_mon m;

	mon_start(&m, 0, 0, 16);
	tsend(A, T_SYN, 1, NULL, sf_mon_packet, &m);
	fake_now += 100;
	tsend(A, T_ACK, 2, "data", sf_mon_packet, &m);
	fake_now += 100;
	tsend(A, T_FIN | T_ACK, 6, NULL, sf_mon_packet, &m);
	cr_assert_eq(read_recs(out, r, 4), 1);
	cr_assert_str_eq(r[0].end, "fin");
	cr_assert_eq(r[0].packets, 3);
	cr_assert_eq(r[0].last_ms - r[0].first_ms, 200);
	cr_assert_str_eq(r[0].tcp_flags, "FIN|SYN|ACK");
	/* The last ACK after FIN: counted late, no new record. */
	tsend(A, T_ACK, 7, NULL, sf_mon_packet, &m);
	cr_assert_eq(m.late_packets, 1);
	sf_mon_tick(&m, fake_now + 60000);
	cr_assert_eq(read_recs(out, r, 4), 1, "closed flows idle out silently");
	cr_assert_eq(m.fm.lru.n, 0);
	sf_mon_fini(&m);
}

Test(sf_monitor, rst_ends_and_syn_reopens)
{
	struct sfc_flowrec r[4];
	struct sf_mon m;

	mon_start(&m, 0, 0, 16);
	tsend(A, T_SYN, 1, NULL, sf_mon_packet, &m);
	tsend(A, T_RST, 2, NULL, sf_mon_packet, &m);
	fake_now += 1000;
	tsend(A, T_SYN, 9, NULL, sf_mon_packet, &m); /* port reuse */
	tsend(A, T_FIN, 10, NULL, sf_mon_packet, &m);
	cr_assert_eq(read_recs(out, r, 4), 2);
	cr_assert_str_eq(r[0].end, "rst");
	cr_assert_str_eq(r[1].end, "fin");
	cr_assert_eq(r[1].packets, 2);
	cr_assert_eq(r[1].first_ms, r[0].first_ms + 1000);
	cr_assert_eq(m.records[SF_MON_END_RST], 1);
	sf_mon_fini(&m);
}

Test(sf_monitor, idle_timeout_with_injected_clock)
{
	struct tflow u = { 17, 3, 4, 5353, 53 };
	struct sfc_flowrec r[2];
	struct sf_mon m;
	uint64_t t0;

	mon_start(&m, 0, 0, 16);
	t0 = fake_now;
	tsend(u, 0, 0, "query", sf_mon_packet, &m);
	sf_mon_tick(&m, t0 + 59999);
	cr_assert_eq(m.fm.lru.n, 1);
	cr_assert_eq(read_recs(out, r, 2), 0);
	sf_mon_tick(&m, t0 + 60000);
	cr_assert_eq(m.fm.lru.n, 0);
	cr_assert_eq(read_recs(out, r, 2), 1);
	cr_assert_str_eq(r[0].end, "idle");
	cr_assert_str_eq(r[0].proto, "udp");
	cr_assert_str_eq(r[0].tcp_flags, "");
	cr_assert_eq(r[0].bytes, 20 + 8 + 5);
	sf_mon_fini(&m);
}

Test(sf_monitor, long_flow_exported_periodically)
{
	struct sfc_flowrec r[4];
	struct sf_mon m;

	mon_start(&m, 0, 0, 16);
	m.cfg.export_ms = 10000;
	tsend(A, T_SYN, 1, NULL, sf_mon_packet, &m);
	fake_now += 9000;
	tsend(A, T_ACK, 2, "x", sf_mon_packet, &m);
	sf_mon_tick(&m, fake_now);
	cr_assert_eq(read_recs(out, r, 4), 0);
	fake_now += 1000;
	sf_mon_tick(&m, fake_now);
	cr_assert_eq(read_recs(out, r, 4), 1);
	cr_assert_str_eq(r[0].end, "active");
	cr_assert_eq(r[0].packets, 2);
	fake_now += 500;
	tsend(A, T_FIN, 3, NULL, sf_mon_packet, &m);
	cr_assert_eq(read_recs(out, r, 4), 2);
	cr_assert_eq(r[1].packets, 3, "records are cumulative");
	cr_assert_eq(r[1].first_ms, r[0].first_ms, "same flow instance");
	sf_mon_fini(&m);
}

Test(sf_monitor, eviction_and_exit_write_records)
{
	struct tflow b = A, c = A;
	struct sfc_flowrec r[4];
	struct sf_mon m;

	b.sport = 40001;
	c.sport = 40002;
	mon_start(&m, 0, 0, 2);
	tsend(A, T_SYN, 1, NULL, sf_mon_packet, &m);
	tsend(b, T_SYN, 1, NULL, sf_mon_packet, &m);
	tsend(c, T_SYN, 1, NULL, sf_mon_packet, &m); /* evicts A */
	cr_assert_eq(read_recs(out, r, 4), 1);
	cr_assert_str_eq(r[0].end, "evicted");
	cr_assert_eq(r[0].sport, 40000);
	sf_mon_flush(&m);
	cr_assert_eq(read_recs(out, r, 4), 3);
	cr_assert_str_eq(r[1].end, "exit");
	cr_assert_str_eq(r[2].end, "exit");
	sf_mon_fini(&m);
}

Test(sf_monitor, gso_frame_counts_its_segments)
{
	static char payload[5000];
	const struct sf_mon_flow *f;
	struct sf_tuple *key;
	struct tpkt *t;
	struct sf_mon m;

	mon_start(&m, 0, 0, 4);
	memset(payload, 'a', sizeof(payload));
	t = tpkt_new(A, T_ACK, 1, payload, sizeof(payload));
	t->vnet.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	t->vnet.gso_size = 1448;
	tpkt_run(t, sf_mon_packet, &m);
	key = &m.fm.ents[m.fm.lru.head].t;
	f = sf_flowmap_find(&m.fm, key);
	cr_assert_eq(f->packets, 4, "ceil(5000 / 1448)");
	cr_assert_eq(f->bytes, 5040);
	sf_mon_fini(&m);
}

Test(sf_monitor, rotation_keeps_k_files)
{
	struct sfc_flowrec r[16];
	char p[160];
	struct sf_mon m;
	struct tflow f = A;
	int i, n, total = 0;

	/* A record is about 230 bytes: two per file. */
	mon_start(&m, 500, 2, 64);
	for (i = 0; i < 7; i++) {
		f.sport = (uint16_t)(1000 + i);
		tsend(f, T_RST, 1, NULL, sf_mon_packet, &m);
	}
	cr_assert_eq(m.log.errors, 0);
	cr_assert_eq(m.log.rotations, 3);
	n = read_recs(out, r, 16);
	cr_assert_eq(n, 1);
	cr_assert_eq(r[0].sport, 1006, "newest in the live file");
	for (i = 1; i <= 2; i++) {
		snprintf(p, sizeof(p), "%s.%d", out, i);
		n = read_recs(p, r, 16);
		cr_assert_eq(n, 2, "%s", p);
		cr_assert_eq(r[1].sport, 1006 - 2 * i + 1);
		total += n;
	}
	snprintf(p, sizeof(p), "%s.3", out);
	cr_assert_eq(access(p, F_OK), -1, "only K rotated files");
	cr_assert_eq(total + 1, 5);
	sf_mon_fini(&m);
}

Test(sf_monitor, json_line_format)
{
	char line[SFC_FLOWREC_LINE_MAX];
	struct tflow v6ish = { 17, 9, 8, 1234, 4321 };
	struct sf_mon m;
	FILE *f;

	mon_start(&m, 0, 0, 4);
	tsend(v6ish, 0, 0, "abc", sf_mon_packet, &m);
	fake_now += 250;
	tsend(v6ish, 0, 0, "de", sf_mon_packet, &m);
	sf_mon_tick(&m, fake_now + 60000);
	f = fopen(out, "r");
	cr_assert_not_null(fgets(line, sizeof(line), f));
	fclose(f);
	cr_assert_str_eq(line,
		"{\"proto\":\"udp\",\"src\":\"10.0.0.9\",\"sport\":1234,"
		"\"dst\":\"10.0.0.8\",\"dport\":4321,\"packets\":2,"
		"\"bytes\":61,\"first_ms\":1700000000000,"
		"\"last_ms\":1700000000250,\"tcp_flags\":\"\",\"end\":\"idle\"}\n");
	sf_mon_fini(&m);
}

static int cfg_err(const char *json, char *err)
{
	struct sf_mon_cfg c;
	cJSON *j = cJSON_Parse(json);
	int ret;

	cr_assert_not_null(j);
	ret = sf_mon_parse_cfg(j, "mon.json", &c, err, 256);
	cJSON_Delete(j);
	return ret;
}

Test(sf_monitor, config_defaults_and_errors)
{
	struct sf_mon_cfg c;
	char err[256];
	cJSON *j = cJSON_Parse("{\"output\":\"/x/f.jsonl\"}");

	cr_assert_eq(sf_mon_parse_cfg(j, "mon.json", &c, err, sizeof(err)), 0);
	cJSON_Delete(j);
	cr_assert_eq(c.rotate_keep, SF_MON_ROTATE_KEEP_DEFAULT);
	cr_assert_eq(c.idle_ms, SF_MON_IDLE_S_DEFAULT * 1000);
	cr_assert_eq(cfg_err("{}", err), -EINVAL);
	cr_assert_str_eq(err, "mon.json: output: required: the flow log file path");
	cr_assert_eq(cfg_err("{\"output\":\"a\",\"rotate_kep\":1}", err), -EINVAL);
	cr_assert_str_eq(err, "mon.json: rotate_kep: unknown field");
	cr_assert_eq(cfg_err("{\"output\":\"a\",\"rotate_keep\":101}", err), -EINVAL);
	cr_assert_eq(cfg_err("{\"output\":\"a\",\"idle_timeout_s\":0}", err), -EINVAL);
	cr_assert_str_eq(err, "mon.json: idle_timeout_s: must be at least 1");
}

Test(sf_monitor, init_names_a_bad_output_dir)
{
	struct sf_mon_cfg c = { .idle_ms = 1, .max_flows = 1,
				.output = "/nonexistent-dir/f.jsonl" };
	struct sf_mon m;
	char err[256] = "";

	cr_assert_eq(sf_mon_init(&m, &c, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "/nonexistent-dir/f.jsonl: No such file or directory");
}

/* A client reuses its port: the server's SYN-ACK of the new connection
 * opens the reply direction's new record too (it was late before, and
 * the reply side of every reused 5-tuple went unrecorded). */
Test(sf_monitor, syn_ack_reopens_the_reply_direction)
{
	struct sfc_flowrec r[4];
	struct sf_mon m;

	mon_start(&m, 0, 0, 16);
	tsend(B, T_SYN | T_ACK, 1, NULL, sf_mon_packet, &m);
	tsend(B, T_FIN | T_ACK, 2, NULL, sf_mon_packet, &m);
	fake_now += 1000;
	tsend(B, T_SYN | T_ACK, 9, NULL, sf_mon_packet, &m); /* port reuse */
	tsend(B, T_FIN | T_ACK, 10, NULL, sf_mon_packet, &m);
	cr_assert_eq(read_recs(out, r, 4), 2);
	cr_assert_eq(r[1].packets, 2);
	cr_assert_eq(r[1].first_ms, r[0].first_ms + 1000);
	cr_assert_eq(m.late_packets, 0);
	sf_mon_fini(&m);
}
