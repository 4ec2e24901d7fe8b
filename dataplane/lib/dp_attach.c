// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_attach.c - tcx ingress attachment through pinned links, and what
 * both hook modes share (detach, "is it attached?").
 *
 * A tcx link pinned at <pin_dir>/links/<ifname> keeps our program on the
 * interface after the attaching process exits, coexists with other tcx
 * programs on the hook, and goes away with the interface or the unpin.
 * The tc mode (clsact filter, no pin) is in dp_attach_tc.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "sfc_dp.h"
#include "dp_internal.h"

#define SFC_LINK_TYPE_TCX 11 /* BPF_LINK_TYPE_TCX, not in the 6.1 UAPI */

/*
 * Interface a tcx link is attached to, 0 once the interface is gone.
 * The 6.1 UAPI struct bpf_link_info lacks the tcx member; the kernel puts
 * { __u32 ifindex; __u32 attach_type; } at the start of the union, where
 * the 6.1 header has xdp.ifindex.
 */
static int sfc_link_ifindex(int link_fd, __u32 *prog_id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -errno;
	if (info.type != SFC_LINK_TYPE_TCX)
		return 0;
	*prog_id = info.prog_id;
	return (int)info.xdp.ifindex;
}

static int sfc_prog_id(int prog_fd, __u32 *id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

/* Existing pin: keep it if attached to @ifindex (moving it to @prog_fd if
 * it runs another program), else drop the stale pin.
 * Return: 1 kept, 0 none/dropped, -errno. */
static int sfc_link_reuse(const char *path, int ifindex, int prog_fd)
{
	__u32 link_prog = 0, want = 0;
	int fd, cur, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	cur = sfc_link_ifindex(fd, &link_prog);
	if (cur < 0) {
		err = cur;
		goto cleanup;
	}
	if (cur != ifindex) {
		err = unlink(path) ? -errno : 0;
		goto cleanup;
	}
	err = sfc_prog_id(prog_fd, &want);
	if (!err && link_prog != want && bpf_link_update(fd, prog_fd, NULL))
		err = -errno;
	if (!err)
		err = 1;
cleanup:
	close(fd);
	return err;
}

/* Paths of the link pin for @ifname and of the links directory. */
static int sfc_link_paths(const char *pin_dir, const char *ifname,
			  char link_path[PATH_MAX], char dir[PATH_MAX])
{
	if (!ifname || !*ifname || strchr(ifname, '/'))
		return -EINVAL;
	return sfc_dp_path(link_path, PATH_MAX, pin_dir, "links", ifname) ?:
	       sfc_dp_path(dir, PATH_MAX, pin_dir, NULL, "links");
}

int sfc_dp_role_prog(const char *pin_dir, int role)
{
	const char *prog = sfc_dp_prog_name(role);
	char path[PATH_MAX];
	int fd, err;

	if (!prog)
		return -EINVAL;
	err = sfc_dp_path(path, sizeof(path), pin_dir, "progs", prog);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* Pin @link_fd at @link_path (in directory @dir), replacing whatever
 * was pinned there. Caller holds the node lock. */
static int sfc_link_pin_at(int link_fd, const char *link_path,
			   const char *dir)
{
	int err = sfc_dp_mkdir(dir);

	if (err)
		return err;
	if (unlink(link_path) && errno != ENOENT)
		return -errno;
	return bpf_obj_pin(link_fd, link_path) ? -errno : 0;
}

int sfc_dp_attach(const char *pin_dir, int ifindex, const char *ifname,
		  enum sfc_role role)
{
	char link_path[PATH_MAX], dir[PATH_MAX];
	int prog_fd, link_fd = -1, err;

	if (ifindex <= 0)
		return -EINVAL;
	err = sfc_link_paths(pin_dir, ifname, link_path, dir);
	if (err)
		return err;
	prog_fd = sfc_dp_role_prog(pin_dir, role);
	if (prog_fd < 0)
		return prog_fd;
	err = sfc_link_reuse(link_path, ifindex, prog_fd);
	if (err) {
		err = err > 0 ? 0 : err;
		goto cleanup;
	}
	link_fd = bpf_link_create(prog_fd, ifindex, SFC_BPF_TCX_INGRESS, NULL);
	if (link_fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = sfc_link_pin_at(link_fd, link_path, dir);
cleanup:
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}

int sfc_dp_link_create(const char *pin_dir, int ifindex, enum sfc_role role)
{
	int prog_fd, link_fd, err = 0;

	if (ifindex <= 0)
		return -EINVAL;
	prog_fd = sfc_dp_role_prog(pin_dir, role);
	if (prog_fd < 0)
		return prog_fd;
	link_fd = bpf_link_create(prog_fd, ifindex, SFC_BPF_TCX_INGRESS, NULL);
	if (link_fd < 0)
		err = -errno;
	close(prog_fd);
	return err ? err : link_fd;
}

int sfc_dp_link_pin(const char *pin_dir, int link_fd, const char *ifname)
{
	char link_path[PATH_MAX], dir[PATH_MAX];
	int err;

	if (link_fd < 0)
		return -EBADF;
	err = sfc_link_paths(pin_dir, ifname, link_path, dir);
	return err ? err : sfc_link_pin_at(link_fd, link_path, dir);
}

int sfc_dp_unpin(const char *pin_dir, const char *ifname)
{
	char link_path[PATH_MAX], dir[PATH_MAX];
	int err;

	err = sfc_link_paths(pin_dir, ifname, link_path, dir);
	if (err)
		return err;
	return unlink(link_path) && errno != ENOENT ? -errno : 0;
}

/* Detach and unpin the tcx link pinned at @path. */
static int sfc_link_detach(const char *path)
{
	int fd, err = 0;

	/*
	 * Unpinning alone detaches only once the bpffs inode is freed after
	 * an RCU grace period and a deferred link put: callers (and CHECK
	 * right after DEL) would still see the program. BPF_LINK_DETACH
	 * detaches now; the link object dies with the pin and our fd.
	 */
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_link_detach(fd) && errno != ENOENT && errno != EINVAL)
		err = -errno;
	if (unlink(path) && errno != ENOENT && !err)
		err = -errno;
	close(fd);
	return err;
}

int sfc_dp_detach(const char *pin_dir, const char *ifname)
{
	char path[PATH_MAX];
	int ifindex, err, tc_err = 0;

	if (!ifname || !*ifname || strchr(ifname, '/'))
		return -EINVAL;
	err = sfc_dp_path(path, sizeof(path), pin_dir, "links", ifname);
	if (err)
		return err;
	err = sfc_link_detach(path);
	/* A tc-mode endpoint has no pin; its filter goes with the interface. */
	ifindex = (int)if_nametoindex(ifname);
	if (ifindex > 0)
		tc_err = sfc_dp_tc_detach(ifindex);
	return err ? err : tc_err;
}

void sfc_dp_our_prog_ids(const char *pin_dir, __u32 ids[SFC_NUM_PROGS])
{
	char path[PATH_MAX];
	int i, fd;

	for (i = 0; i < SFC_NUM_PROGS; i++) {
		ids[i] = 0;
		if (sfc_dp_path(path, sizeof(path), pin_dir, "progs", sfc_dp_progs[i]))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		sfc_prog_id(fd, &ids[i]);
		close(fd);
	}
}

/* Does @ifindex's tcx ingress run one of @ours? 1, 0 (also on a kernel
 * without tcx), -errno. */
static int sfc_tcx_has(int ifindex, const __u32 ours[SFC_NUM_PROGS])
{
	__u32 ids[64], cnt = 64, flags = 0, i, j;

	/* tcx reads the ifindex from the slot that holds target_fd. */
	if (bpf_prog_query(ifindex, SFC_BPF_TCX_INGRESS, 0, &flags, ids, &cnt)) {
		int err = -errno;

		return err == -EINVAL && !sfc_dp_tcx_supported() ? 0 : err;
	}
	for (i = 0; i < cnt && i < 64; i++)
		for (j = 0; j < SFC_NUM_PROGS; j++)
			if (ids[i] && ids[i] == ours[j])
				return 1;
	return 0;
}

int sfc_dp_hook_of(const char *pin_dir, int ifindex)
{
	__u32 ours[SFC_NUM_PROGS], id = 0;
	int err, j;

	if (ifindex <= 0)
		return -EINVAL;
	sfc_dp_our_prog_ids(pin_dir, ours);
	err = sfc_tcx_has(ifindex, ours);
	if (err)
		return err < 0 ? err : SFC_HOOK_TCX;
	err = sfc_dp_tc_prog_id(ifindex, &id);
	if (err)
		return err == -ENOENT ? 0 : err;
	for (j = 0; j < SFC_NUM_PROGS; j++)
		if (id && id == ours[j])
			return SFC_HOOK_TC;
	return 0;
}

int sfc_dp_attached(const char *pin_dir, int ifindex)
{
	int hook = sfc_dp_hook_of(pin_dir, ifindex);

	return hook < 0 ? hook : hook > 0;
}

int sfc_dp_for_each_link(const char *pin_dir,
			 int (*fn)(const char *ifname, int link_fd, int ifindex,
				   void *arg),
			 void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	err = sfc_dp_path(dir, sizeof(dir), pin_dir, NULL, "links");
	if (err)
		return err;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		__u32 prog_id;
		int fd, ifindex;

		if (de->d_name[0] == '.' ||
		    sfc_dp_path(path, sizeof(path), pin_dir, "links", de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue; /* unpinned meanwhile, or not a link */
		ifindex = sfc_link_ifindex(fd, &prog_id);
		err = fn(de->d_name, fd, ifindex > 0 ? ifindex : 0, arg);
		close(fd);
	}
	closedir(d);
	return err;
}
