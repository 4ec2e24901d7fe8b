// SPDX-License-Identifier: GPL-2.0-only
/*
 * nat.c - sf-nat mapping table, config and stats. Packet rewriting is in
 * nat_xlate.c. See nat.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config.h"
#include "nat.h"

struct fwd_key {
	uint8_t pidx;
	uint8_t client[4], server[4];
	uint8_t cport[2], sport[2];
} __attribute__((packed));

int sf_nat_proto_idx(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 0;
	case IPPROTO_UDP:
		return 1;
	case IPPROTO_ICMP:
		return 2;
	default:
		return -1;
	}
}

static uint32_t fwd_bucket(const struct sf_nat *nat, int pidx,
			   const uint8_t *client, uint16_t cport,
			   const uint8_t *server, uint16_t sport)
{
	struct fwd_key k = { .pidx = (uint8_t)pidx,
			     .cport = { cport >> 8, cport & 0xFF },
			     .sport = { sport >> 8, sport & 0xFF } };

	memcpy(k.client, client, 4);
	memcpy(k.server, server, 4);
	return sf_hash_bytes(&k, sizeof(k)) & (nat->nbuckets - 1);
}

static void table_free(struct sf_nat *nat)
{
	free(nat->m);
	free(nat->lk);
	free(nat->buckets);
	nat->m = NULL;
	nat->lk = NULL;
	nat->buckets = NULL;
}

/* A fresh, empty table for @cfg into @nat (whose old table is not freed). */
static int table_init(struct sf_nat *nat, const struct sf_nat_cfg *cfg)
{
	uint32_t i, p;

	memset(nat, 0, sizeof(*nat));
	nat->cfg = *cfg;
	nat->range = (uint32_t)cfg->hi - cfg->lo + 1;
	nat->cap = nat->range * SF_NAT_NPROTO;
	nat->nbuckets = sf_pow2_ceil(nat->cap);
	nat->m = calloc(nat->cap, sizeof(*nat->m));
	nat->lk = calloc(nat->cap, sizeof(*nat->lk));
	nat->buckets = malloc(nat->nbuckets * sizeof(*nat->buckets));
	if (!nat->m || !nat->lk || !nat->buckets) {
		table_free(nat);
		return -ENOMEM;
	}
	for (i = 0; i < nat->nbuckets; i++)
		nat->buckets[i] = SF_IDX_NONE;
	sf_ilist_init(&nat->lru);
	for (p = 0; p < SF_NAT_NPROTO; p++) {
		sf_ilist_init(&nat->freeq[p]);
		for (i = 0; i < nat->range; i++)
			sf_ilist_push_tail(&nat->freeq[p], nat->lk,
					   p * nat->range + i);
	}
	return 0;
}

void sf_nat_release(struct sf_nat *nat, struct sf_nat_map *m)
{
	uint32_t i = (uint32_t)(m - nat->m);
	uint32_t *link = &nat->buckets[fwd_bucket(nat, (int)(i / nat->range),
				m->client, m->cport, m->server, m->sport)];

	while (*link != i)
		link = &nat->m[*link].hnext;
	*link = m->hnext;
	m->used = false;
	sf_ilist_unlink(&nat->lru, nat->lk, i);
	sf_ilist_push_tail(&nat->freeq[i / nat->range], nat->lk, i);
}

void sf_nat_expire(struct sf_nat *nat, uint64_t now_ms)
{
	uint32_t i;

	while ((i = nat->lru.tail) != SF_IDX_NONE &&
	       now_ms - nat->m[i].last_ms >= nat->cfg.timeout_ms) {
		if (nat->m[i].offloaded &&
		    sf_nat_offload_expiring(nat, &nat->m[i], now_ms))
			continue; /* touched: no longer the tail */
		sf_nat_release(nat, &nat->m[i]);
		nat->expired++;
	}
}

struct sf_nat_map *sf_nat_lookup(struct sf_nat *nat, int pidx,
				 const uint8_t *client, uint16_t cport,
				 const uint8_t *server, uint16_t sport)
{
	uint32_t i = nat->buckets[fwd_bucket(nat, pidx, client, cport, server,
					     sport)];
	struct sf_nat_map *m;

	for (; i != SF_IDX_NONE; i = m->hnext) {
		m = &nat->m[i];
		if (i / nat->range == (uint32_t)pidx && m->cport == cport &&
		    m->sport == sport && !memcmp(m->client, client, 4) &&
		    !memcmp(m->server, server, 4))
			return m;
	}
	return NULL;
}

