/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flowprog.h - flow programming: an SF's control TLV (sfc_common.h,
 * SFC_TLV_CTRL) recorded in the flow entry, the hops the SFF then skips,
 * the flows the classifier then drops, and the counts query an SF makes
 * for what it was skipped for (SFC_TLV_COUNTS). A program lives while its
 * SF instance is up, a member of the hop's group and of the epoch it
 * programmed under, while the flow is not idle past the SF's timeout, and
 * until the flow's TCP FIN or RST. Offloaded translations: lib/xlate.h.
 *
 * Every function here is a BPF global function: the verifier checks each
 * once, not once per call site and caller state (the classifier is near
 * its complexity limit), and their stacks stay off the hop loop's chain.
 */
#ifndef SFC_BPF_FLOWPROG_H
#define SFC_BPF_FLOWPROG_H

#include "lib/deliver.h"
#include "lib/flow.h"
#include "lib/group.h"
#include "lib/maps.h"
#include "lib/nsh.h"

/* Translate the packet at forward hop index @meta & 0xFF (reply: bit 8)
 * of flow @flow_id (entry born @born), lib/xlate.h. Return: 1 applied,
 * 0 the packet is not the translation's (serve the SF), or a drop reason. */
int sfc_nat_apply(struct __sk_buff *skb, __u32 flow_id, __u32 meta,
		  __u32 born);

#define SFC_IDLE_UNIT_NS (SFC_CTRL_IDLE_UNIT_S * 1000000000ull)
/* sfc_flow_gate() @meta bits */
#define SFC_GATE_REPLY 0x100u
#define SFC_GATE_END 0x200u

/* sfc_sf_prog.gen of SF instance @vpid (0 before its first epoch). */
static __always_inline __u16 sfc_sf_gen(__u32 vpid)
{
	struct sfc_sf_prog *p = bpf_map_lookup_elem(&sfc_sf_prog, &vpid);

	return p ? p->gen : 0;
}

/*
 * sfc_sf_epoch() - SF instance @vpid announced @epoch (an OAM echo, a
 * translation TLV): a new one voids what it programmed before (its gen
 * moves on). 0 announces nothing.
 */
static __always_inline void sfc_sf_epoch(__u32 vpid, __u32 epoch)
{
	struct sfc_sf_prog *p;

	if (!epoch)
		return;
	p = bpf_map_lookup_elem(&sfc_sf_prog, &vpid);
	if (!p || p->epoch == epoch)
		return;
	p->epoch = epoch;
	p->gen++;
}

/* Does flow entry @f carry the packets of SFP @spi (its forward SFP, or
 * its reverse one for a reply)? */
static __always_inline bool sfc_flow_on(const struct sfc_flow *f, __u32 spi,
					bool reply)
{
	return (reply ? f->rev_spi : f->spi) == spi;
}

/* Forget every hop program of @f (not a DROP): the SFs see the flow again. */
static __always_inline void sfc_prog_clear(struct sfc_flow *f)
{
	f->prog = 0;
	f->nat = 0;
	f->idle = 0;
	sfc_ctrl_stat(SFC_CTRL_ST_VOIDED);
}

/*
 * The instance pinned at hop @pin of @f if it is up and of the epoch
 * (sfc_sf_prog.gen) it programmed the hop under (sfc_flow.sfgen), else 0:
 * what a hop program or a DROP needs to stand.
 */
static __always_inline __u32 sfc_pin_current(const struct sfc_flow *f,
					     __u32 pin)
{
	__u32 slot = pin, vpid;

	asm volatile("%0 &= %1" : "+r"(slot) : "i"(SFC_FLOW_MAX_HOPS - 1));
	vpid = f->inst[slot];
	if (!vpid || !sfc_sf_up(vpid) || f->sfgen[slot] != sfc_sf_gen(vpid))
		return 0;
	return vpid;
}

/*
 * Does the DROP of @f still stand? It is the verdict of the SF pinned at
 * hop drop_hop - 1 under the epoch it had then: once that SF is gone,
 * down or of a new epoch (restarted, rules reloaded), it is void like the
 * SF's other programs, and the flow is judged again. An entry without
 * drop_hop (written before it existed) keeps its DROP.
 */
static __always_inline bool sfc_drop_live(const struct sfc_flow *f)
{
	return !f->drop_hop || sfc_pin_current(f, f->drop_hop - 1u);
}

