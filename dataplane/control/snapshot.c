// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * snapshot.c - the cluster snapshot: in cluster mode the objects a node
 * compiles come from the API server, not from files, so sfc-agent writes
 * what it compiled last (every ServiceChain as received with its Ready
 * condition on this node, every pod object) to <state_dir>/SFC_SNAPSHOT_FILE,
 * and sfcctl compiles that instead of <conf_dir>. A file, not a question to
 * the agent: sfcctl still names what the maps hold while the agent is down
 * (they keep their last programmed state then, and so does the file).
 *
 * The format is this file's alone (writer and reader side by side):
 *   {"v":1,"source":"cluster","node":NAME,
 *    "chains":[{"ready":"True"|"False","reason":R,"message":M,
 *               "object":{apiVersion,kind,metadata:{name,generation},spec}}],
 *    "pods":[{"namespace","name","file","chain","function","sfcAware",
 *             "allowedSources":[CIDR],"status":-errno,"error"}]}
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfc_fnv.h"
#include "ctl_internal.h"

#define SNAPSHOT_VERSION 1

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : "";
}

int sfc_chain_object(const struct cJSON *obj, struct sfc_chain_entry *e)
{
	const char *name = str_of(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
				  "name");
	char why[384] = "", *txt;
	int rc = -ENOMEM;

	memset(e, 0, sizeof(*e));
	txt = cJSON_PrintUnformatted(obj);
	if (txt)
		rc = sfc_chain_parse(txt, &e->chain, why, sizeof(why));
	free(txt);
	snprintf(e->file, sizeof(e->file), "servicechain/%s", name);
	/* The API server names every object: a spec that does not parse is
	 * still that chain, which keeps its last programmed maps. */
	if (!e->chain.name[0] && name[0] && strlen(name) < sizeof(e->chain.name)) {
		strcpy(e->chain.name, name);
		e->chain.spi = sfc_chain_spi(name);
	}
	e->name_known = e->chain.name[0] != '\0';
	if (!rc)
		return 0;
	e->status = rc;
	snprintf(e->error, sizeof(e->error), "servicechain %s: %s",
		 name[0] ? name : "?", rc == -ENOMEM ? "out of memory" : why);
	return rc;
}

/* What of ServiceChain @obj the snapshot keeps: what the parser reads,
 * and metadata.generation. */
