// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_control_state.c - endpoint state records, pod lookup and the
 * standalone object store, in a temp directory.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfc_control.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/sfc-ctl-test.XXXXXX");
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

static struct sfc_ep_record rec(const char *cid, uint32_t vpid)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.container_id, sizeof(r.container_id), "%s", cid);
	strcpy(r.ifname, "eth0");
	strcpy(r.host_ifname, "sfc1234abcd");
	strcpy(r.netns, "/var/run/netns/x");
	strcpy(r.pod_namespace, "default");
	strcpy(r.pod_name, "client");
	r.vpid = vpid;
	r.role = SFC_ROLE_SF;
	strcpy(r.function, "firewall");
	strcpy(r.mac, "02:00:00:00:00:01");
	strcpy(r.host_mac, "02:00:00:00:00:02");
	r.n_ips = 2;
	strcpy(r.ips[0], "10.22.0.5/24");
	strcpy(r.ips[1], "fd00::5/64");
	strcpy(r.ipam_type, "host-local");
	return r;
}

TestSuite(control_state, .init = setup, .fini = teardown);

Test(control_state, round_trip)
{
	struct sfc_ep_record r = rec("abc123", 7), got;

	cr_assert_eq(sfc_state_write(dir, &r), 0);
	cr_assert_eq(sfc_state_read(dir, "abc123", "eth0", &got), 0);
	cr_assert_eq(memcmp(&r, &got, sizeof(r)), 0);
	r.vpid = 8;
	cr_assert_eq(sfc_state_write(dir, &r), 0, "overwrite");
	cr_assert_eq(sfc_state_read(dir, "abc123", "eth0", &got), 0);
	cr_assert_eq(got.vpid, 8);
	cr_assert_eq(sfc_state_remove(dir, "abc123", "eth0"), 0);
	cr_assert_eq(sfc_state_read(dir, "abc123", "eth0", &got), -ENOENT);
	cr_assert_eq(sfc_state_remove(dir, "abc123", "eth0"), 0, "idempotent");
}

Test(control_state, atomic_write_leaves_no_temp)
{
	struct sfc_ep_record r = rec("c1", 1);
	char path[128];
	struct dirent *de;
	int files = 0;
	DIR *d;

	cr_assert_eq(sfc_state_write(dir, &r), 0);
	cr_assert_eq(sfc_state_write(dir, &r), 0);
	snprintf(path, sizeof(path), "%s/endpoints", dir);
	d = opendir(path);
	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		cr_assert_str_eq(de->d_name, "c1_eth0.json");
		files++;
	}
	closedir(d);
	cr_assert_eq(files, 1);
}

Test(control_state, list_skips_corrupt)
{
	struct sfc_ep_record a = rec("a", 1), b = rec("b", 2), *v = NULL;
	struct sfc_ep_record got;
	int n = -1;

	cr_assert_eq(sfc_state_write(dir, &a), 0);
	cr_assert_eq(sfc_state_write(dir, &b), 0);
	write_file("endpoints", "bad_eth0.json", "{\"containerId\":");
	write_file("endpoints", "novpid_eth0.json", "{\"containerId\":\"novpid\",\"ifname\":\"eth0\"}");
	write_file("endpoints", "notes.txt", "ignored");
	cr_assert_eq(sfc_state_list(dir, &v, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].vpid + v[1].vpid, 3);
	free(v);
	cr_assert_eq(sfc_state_read(dir, "bad", "eth0", &got), -EINVAL);
}

/* The numbers of a record are range-checked before any cast: a VPID
 * beyond the maps, a fractional or negative value, a role or flags value
 * out of range make the record corrupt (-EINVAL) rather than wrap. */
