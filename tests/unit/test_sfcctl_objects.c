// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sfcctl_objects.c - the objects sfcctl's views name things from:
 * sfc-agent's cluster snapshot when the state dir has one (cluster mode),
 * else the conf dir's files; `get chains` and `get pods` on both, a pod
 * naming a missing chain, and a malformed snapshot.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* sfcctl is a program, not a library: its code is linked in here. */
#include "sfcctl.h"

static char dir[64], conf[96], state[96];

static void setup(void)
{
	strcpy(dir, "/tmp/sfcctl-obj-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/conf", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	mkdir(conf, 0755);
	mkdir(state, 0755);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(sfcctl_objects, .init = setup, .fini = teardown);

static void write_ep(uint32_t vpid, uint32_t role, const char *fn, const char *pod)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.container_id, sizeof(r.container_id), "c%u", vpid);
	strcpy(r.ifname, "eth0");
	strcpy(r.pod_namespace, "ns1");
	snprintf(r.pod_name, sizeof(r.pod_name), "%s", pod);
	snprintf(r.function, sizeof(r.function), "%s", fn);
	r.vpid = vpid;
	r.role = role;
	cr_assert_eq(sfc_state_write(state, &r), 0);
}

static void pod(struct sfc_pod *p, const char *name, const char *chain,
		const char *fn)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->ns, "ns1");
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->file, sizeof(p->file), "pod ns1/%s", name);
	snprintf(p->info.chain, sizeof(p->info.chain), "%s", chain);
	snprintf(p->info.function, sizeof(p->info.function), "%s", fn);
}

/* What the agent writes in cluster mode: chain fw-count (firewall,
 * counter), pods c (fw-count), u (chain "later", which does not exist),
 * fw and cnt (the instances); their endpoint records. */
static void cluster_node(void)
{
	cJSON *o = cJSON_Parse(
		"{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
		"\"metadata\":{\"name\":\"fw-count\",\"generation\":3,\"uid\":\"x\"},"
		"\"spec\":{\"functions\":[\"firewall\",\"counter\"]},"
		"\"status\":{\"observedGeneration\":3}}");
	struct sfc_snapshot_chain sc = { o, "True", "Compiled",
					 "forward and reverse paths programmed" };
	struct sfc_pod pods[4];

	cr_assert_not_null(o);
	pod(&pods[0], "c", "fw-count", "");
	pod(&pods[1], "u", "later", "");
	pod(&pods[2], "fw", "", "firewall");
	pod(&pods[3], "cnt", "", "counter");
	cr_assert_eq(sfc_snapshot_write(state, "node-a", &sc, 1, pods, 4, NULL), 0);
	cJSON_Delete(o);
	write_ep(1, SFC_ROLE_APP, "", "c");
	write_ep(2, SFC_ROLE_APP, "", "u");
	write_ep(3, SFC_ROLE_SF, "firewall", "fw");
	write_ep(4, SFC_ROLE_SF, "counter", "cnt");
}

/* A standalone chain file the cluster-mode agent never reads. */
static void stale_chain_file(void)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/chains.d", conf);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/chains.d/old.json", conf);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
	      "\"metadata\":{\"name\":\"old\"},\"spec\":{\"functions\":[\"nat\"]}}", f);
	fclose(f);
}

static struct sfcctl ctl(bool json)
{
	struct sfcctl c = { .conf_dir = conf, .state_dir = state,
			    .pin_dir = "/nonexistent", .json = json };
	return c;
}

Test(sfcctl_objects, cluster_snapshot_is_the_source)
{
	struct sfcctl c = ctl(false);
	struct sfcctl_src src;
	struct sfc_plan p;
	char err[2048] = "";
	int i, drops = 0;

	cluster_node();
	stale_chain_file();
	cr_assert_eq(sfcctl_plan_load(&c, &p, &src, err, sizeof(err)), 0, "%s", err);
	cr_assert(src.cluster);
	cr_assert_str_eq(src.snap.node, "node-a");
	cr_assert_eq(p.n_chains, 1, "chains.d is not what the node programs");
	cr_assert_str_eq(p.chains[0].chain.name, "fw-count");
	cr_assert_str_eq(sfcctl_chain_ready(&src, "fw-count")->reason, "Compiled");
	cr_assert_eq(sfcctl_chain_ready(&src, "fw-count")->generation, 3);
	cr_assert_null(sfcctl_chain_ready(&src, "old"));
	cr_assert_eq(p.n_pods, 4);
	cr_assert(!sfcctl_chain_missing(&p, &p.pods[0]));
	cr_assert(sfcctl_chain_missing(&p, &p.pods[1]));
	cr_assert(!sfcctl_chain_missing(&p, &p.pods[2]), "no chain named");
	/* Compiled as the agent does: the unknown chain's pod gets the drop. */
	for (i = 0; i < p.n_pols; i++)
		drops += p.pols[i].key.vpid == 2 &&
			 p.pols[i].pol.rules[0].spi == SFC_SPI_NO_CHAIN;
	cr_assert_eq(drops, 1);
	cr_assert_eq(p.n_paths, 6, "forward and reverse: 2 SF hops + END each");
	sfc_plan_free(&p);
	sfcctl_src_free(&src);

	/* No snapshot: standalone, the conf dir's files. */
	write_ep(5, SFC_ROLE_APP, "", "x");
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/%s", state, SFC_SNAPSHOT_FILE);
		cr_assert_eq(unlink(path), 0);
	}
	cr_assert_eq(sfcctl_plan_load(&c, &p, &src, err, sizeof(err)), 0, "%s", err);
	cr_assert(!src.cluster);
	cr_assert_eq(p.n_chains, 1);
	cr_assert_str_eq(p.chains[0].chain.name, "old");
	cr_assert_null(sfcctl_chain_ready(&src, "old"));
	sfc_plan_free(&p);
	sfcctl_src_free(&src);
}

