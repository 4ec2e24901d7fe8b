// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpft.c - fixtures for the BPF program tests (see bpft.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "bpft.h"
#include "sfc_log.h"

struct bpft T;

const uint8_t MAC_GW[6] = { 0x02, 0, 0, 0, 0xee, 0xee };

static const struct {
	uint32_t vpid;
	struct sfc_endpoint ep;
	const char *ip4, *ip6;
} topo[] = {
	{ VPID_A, { 1010, SFC_ROLE_APP, 0, 0, { 2, 0, 0, 0, 0x0a, 1 },
		    { 2, 0, 0, 0, 0x0a, 0xfe } }, "10.0.0.10", "fd00::10" },
	{ VPID_B, { 1011, SFC_ROLE_APP, 0, 0, { 2, 0, 0, 0, 0x0b, 1 },
		    { 2, 0, 0, 0, 0x0b, 0xfe } }, "10.0.0.11", "fd00::11" },
	{ VPID_SF1, { 1020, SFC_ROLE_SF, 0, 1, { 2, 0, 0, 0, 0x20, 1 },
		      { 2, 0, 0, 0, 0x20, 0xfe } }, NULL, NULL },
	{ VPID_SF2, { 1021, SFC_ROLE_SF, 0, 2, { 2, 0, 0, 0, 0x21, 1 },
		      { 2, 0, 0, 0, 0x21, 0xfe } }, NULL, NULL },
	{ VPID_SF3, { 1022, SFC_ROLE_SF, 0, 1, { 2, 0, 0, 0, 0x22, 1 },
		      { 2, 0, 0, 0, 0x22, 0xfe } }, NULL, NULL },
	{ VPID_SF4, { 1023, SFC_ROLE_SF, 0, 1, { 2, 0, 0, 0, 0x23, 1 },
		      { 2, 0, 0, 0, 0x23, 0xfe } }, NULL, NULL },
	{ VPID_UN, { 1024, SFC_ROLE_SF, 0, 3, { 2, 0, 0, 0, 0x24, 1 },
		     { 2, 0, 0, 0, 0x24, 0xfe } }, NULL, NULL },
};

const struct sfc_endpoint *bpft_ep(uint32_t vpid)
{
	for (size_t i = 0; i < sizeof(topo) / sizeof(topo[0]); i++)
		if (topo[i].vpid == vpid)
			return &topo[i].ep;
	return NULL;
}

static int prog_fd(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/progs/%s", T.pin_dir, name);
	return bpf_obj_get(path);
}

void bpft_setup(void)
{
	int err;

	if (geteuid() != 0)
		cr_skip_test("BPF tests need root (bpffs, BPF_PROG_TEST_RUN)");
	sfc_log_init("bpf-tests", SFC_LOG_ERROR);
	sfc_log_libbpf();
	memset(&T, 0, sizeof(T));
	T.from_pod_fd = T.from_sf_fd = -1;
	snprintf(T.pin_dir, sizeof(T.pin_dir), "/sys/fs/bpf/sfct-%d", getpid());
	err = sfc_dp_init(T.pin_dir);
	cr_assert_eq(err, 0, "sfc_dp_init(%s): %s", T.pin_dir, strerror(-err));
	err = sfc_dp_open(T.pin_dir, &T.dp);
	cr_assert_eq(err, 0, "sfc_dp_open: %s", strerror(-err));
	T.from_pod_fd = prog_fd(SFC_PROG_FROM_POD);
	T.from_sf_fd = prog_fd(SFC_PROG_FROM_SF);
	cr_assert(T.from_pod_fd >= 0 && T.from_sf_fd >= 0);
	for (size_t i = 0; i < sizeof(topo) / sizeof(topo[0]); i++) {
		struct sfc_ip_key ips[2];
		int n = 0;

		if (topo[i].ip4)
			sfc_dp_ip_key(topo[i].ip4, &ips[n++]);
		if (topo[i].ip6)
			sfc_dp_ip_key(topo[i].ip6, &ips[n++]);
		err = sfc_dp_endpoint_put(&T.dp, topo[i].vpid, &topo[i].ep,
					  ips, n);
		cr_assert_eq(err, 0, "endpoint_put %u: %d", topo[i].vpid, err);
	}
}

