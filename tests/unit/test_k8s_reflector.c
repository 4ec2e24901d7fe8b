// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_reflector.c - list + watch through real libcurl against the
 * scripted fake API server: paged LIST, WATCH from its resourceVersion
 * with bookmarks and a random timeoutSeconds, events cut across chunks,
 * the resourceVersion of a BOOKMARK kept, relist on an in-stream ERROR
 * 410 and on HTTP 410, 401 re-reading a rotated token for LIST and
 * WATCH, reconnect with backoff on connection refused (schedule checked
 * on an injected clock; an answer to one reflector wakes the others
 * waiting for the server), malformed and overlong events, a dropped
 * stream, a watch closed at once, three reflectors on one loop, a
 * handler making a blocking request, and a step returning at once with
 * data that was already waiting.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "k8s_internal.h"
#include "test_k8s_script.h"

static struct fake_api api;
static struct k8s_hooks hooks;

static void setup(void)
{
	k8s_tdir_setup();
	memset(&hooks, 0, sizeof(hooks));
	hooks.real_clock = true;
	hooks.u = 0.5;
	ks_script = cJSON_CreateArray();
}

static void teardown(void)
{
	fake_api_stop(&api);
	cJSON_Delete(ks_script);
	k8s_tdir_teardown();
}

TestSuite(k8s_reflector, .init = setup, .fini = teardown, .timeout = 60);

static struct sfc_k8s_client *client(const char *url, const char *token, unsigned bo_ms)
{
	struct sfc_k8s_client_opts o = { .now_ms = k8s_hook_now, .random = k8s_hook_random,
					 .hook_ctx = &hooks, .backoff_initial_ms = bo_ms,
					 .backoff_cap_ms = bo_ms * 4, .connect_timeout_ms = 2000 };
	struct sfc_k8s_config cfg = { .server = (char *)url };
	struct sfc_k8s_client *c;

	if (token)
		cfg.token_file = (char *)k8s_tfile("token", token);
	cr_assert_eq(sfc_k8s_client_new(&cfg, &o, &c), 0);
	return c;
}

static const char *nth_query(cJSON *reqs, int i, const char *key)
{
	return k8s_req_query(cJSON_GetArrayItem(reqs, i), key);
}

static const struct sfc_k8s_watch_opts node_pods = {
	.res = &sfc_k8s_pods, .field_selector = "spec.nodeName=node-1",
	.min_timeout_s = 10, .page_limit = 2,
};

/* ---- tests ------------------------------------------------------------------ */

