// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pods.c - standalone Pod objects (<conf_dir>/pods.d/<file>.json): the sfc.io
 * annotations of each pod, keyed by namespace/name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "ctl_internal.h"

/* sfc.io/sfc-aware: "true" (the default: the SF speaks NSH) or "false"
 * (an SFC-unaware SF, reached through the SFF's SFC proxy). */
static int pod_sfc_aware(const cJSON *ann, struct sfc_pod *p, const char *c,
			 char *err, size_t errlen)
{
	char v[16] = "";
	int rc;

	rc = sfc_json_str(ann, SFC_ANNOT_SFC_AWARE, v, sizeof(v), false, c,
			  err, errlen);
	if (rc)
		return rc;
	if (!v[0] || !strcmp(v, "true"))
		return 0;
	if (strcmp(v, "false"))
		return sfc_errf(err, errlen, "%s: %s: expected \"true\" or \"false\", got \"%s\"",
				c, SFC_ANNOT_SFC_AWARE, v);
	p->info.unaware = 1;
	return 0;
}

/* sfc.io/allowed-sources: "CIDR,CIDR" (blanks around a CIDR ignored) into
 * sfc_allowed_src keys. */
static int pod_allowed_sources(const cJSON *ann, struct sfc_pod *p,
			       const char *c, char *err, size_t errlen)
{
	struct sfc_pod_info *in = &p->info;
	char v[1024] = "", *tok, *save = NULL, *end;
	int rc;

	rc = sfc_json_str(ann, SFC_ANNOT_ALLOWED_SOURCES, v, sizeof(v), false,
			  c, err, errlen);
	if (rc)
		return rc;
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " \t");
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (in->n_allowed_src == SFC_MAX_ALLOWED_SOURCES)
			return sfc_errf(err, errlen, "%s: %s: more than %d prefixes",
					c, SFC_ANNOT_ALLOWED_SOURCES,
					SFC_MAX_ALLOWED_SOURCES);
		if (sfc_dp_src_key(tok, &in->allowed_src[in->n_allowed_src]))
			return sfc_errf(err, errlen, "%s: %s: invalid CIDR \"%s\"",
					c, SFC_ANNOT_ALLOWED_SOURCES, tok);
		in->n_allowed_src++;
	}
	return 0;
}

static int pod_annotations(const cJSON *meta, struct sfc_pod *p, char *err,
			   size_t errlen)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	const char *c = "metadata.annotations";
	int rc;

	if (!ann || cJSON_IsNull(ann))
		return 0;
	if (!cJSON_IsObject(ann))
		return sfc_errf(err, errlen, "%s: not an object", c);
	rc = sfc_json_str(ann, SFC_ANNOT_CHAIN, p->info.chain,
			  sizeof(p->info.chain), false, c, err, errlen);
	if (!rc)
		rc = sfc_json_str(ann, SFC_ANNOT_FUNCTION, p->info.function,
				  sizeof(p->info.function), false, c, err,
				  errlen);
	if (!rc)
		rc = pod_sfc_aware(ann, p, c, err, errlen);
	if (!rc)
		rc = pod_allowed_sources(ann, p, c, err, errlen);
	if (rc)
		return rc;
	if (p->info.chain[0] && !sfc_name_ok(p->info.chain, SFC_NAME_MAX))
		return sfc_errf(err, errlen, "%s: %s: invalid name \"%s\"", c,
				SFC_ANNOT_CHAIN, p->info.chain);
	if (p->info.function[0] && !sfc_name_ok(p->info.function, SFC_NAME_MAX))
		return sfc_errf(err, errlen, "%s: %s: invalid name \"%s\"", c,
				SFC_ANNOT_FUNCTION, p->info.function);
	return 0;
}

