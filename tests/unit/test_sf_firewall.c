// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_firewall.c - sf-firewall config parsing and rule matching.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>

#include "config.h"
#include "fw_rules.h"

static char err[512];

static int load(struct sf_fw_rules *fw, const char *json)
{
	cJSON *root = NULL;
	int ret;

	err[0] = '\0';
	ret = sf_config_parse(json, "fw.json", &root, err, sizeof(err));
	if (ret)
		return ret;
	ret = sf_fw_rules_parse(fw, root, "fw.json", err, sizeof(err));
	cJSON_Delete(root);
	return ret;
}

static struct sf_inner pkt(const char *src, const char *dst, uint8_t proto,
			   uint16_t dport)
{
	struct sf_inner in;

	memset(&in, 0, sizeof(in));
	in.t.family = strchr(src, ':') ? 6 : 4;
	inet_pton(in.t.family == 6 ? AF_INET6 : AF_INET, src, in.t.src);
	inet_pton(in.t.family == 6 ? AF_INET6 : AF_INET, dst, in.t.dst);
	in.t.proto = proto;
	in.t.sport = 40000;
	in.t.dport = dport;
	return in;
}

/* Each bad config must fail and its message must name file and field. */
Test(sf_firewall, config_errors_name_the_field)
{
	static const struct { const char *json, *needle; } cases[] = {
		{ "{\"rules\": 3}", "fw.json: rules: must be an array" },
		{ "{\"default\": \"maybe\"}", "fw.json: default:" },
		{ "{\"rules\": [], \"bogus\": 1}", "fw.json: bogus: unknown" },
		{ "{\"rules\": [{}]}", "rules[0].action" },
		{ "{\"rules\": [{\"action\": \"allow\"}, {\"action\": \"drop\"}]}",
		  "rules[1].action" },
		{ "{\"rules\": [{\"action\": \"deny\", \"protocol\": \"gre\"}]}",
		  "rules[0].protocol" },
		{ "{\"rules\": [{\"action\": \"deny\", \"src\": \"10.0.0.0/33\"}]}",
		  "rules[0].src" },
		{ "{\"rules\": [{\"action\": \"deny\", \"src\": \"10.0.0.1/8\"}]}",
		  "rules[0].src" },
		{ "{\"rules\": [{\"action\": \"deny\", \"dst\": \"nope\"}]}",
		  "rules[0].dst" },
		{ "{\"rules\": [{\"action\": \"deny\", \"src\": \"10.0.0.0/8\","
		  " \"dst\": \"::/0\"}]}", "rules[0].dst: address family" },
		{ "{\"rules\": [{\"action\": \"deny\", \"dport\": \"80\"}]}",
		  "rules[0].dport: needs protocol" },
		{ "{\"rules\": [{\"action\": \"deny\", \"protocol\": \"tcp\","
		  " \"dport\": \"90-80\"}]}", "rules[0].dport" },
		{ "{\"rules\": [{\"action\": \"deny\", \"protocol\": \"udp\","
		  " \"dport\": \"70000\"}]}", "rules[0].dport" },
		{ "{\"rules\": [{\"action\": \"deny\", \"protocol\": \"udp\","
		  " \"dport\": \"8x\"}]}", "rules[0].dport" },
		{ "{\"rules\": [{\"action\": \"deny\", \"dprot\": 1}]}",
		  "rules[0].dprot: unknown field" },
		{ "{\"rules\": [\n{\"action\": \"deny\",}]}", "fw.json: line 2" },
		{ "[1]", "top level" },
	};
	struct sf_fw_rules fw;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(load(&fw, cases[i].json), -EINVAL, "case %zu", i);
		cr_assert(strstr(err, cases[i].needle), "case %zu: '%s' lacks '%s'",
			  i, err, cases[i].needle);
		cr_assert_null(fw.rules);
	}
}

Test(sf_firewall, config_values)
{
	struct sf_fw_rules fw;

	cr_assert_eq(load(&fw, "{\"rules\": [{\"action\": \"deny\", "
			       "\"protocol\": \"tcp\", \"src\": \"10.1.0.0/16\","
			       " \"dst\": \"any\", \"dport\": \"5000-5100\"},"
			       "{\"action\": \"allow\", \"protocol\": \"udp\","
			       " \"dport\": 53}], \"default\": \"deny\"}"), 0, "%s", err);
	cr_assert_eq(fw.n, 2);
	cr_assert_eq(fw.def, SF_FW_DENY);
	cr_assert_eq(fw.rules[0].action, SF_FW_DENY);
	cr_assert_eq(fw.rules[0].proto, IPPROTO_TCP);
	cr_assert_eq(fw.rules[0].src.family, 4);
	cr_assert_eq(fw.rules[0].src.plen, 16);
	cr_assert_eq(fw.rules[0].dst.family, 0);
	cr_assert_eq(fw.rules[0].dport_lo, 5000);
	cr_assert_eq(fw.rules[0].dport_hi, 5100);
	cr_assert_eq(fw.rules[1].dport_lo, 53);
	cr_assert_eq(fw.rules[1].dport_hi, 53);
	sf_fw_rules_free(&fw);
	cr_assert_eq(load(&fw, "{}"), 0);
	cr_assert_eq(fw.def, SF_FW_ALLOW, "default defaults to allow");
	sf_fw_rules_free(&fw);
}

