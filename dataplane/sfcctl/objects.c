// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * objects.c - the objects the views name chains, functions and pods from:
 * those this node programs. In cluster mode sfc-agent compiles the API
 * server's objects, never chains.d, and leaves what it compiled last in
 * its state dir (the control library's cluster snapshot); standalone,
 * they are the files of the conf dir.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfc_control.h"
#include "sfcctl.h"

/* Compile the snapshot's objects with this node's endpoint records, as
 * sfc-agent does in cluster mode (an unknown chain: the drop rule). */
static int plan_from_snapshot(const struct sfcctl *c, const struct sfc_snapshot *s,
			      struct sfc_plan *p, char *err, size_t errlen)
{
	struct sfc_ep_record *eps = NULL;
	struct sfc_objects in = {
		.chains = s->chains, .n_chains = s->n_chains,
		.pods = s->pods, .n_pods = s->n_pods,
	};
	int rc;

	memset(p, 0, sizeof(*p));
	rc = sfc_state_list(c->state_dir, &eps, &in.n_eps);
	if (rc) {
		snprintf(err, errlen, "%s/endpoints: %s", c->state_dir, strerror(-rc));
		return rc;
	}
	in.eps = eps;
	rc = sfc_plan_compile(&in, p, err, errlen);
	if (!rc && (rc = sfc_plan_drop_unknown_chains(p)) > 0)
		rc = 0;
	free(eps);
	return rc;
}

int sfcctl_plan_load(const struct sfcctl *c, struct sfc_plan *p,
		     struct sfcctl_src *src, char *err, size_t errlen)
{
	int rc;

	memset(src, 0, sizeof(*src));
	memset(p, 0, sizeof(*p));
	rc = sfc_snapshot_read(c->state_dir, &src->snap, err, errlen);
	if (rc == -ENOENT)
		return sfc_plan_load(c->conf_dir, c->state_dir, p, err, errlen);
	if (rc)
		return rc;
	src->cluster = true;
	return plan_from_snapshot(c, &src->snap, p, err, errlen);
}

int sfcctl_standalone_only(const struct sfcctl *c, const char *cmd)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", c->state_dir, SFC_SNAPSHOT_FILE);
	if (access(path, F_OK))
		return 0;
	return sfcctl_fail("%s: this node's sfc-agent runs in cluster mode "
			   "(%s): it programs the API server's ServiceChains "
			   "and pods, not %s; change them with kubectl", cmd,
			   path, c->conf_dir);
}

void sfcctl_src_free(struct sfcctl_src *src)
{
	sfc_snapshot_free(&src->snap);
	src->cluster = false;
}

void sfcctl_src_note(const struct sfcctl_src *src)
{
	char when[32] = "?";
	time_t t = (time_t)src->snap.mtime;
	struct tm tm;

	if (!src->cluster)
		return;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr,
		"sfcctl: cluster mode: objects from sfc-agent's snapshot %s (node %s, written %s, %llds ago)\n",
		src->snap.path, src->snap.node[0] ? src->snap.node : "?", when,
		(long long)time(NULL) - src->snap.mtime);
}

const struct sfc_chain_ready *sfcctl_chain_ready(const struct sfcctl_src *src,
						 const char *name)
{
	int i;

	for (i = 0; src->cluster && i < src->snap.n_chains; i++)
		if (src->snap.chains[i].name_known &&
		    !strcmp(src->snap.chains[i].chain.name, name))
			return &src->snap.ready[i];
	return NULL;
}

bool sfcctl_chain_missing(const struct sfc_plan *p, const struct sfc_pod *pod)
{
	int i;

	if (pod->status || !pod->info.chain[0])
		return false;
	for (i = 0; i < p->n_chains; i++)
		if (p->chains[i].name_known &&
		    !strcmp(p->chains[i].chain.name, pod->info.chain))
			return false;
	return true;
}
