// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_spoof.c - anti-spoofing in sfc_from_pod: a pod's packets must carry
 * its MAC and one of its addresses (or a prefix allowed for it through
 * sfc_allowed_src); spoofed IPv4 / IPv6 sources are dropped and counted as
 * "spoofed", also where an ingress rule keyed on the source would have
 * been skipped; ND, DAD and other link-scope traffic from the unspecified
 * or a link-local address keeps working; the allowed prefixes as libsfcdp
 * and reconcile write them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"
#include "sfc_control.h"

TestSuite(spoof, .init = bpft_setup, .fini = bpft_teardown);

#define VPID_V 12 /* a third app pod, 10.0.0.12 / fd00::12 */

static const uint8_t OTHER_MAC[6] = { 0x02, 0, 0, 0, 0x99, 0x99 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* UDP @src:40000 -> @dst:53 from MAC @mac (IPv6 when @dst has a ':'). */
static void udp_pkt(struct pkt *p, const uint8_t *mac, const char *src,
		    const char *dst)
{
	bool v6 = strchr(dst, ':') != NULL;

	p->len = 0;
	pkt_eth(p, MAC_GW, mac, v6 ? 0x86DD : 0x0800);
	if (v6)
		pkt_ipv6(p, src, dst, 17, 64, 8 + 4);
	else
		pkt_ipv4(p, src, dst, 17, 64, 8 + 4);
	pkt_udp(p, 40000, 53, 4);
}

/* ICMPv6 message of @type with @len bytes (the rest zero; @target at
 * offset 8 if given), from @src to @dst, hop limit 255. */
static void icmp6_pkt(struct pkt *p, const char *src, const char *dst,
		      uint8_t type, const char *target, uint16_t len)
{
	uint8_t icmp[32] = { type };

	if (target)
		inet_pton(AF_INET6, target, icmp + 8);
	p->len = 0;
	pkt_eth(p, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 },
		bpft_ep(VPID_A)->mac, 0x86DD);
	pkt_ipv6(p, src, dst, 58, 255, len);
	pkt_bytes(p, icmp, len);
}

static void put_v(void)
{
	struct sfc_endpoint ep = { .ifindex = 1012, .role = SFC_ROLE_APP,
				   .mac = { 2, 0, 0, 0, 0x0c, 1 },
				   .host_mac = { 2, 0, 0, 0, 0x0c, 0xfe } };
	struct sfc_ip_key ips[2];

	sfc_dp_ip_key("10.0.0.12", &ips[0]);
	sfc_dp_ip_key("fd00::12", &ips[1]);
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, VPID_V, &ep, ips, 2), 0);
}

struct src_case {
	const char *name;
	const uint8_t *mac; /* NULL: A's */
	const char *src, *dst;
	int verdict;
};

/* Run each case from pod A; a V_SHOT must be counted as spoofed, and
 * nothing else may be dropped. */
static void run_from_a(const struct src_case *cases, size_t n)
{
	struct run_out out;
	struct pkt p;

	bpft_map_lo(VPID_A);
	for (size_t i = 0; i < n; i++) {
		const struct src_case *c = &cases[i];
		uint64_t before = bpft_drops(SFC_DROP_SPOOFED);
		uint64_t total = bpft_drops_total();

		udp_pkt(&p, c->mac ? c->mac : bpft_ep(VPID_A)->mac, c->src, c->dst);
		bpft_run(T.from_pod_fd, &p, 0, &out);
		cr_expect_eq(out.retval, c->verdict, "case '%s': verdict %d",
			     c->name, out.retval);
		cr_expect_eq(bpft_drops(SFC_DROP_SPOOFED),
			     before + (c->verdict == V_SHOT), "case '%s': spoofed count",
			     c->name);
		cr_expect_eq(bpft_drops_total(), total + (c->verdict == V_SHOT),
			     "case '%s': other drops", c->name);
	}
}

