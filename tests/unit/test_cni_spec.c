// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cni_spec.c - sfc-cni CNI 1.1 pieces without root: STATUS/GC
 * environment, runtimeConfig mac, GC's valid attachments, chained
 * prevResult, version negotiation with delegated plugins, result shapes per
 * version, the host-local store reader (exhaustion, owners), the temp
 * files of state record writes that DEL and GC remove.
 * cni_config.c, cni_result.c and cni_runtime.c are compiled into
 * test_cni_config.c (one unit binary), so only cni_hostlocal.c is here.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cni.h"
#include "cni_net.h"

static int parse_s(const char *json, struct cni_conf *c, struct cni_err *e)
{
	memset(e, 0, sizeof(*e));
	return cni_conf_parse(json, strlen(json), c, e);
}

#define HEAD "{\"cniVersion\":\"1.1.0\",\"name\":\"n1\",\"type\":\"sfc-cni\","

static const char *const *tbl;
static const char *tget(const char *k)
{
	size_t n = strlen(k);

	for (int i = 0; tbl[i]; i++)
		if (!strncmp(tbl[i], k, n) && tbl[i][n] == '=')
			return tbl[i] + n + 1;
	return NULL;
}

Test(cni_spec, status_and_gc_env)
{
	const char *status[] = { "CNI_COMMAND=STATUS", NULL };
	const char *gc[] = { "CNI_COMMAND=GC", "CNI_PATH=/x", NULL };
	const char *gc_nopath[] = { "CNI_COMMAND=GC", NULL };
	struct cni_env env;
	struct cni_err e = { 0 };

	tbl = status;
	cr_assert_eq(cni_env_parse(tget, &env, &e), 0, "%s", e.msg);
	cr_assert_eq(env.cmd, CNI_CMD_STATUS);
	tbl = gc;
	cr_assert_eq(cni_env_parse(tget, &env, &e), 0, "%s", e.msg);
	cr_assert_eq(env.cmd, CNI_CMD_GC);
	tbl = gc_nopath;
	cr_assert_lt(cni_env_parse(tget, &env, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_ENV);
}

Test(cni_spec, runtime_mac)
{
	struct cni_conf c;
	struct cni_err e;

	cr_assert_eq(parse_s(HEAD "\"ipam\":{\"type\":\"h\"},\"runtimeConfig\":{\"mac\":\"0A:58:0a:00:00:05\"}}",
			     &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.mac, "0a:58:0a:00:00:05");
	cni_conf_free(&c);
	cr_assert_eq(parse_s(HEAD "\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:01\"}}}", &c, &e), 0);
	cr_assert_str_eq(c.mac, "02:00:00:00:00:01");
	cr_assert_not(c.has_ipam);
	cni_conf_free(&c);
	cr_assert_lt(parse_s(HEAD "\"runtimeConfig\":{\"mac\":\"01:00:5e:00:00:01\"}}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_UNSUPPORTED);
	cr_assert_lt(parse_s(HEAD "\"runtimeConfig\":{\"mac\":\"zz\"}}", &c, &e), 0);
	cr_assert_lt(parse_s(HEAD "\"runtimeConfig\":{\"mac\":7}}", &c, &e), 0);
	cr_assert_not(cni_mac_valid("00:00:00:00:00:00"));
	cr_assert_not(cni_mac_valid("02:00:00:00:00:01:"));
	cr_assert_not(cni_mac_valid("02-00-00-00-00-01"));
	cr_assert(cni_mac_valid("02:ab:CD:00:00:01"));
	/* runtimeConfig ips/portMappings are not ours: accepted, ignored. */
	cr_assert_eq(parse_s(HEAD "\"ipam\":{\"type\":\"h\"},\"capabilities\":{\"ips\":true,\"portMappings\":true},"
			     "\"runtimeConfig\":{\"ips\":[\"10.1.0.9/24\"],\"portMappings\":[{\"hostPort\":8080,"
			     "\"containerPort\":80,\"protocol\":\"tcp\"}]}}", &c, &e), 0, "%s", e.msg);
	cni_conf_free(&c);
}

Test(cni_spec, conflist_is_not_a_member)
{
	struct cni_conf c;
	struct cni_err e;

	cr_assert_lt(parse_s("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"sfc-cni\"}]}",
			     &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_CONF);
}

Test(cni_spec, valid_attachments)
{
	struct cni_conf c;
	struct cni_err e;

	cr_assert_eq(parse_s(HEAD "\"cni.dev/valid-attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"},"
			     "{\"containerID\":\"c2\",\"ifname\":\"net1\"}]}", &c, &e), 0, "%s", e.msg);
	cr_assert(c.has_valid_attachments);
	cr_assert_eq(c.n_valid, 2);
	cr_assert(cni_valid_attachment(&c, "c1", "eth0"));
	cr_assert(cni_valid_attachment(&c, "c2", "net1"));
	cr_assert_not(cni_valid_attachment(&c, "c1", "net1"));
	cr_assert_not(cni_valid_attachment(&c, "c3", "eth0"));
	cni_conf_free(&c);
	cr_assert_eq(parse_s(HEAD "\"cni.dev/valid-attachments\":[]}", &c, &e), 0);
	cr_assert(c.has_valid_attachments);
	cr_assert_eq(c.n_valid, 0);
	cni_conf_free(&c);
	cr_assert_eq(parse_s(HEAD "\"ipam\":{\"type\":\"h\"}}", &c, &e), 0);
	cr_assert_not(c.has_valid_attachments);
	cni_conf_free(&c);
	cr_assert_lt(parse_s(HEAD "\"cni.dev/valid-attachments\":{}}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_CONF);
	cr_assert_lt(parse_s(HEAD "\"cni.dev/valid-attachments\":[{\"containerID\":1}]}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_CONF);
}

#define PTP_PREV "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[" \
	"{\"name\":\"veth1234\",\"mac\":\"02:00:00:00:00:01\"}," \
	"{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:02\",\"sandbox\":\"/var/run/netns/p\"}]," \
	"\"ips\":[{\"interface\":1,\"address\":\"10.9.0.5/24\",\"gateway\":\"10.9.0.1\"}]}"

Test(cni_spec, chained_prev_result)
{
	struct cni_conf c;
	struct cni_err e;
	char host[CNI_IFNAMSIZ] = "";
	char *txt;
	cJSON *root;

	cr_assert_eq(parse_s("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\"," PTP_PREV "}",
			     &c, &e), 0, "%s", e.msg);
	cr_assert(cni_prev_ifaces(&c, "eth0", host));
	cr_assert_str_eq(host, "veth1234");
	cr_assert_not(cni_prev_ifaces(&c, "net1", NULL));
	txt = cni_prev_result_json(&c);
	root = cJSON_Parse(txt);
	free(txt);
	cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, "1.0.0");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "interfaces")), 2);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "ips"), 0),
					     "address")->valuestring, "10.9.0.5/24");
	cJSON_Delete(root);
	cni_conf_free(&c);
	/* No interfaces (e.g. after a non-interface plugin): not attach mode. */
	cr_assert_eq(parse_s("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"sfc-cni\","
			     "\"prevResult\":{\"ips\":[]}}", &c, &e), 0);
	cr_assert_not(cni_prev_ifaces(&c, "eth0", host));
	cni_conf_free(&c);
}