Test(k8s_reflector, list_watch_bookmark_and_both_kinds_of_410)
{
	struct sfc_k8s_reflector_info info;
	struct sfc_k8s_reflector *rf;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	struct ks_rec r;
	cJSON *s, *reqs;
	char tail[512];
	int i;

	s = ks_step("/api/v1/pods", false);
	ks_query(s, "fieldSelector", "spec.nodeName=node-1");
	ks_query(s, "limit", "2");
	ks_list_body(s, "100", "c+/=", ks_pod("p1", "10"));
	s = ks_step("/api/v1/pods", false);
	ks_query(s, "continue", "c+/=");
	ks_list_body(s, "100", NULL, ks_pod("p2", "11"));
	/* ADDED cut in two pieces, then MODIFIED and a BOOKMARK in one. */
	s = ks_step("/api/v1/pods", true);
	ks_query(s, "resourceVersion", "100");
	ks_query(s, "allowWatchBookmarks", "true");
	ks_query(s, "fieldSelector", "spec.nodeName=node-1");
	snprintf(tail, sizeof(tail), "%s", ks_event("ADDED", "p3", "101"));
	ks_chunk(s, "{\"type\":\"ADD");
	ks_chunk(s, tail + strlen("{\"type\":\"ADD"));
	snprintf(tail, sizeof(tail), "%s%s", ks_event("MODIFIED", "p1", "102"), ks_event("BOOKMARK", NULL, "150"));
	ks_chunk(s, tail);
	ks_end(s, "clean");
	/* From the bookmark's version: the in-stream 410. */
	s = ks_step("/api/v1/pods", true);
	ks_query(s, "resourceVersion", "150");
	ks_chunk(s, ks_error_event(410, "Expired", "too old resource version: 150 (190)"));
	ks_end(s, "clean");
	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "200", NULL, "");
	cJSON_DeleteItemFromObject(s, "body");
	snprintf(tail, sizeof(tail), "%s,%s", ks_pod("p1", "102"), ks_pod("p3", "101"));
	ks_list_body(s, "200", NULL, tail);
	/* The HTTP 410 at the start of a watch. */
	s = ks_step("/api/v1/pods", true);
	ks_query(s, "resourceVersion", "200");
	ks_status_body(s, 410, "Expired");
	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "300", NULL, ks_pod("p1", "102"));
	s = ks_step("/api/v1/pods", true);
	ks_query(s, "resourceVersion", "300");
	ks_chunk(s, ks_event("DELETED", "p1", "301"));
	ks_end(s, "hold");
	ks_start(&api, 0);

	c = client(api.url, "tok", 20);
	h = ks_rec_init(&r);
	cr_assert_eq(sfc_k8s_reflector_new(c, &node_pods, &h, &rf), 0);
	ks_run_until(c, &r, 14, rf, 15000);
	cr_assert_str_eq(r.text, "begin|ADDED p1 10|ADDED p2 11|end"
				 "|ADDED p3 101|MODIFIED p1 102"
				 "|begin|ADDED p1 102|ADDED p3 101|end"
				 "|begin|ADDED p1 102|end"
				 "|DELETED p1 301");
	cr_assert_eq(sfc_k8s_store_count(r.store), 0, "p2 and p3 went with the relists, p1 deleted");

	sfc_k8s_reflector_info(rf, &info);
	cr_assert(info.synced);
	cr_assert_str_eq(info.rv, "301");
	cr_assert_eq(info.lists, 4, "two pages, two relists");
	cr_assert_eq(info.watches, 4);
	cr_assert_eq(info.relists, 2);
	cr_assert_eq(info.failures, 0);
	cr_assert_eq(info.last_err, 0, "410 is a relist, not a failure");

	reqs = fake_api_requests(&api);
	cr_assert_eq(cJSON_GetArraySize(reqs), 8);
	for (i = 0; i < 8; i++) {
		cr_assert_geq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, i),
								       "step")), 0, "request %d unscripted", i);
		cr_assert(strstr(k8s_req_str(cJSON_GetArrayItem(reqs, i), "raw_query"),
				 "fieldSelector=spec.nodeName%3Dnode-1"), "request %d", i);
		cr_assert_null(nth_query(reqs, i, i == 2 || i == 3 || i == 5 || i == 7 ?
					 "limit" : "resourceVersion"),
			       "a LIST reads the latest state; a WATCH is not paged");
	}
	/* timeoutSeconds = min + u * min with the injected u = 0.5. */
	cr_assert_str_eq(nth_query(reqs, 2, "timeoutSeconds"), "15");
	cr_assert_str_eq(nth_query(reqs, 2, "allowWatchBookmarks"), "true");
	cJSON_Delete(reqs);
	sfc_k8s_reflector_free(rf);
	ks_rec_free(&r);
	sfc_k8s_client_free(c);
}

/* A 401 on LIST and on WATCH: the token file is read again and the
 * request repeated at once, with no backoff and no failure counted. */
