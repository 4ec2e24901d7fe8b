// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_ids.c - sf-ids through crafted NSH frames: rules parsing and
 * errors naming the line, matches within one frame and straddling two
 * frames of a flow, no leakage across flows or directions, retransmitted
 * bytes, drop rules blocking the rest of a connection, alert-only rules
 * passing (and the alert line), proto/port filters, stream lifecycle,
 * reload keeping the old database on error, and refusing a FIFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ids.h"
#include "test_sf_monitor_pkt.h"

static char dir[64], rules[128], alerts[128];

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sfidsXXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(rules, sizeof(rules), "%s/ids.rules", dir);
	snprintf(alerts, sizeof(alerts), "%s/alerts.jsonl", dir);
}

static void rm_dir(void)
{
	unlink(rules);
	unlink(alerts);
	rmdir(dir);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static const char base_rules[] =
	"# test rules\n"
	"id:1 action:alert proto:tcp pattern:/EVIL/\n"
	"\n"
	"id:2 action:drop proto:tcp port:80 pattern:/DROPME/\n"
	"id:3 action:alert proto:udp pattern:/ping\\d+/i\n";

static void ids_start(struct sf_ids *ids, const char *text)
{
	struct sf_ids_cfg c = { .max_flows = 64, .idle_ms = 10000 };
	char err[512] = "";

	write_file(rules, text);
	snprintf(c.rules, sizeof(c.rules), "%s", rules);
	snprintf(c.alerts, sizeof(c.alerts), "%s", alerts);
	cr_assert_eq(sf_ids_init(ids, &c, err, sizeof(err)), 0, "%s", err);
}

static const struct tflow C = { 6, 1, 2, 40000, 80 };

TestSuite(sf_ids, .init = setup_dir, .fini = rm_dir);

Test(sf_ids, rules_parse_fields)
{
	struct sf_ids_ruleset rs;
	char err[256] = "";

	cr_assert_eq(sf_ids_rules_parse(
		"id:7 action:drop proto:udp port:53 pattern:/a b\\/c/is\n"
		"  id:8   action:alert pattern:/x/  \n"
		"id:9 port:1000-2000 action:alert proto:any pattern:/y/mu", "r",
		&rs, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rs.n, 3);
	cr_assert_eq(rs.r[0].id, 7);
	cr_assert_eq(rs.r[0].action, SF_IDS_DROP);
	cr_assert_eq(rs.r[0].proto, 17);
	cr_assert_eq(rs.r[0].port_lo, 53);
	cr_assert_eq(rs.r[0].port_hi, 53);
	cr_assert_str_eq(rs.r[0].regex, "a b\\/c");
	cr_assert_eq(rs.r[0].hs_flags, HS_FLAG_SINGLEMATCH | HS_FLAG_CASELESS |
				       HS_FLAG_DOTALL);
	cr_assert_eq(rs.r[1].proto, 0);
	cr_assert_eq(rs.r[1].port_lo, 0);
	cr_assert_eq(rs.r[1].port_hi, 65535);
	cr_assert_eq(rs.r[1].line, 2);
	cr_assert_eq(rs.r[2].port_lo, 1000);
	cr_assert_eq(rs.r[2].port_hi, 2000);
	cr_assert(sf_ids_rule_applies(&rs.r[2], 6, 1500, 80), "either port");
	cr_assert(!sf_ids_rule_applies(&rs.r[0], 6, 1, 53), "proto filter");
	sf_ids_rules_free(&rs);
}

Test(sf_ids, rules_errors_name_the_line)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "id:1 action:alert pattern:/a/\nid:2 action:block pattern:/b/",
		  "r: line 2: action: expected alert or drop, got 'block'" },
		{ "#c\n\nid:1 action:alert", "r: line 3: missing pattern:/regex/flags" },
		{ "action:alert pattern:/a/", "r: line 1: missing id:" },
		{ "id:1 pattern:/a/", "r: line 1: missing action:" },
		{ "id:0 action:alert pattern:/a/",
		  "r: line 1: id: expected an integer in 1..4294967295, got '0'" },
		{ "id:1 action:alert pattern:/a/\nid:1 action:drop pattern:/b/",
		  "r: line 2: id 1 already used on line 1" },
		{ "id:1 action:alert proto:icmp pattern:/a/",
		  "r: line 1: proto: expected tcp, udp or any, got 'icmp'" },
		{ "id:1 action:alert port:9-2 pattern:/a/",
		  "r: line 1: port: expected N or LO-HI in 0..65535, got '9-2'" },
		{ "id:1 action:alert port:70000 pattern:/a/",
		  "r: line 1: port: expected N or LO-HI in 0..65535, got '70000'" },
		{ "id:1 action:alert pattern:/a/x", "r: line 1: pattern: unknown flag 'x' (i, s, m, u)" },
		{ "id:1 action:alert pattern:a", "r: line 1: pattern: expected /regex/flags" },
		{ "id:1 action:alert pattern://", "r: line 1: pattern: empty regex" },
		{ "id:1 sid:4 action:alert pattern:/a/",
		  "r: line 1: unknown field 'sid' (id, action, proto, port, pattern)" },
		{ "id:1 id:2 action:alert pattern:/a/", "r: line 1: id given twice" },
		{ "id:1 action alert pattern:/a/", "r: line 1: expected key:value, got 'action'" },
	};
	struct sf_ids_ruleset rs;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(sf_ids_rules_parse(bad[i].text, "r", &rs, err,
						sizeof(err)), -EINVAL, "%zu", i);
		cr_assert_str_eq(err, bad[i].msg);
		cr_assert_eq(rs.n, 0);
	}
}

