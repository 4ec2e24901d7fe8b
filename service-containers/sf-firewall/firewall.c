// SPDX-License-Identifier: GPL-2.0-only
/*
 * firewall.c - stateful sf-firewall: rules behind a connection tracker.
 * See firewall.h.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "config.h"
#include "firewall.h"
#include "l4.h"
#include "stats.h"

static bool now_denied(void *ctx, const struct sf_tuple *t)
{
	const struct sf_fw_rules *rules = ctx;
	struct sf_inner in = { .t = *t };
	int i;

	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		in.t.sport = in.t.dport = 0;
	/* Pure match: a re-check is bookkeeping, not a rule hit. */
	i = sf_fw_rules_match(rules, &in);
	return (i < 0 ? rules->def : rules->rules[i].action) == SF_FW_DENY;
}

static bool keep_offloaded(void *ctx, struct sf_ct_entry *e,
			   uint64_t now_ms);

int sf_firewall_configure(void *ctx, const cJSON *cfg, const char *path,
			  char *err, size_t errlen)
{
	uint64_t cap = SF_FIREWALL_CT_DEFAULT;
	struct sf_firewall *fw = ctx;
	struct sf_fw_rules rules;
	bool new_ct, offload = true;
	struct sf_ct ct;
	int ret;

	ret = sf_fw_rules_parse(&rules, cfg, path, err, errlen);
	if (ret)
		return ret;
	ret = sf_config_uint(cfg, "max_connections", 1, SF_CT_MAX_CAP, false,
			     &cap, path, err, errlen);
	if (!ret)
		ret = sf_config_bool(cfg, "offload", &offload, path, err,
				     errlen);
	new_ct = !fw->ct.cap || fw->ct.cap != cap;
	if (!ret && new_ct)
		ret = sf_ct_init(&ct, (uint32_t)cap);
	if (ret) {
		sf_fw_rules_free(&rules);
		return ret;
	}
	if (new_ct) {
		sf_ct_fini(&fw->ct);
		fw->ct = ct;
		fw->ct.keep = keep_offloaded;
		fw->ct.keep_ctx = fw;
	}
	if (!fw->q.fn)
		sf_flowq_init(&fw->q, sf_firewall_answer, fw);
	sf_fw_rules_free(&fw->rules);
	fw->rules = rules;
	fw->offload = offload;
	fw->reload_removed += sf_ct_remove_if(&fw->ct, now_denied, &fw->rules);
	/* What the SFF bypasses was judged by the old rules: a new epoch
	 * voids it, the connections come back and are judged again. */
	sf_epoch_new();
	return 0;
}

/* Key the tracker can use: TCP/UDP ports, or the ICMP echo id. */
static int track_tuple(const struct sf_pkt *pkt, struct sf_tuple *t)
{
	uint16_t id;
	int echo;

	*t = pkt->inner.t;
	if (pkt->inner.frag)
		return 0;
	if (t->proto == IPPROTO_TCP || t->proto == IPPROTO_UDP)
		return 1;
	echo = sf_icmp_echo(pkt->ip, &pkt->inner, &id);
	if (echo <= 0)
		return echo;
	t->sport = t->dport = id;
	return 1;
}

/*
 * @e passed and is established: ask the SFF to bypass the firewall for
 * the rest of the connection, on this packet (the first reply, or the
 * first packet after offload was turned on) and again every
 * SF_FIREWALL_REASK packets if it keeps coming. The bypass carries the
 * tracker's idle timeout of @e, so the SFF ends it when the tracker
 * would have forgotten the connection, and asks the SFF to count what it
 * skips: keep_offloaded() asks for those counts before the tracker
 * forgets @e.
 */
static void offload_established(struct sf_firewall *fw,
				struct sf_ct_entry *e, const struct sf_pkt *pkt)
{
	if (!fw->offload || e->state != SF_CT_ESTABLISHED)
		return;
	if (e->offload && e->offload < SF_FIREWALL_REASK) {
		e->offload++;
		return;
	}
	e->offload = 1;
	if (!sf_pkt_flow_ref(pkt, &e->ref))
		e->has_ref = true;
	sf_pkt_program_idle(pkt, SFC_CTRL_BYPASS, SFC_CTRL_F_COUNT,
			    fw->ct.timeout_ms[e->list]);
	fw->bypass_requests++;
}

/*
 * conntrack's keep hook: offloaded connection @e is due to expire at
 * @now_ms. The SFF may have carried it all along: ask (once per term)
 * and keep it until the answer (sf_firewall_answer()) decides.
 */
static bool keep_offloaded(void *ctx, struct sf_ct_entry *e, uint64_t now_ms)
{
	struct sf_firewall *fw = ctx;
	struct sf_tuple t;
	int ret;

	if (!e->offload || !e->has_ref)
		return false;
	if (!e->asking) {
		sf_ct_opener_tuple(e, &t);
		ret = sf_flowq_ask(&fw->q, &e->ref, &t, 0);
		/* Queue full: kept, asked at its next expiry. */
		e->asking = !ret || ret == -EEXIST;
	}
	e->ask_ms = now_ms;
	return true;
}

void sf_firewall_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
			const struct sf_counts_answer *a)
{
	struct sf_firewall *fw = ctx;
	struct sf_ct_entry *e;
	bool reply, bypassed, keep;

	if (!fw->ct.e)
		return;
	e = sf_ct_lookup(&fw->ct, t, fw->now_ms, &reply);
	if (!e || !e->asking)
		return; /* gone or made again since: not this question's */
	e->asking = false;
	if (!a)
		return; /* no answer: kept, asked again at its next expiry */
	keep = sf_counts_keep(a, &e->sff_total, e->last_ms != e->ask_ms,
			      &bypassed);
	if (!bypassed)
		e->offload = 0; /* the SF sees it again: asks anew */
	if (keep) {
		fw->offload_kept++; /* carried (or seen) since: a new term */
		return;
	}
	sf_ct_remove(&fw->ct, e);
	fw->ct.expired++;
	fw->offload_released++;
}