Test(k8s_reflector, unauthorized_rereads_rotated_token)
{
	struct sfc_k8s_reflector_info info;
	struct sfc_k8s_reflector *rf;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	struct ks_rec r;
	cJSON *s;

	s = ks_step("/api/v1/pods", false);
	cJSON_AddStringToObject(s, "auth", "Bearer v1");
	ks_status_body(s, 401, "Unauthorized");
	s = ks_step("/api/v1/pods", false);
	cJSON_AddStringToObject(s, "auth", "Bearer v2");
	ks_list_body(s, "5", NULL, ks_pod("p1", "4"));
	s = ks_step("/api/v1/pods", true);
	cJSON_AddStringToObject(s, "auth", "Bearer v2");
	ks_status_body(s, 401, "Unauthorized");
	s = ks_step("/api/v1/pods", true);
	cJSON_AddStringToObject(s, "auth", "Bearer v3");
	ks_query(s, "resourceVersion", "5");
	ks_chunk(s, ks_event("ADDED", "p2", "6"));
	ks_end(s, "hold");
	ks_start(&api, 0);

	/* A backoff long enough that a test passing through one would time out. */
	c = client(api.url, "v1", 60000);
	h = ks_rec_init(&r);
	k8s_tfile("token", "v2");
	cr_assert_eq(sfc_k8s_reflector_new(c, &node_pods, &h, &rf), 0);
	ks_run_until(c, &r, 3, rf, 5000);
	k8s_tfile("token", "v3");
	ks_run_until(c, &r, 4, rf, 5000);
	cr_assert_str_eq(r.text, "begin|ADDED p1 4|end|ADDED p2 6");
	sfc_k8s_reflector_info(rf, &info);
	cr_assert_eq(info.failures, 0);
	cr_assert_eq(info.last_err, 0);
	cr_assert_eq(info.lists, 2);
	cr_assert_eq(info.watches, 2);
	sfc_k8s_reflector_free(rf);
	ks_rec_free(&r);
	sfc_k8s_client_free(c);
}

/* Nothing listens: attempts follow initial * 2^n up to the cap (jitter
 * off: u = 0) on the injected clock, and the first answer ends it. */
Test(k8s_reflector, connection_refused_backs_off_then_recovers)
{
	static const unsigned delays[] = { 100, 200, 400, 400 };
	struct sfc_k8s_reflector_info info;
	struct sfc_k8s_reflector *rf;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	int port = k8s_free_port(), i, k;
	char url[64];
	struct ks_rec r;
	cJSON *s;

	hooks.real_clock = false;
	hooks.now = 1000;
	hooks.u = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	c = client(url, NULL, 100);
	h = ks_rec_init(&r);
	cr_assert_eq(sfc_k8s_reflector_new(c, &node_pods, &h, &rf), 0);
	for (i = 0; i < 4; i++) {
		for (k = 0; k < 200; k++) {
			cr_assert_eq(sfc_k8s_step(c, 10), 0);
			sfc_k8s_reflector_info(rf, &info);
			if (info.failures == (unsigned)i + 1)
				break;
		}
		cr_assert_eq(info.failures, i + 1, "attempt %d did not fail", i);
		cr_assert_eq(info.last_err, -ECONNREFUSED);
		cr_assert_eq(info.phase, SFC_K8S_WAITING);
		cr_assert_eq(info.next_at_ms, hooks.now + delays[i], "attempt %d: retry at %llu",
			     i, (unsigned long long)info.next_at_ms);
		/* Not a millisecond early. */
		hooks.now = info.next_at_ms - 1;
		for (k = 0; k < 3; k++)
			cr_assert_eq(sfc_k8s_step(c, 5), 0);
		sfc_k8s_reflector_info(rf, &info);
		cr_assert_eq(info.lists, i + 1);
		hooks.now = info.next_at_ms;
	}
	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "9", NULL, ks_pod("p1", "8"));
	s = ks_step("/api/v1/pods", true);
	ks_chunk(s, ks_event("BOOKMARK", NULL, "10"));
	ks_end(s, "hold");
	ks_start(&api, port);
	ks_run_until(c, &r, 3, rf, 5000);
	sfc_k8s_reflector_info(rf, &info);
	cr_assert(info.synced);
	cr_assert_eq(info.failures, 0, "a success resets the count");
	cr_assert_str_eq(r.text, "begin|ADDED p1 8|end");
	sfc_k8s_reflector_free(rf);
	ks_rec_free(&r);
	sfc_k8s_client_free(c);
}

/* The API server back: the first reflector it answers wakes the others
 * waiting out a longer backoff after no answer at all, which resync then
 * and not when their own backoff runs out (the injected clock stays
 * before it). */
