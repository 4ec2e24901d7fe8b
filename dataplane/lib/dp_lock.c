// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_lock.c - the node-wide lock serialising sfc-cni, sfc-agent and sfcctl.
 *
 * bpffs cannot hold regular files nor names with dots, so <pin_dir>/lock is
 * a directory and
 * the lock is an flock on it: released by the kernel when the holder dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <unistd.h>

#include "sfc_dp.h"
#include "dp_internal.h"

int sfc_dp_lock(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd, err;

	err = sfc_dp_mkdir(pin_dir);
	if (err)
		return err;
	err = sfc_dp_path(path, sizeof(path), pin_dir, NULL, "lock");
	if (err)
		return err;
	err = sfc_dp_mkdir(path);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void sfc_dp_unlock(int lock_fd)
{
	if (lock_fd < 0)
		return;
	flock(lock_fd, LOCK_UN);
	close(lock_fd);
}
