// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * apply.c - make the pinned sfc_groups, sfc_paths, sfc_rev_spi and
 * sfc_policy maps equal to a plan, and sfc_reconcile(), which loads the
 * plan and applies it under the node lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "ctl_internal.h"

/* Every key of map @fd (key size @ksz) into a malloc'd array. */
static int map_keys(int fd, size_t ksz, void **out, int *n)
{
	char *v = NULL, *nv, *prev = NULL;
	int cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	for (;;) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, (size_t)cap * ksz);
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			prev = cnt ? v + (size_t)(cnt - 1) * ksz : NULL;
		}
		if (bpf_map_get_next_key(fd, prev, v + (size_t)cnt * ksz)) {
			if (errno == ENOENT)
				break;
			free(v);
			return -errno;
		}
		prev = v + (size_t)cnt * ksz;
		cnt++;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static bool u32_in(const uint32_t *v, int n, uint32_t x)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static const struct sfc_path_entry *path_find(const struct sfc_plan *p,
					      uint32_t sp)
{
	int i;

	for (i = 0; i < p->n_paths; i++)
		if (p->paths[i].sp == sp)
			return &p->paths[i];
	return NULL;
}

static const struct sfc_policy_entry *pol_find(const struct sfc_plan *p,
					       const struct sfc_policy_key *k)
{
	int i;

	for (i = 0; i < p->n_pols; i++)
		if (p->pols[i].key.vpid == k->vpid && p->pols[i].key.dir == k->dir)
			return &p->pols[i];
	return NULL;
}

static int apply_groups(const struct sfc_plan *p, struct sfc_dp *dp)
{
	uint32_t id;
	int i, first = 0;

	for (i = 0; i < p->n_groups; i++) {
		id = p->groups[i].id;
		if (bpf_map_update_elem(dp->groups_fd, &id, &p->groups[i].grp,
					BPF_ANY) && !first)
			first = -errno;
	}
	return first;
}

/* Empty every group that is neither desired nor used by a hop left in
 * sfc_paths (a kept broken chain's). Runs after apply_paths(). */
static int prune_groups(const struct sfc_plan *p, struct sfc_dp *dp)
{
	uint8_t used[SFC_MAX_GROUPS] = { 0 };
	uint32_t key, *prev = NULL, id;
	struct sfc_group g, empty;
	struct sfc_hop hop;
	int i, first = 0;

	for (i = 0; i < p->n_groups; i++)
		used[p->groups[i].id % SFC_MAX_GROUPS] = 1;
	while (!bpf_map_get_next_key(dp->paths_fd, prev, &key)) {
		prev = &key;
		if (!bpf_map_lookup_elem(dp->paths_fd, &key, &hop) &&
		    hop.kind == SFC_HOP_SF && hop.group < SFC_MAX_GROUPS)
			used[hop.group] = 1;
	}
	memset(&empty, 0, sizeof(empty));
	for (id = 1; id < SFC_MAX_GROUPS; id++) {
		if (used[id] || bpf_map_lookup_elem(dp->groups_fd, &id, &g) ||
		    !g.n_members)
			continue;
		if (bpf_map_update_elem(dp->groups_fd, &id, &empty, BPF_ANY) && !first)
			first = -errno;
	}
	return first;
}

static int apply_paths(const struct sfc_plan *p, struct sfc_dp *dp)
{
	uint32_t *keys = NULL, sp;
	int i, n, rc, first = 0;

	rc = map_keys(dp->paths_fd, sizeof(uint32_t), (void **)&keys, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		sp = keys[i];
		if (path_find(p, sp) ||
		    u32_in(p->keep_spi, p->n_keep_spi, SFC_SP_SPI(sp) & ~1u))
			continue;
		if (bpf_map_delete_elem(dp->paths_fd, &sp) && errno != ENOENT && !first)
			first = -errno;
		bpf_map_delete_elem(dp->hop_stats_fd, &sp); /* fresh counters */
	}
	free(keys);
	for (i = 0; i < p->n_paths; i++) {
		sp = p->paths[i].sp;
		if (bpf_map_update_elem(dp->paths_fd, &sp, &p->paths[i].hop,
					BPF_ANY) && !first)
			first = -errno;
	}
	return first;
}