Test(k8s_reflector, an_answer_wakes_the_others_waiting_for_the_server)
{
	struct sfc_k8s_watch_opts co = { .res = &sfc_k8s_servicechains, .min_timeout_s = 10 };
	struct sfc_k8s_reflector_info ia, ib;
	struct sfc_k8s_reflector *ra, *rb;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	struct ks_rec reca, recb;
	int port = k8s_free_port(), i, k;
	uint64_t b_next, deadline;
	char url[64];
	cJSON *s;

	hooks.real_clock = false;
	hooks.now = 1000;
	hooks.u = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	c = client(url, NULL, 100);
	h = ks_rec_init(&recb);
	cr_assert_eq(sfc_k8s_reflector_new(c, &co, &h, &rb), 0);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 200; k++) {
			cr_assert_eq(sfc_k8s_step(c, 10), 0);
			sfc_k8s_reflector_info(rb, &ib);
			if (ib.failures == (unsigned)i + 1)
				break;
		}
		cr_assert_eq(ib.failures, i + 1, "attempt %d did not fail", i);
		if (i < 2)
			hooks.now = ib.next_at_ms;
	}
	b_next = ib.next_at_ms;
	cr_assert_eq(b_next, hooks.now + 400, "third failure: backoff 400 ms");
	h = ks_rec_init(&reca);
	cr_assert_eq(sfc_k8s_reflector_new(c, &node_pods, &h, &ra), 0);
	for (k = 0; k < 200; k++) {
		cr_assert_eq(sfc_k8s_step(c, 10), 0);
		sfc_k8s_reflector_info(ra, &ia);
		if (ia.failures == 1)
			break;
	}
	cr_assert_eq(ia.next_at_ms, hooks.now + 100);
	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "9", NULL, ks_pod("p1", "8"));
	s = ks_step("/api/v1/pods", true);
	ks_end(s, "hold");
	ks_chunk(s, "\n");
	s = ks_step("/apis/sfc.io/v1alpha1/servicechains", false);
	cJSON_AddItemToObject(s, "body", cJSON_Parse(
		"{\"kind\":\"ServiceChainList\",\"metadata\":{\"resourceVersion\":\"9\"},\"items\":"
		"[{\"metadata\":{\"name\":\"fw\",\"resourceVersion\":\"3\"},"
		"\"spec\":{\"functions\":[\"firewall\"]}}]}"));
	s = ks_step("/apis/sfc.io/v1alpha1/servicechains", true);
	ks_end(s, "hold");
	ks_chunk(s, "\n");
	ks_start(&api, port);
	hooks.now = ia.next_at_ms;
	cr_assert_lt(hooks.now, b_next);
	deadline = ks_real_ms() + 5000;
	do {
		cr_assert_eq(sfc_k8s_step(c, 20), 0);
		sfc_k8s_reflector_info(rb, &ib);
	} while (!ib.synced && ks_real_ms() < deadline);
	sfc_k8s_reflector_info(ra, &ia);
	cr_assert(ia.synced, "the first reflector listed");
	cr_assert(ib.synced, "the other one listed too, %llu ms before its backoff ran out",
		  (unsigned long long)(b_next - hooks.now));
	cr_assert_eq(ib.failures, 0);
	cr_assert_str_eq(recb.text, "begin|ADDED fw 3|end");
	sfc_k8s_reflector_free(ra);
	sfc_k8s_reflector_free(rb);
	ks_rec_free(&reca);
	ks_rec_free(&recb);
	sfc_k8s_client_free(c);
}

/* Stream failures: reconnect from the last resourceVersion, with
 * backoff, and never relist (the version is still good). */
