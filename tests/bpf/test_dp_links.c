// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_dp_links.c - what sfc-cni ADD and DEL use to stay fast: a tcx link
 * made unpinned and pinned later (sfc_dp_link_create / _link_pin), a pin
 * dropped without a detach once the interface is gone (sfc_dp_unpin),
 * only the endpoint maps opened (sfc_dp_open_endpoints), and the batched
 * reads of sfc_endpoints (VPID allocation) and sfc_ep_by_ip (endpoint
 * delete) past one batch.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

static char veth[IFNAMSIZ], peer[IFNAMSIZ];

static int veth_add(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s 2>/dev/null && "
		 "ip link set %s up", veth, peer, veth);
	if (system(cmd))
		return -1;
	return (int)if_nametoindex(veth);
}

static void veth_del(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link del %s 2>/dev/null", veth);
	if (system(cmd)) {
		/* already gone */
	}
}

static void links_setup(void)
{
	bpft_setup();
	snprintf(veth, sizeof(veth), "sfcld%d", getpid() % 1000000);
	snprintf(peer, sizeof(peer), "sfclp%d", getpid() % 1000000);
}

static void links_teardown(void)
{
	veth_del();
	bpft_teardown();
}

TestSuite(links, .init = links_setup, .fini = links_teardown);

/* Programs on @ifindex's tcx ingress (BPF_TCX_INGRESS = 46). */
static __u32 tcx_count(int ifindex)
{
	__u32 ids[8], cnt = 8, flags = 0;

	cr_assert_eq(bpf_prog_query(ifindex, 46, 0, &flags, ids, &cnt), 0);
	return cnt;
}

static void link_pin_path(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/links/%s", T.pin_dir, name);
}

Test(links, created_unpinned_then_pinned)
{
	char path[PATH_MAX];
	int ifindex, fd;

	ifindex = veth_add();
	cr_assert_gt(ifindex, 0, "cannot create veth %s", veth);
	link_pin_path(path, veth);

	fd = sfc_dp_link_create(T.pin_dir, ifindex, SFC_ROLE_APP);
	cr_assert_geq(fd, 0, "link_create: %d", fd);
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1, "attached before the pin");
	cr_assert_neq(access(path, F_OK), 0, "not pinned yet");
	cr_assert_eq(sfc_dp_link_pin(T.pin_dir, fd, veth), 0);
	close(fd);
	cr_assert_eq(access(path, F_OK), 0, "pinned");
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1, "the pin holds it");
	cr_assert_eq(tcx_count(ifindex), 1);

	/* DEL's order: the interface goes first and its links with it. */
	veth_del();
	cr_assert_eq(sfc_dp_unpin(T.pin_dir, veth), 0);
	cr_assert_neq(access(path, F_OK), 0, "pin gone");
	cr_assert_eq(sfc_dp_unpin(T.pin_dir, veth), 0, "repeat: nothing to do");
	cr_assert_eq(sfc_dp_unpin(T.pin_dir, "a/b"), -EINVAL);
	cr_assert_eq(sfc_dp_unpin(T.pin_dir, ""), -EINVAL);
}

/* An ADD that fails before the pin closes its fd: nothing stays. */
Test(links, unpinned_link_detaches_on_close)
{
	int ifindex, fd;

	ifindex = veth_add();
	cr_assert_gt(ifindex, 0);
	fd = sfc_dp_link_create(T.pin_dir, ifindex, SFC_ROLE_SF);
	cr_assert_geq(fd, 0);
	cr_assert_eq(tcx_count(ifindex), 1);
	close(fd);
	cr_assert_eq(tcx_count(ifindex), 0, "closing the only reference detached");
	cr_assert_eq(sfc_dp_link_create(T.pin_dir, ifindex, SFC_ROLE_NONE), -EINVAL);
	cr_assert_eq(sfc_dp_link_create(T.pin_dir, 0, SFC_ROLE_APP), -EINVAL);
	cr_assert_eq(sfc_dp_link_pin(T.pin_dir, -1, veth), -EBADF);
}

/* The interface name came back on a new interface: the old pin (of a
 * link detached with the old interface) is replaced, not kept. */
