// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * plan.c - compile chain, pod and endpoint objects into the desired
 * contents of sfc_groups, sfc_paths, sfc_rev_spi and sfc_policy (a
 * "plan"), and the standalone loader that reads them from disk first;
 * no BPF here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "ctl_internal.h"

/* Two chains whose names hash to the same SPI: the later (by file order)
 * one is refused, the earlier keeps the SPI. */
static void flag_spi_collisions(struct sfc_plan *p)
{
	struct sfc_chain_entry *a, *b;
	int i, j;

	for (i = 0; i < p->n_chains; i++) {
		b = &p->chains[i];
		for (j = 0; j < i && b->name_known; j++) {
			a = &p->chains[j];
			if (!a->name_known || a->chain.spi != b->chain.spi)
				continue;
			b->status = -EADDRINUSE;
			b->name_known = 0;
			sfc_errf(b->error, sizeof(b->error),
				 "chain %s: SPI %u collides with chain %s (rename one)",
				 b->chain.name, b->chain.spi, a->chain.name);
			break;
		}
	}
}

/* One SF group per SF type named by a compilable chain. */
static int plan_groups(struct sfc_plan *p, char *err, size_t errlen)
{
	const char **types;
	char why[512] = "";
	int i, j, n = 0, rc;

	types = calloc((size_t)(p->n_chains ? p->n_chains : 1) * SFC_MAX_CHAIN_SFS,
		       sizeof(*types));
	if (!types)
		return -ENOMEM;
	for (i = 0; i < p->n_chains; i++) {
		if (p->chains[i].status)
			continue;
		for (j = 0; j < p->chains[i].chain.n_sfs && j < SFC_MAX_CHAIN_SFS; j++)
			types[n++] = p->chains[i].chain.sfs[j];
	}
	rc = sfc_compile_groups(types, n, p->eps, p->n_eps, p->pods, p->n_pods,
				&p->groups, &p->n_groups, why, sizeof(why));
	free(types);
	if (rc == -E2BIG || rc == -ENOSPC) {
		sfc_err_append(err, errlen, "%s", why);
		p->n_errors++;
		rc = 0;
	}
	return rc;
}

static int plan_paths(struct sfc_plan *p, char *err, size_t errlen)
{
	size_t nc = (size_t)(p->n_chains ? p->n_chains : 1);
	struct sfc_chain_entry *e;
	char why[256];
	int i, n, rc;

	p->paths = calloc(nc, SFC_CHAIN_MAX_ENTRIES * sizeof(*p->paths));
	p->keep_spi = calloc(nc, sizeof(*p->keep_spi));
	p->fwd_spi = calloc(nc, sizeof(*p->fwd_spi));
	if (!p->paths || !p->keep_spi || !p->fwd_spi)
		return -ENOMEM;
	for (i = 0; i < p->n_chains; i++) {
		e = &p->chains[i];
		if (e->status) {
			/* broken file of a known chain: keep its last good maps */
			if (e->name_known)
				p->keep_spi[p->n_keep_spi++] = e->chain.spi;
			continue;
		}
		why[0] = '\0';
		rc = sfc_compile_paths(&e->chain, p->groups, p->n_groups,
				       p->paths + p->n_paths, &n, why, sizeof(why));
		p->n_paths += n;
		p->fwd_spi[p->n_fwd_spi++] = e->chain.spi;
		if (rc) {
			e->status = rc;
			sfc_errf(e->error, sizeof(e->error), "%s", why);
		}
	}
	for (i = 0; i < p->n_chains; i++) {
		if (p->chains[i].status) {
			sfc_err_append(err, errlen, "%s", p->chains[i].error);
			p->n_errors++;
		}
	}
	return 0;
}

