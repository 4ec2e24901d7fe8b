// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_plan.c - sfc_plan_compile() on in-memory objects (the entry
 * point any object source feeds), and the standalone loader's treatment
 * of broken files in pods.d and chains.d: a bad object concerns only the
 * pod or chain it describes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sfc_control.h"

#define HDR "\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","

static struct sfc_chain_entry chain_entry(const char *json)
{
	struct sfc_chain_entry e;
	char err[256] = "";

	memset(&e, 0, sizeof(e));
	cr_assert_eq(sfc_chain_parse(json, &e.chain, err, sizeof(err)), 0, "%s", err);
	e.name_known = 1;
	snprintf(e.file, sizeof(e.file), "%s.json", e.chain.name);
	return e;
}

static struct sfc_pod pod(const char *name, const char *chain,
			  const char *function)
{
	struct sfc_pod p;

	memset(&p, 0, sizeof(p));
	strcpy(p.ns, "default");
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.info.chain, sizeof(p.info.chain), "%s", chain);
	snprintf(p.info.function, sizeof(p.info.function), "%s", function);
	return p;
}

/* An object its source could not use: identity known, reason given. */
static struct sfc_pod bad_pod(const char *name)
{
	struct sfc_pod p = pod(name, "", "");

	p.status = -EINVAL;
	snprintf(p.error, sizeof(p.error), "pods/%s: metadata.annotations: "
		 "sfc.io/sfc-aware: expected \"true\" or \"false\"", name);
	return p;
}

static struct sfc_ep_record ep(uint32_t vpid, uint32_t role, const char *fn,
			       const char *name)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	r.vpid = vpid;
	r.role = role;
	strcpy(r.pod_namespace, "default");
	snprintf(r.pod_name, sizeof(r.pod_name), "%s", name);
	snprintf(r.function, sizeof(r.function), "%s", fn);
	return r;
}

