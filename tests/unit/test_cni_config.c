// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cni_config.c - sfc-cni parsing without root: network config
 * (defaults, every field, malformed input, versions), CNI_* environment,
 * CNI_ARGS, ifname rules, host veth naming, IPAM result parsing and the
 * result / error / VERSION JSON shapes.
 *
 * The unit binary links the libraries, not the cni/ objects, so the two
 * pure cni sources are compiled into this test directly.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>
#include "cni.h"

#define MIN_CONF "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"sfc-cni\"," \
		 "\"ipam\":{\"type\":\"host-local\"}}"

static int parse(const char *json, struct cni_conf *c, struct cni_err *e)
{
	memset(e, 0, sizeof(*e));
	return cni_conf_parse(json, strlen(json), c, e);
}

/* Parse @json expecting failure with @code. */
static void expect_code(const char *json, int code)
{
	struct cni_conf c;
	struct cni_err e;

	cr_assert_lt(parse(json, &c, &e), 0, "accepted: %s", json);
	cr_assert_eq(e.code, code, "code %d (want %d) msg '%s' for %s", e.code,
		     code, e.msg, json);
	cr_assert_neq(e.msg[0], '\0');
	cni_conf_free(&c);
}

Test(cni_config, defaults)
{
	struct cni_conf c;
	struct cni_err e;

	cr_assert_eq(parse(MIN_CONF, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.cni_version, "1.0.0");
	cr_assert_str_eq(c.name, "net1");
	cr_assert_str_eq(c.ipam_type, "host-local");
	cr_assert_str_eq(c.bpffs_dir, SFC_PIN_DIR_DEFAULT);
	cr_assert_str_eq(c.state_dir, SFC_STATE_DIR_DEFAULT);
	cr_assert_str_eq(c.conf_dir, SFC_CONF_DIR_DEFAULT);
	cr_assert_str_eq(c.host_prefix, "sfc");
	cr_assert_eq(c.mtu, 1500);
	cr_assert_not(c.has_prev_result);
	cni_conf_free(&c);
}

Test(cni_config, every_field)
{
	const char *json =
		"{\"cniVersion\":\"0.4.0\",\"name\":\"n-2.x\",\"type\":\"sfc-cni\","
		"\"bpffsDir\":\"/sys/fs/bpf/t1\",\"stateDir\":\"/tmp/t1/state\","
		"\"confDir\":\"/tmp/t1/conf\",\"mtu\":9000,\"hostIfPrefix\":\"t1234\","
		"\"ipam\":{\"type\":\"static\",\"addresses\":[]},"
		"\"prevResult\":{\"ips\":[{\"address\":\"10.0.0.2/24\"}]},"
		"\"runtimeConfig\":{},\"args\":{}}";
	struct cni_conf c;
	struct cni_err e;

	cr_assert_eq(parse(json, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.cni_version, "0.4.0");
	cr_assert_str_eq(c.bpffs_dir, "/sys/fs/bpf/t1");
	cr_assert_str_eq(c.state_dir, "/tmp/t1/state");
	cr_assert_str_eq(c.conf_dir, "/tmp/t1/conf");
	cr_assert_str_eq(c.host_prefix, "t1234");
	cr_assert_str_eq(c.ipam_type, "static");
	cr_assert_eq(c.mtu, 9000);
	cr_assert(c.has_prev_result);
	cr_assert_not_null(cJSON_GetObjectItem(c.prev_result, "ips"));
	cni_conf_free(&c);
}

Test(cni_config, malformed_json_is_code_6)
{
	expect_code("", CNI_ERR_DECODE);
	expect_code("{", CNI_ERR_DECODE);
	expect_code("{\"cniVersion\": \"1.0.0\",}", CNI_ERR_DECODE);
	expect_code("[1, 2]", CNI_ERR_DECODE);
	expect_code("\"str\"", CNI_ERR_DECODE);
	expect_code(MIN_CONF " trailing", CNI_ERR_DECODE);
}

Test(cni_config, length_bounds_the_input)
{
	struct cni_conf c;
	struct cni_err e = { 0 };
	char buf[512];

	/* Not NUL-terminated where it ends: the parser must not read on. */
	snprintf(buf, sizeof(buf), "%sXXXX", MIN_CONF);
	cr_assert_eq(cni_conf_parse(buf, strlen(MIN_CONF), &c, &e), 0, "%s", e.msg);
	cni_conf_free(&c);
}

Test(cni_config, missing_fields_are_code_7)
{
	expect_code("{\"cniVersion\":\"1.0.0\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"host-local\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\"}}",
		    CNI_ERR_INVALID_CONF);
	/* No ipam parses (chained attach mode, DEL, GC); ADD refuses it. */
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":\"host-local\"}",
		    CNI_ERR_INVALID_CONF);
}

Test(cni_config, wrong_types_and_values)
{
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":1,\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"-bad\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"mtu\":\"1500\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"mtu\":10,\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_UNSUPPORTED);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"mtu\":1500.5,\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"hostIfPrefix\":\"toolong\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_UNSUPPORTED);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"hostIfPrefix\":\"a/b\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_UNSUPPORTED);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"stateDir\":\"rel/dir\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_UNSUPPORTED);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"prevResult\":[],\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
}

#define CONF_HEAD "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\","

Test(cni_config, mtu_out_of_range_is_code_2_even_beyond_int)
{
	struct cni_conf c;
	struct cni_err e;

	/* 2^40 and beyond: a value, not a type error (and no cast of an
	 * out-of-range double, which UBSan flags). */
	expect_code(CONF_HEAD "\"mtu\":1099511627776,\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_UNSUPPORTED);
	cr_assert_lt(parse(CONF_HEAD "\"mtu\":1099511627776,\"ipam\":{\"type\":\"h\"}}",
			   &c, &e), 0);
	cr_assert(strstr(e.msg, "\"mtu\": 1099511627776 out of range 68..65471"), "%s", e.msg);
	expect_code(CONF_HEAD "\"mtu\":1e300,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_UNSUPPORTED);
	expect_code(CONF_HEAD "\"mtu\":-1e300,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_UNSUPPORTED);
	expect_code(CONF_HEAD "\"mtu\":-2147483649,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_UNSUPPORTED);
	expect_code(CONF_HEAD "\"mtu\":67,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_UNSUPPORTED);
	expect_code(CONF_HEAD "\"mtu\":65472,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_UNSUPPORTED);
	/* Not whole: a type error. */
	expect_code(CONF_HEAD "\"mtu\":1e-300,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"mtu\":true,\"ipam\":{\"type\":\"h\"}}", CNI_ERR_INVALID_CONF);
	cr_assert_eq(parse(CONF_HEAD "\"mtu\":65471,\"ipam\":{\"type\":\"h\"}}", &c, &e), 0,
		     "%s", e.msg);
	cr_assert_eq(c.mtu, 65471);
	cni_conf_free(&c);
	cr_assert_eq(parse(CONF_HEAD "\"mtu\":68.0,\"ipam\":{\"type\":\"h\"}}", &c, &e), 0,
		     "%s", e.msg);
	cr_assert_eq(c.mtu, 68);
	cni_conf_free(&c);
}

Test(cni_config, nul_in_any_string_is_code_7)
{
	/* host-local would run: the checks saw "host-local" only. */
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"host-local\\u0000/../x\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\\u0000x\",\"type\":\"sfc-cni\","
		    "\"ipam\":{\"type\":\"h\"}}", CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\",\"dataDir\":\"/tmp/\\u0000\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},\"a\\u0000b\":1}", CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},"
		    "\"runtimeConfig\":{\"ips\":[\"10.0.0.1/24\\u0000\"]}}", CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},\"args\":{\"cni\":{\"x\":\"\\u0000\"}}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},"
		    "\"prevResult\":{\"interfaces\":[{\"name\":\"eth0\\u0000\"}]}}", CNI_ERR_INVALID_CONF);
}

Test(cni_config, escapes_that_are_not_nul_pass)
{
	struct cni_conf c;
	struct cni_err e;

	/* An escaped backslash then "u0000" is text; "\u0001" is no NUL. */
	cr_assert_eq(parse(CONF_HEAD "\"ipam\":{\"type\":\"h\"},"
			   "\"args\":{\"a\":\"x\\\\u0000\",\"b\":\"\\u0001\\u00e9\"}}",
			   &c, &e), 0, "%s", e.msg);
	cni_conf_free(&c);
	/* After an escaped quote the string goes on: its NUL counts. */
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},\"args\":{\"b\":\"\\\"\\u0000\"}}",
		    CNI_ERR_INVALID_CONF);
}

Test(cni_config, raw_control_characters_are_code_6)
{
	static const char nul_in_str[] = CONF_HEAD "\"ipam\":{\"type\":\"host-local\0/x\"}}";
	static const char nul_between[] = CONF_HEAD "\"ipam\":\0{\"type\":\"h\"}}";
	struct cni_conf c;
	struct cni_err e = { 0 };

	cr_assert_lt(cni_conf_parse(nul_in_str, sizeof(nul_in_str) - 1, &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_DECODE, "%s", e.msg);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_conf_parse(nul_between, sizeof(nul_between) - 1, &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_DECODE, "%s", e.msg);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\x01\"}}", CNI_ERR_DECODE);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\tx\"}}", CNI_ERR_DECODE);
	expect_code(MIN_CONF "\v", CNI_ERR_DECODE);
	/* JSON's own whitespace between tokens is fine. */
	cr_assert_eq(parse("\t{\r\n\"cniVersion\":\"1.0.0\",\"name\":\"n\",\r\n\t\"type\":"
			   "\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}\n", &c, &e), 0, "%s", e.msg);
	cni_conf_free(&c);
}

Test(cni_config, duplicate_keys_at_any_depth_are_code_7)
{
	struct cni_conf c;
	struct cni_err e;

	/* sfc-cni read the first "name", host-local the last. */
	expect_code(CONF_HEAD "\"name\":\"../../x\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	cr_assert_lt(parse(CONF_HEAD "\"name\":\"../../x\",\"ipam\":{\"type\":\"h\"}}", &c, &e), 0);
	cr_assert(strstr(e.msg, "duplicate key \"name\""), "%s", e.msg);
	/* Go matches struct fields case-insensitively, and the long s and
	 * the Kelvin sign as 's' and 'k'. */
	expect_code(CONF_HEAD "\"Name\":\"../../x\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\",\"dataDir\":\"/a\",\"DATADIR\":\"/b\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\",\"\\u017fubnet\":\"x\",\"subnet\":\"y\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},\"\xc5\xbftateDir\":\"/a\","
		    "\"stateDir\":\"/b\"}", CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},\"args\":{\"\\u212a\":1,\"k\":2}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\",\"type\":\"h2\"}}", CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},"
		    "\"runtimeConfig\":{\"mac\":\"0a:58:00:00:00:01\",\"mac\":\"01:00:5e:00:00:01\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\"},"
		    "\"prevResult\":{\"interfaces\":[{\"name\":\"a\",\"name\":\"b\"}]}}",
		    CNI_ERR_INVALID_CONF);
	expect_code(CONF_HEAD "\"ipam\":{\"type\":\"h\",\"ranges\":[[{\"subnet\":\"a\",\"subnet\":\"b\"}]]}}",
		    CNI_ERR_INVALID_CONF);
	/* The same key in sibling objects, or keys that only look alike. */
	cr_assert_eq(parse(CONF_HEAD "\"ipam\":{\"type\":\"h\",\"ranges\":[[{\"subnet\":\"a\"},"
			   "{\"subnet\":\"b\"}]]},\"args\":{\"name\":1,\"name2\":2,\"nam\":3,"
			   "\"\\u00e9\":4,\"\\u00c9\":5,\"ab\":6,\"a\":{\"b\":7}}}", &c, &e), 0,
		     "%s", e.msg);
	cni_conf_free(&c);
}

