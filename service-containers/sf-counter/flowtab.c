// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowtab.c - per-flow counters over a flowmap. See flowtab.h.
 */
#include <arpa/inet.h>
#include <string.h>

#include "flowtab.h"

int sf_flowtab_init(struct sf_flowtab *ft, uint32_t cap)
{
	memset(ft, 0, sizeof(*ft));
	return sf_flowmap_init(&ft->fm, cap, sizeof(struct sf_flow));
}

void sf_flowtab_fini(struct sf_flowtab *ft)
{
	sf_flowmap_fini(&ft->fm);
	memset(ft, 0, sizeof(*ft));
}

struct sf_flow *sf_flowtab_account(struct sf_flowtab *ft,
				   const struct sf_tuple *t, uint64_t bytes,
				   uint64_t now_ms)
{
	bool created;
	struct sf_flow *f = sf_flowmap_get(&ft->fm, t, now_ms, &created);

	ft->total_packets++;
	ft->total_bytes += bytes;
	if (created)
		f->first_ms = now_ms;
	f->packets++;
	f->bytes += bytes;
	return f;
}

void sf_flowtab_add(struct sf_flowtab *ft, struct sf_flow *f,
		    uint64_t packets, uint64_t bytes)
{
	ft->total_packets += packets;
	ft->total_bytes += bytes;
	f->packets += packets;
	f->bytes += bytes;
}

const struct sf_flow *sf_flowtab_lookup(const struct sf_flowtab *ft,
					const struct sf_tuple *t)
{
	return sf_flowmap_find(&ft->fm, t);
}

static int bigger(const struct sf_flow *a, const struct sf_flow *b)
{
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	return a->packets > b->packets;
}

struct top_ctx {
	const struct sf_flow **out;
	unsigned int k, got;
};

/* Insertion into a small sorted array: O(n * k), k is small (<= 1000).
 * Flows come most recent first and only a strictly bigger one moves ahead,
 * so among equals the more recently seen stays first. */
static void top_one(void *ctx, const struct sf_tuple *t, void *val)
{
	struct top_ctx *c = ctx;
	const struct sf_flow *f = val;
	unsigned int j;

	if (c->got == c->k && !bigger(f, c->out[c->k - 1]))
		return;
	j = c->got < c->k ? c->got++ : c->k - 1;
	while (j > 0 && bigger(f, c->out[j - 1])) {
		c->out[j] = c->out[j - 1];
		j--;
	}
	c->out[j] = f;
}

unsigned int sf_flowtab_top(const struct sf_flowtab *ft,
			    const struct sf_flow **out, unsigned int k)
{
	struct top_ctx c = { .out = out, .k = k };

	if (k)
		sf_flowmap_foreach(&ft->fm, top_one, &c);
	return c.got;
}

static void flow_json(const struct sf_flowtab *ft, const struct sf_flow *f,
		      struct sfc_jbuf *jb)
{
	const struct sf_flowmap_ent *e = sf_flowmap_ent_of(&ft->fm, f);
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], tmp[4];
	int af = e->t.family == 6 ? AF_INET6 : AF_INET;

	inet_ntop(af, e->t.src, s, sizeof(s));
	inet_ntop(af, e->t.dst, d, sizeof(d));
	sfc_jbuf_open(jb, NULL, '{');
	sfc_jbuf_str(jb, "proto", sf_proto_name(e->t.proto, tmp));
	sfc_jbuf_str(jb, "src", s);
	sfc_jbuf_u64(jb, "sport", e->t.sport);
	sfc_jbuf_str(jb, "dst", d);
	sfc_jbuf_u64(jb, "dport", e->t.dport);
	sfc_jbuf_u64(jb, "packets", f->packets);
	sfc_jbuf_u64(jb, "bytes", f->bytes);
	sfc_jbuf_u64(jb, "first_ms", f->first_ms);
	sfc_jbuf_u64(jb, "last_ms", e->last_ms);
	sfc_jbuf_close(jb, '}');
}

void sf_flowtab_stats_json(const struct sf_flowtab *ft, struct sfc_jbuf *jb,
			   const struct sf_flow **scratch, unsigned int k)
{
	unsigned int i, n = sf_flowtab_top(ft, scratch, k);

	sfc_jbuf_open(jb, "flows", '{');
	sfc_jbuf_u64(jb, "capacity", ft->fm.cap);
	sfc_jbuf_u64(jb, "active", ft->fm.lru.n);
	sfc_jbuf_u64(jb, "evictions", ft->fm.evictions);
	sfc_jbuf_u64(jb, "total_packets", ft->total_packets);
	sfc_jbuf_u64(jb, "total_bytes", ft->total_bytes);
	sfc_jbuf_open(jb, "top", '[');
	for (i = 0; i < n; i++)
		flow_json(ft, scratch[i], jb);
	sfc_jbuf_close(jb, ']');
	sfc_jbuf_close(jb, '}');
}