Test(spoof, foreign_sources_dropped_own_pass)
{
	static const struct src_case cases[] = {
		{ "IPv4: B's address to B", NULL, "10.0.0.11", "10.0.0.11", V_SHOT },
		{ "IPv4: B's address off-node", NULL, "10.0.0.11", "192.0.2.1", V_SHOT },
		{ "IPv4: nobody's address", NULL, "10.0.0.99", "10.0.0.11", V_SHOT },
		{ "IPv4: 0.0.0.0 to a pod", NULL, "0.0.0.0", "10.0.0.11", V_SHOT },
		{ "IPv6: B's address to B", NULL, "fd00::11", "fd00::11", V_SHOT },
		{ "IPv6: nobody's address off-node", NULL, "2001:db8::5", "2001:db8::1", V_SHOT },
		{ "IPv6: link-local to a pod", NULL, "fe80::a:1", "fd00::11", V_SHOT },
		{ "IPv6: :: to a pod", NULL, "::", "fd00::11", V_SHOT },
		{ "IPv4: own address to B", NULL, "10.0.0.10", "10.0.0.11", V_REDIRECT },
		{ "IPv4: own address off-node", NULL, "10.0.0.10", "192.0.2.1", V_NEXT },
		{ "IPv6: own address to B", NULL, "fd00::10", "fd00::11", V_REDIRECT },
		{ "IPv6: own address off-node", NULL, "fd00::10", "2001:db8::1", V_NEXT },
		{ "IPv4: own address, foreign MAC", OTHER_MAC, "10.0.0.10", "10.0.0.11", V_SHOT },
		{ "IPv6: own address, foreign MAC", OTHER_MAC, "fd00::10", "fd00::11", V_SHOT },
	};

	run_from_a(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * The reported hole: S (here B) sends its UDP from pod A through a chain
 * (an ingress rule selecting source A). A frame from A with a third pod
 * V's source address used to miss that rule and be delivered straight to
 * B; it is dropped now, and never classified.
 */
Test(spoof, ingress_rule_on_source_cannot_be_bypassed)
{
	struct sfc_rule from_a = { .spi = SPI, .proto = 17, .family = 4,
				   .prefix_len = 32 };
	struct run_out out;
	struct pkt p;

	put_v();
	inet_pton(AF_INET, "10.0.0.10", from_a.addr);
	bpft_policy(VPID_B, SFC_DIR_INGRESS, &from_a, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_map_lo(VPID_A);

	udp_pkt(&p, bpft_ep(VPID_A)->mac, "10.0.0.10", "10.0.0.11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF1)->mac, 6, "into the chain");

	udp_pkt(&p, bpft_ep(VPID_A)->mac, "10.0.0.12", "10.0.0.11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT, "V's source from A: verdict %d",
		     out.retval);
	cr_assert_eq(bpft_drops(SFC_DROP_SPOOFED), 1);
	cr_assert_eq(bpft_stats(SPI, 255).to_sf_packets, 1, "never classified");

	/* V itself sends from its address: no rule of B selects it. */
	bpft_map_lo(VPID_V);
	udp_pkt(&p, (const uint8_t[]){ 2, 0, 0, 0, 0x0c, 1 }, "10.0.0.12",
		"10.0.0.11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_B)->mac, 6, "delivered to B");
}

/* What a pod sends before or besides its addresses: ND with a link-local
 * source, DAD (NS and MLD reports from ::), router solicitation, mDNS,
 * DHCP from 0.0.0.0. None of it is dropped. */
Test(spoof, link_scope_traffic_passes)
{
	struct run_out out;
	struct pkt p;
	int i;

	bpft_map_lo(VPID_A);
	/* NS for the gateway from the link-local address: answered. */
	icmp6_pkt(&p, "fe80::a:1", "ff02::1:ff00:1", 135, "fd00::1", 24);
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "NS from fe80:: answered");
	/* NS from the pod's own address: answered too. */
	icmp6_pkt(&p, "fd00::10", "ff02::1:ff00:1", 135, "fd00::1", 24);
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "NS from own address answered");

	struct {
		const char *name, *src, *dst;
		uint8_t type;
		const char *target;
		uint16_t len;
	} icmp[] = {
		{ "DAD NS from ::", "::", "ff02::1:ff00:10", 135, "fd00::10", 24 },
		{ "MLDv2 report from ::", "::", "ff02::16", 143, NULL, 8 },
		{ "MLDv2 report from fe80::", "fe80::a:1", "ff02::16", 143, NULL, 8 },
		{ "router solicitation from fe80::", "fe80::a:1", "ff02::2", 133, NULL, 8 },
		{ "router solicitation from ::", "::", "ff02::2", 133, NULL, 8 },
		{ "echo to the gateway's link-local", "fe80::a:1", "fe80::1", 128, NULL, 8 },
	};
	for (i = 0; i < (int)(sizeof(icmp) / sizeof(icmp[0])); i++) {
		icmp6_pkt(&p, icmp[i].src, icmp[i].dst, icmp[i].type,
			  icmp[i].target, icmp[i].len);
		bpft_run(T.from_pod_fd, &p, 0, &out);
		cr_expect_eq(out.retval, V_NEXT, "%s: verdict %d", icmp[i].name,
			     out.retval);
	}
	udp_pkt(&p, bpft_ep(VPID_A)->mac, "fe80::a:1", "ff02::fb");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_expect_eq(out.retval, V_NEXT, "mDNS from fe80::");
	udp_pkt(&p, bpft_ep(VPID_A)->mac, "0.0.0.0", "255.255.255.255");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_expect_eq(out.retval, V_NEXT, "DHCP discover from 0.0.0.0");
	cr_assert_eq(bpft_drops_total(), 0);

	/* A global source that is not the pod's stays spoofed on the link. */
	udp_pkt(&p, bpft_ep(VPID_A)->mac, "fd00::11", "ff02::fb");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT);
	cr_assert_eq(bpft_drops(SFC_DROP_SPOOFED), 1);
}

/* The MAC the classifier learned (a gratuitous ARP after a MAC change) is
 * the only one the pod may send IP from; an endpoint whose MAC is not
 * known (all zero) is not checked for it. */
Test(spoof, learned_mac_checked)
{
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1,
					 2, 0, 0, 0, 0x99, 0x99, 10, 0, 0, 10,
					 0, 0, 0, 0, 0, 0, 10, 0, 0, 10 };
	struct sfc_endpoint ep;
	struct run_out out;
	struct pkt p;
	uint32_t v = VPID_A;

	bpft_map_lo(VPID_A);
	p.len = 0;
	pkt_eth(&p, BCAST, OTHER_MAC, 0x0806);
	pkt_bytes(&p, arp, sizeof(arp));
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.endpoints_fd, &v, &ep), 0);
	cr_assert_arr_eq(ep.mac, OTHER_MAC, 6, "new MAC learned");

	udp_pkt(&p, OTHER_MAC, "10.0.0.10", "10.0.0.11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "from the learned MAC");
	udp_pkt(&p, bpft_ep(VPID_A)->mac, "10.0.0.10", "10.0.0.11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT, "from the MAC before the change");
	cr_assert_eq(bpft_drops(SFC_DROP_SPOOFED), 1);

	memset(ep.mac, 0, sizeof(ep.mac));
	cr_assert_eq(bpf_map_update_elem(T.dp.endpoints_fd, &v, &ep, BPF_ANY), 0);
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "MAC not known: not checked");
}