Test(sf_firewall, cidr_v4_v6)
{
	struct sf_fw_rules fw;
	struct sf_inner in;

	cr_assert_eq(load(&fw, "{\"rules\": ["
			       "{\"action\": \"deny\", \"src\": \"10.1.128.0/17\"},"
			       "{\"action\": \"deny\", \"dst\": \"2001:db8:0:8000::/49\"},"
			       "{\"action\": \"deny\", \"dst\": \"192.0.2.7\"}]}"), 0, "%s", err);
	in = pkt("10.1.200.1", "1.1.1.1", IPPROTO_TCP, 80);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), 0);
	in = pkt("10.1.127.255", "1.1.1.1", IPPROTO_TCP, 80);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1, "outside /17");
	in = pkt("2001:db8::1", "2001:db8:0:ffff::1", IPPROTO_UDP, 1);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), 1);
	in = pkt("2001:db8::1", "2001:db8:0:7fff::1", IPPROTO_UDP, 1);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1, "outside /49");
	in = pkt("::ffff:10.1.200.1", "::1", IPPROTO_UDP, 1);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1, "v4 rule vs v6 packet");
	in = pkt("1.2.3.4", "192.0.2.7", IPPROTO_ICMP, 0);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), 2, "host address");
	in = pkt("1.2.3.4", "192.0.2.8", IPPROTO_ICMP, 0);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1);
	sf_fw_rules_free(&fw);
}

Test(sf_firewall, ports_protocol_order_default)
{
	struct sf_fw_rules fw;
	struct sf_inner in;

	cr_assert_eq(load(&fw, "{\"rules\": ["
			       "{\"action\": \"allow\", \"protocol\": \"tcp\", \"dport\": \"5050\"},"
			       "{\"action\": \"deny\", \"protocol\": \"tcp\", \"dport\": \"5000-5100\"},"
			       "{\"action\": \"deny\", \"protocol\": \"icmp\"},"
			       "{\"action\": \"allow\", \"protocol\": \"any\", \"dst\": \"10.9.0.0/16\"}],"
			       "\"default\": \"deny\"}"), 0, "%s", err);
	in = pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 5050);
	cr_assert_eq(sf_fw_rules_eval(&fw, &in), SF_FW_ALLOW, "first match wins");
	in.t.dport = 5000;
	cr_assert_eq(sf_fw_rules_eval(&fw, &in), SF_FW_DENY, "range low edge");
	in.t.dport = 5100;
	cr_assert_eq(sf_fw_rules_eval(&fw, &in), SF_FW_DENY, "range high edge");
	in.t.dport = 5101;
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1);
	in.frag = true;
	in.t.dport = 0;
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1, "fragment: no port match");
	in = pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 5050);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), -1, "tcp rules skip udp");
	in = pkt("2001:db8::1", "2001:db8::2", IPPROTO_ICMPV6, 0);
	cr_assert_eq(sf_fw_rules_match(&fw, &in), 2, "icmp covers icmpv6");
	in = pkt("1.1.1.1", "10.9.3.3", IPPROTO_UDP, 9);
	cr_assert_eq(sf_fw_rules_eval(&fw, &in), SF_FW_ALLOW);
	in = pkt("1.1.1.1", "10.8.3.3", IPPROTO_UDP, 9);
	cr_assert_eq(sf_fw_rules_eval(&fw, &in), SF_FW_DENY, "default deny");
	cr_assert_eq(fw.rules[0].hits, 1);
	cr_assert_eq(fw.rules[1].hits, 2);
	cr_assert_eq(fw.rules[3].hits, 1);
	cr_assert_eq(fw.default_hits, 1);
	sf_fw_rules_free(&fw);
}

Test(sf_firewall, stats_json)
{
	struct sf_fw_rules fw;
	char buf[512];
	struct sfc_jbuf jb;
	cJSON *root;

	cr_assert_eq(load(&fw, "{\"rules\": [{\"action\": \"deny\"}]}"), 0);
	fw.rules[0].hits = 7;
	sfc_jbuf_init(&jb, buf, sizeof(buf));
	sfc_jbuf_open(&jb, NULL, '{');
	sf_fw_rules_stats_json(&fw, &jb);
	sfc_jbuf_close(&jb, '}');
	cr_assert_gt(sfc_jbuf_finish(&jb), 0);
	root = cJSON_Parse(buf);
	cr_assert_not_null(root, "%s", buf);
	cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(root, "firewall"), "rules"), 0), "hits")->valueint, 7);
	cJSON_Delete(root);
	sf_fw_rules_free(&fw);
}
