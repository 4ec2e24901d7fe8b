// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_dp_tc.c - the tc hook mode of libsfcdp (dp_attach_tc.c): our
 * program as a cls_bpf filter on a clsact qdisc, attached, queried,
 * replaced (also by the upgrade in sfc_dp_init), detached, beside other
 * filters, and carrying real traffic between two pods in their own
 * network namespaces (ping both ways: redirect_peer from a tc filter).
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

#define TVPID_A 40
#define TVPID_B 41

static char ns[2][32], host[2][IFNAMSIZ];

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void tc_setup(void)
{
	bpft_setup();
	for (int i = 0; i < 2; i++) {
		snprintf(ns[i], sizeof(ns[i]), "sfctc%c%d", 'a' + i, getpid());
		snprintf(host[i], sizeof(host[i]), "sfctc%c%d", 'a' + i,
			 getpid() % 10000000);
	}
}

static void tc_teardown(void)
{
	for (int i = 0; i < 2; i++) {
		sh("ip link del %s 2>/dev/null", host[i]);
		sh("ip netns del %s 2>/dev/null", ns[i]);
	}
	bpft_teardown();
}

TestSuite(tc, .init = tc_setup, .fini = tc_teardown, .timeout = 30);

/* A host veth @host[i] whose peer is eth0 in netns @ns[i]. */
static int veth_ns(int i)
{
	if (sh("ip netns add %s && ip -n %s link set lo up && "
	       "ip link add %s type veth peer name eth0 netns %s && "
	       "ip link set %s up && ip -n %s link set eth0 up",
	       ns[i], ns[i], host[i], ns[i], host[i], ns[i]))
		return -1;
	return (int)if_nametoindex(host[i]);
}

static __u32 pinned_id(const char *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/progs/%s", T.pin_dir, prog);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	return info.id;
}

static __u32 tc_id(int ifindex)
{
	__u32 id = 0;

	cr_assert_eq(sfc_dp_tc_prog_id(ifindex, &id), 0);
	return id;
}

Test(tc, attach_query_replace_detach)
{
	char path[PATH_MAX];
	__u32 id;
	int ifindex = veth_ns(0);

	cr_assert_gt(ifindex, 0, "cannot create veth %s", host[0]);
	cr_assert_eq(sfc_dp_tc_prog_id(ifindex, &id), -ENOENT, "no clsact yet");
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 0);

	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_APP), 0);
	cr_assert_eq(tc_id(ifindex), pinned_id(SFC_PROG_FROM_POD));
	cr_assert_eq(sfc_dp_hook_of(T.pin_dir, ifindex), SFC_HOOK_TC);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1);
	cr_assert_eq(sh("tc filter show dev %s ingress | grep -q 'handle 0x5fc.*direct-action'",
			host[0]), 0, "a direct-action cls_bpf filter");
	snprintf(path, sizeof(path), "%s/links/%s", T.pin_dir, host[0]);
	cr_assert_neq(access(path, F_OK), 0, "tc mode pins nothing");

	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_APP), 0, "repeat");
	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_SF), 0);
	cr_assert_eq(tc_id(ifindex), pinned_id(SFC_PROG_FROM_SF), "replaced in place");
	cr_assert_eq(sh("test $(tc filter show dev %s ingress | grep -c 'handle 0x5fc') = 1",
			host[0]), 0, "one filter of ours");

	cr_assert_eq(sfc_dp_tc_detach(ifindex), 0);
	cr_assert_eq(sfc_dp_tc_prog_id(ifindex, &id), -ENOENT);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 0);
	cr_assert_eq(sfc_dp_tc_detach(ifindex), 0, "repeat: nothing to do");
	cr_assert_eq(sh("tc qdisc show dev %s | grep -q clsact", host[0]), 0,
		     "the clsact stays (others may use it)");

	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_NONE), -EINVAL);
	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, 0, SFC_ROLE_APP), -EINVAL);
	cr_assert_eq(sfc_dp_tc_detach(0), -EINVAL);
	sh("ip link del %s", host[0]);
	cr_assert_eq(sfc_dp_tc_detach(ifindex), 0, "interface gone");
}

/* Another filter on the hook stays through our attach and detach; ours
 * runs first. sfc_dp_detach() by name finds a tc-mode endpoint too. */
Test(tc, beside_other_filters)
{
	int ifindex = veth_ns(0);

	cr_assert_gt(ifindex, 0);
	cr_assert_eq(sh("tc qdisc add dev %s clsact && tc filter add dev %s "
			"ingress prio 100 u32 match u32 0 0 flowid 1:1", host[0], host[0]), 0);
	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_APP), 0,
		     "an existing clsact is used");
	cr_assert_eq(sh("tc filter show dev %s ingress | head -1 | grep -q 'pref 1 bpf'",
			host[0]), 0, "ours first");
	cr_assert_eq(sfc_dp_detach(T.pin_dir, host[0]), 0);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 0);
	cr_assert_eq(sh("tc filter show dev %s ingress | grep -q u32", host[0]), 0,
		     "the other filter stays");
}

