// SPDX-License-Identifier: GPL-2.0-only
/*
 * rotlog.c - rotating line log usable under the sandbox. See rotlog.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <seccomp.h>

#include "files.h"
#include "rotlog.h"

int sf_rotlog_open(struct sf_rotlog *l, const char *path,
		   uint64_t rotate_bytes, unsigned int keep)
{
	char dir[4096];
	struct stat st;
	int err;

	memset(l, 0, sizeof(*l));
	l->dirfd = l->fd = -1;
	if (keep > SF_ROTLOG_MAX_KEEP ||
	    sf_path_split(path, dir, sizeof(dir), l->name, sizeof(l->name)))
		return -EINVAL;
	l->rotate_bytes = rotate_bytes;
	l->keep = keep;
	l->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0)
		return -errno;
	l->opened = true;
	l->fd = sf_open_output_at(l->dirfd, l->name, SF_ROTLOG_OPEN_FLAGS,
				  0644);
	err = l->fd < 0 ? l->fd : fstat(l->fd, &st) < 0 ? -errno : 0;
	if (err) {
		sf_rotlog_close(l);
		return err;
	}
	l->size = (uint64_t)st.st_size;
	return 0;
}

static int rotate(struct sf_rotlog *l)
{
	char from[300], to[300];
	unsigned int k;
	int fd;

	if (l->keep == 0) {
		if (ftruncate(l->fd, 0) < 0)
			return -errno;
		l->size = 0;
		l->rotations++;
		return 0;
	}
	for (k = l->keep; k >= 1; k--) {
		if (k == 1)
			snprintf(from, sizeof(from), "%s", l->name);
		else
			snprintf(from, sizeof(from), "%s.%u", l->name, k - 1);
		snprintf(to, sizeof(to), "%s.%u", l->name, k);
		if (renameat(l->dirfd, from, l->dirfd, to) < 0 &&
		    errno != ENOENT)
			return -errno;
	}
	/* The name was just renamed away: whatever stands there now
	 * (a symlink, a FIFO) was planted, and is not opened. */
	fd = openat(l->dirfd, l->name, SF_ROTLOG_CREATE_FLAGS, 0644);
	if (fd < 0)
		return -errno;
	close(l->fd);
	l->fd = fd;
	l->size = 0;
	l->rotations++;
	return 0;
}

static int count_err(struct sf_rotlog *l, int err)
{
	l->errors++;
	l->last_err = err;
	return err;
}

int sf_rotlog_write(struct sf_rotlog *l, const char *buf, size_t len)
{
	ssize_t n;
	int err;

	if (l->fd < 0)
		return count_err(l, -EBADF);
	if (l->rotate_bytes && l->size && l->size + len > l->rotate_bytes) {
		err = rotate(l);
		if (err)
			count_err(l, err); /* keep writing to the old file */
	}
	n = write(l->fd, buf, len);
	if (n < 0)
		return count_err(l, -errno);
	l->size += (uint64_t)n;
	l->bytes += (uint64_t)n;
	l->lines++;
	return (size_t)n == len ? 0 : count_err(l, -EIO);
}

int sf_rotlog_seccomp(const struct sf_rotlog *l, void *scmp_ctx)
{
	scmp_filter_ctx ctx = scmp_ctx;
	int err;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)l->dirfd),
			       SCMP_A2(SCMP_CMP_EQ, SF_ROTLOG_CREATE_FLAGS));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat),
				       2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)l->dirfd),
				       SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)l->dirfd));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat2),
				       3, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)l->dirfd),
				       SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)l->dirfd),
				       SCMP_A4(SCMP_CMP_EQ, 0));
	return err;
}

void sf_rotlog_close(struct sf_rotlog *l)
{
	if (!l->opened)
		return;
	l->opened = false;
	if (l->fd >= 0)
		close(l->fd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	l->fd = l->dirfd = -1;
}
