// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_sandbox.c - the SF sandbox, checked in forked children (it is
 * irreversible): a forbidden syscall kills the process with SIGSYS, and
 * no capability survives. Needs root (to drop ids); skips otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "sandbox.h"
#include "test_sf_util.h"

static int enter(bool seccomp)
{
	struct sf_sandbox_opts o;

	sf_sandbox_opts_default(&o);
	o.no_seccomp = !seccomp;
	return sf_sandbox_enter(&o) ? 100 : 0;
}

static int child_execve(void)
{
	char *argv[] = { "/bin/true", NULL };

	if (enter(true))
		return 100;
	execve("/bin/true", argv, NULL);
	return 101; /* not reached: the filter kills us */
}

static int child_caps(void)
{
	cap_t caps;
	cap_flag_value_t v;
	cap_value_t c;

	if (enter(true))
		return 100;
	caps = cap_get_proc(); /* capget is on the allowlist */
	if (!caps)
		return 104;
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		cap_get_flag(caps, c, CAP_EFFECTIVE, &v);
		if (v)
			return 105;
		cap_get_flag(caps, c, CAP_PERMITTED, &v);
		if (v)
			return 106;
	}
	return 0;
}

/* getuid/prctl are not on the allowlist: check ids without seccomp. */
static int child_ids(void)
{
	uid_t r, e, s;

	if (enter(false))
		return 100;
	if (getresuid(&r, &e, &s) || r != SF_SANDBOX_UID_DEFAULT ||
	    e != SF_SANDBOX_UID_DEFAULT || s != SF_SANDBOX_UID_DEFAULT)
		return 102;
	if (getgid() != SF_SANDBOX_GID_DEFAULT || getgroups(0, NULL) != 0)
		return 103;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 104;
	if (prctl(PR_CAPBSET_READ, CAP_NET_RAW, 0, 0, 0) != 0)
		return 105;
	return 0;
}

static int child_loop_syscalls(void)
{
	char buf[8] = "x";
	void *big;
	int fds[2];

	/* The pipe is made before the sandbox, like the SF's fds. */
	if (pipe(fds) || enter(true))
		return 100;
	if (write(fds[1], buf, 1) != 1)
		return 107;
	if (poll(NULL, 0, 1) != 0)
		return 108;
	big = malloc(1 << 20); /* mmap without PROT_EXEC, then munmap */
	if (!big)
		return 109;
	free(big);
	return 0;
}

/* CPU following: the schedstat fd may be re-read and the thread may move
 * itself; another fd is not readable, another task not movable. */
static int t_follow_step;

static int child_follow(void)
{
	struct sf_sandbox_opts o;
	char buf[96];
	cpu_set_t s;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	int other = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || other < 0 || sched_getaffinity(0, sizeof(s), &s))
		return 100;
	sf_sandbox_opts_default(&o);
	o.follow_fd = fd;
	if (sf_sandbox_enter(&o))
		return 101;
	if (pread(fd, buf, sizeof(buf), 0) <= 0)
		return 102;
	if (sched_setaffinity(0, sizeof(s), &s))
		return 103;
	if (t_follow_step == 1)
		(void)pread(other, buf, sizeof(buf), 0); /* killed */
	if (t_follow_step == 2)
		(void)sched_setaffinity(getppid(), sizeof(s), &s); /* killed */
	return 0;
}

static void require_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to switch to uid 65534");
}

Test(sf_sandbox, execve_is_killed_by_sigsys)
{
	int st;

	require_root();
	st = tsf_run_child(child_execve);
	cr_assert(WIFSIGNALED(st), "child exited %d instead of dying",
		  WEXITSTATUS(st));
	cr_assert_eq(WTERMSIG(st), SIGSYS);
}

Test(sf_sandbox, no_capabilities_left)
{
	int st;

	require_root();
	st = tsf_run_child(child_caps);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
}

Test(sf_sandbox, ids_dropped_and_no_new_privs)
{
	int st;

	require_root();
	st = tsf_run_child(child_ids);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
}

Test(sf_sandbox, loop_syscalls_allowed)
{
	int st;

	require_root();
	st = tsf_run_child(child_loop_syscalls);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0);
}

Test(sf_sandbox, cpu_following_reads_its_schedstat_and_moves_itself_only)
{
	int st;

	require_root();
	t_follow_step = 0;
	st = tsf_run_child(child_follow);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
	for (t_follow_step = 1; t_follow_step <= 2; t_follow_step++) {
		st = tsf_run_child(child_follow);
		cr_assert(WIFSIGNALED(st), "step %d: child exited %d",
			  t_follow_step, WEXITSTATUS(st));
		cr_assert_eq(WTERMSIG(st), SIGSYS);
	}
}

Test(sf_sandbox, allowlist_has_no_dangerous_calls)
{
	const char *const *s;

	for (s = sf_sandbox_syscalls(); *s; s++) {
		cr_assert_neq(strcmp(*s, "execve"), 0);
		cr_assert_neq(strcmp(*s, "open"), 0);
		cr_assert_neq(strcmp(*s, "openat"), 0);
		cr_assert_neq(strcmp(*s, "socket"), 0);
		cr_assert_neq(strcmp(*s, "setuid"), 0);
		cr_assert_neq(strcmp(*s, "mprotect"), 0);
	}
}
