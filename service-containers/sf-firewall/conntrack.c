// SPDX-License-Identifier: GPL-2.0-only
/*
 * conntrack.c - bounded connection tracking. See conntrack.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "conntrack.h"
#include "l4.h"

int sf_ct_init(struct sf_ct *ct, uint32_t cap)
{
	uint32_t i;

	memset(ct, 0, sizeof(*ct));
	if (cap == 0 || cap > SF_CT_MAX_CAP)
		return -EINVAL;
	ct->nbuckets = sf_pow2_ceil(cap);
	ct->e = calloc(cap, sizeof(*ct->e));
	ct->lk = calloc(cap, sizeof(*ct->lk));
	ct->buckets = malloc(ct->nbuckets * sizeof(*ct->buckets));
	if (!ct->e || !ct->lk || !ct->buckets) {
		sf_ct_fini(ct);
		return -ENOMEM;
	}
	ct->cap = cap;
	for (i = 0; i < ct->nbuckets; i++)
		ct->buckets[i] = SF_IDX_NONE;
	for (i = 0; i < cap; i++)
		ct->e[i].hnext = i + 1 < cap ? i + 1 : SF_IDX_NONE;
	ct->free_head = 0;
	sf_ilist_init(&ct->lists[0]);
	sf_ilist_init(&ct->lists[1]);
	ct->timeout_ms[0] = SF_CT_TIMEOUT_SHORT_MS;
	ct->timeout_ms[1] = SF_CT_TIMEOUT_LONG_MS;
	return 0;
}

void sf_ct_fini(struct sf_ct *ct)
{
	free(ct->e);
	free(ct->lk);
	free(ct->buckets);
	memset(ct, 0, sizeof(*ct));
}

bool sf_ct_key_make(struct sf_ct_key *k, const struct sf_tuple *t)
{
	int c = memcmp(t->src, t->dst, sizeof(t->src));
	bool src_is_a = c < 0 || (c == 0 && t->sport <= t->dport);

	memset(k, 0, sizeof(*k));
	k->family = t->family;
	k->proto = t->proto;
	memcpy(src_is_a ? k->a : k->b, t->src, 16);
	memcpy(src_is_a ? k->b : k->a, t->dst, 16);
	k->pa = src_is_a ? t->sport : t->dport;
	k->pb = src_is_a ? t->dport : t->sport;
	return src_is_a;
}

void sf_ct_opener_tuple(const struct sf_ct_entry *e, struct sf_tuple *t)
{
	const struct sf_ct_key *k = &e->key;

	memset(t, 0, sizeof(*t));
	t->family = k->family;
	t->proto = k->proto;
	memcpy(t->src, e->orig_is_a ? k->a : k->b, 16);
	memcpy(t->dst, e->orig_is_a ? k->b : k->a, 16);
	t->sport = e->orig_is_a ? k->pa : k->pb;
	t->dport = e->orig_is_a ? k->pb : k->pa;
}

static uint32_t bucket_of(const struct sf_ct *ct, const struct sf_ct_key *k)
{
	return sf_hash_bytes(k, sizeof(*k)) & (ct->nbuckets - 1);
}

static void unlink_entry(struct sf_ct *ct, uint32_t i)
{
	uint32_t *link = &ct->buckets[bucket_of(ct, &ct->e[i].key)];

	while (*link != i)
		link = &ct->e[*link].hnext;
	*link = ct->e[i].hnext;
	sf_ilist_unlink(&ct->lists[ct->e[i].list], ct->lk, i);
	ct->e[i].used = false;
	ct->e[i].hnext = ct->free_head;
	ct->free_head = i;
}

void sf_ct_remove(struct sf_ct *ct, struct sf_ct_entry *e)
{
	unlink_entry(ct, (uint32_t)(e - ct->e));
}

static bool expired(const struct sf_ct *ct, uint32_t i, uint64_t now_ms)
{
	const struct sf_ct_entry *e = &ct->e[i];

	return now_ms - e->last_ms >= ct->timeout_ms[e->list];
}

/* Restart the idle timer of entry @i (no packet: not counted). */
static void touch(struct sf_ct *ct, uint32_t i, uint64_t now_ms)
{
	ct->e[i].last_ms = now_ms;
	sf_ilist_unlink(&ct->lists[ct->e[i].list], ct->lk, i);
	sf_ilist_push_head(&ct->lists[ct->e[i].list], ct->lk, i);
}