Test(k8s_reflector, broken_streams_rewatch_from_last_version)
{
	struct sfc_k8s_watch_opts o = node_pods;
	struct sfc_k8s_reflector_info info;
	struct sfc_k8s_reflector *rf;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	int errs[8], n_errs = 0, i;
	unsigned prev = 0;
	uint64_t deadline;
	char big[400];
	struct ks_rec r;
	cJSON *s, *reqs;

	o.max_line = 256;
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"type\":\"ADDED\",\"object\":{\"a\":\"", 31);
	memcpy(big + sizeof(big) - 4, "\"}}\n", 4);
	big[sizeof(big) - 1] = '\0';

	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "100", NULL, "");
	s = ks_step("/api/v1/pods", true);          /* malformed */
	ks_query(s, "resourceVersion", "100");
	ks_chunk(s, ks_event("ADDED", "p1", "101"));
	ks_chunk(s, "{\"type\":\"ADDED\",\"object\":{\n");
	ks_end(s, "hold");
	s = ks_step("/api/v1/pods", true);          /* over max_line */
	ks_query(s, "resourceVersion", "101");
	ks_chunk(s, big);
	ks_end(s, "hold");
	s = ks_step("/api/v1/pods", true);          /* an ERROR that is not 410 */
	ks_query(s, "resourceVersion", "101");
	ks_chunk(s, ks_error_event(500, "InternalError", "etcd is sad"));
	ks_end(s, "clean");
	s = ks_step("/api/v1/pods", true);          /* dropped mid-stream */
	ks_query(s, "resourceVersion", "101");
	ks_chunk(s, ks_event("ADDED", "p2", "102"));
	ks_end(s, "abort");
	s = ks_step("/api/v1/pods", true);          /* closed at once, no event */
	ks_query(s, "resourceVersion", "102");
	ks_end(s, "clean");
	cJSON_AddItemToObject(s, "chunks", cJSON_CreateArray());
	s = ks_step("/api/v1/pods", true);
	ks_query(s, "resourceVersion", "102");
	ks_chunk(s, ks_event("BOOKMARK", NULL, "103"));
	ks_end(s, "hold");
	ks_start(&api, 0);

	hooks.u = 0;
	c = client(api.url, NULL, 20);
	h = ks_rec_init(&r);
	cr_assert_eq(sfc_k8s_reflector_new(c, &o, &h, &rf), 0);
	deadline = ks_real_ms() + 15000;
	do {
		cr_assert_eq(sfc_k8s_step(c, 10), 0);
		sfc_k8s_reflector_info(rf, &info);
		if (info.failures > prev)
			errs[n_errs++] = info.last_err;
		prev = info.failures;
	} while ((!info.rv || strcmp(info.rv, "103")) && n_errs < 8 && ks_real_ms() < deadline);
	cr_assert_str_eq(info.rv ? info.rv : "-", "103", "%s", r.text);
	cr_assert_eq(n_errs, 5);
	cr_assert_eq(errs[0], -EBADMSG);
	cr_assert_eq(errs[1], -EMSGSIZE);
	cr_assert_eq(errs[2], -EIO);
	cr_assert_eq(errs[3], -ECONNRESET, "the stream cut without its last chunk");
	cr_assert_eq(errs[4], -ECONNRESET, "a watch that ends at once is a failure");
	cr_assert_str_eq(r.text, "begin|end|ADDED p1 101|ADDED p2 102");
	cr_assert_eq(info.lists, 1, "no relist");
	cr_assert_eq(info.failures, 0);
	reqs = fake_api_requests(&api);
	cr_assert_eq(cJSON_GetArraySize(reqs), 7);
	for (i = 0; i < 7; i++)
		cr_assert_geq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, i),
								       "step")), 0, "request %d unscripted", i);
	cJSON_Delete(reqs);
	sfc_k8s_reflector_free(rf);
	ks_rec_free(&r);
	sfc_k8s_client_free(c);
}

/* What the agent runs: this node's pods, every ServiceChain and the Node,
 * three reflectors on one client and one loop. */
