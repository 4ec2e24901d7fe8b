/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sandbox.h - confine an SF once its sockets and files are open.
 *
 * Order (each step needs the privileges the next one removes):
 *   1. drop every capability from the bounding set (needs CAP_SETPCAP),
 *      clear the ambient set;
 *   2. setgroups(0) + setresgid + setresuid to the unprivileged ids
 *      (only when running as root);
 *   3. clear the effective, permitted and inheritable sets: the packet
 *      socket only needs CAP_NET_RAW at socket(2) time, later sendmsg and
 *      the mmap'ed RX ring are not capability checked;
 *   4. PR_SET_NO_NEW_PRIVS;
 *   5. load a seccomp allowlist (default SCMP_ACT_KILL_PROCESS).
 */
#ifndef SF_SANDBOX_H
#define SF_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#define SF_SANDBOX_UID_DEFAULT 65534 /* nobody */
#define SF_SANDBOX_GID_DEFAULT 65534 /* nogroup */

/*
 * An SF's own additions, run after step 4 and before the filter is loaded:
 * add argument-filtered rules to @seccomp_ctx (a scmp_filter_ctx) or
 * apply Landlock (no_new_privs is already set). Return 0 or -errno.
 */
typedef int (*sf_sandbox_hook_fn)(void *arg, void *seccomp_ctx);

struct sf_sandbox_opts {
	uid_t uid;
	gid_t gid;
	bool no_seccomp;  /* tests/debug only: steps 1-4, skip 5 */
	sf_sandbox_hook_fn hook; /* may be NULL; not called without seccomp */
	void *hook_arg;
	/* Config reload (SIGHUP): also allow read(2), fstat(2) and
	 * openat(2) relative to @config_dirfd only, read-only (flags within
	 * O_RDONLY | O_CLOEXEC | O_LARGEFILE | O_NOCTTY | O_NONBLOCK). */
	bool allow_config_read;
	int config_dirfd;
	/* CPU following (pktio_follow.h), when >= 0: also allow pread64 on
	 * this fd (the thread's schedstat) and sched_setaffinity of the
	 * calling thread only (pid 0). */
	int follow_fd;
};

/** sf_sandbox_opts_default() - nobody:nogroup, seccomp on. */
void sf_sandbox_opts_default(struct sf_sandbox_opts *o);

/**
 * sf_sandbox_enter() - run steps 1-5 above. Irreversible.
 * Return: 0, or the -errno of the step that failed (it logs which on
 * stderr); the caller must then exit, the process is half-confined.
 */
int sf_sandbox_enter(const struct sf_sandbox_opts *o);

/**
 * sf_sandbox_syscalls() - the syscall names allowed with any arguments,
 * NULL-terminated (static storage). Two more are argument-filtered:
 * mmap without PROT_EXEC, getsockopt(SOL_PACKET, PACKET_STATISTICS);
 * with allow_config_read, read, fstat and openat(config_dirfd, ...,
 * read-only); with follow_fd, pread64(follow_fd) and sched_setaffinity(0).
 */
const char *const *sf_sandbox_syscalls(void);

#endif /* SF_SANDBOX_H */