Test(links, pin_replaces_stale_pin)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int ifindex, fd, pinned;

	ifindex = veth_add();
	cr_assert_gt(ifindex, 0);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ifindex, veth, SFC_ROLE_APP), 0);
	veth_del();
	ifindex = veth_add();
	cr_assert_gt(ifindex, 0);
	fd = sfc_dp_link_create(T.pin_dir, ifindex, SFC_ROLE_APP);
	cr_assert_geq(fd, 0);
	cr_assert_eq(sfc_dp_link_pin(T.pin_dir, fd, veth), 0);
	close(fd);
	link_pin_path(path, veth);
	pinned = bpf_obj_get(path);
	cr_assert_geq(pinned, 0);
	cr_assert_eq(bpf_obj_get_info_by_fd(pinned, &info, &len), 0);
	close(pinned);
	/* The tcx ifindex sits where the 6.1 UAPI has xdp.ifindex. */
	cr_assert_eq((int)info.xdp.ifindex, ifindex, "the pin is the new link");
	cr_assert_eq(sfc_dp_attached(T.pin_dir, ifindex), 1);
}

Test(links, open_endpoints_opens_only_those)
{
	struct sfc_endpoint ep = { .ifindex = 777, .role = SFC_ROLE_APP };
	struct sfc_ip_key ip;
	struct sfc_dp dp;
	__u32 vpid = 0, v;

	cr_assert_eq(sfc_dp_open_endpoints(T.pin_dir, &dp), 0);
	cr_assert_geq(dp.meta_fd, 0);
	cr_assert_eq(dp.paths_fd, -1, "a map the endpoint functions never use");
	cr_assert_eq(dp.flows_fd, -1);
	sfc_dp_ip_key("10.77.0.7", &ip);
	cr_assert_eq(sfc_dp_vpid_alloc(&dp, &ep, &vpid), 0);
	cr_assert_eq(sfc_dp_endpoint_put(&dp, vpid, &ep, &ip, 1), 0);
	cr_assert_eq(sfc_dp_vpid_of_ifindex(&dp, 777, &v), 0);
	cr_assert_eq(v, vpid);
	cr_assert_eq(sfc_dp_endpoint_del(&dp, vpid), 0);
	cr_assert_neq(bpf_map_lookup_elem(T.dp.ep_by_ip_fd, &ip, &v), 0);
	sfc_dp_close(&dp);
	cr_assert_eq(sfc_dp_open_endpoints("/sys/fs/bpf/sfct-does-not-exist", &dp),
		     -ENOENT);
	sfc_dp_close(&dp);
}

/* VPIDs are read 256 at a time: the lowest free one is found in a later
 * batch too, and a slot freed in an early batch is taken first. */
Test(links, vpid_alloc_past_one_batch)
{
	struct sfc_endpoint ep = { .role = SFC_ROLE_APP }, zero = { 0 };
	__u32 vpid, last = 0, freed = 7;

	for (int i = 0; i < 600; i++) {
		cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), 0);
		cr_assert_gt(vpid, last, "lowest free first");
		last = vpid;
	}
	cr_assert_gt(last, 512, "allocated into the third batch");
	cr_assert_eq(bpf_map_update_elem(T.dp.endpoints_fd, &freed, &zero, BPF_ANY), 0);
	cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), 0);
	cr_assert_eq(vpid, freed);
	cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), 0);
	cr_assert_eq(vpid, last + 1);
}

/* An endpoint's addresses are found among more entries than one batch
 * holds, and only they are deleted. */
Test(links, endpoint_del_finds_ips_past_one_batch)
{
	struct sfc_endpoint ep = { .ifindex = 888, .role = SFC_ROLE_APP };
	struct sfc_ip_key ip, mine[3];
	char a[32];
	__u32 vpid = 0, other = VPID_A, v;
	int i, n = 0;

	cr_assert_eq(sfc_dp_vpid_alloc(&T.dp, &ep, &vpid), 0);
	for (i = 0; i < 700; i++) {
		snprintf(a, sizeof(a), "10.88.%d.%d", i / 250, i % 250 + 1);
		sfc_dp_ip_key(a, &ip);
		if (i % 300 == 299) {
			mine[n++] = ip;
			v = vpid;
		} else {
			v = other;
		}
		cr_assert_eq(bpf_map_update_elem(T.dp.ep_by_ip_fd, &ip, &v, BPF_ANY), 0);
	}
	sfc_dp_ip_key("fd00:88::1", &mine[n]);
	cr_assert_eq(bpf_map_update_elem(T.dp.ep_by_ip_fd, &mine[n], &vpid, BPF_ANY), 0);
	n++;
	cr_assert_eq(sfc_dp_endpoint_del(&T.dp, vpid), 0);
	for (i = 0; i < n; i++)
		cr_assert_neq(bpf_map_lookup_elem(T.dp.ep_by_ip_fd, &mine[i], &v), 0,
			      "address %d of the endpoint left", i);
	sfc_dp_ip_key("10.88.0.1", &ip);
	cr_assert_eq(bpf_map_lookup_elem(T.dp.ep_by_ip_fd, &ip, &v), 0);
	cr_assert_eq(v, other, "another endpoint's address kept");
}
