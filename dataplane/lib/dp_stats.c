// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_stats.c - read the per-CPU counters summed over CPUs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sfc_dp.h"

int sfc_dp_hop_stats_sum(struct sfc_dp *dp, uint32_t sp,
			 struct sfc_hop_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	struct sfc_hop_stats *per;

	if (ncpu < 0)
		return ncpu;
	/* Per-CPU values come back 8-byte aligned; 48 already is. */
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(dp->hop_stats_fd, &sp, per)) {
		err = -errno;
		goto cleanup;
	}
	for (i = 0; i < ncpu; i++) {
		out->to_sf_packets += per[i].to_sf_packets;
		out->to_sf_bytes += per[i].to_sf_bytes;
		out->from_sf_packets += per[i].from_sf_packets;
		out->from_sf_bytes += per[i].from_sf_bytes;
		out->skipped_packets += per[i].skipped_packets;
		out->dropped_packets += per[i].dropped_packets;
	}
cleanup:
	free(per);
	return err;
}

int sfc_dp_drops_sum(struct sfc_dp *dp, uint64_t out[SFC_DROP_REASON_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	__u32 idx;
	__u64 *per;

	if (ncpu < 0)
		return ncpu;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (idx = 0; idx < SFC_DROP_REASON_MAX; idx++) {
		out[idx] = 0;
		if (bpf_map_lookup_elem(dp->drops_fd, &idx, per)) {
			err = -errno;
			goto cleanup;
		}
		for (i = 0; i < ncpu; i++)
			out[idx] += per[i];
	}
cleanup:
	free(per);
	return err;
}