void bpft_teardown(void)
{
	if (T.from_pod_fd > 0)
		close(T.from_pod_fd);
	if (T.from_sf_fd > 0)
		close(T.from_sf_fd);
	sfc_dp_close(&T.dp);
	if (T.pin_dir[0])
		sfc_dp_remove_all(T.pin_dir);
}

void bpft_map_lo(uint32_t vpid)
{
	uint32_t lo = 1;

	cr_assert_eq(bpf_map_update_elem(T.dp.ifindex_fd, &lo, &vpid, BPF_ANY), 0);
}

void bpft_group(uint32_t group, const uint32_t *vpids, const uint8_t *flags,
		int n)
{
	struct sfc_group g = { .n_members = (uint32_t)n };

	for (int i = 0; i < n; i++) {
		g.m[i].vpid = (uint16_t)vpids[i];
		g.m[i].flags = flags ? flags[i] : 0;
	}
	cr_assert_eq(bpf_map_update_elem(T.dp.groups_fd, &group, &g, BPF_ANY), 0);
}

void bpft_hop(uint32_t spi, uint32_t si, uint8_t kind, uint32_t group,
	      uint8_t flags, uint8_t policy)
{
	struct sfc_hop hop = { .group = group, .kind = kind, .flags = flags,
			       .policy = policy };
	uint32_t sp = SFC_SP(spi, si);
	struct sfc_group g;

	if (kind == SFC_HOP_SF && group && group < SFC_MAX_ENDPOINTS &&
	    (bpf_map_lookup_elem(T.dp.groups_fd, &group, &g) || !g.n_members))
		bpft_group(group, &group, NULL, 1);
	cr_assert_eq(bpf_map_update_elem(T.dp.paths_fd, &sp, &hop, BPF_ANY), 0);
}

void bpft_sf_down(uint32_t vpid, int down)
{
	uint32_t v = down ? SFC_SF_F_DOWN : 0;

	cr_assert_eq(bpf_map_update_elem(T.dp.sf_state_fd, &vpid, &v, BPF_ANY), 0);
}

struct sfc_sf_stats bpft_sf_stats(uint32_t vpid)
{
	int n = libbpf_num_possible_cpus();
	struct sfc_sf_stats v[n], sum = {};

	cr_assert_eq(bpf_map_lookup_elem(T.dp.sf_stats_fd, &vpid, v), 0);
	for (int i = 0; i < n; i++) {
		sum.to_sf_packets += v[i].to_sf_packets;
		sum.to_sf_bytes += v[i].to_sf_bytes;
		sum.from_sf_packets += v[i].from_sf_packets;
		sum.from_sf_bytes += v[i].from_sf_bytes;
		sum.flows_pinned += v[i].flows_pinned;
		sum.flows_moved_away += v[i].flows_moved_away;
	}
	return sum;
}

struct sfc_flow bpft_flow(uint32_t id)
{
	struct sfc_flow f = {};

	cr_assert_eq(bpf_map_lookup_elem(T.dp.flows_fd, &id, &f), 0,
		     "flow %08x in sfc_flows", id);
	return f;
}

uint32_t nsh_flow_id(const uint8_t *frame)
{
	uint32_t v;

	memcpy(&v, frame + 14 + 16, 4);
	return ntohl(v);
}

void bpft_policy(uint32_t vpid, uint32_t dir, const struct sfc_rule *rules,
		 int n)
{
	struct sfc_policy_key key = { .vpid = vpid, .dir = dir };
	struct sfc_policy pol = { .n_rules = n };

	memcpy(pol.rules, rules, n * sizeof(*rules));
	cr_assert_eq(bpf_map_update_elem(T.dp.policy_fd, &key, &pol, BPF_ANY), 0);
}

uint64_t bpft_drops(int reason)
{
	uint64_t d[SFC_DROP_REASON_MAX];

	cr_assert_eq(sfc_dp_drops_sum(&T.dp, d), 0);
	return d[-reason];
}

