// SPDX-License-Identifier: GPL-2.0-only
/*
 * fw_match.c - first-match evaluation of sf-firewall rules, and their
 * stats. Linear scan: rule sets are small and a flow cache in the SFF
 * keeps established flows off this path.
 */
#include <string.h>
#include <netinet/in.h>

#include "fw_rules.h"

static bool cidr_match(const struct sf_fw_cidr *c, const struct sf_tuple *t,
		       const uint8_t *addr)
{
	unsigned int full, rest;

	if (!c->family)
		return true;
	if (c->family != t->family)
		return false;
	full = c->plen / 8;
	rest = c->plen % 8;
	if (memcmp(c->addr, addr, full))
		return false;
	if (!rest)
		return true;
	return ((c->addr[full] ^ addr[full]) & (uint8_t)(0xFF << (8 - rest))) == 0;
}

static bool proto_match(uint8_t want, uint8_t got)
{
	if (want == SF_FW_PROTO_ANY)
		return true;
	if (want == IPPROTO_ICMP)
		return got == IPPROTO_ICMP || got == IPPROTO_ICMPV6;
	return want == got;
}

static bool rule_match(const struct sf_fw_rule *r, const struct sf_inner *in)
{
	const struct sf_tuple *t = &in->t;

	if (!proto_match(r->proto, t->proto))
		return false;
	if (!cidr_match(&r->src, t, t->src) || !cidr_match(&r->dst, t, t->dst))
		return false;
	if (r->has_dport &&
	    (in->frag || t->dport < r->dport_lo || t->dport > r->dport_hi))
		return false;
	return true;
}

int sf_fw_rules_match(const struct sf_fw_rules *fw, const struct sf_inner *in)
{
	unsigned int i;

	for (i = 0; i < fw->n; i++)
		if (rule_match(&fw->rules[i], in))
			return (int)i;
	return -1;
}

enum sf_fw_action sf_fw_rules_eval(struct sf_fw_rules *fw,
				   const struct sf_inner *in)
{
	int i = sf_fw_rules_match(fw, in);

	if (i < 0) {
		fw->default_hits++;
		return fw->def;
	}
	fw->rules[i].hits++;
	return fw->rules[i].action;
}

static const char *action_name(enum sf_fw_action a)
{
	return a == SF_FW_DENY ? "deny" : "allow";
}

void sf_fw_rules_stats_json(const struct sf_fw_rules *fw, struct sfc_jbuf *jb)
{
	unsigned int i;

	sfc_jbuf_open(jb, "firewall", '{');
	sfc_jbuf_str(jb, "default", action_name(fw->def));
	sfc_jbuf_u64(jb, "default_hits", fw->default_hits);
	sfc_jbuf_open(jb, "rules", '[');
	for (i = 0; i < fw->n; i++) {
		sfc_jbuf_open(jb, NULL, '{');
		sfc_jbuf_u64(jb, "index", i);
		sfc_jbuf_str(jb, "action", action_name(fw->rules[i].action));
		sfc_jbuf_u64(jb, "hits", fw->rules[i].hits);
		sfc_jbuf_close(jb, '}');
	}
	sfc_jbuf_close(jb, ']');
	sfc_jbuf_close(jb, '}');
}
