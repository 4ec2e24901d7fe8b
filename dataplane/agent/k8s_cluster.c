// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * k8s_cluster.c - cluster mode: the objects come from the API server
 * instead of <conf_dir>. Three reflectors (this node's pods by
 * spec.nodeName, every ServiceChain, this Node) fill stores; the objects
 * go through the control library's parsers into the same sfc_objects the
 * standalone loader makes, and the same compile and apply path programs
 * them: one path, two sources.
 *
 * Nothing is compiled before both the pod and ServiceChain lists are
 * complete, and a failed LIST or a broken watch never empties a store
 * (the reflector hands on only complete lists): while the API server is
 * away, the maps keep their last programmed state, and the next LIST
 * brings them up to date. A store whose generation moved is compiled at
 * once after the step that delivered it, not at the next round.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfc_dp.h"
#include "k8s_agent.h"

/* After a failed status write, none for this long (the API server is away). */
#define STATUS_RETRY_NS (5ull * 1000000000ull)
/* A pod GET'd at ADD that the watch never delivers is forgotten after this. */
#define FETCHED_TTL_S 300

bool agent_k8s_synced(const struct agent_k8s *k)
{
	struct sfc_k8s_reflector_info a, b;

	sfc_k8s_reflector_info(k->rp, &a);
	sfc_k8s_reflector_info(k->rc, &b);
	return a.synced && b.synced && !sfc_k8s_store_error(k->pods) &&
	       !sfc_k8s_store_error(k->chains);
}

static const char *meta_str(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o, "metadata"), key);

	return cJSON_IsString(it) ? it->valuestring : "";
}

/* Pods GET'd for an ADD that the store now has, or that are too old, go. */
static void fetched_prune(struct agent_k8s *k)
{
	cJSON *it = k->fetched ? k->fetched->child : NULL, *next;
	double now = (double)time(NULL);

	for (; it; it = next) {
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(it, "at");
		const cJSON *pod = cJSON_GetObjectItemCaseSensitive(it, "pod");

		next = it->next;
		if (sfc_k8s_store_get(k->pods, meta_str(pod, "namespace"),
				      meta_str(pod, "name")) ||
		    !cJSON_IsNumber(at) || now - at->valuedouble > FETCHED_TTL_S)
			cJSON_Delete(cJSON_DetachItemViaPointer(k->fetched, it));
	}
}

/* Every ServiceChain of the store as a chain entry. */
static int chains_build(struct agent_k8s *k, struct sfc_chain_entry **out,
			int *n)
{
	size_t i, cnt = sfc_k8s_store_count(k->chains);
	struct sfc_chain_entry *v = calloc(cnt ? cnt : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < cnt; i++)
		if (sfc_chain_object(sfc_k8s_store_at(k->chains, i), &v[i]) == -ENOMEM) {
			free(v);
			return -ENOMEM;
		}
	*out = v;
	*n = (int)cnt;
	return 0;
}

/* This node's pods: the store, then pods GET'd for an ADD, then, for an
 * endpoint whose pod left the store (deleted: its CNI DEL has not run
 * yet), the object of the last applied plan, so the pod keeps its chain
 * until its endpoint is gone instead of its traffic leaving the chain. */
static int pods_build(struct agent_k8s *k, const struct sfc_ep_record *eps,
		      int n_eps, struct sfc_pod **out, int *n)
{
	size_t i, cnt = sfc_k8s_store_count(k->pods);
	int nf = cJSON_GetArraySize(k->fetched), j = 0, e;
	struct sfc_pod *v = calloc(cnt + (size_t)nf + (size_t)n_eps + 1, sizeof(*v));
	const struct sfc_pod *last;
	const cJSON *it;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < cnt; i++)
		agent_k8s_pod(sfc_k8s_store_at(k->pods, i), &v[j++]);
	cJSON_ArrayForEach(it, k->fetched)
		agent_k8s_pod(cJSON_GetObjectItemCaseSensitive(it, "pod"), &v[j++]);
	for (e = 0; e < n_eps; e++) {
		if (sfc_pod_find(v, j, eps[e].pod_namespace, eps[e].pod_name))
			continue;
		last = sfc_pod_find(k->plan.pods, k->plan.n_pods,
				    eps[e].pod_namespace, eps[e].pod_name);
		if (last)
			v[j++] = *last;
	}
	for (i = 0; i < (size_t)j; i++)
		if (v[i].status == -ENOMEM) {
			free(v);
			return -ENOMEM;
		}
	*out = v;
	*n = j;
	return 0;
}

