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
	/* Per-CPU values come back 8-byte aligned; 56 already is. */
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
		out->bypassed_packets += per[i].bypassed_packets;
	}
cleanup:
	free(per);
	return err;
}

/* Entries 0..@n-1 of the per-CPU __u64 array @fd, summed over CPUs. */
static int percpu_u64_sum(int fd, uint64_t *out, __u32 n)
{
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	__u32 idx;
	__u64 *per;

	if (ncpu < 0)
		return ncpu;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (idx = 0; idx < n; idx++) {
		out[idx] = 0;
		if (bpf_map_lookup_elem(fd, &idx, per)) {
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

int sfc_dp_drops_sum(struct sfc_dp *dp, uint64_t out[SFC_DROP_REASON_MAX])
{
	return percpu_u64_sum(dp->drops_fd, out, SFC_DROP_REASON_MAX);
}

int sfc_dp_ctrl_stats_sum(struct sfc_dp *dp, uint64_t out[SFC_CTRL_ST_MAX])
{
	return percpu_u64_sum(dp->ctrl_stats_fd, out, SFC_CTRL_ST_MAX);
}

const char *sfc_dp_ctrl_stat_name(int idx)
{
	static const char *const names[SFC_CTRL_ST_MAX] = {
		[SFC_CTRL_ST_BYPASS] = "bypass",
		[SFC_CTRL_ST_DROP] = "drop",
		[SFC_CTRL_ST_PASS_TO_END] = "pass-to-end",
		[SFC_CTRL_ST_REPEAT] = "repeat",
		[SFC_CTRL_ST_BAD_TLV] = "bad-tlv",
		[SFC_CTRL_ST_BAD_VERSION] = "bad-version",
		[SFC_CTRL_ST_BAD_ACTION] = "bad-action",
		[SFC_CTRL_ST_BAD_FLOW] = "bad-flow",
		[SFC_CTRL_ST_STALE] = "stale",
		[SFC_CTRL_ST_OVER_BOUND] = "over-bound",
		[SFC_CTRL_ST_QUERY] = "query",
		[SFC_CTRL_ST_QUERY_REFUSED] = "query-refused",
		[SFC_CTRL_ST_SKIPPED] = "skipped-packets",
	};

	if (idx < 0 || idx >= SFC_CTRL_ST_MAX || !names[idx])
		return "unknown";
	return names[idx];
}