Test(control_state, record_numbers_checked)
{
	static const struct {
		const char *fields; /* after containerId and ifname */
		int rc;
		uint32_t vpid, role, flags;
	} cases[] = {
		{ "\"vpid\":4095", 0, 4095, SFC_ROLE_NONE, 0 },
		{ "\"vpid\":3,\"role\":2,\"flags\":1", 0, 3, SFC_ROLE_SF,
		  SFC_REC_F_ATTACH_ONLY },
		{ "\"vpid\":3,\"role\":\"app\"", 0, 3, SFC_ROLE_APP, 0 },
		{ "\"vpid\":4096", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":-1", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":1.5", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":\"5\"", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":1e300", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":3,\"role\":3", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":3,\"role\":1.5", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":3,\"flags\":-1", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":3,\"flags\":1.5", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":3,\"flags\":4294967296", -EINVAL, 0, 0, 0 },
		{ "\"vpid\":3,\"flags\":\"1\"", -EINVAL, 0, 0, 0 },
	};
	struct sfc_ep_record got;
	char txt[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(txt, sizeof(txt),
			 "{\"containerId\":\"n\",\"ifname\":\"eth0\",%s}",
			 cases[i].fields);
		write_file("endpoints", "n_eth0.json", txt);
		cr_assert_eq(sfc_state_read(dir, "n", "eth0", &got), cases[i].rc,
			     "%s", txt);
		if (cases[i].rc)
			continue;
		cr_expect_eq(got.vpid, cases[i].vpid, "%s", txt);
		cr_expect_eq(got.role, cases[i].role, "%s", txt);
		cr_expect_eq(got.flags, cases[i].flags, "%s", txt);
	}
}

