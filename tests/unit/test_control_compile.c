// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_compile.c - rule, path and policy compilers (no BPF).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"

#define HDR "\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","

static void parse(const char *json, struct sfc_chain *c)
{
	char err[256] = "";

	cr_assert_eq(sfc_chain_parse(json, c, err, sizeof(err)), 0, "%s", err);
}

Test(control_compile, rules_exact_bytes)
{
	struct sfc_rule want;
	struct sfc_rule_set rs;
	struct sfc_chain c;

	parse("{" HDR "\"metadata\":{\"name\":\"r\"},\"spec\":{\"functions\":[\"fw\"],"
	      "\"match\":[{\"direction\":\"egress\",\"protocol\":\"tcp\","
	      "\"cidr\":\"10.1.2.3/16\",\"ports\":\"5000-5100\"},"
	      "{\"direction\":\"ingress\",\"protocol\":\"icmpv6\",\"cidr\":\"fd00::/8\"},"
	      "{\"protocol\":\"udp\",\"ports\":\"53\"}]}}", &c);
	sfc_compile_rules(&c, &rs);
	cr_assert_eq(rs.n[SFC_DIR_EGRESS], 2);
	cr_assert_eq(rs.n[SFC_DIR_INGRESS], 1);

	memset(&want, 0, sizeof(want));
	want.spi = c.spi;
	want.proto = IPPROTO_TCP;
	want.family = 4;
	want.prefix_len = 16;
	want.port_lo = 5000;
	want.port_hi = 5100;
	want.addr[0] = htonl(0x0a010000); /* host bits masked */
	cr_assert_eq(memcmp(&rs.rules[SFC_DIR_EGRESS][0], &want, sizeof(want)), 0);

	memset(&want, 0, sizeof(want));
	want.spi = c.spi;
	want.proto = IPPROTO_UDP;
	want.port_lo = 53;
	want.port_hi = 53;
	cr_assert_eq(memcmp(&rs.rules[SFC_DIR_EGRESS][1], &want, sizeof(want)), 0);

	memset(&want, 0, sizeof(want));
	want.spi = c.spi; /* ingress matches take the forward SFP too */
	want.proto = IPPROTO_ICMPV6;
	want.family = 6;
	want.prefix_len = 8;
	want.port_hi = 65535;
	inet_pton(AF_INET6, "fd00::", want.addr);
	cr_assert_eq(memcmp(&rs.rules[SFC_DIR_INGRESS][0], &want, sizeof(want)), 0);
}

Test(control_compile, rules_default_all_egress)
{
	struct sfc_rule want = { 0 };
	struct sfc_rule_set rs;
	struct sfc_chain c;

	parse("{" HDR "\"metadata\":{\"name\":\"all\"},\"spec\":{\"functions\":[\"fw\"]}}", &c);
	sfc_compile_rules(&c, &rs);
	cr_assert_eq(rs.n[SFC_DIR_EGRESS], 1);
	cr_assert_eq(rs.n[SFC_DIR_INGRESS], 0);
	want.spi = c.spi;
	want.port_hi = 65535;
	cr_assert_eq(memcmp(&rs.rules[SFC_DIR_EGRESS][0], &want, sizeof(want)), 0);
}

static struct sfc_ep_record ep(uint32_t vpid, uint32_t role, const char *fn,
			       const char *ns, const char *name)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	r.vpid = vpid;
	r.role = role;
	snprintf(r.function, sizeof(r.function), "%s", fn);
	snprintf(r.pod_namespace, sizeof(r.pod_namespace), "%s", ns);
	snprintf(r.pod_name, sizeof(r.pod_name), "%s", name);
	snprintf(r.container_id, sizeof(r.container_id), "c%u", vpid);
	strcpy(r.ifname, "eth0");
	return r;
}

/* Groups of the SF types of @c over @eps (no pod annotations). */
static struct sfc_group_entry *groups_of(const struct sfc_chain *c,
					 const struct sfc_ep_record *eps,
					 int n_eps, int *n)
{
	const char *types[SFC_MAX_CHAIN_SFS];
	struct sfc_group_entry *g = NULL;
	int i;

	for (i = 0; i < c->n_sfs; i++)
		types[i] = c->sfs[i];
	cr_assert_eq(sfc_compile_groups(types, c->n_sfs, eps, n_eps, NULL, 0, &g,
					n, NULL, 0), 0);
	return g;
}

