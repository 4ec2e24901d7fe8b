// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_dp.c - libsfcdp against a real bpffs: idempotent init, layout
 * version guard, program upgrade, tcx attach / detach on a veth,
 * endpoint records, helpers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

/* A veth pair stands in for an endpoint's host veth (this kernel has no
 * dummy driver); deleting one end deletes both. */
static char dummy[IFNAMSIZ], peer[IFNAMSIZ];

static int dummy_up(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s 2>/dev/null && "
		 "ip link set %s up", dummy, peer, dummy);
	if (system(cmd))
		return -1;
	return (int)if_nametoindex(dummy);
}

static void dummy_del(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link del %s 2>/dev/null", dummy);
	if (system(cmd)) {
		/* already gone */
	}
}

static void dp_setup(void)
{
	bpft_setup();
	snprintf(dummy, sizeof(dummy), "sfctd%d", getpid() % 1000000);
	snprintf(peer, sizeof(peer), "sfctp%d", getpid() % 1000000);
}

static void dp_teardown(void)
{
	dummy_del();
	bpft_teardown();
}

TestSuite(dp, .init = dp_setup, .fini = dp_teardown);

static void prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, info, &len), 0);
}

static __u32 tcx_prog(int ifindex)
{
	__u32 ids[8] = { 0 }, cnt = 8, flags = 0;

	cr_assert_eq(bpf_prog_query(ifindex, 46, 0, &flags, ids, &cnt), 0);
	cr_assert_leq(cnt, 1, "%u programs on the hook", cnt);
	return cnt ? ids[0] : 0;
}

static void pin_path(char *buf, const char *sub, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s/%s", T.pin_dir, sub, name);
}

Test(dp, init_is_idempotent_and_keeps_state)
{
	struct sfc_hop hop = { .group = GROUP_FW, .kind = SFC_HOP_SF }, got;
	struct bpf_prog_info before, after;
	struct sfc_meta meta;
	__u32 sp = SFC_SP(SPI, 255), zero = 0;
	char path[PATH_MAX];
	int fd;

	cr_assert_eq(bpf_map_update_elem(T.dp.paths_fd, &sp, &hop, BPF_ANY), 0);
	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	/* Same build, same tag: the pinned program is kept, not replaced. */
	prog_info(T.from_pod_fd, &before);
	pin_path(path, "progs", SFC_PROG_FROM_POD);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0);
	prog_info(fd, &after);
	close(fd);
	cr_assert_eq(after.id, before.id);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.paths_fd, &sp, &got), 0);
	cr_assert_eq(got.group, GROUP_FW);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.meta_fd, &zero, &meta), 0);
	cr_assert_eq(meta.layout_version, SFC_LAYOUT_VERSION);
	cr_assert_neq(meta.created_ns, 0);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The pins are this build's: sfc_dp_init loads nothing (fast path). Any
 * mismatch (objects hash, a missing map pin) takes the full path again. */
Test(dp, init_fast_path)
{
	struct bpf_prog_info pod, sf;
	struct sfc_meta meta, bad;
	struct timespec t0;
	char path[PATH_MAX];
	__u32 zero = 0;
	double fast;

	cr_assert_eq(bpf_map_lookup_elem(T.dp.meta_fd, &zero, &meta), 0);
	prog_info(T.from_pod_fd, &pod);
	prog_info(T.from_sf_fd, &sf);
	cr_assert_neq(meta.objs_hash, 0);
	cr_assert_arr_eq(meta.prog_tags[0], pod.tag, 8);
	cr_assert_arr_eq(meta.prog_tags[1], sf.tag, 8);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	fast = ms_since(&t0);
	cr_assert_lt(fast, 50.0, "fast path took %.1f ms", fast);

	/* Another build stamped the meta: full path, restamped with ours. */
	bad = meta;
	bad.objs_hash ^= 1;
	cr_assert_eq(bpf_map_update_elem(T.dp.meta_fd, &zero, &bad, BPF_ANY), 0);
	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.meta_fd, &zero, &bad), 0);
	cr_assert_eq(bad.objs_hash, meta.objs_hash);
	cr_assert_eq(bad.created_ns, meta.created_ns, "creation time kept");

	/* A map pin gone: full path, pin back. */
	snprintf(path, sizeof(path), "%s/%s", T.pin_dir, SFC_MAP_PROXY);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	cr_assert_eq(access(path, F_OK), 0, "map pinned again");
}

