/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * policy.h - classifier rule matching: the first rule of
 * sfc_policy[{vpid, dir}] that matches the packet's peer wins.
 */
#ifndef SFC_BPF_POLICY_H
#define SFC_BPF_POLICY_H

#include "lib/maps.h"
#include "lib/parse.h"

/* Does @addr fall in @rule_addr/@plen? Words in network order. */
static __always_inline bool sfc_prefix_match(const __be32 *rule_addr,
					     const __be32 *addr, __u32 plen)
{
	int i;

	for (i = 0; i < 4; i++) {
		__u32 mask;

		if (plen == 0)
			break;
		if (plen >= 32) {
			mask = 0xFFFFFFFFu;
			plen -= 32;
		} else {
			mask = 0xFFFFFFFFu << (32 - plen);
			plen = 0;
		}
		if ((rule_addr[i] ^ addr[i]) & bpf_htonl(mask))
			return false;
	}
	return true;
}

/* Zero fields match everything; port_lo = port_hi = 0 means any port. */
static __always_inline bool sfc_rule_match(const struct sfc_rule *r,
					   const struct sfc_pkt *pkt,
					   const __be32 *peer, __u16 port)
{
	if (r->proto && r->proto != pkt->proto)
		return false;
	if (r->family && r->family != pkt->family)
		return false;
	if (r->prefix_len && !sfc_prefix_match(r->addr, peer, r->prefix_len))
		return false;
	if ((r->port_lo || r->port_hi) &&
	    (port < r->port_lo || port > r->port_hi))
		return false;
	return true;
}

/*
 * sfc_policy_match() - classify @pkt against the rules of endpoint @vpid
 * for direction @dir. The peer is the destination for SFC_DIR_EGRESS and
 * the source for SFC_DIR_INGRESS.
 * Return: true with *@spi set if a rule matched.
 */
static __always_inline bool sfc_policy_match(__u32 vpid, __u32 dir,
					     const struct sfc_pkt *pkt,
					     __u32 *spi)
{
	struct sfc_policy_key key = { .vpid = vpid, .dir = dir };
	const __be32 *peer = dir == SFC_DIR_EGRESS ? pkt->daddr : pkt->saddr;
	__u16 port = dir == SFC_DIR_EGRESS ? pkt->dport : pkt->sport;
	struct sfc_policy *pol;
	__u32 i;

	pol = bpf_map_lookup_elem(&sfc_policy, &key);
	if (!pol)
		return false;
	for (i = 0; i < SFC_MAX_RULES; i++) {
		if (i >= pol->n_rules)
			break;
		if (sfc_rule_match(&pol->rules[i], pkt, peer, port)) {
			*spi = pol->rules[i].spi & SFC_SPI_MAX;
			return true;
		}
	}
	return false;
}

#endif /* SFC_BPF_POLICY_H */
