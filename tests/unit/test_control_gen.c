// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_gen.c - the chain version compiled into every hop
 * (sfc_hop.gen, flow programming): one value on both SFPs, never 0,
 * changed by an edit of the SF list, the failure policy or a match rule,
 * kept by a re-apply of the same chain and by another name.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"
#include "ctl_internal.h"

#define CHAIN(name, fns, policy, match)                                       \
	"{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","      \
	"\"metadata\":{\"name\":\"" name "\"},\"spec\":{\"functions\":[" fns \
	"],\"failurePolicy\":\"" policy "\",\"match\":[" match "]}}"

#define TCP80 "{\"protocol\":\"tcp\",\"ports\":\"80\"}"
#define TCP81 "{\"protocol\":\"tcp\",\"ports\":\"81\"}"

static uint32_t gen_of(const char *json)
{
	struct sfc_chain c;
	char err[256] = "";

	cr_assert_eq(sfc_chain_parse(json, &c, err, sizeof(err)), 0, "%s", err);
	return sfc_chain_gen(&c);
}

Test(control_gen, every_hop_of_both_paths_carries_it)
{
	struct sfc_group_entry g[2] = {
		{ .id = 5, .function = "firewall",
		  .grp = { .n_members = 1, .m = { { .vpid = 20 } } } },
		{ .id = 6, .function = "counter",
		  .grp = { .n_members = 1, .m = { { .vpid = 21 } } } },
	};
	struct sfc_path_entry out[SFC_CHAIN_MAX_ENTRIES];
	struct sfc_chain c;
	char err[256] = "";
	uint32_t gen;
	int n = 0;

	cr_assert_eq(sfc_chain_parse(CHAIN("fc", "\"firewall\",\"counter\"",
					   "fail-closed", TCP80),
				     &c, err, sizeof(err)), 0, "%s", err);
	gen = sfc_chain_gen(&c);
	cr_assert_neq(gen, 0);
	cr_assert_eq(sfc_compile_paths(&c, g, 2, out, &n, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(n, 6);
	for (int i = 0; i < n; i++)
		cr_expect_eq(out[i].hop.gen, gen, "entry %d (sp %08x)", i,
			     out[i].sp);
}

Test(control_gen, content_changes_it_name_does_not)
{
	uint32_t base = gen_of(CHAIN("a", "\"firewall\",\"counter\"",
				     "fail-closed", TCP80));

	cr_assert_eq(gen_of(CHAIN("a", "\"firewall\",\"counter\"", "fail-closed",
				  TCP80)), base, "same chain");
	cr_assert_eq(gen_of(CHAIN("other-name", "\"firewall\",\"counter\"",
				  "fail-closed", TCP80)), base,
		     "the name is the SPI, not the version");
	cr_assert_neq(gen_of(CHAIN("a", "\"firewall\"", "fail-closed",
				   TCP80)), base, "SF removed");
	cr_assert_neq(gen_of(CHAIN("a", "\"counter\",\"firewall\"",
				   "fail-closed", TCP80)), base,
		      "SFs reordered");
	cr_assert_neq(gen_of(CHAIN("a", "\"firewall\",\"counter\"", "fail-open",
				   TCP80)), base, "policy");
	cr_assert_neq(gen_of(CHAIN("a", "\"firewall\",\"counter\"",
				   "fail-closed", TCP81)), base,
		      "match rule");
	cr_assert_neq(gen_of(CHAIN("a", "\"firewall\",\"counter\"",
				   "fail-closed", "{\"direction\":\"ingress\",\"protocol\":\"tcp\","
				   "\"ports\":\"80\"}")), base, "rule direction");
}
