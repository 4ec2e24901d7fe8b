/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ids_rules.h - sf-ids rules file: one rule per line,
 *
 *   id:<n> action:<alert|drop> [proto:<tcp|udp|any>] [port:<p|lo-hi>]
 *       pattern:/<regex>/<flags>
 *
 * fields separated by blanks, in any order except that pattern comes last
 * (the regex runs to the last '/' of the line and may contain blanks and
 * slashes). id: 1..4294967295, unique. proto defaults to any; port, when
 * given, matches either port of the packet (so a rule on port 80 sees both
 * directions of an HTTP connection). regex: Hyperscan (PCRE subset);
 * flags: i caseless, s dot matches newline, m multi-line anchors, u UTF-8.
 * Blank lines and lines starting with '#' are ignored.
 */
#ifndef SF_IDS_RULES_H
#define SF_IDS_RULES_H

#include <stddef.h>
#include <stdint.h>

#define SF_IDS_MAX_RULES 10000
#define SF_IDS_MAX_LINE 4096

enum sf_ids_action { SF_IDS_ALERT = 0, SF_IDS_DROP = 1 };

struct sf_ids_rule {
	uint32_t id;
	enum sf_ids_action action;
	uint8_t proto;          /* 0 any, IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port_lo, port_hi; /* 0-65535 when no port: was given */
	char *regex;            /* owned, without slashes and flags */
	unsigned int hs_flags;  /* HS_FLAG_* */
	unsigned int line;      /* 1-based line in the file */
};

struct sf_ids_ruleset {
	struct sf_ids_rule *r; /* owned */
	unsigned int n;
};

/**
 * sf_ids_rules_parse() - parse the rules @text into @rs (zeroed first).
 * @what: the file name for messages.
 * @err: on failure "WHAT: line N: message" (the first bad line).
 * Return: 0; -EINVAL on a bad line; -E2BIG over SF_IDS_MAX_RULES rules or
 * a line over SF_IDS_MAX_LINE; -ENOMEM. @rs is empty on failure.
 */
int sf_ids_rules_parse(const char *text, const char *what,
		       struct sf_ids_ruleset *rs, char *err, size_t errlen);

/** sf_ids_rules_free() - free @rs; safe on a zeroed set. */
void sf_ids_rules_free(struct sf_ids_ruleset *rs);

/** sf_ids_rule_applies() - whether @r's proto/port filter takes a packet
 * of @proto between @sport and @dport. */
int sf_ids_rule_applies(const struct sf_ids_rule *r, uint8_t proto,
			uint16_t sport, uint16_t dport);

#endif /* SF_IDS_RULES_H */
