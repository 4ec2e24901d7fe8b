// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sources.c - sfc_allowed_src at reconcile: every endpoint's pod
 * annotation sfc.io/allowed-sources, and nothing else, in the map.
 */
#include <errno.h>
#include <stdlib.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "ctl_internal.h"

int sfc_plan_apply_sources(const struct sfc_plan *p, struct sfc_dp *dp)
{
	const struct sfc_ep_record *r;
	const struct sfc_pod *pod;
	struct sfc_src_key *keys;
	int i, j, n = 0, rc;

	keys = calloc((size_t)(p->n_eps ? p->n_eps : 1) * SFC_MAX_ALLOWED_SOURCES,
		      sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < p->n_eps; i++) {
		r = &p->eps[i];
		pod = sfc_pod_find(p->pods, p->n_pods, r->pod_namespace, r->pod_name);
		if (!pod || !r->vpid || r->vpid >= SFC_MAX_ENDPOINTS)
			continue;
		for (j = 0; j < pod->info.n_allowed_src; j++) {
			keys[n] = pod->info.allowed_src[j];
			keys[n++].vpid = r->vpid;
		}
	}
	rc = sfc_dp_allowed_src_sync(dp, keys, n);
	free(keys);
	return rc;
}
