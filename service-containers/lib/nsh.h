/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nsh.h - parse, inspect, edit and build NSH headers (RFC 8300).
 *
 * Pure functions over byte buffers: no I/O, no allocation, no global state,
 * so they can be unit tested and fuzzed directly. Wire constants and the
 * 20-byte header the SFF pushes come from the contract header sfc_common.h,
 * so do the flow programming TLVs (control, counts) built and read here.
 */
#ifndef SF_NSH_H
#define SF_NSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sfc_common.h"

#define SF_NSH_MD_TYPE_1 0x1
#define SF_NSH_BASE_LEN 8           /* base header + service path header */
#define SF_NSH_MD1_LEN_WORDS 6      /* RFC 8300 section 2.4: fixed length */
#define SF_NSH_MAX_LEN (SFC_NSH_LEN_MASK * 4) /* 6-bit Length field: 252 B */
#define SF_NSH_TLV_HDR_LEN 4
#define SF_NSH_TLV_MAX_VALUE 0x7F   /* 7-bit TLV Length, in bytes */
#define SF_NSH_TLV_C_BIT 0x80       /* critical bit in the TLV Type */

/*
 * A validated NSH header. Filled by sf_nsh_parse(); points into the caller's
 * buffer (borrowed, valid as long as the buffer is).
 */
struct sf_nsh {
	uint32_t word;       /* base header word, host order */
	uint32_t sp;         /* service path word, host order */
	uint16_t hdr_len;    /* whole NSH header in bytes (Length * 4) */
	uint16_t ctx_len;    /* context headers in bytes (hdr_len - 8) */
	const uint8_t *ctx;  /* first context header (MD type 1 or 2) */
};

/* One MD type 2 context header (RFC 8300 section 2.5.1). */
struct sf_nsh_tlv {
	uint16_t md_class;     /* Metadata Class, host order */
	uint8_t type;          /* Type without the critical bit */
	bool critical;         /* C bit: top bit of the Type field */
	uint8_t len;           /* value length in bytes, 0..127, unpadded */
	const uint8_t *value;  /* borrowed; NULL when len is 0 */
};

struct sf_nsh_tlv_iter {
	const uint8_t *p;
	const uint8_t *end;
};

/* Fields for sf_nsh_build(): values in host order. */
struct sf_nsh_params {
	uint32_t spi;        /* 24 bits */
	uint8_t si;
	uint8_t ttl;         /* 6 bits; 0 means SFC_NSH_TTL_DEFAULT */
	uint8_t next_proto;  /* SFC_NSH_NP_* */
	bool oam;            /* O bit */
};

/**
 * sf_nsh_parse() - validate the NSH header at the start of @buf.
 * @buf: bytes starting at the NSH base header (after the EtherType).
 * @len: bytes available in @buf; may include the inner packet.
 * @out: filled on success; pointers borrow @buf.
 *
 * Checks, in order (RFC 8300 sections 2.2-2.5): 8 bytes present, Version 0,
 * MD type 1 or 2, Length consistent with the MD type (MD 1: exactly 6
 * words; MD 2: at least 2 words and the context headers tile it exactly),
 * and the declared Length fits in @len. The Next Protocol is not checked:
 * what an SF accepts is its own policy.
 *
 * Return: 0; -EINVAL on NULL arguments; -EMSGSIZE if truncated (shorter
 * than 8 bytes or than the declared Length); -EPROTO on a Version other
 * than 0; -EPROTONOSUPPORT on an MD type other than 1 or 2; -EBADMSG on an
 * inconsistent Length or context headers overrunning it.
 */
int sf_nsh_parse(const void *buf, size_t len, struct sf_nsh *out);

static inline unsigned sf_nsh_version(const struct sf_nsh *n)
{
	return n->word >> SFC_NSH_VER_SHIFT;
}

static inline bool sf_nsh_is_oam(const struct sf_nsh *n)
{
	return n->word & SFC_NSH_O_BIT;
}

static inline unsigned sf_nsh_ttl(const struct sf_nsh *n)
{
	return (n->word >> SFC_NSH_TTL_SHIFT) & SFC_NSH_TTL_MASK;
}

static inline unsigned sf_nsh_md_type(const struct sf_nsh *n)
{
	return (n->word >> SFC_NSH_MDTYPE_SHIFT) & SFC_NSH_MDTYPE_MASK;
}

