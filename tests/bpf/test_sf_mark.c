// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sf_mark.c - the skb->mark on frames the SFF hands to SFs
 * (SFC_MARK_SF_CPU, sfc_common.h): the CPU the flow was last classified on
 * (sfc_flow.cpu), kept by the classifier, carried to every later hop
 * whatever CPU the SFF runs on then; the SFF's own CPU without a flow.
 * The test thread is moved between CPUs to run the programs on each.
 */
#include <sched.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "bpft.h"

TestSuite(sf_mark, .init = bpft_setup, .fini = bpft_teardown);

static const struct sfc_rule ALL_TCP = { .spi = SPI, .proto = 6 };

/* The first @n CPUs this test may run on, into @cpu; returns how many. */
static int allowed_cpus(int *cpu, int n)
{
	cpu_set_t s;
	int i, k = 0;

	cr_assert_eq(sched_getaffinity(0, sizeof(s), &s), 0);
	for (i = 0; i < CPU_SETSIZE && k < n; i++)
		if (CPU_ISSET(i, &s))
			cpu[k++] = i;
	return k;
}

static void on_cpu(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	cr_assert_eq(sched_setaffinity(0, sizeof(s), &s), 0);
	cr_assert_eq(sched_getcpu(), cpu);
}

/* A -> TCP: SPI 255 -> SF1, 254 -> SF2, 253 -> END. */
static void chain(void)
{
	bpft_policy(VPID_A, SFC_DIR_EGRESS, &ALL_TCP, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 254, SFC_HOP_SF, VPID_SF2, 0, SFC_FAIL_CLOSED);
	bpft_hop(SPI, 253, SFC_HOP_END, 0, 0, SFC_FAIL_CLOSED);
}

/* A's TCP packet to B:80 through the classifier, on the current CPU. */
static void from_a(struct run_out *out)
{
	struct pkt in;

	pkt_tcp4(&in, "10.0.0.11", 80, 64);
	bpft_map_lo(VPID_A);
	bpft_run(T.from_pod_fd, &in, 0, out);
	cr_assert_eq(out->retval, V_REDIRECT);
	cr_assert_arr_eq(out->data, bpft_ep(VPID_SF1)->mac, 6);
}

Test(sf_mark, classifier_marks_with_the_cpu_it_ran_on)
{
	struct run_out out;
	int cpu[2], n, i;

	chain();
	n = allowed_cpus(cpu, 2);
	for (i = 0; i < n; i++) {
		on_cpu(cpu[i]);
		from_a(&out);
		cr_assert_eq(out.mark, SFC_MARK_SF_CPU(cpu[i]), "mark %#x on CPU %d",
			     out.mark, cpu[i]);
		/* Same flow, moved: the entry follows the client. */
		cr_assert_eq(bpft_flow(nsh_flow_id(out.data)).cpu,
			     (uint32_t)cpu[i] + 1);
	}
}

Test(sf_mark, later_hops_carry_the_flows_cpu_not_the_sffs)
{
	struct run_out got, out;
	struct pkt p;
	int cpu[2];

	if (allowed_cpus(cpu, 2) < 2)
		cr_skip_test("needs two CPUs");
	chain();
	on_cpu(cpu[1]);
	from_a(&got);
	/* SF1 returns it; the SFF runs on the other CPU. */
	on_cpu(cpu[0]);
	bpft_sf_back(&p, &got, VPID_SF1);
	bpft_map_lo(VPID_SF1);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_arr_eq(out.data, bpft_ep(VPID_SF2)->mac, 6);
	cr_assert_eq(out.mark, SFC_MARK_SF_CPU(cpu[1]), "mark %#x", out.mark);
}

Test(sf_mark, a_frame_without_flow_state_gets_the_sffs_cpu)
{
	struct run_out out;
	struct pkt p;
	int cpu[2], n;

	chain();
	n = allowed_cpus(cpu, 2);
	on_cpu(cpu[n - 1]);
	/* SF1 returns a packet whose flow id (0) names no entry. */
	bpft_pkt_from_sf(&p, VPID_SF1, nsh_word(63, 1), 254, 0);
	bpft_map_lo(VPID_SF1);
	bpft_run(T.from_sf_fd, &p, 0, &out);
	cr_assert_eq(out.retval, V_REDIRECT);
	cr_assert_eq(out.mark, SFC_MARK_SF_CPU(cpu[n - 1]), "mark %#x", out.mark);
}
