// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * compile.c - the chain compilers: match list -> classifier rules, chain +
 * SF groups -> forward and reverse service function paths, pods ->
 * per-endpoint policies.
 * Pure functions over in-memory objects; applying them is apply.c's job.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "ctl_internal.h"

int sfc_chain_has_ingress(const struct sfc_chain *c)
{
	int i;

	for (i = 0; i < c->n_match; i++)
		if (c->match[i].dir == SFC_DIR_INGRESS)
			return 1;
	return 0;
}

void sfc_compile_rules(const struct sfc_chain *c, struct sfc_rule_set *out)
{
	struct sfc_rule *r;
	uint32_t dir;
	int i;

	memset(out, 0, sizeof(*out));
	if (c->n_match == 0) {
		r = &out->rules[SFC_DIR_EGRESS][out->n[SFC_DIR_EGRESS]++];
		r->spi = c->spi;
		r->port_lo = 0;
		r->port_hi = 65535;
		return;
	}
	for (i = 0; i < c->n_match && i < SFC_MAX_RULES; i++) {
		dir = c->match[i].dir == SFC_DIR_INGRESS ? SFC_DIR_INGRESS
							 : SFC_DIR_EGRESS;
		r = &out->rules[dir][out->n[dir]++];
		*r = c->match[i].rule;
		r->pad = 0;
		r->spi = c->spi; /* both directions: the forward SFP */
	}
}

uint32_t sfc_chain_rev_spi(const struct sfc_chain *c)
{
	return c->spi + 1;
}

/* One hop of SF type @type: its group, or down when the type has no
 * group or no instance (the SFF then applies the failure policy). */
static int type_hop(const struct sfc_chain *c, const char *type,
		    const struct sfc_group_entry *groups, int n_groups,
		    struct sfc_hop *hop, char *err, size_t errlen)
{
	const struct sfc_group_entry *g = sfc_group_find(groups, n_groups, type);

	memset(hop, 0, sizeof(*hop));
	hop->kind = SFC_HOP_SF;
	hop->policy = (uint8_t)c->policy;
	hop->group = g ? g->id : 0;
	if (g && g->grp.n_members)
		return 0;
	hop->flags = SFC_HOP_F_DOWN;
	return sfc_errf(err, errlen, "chain %s: SF type %s has no instance",
			c->name, type);
}

/* Does group @id have an SFC-unaware member? */
static int group_unaware(const struct sfc_group_entry *groups, int n_groups,
			 uint32_t id)
{
	int i;
	uint32_t m;

	for (i = 0; i < n_groups; i++) {
		if (groups[i].id != id)
			continue;
		for (m = 0; m < groups[i].grp.n_members && m < SFC_GROUP_MAX_MEMBERS; m++)
			if (groups[i].grp.m[m].flags & SFC_MEMBER_F_UNAWARE)
				return 1;
	}
	return 0;
}

/* @hop of a path, followed by @next (NULL at the path's last SF): flag it
 * when the next SF may be SFC-unaware (SFC_HOP_F_NEXT_UNAWARE). */
static struct sfc_hop path_hop(struct sfc_hop hop, const struct sfc_hop *next,
			       const struct sfc_group_entry *groups, int n_groups)
{
	if (next && group_unaware(groups, n_groups, next->group))
		hop.flags |= SFC_HOP_F_NEXT_UNAWARE;
	return hop;
}

int sfc_compile_paths(const struct sfc_chain *c,
		      const struct sfc_group_entry *groups, int n_groups,
		      struct sfc_path_entry *out, int *n, char *err,
		      size_t errlen)
{
	int i, cnt = 0, rc = 0, n_sfs = c->n_sfs;
	struct sfc_hop hops[SFC_MAX_CHAIN_SFS], end;

	if (n_sfs > SFC_MAX_CHAIN_SFS)
		n_sfs = SFC_MAX_CHAIN_SFS;
	for (i = 0; i < n_sfs; i++)
		if (type_hop(c, c->sfs[i], groups, n_groups, &hops[i],
			     rc ? NULL : err, errlen))
			rc = -ENOENT;
	memset(&end, 0, sizeof(end));
	end.kind = SFC_HOP_END;
	end.policy = (uint8_t)c->policy;
	end.gen = sfc_chain_gen(c);
	for (i = 0; i < n_sfs; i++)
		hops[i].gen = end.gen;
	/* Forward SFP: hop i at SI 255 - i. */
	for (i = 0; i < n_sfs; i++) {
		out[cnt].sp = SFC_SP(c->spi, SFC_NSH_SI_START - i);
		out[cnt++].hop = path_hop(hops[i], i + 1 < n_sfs ? &hops[i + 1] : NULL,
					  groups, n_groups);
	}
	out[cnt].sp = SFC_SP(c->spi, SFC_NSH_SI_START - n_sfs);
	out[cnt++].hop = end;
	/* Reverse SFP (replies of a symmetric chain): same groups, reverse
	 * order, so hop i there is forward hop n-1-i. */
	for (i = 0; i < n_sfs; i++) {
		out[cnt].sp = SFC_SP(sfc_chain_rev_spi(c), SFC_NSH_SI_START - i);
		out[cnt++].hop = path_hop(hops[n_sfs - 1 - i],
					  i + 1 < n_sfs ? &hops[n_sfs - 2 - i] : NULL,
					  groups, n_groups);
	}
	out[cnt].sp = SFC_SP(sfc_chain_rev_spi(c), SFC_NSH_SI_START - n_sfs);
	out[cnt++].hop = end;
	*n = cnt;
	return rc;
}

