// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * k8s_objects.c - API objects to the control library's objects and back,
 * without I/O: a ServiceChain or Pod from the API server goes through the
 * same parsers as a standalone file (sfc_chain_object(), sfc_pod_parse()),
 * so cluster mode accepts and refuses exactly what standalone mode does;
 * a chain's compile result becomes its status merge patch; a pod naming an
 * unknown chain becomes an Event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sfc_agent_proto.h"
#include "sfc_fnv.h"
#include "agent.h"

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		it = cJSON_GetObjectItemCaseSensitive(it, b);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

cJSON *agent_k8s_pod_min(const cJSON *pod)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	const char *keys[] = { "namespace", "name", "uid" };
	cJSON *o = cJSON_CreateObject(), *m, *a, *it;
	size_t plen = strlen(SFC_AGENT_ANNOT_PREFIX);
	size_t i;

	if (!o || !cJSON_AddStringToObject(o, "kind", "Pod") ||
	    !(m = cJSON_AddObjectToObject(o, "metadata")))
		goto fail;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		it = cJSON_GetObjectItemCaseSensitive(meta, keys[i]);
		if (it && !cJSON_AddItemToObject(m, keys[i], cJSON_Duplicate(it, 1)))
			goto fail;
	}
	if (!ann || cJSON_IsNull(ann))
		return o;
	/* Not an object: passed on as it is, for the pod parser to name. */
	a = cJSON_IsObject(ann) ? cJSON_CreateObject() : cJSON_Duplicate(ann, 1);
	if (!a || !cJSON_AddItemToObject(m, "annotations", a)) {
		cJSON_Delete(a);
		goto fail;
	}
	if (!cJSON_IsObject(ann))
		return o;
	cJSON_ArrayForEach(it, ann) {
		if (strncmp(it->string, SFC_AGENT_ANNOT_PREFIX, plen))
			continue;
		if (!cJSON_AddItemToObject(a, it->string, cJSON_Duplicate(it, 1)))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int agent_k8s_pod(const cJSON *pod, struct sfc_pod *out)
{
	char why[384] = "", *txt = NULL;
	const char *ns = str_at(pod, "metadata", "namespace");
	const char *name = str_at(pod, "metadata", "name");
	cJSON *min = agent_k8s_pod_min(pod);
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (min && (txt = cJSON_PrintUnformatted(min)))
		rc = sfc_pod_parse(txt, out, why, sizeof(why));
	free(txt);
	cJSON_Delete(min);
	/* The pod's identity even when its annotations cannot be used: the
	 * compilers then leave its endpoint as it is (sfc_pod_find()). */
	snprintf(out->ns, sizeof(out->ns), "%s", ns && *ns ? ns : "default");
	snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
	snprintf(out->file, sizeof(out->file), "pod %.63s/%.180s", out->ns, out->name);
	if (!rc)
		return 0;
	memset(&out->info, 0, sizeof(out->info));
	out->status = rc;
	snprintf(out->error, sizeof(out->error), "pod %s/%s: %s", out->ns,
		 out->name, rc == -ENOMEM ? "out of memory" : why);
	return rc;
}

/* The live members of group @g as sfc-agent last judged them. */
static int live_members(const struct sfc_group_entry *g,
			const struct agent_health *h)
{
	uint32_t i, v;
	int n = 0;

	for (i = 0; i < g->grp.n_members && i < SFC_GROUP_MAX_MEMBERS; i++) {
		v = g->grp.m[i].vpid;
		n += h && v < SFC_MAX_ENDPOINTS && h->state[v] == 1;
	}
	return n;
}

static bool function_declared(const struct sfc_plan *p, const char *type)
{
	int i;

	for (i = 0; i < p->n_pods; i++)
		if (!p->pods[i].status && !strcmp(p->pods[i].info.function, type))
			return true;
	return false;
}

/* The first hop that keeps the chain from being ready here, as a reason. */
static void hops_reason(const struct sfc_plan *p, struct agent_chain_view *v)
{
	int i;

	v->ready = true;
	v->reason = "Compiled";
	snprintf(v->message, sizeof(v->message),
		 "forward and reverse paths programmed");
	for (i = 0; i < v->n_hops; i++) {
		const struct agent_hop_view *hv = &v->hops[i];

		if (hv->instances && hv->live)
			continue;
		v->ready = false;
		if (!hv->instances && !function_declared(p, hv->function)) {
			v->reason = "UnknownFunction";
			snprintf(v->message, sizeof(v->message),
				 "no pod on this node declares sfc.io/function: %s",
				 hv->function);
		} else if (!hv->instances) {
			v->reason = "NoInstances";
			snprintf(v->message, sizeof(v->message),
				 "SF type %s has no wired instance on this node",
				 hv->function);
		} else {
			v->reason = "InstancesDown";
			snprintf(v->message, sizeof(v->message),
				 "no instance of SF type %s answers (%d down)",
				 hv->function, hv->instances);
		}
		return;
	}
}

int agent_chain_view(const struct sfc_plan *p, const char *name,
		     const struct agent_health *h, struct agent_chain_view *v)
{
	const struct sfc_chain_entry *e = NULL;
	const struct sfc_group_entry *g;
	int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < p->n_chains && !e; i++)
		if (p->chains[i].name_known && !strcmp(p->chains[i].chain.name, name))
			e = &p->chains[i];
	if (!e)
		return -ENOENT;
	/* Parse and SPI errors concern the object itself, on every node;
	 * compile errors (-ENOENT: a type without instance) this node's. */
	if (e->status && e->status != -ENOENT) {
		v->valid = false;
		v->reason = e->status == -EADDRINUSE ? "SPICollision" : "Invalid";
		snprintf(v->message, sizeof(v->message), "%s", e->error);
		return 0;
	}
	v->valid = true;
	v->n_hops = e->chain.n_sfs;
	for (i = 0; i < e->chain.n_sfs && i < SFC_MAX_CHAIN_SFS; i++) {
		snprintf(v->hops[i].function, sizeof(v->hops[i].function), "%s",
			 e->chain.sfs[i]);
		g = sfc_group_find(p->groups, p->n_groups, e->chain.sfs[i]);
		v->hops[i].instances = g ? (int)g->grp.n_members : 0;
		v->hops[i].live = g ? live_members(g, h) : 0;
	}
	hops_reason(p, v);
	return 0;
}

