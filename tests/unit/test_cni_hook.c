// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cni_hook.c - sfc-cni's hook mode without root: "hookAttach" parsing
 * (cni_hook_conf through cni_conf_parse) and the mode an ADD picks for
 * each configuration, interface owner and kernel (cni_hook_choose).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cni.h"

#define HEAD "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\"," \
	     "\"ipam\":{\"type\":\"host-local\"}"

/* Parse HEAD + @field; return the error code (0 when accepted). */
static int parse_hook(const char *field, enum cni_hook_attach *out)
{
	char json[256];
	struct cni_conf c;
	struct cni_err e = { 0 };
	int err;

	snprintf(json, sizeof(json), "%s%s%s}", HEAD, field[0] ? "," : "", field);
	err = cni_conf_parse(json, strlen(json), &c, &e);
	if (err)
		return e.code;
	*out = c.hook_attach;
	cni_conf_free(&c);
	return 0;
}

Test(cni_hook, parse)
{
	enum cni_hook_attach h = CNI_HOOK_TC;

	cr_assert_eq(parse_hook("", &h), 0);
	cr_assert_eq(h, CNI_HOOK_AUTO, "absent: auto");
	cr_assert_eq(parse_hook("\"hookAttach\":null", &h), 0);
	cr_assert_eq(h, CNI_HOOK_AUTO);
	cr_assert_eq(parse_hook("\"hookAttach\":\"auto\"", &h), 0);
	cr_assert_eq(h, CNI_HOOK_AUTO);
	cr_assert_eq(parse_hook("\"hookAttach\":\"tcx\"", &h), 0);
	cr_assert_eq(h, CNI_HOOK_TCX);
	cr_assert_eq(parse_hook("\"hookAttach\":\"tc\"", &h), 0);
	cr_assert_eq(h, CNI_HOOK_TC);
	cr_assert_eq(parse_hook("\"hookAttach\":\"xdp\"", &h), CNI_ERR_UNSUPPORTED);
	cr_assert_eq(parse_hook("\"hookAttach\":\"TC\"", &h), CNI_ERR_UNSUPPORTED,
		     "values are case-sensitive");
	cr_assert_eq(parse_hook("\"hookAttach\":\"\"", &h), CNI_ERR_UNSUPPORTED);
	cr_assert_eq(parse_hook("\"hookAttach\":1", &h), CNI_ERR_INVALID_CONF);
	cr_assert_eq(parse_hook("\"hookAttach\":[\"tc\"]", &h), CNI_ERR_INVALID_CONF);
}

Test(cni_hook, choose)
{
	static const struct {
		enum cni_hook_attach conf;
		bool attach_only, tcx_ok;
		int want;
	} t[] = {
		/* auto: tc on our own veth, on any kernel */
		{ CNI_HOOK_AUTO, false, true, CNI_HOOK_TC },
		{ CNI_HOOK_AUTO, false, false, CNI_HOOK_TC },
		/* auto on another plugin's interface: tcx where there is tcx */
		{ CNI_HOOK_AUTO, true, true, CNI_HOOK_TCX },
		{ CNI_HOOK_AUTO, true, false, CNI_HOOK_TC },
		{ CNI_HOOK_TC, false, true, CNI_HOOK_TC },
		{ CNI_HOOK_TC, true, true, CNI_HOOK_TC },
		{ CNI_HOOK_TC, true, false, CNI_HOOK_TC },
		{ CNI_HOOK_TCX, false, true, CNI_HOOK_TCX },
		{ CNI_HOOK_TCX, true, true, CNI_HOOK_TCX },
		{ CNI_HOOK_TCX, false, false, -EOPNOTSUPP },
		{ CNI_HOOK_TCX, true, false, -EOPNOTSUPP },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_assert_eq(cni_hook_choose(t[i].conf, t[i].attach_only, t[i].tcx_ok),
			     t[i].want, "case %zu", i);
}
