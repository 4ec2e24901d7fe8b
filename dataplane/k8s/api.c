// SPDX-License-Identifier: GPL-2.0-only
/*
 * api.c - blocking requests: GET one object, LIST one page, merge PATCH
 * (also of /status), POST. A 401 re-reads the token file and sends the
 * request once more: the token may have rotated since it was read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

/* One attempt; *@http is 0 when no answer arrived. */
static int request_once(struct sfc_k8s_client *c, const char *method,
			const char *url, const char *body, const char *ctype,
			bool force_token, struct k8s_buf *resp, long *http,
			struct sfc_k8s_status *st)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	CURLcode rc;
	int err;

	*http = 0;
	k8s_buf_free(resp);
	err = k8s_easy_setup(c, c->sync, method, url, body, ctype, force_token, &hdrs);
	if (err) {
		k8s_status_set(st, 0, "ClientError", "request setup: %s", strerror(-err));
		return err;
	}
	curl_easy_setopt(c->sync, CURLOPT_WRITEFUNCTION, k8s_write_buf);
	curl_easy_setopt(c->sync, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c->sync, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c->sync, CURLOPT_TIMEOUT_MS, (long)c->o.request_timeout_ms);
	rc = curl_easy_perform(c->sync);
	curl_slist_free_all(hdrs);
	curl_easy_setopt(c->sync, CURLOPT_ERRORBUFFER, NULL);
	if (rc == CURLE_WRITE_ERROR && resp->over) {
		k8s_status_set(st, 0, "ClientError", "response over %zu bytes", resp->max);
		return -EFBIG;
	}
	if (rc != CURLE_OK) {
		k8s_status_set(st, 0, "ClientError", "%s %s: %s", method, url,
			       errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return k8s_curl_errno(rc);
	}
	curl_easy_getinfo(c->sync, CURLINFO_RESPONSE_CODE, http);
	return 0;
}

static int request(struct sfc_k8s_client *c, const char *method, const char *url,
		   const char *body, const char *ctype, cJSON **out,
		   struct sfc_k8s_status *st)
{
	struct k8s_buf resp = { .max = c->o.max_body };
	cJSON *j = NULL;
	long http = 0;
	int err;

	err = request_once(c, method, url, body, ctype, false, &resp, &http, st);
	if (!err && http == 401)
		err = request_once(c, method, url, body, ctype, true, &resp, &http, st);
	if (!err)
		err = k8s_status_fill(st, http, resp.data, resp.len);
	if (!err) {
		j = cJSON_ParseWithLength(resp.data ? resp.data : "", resp.len);
		if (!cJSON_IsObject(j)) {
			k8s_status_set(st, http, "ClientError",
				       "%s %s: answer is not a JSON object", method, url);
			err = -EBADMSG;
		}
	}
	k8s_buf_free(&resp);
	if (!err && out) {
		*out = j;
		j = NULL;
	}
	cJSON_Delete(j);
	return err;
}

/* Serialise @obj and send it with @method and @ctype. */
static int request_json(struct sfc_k8s_client *c, const char *method,
			const char *url, const cJSON *obj, const char *ctype,
			cJSON **out, struct sfc_k8s_status *st)
{
	char *body = cJSON_PrintUnformatted(obj);
	int err;

	if (!body) {
		k8s_status_set(st, 0, "ClientError", "cannot serialise the body");
		return -ENOMEM;
	}
	err = request(c, method, url, body, ctype, out, st);
	free(body);
	return err;
}

static int url_or_status(struct sfc_k8s_client *c,
			 const struct sfc_k8s_resource *res, const char *ns,
			 const char *name, const char *sub,
			 const char *const *query, char **url,
			 struct sfc_k8s_status *st)
{
	int err = sfc_k8s_url(c->cfg.server, res, ns, name, sub, query, url);

	if (err)
		k8s_status_set(st, 0, "ClientError", "no URL for %s %s/%s: %s",
			       res->plural, ns ? ns : "", name ? name : "",
			       strerror(-err));
	return err;
}

int sfc_k8s_get(struct sfc_k8s_client *c, const struct sfc_k8s_resource *res,
		const char *ns, const char *name, cJSON **out,
		struct sfc_k8s_status *st)
{
	char *url;
	int err;

	if (out)
		*out = NULL;
	if (!name) {
		k8s_status_set(st, 0, "ClientError", "%s: no object name", res->plural);
		return -EINVAL;
	}
	err = url_or_status(c, res, ns, name, NULL, NULL, &url, st);
	if (!err)
		err = request(c, "GET", url, NULL, NULL, out, st);
	free(url);
	return err;
}

int sfc_k8s_list(struct sfc_k8s_client *c, const struct sfc_k8s_resource *res,
		 const char *ns, const struct sfc_k8s_list_opts *o, cJSON **out,
		 struct sfc_k8s_status *st)
{
	static const struct sfc_k8s_list_opts none;
	char limit[16], *url;
	int err;

	if (out)
		*out = NULL;
	if (!o)
		o = &none;
	snprintf(limit, sizeof(limit), "%u", o->limit);
	const char *q[] = { "fieldSelector", o->field_selector,
			    "labelSelector", o->label_selector,
			    "resourceVersion", o->resource_version,
			    "limit", o->limit ? limit : NULL,
			    "continue", o->cont, NULL };

	err = url_or_status(c, res, ns, NULL, NULL, q, &url, st);
	if (!err)
		err = request(c, "GET", url, NULL, NULL, out, st);
	free(url);
	return err;
}

int sfc_k8s_merge_patch(struct sfc_k8s_client *c,
			const struct sfc_k8s_resource *res, const char *ns,
			const char *name, const char *sub, const cJSON *patch,
			cJSON **out, struct sfc_k8s_status *st)
{
	char *url;
	int err;

	if (out)
		*out = NULL;
	if (!name) {
		k8s_status_set(st, 0, "ClientError", "%s: no object name", res->plural);
		return -EINVAL;
	}
	err = url_or_status(c, res, ns, name, sub, NULL, &url, st);
	if (!err)
		err = request_json(c, "PATCH", url, patch,
				   "application/merge-patch+json", out, st);
	free(url);
	return err;
}

int sfc_k8s_create(struct sfc_k8s_client *c, const struct sfc_k8s_resource *res,
		   const char *ns, const cJSON *obj, cJSON **out,
		   struct sfc_k8s_status *st)
{
	char *url;
	int err;

	if (out)
		*out = NULL;
	err = url_or_status(c, res, ns, NULL, NULL, NULL, &url, st);
	if (!err)
		err = request_json(c, "POST", url, obj, "application/json", out, st);
	free(url);
	return err;
}
