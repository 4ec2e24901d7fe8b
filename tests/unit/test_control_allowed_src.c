// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_allowed_src.c - the pod annotation sfc.io/allowed-sources
 * ("CIDR,CIDR"): parsed into sfc_allowed_src keys (VPID 0, host bits
 * cleared), blanks around a CIDR ignored, anything else refused with the
 * annotation named.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>

#include "sfc_control.h"

static int parse(const char *value, struct sfc_pod *p, char *err, size_t len)
{
	char json[2048];

	snprintf(json, sizeof(json),
		 "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\","
		 " \"annotations\": {\"sfc.io/allowed-sources\": \"%s\"}}}",
		 value);
	return sfc_pod_parse(json, p, err, len);
}

Test(control_allowed_src, list_parsed_into_keys)
{
	struct sfc_pod p;
	char err[256] = "";
	uint8_t want[16] = { 0 };

	cr_assert_eq(parse(" 10.1.2.3/16 ,fd00:9::1/64,\t192.0.2.7", &p, err,
			   sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.info.n_allowed_src, 3);
	cr_assert_eq(p.info.allowed_src[0].family, 4);
	cr_assert_eq(p.info.allowed_src[0].prefixlen, SFC_SRC_KEY_BITS + 16);
	inet_pton(AF_INET, "10.1.0.0", want);
	cr_assert_arr_eq(p.info.allowed_src[0].addr, want, 16, "host bits cleared");
	cr_assert_eq(p.info.allowed_src[1].family, 6);
	cr_assert_eq(p.info.allowed_src[1].prefixlen, SFC_SRC_KEY_BITS + 64);
	inet_pton(AF_INET6, "fd00:9::", want);
	cr_assert_arr_eq(p.info.allowed_src[1].addr, want, 16);
	cr_assert_eq(p.info.allowed_src[2].prefixlen, SFC_SRC_KEY_BITS + 32,
		     "a bare address is a full-length prefix");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(p.info.allowed_src[i].vpid, 0);
}

Test(control_allowed_src, absent_or_empty_means_none)
{
	struct sfc_pod p;
	char err[256] = "";

	cr_assert_eq(parse("", &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.info.n_allowed_src, 0);
	cr_assert_eq(sfc_pod_parse("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}}",
				   &p, err, sizeof(err)), 0);
	cr_assert_eq(p.info.n_allowed_src, 0);
}

Test(control_allowed_src, bad_values_refused)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0.0/8,nope", "fd00::/129", "10.0.0.0/8, ,10.1.0.0/16",
		"10.0.0.0/-8",
	};
	char many[1024] = "", err[256];
	struct sfc_pod p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(parse(bad[i], &p, err, sizeof(err)), -EINVAL, "'%s'", bad[i]);
		cr_expect(strstr(err, "sfc.io/allowed-sources") != NULL, "'%s': %s",
			  bad[i], err);
	}
	for (int i = 0; i <= SFC_MAX_ALLOWED_SOURCES; i++) {
		char one[24];

		snprintf(one, sizeof(one), "%s10.%d.0.0/16", i ? "," : "", i);
		strcat(many, one);
	}
	cr_assert_eq(parse(many, &p, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "more than 16") != NULL, "%s", err);
	cr_assert_eq(sfc_pod_parse("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\","
				   " \"annotations\": {\"sfc.io/allowed-sources\": 1}}}",
				   &p, err, sizeof(err)), -EINVAL, "not a string");
}
