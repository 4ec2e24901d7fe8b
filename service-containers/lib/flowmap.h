/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowmap.h - bounded flow table with deletion, for sf-monitor, sf-ids and
 * sf-counter (flowtab.h).
 *
 * A fixed pool of entries (allocated once, before the sandbox), each a
 * 5-tuple key, a last-seen time and @val_size bytes of the caller's state,
 * found through a chained hash. An LRU list ordered by last use (the index
 * lists and byte hash of tabutil.h, as in the other SF tables) lets the
 * caller expire idle flows from the oldest end in O(expired) and makes
 * the oldest flow the victim when the pool is full (the evict callback
 * sees it first, e.g. to write its record or close its stream).
 */
#ifndef SF_FLOWMAP_H
#define SF_FLOWMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inner.h"
#include "tabutil.h"

#define SF_FLOWMAP_NONE SF_IDX_NONE
#define SF_FLOWMAP_MAX_CAP (1u << 22)

/* Called with a flow about to be reused for another tuple. */
typedef void (*sf_flowmap_evict_fn)(void *ctx, const struct sf_tuple *t,
				    void *val);

struct sf_flowmap_ent {
	struct sf_tuple t;
	uint64_t last_ms;
	uint32_t hnext;      /* hash chain, or free list */
};

struct sf_flowmap {
	struct sf_flowmap_ent *ents; /* owned, cap entries */
	struct sf_ilink *links;      /* owned, cap entries: the LRU links */
	uint8_t *vals;               /* owned, cap * val_size bytes */
	uint32_t *buckets;           /* owned */
	size_t val_size;
	uint32_t cap, nbuckets, used; /* used: slots ever handed out */
	uint32_t free_list;
	struct sf_ilist lru;         /* flows in use (lru.n); head = most recent */
	uint64_t evictions;
	sf_flowmap_evict_fn evict;   /* may be NULL */
	void *evict_ctx;
};

/**
 * sf_flowmap_init() - allocate @cap (1..SF_FLOWMAP_MAX_CAP) entries of
 * @val_size (> 0) bytes each (zeroed when handed out).
 * Return: 0, -EINVAL, -ENOMEM.
 */
int sf_flowmap_init(struct sf_flowmap *m, uint32_t cap, size_t val_size);

/** sf_flowmap_fini() - free (the evict callback is not called). */
void sf_flowmap_fini(struct sf_flowmap *m);

/**
 * sf_flowmap_get() - the state of @t, created (zeroed, *@created = true)
 * if absent, evicting the least recently used flow when full. Marks the
 * flow the most recent with @now_ms. Return: the state, never NULL.
 */
void *sf_flowmap_get(struct sf_flowmap *m, const struct sf_tuple *t,
		     uint64_t now_ms, bool *created);

/** sf_flowmap_find() - the state of @t or NULL; does not touch the LRU. */
void *sf_flowmap_find(const struct sf_flowmap *m, const struct sf_tuple *t);

/** sf_flowmap_del() - remove the flow owning @val (no callback). */
void sf_flowmap_del(struct sf_flowmap *m, void *val);

/**
 * sf_flowmap_ent_of() - the entry (tuple, last use) of the flow whose state
 * is @val, a pointer this map returned for a flow still in it.
 * Return: owned by the map, valid as long as that flow is.
 */
const struct sf_flowmap_ent *sf_flowmap_ent_of(const struct sf_flowmap *m,
					       const void *val);

/**
 * sf_flowmap_oldest() - the least recently used flow: its state, and its
 * tuple and last use in *@t / *@last_ms. NULL when empty.
 */
void *sf_flowmap_oldest(const struct sf_flowmap *m, const struct sf_tuple **t,
			uint64_t *last_ms);

/**
 * sf_flowmap_foreach() - call @fn(@ctx, tuple, state) on every flow, most
 * recent first. @fn may change the state (like sf_flowmap_find(), a const
 * map still hands out writable state) but must not add or delete flows.
 */
void sf_flowmap_foreach(const struct sf_flowmap *m,
			void (*fn)(void *ctx, const struct sf_tuple *t,
				   void *val),
			void *ctx);

#endif /* SF_FLOWMAP_H */
