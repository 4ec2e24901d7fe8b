// SPDX-License-Identifier: GPL-2.0-only
/*
 * fw_rules.c - sf-firewall config parsing. Matching is in fw_match.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config.h"
#include "fw_rules.h"

static const char *const rule_keys[] = {
	"action", "protocol", "src", "dst", "dport", "comment", NULL,
};
/* "max_connections" and "offload" belong to firewall.c. */
static const char *const top_keys[] = { "rules", "default", "comment",
					"max_connections", "offload", NULL };

static bool host_bits_clear(const struct sf_fw_cidr *c)
{
	unsigned int bytes = c->family == 4 ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned int first = i * 8;
		uint8_t mask;

		if (first + 8 <= c->plen)
			continue;
		mask = first >= c->plen ? 0 : (uint8_t)(0xFF << (8 - (c->plen - first)));
		if (c->addr[i] & ~mask)
			return false;
	}
	return true;
}

int sf_fw_cidr_parse(const char *s, struct sf_fw_cidr *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;

	memset(out, 0, sizeof(*out));
	if (!strcmp(s, "any"))
		return 0;
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = 6;
	else
		return -EINVAL;
	plen = out->family == 4 ? 32 : 128;
	if (slash && sf_parse_uint(slash + 1, strlen(slash + 1), plen, &plen))
		return -EINVAL;
	out->plen = (uint8_t)plen;
	return host_bits_clear(out) ? 0 : -EINVAL;
}

static int parse_action(const cJSON *v, enum sf_fw_action *out)
{
	if (!cJSON_IsString(v))
		return -EINVAL;
	if (!strcmp(v->valuestring, "allow"))
		*out = SF_FW_ALLOW;
	else if (!strcmp(v->valuestring, "deny"))
		*out = SF_FW_DENY;
	else
		return -EINVAL;
	return 0;
}

static int parse_proto(const cJSON *v, uint8_t *out)
{
	static const struct { const char *name; uint8_t proto; } map[] = {
		{ "any", SF_FW_PROTO_ANY }, { "tcp", IPPROTO_TCP },
		{ "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
	};
	size_t i;

	if (!v) {
		*out = SF_FW_PROTO_ANY;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -EINVAL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(v->valuestring, map[i].name)) {
			*out = map[i].proto;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_cidr_field(const cJSON *rule, const char *key,
			    struct sf_fw_cidr *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rule, key);

	memset(out, 0, sizeof(*out));
	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return -EINVAL;
	return sf_fw_cidr_parse(v->valuestring, out);
}

static int rule_err(const char *path, unsigned int idx, const char *field,
		    const char *msg, char *err, size_t errlen)
{
	char name[48];

	snprintf(name, sizeof(name), "rules[%u].%s", idx, field);
	return sf_config_err(err, errlen, path, name, "%s", msg);
}

static int parse_rule(const cJSON *j, unsigned int idx, struct sf_fw_rule *r,
		      const char *path, char *err, size_t errlen)
{
	const cJSON *dport = cJSON_GetObjectItemCaseSensitive(j, "dport");
	char prefix[24];
	int ret;

	snprintf(prefix, sizeof(prefix), "rules[%u]", idx);
	if (!cJSON_IsObject(j))
		return sf_config_err(err, errlen, path, prefix,
				     "must be an object");
	ret = sf_config_check_keys(j, rule_keys, path, prefix, err, errlen);
	if (ret)
		return ret;
	if (parse_action(cJSON_GetObjectItemCaseSensitive(j, "action"),
			 &r->action))
		return rule_err(path, idx, "action",
				"required, \"allow\" or \"deny\"", err, errlen);
	if (parse_proto(cJSON_GetObjectItemCaseSensitive(j, "protocol"),
			&r->proto))
		return rule_err(path, idx, "protocol",
				"expected \"tcp\", \"udp\", \"icmp\" or \"any\"", err, errlen);
	if (parse_cidr_field(j, "src", &r->src))
		return rule_err(path, idx, "src",
				"invalid CIDR (e.g. \"10.0.0.0/8\")", err, errlen);
	if (parse_cidr_field(j, "dst", &r->dst))
		return rule_err(path, idx, "dst",
				"invalid CIDR (e.g. \"10.0.0.0/8\")", err, errlen);
	if (r->src.family && r->dst.family && r->src.family != r->dst.family)
		return rule_err(path, idx, "dst",
				"address family differs from src", err, errlen);
	if (!dport)
		return 0;
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		return rule_err(path, idx, "dport",
				"needs protocol \"tcp\" or \"udp\"", err, errlen);
	if (sf_config_ports(dport, &r->dport_lo, &r->dport_hi))
		return rule_err(path, idx, "dport",
				"expected \"PORT\" or \"LO-HI\" in 0..65535", err, errlen);
	r->has_dport = true;
	return 0;
}

static int parse_top(struct sf_fw_rules *fw, const cJSON *root,
		     const char *path, char *err, size_t errlen)
{
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(root, "default");
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
	int ret;

	ret = sf_config_check_keys(root, top_keys, path, "", err, errlen);
	if (ret)
		return ret;
	fw->def = SF_FW_ALLOW;
	if (def && parse_action(def, &fw->def))
		return sf_config_err(err, errlen, path, "default",
				     "expected \"allow\" or \"deny\"");
	if (rules && !cJSON_IsArray(rules))
		return sf_config_err(err, errlen, path, "rules",
				     "must be an array");
	if (cJSON_GetArraySize(rules) > SF_FW_MAX_RULES)
		return sf_config_err(err, errlen, path, "rules",
				     "more than %d rules", SF_FW_MAX_RULES);
	return 0;
}

int sf_fw_rules_parse(struct sf_fw_rules *fw, const cJSON *root,
		      const char *path, char *err, size_t errlen)
{
	const cJSON *rules, *it;
	unsigned int n;
	int ret;

	memset(fw, 0, sizeof(*fw));
	if (!cJSON_IsObject(root))
		return sf_config_err(err, errlen, path, NULL,
				     "top level must be an object");
	ret = parse_top(fw, root, path, err, errlen);
	if (ret)
		return ret;
	rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
	n = (unsigned int)cJSON_GetArraySize(rules);
	if (n) {
		fw->rules = calloc(n, sizeof(*fw->rules));
		if (!fw->rules)
			return -ENOMEM;
	}
	cJSON_ArrayForEach(it, rules) {
		ret = parse_rule(it, fw->n, &fw->rules[fw->n], path, err,
				 errlen);
		if (ret) {
			sf_fw_rules_free(fw);
			return ret;
		}
		fw->n++;
	}
	return 0;
}

void sf_fw_rules_free(struct sf_fw_rules *fw)
{
	free(fw->rules);
	memset(fw, 0, sizeof(*fw));
}
