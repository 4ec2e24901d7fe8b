/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * defs.h - includes and constants every sfc BPF program needs.
 *
 * vmlinux.h must come before sfc_common.h: with __BPF__ defined the contract
 * header takes its __u32/__be32 types from it instead of <linux/types.h>.
 */
#ifndef SFC_BPF_DEFS_H
#define SFC_BPF_DEFS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sfc_common.h"

/* uapi/linux/pkt_cls.h and if_ether.h are #defines, absent from vmlinux.h.
 * The tcx verdicts (TCX_NEXT, ...) are an enum and come with vmlinux.h. */
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

#define ETH_HLEN 14
#define ETH_ALEN 6
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IP_OFFSET_MASK 0x1FFF /* fragment offset bits of frag_off */

/*
 * Internal verdict "not ours, let the next tcx program / the kernel have it".
 * TCX_NEXT is -1 and would collide with SFC_DROP_MALFORMED, so helpers return
 * this positive value instead and only the entry point turns it into TCX_NEXT.
 */
#define SFC_V_NEXT 0x100

/*
 * skb->data / skb->data_end through inline asm: with plain loads clang may
 * keep "skb + 76" in a register across a helper call and load through it
 * later, which the verifier rejects ("dereference of modified ctx ptr").
 */
static __always_inline void *sfc_data(struct __sk_buff *skb)
{
	void *p;

	asm volatile("%0 = *(u32 *)(%1 + %2)"
		     : "=r"(p)
		     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, data)));
	return p;
}

static __always_inline void *sfc_data_end(struct __sk_buff *skb)
{
	void *p;

	asm volatile("%0 = *(u32 *)(%1 + %2)"
		     : "=r"(p)
		     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, data_end)));
	return p;
}

/* The dataplane clock (SFC_CLOCK_EPOCH_NS in sfc_common.h): every
 * timestamp stored in a map and every "now" compared with one. */
static __always_inline __u64 sfc_now(void)
{
	return bpf_ktime_get_ns() + SFC_CLOCK_EPOCH_NS;
}

/* Bytes made linear up front: Ethernet + NSH + IPv6 + TCP header. */
#define SFC_PULL_LEN (ETH_HLEN + 16 + 40 + 20)

#endif /* SFC_BPF_DEFS_H */