static cJSON *chain_object_min(const cJSON *obj)
{
	static const char *const top[] = { "apiVersion", "kind", "spec" };
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *o = cJSON_CreateObject(), *m, *it;
	size_t i;

	if (!o || !(m = cJSON_AddObjectToObject(o, "metadata")))
		goto fail;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		it = cJSON_GetObjectItemCaseSensitive(obj, top[i]);
		if (it && !cJSON_AddItemToObject(o, top[i], cJSON_Duplicate(it, 1)))
			goto fail;
	}
	for (i = 0; i < 2; i++) {
		it = cJSON_GetObjectItemCaseSensitive(meta, i ? "generation" : "name");
		if (it && !cJSON_AddItemToObject(m, i ? "generation" : "name",
						 cJSON_Duplicate(it, 1)))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* "10.0.0.0/8" of allowed source @k. */
static void src_text(const struct sfc_src_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(k->family == 6 ? AF_INET6 : AF_INET, k->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, k->prefixlen - SFC_SRC_KEY_BITS);
}

static cJSON *pod_json(const struct sfc_pod *p)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char src[64];
	int i;

	if (!o || !cJSON_AddStringToObject(o, "namespace", p->ns) ||
	    !cJSON_AddStringToObject(o, "name", p->name) ||
	    !cJSON_AddStringToObject(o, "file", p->file) ||
	    !cJSON_AddStringToObject(o, "chain", p->info.chain) ||
	    !cJSON_AddStringToObject(o, "function", p->info.function) ||
	    !cJSON_AddBoolToObject(o, "sfcAware", !p->info.unaware) ||
	    !(a = cJSON_AddArrayToObject(o, "allowedSources")) ||
	    !cJSON_AddNumberToObject(o, "status", p->status) ||
	    !cJSON_AddStringToObject(o, "error", p->error))
		goto fail;
	for (i = 0; i < p->info.n_allowed_src && i < SFC_MAX_ALLOWED_SOURCES; i++) {
		src_text(&p->info.allowed_src[i], src, sizeof(src));
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(src)))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *chain_json(const struct sfc_snapshot_chain *c)
{
	cJSON *o = cJSON_CreateObject(), *obj = chain_object_min(c->object);

	if (!o || !obj || !cJSON_AddStringToObject(o, "ready", c->ready) ||
	    !cJSON_AddStringToObject(o, "reason", c->reason) ||
	    !cJSON_AddStringToObject(o, "message", c->message) ||
	    !cJSON_AddItemToObject(o, "object", obj)) {
		if (!cJSON_GetObjectItemCaseSensitive(o, "object"))
			cJSON_Delete(obj);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static char *snapshot_text(const char *node, const struct sfc_snapshot_chain *chains,
			   int n_chains, const struct sfc_pod *pods, int n_pods)
{
	cJSON *root = cJSON_CreateObject(), *a, *b;
	char *txt = NULL;
	int i;

	if (!root || !cJSON_AddNumberToObject(root, "v", SNAPSHOT_VERSION) ||
	    !cJSON_AddStringToObject(root, "source", "cluster") ||
	    !cJSON_AddStringToObject(root, "node", node) ||
	    !(a = cJSON_AddArrayToObject(root, "chains")) ||
	    !(b = cJSON_AddArrayToObject(root, "pods")))
		goto out;
	for (i = 0; i < n_chains; i++)
		if (!cJSON_AddItemToArray(a, chain_json(&chains[i])))
			goto out;
	for (i = 0; i < n_pods; i++)
		if (!cJSON_AddItemToArray(b, pod_json(&pods[i])))
			goto out;
	txt = cJSON_Print(root);
out:
	cJSON_Delete(root);
	return txt;
}

int sfc_snapshot_write(const char *state_dir, const char *node,
		       const struct sfc_snapshot_chain *chains, int n_chains,
		       const struct sfc_pod *pods, int n_pods, uint64_t *last)
{
	char *txt = snapshot_text(node, chains, n_chains, pods, n_pods);
	uint64_t sum;
	int rc = 0;

	if (!txt)
		return -ENOMEM;
	sum = sfc_fnv1a64(SFC_FNV64_INIT, txt, strlen(txt));
	if (!last || sum != *last) {
		/* Not durable: it describes the maps, which a reboot empties. */
		rc = sfc_write_atomic_opt(state_dir, SFC_SNAPSHOT_FILE, txt,
					  strlen(txt), false);
		if (!rc && last)
			*last = sum;
	}
	free(txt);
	return rc;
}

/* Pod entry @o of a snapshot into @p. */
static int pod_read(const cJSON *o, struct sfc_pod *p, char *err, size_t errlen)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "allowedSources");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status"), *it;
	const char *ctx = "pods[]";
	int rc;

	memset(p, 0, sizeof(*p));
	rc = sfc_json_str(o, "namespace", p->ns, sizeof(p->ns), true, ctx, err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "name", p->name, sizeof(p->name), true, ctx,
				  err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "file", p->file, sizeof(p->file), false, ctx,
				  err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "chain", p->info.chain, sizeof(p->info.chain),
				  false, ctx, err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "function", p->info.function,
				  sizeof(p->info.function), false, ctx, err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "error", p->error, sizeof(p->error), false,
				  ctx, err, errlen);
	if (rc)
		return rc;
	p->info.unaware = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "sfcAware"));
	p->status = cJSON_IsNumber(st) ? st->valueint : 0;
	cJSON_ArrayForEach(it, a) {
		if (p->info.n_allowed_src == SFC_MAX_ALLOWED_SOURCES ||
		    !cJSON_IsString(it) ||
		    sfc_dp_src_key(it->valuestring,
				   &p->info.allowed_src[p->info.n_allowed_src]))
			return sfc_errf(err, errlen, "pod %s/%s: allowedSources",
					p->ns, p->name);
		p->info.n_allowed_src++;
	}
	return 0;
}