static int pod_from_json(const cJSON *o, void *dst, char *err, size_t errlen)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind"), *meta;
	struct sfc_pod *out = dst;
	int rc;

	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "Pod"))
		return sfc_errf(err, errlen, "kind: expected \"Pod\"");
	rc = sfc_json_metadata(o, &meta, out->name, sizeof(out->name), err,
			       errlen);
	if (!rc)
		rc = sfc_json_str(meta, "namespace", out->ns, sizeof(out->ns),
				  false, "metadata", err, errlen);
	if (rc)
		return rc;
	if (!out->ns[0])
		strcpy(out->ns, "default");
	if (!sfc_name_ok(out->name, sizeof(out->name)) ||
	    !sfc_name_ok(out->ns, sizeof(out->ns)))
		return sfc_errf(err, errlen, "metadata: invalid namespace/name");
	return pod_annotations(meta, out, err, errlen);
}

int sfc_pod_parse(const char *json, struct sfc_pod *out, char *err,
		  size_t errlen)
{
	return sfc_json_parse(json, out, sizeof(*out), pod_from_json, err,
			      errlen);
}

/* Parse <@dir>/@file into @p; on failure @p->status and @p->error
 * ("<path>: <reason>"), with the namespace/name the parse got to. */
static void pod_load_one(const char *dir, const char *file,
			 struct sfc_pod *p)
{
	char path[4096], why[384] = "";
	char *txt = NULL;
	int rc;

	snprintf(p->file, sizeof(p->file), "%s", file);
	rc = sfc_path(path, sizeof(path), "%s/%s", dir, file);
	if (!rc)
		rc = sfc_read_file(path, &txt);
	if (rc) {
		p->status = rc;
		sfc_errf(p->error, sizeof(p->error), "%s: %s", path, strerror(-rc));
		return;
	}
	rc = sfc_pod_parse(txt, p, why, sizeof(why));
	free(txt);
	/* sfc_pod_parse() zeroed *p. */
	snprintf(p->file, sizeof(p->file), "%s", file);
	if (!rc)
		return;
	/* Annotations read before the failing one must not be used. */
	memset(&p->info, 0, sizeof(p->info));
	p->status = rc;
	sfc_errf(p->error, sizeof(p->error), "%s: %s", path, why);
}

int sfc_pods_load(const char *conf_dir, struct sfc_pod **out, int *n)
{
	struct sfc_pod *v;
	char dir[4096];
	char **names;
	int n_names, i, rc;

	*out = NULL;
	*n = 0;
	rc = sfc_list_entries(conf_dir, "pods.d", dir, sizeof(dir), &names,
			      &n_names, (void **)&v, sizeof(*v));
	if (rc)
		return rc;
	for (i = 0; i < n_names; i++)
		pod_load_one(dir, names[i], &v[i]);
	sfc_names_free(names, n_names);
	*out = v;
	*n = n_names;
	return 0;
}

/* Is the unusable object @p pod @ns/@name's? By the identity it names,
 * or, when it names none (unreadable), by the file name the store gives
 * the pod's object: "<ns>_<name>.json". */
static bool pod_claims(const struct sfc_pod *p, const char *ns,
		       const char *name)
{
	char file[sizeof(p->file)];

	if (p->name[0])
		return !strcmp(p->name, name) &&
		       !strcmp(p->ns[0] ? p->ns : "default", ns);
	return !sfc_path(file, sizeof(file), "%s_%s.json", ns, name) &&
	       !strcmp(p->file, file);
}

const struct sfc_pod *sfc_pod_find(const struct sfc_pod *pods, int n,
				   const char *ns, const char *name)
{
	const struct sfc_pod *bad = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!pods[i].status) {
			if (!strcmp(pods[i].ns, ns) && !strcmp(pods[i].name, name))
				return &pods[i];
		} else if (!bad && pod_claims(&pods[i], ns, name)) {
			bad = &pods[i];
		}
	}
	return bad;
}

int sfc_pod_lookup(const char *conf_dir, const char *ns, const char *name,
		   struct sfc_pod_info *out, char *err, size_t errlen)
{
	const struct sfc_pod *p;
	struct sfc_pod *pods = NULL;
	int n = 0, rc;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	rc = sfc_pods_load(conf_dir, &pods, &n);
	if (rc)
		return rc;
	p = sfc_pod_find(pods, n, ns && ns[0] ? ns : "default", name ? name : "");
	if (p && p->status)
		rc = sfc_errf(err, errlen, "%s", p->error);
	else if (p)
		*out = p->info;
	free(pods);
	return rc;
}
