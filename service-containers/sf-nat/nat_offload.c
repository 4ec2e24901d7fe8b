// SPDX-License-Identifier: GPL-2.0-only
/*
 * nat_offload.c - sf-nat's stateful offload: the translation handed to
 * the SFF with the packet that uses a mapping, and an offloaded mapping
 * kept while the SFF still carries its flow (counts queries). See nat.h.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "l4.h"
#include "nat.h"
#include "stats.h"

static const uint8_t protos[SF_NAT_NPROTO] = { IPPROTO_TCP, IPPROTO_UDP,
					       IPPROTO_ICMP };

/* The flow @m maps, as the SF's lookups key it (client -> server). */
static void map_tuple(const struct sf_nat *nat, const struct sf_nat_map *m,
		      struct sf_tuple *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->src, m->client, 4);
	memcpy(t->dst, m->server, 4);
	t->sport = m->cport;
	t->dport = m->sport;
	t->family = 4;
	t->proto = protos[(uint32_t)(m - nat->m) / nat->range];
}

void sf_nat_offload(struct sf_nat *nat, struct sf_nat_map *m, int pidx,
		    const struct sf_pkt *pkt)
{
	uint8_t flags = sf_tcp_flags(pkt->ip, &pkt->inner);
	struct sf_xlate x = { .proto = protos[pidx] };

	/* The SFF's idle timeout must not be 0 (none): see sf_idle_units(). */
	if (!nat->cfg.offload || !sf_idle_units(nat->cfg.timeout_ms))
		return;
	if (flags & (SF_TCP_FIN | SF_TCP_RST)) {
		m->closing = true; /* the SFF ended the offload too */
		return;
	}
	if ((flags & (SF_TCP_SYN | SF_TCP_ACK)) == SF_TCP_SYN && m->closing) {
		m->closing = false; /* a new connection on the same ports */
		m->reask = 0;
	}
	if (m->closing)
		return;
	if (m->offloaded && m->reask && m->reask < SF_NAT_REASK) {
		m->reask++;
		return;
	}
	if (!sf_pkt_flow_ref(pkt, &m->ref))
		m->has_ref = true;
	memcpy(x.orig_addr, m->client, 4);
	memcpy(x.new_addr, nat->cfg.nat_ip, 4);
	x.orig_port = m->cport;
	x.new_port = sf_nat_port_of(nat, m);
	sf_pkt_program_nat(pkt, &x, nat->cfg.timeout_ms);
	m->offloaded = true;
	m->reask = 1;
	nat->offload_requests++;
}

bool sf_nat_offload_expiring(struct sf_nat *nat, struct sf_nat_map *m,
			     uint64_t now_ms)
{
	struct sf_tuple t;
	int ret;

	if (!m->has_ref)
		return false;
	if (!m->asking) {
		map_tuple(nat, m, &t);
		ret = sf_flowq_ask(&nat->q, &m->ref, &t, 0);
		/* Queue full: keep it, ask at its next expiry. */
		m->asking = !ret || ret == -EEXIST;
	}
	sf_nat_touch(nat, m, now_ms);
	m->ask_ms = now_ms;
	return true;
}

void sf_nat_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
		   const struct sf_counts_answer *a)
{
	struct sf_nat *nat = ctx;
	struct sf_nat_map *m;
	bool bypassed, keep;
	int pidx = sf_nat_proto_idx(t->proto);

	if (pidx < 0 || !nat->m)
		return;
	m = sf_nat_lookup(nat, pidx, t->src, t->sport, t->dst, t->dport);
	if (!m || !m->asking)
		return; /* freed or made again since: not this question's */
	m->asking = false;
	if (!a)
		return; /* no answer: kept, asked again at its next expiry */
	keep = sf_counts_keep(a, &m->sff_total, m->last_ms != m->ask_ms,
			      &bypassed);
	if (!bypassed)
		m->offloaded = false; /* the SF sees the flow (or nothing) */
	if (keep) {
		nat->offload_kept++; /* carried (or seen) since: a new term */
		return;
	}
	sf_nat_release(nat, m);
	nat->expired++;
	nat->offload_released++;
}

struct sf_flowq *sf_nat_flowq(void *ctx)
{
	struct sf_nat *nat = ctx;

	/* Always: offload may be turned on or off by a reload. */
	return &nat->q;
}

void sf_nat_tick(void *ctx, uint64_t now_ms)
{
	struct sf_nat *nat = ctx;

	if (nat->m)
		sf_nat_expire(nat, now_ms);
}
