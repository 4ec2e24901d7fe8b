// SPDX-License-Identifier: GPL-2.0-only
/*
 * nat_xlate.c - sf-nat packet rewriting: addresses, ports/ids and their
 * checksums, in place. See nat.h and l4.h.
 */
#include <string.h>
#include <netinet/in.h>

#include "l4.h"
#include "nat.h"
#include "stats.h"

/* Where one direction's endpoint sits in the headers. */
struct xl_site {
	size_t addr_off;  /* 12 source, 16 destination (IPv4 header) */
	size_t port_off;  /* in the L4 header: 0/2 ports, 4 ICMP id */
};

static size_t csum_off(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

/*
 * Rewrite one address and one port (or ICMP id) at @s and fix the
 * checksums: the IPv4 header one from scratch, the L4 one incrementally
 * (RFC 1624). With @partial the L4 field holds the pseudo-header sum only:
 * the address (pseudo header) is folded in, the port is not (the NIC sums
 * it later). A UDP checksum of 0 means "none" and stays 0.
 */
static void rewrite(uint8_t *ip, const struct sf_inner *in,
		    const struct xl_site *s, const uint8_t *addr,
		    uint16_t port, bool partial)
{
	uint8_t *l4 = ip + in->l4_off, *ck = l4 + csum_off(in->t.proto);
	uint8_t np[2] = { port >> 8, port & 0xFF };
	bool udp = in->t.proto == IPPROTO_UDP;
	bool icmp = in->t.proto == IPPROTO_ICMP;
	bool none = udp && !partial && !ck[0] && !ck[1];

	if (!icmp && !none)
		sf_csum_replace(ck, ip + s->addr_off, addr, 4, partial);
	if (!partial && !none)
		sf_csum_replace(ck, l4 + s->port_off, np, 2, false);
	if (udp && !partial && !none && !ck[0] && !ck[1])
		ck[0] = ck[1] = 0xFF;
	memcpy(ip + s->addr_off, addr, 4);
	memcpy(l4 + s->port_off, np, 2);
	sf_ip4_csum_set(ip, in->l4_off);
}

static enum sf_verdict drop(uint64_t *counter)
{
	(*counter)++;
	return SF_VERDICT_DROP;
}

static enum sf_verdict reverse(struct sf_nat *nat, const struct sf_pkt *pkt,
			       uint8_t *ip, int pidx, uint16_t port,
			       uint16_t sport, bool partial, uint64_t now_ms)
{
	const struct sf_inner *in = &pkt->inner;
	static const struct xl_site dst_tu = { 16, 2 }, dst_icmp = { 16, 4 };
	struct sf_nat_map *m;

	if (port < nat->cfg.lo || port > nat->cfg.hi)
		return drop(&nat->no_mapping);
	m = &nat->m[(uint32_t)pidx * nat->range + port - nat->cfg.lo];
	if (!m->used || memcmp(m->server, in->t.src, 4) || m->sport != sport)
		return drop(&nat->no_mapping);
	rewrite(ip, in, pidx == 2 ? &dst_icmp : &dst_tu, m->client, m->cport,
		partial);
	sf_nat_touch(nat, m, now_ms);
	m->packets_in++;
	nat->translated_in++;
	sf_nat_offload(nat, m, pidx, pkt);
	return SF_VERDICT_PASS;
}

static enum sf_verdict forward(struct sf_nat *nat, const struct sf_pkt *pkt,
			       uint8_t *ip, int pidx, uint16_t cport,
			       uint16_t sport, bool partial, uint64_t now_ms)
{
	const struct sf_inner *in = &pkt->inner;
	static const struct xl_site src_tu = { 12, 0 }, src_icmp = { 12, 4 };
	struct sf_nat_map *m;

	m = sf_nat_lookup(nat, pidx, in->t.src, cport, in->t.dst, sport);
	if (!m)
		m = sf_nat_alloc(nat, pidx, in->t.src, cport, in->t.dst, sport,
				  now_ms);
	if (!m)
		return SF_VERDICT_DROP; /* counted in exhausted */
	rewrite(ip, in, pidx == 2 ? &src_icmp : &src_tu, nat->cfg.nat_ip,
		sf_nat_port_of(nat, m), partial);
	sf_nat_touch(nat, m, now_ms);
	m->packets_out++;
	nat->translated_out++;
	sf_nat_offload(nat, m, pidx, pkt);
	return SF_VERDICT_PASS;
}

enum sf_verdict sf_nat_translate(struct sf_nat *nat, const struct sf_pkt *pkt,
				 uint64_t now_ms)
{
	const struct sf_inner *in = &pkt->inner;
	/* The frame is the caller's and writable; pkt only borrows it. */
	uint8_t *ip = pkt->frame->data + (pkt->ip - pkt->frame->data);
	uint16_t id = 0, sport = in->t.sport, dport = in->t.dport;
	int pidx, echo = 0, partial;
	bool to_nat;

	if (in->t.family == 6) {
		nat->passed_v6++;
		return SF_VERDICT_PASS;
	}
	if (in->frag || (ip[6] & 0x20)) /* non-first, or MF set */
		return drop(&nat->fragments);
	pidx = sf_nat_proto_idx(in->t.proto);
	if (pidx == 2)
		echo = sf_icmp_echo(ip, in, &id);
	if (pidx < 0 || (pidx == 2 && echo <= 0))
		return drop(&nat->unsupported);
	partial = sf_l4_csum_partial(pkt->frame->vnet,
				     (size_t)(ip - pkt->frame->data) +
				     in->l4_off);
	if (partial < 0)
		return drop(&nat->bad_offload);
	sf_nat_expire(nat, now_ms);
	to_nat = !memcmp(in->t.dst, nat->cfg.nat_ip, 4);
	if (pidx == 2) {
		/* ICMP: the id is the port, the server side has none. */
		if (to_nat != (echo == SF_ICMP_ECHO_REPLY))
			return drop(&nat->unsupported);
		sport = dport = id;
	}
	if (to_nat)
		return reverse(nat, pkt, ip, pidx, dport,
			       pidx == 2 ? 0 : sport, partial, now_ms);
	return forward(nat, pkt, ip, pidx, sport, pidx == 2 ? 0 : dport,
		       partial, now_ms);
}

enum sf_verdict sf_nat_on_packet(void *ctx, const struct sf_pkt *pkt)
{
	return sf_nat_translate(ctx, pkt, sf_now_ms());
}
