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

#define SFC_LAYOUT_VERSION 1

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

/* Program names (also the names they are pinned under in <pin dir>/progs). */
#define SFC_PROG_FROM_POD "sfc_from_pod" /* classifier: app endpoint ingress */
#define SFC_PROG_FROM_SF "sfc_from_sf"   /* SFF return step: SF endpoint ingress */

/* Sizes. VPID 0 is never allocated: it means "no endpoint". */
#define SFC_MAX_ENDPOINTS 4096
#define SFC_MAX_RULES 16
#define SFC_MAX_PATH_HOPS 32 /* hops one packet may skip in one SFF pass */
#define SFC_MAX_PATHS 65536

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
 * MD type 2 context header carrying the source endpoint. 16 bytes. */
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
	__u8 dir;        /* enum sfc_dir */
	__u8 flags;
};

struct sfc_nsh_hdr {
	struct sfc_nsh_base base;
	struct sfc_nsh_tlv_hdr tlv;
	struct sfc_tlv_endpoint ep;
};
#define SFC_NSH_LEN ((__u32)sizeof(struct sfc_nsh_hdr))
#define SFC_NSH_LEN_WORDS (SFC_NSH_LEN / 4)

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
 * are scrubbed when a packet crosses a netns, so no pod can forge it. */
#define SFC_MARK_DECAP 0x5FC0DECA

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

/* sfc_meta[0]: layout version and node-wide settings. */
struct sfc_meta {
	__u32 layout_version;
	__u32 flags;
	__u64 created_ns;
};

/* sfc_endpoints[vpid]: one wired pod interface. */
struct sfc_endpoint {
	__u32 ifindex;      /* host-side veth */
	__u8 role;          /* enum sfc_role; SFC_ROLE_NONE = free slot */
	__u8 flags;
	__u16 sf_type;      /* SF type id (SF endpoints), 0 for app pods */
	__u8 mac[6];        /* pod-side interface MAC */
	__u8 host_mac[6];   /* host-side veth MAC (the pod's gateway MAC) */
};

/* sfc_ep_by_ip key. IPv4 lives in addr[0] (network order), rest zero. */
struct sfc_ip_key {
	__u32 family;       /* 4 or 6 */
	__be32 addr[4];
};

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
	SFC_HOP_SF = 1,     /* send to SF instance `vpid` */
	SFC_HOP_END = 2,    /* path ends: strip NSH and deliver */
};

#define SFC_HOP_F_DOWN 0x1 /* the agent found no live instance */

/* sfc_paths[SFC_SP(spi, si)]: what the SFF does with a packet at (SPI, SI). */
struct sfc_hop {
	__u32 vpid;         /* SF instance endpoint (SFC_HOP_SF) */
	__u8 kind;          /* enum sfc_hop_kind */
	__u8 flags;         /* SFC_HOP_F_* */
	__u8 policy;        /* enum sfc_fail_policy of the chain */
	__u8 pad;
};

/* sfc_hop_stats[SFC_SP(spi, si)] (per-CPU): traffic of the hop at (SPI, SI). */
struct sfc_hop_stats {
	__u64 to_sf_packets;    /* sent by the SFF to this hop's SF */
	__u64 to_sf_bytes;
	__u64 from_sf_packets;  /* came back from it with SI decremented */
	__u64 from_sf_bytes;
	__u64 skipped_packets;  /* fail-open skips */
	__u64 dropped_packets;  /* fail-closed drops */
};

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
	SFC_DROP_REASON_MAX = 9,
};

#ifndef __BPF__
#include <assert.h>
#define SFC_ASSERT_SIZE(t, n) static_assert(sizeof(t) == (n), #t " layout changed")
#else
#define SFC_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " layout changed")
#endif
SFC_ASSERT_SIZE(struct sfc_nsh_hdr, 16);
SFC_ASSERT_SIZE(struct sfc_meta, 16);
SFC_ASSERT_SIZE(struct sfc_endpoint, 20);
SFC_ASSERT_SIZE(struct sfc_ip_key, 20);
SFC_ASSERT_SIZE(struct sfc_rule, 28);
SFC_ASSERT_SIZE(struct sfc_policy_key, 8);
SFC_ASSERT_SIZE(struct sfc_policy, 8 + 28 * SFC_MAX_RULES);
SFC_ASSERT_SIZE(struct sfc_hop, 8);
SFC_ASSERT_SIZE(struct sfc_hop_stats, 48);

#endif /* SFC_COMMON_H */
