// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * chain.c - ServiceChain objects: parse, SPI, and text forms.
 *
 * {"apiVersion":"sfc.io/v1alpha1","kind":"ServiceChain",
 *  "metadata":{"name":"fw-count"},
 *  "spec":{"functions":["firewall","counter"],"failurePolicy":"fail-closed",
 *          "match":[{"direction":"egress","protocol":"tcp",
 *                    "cidr":"10.0.0.0/8","ports":"80"}]}}
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_fnv.h"
#include "ctl_internal.h"

#define SFC_API_VERSION "sfc.io/v1alpha1"

int sfc_match_parse(const cJSON *m, int idx, struct sfc_match *out,
		    char *err, size_t errlen);

const char *sfc_fail_policy_name(uint32_t policy)
{
	return policy == SFC_FAIL_OPEN ? "fail-open" : "fail-closed";
}

/* FNV-1a over the name, folded to an even SPI in 2..SFC_SPI_MAX-1 so that
 * spi + 1 (the reverse SFP) is a valid SPI too, and SPI 0 (OAM probes) is
 * never used. */
uint32_t sfc_chain_spi(const char *name)
{
	return (sfc_fnv1a32_str(name) % ((SFC_SPI_MAX - 1) / 2) + 1) * 2;
}

static int expect_str(const cJSON *o, const char *key, const char *want,
		      char *err, size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		return sfc_errf(err, errlen, "%s: missing", key);
	if (!cJSON_IsString(it) || strcmp(it->valuestring, want))
		return sfc_errf(err, errlen, "%s: expected \"%s\"", key, want);
	return 0;
}

static int parse_functions(const cJSON *spec, struct sfc_chain *c, char *err,
			   size_t errlen)
{
	const cJSON *fns = cJSON_GetObjectItemCaseSensitive(spec, "functions");
	const cJSON *it;

	if (!fns)
		return sfc_errf(err, errlen, "spec.functions: missing");
	if (!cJSON_IsArray(fns) || cJSON_GetArraySize(fns) == 0)
		return sfc_errf(err, errlen,
				"spec.functions: expected a non-empty array of SF types");
	if (cJSON_GetArraySize(fns) > SFC_MAX_CHAIN_SFS)
		return sfc_errf(err, errlen, "spec.functions: more than %d SF types",
				SFC_MAX_CHAIN_SFS);
	cJSON_ArrayForEach(it, fns) {
		if (!cJSON_IsString(it) ||
		    !sfc_name_ok(it->valuestring, SFC_NAME_MAX))
			return sfc_errf(err, errlen,
					"spec.functions[%d]: expected an SF type name",
					c->n_sfs);
		strcpy(c->sfs[c->n_sfs++], it->valuestring);
	}
	return 0;
}

static int parse_policy(const cJSON *spec, struct sfc_chain *c, char *err,
			size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(spec, "failurePolicy");

	c->policy = SFC_FAIL_CLOSED;
	if (!it || cJSON_IsNull(it))
		return 0;
	if (cJSON_IsString(it) && !strcmp(it->valuestring, "fail-closed"))
		return 0;
	if (cJSON_IsString(it) && !strcmp(it->valuestring, "fail-open")) {
		c->policy = SFC_FAIL_OPEN;
		return 0;
	}
	return sfc_errf(err, errlen,
			"spec.failurePolicy: expected \"fail-closed\" or \"fail-open\"");
}

static int parse_matches(const cJSON *spec, struct sfc_chain *c, char *err,
			 size_t errlen)
{
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(spec, "match"), *it;
	int rc;

	if (!ms || cJSON_IsNull(ms))
		return 0;
	if (!cJSON_IsArray(ms))
		return sfc_errf(err, errlen, "spec.match: expected an array");
	if (cJSON_GetArraySize(ms) > SFC_MAX_RULES)
		return sfc_errf(err, errlen, "spec.match: more than %d entries",
				SFC_MAX_RULES);
	cJSON_ArrayForEach(it, ms) {
		rc = sfc_match_parse(it, c->n_match, &c->match[c->n_match],
				     err, errlen);
		if (rc)
			return rc;
		c->n_match++;
	}
	return 0;
}

static int check_keys(const cJSON *o, const char *ctx, const char *const *ok,
		      char *err, size_t errlen)
{
	const cJSON *it;
	int i;

	cJSON_ArrayForEach(it, o) {
		for (i = 0; ok[i]; i++)
			if (!strcmp(it->string, ok[i]))
				break;
		if (!ok[i])
			return sfc_errf(err, errlen, "%s%s: unknown field", ctx,
					it->string);
	}
	return 0;
}

