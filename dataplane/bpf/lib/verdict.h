/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * verdict.h - the single exit of every entry point.
 *
 * Helpers return a TC verdict (>= 0), SFC_V_NEXT, or a negative
 * SFC_DROP_* reason. sfc_exit() is the only place that counts a drop and
 * turns it into TC_ACT_SHOT, and the only place that produces TCX_NEXT.
 */
#ifndef SFC_BPF_VERDICT_H
#define SFC_BPF_VERDICT_H

#include "lib/maps.h"

static __always_inline void sfc_count_drop(int reason)
{
	__u32 idx = (__u32)(-reason);
	__u64 *cnt;

	if (idx >= SFC_DROP_REASON_MAX)
		idx = 0; /* slot 0 is unused by any reason: "unknown" */
	cnt = bpf_map_lookup_elem(&sfc_drops, &idx);
	if (cnt)
		*cnt += 1;
}

static __always_inline int sfc_exit(int ret)
{
	if (ret < 0) {
		sfc_count_drop(ret);
		return TC_ACT_SHOT;
	}
	if (ret == SFC_V_NEXT)
		return TCX_NEXT;
	return ret;
}

#endif /* SFC_BPF_VERDICT_H */