void agent_k8s_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const cJSON *cond_of(const cJSON *conds, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, conds) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");

		if (cJSON_IsString(t) && !strcmp(t->valuestring, type))
			return c;
	}
	return NULL;
}

static bool str_eq(const cJSON *o, const char *key, const char *want)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) && !strcmp(it->valuestring, want);
}

/* A Ready condition; its lastTransitionTime is @cur's when the status
 * did not change (so every node's agent writes the same one), else @now. */
static cJSON *ready_cond(bool ready, const char *reason, const char *msg,
			 double gen, const cJSON *cur, const char *now)
{
	const char *st = ready ? "True" : "False";
	const cJSON *lt = cJSON_GetObjectItemCaseSensitive(cur, "lastTransitionTime");
	cJSON *c = cJSON_CreateObject();

	if (!c)
		return NULL;
	cJSON_AddStringToObject(c, "type", "Ready");
	cJSON_AddStringToObject(c, "status", st);
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", msg);
	cJSON_AddStringToObject(c, "lastTransitionTime",
				cur && str_eq(cur, "status", st) && cJSON_IsString(lt)
					? lt->valuestring : now);
	cJSON_AddNumberToObject(c, "observedGeneration", gen);
	return c;
}

/* Is the Ready condition @cur what @want says (times aside)? */
static bool cond_same(const cJSON *cur, const cJSON *want)
{
	static const char *const keys[] = { "status", "reason", "message" };
	const cJSON *g1, *g2;
	size_t i;

	if (!cur)
		return false;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!str_eq(cur, keys[i],
			    cJSON_GetObjectItemCaseSensitive(want, keys[i])->valuestring))
			return false;
	g1 = cJSON_GetObjectItemCaseSensitive(cur, "observedGeneration");
	g2 = cJSON_GetObjectItemCaseSensitive(want, "observedGeneration");
	return cJSON_IsNumber(g1) && g1->valuedouble == g2->valuedouble;
}

static cJSON *hops_json(const struct agent_chain_view *v)
{
	cJSON *a = cJSON_CreateArray(), *h;
	int i;

	for (i = 0; a && i < v->n_hops; i++) {
		if (!(h = cJSON_CreateObject()))
			break;
		cJSON_AddStringToObject(h, "function", v->hops[i].function);
		cJSON_AddNumberToObject(h, "instances", v->hops[i].instances);
		cJSON_AddNumberToObject(h, "live", v->hops[i].live);
		cJSON_AddItemToArray(a, h);
	}
	return a;
}

/* status.conditions: the object's other condition types, then Ready. */
static cJSON *top_conditions(const cJSON *cur_conds, cJSON *ready)
{
	cJSON *a = cJSON_CreateArray(), *c;

	if (!a) {
		cJSON_Delete(ready);
		return NULL;
	}
	cJSON_ArrayForEach(c, cur_conds)
		if (!str_eq(c, "type", "Ready"))
			cJSON_AddItemToArray(a, cJSON_Duplicate(c, 1));
	cJSON_AddItemToArray(a, ready);
	return a;
}