/*
 * sfc_flow_gate() - the classifier's check of flow @flow_id entering SFP
 * @spi (@meta: SFC_GATE_REPLY for the reverse SFP, SFC_GATE_END for a TCP
 * FIN or RST): an SF asked to drop it (SFC_FLOW_P_DROP) under the chain
 * version the path still carries, and that SF's verdict still stands
 * (sfc_drop_live()). Its hop programs end here with its FIN
 * or RST (the rest of the flow reaches the SFs, whose state sees it
 * close) or when the flow was idle for their smallest timeout; then the
 * flow's idle clock (seen_ns) is touched.
 * Return: 0 (go on) or SFC_DROP_FLOW.
 */
__attribute__((noinline)) int sfc_flow_gate(__u32 flow_id, __u32 spi,
					    __u32 meta)
{
	bool reply = meta & SFC_GATE_REPLY;
	__u64 now = sfc_now();
	struct sfc_flow *f;

	if (!flow_id)
		return 0;
	f = bpf_map_lookup_elem(&sfc_flows, &flow_id);
	if (!f || !sfc_flow_on(f, spi, reply))
		return 0;
	if (((f->flags & SFC_FLOW_P_DROP) || (f->prog & SFC_FLOW_PROG_SKIP_MASK)) &&
	    f->gen == sfc_path_gen(spi)) {
		if (f->flags & SFC_FLOW_P_DROP) {
			if (sfc_drop_live(f))
				return SFC_DROP_FLOW;
			sfc_drop_clear(f);
			sfc_ctrl_stat(SFC_CTRL_ST_VOIDED);
		}
		if ((meta & SFC_GATE_END) ||
		    (f->idle && now - f->seen_ns >= f->idle * SFC_IDLE_UNIT_NS))
			sfc_prog_clear(f);
	}
	sfc_touch(&f->seen_ns, now);
	return 0;
}

/* Add @skb (NSH in place) to the counters of hop @pin of flow @flow_id
 * (entry born at @born). */
static __always_inline void sfc_flow_count(struct __sk_buff *skb,
					   __u32 flow_id, __u32 born,
					   __u32 pin, bool reply)
{
	struct sfc_count_key key = { .flow_id = flow_id, .hop = pin,
				     .born = born };
	static const struct sfc_flow_count zero;
	struct sfc_flow_count *c;
	__u64 segs = 1, bytes = 0;

	c = bpf_map_lookup_elem(&sfc_flow_counts, &key);
	if (!c) {
		bpf_map_update_elem(&sfc_flow_counts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&sfc_flow_counts, &key);
		if (!c)
			return;
	}
	if (skb->gso_size && skb->gso_segs)
		segs = skb->gso_segs;
	if (skb->len > ETH_HLEN + SFC_NSH_LEN)
		bytes = skb->len - ETH_HLEN - SFC_NSH_LEN;
	if (reply) {
		__sync_fetch_and_add(&c->packets[1], segs);
		__sync_fetch_and_add(&c->bytes[1], bytes);
	} else {
		__sync_fetch_and_add(&c->packets[0], segs);
		__sync_fetch_and_add(&c->bytes[0], bytes);
	}
}

/*
 * Is the program of hop @pin of @f still its SF's? The instance pinned
 * there must be up, a member of the hop's @group, and of the epoch
 * (sfc_sf_prog.gen) it programmed under. A dead SF's bypassed flows thus
 * stop at a fail-closed hop, a restarted or reloaded SF sees its flows
 * again.
 */
static __always_inline bool sfc_prog_live(const struct sfc_flow *f, __u32 pin,
					  __u32 group)
{
	__u32 slot = pin, vpid;

	asm volatile("%0 &= %1" : "+r"(slot) : "i"(SFC_FLOW_MAX_HOPS - 1));
	if (!f->inst[slot]) /* a PASS_TO_END's hop no packet of the flow reached */
		return true;
	vpid = sfc_pin_current(f, slot);
	return vpid && sfc_group_has(group, vpid);
}

/*
 * sfc_flow_skip() - is the SF hop at (@spi, SI in @meta) programmed away
 * for flow @flow_id (@meta: SFC_FWD_META(si, reply, hop's group)), under
 * chain version @gen (the hop's)? Not for a packet flagged SFC_TLV_F_END:
 * the SFs see how their flows end. A program whose SF is gone, down or of
 * a new epoch is voided here (sfc_prog_live()). A translated hop applies
 * its translation (sfc_nat_apply()); a packet it does not match is served
 * by the SF. A skipped packet is counted in the hop's bypassed_packets
 * and, for a counted hop, in sfc_flow_counts.
 * Return: 1 to skip the hop, 0 to serve it, or a drop reason.
 */