Test(cni_spec, version_negotiation)
{
	const char *hl = "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.1.0\",\"0.2.0\","
			 "\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]}";
	char v[16];
	char *txt;
	cJSON *root;

	cr_assert_eq(cni_version_pick(hl, "1.1.0", v), 0);
	cr_assert_str_eq(v, "1.0.0");
	cr_assert_eq(cni_version_pick(hl, "0.3.1", v), 0);
	cr_assert_str_eq(v, "0.3.1");
	cr_assert_eq(cni_version_pick("{\"supportedVersions\":[\"1.1.0\",\"0.4.0\"]}", "1.1.0", v), 0);
	cr_assert_str_eq(v, "1.1.0");
	cr_assert_lt(cni_version_pick("{\"supportedVersions\":[\"1.1.0\"]}", "1.0.0", v), 0);
	cr_assert_lt(cni_version_pick("garbage", "1.0.0", v), 0);
	cr_assert_lt(cni_version_pick(NULL, "1.0.0", v), 0);
	txt = cni_conf_with_version(HEAD "\"ipam\":{\"type\":\"h\"}}",
				    strlen(HEAD "\"ipam\":{\"type\":\"h\"}}"), "1.0.0");
	root = cJSON_Parse(txt);
	free(txt);
	cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, "1.0.0");
	cr_assert_str_eq(cJSON_GetObjectItem(root, "name")->valuestring, "n1");
	cJSON_Delete(root);
	cr_assert_null(cni_conf_with_version("[1]", 3, "1.0.0"));
}

static cJSON *shape(const char *version)
{
	struct cni_ipam_result r;
	struct cni_err e = { 0 };
	struct cni_iface ifs[2] = {
		{ .name = "h0", .mac = "02:00:00:00:00:01" },
		{ .name = "eth0", .mac = "02:00:00:00:00:02", .sandbox = "/n" },
	};
	char *txt;
	cJSON *root;

	cr_assert_eq(cni_ipam_result_parse("{\"ips\":[{\"address\":\"10.1.0.5/24\"},"
					   "{\"address\":\"fd00::5/64\"}]}", &r, &e), 0);
	txt = cni_result_json(version, ifs, &r);
	root = cJSON_Parse(txt);
	free(txt);
	cni_ipam_result_free(&r);
	return root;
}