static inline unsigned sf_nsh_next_proto(const struct sf_nsh *n)
{
	return n->word & SFC_NSH_NP_MASK;
}

static inline uint32_t sf_nsh_spi(const struct sf_nsh *n)
{
	return SFC_SP_SPI(n->sp);
}

static inline unsigned sf_nsh_si(const struct sf_nsh *n)
{
	return SFC_SP_SI(n->sp);
}

/**
 * sf_nsh_tlv_iter_init() - start iterating the MD type 2 context headers
 * of a header validated by sf_nsh_parse(). For MD type 1 the iteration is
 * empty (its context is a fixed 16-byte block, not TLVs).
 */
void sf_nsh_tlv_iter_init(struct sf_nsh_tlv_iter *it, const struct sf_nsh *n);

/**
 * sf_nsh_tlv_next() - fetch the next context header.
 * Return: 1 and @out filled; 0 at the end; -EBADMSG if a TLV overruns the
 * header (cannot happen after a successful sf_nsh_parse(), kept so the
 * iterator is safe on its own).
 */
int sf_nsh_tlv_next(struct sf_nsh_tlv_iter *it, struct sf_nsh_tlv *out);

/**
 * sf_nsh_tlv_find() - first context header with @md_class and @type (C bit
 * ignored). Return: 0 and @out filled, or -ENOENT.
 */
int sf_nsh_tlv_find(const struct sf_nsh *n, uint16_t md_class, uint8_t type,
		    struct sf_nsh_tlv *out);

/**
 * sf_nsh_dec_si() - decrement the Service Index in place (RFC 8300 section
 * 2.3: every SF decrements SI by one). @hdr: start of an NSH header already
 * validated (at least 8 writable bytes). The TTL is left alone: SFFs own it.
 * Return: the new SI (0..254), or -ERANGE if SI was already 0 (header left
 * unchanged; RFC 8300 says such a packet must be dropped).
 */
int sf_nsh_dec_si(void *hdr);

/**
 * sf_nsh_build() - write an MD type 2 NSH header into @buf.
 * @cap: bytes available in @buf.
 * @tlvs: @n_tlvs context headers to append, each value zero-padded to a
 *        4-byte multiple; may be NULL when @n_tlvs is 0.
 * Return: header length in bytes; -EINVAL on NULL/out-of-range fields
 * (SPI > 24 bits, TTL > 63, TLV value > 127 bytes or NULL with len > 0);
 * -EMSGSIZE if it does not fit in @cap or in the 6-bit Length field.
 */
int sf_nsh_build(void *buf, size_t cap, const struct sf_nsh_params *p,
		 const struct sf_nsh_tlv *tlvs, unsigned int n_tlvs);

/**
 * sf_nsh_build_sfc() - write the 20-byte header the SFF uses: @p plus one
 * SFC_TLV_ENDPOINT context header carrying @src_vpid and @dir.
 * Return: SFC_NSH_LEN, or the negative errno of sf_nsh_build().
 */
int sf_nsh_build_sfc(struct sfc_nsh_hdr *h, const struct sf_nsh_params *p,
		     uint16_t src_vpid, uint8_t dir);

/**
 * sf_nsh_endpoint() - the SFF's endpoint TLV (sfc_tlv_endpoint: source
 * VPID, direction, flags, flow id; network order as on the wire) if it is
 * the first context header of @n, as the SFF sends it.
 * Return: 0 with @ep filled, or -ENOENT.
 */
int sf_nsh_endpoint(const struct sf_nsh *n, struct sfc_tlv_endpoint *ep);

/**
 * sf_nsh_ctrl_tlv() - the control TLV (flow programming, sfc_common.h) an
 * SF appends to the 20-byte NSH of a packet it returns: MD class
 * SFC_NSH_MD_CLASS, type SFC_TLV_CTRL, version SFC_CTRL_VERSION.
 * @out: SFC_CTRL_TLV_LEN (12) bytes: header and value, wire order.
 * @action: enum sfc_ctrl_action; @flags: SFC_CTRL_F_*; @flow_id: the
 * endpoint TLV's flow id (host order), echoed.
 * Return: 0, or -EINVAL for an unknown action or a flow id of 0.
 */
int sf_nsh_ctrl_tlv(uint8_t out[SFC_CTRL_TLV_LEN], uint8_t action,
		    uint8_t flags, uint32_t flow_id);