/* Expired entry @i: kept (the keep hook said so, timer restarted) or
 * removed. Return: true if removed. */
static bool reap(struct sf_ct *ct, uint32_t i, uint64_t now_ms)
{
	if (ct->keep && ct->keep(ct->keep_ctx, &ct->e[i], now_ms)) {
		touch(ct, i, now_ms);
		return false;
	}
	unlink_entry(ct, i);
	ct->expired++;
	return true;
}

unsigned int sf_ct_expire(struct sf_ct *ct, uint64_t now_ms)
{
	unsigned int n = 0, l;
	uint32_t i;

	for (l = 0; l < 2; l++)
		while ((i = ct->lists[l].tail) != SF_IDX_NONE &&
		       expired(ct, i, now_ms))
			n += reap(ct, i, now_ms);
	return n;
}

struct sf_ct_entry *sf_ct_lookup(struct sf_ct *ct, const struct sf_tuple *t,
				 uint64_t now_ms, bool *reply)
{
	struct sf_ct_key k;
	bool src_is_a = sf_ct_key_make(&k, t);
	uint32_t i;

	for (i = ct->buckets[bucket_of(ct, &k)]; i != SF_IDX_NONE;
	     i = ct->e[i].hnext) {
		if (memcmp(&ct->e[i].key, &k, sizeof(k)))
			continue;
		if (expired(ct, i, now_ms) && reap(ct, i, now_ms))
			return NULL;
		/* Both sides equal (a flow to itself): never a reply. */
		*reply = src_is_a != ct->e[i].orig_is_a &&
			 memcmp(&k.a, &k.b, 16) | (k.pa ^ k.pb);
		return &ct->e[i];
	}
	return NULL;
}

static uint32_t take_slot(struct sf_ct *ct)
{
	uint32_t i = ct->free_head;

	if (i == SF_IDX_NONE) {
		i = ct->lists[0].tail != SF_IDX_NONE ? ct->lists[0].tail
						     : ct->lists[1].tail;
		unlink_entry(ct, i);
		ct->evicted++;
		i = ct->free_head;
	}
	ct->free_head = ct->e[i].hnext;
	return i;
}

struct sf_ct_entry *sf_ct_insert(struct sf_ct *ct, const struct sf_tuple *t,
				 uint64_t now_ms)
{
	uint32_t i = take_slot(ct), b;
	struct sf_ct_entry *e = &ct->e[i];

	memset(e, 0, sizeof(*e));
	e->orig_is_a = sf_ct_key_make(&e->key, t);
	e->used = true;
	e->last_ms = now_ms;
	e->state = SF_CT_NEW;
	e->list = 0;
	b = bucket_of(ct, &e->key);
	e->hnext = ct->buckets[b];
	ct->buckets[b] = i;
	sf_ilist_push_head(&ct->lists[0], ct->lk, i);
	ct->created++;
	return e;
}

void sf_ct_update(struct sf_ct *ct, struct sf_ct_entry *e, bool reply,
		  uint8_t tcp_flags, uint64_t now_ms)
{
	uint32_t i = (uint32_t)(e - ct->e);
	uint8_t list;

	if (tcp_flags & (SF_TCP_FIN | SF_TCP_RST))
		e->state = SF_CT_CLOSING;
	else if (reply && e->state == SF_CT_NEW)
		e->state = SF_CT_ESTABLISHED;
	list = e->key.proto == IPPROTO_TCP && e->state == SF_CT_ESTABLISHED;
	e->last_ms = now_ms;
	e->packets++;
	sf_ilist_unlink(&ct->lists[e->list], ct->lk, i);
	e->list = list;
	sf_ilist_push_head(&ct->lists[list], ct->lk, i);
}

unsigned int sf_ct_remove_if(struct sf_ct *ct,
			     bool (*pred)(void *ctx, const struct sf_tuple *t),
			     void *ctx)
{
	struct sf_tuple t;
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < ct->cap; i++) {
		if (!ct->e[i].used)
			continue;
		sf_ct_opener_tuple(&ct->e[i], &t);
		if (pred(ctx, &t)) {
			unlink_entry(ct, i);
			n++;
		}
	}
	return n;
}
