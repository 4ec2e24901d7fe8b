// SPDX-License-Identifier: GPL-2.0-only
/*
 * reflector.c - list + watch on the client's multi handle (see
 * sfc_k8s_watch.h for the contract and README.md for why a step function
 * rather than a thread). A reflector is WAITING until next_at, LISTING
 * (pages into r->items) or WATCHING (lines into events); every transfer
 * ends in refl_done(), which decides what comes next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"
#include "sfc_log.h"

#define REFL_MIN_TIMEOUT_S 300u
#define REFL_PAGE_LIMIT 500u
#define REFL_MAX_LINE (16u << 20)
/* A watch that ends this soon without a single event is a failure (a
 * proxy closing streams, say), or the reflector would spin. */
#define REFL_SHORT_WATCH_MS 1000u
/* Client-side limit beyond the server's timeoutSeconds, for a stream
 * whose server vanished without a FIN. */
#define REFL_WATCH_GRACE_MS 30000u

struct sfc_k8s_reflector {
	struct sfc_k8s_client *c;
	struct sfc_k8s_reflector *next;
	const struct sfc_k8s_resource *res;
	char *ns, *fsel, *lsel;
	char what[160];             /* for logs: "pods (spec.nodeName=n1)" */
	unsigned min_timeout_s, page_limit;
	struct sfc_k8s_handler h;

	bool need_list, force_token, auth_retried;
	char *rv;
	uint64_t next_at, started_at;
	unsigned stream_events;     /* events of the current watch */
	unsigned quick_relists;     /* relists since the last event */
	struct sfc_k8s_backoff bo;

	CURL *easy;
	struct curl_slist *hdrs;
	struct k8s_buf body;        /* a LIST page, or a failed watch's Status */
	cJSON *items;               /* LIST: the items of the pages so far */
	char *cont;                 /* LIST: continue token of the next page */
	struct sfc_k8s_lines lines;
	int abort_err;              /* why refl_write() stopped the watch */
	struct sfc_k8s_status abort_st;
	char errbuf[CURL_ERROR_SIZE];
	struct sfc_k8s_reflector_info info;
};

/* The API server answered @r (whatever the status): every other reflector
 * of the client waiting out a backoff after getting no answer at all tries
 * again now, with its backoff reset. An outage of the server is one for
 * all its resources, and without this, each would resync only when its own
 * backoff (up to the cap) ran out, not when the server came back. */
static void refl_server_back(struct sfc_k8s_reflector *r)
{
	uint64_t now = k8s_now_ms(r->c);
	struct sfc_k8s_reflector *o;

	for (o = r->c->reflectors; o; o = o->next) {
		if (o == r || o->info.phase != SFC_K8S_WAITING || !o->info.failures ||
		    o->info.last.http || o->next_at <= now)
			continue;
		o->next_at = now;
		sfc_k8s_backoff_reset(&o->bo);
	}
}

static void refl_fail(struct sfc_k8s_reflector *r, int err,
		      const struct sfc_k8s_status *st)
{
	const char *op = r->need_list ? "list" : "watch";
	unsigned delay = sfc_k8s_backoff_next(&r->bo, k8s_random(r->c));

	r->info.failures++;
	r->info.last_err = err;
	r->info.last = *st;
	r->next_at = k8s_now_ms(r->c) + delay;
	sfc_log(SFC_LOG_WARN, "k8s %s: %s: %s (%s, HTTP %ld); retry in %u ms",
		r->what, op, st->message, strerror(-err), st->http, delay);
}

static void refl_fail_msg(struct sfc_k8s_reflector *r, int err, long http,
			  const char *msg)
{
	struct sfc_k8s_status st;

	k8s_status_set(&st, http, "ClientError", "%s", msg);
	refl_fail(r, err, &st);
}

/* The resourceVersion is gone from the server's history: LIST again, at
 * once unless nothing was received since the last relist. */
