// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_chain.c - ServiceChain parsing and SPI derivation, and the
 * object framing (JSON object, metadata.name) it shares with Pods.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>

#include "sfc_control.h"

#define HDR "\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","

static const char valid[] = "{" HDR "\"metadata\":{\"name\":\"fw-count\"},"
	"\"spec\":{\"functions\":[\"firewall\",\"counter\"],"
	"\"failurePolicy\":\"fail-open\","
	"\"match\":[{\"direction\":\"egress\",\"protocol\":\"tcp\","
	"\"cidr\":\"10.0.0.0/8\",\"ports\":\"80\"},"
	"{\"direction\":\"ingress\",\"protocol\":\"udp\",\"ports\":\"5000-5100\"}]}}";

Test(control_chain, valid)
{
	struct sfc_chain c;
	char err[256] = "";

	cr_assert_eq(sfc_chain_parse(valid, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.name, "fw-count");
	cr_assert_eq(c.n_sfs, 2);
	cr_assert_str_eq(c.sfs[0], "firewall");
	cr_assert_str_eq(c.sfs[1], "counter");
	cr_assert_eq(c.policy, SFC_FAIL_OPEN);
	cr_assert_eq(c.n_match, 2);
	cr_assert_eq(c.match[0].dir, SFC_DIR_EGRESS);
	cr_assert_eq(c.match[0].rule.proto, IPPROTO_TCP);
	cr_assert_eq(c.match[0].rule.family, 4);
	cr_assert_eq(c.match[0].rule.prefix_len, 8);
	cr_assert_eq(c.match[0].rule.port_lo, 80);
	cr_assert_eq(c.match[0].rule.port_hi, 80);
	cr_assert_eq(c.match[1].dir, SFC_DIR_INGRESS);
	cr_assert_eq(c.match[1].rule.port_lo, 5000);
	cr_assert_eq(c.match[1].rule.port_hi, 5100);
	cr_assert_eq(c.spi, sfc_chain_spi("fw-count"));
}

Test(control_chain, defaults)
{
	const char *j = "{" HDR "\"metadata\":{\"name\":\"m\"},"
			"\"spec\":{\"functions\":[\"monitor\"],"
			"\"match\":[{\"cidr\":\"fd00::1\"}]}}";
	struct sfc_chain c;
	char err[256] = "";

	cr_assert_eq(sfc_chain_parse(j, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.policy, SFC_FAIL_CLOSED);
	cr_assert_eq(c.match[0].dir, SFC_DIR_EGRESS);
	cr_assert_eq(c.match[0].rule.proto, 0);
	cr_assert_eq(c.match[0].rule.family, 6);
	cr_assert_eq(c.match[0].rule.prefix_len, 128);
	cr_assert_eq(c.match[0].rule.port_lo, 0);
	cr_assert_eq(c.match[0].rule.port_hi, 65535);

	j = "{" HDR "\"metadata\":{\"name\":\"n\"},\"spec\":{\"functions\":[\"a\"]}}";
	cr_assert_eq(sfc_chain_parse(j, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.n_match, 0);
	cr_assert_eq(c.policy, SFC_FAIL_CLOSED);
}

struct bad_case {
	const char *json;
	const char *field; /* must appear in the error */
};

static const struct bad_case bad[] = {
	{ "[1]", "JSON object" },
	{ "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"Pod\"}", "kind" },
	{ "{\"apiVersion\":\"v1\",\"kind\":\"ServiceChain\"}", "apiVersion" },
	{ "{" HDR "\"spec\":{}}", "metadata" },
	{ "{" HDR "\"metadata\":{}}", "metadata: name" },
	{ "{" HDR "\"metadata\":{\"name\":\"a/b\"},\"spec\":{\"functions\":[\"x\"]}}", "metadata.name" },
	{ "{" HDR "\"metadata\":{\"name\":7}}", "name" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"}}", "spec" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{}}", "spec.functions" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[]}}", "spec.functions" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\",3]}}", "spec.functions[1]" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"failurePolicy\":\"maybe\"}}", "spec.failurePolicy" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"failurepolicy\":\"fail-open\"}}", "spec.failurepolicy: unknown field" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":{}}}", "spec.match" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[1]}}", "spec.match[0]" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{},{\"direction\":\"up\"}]}}", "spec.match[1].direction" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"protocol\":\"sctp\"}]}}", "spec.match[0].protocol" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"cidr\":\"10.0.0.0/33\"}]}}", "spec.match[0].cidr" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"cidr\":\"nonsense\"}]}}", "spec.match[0].cidr" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"protocol\":\"icmp\",\"cidr\":\"fd00::/8\"}]}}", "spec.match[0].cidr" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"protocol\":\"tcp\",\"ports\":\"90-80\"}]}}", "spec.match[0].ports" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"protocol\":\"tcp\",\"ports\":\"70000\"}]}}", "spec.match[0].ports" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"protocol\":\"tcp\",\"ports\":\"http\"}]}}", "spec.match[0].ports" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"protocol\":\"icmp\",\"ports\":\"80\"}]}}", "spec.match[0].ports" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"port\":\"80\"}]}}", "spec.match[0].port: unknown field" },
	{ "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[{\"cidr\":5}]}}", "spec.match[0]: cidr" },
};

