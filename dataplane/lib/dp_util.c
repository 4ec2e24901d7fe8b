// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_util.c - small helpers: paths, address keys, names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "sfc_dp.h"
#include "dp_internal.h"

int sfc_dp_path(char *buf, size_t len, const char *pin_dir, const char *sub,
		const char *name)
{
	int n;

	if (sub)
		n = snprintf(buf, len, "%s/%s/%s", pin_dir, sub, name);
	else
		n = snprintf(buf, len, "%s/%s", pin_dir, name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int sfc_dp_mkdir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

const char *sfc_dp_prog_name(int role)
{
	if (role == SFC_ROLE_APP)
		return SFC_PROG_FROM_POD;
	if (role == SFC_ROLE_SF)
		return SFC_PROG_FROM_SF;
	return NULL;
}

int sfc_dp_ip_key(const char *addr, struct sfc_ip_key *key)
{
	memset(key, 0, sizeof(*key));
	if (!addr)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, &key->addr[0]) == 1) {
		key->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, key->addr) == 1) {
		key->family = 6;
		return 0;
	}
	memset(key, 0, sizeof(*key));
	return -EINVAL;
}

uint64_t sfc_dp_now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() reads CLOCK_MONOTONIC; it cannot fail here. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
	       SFC_CLOCK_EPOCH_NS;
}

const char *sfc_dp_drop_reason_name(int idx)
{
	static const char *const names[SFC_DROP_REASON_MAX] = {
		[-SFC_DROP_MALFORMED] = "malformed",
		[-SFC_DROP_NO_PATH] = "no-path",
		[-SFC_DROP_SF_DOWN] = "sf-down",
		[-SFC_DROP_NSH_TTL] = "nsh-ttl",
		[-SFC_DROP_NO_ENDPOINT] = "no-endpoint",
		[-SFC_DROP_ENCAP] = "encap",
		[-SFC_DROP_BAD_NSH] = "bad-nsh",
		[-SFC_DROP_LOOP] = "loop",
		[-SFC_DROP_PROXY] = "proxy",
		[-SFC_DROP_SPOOFED] = "spoofed",
		[-SFC_DROP_FLOW] = "flow-dropped",
		[-SFC_DROP_NO_CHAIN] = "no-chain",
	};

	if (idx <= 0 || idx >= SFC_DROP_REASON_MAX || !names[idx])
		return "unknown";
	return names[idx];
}

bool sfc_dp_on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* Mounting over a directory that has content would hide it: only
 * /sys/fs/bpf, a directory still to be created, or an empty one. */
bool sfc_dp_bpffs_mountable(const char *dir)
{
	struct dirent *de;
	bool empty = true;
	DIR *d;

	if (!strcmp(dir, "/sys/fs/bpf"))
		return true;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}