/* Has a CNI ADD set this node up (sfc_meta pinned in @pin_dir)? */
static bool node_set_up(const char *pin_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SFC_MAP_META);
	return !access(path, F_OK) || errno != ENOENT;
}

/* Compile the objects with endpoints @eps into @plan. */
static int compile(struct agent_k8s *k, struct sfc_ep_record *eps, int n_eps,
		   struct sfc_plan *plan, char *err, size_t errlen)
{
	struct sfc_chain_entry *chains = NULL;
	struct sfc_pod *pods = NULL;
	struct sfc_objects in = { .eps = eps, .n_eps = n_eps };
	int rc;

	rc = chains_build(k, &chains, &in.n_chains);
	if (!rc)
		rc = pods_build(k, eps, n_eps, &pods, &in.n_pods);
	in.chains = chains;
	in.pods = pods;
	if (!rc)
		rc = sfc_plan_compile(&in, plan, err, errlen);
	if (!rc && (rc = sfc_plan_drop_unknown_chains(plan)) > 0)
		rc = 0;
	free(chains);
	free(pods);
	return rc;
}

/* A node no CNI ADD has set up yet (a new node, the agent first), or whose
 * pins an uninstall just removed (the agent still runs until its preStop
 * hook is done): with no endpoint either, the plan is compiled (status,
 * the ADD socket need it) and there is nothing to program. Taking the node
 * lock here would make the pin dir, which only sfc-cni's first ADD should
 * make, and which an uninstall must not find again. -EAGAIN: endpoints
 * exist (an ADD is setting the node up now), take the locked path. */
static int compile_bare(struct agent_k8s *k, struct sfc_plan *plan,
			char *err, size_t errlen)
{
	struct sfc_ep_record *eps = NULL;
	int n_eps = 0, rc;

	if (node_set_up(k->cfg->pin_dir))
		return -EAGAIN;
	rc = sfc_state_list(k->cfg->state_dir, &eps, &n_eps);
	if (!rc && n_eps)
		rc = -EAGAIN;
	if (!rc)
		rc = compile(k, eps, 0, plan, err, errlen);
	free(eps);
	return rc;
}

/* Compile and apply under the node lock: an endpoint sfc-cni adds
 * meanwhile is either fully in the plan or not at all. */
static int compile_apply(struct agent_k8s *k, struct sfc_plan *plan,
			 char *err, size_t errlen)
{
	struct sfc_ep_record *eps = NULL;
	struct sfc_dp dp;
	int lock, rc, n_eps = 0;

	memset(plan, 0, sizeof(*plan));
	rc = compile_bare(k, plan, err, errlen);
	if (rc != -EAGAIN)
		return rc;
	sfc_plan_free(plan);
	memset(plan, 0, sizeof(*plan));
	err[0] = '\0';
	lock = sfc_dp_lock(k->cfg->pin_dir);
	if (lock < 0) {
		snprintf(err, errlen, "node lock in %s: %s", k->cfg->pin_dir,
			 strerror(-lock));
		return lock;
	}
	rc = sfc_state_list(k->cfg->state_dir, &eps, &n_eps);
	if (!rc)
		rc = compile(k, eps, n_eps, plan, err, errlen);
	if (!rc && !(rc = sfc_dp_open(k->cfg->pin_dir, &dp))) {
		rc = sfc_plan_apply(plan, &dp);
		sfc_dp_close(&dp);
	}
	if (rc) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, "%sreconcile (state %s, pins %s): %s",
			 used ? "; " : "", k->cfg->state_dir, k->cfg->pin_dir,
			 strerror(-rc));
	}
	sfc_dp_unlock(lock);
	free(eps);
	return rc;
}

/* The pod object of endpoint @ep: the store's, else a GET'd one. */
static const cJSON *pod_obj(struct agent_k8s *k, const struct sfc_ep_record *ep)
{
	char key[SFC_NAME_MAX + 256];
	const cJSON *o = sfc_k8s_store_get(k->pods, ep->pod_namespace, ep->pod_name);

	if (o)
		return o;
	snprintf(key, sizeof(key), "%s/%s", ep->pod_namespace, ep->pod_name);
	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(k->fetched, key), "pod");
}