Test(sf_ids, bad_rules_file_refuses_to_start_naming_the_line)
{
	struct sf_ids_cfg c = { .max_flows = 4, .idle_ms = 1000 };
	struct sf_ids ids;
	char err[512] = "", want[300];

	write_file(rules, "id:1 action:alert pattern:/ok/\n"
			  "id:2 action:alert pattern:/(unclosed/\n");
	snprintf(c.rules, sizeof(c.rules), "%s", rules);
	cr_assert_eq(sf_ids_init(&ids, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: line 2: pattern: ", rules);
	cr_assert_eq(strncmp(err, want, strlen(want)), 0, "%s", err);
	sf_ids_fini(&ids);
}

Test(sf_ids, match_within_one_frame_alert_passes)
{
	char line[512] = "";
	struct sf_ids ids;
	FILE *f;

	ids_start(&ids, base_rules);
	cr_assert_eq(ids.rs.n, 3);
	cr_assert_eq(tsend(C, T_ACK | T_PSH, 100, "GET /EVIL HTTP/1.0",
			   sf_ids_packet, &ids), SF_VERDICT_PASS);
	cr_assert_eq(ids.alerts, 1);
	cr_assert_eq(ids.blocked_flows, 0);
	f = fopen(alerts, "r");
	cr_assert_not_null(fgets(line, sizeof(line), f));
	fclose(f);
	cr_assert(strstr(line, "\"rule\":1,\"action\":\"alert\",\"proto\":\"tcp\","
		  "\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.0.2\","
		  "\"dport\":80,\"stream_offset\":9}"), "%s", line);
	/* SINGLEMATCH: the same rule does not alert twice on a stream. */
	tsend(C, T_ACK, 118, "EVIL again", sf_ids_packet, &ids);
	cr_assert_eq(ids.alerts, 1);
	sf_ids_fini(&ids);
}

Test(sf_ids, match_straddling_two_frames)
{
	struct sf_ids ids;

	ids_start(&ids, base_rules);
	tsend(C, T_SYN, 999, NULL, sf_ids_packet, &ids);
	tsend(C, T_ACK, 1000, "xxxxEV", sf_ids_packet, &ids);
	cr_assert_eq(ids.alerts, 0);
	tsend(C, T_ACK, 1006, "ILyyyy", sf_ids_packet, &ids);
	cr_assert_eq(ids.alerts, 1);
	sf_ids_fini(&ids);
}

Test(sf_ids, no_leakage_across_flows_or_directions)
{
	struct tflow other = C;
	struct sf_ids ids;

	other.sport = 40001;
	ids_start(&ids, base_rules);
	tsend(C, T_ACK, 1, "..EV", sf_ids_packet, &ids);
	tsend(other, T_ACK, 1, "IL..", sf_ids_packet, &ids);
	tsend(tflow_rev(C), T_ACK, 1, "IL..", sf_ids_packet, &ids);
	cr_assert_eq(ids.alerts, 0);
	cr_assert_eq(ids.fm.lru.n, 2, "one entry per connection");
	cr_assert_eq(ids.streams_open, 3, "one stream per direction");
	tsend(C, T_ACK, 5, "IL", sf_ids_packet, &ids);
	cr_assert_eq(ids.alerts, 1, "the right stream still matches");
	sf_ids_fini(&ids);
}

Test(sf_ids, retransmitted_bytes_are_not_rescanned)
{
	struct sf_ids ids;

	ids_start(&ids, base_rules);
	tsend(C, T_ACK, 1, "abcdE", sf_ids_packet, &ids);
	tsend(C, T_ACK, 1, "abcdE", sf_ids_packet, &ids); /* retransmit */
	cr_assert_eq(ids.retrans_skipped, 1);
	tsend(C, T_ACK, 4, "dEVIL", sf_ids_packet, &ids); /* overlaps 2 */
	cr_assert_eq(ids.alerts, 1, "stream reads abcdEVIL");
	cr_assert_eq(ids.scanned_bytes, 8);
	sf_ids_fini(&ids);
}

Test(sf_ids, drop_rule_drops_rest_of_connection)
{
	struct tflow other = C;
	struct sf_ids ids;

	other.sport = 40001;
	ids_start(&ids, base_rules);
	cr_assert_eq(tsend(C, T_ACK, 1, "ok", sf_ids_packet, &ids), SF_VERDICT_PASS);
	cr_assert_eq(tsend(C, T_ACK, 3, "..DROP", sf_ids_packet, &ids), SF_VERDICT_PASS);
	cr_assert_eq(tsend(C, T_ACK, 9, "ME..", sf_ids_packet, &ids), SF_VERDICT_DROP);
	cr_assert_eq(tsend(C, T_ACK, 13, "more", sf_ids_packet, &ids), SF_VERDICT_DROP);
	cr_assert_eq(tsend(tflow_rev(C), T_ACK, 1, "reply", sf_ids_packet, &ids),
		     SF_VERDICT_DROP, "both directions");
	cr_assert_eq(tsend(C, T_FIN, 17, NULL, sf_ids_packet, &ids), SF_VERDICT_DROP);
	cr_assert_eq(tsend(other, T_ACK, 1, "fine", sf_ids_packet, &ids),
		     SF_VERDICT_PASS, "other connections unaffected");
	cr_assert_eq(ids.alerts, 1);
	cr_assert_eq(ids.blocked_flows, 1);
	cr_assert_eq(ids.blocked_packets, 4);
	cr_assert_eq(ids.streams_open, 1, "blocked connection holds no stream");
	sf_ids_fini(&ids);
}

Test(sf_ids, proto_and_port_filters)
{
	struct tflow u = { 17, 1, 2, 5000, 6000 }, t8080 = C;
	struct sf_ids ids;

	t8080.dport = 8080;
	ids_start(&ids, base_rules);
	/* rule 2 is tcp port 80 only; rule 3 udp only; rule 1 tcp only */
	cr_assert_eq(tsend(t8080, T_ACK, 1, "DROPME", sf_ids_packet, &ids),
		     SF_VERDICT_PASS);
	cr_assert_eq(tsend(u, 0, 0, "EVIL PING42", sf_ids_packet, &ids),
		     SF_VERDICT_PASS);
	cr_assert_eq(ids.alerts, 1, "only rule 3 on udp");
	sf_ids_fini(&ids);
}

Test(sf_ids, streams_closed_on_fin_rst_idle)
{
	struct tflow b = C;
	struct sf_ids ids;

	b.sport = 40001;
	ids_start(&ids, base_rules);
	tsend(C, T_ACK, 1, "a", sf_ids_packet, &ids);
	tsend(tflow_rev(C), T_ACK, 1, "b", sf_ids_packet, &ids);
	tsend(C, T_FIN, 2, NULL, sf_ids_packet, &ids);
	cr_assert_eq(ids.streams_open, 2);
	tsend(tflow_rev(C), T_FIN, 2, NULL, sf_ids_packet, &ids);
	cr_assert_eq(ids.streams_open, 0);
	cr_assert_eq(ids.fm.lru.n, 0);
	tsend(b, T_ACK, 1, "a", sf_ids_packet, &ids);
	tsend(b, T_RST, 2, NULL, sf_ids_packet, &ids);
	cr_assert_eq(ids.fm.lru.n, 0);
	tsend(b, T_ACK, 3, "late", sf_ids_packet, &ids);
	cr_assert_eq(ids.streams_open, 1);
	sf_ids_tick(&ids, ids.clock() + 9000);
	cr_assert_eq(ids.streams_open, 1);
	sf_ids_tick(&ids, ids.clock() + 11000);
	cr_assert_eq(ids.streams_open, 0);
	cr_assert_eq(ids.fm.lru.n, 0);
	sf_ids_fini(&ids);
}

Test(sf_ids, reload_keeps_old_database_on_error)
{
	struct sf_ids ids;
	char err[512] = "";

	ids_start(&ids, base_rules);
	write_file(rules, "id:1 action:alert pattern:/EVIL/\nid:2 action:teleport pattern:/x/\n");
	cr_assert_eq(sf_ids_reload(&ids, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "line 2: action: expected alert or drop"), "%s", err);
	write_file(rules, "id:1 action:alert pattern:/EVIL/\nid:5 action:alert pattern:/[z-a]/\n");
	cr_assert_eq(sf_ids_reload(&ids, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "line 2: pattern: "), "%s", err);
	cr_assert_eq(ids.rs.n, 3, "old rules kept");
	cr_assert_eq(tsend(C, T_ACK, 1, "DROPME", sf_ids_packet, &ids),
		     SF_VERDICT_DROP, "old database still scans");
	/* A good reload: new rules, old streams closed, blocks kept. */
	write_file(rules, "id:9 action:drop proto:any pattern:/NEWSIG/\n");
	cr_assert_eq(sf_ids_reload(&ids, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ids.rs.n, 1);
	cr_assert_eq(ids.rs.r[0].id, 9);
	cr_assert_eq(tsend(C, T_ACK, 7, "x", sf_ids_packet, &ids), SF_VERDICT_DROP);
	cr_assert_eq(tsend(tflow_rev(C), T_ACK, 1, "..NEWSIG", sf_ids_packet, &ids),
		     SF_VERDICT_DROP, "still blocked");
	cr_assert_eq(tsend((struct tflow){ 17, 5, 6, 1, 2 }, 0, 0, "NEWSIG",
			   sf_ids_packet, &ids), SF_VERDICT_DROP);
	cr_assert_eq(tsend((struct tflow){ 6, 5, 6, 1, 2 }, T_ACK, 1, "EVIL",
			   sf_ids_packet, &ids), SF_VERDICT_PASS);
	sf_ids_fini(&ids);
}

/* A FIFO in place of the rules file (SIGHUP runs the reload inside the
 * packet loop) is refused at once, without waiting for a writer, and the
 * running rules stay; so is a device. */
Test(sf_ids, reload_refuses_a_fifo_without_blocking, .timeout = 10)
{
	struct sf_ids ids;
	char err[512] = "";

	ids_start(&ids, base_rules);
	cr_assert_eq(unlink(rules), 0);
	cr_assert_eq(mkfifo(rules, 0644), 0);
	cr_assert_eq(sf_ids_reload(&ids, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "ids.rules: not a regular file"), "%s", err);
	cr_assert_eq(ids.rs.n, 3, "old rules kept");
	cr_assert_eq(unlink(rules), 0);
	cr_assert_eq(symlink("/dev/zero", rules), 0);
	cr_assert_eq(sf_ids_reload(&ids, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "ids.rules: not a regular file"), "%s", err);
	cr_assert_eq(tsend(C, T_ACK, 1, "DROPME", sf_ids_packet, &ids),
		     SF_VERDICT_DROP, "old database still scans");
	sf_ids_fini(&ids);
}

Test(sf_ids, empty_rules_pass_everything)
{
	struct sf_ids ids;

	ids_start(&ids, "# nothing yet\n");
	cr_assert_null(ids.db);
	cr_assert_eq(tsend(C, T_ACK, 1, "EVIL", sf_ids_packet, &ids), SF_VERDICT_PASS);
	cr_assert_eq(ids.alerts, 0);
	sf_ids_fini(&ids);
}
