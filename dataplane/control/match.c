// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * match.c - one spec.match entry of a ServiceChain <-> struct sfc_rule.
 * The rule matches the peer: destination for egress, source for ingress.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "ctl_internal.h"

int sfc_match_parse(const cJSON *m, int idx, struct sfc_match *out,
		    char *err, size_t errlen);

static const struct {
	const char *name;
	uint8_t proto;
	uint8_t family;
} protos[] = {
	{ "any", 0, 0 },
	{ "tcp", IPPROTO_TCP, 0 },
	{ "udp", IPPROTO_UDP, 0 },
	{ "icmp", IPPROTO_ICMP, 4 },
	{ "icmpv6", IPPROTO_ICMPV6, 6 },
};

static int parse_proto(const char *s, struct sfc_rule *r)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcmp(s, protos[i].name)) {
			r->proto = protos[i].proto;
			r->family = protos[i].family;
			return 0;
		}
	}
	return -EINVAL;
}

static void mask_addr(uint8_t *a, int bytes, int prefix)
{
	int i, keep;

	for (i = 0; i < bytes; i++) {
		keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (uint8_t)(0xFF << (8 - keep));
	}
}

/* "10.0.0.0/8", "fd00::/64", or a bare address (full-length prefix). */
static int parse_cidr(const char *s, struct sfc_rule *r)
{
	char buf[64], *slash, *end;
	int family, max;
	long pfx;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	family = strchr(buf, ':') ? 6 : 4;
	max = family == 4 ? 32 : 128;
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf, r->addr) != 1)
		return -EINVAL;
	pfx = max;
	if (slash) {
		pfx = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || pfx < 0 || pfx > max)
			return -EINVAL;
	}
	if (r->family && r->family != family)
		return -EPROTOTYPE;
	r->family = (uint8_t)family;
	r->prefix_len = (uint8_t)pfx;
	mask_addr((uint8_t *)r->addr, max / 8, (int)pfx);
	return 0;
}

static int parse_port(const char *s, char **end)
{
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, end, 10);
	return v > 65535 ? -1 : (int)v;
}

/* "80" or "5000-5100". */
static int parse_ports(const char *s, struct sfc_rule *r)
{
	char *end;
	int lo, hi;

	lo = parse_port(s, &end);
	if (lo < 0)
		return -EINVAL;
	hi = lo;
	if (*end == '-') {
		hi = parse_port(end + 1, &end);
		if (hi < 0)
			return -EINVAL;
	}
	if (*end || hi < lo)
		return -EINVAL;
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return 0;
}

static int match_field(const cJSON *m, const char *key, char *buf, size_t len,
		       int idx, char *err, size_t errlen)
{
	char ctx[32];

	snprintf(ctx, sizeof(ctx), "spec.match[%d]", idx);
	return sfc_json_str(m, key, buf, len, false, ctx, err, errlen);
}

static int match_keys_ok(const cJSON *m, int idx, char *err, size_t errlen)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, m) {
		if (strcmp(it->string, "direction") && strcmp(it->string, "protocol") &&
		    strcmp(it->string, "cidr") && strcmp(it->string, "ports"))
			return sfc_errf(err, errlen, "spec.match[%d].%s: unknown field",
					idx, it->string);
	}
	return 0;
}

int sfc_match_parse(const cJSON *m, int idx, struct sfc_match *out,
		    char *err, size_t errlen)
{
	char dir[16], proto[16], cidr[64], ports[32];
	struct sfc_rule *r = &out->rule;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(m))
		return sfc_errf(err, errlen, "spec.match[%d]: expected an object", idx);
	rc = match_keys_ok(m, idx, err, errlen);
	if (!rc)
		rc = match_field(m, "direction", dir, sizeof(dir), idx, err, errlen);
	if (!rc)
		rc = match_field(m, "protocol", proto, sizeof(proto), idx, err, errlen);
	if (!rc)
		rc = match_field(m, "cidr", cidr, sizeof(cidr), idx, err, errlen);
	if (!rc)
		rc = match_field(m, "ports", ports, sizeof(ports), idx, err, errlen);
	if (rc)
		return rc;
	if (!dir[0] || !strcmp(dir, "egress"))
		out->dir = SFC_DIR_EGRESS;
	else if (!strcmp(dir, "ingress"))
		out->dir = SFC_DIR_INGRESS;
	else
		return sfc_errf(err, errlen,
				"spec.match[%d].direction: expected \"egress\" or \"ingress\"", idx);
	if (parse_proto(proto[0] ? proto : "any", r))
		return sfc_errf(err, errlen,
				"spec.match[%d].protocol: expected tcp, udp, icmp, icmpv6 or any", idx);
	rc = cidr[0] ? parse_cidr(cidr, r) : 0;
	if (rc == -EPROTOTYPE)
		return sfc_errf(err, errlen,
				"spec.match[%d].cidr: address family does not fit protocol %s",
				idx, proto);
	if (rc)
		return sfc_errf(err, errlen, "spec.match[%d].cidr: invalid CIDR \"%s\"",
				idx, cidr);
	r->port_lo = 0;
	r->port_hi = 65535;
	if (ports[0] && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		return sfc_errf(err, errlen,
				"spec.match[%d].ports: only valid with protocol tcp or udp", idx);
	if (ports[0] && parse_ports(ports, r))
		return sfc_errf(err, errlen,
				"spec.match[%d].ports: expected \"PORT\" or \"LO-HI\" within 0-65535", idx);
	return 0;
}

void sfc_rule_format(const struct sfc_rule *r, char *proto, char *cidr,
		     char *ports)
{
	char a[INET6_ADDRSTRLEN] = "";
	size_t i;

	strcpy(proto, "any");
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == r->proto)
			strcpy(proto, protos[i].name);
	if (r->proto && !strcmp(proto, "any"))
		snprintf(proto, 8, "%u", r->proto);
	cidr[0] = '\0';
	if (r->family == 4 || r->family == 6) {
		if (r->prefix_len || r->addr[0] || r->addr[1] || r->addr[2] || r->addr[3]) {
			inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
			snprintf(cidr, 64, "%s/%u", a, r->prefix_len);
		}
	}
	ports[0] = '\0';
	if (r->port_lo == r->port_hi)
		snprintf(ports, 16, "%u", r->port_lo);
	else if (r->port_lo != 0 || r->port_hi != 65535)
		snprintf(ports, 16, "%u-%u", r->port_lo, r->port_hi);
}
