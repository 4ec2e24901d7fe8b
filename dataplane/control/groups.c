// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * groups.c - SF groups: every SF endpoint whose sfc.io/function is type T
 * is an instance (member) of T's group, and every hop of every chain that
 * names T points at that group (sfc_groups, layout 2). The SFF picks a
 * live member per flow; the agent keeps the members' up/down state.
 * Pure functions over in-memory objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_fnv.h"
#include "ctl_internal.h"

uint32_t sfc_group_id_pref(const char *type)
{
	return sfc_fnv1a32_str(type) % (SFC_MAX_GROUPS - 1) + 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Member flags of SF endpoint @r from its pod object: SFC_MEMBER_F_UNAWARE
 * when annotated sfc.io/sfc-aware: "false"; -1 when the object is
 * unusable (no member: the SFF cannot know how to reach it). */
static int member_flags(const struct sfc_ep_record *r,
			const struct sfc_pod *pods, int n_pods)
{
	const struct sfc_pod *p = sfc_pod_find(pods, n_pods, r->pod_namespace,
					       r->pod_name);

	if (p && p->status)
		return -1;
	return p && p->info.unaware ? SFC_MEMBER_F_UNAWARE : 0;
}

static int cmp_member(const void *a, const void *b)
{
	const struct sfc_group_member *x = a, *y = b;

	return (x->vpid > y->vpid) - (x->vpid < y->vpid);
}

/* Members of type @g->function: SF endpoints in VPID order, at most
 * SFC_GROUP_MAX_MEMBERS (the lowest VPIDs; the rest reported). */
static int fill_members(struct sfc_group_entry *g,
			const struct sfc_ep_record *eps, int n_eps,
			const struct sfc_pod *pods, int n_pods, char *err,
			size_t errlen)
{
	struct sfc_group_member *all;
	int i, cnt = 0, rc = 0, f;

	g->grp.n_members = 0;
	if (!n_eps)
		return 0;
	all = calloc((size_t)n_eps, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < n_eps; i++) {
		if (eps[i].role != SFC_ROLE_SF || !eps[i].vpid ||
		    eps[i].vpid >= SFC_MAX_ENDPOINTS ||
		    strcmp(eps[i].function, g->function))
			continue;
		f = member_flags(&eps[i], pods, n_pods);
		if (f < 0)
			continue;
		all[cnt].vpid = (uint16_t)eps[i].vpid;
		all[cnt++].flags = (uint8_t)f;
	}
	qsort(all, (size_t)cnt, sizeof(*all), cmp_member);
	if (cnt > SFC_GROUP_MAX_MEMBERS) {
		sfc_err_append(err, errlen,
			       "SF type %s: %d instances, only the %d lowest VPIDs serve",
			       g->function, cnt, SFC_GROUP_MAX_MEMBERS);
		cnt = SFC_GROUP_MAX_MEMBERS;
		rc = -E2BIG;
	}
	memcpy(g->grp.m, all, (size_t)cnt * sizeof(*all));
	g->grp.n_members = (uint32_t)cnt;
	free(all);
	return rc;
}

int sfc_compile_groups(const char *const *types, int n_types,
		       const struct sfc_ep_record *eps, int n_eps,
		       const struct sfc_pod *pods, int n_pods,
		       struct sfc_group_entry **out, int *n, char *err,
		       size_t errlen)
{
	struct sfc_group_entry *v = NULL;
	const char **sorted = NULL;
	uint8_t *used = NULL;
	int i, cnt = 0, rc = 0, r;
	uint32_t id;

	*out = NULL;
	*n = 0;
	if (n_types <= 0)
		return 0;
	sorted = malloc((size_t)n_types * sizeof(*sorted));
	v = calloc((size_t)n_types, sizeof(*v));
	used = calloc(SFC_MAX_GROUPS, 1);
	if (!sorted || !v || !used) {
		rc = -ENOMEM;
		goto cleanup;
	}
	memcpy(sorted, types, (size_t)n_types * sizeof(*sorted));
	qsort(sorted, (size_t)n_types, sizeof(*sorted), cmp_str);
	for (i = 0; i < n_types; i++) {
		if (!sorted[i][0] || (cnt && !strcmp(sorted[i], v[cnt - 1].function)))
			continue; /* duplicates are adjacent once sorted */
		if (cnt == SFC_MAX_GROUPS - 1) {
			rc = sfc_errf(err, errlen, "more than %d SF types",
				      SFC_MAX_GROUPS - 1);
			rc = -ENOSPC;
			break;
		}
		/* Preferred id, linear probing on a collision (sorted order
		 * keeps the outcome independent of input order). */
		for (id = sfc_group_id_pref(sorted[i]); used[id];
		     id = id % (SFC_MAX_GROUPS - 1) + 1)
			;
		used[id] = 1;
		v[cnt].id = id;
		snprintf(v[cnt].function, sizeof(v[cnt].function), "%s", sorted[i]);
		r = fill_members(&v[cnt], eps, n_eps, pods, n_pods, err, errlen);
		if (r == -ENOMEM) {
			rc = r;
			goto cleanup;
		}
		if (r && !rc)
			rc = r;
		cnt++;
	}
	*out = v;
	*n = cnt;
	v = NULL;
cleanup:
	free(v);
	free(sorted);
	free(used);
	return rc;
}

const struct sfc_group_entry *sfc_group_find(const struct sfc_group_entry *g,
					     int n, const char *type)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(g[i].function, type))
			return &g[i];
	return NULL;
}

const struct sfc_group_entry *sfc_group_by_id(const struct sfc_group_entry *g,
					      int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (g[i].id == id)
			return &g[i];
	return NULL;
}