static void refl_relist(struct sfc_k8s_reflector *r, const char *why)
{
	r->need_list = true;
	r->info.relists++;
	r->next_at = k8s_now_ms(r->c);
	if (r->quick_relists++)
		r->next_at += sfc_k8s_backoff_next(&r->bo, k8s_random(r->c));
	sfc_log(SFC_LOG_INFO, "k8s %s: resourceVersion %s expired (%s): relisting",
		r->what, r->rv ? r->rv : "-", why);
}

static int refl_set_rv(struct sfc_k8s_reflector *r, const char *rv)
{
	char *n = strdup(rv);

	if (!n)
		return -ENOMEM;
	free(r->rv);
	r->rv = n;
	return 0;
}

/* A 401 re-reads the token and retries at once, once in a row. */
static bool refl_auth_retry(struct sfc_k8s_reflector *r, long http)
{
	if (http != 401) {
		r->auth_retried = false;
		return false;
	}
	if (r->auth_retried)
		return false;
	r->auth_retried = r->force_token = true;
	r->next_at = k8s_now_ms(r->c);
	return true;
}

static int refl_line(void *ctx, const char *line, size_t len)
{
	struct sfc_k8s_reflector *r = ctx;
	struct sfc_k8s_event ev;
	const cJSON *reason;
	char why[128];

	if (sfc_k8s_event_parse(line, len, &ev, why, sizeof(why))) {
		k8s_status_set(&r->abort_st, 200, "ClientError", "%s", why);
		return r->abort_err = -EBADMSG;
	}
	if (ev.type == SFC_K8S_ERROR) {
		reason = cJSON_GetObjectItemCaseSensitive(ev.object, "reason");
		k8s_status_set(&r->abort_st, ev.code,
			       cJSON_IsString(reason) ? reason->valuestring : "",
			       "ERROR event: %s", ev.message ? ev.message : "(no message)");
		r->abort_err = ev.code == 410 ? -ESTALE
					      : sfc_k8s_http_errno(ev.code ? ev.code : 500, NULL);
		sfc_k8s_event_free(&ev);
		return r->abort_err;
	}
	if (ev.rv && refl_set_rv(r, ev.rv)) {
		sfc_k8s_event_free(&ev);
		k8s_status_set(&r->abort_st, 200, "ClientError", "out of memory");
		return r->abort_err = -ENOMEM;
	}
	r->stream_events++;
	r->c->news++;
	r->quick_relists = 0;
	r->info.failures = 0;
	sfc_k8s_backoff_reset(&r->bo);
	if (ev.type != SFC_K8S_BOOKMARK && r->h.object)
		r->h.object(r->h.ctx, ev.type, ev.object);
	sfc_k8s_event_free(&ev);
	return 0;
}

static size_t refl_write(char *p, size_t size, size_t n, void *userdata)
{
	struct sfc_k8s_reflector *r = userdata;
	long http = 0;
	int err;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &http);
	if (http)
		refl_server_back(r); /* a watch that stays open never gets done */
	if (r->need_list || http != 200)
		return k8s_write_buf(p, size, n, &r->body);
	err = sfc_k8s_lines_feed(&r->lines, p, size * n, refl_line, r);
	if (!err)
		return size * n;
	if (!r->abort_err) {
		/* The splitter's own failures: an event over max_line, ENOMEM. */
		r->abort_err = err;
		k8s_status_set(&r->abort_st, 200, "ClientError",
			       err == -EMSGSIZE ? "watch event longer than %zu bytes"
						: "watch stream: out of memory",
			       r->lines.max);
	}
	return 0;
}

/* Hand a complete LIST on and switch to watching from its version. */
static void refl_deliver(struct sfc_k8s_reflector *r, const char *rv)
{
	const cJSON *it;

	if (refl_set_rv(r, rv)) {
		refl_fail_msg(r, -ENOMEM, 200, "out of memory");
		return;
	}
	if (r->h.list_begin)
		r->h.list_begin(r->h.ctx);
	cJSON_ArrayForEach(it, r->items)
		if (r->h.object)
			r->h.object(r->h.ctx, SFC_K8S_ADDED, it);
	if (r->h.list_end)
		r->h.list_end(r->h.ctx);
	cJSON_Delete(r->items);
	r->items = NULL;
	r->c->news++;
	r->need_list = false;
	r->info.synced = true;
	r->info.failures = 0;
	sfc_k8s_backoff_reset(&r->bo);
	r->next_at = k8s_now_ms(r->c);
}