static bool u32_in(const uint32_t *v, int n, uint32_t x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* Objects that never touched a disk compile to the maps' contents. */
Test(control_plan, compile_in_memory)
{
	struct sfc_chain_entry chains[1];
	struct sfc_ep_record eps[4];
	struct sfc_pod pods[4];
	struct sfc_objects in = { chains, 1, pods, 4, eps, 4 };
	const struct sfc_group_entry *fw, *cnt;
	struct sfc_plan p;
	char err[1024] = "x";

	chains[0] = chain_entry("{" HDR "\"metadata\":{\"name\":\"fw-count\"},"
				"\"spec\":{\"functions\":[\"firewall\",\"counter\"]}}");
	pods[0] = pod("client", "fw-count", "");
	pods[1] = pod("server", "", "");
	pods[2] = pod("fw", "", "firewall");
	pods[3] = pod("cnt", "", "counter");
	eps[0] = ep(1, SFC_ROLE_APP, "", "client");
	eps[1] = ep(2, SFC_ROLE_APP, "", "server");
	eps[2] = ep(4, SFC_ROLE_SF, "firewall", "fw");
	eps[3] = ep(5, SFC_ROLE_SF, "counter", "cnt");
	cr_assert_eq(sfc_plan_compile(&in, &p, err, sizeof(err)), 0);
	cr_assert_str_eq(err, "");
	cr_assert_eq(p.n_errors, 0);
	cr_assert_eq(p.n_chains, 1);
	cr_assert_neq(p.chains, chains, "the plan holds its own copy");
	cr_assert_eq(p.chains[0].chain.spi, 10826300);
	cr_assert_eq(p.n_groups, 2);
	fw = sfc_group_find(p.groups, p.n_groups, "firewall");
	cnt = sfc_group_find(p.groups, p.n_groups, "counter");
	cr_assert(fw && cnt);
	cr_assert_eq(fw->id, 460);
	cr_assert_eq(fw->grp.n_members, 1);
	cr_assert_eq(fw->grp.m[0].vpid, 4);
	cr_assert_eq(cnt->grp.m[0].vpid, 5);
	cr_assert_eq(p.n_paths, 2 * (2 + 1), "forward and reverse SFPs");
	cr_assert_eq(p.paths[0].sp, SFC_SP(10826300, 255));
	cr_assert_eq(p.paths[0].hop.group, fw->id);
	cr_assert_eq(p.n_fwd_spi, 1);
	cr_assert_eq(p.n_pols, 1, "only the client selects a chain");
	cr_assert_eq(p.pols[0].key.vpid, 1);
	cr_assert_eq(p.pols[0].pol.rules[0].spi, 10826300);
	cr_assert_eq(p.n_keep_vpid, 0);
	cr_assert_eq(p.n_keep_spi, 0);
	sfc_plan_free(&p);
}

/* A pod object its source could not use concerns that pod only: its app
 * endpoint keeps the policy it has (no new one, none deleted), its SF
 * instance leaves its group, the problem is reported once; every other
 * pod compiles as usual. */
Test(control_plan, unusable_pod_concerns_only_itself)
{
	struct sfc_chain_entry chains[1];
	struct sfc_ep_record eps[5];
	struct sfc_pod pods[5];
	struct sfc_objects in = { chains, 1, pods, 5, eps, 5 };
	const struct sfc_group_entry *fw;
	struct sfc_plan p;
	char err[1024] = "";

	chains[0] = chain_entry("{" HDR "\"metadata\":{\"name\":\"fw\"},"
				"\"spec\":{\"functions\":[\"firewall\"]}}");
	pods[0] = pod("client", "fw", "");
	pods[1] = bad_pod("broken-client");
	pods[2] = pod("fw1", "", "firewall");
	pods[3] = bad_pod("fw2");
	pods[4] = pod("client2", "fw", "");
	eps[0] = ep(1, SFC_ROLE_APP, "", "client");
	eps[1] = ep(2, SFC_ROLE_APP, "", "broken-client");
	eps[2] = ep(4, SFC_ROLE_SF, "firewall", "fw1");
	eps[3] = ep(5, SFC_ROLE_SF, "firewall", "fw2");
	eps[4] = ep(3, SFC_ROLE_APP, "", "client2");
	cr_assert_eq(sfc_plan_compile(&in, &p, err, sizeof(err)), 0);
	cr_assert_eq(p.n_errors, 2, "%s", err);
	cr_assert(strstr(err, "pods/broken-client: metadata.annotations"), "%s", err);
	cr_assert(strstr(err, "pods/fw2: metadata.annotations"), "%s", err);
	cr_assert_eq(p.chains[0].status, 0, "the chain is fine: %s", p.chains[0].error);
	fw = sfc_group_find(p.groups, p.n_groups, "firewall");
	cr_assert(fw);
	cr_assert_eq(fw->grp.n_members, 1, "fw2's object is unusable: no member");
	cr_assert_eq(fw->grp.m[0].vpid, 4);
	cr_assert_eq(p.n_pols, 2);
	cr_assert_eq(p.pols[0].key.vpid, 1);
	cr_assert_eq(p.pols[1].key.vpid, 3);
	cr_assert_eq(p.n_keep_vpid, 1);
	cr_assert_eq(p.keep_vpid[0], 2, "broken-client keeps its last policy");
	sfc_plan_free(&p);
}

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/sfc-plan-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *sub, const char *name, const char *txt)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(txt, f);
	fclose(f);
}

static void write_ep(struct sfc_ep_record r, const char *cid)
{
	snprintf(r.container_id, sizeof(r.container_id), "%s", cid);
	strcpy(r.ifname, "eth0");
	cr_assert_eq(sfc_state_write(dir, &r), 0);
}

TestSuite(control_plan_files, .init = setup, .fini = teardown);

/* The standalone loader: one malformed file in pods.d is one pod's
 * problem; the plan still has every other pod's policy. */
