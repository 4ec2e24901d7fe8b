// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowmap.c - bounded flow table with deletion. See flowmap.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowmap.h"

int sf_flowmap_init(struct sf_flowmap *m, uint32_t cap, size_t val_size)
{
	uint32_t nb;

	memset(m, 0, sizeof(*m));
	if (cap == 0 || cap > SF_FLOWMAP_MAX_CAP || val_size == 0)
		return -EINVAL;
	nb = sf_pow2_ceil(cap * 2); /* load factor <= 0.5 keeps chains short */
	m->ents = calloc(cap, sizeof(*m->ents));
	m->links = calloc(cap, sizeof(*m->links));
	m->vals = calloc(cap, val_size);
	m->buckets = malloc(nb * sizeof(*m->buckets));
	if (!m->ents || !m->links || !m->vals || !m->buckets) {
		sf_flowmap_fini(m);
		return -ENOMEM;
	}
	memset(m->buckets, 0xFF, nb * sizeof(*m->buckets));
	m->cap = cap;
	m->nbuckets = nb;
	m->val_size = val_size;
	m->free_list = SF_FLOWMAP_NONE;
	sf_ilist_init(&m->lru);
	return 0;
}

void sf_flowmap_fini(struct sf_flowmap *m)
{
	free(m->ents);
	free(m->links);
	free(m->vals);
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}

static uint32_t *bucket(const struct sf_flowmap *m, const struct sf_tuple *t)
{
	return &m->buckets[sf_hash_bytes(t, sizeof(*t)) & (m->nbuckets - 1)];
}

/* The slot of @t in the chain starting at @i, or SF_FLOWMAP_NONE. */
static uint32_t find(const struct sf_flowmap *m, const struct sf_tuple *t,
		     uint32_t i)
{
	for (; i != SF_FLOWMAP_NONE; i = m->ents[i].hnext)
		if (!memcmp(&m->ents[i].t, t, sizeof(*t)))
			return i;
	return SF_FLOWMAP_NONE;
}

static void *val_of(const struct sf_flowmap *m, uint32_t i)
{
	return m->vals + (size_t)i * m->val_size;
}

static uint32_t idx_of(const struct sf_flowmap *m, const void *val)
{
	return (uint32_t)(((const uint8_t *)val - m->vals) / m->val_size);
}

/* Unhook @i from its hash chain and the LRU; the slot is not freed. */
static void unlink_ent(struct sf_flowmap *m, uint32_t i)
{
	uint32_t *link = bucket(m, &m->ents[i].t);

	while (*link != i)
		link = &m->ents[*link].hnext;
	*link = m->ents[i].hnext;
	sf_ilist_unlink(&m->lru, m->links, i);
}

static uint32_t take_slot(struct sf_flowmap *m)
{
	uint32_t i;

	if (m->free_list != SF_FLOWMAP_NONE) {
		i = m->free_list;
		m->free_list = m->ents[i].hnext;
		return i;
	}
	if (m->used < m->cap)
		return m->used++;
	i = m->lru.tail;
	if (m->evict)
		m->evict(m->evict_ctx, &m->ents[i].t, val_of(m, i));
	unlink_ent(m, i);
	m->evictions++;
	return i;
}

void *sf_flowmap_get(struct sf_flowmap *m, const struct sf_tuple *t,
		     uint64_t now_ms, bool *created)
{
	/* Hash once: a new flow goes at the head of the chain just searched.
	 * *b is read again after take_slot(), which may unlink its victim
	 * from this very chain. */
	uint32_t *b = bucket(m, t);
	uint32_t i = find(m, t, *b);

	*created = i == SF_FLOWMAP_NONE;
	if (*created) {
		i = take_slot(m);
		m->ents[i].t = *t;
		m->ents[i].hnext = *b;
		*b = i;
		memset(val_of(m, i), 0, m->val_size);
	} else {
		sf_ilist_unlink(&m->lru, m->links, i);
	}
	sf_ilist_push_head(&m->lru, m->links, i);
	m->ents[i].last_ms = now_ms;
	return val_of(m, i);
}

void *sf_flowmap_find(const struct sf_flowmap *m, const struct sf_tuple *t)
{
	uint32_t i = find(m, t, *bucket(m, t));

	return i == SF_FLOWMAP_NONE ? NULL : val_of(m, i);
}

void sf_flowmap_del(struct sf_flowmap *m, void *val)
{
	uint32_t i = idx_of(m, val);

	unlink_ent(m, i);
	m->ents[i].hnext = m->free_list;
	m->free_list = i;
}

const struct sf_flowmap_ent *sf_flowmap_ent_of(const struct sf_flowmap *m,
					       const void *val)
{
	return &m->ents[idx_of(m, val)];
}

void *sf_flowmap_oldest(const struct sf_flowmap *m, const struct sf_tuple **t,
			uint64_t *last_ms)
{
	uint32_t i = m->lru.tail;

	if (i == SF_FLOWMAP_NONE)
		return NULL;
	*t = &m->ents[i].t;
	*last_ms = m->ents[i].last_ms;
	return val_of(m, i);
}

void sf_flowmap_foreach(const struct sf_flowmap *m,
			void (*fn)(void *ctx, const struct sf_tuple *t,
				   void *val),
			void *ctx)
{
	uint32_t i;

	for (i = m->lru.head; i != SF_FLOWMAP_NONE; i = m->links[i].next)
		fn(ctx, &m->ents[i].t, val_of(m, i));
}
