// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_reload.c - config (re)loading: a good reload swaps the rules, a
 * bad one keeps them and names file, line:column and field; a file
 * replaced by rename is seen; the field locator; and the reload inside the
 * sandbox (openat relative to the kept dirfd, read-only; anything else
 * killed). Sandbox cases need root and fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <criterion/criterion.h>

#include "config.h"
#include "firewall.h"
#include "sandbox.h"
#include "test_sf_util.h"

static char dir[64];
static int dirfd_ = -1;
static char err[512];

static void put(const char *name, const char *text)
{
	char path[128], tmp[140];
	FILE *f;

	/* write + rename, the way a config management tool replaces it */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	chmod(tmp, 0644);
	cr_assert_eq(rename(tmp, path), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sf-reload-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	chmod(dir, 0755);
	dirfd_ = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(dirfd_, 0);
}

static void teardown(void)
{
	char cmd[96];

	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static int fw_apply(void *ctx, const cJSON *cfg, const char *path, char *e,
		    size_t n)
{
	return sf_firewall_configure(ctx, cfg, path, e, n);
}

static int apply(struct sf_firewall *fw)
{
	err[0] = '\0';
	return sf_config_apply_at(dirfd_, "fw.json", "/etc/sfc/fw.json",
				  fw_apply, fw, err, sizeof(err));
}

TestSuite(sf_reload, .init = setup, .fini = teardown);

Test(sf_reload, good_reload_swaps_bad_keeps)
{
	struct sf_firewall fw = { 0 };

	put("fw.json", "{\"rules\": [{\"action\": \"deny\"}]}\n");
	cr_assert_eq(apply(&fw), 0, "%s", err);
	cr_assert_eq(fw.rules.n, 1);
	put("fw.json", "{\n  \"rules\": [\n    {\"action\": \"allow\"},\n"
		       "    {\"action\": \"deny\", \"protocol\": \"tcp\"}\n  ]\n}\n");
	cr_assert_eq(apply(&fw), 0, "%s", err);
	cr_assert_eq(fw.rules.n, 2, "replaced file seen");
	/* A field error: rules[1].dport with protocol udp is fine, tcp
	 * rule with a bad port is not. */
	put("fw.json", "{\n  \"rules\": [\n    {\"action\": \"allow\"},\n"
		       "    {\"action\": \"deny\", \"protocol\": \"tcp\",\n"
		       "     \"dport\": \"99999\"}\n  ]\n}\n");
	cr_assert_eq(apply(&fw), -EINVAL);
	cr_assert(strstr(err, "/etc/sfc/fw.json: line 5:6: rules[1].dport:"),
		  "%s", err);
	cr_assert_eq(fw.rules.n, 2, "old rules kept");
	cr_assert_eq(fw.rules.rules[1].proto, IPPROTO_TCP);
	/* A syntax error: line and column of cJSON's error pointer. */
	put("fw.json", "{\n  \"rules\": [\n    {\"action\": \"allow\",}\n  ]\n}\n");
	cr_assert_eq(apply(&fw), -EINVAL);
	cr_assert(strstr(err, "/etc/sfc/fw.json: line 3:25: JSON syntax error near '\": \"allow\",}'"),
		  "%s", err);
	cr_assert_eq(fw.rules.n, 2);
	/* Unknown field, missing required field, missing file. */
	put("fw.json", "{\"rules\": [],\n \"defualt\": \"deny\"}");
	cr_assert_eq(apply(&fw), -EINVAL);
	cr_assert(strstr(err, "line 2:2: defualt: unknown field"), "%s", err);
	put("fw.json", "{\"rules\": [\n {\"action\": \"allow\"},\n {\"protocol\": \"udp\"}]}");
	cr_assert_eq(apply(&fw), -EINVAL);
	cr_assert(strstr(err, "line 3:2: rules[1].action: required"), "%s", err);
	cr_assert_eq(sf_config_apply_at(dirfd_, "missing.json", "m.json",
					fw_apply, &fw, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "m.json: ENOENT"), "%s", err);
	cr_assert_eq(fw.rules.n, 2);
	sf_firewall_free(&fw);
}

Test(sf_reload, locate_fields)
{
	static const char *t =
		"{\"a\": 1,\n \"rules\": [ {\"x\": \"[,]\"},\n"
		"  {\"x\": {\"y\": [1, 2]}, \"dport\": 5} ],\n \"z\": null}";
	int line, col;

	cr_assert_eq(sf_config_locate(t, "rules[1].dport", &line, &col), 0);
	cr_assert_eq(line, 3);
	cr_assert_eq(col, 24);
	cr_assert_eq(sf_config_locate(t, "z", &line, &col), 0);
	cr_assert_eq(line, 4);
	cr_assert_eq(col, 2);
	cr_assert_eq(sf_config_locate(t, "rules[1].nope", &line, &col), 0);
	cr_assert_eq(line, 3, "missing member: its object");
	cr_assert_eq(col, 3);
	cr_assert_eq(sf_config_locate(t, "rules[7]", &line, &col), 0);
	cr_assert_eq(line, 2, "missing element: the array's key");
	cr_assert_eq(sf_config_locate(t, "nope", &line, &col), -ENOENT);
	cr_assert_eq(sf_config_locate("[1", "a[3].b", &line, &col), -ENOENT);
	cr_assert_eq(sf_config_locate("{\"a\": \"unterminated", "a.b", &line,
				      &col), 0);
}

static int child_reload_in_sandbox(void)
{
	struct sf_sandbox_opts o;
	struct sf_firewall fw = { 0 };

	sf_sandbox_opts_default(&o);
	o.allow_config_read = true;
	o.config_dirfd = dirfd_;
	if (sf_sandbox_enter(&o))
		return 100;
	if (apply(&fw) || fw.rules.n != 1)
		return 101;
	put("fw.json", "{\"rules\": []}"); /* killed: open for writing */
	return 102;
}

static int child_open_elsewhere(void)
{
	struct sf_sandbox_opts o;

	sf_sandbox_opts_default(&o);
	o.allow_config_read = true;
	o.config_dirfd = dirfd_;
	if (sf_sandbox_enter(&o))
		return 100;
	if (openat(dirfd_, "fw.json", O_RDONLY | O_CLOEXEC) < 0)
		return 101;
	open("/etc/hostname", O_RDONLY); /* AT_FDCWD: killed */
	return 102;
}

Test(sf_reload, sandboxed_reload_reads_only_via_dirfd)
{
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root to drop ids");
	put("fw.json", "{\"rules\": [{\"action\": \"deny\"}]}\n");
	st = tsf_run_child(child_reload_in_sandbox);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		  "reload works, a write open is killed (status %#x)", st);
	st = tsf_run_child(child_open_elsewhere);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		  "open outside the dirfd is killed (status %#x)", st);
}