/* Move a page's items to r->items; note its continue token. */
static int refl_page(struct sfc_k8s_reflector *r, cJSON *page, const char **rv)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(page, "metadata");
	const cJSON *cont = cJSON_GetObjectItemCaseSensitive(meta, "continue");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
	cJSON *it;

	/* Go encodes an empty list's items as null. */
	if ((!cJSON_IsArray(items) && !cJSON_IsNull(items)) || !cJSON_IsString(v) ||
	    !v->valuestring[0])
		return -EBADMSG;
	if (!r->items && !(r->items = cJSON_CreateArray()))
		return -ENOMEM;
	while (cJSON_IsArray(items) && (it = cJSON_DetachItemFromArray(items, 0)))
		cJSON_AddItemToArray(r->items, it);
	free(r->cont);
	r->cont = NULL;
	if (cJSON_IsString(cont) && cont->valuestring[0] &&
	    !(r->cont = strdup(cont->valuestring)))
		return -ENOMEM;
	*rv = v->valuestring;
	return 0;
}

static void refl_list_reset(struct sfc_k8s_reflector *r)
{
	cJSON_Delete(r->items);
	r->items = NULL;
	free(r->cont);
	r->cont = NULL;
}

static void refl_list_done(struct sfc_k8s_reflector *r, long http)
{
	struct sfc_k8s_status st;
	const char *rv = NULL;
	cJSON *page;
	int err;

	if (refl_auth_retry(r, http))
		return;
	if (http != 200) {
		/* Whatever failed, the next LIST starts from its first page
		 * (after 410 the continue token has expired). */
		refl_list_reset(r);
		refl_fail(r, k8s_status_fill(&st, http, r->body.data, r->body.len), &st);
		return;
	}
	page = cJSON_ParseWithLength(r->body.data ? r->body.data : "", r->body.len);
	err = cJSON_IsObject(page) ? refl_page(r, page, &rv) : -EBADMSG;
	if (err) {
		cJSON_Delete(page);
		refl_list_reset(r);
		refl_fail_msg(r, err, http, err == -EBADMSG ? "LIST answer is not a list"
							    : "out of memory");
		return;
	}
	if (r->cont)
		r->next_at = k8s_now_ms(r->c);
	else
		refl_deliver(r, rv);
	cJSON_Delete(page);
}

static void refl_watch_done(struct sfc_k8s_reflector *r, long http)
{
	struct sfc_k8s_status st;
	int err = r->abort_err;

	r->abort_err = 0;
	if (!err && refl_auth_retry(r, http))
		return;
	if (err == -ESTALE)
		refl_relist(r, r->abort_st.message);
	else if (err)
		refl_fail(r, err, &r->abort_st);
	else if (http == 410)
		refl_relist(r, "HTTP 410");
	else if (http != 200)
		refl_fail(r, k8s_status_fill(&st, http, r->body.data, r->body.len), &st);
	else if (!r->stream_events &&
		 k8s_now_ms(r->c) - r->started_at < REFL_SHORT_WATCH_MS)
		refl_fail_msg(r, -ECONNRESET, http, "watch closed at once without an event");
	else /* timeoutSeconds ran out: watch on from the last version */
		r->next_at = k8s_now_ms(r->c);
}

static void refl_done(struct sfc_k8s_reflector *r, CURLcode rc)
{
	bool listing = r->info.phase == SFC_K8S_LISTING;
	long http = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &http);
	curl_multi_remove_handle(r->c->multi, r->easy);
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	r->info.phase = SFC_K8S_WAITING;
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && r->abort_err)) {
		r->abort_err = 0;
		if (listing)
			refl_list_reset(r);
		if (rc == CURLE_WRITE_ERROR && r->body.over)
			refl_fail_msg(r, -EFBIG, http, "answer larger than max_body");
		else
			refl_fail_msg(r, k8s_curl_errno(rc), http,
				      r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	} else if (listing) {
		refl_list_done(r, http);
	} else {
		refl_watch_done(r, http);
	}
	if (http)
		refl_server_back(r);
	k8s_buf_free(&r->body);
}

