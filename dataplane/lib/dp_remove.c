// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_remove.c - sfc_dp_remove_all(): tear a pin dir down completely.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>

#include "sfc_dp.h"

static int sfc_rm_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	/* Unpinning a map or program frees it once nothing else holds it.
	 * Keep going on errors. */
	remove(path);
	return 0;
}

/* Detach every pinned link synchronously before the tree goes. */
static void sfc_detach_all(const char *pin_dir)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/links", pin_dir) >= (int)sizeof(dir))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			sfc_dp_detach(pin_dir, de->d_name);
	closedir(d);
}

int sfc_dp_remove_all(const char *pin_dir)
{
	if (!pin_dir || !*pin_dir)
		return -EINVAL;
	sfc_detach_all(pin_dir);
	if (nftw(pin_dir, sfc_rm_one, 16, FTW_DEPTH | FTW_PHYS) &&
	    errno != ENOENT)
		return -errno;
	if (remove(pin_dir) && errno != ENOENT)
		return -errno;
	return 0;
}