static struct sfc_src_key src_key(const char *cidr)
{
	struct sfc_src_key k;

	cr_assert_eq(sfc_dp_src_key(cidr, &k), 0, "%s", cidr);
	return k;
}

Test(spoof, allowed_prefixes_pass)
{
	struct sfc_src_key keys[2] = { src_key("192.0.2.0/24"),
				       src_key("2001:db8:1::/48") };
	static const struct src_case with[] = {
		{ "in 192.0.2.0/24", NULL, "192.0.2.7", "10.0.0.11", V_REDIRECT },
		{ "outside it", NULL, "192.0.3.1", "10.0.0.11", V_SHOT },
		{ "in 2001:db8:1::/48", NULL, "2001:db8:1::5", "fd00::11", V_REDIRECT },
		{ "outside it (v6)", NULL, "2001:db8:2::5", "fd00::11", V_SHOT },
		{ "IPv4-mapped form of a v4 prefix", NULL, "::ffff:192.0.2.7", "fd00::11", V_SHOT },
		{ "in the prefix, foreign MAC", OTHER_MAC, "192.0.2.7", "10.0.0.11", V_SHOT },
	};
	static const struct src_case without[] = {
		{ "192.0.2.7 once the prefix is gone", NULL, "192.0.2.7", "10.0.0.11", V_SHOT },
		{ "own address still", NULL, "10.0.0.10", "10.0.0.11", V_REDIRECT },
	};
	struct sfc_src_key any = src_key("0.0.0.0/0");
	struct run_out out;
	struct pkt p;

	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_A, keys, 2), 0);
	run_from_a(with, sizeof(with) / sizeof(with[0]));

	/* A's prefixes are A's only. */
	bpft_map_lo(VPID_B);
	udp_pkt(&p, bpft_ep(VPID_B)->mac, "192.0.2.7", "10.0.0.10");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT, "B using A's prefix");

	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_A, NULL, 0), 0);
	run_from_a(without, sizeof(without) / sizeof(without[0]));

	/* 0.0.0.0/0: any IPv4 source (a router pod); IPv6 still checked. */
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_A, &any, 1), 0);
	bpft_map_lo(VPID_A);
	udp_pkt(&p, bpft_ep(VPID_A)->mac, "203.0.113.9", "10.0.0.11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT, "any IPv4 source");
	udp_pkt(&p, bpft_ep(VPID_A)->mac, "2001:db8::9", "fd00::11");
	bpft_run(T.from_pod_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_SHOT, "IPv6 still checked");
}

