/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * group.h - which instance of an SF group serves a flow at a hop: the one
 * the flow is pinned to while it is up and still a member, otherwise one
 * of the live members picked by flow hash, then pinned (sfc_flows).
 */
#ifndef SFC_BPF_GROUP_H
#define SFC_BPF_GROUP_H

#include "lib/flow.h"
#include "lib/maps.h"

/* Per-CPU counters of SF instance @vpid, or NULL. */
static __always_inline struct sfc_sf_stats *sfc_sf_stats_get(__u32 vpid)
{
	return bpf_map_lookup_elem(&sfc_sf_stats, &vpid);
}

static __always_inline bool sfc_sf_up(__u32 vpid)
{
	__u32 *st;

	if (!vpid)
		return false;
	st = bpf_map_lookup_elem(&sfc_sf_state, &vpid);
	return !st || !(*st & SFC_SF_F_DOWN);
}

/* Index into sfc_flow.inst of hop @idx of the forward or reply SFP;
 * SFC_FLOW_MAX_HOPS when the hop cannot be pinned. */
static __always_inline __u32 sfc_pin_index(const struct sfc_flow *f,
					   __u32 idx, bool reply)
{
	if (!reply)
		return idx < SFC_FLOW_MAX_HOPS ? idx : SFC_FLOW_MAX_HOPS;
	if (!f || idx >= f->n_hops)
		return SFC_FLOW_MAX_HOPS;
	idx = f->n_hops - 1 - idx;
	return idx < SFC_FLOW_MAX_HOPS ? idx : SFC_FLOW_MAX_HOPS;
}

/*
 * sfc_pick_instance() - instance of group @group for hop index @idx
 * (SFC_NSH_SI_START - SI) of flow @flow_id (@reply: on the reverse SFP),
 * pinned in the flow's entry. A pinned instance that is down or left the
 * group is replaced: the flow moves on this packet.
 *
 * A global function: the verifier checks it once, not once per hop of the
 * forward loop (inlined, the member loops make the programs too large).
 * Return: SFC_INST(vpid, member flags), 0 if no member is up.
 */
#define SFC_INST(vpid, flags) ((__u32)(vpid) | (__u32)(flags) << 16)
#define SFC_INST_VPID(x) ((x) & 0xFFFFu)
#define SFC_INST_FLAGS(x) (((x) >> 16) & 0xFFu)

__attribute__((noinline)) __u32 sfc_pick_instance(__u32 flow_id, __u32 group,
						  __u32 idx, __u32 reply)
{
	struct sfc_flow *f = 0;
	struct sfc_sf_stats *st;
	struct sfc_group *g;
	__u32 i, n, pin, slot, pinned = 0, w, best = 0, vpid, bv = 0, bf = 0;
	int hit = 0;

	g = bpf_map_lookup_elem(&sfc_groups, &group);
	if (!g)
		return 0;
	if (flow_id)
		f = bpf_map_lookup_elem(&sfc_flows, &flow_id);
	pin = sfc_pin_index(f, idx, reply);
	/* The mask in asm: clang drops one it can prove redundant, and the
	 * verifier then sees an unbounded index. */
	slot = pin;
	asm volatile("%0 &= %1" : "+r"(slot) : "i"(SFC_FLOW_MAX_HOPS - 1));
	if (pin >= SFC_FLOW_MAX_HOPS)
		f = 0;
	if (f)
		pinned = f->inst[slot];
	n = g->n_members;
	/* Rendezvous hashing over the live members: each gets a weight from
	 * (flow, member, forward hop index), the heaviest wins. When one
	 * goes down only its flows move, spread over the others; both
	 * directions of a flow compute the same weights. */
	for (i = 0; i < SFC_GROUP_MAX_MEMBERS; i++) {
		if (i >= n)
			break;
		vpid = g->m[i].vpid;
		if (!sfc_sf_up(vpid))
			continue;
		if (pinned && vpid == pinned) {
			bv = vpid;
			bf = g->m[i].flags;
			hit = 1;
			break;
		}
		/* No member index is kept: a precise index per iteration
		 * would multiply the verifier's states. */
		w = sfc_mix32(flow_id ^ (vpid * 0x9E3779B9u) ^ (pin << 24));
		if (!bv || w > best) {
			best = w;
			bv = vpid;
			bf = g->m[i].flags;
		}
	}
	if (!hit && pinned) {
		st = sfc_sf_stats_get(pinned);
		if (st)
			st->flows_moved_away++;
	}
	if (!bv)
		return 0;
	if (!hit && f) {
		f->inst[slot] = (__u16)bv;
		st = sfc_sf_stats_get(bv);
		if (st)
			st->flows_pinned++;
	}
	return SFC_INST(bv, bf);
}

/* Is endpoint @vpid a member of group @group? */
static __always_inline bool sfc_group_has(__u32 group, __u32 vpid)
{
	struct sfc_group *g = bpf_map_lookup_elem(&sfc_groups, &group);
	__u32 i;

	if (!g)
		return false;
	for (i = 0; i < SFC_GROUP_MAX_MEMBERS; i++) {
		if (i >= g->n_members)
			break;
		if (g->m[i].vpid == vpid)
			return true;
	}
	return false;
}

#endif /* SFC_BPF_GROUP_H */