Test(control_chain, malformed_fields_named)
{
	struct sfc_chain c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(sfc_chain_parse(bad[i].json, &c, err, sizeof(err)), -EINVAL,
			     "case %zu accepted", i);
		cr_assert(strstr(err, bad[i].field), "case %zu: error \"%s\" lacks \"%s\"",
			  i, err, bad[i].field);
	}
}

Test(control_chain, too_many_matches)
{
	char j[4096], err[256] = "";
	struct sfc_chain c;
	int i;

	strcpy(j, "{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":[\"a\"],\"match\":[");
	for (i = 0; i <= SFC_MAX_RULES; i++)
		strcat(j, i ? ",{}" : "{}");
	strcat(j, "]}}");
	cr_assert_eq(sfc_chain_parse(j, &c, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "spec.match"), "%s", err);
}

Test(control_chain, spi_stable_even_in_range)
{
	static const char *names[] = { "fw-count", "a", "b", "monitor",
		"a-very-long-chain-name-with-many-characters-0123456789", "x1", "x2" };
	uint32_t s;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = sfc_chain_spi(names[i]);
		cr_assert_eq(s, sfc_chain_spi(names[i]));
		cr_assert_eq(s % 2, 0, "%s -> %u odd", names[i], s);
		cr_assert(s >= 1 && s + 1 <= SFC_SPI_MAX - 0 && s <= SFC_SPI_MAX - 1,
			  "%s -> %u out of range", names[i], s);
	}
	cr_assert_neq(sfc_chain_spi("a"), sfc_chain_spi("b"));
	/* pinned values: the SPI must never change across releases (those
	 * of the demo's chains, from before the hash moved to common/) */
	cr_assert_eq(sfc_chain_spi("fw-count"), 10826300);
	cr_assert_eq(sfc_chain_spi("fw-nat-mon"), 13678882);
}

struct framing_case {
	bool pod;          /* sfc_pod_parse(), else sfc_chain_parse() */
	const char *json;
	const char *err;   /* the whole error, byte for byte */
};

/* The messages both parsers give for the framing they share. */
static const struct framing_case framing[] = {
	{ false, "[1]", "not a JSON object" },
	{ true, "[1]", "not a JSON object" },
	{ false, "{", "not a JSON object" },
	{ true, "7", "not a JSON object" },
	{ false, "{\"apiVersion\":\"sfc.io/v1alpha1\"}", "kind: missing" },
	{ true, "{}", "kind: expected \"Pod\"" },
	{ false, "{\"kind\":\"Pod\"}", "kind: expected \"ServiceChain\"" },
	{ true, "{\"kind\":\"ServiceChain\"}", "kind: expected \"Pod\"" },
	{ false, "{" HDR "\"metadata\":[]}", "metadata: missing or not an object" },
	{ true, "{\"kind\":\"Pod\"}", "metadata: missing or not an object" },
	{ false, "{" HDR "\"metadata\":{}}", "metadata: name: missing" },
	{ true, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"\"}}", "metadata: name: empty" },
	{ false, "{" HDR "\"metadata\":{\"name\":7}}", "metadata: name: not a string" },
	{ true, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":1}}",
	  "metadata: namespace: not a string" },
	{ false, "{" HDR "\"metadata\":{\"name\":\"a/b\"}}", "metadata.name: invalid name" },
	{ true, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"..\"}}",
	  "metadata: invalid namespace/name" },
};

Test(control_chain, framing_errors_exact)
{
	struct sfc_chain c;
	struct sfc_pod p;
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(framing) / sizeof(framing[0]); i++) {
		memset(err, 'x', sizeof(err));
		err[sizeof(err) - 1] = '\0';
		rc = framing[i].pod ? sfc_pod_parse(framing[i].json, &p, err, sizeof(err))
				    : sfc_chain_parse(framing[i].json, &c, err, sizeof(err));
		cr_assert_eq(rc, -EINVAL, "case %zu accepted", i);
		cr_assert_str_eq(err, framing[i].err, "case %zu", i);
	}
}

/* A failed parse leaves a zeroed object, except a chain's name once read
 * (the store finds a broken file's chain by it); NULL @err is allowed. */
Test(control_chain, failed_parse_leaves)
{
	struct sfc_chain c;
	struct sfc_pod p;

	memset(&c, 0xff, sizeof(c));
	cr_assert_eq(sfc_chain_parse("[]", &c, NULL, 0), -EINVAL);
	cr_assert_str_eq(c.name, "");
	cr_assert_eq(c.spi, 0);
	cr_assert_eq(sfc_chain_parse("{" HDR "\"metadata\":{\"name\":\"a/b\"}}", &c,
				     NULL, 0), -EINVAL);
	cr_assert_str_eq(c.name, "", "an invalid name is not kept");
	cr_assert_eq(sfc_chain_parse("{" HDR "\"metadata\":{\"name\":\"c\"},\"spec\":{}}",
				     &c, NULL, 0), -EINVAL);
	cr_assert_str_eq(c.name, "c");
	cr_assert_eq(c.spi, sfc_chain_spi("c"));
	memset(&p, 0xff, sizeof(p));
	cr_assert_eq(sfc_pod_parse("{\"kind\":\"Pod\"}", &p, NULL, 0), -EINVAL);
	cr_assert_str_eq(p.name, "");
	cr_assert_str_eq(p.ns, "");
	cr_assert_eq(p.info.unaware, 0);
}
