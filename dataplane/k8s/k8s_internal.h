/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * k8s_internal.h - libsfck8s internals shared by its files and unit
 * tests: the token rotation rule, the backoff schedule, the watch stream
 * splitter and event decoder, and the client's HTTP plumbing.
 */
#ifndef K8S_INTERNAL_H
#define K8S_INTERNAL_H

#include <curl/curl.h>

#include "sfc_k8s.h"
#include "sfc_k8s_watch.h"

/* ---- config.c ---------------------------------------------------------- */

/** k8s_errf() - write printf(@fmt) to @err (may be NULL). Return: @rc. */
int k8s_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** k8s_config_dup() - deep copy of @src into @dst. Return: 0 or -ENOMEM. */
int k8s_config_dup(struct sfc_k8s_config *dst, const struct sfc_k8s_config *src);

/* ---- token.c: a bearer token file that rotates ------------------------- */

#define SFC_K8S_TOKEN_MAX (64u << 10)

struct sfc_k8s_token {
	char *path;        /* owned */
	char *value;       /* last token read (trailing whitespace removed) */
	uint64_t read_ms;  /* clock value of that read */
};

/**
 * sfc_k8s_token_get() - the token of @t at clock @now_ms (ms): the file is
 * re-read when @force, when nothing was read yet, or when the copy is
 * SFC_K8S_TOKEN_REREAD_MS old or older. A failed re-read keeps the old
 * token (the kubelet swaps the file atomically, so a failure is
 * transient) and is tried again at the next call.
 * @out: the token, owned by @t, valid until the next call.
 * Return: 0; with no token read yet, -errno of the read, -EINVAL for an
 * empty file, -EFBIG for one over SFC_K8S_TOKEN_MAX.
 */
int sfc_k8s_token_get(struct sfc_k8s_token *t, uint64_t now_ms, bool force,
		      const char **out);

/** sfc_k8s_token_free() - free what @t owns. */
void sfc_k8s_token_free(struct sfc_k8s_token *t);

/* ---- backoff.c: randomised delays -------------------------------------- */

struct sfc_k8s_backoff {
	unsigned initial_ms;
	unsigned cap_ms;
	unsigned steps;    /* failures since the last reset */
};

/**
 * sfc_k8s_backoff_next() - the delay before the next attempt after one
 * more failure: base = min(cap, initial * 2^steps) with steps counted
 * before this failure, minus up to half of it: base * (1 - @u / 2), so
 * the delay lies in (base / 2, base] and never exceeds the cap, and
 * reconnecting clients spread out. @u is uniform in [0, 1).
 * Return: the delay in ms.
 */
unsigned sfc_k8s_backoff_next(struct sfc_k8s_backoff *b, double u);

/** sfc_k8s_backoff_reset() - after a success: the next delay is initial. */
void sfc_k8s_backoff_reset(struct sfc_k8s_backoff *b);

/**
 * sfc_k8s_watch_timeout_s() - a watch's timeoutSeconds: @min_s + floor(@u *
 * @min_s), in [min, 2 min), so that watches of many clients do not all
 * end together (client-go: 5 to 10 minutes).
 */
unsigned sfc_k8s_watch_timeout_s(unsigned min_s, double u);

/* ---- watch_stream.c: newline-delimited JSON ---------------------------- */

/* Reassembles lines cut anywhere across write callbacks. */
struct sfc_k8s_lines {
	char *buf;         /* the unfinished line */
	size_t len, cap;
	size_t max;        /* longest line accepted, in bytes without '\n' */
	bool failed;       /* a line was over max: reset before reuse */
};

typedef int (*sfc_k8s_line_fn)(void *ctx, const char *line, size_t len);

/** sfc_k8s_lines_init() - an empty splitter for lines of up to @max bytes. */
void sfc_k8s_lines_init(struct sfc_k8s_lines *l, size_t max);

/** sfc_k8s_lines_reset() - drop an unfinished line (a new stream starts). */
void sfc_k8s_lines_reset(struct sfc_k8s_lines *l);

/** sfc_k8s_lines_free() - free the buffer of @l. */
void sfc_k8s_lines_free(struct sfc_k8s_lines *l);