uint64_t bpft_drops_total(void)
{
	uint64_t d[SFC_DROP_REASON_MAX], sum = 0;

	cr_assert_eq(sfc_dp_drops_sum(&T.dp, d), 0);
	for (int i = 0; i < SFC_DROP_REASON_MAX; i++)
		sum += d[i];
	return sum;
}

struct sfc_hop_stats bpft_stats(uint32_t spi, uint32_t si)
{
	struct sfc_hop_stats st = {};

	sfc_dp_hop_stats_sum(&T.dp, SFC_SP(spi, si), &st);
	return st;
}

void pkt_bytes(struct pkt *p, const void *b, uint32_t n)
{
	cr_assert(p->len + n <= sizeof(p->b));
	memcpy(p->b + p->len, b, n);
	p->len += n;
}

static void put16(struct pkt *p, uint16_t v)
{
	v = htons(v);
	pkt_bytes(p, &v, 2);
}

static void put32(struct pkt *p, uint32_t v)
{
	v = htonl(v);
	pkt_bytes(p, &v, 4);
}

void pkt_eth(struct pkt *p, const uint8_t *dst, const uint8_t *src,
	     uint16_t type)
{
	pkt_bytes(p, dst, 6);
	pkt_bytes(p, src, 6);
	put16(p, type);
}

void pkt_nsh(struct pkt *p, uint32_t word, uint32_t sp, uint32_t tlv,
	     uint32_t ep, uint32_t flow_id)
{
	put32(p, word);
	put32(p, sp);
	put32(p, tlv);
	put32(p, ep);
	put32(p, flow_id);
}

uint32_t nsh_word(uint32_t ttl, uint32_t np)
{
	return (ttl << 22) | (5u << 16) | (2u << 8) | np;
}

uint16_t ip_csum(const void *hdr, size_t len)
{
	const uint8_t *b = hdr;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

void pkt_ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto,
	      uint8_t ttl, uint16_t l4_len)
{
	uint8_t h[20] = { 0x45, 0 };
	uint16_t c;

	h[2] = (20 + l4_len) >> 8;
	h[3] = (20 + l4_len) & 0xFF;
	h[5] = 1; /* id */
	h[8] = ttl;
	h[9] = proto;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
	c = ip_csum(h, 20);
	h[10] = c >> 8;
	h[11] = c & 0xFF;
	pkt_bytes(p, h, 20);
}

void pkt_ipv6(struct pkt *p, const char *src, const char *dst, uint8_t proto,
	      uint8_t hlim, uint16_t l4_len)
{
	uint8_t h[40] = { 0x60, 0 };

	h[4] = l4_len >> 8;
	h[5] = l4_len & 0xFF;
	h[6] = proto;
	h[7] = hlim;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	pkt_bytes(p, h, 40);
}

void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t h[20] = { 0 };

	h[0] = sport >> 8;
	h[1] = sport & 0xFF;
	h[2] = dport >> 8;
	h[3] = dport & 0xFF;
	h[12] = 5 << 4; /* data offset */
	h[13] = 0x02;   /* SYN */
	h[15] = 0xFF;   /* window */
	pkt_bytes(p, h, 20);
}

void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t plen)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, 8 + plen);
	put16(p, 0);
	for (uint16_t i = 0; i < plen; i++)
		pkt_bytes(p, "x", 1);
}

void pkt_tcp4(struct pkt *p, const char *dst, uint16_t dport, uint8_t ttl)
{
	p->len = 0;
	pkt_eth(p, MAC_GW, bpft_ep(VPID_A)->mac, 0x0800);
	pkt_ipv4(p, "10.0.0.10", dst, 6, ttl, 20);
	pkt_tcp(p, 40000, dport);
}

void pkt_udp6(struct pkt *p, const char *dst, uint16_t dport, uint8_t hlim)
{
	p->len = 0;
	pkt_eth(p, MAC_GW, bpft_ep(VPID_A)->mac, 0x86DD);
	pkt_ipv6(p, "fd00::10", dst, 17, hlim, 8 + 4);
	pkt_udp(p, 40000, dport, 4);
}

