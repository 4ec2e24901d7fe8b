// SPDX-License-Identifier: GPL-2.0-only
/*
 * watch_stream.c - a watch response is newline-delimited JSON, one event
 * per line, and libcurl hands it over in pieces cut anywhere: lines are
 * reassembled here, bounded, then decoded one at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

void sfc_k8s_lines_init(struct sfc_k8s_lines *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

void sfc_k8s_lines_reset(struct sfc_k8s_lines *l)
{
	l->len = 0;
	l->failed = false;
}

void sfc_k8s_lines_free(struct sfc_k8s_lines *l)
{
	free(l->buf);
	sfc_k8s_lines_init(l, l->max);
}

/* Hand over one complete line unless it is blank. */
static int line_emit(const char *p, size_t n, sfc_k8s_line_fn fn, void *ctx)
{
	size_t i;

	if (n && p[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return fn(ctx, p, n);
	return 0;
}

/* Keep @n more bytes of the unfinished line. */
static int line_keep(struct sfc_k8s_lines *l, const char *p, size_t n)
{
	size_t cap;
	char *nb;

	if (l->len + n > l->max) {
		l->failed = true;
		return -EMSGSIZE;
	}
	if (l->len + n > l->cap) {
		cap = l->cap ? l->cap : 4096;
		while (cap < l->len + n)
			cap *= 2;
		if (cap > l->max)
			cap = l->max;
		nb = realloc(l->buf, cap);
		if (!nb)
			return -ENOMEM;
		l->buf = nb;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
	return 0;
}

int sfc_k8s_lines_feed(struct sfc_k8s_lines *l, const char *data, size_t n,
		       sfc_k8s_line_fn fn, void *ctx)
{
	const char *nl;
	size_t take;
	int err;

	if (l->failed)
		return -EMSGSIZE;
	while (n) {
		nl = memchr(data, '\n', n);
		take = nl ? (size_t)(nl - data) : n;
		if (!nl)
			return line_keep(l, data, take);
		if (l->len) {
			/* The end of a line begun in an earlier piece. */
			err = line_keep(l, data, take);
			if (!err)
				err = line_emit(l->buf, l->len, fn, ctx);
			l->len = 0;
		} else if (take > l->max) {
			l->failed = true;
			err = -EMSGSIZE;
		} else {
			/* Whole line in this piece: no copy. */
			err = line_emit(data, take, fn, ctx);
		}
		if (err)
			return err;
		data += take + 1;
		n -= take + 1;
	}
	return 0;
}

static const char *const event_types[] = {
	[SFC_K8S_ADDED] = "ADDED",
	[SFC_K8S_MODIFIED] = "MODIFIED",
	[SFC_K8S_DELETED] = "DELETED",
	[SFC_K8S_BOOKMARK] = "BOOKMARK",
	[SFC_K8S_ERROR] = "ERROR",
};

static int event_bad(struct sfc_k8s_event *ev, char *err, size_t errlen,
		     const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "watch event: %s", why);
	sfc_k8s_event_free(ev);
	return -EBADMSG;
}

/* The Status fields of an ERROR event (metav1.Status). */
static void event_status(struct sfc_k8s_event *ev)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(ev->object, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ev->object, "message");

	if (cJSON_IsNumber(code) && code->valuedouble >= 0 &&
	    code->valuedouble < 1000)
		ev->code = (long)code->valuedouble;
	if (cJSON_IsString(msg))
		ev->message = msg->valuestring;
}

int sfc_k8s_event_parse(const char *line, size_t len, struct sfc_k8s_event *ev,
			char *err, size_t errlen)
{
	const cJSON *type, *meta, *rv;
	const char *end = NULL;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	ev->root = cJSON_ParseWithLengthOpts(line, len, &end, false);
	if (!ev->root || !cJSON_IsObject(ev->root))
		return event_bad(ev, err, errlen, "not a JSON object");
	/* cJSON stops after the first value: the rest must be blank. */
	for (; end < line + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r')
			return event_bad(ev, err, errlen, "text after the JSON object");
	type = cJSON_GetObjectItemCaseSensitive(ev->root, "type");
	ev->object = cJSON_GetObjectItemCaseSensitive(ev->root, "object");
	if (!cJSON_IsString(type))
		return event_bad(ev, err, errlen, "no \"type\"");
	if (!cJSON_IsObject(ev->object))
		return event_bad(ev, err, errlen, "no \"object\"");
	for (i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
		if (!strcmp(type->valuestring, event_types[i]))
			break;
	if (i == sizeof(event_types) / sizeof(event_types[0]))
		return event_bad(ev, err, errlen, "unknown \"type\"");
	ev->type = (enum sfc_k8s_event_type)i;
	if (ev->type == SFC_K8S_ERROR) {
		event_status(ev);
		return 0;
	}
	meta = cJSON_GetObjectItemCaseSensitive(ev->object, "metadata");
	rv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
	if (cJSON_IsString(rv) && rv->valuestring[0])
		ev->rv = rv->valuestring;
	return 0;
}

void sfc_k8s_event_free(struct sfc_k8s_event *ev)
{
	cJSON_Delete(ev->root);
	memset(ev, 0, sizeof(*ev));
}