Test(cni_spec, result_shape_every_version)
{
	const char *vs[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };

	for (int i = 0; i < 5; i++) {
		cJSON *root = shape(vs[i]);
		cJSON *ips = cJSON_GetObjectItem(root, "ips");
		cJSON *ip0 = cJSON_GetArrayItem(ips, 0), *ip1 = cJSON_GetArrayItem(ips, 1);
		bool old = i < 3;

		cr_assert_str_eq(cJSON_GetObjectItem(root, "cniVersion")->valuestring, vs[i]);
		cr_assert_eq(cJSON_GetObjectItem(ip0, "interface")->valueint, 1, "%s", vs[i]);
		cr_assert_eq(cJSON_GetObjectItem(ip0, "version") != NULL, old, "%s", vs[i]);
		if (old) {
			cr_assert_str_eq(cJSON_GetObjectItem(ip0, "version")->valuestring, "4");
			cr_assert_str_eq(cJSON_GetObjectItem(ip1, "version")->valuestring, "6");
		}
		cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "routes")), 2);
		cJSON_Delete(root);
	}
}

/* host-local store in a temp dir. */
static char hl_dir[64];

static void hl_file(const char *net, const char *ip, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", hl_dir, net);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/%s/%s", hl_dir, net, ip);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(content, f);
	fclose(f);
}

static int hl_exhausted(const char *ipam)
{
	char json[1024];
	struct cni_conf c;
	struct cni_err e;
	int r;

	snprintf(json, sizeof(json), HEAD "\"ipam\":%s}", ipam);
	cr_assert_eq(parse_s(json, &c, &e), 0, "%s", e.msg);
	r = cni_hostlocal_exhausted(json, strlen(json), &c, NULL, 0);
	cni_conf_free(&c);
	return r;
}

static void hl_setup(void)
{
	snprintf(hl_dir, sizeof(hl_dir), "/tmp/sfc-unit-hl-XXXXXX");
	cr_assert_not_null(mkdtemp(hl_dir));
}

static void hl_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hl_dir);
	cr_assert_eq(system(cmd), 0);
}

Test(cni_hostlocal, exhaustion, .init = hl_setup, .fini = hl_teardown)
{
	char ipam[512];

	/* .250-.251 = 2 addresses; gateway .1 outside the range. */
	snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":[[{"
		 "\"subnet\":\"10.5.0.0/24\",\"rangeStart\":\"10.5.0.250\",\"rangeEnd\":\"10.5.0.251\"}]]}",
		 hl_dir);
	cr_assert_eq(hl_exhausted(ipam), 0, "empty store");
	hl_file("n1", "10.5.0.250", "c1\r\neth0");
	hl_file("n1", "last_reserved_ip.0", "10.5.0.250");
	hl_file("n1", "10.5.0.7", "stale-outside-range");
	hl_file("other", "10.5.0.251", "c9\r\neth0");
	cr_assert_eq(hl_exhausted(ipam), 0, "one of two used");
	hl_file("n1", "10.5.0.251", "c2\r\neth0");
	cr_assert_eq(hl_exhausted(ipam), 1, "both used");

	/* Defaults: /30 = .1 .. .2, gateway .1 excluded: one address. */
	snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":[[{"
		 "\"subnet\":\"10.6.0.0/30\"}]]}", hl_dir);
	cr_assert_eq(hl_exhausted(ipam), 0);
	hl_file("n1", "10.6.0.2", "c3\r\neth0");
	cr_assert_eq(hl_exhausted(ipam), 1);
	/* Legacy single-range form, and a dual-stack set whose v6 is huge. */
	snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\","
		 "\"subnet\":\"10.6.0.0/30\"}", hl_dir);
	cr_assert_eq(hl_exhausted(ipam), 1);
	snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":["
		 "[{\"subnet\":\"fd00:1::/64\"}],[{\"subnet\":\"10.6.0.0/30\"}]]}", hl_dir);
	cr_assert_eq(hl_exhausted(ipam), 1, "any full set blocks ADD");
	snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":["
		 "[{\"subnet\":\"fd00:1::/64\"}]]}", hl_dir);
	cr_assert_eq(hl_exhausted(ipam), 0);
	snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":[[{"
		 "\"subnet\":\"bogus\"}]]}", hl_dir);
	cr_assert_lt(hl_exhausted(ipam), 0);
}

