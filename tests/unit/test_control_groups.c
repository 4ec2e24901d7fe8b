// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_groups.c - SF groups, the reverse SFP of symmetric chains
 * and SFC-unaware instances (sfc.io/sfc-aware), all pure compilers.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"

static void pod(const char *name, const char *annots, struct sfc_pod *p)
{
	char json[1024], err[256] = "";

	snprintf(json, sizeof(json),
		 "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"annotations\":%s}}",
		 name, annots);
	cr_assert_eq(sfc_pod_parse(json, p, err, sizeof(err)), 0, "%s", err);
}

Test(control_groups, sfc_aware_annotation)
{
	struct sfc_pod p;
	char err[256] = "";

	pod("a", "{\"sfc.io/function\":\"fw\"}", &p);
	cr_assert_eq(p.info.unaware, 0, "aware by default");
	pod("b", "{\"sfc.io/function\":\"fw\",\"sfc.io/sfc-aware\":\"true\"}", &p);
	cr_assert_eq(p.info.unaware, 0);
	pod("c", "{\"sfc.io/function\":\"plainfw\",\"sfc.io/sfc-aware\":\"false\"}", &p);
	cr_assert_eq(p.info.unaware, 1);
	cr_assert_str_eq(p.info.function, "plainfw");
	cr_assert_eq(sfc_pod_parse("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"d\","
				   "\"annotations\":{\"sfc.io/sfc-aware\":\"no\"}}}",
				   &p, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "sfc.io/sfc-aware"), "%s", err);
	cr_assert_eq(sfc_pod_parse("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"d\","
				   "\"annotations\":{\"sfc.io/sfc-aware\":false}}}",
				   &p, err, sizeof(err)), -EINVAL,
		     "annotations are strings");
}

static struct sfc_ep_record sf_ep(uint32_t vpid, const char *fn, const char *name)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	r.vpid = vpid;
	r.role = SFC_ROLE_SF;
	snprintf(r.function, sizeof(r.function), "%s", fn);
	snprintf(r.pod_namespace, sizeof(r.pod_namespace), "default");
	snprintf(r.pod_name, sizeof(r.pod_name), "%s", name);
	return r;
}

Test(control_groups, members_and_unaware_flag)
{
	const char *types[] = { "plainfw", "counter", "plainfw", "" };
	struct sfc_group_entry *g = NULL;
	const struct sfc_group_entry *pf, *cnt;
	struct sfc_ep_record eps[4];
	struct sfc_pod pods[2];
	int n = 0;

	eps[0] = sf_ep(12, "plainfw", "pf-b");
	eps[1] = sf_ep(3, "counter", "c1");
	eps[2] = sf_ep(8, "plainfw", "pf-a");
	eps[3] = sf_ep(4, "counter", "c2");
	pod("pf-a", "{\"sfc.io/function\":\"plainfw\",\"sfc.io/sfc-aware\":\"false\"}", &pods[0]);
	pod("c1", "{\"sfc.io/function\":\"counter\"}", &pods[1]);
	cr_assert_eq(sfc_compile_groups(types, 4, eps, 4, pods, 2, &g, &n, NULL, 0), 0);
	cr_assert_eq(n, 2, "duplicates and empty names are one / no group");
	pf = sfc_group_find(g, n, "plainfw");
	cnt = sfc_group_find(g, n, "counter");
	cr_assert(pf && cnt);
	cr_assert_eq(pf->id, sfc_group_id_pref("plainfw"));
	cr_assert(pf->id >= 1 && pf->id < SFC_MAX_GROUPS);
	cr_assert_eq(pf->grp.n_members, 2);
	cr_assert_eq(pf->grp.m[0].vpid, 8);
	cr_assert_eq(pf->grp.m[0].flags, SFC_MEMBER_F_UNAWARE, "pf-a is annotated unaware");
	cr_assert_eq(pf->grp.m[1].vpid, 12);
	cr_assert_eq(pf->grp.m[1].flags, 0, "pf-b has no Pod object: aware");
	cr_assert_eq(cnt->grp.n_members, 2);
	cr_assert_eq(cnt->grp.m[0].flags | cnt->grp.m[1].flags, 0);
	cr_assert_eq(sfc_group_by_id(g, n, cnt->id), cnt);
	free(g);
}

