// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_init.c - sfc_dp_init(): bpffs, load both objects with shared pinned
 * maps, pin (or upgrade) the programs, stamp the layout version; or, when
 * the pins are already this build's, nothing (the fast path).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sfc_dp.h"
#include "dp_internal.h"
#include "sfc_fnv.h"
#include "sfc_classifier.skel.h"
#include "sfc_sff.skel.h"

/* Make @pin_dir a directory on bpffs, mounting bpffs on its parent if
 * that is not bpffs yet. Return: 0, -ENOTSUP, -errno. */
static int sfc_dp_ensure_bpffs(const char *pin_dir)
{
	char parent[PATH_MAX];
	int err;

	if (sfc_dp_on_bpffs(pin_dir))
		return 0;
	if (snprintf(parent, sizeof(parent), "%s", pin_dir) >= (int)sizeof(parent))
		return -ENAMETOOLONG;
	dirname(parent);
	if (!sfc_dp_on_bpffs(parent)) {
		err = sfc_dp_mkdir(parent);
		if (err)
			return err;
		if (!sfc_dp_bpffs_mountable(parent) ||
		    mount("bpf", parent, "bpf", 0, "mode=0700"))
			return -ENOTSUP;
	}
	err = sfc_dp_mkdir(pin_dir);
	if (err)
		return err;
	return sfc_dp_on_bpffs(pin_dir) ? 0 : -ENOTSUP;
}

/* Refuse pins of another layout before libbpf reuses them. A meta of
 * another size is another layout too (and would overrun our buffer). */
static int sfc_dp_check_layout(const char *pin_dir)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), key = 0;
	struct sfc_meta meta = {};
	char path[PATH_MAX];
	int fd, err;

	err = sfc_dp_path(path, sizeof(path), pin_dir, NULL, SFC_MAP_META);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
		err = -errno;
		goto cleanup;
	}
	if (info.value_size != sizeof(meta)) {
		err = -EPROTO;
		goto cleanup;
	}
	if (bpf_map_lookup_elem(fd, &key, &meta)) {
		err = -errno;
		goto cleanup;
	}
	if (meta.layout_version && meta.layout_version != SFC_LAYOUT_VERSION)
		err = -EPROTO;
cleanup:
	close(fd);
	return err;
}

const char *const sfc_dp_progs[SFC_NUM_PROGS] = { SFC_PROG_FROM_POD,
						  SFC_PROG_FROM_SF };

static int sfc_prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* FNV-1a 64 of both embedded BPF objects: identifies this build's
 * programs without loading them (computed once per process). */
static __u64 sfc_objs_hash(void)
{
	static __u64 hash;
	const void *p;
	size_t sz;

	if (hash)
		return hash;
	p = sfc_classifier__elf_bytes(&sz);
	hash = sfc_fnv1a64(SFC_FNV64_INIT, p, sz);
	p = sfc_sff__elf_bytes(&sz);
	hash = sfc_fnv1a64(hash, p, sz);
	return hash;
}

/* Tag of the program pinned as <pin_dir>/progs/@name into @tag. */
static int sfc_pinned_tag(const char *pin_dir, const char *name, __u8 *tag)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	int fd, err;

	err = sfc_dp_path(path, sizeof(path), pin_dir, "progs", name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = sfc_prog_info(fd, &info);
	if (!err)
		memcpy(tag, info.tag, sizeof(info.tag));
	close(fd);
	return err;
}

/* Stamp layout, objects hash and the pinned programs' tags. */
static int sfc_dp_write_meta(const char *pin_dir, int meta_fd)
{
	struct sfc_meta meta = {};
	struct timespec ts;
	__u32 key = 0;
	int i, err;

	if (bpf_map_lookup_elem(meta_fd, &key, &meta))
		return -errno;
	if (meta.layout_version != SFC_LAYOUT_VERSION) {
		clock_gettime(CLOCK_REALTIME, &ts);
		meta.layout_version = SFC_LAYOUT_VERSION;
		meta.created_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	}
	meta.objs_hash = sfc_objs_hash();
	for (i = 0; i < SFC_NUM_PROGS; i++) {
		err = sfc_pinned_tag(pin_dir, sfc_dp_progs[i], meta.prog_tags[i]);
		if (err)
			return err;
	}
	if (bpf_map_update_elem(meta_fd, &key, &meta, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Fast path: true when <pin_dir> already holds everything this build's
 * sfc_dp_init() would create: every map pinned, sfc_meta of our layout
 * stamped with our objects' hash, and both programs pinned with the tags
 * recorded there. Loading (and verifying) the objects is then skipped.
 */
static bool sfc_dp_up_to_date(const char *pin_dir)
{
	static const char *const maps[] = {
		SFC_MAP_ENDPOINTS, SFC_MAP_IFINDEX, SFC_MAP_EP_BY_IP,
		SFC_MAP_POLICY, SFC_MAP_PATHS, SFC_MAP_HOP_STATS,
		SFC_MAP_DROPS, SFC_MAP_SF_HEALTH, SFC_MAP_GROUPS,
		SFC_MAP_SF_STATE, SFC_MAP_SF_STATS, SFC_MAP_REV_SPI,
		SFC_MAP_FLOWS, SFC_MAP_FLOW_TUPLES, SFC_MAP_PROXY,
		SFC_MAP_ALLOWED_SRC, SFC_MAP_SF_PROG, SFC_MAP_CTRL_STATS,
		SFC_MAP_FLOW_COUNTS, SFC_MAP_FLOW_NAT,
	};
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), key = 0;
	struct sfc_meta meta = {};
	char path[PATH_MAX];
	__u8 tag[8];
	bool ok = false;
	size_t i;
	int fd;

	if (!sfc_dp_on_bpffs(pin_dir) ||
	    sfc_dp_path(path, sizeof(path), pin_dir, NULL, SFC_MAP_META))
		return false;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) ||
	    info.value_size != sizeof(meta) ||
	    bpf_map_lookup_elem(fd, &key, &meta))
		goto out;
	if (meta.layout_version != SFC_LAYOUT_VERSION ||
	    meta.objs_hash != sfc_objs_hash())
		goto out;
	for (i = 0; i < SFC_NUM_PROGS; i++)
		if (sfc_pinned_tag(pin_dir, sfc_dp_progs[i], tag) ||
		    memcmp(tag, meta.prog_tags[i], sizeof(tag)))
			goto out;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		if (sfc_dp_path(path, sizeof(path), pin_dir, NULL, maps[i]) ||
		    access(path, F_OK))
			goto out;
	ok = true;
out:
	close(fd);
	return ok;
}

