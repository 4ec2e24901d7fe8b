/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfc_k8s_watch.h - list + watch, the way client-go's reflector does it,
 * on the client's libcurl multi handle, and a store of the objects seen.
 *
 * A reflector LISTs its resource (in pages), hands every object to its
 * handler between list_begin and list_end, then WATCHes from the list's
 * resourceVersion with allowWatchBookmarks=true and a random timeoutSeconds
 * in [min, 2 min). It keeps the resourceVersion of every event, BOOKMARK
 * included, and re-WATCHes from it when a stream ends. HTTP 410 and an
 * ERROR event with code 410 make it LIST again; a 401 re-reads the token
 * and retries at once, once; every other failure waits a capped
 * exponential backoff with jitter. Nothing happens outside sfc_k8s_step():
 * the caller's loop drives every reflector of a client, and the handlers
 * run inside that call, on the caller's thread.
 */
#ifndef SFC_K8S_WATCH_H
#define SFC_K8S_WATCH_H

#include "sfc_k8s.h"

enum sfc_k8s_event_type {
	SFC_K8S_ADDED,
	SFC_K8S_MODIFIED,
	SFC_K8S_DELETED,
	SFC_K8S_BOOKMARK,  /* only a newer resourceVersion; never handed on */
	SFC_K8S_ERROR,     /* object is a Status; never handed on */
};

/*
 * What a reflector tells its owner. Every callback may be NULL and gets
 * @ctx. They run inside sfc_k8s_step() and must not call sfc_k8s_step()
 * or free the reflector; blocking requests (sfc_k8s_get() ...) are fine.
 *
 * list_begin: a complete LIST follows (never a partial one: pages are
 *   collected first); objects the owner holds that are not handed on
 *   before list_end no longer exist.
 * object: @type is ADDED, MODIFIED or DELETED (a listed object is ADDED);
 *   @obj is borrowed: valid during the call only (cJSON_Duplicate() it to
 *   keep it). A DELETED object is its last state.
 * list_end: the LIST is complete; watch events follow.
 */
struct sfc_k8s_handler {
	void (*list_begin)(void *ctx);
	void (*object)(void *ctx, enum sfc_k8s_event_type type,
		       const cJSON *obj);
	void (*list_end)(void *ctx);
	void *ctx;
};

/* What to list and watch; strings are copied. */
struct sfc_k8s_watch_opts {
	const struct sfc_k8s_resource *res;
	const char *ns;               /* NULL = all namespaces / cluster-scoped */
	const char *field_selector;   /* "spec.nodeName=N", "metadata.name=N" */
	const char *label_selector;
	unsigned min_timeout_s;       /* timeoutSeconds in [min, 2 min); 0 = 300 */
	unsigned page_limit;          /* LIST page size; 0 = 500 */
	size_t max_line;              /* longest watch event in bytes; 0 = 16 MiB */
};

struct sfc_k8s_reflector;

/**
 * sfc_k8s_reflector_new() - a reflector of @o on client @c reporting to
 * @h (copied). Its first LIST starts at the next sfc_k8s_step().
 * @out: the reflector; free with sfc_k8s_reflector_free() before @c.
 * Return: 0; -EINVAL without a resource or with a namespace for a
 * cluster-scoped one; -ENOMEM.
 */
int sfc_k8s_reflector_new(struct sfc_k8s_client *c,
			  const struct sfc_k8s_watch_opts *o,
			  const struct sfc_k8s_handler *h,
			  struct sfc_k8s_reflector **out);

/** sfc_k8s_reflector_free() - stop @r's transfer and free it (NULL is fine). */
void sfc_k8s_reflector_free(struct sfc_k8s_reflector *r);

enum sfc_k8s_phase {
	SFC_K8S_WAITING,   /* until next_at_ms: backoff, or before the first LIST */
	SFC_K8S_LISTING,
	SFC_K8S_WATCHING,
};

