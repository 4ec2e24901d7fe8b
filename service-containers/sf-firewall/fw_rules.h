/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fw_rules.h - sf-firewall's stateless rule set: JSON parsing and
 * first-match evaluation on an inner 5-tuple. The connection tracker
 * (conntrack.h) sits in front of it in firewall.h.
 *
 * Config: {"rules": [{"action": "deny"|"allow",
 *                     "protocol": "tcp"|"udp"|"icmp"|"any",
 *                     "src": "CIDR", "dst": "CIDR",
 *                     "dport": "80" | "5000-5100" | 80}],
 *          "default": "allow"|"deny"}
 * Every rule field but "action" is optional (absent = any). "icmp"
 * matches ICMP and ICMPv6. A rule with "dport" needs protocol tcp or udp.
 * A rule whose src/dst is IPv4 never matches IPv6 packets and vice versa.
 */
#ifndef SF_FW_RULES_H
#define SF_FW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "inner.h"
#include "sfc_jbuf.h"

#define SF_FW_MAX_RULES 4096
#define SF_FW_PROTO_ANY 0

enum sf_fw_action {
	SF_FW_ALLOW = 0,
	SF_FW_DENY = 1,
};

struct sf_fw_cidr {
	uint8_t family;   /* 0 = any address, 4 or 6 */
	uint8_t plen;     /* prefix length */
	uint8_t addr[16]; /* network order, host bits cleared */
};

struct sf_fw_rule {
	enum sf_fw_action action;
	uint8_t proto;            /* SF_FW_PROTO_ANY or IPPROTO_TCP/UDP/ICMP */
	bool has_dport;
	uint16_t dport_lo, dport_hi; /* inclusive, host order */
	struct sf_fw_cidr src, dst;
	uint64_t hits;
};

struct sf_fw_rules {
	struct sf_fw_rule *rules;  /* owned, n entries */
	unsigned int n;
	enum sf_fw_action def;
	uint64_t default_hits;
};

/**
 * sf_fw_rules_parse() - build @fw from a parsed config object.
 * @path: names the file in errors; @err: "PATH: rules[3].dport: ...".
 * Unknown fields are errors. On failure @fw is left empty (no leak).
 * Return: 0, -EINVAL (message in @err) or -ENOMEM.
 */
int sf_fw_rules_parse(struct sf_fw_rules *fw, const cJSON *root,
		      const char *path, char *err, size_t errlen);

/**
 * sf_fw_cidr_parse() - "10.0.0.0/8", "2001:db8::/32", a bare address (a
 * host prefix) or "any". Host bits must be zero. Return: 0 or -EINVAL.
 */
int sf_fw_cidr_parse(const char *s, struct sf_fw_cidr *out);

/**
 * sf_fw_rules_match() - index of the first rule matching @in, or -1 when
 * none does (the default applies). A rule with a dport never matches a
 * non-first fragment (its ports are unknown). Pure: counts nothing.
 */
int sf_fw_rules_match(const struct sf_fw_rules *fw, const struct sf_inner *in);

/** sf_fw_rules_eval() - match, count the hit, return the action. */
enum sf_fw_action sf_fw_rules_eval(struct sf_fw_rules *fw,
				   const struct sf_inner *in);

/** sf_fw_rules_stats_json() - "firewall": {default, default_hits, rules}. */
void sf_fw_rules_stats_json(const struct sf_fw_rules *fw, struct sfc_jbuf *jb);

/** sf_fw_rules_free() - release the rules; @fw becomes empty. */
void sf_fw_rules_free(struct sf_fw_rules *fw);

#endif /* SF_FW_RULES_H */
