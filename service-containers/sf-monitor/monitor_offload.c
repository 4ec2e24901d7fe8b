// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor_offload.c - sf-monitor with offload: the bypass request once a
 * flow was seen both ways, the counts questions before its records, and
 * the SFF's answers merged into them. See monitor.h.
 */
#include <errno.h>
#include <string.h>

#include "l4.h"
#include "monitor.h"

static void reverse(const struct sf_tuple *t, struct sf_tuple *r)
{
	*r = *t;
	memcpy(r->src, t->dst, sizeof(r->src));
	memcpy(r->dst, t->src, sizeof(r->dst));
	r->sport = t->dport;
	r->dport = t->sport;
}

struct sf_flowq *sf_mon_flowq(void *ctx)
{
	struct sf_mon *m = ctx;

	return m->cfg.offload ? &m->q : NULL;
}

void sf_mon_offload_packet(struct sf_mon *m, const struct sf_tuple *t,
			   struct sf_mon_flow *f, const struct sf_pkt *pkt)
{
	uint8_t flags = sf_tcp_flags(pkt->ip, &pkt->inner);
	struct sfc_tlv_endpoint ep;
	struct sf_mon_flow *r = NULL;
	struct sf_tuple rt;

	if (!sf_nsh_endpoint(&pkt->nsh, &ep))
		f->reply = ep.flags & SFC_TLV_F_REPLY;
	if (!m->cfg.offload || f->closed)
		return;
	/* The latest frame tells best how to reach the SFF about it. */
	if (f->bypassed && !sf_pkt_flow_ref(pkt, &f->ref))
		f->has_ref = true;
	if (flags & (SF_TCP_FIN | SF_TCP_RST))
		return;
	if (f->bypassed && ++f->reask < SF_MON_REASK)
		return; /* in flight when the SFF took the request */
	reverse(t, &rt);
	r = sf_flowmap_find(&m->fm, &rt);
	if (!f->bypassed && (!r || r->closed))
		return; /* not seen both ways yet */
	if (sf_pkt_flow_ref(pkt, &f->ref))
		return;
	f->has_ref = f->bypassed = true;
	f->reask = 0;
	if (r) {
		r->ref = f->ref;
		r->has_ref = r->bypassed = true;
	}
	sf_pkt_program(pkt, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT);
	m->bypass_requests++;
}

bool sf_mon_offload_ask(struct sf_mon *m, const struct sf_tuple *t,
			struct sf_mon_flow *f, enum sf_mon_end end)
{
	int ret;

	if (!m->cfg.offload || !f->bypassed || !f->has_ref)
		return false;
	ret = sf_flowq_ask(&m->q, &f->ref, t, end);
	if (ret && ret != -EEXIST)
		return false; /* queue full: write with what is known */
	if (end == SF_MON_END_FIN || end == SF_MON_END_RST)
		f->pending = (uint8_t)(end + 1);
	return true;
}

/* Add what the SFF skipped @f's direction for since the last answer.
 * Return: whether it skipped anything. */
static bool merge(struct sf_mon *m, struct sf_mon_flow *f,
		  const struct sf_counts_answer *a, uint64_t now)
{
	uint64_t dp, db;

	sf_counts_delta(a, f->reply ? 1 : 0, &f->sff_packets, &f->sff_bytes,
			&dp, &db);
	if (!dp && !db)
		return false;
	m->skipped_packets += dp;
	m->skipped_bytes += db;
	if (f->closed) {
		m->late_packets += dp;
		return true;
	}
	f->packets += dp;
	f->bytes += db;
	f->last_ms = now;
	return true;
}

/* Write @f's record waiting for the counts, if any. */
static void flush_pending(struct sf_mon *m, const struct sf_tuple *t,
			  struct sf_mon_flow *f)
{
	if (!f || !f->pending)
		return;
	sf_mon_write(m, t, f, (enum sf_mon_end)(f->pending - 1));
	f->pending = 0;
	f->closed = true;
}

/* The flow went idle in both places: its records, and it goes. */
static void expire(struct sf_mon *m, const struct sf_tuple *t,
		   struct sf_mon_flow *f)
{
	if (!f->closed)
		sf_mon_write(m, t, f, SF_MON_END_IDLE);
	sf_flowmap_del(&m->fm, f);
}

void sf_mon_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
		   const struct sf_counts_answer *a)
{
	bool ok = a && a->status == SFC_COUNTS_ANSWER, grew = false;
	struct sf_mon *m = ctx;
	uint64_t now = m->clock();
	struct sf_mon_flow *f, *r;
	struct sf_tuple rt;

	reverse(t, &rt);
	f = sf_flowmap_find(&m->fm, t);
	r = sf_flowmap_find(&m->fm, &rt);
	if (ok && f)
		grew |= merge(m, f, a, now);
	if (ok && r)
		grew |= merge(m, r, a, now);
	/* The SFF carries the flow no more (its chain changed): the monitor
	 * sees it again and may ask again. */
	if (a && (!ok || !(a->flags & SFC_COUNTS_F_BYPASSED))) {
		if (f)
			f->bypassed = false;
		if (r)
			r->bypassed = false;
	}
	flush_pending(m, t, f);
	flush_pending(m, &rt, r);
	if (why == SF_MON_END_ACTIVE) {
		if (f && !f->closed) {
			sf_mon_write(m, t, f, SF_MON_END_ACTIVE);
			f->last_export_ms = m->last_scan_ms;
		}
		return;
	}
	if (why != SF_MON_END_IDLE || grew)
		return;
	if (f)
		expire(m, t, f);
	if (r && now >= r->last_ms + m->cfg.idle_ms)
		expire(m, &rt, r);
}