static int owner_cb(const char *cid, const char *ifname, void *arg)
{
	char *acc = arg;

	strcat(acc, cid);
	strcat(acc, "/");
	strcat(acc, ifname);
	strcat(acc, ";");
	return 0;
}

Test(cni_hostlocal, owners, .init = hl_setup, .fini = hl_teardown)
{
	char json[512], acc[256] = "";
	struct cni_conf c;
	struct cni_err e;

	snprintf(json, sizeof(json), HEAD "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"%s\","
		 "\"ranges\":[[{\"subnet\":\"10.5.0.0/24\"}]]}}", hl_dir);
	cr_assert_eq(parse_s(json, &c, &e), 0);
	cr_assert_eq(cni_hostlocal_owners(json, strlen(json), &c, owner_cb, acc), 0);
	cr_assert_str_eq(acc, "", "no store yet");
	hl_file("n1", "10.5.0.9", "c1\r\nnet1");
	hl_file("n1", "lock", "");
	cr_assert_eq(cni_hostlocal_owners(json, strlen(json), &c, owner_cb, acc), 0);
	cr_assert_str_eq(acc, "c1/net1;");
	acc[0] = '\0';
	hl_file("n1", "10.5.0.9", "old-format-id");
	cr_assert_eq(cni_hostlocal_owners(json, strlen(json), &c, owner_cb, acc), 0);
	cr_assert_str_eq(acc, "old-format-id/;");
	cni_conf_free(&c);
}

Test(cni_hostlocal, subnet_prefix_must_be_a_number_in_range, .init = hl_setup,
     .fini = hl_teardown)
{
	char ipam[512];
	const char *bad[] = { "10.5.0.0/99999999999", "10.5.0.0/33", "10.5.0.0/24x",
			      "10.5.0.0/", "10.5.0.0/-1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ipam, sizeof(ipam), "{\"type\":\"host-local\",\"dataDir\":\"%s\","
			 "\"ranges\":[[{\"subnet\":\"%s\"}]]}", hl_dir, bad[i]);
		cr_assert_lt(hl_exhausted(ipam), 0, "%s", bad[i]);
	}
}

/* A file @name in <hl_dir>/endpoints whose mtime is @age_s seconds ago. */
static void ep_file(const char *name, time_t age_s)
{
	struct timespec ts[2] = { { .tv_sec = time(NULL) - age_s },
				  { .tv_sec = time(NULL) - age_s } };
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/endpoints/%s", hl_dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs("{}", f);
	fclose(f);
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static bool ep_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/endpoints/%s", hl_dir, name);
	return access(path, F_OK) == 0;
}

Test(cni_spec, record_temp_files, .init = hl_setup, .fini = hl_teardown)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/endpoints", hl_dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	ep_file(".c1_eth0.json.Ab12Cd", 0);   /* c1/eth0's: ADD killed mid-write */
	ep_file(".c1_eth00.json.Ab12Cd", 0);  /* another attachment's, fresh */
	ep_file("c1_eth0.json", 600);         /* a record */
	ep_file(".c2_eth0.json.Xy34Zw", 600); /* old */
	ep_file(".c3_eth0.json.Qr56St", 10);  /* young: maybe a live writer's */
	ep_file(".c4_eth0.json", 600);        /* no mkstemp suffix */
	/* DEL of c1/eth0: its own temp files at any age, nothing else. */
	cr_assert_eq(sfc_state_tmp_remove(hl_dir, "c1", "eth0", 0), 1);
	cr_assert_not(ep_exists(".c1_eth0.json.Ab12Cd"));
	cr_assert(ep_exists(".c1_eth00.json.Ab12Cd"));
	cr_assert(ep_exists("c1_eth0.json"));
	cr_assert(ep_exists(".c2_eth0.json.Xy34Zw"));
	/* GC: every temp file at least that old. */
	cr_assert_eq(sfc_state_tmp_remove(hl_dir, NULL, NULL, 60), 1);
	cr_assert_not(ep_exists(".c2_eth0.json.Xy34Zw"));
	cr_assert(ep_exists(".c3_eth0.json.Qr56St"));
	cr_assert_eq(sfc_state_tmp_remove(hl_dir, NULL, NULL, 5), 1);
	cr_assert_not(ep_exists(".c3_eth0.json.Qr56St"));
	cr_assert(ep_exists(".c1_eth00.json.Ab12Cd"));
	cr_assert(ep_exists("c1_eth0.json"));
	cr_assert(ep_exists(".c4_eth0.json"));
	cr_assert_eq(sfc_state_tmp_remove("/nonexistent-sfc-unit", NULL, NULL, 60), 0);
	cr_assert_lt(sfc_state_tmp_remove(hl_dir, "a/b", "eth0", 0), 0);
}