/* Every key of sfc_allowed_src, in *@out (at most @max); returns the count. */
static int src_keys(struct sfc_src_key *out, int max)
{
	struct sfc_src_key cur, next;
	void *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(T.dp.allowed_src_fd, prev, &next)) {
		cur = next;
		prev = &cur;
		cr_assert_lt(n, max);
		out[n++] = cur;
	}
	return n;
}

Test(spoof, src_key_parsing)
{
	static const struct {
		const char *in;
		uint32_t family, prefixlen;
		const char *addr; /* after masking */
	} ok[] = {
		{ "10.1.2.3/16", 4, 64 + 16, "10.1.0.0" },
		{ "10.1.2.3", 4, 64 + 32, "10.1.2.3" },
		{ "0.0.0.0/0", 4, 64, "0.0.0.0" },
		{ "10.1.2.255/31", 4, 64 + 31, "10.1.2.254" },
		{ "fd00:1:2:3::7/64", 6, 64 + 64, "fd00:1:2:3::" },
		{ "fd00::1", 6, 64 + 128, "fd00::1" },
		{ "fd00:ffff::/17", 6, 64 + 17, "fd00:8000::" },
	};
	static const char *const bad[] = {
		"", "10.1.2.3/", "10.1.2.3/33", "10.1.2.3/-1", "10.1.2.3/+8",
		"10.1.2.3/8x", "fd00::/129", "host", "10.1.2", "10.1.2.3/ 8",
	};
	struct sfc_src_key k;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t want[16] = { 0 };

		cr_expect_eq(sfc_dp_src_key(ok[i].in, &k), 0, "'%s'", ok[i].in);
		inet_pton(ok[i].family == 4 ? AF_INET : AF_INET6, ok[i].addr, want);
		cr_expect_eq(k.family, ok[i].family, "'%s' family", ok[i].in);
		cr_expect_eq(k.prefixlen, ok[i].prefixlen, "'%s' prefixlen", ok[i].in);
		cr_expect_eq(k.vpid, 0);
		cr_expect_arr_eq(k.addr, want, 16, "'%s' address", ok[i].in);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(sfc_dp_src_key(bad[i], &k), -EINVAL, "'%s'", bad[i]);
	cr_expect_eq(sfc_dp_src_key(NULL, &k), -EINVAL);
}

