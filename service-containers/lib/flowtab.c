// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowtab.c - bounded LRU flow table. See flowtab.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowtab.h"

int sf_flowtab_init(struct sf_flowtab *ft, uint32_t cap)
{
	uint32_t nb = 1;

	memset(ft, 0, sizeof(*ft));
	if (cap == 0 || cap > SF_FLOWTAB_MAX_CAP)
		return -EINVAL;
	while (nb < cap * 2) /* load factor <= 0.5 keeps chains short */
		nb <<= 1;
	ft->flows = calloc(cap, sizeof(*ft->flows));
	ft->buckets = malloc(nb * sizeof(*ft->buckets));
	if (!ft->flows || !ft->buckets) {
		sf_flowtab_fini(ft);
		return -ENOMEM;
	}
	memset(ft->buckets, 0xFF, nb * sizeof(*ft->buckets));
	ft->cap = cap;
	ft->nbuckets = nb;
	ft->head = ft->tail = SF_FLOWTAB_NONE;
	return 0;
}

void sf_flowtab_fini(struct sf_flowtab *ft)
{
	free(ft->flows);
	free(ft->buckets);
	memset(ft, 0, sizeof(*ft));
}

/* FNV-1a over the whole tuple, then a final avalanche (murmur3 fmix). */
static uint32_t tuple_hash(const struct sf_tuple *t)
{
	const uint8_t *p = (const uint8_t *)t;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*t); i++)
		h = (h ^ p[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static uint32_t find(const struct sf_flowtab *ft, const struct sf_tuple *t,
		     uint32_t b)
{
	uint32_t i;

	for (i = ft->buckets[b]; i != SF_FLOWTAB_NONE; i = ft->flows[i].hnext)
		if (!memcmp(&ft->flows[i].t, t, sizeof(*t)))
			return i;
	return SF_FLOWTAB_NONE;
}

static void lru_unlink(struct sf_flowtab *ft, uint32_t i)
{
	struct sf_flow *f = &ft->flows[i];

	if (f->prev != SF_FLOWTAB_NONE)
		ft->flows[f->prev].next = f->next;
	else
		ft->head = f->next;
	if (f->next != SF_FLOWTAB_NONE)
		ft->flows[f->next].prev = f->prev;
	else
		ft->tail = f->prev;
}

static void lru_push_head(struct sf_flowtab *ft, uint32_t i)
{
	struct sf_flow *f = &ft->flows[i];

	f->prev = SF_FLOWTAB_NONE;
	f->next = ft->head;
	if (ft->head != SF_FLOWTAB_NONE)
		ft->flows[ft->head].prev = i;
	ft->head = i;
	if (ft->tail == SF_FLOWTAB_NONE)
		ft->tail = i;
}

static void hash_unlink(struct sf_flowtab *ft, uint32_t i)
{
	uint32_t *link = &ft->buckets[tuple_hash(&ft->flows[i].t) &
				      (ft->nbuckets - 1)];

	while (*link != i)
		link = &ft->flows[*link].hnext;
	*link = ft->flows[i].hnext;
}

/* A free slot: the next unused one, or the oldest flow's. */
static uint32_t take_slot(struct sf_flowtab *ft)
{
	uint32_t i;

	if (ft->n < ft->cap)
		return ft->n++;
	i = ft->tail;
	lru_unlink(ft, i);
	hash_unlink(ft, i);
	ft->evictions++;
	return i;
}

struct sf_flow *sf_flowtab_account(struct sf_flowtab *ft,
				   const struct sf_tuple *t, uint64_t bytes,
				   uint64_t now_ms)
{
	uint32_t b = tuple_hash(t) & (ft->nbuckets - 1);
	uint32_t i = find(ft, t, b);
	struct sf_flow *f;

	ft->total_packets++;
	ft->total_bytes += bytes;
	if (i == SF_FLOWTAB_NONE) {
		i = take_slot(ft);
		f = &ft->flows[i];
		memset(f, 0, sizeof(*f));
		f->t = *t;
		f->first_ms = now_ms;
		f->hnext = ft->buckets[b];
		ft->buckets[b] = i;
	} else {
		lru_unlink(ft, i);
	}
	lru_push_head(ft, i);
	f = &ft->flows[i];
	f->packets++;
	f->bytes += bytes;
	f->last_ms = now_ms;
	return f;
}

const struct sf_flow *sf_flowtab_lookup(const struct sf_flowtab *ft,
					const struct sf_tuple *t)
{
	uint32_t i = find(ft, t, tuple_hash(t) & (ft->nbuckets - 1));

	return i == SF_FLOWTAB_NONE ? NULL : &ft->flows[i];
}

static int bigger(const struct sf_flow *a, const struct sf_flow *b)
{
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	return a->packets > b->packets;
}

/* Insertion into a small sorted array: O(n * k), k is small (<= 100). */
unsigned int sf_flowtab_top(const struct sf_flowtab *ft,
			    const struct sf_flow **out, unsigned int k)
{
	unsigned int got = 0, j;
	uint32_t i;

	for (i = 0; i < ft->n && k; i++) {
		const struct sf_flow *f = &ft->flows[i];

		if (got == k && !bigger(f, out[k - 1]))
			continue;
		j = got < k ? got++ : k - 1;
		while (j > 0 && bigger(f, out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = f;
	}
	return got;
}

static void flow_json(const struct sf_flow *f, struct sf_jbuf *jb)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], tmp[4];
	int af = f->t.family == 6 ? AF_INET6 : AF_INET;

	inet_ntop(af, f->t.src, s, sizeof(s));
	inet_ntop(af, f->t.dst, d, sizeof(d));
	sf_jbuf_open(jb, NULL, '{');
	sf_jbuf_str(jb, "proto", sf_proto_name(f->t.proto, tmp));
	sf_jbuf_str(jb, "src", s);
	sf_jbuf_u64(jb, "sport", f->t.sport);
	sf_jbuf_str(jb, "dst", d);
	sf_jbuf_u64(jb, "dport", f->t.dport);
	sf_jbuf_u64(jb, "packets", f->packets);
	sf_jbuf_u64(jb, "bytes", f->bytes);
	sf_jbuf_u64(jb, "first_ms", f->first_ms);
	sf_jbuf_u64(jb, "last_ms", f->last_ms);
	sf_jbuf_close(jb, '}');
}

void sf_flowtab_stats_json(const struct sf_flowtab *ft, struct sf_jbuf *jb,
			   const struct sf_flow **scratch, unsigned int k)
{
	unsigned int i, n = sf_flowtab_top(ft, scratch, k);

	sf_jbuf_open(jb, "flows", '{');
	sf_jbuf_u64(jb, "capacity", ft->cap);
	sf_jbuf_u64(jb, "active", ft->n);
	sf_jbuf_u64(jb, "evictions", ft->evictions);
	sf_jbuf_u64(jb, "total_packets", ft->total_packets);
	sf_jbuf_u64(jb, "total_bytes", ft->total_bytes);
	sf_jbuf_open(jb, "top", '[');
	for (i = 0; i < n; i++)
		flow_json(scratch[i], jb);
	sf_jbuf_close(jb, ']');
	sf_jbuf_close(jb, '}');
}