struct relink {
	__u32 old_id;
	int new_fd;
};

static int sfc_relink_one(const char *ifname, int link_fd, int ifindex,
			  void *arg)
{
	const struct relink *r = arg;
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);

	if (!bpf_obj_get_info_by_fd(link_fd, &li, &len) && li.prog_id == r->old_id)
		bpf_link_update(link_fd, r->new_fd, NULL);
	return 0;
}

/* Move every hook still running @old_id onto @new_fd, so an upgrade
 * reaches endpoints attached before it: the pinned tcx links
 * (bpf_link_update) and our tc filters, found on the interfaces
 * themselves (replaced in place, same handle and priority). Either swap is
 * atomic: each packet runs the old program or the new one. Best effort. */
static void sfc_dp_relink(const char *pin_dir, __u32 old_id, int new_fd)
{
	struct relink r = { .old_id = old_id, .new_fd = new_fd };

	sfc_dp_for_each_link(pin_dir, sfc_relink_one, &r);
	sfc_dp_tc_relink(old_id, new_fd);
}

/*
 * Pin @prog at <pin_dir>/progs/<name>. An existing pin of the same program
 * (same tag) is kept; a different one is replaced atomically (pin beside,
 * rename over) and the links using it are moved to the new program.
 */
static int sfc_dp_pin_prog(const char *pin_dir, struct bpf_program *prog)
{
	struct bpf_prog_info cur, old;
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd = bpf_program__fd(prog), old_fd, err;

	err = sfc_dp_path(path, sizeof(path), pin_dir, "progs",
			  bpf_program__name(prog));
	if (!err)
		err = sfc_dp_path(tmp, sizeof(tmp), pin_dir, "progs", "upgrade_tmp");
	if (err)
		return err;
	old_fd = bpf_obj_get(path);
	if (old_fd < 0) {
		if (errno != ENOENT)
			return -errno;
		return bpf_obj_pin(fd, path) ? -errno : 0;
	}
	err = sfc_prog_info(fd, &cur);
	if (!err)
		err = sfc_prog_info(old_fd, &old);
	if (err || !memcmp(cur.tag, old.tag, sizeof(cur.tag)))
		goto cleanup;
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp) || rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		goto cleanup;
	}
	sfc_dp_relink(pin_dir, old.id, fd);
cleanup:
	close(old_fd);
	return err;
}

int sfc_dp_init(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct sfc_classifier *cls = NULL;
	struct sfc_sff *sff = NULL;
	char path[PATH_MAX];
	int lock_fd, err;

	if (sfc_dp_up_to_date(pin_dir))
		return 0;
	err = sfc_dp_ensure_bpffs(pin_dir);
	if (err)
		return err;
	lock_fd = sfc_dp_lock(pin_dir);
	if (lock_fd < 0)
		return lock_fd;

	err = sfc_dp_check_layout(pin_dir);
	if (err)
		goto cleanup;
	cls = sfc_classifier__open_opts(&opts);
	if (!cls) {
		err = -errno;
		goto cleanup;
	}
	err = sfc_classifier__load(cls);
	if (err)
		goto cleanup;
	sff = sfc_sff__open_opts(&opts);
	if (!sff) {
		err = -errno;
		goto cleanup;
	}
	err = sfc_sff__load(sff);
	if (err)
		goto cleanup;

	err = sfc_dp_path(path, sizeof(path), pin_dir, NULL, "progs");
	if (!err)
		err = sfc_dp_mkdir(path);
	if (!err)
		err = sfc_dp_pin_prog(pin_dir, cls->progs.sfc_from_pod);
	if (!err)
		err = sfc_dp_pin_prog(pin_dir, sff->progs.sfc_from_sf);
	if (!err)
		err = sfc_dp_write_meta(pin_dir, bpf_map__fd(cls->maps.sfc_meta));
cleanup:
	/* Closing the objects leaves every pin (maps, programs) in place. */
	sfc_sff__destroy(sff);
	sfc_classifier__destroy(cls);
	sfc_dp_unlock(lock_fd);
	return err;
}