Test(k8s_reflector, pods_chains_and_node_on_one_loop)
{
	struct sfc_k8s_watch_opts po = { .res = &sfc_k8s_pods,
					 .field_selector = "spec.nodeName=node-1" };
	struct sfc_k8s_watch_opts co = { .res = &sfc_k8s_servicechains };
	struct sfc_k8s_watch_opts no = { .res = &sfc_k8s_nodes,
					 .field_selector = "metadata.name=node-1" };
	struct sfc_k8s_reflector *rp, *rc, *rn, *bad;
	struct sfc_k8s_store *sp, *sc, *sn;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	const cJSON *node;
	uint64_t deadline;
	cJSON *s;

	s = ks_step("/api/v1/pods", false);
	ks_query(s, "fieldSelector", "spec.nodeName=node-1");
	ks_list_body(s, "10", NULL, ks_pod("p1", "9"));
	s = ks_step("/api/v1/pods", true);
	ks_chunk(s, ks_event("ADDED", "p2", "11"));
	ks_end(s, "hold");
	s = ks_step("/apis/sfc.io/v1alpha1/servicechains", false);
	cJSON_AddItemToObject(s, "body", cJSON_Parse(
		"{\"kind\":\"ServiceChainList\",\"metadata\":{\"resourceVersion\":\"10\"},\"items\":"
		"[{\"metadata\":{\"name\":\"fw-count\",\"resourceVersion\":\"3\"},"
		"\"spec\":{\"functions\":[\"firewall\",\"counter\"]}}]}"));
	s = ks_step("/apis/sfc.io/v1alpha1/servicechains", true);
	ks_end(s, "hold");
	ks_chunk(s, "\n");
	s = ks_step("/api/v1/nodes", false);
	ks_query(s, "fieldSelector", "metadata.name=node-1");
	cJSON_AddItemToObject(s, "body", cJSON_Parse(
		"{\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"10\"},\"items\":"
		"[{\"metadata\":{\"name\":\"node-1\",\"resourceVersion\":\"2\"},"
		"\"spec\":{\"podCIDR\":\"10.244.1.0/24\"}}]}"));
	s = ks_step("/api/v1/nodes", true);
	ks_end(s, "hold");
	ks_chunk(s, "\n");
	ks_start(&api, 0);

	c = client(api.url, "t", 50);
	sp = sfc_k8s_store_new();
	sc = sfc_k8s_store_new();
	sn = sfc_k8s_store_new();
	h = sfc_k8s_store_handler(sp);
	cr_assert_eq(sfc_k8s_reflector_new(c, &po, &h, &rp), 0);
	h = sfc_k8s_store_handler(sc);
	cr_assert_eq(sfc_k8s_reflector_new(c, &co, &h, &rc), 0);
	h = sfc_k8s_store_handler(sn);
	cr_assert_eq(sfc_k8s_reflector_new(c, &no, &h, &rn), 0);
	cr_assert_eq(sfc_k8s_reflector_new(c, &(struct sfc_k8s_watch_opts){
		.res = &sfc_k8s_nodes, .ns = "x" }, &h, &bad), -EINVAL, "nodes have no namespace");
	cr_assert_null(bad);
	deadline = ks_real_ms() + 10000;
	while ((sfc_k8s_store_count(sp) < 2 || !sfc_k8s_store_count(sc) ||
		!sfc_k8s_store_count(sn)) && ks_real_ms() < deadline)
		cr_assert_eq(sfc_k8s_step(c, 20), 0);
	cr_assert_eq(sfc_k8s_store_count(sp), 2);
	cr_assert_not_null(sfc_k8s_store_get(sp, "ns1", "p2"));
	cr_assert_not_null(sfc_k8s_store_get(sc, NULL, "fw-count"));
	node = sfc_k8s_store_get(sn, NULL, "node-1");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(node, "spec"), "podCIDR")->valuestring,
			 "10.244.1.0/24");
	/* Freed while their watches are open: the streams are closed. */
	sfc_k8s_reflector_free(rc);
	sfc_k8s_reflector_free(rp);
	sfc_k8s_reflector_free(rn);
	sfc_k8s_client_free(c);
	sfc_k8s_store_free(sp);
	sfc_k8s_store_free(sc);
	sfc_k8s_store_free(sn);
}

struct getter {
	struct sfc_k8s_client *c;
	int calls, rc;
	char uid[64];
};

