// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_monitor_flowrec.c - the flow record format shared by sf-monitor
 * (writer) and `sfcctl flows` (reader): round trip, parse errors, loading
 * a file and its rotations, keeping the latest record of each flow
 * instance, sorting by bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "sfc_flowrec.h"

static const struct sfc_flowrec rec = {
	.proto = "tcp", .src = "2001:db8::1", .dst = "2001:db8::2",
	.sport = 443, .dport = 51000, .packets = 12, .bytes = 9000,
	.first_ms = 1700000000000ull, .last_ms = 1700000000250ull,
	.tcp_flags = "SYN|ACK", .end = "fin",
};

Test(sfc_flowrec, format_parse_round_trip)
{
	char line[SFC_FLOWREC_LINE_MAX];
	struct sfc_flowrec r;
	int n = sfc_flowrec_format(&rec, line, sizeof(line));

	cr_assert_gt(n, 0);
	cr_assert_eq(line[n - 1], '\n');
	cr_assert_eq(sfc_flowrec_parse(line, &r), 0);
	cr_assert_eq(memcmp(&r, &rec, sizeof(r)), 0);
	cr_assert_eq(sfc_flowrec_format(&rec, line, 40), -ENOSPC);
}

Test(sfc_flowrec, parse_rejects_bad_lines)
{
	static const char *const bad[] = {
		"", "not json", "[]", "{}",
		"{\"proto\":\"tcp\",\"src\":\"a\",\"sport\":1,\"dst\":\"b\",\"dport\":2,"
		"\"packets\":1,\"bytes\":1,\"first_ms\":1,\"last_ms\":1}", /* no end */
		"{\"proto\":\"tcp\",\"src\":\"a\",\"sport\":65536,\"dst\":\"b\",\"dport\":2,"
		"\"packets\":1,\"bytes\":1,\"first_ms\":1,\"last_ms\":1,\"end\":\"fin\"}",
		"{\"proto\":\"tcp\",\"src\":\"a\",\"sport\":1,\"dst\":\"b\",\"dport\":2,"
		"\"packets\":-1,\"bytes\":1,\"first_ms\":1,\"last_ms\":1,\"end\":\"fin\"}",
		"{\"proto\":\"tcp\",\"src\":\"a\",\"sport\":1,\"dst\":\"b\",\"dport\":2,"
		"\"packets\":1.5,\"bytes\":1,\"first_ms\":1,\"last_ms\":1,\"end\":\"fin\"}",
		"{\"proto\":\"tcp\",\"src\":7,\"sport\":1,\"dst\":\"b\",\"dport\":2,"
		"\"packets\":1,\"bytes\":1,\"first_ms\":1,\"last_ms\":1,\"end\":\"fin\"}",
		"{\"proto\":\"tcpudpicmpxx\",\"src\":\"a\",\"sport\":1,\"dst\":\"b\",\"dport\":2,"
		"\"packets\":1,\"bytes\":1,\"first_ms\":1,\"last_ms\":1,\"end\":\"fin\"}",
	};
	struct sfc_flowrec r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sfc_flowrec_parse(bad[i], &r), -EINVAL, "%zu", i);
	/* tcp_flags is optional */
	cr_assert_eq(sfc_flowrec_parse("{\"proto\":\"udp\",\"src\":\"a\",\"sport\":1,"
		"\"dst\":\"b\",\"dport\":2,\"packets\":1,\"bytes\":1,"
		"\"first_ms\":1,\"last_ms\":1,\"end\":\"idle\"}\n", &r), 0);
	cr_assert_str_eq(r.tcp_flags, "");
}

static void put(FILE *f, const char *src, uint16_t sport, uint64_t first,
		uint64_t last, uint64_t packets, uint64_t bytes, const char *end)
{
	struct sfc_flowrec r = rec;
	char line[SFC_FLOWREC_LINE_MAX];

	snprintf(r.src, sizeof(r.src), "%s", src);
	r.sport = sport;
	r.first_ms = first;
	r.last_ms = last;
	r.packets = packets;
	r.bytes = bytes;
	snprintf(r.end, sizeof(r.end), "%s", end);
	cr_assert_gt(sfc_flowrec_format(&r, line, sizeof(line)), 0);
	fputs(line, f);
}

Test(sfc_flowrec, load_rotations_latest_per_flow_sorted_by_bytes)
{
	char dir[] = "/tmp/sfrecXXXXXX", path[64], p1[80], p3[80];
	struct sfc_flowrec_set set;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/flows.jsonl", dir);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p3, sizeof(p3), "%s.3", path); /* .2 missing: skipped */
	cr_assert_eq(sfc_flowrec_load(path, 5, &set), -ENOENT);
	f = fopen(p3, "w");
	put(f, "10.0.0.1", 1, 100, 200, 2, 100, "active");  /* flow A, old */
	fclose(f);
	f = fopen(p1, "w");
	put(f, "10.0.0.1", 1, 100, 900, 9, 5000, "active"); /* flow A */
	put(f, "10.0.0.2", 2, 100, 150, 1, 70, "idle");     /* flow B */
	fclose(f);
	f = fopen(path, "w");
	put(f, "10.0.0.1", 1, 100, 1000, 10, 6000, "fin");  /* flow A, last */
	fputs("{broken\n\n", f);
	put(f, "10.0.0.1", 1, 5000, 5100, 3, 300, "rst");   /* A reused port */
	fclose(f);
	cr_assert_eq(sfc_flowrec_load(path, 5, &set), 0);
	cr_assert_eq(set.files, 3);
	cr_assert_eq(set.bad_lines, 1);
	cr_assert_eq(set.n, 3);
	cr_assert_eq(set.r[0].bytes, 6000);
	cr_assert_str_eq(set.r[0].end, "fin");
	cr_assert_eq(set.r[1].bytes, 300);
	cr_assert_eq(set.r[1].first_ms, 5000);
	cr_assert_eq(set.r[2].bytes, 70);
	sfc_flowrec_free(&set);
	unlink(path);
	unlink(p1);
	unlink(p3);
	rmdir(dir);
}

Test(sfc_flowrec, tcp_flags_names)
{
	char b[40];

	sfc_tcp_flags_str(0x13, b, sizeof(b));
	cr_assert_str_eq(b, "FIN|SYN|ACK");
	sfc_tcp_flags_str(0, b, sizeof(b));
	cr_assert_str_eq(b, "");
	sfc_tcp_flags_str(0xFF, b, sizeof(b));
	cr_assert_str_eq(b, "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR");
}
