// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * chain_gen.c - the version of a chain written into its hops (sfc_hop.gen):
 * flow programs an SF made under another version are void (sfc_common.h).
 */
#include <string.h>

#include "sfc_control.h"
#include "sfc_fnv.h"
#include "ctl_internal.h"

/*
 * A hash of what the dataplane does with the chain's traffic: its SF types
 * in order, its failure policy and its match rules. Not its name (that is
 * the SPI) nor its instances: re-applying the same chain, a periodic
 * reconcile or an SF instance coming or going keeps the version, so flows
 * keep their programs; editing the chain voids them.
 */
uint32_t sfc_chain_gen(const struct sfc_chain *c)
{
	uint64_t h = SFC_FNV64_INIT;
	struct sfc_rule r;
	uint32_t v;
	int i;

	h = sfc_fnv1a64(h, &c->n_sfs, sizeof(c->n_sfs));
	for (i = 0; i < c->n_sfs && i < SFC_MAX_CHAIN_SFS; i++)
		h = sfc_fnv1a64(h, c->sfs[i], strlen(c->sfs[i]) + 1);
	h = sfc_fnv1a64(h, &c->policy, sizeof(c->policy));
	h = sfc_fnv1a64(h, &c->n_match, sizeof(c->n_match));
	for (i = 0; i < c->n_match && i < SFC_MAX_RULES; i++) {
		r = c->match[i].rule;
		r.spi = 0;
		r.pad = 0;
		h = sfc_fnv1a64(h, &c->match[i].dir, sizeof(c->match[i].dir));
		h = sfc_fnv1a64(h, &r, sizeof(r));
	}
	v = (uint32_t)(h ^ (h >> 32));
	return v ? v : 1;
}