/* A reflector's state, for status output and tests. */
struct sfc_k8s_reflector_info {
	enum sfc_k8s_phase phase;
	bool synced;               /* a complete LIST has been handed on */
	const char *rv;            /* last resourceVersion seen, or NULL;
				    * valid until the next sfc_k8s_step() */
	unsigned lists;            /* LIST requests sent (pages included) */
	unsigned watches;          /* WATCH requests sent */
	unsigned relists;          /* LISTs after 410 Gone */
	unsigned failures;         /* consecutive failed attempts */
	int last_err;              /* last failure's -errno, 0 = none yet */
	struct sfc_k8s_status last; /* ... and its HTTP status and message */
	uint64_t next_at_ms;       /* WAITING: when the next attempt starts
				    * (client clock) */
};

/** sfc_k8s_reflector_info() - copy @r's state to @out. */
void sfc_k8s_reflector_info(const struct sfc_k8s_reflector *r,
			    struct sfc_k8s_reflector_info *out);

/**
 * sfc_k8s_step() - run every reflector of @c for up to @timeout_ms
 * milliseconds (0 = do what is ready and return): start the attempts that
 * are due, wait for network activity or the next due attempt, move the
 * transfers on and call the handlers. Meant as the wait of the caller's
 * loop: it returns as soon as anything was handed on (also data that
 * arrived before the call), so the caller acts on a change at once.
 * Return: 0; -EIO when libcurl's multi interface fails (the reflectors'
 * own failures are retried, never returned: see sfc_k8s_reflector_info()).
 */
int sfc_k8s_step(struct sfc_k8s_client *c, int timeout_ms);

/**
 * sfc_k8s_step_fd() - sfc_k8s_step() that also wakes when @fd (a socket
 * of the caller's, -1 = none) is readable, so one wait serves the
 * watches and the caller's own clients.
 * @fd_ready: set to whether @fd was readable (may be NULL).
 * Return: as sfc_k8s_step().
 */
int sfc_k8s_step_fd(struct sfc_k8s_client *c, int timeout_ms, int fd,
		    bool *fd_ready);

/*
 * A store: the current objects of one reflector, keyed by
 * "namespace/name" (or "name"), with list_begin/list_end replacing the
 * whole set. Its generation counts changes, so a caller recompiles only
 * when it moved; an object that comes back with the same resourceVersion
 * (a relist) is not a change.
 */
struct sfc_k8s_store;

/** sfc_k8s_store_new() - an empty store. Return: the store, NULL on ENOMEM. */
struct sfc_k8s_store *sfc_k8s_store_new(void);

/** sfc_k8s_store_free() - free @s and its objects (NULL is fine). */
void sfc_k8s_store_free(struct sfc_k8s_store *s);

/** sfc_k8s_store_handler() - a handler that keeps @s up to date. */
struct sfc_k8s_handler sfc_k8s_store_handler(struct sfc_k8s_store *s);

/**
 * sfc_k8s_store_get() - the object @ns/@name (@ns NULL for a
 * cluster-scoped one), owned by the store: valid until the next change.
 * Return: the object, or NULL when absent.
 */
const cJSON *sfc_k8s_store_get(const struct sfc_k8s_store *s, const char *ns,
			       const char *name);

/** sfc_k8s_store_count() - the number of objects in @s. */
size_t sfc_k8s_store_count(const struct sfc_k8s_store *s);

/**
 * sfc_k8s_store_at() - the @i-th object of @s in key order (0 <=
 * @i < count), owned by the store: valid until the next change.
 */
const cJSON *sfc_k8s_store_at(const struct sfc_k8s_store *s, size_t i);

/** sfc_k8s_store_generation() - a counter bumped by every change of @s. */
uint64_t sfc_k8s_store_generation(const struct sfc_k8s_store *s);

/**
 * sfc_k8s_store_error() - the first allocation failure the store met
 * since the last list_begin (a failed copy leaves that object out), or 0.
 * The caller should treat the store as incomplete and recreate its
 * reflector (or the process) when this is set.
 */
int sfc_k8s_store_error(const struct sfc_k8s_store *s);

#endif /* SFC_K8S_WATCH_H */