Test(control_compile, paths_order_groups_policy)
{
	struct sfc_path_entry out[SFC_CHAIN_MAX_ENTRIES];
	const struct sfc_group_entry *fw, *cnt;
	struct sfc_group_entry *g;
	struct sfc_ep_record eps[5];
	struct sfc_chain c;
	char err[256] = "";
	int n = 0, ng = 0, i;

	parse("{" HDR "\"metadata\":{\"name\":\"fw-count\"},\"spec\":{\"functions\":"
	      "[\"firewall\",\"counter\"],\"failurePolicy\":\"fail-open\"}}", &c);
	eps[0] = ep(9, SFC_ROLE_SF, "firewall", "default", "fw-b");
	eps[1] = ep(4, SFC_ROLE_SF, "firewall", "default", "fw-a");
	eps[2] = ep(7, SFC_ROLE_SF, "counter", "default", "cnt");
	eps[3] = ep(2, SFC_ROLE_APP, "", "default", "client");
	eps[4] = ep(3, SFC_ROLE_APP, "counter", "default", "not-an-sf");
	g = groups_of(&c, eps, 5, &ng);
	cr_assert_eq(ng, 2);
	fw = sfc_group_find(g, ng, "firewall");
	cnt = sfc_group_find(g, ng, "counter");
	cr_assert(fw && cnt && fw->id != cnt->id);
	cr_assert_eq(fw->grp.n_members, 2, "both firewall instances");
	cr_assert_eq(fw->grp.m[0].vpid, 4, "members in VPID order");
	cr_assert_eq(fw->grp.m[1].vpid, 9);
	cr_assert_eq(cnt->grp.n_members, 1, "an app pod is never a member");
	cr_assert_eq(sfc_compile_paths(&c, g, ng, out, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 6, "forward and reverse: 2 SF hops + END each");
	cr_assert_eq(out[0].sp, SFC_SP(c.spi, 255));
	cr_assert_eq(out[0].hop.kind, SFC_HOP_SF);
	cr_assert_eq(out[0].hop.group, fw->id);
	cr_assert_eq(out[1].sp, SFC_SP(c.spi, 254));
	cr_assert_eq(out[1].hop.group, cnt->id);
	cr_assert_eq(out[2].sp, SFC_SP(c.spi, 253));
	cr_assert_eq(out[2].hop.kind, SFC_HOP_END);
	for (i = 0; i < n; i++) {
		cr_assert_eq(out[i].hop.policy, SFC_FAIL_OPEN);
		cr_assert_eq(out[i].hop.flags, 0);
	}
	free(g);
}

Test(control_compile, paths_reverse_sfp)
{
	struct sfc_path_entry out[SFC_CHAIN_MAX_ENTRIES];
	struct sfc_group_entry *g;
	struct sfc_ep_record eps[3];
	struct sfc_chain c;
	char err[256] = "";
	int n = 0, ng = 0;

	parse("{" HDR "\"metadata\":{\"name\":\"sym\"},\"spec\":{\"functions\":"
	      "[\"firewall\",\"nat\",\"monitor\"]}}", &c);
	eps[0] = ep(5, SFC_ROLE_SF, "firewall", "default", "fw");
	eps[1] = ep(6, SFC_ROLE_SF, "nat", "default", "nat");
	eps[2] = ep(8, SFC_ROLE_SF, "monitor", "default", "mon");
	g = groups_of(&c, eps, 3, &ng);
	cr_assert_eq(sfc_compile_paths(&c, g, ng, out, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 8);
	cr_assert_eq(sfc_chain_rev_spi(&c), c.spi + 1);
	/* reverse SFP: monitor, nat, firewall, END */
	cr_assert_eq(out[4].sp, SFC_SP(c.spi + 1, 255));
	cr_assert_eq(out[4].hop.group, sfc_group_find(g, ng, "monitor")->id);
	cr_assert_eq(out[5].sp, SFC_SP(c.spi + 1, 254));
	cr_assert_eq(out[5].hop.group, sfc_group_find(g, ng, "nat")->id);
	cr_assert_eq(out[6].sp, SFC_SP(c.spi + 1, 253));
	cr_assert_eq(out[6].hop.group, sfc_group_find(g, ng, "firewall")->id);
	cr_assert_eq(out[7].sp, SFC_SP(c.spi + 1, 252));
	cr_assert_eq(out[7].hop.kind, SFC_HOP_END);
	cr_assert_eq(out[7].hop.policy, SFC_FAIL_CLOSED);
	free(g);
}

Test(control_compile, paths_missing_instance)
{
	struct sfc_path_entry out[SFC_CHAIN_MAX_ENTRIES];
	struct sfc_group_entry *g;
	struct sfc_ep_record eps[1];
	struct sfc_chain c;
	char err[256] = "";
	int n = 0, ng = 0;

	parse("{" HDR "\"metadata\":{\"name\":\"fw-count\"},\"spec\":{\"functions\":"
	      "[\"firewall\",\"counter\"]}}", &c);
	eps[0] = ep(4, SFC_ROLE_SF, "firewall", "default", "fw");
	g = groups_of(&c, eps, 1, &ng);
	cr_assert_eq(sfc_compile_paths(&c, g, ng, out, &n, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "chain fw-count: SF type counter has no instance");
	cr_assert_eq(n, 6);
	cr_assert_eq(out[1].hop.group, sfc_group_find(g, ng, "counter")->id,
		     "the hop keeps its (empty) group");
	cr_assert_eq(out[1].hop.flags, SFC_HOP_F_DOWN, "fail policy applies");
	cr_assert_eq(out[3].hop.flags, SFC_HOP_F_DOWN, "reverse hop too");
	cr_assert_eq(out[4].hop.flags, 0);
	cr_assert_eq(sfc_compile_paths(&c, NULL, 0, out, &n, err, sizeof(err)), -ENOENT);
	cr_assert_eq(out[0].hop.group, 0);
	cr_assert_eq(out[0].hop.flags, SFC_HOP_F_DOWN);
	free(g);
}

Test(control_compile, policy_build_limit)
{
	struct sfc_rule rules[SFC_MAX_RULES + 1];
	struct sfc_policy pol;
	int i;

	memset(rules, 0, sizeof(rules));
	for (i = 0; i <= SFC_MAX_RULES; i++)
		rules[i].spi = 100 + (uint32_t)i;
	cr_assert_eq(sfc_policy_build(rules, SFC_MAX_RULES + 1, &pol), -E2BIG);
	cr_assert_eq(sfc_policy_build(rules, SFC_MAX_RULES, &pol), 0);
	cr_assert_eq(pol.n_rules, SFC_MAX_RULES);
	cr_assert_eq(pol.rules[SFC_MAX_RULES - 1].spi, 100 + SFC_MAX_RULES - 1);
	cr_assert_eq(sfc_policy_build(rules, -1, &pol), -EINVAL);
}

Test(control_compile, policy_per_pod)
{
	struct sfc_chain_entry chains[1];
	struct sfc_policy_entry *pols = NULL;
	struct sfc_ep_record eps[4];
	struct sfc_pod pods[3];
	uint32_t keep[4];
	char err[512] = "";
	int n = 0, n_keep = 0;

	memset(chains, 0, sizeof(chains));
	memset(pods, 0, sizeof(pods));
	parse("{" HDR "\"metadata\":{\"name\":\"fw\"},\"spec\":{\"functions\":[\"firewall\"],"
	      "\"match\":[{\"direction\":\"egress\",\"protocol\":\"tcp\"},"
	      "{\"direction\":\"ingress\"}]}}", &chains[0].chain);
	chains[0].name_known = 1;
	eps[0] = ep(2, SFC_ROLE_APP, "", "default", "client");
	eps[1] = ep(3, SFC_ROLE_APP, "", "default", "plain");
	eps[2] = ep(4, SFC_ROLE_APP, "", "prod", "lost");
	eps[3] = ep(5, SFC_ROLE_SF, "firewall", "default", "fw");
	strcpy(pods[0].ns, "default");
	strcpy(pods[0].name, "client");
	strcpy(pods[0].info.chain, "fw");
	strcpy(pods[1].ns, "default");
	strcpy(pods[1].name, "plain");
	strcpy(pods[2].ns, "prod");
	strcpy(pods[2].name, "lost");
	strcpy(pods[2].info.chain, "nope");
	cr_assert_eq(sfc_compile_policy(chains, 1, eps, 4, pods, 3, &pols, &n, keep,
					&n_keep, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "pod prod/lost: unknown chain nope"), "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_eq(n_keep, 0);
	cr_assert_eq(pols[0].key.vpid, 2);
	cr_assert_eq(pols[0].key.dir, SFC_DIR_EGRESS);
	cr_assert_eq(pols[0].pol.n_rules, 1);
	cr_assert_eq(pols[0].pol.rules[0].spi, chains[0].chain.spi);
	cr_assert_eq(pols[0].pol.rules[0].proto, IPPROTO_TCP);
	cr_assert_eq(pols[1].key.dir, SFC_DIR_INGRESS);
	cr_assert_eq(pols[1].pol.rules[0].spi, chains[0].chain.spi);
	free(pols);
}

Test(control_compile, policy_broken_chain_kept)
{
	struct sfc_chain_entry chains[1];
	struct sfc_policy_entry *pols = NULL;
	struct sfc_ep_record eps[1];
	struct sfc_pod pods[1];
	uint32_t keep[1];
	char err[512] = "";
	int n = 0, n_keep = 0;

	memset(chains, 0, sizeof(chains));
	memset(pods, 0, sizeof(pods));
	strcpy(chains[0].chain.name, "fw");
	chains[0].name_known = 1;
	chains[0].status = -EINVAL;
	eps[0] = ep(2, SFC_ROLE_APP, "", "default", "client");
	strcpy(pods[0].ns, "default");
	strcpy(pods[0].name, "client");
	strcpy(pods[0].info.chain, "fw");
	cr_assert_eq(sfc_compile_policy(chains, 1, eps, 1, pods, 1, &pols, &n, keep,
					&n_keep, err, sizeof(err)), -EINVAL);
	cr_assert_eq(n, 0);
	cr_assert_eq(n_keep, 1);
	cr_assert_eq(keep[0], 2);
	free(pols);
}

/* The hop before an SFC-unaware SF asks its SF for small plain frames, on
 * both SFPs (the SFF must push NSH again after the unaware SF). */
Test(control_compile, paths_flag_hop_before_unaware)
{
	struct sfc_path_entry out[SFC_CHAIN_MAX_ENTRIES];
	struct sfc_group_entry *g, *nat;
	struct sfc_ep_record eps[3];
	struct sfc_chain c;
	char err[256] = "";
	int n = 0, ng = 0, i;

	parse("{" HDR "\"metadata\":{\"name\":\"prx\"},\"spec\":{\"functions\":"
	      "[\"firewall\",\"nat\",\"monitor\"]}}", &c);
	eps[0] = ep(5, SFC_ROLE_SF, "firewall", "default", "fw");
	eps[1] = ep(6, SFC_ROLE_SF, "nat", "default", "nat");
	eps[2] = ep(8, SFC_ROLE_SF, "monitor", "default", "mon");
	g = groups_of(&c, eps, 3, &ng);
	nat = (struct sfc_group_entry *)sfc_group_find(g, ng, "nat");
	cr_assert(nat);
	nat->grp.m[0].flags |= SFC_MEMBER_F_UNAWARE;
	cr_assert_eq(sfc_compile_paths(&c, g, ng, out, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 8);
	for (i = 0; i < n; i++) {
		/* forward: firewall (255) precedes nat; reverse: monitor (255) */
		int before = out[i].sp == SFC_SP(c.spi, 255) ||
			     out[i].sp == SFC_SP(c.spi + 1, 255);

		cr_assert_eq(!!(out[i].hop.flags & SFC_HOP_F_NEXT_UNAWARE), before,
			     "hop %u/%u", SFC_SP_SPI(out[i].sp), SFC_SP_SI(out[i].sp));
	}
	free(g);
}