cJSON *agent_k8s_status_patch(const cJSON *chain, const char *node,
			      const struct agent_chain_view *v, const char *now)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(chain, "metadata");
	const cJSON *gi = cJSON_GetObjectItemCaseSensitive(meta, "generation");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(chain, "status");
	const cJSON *cur_nodes = cJSON_GetObjectItemCaseSensitive(st, "nodes");
	const cJSON *cur_node = cJSON_GetObjectItemCaseSensitive(cur_nodes, node);
	const cJSON *cur_top = cond_of(cJSON_GetObjectItemCaseSensitive(st, "conditions"), "Ready");
	const cJSON *cur_nc = cond_of(cJSON_GetObjectItemCaseSensitive(cur_node, "conditions"), "Ready");
	const cJSON *og = cJSON_GetObjectItemCaseSensitive(st, "observedGeneration");
	double gen = cJSON_IsNumber(gi) ? gi->valuedouble : 0;
	bool ready = v->valid && v->ready;
	cJSON *top, *nc, *hops, *patch = NULL, *s, *nodes, *n, *conds;

	top = ready_cond(v->valid, v->valid ? "Compiled" : v->reason,
			 v->valid ? "the spec compiles; each node's paths and instances are under status.nodes"
				  : v->message, gen, cur_top, now);
	nc = ready_cond(ready, v->reason, v->message, gen, cur_nc, now);
	hops = hops_json(v);
	if (!top || !nc || !hops)
		goto out;
	if (cond_same(cur_top, top) && cond_same(cur_nc, nc) &&
	    cJSON_IsNumber(og) && og->valuedouble == gen &&
	    cJSON_Compare(cJSON_GetObjectItemCaseSensitive(cur_node, "hops"), hops, 1))
		goto out; /* nothing to write */
	if (!(patch = cJSON_CreateObject()) ||
	    !(s = cJSON_AddObjectToObject(patch, "status")))
		goto out;
	cJSON_AddNumberToObject(s, "observedGeneration", gen);
	cJSON_AddItemToObject(s, "conditions",
			      top_conditions(cJSON_GetObjectItemCaseSensitive(st, "conditions"), top));
	top = NULL;
	/* A map keyed by node name: the merge patch (RFC 7386) merges it key
	 * by key, so other nodes' entries stay as they are. */
	nodes = cJSON_AddObjectToObject(s, "nodes");
	n = nodes ? cJSON_AddObjectToObject(nodes, node) : NULL;
	if (!n) {
		cJSON_Delete(patch);
		patch = NULL;
		goto out;
	}
	cJSON_AddNumberToObject(n, "observedGeneration", gen);
	conds = cJSON_AddArrayToObject(n, "conditions");
	if (conds) {
		cJSON_AddItemToArray(conds, nc);
		nc = NULL;
	}
	cJSON_AddItemToObject(n, "hops", hops);
	hops = NULL;
	cJSON_AddStringToObject(n, "lastUpdateTime", now);
out:
	cJSON_Delete(top);
	cJSON_Delete(nc);
	cJSON_Delete(hops);
	return patch;
}

cJSON *agent_k8s_event(const cJSON *pod, const char *node, const char *reason,
		       const char *message, const char *now)
{
	const char *ns = str_at(pod, "metadata", "namespace");
	const char *name = str_at(pod, "metadata", "name");
	const char *uid = str_at(pod, "metadata", "uid");
	char ev_name[256];
	cJSON *e, *m, *io, *src;

	if (!ns || !name)
		return NULL;
	/* Unique per pod, reason and second: a later Event of the same kind
	 * (after an agent restart) is a new object, not AlreadyExists. */
	snprintf(ev_name, sizeof(ev_name), "%.200s.%08x%08lx", name,
		 sfc_fnv1a32_str(reason) ^ sfc_fnv1a32_str(uid ? uid : ""),
		 (unsigned long)time(NULL));
	if (!(e = cJSON_CreateObject()))
		return NULL;
	cJSON_AddStringToObject(e, "apiVersion", "v1");
	cJSON_AddStringToObject(e, "kind", "Event");
	m = cJSON_AddObjectToObject(e, "metadata");
	io = cJSON_AddObjectToObject(e, "involvedObject");
	src = cJSON_AddObjectToObject(e, "source");
	if (!m || !io || !src) {
		cJSON_Delete(e);
		return NULL;
	}
	cJSON_AddStringToObject(m, "name", ev_name);
	cJSON_AddStringToObject(m, "namespace", ns);
	cJSON_AddStringToObject(io, "apiVersion", "v1");
	cJSON_AddStringToObject(io, "kind", "Pod");
	cJSON_AddStringToObject(io, "namespace", ns);
	cJSON_AddStringToObject(io, "name", name);
	if (uid)
		cJSON_AddStringToObject(io, "uid", uid);
	cJSON_AddStringToObject(e, "reason", reason);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddStringToObject(e, "type", "Warning");
	cJSON_AddStringToObject(src, "component", "sfc-agent");
	cJSON_AddStringToObject(src, "host", node);
	cJSON_AddStringToObject(e, "firstTimestamp", now);
	cJSON_AddStringToObject(e, "lastTimestamp", now);
	cJSON_AddNumberToObject(e, "count", 1);
	cJSON_AddStringToObject(e, "reportingComponent", "sfc-agent");
	cJSON_AddStringToObject(e, "reportingInstance", node);
	return e;
}
