/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fsjail.h - Landlock confinement of an SF's file system access to the
 * few directories it still needs after the sandbox (sf-monitor's output
 * directory, sf-ids' rules directory).
 *
 * seccomp can filter openat()'s directory fd and flags but not the path,
 * and an absolute path ignores the fd: Landlock closes that gap. Every
 * file system right this kernel's Landlock ABI knows is handled (denied),
 * then granted back beneath the given directories only. Descriptors
 * opened before (stats file, packet socket, stderr) are not affected.
 */
#ifndef SF_FSJAIL_H
#define SF_FSJAIL_H

#include <stdint.h>

/* Rights to grant beneath a directory (subset of LANDLOCK_ACCESS_FS_*). */
#define SF_FSJAIL_READ  (1u << 0)  /* read files */
#define SF_FSJAIL_WRITE (1u << 1)  /* write, create, rename, truncate files */

struct sf_fsjail_dir {
	int dirfd;         /* an open directory (O_RDONLY or O_PATH) */
	unsigned int rights; /* SF_FSJAIL_* */
};

/**
 * sf_fsjail_apply() - restrict this thread (the SF is single threaded) to
 * @n directories. Needs no_new_privs (sf_sandbox_enter sets it before its
 * hook runs). Return: 0; -EOPNOTSUPP if Landlock is not available (the
 * caller logs and goes on with seccomp alone); other -errno.
 */
int sf_fsjail_apply(const struct sf_fsjail_dir *dirs, unsigned int n);

/** sf_fsjail_abi() - the kernel's Landlock ABI version, or -errno. */
int sf_fsjail_abi(void);

#endif /* SF_FSJAIL_H */
