/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sfc_common.h - the one contract between the eBPF dataplane and user space.
 *
 * Every map key/value, enum and map name that both the BPF programs and the
 * user-space tools (sfc-cni, sfc-agent, sfcctl, tests) use lives here.
 * Fixed-width types only; sizes are pinned by _Static_assert so a change
 * that alters a layout fails to build instead of corrupting pinned maps.
 * A layout change must bump SFC_LAYOUT_VERSION (stored in sfc_meta).
 */
#ifndef SFC_COMMON_H
#define SFC_COMMON_H

#ifdef __BPF__
/* BPF side: types come from vmlinux.h, included by the program first. */
#else
#include <linux/types.h>
#endif

/* 2: SF groups, flow table, reverse SFPs, SFC proxy, 20-byte NSH.
 * 3: sfc_allowed_src (anti-spoofing), sfc_drops has SFC_DROP_SLOTS.
 * 4: flow programming: sfc_hop.gen, sfc_flow.gen/prog, bypass counters in
 *    sfc_hop_stats, sfc_sf_prog, sfc_ctrl_stats, sfc_flow_counts.
 * 5: offload: sfc_flow.seen_ns/nat/idle/sfgen, sfc_sf_prog.epoch/gen,
 *    sfc_flow_nat (translations an SF moved into the dataplane). */
#define SFC_LAYOUT_VERSION 5

/* Default bpffs directory holding every pinned map, program and link. */
#define SFC_PIN_DIR_DEFAULT "/sys/fs/bpf/sfc"

/* Map names: pinned by name under the pin dir (LIBBPF_PIN_BY_NAME). */
#define SFC_MAP_META "sfc_meta"
#define SFC_MAP_ENDPOINTS "sfc_endpoints"
#define SFC_MAP_IFINDEX "sfc_ifindex_vpid"
#define SFC_MAP_EP_BY_IP "sfc_ep_by_ip"
#define SFC_MAP_POLICY "sfc_policy"
#define SFC_MAP_PATHS "sfc_paths"
#define SFC_MAP_HOP_STATS "sfc_hop_stats"
#define SFC_MAP_DROPS "sfc_drops"
#define SFC_MAP_SF_HEALTH "sfc_sf_health"
#define SFC_MAP_GROUPS "sfc_groups"
#define SFC_MAP_SF_STATE "sfc_sf_state"
#define SFC_MAP_SF_STATS "sfc_sf_stats"
#define SFC_MAP_REV_SPI "sfc_rev_spi"
#define SFC_MAP_FLOWS "sfc_flows"
#define SFC_MAP_FLOW_TUPLES "sfc_flow_tuples"
#define SFC_MAP_PROXY "sfc_proxy"
#define SFC_MAP_ALLOWED_SRC "sfc_allowed_src"
#define SFC_MAP_SF_PROG "sfc_sf_prog"
#define SFC_MAP_CTRL_STATS "sfc_ctrl_stats"
#define SFC_MAP_FLOW_COUNTS "sfc_flow_counts"
#define SFC_MAP_FLOW_NAT "sfc_flow_nat"

/* Program names (also the names they are pinned under in <pin dir>/progs). */
#define SFC_PROG_FROM_POD "sfc_from_pod" /* classifier: app endpoint ingress */
#define SFC_PROG_FROM_SF "sfc_from_sf"   /* SFF return step: SF endpoint ingress */
#define SFC_NUM_PROGS 2 /* the programs above, in this order (sfc_meta.prog_tags) */

/* Sizes. VPID 0 is never allocated: it means "no endpoint". */
#define SFC_MAX_ENDPOINTS 4096
#define SFC_MAX_RULES 16
#define SFC_MAX_PATH_HOPS 32 /* hops one packet may skip in one SFF pass */
#define SFC_MAX_PATHS 65536
#define SFC_MAX_GROUPS 1024        /* group ids 1..1023; 0 = no group */
#define SFC_GROUP_MAX_MEMBERS 16   /* instances of one SF group */
#define SFC_FLOW_MAX_HOPS 16       /* hops whose instance a flow pins */
#define SFC_MAX_FLOWS 65536        /* sfc_flows, sfc_flow_tuples (LRU) */
#define SFC_MAX_PROXY_FLOWS 65536  /* sfc_proxy (LRU) */
#define SFC_MAX_ALLOWED_SRC 8192   /* sfc_allowed_src, all endpoints */
/* A flow-table or proxy entry unused for this long is stale: the dataplane
 * ignores it (and re-creates it); LRU eviction reclaims the memory. */
#define SFC_FLOW_IDLE_NS (300ull * 1000000000ull)
/* Timestamps in those entries are refreshed at most this often. */
#define SFC_FLOW_TOUCH_NS (1000000000ull)
/*
 * The dataplane clock, in ns: CLOCK_MONOTONIC (what bpf_ktime_get_ns()
 * reads) plus SFC_CLOCK_EPOCH_NS. Every time kept in a map (last_ns of
 * sfc_flows, sfc_flow_tuples and sfc_proxy entries, sfc_sf_health) and
 * every "now" compared with one is on this clock: sfc_now() in BPF
 * (bpf/lib/defs.h), sfc_dp_now_ns() in user space (libsfcdp). The offset
 * is larger than every idle or dead timeout, so 0 ("never") and any small
 * value are older than all of them, also on a node booted seconds ago,
 * where CLOCK_MONOTONIC itself is still small.
 */