/**
 * sfc_k8s_lines_feed() - take @n bytes of a stream and call @fn for every
 * line they complete, in order, without its '\n' (nor a '\r' before it);
 * blank lines are skipped. @line is not NUL-terminated and is valid
 * during the call only. An unfinished line is kept for the next call.
 * Return: 0; -EMSGSIZE when a line grows over @l->max bytes (the stream
 * is unusable until sfc_k8s_lines_reset()); -ENOMEM; or the first nonzero
 * value @fn returned (the rest of @data is dropped).
 */
int sfc_k8s_lines_feed(struct sfc_k8s_lines *l, const char *data, size_t n,
		       sfc_k8s_line_fn fn, void *ctx);

/* One decoded watch event. */
struct sfc_k8s_event {
	enum sfc_k8s_event_type type;
	cJSON *root;       /* the whole event: owned, free with _event_free() */
	cJSON *object;     /* root's "object" */
	const char *rv;    /* object.metadata.resourceVersion, or NULL */
	long code;         /* ERROR: the Status code (410: expired) */
	const char *message; /* ERROR: the Status message, or NULL */
};

/**
 * sfc_k8s_event_parse() - decode one watch event line ({"type": ...,
 * "object": {...}}).
 * @ev: filled on success; free with sfc_k8s_event_free().
 * @err: the reason on failure (may be NULL).
 * Return: 0; -EBADMSG for malformed JSON, an unknown type or a missing
 * object.
 */
int sfc_k8s_event_parse(const char *line, size_t len, struct sfc_k8s_event *ev,
			char *err, size_t errlen);

/** sfc_k8s_event_free() - free what @ev owns. */
void sfc_k8s_event_free(struct sfc_k8s_event *ev);

/* ---- client.c / http.c: the client and its HTTP plumbing ---------------- */

struct sfc_k8s_client {
	struct sfc_k8s_config cfg;     /* deep copy */
	struct sfc_k8s_token token;    /* when cfg.token_file */
	struct sfc_k8s_client_opts o;  /* defaults filled in */
	char *user_agent;
	CURLM *multi;
	CURL *sync;                    /* reused by blocking requests */
	struct sfc_k8s_reflector *reflectors;
	unsigned long news;            /* events and lists handed on, ever */
	uint64_t prng;
};

/** k8s_now_ms() - the client's clock, in ms. */
uint64_t k8s_now_ms(struct sfc_k8s_client *c);

/** k8s_random() - the client's random source, uniform in [0, 1). */
double k8s_random(struct sfc_k8s_client *c);

/* A response body, bounded. */
struct k8s_buf {
	char *data;
	size_t len, cap, max;
	bool over;         /* more than max bytes arrived */
};

/** k8s_buf_append() - append @n bytes; Return: 0, -EFBIG over max, -ENOMEM. */
int k8s_buf_append(struct k8s_buf *b, const char *p, size_t n);

/** k8s_buf_free() - free @b's data and empty it (max is kept). */
void k8s_buf_free(struct k8s_buf *b);

/**
 * k8s_easy_setup() - reset @h and set what every request of @c shares:
 * @url, method @method ("GET", "PATCH", "POST"), body @body with
 * @content_type (NULL = none), TLS, timeouts, and the headers (the bearer
 * token, re-read when @force_token or when due), built into *@hdrs (free
 * with curl_slist_free_all() after the transfer). Nothing is written: the
 * caller sets its write callback.
 * Return: 0; -ENOMEM; the error of the token file.
 */
int k8s_easy_setup(struct sfc_k8s_client *c, CURL *h, const char *method,
		   const char *url, const char *body, const char *content_type,
		   bool force_token, struct curl_slist **hdrs);

/** k8s_curl_errno() - the errno for a failed transfer's code @rc. */
int k8s_curl_errno(CURLcode rc);

/**
 * k8s_status_fill() - fill @st (may be NULL) for an answer with HTTP status
 * @http and body @body (@len bytes, may be a Status object or anything).
 * Return: sfc_k8s_http_errno() of the status and the Status reason.
 */
int k8s_status_fill(struct sfc_k8s_status *st, long http, const char *body,
		    size_t len);

/** k8s_status_set() - fill @st (may be NULL) for a failure without a usable
 *  answer: @http (may be 0), reason @reason, message printf(@fmt). */
void k8s_status_set(struct sfc_k8s_status *st, long http, const char *reason,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** k8s_write_buf() - a CURLOPT_WRITEFUNCTION into a struct k8s_buf. */
size_t k8s_write_buf(char *p, size_t size, size_t n, void *userdata);

#endif /* K8S_INTERNAL_H */