Test(control_plan_files, malformed_pod_file)
{
	struct sfc_plan p;
	char err[2048] = "";

	write_ep(ep(1, SFC_ROLE_APP, "", "client"), "c1");
	write_ep(ep(2, SFC_ROLE_APP, "", "victim"), "c2");
	write_ep(ep(4, SFC_ROLE_SF, "firewall", "fw"), "c4");
	write_file("chains.d", "fw.json", "{" HDR "\"metadata\":{\"name\":\"fw\"},"
		   "\"spec\":{\"functions\":[\"firewall\"]}}");
	write_file("pods.d", "default_client.json", "{\"kind\":\"Pod\",\"metadata\":"
		   "{\"name\":\"client\",\"annotations\":{\"sfc.io/chain\":\"fw\"}}}");
	write_file("pods.d", "default_fw.json", "{\"kind\":\"Pod\",\"metadata\":"
		   "{\"name\":\"fw\",\"annotations\":{\"sfc.io/function\":\"firewall\"}}}");
	write_file("pods.d", "default_victim.json", "{\"kind\":\"Pod\",\"metadata\":");
	cr_assert_eq(sfc_plan_load(dir, dir, &p, err, sizeof(err)), 0);
	cr_assert_eq(p.n_errors, 1, "%s", err);
	cr_assert(strstr(err, "default_victim.json: not a JSON object"), "%s", err);
	cr_assert_eq(p.n_pods, 3);
	cr_assert_eq(p.chains[0].status, 0, "%s", p.chains[0].error);
	cr_assert_eq(p.n_pols, 1);
	cr_assert_eq(p.pols[0].key.vpid, 1);
	cr_assert_eq(p.n_keep_vpid, 1, "the victim's policy stays as it is");
	cr_assert_eq(p.keep_vpid[0], 2);
	sfc_plan_free(&p);
}

/* A chain file too broken to name its chain is the chain of its file
 * name: its last good maps stay, and so do the policies of the pods that
 * select it, instead of their traffic leaving the chain. */
Test(control_plan_files, unreadable_chain_file_keeps_last_good)
{
	struct sfc_plan p;
	char err[2048] = "";

	write_ep(ep(1, SFC_ROLE_APP, "", "client"), "c1");
	write_ep(ep(2, SFC_ROLE_APP, "", "other"), "c2");
	write_ep(ep(4, SFC_ROLE_SF, "firewall", "fw"), "c4");
	write_file("chains.d", "fw.json", "{\"apiVersion\":\"sfc.io/v1al");
	write_file("chains.d", "ok.json", "{" HDR "\"metadata\":{\"name\":\"ok\"},"
		   "\"spec\":{\"functions\":[\"firewall\"]}}");
	write_file("pods.d", "default_client.json", "{\"kind\":\"Pod\",\"metadata\":"
		   "{\"name\":\"client\",\"annotations\":{\"sfc.io/chain\":\"fw\"}}}");
	write_file("pods.d", "default_other.json", "{\"kind\":\"Pod\",\"metadata\":"
		   "{\"name\":\"other\",\"annotations\":{\"sfc.io/chain\":\"ok\"}}}");
	write_file("pods.d", "default_fw.json", "{\"kind\":\"Pod\",\"metadata\":"
		   "{\"name\":\"fw\",\"annotations\":{\"sfc.io/function\":\"firewall\"}}}");
	cr_assert_eq(sfc_plan_load(dir, dir, &p, err, sizeof(err)), 0);
	cr_assert_eq(p.n_chains, 2);
	cr_assert_eq(p.chains[0].status, -EINVAL);
	cr_assert_str_eq(p.chains[0].chain.name, "fw");
	cr_assert(p.chains[0].name_known);
	cr_assert_eq(p.n_keep_spi, 1);
	cr_assert_eq(p.keep_spi[0], sfc_chain_spi("fw"));
	cr_assert(strstr(err, "pod default/client: chain fw is not valid"), "%s", err);
	cr_assert(u32_in(p.keep_vpid, p.n_keep_vpid, 1), "client keeps its policy");
	cr_assert_eq(p.chains[1].status, 0, "the other chain is fine: %s",
		     p.chains[1].error);
	cr_assert_eq(p.n_pols, 1);
	cr_assert_eq(p.pols[0].key.vpid, 2);
	sfc_plan_free(&p);
}

/* A broken file never takes over a chain another file defines. */
Test(control_plan_files, unreadable_chain_file_does_not_shadow)
{
	struct sfc_chain_entry *ch = NULL;
	int n = 0;

	write_file("chains.d", "fw.json", "not json");
	write_file("chains.d", "fw2.json", "{" HDR "\"metadata\":{\"name\":\"fw\"},"
		   "\"spec\":{\"functions\":[\"firewall\"]}}");
	cr_assert_eq(sfc_chains_load(dir, &ch, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(ch[0].name_known, 0);
	cr_assert_eq(ch[1].status, 0, "%s", ch[1].error);
	cr_assert_str_eq(ch[1].chain.name, "fw");
	free(ch);
}
