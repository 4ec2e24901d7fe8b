// SPDX-License-Identifier: GPL-2.0-only
/*
 * http.c - what every request shares: a libcurl easy handle set up with
 * the client's TLS material, bearer token and timeouts; bounded response
 * bodies; errno values for transfer failures and for the API's answers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

int k8s_buf_append(struct k8s_buf *b, const char *p, size_t n)
{
	size_t cap;
	char *nd;

	if (b->len + n > b->max) {
		b->over = true;
		return -EFBIG;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd)
			return -ENOMEM;
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void k8s_buf_free(struct k8s_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->over = false;
}

size_t k8s_write_buf(char *p, size_t size, size_t n, void *userdata)
{
	/* A short count makes libcurl stop the transfer (CURLE_WRITE_ERROR). */
	return k8s_buf_append(userdata, p, size * n) ? 0 : size * n;
}

static int add_header(struct curl_slist **l, const char *fmt, const char *v)
{
	struct curl_slist *n;
	char *line;

	if (asprintf(&line, fmt, v) < 0)
		return -ENOMEM;
	n = curl_slist_append(*l, line);
	free(line);
	if (!n)
		return -ENOMEM;
	*l = n;
	return 0;
}

static int build_headers(struct sfc_k8s_client *c, const char *content_type,
			 bool force_token, struct curl_slist **hdrs)
{
	const char *tok = c->cfg.token;
	int err;

	*hdrs = NULL;
	if (c->cfg.token_file) {
		err = sfc_k8s_token_get(&c->token, k8s_now_ms(c), force_token, &tok);
		if (err)
			return err;
	}
	/* "Expect:" drops libcurl's 100-continue round trip before a body. */
	err = add_header(hdrs, "Accept: %s", "application/json");
	if (!err)
		err = add_header(hdrs, "Expect:%s", "");
	if (!err && tok)
		err = add_header(hdrs, "Authorization: Bearer %s", tok);
	if (!err && content_type)
		err = add_header(hdrs, "Content-Type: %s", content_type);
	if (err) {
		curl_slist_free_all(*hdrs);
		*hdrs = NULL;
	}
	return err;
}

static CURLcode set_blob(CURL *h, CURLoption opt, const struct sfc_k8s_blob *b)
{
	struct curl_blob blob = { b->data, b->len, CURL_BLOB_COPY };

	return curl_easy_setopt(h, opt, &blob);
}

static CURLcode setup_tls(struct sfc_k8s_client *c, CURL *h)
{
	const struct sfc_k8s_config *k = &c->cfg;
	CURLcode rc = CURLE_OK;

	if (k->ca_file)
		rc = curl_easy_setopt(h, CURLOPT_CAINFO, k->ca_file);
	if (!rc && k->ca.data)
		rc = set_blob(h, CURLOPT_CAINFO_BLOB, &k->ca);
	if (!rc && k->cert_file)
		rc = curl_easy_setopt(h, CURLOPT_SSLCERT, k->cert_file);
	if (!rc && k->cert.data)
		rc = set_blob(h, CURLOPT_SSLCERT_BLOB, &k->cert);
	if (!rc && k->key_file)
		rc = curl_easy_setopt(h, CURLOPT_SSLKEY, k->key_file);
	if (!rc && k->key.data)
		rc = set_blob(h, CURLOPT_SSLKEY_BLOB, &k->key);
	if (!rc && k->insecure)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	if (!rc && k->insecure)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	return rc;
}

static CURLcode setup_method(CURL *h, const char *method, const char *body)
{
	CURLcode rc = CURLE_OK;

	if (!strcmp(method, "GET"))
		return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (strcmp(method, "POST"))
		rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body ? body : ""));
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body ? body : "");
	return rc;
}

int k8s_easy_setup(struct sfc_k8s_client *c, CURL *h, const char *method,
		   const char *url, const char *body, const char *content_type,
		   bool force_token, struct curl_slist **hdrs)
{
	CURLcode rc;
	int err;

	curl_easy_reset(h);
	err = build_headers(c, content_type, force_token, hdrs);
	if (err)
		return err;
	rc = curl_easy_setopt(h, CURLOPT_URL, url);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	if (!rc) /* no SIGALRM from the resolver in a daemon */
		rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (!rc) /* one TCP connection per watch: see README */
		rc = curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->o.connect_timeout_ms);
	if (!rc) /* a half-open connection under a quiet watch is found */
		rc = curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	if (!rc)
		rc = curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	if (!rc)
		rc = setup_tls(c, h);
	if (!rc)
		rc = setup_method(h, method, body);
	if (rc) {
		curl_slist_free_all(*hdrs);
		*hdrs = NULL;
		return rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
	}
	return 0;
}

int k8s_curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int sfc_k8s_http_errno(long http, const char *reason)
{
	if (http >= 200 && http < 300)
		return 0;
	switch (http) {
	case 400:
	case 422:
		return -EINVAL;
	case 401:
		return -EACCES;
	case 403:
		return -EPERM;
	case 404:
		return -ENOENT;
	case 409:
		return reason && !strcmp(reason, "AlreadyExists") ? -EEXIST : -EBUSY;
	case 410:
		return -ESTALE;
	case 429:
		return -EAGAIN;
	case 504:
		return -ETIMEDOUT;
	}
	return http >= 500 && http < 600 ? -EIO : -EPROTO;
}

void k8s_status_set(struct sfc_k8s_status *st, long http, const char *reason,
		    const char *fmt, ...)
{
	va_list ap;

	if (!st)
		return;
	st->http = http;
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
}

int k8s_status_fill(struct sfc_k8s_status *st, long http, const char *body,
		    size_t len)
{
	cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(j, "reason");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	const char *r = cJSON_IsString(reason) ? reason->valuestring : "";
	int err = sfc_k8s_http_errno(http, r);

	if (cJSON_IsString(msg))
		k8s_status_set(st, http, r, "%s", msg->valuestring);
	else if (http >= 200 && http < 300)
		k8s_status_set(st, http, r, "%s", "");
	else /* not a Status: a proxy or a load balancer answered */
		k8s_status_set(st, http, r, "HTTP %ld: %.200s", http,
			       body && len ? body : "(no body)");
	cJSON_Delete(j);
	return err;
}