Test(control_state, list_empty)
{
	struct sfc_ep_record *v = (void *)1;
	int n = -1;

	cr_assert_eq(sfc_state_list(dir, &v, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(v);
}

/* chains.d/, pods.d/ and endpoints/ are listed alike: a missing folder is
 * no entries, a folder path too long for the buffer is refused. */
Test(control_state, loaders_missing_dir_and_long_path)
{
	struct sfc_chain_entry *ch = (void *)1;
	struct sfc_ep_record *eps = (void *)1;
	struct sfc_pod *pods = (void *)1;
	char *longdir;
	int n = -1;

	cr_assert_eq(sfc_chains_load(dir, &ch, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(ch);
	n = -1;
	cr_assert_eq(sfc_pods_load(dir, &pods, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(pods);
	longdir = malloc(5000);
	cr_assert_not_null(longdir);
	memset(longdir, 'd', 4999);
	longdir[4999] = '\0';
	cr_assert_eq(sfc_chains_load(longdir, &ch, &n), -ENAMETOOLONG);
	cr_assert_eq(sfc_pods_load(longdir, &pods, &n), -ENAMETOOLONG);
	cr_assert_eq(sfc_state_list(longdir, &eps, &n), -ENAMETOOLONG);
	cr_assert_null(eps);
	free(longdir);
}

/* Entries come in file-name order, one per *.json file. */
Test(control_state, loaders_one_entry_per_file)
{
	const char *pod = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"}}";
	struct sfc_chain_entry *ch = NULL;
	struct sfc_pod *pods = NULL;
	char txt[128];
	int n = 0;

	snprintf(txt, sizeof(txt), pod, "b");
	write_file("pods.d", "2.json", txt);
	snprintf(txt, sizeof(txt), pod, "a");
	write_file("pods.d", "1.json", txt);
	write_file("pods.d", "README", "not listed");
	cr_assert_eq(sfc_pods_load(dir, &pods, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(pods[0].name, "a");
	cr_assert_str_eq(pods[0].file, "1.json");
	cr_assert_str_eq(pods[1].name, "b");
	free(pods);
	write_file("chains.d", "z.json", "{}");
	write_file("chains.d", "y.json", "[]");
	cr_assert_eq(sfc_chains_load(dir, &ch, &n), 0);
	cr_assert_eq(n, 2, "broken chain files are kept, with their error");
	cr_assert_str_eq(ch[0].file, "y.json");
	cr_assert_eq(ch[0].status, -EINVAL);
	cr_assert(strstr(ch[0].error, "y.json: not a JSON object"), "%s", ch[0].error);
	cr_assert_str_eq(ch[1].file, "z.json");
	free(ch);
}

Test(control_state, bad_ids_rejected)
{
	struct sfc_ep_record r = rec("../x", 1), got;

	cr_assert_eq(sfc_state_write(dir, &r), -EINVAL);
	strcpy(r.container_id, "a/b");
	cr_assert_eq(sfc_state_write(dir, &r), -EINVAL);
	strcpy(r.container_id, "ok");
	strcpy(r.ifname, "..");
	cr_assert_eq(sfc_state_write(dir, &r), -EINVAL);
	strcpy(r.ifname, "");
	cr_assert_eq(sfc_state_write(dir, &r), -EINVAL);
	cr_assert_eq(sfc_state_read(dir, "..", "eth0", &got), -EINVAL);
	cr_assert_eq(sfc_state_read(dir, "x", "e/0", &got), -EINVAL);
	cr_assert_eq(sfc_state_remove(dir, "a/../b", "eth0"), -EINVAL);
}

Test(control_state, pod_lookup)
{
	struct sfc_pod_info pi;
	char err[256] = "";

	write_file("pods.d", "client.json",
		   "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"prod\","
		   "\"name\":\"client\",\"annotations\":{\"sfc.io/chain\":\"fw-count\"}}}");
	write_file("pods.d", "fw.json",
		   "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"fw\","
		   "\"annotations\":{\"sfc.io/function\":\"firewall\",\"other\":\"x\"}}}");
	cr_assert_eq(sfc_pod_lookup(dir, "prod", "client", &pi, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(pi.chain, "fw-count");
	cr_assert_str_eq(pi.function, "");
	cr_assert_eq(sfc_pod_lookup(dir, "default", "fw", &pi, err, sizeof(err)), 0);
	cr_assert_str_eq(pi.function, "firewall");
	cr_assert_eq(sfc_pod_lookup(dir, "default", "nobody", &pi, err, sizeof(err)), 0);
	cr_assert_str_eq(pi.chain, "");
	cr_assert_str_eq(pi.function, "");
}

Test(control_state, pod_lookup_malformed)
{
	struct sfc_pod_info pi;
	char err[256] = "";

	write_file("pods.d", "ok.json", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"ok\","
		   "\"annotations\":{\"sfc.io/chain\":\"c\"}}}");
	write_file("pods.d", "broken.json", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\","
		   "\"annotations\":{\"sfc.io/chain\":42}}}");
	cr_assert_eq(sfc_pod_lookup(dir, "default", "ok", &pi, err, sizeof(err)), 0,
		     "a valid pod is found despite another broken file");
	cr_assert_str_eq(pi.chain, "c");
	cr_assert_eq(sfc_pod_lookup(dir, "default", "b", &pi, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "broken.json"), "%s", err);
	cr_assert(strstr(err, "sfc.io/chain"), "%s", err);
	cr_assert_str_eq(pi.chain, "", "nothing of a broken object is used");
}

/* A malformed file concerns only the pod it describes: a pod with no
 * object at all (no sfc.io annotations) is looked up fine beside it. */
Test(control_state, pod_lookup_other_pods_unaffected)
{
	struct sfc_pod_info pi;
	char err[256] = "";

	write_file("pods.d", "broken.json", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\","
		   "\"annotations\":{\"sfc.io/sfc-aware\":\"maybe\"}}}");
	write_file("pods.d", "garbage.json", "{\"kind\":");
	cr_assert_eq(sfc_pod_lookup(dir, "default", "nobody", &pi, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(pi.chain, "");
	cr_assert_str_eq(pi.function, "");
	cr_assert_eq(sfc_pod_lookup(dir, "prod", "b", &pi, err, sizeof(err)), 0,
		     "same name, other namespace: %s", err);
	cr_assert_eq(sfc_pod_lookup(dir, "default", "b", &pi, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "sfc.io/sfc-aware"), "%s", err);
}

/* An object too broken to name its pod belongs to the pod its file name
 * says ("<ns>_<name>.json", as the store writes it). */
Test(control_state, pod_lookup_unreadable_by_file_name)
{
	struct sfc_pod *pods = NULL;
	struct sfc_pod_info pi;
	char err[256] = "";
	int n = 0;

	write_file("pods.d", "prod_web.json", "{\"kind\":\"Pod\",\"metadata\":{\"name");
	write_file("pods.d", "prod_db.json", "{\"kind\":\"Pod\",\"metadata\":{\"namespace\":"
		   "\"prod\",\"name\":\"db\",\"annotations\":{\"sfc.io/chain\":\"c\"}}}");
	cr_assert_eq(sfc_pod_lookup(dir, "prod", "web", &pi, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "prod_web.json: not a JSON object"), "%s", err);
	cr_assert_eq(sfc_pod_lookup(dir, "prod", "db", &pi, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(pi.chain, "c");
	cr_assert_eq(sfc_pod_lookup(dir, "default", "web", &pi, err, sizeof(err)), 0);
	cr_assert_eq(sfc_pods_load(dir, &pods, &n), 0);
	cr_assert_eq(n, 2, "broken files are entries too");
	cr_assert_eq(pods[0].status, 0);
	cr_assert_str_eq(pods[1].file, "prod_web.json");
	cr_assert_eq(pods[1].status, -EINVAL);
	cr_assert_str_eq(pods[1].name, "");
	free(pods);
}

Test(control_state, store_apply_and_delete)
{
	const char *chain = "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
		"\"metadata\":{\"name\":\"fw\"},\"spec\":{\"functions\":[\"firewall\"]}}";
	const char *pod = "{\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"ns1\",\"name\":\"p\","
		"\"annotations\":{\"sfc.io/chain\":\"fw\"}}}";
	struct sfc_chain_entry *ch = NULL;
	char err[256] = "", kind[32], id[320], path[256];
	int n = 0;

	write_file("chains.d", "old-name.json", chain);
	cr_assert_eq(sfc_store_apply(dir, chain, kind, id, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(kind, "ServiceChain");
	cr_assert_str_eq(id, "fw");
	snprintf(path, sizeof(path), "%s/chains.d/old-name.json", dir);
	cr_assert_neq(access(path, F_OK), 0, "the same chain in another file is replaced");
	cr_assert_eq(sfc_chains_load(dir, &ch, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(ch[0].status, 0);
	free(ch);
	cr_assert_eq(sfc_store_apply(dir, pod, kind, id, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(id, "ns1/p");
	cr_assert_eq(sfc_store_apply(dir, "{\"kind\":\"Service\"}", kind, id, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "kind"), "%s", err);
	cr_assert_eq(sfc_store_delete_pod(dir, "ns1", "p"), 0);
	cr_assert_eq(sfc_store_delete_pod(dir, "ns1", "p"), -ENOENT);
	cr_assert_eq(sfc_store_delete_chain(dir, "fw"), 0);
	cr_assert_eq(sfc_store_delete_chain(dir, "fw"), -ENOENT);
}

Test(control_state, plan_reports_per_chain)
{
	struct sfc_ep_record fw = rec("fw", 4), cl = rec("cl", 2);
	struct sfc_plan p;
	char err[1024] = "";

	strcpy(cl.function, "");
	cl.role = SFC_ROLE_APP;
	strcpy(fw.pod_name, "fw");
	cr_assert_eq(sfc_state_write(dir, &fw), 0);
	cr_assert_eq(sfc_state_write(dir, &cl), 0);
	write_file("chains.d", "a.json", "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
		   "\"metadata\":{\"name\":\"a\"},\"spec\":{\"functions\":[\"firewall\"]}}");
	write_file("chains.d", "b.json", "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
		   "\"metadata\":{\"name\":\"b\"},\"spec\":{\"functions\":[\"nat\"]}}");
	write_file("chains.d", "c.json", "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
		   "\"metadata\":{\"name\":\"c\"},\"spec\":{\"functions\":\"oops\"}}");
	write_file("pods.d", "cl.json", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"client\","
		   "\"annotations\":{\"sfc.io/chain\":\"a\"}}}");
	cr_assert_eq(sfc_plan_load(dir, dir, &p, err, sizeof(err)), 0);
	cr_assert_eq(p.n_chains, 3);
	cr_assert_eq(p.chains[0].status, 0);
	cr_assert_eq(p.chains[1].status, -ENOENT);
	cr_assert(strstr(p.chains[1].error, "chain b: SF type nat has no instance"));
	cr_assert_eq(p.chains[2].status, -EINVAL);
	cr_assert(strstr(p.chains[2].error, "c.json: spec.functions"), "%s", p.chains[2].error);
	cr_assert_eq(p.n_keep_spi, 1, "broken file of a known chain keeps its maps");
	cr_assert_eq(p.n_paths, 2 * (2 + 2), "forward and reverse SFPs");
	cr_assert_eq(p.n_fwd_spi, 2, "both compiled chains get a reverse SPI");
	cr_assert_eq(p.n_pols, 1);
	cr_assert_eq(p.pols[0].key.vpid, 2);
	cr_assert_eq(p.n_errors, 2);
	cr_assert(strstr(err, "nat"), "%s", err);
	sfc_plan_free(&p);
}