Test(dp, other_layout_version_refused)
{
	struct sfc_meta meta = { .layout_version = SFC_LAYOUT_VERSION + 1 };
	struct sfc_dp dp;
	__u32 zero = 0;

	cr_assert_eq(bpf_map_update_elem(T.dp.meta_fd, &zero, &meta, BPF_ANY), 0);
	cr_assert_eq(sfc_dp_init(T.pin_dir), -EPROTO);
	cr_assert_eq(sfc_dp_open(T.pin_dir, &dp), -EPROTO);
	sfc_dp_close(&dp);
	cr_assert_eq(sfc_dp_open("/sys/fs/bpf/sfct-does-not-exist", &dp), -ENOENT);
	sfc_dp_close(&dp);
}

/* A pinned program with another tag (an older build) is replaced, and
 * links running it move to the new one. */
Test(dp, init_upgrades_changed_program)
{
	struct bpf_prog_info want, got;
	char path[PATH_MAX];
	int ifindex, fd;

	ifindex = dummy_up();
	cr_assert_gt(ifindex, 0, "cannot create veth %s", dummy);
	pin_path(path, "progs", SFC_PROG_FROM_POD);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(bpf_obj_pin(T.from_sf_fd, path), 0); /* "old" program */
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_APP), 0);
	prog_info(T.from_sf_fd, &got);
	cr_assert_eq(tcx_prog(ifindex), got.id);

	cr_assert_eq(sfc_dp_init(T.pin_dir), 0);
	prog_info(T.from_pod_fd, &want);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0);
	prog_info(fd, &got);
	close(fd);
	cr_assert_arr_eq(got.tag, want.tag, sizeof(want.tag));
	cr_assert_eq(tcx_prog(ifindex), got.id, "link moved to the new program");
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1);
}

Test(dp, attach_detach_cycle)
{
	struct bpf_prog_info pod, sf;
	char path[PATH_MAX];
	int ifindex;

	ifindex = dummy_up();
	cr_assert_gt(ifindex, 0, "cannot create veth %s", dummy);
	prog_info(T.from_pod_fd, &pod);
	prog_info(T.from_sf_fd, &sf);
	pin_path(path, "links", dummy);

	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 0);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_APP), 0);
	cr_assert_eq(access(path, F_OK), 0, "link pinned");
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1);
	cr_assert_eq(tcx_prog(ifindex), pod.id);
	/* Repeat: no second program on the hook. */
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_APP), 0);
	cr_assert_eq(tcx_prog(ifindex), pod.id);
	/* Role change on the same interface swaps the program in place. */
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_SF), 0);
	cr_assert_eq(tcx_prog(ifindex), sf.id);

	cr_assert_eq(sfc_dp_detach(T.pin_dir, dummy), 0);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 0);
	cr_assert_eq(tcx_prog(ifindex), 0);
	cr_assert_eq(sfc_dp_detach(T.pin_dir, dummy), 0, "repeat detach");

	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_NONE),
		     -EINVAL);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, "a/b", SFC_ROLE_APP),
		     -EINVAL);
}

/* Interface deleted and re-created under the same name: the old link pin
 * is stale (detached) and must not make attach a false no-op. */
Test(dp, attach_replaces_stale_link)
{
	int ifindex;

	ifindex = dummy_up();
	cr_assert_gt(ifindex, 0);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_APP), 0);
	dummy_del();
	ifindex = dummy_up();
	cr_assert_gt(ifindex, 0);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 0);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_APP), 0);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1);
}

