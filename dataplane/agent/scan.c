// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * scan.c - detect changes to the agent's inputs by fingerprinting the
 * directory listings (name, size, mtime, inode) of chains.d, pods.d and
 * endpoints/. Cheap at the sizes involved and needs no inotify watches
 * on directories that may not exist yet.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	while (*s)
		h = mix(h, (unsigned char)*s++);
	return h;
}

/* Order-independent: entries are combined with +, so readdir order does
 * not matter. */
static uint64_t scan_dir(const char *base, const char *sub)
{
	char dir[4096], path[8192];
	struct dirent *de;
	struct stat st;
	uint64_t sum = 0, h;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", base, sub);
	d = opendir(dir);
	if (!d)
		return 0x51c;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		h = mix_str(0, de->d_name);
		h = mix(h, (uint64_t)st.st_size);
		h = mix(h, (uint64_t)st.st_ino);
		h = mix(h, (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
			       (uint64_t)st.st_mtim.tv_nsec);
		sum += h;
	}
	closedir(d);
	return sum;
}

uint64_t agent_scan(const struct agent_cfg *cfg)
{
	uint64_t h = 0;

	h = mix(h, scan_dir(cfg->conf_dir, "chains.d"));
	h = mix(h, scan_dir(cfg->conf_dir, "pods.d"));
	h = mix(h, scan_dir(cfg->state_dir, "endpoints"));
	return h;
}