__attribute__((noinline)) int sfc_flow_skip(struct __sk_buff *skb,
					    __u32 flow_id, __u32 spi,
					    __u32 meta, __u32 gen)
{
	__u32 si = meta & 0xFFu, group = meta >> 16, pin;
	struct sfc_hop_stats *hs;
	struct sfc_nsh_hdr *nsh;
	bool reply = meta & 0x100u;
	struct sfc_flow *f;
	int ret;

	if (!skb || !flow_id)
		return 0;
	f = bpf_map_lookup_elem(&sfc_flows, &flow_id);
	if (!f || !(f->prog & SFC_FLOW_PROG_SKIP_MASK) || f->gen != gen ||
	    !sfc_flow_on(f, spi, reply))
		return 0;
	pin = sfc_pin_index(f, SFC_NSH_SI_START - si, reply);
	if (pin >= SFC_FLOW_MAX_HOPS || !(f->prog & SFC_FLOW_PROG_SKIP(pin)))
		return 0;
	nsh = sfc_nsh_at(skb, 0);
	if (!nsh || (nsh->ep.flags & SFC_TLV_F_END))
		return 0;
	if (!sfc_prog_live(f, pin, group)) {
		f->prog &= ~(SFC_FLOW_PROG_SKIP(pin) | SFC_FLOW_PROG_COUNT(pin));
		f->nat &= ~(__u16)SFC_FLOW_PROG_SKIP(pin);
		sfc_ctrl_stat(SFC_CTRL_ST_VOIDED);
		return 0;
	}
	if (f->nat & SFC_FLOW_PROG_SKIP(pin)) {
		ret = sfc_nat_apply(skb, flow_id, pin | (reply ? 0x100u : 0),
				    f->born);
		if (ret <= 0)
			return ret;
	}
	if (f->prog & SFC_FLOW_PROG_COUNT(pin))
		sfc_flow_count(skb, flow_id, f->born, pin, reply);
	hs = sfc_hop_stats_get(SFC_SP(spi, si));
	if (hs)
		hs->bypassed_packets++;
	sfc_ctrl_stat(SFC_CTRL_ST_SKIPPED);
	return 1;
}

/*
 * The flow @flow_id the SF @vpid says it served at hop (@spi, @si)
 * (@reply: on the reverse SFP): its entry, if it is fresh, on that SFP
 * and pinned to @vpid there; *@pin gets the forward hop index.
 */
static __always_inline struct sfc_flow *
sfc_flow_of_sf(__u32 flow_id, __u32 spi, __u32 si, bool reply, __u32 vpid,
	       __u32 *pin)
{
	struct sfc_flow *f;
	__u32 idx;

	if (!flow_id)
		return 0;
	f = bpf_map_lookup_elem(&sfc_flows, &flow_id);
	if (!f || !sfc_fresh(f->last_ns, sfc_now()) ||
	    !sfc_flow_on(f, spi, reply))
		return 0;
	idx = sfc_pin_index(f, SFC_NSH_SI_START - si, reply);
	if (idx >= SFC_FLOW_MAX_HOPS)
		return 0;
	/* The mask in asm, as in sfc_pick_instance(): a bounded index. */
	asm volatile("%0 &= %1" : "+r"(idx) : "i"(SFC_FLOW_MAX_HOPS - 1));
	if (f->inst[idx] != vpid)
		return 0;
	*pin = idx;
	return f;
}

/* Take one program from SF @vpid's window (sfc_sf_prog).
 * Return: true if the SF is within SFC_SF_PROG_MAX. */
static __always_inline bool sfc_prog_admit(__u32 vpid)
{
	struct sfc_sf_prog *p = bpf_map_lookup_elem(&sfc_sf_prog, &vpid);
	__u64 now = sfc_now();

	if (!p)
		return false;
	if (now - p->window_ns >= SFC_SF_PROG_WINDOW_NS) {
		p->window_ns = now;
		p->n = 0;
	}
	if (p->n >= SFC_SF_PROG_MAX)
		return false;
	__sync_fetch_and_add(&p->n, 1);
	return true;
}

/* sfc_flow.prog bits for @action by the SF at forward hop index @pin,
 * carried by a packet of the forward (@reply false) or reverse SFP. */
static __always_inline __u32 sfc_prog_bits(__u32 action, __u32 flags,
					   __u32 pin, bool reply)
{
	__u32 bits = SFC_FLOW_PROG_SKIP(pin);

	/* PASS_TO_END: this hop and those after it in the packet's
	 * direction, i.e. forward hops pin.. or, for a reply, ..pin. */
	if (action == SFC_CTRL_PASS_TO_END)
		bits = reply ? (SFC_FLOW_PROG_SKIP(pin) << 1) - 1
			     : SFC_FLOW_PROG_SKIP_MASK & ~(bits - 1);
	if (action == SFC_CTRL_BYPASS && (flags & SFC_CTRL_F_COUNT))
		bits |= SFC_FLOW_PROG_COUNT(pin);
	return bits;
}