/* The views print to stdout (and where the objects came from to
 * stderr): criterion captures both. */
static void setup_views(void)
{
	cr_redirect_stdout();
	cr_redirect_stderr();
	setup();
}

TestSuite(sfcctl_views, .init = setup_views, .fini = teardown);

/* Read what a view printed to stdout (redirected by criterion). */
static char *view_out(int (*cmd)(struct sfcctl *), bool json)
{
	struct sfcctl c = ctl(json);
	static char buf[16384];
	size_t n;
	FILE *f;

	cr_assert_eq(cmd(&c), 0);
	fflush(stdout);
	f = cr_get_redirected_stdout();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

Test(sfcctl_views, get_chains_cluster)
{
	char *out;

	cluster_node();
	stale_chain_file();
	out = view_out(cmd_get_chains, false);
	cr_assert(strstr(out, "GEN") && strstr(out, "READY"), "%s", out);
	cr_assert(strstr(out, "fw-count"), "%s", out);
	cr_assert(strstr(out, "firewall->counter"), "%s", out);
	cr_assert(strstr(out, "True/Compiled"), "%s", out);
	cr_assert_null(strstr(out, "old"), "%s", out);
}

Test(sfcctl_views, get_chains_cluster_json)
{
	cJSON *a, *o;
	char *out;

	cluster_node();
	out = view_out(cmd_get_chains, true);
	a = cJSON_Parse(out);
	cr_assert_eq(cJSON_GetArraySize(a), 1, "%s", out);
	o = cJSON_GetArrayItem(a, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(o, "name")->valuestring, "fw-count");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "file")->valuestring, "servicechain/fw-count");
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "functions"), 0)->valuestring,
			 "firewall");
	cr_assert_eq(cJSON_GetObjectItem(o, "generation")->valueint, 3);
	cr_assert_str_eq(cJSON_GetObjectItem(o, "ready")->valuestring, "True");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "reason")->valuestring, "Compiled");
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "pods"), 0)->valuestring,
			 "ns1/c");
	cJSON_Delete(a);
}

Test(sfcctl_views, get_pods_missing_chain)
{
	char *out;

	cluster_node();
	out = view_out(cmd_get_pods, false);
	cr_assert(strstr(out, "later (missing)"), "%s", out);
	cr_assert(strstr(out, "fw-count "), "%s", out);
	cr_assert_null(strstr(out, "fw-count (missing)"), "%s", out);
}

Test(sfcctl_views, get_pods_missing_chain_json)
{
	cJSON *a, *o;
	char *out;
	int n = 0;

	cluster_node();
	out = view_out(cmd_get_pods, true);
	a = cJSON_Parse(out);
	cr_assert_eq(cJSON_GetArraySize(a), 4, "%s", out);
	cJSON_ArrayForEach(o, a) {
		bool missing = cJSON_IsTrue(cJSON_GetObjectItem(o, "chainMissing"));

		n += missing;
		cr_assert_eq(missing, !strcmp(cJSON_GetObjectItem(o, "name")->valuestring, "u"),
			     "%s", out);
	}
	cr_assert_eq(n, 1);
	cJSON_Delete(a);
}

/* A snapshot that cannot be read is an error, not a silent fallback to
 * files the node does not program. */
Test(sfcctl_objects, malformed_snapshot)
{
	struct sfcctl c = ctl(false);
	struct sfcctl_src src;
	struct sfc_plan p;
	char path[160], err[2048] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", state, SFC_SNAPSHOT_FILE);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("{\"v\":1,\"chains\":{}}", f);
	fclose(f);
	cr_assert_eq(sfcctl_plan_load(&c, &p, &src, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "chains, pods: expected arrays"), "%s", err);
	sfc_plan_free(&p);
	sfcctl_src_free(&src);
}

/* apply, delete and reconcile write or program the conf dir, which a
 * cluster-mode agent ignores: refused there, and nothing is written. */
Test(sfcctl_views, writes_refused_in_cluster_mode)
{
	struct sfcctl c = ctl(false);
	char path[160];
	FILE *f;

	cluster_node();
	stale_chain_file();
	c.file = "/dev/null";
	cr_assert_eq(cmd_apply(&c), 1);
	c.argc = 2;
	c.argv[0] = "chain";
	c.argv[1] = "old";
	cr_assert_eq(cmd_delete(&c), 1);
	cr_assert_eq(cmd_reconcile(&c), 1);
	snprintf(path, sizeof(path), "%s/chains.d/old.json", conf);
	cr_assert_eq(access(path, F_OK), 0, "delete removed a chain file");
	fflush(stderr);
	f = cr_get_redirected_stderr();
	{
		static char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		cr_assert(strstr(buf, "apply: this node's sfc-agent runs in cluster mode"), "%s", buf);
		cr_assert(strstr(buf, "change them with kubectl"), "%s", buf);
	}
}
