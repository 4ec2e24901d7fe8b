// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_store.c - the store a reflector fills: watch events add,
 * replace and delete; a LIST replaces the whole set (what it does not
 * name is gone); the generation moves only on a real change (a relist of
 * the same resourceVersions is not one); lookups and key order.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "sfc_k8s_watch.h"

static cJSON *obj(const char *ns, const char *name, const char *rv)
{
	char text[256];

	if (ns)
		snprintf(text, sizeof(text),
			 "{\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\",\"resourceVersion\":\"%s\"}}",
			 ns, name, rv);
	else
		snprintf(text, sizeof(text),
			 "{\"metadata\":{\"name\":\"%s\",\"resourceVersion\":\"%s\"}}", name, rv);
	return cJSON_Parse(text);
}

/* Hand one object to @h and free the caller's copy (borrowed by @h). */
static void send(const struct sfc_k8s_handler *h, enum sfc_k8s_event_type t,
		 const char *ns, const char *name, const char *rv)
{
	cJSON *o = obj(ns, name, rv);

	h->object(h->ctx, t, o);
	cJSON_Delete(o);
}

static const char *rv_of(const cJSON *o)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "resourceVersion")->valuestring;
}

static const char *name_of(const cJSON *o)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "name")->valuestring;
}

Test(k8s_store, events_and_relists)
{
	struct sfc_k8s_store *s = sfc_k8s_store_new();
	struct sfc_k8s_handler h = sfc_k8s_store_handler(s);
	uint64_t g;

	cr_assert_not_null(s);
	h.list_begin(h.ctx);
	send(&h, SFC_K8S_ADDED, "b", "p2", "11");
	send(&h, SFC_K8S_ADDED, "a", "p9", "12");
	send(&h, SFC_K8S_ADDED, "b", "p1", "10");
	h.list_end(h.ctx);
	cr_assert_eq(sfc_k8s_store_count(s), 3);
	cr_assert_str_eq(name_of(sfc_k8s_store_at(s, 0)), "p9", "key order: a/p9 first");
	cr_assert_str_eq(name_of(sfc_k8s_store_at(s, 1)), "p1");
	cr_assert_null(sfc_k8s_store_at(s, 3));
	cr_assert_str_eq(rv_of(sfc_k8s_store_get(s, "b", "p2")), "11");
	cr_assert_null(sfc_k8s_store_get(s, "a", "p2"));
	g = sfc_k8s_store_generation(s);

	/* The same objects again: no change to recompile for. */
	h.list_begin(h.ctx);
	send(&h, SFC_K8S_ADDED, "b", "p1", "10");
	send(&h, SFC_K8S_ADDED, "b", "p2", "11");
	send(&h, SFC_K8S_ADDED, "a", "p9", "12");
	h.list_end(h.ctx);
	cr_assert_eq(sfc_k8s_store_generation(s), g);

	send(&h, SFC_K8S_MODIFIED, "b", "p1", "20");
	cr_assert_str_eq(rv_of(sfc_k8s_store_get(s, "b", "p1")), "20");
	cr_assert_gt(sfc_k8s_store_generation(s), g);
	g = sfc_k8s_store_generation(s);
	send(&h, SFC_K8S_DELETED, "b", "p2", "21");
	cr_assert_null(sfc_k8s_store_get(s, "b", "p2"));
	cr_assert_gt(sfc_k8s_store_generation(s), g);
	g = sfc_k8s_store_generation(s);
	send(&h, SFC_K8S_DELETED, "b", "nope", "22");
	cr_assert_eq(sfc_k8s_store_generation(s), g, "deleting the absent is no change");
	/* MODIFIED for an object never seen (missed ADDED) adds it. */
	send(&h, SFC_K8S_MODIFIED, "c", "p3", "23");
	cr_assert_not_null(sfc_k8s_store_get(s, "c", "p3"));

	/* A relist after a 410: what it does not name was deleted meanwhile. */
	h.list_begin(h.ctx);
	send(&h, SFC_K8S_ADDED, "b", "p1", "20");
	send(&h, SFC_K8S_ADDED, "d", "p4", "30");
	h.list_end(h.ctx);
	cr_assert_eq(sfc_k8s_store_count(s), 2);
	cr_assert_null(sfc_k8s_store_get(s, "a", "p9"));
	cr_assert_null(sfc_k8s_store_get(s, "c", "p3"));
	cr_assert_not_null(sfc_k8s_store_get(s, "d", "p4"));
	cr_assert_eq(sfc_k8s_store_error(s), 0);

	/* An empty LIST empties the store. */
	h.list_begin(h.ctx);
	h.list_end(h.ctx);
	cr_assert_eq(sfc_k8s_store_count(s), 0);
	sfc_k8s_store_free(s);
}

Test(k8s_store, cluster_scoped_and_nameless)
{
	struct sfc_k8s_store *s = sfc_k8s_store_new();
	struct sfc_k8s_handler h = sfc_k8s_store_handler(s);
	cJSON *bad = cJSON_Parse("{\"metadata\":{\"namespace\":\"x\"}}");

	send(&h, SFC_K8S_ADDED, NULL, "fw-count", "5");
	cr_assert_not_null(sfc_k8s_store_get(s, NULL, "fw-count"));
	cr_assert_null(sfc_k8s_store_get(s, NULL, NULL));
	h.object(h.ctx, SFC_K8S_ADDED, bad);
	cr_assert_eq(sfc_k8s_store_count(s), 1, "an object without a name is not stored");
	cJSON_Delete(bad);
	sfc_k8s_store_free(s);
	sfc_k8s_store_free(NULL);
}