/* sfc_rev_spi[spi] = spi + 1 for every programmed chain; others deleted
 * (kept broken chains excepted). */
static int apply_rev_spi(const struct sfc_plan *p, struct sfc_dp *dp)
{
	uint32_t *keys = NULL, spi, rev;
	int i, n, rc, first = 0;

	rc = map_keys(dp->rev_spi_fd, sizeof(uint32_t), (void **)&keys, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if (u32_in(p->fwd_spi, p->n_fwd_spi, keys[i]) ||
		    u32_in(p->keep_spi, p->n_keep_spi, keys[i]))
			continue;
		if (bpf_map_delete_elem(dp->rev_spi_fd, &keys[i]) &&
		    errno != ENOENT && !first)
			first = -errno;
	}
	free(keys);
	for (i = 0; i < p->n_fwd_spi; i++) {
		spi = p->fwd_spi[i];
		rev = spi + 1;
		if (bpf_map_update_elem(dp->rev_spi_fd, &spi, &rev, BPF_ANY) && !first)
			first = -errno;
	}
	return first;
}

static int apply_policy(const struct sfc_plan *p, struct sfc_dp *dp)
{
	struct sfc_policy_key *keys = NULL;
	int i, n, rc, first = 0;

	rc = map_keys(dp->policy_fd, sizeof(*keys), (void **)&keys, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if (pol_find(p, &keys[i]) ||
		    u32_in(p->keep_vpid, p->n_keep_vpid, keys[i].vpid))
			continue;
		if (bpf_map_delete_elem(dp->policy_fd, &keys[i]) &&
		    errno != ENOENT && !first)
			first = -errno;
	}
	free(keys);
	for (i = 0; i < p->n_pols; i++) {
		if (bpf_map_update_elem(dp->policy_fd, &p->pols[i].key,
					&p->pols[i].pol, BPF_ANY) && !first)
			first = -errno;
	}
	return first;
}

int sfc_plan_apply(const struct sfc_plan *p, struct sfc_dp *dp)
{
	/* Groups before the hops that name them, hops and reverse SPIs before
	 * the policies that lead to them; stale groups last. Every step runs
	 * even after one failed: each makes its own maps right. */
	static int (*const steps[])(const struct sfc_plan *, struct sfc_dp *) = {
		apply_groups, apply_paths, apply_rev_spi, apply_policy,
		prune_groups, sfc_plan_apply_sources,
	};
	int rc, first = 0;
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		rc = steps[i](p, dp);
		if (rc && !first)
			first = rc;
	}
	return first;
}

int sfc_reconcile(const char *conf_dir, const char *state_dir,
		  const char *pin_dir, char *err, size_t errlen)
{
	struct sfc_dp dp;
	struct sfc_plan plan;
	int lock, rc;

	memset(&dp, 0, sizeof(dp));
	/* Read under the lock, so that an endpoint sfc-cni adds meanwhile is
	 * either fully in the plan or not at all. */
	lock = sfc_dp_lock(pin_dir);
	rc = sfc_plan_load(conf_dir, state_dir, &plan, err, errlen);
	if (rc || lock < 0) {
		rc = rc ? rc : lock;
		goto out;
	}
	rc = sfc_dp_open(pin_dir, &dp);
	if (!rc) {
		rc = sfc_plan_apply(&plan, &dp);
		sfc_dp_close(&dp);
	}
	if (!rc && plan.n_errors)
		rc = -EINVAL;
out:
	if (rc && rc != -EINVAL)
		sfc_err_append(err, errlen, "reconcile (pin dir %s): %s",
			       pin_dir, strerror(-rc));
	if (lock >= 0)
		sfc_dp_unlock(lock);
	sfc_plan_free(&plan);
	return rc;
}
