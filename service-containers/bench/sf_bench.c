// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf_bench.c - packets per second of each SF's per-frame path on one
 * core, without sockets: crafted Ethernet+NSH+IPv4+TCP frames (1024
 * flows, 64 B of payload) go through sf_frame_process() with the SF's
 * real packet function (its own clock reads included), and the same loop
 * with no SF function (parse NSH + inner packet, decrement SI) is the
 * baseline, measured in the same run. Each frame is copied from its
 * template first (NAT rewrites it) and gets its flow's next TCP sequence
 * number (so sf-ids scans every payload as new stream bytes instead of
 * skipping it as a retransmission), in every case alike.
 *
 * usage: sf-bench [FRAMES_PER_SF (default 2000000)] [CPU (default last)]
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "counter.h"
#include "firewall.h"
#include "frame.h"
#include "ids.h"
#include "monitor.h"
#include "nat.h"
#include "ratelimit.h"

#define NFLOWS 1024
#define PAYLOAD 64
#define FRAME_CAP 256

static uint8_t tmpl[NFLOWS][FRAME_CAP];
static uint32_t tmpl_len, tcp_off;
static uint32_t next_seq[NFLOWS];

static void build_frames(void)
{
	struct sf_nsh_params np = { .spi = 9, .si = 255,
				    .next_proto = SFC_NSH_NP_IPV4 };
	unsigned int i;

	for (i = 0; i < NFLOWS; i++) {
		uint8_t *b = tmpl[i], *ip, *tcp;
		int nsh;

		b[12] = 0x89;
		b[13] = 0x4F;
		nsh = sf_nsh_build_sfc((struct sfc_nsh_hdr *)(b + 14), &np, 1, 0);
		ip = b + 14 + nsh;
		tcp = ip + 20;
		ip[0] = 0x45;
		ip[3] = 20 + 20 + PAYLOAD;
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		ip[12] = 192; ip[13] = 168; ip[14] = (uint8_t)(i >> 8); ip[15] = (uint8_t)i;
		ip[16] = 10; ip[17] = 9; ip[18] = 0; ip[19] = 1;
		tcp[0] = (uint8_t)((40000 + i) >> 8);
		tcp[1] = (uint8_t)(40000 + i);
		tcp[3] = 80;
		tcp[12] = 5 << 4;
		tcp[13] = 0x10; /* ACK */
		tmpl_len = (uint32_t)(14 + nsh + 20 + 20 + PAYLOAD);
		tcp_off = (uint32_t)(tcp - b);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Frame @i of flow @i % NFLOWS into @work: its template, then the
 * flow's next sequence number (the stream advances by PAYLOAD bytes). */
static void next_frame(uint8_t *work, unsigned long i)
{
	unsigned int flow = (unsigned int)(i % NFLOWS);
	uint32_t seq = htonl(next_seq[flow]);

	memcpy(work, tmpl[flow], tmpl_len);
	memcpy(work + tcp_off + 4, &seq, 4);
	next_seq[flow] += PAYLOAD;
}

/* Mpps of @n frames through @fn; 0 if any frame was not passed. */
static double run(sf_pkt_fn fn, void *ctx, unsigned long n)
{
	static uint8_t work[FRAME_CAP];
	struct virtio_net_hdr vnet = { 0 };
	struct sf_counters c = { 0 };
	struct sf_frame f = { .data = work, .vnet = &vnet };
	unsigned long i;
	double t0;

	for (i = 0; i < NFLOWS; i++) { /* warm up: create state */
		next_frame(work, i);
		f.len = f.wire_len = tmpl_len;
		sf_frame_process(&c, &f, fn, ctx);
	}
	memset(&c, 0, sizeof(c));
	t0 = now_s();
	for (i = 0; i < n; i++) {
		next_frame(work, i);
		f.len = f.wire_len = tmpl_len;
		sf_frame_process(&c, &f, fn, ctx);
	}
	t0 = now_s() - t0;
	if (c.tx_packets != n) {
		fprintf(stderr, "sf-bench: only %llu of %lu frames passed\n",
			(unsigned long long)c.tx_packets, n);
		return 0;
	}
	return (double)n / t0 / 1e6;
}

static int configure(sf_config_apply_fn fn, void *ctx, const char *json)
{
	char err[512] = "";
	cJSON *cfg = cJSON_Parse(json);
	int ret = fn(ctx, cfg, "bench", err, sizeof(err));

	cJSON_Delete(cfg);
	if (ret)
		fprintf(stderr, "sf-bench: config: %s\n", err);
	return ret;
}

/* sf-monitor writing its records to @dir; 0 or -1. */
static int mon_setup(struct sf_mon *m, const char *dir)
{
	struct sf_mon_cfg cfg;
	char err[512] = "", json[600];
	cJSON *c;
	int ret;

	snprintf(json, sizeof(json), "{\"output\": \"%s/flows.jsonl\"}", dir);
	c = cJSON_Parse(json);
	ret = sf_mon_parse_cfg(c, "bench", &cfg, err, sizeof(err));
	cJSON_Delete(c);
	if (!ret)
		ret = sf_mon_init(m, &cfg, err, sizeof(err));
	if (ret)
		fprintf(stderr, "sf-bench: sf-monitor: %s\n", err);
	return ret ? -1 : 0;
}

/*
 * sf-ids with a rules file of @dir: signatures of the kind the README
 * shows, none of which the benchmark's all-zero payload matches, so every
 * byte is scanned and every frame passes. 0 or -1.
 */
static int ids_setup(struct sf_ids *ids, const char *dir)
{
	static const char *const rules =
		"id:1 action:drop proto:tcp port:80 pattern:/\\/etc\\/passwd/\n"
		"id:2 action:alert proto:tcp port:80-8080 pattern:/User-Agent: (sqlmap|nikto)/i\n"
		"id:3 action:drop proto:tcp pattern:/\\x90{16}/\n"
		"id:4 action:alert proto:any pattern:/union\\s+select/i\n"
		"id:5 action:drop proto:tcp port:22 pattern:/SSH-1\\.[0-4]/\n"
		"id:6 action:alert proto:udp port:53 pattern:/\\x00\\x00\\xfc/\n";
	struct sf_ids_cfg cfg = { .max_flows = 2 * NFLOWS,
				  .idle_ms = SF_IDS_IDLE_S_DEFAULT * 1000 };
	char err[512] = "";
	FILE *f;
	int ret;

	snprintf(cfg.rules, sizeof(cfg.rules), "%s/ids.rules", dir);
	f = fopen(cfg.rules, "w");
	if (!f || fputs(rules, f) < 0 || fclose(f)) {
		perror("sf-bench: sf-ids rules");
		return -1;
	}
	ret = sf_ids_init(ids, &cfg, err, sizeof(err));
	if (ret)
		fprintf(stderr, "sf-bench: sf-ids: %s\n", err);
	return ret ? -1 : 0;
}

static void pin(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = argc > 2 ? atoi(argv[2]) : (int)(ncpu > 0 ? ncpu - 1 : 0);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sf-bench: sched_setaffinity");
	printf("sf-bench: pinned to CPU %d, %d flows, TCP, %d B payload\n",
	       cpu, NFLOWS, PAYLOAD);
}

static void report(const char *name, double mpps, double base)
{
	printf("  %-26s %7.2f Mpps  %5.2fx baseline  %6.1f ns/frame\n", name,
	       mpps, base > 0 ? mpps / base : 0, mpps > 0 ? 1e3 / mpps : 0);
}

int main(int argc, char **argv)
{
	static const char *rules =
		"{\"rules\": [{\"action\": \"deny\", \"protocol\": \"udp\", \"dport\": 53},"
		"{\"action\": \"deny\", \"protocol\": \"tcp\", \"dport\": \"23\"},"
		"{\"action\": \"deny\", \"src\": \"203.0.113.0/24\"},"
		"{\"action\": \"deny\", \"protocol\": \"tcp\", \"dst\": \"10.8.0.0/16\", \"dport\": \"1-1024\"},"
		"{\"action\": \"allow\", \"protocol\": \"tcp\", \"src\": \"192.168.0.0/16\", \"dport\": 80}],"
		" \"default\": \"deny\"}";
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	static struct sf_firewall fw;
	static struct sf_nat nat;
	static struct sf_rl rl;
	static struct sf_counter cnt;
	static struct sf_mon mon;
	static struct sf_ids ids;
	char dir[] = "/tmp/sf-bench.XXXXXX";
	double base;

	pin(argc, argv);
	build_frames();
	if (configure(sf_firewall_configure, &fw, rules) ||
	    configure(sf_nat_configure, &nat, "{\"nat_ip\": \"10.250.0.1\"}") ||
	    configure(sf_rl_configure, &rl, "{\"rate_bps\": 1000000000000, "
					    "\"burst_bytes\": 1000000000}") ||
	    configure(sf_counter_configure, &cnt, "{}") || !mkdtemp(dir) ||
	    mon_setup(&mon, dir) || ids_setup(&ids, dir))
		return 1;
	printf("per-frame path, %lu frames each:\n", n);
	base = run(NULL, NULL, n);
	report("baseline (NSH + SI only)", base, base);
	report("sf-firewall (conntrack)", run(sf_firewall_on_packet, &fw, n), base);
	report("sf-nat", run(sf_nat_on_packet, &nat, n), base);
	report("sf-ratelimit", run(sf_rl_on_packet, &rl, n), base);
	report("sf-counter", run(sf_counter_on_packet, &cnt, n), base);
	report("sf-monitor", run(sf_mon_packet, &mon, n), base);
	report("sf-ids (6 signatures)", run(sf_ids_packet, &ids, n), base);
	if (ids.scanned_bytes < (uint64_t)n * PAYLOAD || ids.retrans_skipped)
		fprintf(stderr, "sf-bench: sf-ids scanned %llu bytes, skipped "
			"%llu as retransmitted\n",
			(unsigned long long)ids.scanned_bytes,
			(unsigned long long)ids.retrans_skipped);
	sf_firewall_free(&fw);
	sf_nat_free(&nat);
	sf_rl_free(&rl);
	sf_counter_free(&cnt);
	sf_mon_fini(&mon);
	sf_ids_fini(&ids);
	/* remove the records written under dir */
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			fprintf(stderr, "sf-bench: could not remove %s\n", dir);
	}
	return 0;
}
