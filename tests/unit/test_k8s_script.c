// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_script.c - the scripts the reflector tests give the fake API
 * server (see test_k8s_script.h), a handler that records what it is
 * handed, and a loop that steps a client until enough was recorded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_k8s_script.h"

cJSON *ks_script;

/* ---- the script ----------------------------------------------------------- */

cJSON *ks_step(const char *path, bool watch)
{
	cJSON *s = cJSON_CreateObject(), *q = cJSON_AddObjectToObject(s, "query");

	cJSON_AddStringToObject(s, "path", path);
	if (watch)
		cJSON_AddStringToObject(q, "watch", "true");
	else
		cJSON_AddNullToObject(q, "watch");
	cJSON_AddItemToArray(ks_script, s);
	return s;
}

void ks_query(cJSON *s, const char *k, const char *v)
{
	cJSON_AddStringToObject(cJSON_GetObjectItem(s, "query"), k, v);
}

void ks_chunk(cJSON *s, const char *text)
{
	cJSON *c = cJSON_GetObjectItem(s, "chunks");

	if (!c)
		c = cJSON_AddArrayToObject(s, "chunks");
	cJSON_AddItemToArray(c, cJSON_CreateString(text));
	cJSON_AddNumberToObject(s, "delay_ms", 30);
}

void ks_end(cJSON *s, const char *how)
{
	cJSON_AddStringToObject(s, "end", how);
}

const char *ks_pod(const char *name, const char *rv)
{
	static char buf[8][160];
	static unsigned n;
	char *b = buf[n++ % 8];

	snprintf(b, 160, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"namespace\":\"ns1\","
		 "\"resourceVersion\":\"%s\"}}", name, rv);
	return b;
}

/* One watch event line (with its newline). */
const char *ks_event(const char *type, const char *name, const char *rv)
{
	static char buf[8][256];
	static unsigned n;
	char *b = buf[n++ % 8];

	if (!strcmp(type, "BOOKMARK"))
		snprintf(b, 256, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":"
			 "{\"resourceVersion\":\"%s\"}}}\n", rv);
	else
		snprintf(b, 256, "{\"type\":\"%s\",\"object\":%s}\n", type, ks_pod(name, rv));
	return b;
}

const char *ks_error_event(int code, const char *reason, const char *msg)
{
	static char b[256];

	snprintf(b, sizeof(b), "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
		 "\"metadata\":{},\"status\":\"Failure\",\"message\":\"%s\",\"reason\":\"%s\","
		 "\"code\":%d}}\n", msg, reason, code);
	return b;
}

/* A LIST answer: @items is "" or comma-separated objects. */
void ks_list_body(cJSON *s, const char *rv, const char *cont, const char *items)
{
	char text[2048];

	snprintf(text, sizeof(text), "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":"
		 "{\"resourceVersion\":\"%s\"%s%s%s},\"items\":%s%s%s}", rv,
		 cont ? ",\"continue\":\"" : "", cont ? cont : "", cont ? "\"" : "",
		 *items ? "[" : "null", items, *items ? "]" : "");
	cJSON_AddItemToObject(s, "body", cJSON_Parse(text));
}

void ks_status_body(cJSON *s, int code, const char *reason)
{
	char text[256];

	snprintf(text, sizeof(text), "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"%s\","
		 "\"code\":%d,\"message\":\"%s\"}", reason, code, reason);
	cJSON_AddNumberToObject(s, "status", code);
	cJSON_AddItemToObject(s, "body", cJSON_Parse(text));
}

void ks_start(struct fake_api *f, int port)
{
	char *text = cJSON_PrintUnformatted(ks_script);

	fake_api_start(f, text, port, NULL);
	free(text);
}

/* ---- what the handler saw ------------------------------------------------ */

static void ks_rec_add(struct ks_rec *r, const char *s)
{
	size_t len = strlen(r->text);

	snprintf(r->text + len, sizeof(r->text) - len, "%s%s", len ? "|" : "", s);
	r->n++;
}

static void ks_rec_begin(void *ctx)
{
	struct ks_rec *r = ctx;

	ks_rec_add(r, "begin");
	r->sh.list_begin(r->sh.ctx);
}

static void ks_rec_end(void *ctx)
{
	struct ks_rec *r = ctx;

	ks_rec_add(r, "end");
	r->sh.list_end(r->sh.ctx);
}

static void ks_rec_object(void *ctx, enum sfc_k8s_event_type t, const cJSON *o)
{
	static const char *const names[] = { "ADDED", "MODIFIED", "DELETED" };
	const cJSON *m = cJSON_GetObjectItem(o, "metadata");
	struct ks_rec *r = ctx;
	char line[256];

	cr_assert_lt(t, SFC_K8S_BOOKMARK, "BOOKMARK and ERROR are never handed on");
	snprintf(line, sizeof(line), "%s %s %s", names[t],
		 cJSON_GetObjectItem(m, "name")->valuestring,
		 cJSON_GetObjectItem(m, "resourceVersion")->valuestring);
	ks_rec_add(r, line);
	r->sh.object(r->sh.ctx, t, o);
}

struct sfc_k8s_handler ks_rec_init(struct ks_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->store = sfc_k8s_store_new();
	r->sh = sfc_k8s_store_handler(r->store);
	return (struct sfc_k8s_handler){ ks_rec_begin, ks_rec_object, ks_rec_end, r };
}

void ks_rec_free(struct ks_rec *r)
{
	sfc_k8s_store_free(r->store);
}

/* ---- driving -------------------------------------------------------------- */

uint64_t ks_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Step @c until @r has @n records and @rf is watching, or @ms pass. */
void ks_run_until(struct sfc_k8s_client *c, struct ks_rec *r, int n,
		      struct sfc_k8s_reflector *rf, unsigned ms)
{
	uint64_t deadline = ks_real_ms() + ms;
	struct sfc_k8s_reflector_info info;

	do {
		cr_assert_eq(sfc_k8s_step(c, 20), 0);
		sfc_k8s_reflector_info(rf, &info);
		if (r->n >= n && info.phase == SFC_K8S_WATCHING)
			return;
	} while (ks_real_ms() < deadline);
	cr_assert_fail("timed out with %d of %d records: %s (phase %d, last error %d: %s)", r->n, n,
		r->text, info.phase, info.last_err, info.last.message);
}