static int refl_url(struct sfc_k8s_reflector *r, char **url, long *timeout_ms)
{
	char limit[16], tmo[16];
	unsigned t;

	if (r->need_list) {
		snprintf(limit, sizeof(limit), "%u", r->page_limit);
		const char *q[] = { "fieldSelector", r->fsel, "labelSelector", r->lsel,
				    "limit", limit, "continue", r->cont, NULL };

		*timeout_ms = r->c->o.request_timeout_ms;
		return sfc_k8s_url(r->c->cfg.server, r->res, r->ns, NULL, NULL, q, url);
	}
	t = sfc_k8s_watch_timeout_s(r->min_timeout_s, k8s_random(r->c));
	snprintf(tmo, sizeof(tmo), "%u", t);
	const char *q[] = { "watch", "true", "resourceVersion", r->rv,
			    "allowWatchBookmarks", "true", "timeoutSeconds", tmo,
			    "fieldSelector", r->fsel, "labelSelector", r->lsel, NULL };

	*timeout_ms = (long)t * 1000 + REFL_WATCH_GRACE_MS;
	return sfc_k8s_url(r->c->cfg.server, r->res, r->ns, NULL, NULL, q, url);
}

static void refl_start(struct sfc_k8s_reflector *r)
{
	long timeout_ms = 0;
	char *url = NULL;
	CURLMcode mc;
	int err;

	err = refl_url(r, &url, &timeout_ms);
	if (!err)
		err = k8s_easy_setup(r->c, r->easy, "GET", url, NULL, NULL,
				     r->force_token, &r->hdrs);
	free(url);
	r->force_token = false;
	if (err) {
		refl_fail_msg(r, err, 0, "cannot set up the request");
		return;
	}
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, refl_write);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	r->errbuf[0] = '\0';
	r->abort_err = 0;
	r->stream_events = 0;
	sfc_k8s_lines_reset(&r->lines);
	mc = curl_multi_add_handle(r->c->multi, r->easy);
	if (mc != CURLM_OK) {
		curl_slist_free_all(r->hdrs);
		r->hdrs = NULL;
		refl_fail_msg(r, -EIO, 0, curl_multi_strerror(mc));
		return;
	}
	r->started_at = k8s_now_ms(r->c);
	r->info.phase = r->need_list ? SFC_K8S_LISTING : SFC_K8S_WATCHING;
	if (r->need_list)
		r->info.lists++;
	else
		r->info.watches++;
}

/* Start what is due; lower *@wait_ms to the time until the next one. */
static void refl_start_due(struct sfc_k8s_client *c, int *wait_ms)
{
	struct sfc_k8s_reflector *r;
	uint64_t now = k8s_now_ms(c);

	for (r = c->reflectors; r; r = r->next) {
		if (r->info.phase != SFC_K8S_WAITING)
			continue;
		if (now >= r->next_at)
			refl_start(r);
		else if (wait_ms && r->next_at - now < (uint64_t)*wait_ms)
			*wait_ms = (int)(r->next_at - now);
	}
}

/* Finish the transfers libcurl reports done. Return: how many. */
static int refl_collect(struct sfc_k8s_client *c)
{
	int left, n = 0;
	CURLMsg *m;
	void *r;

	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
		refl_done(r, m->data.result);
		n++;
	}
	return n;
}