/* A translation an SF offloads (SFC_TLV_NAT): forward packets' source
 * orig_addr:orig_port becomes new_addr:new_port (host-order ports; ICMP
 * echo: the id). */
struct sf_xlate {
	uint8_t proto;                /* IPPROTO_TCP, _UDP or _ICMP */
	uint8_t orig_addr[4], new_addr[4];
	uint16_t orig_port, new_port;
};

/**
 * sf_nsh_nat_tlv() - the translation TLV (stateful offload, sfc_common.h)
 * an SF appends to the 20-byte NSH of a packet it returns translated:
 * MD class SFC_NSH_MD_CLASS, type SFC_TLV_NAT, version SFC_CTRL_VERSION.
 * @out: SFC_NAT_TLV_LEN (28) bytes, wire order. @x: the translation;
 * @idle: the SF's idle timeout in SFC_CTRL_IDLE_UNIT_S units; @flow_id:
 * the endpoint TLV's (host order), echoed; @epoch: the SF's (sf_epoch()).
 * Return: 0, or -EINVAL for another protocol or a flow id of 0.
 */
int sf_nsh_nat_tlv(uint8_t out[SFC_NAT_TLV_LEN], const struct sf_xlate *x,
		   uint8_t idle, uint32_t flow_id, uint32_t epoch);

/**
 * sf_nsh_counts_query() - write the NSH of a counts query (sfc_common.h,
 * SFC_TLV_COUNTS) into @buf: O bit, Next Protocol SFC_NSH_NP_OAM, SP @sp
 * and endpoint TLV @ep as the SF received them for the flow, then the
 * counts TLV with status REQUEST and the flow id of @ep.
 * @cap: bytes available in @buf.
 * Return: SFC_NSH_COUNTS_LEN (64), -EMSGSIZE if @cap is smaller.
 */
int sf_nsh_counts_query(void *buf, size_t cap, uint32_t sp,
			const struct sfc_tlv_endpoint *ep);

/* What the SFF answered to a counts query (host order). */
struct sf_counts_answer {
	uint32_t sp;          /* the query's SP */
	uint32_t flow_id;
	uint8_t status;       /* SFC_COUNTS_ANSWER or SFC_COUNTS_REFUSED */
	uint8_t flags;        /* SFC_COUNTS_F_* */
	uint64_t packets[2];  /* [0] forward, [1] replies */
	uint64_t bytes[2];
};

/**
 * sf_nsh_counts_answer() - read the SFF's answer from @n, an OAM NSH that
 * carries a counts TLV of our class with status ANSWER or REFUSED.
 * Return: 0 with @a filled; -ENOENT if @n is no such answer (not OAM, no
 * counts TLV, wrong length or version, a request).
 */
int sf_nsh_counts_answer(const struct sf_nsh *n, struct sf_counts_answer *a);

/**
 * sf_counts_delta() - what the SFF skipped in direction @dir (0 forward,
 * 1 replies) since the answer whose totals are in *@seen_packets and
 * *@seen_bytes, which are moved on to @a's. Totals smaller than the seen
 * ones mean the SFF's counters started over (its LRU map dropped the
 * entry): the delta then counts from zero.
 * @packets, @bytes: set to the delta.
 */
void sf_counts_delta(const struct sf_counts_answer *a, int dir,
		     uint64_t *seen_packets, uint64_t *seen_bytes,
		     uint64_t *packets, uint64_t *bytes);

/**
 * sf_counts_keep() - the verdict on an offloaded entry an SF asked the SFF
 * about before expiring it, from answer @a (non-NULL; a missing answer
 * keeps the entry without calling this). Keep it for another term when
 * the SFF carried packets of the flow since the last answer (its total,
 * both directions, differs from *@sff_total, which moves on to it) or
 * when @seen_since (the SF saw a packet itself after asking).
 * @bypassed: set to whether the SFF still skips the SF for the flow (a
 * refused answer or a flow no longer bypassed: the SF must offer it anew).
 * Return: true to keep, false to release the entry.
 */
bool sf_counts_keep(const struct sf_counts_answer *a, uint64_t *sff_total,
		    bool seen_since, bool *bypassed);

/** sf_nsh_strerror() - short static name of an sf_nsh_parse() error. */
const char *sf_nsh_strerror(int err);

#endif /* SF_NSH_H */