/*
 * The slot of @cport itself (port preservation, RFC 4787 section 4.2.1),
 * if it is in the range and free, and either never used, last used by
 * this very connection, or freed at least SF_NAT_REUSE_MS before @now_ms:
 * a server may still hold the TIME-WAIT state of another connection on
 * that port, and would take this one's SYN for an old duplicate.
 */
static uint32_t preserved_slot(const struct sf_nat *nat, int pidx,
			       const uint8_t *client, uint16_t cport,
			       const uint8_t *server, uint16_t sport,
			       uint64_t now_ms)
{
	const struct sf_nat_map *m;
	uint32_t i;

	if (cport < nat->cfg.lo || cport > nat->cfg.hi)
		return SF_IDX_NONE;
	i = (uint32_t)pidx * nat->range + cport - nat->cfg.lo;
	m = &nat->m[i];
	if (m->used)
		return SF_IDX_NONE;
	if (!m->last_ms || now_ms - m->last_ms >= SF_NAT_REUSE_MS ||
	    (m->cport == cport && m->sport == sport &&
	     !memcmp(m->client, client, 4) && !memcmp(m->server, server, 4)))
		return i;
	return SF_IDX_NONE;
}

struct sf_nat_map *sf_nat_alloc(struct sf_nat *nat, int pidx,
				const uint8_t *client, uint16_t cport,
				const uint8_t *server, uint16_t sport,
				uint64_t now_ms)
{
	uint32_t i, b;
	struct sf_nat_map *m;

	i = preserved_slot(nat, pidx, client, cport, server, sport, now_ms);
	if (i == SF_IDX_NONE)
		i = nat->freeq[pidx].head;
	if (i == SF_IDX_NONE) {
		nat->exhausted++;
		return NULL;
	}
	sf_ilist_unlink(&nat->freeq[pidx], nat->lk, i);
	m = &nat->m[i];
	memset(m, 0, sizeof(*m));
	memcpy(m->client, client, 4);
	memcpy(m->server, server, 4);
	m->cport = cport;
	m->sport = sport;
	m->used = true;
	m->last_ms = now_ms;
	b = fwd_bucket(nat, pidx, client, cport, server, sport);
	m->hnext = nat->buckets[b];
	nat->buckets[b] = i;
	sf_ilist_push_head(&nat->lru, nat->lk, i);
	nat->allocations++;
	return m;
}

void sf_nat_touch(struct sf_nat *nat, struct sf_nat_map *m, uint64_t now_ms)
{
	uint32_t i = (uint32_t)(m - nat->m);

	m->last_ms = now_ms;
	if (nat->lru.head != i) {
		sf_ilist_unlink(&nat->lru, nat->lk, i);
		sf_ilist_push_head(&nat->lru, nat->lk, i);
	}
}

/*
 * Why @a cannot be the source address of translated packets (RFC 1122
 * 3.2.1.3, RFC 5735): replies to it would never come back, or it would
 * make the packets look as if they came from this host's loopback or
 * from a group. NULL for a unicast address.
 */
static const char *nat_ip_refused(const uint8_t a[4])
{
	if (a[0] == 0)
		return "in 0.0.0.0/8 (\"this network\")";
	if (a[0] == 127)
		return "a loopback address (127.0.0.0/8)";
	if (a[0] >= 224 && a[0] < 240)
		return "a multicast address (224.0.0.0/4)";
	if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
		return "the broadcast address";
	if (a[0] >= 240)
		return "reserved (240.0.0.0/4)";
	return NULL;
}

static int parse_cfg(const cJSON *cfg, const char *path, struct sf_nat_cfg *c,
		     char *err, size_t errlen)
{
	static const char *const keys[] = { "nat_ip", "port_range",
					    "timeout_s", "offload", "comment",
					    NULL };
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(cfg, "nat_ip");
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(cfg, "port_range");
	uint64_t timeout_s = SF_NAT_TIMEOUT_DEFAULT_S;
	const char *why;
	int ret;

	if (!cJSON_IsObject(cfg))
		return sf_config_err(err, errlen, path, NULL,
				     "a config object is required");
	ret = sf_config_check_keys(cfg, keys, path, "", err, errlen);
	if (ret)
		return ret;
	if (!cJSON_IsString(ip) ||
	    inet_pton(AF_INET, ip->valuestring, c->nat_ip) != 1)
		return sf_config_err(err, errlen, path, "nat_ip",
				     "required, an IPv4 address (\"A.B.C.D\")");
	why = nat_ip_refused(c->nat_ip);
	if (why)
		return sf_config_err(err, errlen, path, "nat_ip",
				     "%s is %s: a unicast address is required",
				     ip->valuestring, why);
	c->lo = 20000;
	c->hi = 29999;
	if (pr && (sf_config_ports(pr, &c->lo, &c->hi) || c->lo == 0))
		return sf_config_err(err, errlen, path, "port_range",
				     "expected \"LO-HI\" in 1..65535");
	ret = sf_config_uint(cfg, "timeout_s", 1, SF_NAT_TIMEOUT_MAX_S, false,
			     &timeout_s, path, err, errlen);
	c->timeout_ms = timeout_s * 1000;
	c->offload = true;
	if (!ret)
		ret = sf_config_bool(cfg, "offload", &c->offload, path, err,
				     errlen);
	return ret;
}

