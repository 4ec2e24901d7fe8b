// SPDX-License-Identifier: GPL-2.0-only
/*
 * ids_rules.c - sf-ids rules file parser. See ids_rules.h.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hs/hs.h>

#include "config.h"
#include "ids_rules.h"

struct pctx {
	const char *what;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int perr(struct pctx *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct pctx *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s: line %u: ", p->what, p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int parse_port(struct pctx *p, const char *v, struct sf_ids_rule *r)
{
	if (sf_parse_ports(v, &r->port_lo, &r->port_hi))
		return perr(p, "port: expected N or LO-HI in 0..65535, got '%s'", v);
	return 0;
}

static int parse_flags(struct pctx *p, const char *f, unsigned int *out)
{
	*out = HS_FLAG_SINGLEMATCH; /* one alert per rule per stream */
	for (; *f; f++) {
		switch (*f) {
		case 'i': *out |= HS_FLAG_CASELESS; break;
		case 's': *out |= HS_FLAG_DOTALL; break;
		case 'm': *out |= HS_FLAG_MULTILINE; break;
		case 'u': *out |= HS_FLAG_UTF8 | HS_FLAG_UCP; break;
		default:
			return perr(p, "pattern: unknown flag '%c' (i, s, m, u)", *f);
		}
	}
	return 0;
}

/* "/regex/flags" to the end of the line (trailing blanks trimmed). */
static int parse_pattern(struct pctx *p, char *v, struct sf_ids_rule *r)
{
	size_t len = strlen(v);
	char *last;

	while (len && isspace((unsigned char)v[len - 1]))
		v[--len] = '\0';
	last = strrchr(v, '/');
	if (v[0] != '/' || last == v)
		return perr(p, "pattern: expected /regex/flags");
	if (last == v + 1)
		return perr(p, "pattern: empty regex");
	if (parse_flags(p, last + 1, &r->hs_flags))
		return -EINVAL;
	r->regex = strndup(v + 1, (size_t)(last - v - 1));
	return r->regex ? 0 : -ENOMEM;
}

/* One "key:value" field; sets the bit of the key in *seen. */
static int parse_field(struct pctx *p, char *tok, struct sf_ids_rule *r,
		       unsigned int *seen)
{
	static const char *const keys[] = { "id", "action", "proto", "port" };
	char *v = strchr(tok, ':');
	unsigned long id;
	unsigned int k;

	if (!v)
		return perr(p, "expected key:value, got '%s'", tok);
	*v++ = '\0';
	for (k = 0; k < 4 && strcmp(tok, keys[k]); k++)
		;
	if (k == 4)
		return perr(p, "unknown field '%s' (id, action, proto, port, pattern)", tok);
	if (*seen & (1u << k))
		return perr(p, "%s given twice", tok);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		if (sf_parse_uint(v, strlen(v), UINT32_MAX, &id) || id == 0)
			return perr(p, "id: expected an integer in 1..4294967295, got '%s'", v);
		r->id = (uint32_t)id;
		return 0;
	case 1:
		if (strcmp(v, "alert") && strcmp(v, "drop"))
			return perr(p, "action: expected alert or drop, got '%s'", v);
		r->action = v[0] == 'd' ? SF_IDS_DROP : SF_IDS_ALERT;
		return 0;
	case 2:
		if (strcmp(v, "tcp") && strcmp(v, "udp") && strcmp(v, "any"))
			return perr(p, "proto: expected tcp, udp or any, got '%s'", v);
		r->proto = v[0] == 't' ? IPPROTO_TCP : v[0] == 'u' ? IPPROTO_UDP : 0;
		return 0;
	}
	return parse_port(p, v, r);
}

static int parse_line(struct pctx *p, char *s, struct sf_ids_rule *r)
{
	unsigned int seen = 0;
	char *tok, *pat;

	memset(r, 0, sizeof(*r));
	r->port_hi = 65535;
	r->line = p->line;
	pat = strstr(s, "pattern:");
	if (!pat)
		return perr(p, "missing pattern:/regex/flags");
	if (pat != s && !isspace((unsigned char)pat[-1]))
		return perr(p, "expected blank before pattern:");
	*pat = '\0';
	for (tok = strtok(s, " \t\r"); tok; tok = strtok(NULL, " \t\r"))
		if (parse_field(p, tok, r, &seen))
			return -EINVAL;
	if (!(seen & 1u))
		return perr(p, "missing id:");
	if (!(seen & 2u))
		return perr(p, "missing action:");
	return parse_pattern(p, pat + strlen("pattern:"), r);
}

static int add_rule(struct pctx *p, struct sf_ids_ruleset *rs,
		    struct sf_ids_rule *r, unsigned int *cap)
{
	struct sf_ids_rule *n;
	unsigned int i;

	for (i = 0; i < rs->n; i++)
		if (rs->r[i].id == r->id)
			return perr(p, "id %u already used on line %u", r->id,
				    rs->r[i].line);
	if (rs->n == SF_IDS_MAX_RULES) {
		perr(p, "more than %d rules", SF_IDS_MAX_RULES);
		return -E2BIG;
	}
	if (rs->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		n = realloc(rs->r, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rs->r = n;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

int sf_ids_rules_parse(const char *text, const char *what,
		       struct sf_ids_ruleset *rs, char *err, size_t errlen)
{
	struct pctx p = { .what = what, .err = err, .errlen = errlen };
	char buf[SF_IDS_MAX_LINE + 1];
	struct sf_ids_rule r;
	unsigned int cap = 0;
	const char *nl;
	size_t len, lead;
	int ret = 0;

	memset(rs, 0, sizeof(*rs));
	for (; *text && !ret; text = nl ? nl + 1 : text + len) {
		p.line++;
		nl = strchr(text, '\n');
		len = nl ? (size_t)(nl - text) : strlen(text);
		if (len > SF_IDS_MAX_LINE) {
			perr(&p, "line longer than %d bytes", SF_IDS_MAX_LINE);
			ret = -E2BIG;
			break;
		}
		memcpy(buf, text, len);
		buf[len] = '\0';
		lead = strspn(buf, " \t\r");
		if (!buf[lead] || buf[lead] == '#')
			continue;
		ret = parse_line(&p, buf + lead, &r);
		if (!ret) {
			ret = add_rule(&p, rs, &r, &cap);
			if (ret)
				free(r.regex);
		}
	}
	if (ret)
		sf_ids_rules_free(rs);
	return ret;
}

void sf_ids_rules_free(struct sf_ids_ruleset *rs)
{
	unsigned int i;

	for (i = 0; i < rs->n; i++)
		free(rs->r[i].regex);
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

int sf_ids_rule_applies(const struct sf_ids_rule *r, uint8_t proto,
			uint16_t sport, uint16_t dport)
{
	if (r->proto && r->proto != proto)
		return 0;
	return (sport >= r->port_lo && sport <= r->port_hi) ||
	       (dport >= r->port_lo && dport <= r->port_hi);
}