Test(dp, endpoint_lifecycle)
{
	struct sfc_endpoint ep = { .ifindex = 4242, .role = SFC_ROLE_APP },
			    got;
	struct sfc_policy_key pk = { .dir = SFC_DIR_EGRESS };
	struct sfc_policy pol = { .n_rules = 1 };
	struct sfc_ip_key ips[2];
	__u32 vpid = 0, v, ifx = 4242;
	__u64 health = 123;

	sfc_dp_ip_key("10.9.9.9", &ips[0]);
	sfc_dp_ip_key("fd00::99", &ips[1]);
	cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), 0);
	cr_assert_eq(vpid, 1, "lowest free VPID");
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, vpid, &ep, ips, 2), 0);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.ifindex_fd, &ifx, &v), 0);
	cr_assert_eq(v, vpid);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.ep_by_ip_fd, &ips[1], &v), 0);
	cr_assert_eq(v, vpid);
	pk.vpid = vpid;
	cr_assert_eq(bpf_map_update_elem(T.dp.policy_fd, &pk, &pol, BPF_ANY), 0);
	cr_assert_eq(bpf_map_update_elem(T.dp.sf_health_fd, &vpid, &health,
					 BPF_ANY), 0);

	/* Re-wired to another veth: the old ifindex stops mapping to it. */
	ep.ifindex = 4343;
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, vpid, &ep, ips, 2), 0);
	cr_assert_neq(bpf_map_lookup_elem(T.dp.ifindex_fd, &ifx, &v), 0);
	ifx = 4343;

	cr_assert_eq(sfc_dp_endpoint_del(&T.dp, vpid), 0);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.endpoints_fd, &vpid, &got), 0);
	cr_assert_eq(got.role, SFC_ROLE_NONE);
	cr_assert_neq(bpf_map_lookup_elem(T.dp.ifindex_fd, &ifx, &v), 0);
	cr_assert_neq(bpf_map_lookup_elem(T.dp.ep_by_ip_fd, &ips[0], &v), 0);
	cr_assert_neq(bpf_map_lookup_elem(T.dp.ep_by_ip_fd, &ips[1], &v), 0);
	cr_assert_neq(bpf_map_lookup_elem(T.dp.policy_fd, &pk, &pol), 0);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.sf_health_fd, &vpid, &health), 0);
	cr_assert_eq(health, 0);
	/* Others untouched, repeat is fine. */
	cr_assert_eq(bpf_map_lookup_elem(T.dp.endpoints_fd, &(__u32){ VPID_B },
					 &got), 0);
	cr_assert_eq(got.role, SFC_ROLE_APP);
	cr_assert_eq(sfc_dp_endpoint_del(&T.dp, vpid), 0);
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, 0, &ep, NULL, 0), -EINVAL);
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, SFC_MAX_ENDPOINTS, &ep, NULL, 0),
		     -EINVAL);
}

Test(dp, vpid_alloc_exhausts)
{
	struct sfc_endpoint ep = { .role = SFC_ROLE_SF };
	__u32 vpid, n = 0;

	while (sfc_dp_vpid_alloc(&T.dp, &ep, &vpid) == 0)
		n++;
	/* 1..4095 minus the seven topology endpoints. */
	cr_assert_eq(n, SFC_MAX_ENDPOINTS - 1 - 7);
	cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), -ENOSPC);
	ep.role = SFC_ROLE_NONE;
	cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), -EINVAL);
}

Test(dp, ip_key_and_names)
{
	struct { const char *in; int err; __u32 fam; __u32 w0, w3; } cases[] = {
		{ "10.0.0.1", 0, 4, 0x0A000001, 0 },
		{ "fd00::1", 0, 6, 0xFD000000, 1 },
		{ "::", 0, 6, 0, 0 },
		{ "10.0.0.256", -EINVAL, 0, 0, 0 },
		{ "", -EINVAL, 0, 0, 0 },
		{ "10.0.0.1/24", -EINVAL, 0, 0, 0 },
	};
	struct sfc_ip_key k;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(sfc_dp_ip_key(cases[i].in, &k), cases[i].err,
			     "'%s'", cases[i].in);
		cr_expect_eq(k.family, cases[i].fam, "'%s'", cases[i].in);
		cr_expect_eq(ntohl(k.addr[0]), cases[i].w0, "'%s'", cases[i].in);
		cr_expect_eq(ntohl(k.addr[3]), cases[i].w3, "'%s'", cases[i].in);
	}
	cr_expect_eq(sfc_dp_ip_key(NULL, &k), -EINVAL);
	cr_expect_str_eq(sfc_dp_drop_reason_name(-SFC_DROP_SF_DOWN), "sf-down");
	cr_expect_str_eq(sfc_dp_drop_reason_name(-SFC_DROP_LOOP), "loop");
	cr_expect_str_eq(sfc_dp_drop_reason_name(0), "unknown");
	cr_expect_str_eq(sfc_dp_drop_reason_name(SFC_DROP_REASON_MAX), "unknown");
}

Test(dp, remove_all_leaves_nothing)
{
	char path[PATH_MAX];
	int ifindex = dummy_up();

	cr_assert_gt(ifindex, 0);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, dummy, SFC_ROLE_SF), 0);
	snprintf(path, sizeof(path), "%s", T.pin_dir);
	cr_assert_eq(sfc_dp_remove_all(path), 0);
	cr_assert_neq(access(path, F_OK), 0);
	cr_assert_eq(tcx_prog(ifindex), 0, "unpinning the link detached it");
	cr_assert_eq(sfc_dp_remove_all(path), 0, "repeat");
}