Test(cni_config, ipam_type_must_be_a_plain_name)
{
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"/bin/sh\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"../x\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"..\"}}",
		    CNI_ERR_INVALID_CONF);
	expect_code("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":7}}",
		    CNI_ERR_INVALID_CONF);
}

Test(cni_config, versions)
{
	const char *ok[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };
	char buf[256];

	for (size_t i = 0; i < 5; i++) {
		struct cni_conf c;
		struct cni_err e;

		snprintf(buf, sizeof(buf),
			 "{\"cniVersion\":\"%s\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
			 ok[i]);
		cr_assert_eq(parse(buf, &c, &e), 0, "%s: %s", ok[i], e.msg);
		cni_conf_free(&c);
	}
	expect_code("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INCOMPATIBLE);
	expect_code("{\"cniVersion\":\"1.2.0\",\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INCOMPATIBLE);
	expect_code("{\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INCOMPATIBLE);
	expect_code("{\"cniVersion\":1,\"name\":\"n\",\"type\":\"sfc-cni\",\"ipam\":{\"type\":\"h\"}}",
		    CNI_ERR_INVALID_CONF);
	cr_assert_lt(cni_version_cmp("0.3.1", "0.4.0"), 0);
	cr_assert_gt(cni_version_cmp("1.0.0", "0.4.0"), 0);
	cr_assert_eq(cni_version_cmp("0.4.0", "0.4.0"), 0);
	cr_assert_lt(cni_version_cmp("0.3.0", "0.3.1"), 0);
	cr_assert_gt(cni_version_cmp("0.10.0", "0.4.0"), 0);
}

Test(cni_args, k8s_keys_and_ignore_unknown)
{
	struct cni_args a;
	struct cni_err e = { 0 };

	cr_assert_eq(cni_args_parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;"
				    "K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc;"
				    "K8S_POD_UID=1234;Other=x", &a, &e), 0, "%s", e.msg);
	cr_assert(a.ignore_unknown);
	cr_assert_str_eq(a.pod_namespace, "ns1");
	cr_assert_str_eq(a.pod_name, "web-0");
	cr_assert_str_eq(a.infra_id, "abc");
	/* Unknown keys without IgnoreUnknown: refused, as types.LoadArgs. */
	cr_assert_lt(cni_args_parse("FOO=bar;K8S_POD_NAME=p", &a, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_ENV);
	cr_assert(strstr(e.msg, "FOO"), "%s", e.msg);
	memset(&e, 0, sizeof(e));
	/* IgnoreUnknown counts wherever it is, also after the unknown key. */
	cr_assert_eq(cni_args_parse("FOO=bar;K8S_POD_NAME=p;IgnoreUnknown=TRUE", &a, &e), 0,
		     "%s", e.msg);
	cr_assert_str_eq(a.pod_name, "p");
	cr_assert_lt(cni_args_parse("IgnoreUnknown=0;FOO=bar", &a, &e), 0);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_args_parse("IgnoreUnknown=yes", &a, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_ENV);
	memset(&e, 0, sizeof(e));
	/* Known keys alone need no IgnoreUnknown. */
	cr_assert_eq(cni_args_parse("K8S_POD_UID=u;K8S_POD_NAME=p", &a, &e), 0);
	cr_assert_not(a.ignore_unknown);
	cr_assert_eq(cni_args_parse("IgnoreUnknown=true", &a, &e), 0);
	cr_assert(a.ignore_unknown);
	cr_assert_eq(cni_args_parse(NULL, &a, &e), 0);
	cr_assert_eq(cni_args_parse("", &a, &e), 0);
	cr_assert_eq(cni_args_parse(";;K8S_POD_NAME=;", &a, &e), 0);
	cr_assert_str_eq(a.pod_name, "");
	cr_assert_eq(cni_args_parse("K8S_POD_NAME=a=b", &a, &e), 0);
	cr_assert_str_eq(a.pod_name, "a=b");
}

Test(cni_args, malformed_pairs)
{
	struct cni_args a;
	struct cni_err e = { 0 };
	char big[400];

	cr_assert_lt(cni_args_parse("K8S_POD_NAME", &a, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_ENV);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_args_parse("=x", &a, &e), 0);
	memset(&e, 0, sizeof(e));
	snprintf(big, sizeof(big), "K8S_POD_NAMESPACE=%0300d", 0);
	cr_assert_lt(cni_args_parse(big, &a, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_ENV);
}

Test(cni_env, ifname_rules)
{
	cr_assert(cni_ifname_valid("eth0"));
	cr_assert(cni_ifname_valid("net1-a_b.c"));
	cr_assert(cni_ifname_valid("123456789012345"));
	cr_assert_not(cni_ifname_valid("1234567890123456"));
	cr_assert_not(cni_ifname_valid(""));
	cr_assert_not(cni_ifname_valid(NULL));
	cr_assert_not(cni_ifname_valid("."));
	cr_assert_not(cni_ifname_valid(".."));
	cr_assert_not(cni_ifname_valid("a/b"));
	cr_assert_not(cni_ifname_valid("a:b"));
	cr_assert_not(cni_ifname_valid("a b"));
	cr_assert_not(cni_ifname_valid("a\tb"));
	cr_assert_not(cni_ifname_valid("a\n"));
	/* The kernel names "eth%d" itself: the veth would not be CNI_IFNAME. */
	cr_assert_not(cni_ifname_valid("eth%d"));
	cr_assert_not(cni_ifname_valid("%"));
	/* The kernel's isspace() includes 0xa0; control characters and ".."
	 * do not fit the state record's file name. */
	cr_assert_not(cni_ifname_valid("a\xa0"));
	cr_assert_not(cni_ifname_valid("a\x01"));
	cr_assert_not(cni_ifname_valid("a\x7f"));
	cr_assert_not(cni_ifname_valid("a..b"));
	cr_assert_not(cni_ifname_valid("..x"));
	cr_assert(cni_ifname_valid(".x"));
	cr_assert(cni_ifname_valid("a.b"));
	cr_assert(cni_ifname_valid("eth\xc3\xa9"));
}

Test(cni_env, container_id_rules)
{
	cr_assert(cni_container_id_valid("0123abcdef"));
	cr_assert(cni_container_id_valid("ctr_1.x-y"));
	cr_assert_not(cni_container_id_valid(""));
	cr_assert_not(cni_container_id_valid("-x"));
	cr_assert_not(cni_container_id_valid("../etc"));
	cr_assert_not(cni_container_id_valid("a/b"));
}

static const char *const *fake_env;

static const char *fake_get(const char *key)
{
	size_t n = strlen(key);

	for (const char *const *p = fake_env; *p; p++)
		if (!strncmp(*p, key, n) && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

static int env_code(const char *const *vars, enum cni_cmd *cmd)
{
	struct cni_env env;
	struct cni_err e = { 0 };

	fake_env = vars;
	cni_env_parse(fake_get, &env, &e);
	if (cmd)
		*cmd = env.cmd;
	return e.code;
}

Test(cni_env, required_variables)
{
	const char *full[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1",
			       "CNI_NETNS=/var/run/netns/x", "CNI_IFNAME=eth0",
			       "CNI_PATH=/opt/cni/bin", NULL };
	const char *no_cmd[] = { "CNI_CONTAINERID=c1", NULL };
	const char *bad_cmd[] = { "CNI_COMMAND=FOO", NULL };
	const char *version[] = { "CNI_COMMAND=VERSION", NULL };
	const char *no_netns[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1",
				   "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL };
	const char *del_no_netns[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=c1",
				       "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL };
	const char *bad_if[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1",
				 "CNI_NETNS=/n", "CNI_IFNAME=a/b", "CNI_PATH=/x", NULL };
	const char *pct_if[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1",
				 "CNI_NETNS=/n", "CNI_IFNAME=eth%d", "CNI_PATH=/x", NULL };
	const char *no_cid[] = { "CNI_COMMAND=DEL", "CNI_NETNS=/n",
				 "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL };
	const char *no_if[] = { "CNI_COMMAND=CHECK", "CNI_CONTAINERID=c1",
				"CNI_NETNS=/n", "CNI_PATH=/x", NULL };
	enum cni_cmd cmd;

	cr_assert_eq(env_code(full, &cmd), 0);
	cr_assert_eq(cmd, CNI_CMD_ADD);
	cr_assert_eq(env_code(version, &cmd), 0);
	cr_assert_eq(cmd, CNI_CMD_VERSION);
	cr_assert_eq(env_code(del_no_netns, &cmd), 0);
	cr_assert_eq(cmd, CNI_CMD_DEL);
	cr_assert_eq(env_code(no_cmd, NULL), CNI_ERR_INVALID_ENV);
	cr_assert_eq(env_code(bad_cmd, NULL), CNI_ERR_INVALID_ENV);
	cr_assert_eq(env_code(no_netns, NULL), CNI_ERR_INVALID_ENV);
	cr_assert_eq(env_code(bad_if, NULL), CNI_ERR_INVALID_ENV);
	cr_assert_eq(env_code(pct_if, NULL), CNI_ERR_INVALID_ENV);
	cr_assert_eq(env_code(no_cid, NULL), CNI_ERR_INVALID_ENV);
	cr_assert_eq(env_code(no_if, NULL), CNI_ERR_INVALID_ENV);
}

Test(cni_naming, host_ifname)
{
	char a[CNI_IFNAMSIZ], b[CNI_IFNAMSIZ], c[CNI_IFNAMSIZ], d[CNI_IFNAMSIZ];

	cni_host_ifname("sfc", "abc123", "eth0", a);
	cni_host_ifname("sfc", "abc123", "eth0", b);
	cni_host_ifname("sfc", "abc123", "eth1", c);
	cr_assert_str_eq(a, b, "must be deterministic");
	cr_assert_str_neq(a, c);
	cr_assert_eq(strlen(a), 15);
	cr_assert_eq(strncmp(a, "sfc", 3), 0);
	for (int i = 3; i < 15; i++)
		cr_assert(strchr("0123456789abcdef", a[i]), "%s", a);
	cni_host_ifname("s1a2b", "abc123", "eth0", d);
	cr_assert_eq(strlen(d), 15);
	cr_assert_eq(strncmp(d, "s1a2b", 5), 0);
	cr_assert(cni_ifname_valid(d));
	/* The pair boundary matters: ("ab","c") vs ("a","bc"). */
	cni_host_ifname("x", "ab", "c", a);
	cni_host_ifname("x", "a", "bc", b);
	cr_assert_str_neq(a, b);
}

#define IPAM_OUT "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.2.5/24\"," \
		 "\"gateway\":\"10.1.2.1\"},{\"address\":\"fd00::5/64\"}]," \
		 "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.2.254\"}]," \
		 "\"dns\":{\"nameservers\":[\"10.1.2.53\"]}}"

Test(cni_result, ipam_parse)
{
	struct cni_ipam_result r;
	struct cni_err e = { 0 };

	cr_assert_eq(cni_ipam_result_parse(IPAM_OUT, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.n_ips, 2);
	cr_assert_str_eq(r.ips[0].addr, "10.1.2.5");
	cr_assert_eq(r.ips[0].prefix, 24);
	cr_assert_eq(r.ips[0].family, 4);
	cr_assert_str_eq(r.ips[0].gw, "10.1.2.1");
	cr_assert_eq(r.ips[1].family, 6);
	cr_assert_str_eq(r.ips[1].gw, "");
	cr_assert_str_eq(cni_ip_gateway(&r, 4), "10.1.2.1");
	cr_assert_str_eq(cni_ip_gateway(&r, 6), CNI_GW6_DEFAULT);
	cr_assert_eq(r.n_routes, 2);
	cr_assert_str_eq(r.routes[1].gw, "10.1.2.254");
	cr_assert_not_null(r.dns);
	cni_ipam_result_free(&r);
}

Test(cni_result, ipam_parse_errors)
{
	struct cni_ipam_result r;
	struct cni_err e = { 0 };

	cr_assert_lt(cni_ipam_result_parse("nope", &r, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_DECODE);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_ipam_result_parse("{\"ips\":[]}", &r, &e), 0);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_ipam_result_parse("{\"ips\":[{\"address\":\"10.1.2.5\"}]}", &r, &e), 0);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_ipam_result_parse("{\"ips\":[{\"address\":\"10.1.2.5/33\"}]}", &r, &e), 0);
	memset(&e, 0, sizeof(e));
	cr_assert_lt(cni_ipam_result_parse("{\"ips\":[{\"address\":\"10.1.2.5/24\",\"gateway\":\"fd00::1\"}]}", &r, &e), 0);
	memset(&e, 0, sizeof(e));
	/* No gateway from IPAM: the pod uses 169.254.1.1. */
	cr_assert_eq(cni_ipam_result_parse("{\"ips\":[{\"address\":\"10.1.2.5/32\"}]}", &r, &e), 0);
	cr_assert_str_eq(cni_ip_gateway(&r, 4), CNI_GW4_DEFAULT);
	cni_ipam_result_free(&r);
}

static cJSON *result_for(const char *version)
{
	struct cni_ipam_result r;
	struct cni_err e = { 0 };
	struct cni_iface ifs[2] = {
		{ .name = "sfc0123456789ab", .mac = "02:00:00:00:00:01" },
		{ .name = "eth0", .mac = "02:00:00:00:00:02",
		  .sandbox = "/var/run/netns/p1" },
	};
	char *txt;
	cJSON *root;

	cr_assert_eq(cni_ipam_result_parse(IPAM_OUT, &r, &e), 0);
	txt = cni_result_json(version, ifs, &r);
	cr_assert_not_null(txt);
	root = cJSON_Parse(txt);
	free(txt);
	cni_ipam_result_free(&r);
	cr_assert_not_null(root);
	return root;
}

Test(cni_result, shape_1_0_0)
{
	cJSON *root = result_for("1.0.0");
	cJSON *ifs = cJSON_GetObjectItem(root, "interfaces");
	cJSON *ips = cJSON_GetObjectItem(root, "ips");
	cJSON *routes = cJSON_GetObjectItem(root, "routes");
	cJSON *ip0 = cJSON_GetArrayItem(ips, 0);

	cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, "1.0.0");
	cr_assert_eq(cJSON_GetArraySize(ifs), 2);
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(ifs, 0), "sandbox"));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ifs, 1), "sandbox")->valuestring,
			 "/var/run/netns/p1");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ifs, 1), "name")->valuestring,
			 "eth0");
	cr_assert_eq(cJSON_GetArraySize(ips), 2);
	cr_assert_str_eq(cJSON_GetObjectItem(ip0, "address")->valuestring, "10.1.2.5/24");
	cr_assert_str_eq(cJSON_GetObjectItem(ip0, "gateway")->valuestring, "10.1.2.1");
	cr_assert_eq(cJSON_GetObjectItem(ip0, "interface")->valueint, 1);
	cr_assert_null(cJSON_GetObjectItem(ip0, "version"), "1.0.0 has no ips[].version");
	/* default v4, default v6, plus the IPAM route with its own gw */
	cr_assert_eq(cJSON_GetArraySize(routes), 3);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(routes, 0), "dst")->valuestring,
			 "0.0.0.0/0");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(routes, 0), "gw")->valuestring,
			 "10.1.2.1");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(routes, 2), "gw")->valuestring,
			 "10.1.2.254");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(root, "dns")));
	cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "dns"), "nameservers"));
	cJSON_Delete(root);
}