/* Are the hops of @bits (SKIP bits) of @f programmed under the current
 * gen of the SF pinned at each? */
static __always_inline bool sfc_prog_gens_current(const struct sfc_flow *f,
						  __u32 bits)
{
	__u32 i;

	for (i = 0; i < SFC_FLOW_MAX_HOPS; i++)
		if ((bits & SFC_FLOW_PROG_SKIP(i)) &&
		    f->sfgen[i] != sfc_sf_gen(f->inst[i]))
			return false;
	return true;
}

/*
 * Record the hops of @bits (SKIP bits) as programmed under the current
 * gen of the SF pinned at each (a PASS_TO_END's later hops: their own
 * SF's, if one is pinned there yet), and the SF's idle timeout @idle
 * (units): the flow keeps the smallest one.
 */
static __always_inline void sfc_prog_record(struct sfc_flow *f, __u32 bits,
					    __u8 idle)
{
	__u32 i;

	for (i = 0; i < SFC_FLOW_MAX_HOPS; i++)
		if (bits & SFC_FLOW_PROG_SKIP(i))
			f->sfgen[i] = sfc_sf_gen(f->inst[i]);
	if (idle && (!f->idle || idle < f->idle))
		f->idle = idle;
}

/*
 * sfc_ctrl_apply() - the control TLV (header @tlv_hdr as on the wire,
 * value @tlv_val) an SF @vpid put on a packet of flow @flow_id it returned
 * from hop (@spi, SI); @meta: SFC_FWD_META(SI served, reply, vpid). The
 * caller checked that the hop is the SF's (sfc_check_served()).
 * Return: 0 (forward the packet) or SFC_DROP_FLOW (a DROP request: its
 * carrier is dropped whether or not the flow could be programmed).
 */
__attribute__((noinline)) int sfc_ctrl_apply(__u32 spi, __u32 meta,
					     __u32 flow_id, __u32 tlv_hdr,
					     __u64 tlv_val)
{
	__u32 si = meta & 0xFFu, vpid = meta >> 16, pin = 0, bits, sp, verdict;
	bool reply = meta & 0x100u;
	struct sfc_tlv_ctrl c;
	struct sfc_flow *f;
	struct sfc_hop *hop;

	__builtin_memcpy(&c, &tlv_val, sizeof(c));
	/* The C bit (RFC 8300 section 2.5.1) may be set: we know the type. */
	if ((tlv_hdr & bpf_htonl(0xFFFF7FFFu)) !=
	    bpf_htonl((SFC_NSH_MD_CLASS << 16) | (SFC_TLV_CTRL << 8) |
		      sizeof(struct sfc_tlv_ctrl))) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_TLV);
		return 0;
	}
	if (c.version != SFC_CTRL_VERSION) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_VERSION);
		return 0;
	}
	if (c.action < SFC_CTRL_BYPASS || c.action > SFC_CTRL_PASS_TO_END) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_ACTION);
		return 0;
	}
	verdict = c.action == SFC_CTRL_DROP ? SFC_DROP_FLOW : 0;
	f = 0;
	if (bpf_ntohl(c.flow_id) == flow_id)
		f = sfc_flow_of_sf(flow_id, spi, si, reply, vpid, &pin);
	if (!f) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_FLOW);
		return verdict;
	}
	sp = SFC_SP(spi, si);
	hop = bpf_map_lookup_elem(&sfc_paths, &sp);
	if (!hop || hop->gen != f->gen) {
		sfc_ctrl_stat(SFC_CTRL_ST_STALE);
		return verdict;
	}
	bits = sfc_prog_bits(c.action, c.flags, pin, reply);
	if (c.action == SFC_CTRL_DROP ? (f->flags & SFC_FLOW_P_DROP) :
					(f->prog & bits) == bits &&
					sfc_prog_gens_current(f, bits)) {
		sfc_ctrl_stat(SFC_CTRL_ST_REPEAT);
		return verdict;
	}
	if (!sfc_prog_admit(vpid)) {
		sfc_ctrl_stat(SFC_CTRL_ST_OVER_BOUND);
		return verdict;
	}
	if (c.action == SFC_CTRL_DROP) {
		f->flags |= SFC_FLOW_P_DROP;
		f->drop_hop = (__u8)(pin + 1);
		sfc_prog_record(f, SFC_FLOW_PROG_SKIP(pin), 0);
		sfc_ctrl_stat(SFC_CTRL_ST_DROP);
		return verdict;
	}
	/* Not atomic: two SFs programming one flow at the same instant may
	 * lose a bit; that hop then sees the flow and asks again. */
	sfc_prog_record(f, bits, c.idle);
	f->prog |= bits;
	sfc_ctrl_stat(c.action == SFC_CTRL_BYPASS ? SFC_CTRL_ST_BYPASS
						  : SFC_CTRL_ST_PASS_TO_END);
	return 0;
}

