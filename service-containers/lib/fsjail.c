// SPDX-License-Identifier: GPL-2.0-only
/*
 * fsjail.c - Landlock directory confinement. See fsjail.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/landlock.h>

#include "fsjail.h"

/* Debian 12's 6.1 UAPI header predates ABI 3 and 5. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

int sf_fsjail_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

/* Every right the ABI knows: all of them are denied unless granted. */
static uint64_t handled(int abi)
{
	uint64_t h = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

static uint64_t granted(unsigned int rights, uint64_t h)
{
	uint64_t g = 0;

	if (rights & SF_FSJAIL_READ)
		g |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (rights & SF_FSJAIL_WRITE)
		g |= LANDLOCK_ACCESS_FS_WRITE_FILE |
		     LANDLOCK_ACCESS_FS_MAKE_REG |
		     LANDLOCK_ACCESS_FS_REMOVE_FILE |
		     LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE;
	return g & h;
}

int sf_fsjail_apply(const struct sf_fsjail_dir *dirs, unsigned int n)
{
	struct landlock_ruleset_attr ra;
	struct landlock_path_beneath_attr pb;
	int abi = sf_fsjail_abi(), rfd, err = 0;
	unsigned int i;

	if (abi < 1)
		return -EOPNOTSUPP;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = handled(abi);
	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rfd < 0)
		return -errno;
	for (i = 0; i < n && !err; i++) {
		memset(&pb, 0, sizeof(pb));
		pb.allowed_access = granted(dirs[i].rights, ra.handled_access_fs);
		pb.parent_fd = dirs[i].dirfd;
		if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
			    &pb, 0) < 0)
			err = -errno;
	}
	if (!err && syscall(SYS_landlock_restrict_self, rfd, 0) < 0)
		err = -errno;
	close(rfd);
	return err;
}