Test(cni_result, shape_0_4_0_and_0_3_1)
{
	const char *vs[] = { "0.4.0", "0.3.1", "0.3.0" };

	for (int i = 0; i < 3; i++) {
		cJSON *root = result_for(vs[i]);
		cJSON *ips = cJSON_GetObjectItem(root, "ips");

		cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, vs[i]);
		cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ips, 0), "version")->valuestring,
				 "4");
		cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ips, 1), "version")->valuestring,
				 "6");
		cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ips, 0), "interface")->valueint, 1);
		cJSON_Delete(root);
	}
}

Test(cni_result, error_and_version_json)
{
	struct cni_err e = { 0 };
	char *txt;
	cJSON *root, *arr;

	cni_err_set(&e, CNI_ERR_DECODE, -EINVAL, "bad %s", "thing");
	cni_err_set(&e, CNI_ERR_INTERNAL, 0, "later errors do not override");
	txt = cni_error_json("0.4.0", &e);
	root = cJSON_Parse(txt);
	free(txt);
	cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, "0.4.0");
	cr_assert_eq(cJSON_GetObjectItem(root, "code")->valueint, 6);
	cr_assert_str_eq(cJSON_GetObjectItem(root, "msg")->valuestring,
			 "bad thing: Invalid argument");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(root, "details")));
	cJSON_Delete(root);

	txt = cni_version_json("0.3.1");
	root = cJSON_Parse(txt);
	free(txt);
	arr = cJSON_GetObjectItem(root, "supportedVersions");
	cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, "0.3.1");
	cr_assert_eq(cJSON_GetArraySize(arr), 5);
	cr_assert_str_eq(cJSON_GetArrayItem(arr, 3)->valuestring, "1.0.0");
	cr_assert_str_eq(cJSON_GetArrayItem(arr, 4)->valuestring, "1.1.0");
	cJSON_Delete(root);
	cr_assert_eq(cni_code_from_errno(-EAGAIN), CNI_ERR_TRY_AGAIN);
	cr_assert_eq(cni_code_from_errno(-EPERM), CNI_ERR_INTERNAL);
}