#define SFC_CLOCK_EPOCH_NS (1000000000ull * 1000000000ull) /* ~31.7 years */
/* NSH, RFC 8300. */
#define SFC_ETH_P_NSH 0x894F
#define SFC_NSH_VERSION 0
#define SFC_NSH_TTL_DEFAULT 63      /* RFC 8300 section 2.2 */
#define SFC_NSH_MD_TYPE_2 0x2
#define SFC_NSH_NP_IPV4 0x1         /* RFC 8300 section 9.1.5 */
#define SFC_NSH_NP_IPV6 0x2
#define SFC_NSH_NP_ETHERNET 0x3
/* Liveness probe: O bit set, Next Protocol 0xFE (experiment 1), SPI 0,
 * SI 255, no payload. An SF echoes it back unchanged; the SFF records the
 * time in sfc_sf_health[vpid] and consumes it. */
#define SFC_NSH_NP_OAM 0xFE
#define SFC_NSH_SI_START 255        /* first SI of every path */
/* Metadata class for our MD type 2 TLVs: from the experimental range
 * 0xFFF6..0xFFFE of the IANA NSH MD Class registry (RFC 8300 section 9.1.4). */
#define SFC_NSH_MD_CLASS 0xFFF6
#define SFC_TLV_ENDPOINT 0x01       /* value: struct sfc_tlv_endpoint */
#define SFC_TLV_CTRL 0x02           /* value: struct sfc_tlv_ctrl (SF -> SFF) */
#define SFC_TLV_COUNTS 0x03         /* value: struct sfc_tlv_counts (OAM query
				     * of an SF, answered by the SFF) */
#define SFC_TLV_NAT 0x04            /* value: struct sfc_tlv_nat (SF -> SFF:
				     * a translation to apply in its place) */
/* sfc_tlv_endpoint.flags */
#define SFC_TLV_F_REPLY 0x01        /* packet of the reply direction of a
				     * symmetric chain (reverse SFP) */
#define SFC_TLV_F_SMALL 0x02        /* the SF must return this packet in
				     * plain (non-GSO) frames of at most
				     * SFC_SF_PLAIN_MAX bytes: the next hop
				     * is an SFC-unaware SF, and the SFF
				     * must push NSH again after it */
#define SFC_TLV_F_END 0x04          /* TCP FIN or RST, set by the classifier:
				     * the SFF skips no hop for this packet,
				     * so every SF sees the end of a flow it
				     * bypassed (flow programming, below) */
/* Largest plain frame (Ethernet + NSH + IP) an SF returns under
 * SFC_TLV_F_SMALL: the kernel refuses bpf_skb_adjust_room growth of a
 * non-GSO skb past SKB_MAX_ALLOC (16 KiB less skb_shared_info), which the
 * SFC proxy needs to restore NSH after an unaware SF. */
#define SFC_SF_PLAIN_MAX 15872

/* NSH base header bits (first 32-bit word, host order after ntohl). */
#define SFC_NSH_VER_SHIFT 30
#define SFC_NSH_O_BIT (1u << 29)    /* OAM packet (RFC 8300 section 2.2) */
#define SFC_NSH_TTL_SHIFT 22
#define SFC_NSH_TTL_MASK 0x3Fu
#define SFC_NSH_LEN_SHIFT 16
#define SFC_NSH_LEN_MASK 0x3Fu      /* length in 4-byte words */
#define SFC_NSH_MDTYPE_SHIFT 8
#define SFC_NSH_MDTYPE_MASK 0xFu
#define SFC_NSH_NP_MASK 0xFFu

/* Wire layout of the NSH the SFF pushes: base + service path header + one
 * MD type 2 context header carrying the source endpoint and the flow id.
 * 20 bytes (Length 5). SFs must send it back with the same shape; they
 * may read (not change) the TLV. */
struct sfc_nsh_base {
	__be32 word;   /* Ver|O|U|TTL|Length|U|U|U|U|MD Type|Next Protocol */
	__be32 sp;     /* SPI (24 bits) | SI (8 bits) */
};

struct sfc_nsh_tlv_hdr {
	__be16 md_class;
	__u8 type;     /* top bit is the critical (C) bit */
	__u8 len;      /* value length in bytes, 7 bits */
};

struct sfc_tlv_endpoint {
	__be16 src_vpid; /* endpoint the packet entered the path from */
	__u8 dir;        /* enum sfc_dir of the rule that classified the flow */
	__u8 flags;      /* SFC_TLV_F_* */
	__be32 flow_id;  /* key of sfc_flows; 0 = none (OAM, no flow state).
			  * Survives an SF rewriting the 5-tuple (NAT). */
};

struct sfc_nsh_hdr {
	struct sfc_nsh_base base;
	struct sfc_nsh_tlv_hdr tlv;
	struct sfc_tlv_endpoint ep;
};
#define SFC_NSH_LEN ((__u32)sizeof(struct sfc_nsh_hdr))
#define SFC_NSH_LEN_WORDS (SFC_NSH_LEN / 4)

/*
 * Flow programming (control messages in the data plane). An SF returning a
 * packet may append one more context header to its NSH, a control TLV
 * (class SFC_NSH_MD_CLASS, type SFC_TLV_CTRL, 8-byte value, NSH Length 8):
 * from the next packet on, the SFF acts on the packet's flow (both
 * directions of a symmetric chain):
 *   BYPASS       this hop is skipped (SI decremented without sending it to
 *                the SF) until the flow ends or its chain changes;
 *   DROP         the flow's packets are dropped at their classifier
 *                (SFC_DROP_FLOW), this one included;
 *   PASS_TO_END  this hop and every later one of the packet's direction
 *                are skipped: the packet goes on to delivery.
 * The SFF acts only when flow_id echoes the flow id it handed the SF in the
 * endpoint TLV, that flow is pinned to this very SF at this hop, the flow
 * entry belongs to the chain version the path carries now (sfc_hop.gen),
 * and the SF is within SFC_SF_PROG_MAX programs per window; otherwise (and
 * for an unknown version or action) the request is ignored and counted in
 * sfc_ctrl_stats. The SFF strips the TLV before the packet goes on.
 */