/* Chain entry @o of a snapshot into @e and @r. */
static int chain_read(const cJSON *o, struct sfc_chain_entry *e,
		      struct sfc_chain_ready *r, char *err, size_t errlen)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(o, "object");
	const cJSON *gen = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "generation");
	const char *ctx = "chains[]";
	int rc;

	if (!cJSON_IsObject(obj))
		return sfc_errf(err, errlen, "chains[]: no object");
	/* The object's own problems are the entry's, as in the agent. */
	if (sfc_chain_object(obj, e) == -ENOMEM)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->generation = cJSON_IsNumber(gen) ? (long long)gen->valuedouble : 0;
	rc = sfc_json_str(o, "ready", r->ready, sizeof(r->ready), false, ctx,
			  err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "reason", r->reason, sizeof(r->reason), false,
				  ctx, err, errlen);
	if (!rc)
		rc = sfc_json_str(o, "message", r->message, sizeof(r->message),
				  false, ctx, err, errlen);
	return rc;
}

static int snapshot_parse(const cJSON *root, struct sfc_snapshot *s, char *err,
			  size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "v");
	const cJSON *chains = cJSON_GetObjectItemCaseSensitive(root, "chains");
	const cJSON *pods = cJSON_GetObjectItemCaseSensitive(root, "pods"), *it;
	int n, rc;

	if (!cJSON_IsNumber(v) || v->valueint != SNAPSHOT_VERSION)
		return sfc_errf(err, errlen, "v: expected %d", SNAPSHOT_VERSION);
	if (!cJSON_IsArray(chains) || !cJSON_IsArray(pods))
		return sfc_errf(err, errlen, "chains, pods: expected arrays");
	rc = sfc_json_str(root, "node", s->node, sizeof(s->node), false, "", err,
			  errlen);
	if (rc)
		return rc;
	n = cJSON_GetArraySize(chains);
	s->chains = calloc((size_t)n + 1, sizeof(*s->chains));
	s->ready = calloc((size_t)n + 1, sizeof(*s->ready));
	n = cJSON_GetArraySize(pods);
	s->pods = calloc((size_t)n + 1, sizeof(*s->pods));
	if (!s->chains || !s->ready || !s->pods)
		return -ENOMEM;
	cJSON_ArrayForEach(it, chains) {
		rc = chain_read(it, &s->chains[s->n_chains],
				&s->ready[s->n_chains], err, errlen);
		if (rc)
			return rc;
		s->n_chains++;
	}
	cJSON_ArrayForEach(it, pods) {
		rc = pod_read(it, &s->pods[s->n_pods], err, errlen);
		if (rc)
			return rc;
		s->n_pods++;
	}
	return 0;
}

int sfc_snapshot_read(const char *state_dir, struct sfc_snapshot *s,
		      char *err, size_t errlen)
{
	char why[512] = "", *txt = NULL;
	struct stat st;
	cJSON *root = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	if (err && errlen)
		err[0] = '\0';
	rc = sfc_path(s->path, sizeof(s->path), "%s/%s", state_dir,
		      SFC_SNAPSHOT_FILE);
	if (!rc)
		rc = sfc_read_file(s->path, &txt);
	if (!rc && stat(s->path, &st) == 0)
		s->mtime = st.st_mtime;
	if (rc)
		return rc; /* -ENOENT: no snapshot, standalone mode */
	root = cJSON_Parse(txt);
	free(txt);
	if (!root)
		rc = sfc_errf(why, sizeof(why), "not JSON");
	else
		rc = snapshot_parse(root, s, why, sizeof(why));
	cJSON_Delete(root);
	if (rc) {
		sfc_errf(err, errlen, "%s: %s", s->path,
			 rc == -ENOMEM ? "out of memory" : why);
		sfc_snapshot_free(s);
	}
	return rc;
}

void sfc_snapshot_free(struct sfc_snapshot *s)
{
	free(s->chains);
	free(s->ready);
	free(s->pods);
	s->chains = NULL;
	s->ready = NULL;
	s->pods = NULL;
	s->n_chains = s->n_pods = 0;
}
