// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sfcctl_endpoints.c - sfcctl_ep_rows(), the rows of `sfcctl get
 * endpoints`: records joined with sfc_endpoints, and the map entries no
 * record accounts for (orphans), on maps of the real layout (needs root).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

/* sfcctl is a program, not a library: its code is linked in here. */
#include "sfcctl.h"
#include "sfc_dp.h"

static int ep_fd = -1, ip_fd = -1;

static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to create BPF maps");
	ep_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(uint32_t),
			       sizeof(struct sfc_endpoint), SFC_MAX_ENDPOINTS, NULL);
	ip_fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, sizeof(struct sfc_ip_key),
			       sizeof(uint32_t), 64, NULL);
	cr_assert(ep_fd >= 0 && ip_fd >= 0, "bpf_map_create: %s", strerror(errno));
}

static void teardown(void)
{
	if (ep_fd >= 0)
		close(ep_fd);
	if (ip_fd >= 0)
		close(ip_fd);
}

static void map_ep(uint32_t vpid, uint8_t role, uint32_t ifindex)
{
	struct sfc_endpoint ep = { .ifindex = ifindex, .role = role,
				   .mac = { 2, 0, 0, 0, 0, (uint8_t)vpid } };

	cr_assert_eq(bpf_map_update_elem(ep_fd, &vpid, &ep, BPF_ANY), 0);
}

static void map_ip(const char *addr, uint32_t vpid)
{
	struct sfc_ip_key k;

	cr_assert_eq(sfc_dp_ip_key(addr, &k), 0);
	cr_assert_eq(bpf_map_update_elem(ip_fd, &k, &vpid, BPF_ANY), 0);
}

static struct sfc_ep_record rec(uint32_t vpid, const char *name)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	r.vpid = vpid;
	r.role = SFC_ROLE_APP;
	strcpy(r.pod_namespace, "default");
	strcpy(r.pod_name, name);
	return r;
}

TestSuite(sfcctl_endpoints, .init = setup, .fini = teardown);

/* A map entry in use that no record accounts for (an ADD killed after
 * programming the maps, before writing its record) is a row of its own,
 * an orphan with what the maps know of it; records come in VPID order
 * with it, whether their entry is in the map or not. */
Test(sfcctl_endpoints, orphans_listed)
{
	struct sfc_ep_record recs[2] = { rec(4, "late"), rec(1, "client") };
	struct sfcctl_ep_row *rows = NULL;
	int n = 0;

	map_ep(1, SFC_ROLE_APP, 1);
	map_ep(3, SFC_ROLE_APP, 1);
	map_ep(7, SFC_ROLE_SF, 0);
	map_ip("10.9.9.9", 3);
	map_ip("fd00::9", 3);
	map_ip("10.1.1.1", 1);
	cr_assert_eq(sfcctl_ep_rows(recs, 2, ep_fd, ip_fd, &rows, &n), 0);
	cr_assert_eq(n, 4);

	cr_assert_eq(rows[0].vpid, 1);
	cr_assert_eq(rows[0].r, &recs[1]);
	cr_assert(rows[0].in_map);
	cr_assert_eq(rows[0].ep.mac[5], 1);

	cr_assert_eq(rows[1].vpid, 3);
	cr_assert_null(rows[1].r, "no record: an orphan");
	cr_assert(rows[1].in_map);
	cr_assert_eq(rows[1].ep.role, SFC_ROLE_APP);
	cr_assert_eq(rows[1].ep.ifindex, 1);
	cr_assert_eq(rows[1].n_ips, 2);
	cr_assert((!strcmp(rows[1].ips[0], "10.9.9.9") && !strcmp(rows[1].ips[1], "fd00::9")) ||
		  (!strcmp(rows[1].ips[1], "10.9.9.9") && !strcmp(rows[1].ips[0], "fd00::9")),
		  "%s %s", rows[1].ips[0], rows[1].ips[1]);

	cr_assert_eq(rows[2].vpid, 4);
	cr_assert_eq(rows[2].r, &recs[0]);
	cr_assert_not(rows[2].in_map, "record without its map entry");

	cr_assert_eq(rows[3].vpid, 7);
	cr_assert_null(rows[3].r);
	cr_assert_eq(rows[3].ep.role, SFC_ROLE_SF);
	cr_assert_eq(rows[3].n_ips, 0);
	free(rows);
}

/* Without a dataplane there are records only, none in the maps. */
Test(sfcctl_endpoints, no_maps)
{
	struct sfc_ep_record recs[1] = { rec(2, "a") };
	struct sfcctl_ep_row *rows = NULL;
	int n = 0;

	cr_assert_eq(sfcctl_ep_rows(recs, 1, -1, -1, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(rows[0].r, &recs[0]);
	cr_assert_not(rows[0].in_map);
	free(rows);
	cr_assert_eq(sfcctl_ep_rows(NULL, 0, ep_fd, ip_fd, &rows, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(rows);
}