Test(control_groups, empty_group_for_type_without_instance)
{
	const char *types[] = { "ids" };
	struct sfc_group_entry *g = NULL;
	int n = 0;

	cr_assert_eq(sfc_compile_groups(types, 1, NULL, 0, NULL, 0, &g, &n, NULL, 0), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(g[0].grp.n_members, 0);
	cr_assert_eq(g[0].id, sfc_group_id_pref("ids"));
	free(g);
	cr_assert_eq(sfc_compile_groups(types, 0, NULL, 0, NULL, 0, &g, &n, NULL, 0), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(g);
}

Test(control_groups, too_many_instances)
{
	struct sfc_ep_record eps[SFC_GROUP_MAX_MEMBERS + 2];
	const char *types[] = { "counter" };
	struct sfc_group_entry *g = NULL;
	char err[256] = "";
	int i, n = 0;

	for (i = 0; i < SFC_GROUP_MAX_MEMBERS + 2; i++)
		eps[i] = sf_ep(100 - (uint32_t)i, "counter", "c");
	cr_assert_eq(sfc_compile_groups(types, 1, eps, SFC_GROUP_MAX_MEMBERS + 2,
					NULL, 0, &g, &n, err, sizeof(err)), -E2BIG);
	cr_assert(strstr(err, "SF type counter: 18 instances"), "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_eq(g[0].grp.n_members, SFC_GROUP_MAX_MEMBERS);
	cr_assert_eq(g[0].grp.m[0].vpid, 100 - SFC_GROUP_MAX_MEMBERS - 1, "lowest VPIDs serve");
	free(g);
}

/* Group ids must not change across releases: a flow's pinned instance
 * survives an agent upgrade only if its group keeps its id (values of the
 * demo's SF types, from before the hash moved to common/). */
Test(control_groups, id_pinned)
{
	cr_assert_eq(sfc_group_id_pref("firewall"), 460);
	cr_assert_eq(sfc_group_id_pref("counter"), 808);
	cr_assert_eq(sfc_group_id_pref("nat"), 992);
	cr_assert_eq(sfc_group_id_pref("monitor"), 256);
}

/* Two type names with the same preferred id get distinct ids, the same
 * ones whatever the input order. */
Test(control_groups, id_collision_is_stable)
{
	static char names[2048][16];
	int owner[SFC_MAX_GROUPS], i, a = -1, b = -1, n = 0;
	struct sfc_group_entry *g1 = NULL, *g2 = NULL;
	const char *t1[2], *t2[2];
	uint32_t id;

	memset(owner, -1, sizeof(owner));
	for (i = 0; i < 2048 && a < 0; i++) {
		snprintf(names[i], sizeof(names[i]), "sf%d", i);
		id = sfc_group_id_pref(names[i]);
		if (owner[id] >= 0) {
			a = owner[id];
			b = i;
		}
		owner[id] = i;
	}
	cr_assert(a >= 0, "found a collision");
	t1[0] = names[a];
	t1[1] = names[b];
	t2[0] = names[b];
	t2[1] = names[a];
	cr_assert_eq(sfc_compile_groups(t1, 2, NULL, 0, NULL, 0, &g1, &n, NULL, 0), 0);
	cr_assert_eq(sfc_compile_groups(t2, 2, NULL, 0, NULL, 0, &g2, &n, NULL, 0), 0);
	cr_assert_neq(g1[0].id, g1[1].id);
	cr_assert_eq(sfc_group_find(g1, 2, names[a])->id, sfc_group_find(g2, 2, names[a])->id);
	cr_assert_eq(sfc_group_find(g1, 2, names[b])->id, sfc_group_find(g2, 2, names[b])->id);
	free(g1);
	free(g2);
}