int sfc_policy_build(const struct sfc_rule *rules, int n,
		     struct sfc_policy *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 0)
		return -EINVAL;
	if (n > SFC_MAX_RULES)
		return -E2BIG;
	out->n_rules = (uint32_t)n;
	if (n)
		memcpy(out->rules, rules, (size_t)n * sizeof(*rules));
	return 0;
}

static const struct sfc_chain_entry *chain_find(
	const struct sfc_chain_entry *chains, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (chains[i].name_known && !strcmp(chains[i].chain.name, name))
			return &chains[i];
	return NULL;
}

/* Append the entries of one app endpoint @ep on chain @c to @out. */
static int policy_for_endpoint(const struct sfc_ep_record *ep,
			       const struct sfc_chain *c,
			       struct sfc_policy_entry *out, int *cnt,
			       char *err, size_t errlen)
{
	struct sfc_rule_set rs;
	uint32_t d;
	int rc;

	sfc_compile_rules(c, &rs);
	for (d = 0; d < SFC_DIR_MAX; d++) {
		if (!rs.n[d])
			continue;
		rc = sfc_policy_build(rs.rules[d], rs.n[d], &out[*cnt].pol);
		if (rc) {
			sfc_err_append(err, errlen, "pod %s/%s: chain %s: more than %d rules",
				       ep->pod_namespace, ep->pod_name, c->name,
				       SFC_MAX_RULES);
			return rc;
		}
		out[*cnt].key.vpid = ep->vpid;
		out[*cnt].key.dir = d;
		(*cnt)++;
	}
	return 0;
}

/* Resolve the chain of app endpoint @ep: 1 with *@c set; 0 when the pod
 * has no chain, or its object is unusable (*@keep set: its loader
 * reports it); -EINVAL (reported) when the chain is unknown or broken
 * (*@keep set when its last good maps stay). */
static int endpoint_chain(const struct sfc_ep_record *ep,
			  const struct sfc_chain_entry *chains, int n_chains,
			  const struct sfc_pod *pods, int n_pods,
			  const struct sfc_chain **c, int *keep, char *err,
			  size_t errlen)
{
	const struct sfc_chain_entry *ce;
	const struct sfc_pod *pod;

	*keep = 0;
	pod = sfc_pod_find(pods, n_pods, ep->pod_namespace, ep->pod_name);
	if (pod && pod->status) {
		*keep = 1;
		return 0;
	}
	if (!pod || !pod->info.chain[0])
		return 0;
	ce = chain_find(chains, n_chains, pod->info.chain);
	if (!ce) {
		sfc_err_append(err, errlen, "pod %s/%s: unknown chain %s",
			       pod->ns, pod->name, pod->info.chain);
		return -EINVAL;
	}
	if (ce->status && ce->status != -ENOENT) {
		*keep = ce->status != -EEXIST && ce->status != -EADDRINUSE;
		sfc_err_append(err, errlen, "pod %s/%s: chain %s is not valid",
			       pod->ns, pod->name, pod->info.chain);
		return -EINVAL;
	}
	*c = &ce->chain;
	return 1;
}

int sfc_compile_policy(const struct sfc_chain_entry *chains, int n_chains,
		       const struct sfc_ep_record *eps, int n_eps,
		       const struct sfc_pod *pods, int n_pods,
		       struct sfc_policy_entry **out, int *n,
		       uint32_t *keep, int *n_keep, char *err, size_t errlen)
{
	struct sfc_policy_entry *v = NULL;
	const struct sfc_chain *c;
	int i, cnt = 0, rc = 0, r, k;

	*out = NULL;
	*n = 0;
	if (n_keep)
		*n_keep = 0;
	if (n_eps && !(v = calloc((size_t)n_eps * SFC_DIR_MAX, sizeof(*v))))
		return -ENOMEM;
	for (i = 0; i < n_eps; i++) {
		if (eps[i].role != SFC_ROLE_APP || !eps[i].vpid)
			continue;
		r = endpoint_chain(&eps[i], chains, n_chains, pods, n_pods, &c,
				   &k, err, errlen);
		if (r > 0)
			r = policy_for_endpoint(&eps[i], c, v, &cnt, err, errlen);
		if (r < 0)
			rc = -EINVAL;
		if (k && keep && n_keep)
			keep[(*n_keep)++] = eps[i].vpid;
	}
	*out = v;
	*n = cnt;
	return rc;
}
