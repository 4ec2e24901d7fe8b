/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rotlog.h - an append-only line log with size rotation that keeps
 * working inside the SF sandbox.
 *
 * The directory is opened once before the sandbox; afterwards the log only
 * needs openat() and renameat() relative to that directory fd, with fixed
 * flags, which sf_rotlog_seccomp() allows narrowly (argument-filtered on
 * the fd and the flags) and sf_fsjail (Landlock) confines to the
 * directory, since seccomp cannot see the path (an absolute path would
 * ignore the fd).
 *
 * Rotation when a write would pass rotate_bytes: NAME.(K-1) -> NAME.K, ...,
 * NAME -> NAME.1, then a new empty NAME. K = 0 truncates NAME instead.
 * A failed rotation is counted and writing goes on in the current file:
 * records are never dropped for it.
 */
#ifndef SF_ROTLOG_H
#define SF_ROTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "files.h"

#define SF_ROTLOG_MAX_KEEP 100
/* The log at start (sf_open_output_at() adds O_NOFOLLOW, O_NONBLOCK and
 * O_CLOEXEC, and refuses anything but a regular file); a new log after a
 * rotation, inside the sandbox: created, never opened. */
#define SF_ROTLOG_OPEN_FLAGS (O_WRONLY | O_CREAT | O_APPEND)
#define SF_ROTLOG_CREATE_FLAGS (SF_ROTLOG_OPEN_FLAGS | O_EXCL | \
				SF_WRITE_OPEN_FLAGS)

struct sf_rotlog {
	bool opened;              /* false: zeroed or closed */
	int dirfd;                /* -1: closed */
	int fd;
	char name[256];           /* file name inside the directory */
	uint64_t size;            /* bytes in the current file */
	uint64_t rotate_bytes;    /* 0: never rotate */
	unsigned int keep;        /* rotated files kept, 0..SF_ROTLOG_MAX_KEEP */
	uint64_t lines, bytes;    /* written since start */
	uint64_t rotations, errors;
	int last_err;             /* -errno of the last failure */
};

/**
 * sf_rotlog_open() - open (append, create 0644) @path and its directory;
 * a symlink at @path is refused (-ELOOP), not followed, and so is
 * anything but a regular file (-EINVAL, see files.h).
 * Return: 0, -EINVAL (no file name, name too long, keep too large, not a
 * regular file) or the -errno of open/fstat.
 */
int sf_rotlog_open(struct sf_rotlog *l, const char *path,
		   uint64_t rotate_bytes, unsigned int keep);

/**
 * sf_rotlog_write() - append @len bytes (one or more whole lines) with one
 * write(2), rotating first when they would pass rotate_bytes (a file
 * always takes at least one write). Return: 0 or -errno (counted).
 */
int sf_rotlog_write(struct sf_rotlog *l, const char *buf, size_t len);

/**
 * sf_rotlog_seccomp() - allow, in the libseccomp context @scmp_ctx,
 * openat(dirfd, *, SF_ROTLOG_CREATE_FLAGS, *) and renameat/renameat2 from
 * and to dirfd. Return: 0 or -errno.
 */
int sf_rotlog_seccomp(const struct sf_rotlog *l, void *scmp_ctx);

/** sf_rotlog_close() - close both fds; safe on a closed or zeroed log. */
void sf_rotlog_close(struct sf_rotlog *l);

#endif /* SF_ROTLOG_H */
