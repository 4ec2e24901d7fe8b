// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_remove.c - sfc_dp_remove_all(): tear a pin dir down completely.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>

#include "sfc_dp.h"
#include "dp_internal.h"

static int sfc_rm_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	/* Unpinning a map or program frees it once nothing else holds it.
	 * Keep going on errors. */
	remove(path);
	return 0;
}

static int sfc_detach_one(const char *ifname, int link_fd, int ifindex,
			  void *pin_dir)
{
	sfc_dp_detach(pin_dir, ifname);
	return 0;
}

int sfc_dp_remove_all(const char *pin_dir)
{
	if (!pin_dir || !*pin_dir)
		return -EINVAL;
	/* Detach every pinned link synchronously before the tree goes, and
	 * our tc filters running its programs (tc mode pins nothing). */
	sfc_dp_for_each_link(pin_dir, sfc_detach_one, (void *)pin_dir);
	sfc_dp_tc_detach_all(pin_dir);
	if (nftw(pin_dir, sfc_rm_one, 16, FTW_DEPTH | FTW_PHYS) &&
	    errno != ENOENT)
		return -errno;
	if (remove(pin_dir) && errno != ENOENT)
		return -errno;
	return 0;
}
