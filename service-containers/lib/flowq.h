/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowq.h - counts queries of an SF that bypassed itself for flows
 * (flow programming with SFC_CTRL_F_COUNT, sfc_common.h): the SFF counts
 * what it skips the SF for, and the SF asks for those counts when it needs
 * them (a flow's FIN or RST, which still reach it, or its idle timeout).
 *
 * The SF's logic only queues a question (sf_flowq_ask()); the framework
 * (sfapp.c) sends the queued ones after each batch (sf_flowq_next()) and
 * hands the SFF's answers back (sf_flowq_answer(), from the frame step),
 * and the SF's callback gets each answer, or NULL for a question that got
 * none within the timeout (sf_flowq_expire()). No I/O here: unit tested.
 */
#ifndef SF_FLOWQ_H
#define SF_FLOWQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "inner.h"
#include "sfc_jbuf.h"

#define SF_FLOWQ_CAP 1024          /* questions in flight */
#define SF_FLOWQ_TIMEOUT_MS 1000   /* no answer by then: given up */
/* A query frame: Ethernet + the 64-byte counts query NSH. */
#define SF_FLOWQ_FRAME_LEN (14 + SFC_NSH_COUNTS_LEN)

/*
 * The answer @a (NULL: none came in time) to the question the SF asked
 * about its flow @t (the tuple it passed to sf_flowq_ask()) with @why.
 */
typedef void (*sf_flowq_answer_fn)(void *ctx, const struct sf_tuple *t,
				   uint32_t why,
				   const struct sf_counts_answer *a);

struct sf_flowq_ent {
	struct sf_flow_ref ref;
	struct sf_tuple t;
	uint32_t why;
	uint64_t asked_ms;
	bool sent;
};

struct sf_flowq {
	struct sf_flowq_ent q[SF_FLOWQ_CAP];
	unsigned int n;                 /* in use: q[0..n-1] */
	sf_flowq_answer_fn fn;
	void *ctx;
	uint64_t (*clock)(void);        /* ms, sf_now_ms(); tests replace it */
	uint64_t asked, sent, answered, refused, timeouts, full, unmatched;
};

/** sf_flowq_init() - an empty queue whose answers go to @fn(@ctx, ...),
 * on the sf_now_ms() clock. */
void sf_flowq_init(struct sf_flowq *q, sf_flowq_answer_fn fn, void *ctx);

/**
 * sf_flowq_ask() - queue a counts question about the flow of @ref (as the
 * SF saw it, sf_pkt_flow_ref()), which the SF knows as @t. @why is handed
 * back with the answer.
 * Return: 0; -EEXIST if a question about that flow and hop is in flight
 * (its answer will do); -ENOSPC when SF_FLOWQ_CAP are (counted in full).
 */
int sf_flowq_ask(struct sf_flowq *q, const struct sf_flow_ref *ref,
		 const struct sf_tuple *t, uint32_t why);

/**
 * sf_flowq_next() - the next queued question not sent yet, as a frame in
 * @buf (at least SF_FLOWQ_FRAME_LEN bytes), now marked sent.
 * Return: the frame length, 0 when none is left.
 */
size_t sf_flowq_next(struct sf_flowq *q, uint8_t *buf, size_t cap);

/**
 * sf_flowq_answer() - the SFF's answer @a: handed to the callback of the
 * question it answers (same flow id and SP), which is done; an answer to
 * no question is counted in unmatched. Fits sf_frame_ops.on_counts with
 * @q as counts_ctx.
 */
void sf_flowq_answer(void *q, const struct sf_counts_answer *a);

/**
 * sf_flowq_expire() - questions asked SF_FLOWQ_TIMEOUT_MS or more ago get
 * the callback with no answer and are done.
 */
void sf_flowq_expire(struct sf_flowq *q);

/** sf_flowq_stats_json() - the "queries" member of an SF's stats. */
void sf_flowq_stats_json(const struct sf_flowq *q, struct sfc_jbuf *jb);

#endif /* SF_FLOWQ_H */
