// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * plan_nochain.c - fail closed on a chain that does not exist: an app pod
 * annotated sfc.io/chain with a name no ServiceChain has gets one egress
 * rule matching everything into SFC_SPI_NO_CHAIN, an SPI no chain ever
 * has, so the classifier drops its traffic (counted as drop reason
 * no-chain) instead of letting it bypass the chain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "ctl_internal.h"

static bool chain_named(const struct sfc_plan *p, const char *name)
{
	int i;

	for (i = 0; i < p->n_chains; i++)
		if (p->chains[i].name_known && !strcmp(p->chains[i].chain.name, name))
			return true;
	return false;
}

static bool has_policy(const struct sfc_plan *p, uint32_t vpid)
{
	int i;

	for (i = 0; i < p->n_pols; i++)
		if (p->pols[i].key.vpid == vpid)
			return true;
	return false;
}

const char *sfc_plan_unknown_chain(const struct sfc_plan *p,
				   const struct sfc_ep_record *ep)
{
	const struct sfc_pod *pod;

	if (ep->role != SFC_ROLE_APP || !ep->vpid)
		return NULL;
	pod = sfc_pod_find(p->pods, p->n_pods, ep->pod_namespace, ep->pod_name);
	if (!pod || pod->status || !pod->info.chain[0] ||
	    chain_named(p, pod->info.chain))
		return NULL;
	return pod->info.chain;
}

int sfc_plan_drop_unknown_chains(struct sfc_plan *p)
{
	struct sfc_policy_entry *v;
	struct sfc_rule all;
	int i, n = 0;

	memset(&all, 0, sizeof(all));
	all.spi = SFC_SPI_NO_CHAIN;
	all.port_hi = 65535;
	for (i = 0; i < p->n_eps; i++) {
		if (!sfc_plan_unknown_chain(p, &p->eps[i]) ||
		    has_policy(p, p->eps[i].vpid))
			continue;
		v = realloc(p->pols, (size_t)(p->n_pols + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->pols = v;
		v += p->n_pols++;
		memset(v, 0, sizeof(*v));
		v->key.vpid = p->eps[i].vpid;
		v->key.dir = SFC_DIR_EGRESS;
		sfc_policy_build(&all, 1, &v->pol);
		n++;
	}
	return n;
}
