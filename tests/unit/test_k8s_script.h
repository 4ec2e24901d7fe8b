/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_k8s_script.h - helpers of the reflector tests: build the step list
 * of the fake API server (k8s_fake_api.py) in ks_script, record what a
 * reflector hands on (into a store too), and step a client until then.
 */
#ifndef TEST_K8S_SCRIPT_H
#define TEST_K8S_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "sfc_k8s_watch.h"
#include "test_k8s_util.h"

/* The step list being built: a JSON array the test creates and frees. */
extern cJSON *ks_script;

/* Append a step for GET @path: a WATCH (query watch=true) or a LIST (no
 * watch parameter). Return: the step, to refine with the calls below. */
cJSON *ks_step(const char *path, bool watch);
/* The step matches only a request whose query has @k = @v. */
void ks_query(cJSON *s, const char *k, const char *v);
/* One more piece of the chunked answer (30 ms after the previous one). */
void ks_chunk(cJSON *s, const char *text);
/* How the stream ends: "clean", "abort" or "hold". */
void ks_end(cJSON *s, const char *how);
/* A LIST answer with resourceVersion @rv, continue token @cont (or NULL)
 * and @items: "" or comma-separated objects ("items": null when ""). */
void ks_list_body(cJSON *s, const char *rv, const char *cont, const char *items);
/* An error answer: HTTP @code with a Status of @reason. */
void ks_status_body(cJSON *s, int code, const char *reason);
/* Start @f with ks_script on @port (0 = any). */
void ks_start(struct fake_api *f, int port);

/* Pod ns1/@name at @rv as JSON text (8 rotating static buffers). */
const char *ks_pod(const char *name, const char *rv);
/* A watch event line of ks_pod(@name, @rv), or a BOOKMARK at @rv. */
const char *ks_event(const char *type, const char *name, const char *rv);
/* An ERROR event line carrying a Status. */
const char *ks_error_event(int code, const char *reason, const char *msg);

/* What a reflector handed on, as "begin|ADDED p1 10|...|end", also
 * applied to @store. */
struct ks_rec {
	char text[4096];
	int n;                             /* records */
	struct sfc_k8s_store *store;
	struct sfc_k8s_handler sh;         /* the store's handler */
};

/* An empty record; Return: the handler that fills it. */
struct sfc_k8s_handler ks_rec_init(struct ks_rec *r);
void ks_rec_free(struct ks_rec *r);

/* CLOCK_MONOTONIC in ms. */
uint64_t ks_real_ms(void);
/* Step @c until @r has @n records and @rf is watching; fail after @ms. */
void ks_run_until(struct sfc_k8s_client *c, struct ks_rec *r, int n,
		  struct sfc_k8s_reflector *rf, unsigned ms);

#endif /* TEST_K8S_SCRIPT_H */