struct sf_flowq *sf_firewall_flowq(void *ctx)
{
	struct sf_firewall *fw = ctx;

	/* Always: offload may be turned on or off by a reload. */
	return &fw->q;
}

void sf_firewall_tick(void *ctx, uint64_t now_ms)
{
	struct sf_firewall *fw = ctx;

	fw->now_ms = now_ms;
	if (fw->ct.e)
		sf_ct_expire(&fw->ct, now_ms);
}

/*
 * A packet the rules deny as a new flow: ask the SFF to drop the flow at
 * its classifier, unless it is TCP from the middle of a connection. That
 * one may be an offloaded connection the tracker forgot (it saw none of
 * its packets for the idle timeout) whose FIN or RST now comes through:
 * dropping the flow would stop its close.
 */
static void offload_denied(struct sf_firewall *fw, const struct sf_pkt *pkt,
			   uint8_t tcp_flags)
{
	if (!fw->offload)
		return;
	if (pkt->inner.t.proto == IPPROTO_TCP && !pkt->inner.frag &&
	    (tcp_flags & (SF_TCP_SYN | SF_TCP_ACK)) != SF_TCP_SYN)
		return;
	sf_pkt_program(pkt, SFC_CTRL_DROP, 0);
	fw->drop_requests++;
}

enum sf_verdict sf_firewall_check(struct sf_firewall *fw,
				  const struct sf_pkt *pkt, uint64_t now_ms)
{
	struct sf_ct_entry *e = NULL;
	struct sf_tuple t;
	uint8_t flags;
	bool reply = false;
	int track;

	fw->now_ms = now_ms;
	sf_ct_expire(&fw->ct, now_ms);
	track = track_tuple(pkt, &t);
	if (track < 0) {
		fw->pkts_malformed++;
		return SF_VERDICT_DROP;
	}
	flags = sf_tcp_flags(pkt->ip, &pkt->inner);
	if (track)
		e = sf_ct_lookup(&fw->ct, &t, now_ms, &reply);
	if (e && e->state == SF_CT_CLOSING &&
	    (flags & (SF_TCP_SYN | SF_TCP_ACK)) == SF_TCP_SYN) {
		sf_ct_remove(&fw->ct, e); /* a new connection, same ports */
		e = NULL;
		reply = false;
	}
	if (e) {
		sf_ct_update(&fw->ct, e, reply, flags, now_ms);
		fw->pkts_established++;
		offload_established(fw, e, pkt);
		return SF_VERDICT_PASS;
	}
	if (sf_fw_rules_eval(&fw->rules, &pkt->inner) == SF_FW_DENY) {
		fw->pkts_denied++;
		offload_denied(fw, pkt, flags);
		return SF_VERDICT_DROP;
	}
	if (!track || (flags & SF_TCP_RST)) {
		fw->pkts_stateless++;
		return SF_VERDICT_PASS;
	}
	e = sf_ct_insert(&fw->ct, &t, now_ms);
	sf_ct_update(&fw->ct, e, false, flags, now_ms);
	fw->pkts_new++;
	return SF_VERDICT_PASS;
}

enum sf_verdict sf_firewall_on_packet(void *ctx, const struct sf_pkt *pkt)
{
	return sf_firewall_check(ctx, pkt, sf_now_ms());
}

void sf_firewall_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	struct sf_firewall *fw = ctx;
	const struct sf_ct *ct = &fw->ct;

	sf_fw_rules_stats_json(&fw->rules, jb);
	sfc_jbuf_open(jb, "conntrack", '{');
	sfc_jbuf_u64(jb, "capacity", ct->cap);
	sfc_jbuf_u64(jb, "entries", sf_ct_count(ct));
	sfc_jbuf_u64(jb, "established_tcp", ct->lists[1].n);
	sfc_jbuf_u64(jb, "created", ct->created);
	sfc_jbuf_u64(jb, "expired", ct->expired);
	sfc_jbuf_u64(jb, "evicted", ct->evicted);
	sfc_jbuf_u64(jb, "reload_removed", fw->reload_removed);
	sfc_jbuf_u64(jb, "new", fw->pkts_new);
	sfc_jbuf_u64(jb, "established", fw->pkts_established);
	sfc_jbuf_u64(jb, "denied", fw->pkts_denied);
	sfc_jbuf_u64(jb, "stateless", fw->pkts_stateless);
	sfc_jbuf_u64(jb, "malformed", fw->pkts_malformed);
	sfc_jbuf_close(jb, '}');
	sfc_jbuf_open(jb, "offload", '{');
	sfc_jbuf_u64(jb, "enabled", fw->offload);
	sfc_jbuf_u64(jb, "bypass_requests", fw->bypass_requests);
	sfc_jbuf_u64(jb, "drop_requests", fw->drop_requests);
	sfc_jbuf_u64(jb, "kept", fw->offload_kept);
	sfc_jbuf_u64(jb, "released", fw->offload_released);
	sf_flowq_stats_json(&fw->q, jb);
	sfc_jbuf_close(jb, '}');
}

void sf_firewall_free(void *ctx)
{
	struct sf_firewall *fw = ctx;

	sf_fw_rules_free(&fw->rules);
	sf_ct_fini(&fw->ct);
	memset(fw, 0, sizeof(*fw));
}
