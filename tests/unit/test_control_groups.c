// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_groups.c - SF groups, the reverse SFP of symmetric chains
 * and SFC-unaware instances (sfc.io/sfc-aware), all pure compilers.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"

static void pod(const char *name, const char *annots, struct sfc_pod *p)
{
	char json[1024], err[256] = "";

	snprintf(json, sizeof(json),
		 "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"annotations\":%s}}",
		 name, annots);
	cr_assert_eq(sfc_pod_parse(json, p, err, sizeof(err)), 0, "%s", err);
}

Test(control_groups, sfc_aware_annotation)
{
	struct sfc_pod p;
	char err[256] = "";

	pod("a", "{\"sfc.io/function\":\"fw\"}", &p);
	cr_assert_eq(p.info.unaware, 0, "aware by default");
	pod("b", "{\"sfc.io/function\":\"fw\",\"sfc.io/sfc-aware\":\"true\"}", &p);
	cr_assert_eq(p.info.unaware, 0);
	pod("c", "{\"sfc.io/function\":\"plainfw\",\"sfc.io/sfc-aware\":\"false\"}", &p);
	cr_assert_eq(p.info.unaware, 1);
	cr_assert_str_eq(p.info.function, "plainfw");
	cr_assert_eq(sfc_pod_parse("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"d\","
				   "\"annotations\":{\"sfc.io/sfc-aware\":\"no\"}}}",
				   &p, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "sfc.io/sfc-aware"), "%s", err);
	cr_assert_eq(sfc_pod_parse("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"d\","
				   "\"annotations\":{\"sfc.io/sfc-aware\":false}}}",
				   &p, err, sizeof(err)), -EINVAL,
		     "annotations are strings");
}
