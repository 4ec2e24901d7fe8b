// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_files.c - how SFs open files (files.h): a FIFO, device or
 * directory in place of the config is refused at once (at start and on a
 * reload inside the sandbox) instead of hanging the packet loop, while a
 * symlinked config (a Kubernetes ConfigMap) still loads; outputs opened
 * as root (stats file, pidfile, rotated logs) never follow a symlink
 * planted at their name in a world-writable directory; a rotation inside
 * the sandbox still works; and sf_app_main() keeps none of its
 * launcher's descriptors. Sandbox and packet socket cases need root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "config.h"
#include "files.h"
#include "rotlog.h"
#include "sandbox.h"
#include "sfapp.h"
#include "stats.h"
#include "test_sf_util.h"

static char dir[64], err[512];
static int dirfd_ = -1;

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	path_of(path, sizeof(path), name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* The content of @name, or "" when it cannot be read. */
static const char *get(const char *name)
{
	static char buf[256];
	char path[128];
	ssize_t n;
	int fd;

	path_of(path, sizeof(path), name);
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static void link_to(const char *target, const char *name)
{
	char path[128];

	path_of(path, sizeof(path), name);
	cr_assert_eq(symlink(target, path), 0);
}

/* A world-writable directory (like /tmp without the sticky bit's
 * protected_symlinks) holding a file the attacker wants overwritten. */
static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sf-files-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	chmod(dir, 0777);
	dirfd_ = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(dirfd_, 0);
	put("victim", "precious\n");
}

static void teardown(void)
{
	char cmd[96];

	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(sf_files, .init = setup, .fini = teardown, .timeout = 20);

static int count_rules(void *ctx, const cJSON *cfg, const char *path,
		       char *e, size_t n)
{
	*(int *)ctx = cJSON_GetArraySize(cJSON_GetObjectItem(cfg, "rules"));
	return 0;
}

static int apply(const char *name, int *nrules)
{
	err[0] = '\0';
	return sf_config_apply_at(dirfd_, name, "/etc/sfc/fw.json",
				  count_rules, nrules, err, sizeof(err));
}

Test(sf_files, config_fifo_device_dir_refused_symlink_followed)
{
	char path[128];
	int n = -1;

	path_of(path, sizeof(path), "fifo.json");
	cr_assert_eq(mkfifo(path, 0644), 0);
	cr_assert_eq(apply("fifo.json", &n), -EINVAL, "no writer: no wait");
	cr_assert_str_eq(err, "/etc/sfc/fw.json: not a regular file");
	link_to("/dev/zero", "dev.json");
	cr_assert_eq(apply("dev.json", &n), -EINVAL);
	cr_assert_str_eq(err, "/etc/sfc/fw.json: not a regular file");
	path_of(path, sizeof(path), "dir.json");
	cr_assert_eq(mkdir(path, 0755), 0);
	cr_assert_eq(apply("dir.json", &n), -EINVAL);
	cr_assert_eq(n, -1, "nothing applied");
	/* A ConfigMap: the name is a symlink to the current data. */
	put("data.json", "{\"rules\": [{}, {}]}");
	link_to("data.json", "cm.json");
	cr_assert_eq(apply("cm.json", &n), 0, "%s", err);
	cr_assert_eq(n, 2);
}

/* SIGHUP's reload runs inside the sandbox: the fstat that refuses the
 * FIFO must be allowed, and a good file must still load after it. */
static int child_reload_fifo_in_sandbox(void)
{
	struct sf_sandbox_opts o;
	int n = -1;

	sf_sandbox_opts_default(&o);
	o.allow_config_read = true;
	o.config_dirfd = dirfd_;
	if (sf_sandbox_enter(&o))
		return 100;
	if (apply("fifo.json", &n) != -EINVAL ||
	    strcmp(err, "/etc/sfc/fw.json: not a regular file"))
		return 101;
	if (apply("good.json", &n) || n != 1)
		return 102;
	return 0;
}

static void require_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to drop ids and open a packet socket");
}

Test(sf_files, sandboxed_reload_refuses_a_fifo)
{
	char path[128];
	int st;

	require_root();
	path_of(path, sizeof(path), "fifo.json");
	cr_assert_eq(mkfifo(path, 0644), 0);
	put("good.json", "{\"rules\": [{}]}");
	st = tsf_run_child(child_reload_fifo_in_sandbox);
	cr_assert(WIFEXITED(st), "killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "check %d failed", WEXITSTATUS(st));
}

Test(sf_files, stats_file_never_follows_a_symlink)
{
	struct sf_stats s;
	char path[128];

	link_to("victim", "stats.json");
	path_of(path, sizeof(path), "stats.json");
	cr_assert_eq(sf_stats_init(&s, "sf-test", "eth0", path), -ELOOP);
	sf_stats_fini(&s);
	cr_assert_str_eq(get("victim"), "precious\n");
	path_of(path, sizeof(path), "fifo");
	cr_assert_eq(mkfifo(path, 0644), 0);
	cr_assert_eq(sf_stats_init(&s, "sf-test", "eth0", path), -EINVAL);
	sf_stats_fini(&s);
	/* A regular file is still rewritten in place. */
	path_of(path, sizeof(path), "real.json");
	cr_assert_eq(sf_stats_init(&s, "sf-test", "eth0", path), 0);
	cr_assert_eq(sf_stats_publish(&s, 1000, true), 1);
	sf_stats_fini(&s);
	cr_assert(strstr(get("real.json"), "\"sf\":\"sf-test\""), "%s",
		  get("real.json"));
}

Test(sf_files, pidfile_never_follows_a_symlink)
{
	char path[128], want[32];

	link_to("victim", "sf.pid");
	path_of(path, sizeof(path), "sf.pid");
	cr_assert_eq(sf_pidfile_write(path), -ELOOP);
	cr_assert_str_eq(get("victim"), "precious\n");
	cr_assert_str_eq(sf_file_strerror(-ELOOP),
			 "a symbolic link, not followed");
	path_of(path, sizeof(path), "real.pid");
	put("real.pid", "a longer stale content\n");
	cr_assert_eq(sf_pidfile_write(path), 0);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	cr_assert_str_eq(get("real.pid"), want, "truncated and rewritten");
}

Test(sf_files, rotlog_never_follows_a_symlink_nor_waits_on_a_fifo)
{
	struct sf_rotlog l;
	char path[128];

	link_to("victim", "flows.jsonl");
	path_of(path, sizeof(path), "flows.jsonl");
	cr_assert_eq(sf_rotlog_open(&l, path, 0, 1), -ELOOP);
	cr_assert_str_eq(get("victim"), "precious\n");
	path_of(path, sizeof(path), "alerts.jsonl");
	cr_assert_eq(mkfifo(path, 0644), 0);
	cr_assert_eq(sf_rotlog_open(&l, path, 0, 1), -ENXIO,
		     "a FIFO without a reader fails at once");
}

/* Rotation creates the new file inside the sandbox with the flags the
 * seccomp rule allows; write enough for two rotations. */
static struct sf_rotlog rl;

static int rotlog_hook(void *arg, void *scmp_ctx)
{
	return sf_rotlog_seccomp(arg, scmp_ctx);
}

static int child_rotate_in_sandbox(void)
{
	struct sf_sandbox_opts o;
	int i;

	sf_sandbox_opts_default(&o);
	o.hook = rotlog_hook;
	o.hook_arg = &rl;
	if (sf_sandbox_enter(&o))
		return 100;
	for (i = 0; i < 3; i++)
		if (sf_rotlog_write(&rl, "0123456789\n", 11))
			return 101;
	return rl.rotations == 2 && rl.errors == 0 ? 0 : 102;
}

Test(sf_files, rotation_inside_the_sandbox)
{
	char path[128];
	int st;

	require_root();
	path_of(path, sizeof(path), "log");
	cr_assert_eq(sf_rotlog_open(&rl, path, 16, 2), 0);
	st = tsf_run_child(child_rotate_in_sandbox);
	sf_rotlog_close(&rl);
	cr_assert(WIFEXITED(st), "killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "check %d failed", WEXITSTATUS(st));
	cr_assert_str_eq(get("log.2"), "0123456789\n");
	cr_assert_str_eq(get("log"), "0123456789\n");
}

/* ---- sf_app_main() as a process: an SF on lo of its own netns ---- */

#define INHERITED_FD 57

static enum sf_verdict pass(void *ctx, const struct sf_pkt *pkt)
{
	return SF_VERDICT_PASS;
}

static const struct sf_app_ops test_ops = { .name = "sf-test",
					    .on_packet = pass };

/* Start sf_app_main() in a child holding INHERITED_FD (as a launcher
 * would leave it), with --pidfile @pidfile and --stats @stats. */
static pid_t start_sf(const char *pidfile, const char *stats)
{
	char *argv[] = { "sf-test", "--iface", "lo", "--no-sandbox",
			 "--pidfile", (char *)pidfile, "--stats",
			 (char *)stats, NULL };
	pid_t pid = fork();
	int fd;

	cr_assert_geq(pid, 0);
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: inherited */
	if (fd < 0 || dup2(fd, INHERITED_FD) < 0 || tsf_netns_lo())
		_exit(100);
	_exit(sf_app_main(8, argv, &test_ops, NULL));
}

/* The exit status of @pid within 5 s, else kill it and fail. */
static int wait_exit(pid_t pid)
{
	int i, st;

	for (i = 0; i < 500; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	cr_assert_fail("the SF did not exit");
	return -1;
}

/* Wait up to 5 s for @name to hold "PID\n". */
static bool wait_pidfile(const char *name, pid_t pid)
{
	char want[32];
	int i;

	snprintf(want, sizeof(want), "%d\n", (int)pid);
	for (i = 0; i < 500; i++) {
		if (!strcmp(get(name), want))
			return true;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return false;
}

Test(sf_files, sf_keeps_no_inherited_fd)
{
	char pidfile[128], stats[128], fdpath[64];
	bool started, inherited;
	int st;
	pid_t pid;

	require_root();
	path_of(pidfile, sizeof(pidfile), "sf.pid");
	path_of(stats, sizeof(stats), "stats.json");
	pid = start_sf(pidfile, stats);
	started = wait_pidfile("sf.pid", pid);
	snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%d", (int)pid,
		 INHERITED_FD);
	inherited = access(fdpath, F_OK) == 0;
	kill(pid, SIGTERM);
	st = wait_exit(pid);
	cr_assert(started, "the SF did not start");
	cr_assert_not(inherited, "%s still open", fdpath);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert(strstr(get("stats.json"), "\"sf\":\"sf-test\""));
}

Test(sf_files, sf_refuses_symlinked_pidfile_and_stats)
{
	char pidfile[128], stats[128];
	int st;

	require_root();
	link_to("victim", "sf.pid");
	link_to("victim", "stats.json");
	path_of(pidfile, sizeof(pidfile), "sf.pid");
	path_of(stats, sizeof(stats), "real-stats.json");
	st = wait_exit(start_sf(pidfile, stats));
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
	cr_assert_str_eq(get("victim"), "precious\n");
	path_of(pidfile, sizeof(pidfile), "real.pid");
	path_of(stats, sizeof(stats), "stats.json");
	st = wait_exit(start_sf(pidfile, stats));
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
	cr_assert_str_eq(get("victim"), "precious\n");
}