/*
 * sfc_counts_query() - answer the counts query SF @vpid sent (an OAM
 * packet whose NSH, Length 16, sfc_nsh_check() accepted): write status,
 * flags and counters into it and send it back to the SF. The SF asks only
 * about a flow pinned to it at the hop named by the query's SP.
 * Return: TC_ACT_REDIRECT, or TC_ACT_SHOT (consumed, not a drop) for a
 * query that is not ours to answer.
 */
__attribute__((noinline)) int sfc_counts_query(struct __sk_buff *skb,
					       __u32 vpid)
{
	struct sfc_tlv_counts ans = { .version = SFC_CTRL_VERSION,
				      .status = SFC_COUNTS_REFUSED };
	struct sfc_count_key key = {};
	struct sfc_nsh_counts_hdr *q;
	struct sfc_flow_count *cnt;
	struct sfc_endpoint *self;
	struct sfc_flow *f = 0;
	struct sfc_hop *hop;
	__u32 sp, flow_id, pin = 0;
	void *data, *data_end;
	bool reply;

	if (!skb)
		return TC_ACT_SHOT;
	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	q = data + ETH_HLEN;
	if ((void *)(q + 1) > data_end)
		return TC_ACT_SHOT;
	if (q->tlv.md_class != bpf_htons(SFC_NSH_MD_CLASS) ||
	    (q->tlv.type & 0x7F) != SFC_TLV_COUNTS ||
	    q->tlv.len != sizeof(struct sfc_tlv_counts) ||
	    q->counts.version != SFC_CTRL_VERSION ||
	    q->counts.status != SFC_COUNTS_REQUEST) {
		sfc_ctrl_stat(SFC_CTRL_ST_BAD_TLV);
		return TC_ACT_SHOT;
	}
	sp = bpf_ntohl(q->h.base.sp);
	flow_id = bpf_ntohl(q->h.ep.flow_id);
	reply = q->h.ep.flags & SFC_TLV_F_REPLY;
	ans.flow_id = q->counts.flow_id;
	hop = bpf_map_lookup_elem(&sfc_paths, &sp);
	if (hop && hop->kind == SFC_HOP_SF && sfc_group_has(hop->group, vpid) &&
	    bpf_ntohl(q->counts.flow_id) == flow_id)
		f = sfc_flow_of_sf(flow_id, SFC_SP_SPI(sp), SFC_SP_SI(sp),
				   reply, vpid, &pin);
	key.flow_id = flow_id;
	key.hop = pin;
	key.born = f ? f->born : 0;
	cnt = f ? bpf_map_lookup_elem(&sfc_flow_counts, &key) : 0;
	if (cnt && hop) {
		ans.status = SFC_COUNTS_ANSWER;
		if ((f->prog & SFC_FLOW_PROG_SKIP(pin)) && f->gen == hop->gen &&
		    sfc_prog_live(f, pin, hop->group))
			ans.flags = SFC_COUNTS_F_BYPASSED;
		ans.packets[0] = bpf_cpu_to_be64(cnt->packets[0]);
		ans.packets[1] = bpf_cpu_to_be64(cnt->packets[1]);
		ans.bytes[0] = bpf_cpu_to_be64(cnt->bytes[0]);
		ans.bytes[1] = bpf_cpu_to_be64(cnt->bytes[1]);
	}
	sfc_ctrl_stat(ans.status == SFC_COUNTS_ANSWER ? SFC_CTRL_ST_QUERY
						      : SFC_CTRL_ST_QUERY_REFUSED);
	if (bpf_skb_store_bytes(skb, ETH_HLEN +
				__builtin_offsetof(struct sfc_nsh_counts_hdr, counts),
				&ans, sizeof(ans), 0))
		return TC_ACT_SHOT;
	self = sfc_endpoint_get(vpid);
	if (!self || sfc_set_macs(skb, self->mac, self->host_mac))
		return TC_ACT_SHOT;
	return bpf_redirect_peer(skb->ifindex, 0);
}

#endif /* SFC_BPF_FLOWPROG_H */