Test(spoof, allowed_src_set_sync_and_endpoint_del)
{
	struct sfc_src_key a[2] = { src_key("192.0.2.0/24"), src_key("fd00:9::/64") };
	struct sfc_src_key b = src_key("198.51.100.0/24"), got[8], bad;
	int n;

	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_A, a, 2), 0);
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_B, &b, 1), 0);
	cr_assert_eq(src_keys(got, 8), 3);
	/* A's set replaced: one left, B untouched. */
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_A, &a[1], 1), 0);
	n = src_keys(got, 8);
	cr_assert_eq(n, 2);
	for (int i = 0; i < n; i++)
		cr_assert(got[i].vpid == VPID_B ||
			  (got[i].vpid == VPID_A && got[i].family == 6));
	/* sync: exactly the given keys, each with its own VPID. */
	a[0].vpid = VPID_B;
	cr_assert_eq(sfc_dp_allowed_src_sync(&T.dp, &a[0], 1), 0);
	cr_assert_eq(src_keys(got, 8), 1);
	cr_assert_eq(got[0].vpid, VPID_B);
	cr_assert_eq(got[0].family, 4);
	/* Deleting an endpoint takes its prefixes with it. */
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_A, a, 2), 0);
	cr_assert_eq(sfc_dp_endpoint_del(&T.dp, VPID_A), 0);
	n = src_keys(got, 8);
	cr_assert_eq(n, 1);
	cr_assert_eq(got[0].vpid, VPID_B);
	/* Invalid input changes nothing. */
	bad = b;
	bad.prefixlen = SFC_SRC_KEY_BITS + 33;
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_B, &bad, 1), -EINVAL);
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, 0, &b, 1), -EINVAL);
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_B, NULL, 1), -EINVAL);
	cr_assert_eq(sfc_dp_allowed_src_sync(&T.dp, &b, 1), -EINVAL, "vpid 0");
	cr_assert_eq(src_keys(got, 8), 1);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Reconcile writes each endpoint's sfc.io/allowed-sources and removes
 * what no annotation asks for any more. */
Test(spoof, reconcile_programs_allowed_sources)
{
	char dir[] = "/tmp/sfct-src-XXXXXX", conf[64], pods[80], state[64];
	char err[1024] = "", cmd[128];
	struct sfc_ep_record r = { .container_id = "c1", .ifname = "eth0",
				   .host_ifname = "sfctest0",
				   .pod_namespace = "default", .pod_name = "a",
				   .vpid = VPID_A, .role = SFC_ROLE_APP };
	struct sfc_src_key stale = src_key("203.0.113.0/24"), got[8];
	int n;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/conf", dir);
	snprintf(pods, sizeof(pods), "%s/pods.d", conf);
	snprintf(state, sizeof(state), "%s/state", dir);
	cr_assert_eq(mkdir(conf, 0700), 0);
	cr_assert_eq(mkdir(pods, 0700), 0);
	cr_assert_eq(sfc_state_write(state, &r), 0);
	cr_assert_eq(sfc_dp_allowed_src_set(&T.dp, VPID_B, &stale, 1), 0);
	write_file(pods, "a.json",
		   "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\", \"annotations\":"
		   " {\"sfc.io/allowed-sources\": \"192.0.2.0/24, fd00:9::/64\"}}}");

	cr_assert_eq(sfc_reconcile(conf, state, T.pin_dir, err, sizeof(err)), 0,
		     "%s", err);
	n = src_keys(got, 8);
	cr_assert_eq(n, 2, "A's two prefixes, B's stale one gone");
	for (int i = 0; i < n; i++)
		cr_assert_eq(got[i].vpid, VPID_A);

	write_file(pods, "a.json",
		   "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}}");
	cr_assert_eq(sfc_reconcile(conf, state, T.pin_dir, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(src_keys(got, 8), 0, "annotation removed");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
