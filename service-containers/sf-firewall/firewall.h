/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * firewall.h - sf-firewall: the ordered rules of fw_rules.h behind a
 * connection tracker (conntrack.h).
 *
 * A packet of a tracked connection passes, in either direction, without
 * rule evaluation. A packet of an untracked TCP/UDP flow or ICMP echo is a
 * new flow: the rules judge it as seen (its own direction); if allowed,
 * the connection is tracked from then on (a lone TCP RST is not), so the
 * replies pass whatever the rules say about them. Packets the tracker
 * cannot key (non-first fragments, ICMP errors and other non-echo ICMP,
 * other protocols) are judged by the rules every time ("stateless").
 *
 * Offload (flow programming, sfc_common.h): once a tracked connection is
 * established the firewall asks the SFF to bypass it for the rest of the
 * connection (the packet that establishes it carries the request), and a
 * flow the rules deny is asked to be dropped at its classifier, so its
 * later packets die in the kernel (not a TCP packet from the middle of a
 * connection: the tracker may have forgotten an offloaded one). A bypass
 * carries the tracker's idle timeout for the connection (300 s
 * established TCP, 30 s the rest): the SFF ends it when the flow idled
 * that long; a TCP FIN or RST ends it too, so the tracker sees the
 * connection close. The bypass counts what the SFF skips
 * (SFC_CTRL_F_COUNT): before an offloaded connection idles out of the
 * tracker, the firewall asks the SFF (a counts query, flowq.h) whether
 * it carried packets since the last answer: yes (or a packet came
 * meanwhile) keeps it another timeout, no forgets it. So a connection the
 * kernel carries for longer than the tracker's timeout is still known
 * when its FIN comes through, and not judged by the rules as a new flow.
 * Every (re)configure starts a new SF epoch
 * (sf_epoch_new()): a reload voids every bypass, and the connections are
 * judged again by the new rules.
 *
 * Config: the fw_rules.h object plus "max_connections" (1..4194304,
 * default 65536) and "offload" (true, the default, or false).
 */
#ifndef SF_FIREWALL_H
#define SF_FIREWALL_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "conntrack.h"
#include "flowq.h"
#include "frame.h"
#include "fw_rules.h"
#include "sfc_jbuf.h"

#define SF_FIREWALL_CT_DEFAULT 65536
/* An offloaded connection still seen after this many packets is asked
 * again (the SFF may have ignored the request, e.g. over its bound). */
#define SF_FIREWALL_REASK 64

struct sf_firewall {
	struct sf_fw_rules rules;
	struct sf_ct ct;
	uint64_t pkts_new;          /* allowed by the rules, now tracked */
	uint64_t pkts_established;  /* passed by the tracker, no rule lookup */
	uint64_t pkts_denied;       /* dropped by the rules */
	uint64_t pkts_stateless;    /* allowed by the rules, not trackable */
	uint64_t pkts_malformed;    /* truncated ICMP echo: dropped */
	uint64_t reload_removed;    /* tracked, then denied by a reload */
	bool offload;               /* ask the SFF to bypass / drop flows */
	uint64_t bypass_requests;   /* BYPASS asked for established flows */
	uint64_t drop_requests;     /* DROP asked for denied flows */
	uint64_t offload_kept;      /* offloaded connections due to expire
				     * the SFF still carried: kept */
	uint64_t offload_released;  /* ... it no longer carried: forgotten */
	uint64_t now_ms;            /* the clock of the last packet or tick */
	struct sf_flowq q;          /* counts queries of offloaded ones */
};

/**
 * sf_firewall_configure() - apply config @cfg (from file @path, named in
 * @err) to the struct sf_firewall @ctx (sf_app_ops.configure and
 * .reload), atomically: on any error it keeps its previous rules and
 * connections. On a reload (@fw already configured) tracked connections
 * that the new rules deny in their opening direction are forgotten, so
 * their next packets are judged again; a changed max_connections starts
 * an empty table. Return: 0, -EINVAL (message in @err), -ENOMEM.
 */
int sf_firewall_configure(void *ctx, const cJSON *cfg, const char *path,
			  char *err, size_t errlen);

/**
 * sf_firewall_check() - verdict on one valid frame at time @now_ms
 * (monotonic ms; injected so tests control timeouts). Counts the packet in
 * exactly one of pkts_new/established/denied/stateless/malformed.
 */
enum sf_verdict sf_firewall_check(struct sf_firewall *fw,
				  const struct sf_pkt *pkt, uint64_t now_ms);

/** sf_firewall_on_packet() - sf_pkt_fn: check at sf_now_ms(). */
enum sf_verdict sf_firewall_on_packet(void *ctx, const struct sf_pkt *pkt);

/**
 * sf_firewall_tick() - sf_app_ops.tick: expire idle connections at
 * @now_ms (monotonic ms), asking the SFF about offloaded ones.
 */
void sf_firewall_tick(void *ctx, uint64_t now_ms);

/** sf_firewall_flowq() - sf_app_ops.flowq: the counts query queue. */
struct sf_flowq *sf_firewall_flowq(void *ctx);

/**
 * sf_firewall_answer() - sf_flowq_answer_fn: the SFF's answer @a (NULL:
 * none in time) about offloaded connection @t (its opener's tuple).
 */
void sf_firewall_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
			const struct sf_counts_answer *a);

/** sf_firewall_stats_json() - "firewall" (rules) and "conntrack" members. */
void sf_firewall_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_firewall_free() - release everything of the struct sf_firewall
 * @ctx, which becomes zeroed (sf_app_ops.fini). */
void sf_firewall_free(void *ctx);

#endif /* SF_FIREWALL_H */