static int parse_spec(const cJSON *o, struct sfc_chain *c, char *err,
		      size_t errlen)
{
	static const char *const keys[] = { "functions", "failurePolicy",
					    "match", NULL };
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "spec");
	int rc;

	if (!cJSON_IsObject(spec))
		return sfc_errf(err, errlen, "spec: missing or not an object");
	rc = check_keys(spec, "spec.", keys, err, errlen);
	if (!rc)
		rc = parse_functions(spec, c, err, errlen);
	if (!rc)
		rc = parse_policy(spec, c, err, errlen);
	if (!rc)
		rc = parse_matches(spec, c, err, errlen);
	return rc;
}

static int chain_from_json(const cJSON *o, void *dst, char *err,
			   size_t errlen)
{
	struct sfc_chain *out = dst;
	int rc;

	rc = expect_str(o, "kind", "ServiceChain", err, errlen);
	if (!rc)
		rc = expect_str(o, "apiVersion", SFC_API_VERSION, err, errlen);
	if (!rc)
		rc = sfc_json_metadata(o, NULL, out->name, sizeof(out->name),
				       err, errlen);
	if (!rc && !sfc_name_ok(out->name, sizeof(out->name)))
		rc = sfc_errf(err, errlen, "metadata.name: invalid name");
	if (rc) {
		out->name[0] = '\0';
		return rc;
	}
	out->spi = sfc_chain_spi(out->name);
	return parse_spec(o, out, err, errlen);
}

int sfc_chain_parse(const char *json, struct sfc_chain *out, char *err,
		    size_t errlen)
{
	return sfc_json_parse(json, out, sizeof(*out), chain_from_json, err,
			      errlen);
}

static void chain_load_one(const char *dir, struct sfc_chain_entry *e)
{
	char path[4096], why[384] = "";
	char *txt = NULL;
	int rc;

	rc = sfc_path(path, sizeof(path), "%s/%s", dir, e->file);
	if (!rc)
		rc = sfc_read_file(path, &txt);
	if (rc) {
		e->status = rc;
		sfc_errf(e->error, sizeof(e->error), "%s: %s", path, strerror(-rc));
		return;
	}
	rc = sfc_chain_parse(txt, &e->chain, why, sizeof(why));
	free(txt);
	e->name_known = e->chain.name[0] != '\0';
	if (rc) {
		e->status = rc;
		sfc_errf(e->error, sizeof(e->error), "%s: %s", path, why);
	}
}

static void flag_duplicates(struct sfc_chain_entry *v, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && v[i].name_known; j++) {
			if (!v[j].name_known ||
			    strcmp(v[i].chain.name, v[j].chain.name))
				continue;
			v[i].status = -EEXIST;
			v[i].name_known = 0; /* never touch the other's maps */
			sfc_errf(v[i].error, sizeof(v[i].error),
				 "chains.d/%s: chain %s is already defined in chains.d/%s",
				 v[i].file, v[i].chain.name, v[j].file);
			break;
		}
	}
}

static bool name_taken(const struct sfc_chain_entry *v, int n,
		       const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].name_known && !strcmp(v[i].chain.name, name))
			return true;
	return false;
}

/* A file too broken to name its chain (not JSON, no metadata.name) is the
 * chain its file name says, "<name>.json" as the store writes it, unless
 * another file defines that chain: so the chain keeps its last good maps
 * and its pods their policies, instead of the chain vanishing and its
 * pods' traffic leaving it. */
static void name_from_file(struct sfc_chain_entry *v, int n)
{
	char name[SFC_NAME_MAX];
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		if (!v[i].status || v[i].status == -EEXIST || v[i].name_known)
			continue;
		len = strlen(v[i].file) - strlen(".json"); /* sfc_list_json() */
		if (len >= sizeof(name))
			continue;
		memcpy(name, v[i].file, len);
		name[len] = '\0';
		if (!sfc_name_ok(name, sizeof(name)) || name_taken(v, n, name))
			continue;
		strcpy(v[i].chain.name, name);
		v[i].chain.spi = sfc_chain_spi(name);
		v[i].name_known = 1;
	}
}

int sfc_chains_load(const char *conf_dir, struct sfc_chain_entry **out,
		    int *n)
{
	struct sfc_chain_entry *v;
	char dir[4096];
	char **names;
	int n_names, i, rc;

	*out = NULL;
	*n = 0;
	rc = sfc_list_entries(conf_dir, "chains.d", dir, sizeof(dir), &names,
			      &n_names, (void **)&v, sizeof(*v));
	if (rc)
		return rc;
	for (i = 0; i < n_names; i++) {
		snprintf(v[i].file, sizeof(v[i].file), "%s", names[i]);
		chain_load_one(dir, &v[i]);
	}
	sfc_names_free(names, n_names);
	flag_duplicates(v, n_names);
	name_from_file(v, n_names);
	*out = v;
	*n = n_names;
	return 0;
}
