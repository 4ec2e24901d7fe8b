/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conntrack.h - bounded connection tracking for sf-firewall.
 *
 * One entry per connection, keyed by the inner 5-tuple normalized so that
 * both directions (forward on one SPI, replies on the reverse SPI through
 * the same SF instance) find the same entry: the (address, port) pair that
 * sorts lower is side "a". ICMP/ICMPv6 echo uses the echo identifier as
 * both ports. The entry remembers which side opened the connection, so a
 * packet knows whether it is "original" or "reply".
 *
 * States: NEW (only the opener seen), ESTABLISHED (both directions seen),
 * CLOSING (TCP FIN or RST seen). Idle timeouts: a TCP connection in
 * ESTABLISHED lives SF_CT_TIMEOUT_LONG_MS after its last packet, every
 * other entry (TCP handshake or closing, UDP, ICMP) SF_CT_TIMEOUT_SHORT_MS.
 * Entries sit on one of two LRU lists, one per timeout, so expiry only
 * ever looks at list tails. When the table is full a new connection evicts
 * the oldest short-timeout entry (else the oldest long one): half-open and
 * datagram flows go before established TCP.
 */
#ifndef SF_CONNTRACK_H
#define SF_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "inner.h"
#include "sfc_jbuf.h"
#include "tabutil.h"

#define SF_CT_TIMEOUT_LONG_MS (300 * 1000ull)
#define SF_CT_TIMEOUT_SHORT_MS (30 * 1000ull)
#define SF_CT_MAX_CAP (1u << 22)

enum sf_ct_state {
	SF_CT_NEW = 0,
	SF_CT_ESTABLISHED = 1,
	SF_CT_CLOSING = 2,
};

/* Normalized key: (a, pa) sorts before (b, pb). Pad bytes are zero. */
struct sf_ct_key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint8_t family, proto;
	uint8_t pad[2];
};

struct sf_ct_entry {
	struct sf_ct_key key;
	uint64_t last_ms;
	uint64_t packets;
	uint32_t hnext;
	uint8_t state;     /* enum sf_ct_state */
	uint8_t list;      /* 0 short, 1 long */
	bool orig_is_a;    /* the opener is side a */
	bool used;
	uint8_t offload;   /* the firewall's (firewall.c): packets seen since
			    * it last asked the SFF to bypass it, 0 = never */
	/* The firewall's counts questions about an offloaded connection
	 * due to expire (firewall.c). */
	bool has_ref;      /* ref names the flow for a counts query */
	bool asking;       /* a question is out, asked at ask_ms */
	uint64_t ask_ms;
	uint64_t sff_total; /* packets the SFF carried, last answer */
	struct sf_flow_ref ref;
};

struct sf_ct {
	struct sf_ct_entry *e;   /* owned, cap entries */
	struct sf_ilink *lk;     /* owned, LRU links, cap entries */
	uint32_t *buckets;       /* owned, nbuckets hash heads */
	uint32_t cap, nbuckets;
	uint32_t free_head;      /* free slots chained through hnext */
	struct sf_ilist lists[2];
	uint64_t timeout_ms[2];  /* short, long; tests may shorten them */
	uint64_t created, expired, evicted;
	/* Asked before an idle entry goes (expiry or lookup): true keeps
	 * it, and its idle timer starts again. NULL: entries just go. */
	bool (*keep)(void *ctx, struct sf_ct_entry *e, uint64_t now_ms);
	void *keep_ctx;
};

/**
 * sf_ct_init() - allocate a table of @cap entries (1..SF_CT_MAX_CAP) with
 * the default timeouts. Return: 0, -EINVAL, -ENOMEM.
 */
int sf_ct_init(struct sf_ct *ct, uint32_t cap);

/** sf_ct_fini() - free; safe on a zeroed table. */
void sf_ct_fini(struct sf_ct *ct);

/** sf_ct_count() - live entries (including not yet reaped expired ones). */
static inline uint32_t sf_ct_count(const struct sf_ct *ct)
{
	return ct->lists[0].n + ct->lists[1].n;
}

/**
 * sf_ct_key_make() - normalized key of directed tuple @t; ICMP echo passes
 * its identifier as @t's sport and dport. Return: true if @t's source is
 * side a of the key.
 */
bool sf_ct_key_make(struct sf_ct_key *k, const struct sf_tuple *t);

/**
 * sf_ct_expire() - remove entries idle past their timeout at @now_ms (ms,
 * any monotonic clock, same as every other call), except those the
 * @ct->keep hook keeps (their timer restarts). Return: how many went.
 */
unsigned int sf_ct_expire(struct sf_ct *ct, uint64_t now_ms);

/**
 * sf_ct_lookup() - the live entry of @t, or NULL (an expired entry is
 * removed and not returned, unless @ct->keep keeps it). @reply: set to whether @t flows opposite to
 * the opener. The entry is owned by the table and valid until the next
 * insert/expire/remove.
 */
struct sf_ct_entry *sf_ct_lookup(struct sf_ct *ct, const struct sf_tuple *t,
				 uint64_t now_ms, bool *reply);

/**
 * sf_ct_insert() - track a new connection opened by @t (no entry for it
 * must exist), in state NEW, evicting as described above when full.
 * Return: the entry (never NULL).
 */
struct sf_ct_entry *sf_ct_insert(struct sf_ct *ct, const struct sf_tuple *t,
				 uint64_t now_ms);

/**
 * sf_ct_update() - account one packet of @e: @reply as from
 * sf_ct_lookup(), @tcp_flags the TCP flags byte (0 for other protocols).
 * Moves NEW -> ESTABLISHED on the first reply, any state -> CLOSING on FIN
 * or RST, refreshes the idle timer.
 */
void sf_ct_update(struct sf_ct *ct, struct sf_ct_entry *e, bool reply,
		  uint8_t tcp_flags, uint64_t now_ms);

/** sf_ct_remove() - drop @e from the table. */
void sf_ct_remove(struct sf_ct *ct, struct sf_ct_entry *e);

/**
 * sf_ct_remove_if() - remove every entry for which @pred returns true
 * (e.g. connections a reloaded rule set now denies). @pred gets the
 * opener's directed tuple. Return: how many were removed.
 */
unsigned int sf_ct_remove_if(struct sf_ct *ct,
			     bool (*pred)(void *ctx, const struct sf_tuple *t),
			     void *ctx);

/** sf_ct_opener_tuple() - the directed tuple of @e's opener. */
void sf_ct_opener_tuple(const struct sf_ct_entry *e, struct sf_tuple *t);

#endif /* SF_CONNTRACK_H */
