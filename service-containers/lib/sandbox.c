// SPDX-License-Identifier: GPL-2.0-only
/*
 * sandbox.c - capabilities, ids, no_new_privs and seccomp. See sandbox.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <seccomp.h>

#include "files.h"
#include "sandbox.h"

/*
 * What the packet loop does after the sandbox is up, and nothing else:
 * wait (ppoll/poll), receive (ring in mmap, recv* for the fallback), send
 * frames back (sendmsg/sendmmsg), publish stats (pwrite64 + ftruncate on
 * the already-open file), log (write/writev to stderr), read clocks, take
 * SIGTERM/SIGINT (rt_sigreturn, rt_sigprocmask), allocate (brk, mmap
 * without PROT_EXEC, munmap, mremap, madvise, futex for glibc locks),
 * read its own capability state (capget: read-only, lets tests verify),
 * tear down (close) and exit. mmap and getsockopt are argument-filtered
 * below and listed separately.
 */
static const char *const allowed[] = {
	"ppoll", "poll", "recvmsg", "recvmmsg", "recvfrom", "sendmsg",
	"sendmmsg", "sendto", "write", "writev", "pwrite64", "ftruncate",
	"clock_gettime", "clock_nanosleep", "gettimeofday", "rt_sigreturn",
	"rt_sigprocmask", "restart_syscall", "exit", "exit_group", "futex",
	"brk", "munmap", "mremap", "madvise", "capget", "close", "getpid",
	"gettid",
#if defined(__SANITIZE_ADDRESS__)
	/* ASan's runtime installs alternate signal stacks: sanitizer
	 * builds (make test-asan) only. */
	"sigaltstack",
#endif
	NULL,
};

const char *const *sf_sandbox_syscalls(void)
{
	return allowed;
}

void sf_sandbox_opts_default(struct sf_sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->uid = SF_SANDBOX_UID_DEFAULT;
	o->gid = SF_SANDBOX_GID_DEFAULT;
	o->config_dirfd = -1;
	o->follow_fd = -1;
}

static int fail(const char *step, int err)
{
	fprintf(stderr, "sandbox: %s failed: %s\n", step, strerror(-err));
	return err;
}

/* Step 1: empty the bounding set while we still have CAP_SETPCAP. */
static int drop_bounding(void)
{
	cap_value_t c;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return fail("clearing ambient caps", -errno);
	for (c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			/* Without CAP_SETPCAP the bounding set cannot
			 * shrink; no_new_privs plus no execve already
			 * make it unusable, so go on. */
			if (errno == EPERM)
				return 0;
			return fail("dropping bounding caps", -errno);
		}
	}
	return 0;
}

/* Step 2: only root can (and needs to) change ids. */
static int change_ids(const struct sf_sandbox_opts *o)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) < 0)
		return fail("setgroups", -errno);
	if (setresgid(o->gid, o->gid, o->gid) < 0)
		return fail("setresgid", -errno);
	if (setresuid(o->uid, o->uid, o->uid) < 0)
		return fail("setresuid", -errno);
	return 0;
}

/* Step 3: no capability at all, in any set. */
static int clear_caps(void)
{
	cap_t caps = cap_init();
	int err = 0;

	if (!caps)
		return fail("cap_init", -errno);
	if (cap_set_proc(caps) < 0)
		err = fail("cap_set_proc", -errno);
	cap_free(caps);
	return err;
}

/* Reload: openat(config_dirfd, any name, read-only flags), fstat (a FIFO
 * is refused before any read, see files.h) and read. The name cannot be
 * checked by seccomp (a pointer); uid 65534 without capabilities bounds
 * what an absolute name could reach. */
static int add_config_rules(scmp_filter_ctx ctx, int dirfd)
{
	const uint32_t ok = O_CLOEXEC | O_LARGEFILE | O_NOCTTY | O_NONBLOCK;
	int err;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 0);
	if (!err)
		err = sf_files_seccomp_fstat(ctx);
	if (err)
		return err;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2,
				SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dirfd),
				SCMP_A2(SCMP_CMP_MASKED_EQ,
					(uint32_t)~ok, 0));
}

/* CPU following: re-read the thread's schedstat, move the thread itself
 * (no other task: pid 0 only). */
static int add_follow_rules(scmp_filter_ctx ctx, int fd)
{
	int err;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pread64), 1,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd));
	if (err)
		return err;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
				SCMP_SYS(sched_setaffinity), 1,
				SCMP_A0(SCMP_CMP_EQ, 0));
}

static int add_rules(scmp_filter_ctx ctx)
{
	int i, err, nr;

	for (i = 0; allowed[i]; i++) {
		nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (err)
			return err;
	}
	/* Anonymous/data mappings only: no new executable memory. */
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (err)
		return err;
	/* Ring drop counter, nothing else. */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
				SCMP_A1(SCMP_CMP_EQ, SOL_PACKET),
				SCMP_A2(SCMP_CMP_EQ, PACKET_STATISTICS));
}

/* Step 5. */
static int load_seccomp(const struct sf_sandbox_opts *o)
{
	scmp_filter_ctx ctx;
	int err;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return fail("seccomp_init", -ENOMEM);
	err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			       SCMP_ACT_KILL_PROCESS);
	if (!err)
		err = add_rules(ctx);
	if (!err && o->allow_config_read)
		err = add_config_rules(ctx, o->config_dirfd);
	if (!err && o->follow_fd >= 0)
		err = add_follow_rules(ctx, o->follow_fd);
	if (!err && o->hook)
		err = o->hook(o->hook_arg, ctx);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err ? fail("seccomp", err) : 0;
}

int sf_sandbox_enter(const struct sf_sandbox_opts *o)
{
	int err;

	err = drop_bounding();
	if (!err)
		err = change_ids(o);
	if (!err)
		err = clear_caps();
	if (err)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("PR_SET_NO_NEW_PRIVS", -errno);
	if (o->no_seccomp)
		return 0;
	return load_seccomp(o);
}