static void get_on_add(void *ctx, enum sfc_k8s_event_type t, const cJSON *o)
{
	const cJSON *m = cJSON_GetObjectItem(o, "metadata");
	struct getter *g = ctx;
	cJSON *pod = NULL;

	g->calls++;
	g->rc = sfc_k8s_get(g->c, &sfc_k8s_pods, cJSON_GetObjectItem(m, "namespace")->valuestring,
			    cJSON_GetObjectItem(m, "name")->valuestring, &pod, NULL);
	if (!g->rc)
		snprintf(g->uid, sizeof(g->uid), "%s",
			 cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "metadata"), "uid")->valuestring);
	cJSON_Delete(pod);
}

/* A handler may make blocking requests (the agent GETs a pod to check its
 * UID): they run on their own handle, outside the multi handle. */
Test(k8s_reflector, handler_may_make_blocking_requests)
{
	struct sfc_k8s_reflector *rf;
	struct sfc_k8s_client *c;
	struct getter g = { 0 };
	struct sfc_k8s_handler h = { .object = get_on_add, .ctx = &g };
	uint64_t deadline;
	cJSON *s;

	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "10", NULL, "");
	s = ks_step("/api/v1/pods", true);
	ks_chunk(s, ks_event("ADDED", "p1", "11"));
	ks_end(s, "hold");
	s = ks_step("/api/v1/namespaces/ns1/pods/p1", false);
	cJSON_AddItemToObject(s, "body", cJSON_Parse("{\"metadata\":{\"name\":\"p1\",\"uid\":\"u-1\"}}"));
	ks_start(&api, 0);

	c = client(api.url, "t", 50);
	g.c = c;
	cr_assert_eq(sfc_k8s_reflector_new(c, &node_pods, &h, &rf), 0);
	deadline = ks_real_ms() + 10000;
	while (!g.calls && ks_real_ms() < deadline)
		cr_assert_eq(sfc_k8s_step(c, 20), 0);
	cr_assert_eq(g.calls, 1);
	cr_assert_eq(g.rc, 0);
	cr_assert_str_eq(g.uid, "u-1");
	sfc_k8s_reflector_free(rf);
	sfc_k8s_client_free(c);
}

/* An event that arrived between two steps is handed on by the next step,
 * which then returns at once instead of sleeping its whole timeout: the
 * agent's loop acts on a change as soon as it is seen (found against a
 * real apiserver: an annotation took the full step timeout to show). */
Test(k8s_reflector, step_returns_after_handing_on_pending_data)
{
	struct sfc_k8s_reflector *rf;
	struct sfc_k8s_handler h;
	struct sfc_k8s_client *c;
	uint64_t t0;
	struct ks_rec r;
	cJSON *s;

	s = ks_step("/api/v1/pods", false);
	ks_list_body(s, "10", NULL, "");
	s = ks_step("/api/v1/pods", true);
	ks_chunk(s, ks_event("BOOKMARK", NULL, "11"));
	ks_chunk(s, ks_event("ADDED", "p1", "12"));
	ks_end(s, "hold");
	ks_start(&api, 0);

	c = client(api.url, NULL, 50);
	h = ks_rec_init(&r);
	cr_assert_eq(sfc_k8s_reflector_new(c, &node_pods, &h, &rf), 0);
	ks_run_until(c, &r, 2, rf, 5000);
	cr_assert_str_eq(r.text, "begin|end");
	/* p1 follows 30 ms after the bookmark: let it wait in the socket. */
	usleep(300 * 1000);
	t0 = ks_real_ms();
	cr_assert_eq(sfc_k8s_step(c, 3000), 0);
	cr_assert_str_eq(r.text, "begin|end|ADDED p1 12");
	cr_assert_lt(ks_real_ms() - t0, 1000, "the step slept %llu ms with news in hand",
		     (unsigned long long)(ks_real_ms() - t0));
	sfc_k8s_reflector_free(rf);
	ks_rec_free(&r);
	sfc_k8s_client_free(c);
}
