// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * store.c - the standalone object store: validated ServiceChain and Pod
 * JSON files under <conf_dir>/chains.d and <conf_dir>/pods.d.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sfc_control.h"
#include "ctl_internal.h"

/* What sits in a file: the object identity to compare. */
struct obj_id {
	int is_chain;
	char ns[SFC_NAME_MAX];
	char name[254];
};

static int file_id(const char *path, int chain, struct obj_id *id)
{
	struct sfc_chain c;
	struct sfc_pod pod;
	char *txt = NULL;
	int rc;

	memset(id, 0, sizeof(*id));
	rc = sfc_read_file(path, &txt);
	if (rc)
		return rc;
	id->is_chain = chain;
	if (chain) {
		sfc_chain_parse(txt, &c, NULL, 0); /* name is set even if broken */
		snprintf(id->name, sizeof(id->name), "%s", c.name);
	} else {
		rc = sfc_pod_parse(txt, &pod, NULL, 0);
		snprintf(id->ns, sizeof(id->ns), "%s", pod.ns);
		snprintf(id->name, sizeof(id->name), "%s", pod.name);
	}
	free(txt);
	return id->name[0] ? 0 : -EINVAL;
}

/* Remove every file of @sub that holds object @want, except @skip.
 * Return: number removed or -errno. */
static int remove_matching(const char *conf_dir, const char *sub,
			   const struct obj_id *want, const char *skip)
{
	char dir[4096], path[8192];
	struct obj_id id;
	char **names = NULL;
	int n = 0, i, rc, removed = 0;

	rc = sfc_path(dir, sizeof(dir), "%s/%s", conf_dir, sub);
	if (!rc)
		rc = sfc_list_json(dir, &names, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if (skip && !strcmp(names[i], skip))
			continue;
		if (sfc_path(path, sizeof(path), "%s/%s", dir, names[i]) ||
		    file_id(path, want->is_chain, &id))
			continue;
		if (strcmp(id.name, want->name) || strcmp(id.ns, want->ns))
			continue;
		if (unlink(path) < 0 && errno != ENOENT) {
			rc = -errno;
			break;
		}
		removed++;
	}
	sfc_names_free(names, n);
	return rc ? rc : removed;
}

static int peek_kind(const char *json, char *kind, size_t len, char *err,
		     size_t errlen)
{
	cJSON *o = cJSON_Parse(json);
	int rc;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return sfc_errf(err, errlen, "not a JSON object");
	}
	rc = sfc_json_str(o, "kind", kind, len, true, "object", err, errlen);
	cJSON_Delete(o);
	return rc;
}

static int store_write(const char *conf_dir, const char *sub,
		       const char *file, const char *json,
		       const struct obj_id *id)
{
	char dir[4096];
	int rc;

	rc = sfc_path(dir, sizeof(dir), "%s/%s", conf_dir, sub);
	if (!rc)
		rc = sfc_mkdir_p(dir);
	if (!rc)
		rc = sfc_write_atomic(dir, file, json, strlen(json));
	if (!rc)
		rc = remove_matching(conf_dir, sub, id, file);
	return rc < 0 ? rc : 0;
}

int sfc_store_apply(const char *conf_dir, const char *json, char *kind_out,
		    char *id_out, char *err, size_t errlen)
{
	char kind[32], file[400];
	struct sfc_chain c;
	struct sfc_pod pod;
	struct obj_id id;
	int rc;

	rc = peek_kind(json, kind, sizeof(kind), err, errlen);
	if (rc)
		return rc;
	memset(&id, 0, sizeof(id));
	if (!strcmp(kind, "ServiceChain")) {
		rc = sfc_chain_parse(json, &c, err, errlen);
		if (rc)
			return rc;
		id.is_chain = 1;
		snprintf(id.name, sizeof(id.name), "%s", c.name);
		snprintf(file, sizeof(file), "%s.json", c.name);
	} else if (!strcmp(kind, "Pod")) {
		rc = sfc_pod_parse(json, &pod, err, errlen);
		if (rc)
			return rc;
		snprintf(id.ns, sizeof(id.ns), "%s", pod.ns);
		snprintf(id.name, sizeof(id.name), "%s", pod.name);
		snprintf(file, sizeof(file), "%s_%s.json", pod.ns, pod.name);
	} else {
		return sfc_errf(err, errlen,
				"kind: \"%s\" is not ServiceChain or Pod", kind);
	}
	if (kind_out)
		strcpy(kind_out, kind);
	if (id_out)
		snprintf(id_out, 320, "%s%s%s", id.ns, id.ns[0] ? "/" : "", id.name);
	rc = store_write(conf_dir, id.is_chain ? "chains.d" : "pods.d", file,
			 json, &id);
	if (rc)
		sfc_errf(err, errlen, "writing %s/%s/%s: %s", conf_dir,
			 id.is_chain ? "chains.d" : "pods.d", file, strerror(-rc));
	return rc;
}

int sfc_store_delete_chain(const char *conf_dir, const char *name)
{
	struct obj_id id = { .is_chain = 1 };
	int rc;

	snprintf(id.name, sizeof(id.name), "%s", name);
	rc = remove_matching(conf_dir, "chains.d", &id, NULL);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

int sfc_store_delete_pod(const char *conf_dir, const char *ns,
			 const char *name)
{
	struct obj_id id = { 0 };
	int rc;

	snprintf(id.ns, sizeof(id.ns), "%s", ns && ns[0] ? ns : "default");
	snprintf(id.name, sizeof(id.name), "%s", name);
	rc = remove_matching(conf_dir, "pods.d", &id, NULL);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}
