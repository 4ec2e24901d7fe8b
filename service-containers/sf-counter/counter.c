// SPDX-License-Identifier: GPL-2.0-only
/*
 * counter.c - sf-counter's config, packet hook, offload and stats. See
 * counter.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "counter.h"
#include "l4.h"
#include "stats.h"

int sf_counter_configure(void *ctx, const cJSON *cfg, const char *path,
			 char *err, size_t errlen)
{
	static const char *const keys[] = { "max_flows", "top", "offload",
					    "comment", NULL };
	uint64_t max_flows = SF_COUNTER_MAX_FLOWS_DEFAULT;
	uint64_t top = SF_COUNTER_TOP_DEFAULT;
	struct sf_counter *c = ctx;
	int ret = 0;

	if (cfg) {
		ret = sf_config_check_keys(cfg, keys, path, "", err, errlen);
		if (!ret)
			ret = sf_config_uint(cfg, "max_flows", 1,
					     SF_FLOWTAB_MAX_CAP, false,
					     &max_flows, path, err, errlen);
		if (!ret)
			ret = sf_config_uint(cfg, "top", 0, SF_COUNTER_TOP_MAX,
					     false, &top, path, err, errlen);
		if (!ret)
			ret = sf_config_bool(cfg, "offload", &c->offload, path,
					     err, errlen);
		if (ret)
			return ret;
	}
	ret = sf_flowtab_init(&c->ft, (uint32_t)max_flows);
	if (ret)
		return ret;
	sf_flowq_init(&c->q, sf_counter_answer, c);
	c->top_n = (unsigned int)top;
	c->top = calloc(top ? top : 1, sizeof(*c->top));
	c->start_ms = sf_now_ms();
	return c->top ? 0 : -ENOMEM;
}

static void reverse(const struct sf_tuple *t, struct sf_tuple *r)
{
	*r = *t;
	memcpy(r->src, t->dst, sizeof(r->src));
	memcpy(r->dst, t->src, sizeof(r->dst));
	r->sport = t->dport;
	r->dport = t->sport;
}

/* Ask about bypassed flow @f (tuple @t) now. */
static void ask(struct sf_counter *c, const struct sf_tuple *t,
		struct sf_flow *f)
{
	if (f->has_ref && !sf_flowq_ask(&c->q, &f->ref, t, 0))
		f->asked_ms = c->q.clock();
}

/* @f (tuple @t) took @pkt: a bypassed flow's FIN or RST asks for its
 * counts; a flow seen both ways asks the SFF to bypass the counter. */
static void offload_packet(struct sf_counter *c, const struct sf_tuple *t,
			   struct sf_flow *f, const struct sf_pkt *pkt)
{
	uint8_t flags = sf_tcp_flags(pkt->ip, &pkt->inner);
	struct sfc_tlv_endpoint ep;
	struct sf_flow *r = NULL;
	struct sf_tuple rt;

	if (!sf_nsh_endpoint(&pkt->nsh, &ep))
		f->reply = ep.flags & SFC_TLV_F_REPLY;
	if (!c->offload)
		return;
	if (f->bypassed && !sf_pkt_flow_ref(pkt, &f->ref))
		f->has_ref = true;
	if (flags & (SF_TCP_FIN | SF_TCP_RST)) {
		if (f->bypassed)
			ask(c, t, f);
		return;
	}
	if (f->bypassed && ++f->reask < SF_COUNTER_REASK)
		return;
	reverse(t, &rt);
	r = sf_flowmap_find(&c->ft.fm, &rt);
	if ((!f->bypassed && !r) || sf_pkt_flow_ref(pkt, &f->ref))
		return;
	f->has_ref = f->bypassed = true;
	f->reask = 0;
	f->asked_ms = c->q.clock();
	if (r) {
		r->ref = f->ref;
		r->has_ref = r->bypassed = true;
		r->asked_ms = f->asked_ms;
	}
	sf_pkt_program(pkt, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT);
	c->bypass_requests++;
}

enum sf_verdict sf_counter_on_packet(void *ctx, const struct sf_pkt *pkt)
{
	struct sf_counter *c = ctx;
	uint64_t segs = sf_pkt_segments(pkt);
	struct sf_flow *f;

	/* Inner IP length, not frame length: what the flow carried. */
	f = sf_flowtab_account(&c->ft, &pkt->inner.t, pkt->inner.l3_len,
			       sf_now_ms() - c->start_ms);
	if (segs > 1)
		sf_flowtab_add(&c->ft, f, segs - 1, 0);
	offload_packet(c, &pkt->inner.t, f, pkt);
	return SF_VERDICT_PASS;
}

/* Add what the SFF skipped @f's direction for since the last answer. */
static void merge(struct sf_counter *c, struct sf_flow *f,
		  const struct sf_counts_answer *a)
{
	uint64_t dp, db;

	sf_counts_delta(a, f->reply ? 1 : 0, &f->sff_packets, &f->sff_bytes,
			&dp, &db);
	sf_flowtab_add(&c->ft, f, dp, db);
	c->skipped_packets += dp;
	c->skipped_bytes += db;
}

void sf_counter_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
		       const struct sf_counts_answer *a)
{
	struct sf_counter *c = ctx;
	struct sf_flow *f, *r;
	struct sf_tuple rt;
	bool ok = a && a->status == SFC_COUNTS_ANSWER;

	(void)why;
	reverse(t, &rt);
	f = sf_flowmap_find(&c->ft.fm, t);
	r = sf_flowmap_find(&c->ft.fm, &rt);
	if (ok && f)
		merge(c, f, a);
	if (ok && r)
		merge(c, r, a);
	/* The SFF carries the flow no more: the counter sees it again. */
	if (a && (!ok || !(a->flags & SFC_COUNTS_F_BYPASSED))) {
		if (f)
			f->bypassed = false;
		if (r)
			r->bypassed = false;
	}
}

static void sync_one(void *ctx, const struct sf_tuple *t, void *val)
{
	struct sf_counter *c = ctx;
	struct sf_flow *f = val;

	if (f->bypassed && c->q.clock() - f->asked_ms >= SF_COUNTER_SYNC_MS)
		ask(c, t, f);
}

void sf_counter_tick(void *ctx, uint64_t now_ms)
{
	struct sf_counter *c = ctx;

	(void)now_ms;
	/* One scan of the table per SF_COUNTER_SYNC_MS, not per batch. */
	if (!c->offload || !c->ft.fm.ents ||
	    c->q.clock() - c->last_sync_ms < SF_COUNTER_SYNC_MS)
		return;
	c->last_sync_ms = c->q.clock();
	sf_flowmap_foreach(&c->ft.fm, sync_one, c);
}

struct sf_flowq *sf_counter_flowq(void *ctx)
{
	struct sf_counter *c = ctx;

	return c->offload ? &c->q : NULL;
}

void sf_counter_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	struct sf_counter *c = ctx;

	sf_flowtab_stats_json(&c->ft, jb, c->top, c->top_n);
	sfc_jbuf_open(jb, "offload", '{');
	sfc_jbuf_u64(jb, "enabled", c->offload);
	sfc_jbuf_u64(jb, "bypass_requests", c->bypass_requests);
	sfc_jbuf_u64(jb, "skipped_packets", c->skipped_packets);
	sfc_jbuf_u64(jb, "skipped_bytes", c->skipped_bytes);
	sf_flowq_stats_json(&c->q, jb);
	sfc_jbuf_close(jb, '}');
}

void sf_counter_free(void *ctx)
{
	struct sf_counter *c = ctx;

	sf_flowtab_fini(&c->ft);
	free(c->top);
	memset(c, 0, sizeof(*c));
}