int sfc_k8s_step_fd(struct sfc_k8s_client *c, int timeout_ms, int fd,
		    bool *fd_ready)
{
	int wait = timeout_ms > 0 ? timeout_ms : 0, running, nfds = 0;
	struct curl_waitfd extra = { .fd = fd, .events = CURL_WAIT_POLLIN };
	unsigned long news = c->news;
	CURLMcode mc;

	if (fd_ready)
		*fd_ready = false;
	refl_start_due(c, &wait);
	mc = curl_multi_perform(c->multi, &running);
	/* Data that arrived before this call has just been handed on, and a
	 * transfer that just ended may have a follow-up due now: return
	 * without waiting, so the caller acts on it at once. */
	if (mc == CURLM_OK && (refl_collect(c) || c->news != news))
		wait = 0;
	if (mc == CURLM_OK)
		mc = curl_multi_poll(c->multi, fd >= 0 ? &extra : NULL,
				     fd >= 0 ? 1 : 0, wait, &nfds);
	if (fd_ready && fd >= 0 && mc == CURLM_OK)
		*fd_ready = (extra.revents & CURL_WAIT_POLLIN) != 0;
	if (mc == CURLM_OK)
		mc = curl_multi_perform(c->multi, &running);
	refl_collect(c);
	/* Follow-ups due now (the watch after a LIST, the next page, a
	 * relist) start in this same step. */
	refl_start_due(c, NULL);
	if (mc == CURLM_OK)
		mc = curl_multi_perform(c->multi, &running);
	return mc == CURLM_OK ? 0 : -EIO;
}

int sfc_k8s_step(struct sfc_k8s_client *c, int timeout_ms)
{
	return sfc_k8s_step_fd(c, timeout_ms, -1, NULL);
}

static int refl_opts(struct sfc_k8s_reflector *r, const struct sfc_k8s_watch_opts *o)
{
	if ((o->ns && !(r->ns = strdup(o->ns))) ||
	    (o->field_selector && !(r->fsel = strdup(o->field_selector))) ||
	    (o->label_selector && !(r->lsel = strdup(o->label_selector))))
		return -ENOMEM;
	r->res = o->res;
	r->min_timeout_s = o->min_timeout_s ? o->min_timeout_s : REFL_MIN_TIMEOUT_S;
	r->page_limit = o->page_limit ? o->page_limit : REFL_PAGE_LIMIT;
	sfc_k8s_lines_init(&r->lines, o->max_line ? o->max_line : REFL_MAX_LINE);
	snprintf(r->what, sizeof(r->what), "%s%s%s%s%s%s", o->res->plural,
		 o->ns ? " in " : "", o->ns ? o->ns : "",
		 o->field_selector ? " (" : "",
		 o->field_selector ? o->field_selector : "",
		 o->field_selector ? ")" : "");
	return 0;
}

int sfc_k8s_reflector_new(struct sfc_k8s_client *c,
			  const struct sfc_k8s_watch_opts *o,
			  const struct sfc_k8s_handler *h,
			  struct sfc_k8s_reflector **out)
{
	struct sfc_k8s_reflector *r;
	int err;

	*out = NULL;
	if (!o->res || (o->ns && !o->res->namespaced))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->c = c;
	r->h = *h;
	r->need_list = true;
	r->next_at = k8s_now_ms(c);
	r->bo.initial_ms = c->o.backoff_initial_ms;
	r->bo.cap_ms = c->o.backoff_cap_ms;
	r->body.max = c->o.max_body;
	err = refl_opts(r, o);
	if (!err && !(r->easy = curl_easy_init()))
		err = -EIO;
	if (err) {
		sfc_k8s_reflector_free(r);
		return err;
	}
	r->next = c->reflectors;
	c->reflectors = r;
	*out = r;
	return 0;
}

void sfc_k8s_reflector_free(struct sfc_k8s_reflector *r)
{
	struct sfc_k8s_reflector **pp;

	if (!r)
		return;
	for (pp = &r->c->reflectors; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (r->easy) {
		if (r->info.phase != SFC_K8S_WAITING)
			curl_multi_remove_handle(r->c->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->hdrs);
	k8s_buf_free(&r->body);
	refl_list_reset(r);
	sfc_k8s_lines_free(&r->lines);
	free(r->rv);
	free(r->ns);
	free(r->fsel);
	free(r->lsel);
	free(r);
}

void sfc_k8s_reflector_info(const struct sfc_k8s_reflector *r,
			    struct sfc_k8s_reflector_info *out)
{
	*out = r->info;
	out->rv = r->rv;
	out->next_at_ms = r->next_at;
}
