/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dp_internal.h - helpers shared by the libsfcdp source files only.
 */
#ifndef SFC_DP_INTERNAL_H
#define SFC_DP_INTERNAL_H

#include <stddef.h>

#include "sfc_common.h"

/* tcx ingress attach type; the Debian 6.1 UAPI headers predate it. */
#define SFC_BPF_TCX_INGRESS 46

/* Format "<pin_dir>/<sub>/<name>" (or "<pin_dir>/<name>" when @sub is NULL)
 * into @buf of @len bytes. Return: 0 or -ENAMETOOLONG. */
int sfc_dp_path(char *buf, size_t len, const char *pin_dir, const char *sub,
		const char *name);

/* mkdir that treats an existing directory as success. Return: 0 or -errno. */
int sfc_dp_mkdir(const char *path);

/* Names of the programs, pinned under <pin_dir>/progs, in sfc_meta.prog_tags
 * order (dp_init.c). */
extern const char *const sfc_dp_progs[SFC_NUM_PROGS];

/* Pinned program name for an endpoint role, NULL for SFC_ROLE_NONE. */
const char *sfc_dp_prog_name(int role);

/* fd of our pinned program for @role (dp_attach.c). Return: fd or -errno. */
int sfc_dp_role_prog(const char *pin_dir, int role);

/* Ids of our pinned programs, sfc_dp_progs order; a missing pin leaves 0. */
void sfc_dp_our_prog_ids(const char *pin_dir, __u32 ids[SFC_NUM_PROGS]);

/* Re-point our tc filter on every interface of this netns that runs
 * program @old_id to @new_fd, atomically per interface (dp_attach_tc.c,
 * for the upgrade in dp_init.c). Best effort. */
void sfc_dp_tc_relink(__u32 old_id, int new_fd);

/* Remove our tc filter from every interface of this netns where it runs
 * one of @pin_dir's pinned programs (dp_attach_tc.c, for
 * sfc_dp_remove_all). Best effort. */
void sfc_dp_tc_detach_all(const char *pin_dir);

#endif /* SFC_DP_INTERNAL_H */