static int try_run_ctx(int prog_fd, const struct pkt *p, struct __sk_buff *ctx,
		       struct run_out *out)
{
	struct __sk_buff ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b,
		    .data_size_in = p->len, .data_out = out->data,
		    .data_size_out = sizeof(out->data), .ctx_in = ctx,
		    .ctx_size_in = sizeof(*ctx), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	out->len = opts.data_size_out;
	out->retval = (int)opts.retval;
	out->mark = ctx_out.mark;
	return 0;
}

int bpft_try_run(int prog_fd, const struct pkt *p, uint32_t mark,
		 struct run_out *out)
{
	struct __sk_buff ctx = { .ifindex = 1, .mark = mark };

	return try_run_ctx(prog_fd, p, &ctx, out);
}

int bpft_try_run_gso(int prog_fd, const struct pkt *p, uint32_t gso_size,
		     struct run_out *out)
{
	struct __sk_buff ctx = { .ifindex = 1, .gso_size = gso_size };

	return try_run_ctx(prog_fd, p, &ctx, out);
}

void bpft_run(int prog_fd, const struct pkt *p, uint32_t mark,
	      struct run_out *out)
{
	int err = bpft_try_run(prog_fd, p, mark, out);

	cr_assert_eq(err, 0, "BPF_PROG_TEST_RUN: %s", strerror(-err));
}

void bpft_path_gen(uint32_t spi, uint32_t gen)
{
	struct sfc_hop hop;

	for (uint32_t si = 255; si >= 240; si--) {
		uint32_t sp = SFC_SP(spi, si);

		if (bpf_map_lookup_elem(T.dp.paths_fd, &sp, &hop))
			continue;
		hop.gen = gen;
		cr_assert_eq(bpf_map_update_elem(T.dp.paths_fd, &sp, &hop,
						 BPF_ANY), 0);
	}
}

uint64_t bpft_ctrl_stat(int stat)
{
	uint64_t v[SFC_CTRL_ST_MAX];

	cr_assert_eq(sfc_dp_ctrl_stats_sum(&T.dp, v), 0);
	return v[stat];
}

void bpft_sf_back(struct pkt *p, const struct run_out *out, uint32_t vpid)
{
	cr_assert(out->len <= sizeof(p->b));
	memcpy(p->b, out->data, out->len);
	p->len = out->len;
	memcpy(p->b, bpft_ep(vpid)->host_mac, 6);
	memcpy(p->b + 6, bpft_ep(vpid)->mac, 6);
	p->b[14 + 7]--;
	bpft_map_lo(vpid);
}

void bpft_pkt_from_sf(struct pkt *p, uint32_t vpid, uint32_t word,
		      uint32_t si, uint32_t flow_id)
{
	const struct sfc_endpoint *sf = bpft_ep(vpid);
	struct pkt ip;

	pkt_tcp4(&ip, "10.0.0.11", 80, 64);
	p->len = 0;
	pkt_eth(p, sf->host_mac, sf->mac, 0x894F);
	pkt_nsh(p, word, SFC_SP(SPI, si), NSH_TLV, NSH_EP(VPID_A, 0), flow_id);
	pkt_bytes(p, ip.b + 14, ip.len - 14);
}

void pkt_ctrl_tlv(struct pkt *p, uint8_t version, uint8_t action,
		  uint8_t flags, uint32_t flow_id)
{
	const uint32_t at = 14 + 20;
	uint8_t tlv[12] = { 0xFF, 0xF6, 0x02, 8, version, action, flags, 0 };

	cr_assert(p->len + sizeof(tlv) <= sizeof(p->b) && p->len >= at);
	flow_id = htonl(flow_id);
	memcpy(tlv + 8, &flow_id, 4);
	memmove(p->b + at + sizeof(tlv), p->b + at, p->len - at);
	memcpy(p->b + at, tlv, sizeof(tlv));
	p->len += sizeof(tlv);
	p->b[15] = (p->b[15] & 0xC0) | 8; /* NSH Length: 8 words */
}
