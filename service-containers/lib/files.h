/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * files.h - how an SF opens files, so that neither a planted symlink nor a
 * FIFO or device in place of a file can turn it against its host.
 *
 * Inputs (the config, sf-ids' rules) are opened non-blocking and must be
 * regular files: a FIFO would otherwise block open() or read() forever,
 * at start or inside the packet loop on SIGHUP. Symlinks are followed
 * (a Kubernetes ConfigMap is a symlink swap). Their size is bounded.
 *
 * Outputs (stats file, pidfile, sf-monitor's and sf-ids' logs) are opened
 * with O_NOFOLLOW and must be regular files: the SF opens them as root,
 * and a symlink at the final component planted in a world-writable
 * directory would otherwise have it overwrite the link's target.
 */
#ifndef SF_FILES_H
#define SF_FILES_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

/* The flags every input is opened with (seccomp rules match them). */
#define SF_READ_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK)
/* Added to the caller's flags for every output. */
#define SF_WRITE_OPEN_FLAGS (O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)

/**
 * sf_path_split() - the directory and the file name of @path: "a/b/c" ->
 * "a/b", "c"; "/c" -> "/", "c"; "c" -> ".", "c".
 * @dir: receives the directory (@dircap bytes).
 * @name: receives the name (@namecap bytes).
 * Return: 0; -EINVAL when the name is empty ("a/") or either part does
 * not fit.
 */
int sf_path_split(const char *path, char *dir, size_t dircap, char *name,
		  size_t namecap);

/**
 * sf_read_file_at() - read the regular file @name relative to @dirfd
 * (openat with SF_READ_OPEN_FLAGS: never blocks on a FIFO) into a new
 * NUL-terminated buffer of at most @max bytes.
 * @path: the file as the operator named it, for messages.
 * @text: set to the buffer on success; the caller frees it.
 * @err: "PATH: ENOENT" (open), "PATH: not a regular file",
 * "PATH: file too large", "PATH: <strerror>" (read).
 * Return: 0; -errno of openat/fstat/read; -EINVAL when not a regular
 * file; -EFBIG over @max; -ENOMEM.
 */
int sf_read_file_at(int dirfd, const char *name, const char *path,
		    size_t max, char **text, char *err, size_t errlen);

/**
 * sf_open_output_at() - open the output file @name relative to @dirfd
 * (AT_FDCWD: @name is a path) with @flags | SF_WRITE_OPEN_FLAGS and
 * @mode: a symlink at @name is not followed, and anything but a regular
 * file is refused (a FIFO without a reader fails at once with ENXIO).
 * Return: the fd (the caller closes it); -ELOOP for a symlink; -EINVAL
 * when not a regular file; other -errno of openat/fstat.
 */
int sf_open_output_at(int dirfd, const char *name, int flags, mode_t mode);

/**
 * sf_file_strerror() - words for an error of the functions above:
 * "a symbolic link, not followed" (-ELOOP), "not a regular file"
 * (-EINVAL), else strerror(-@err). Static storage.
 */
const char *sf_file_strerror(int err);

/**
 * sf_pidfile_write() - write "PID\n" to @path (created 0644, truncated),
 * opened as an output above.
 * Return: 0 or -errno (see sf_open_output_at(); -errno of the write).
 */
int sf_pidfile_write(const char *path);

/**
 * sf_files_seccomp() - allow, in the libseccomp context @scmp_ctx, what
 * sf_read_file_at() does on @dirfd inside the sandbox: openat(@dirfd, *,
 * SF_READ_OPEN_FLAGS), read, and fstat (glibc: newfstatat(fd, "", buf,
 * AT_EMPTY_PATH); seccomp cannot see the path, so another path could be
 * stat'ed, metadata only, as the unprivileged uid). Return: 0 or -errno.
 */
int sf_files_seccomp(void *scmp_ctx, int dirfd);

/** sf_files_seccomp_fstat() - only the fstat part of sf_files_seccomp(). */
int sf_files_seccomp_fstat(void *scmp_ctx);

#endif /* SF_FILES_H */
