/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flow.h - the flow table: sfc_flows (flow id -> instances pinned per hop,
 * shared by both directions of a connection) and sfc_flow_tuples (5-tuple
 * -> reply SFP, installed when a forward packet of a symmetric chain
 * reaches the end of its path). Layouts and writers: sfc_common.h.
 */
#ifndef SFC_BPF_FLOW_H
#define SFC_BPF_FLOW_H

#include "lib/maps.h"
#include "lib/parse.h"

/* How the SFF step knows the flow of the packet it forwards. */
struct sfc_fwd {
	__u32 spi;
	__u32 si;
	__u32 self_vpid; /* endpoint the packet came in from */
	__u32 flow_id;   /* 0 = no flow state */
	__u8 reply;      /* reverse SFP of a symmetric chain */
};

/* Key of @pkt's 5-tuple; @reverse swaps source and destination. */
static __always_inline void sfc_flow_key_set(struct sfc_flow_key *k,
					     const struct sfc_pkt *pkt,
					     bool reverse)
{
	int i;

	for (i = 0; i < 4; i++) {
		k->saddr[i] = reverse ? pkt->daddr[i] : pkt->saddr[i];
		k->daddr[i] = reverse ? pkt->saddr[i] : pkt->daddr[i];
	}
	k->sport = reverse ? pkt->dport : pkt->sport;
	k->dport = reverse ? pkt->sport : pkt->dport;
	k->proto = pkt->proto;
	k->family = pkt->family;
	k->pad = 0;
}

/* murmur3 finaliser: a good 32-bit mix. */
static __always_inline __u32 sfc_mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85EBCA6Bu;
	h ^= h >> 13;
	h *= 0xC2B2AE35u;
	h ^= h >> 16;
	return h;
}

/* Hash of a flow key; never 0 (0 means "no flow"). */
static __always_inline __u32 sfc_flow_hash(const struct sfc_flow_key *k)
{
	__u32 h = 0x5FC0F10Eu;
	int i;

	for (i = 0; i < 4; i++)
		h = sfc_mix32(h ^ k->saddr[i]) + (__u32)i;
	for (i = 0; i < 4; i++)
		h = sfc_mix32(h ^ k->daddr[i]) + (__u32)i;
	h = sfc_mix32(h ^ ((__u32)k->sport << 16 | k->dport));
	h = sfc_mix32(h ^ ((__u32)k->proto << 8 | k->family));
	return h ? h : 1;
}

static __always_inline bool sfc_fresh(__u64 last_ns, __u64 now)
{
	return now - last_ns < SFC_FLOW_IDLE_NS;
}

/* Refresh a timestamp, at most every SFC_FLOW_TOUCH_NS (cache lines). */
static __always_inline void sfc_touch(__u64 *last_ns, __u64 now)
{
	if (now - *last_ns > SFC_FLOW_TOUCH_NS)
		*last_ns = now;
}

/* sfc_hop.gen of SFP @spi (its first hop), 0 if the path is gone. */
static __always_inline __u32 sfc_path_gen(__u32 spi)
{
	__u32 sp = SFC_SP(spi, SFC_NSH_SI_START);
	struct sfc_hop *hop = bpf_map_lookup_elem(&sfc_paths, &sp);

	return hop ? hop->gen : 0;
}

/* Forget the DROP of @f (both fields that say it). */
static __always_inline void sfc_drop_clear(struct sfc_flow *f)
{
	f->flags &= ~SFC_FLOW_P_DROP;
	f->drop_hop = 0;
}

/*
 * sfc_flow_open() - flow id of a forward packet classified onto @spi,
 * creating (or renewing, when idle) its sfc_flows entry. The id is the
 * 5-tuple hash; a live entry of another SFP under that id makes us probe
 * the next ids. Flows of one SFP that collide share their pins (harmless).
 * An entry of another chain version (the chain was applied changed since)
 * loses what SFs programmed for it and takes the path's version; its pins
 * stay. A TCP SYN without ACK starts a new connection on the entry: its
 * hop programs go (a DROP stays) and it is born again, so counts and
 * translations are keyed afresh. A global function: its stack stays off the hop loop's call chain.
 * Return: the flow id, 0 if the table would not take it.
 */
