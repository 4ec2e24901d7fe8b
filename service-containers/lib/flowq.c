// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowq.c - counts queries of an SF. See flowq.h.
 *
 * At most SF_FLOWQ_CAP questions are in flight and each lives about a
 * second, so plain arrays and linear scans do.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "flowq.h"
#include "stats.h"

void sf_flowq_init(struct sf_flowq *q, sf_flowq_answer_fn fn, void *ctx)
{
	memset(q, 0, sizeof(*q));
	q->fn = fn;
	q->ctx = ctx;
	q->clock = sf_now_ms;
}

static bool same_question(const struct sf_flow_ref *a, uint32_t flow_id,
			  uint32_t sp)
{
	return a->ep.flow_id == flow_id && a->sp == sp;
}

int sf_flowq_ask(struct sf_flowq *q, const struct sf_flow_ref *ref,
		 const struct sf_tuple *t, uint32_t why)
{
	struct sf_flowq_ent *e;
	unsigned int i;

	for (i = 0; i < q->n; i++)
		if (same_question(&q->q[i].ref, ref->ep.flow_id, ref->sp))
			return -EEXIST;
	if (q->n == SF_FLOWQ_CAP) {
		q->full++;
		return -ENOSPC;
	}
	e = &q->q[q->n++];
	e->ref = *ref;
	e->t = *t;
	e->why = why;
	e->asked_ms = q->clock();
	e->sent = false;
	q->asked++;
	return 0;
}

size_t sf_flowq_next(struct sf_flowq *q, uint8_t *buf, size_t cap)
{
	unsigned int i;
	int len;

	if (cap < SF_FLOWQ_FRAME_LEN)
		return 0;
	for (i = 0; i < q->n; i++) {
		struct sf_flowq_ent *e = &q->q[i];

		if (e->sent)
			continue;
		len = sf_nsh_counts_query(buf + 14, cap - 14, e->ref.sp,
					  &e->ref.ep);
		if (len < 0)
			return 0;
		/* Back the way the flow's frames go: MACs as received. */
		memcpy(buf, e->ref.eth, sizeof(e->ref.eth));
		buf[12] = SFC_ETH_P_NSH >> 8;
		buf[13] = SFC_ETH_P_NSH & 0xFF;
		e->sent = true;
		q->sent++;
		return 14 + (size_t)len;
	}
	return 0;
}

/* Done with question @i: the last one takes its place. */
static void done(struct sf_flowq *q, unsigned int i)
{
	q->q[i] = q->q[--q->n];
}

void sf_flowq_answer(void *ctx, const struct sf_counts_answer *a)
{
	struct sf_flowq *q = ctx;
	struct sf_flowq_ent e;
	unsigned int i;

	for (i = 0; i < q->n; i++) {
		if (!same_question(&q->q[i].ref, htonl(a->flow_id), a->sp))
			continue;
		e = q->q[i];
		done(q, i);
		if (a->status == SFC_COUNTS_ANSWER)
			q->answered++;
		else
			q->refused++;
		q->fn(q->ctx, &e.t, e.why, a);
		return;
	}
	q->unmatched++;
}

void sf_flowq_expire(struct sf_flowq *q)
{
	uint64_t now_ms = q->clock();
	struct sf_flowq_ent e;
	unsigned int i = 0;

	while (i < q->n) {
		if (now_ms - q->q[i].asked_ms < SF_FLOWQ_TIMEOUT_MS) {
			i++;
			continue;
		}
		e = q->q[i];
		done(q, i);
		q->timeouts++;
		q->fn(q->ctx, &e.t, e.why, NULL);
	}
}

void sf_flowq_stats_json(const struct sf_flowq *q, struct sfc_jbuf *jb)
{
	sfc_jbuf_open(jb, "queries", '{');
	sfc_jbuf_u64(jb, "asked", q->asked);
	sfc_jbuf_u64(jb, "sent", q->sent);
	sfc_jbuf_u64(jb, "answered", q->answered);
	sfc_jbuf_u64(jb, "refused", q->refused);
	sfc_jbuf_u64(jb, "timeouts", q->timeouts);
	sfc_jbuf_u64(jb, "full", q->full);
	sfc_jbuf_u64(jb, "unmatched", q->unmatched);
	sfc_jbuf_u64(jb, "in_flight", q->n);
	sfc_jbuf_close(jb, '}');
}