int sf_nat_configure(void *ctx, const cJSON *cfg, const char *path,
		     char *err, size_t errlen)
{
	struct sf_nat *nat = ctx;
	struct sf_nat_cfg c;
	struct sf_nat fresh;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = parse_cfg(cfg, path, &c, err, errlen);
	if (ret)
		return ret;
	if (nat->m && !memcmp(c.nat_ip, nat->cfg.nat_ip, 4) &&
	    c.lo == nat->cfg.lo && c.hi == nat->cfg.hi) {
		/* A shorter timeout (the SFF's translations carry the old
		 * one) or offload turned off: void them; the flows come
		 * back (and are offloaded again with the new timeout). */
		if (nat->cfg.offload &&
		    (c.timeout_ms < nat->cfg.timeout_ms || !c.offload))
			sf_epoch_new();
		nat->cfg.timeout_ms = c.timeout_ms;
		nat->cfg.offload = c.offload;
		return 0;
	}
	ret = table_init(&fresh, &c);
	if (ret)
		return ret;
	/* The counters (allocations ... offload_released) and the counts
	 * queue carry over. */
	memcpy(&fresh.allocations, &nat->allocations,
	       sizeof(*nat) - offsetof(struct sf_nat, allocations));
	if (!fresh.q.fn)
		sf_flowq_init(&fresh.q, sf_nat_answer, ctx);
	table_free(nat);
	*nat = fresh;
	/* What the SFF translates for the old table is void. */
	sf_epoch_new();
	return 0;
}

void sf_nat_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	struct sf_nat *nat = ctx;
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, nat->cfg.nat_ip, ip, sizeof(ip));
	sfc_jbuf_open(jb, "nat", '{');
	sfc_jbuf_str(jb, "nat_ip", ip);
	sfc_jbuf_u64(jb, "port_lo", nat->cfg.lo);
	sfc_jbuf_u64(jb, "port_hi", nat->cfg.hi);
	sfc_jbuf_u64(jb, "timeout_s", nat->cfg.timeout_ms / 1000);
	sfc_jbuf_u64(jb, "capacity", nat->cap);
	sfc_jbuf_u64(jb, "active", sf_nat_active(nat));
	sfc_jbuf_u64(jb, "allocations", nat->allocations);
	sfc_jbuf_u64(jb, "exhausted", nat->exhausted);
	sfc_jbuf_u64(jb, "expired", nat->expired);
	sfc_jbuf_u64(jb, "translated_out", nat->translated_out);
	sfc_jbuf_u64(jb, "translated_in", nat->translated_in);
	sfc_jbuf_u64(jb, "no_mapping", nat->no_mapping);
	sfc_jbuf_u64(jb, "unsupported", nat->unsupported);
	sfc_jbuf_u64(jb, "fragments", nat->fragments);
	sfc_jbuf_u64(jb, "passed_ipv6", nat->passed_v6);
	sfc_jbuf_u64(jb, "bad_offload", nat->bad_offload);
	sfc_jbuf_open(jb, "offload", '{');
	sfc_jbuf_u64(jb, "enabled", nat->cfg.offload);
	sfc_jbuf_u64(jb, "requests", nat->offload_requests);
	sfc_jbuf_u64(jb, "kept", nat->offload_kept);
	sfc_jbuf_u64(jb, "released", nat->offload_released);
	sf_flowq_stats_json(&nat->q, jb);
	sfc_jbuf_close(jb, '}');
	sfc_jbuf_close(jb, '}');
}

void sf_nat_free(void *ctx)
{
	struct sf_nat *nat = ctx;

	table_free(nat);
	memset(nat, 0, sizeof(*nat));
}