__attribute__((noinline)) __u32 sfc_flow_open(const struct sfc_pkt *pkt,
					      __u32 spi, __u32 src_vpid)
{
	struct sfc_flow_key key;
	struct sfc_flow *f, nf = {};
	__u64 now = sfc_now();
	bool syn;
	__u32 id;
	int i;

	if (!pkt)
		return 0;
	sfc_flow_key_set(&key, pkt, false);
	id = sfc_flow_hash(&key);
	nf.spi = spi;
	nf.last_ns = now;
	nf.src_vpid = (__u16)src_vpid;
	nf.gen = sfc_path_gen(spi);
	nf.born = (__u32)now;
	nf.seen_ns = now;
	nf.cpu = bpf_get_smp_processor_id() + 1;
	syn = pkt->proto == IPPROTO_TCP_ &&
	      (pkt->tcp_flags & (SFC_TCP_SYN | SFC_TCP_ACK)) == SFC_TCP_SYN;
	for (i = 0; i < 4; i++) {
		f = bpf_map_lookup_elem(&sfc_flows, &id);
		if (f && f->spi == spi && sfc_fresh(f->last_ns, now)) {
			if (f->gen != nf.gen || syn) {
				f->prog = 0;
				f->nat = 0;
				f->idle = 0;
			}
			if (f->gen != nf.gen) {
				sfc_drop_clear(f);
				f->gen = nf.gen;
			}
			/* A new connection on the 5-tuple (the client reused
			 * its port): new counters and translations, none of
			 * the last connection's hop programs. */
			if (syn)
				f->born = (__u32)now;
			sfc_touch(&f->last_ns, now);
			if (f->cpu != nf.cpu) /* a write only when it moved */
				f->cpu = nf.cpu;
			return id;
		}
		if (!f || !sfc_fresh(f->last_ns, now)) {
			if (bpf_map_update_elem(&sfc_flows, &id, &nf, BPF_ANY))
				return 0;
			return id;
		}
		id = sfc_mix32(id + 1) | 1;
	}
	return 0;
}

/*
 * sfc_reply_lookup() - the reply entry for @pkt (leaving a pod), if the
 * packet answers a connection of a symmetric chain and its reverse SFP
 * still exists. Return: the entry (timestamp refreshed) or NULL.
 */
static __always_inline struct sfc_flow_ref *
sfc_reply_lookup(const struct sfc_pkt *pkt)
{
	struct sfc_flow_key key;
	struct sfc_flow_ref *ref;
	__u64 now = sfc_now();
	__u32 sp;

	sfc_flow_key_set(&key, pkt, false);
	ref = bpf_map_lookup_elem(&sfc_flow_tuples, &key);
	if (!ref || !(ref->flags & SFC_FLOW_F_REPLY) ||
	    !sfc_fresh(ref->last_ns, now))
		return 0;
	sp = SFC_SP(ref->spi, SFC_NSH_SI_START);
	if (!bpf_map_lookup_elem(&sfc_paths, &sp))
		return 0;
	sfc_touch(&ref->last_ns, now);
	return ref;
}

/*
 * sfc_flow_path_end() - a forward packet of flow @fw reached the end of
 * its SFP at fw->si with the (post-NAT) 5-tuple @pkt, bound to a local
 * pod. Records the hop count (the reply path mirrors it) and, for a
 * symmetric chain, installs the reverse 5-tuple -> reverse SFP.
 */
static __always_inline void sfc_flow_path_end(const struct sfc_fwd *fw,
					      const struct sfc_pkt *pkt)
{
	struct sfc_flow_ref *ref, nref = {};
	struct sfc_flow_key key;
	__u64 now = sfc_now();
	struct sfc_flow *f;
	__u32 *rev, spi = fw->spi;

	if (fw->reply || !fw->flow_id)
		return;
	f = bpf_map_lookup_elem(&sfc_flows, &fw->flow_id);
	rev = bpf_map_lookup_elem(&sfc_rev_spi, &spi);
	if (!f || !rev || f->spi != spi)
		return;
	f->n_hops = (__u8)(SFC_NSH_SI_START - fw->si);
	f->rev_spi = *rev;
	sfc_touch(&f->last_ns, now);
	sfc_flow_key_set(&key, pkt, true);
	ref = bpf_map_lookup_elem(&sfc_flow_tuples, &key);
	if (ref && ref->flow_id == fw->flow_id && ref->spi == *rev &&
	    (ref->flags & SFC_FLOW_F_REPLY)) {
		sfc_touch(&ref->last_ns, now);
		return;
	}
	nref.flow_id = fw->flow_id;
	nref.spi = *rev;
	nref.last_ns = now;
	nref.flags = SFC_FLOW_F_REPLY;
	bpf_map_update_elem(&sfc_flow_tuples, &key, &nref, BPF_ANY);
}

/*
 * sfc_sf_mark() - skb->mark of a frame of flow @flow_id that goes to an
 * SF: SFC_MARK_SF_CPU() of the CPU the flow was last classified on
 * (sfc_flow.cpu), or of this CPU for a frame without one (flow id 0, an
 * entry gone). A global function: one lookup, checked once.
 */
__attribute__((noinline)) __u32 sfc_sf_mark(__u32 flow_id)
{
	struct sfc_flow *f = 0;

	if (flow_id)
		f = bpf_map_lookup_elem(&sfc_flows, &flow_id);
	if (f && f->cpu)
		return SFC_MARK_SF_CPU(f->cpu - 1);
	return SFC_MARK_SF_CPU(bpf_get_smp_processor_id());
}

#endif /* SFC_BPF_FLOW_H */
