// SPDX-License-Identifier: GPL-2.0-only
/*
 * store.c - the objects of one reflector, sorted by "namespace/name": a
 * sorted array is plenty for the pods of one node and a cluster's chains,
 * and gives callers a stable order (same input, same compile).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

/* A namespace is at most 63 bytes and a name 253 (DNS subdomain). */
#define STORE_KEY_MAX 320

struct store_ent {
	char *key;
	cJSON *obj;
	bool seen;         /* handed on by the LIST in progress */
};

struct sfc_k8s_store {
	struct store_ent *e;
	size_t n, cap;
	uint64_t gen;
	int err;
};

static const char *meta_str(const cJSON *obj, const char *field)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, field);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int store_key(const char *ns, const char *name, char *buf)
{
	int n;

	if (!name || !*name)
		return -EINVAL;
	n = ns && *ns ? snprintf(buf, STORE_KEY_MAX, "%s/%s", ns, name)
		      : snprintf(buf, STORE_KEY_MAX, "%s", name);
	return n < 0 || n >= STORE_KEY_MAX ? -ENAMETOOLONG : 0;
}

/* The index of @key, or where it would go (*@found false). */
static size_t store_find(const struct sfc_k8s_store *s, const char *key, bool *found)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(s->e[mid].key, key);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void store_remove(struct sfc_k8s_store *s, size_t i)
{
	free(s->e[i].key);
	cJSON_Delete(s->e[i].obj);
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof(s->e[0]));
	s->n--;
	s->gen++;
}

static int store_insert(struct sfc_k8s_store *s, size_t i, const char *key,
			cJSON *obj)
{
	struct store_ent *ne;
	size_t cap;
	char *k;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 16;
		ne = realloc(s->e, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		s->e = ne;
		s->cap = cap;
	}
	if (!(k = strdup(key)))
		return -ENOMEM;
	memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof(s->e[0]));
	s->e[i] = (struct store_ent){ .key = k, .obj = obj, .seen = true };
	s->n++;
	s->gen++;
	return 0;
}

static bool same_version(const cJSON *a, const cJSON *b)
{
	const char *ra = meta_str(a, "resourceVersion"), *rb = meta_str(b, "resourceVersion");

	return ra && rb && !strcmp(ra, rb);
}

static void store_object(void *ctx, enum sfc_k8s_event_type type, const cJSON *obj)
{
	struct sfc_k8s_store *s = ctx;
	char key[STORE_KEY_MAX];
	bool found;
	cJSON *dup;
	size_t i;

	if (store_key(meta_str(obj, "namespace"), meta_str(obj, "name"), key))
		return;
	i = store_find(s, key, &found);
	if (type == SFC_K8S_DELETED) {
		if (found)
			store_remove(s, i);
		return;
	}
	if (found && same_version(s->e[i].obj, obj)) {
		s->e[i].seen = true;
		return;
	}
	if (!(dup = cJSON_Duplicate(obj, true))) {
		s->err = s->err ? s->err : -ENOMEM;
		return;
	}
	if (found) {
		cJSON_Delete(s->e[i].obj);
		s->e[i].obj = dup;
		s->e[i].seen = true;
		s->gen++;
	} else if (store_insert(s, i, key, dup)) {
		cJSON_Delete(dup);
		s->err = s->err ? s->err : -ENOMEM;
	}
}

static void store_list_begin(void *ctx)
{
	struct sfc_k8s_store *s = ctx;
	size_t i;

	s->err = 0;
	for (i = 0; i < s->n; i++)
		s->e[i].seen = false;
}

/* What the LIST did not hand on is gone. */
static void store_list_end(void *ctx)
{
	struct sfc_k8s_store *s = ctx;
	size_t i = s->n;

	while (i--)
		if (!s->e[i].seen)
			store_remove(s, i);
}

struct sfc_k8s_store *sfc_k8s_store_new(void)
{
	return calloc(1, sizeof(struct sfc_k8s_store));
}

void sfc_k8s_store_free(struct sfc_k8s_store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->e[i].key);
		cJSON_Delete(s->e[i].obj);
	}
	free(s->e);
	free(s);
}

struct sfc_k8s_handler sfc_k8s_store_handler(struct sfc_k8s_store *s)
{
	return (struct sfc_k8s_handler){ .list_begin = store_list_begin,
					 .object = store_object,
					 .list_end = store_list_end,
					 .ctx = s };
}

const cJSON *sfc_k8s_store_get(const struct sfc_k8s_store *s, const char *ns,
			       const char *name)
{
	char key[STORE_KEY_MAX];
	bool found;
	size_t i;

	if (store_key(ns, name, key))
		return NULL;
	i = store_find(s, key, &found);
	return found ? s->e[i].obj : NULL;
}

size_t sfc_k8s_store_count(const struct sfc_k8s_store *s)
{
	return s->n;
}

const cJSON *sfc_k8s_store_at(const struct sfc_k8s_store *s, size_t i)
{
	return i < s->n ? s->e[i].obj : NULL;
}

uint64_t sfc_k8s_store_generation(const struct sfc_k8s_store *s)
{
	return s->gen;
}

int sfc_k8s_store_error(const struct sfc_k8s_store *s)
{
	return s->err;
}
