// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_verifier.c - the verifier's work on each program (verified_insns
 * of bpf_prog_info, the "processed" count of the verifier log) stays well
 * under the kernel's 1M limit. The classifier once went from 125k to 818k
 * through one small inlined change: this budget catches such a change in
 * `make test-bpf` instead of at a node's first CNI ADD.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(verifier, .init = bpft_setup, .fini = bpft_teardown);

/* Half the kernel's limit (BPF_COMPLEXITY_LIMIT_INSNS, 1M). */
#define VERIFIED_INSNS_BUDGET 500000u

static unsigned int verified_insns(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.verified_insns;
}

Test(verifier, programs_within_budget)
{
	unsigned int pod = verified_insns(T.from_pod_fd);
	unsigned int sf = verified_insns(T.from_sf_fd);

	/* On stderr so `make test-bpf` shows the figures for the record. */
	fprintf(stderr, "verified_insns: %s %u, %s %u\n", SFC_PROG_FROM_POD,
		pod, SFC_PROG_FROM_SF, sf);
	cr_expect(pod > 0 && pod < VERIFIED_INSNS_BUDGET, "%s: %u",
		  SFC_PROG_FROM_POD, pod);
	cr_expect(sf > 0 && sf < VERIFIED_INSNS_BUDGET, "%s: %u",
		  SFC_PROG_FROM_SF, sf);
}