/* A failed filter add removes the clsact it created: with a program fd
 * that is no program the kernel refuses the filter. */
Test(tc, failed_attach_leaves_no_clsact)
{
	int ifindex = veth_ns(0);
	char path[PATH_MAX];

	cr_assert_gt(ifindex, 0);
	snprintf(path, sizeof(path), "%s/progs/%s", T.pin_dir, SFC_PROG_FROM_POD);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(bpf_obj_pin(T.dp.endpoints_fd, path), 0); /* a map there */
	cr_assert_lt(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_APP), 0);
	cr_assert_neq(sh("tc qdisc show dev %s | grep -q clsact", host[0]), 0,
		      "no clsact left behind");
}

/* sfc_dp_init() replacing a changed program moves tc filters too. */
Test(tc, init_upgrade_replaces_filter)
{
	char path[PATH_MAX];
	int ifindex = veth_ns(0);

	cr_assert_gt(ifindex, 0);
	snprintf(path, sizeof(path), "%s/progs/%s", T.pin_dir, SFC_PROG_FROM_POD);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(bpf_obj_pin(T.from_sf_fd, path), 0); /* "old" program */
	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_APP), 0);
	cr_assert_eq(tc_id(ifindex), pinned_id(SFC_PROG_FROM_SF));

	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	cr_assert_neq(pinned_id(SFC_PROG_FROM_POD), pinned_id(SFC_PROG_FROM_SF));
	cr_assert_eq(tc_id(ifindex), pinned_id(SFC_PROG_FROM_POD),
		     "filter re-pointed to the new program");
	cr_assert_eq(sfc_dp_hook_of(T.pin_dir, ifindex), SFC_HOOK_TC);
}

/* Pod @i (VPID @vpid, address @ip) recorded in the maps, its host veth
 * hooked in tc mode, its peer resolved to its gateway (the host veth). */
static void wire(int i, uint32_t vpid, const char *ip, const char *peer_ip)
{
	struct sfc_endpoint ep = { .role = SFC_ROLE_APP };
	struct sfc_ip_key key;
	unsigned v[6];
	char p[96];
	FILE *f;

	ep.ifindex = (unsigned)veth_ns(i);
	cr_assert_gt(ep.ifindex, 0);
	cr_assert_eq(sh("ip -n %s addr add %s/24 dev eth0 && ip -n %s neigh add %s "
			"lladdr $(cat /sys/class/net/%s/address) dev eth0",
			ns[i], ip, ns[i], peer_ip, host[i]), 0);
	snprintf(p, sizeof(p), "/sys/class/net/%s/address", host[i]);
	f = fopen(p, "r");
	cr_assert(f && fscanf(f, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
			      &v[4], &v[5]) == 6);
	fclose(f);
	for (int k = 0; k < 6; k++)
		ep.host_mac[k] = v[k];
	snprintf(p, sizeof(p), "ip netns exec %s cat /sys/class/net/eth0/address",
		 ns[i]);
	f = popen(p, "r");
	cr_assert(f);
	cr_assert_eq(fscanf(f, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
			    &v[4], &v[5]), 6);
	pclose(f);
	for (int k = 0; k < 6; k++)
		ep.mac[k] = v[k];
	sfc_dp_ip_key(ip, &key);
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, vpid, &ep, &key, 1), 0);
	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, (int)ep.ifindex, SFC_ROLE_APP), 0);
}

Test(tc, real_traffic_between_pods)
{
	wire(0, TVPID_A, "10.79.0.10", "10.79.0.11");
	wire(1, TVPID_B, "10.79.0.11", "10.79.0.10");
	cr_assert_eq(sh("ip netns exec %s ping -c 2 -i 0.2 -W 2 -q 10.79.0.11 >/dev/null",
			ns[0]), 0, "A pings B through both filters");
	cr_assert_eq(bpft_drops_total(), 0);
	/* A forged source dies at A's filter (TC_ACT_SHOT is enforced). */
	cr_assert_eq(sh("ip -n %s addr add 10.79.0.99/24 dev eth0", ns[0]), 0);
	cr_assert_neq(sh("ip netns exec %s ping -c 1 -W 1 -q -I 10.79.0.99 10.79.0.11 "
			 ">/dev/null", ns[0]), 0, "spoofed ping dropped");
	cr_assert_geq(bpft_drops(SFC_DROP_SPOOFED), 1);
}

/* Node teardown: sfc_dp_remove_all() takes our filters off the
 * interfaces (no pin to find them by), and only those running its
 * programs. */
Test(tc, remove_all_detaches_filters)
{
	int ifindex = veth_ns(0);

	cr_assert_gt(ifindex, 0);
	cr_assert_eq(sfc_dp_tc_attach(T.pin_dir, ifindex, SFC_ROLE_APP), 0);
	cr_assert_eq(sfc_dp_remove_all(T.pin_dir), 0);
	cr_assert_neq(sh("tc filter show dev %s ingress | grep -q 'handle 0x5fc'", host[0]),
		      0, "our filter gone with the pin dir");
}
