// SPDX-License-Identifier: GPL-2.0-only
/*
 * files.c - SF file access: non-blocking regular inputs, no-follow
 * regular outputs. See files.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <seccomp.h>

#include "files.h"
#include "sfc_io.h"

int sf_path_split(const char *path, char *dir, size_t dircap, char *name,
		  size_t namecap)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int n;

	if (!*base || strlen(base) >= namecap)
		return -EINVAL;
	if (!slash)
		n = snprintf(dir, dircap, ".");
	else if (slash == path)
		n = snprintf(dir, dircap, "/");
	else
		n = snprintf(dir, dircap, "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= dircap)
		return -EINVAL;
	memcpy(name, base, strlen(base) + 1);
	return 0;
}

/* 0 for a regular file, -EINVAL for anything else, -errno of fstat. */
static int check_regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

int sf_read_file_at(int dirfd, const char *name, const char *path,
		    size_t max, char **text, char *err, size_t errlen)
{
	int fd, ret;

	fd = openat(dirfd, name, SF_READ_OPEN_FLAGS);
	if (fd < 0) {
		ret = -errno;
		/* strerrorname_np: no locale files under seccomp. */
		snprintf(err, errlen, "%s: %s", path, strerrorname_np(-ret));
		return ret;
	}
	ret = check_regular(fd);
	if (!ret)
		ret = sfc_read_all(fd, max, text, NULL);
	close(fd);
	if (ret)
		snprintf(err, errlen, "%s: %s", path, ret == -EFBIG ?
			 "file too large" : sf_file_strerror(ret));
	return ret;
}

int sf_open_output_at(int dirfd, const char *name, int flags, mode_t mode)
{
	int fd, ret;

	fd = openat(dirfd, name, flags | SF_WRITE_OPEN_FLAGS, mode);
	if (fd < 0)
		return -errno;
	ret = check_regular(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

const char *sf_file_strerror(int err)
{
	if (err == -ELOOP)
		return "a symbolic link, not followed";
	if (err == -EINVAL)
		return "not a regular file";
	return strerror(-err);
}

int sf_pidfile_write(const char *path)
{
	char buf[32];
	int fd, n, ret;

	/* Truncated only once known to be a regular file of ours. */
	fd = sf_open_output_at(AT_FDCWD, path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return fd;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	ret = ftruncate(fd, 0) < 0 ? -errno : 0;
	if (!ret)
		ret = sfc_write_all(fd, buf, (size_t)n);
	close(fd);
	return ret;
}

int sf_files_seccomp_fstat(void *scmp_ctx)
{
	scmp_filter_ctx ctx = scmp_ctx;
	int err;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
			       SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fstat), 0);
	return err;
}

int sf_files_seccomp(void *scmp_ctx, int dirfd)
{
	scmp_filter_ctx ctx = scmp_ctx;
	int err;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dirfd),
			       SCMP_A2(SCMP_CMP_EQ, SF_READ_OPEN_FLAGS));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 0);
	if (!err)
		err = sf_files_seccomp_fstat(ctx);
	return err;
}