/* One Warning Event per pod and unknown chain (per agent process), and
 * the drop logged once; a pod whose chain appeared may get one again
 * should it vanish later. */
static void events_unknown_chains(struct agent_k8s *k)
{
	cJSON *seen = cJSON_CreateObject(), *ev, *old;
	char key[512], msg[512], now[32];
	const cJSON *pod;
	const char *chain;
	int i, rc;

	if (!seen)
		return;
	agent_k8s_now(now, sizeof(now));
	for (i = 0; i < k->plan.n_eps; i++) {
		const struct sfc_ep_record *ep = &k->plan.eps[i];

		chain = sfc_plan_unknown_chain(&k->plan, ep);
		pod = chain ? pod_obj(k, ep) : NULL;
		if (!pod)
			continue;
		snprintf(key, sizeof(key), "%s %s", meta_str(pod, "uid"), chain);
		if (cJSON_GetObjectItemCaseSensitive(seen, key))
			continue;
		old = cJSON_DetachItemFromObjectCaseSensitive(k->evented, key);
		if (old) {
			cJSON_AddItemToObject(seen, key, old);
			continue;
		}
		snprintf(msg, sizeof(msg),
			 "sfc.io/chain names ServiceChain \"%s\", which does not exist: the pod's traffic is dropped (no-chain) until it does",
			 chain);
		agent_log("pod %s/%s (vpid %u): %s", ep->pod_namespace,
			  ep->pod_name, ep->vpid, msg);
		ev = agent_k8s_event(pod, k->cfg->node_name, "UnknownChain", msg, now);
		rc = ev ? sfc_k8s_create(k->req, &sfc_k8s_events,
					 meta_str(pod, "namespace"), ev, NULL, NULL)
			: -ENOMEM;
		cJSON_Delete(ev);
		if (rc && rc != -EEXIST) {
			agent_log("event for pod %s/%s: %s", ep->pod_namespace,
				  ep->pod_name, strerror(-rc));
			continue; /* tried again at the next reconcile */
		}
		cJSON_AddTrueToObject(seen, key);
	}
	cJSON_Delete(k->evented);
	k->evented = seen;
}

void agent_k8s_status(struct agent_k8s *k)
{
	struct agent_chain_view v;
	struct sfc_k8s_status st;
	uint64_t now_ns = sfc_dp_now_ns();
	char now[32], why[512];
	size_t i;
	cJSON *patch;
	int rc;

	if (!k->have_plan || now_ns < k->status_retry_ns)
		return;
	agent_k8s_now(now, sizeof(now));
	for (i = 0; i < sfc_k8s_store_count(k->chains); i++) {
		const cJSON *o = sfc_k8s_store_at(k->chains, i);
		const char *name = meta_str(o, "name");

		if (agent_chain_view(&k->plan, name, k->h, &v))
			continue;
		patch = agent_k8s_status_patch(o, k->cfg->node_name, &v, now);
		if (!patch)
			continue;
		rc = sfc_k8s_merge_patch(k->req, &sfc_k8s_servicechains, NULL,
					 name, "status", patch, NULL, &st);
		cJSON_Delete(patch);
		if (!rc || rc == -ENOENT)
			continue;
		snprintf(why, sizeof(why), "status of servicechain %s: %s%s%.300s",
			 name, strerror(-rc), st.message[0] ? ": " : "", st.message);
		if (strcmp(why, k->status_err))
			agent_log("%s", why);
		snprintf(k->status_err, sizeof(k->status_err), "%s", why);
		/* The API server is away, or refuses what this agent writes:
		 * either way, not again at every round. */
		k->status_retry_ns = now_ns + STATUS_RETRY_NS;
		return;
	}
	k->status_err[0] = '\0';
}

int agent_k8s_reconcile(struct agent_k8s *k)
{
	char err[8192] = "";
	struct sfc_plan plan;
	int rc;

	if (!agent_k8s_synced(k))
		return -EAGAIN;
	fetched_prune(k);
	k->gen_pods = sfc_k8s_store_generation(k->pods);
	k->gen_chains = sfc_k8s_store_generation(k->chains);
	k->sig = agent_scan(k->cfg);
	k->last_full_ns = sfc_dp_now_ns();
	rc = compile_apply(k, &plan, err, sizeof(err));
	if (err[0] && strcmp(err, k->last_err))
		agent_log("reconcile: %s", err);
	else if (!err[0] && (k->last_err[0] || k->cfg->verbose))
		agent_log("reconciled");
	snprintf(k->last_err, sizeof(k->last_err), "%s", err);
	if (rc) {
		sfc_plan_free(&plan);
		return rc;
	}
	sfc_plan_free(&k->plan);
	k->plan = plan;
	k->have_plan = true;
	k->publish = true;
	return 0;
}