#define SFC_CTRL_VERSION 1

enum sfc_ctrl_action {
	SFC_CTRL_BYPASS = 1,
	SFC_CTRL_DROP = 2,
	SFC_CTRL_PASS_TO_END = 3,
};

/* sfc_tlv_ctrl.flags */
#define SFC_CTRL_F_COUNT 0x01 /* with BYPASS: count the packets and bytes the
			       * SFF skips this hop for (sfc_flow_counts), so
			       * the SF can ask for them (SFC_TLV_COUNTS) */

/* sfc_tlv_ctrl.idle, sfc_tlv_nat.idle: the SF's own idle timeout for the
 * flow, in units of SFC_CTRL_IDLE_UNIT_S seconds (rounded down by the SF),
 * 0 = none. A flow idle that long (no packet either way at its classifier)
 * loses every program: its next packet reaches the SFs again, as it would
 * have had the SF seen every packet. At most 255 units (1020 s). */
#define SFC_CTRL_IDLE_UNIT_S 4
#define SFC_CTRL_IDLE_MAX 255

struct sfc_tlv_ctrl {
	__u8 version;   /* SFC_CTRL_VERSION */
	__u8 action;    /* enum sfc_ctrl_action */
	__u8 flags;     /* SFC_CTRL_F_* */
	__u8 idle;      /* idle timeout (SFC_CTRL_IDLE_UNIT_S units), 0 none;
			 * "reserved, 0" before layout 5 */
	__be32 flow_id; /* the endpoint TLV's flow id, echoed */
};

/* The NSH of a packet an SF returns with a control TLV: 32 bytes. */
struct sfc_nsh_ctrl_hdr {
	struct sfc_nsh_hdr h;
	struct sfc_nsh_tlv_hdr tlv;
	struct sfc_tlv_ctrl ctrl;
};
#define SFC_NSH_CTRL_LEN ((__u32)sizeof(struct sfc_nsh_ctrl_hdr))
#define SFC_NSH_CTRL_LEN_WORDS (SFC_NSH_CTRL_LEN / 4)
#define SFC_CTRL_TLV_LEN (SFC_NSH_CTRL_LEN - SFC_NSH_LEN) /* header + value */

/*
 * Counts query: an SF that bypassed its hop for a flow with SFC_CTRL_F_COUNT
 * asks for what it missed with an OAM packet (O bit, Next Protocol
 * SFC_NSH_NP_OAM, no payload): SPI and SI of the hop as it received the
 * flow's packets (SI not decremented), the endpoint TLV as received, then
 * SFC_TLV_COUNTS with status REQUEST (NSH Length 16). The SFF writes the
 * answer into the same packet and sends it back to the SF: status ANSWER
 * with the packets and bytes (inner IP bytes, a GSO packet as its
 * segments) it skipped the hop for, per direction, or REFUSED (not this
 * SF's flow, no such flow or counters).
 */
enum sfc_counts_status {
	SFC_COUNTS_REQUEST = 1,
	SFC_COUNTS_ANSWER = 2,
	SFC_COUNTS_REFUSED = 3,
};