static int plan_policy(struct sfc_plan *p, char *err, size_t errlen)
{
	char why[2048] = "";
	int rc;

	if (p->n_eps &&
	    !(p->keep_vpid = calloc((size_t)p->n_eps, sizeof(*p->keep_vpid))))
		return -ENOMEM;
	rc = sfc_compile_policy(p->chains, p->n_chains, p->eps, p->n_eps,
				p->pods, p->n_pods, &p->pols, &p->n_pols,
				p->keep_vpid, &p->n_keep_vpid, why, sizeof(why));
	if (rc == -EINVAL) {
		sfc_err_append(err, errlen, "%s", why);
		p->n_errors++;
		return 0;
	}
	return rc;
}

/* Pod objects that cannot be used, each reported once. */
static void plan_pod_problems(struct sfc_plan *p, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < p->n_pods; i++) {
		if (!p->pods[i].status)
			continue;
		sfc_err_append(err, errlen, "%s", p->pods[i].error);
		p->n_errors++;
	}
}

/* Compile the objects @p holds (and owns). */
static int plan_compile(struct sfc_plan *p, char *err, size_t errlen)
{
	int rc;

	plan_pod_problems(p, err, errlen);
	flag_spi_collisions(p);
	rc = plan_groups(p, err, errlen);
	if (!rc)
		rc = plan_paths(p, err, errlen);
	if (!rc)
		rc = plan_policy(p, err, errlen);
	return rc;
}

/* A malloc'd copy of @n elements of @size bytes at @src into *@dst; NULL
 * for none. Return: 0 or -ENOMEM. */
static int dup_array(void **dst, const void *src, int n, size_t size)
{
	*dst = NULL;
	if (n <= 0)
		return 0;
	*dst = malloc((size_t)n * size);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, (size_t)n * size);
	return 0;
}

int sfc_plan_compile(const struct sfc_objects *in, struct sfc_plan *p,
		     char *err, size_t errlen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	if (err && errlen)
		err[0] = '\0';
	rc = dup_array((void **)&p->chains, in->chains, in->n_chains,
		       sizeof(*in->chains));
	if (!rc)
		rc = dup_array((void **)&p->pods, in->pods, in->n_pods,
			       sizeof(*in->pods));
	if (!rc)
		rc = dup_array((void **)&p->eps, in->eps, in->n_eps,
			       sizeof(*in->eps));
	if (rc)
		return rc;
	p->n_chains = in->n_chains > 0 ? in->n_chains : 0;
	p->n_pods = in->n_pods > 0 ? in->n_pods : 0;
	p->n_eps = in->n_eps > 0 ? in->n_eps : 0;
	return plan_compile(p, err, errlen);
}

int sfc_plan_load(const char *conf_dir, const char *state_dir,
		  struct sfc_plan *p, char *err, size_t errlen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	if (err && errlen)
		err[0] = '\0';
	/* Loaded straight into the plan: sfc_plan_compile() would copy. */
	rc = sfc_state_list(state_dir, &p->eps, &p->n_eps);
	if (!rc)
		rc = sfc_chains_load(conf_dir, &p->chains, &p->n_chains);
	if (!rc)
		rc = sfc_pods_load(conf_dir, &p->pods, &p->n_pods);
	if (rc)
		return rc;
	return plan_compile(p, err, errlen);
}

void sfc_plan_free(struct sfc_plan *p)
{
	free(p->chains);
	free(p->eps);
	free(p->pods);
	free(p->groups);
	free(p->paths);
	free(p->fwd_spi);
	free(p->pols);
	free(p->keep_spi);
	free(p->keep_vpid);
	memset(p, 0, sizeof(*p));
}

const struct sfc_chain_entry *sfc_plan_chain_by_spi(const struct sfc_plan *p,
						    uint32_t spi)
{
	int i;

	for (i = 0; i < p->n_chains; i++) {
		if (!p->chains[i].name_known)
			continue;
		if (p->chains[i].chain.spi == (spi & ~1u))
			return &p->chains[i];
	}
	return NULL;
}

const struct sfc_ep_record *sfc_plan_endpoint(const struct sfc_plan *p,
					      uint32_t vpid)
{
	int i;

	for (i = 0; i < p->n_eps; i++)
		if (p->eps[i].vpid == vpid)
			return &p->eps[i];
	return NULL;
}