void agent_k8s_snapshot(struct agent_k8s *k)
{
	size_t i, cnt = sfc_k8s_store_count(k->chains);
	struct sfc_snapshot_chain *sc = calloc(cnt + 1, sizeof(*sc));
	struct agent_chain_view *v = calloc(cnt + 1, sizeof(*v));
	int n = 0, rc = -ENOMEM;

	/* Nothing programmed on a node no ADD has set up; and once an
	 * uninstall removed the pins (then it empties the state dir), no
	 * file may come back. */
	if (!k->have_plan || !node_set_up(k->cfg->pin_dir))
		goto out;
	for (i = 0; sc && v && i < cnt; i++) {
		const cJSON *o = sfc_k8s_store_at(k->chains, i);

		/* A chain the watch delivered after the plan: its turn
		 * comes with the reconcile that compiles it. */
		if (agent_chain_view(&k->plan, meta_str(o, "name"), k->h, &v[n]))
			continue;
		sc[n].object = o;
		sc[n].ready = v[n].valid && v[n].ready ? "True" : "False";
		sc[n].reason = v[n].reason;
		sc[n].message = v[n].message;
		n++;
	}
	if (sc && v)
		rc = sfc_snapshot_write(k->cfg->state_dir, k->cfg->node_name, sc, n,
					k->plan.pods, k->plan.n_pods, &k->snap_sum);
	if (rc && rc != k->snap_rc)
		agent_log("snapshot %s/%s: %s", k->cfg->state_dir,
			  SFC_SNAPSHOT_FILE, strerror(-rc));
	k->snap_rc = rc;
out:
	free(sc);
	free(v);
}

void agent_k8s_publish(struct agent_k8s *k)
{
	if (!k->publish)
		return;
	k->publish = false;
	agent_k8s_snapshot(k);
	events_unknown_chains(k);
	agent_k8s_status(k);
}

const cJSON *agent_k8s_pod_get(struct agent_k8s *k, const char *ns,
			       const char *name, const char *uid, int *err,
			       char *why, size_t whylen)
{
	char key[SFC_NAME_MAX + 256];
	struct sfc_k8s_status st;
	const cJSON *o = sfc_k8s_store_get(k->pods, ns, name);
	cJSON *got = NULL, *ent;
	int rc;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	if (!o)
		o = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(k->fetched, key), "pod");
	if (!o || (uid[0] && strcmp(meta_str(o, "uid"), uid))) {
		/* Not cached, or cached with another UID: the API server
		 * has the last word (the watch may lag behind a re-creation). */
		rc = sfc_k8s_get(k->req, &sfc_k8s_pods, ns, name, &got, &st);
		if (rc) {
			*err = rc == -ENOENT ? -ENOENT : rc == -ENOMEM ? -ENOMEM : -EAGAIN;
			snprintf(why, whylen, "pod %s/%s: %s%s%s", ns, name,
				 rc == -ENOENT ? "no such pod" : strerror(-rc),
				 st.message[0] && rc != -ENOENT ? ": " : "",
				 rc != -ENOENT ? st.message : "");
			return NULL;
		}
		ent = cJSON_CreateObject();
		if (!ent || !cJSON_AddItemToObject(ent, "pod", got) ||
		    !cJSON_AddNumberToObject(ent, "at", (double)time(NULL))) {
			if (!ent || !cJSON_GetObjectItemCaseSensitive(ent, "pod"))
				cJSON_Delete(got);
			cJSON_Delete(ent);
			*err = -ENOMEM;
			snprintf(why, whylen, "out of memory");
			return NULL;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(k->fetched, key);
		cJSON_AddItemToObject(k->fetched, key, ent);
		o = got;
	}
	if (uid[0] && strcmp(meta_str(o, "uid"), uid)) {
		*err = -ENOENT;
		snprintf(why, whylen,
			 "pod %s/%s has uid %s, not %s: deleted (and made again) while its ADD ran",
			 ns, name, meta_str(o, "uid"), uid);
		return NULL;
	}
	return o;
}