/* sfc_tlv_counts.flags (answer) */
#define SFC_COUNTS_F_BYPASSED 0x01 /* the hop is still bypassed for the flow
				    * (else the programs were voided: the SF
				    * sees the flow's packets again) */

struct sfc_tlv_counts {
	__u8 version;       /* SFC_CTRL_VERSION */
	__u8 status;        /* enum sfc_counts_status */
	__u8 flags;         /* SFC_COUNTS_F_* */
	__u8 reserved;
	__be32 flow_id;     /* the endpoint TLV's flow id, echoed */
	__be64 packets[2];  /* [0] forward direction, [1] replies */
	__be64 bytes[2];
};

struct sfc_nsh_counts_hdr {
	struct sfc_nsh_hdr h;
	struct sfc_nsh_tlv_hdr tlv;
	struct sfc_tlv_counts counts;
};
#define SFC_NSH_COUNTS_LEN ((__u32)sizeof(struct sfc_nsh_counts_hdr))
#define SFC_NSH_COUNTS_LEN_WORDS (SFC_NSH_COUNTS_LEN / 4)

/*
 * Offloaded translation (stateful offload): an SF that rewrote the
 * packet's addresses (sf-nat: source NAT) returns it with SFC_TLV_NAT
 * instead of a control TLV (NSH Length 12). The SFF checks it like a
 * BYPASS (flow id echoed, flow pinned to this SF at this hop, chain
 * version, per-SF bound) and also that the carrier already shows the
 * translation (forward: source new_addr:new_port; reply: destination
 * orig_addr:orig_port). From the next packet on it skips the hop and
 * applies the translation itself, IPv4 only: a forward packet with source
 * orig_addr:orig_port gets source new_addr:new_port, a reply with
 * destination new_addr:new_port gets destination orig_addr:orig_port
 * (TCP/UDP ports, ICMP echo id), with the IPv4 header and L4 checksums
 * updated (CHECKSUM_PARTIAL and GSO packets too). A packet that does not
 * match goes to the SF. Skipped packets are counted (as SFC_CTRL_F_COUNT)
 * so the SF can ask before it lets the mapping idle out.
 */
struct sfc_tlv_nat {
	__u8 version;     /* SFC_CTRL_VERSION */
	__u8 proto;       /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP (echo) */
	__u8 flags;       /* none yet: 0 */
	__u8 idle;        /* as sfc_tlv_ctrl.idle */
	__be32 flow_id;   /* the endpoint TLV's flow id, echoed */
	__be32 epoch;     /* the SF instance's epoch (below), 0 = none */
	__be32 orig_addr; /* forward packets' source before the SF */
	__be32 new_addr;  /* ... and after it */
	__be16 orig_port; /* TCP/UDP source port or ICMP echo id, before */
	__be16 new_port;  /* ... and after */
};

struct sfc_nsh_nat_hdr {
	struct sfc_nsh_hdr h;
	struct sfc_nsh_tlv_hdr tlv;
	struct sfc_tlv_nat nat;
};
#define SFC_NSH_NAT_LEN ((__u32)sizeof(struct sfc_nsh_nat_hdr))
#define SFC_NSH_NAT_LEN_WORDS (SFC_NSH_NAT_LEN / 4)
#define SFC_NAT_TLV_LEN (SFC_NSH_NAT_LEN - SFC_NSH_LEN) /* header + value */

/*
 * SF instance epoch. An SF that programs the SFF announces a 32-bit epoch
 * (never 0), new at every start and whenever what it programmed is no
 * longer true (a firewall's rules reloaded, a NAT table started over): in
 * the flow id field of the endpoint TLV of its OAM echoes (probes carry
 * 0 there) and in every SFC_TLV_NAT. The SFF keeps the last one per VPID
 * (sfc_sf_prog.epoch) and bumps sfc_sf_prog.gen when it changes; every
 * program records the gen of its SF (sfc_flow.sfgen), and one of an older
 * gen is void: the flow goes back to the SF.
 */

/* Build the SP word / path-map key: SPI in the high 24 bits, SI in the low 8. */
#define SFC_SP(spi, si) ((((__u32)(spi) & 0xFFFFFFu) << 8) | ((__u32)(si) & 0xFFu))
#define SFC_SP_SPI(sp) ((__u32)(sp) >> 8)
#define SFC_SP_SI(sp) ((__u32)(sp) & 0xFFu)
#define SFC_SPI_MAX 0xFFFFFFu

/* Room that a pod MTU must leave under SFC_SF_MTU for the NSH header. */
#define SFC_SF_MTU_HEADROOM 64
/* MTU of SF interfaces (both veth ends): the largest a veth takes. A GSO
 * super-frame with NSH cannot be sent back by an SF as GSO on kernels
 * without CONFIG_NET_NSH (no GSO handler for 0x894F), so the SF sends it
 * whole as one plain frame; this MTU lets such a frame (<= 64 KiB + NSH)
 * pass, and keeps the pods' MTU at the standard value. */
#define SFC_SF_MTU 65535

/* skb->mark value set on a packet the SFF re-injects into ingress for the
 * decap pass (see sfc_sff.bpf.c: the kernel refuses bpf_skb_adjust_room on a
 * non-IP skb->protocol, and re-injection re-derives the protocol). Marks
 * are scrubbed when a packet crosses a netns, so no pod can forge it.
 * The low 12 bits say what follows the strip: 0 = end of path (deliver),
 * a VPID = send the plain packet to that SFC-unaware SF (SFC proxy). */
#define SFC_MARK_MAGIC 0x5FC0D000u
#define SFC_MARK_MAGIC_MASK 0xFFFFF000u
#define SFC_MARK_VPID_MASK 0x00000FFFu
#define SFC_MARK_DECAP SFC_MARK_MAGIC
#define SFC_MARK_PROXY(vpid) (SFC_MARK_MAGIC | ((__u32)(vpid) & SFC_MARK_VPID_MASK))
/* The same re-injection to strip a control TLV (flow programming): the
 * second pass moves the 20-byte NSH over the TLV and goes on forwarding. */
#define SFC_MARK_CTRL 0x5FC0C000u
/* skb->mark of every frame the SFF hands to an SFC-aware SF: a CPU (low
 * 12 bits), the one the frame's flow was last classified on in its
 * forward direction (sfc_flow.cpu; the SFF's own CPU for a frame without
 * a flow). bpf_redirect_peer keeps the mark into the SF's netns; the SF
 * reads it with SO_RCVMARK and may move its thread there, so every hop of
 * a chain, both directions, runs where the flow's client runs, and frames
 * go from hop to hop by local wake-ups (service-containers/README.md,
 * "Following the flow's CPU"). A hint only: nothing in the dataplane
 * reads it back. */
#define SFC_MARK_SF_CPU_MAGIC 0x5FC0E000u
#define SFC_MARK_SF_CPU_MASK 0x00000FFFu
#define SFC_MARK_SF_CPU(cpu) (SFC_MARK_SF_CPU_MAGIC | ((__u32)(cpu) & SFC_MARK_SF_CPU_MASK))

enum sfc_role {
	SFC_ROLE_NONE = 0,
	SFC_ROLE_APP = 1, /* app pod: classifier runs on its traffic */
	SFC_ROLE_SF = 2,  /* SF pod: SFF return step runs on its traffic */
};

enum sfc_dir {
	SFC_DIR_EGRESS = 0,  /* traffic leaving the endpoint */
	SFC_DIR_INGRESS = 1, /* traffic going to the endpoint */
	SFC_DIR_MAX = 2,
};

enum sfc_fail_policy {
	SFC_FAIL_CLOSED = 0, /* default: drop when the hop has no live SF */
	SFC_FAIL_OPEN = 1,   /* skip the hop */
};

/* sfc_meta[0]: layout version and node-wide settings. Written by
 * libsfcdp (sfc_dp_init) only. */
struct sfc_meta {
	__u32 layout_version;
	__u32 flags;
	__u64 created_ns;
	__u64 objs_hash;      /* FNV-1a 64 of the BPF objects whose programs
			       * are pinned: sfc_dp_init's fast path */
	__u8 prog_tags[SFC_NUM_PROGS][8]; /* kernel tags of the pinned
					   * programs, SFC_NUM_PROGS order */
};

/*
 * sfc_endpoint.flags: traffic shaping on the host veth (the reference
 * bandwidth plugin, later in the conflist), found by sfc-agent from the
 * veth's qdiscs. The dataplane's direct paths would skip those qdiscs.
 */
#define SFC_EP_F_SHAPED_IN  0x01 /* a root qdisc shapes traffic to the pod:
				  * deliver out of the host veth (bpf_redirect)
				  * instead of into the pod (redirect_peer) */
#define SFC_EP_F_SHAPED_OUT 0x02 /* an ingress qdisc (bandwidth's ifb) shapes
				  * traffic from the pod: unchained traffic
				  * goes on to it and the kernel's routing */
#define SFC_EP_F_SHAPED (SFC_EP_F_SHAPED_IN | SFC_EP_F_SHAPED_OUT)

/* sfc_endpoints[vpid]: one wired pod interface. */
struct sfc_endpoint {
	__u32 ifindex;      /* host-side veth */
	__u8 role;          /* enum sfc_role; SFC_ROLE_NONE = free slot */
	__u8 flags;         /* SFC_EP_F_* (written by sfc-agent; the
			     * classifier may rewrite mac) */
	__u16 sf_type;      /* SF type id (SF endpoints), 0 for app pods */
	__u8 mac[6];        /* pod-side interface MAC (learned: lib/neigh.h) */
	__u8 host_mac[6];   /* host-side veth MAC (the pod's gateway MAC) */
};

/* sfc_ep_by_ip key. IPv4 lives in addr[0] (network order), rest zero. */
struct sfc_ip_key {
	__u32 family;       /* 4 or 6 */
	__be32 addr[4];
};

/*
 * sfc_allowed_src[key] (LPM trie, SFC_MAX_ALLOWED_SRC): a source prefix app
 * endpoint `vpid` may send from besides its own addresses (sfc_ep_by_ip),
 * from the pod annotation sfc.io/allowed-sources; value: __u8 1. Written by
 * control (sfc-cni ADD, reconcile). The trie matches prefixlen leading bits
 * of vpid, family, addr: SFC_SRC_KEY_BITS (vpid and family, always whole)
 * plus the address prefix length. The classifier looks up the packet's
 * source with the full length of its family.
 */
struct sfc_src_key {
	__u32 prefixlen;    /* SFC_SRC_KEY_BITS + address prefix length */
	__u32 vpid;
	__u32 family;       /* 4 or 6 */
	__be32 addr[4];     /* IPv4 in addr[0], rest zero; host bits zero */
};
#define SFC_SRC_KEY_BITS 64

/* One classifier rule: match on the peer address (dst for egress, src for
 * ingress), protocol and peer port range -> SPI. Zero fields match all. */
struct sfc_rule {
	__u32 spi;
	__u8 proto;         /* IPPROTO_*, 0 = any */
	__u8 family;        /* 0 = any, 4, 6 */
	__u8 prefix_len;    /* of addr; 0 = any address */
	__u8 pad;
	__u16 port_lo;      /* host order, inclusive; 0..65535 = any */
	__u16 port_hi;
	__be32 addr[4];
};

struct sfc_policy_key {
	__u32 vpid;
	__u32 dir;          /* enum sfc_dir */
};

/* First matching rule wins. */
struct sfc_policy {
	__u32 n_rules;
	__u32 pad;
	struct sfc_rule rules[SFC_MAX_RULES];
};

enum sfc_hop_kind {
	SFC_HOP_SF = 1,     /* send to a live instance of SF group `group` */
	SFC_HOP_END = 2,    /* path ends: strip NSH and deliver */
};

/* The whole hop is down whatever its members' state (e.g. control found
 * no instance of the SF type); the policy applies. */
#define SFC_HOP_F_DOWN 0x1
/* The next hop of this path has an SFC-unaware member: the SFF sets
 * SFC_TLV_F_SMALL on packets it sends to this hop's SF. */
#define SFC_HOP_F_NEXT_UNAWARE 0x2

/*
 * sfc_paths[SFC_SP(spi, si)]: what the SFF does with a packet at (SPI, SI).
 * Written by control (sfc-agent / sfcctl apply). The hop index of a path is
 * SFC_NSH_SI_START - SI; a path has at most SFC_MAX_PATH_HOPS hops.
 */
struct sfc_hop {
	__u32 group;        /* SF group (SFC_HOP_SF): key of sfc_groups */
	__u8 kind;          /* enum sfc_hop_kind */
	__u8 flags;         /* SFC_HOP_F_* */
	__u8 policy;        /* enum sfc_fail_policy of the chain */
	__u8 pad;
	__u32 gen;          /* chain version: a hash of the chain's content
			     * (SF types, policy, match rules), the same on
			     * every hop of both its SFPs, never 0. Flow
			     * programs made under another gen are void. */
};

/* sfc_group_member.flags */
#define SFC_MEMBER_F_UNAWARE 0x01 /* SFC-unaware SF: the SFF acts as SFC
				   * proxy (strips NSH, sends plain IP to the
				   * SF's MAC; restores it from sfc_proxy) */

struct sfc_group_member {
	__u16 vpid;         /* SF endpoint of this instance */
	__u8 flags;         /* SFC_MEMBER_F_* */
	__u8 pad;
};

/*
 * sfc_groups[group] (array, SFC_MAX_GROUPS): the instances of one SF type.
 * Written by control; members m[0..n_members-1], order irrelevant but keep
 * it stable (a flow's first instance is picked by hash over the members
 * that are up, in this order). Suggested id: one group per SF type.
 * A flow pinned to an instance that leaves the group moves on its next
 * packet, like one pinned to an instance that goes down.
 */
struct sfc_group {
	__u32 n_members;
	__u32 flags;        /* none yet */
	struct sfc_group_member m[SFC_GROUP_MAX_MEMBERS];
};

/* sfc_sf_state[vpid] (array, SFC_MAX_ENDPOINTS): __u32 SFC_SF_F_* flags of
 * one SF instance. Written by the agent's health check (from sfc_sf_health)
 * and cleared when a VPID is (re)allocated; 0 = up. Read by BPF on every
 * instance choice, so a flow pinned to an instance leaves it on its first
 * packet after the flag is set. */
#define SFC_SF_F_DOWN 0x01

/* sfc_rev_spi[spi] (hash): SPI of the reverse SFP of the forward SFP spi,
 * i.e. the symmetric chain's reply path (same SF types, reverse order:
 * hop i of the reverse SFP is hop n-1-i of the forward one, same groups,
 * same policy). Written by control; no entry = not symmetric. Suggested:
 * egress and ingress matches both use the chain's spi, reverse = spi + 1. */

/* sfc_flow_key: a flow's 5-tuple as seen at one point of the path. */
struct sfc_flow_key {
	__be32 saddr[4];    /* IPv4 in [0], rest zero */
	__be32 daddr[4];
	__u16 sport;        /* host order; 0 without ports (ICMP, fragments) */
	__u16 dport;
	__u8 proto;
	__u8 family;        /* 4 or 6 */
	__u16 pad;          /* zero */
};

/*
 * sfc_flows[flow_id] (LRU hash, SFC_MAX_FLOWS): per-flow SFF state, written
 * by BPF only (sfcctl reads it, may delete entries). flow_id is a hash of
 * the 5-tuple seen by the classifier (never 0) and travels in the NSH TLV.
 * Both directions of a connection share the entry: the reverse SFP at hop
 * index i uses inst[n_hops - 1 - i].
 */
struct sfc_flow {
	__u32 spi;          /* forward SFP */
	__u32 rev_spi;      /* reverse SFP once the reply entry exists, else 0 */
	__u64 last_ns;      /* sfc_now(), coarse (SFC_FLOW_TOUCH_NS) */
	__u8 n_hops;        /* SF hops of the forward SFP, set at its end */
	__u8 flags;         /* SFC_FLOW_P_DROP */
	__u16 src_vpid;     /* endpoint that opened the flow */
	__u32 gen;          /* sfc_hop.gen of the chain when the classifier
			     * (re)opened the entry: programs (prog, flags)
			     * count only while the path carries this gen */
	__u32 prog;         /* SFC_FLOW_PROG_*: hops SFs had skipped */
	__u16 inst[SFC_FLOW_MAX_HOPS]; /* VPID pinned at forward hop index i
					* (SI 255 - i); 0 = not chosen */
	__u32 born;         /* low 32 bits of sfc_now() when the entry was
			     * created: a new flow under a reused id gets
			     * counters of its own (sfc_flow_counts) */
	__u64 seen_ns;      /* sfc_now() of the flow's last packet at a
			     * classifier, either direction (coarse,
			     * SFC_FLOW_TOUCH_NS): the programs' idle clock */
	__u16 nat;          /* bit i: forward hop i is an offloaded
			     * translation (sfc_flow_nat) */
	__u8 idle;          /* smallest idle timeout of the programs
			     * (SFC_CTRL_IDLE_UNIT_S units), 0 = none */
	__u8 drop_hop;      /* 1 + forward hop index of the SF whose DROP
			     * stands (SFC_FLOW_P_DROP; void once that SF
			     * is gone, down or of a new epoch), 0 = none */
	__u16 sfgen[SFC_FLOW_MAX_HOPS]; /* sfc_sf_prog.gen of the SF that
					 * programmed hop i, then */
	__u32 cpu;          /* 1 + the CPU the flow's latest forward packet
			     * was classified on, 0 = none: the SFF marks
			     * the flow's frames to SFs with it
			     * (SFC_MARK_SF_CPU) */
};
/* sfc_flow.flags */
#define SFC_FLOW_P_DROP 0x01 /* an SF asked: drop at the classifier */
/* sfc_flow.prog: bit i (forward hop index i) = skip the hop (BYPASS or
 * PASS_TO_END); bit 16 + i = also count what is skipped (sfc_flow_counts). */
#define SFC_FLOW_PROG_SKIP(i) (1u << (i))
#define SFC_FLOW_PROG_COUNT(i) (1u << (16 + (i)))
#define SFC_FLOW_PROG_SKIP_MASK 0xFFFFu

/*
 * sfc_flow_nat[{flow id, forward hop index, born}] (LRU hash,
 * SFC_MAX_FLOWS): the translation an SF offloaded at that hop
 * (SFC_TLV_NAT), written and read by BPF; valid only while bit hop of
 * sfc_flow.nat and the hop's program are (the key is struct sfc_count_key).
 */
struct sfc_nat_xlate {
	__be32 orig_addr;
	__be32 new_addr;
	__be16 orig_port;
	__be16 new_port;
	__u8 proto;
	__u8 pad[3];
};

/*
 * sfc_flow_counts[{flow id, forward hop index, born}] (LRU hash,
 * SFC_MAX_FLOWS): what the SFF skipped a counted hop (SFC_CTRL_F_COUNT)
 * for, written by BPF with atomic adds; an SF reads it through a counts
 * query (SFC_TLV_COUNTS). Cumulative for the life of the flow entry, also
 * across chain versions.
 */
struct sfc_count_key {
	__u32 flow_id;
	__u32 hop;          /* forward hop index */
	__u32 born;         /* sfc_flow.born of the entry */
};

struct sfc_flow_count {
	__u64 packets[2];   /* [0] forward, [1] replies; a GSO packet counts
			     * as its segments */
	__u64 bytes[2];     /* inner IP bytes */
};

/*
 * sfc_sf_prog[vpid] (array, SFC_MAX_ENDPOINTS): how many flows SF instance
 * vpid programmed in the current window, written by BPF. At most
 * SFC_SF_PROG_MAX new programs per SFC_SF_PROG_WINDOW_NS; a request over
 * it is ignored (SFC_CTRL_ST_OVER_BOUND). A window, not a count of live
 * programs: the LRU flow table drops entries without notice, so a live
 * count could not be given back and would creep up to the bound.
 */
struct sfc_sf_prog {
	__u64 window_ns;    /* sfc_now() at the window's start */
	__u32 n;            /* programs accepted in the window */
	__u32 epoch;        /* the SF's last announced epoch, 0 = none */
	__u16 gen;          /* bumped at every new epoch */
	__u16 pad[3];
};
#define SFC_SF_PROG_MAX 1024
#define SFC_SF_PROG_WINDOW_NS 1000000000ull

/* sfc_ctrl_stats[stat] (per-CPU array, SFC_CTRL_STAT_SLOTS): what the SFF
 * made of control and counts TLVs, written by BPF. */
enum sfc_ctrl_stat {
	SFC_CTRL_ST_BYPASS = 0,      /* BYPASS accepted */
	SFC_CTRL_ST_DROP = 1,        /* DROP accepted */
	SFC_CTRL_ST_PASS_TO_END = 2, /* PASS_TO_END accepted */
	SFC_CTRL_ST_REPEAT = 3,      /* valid, already programmed */
	SFC_CTRL_ST_BAD_TLV = 4,     /* not our control TLV: class, type, length */
	SFC_CTRL_ST_BAD_VERSION = 5, /* unknown version */
	SFC_CTRL_ST_BAD_ACTION = 6,  /* unknown action */
	SFC_CTRL_ST_BAD_FLOW = 7,    /* flow id not echoed, no such flow, or
				      * not pinned to this SF at this hop */
	SFC_CTRL_ST_STALE = 8,       /* flow entry of another chain version */
	SFC_CTRL_ST_OVER_BOUND = 9,  /* over SFC_SF_PROG_MAX in the window */
	SFC_CTRL_ST_QUERY = 10,      /* counts query answered */
	SFC_CTRL_ST_QUERY_REFUSED = 11,
	SFC_CTRL_ST_SKIPPED = 12,    /* packets that skipped a programmed hop */
	SFC_CTRL_ST_NAT = 13,        /* SFC_TLV_NAT accepted */
	SFC_CTRL_ST_VOIDED = 14,     /* programs voided: their SF down, gone or
				      * of a new epoch, the flow idle past
				      * their timeout, or its TCP FIN / RST */
	SFC_CTRL_ST_NAT_MISS = 15,   /* packets of a translated hop that did
				      * not match it (sent to the SF) */
	SFC_CTRL_ST_MAX = 16,
};
#define SFC_CTRL_STAT_SLOTS 16

/* sfc_flow_tuples value flags */
#define SFC_FLOW_F_REPLY 0x01 /* push flow_id with spi (reverse SFP) */

/*
 * sfc_flow_tuples[5-tuple] (LRU hash, SFC_MAX_FLOWS): what the classifier
 * looks up before its rules. Written by BPF only: when a forward packet of
 * a symmetric chain reaches the end of its path, the SFF installs the
 * reverse of the final (post-NAT) 5-tuple -> {flow_id, reverse SPI, REPLY}.
 * Entries idle for SFC_FLOW_IDLE_NS are ignored.
 */
struct sfc_flow_ref {
	__u32 flow_id;
	__u32 spi;          /* SPI to push */
	__u64 last_ns;      /* sfc_now(), coarse (SFC_FLOW_TOUCH_NS) */
	__u8 flags;         /* SFC_FLOW_F_* */
	__u8 pad[7];
};

/*
 * sfc_proxy[{vpid, 5-tuple}] (LRU hash, SFC_MAX_PROXY_FLOWS): SFC proxy
 * state, written by BPF only. When the SFF strips NSH to hand a packet to
 * SFC-unaware SF `vpid`, it saves the NSH under the packet's 5-tuple; a
 * plain IP packet coming back from that SF with the same 5-tuple gets it
 * back (SI decremented on the SF's behalf). An unaware SF must therefore
 * not rewrite the 5-tuple. Entries idle for SFC_FLOW_IDLE_NS are ignored.
 */
struct sfc_proxy_key {
	struct sfc_flow_key tuple;
	__u32 vpid;
};

struct sfc_proxy_state {
	__u32 sp;           /* SFC_SP(spi, si) of the hop the SF serves */
	__u32 word;         /* NSH base word (TTL, Next Protocol) as stripped */
	struct sfc_tlv_endpoint ep; /* TLV value, restored as is */
	__u64 last_ns;      /* sfc_now(), coarse (SFC_FLOW_TOUCH_NS) */
};

/* sfc_sf_stats[vpid] (per-CPU array, SFC_MAX_ENDPOINTS): per-instance
 * traffic, written by BPF. */
struct sfc_sf_stats {
	__u64 to_sf_packets;
	__u64 to_sf_bytes;
	__u64 from_sf_packets;
	__u64 from_sf_bytes;
	__u64 flows_pinned;     /* flows that chose this instance */
	__u64 flows_moved_away; /* pinned flows moved off it (down / gone) */
};

/* sfc_hop_stats[SFC_SP(spi, si)] (per-CPU): traffic of the hop at (SPI, SI). */
struct sfc_hop_stats {
	__u64 to_sf_packets;    /* sent by the SFF to this hop's SF */
	__u64 to_sf_bytes;
	__u64 from_sf_packets;  /* came back from it with SI decremented */
	__u64 from_sf_bytes;
	__u64 skipped_packets;  /* fail-open skips */
	__u64 dropped_packets;  /* fail-closed drops */
	__u64 bypassed_packets; /* skipped for a flow its SF programmed */
};

/* The SPI of the no-chain drop rule (cluster mode, fail closed: a pod
 * whose sfc.io/chain names a chain that does not exist): odd, so no
 * chain's forward SPI (even) and never a path (the reverse of SPI 0, which
 * only OAM uses). The classifier drops a packet a rule sends into it as
 * SFC_DROP_NO_CHAIN before it opens a flow for it. */
#define SFC_SPI_NO_CHAIN 1u

/* Drop reasons: negative so they cannot collide with TC_ACT_* verdicts;
 * sfc_drops[-reason] counts them (per-CPU). */
enum sfc_drop_reason {
	SFC_DROP_MALFORMED = -1,    /* truncated or invalid headers */
	SFC_DROP_NO_PATH = -2,      /* no sfc_paths entry for (SPI, SI) */
	SFC_DROP_SF_DOWN = -3,      /* fail-closed hop with no live SF */
	SFC_DROP_NSH_TTL = -4,      /* NSH TTL expired */
	SFC_DROP_NO_ENDPOINT = -5,  /* path points at a missing endpoint */
	SFC_DROP_ENCAP = -6,        /* bpf_skb_adjust_room / store failed */
	SFC_DROP_BAD_NSH = -7,      /* not our NSH (version, MD type, length) */
	SFC_DROP_LOOP = -8,         /* too many skipped hops in one pass */
	SFC_DROP_PROXY = -9,        /* SFC proxy: no state for an unaware SF */
	SFC_DROP_SPOOFED = -10,     /* app pod's packet with a source MAC or
				     * IP address that is not its own */
	SFC_DROP_FLOW = -11,        /* flow an SF programmed DROP for */
	SFC_DROP_NO_CHAIN = -12,    /* pod names a chain that does not exist
				     * (rule into SFC_SPI_NO_CHAIN) */
	SFC_DROP_REASON_MAX = 13,
};
/* Entries of sfc_drops: room for reasons to come without a layout change. */
#define SFC_DROP_SLOTS 32

#ifndef __BPF__
#include <assert.h>
#define SFC_ASSERT_SIZE(t, n) static_assert(sizeof(t) == (n), #t " layout changed")
#else
#define SFC_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " layout changed")
#endif
SFC_ASSERT_SIZE(struct sfc_tlv_endpoint, 8);
SFC_ASSERT_SIZE(struct sfc_nsh_hdr, 20);
SFC_ASSERT_SIZE(struct sfc_tlv_ctrl, 8);
SFC_ASSERT_SIZE(struct sfc_nsh_ctrl_hdr, 32);
SFC_ASSERT_SIZE(struct sfc_tlv_counts, 40);
SFC_ASSERT_SIZE(struct sfc_nsh_counts_hdr, 64);
SFC_ASSERT_SIZE(struct sfc_tlv_nat, 24);
SFC_ASSERT_SIZE(struct sfc_nsh_nat_hdr, 48);
SFC_ASSERT_SIZE(struct sfc_nat_xlate, 16);
SFC_ASSERT_SIZE(struct sfc_meta, 40);
SFC_ASSERT_SIZE(struct sfc_endpoint, 20);
SFC_ASSERT_SIZE(struct sfc_ip_key, 20);
SFC_ASSERT_SIZE(struct sfc_src_key, 28);
SFC_ASSERT_SIZE(struct sfc_rule, 28);
SFC_ASSERT_SIZE(struct sfc_policy_key, 8);
SFC_ASSERT_SIZE(struct sfc_policy, 8 + 28 * SFC_MAX_RULES);
SFC_ASSERT_SIZE(struct sfc_hop, 12);
SFC_ASSERT_SIZE(struct sfc_hop_stats, 56);
SFC_ASSERT_SIZE(struct sfc_group_member, 4);
SFC_ASSERT_SIZE(struct sfc_group, 8 + 4 * SFC_GROUP_MAX_MEMBERS);
SFC_ASSERT_SIZE(struct sfc_flow_key, 40);
SFC_ASSERT_SIZE(struct sfc_flow, 48 + 4 * SFC_FLOW_MAX_HOPS);
SFC_ASSERT_SIZE(struct sfc_count_key, 12);
SFC_ASSERT_SIZE(struct sfc_flow_count, 32);
SFC_ASSERT_SIZE(struct sfc_sf_prog, 24);
SFC_ASSERT_SIZE(struct sfc_flow_ref, 24);
SFC_ASSERT_SIZE(struct sfc_proxy_key, 44);
SFC_ASSERT_SIZE(struct sfc_proxy_state, 24);
SFC_ASSERT_SIZE(struct sfc_sf_stats, 48);
#ifdef __BPF__
_Static_assert(SFC_MAX_ENDPOINTS - 1 <= SFC_MARK_VPID_MASK, "VPID fits the mark");
#else
static_assert(SFC_MAX_ENDPOINTS - 1 <= SFC_MARK_VPID_MASK, "VPID fits the mark");
#endif
_Static_assert(SFC_DROP_REASON_MAX <= SFC_DROP_SLOTS, "sfc_drops holds every reason");
_Static_assert(SFC_CTRL_ST_MAX <= SFC_CTRL_STAT_SLOTS, "sfc_ctrl_stats holds every stat");
_Static_assert(SFC_FLOW_MAX_HOPS <= 16, "sfc_flow.prog has 16 bits per kind");
/* 0 is older than the flow idle time and any dead-after (ms) a __u32 holds. */
_Static_assert(SFC_CLOCK_EPOCH_NS > SFC_FLOW_IDLE_NS &&
	       SFC_CLOCK_EPOCH_NS > 0xFFFFFFFFull * 1000000ull,
	       "the clock epoch exceeds every timeout");

#endif /* SFC_COMMON_H */
