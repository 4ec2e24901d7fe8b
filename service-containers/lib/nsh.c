// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsh.c - NSH (RFC 8300) parsing and building. See nsh.h.
 *
 * Every read goes through memcpy-based loads: frames sit at arbitrary
 * offsets in the RX ring, so the header may not be 4-byte aligned.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "nsh.h"

static uint32_t load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

static void store_be32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

static size_t tlv_padded(uint8_t len)
{
	return SF_NSH_TLV_HDR_LEN + (((size_t)len + 3) & ~(size_t)3);
}

/* Walk the MD type 2 context headers: they must tile ctx exactly. */
static int check_tlvs(const struct sf_nsh *n)
{
	struct sf_nsh_tlv_iter it;
	struct sf_nsh_tlv tlv;
	int ret;

	sf_nsh_tlv_iter_init(&it, n);
	while ((ret = sf_nsh_tlv_next(&it, &tlv)) > 0)
		;
	return ret;
}

int sf_nsh_parse(const void *buf, size_t len, struct sf_nsh *out)
{
	const uint8_t *p = buf;
	unsigned int words, md;

	if (!buf || !out)
		return -EINVAL;
	if (len < SF_NSH_BASE_LEN)
		return -EMSGSIZE;
	out->word = load_be32(p);
	out->sp = load_be32(p + 4);
	if (sf_nsh_version(out) != SFC_NSH_VERSION)
		return -EPROTO;
	md = sf_nsh_md_type(out);
	words = (out->word >> SFC_NSH_LEN_SHIFT) & SFC_NSH_LEN_MASK;
	if (md == SF_NSH_MD_TYPE_1) {
		if (words != SF_NSH_MD1_LEN_WORDS)
			return -EBADMSG;
	} else if (md == SFC_NSH_MD_TYPE_2) {
		if (words < SF_NSH_BASE_LEN / 4)
			return -EBADMSG;
	} else {
		return -EPROTONOSUPPORT;
	}
	if ((size_t)words * 4 > len)
		return -EMSGSIZE;
	out->hdr_len = words * 4;
	out->ctx_len = out->hdr_len - SF_NSH_BASE_LEN;
	out->ctx = p + SF_NSH_BASE_LEN;
	return md == SFC_NSH_MD_TYPE_2 ? check_tlvs(out) : 0;
}

void sf_nsh_tlv_iter_init(struct sf_nsh_tlv_iter *it, const struct sf_nsh *n)
{
	it->p = n->ctx;
	it->end = n->ctx;
	if (sf_nsh_md_type(n) == SFC_NSH_MD_TYPE_2)
		it->end = n->ctx + n->ctx_len;
}

int sf_nsh_tlv_next(struct sf_nsh_tlv_iter *it, struct sf_nsh_tlv *out)
{
	size_t left = (size_t)(it->end - it->p);
	uint8_t len;

	if (left == 0)
		return 0;
	if (left < SF_NSH_TLV_HDR_LEN)
		return -EBADMSG;
	len = it->p[3] & SF_NSH_TLV_MAX_VALUE;
	if (tlv_padded(len) > left)
		return -EBADMSG;
	out->md_class = (uint16_t)(it->p[0] << 8 | it->p[1]);
	out->type = it->p[2] & ~SF_NSH_TLV_C_BIT;
	out->critical = it->p[2] & SF_NSH_TLV_C_BIT;
	out->len = len;
	out->value = len ? it->p + SF_NSH_TLV_HDR_LEN : NULL;
	it->p += tlv_padded(len);
	return 1;
}

int sf_nsh_tlv_find(const struct sf_nsh *n, uint16_t md_class, uint8_t type,
		    struct sf_nsh_tlv *out)
{
	struct sf_nsh_tlv_iter it;
	struct sf_nsh_tlv tlv;

	sf_nsh_tlv_iter_init(&it, n);
	while (sf_nsh_tlv_next(&it, &tlv) > 0) {
		if (tlv.md_class == md_class &&
		    tlv.type == (type & ~SF_NSH_TLV_C_BIT)) {
			*out = tlv;
			return 0;
		}
	}
	return -ENOENT;
}

int sf_nsh_dec_si(void *hdr)
{
	uint8_t *p = hdr;
	uint32_t sp = load_be32(p + 4);
	unsigned int si = SFC_SP_SI(sp);

	if (si == 0)
		return -ERANGE;
	store_be32(p + 4, SFC_SP(SFC_SP_SPI(sp), si - 1));
	return (int)(si - 1);
}

static int check_params(const struct sf_nsh_params *p,
			const struct sf_nsh_tlv *tlvs, unsigned int n_tlvs,
			size_t *total)
{
	size_t len = SF_NSH_BASE_LEN;
	unsigned int i;

	if (p->spi > SFC_SPI_MAX || p->ttl > SFC_NSH_TTL_MASK)
		return -EINVAL;
	if (n_tlvs && !tlvs)
		return -EINVAL;
	for (i = 0; i < n_tlvs; i++) {
		if (tlvs[i].len > SF_NSH_TLV_MAX_VALUE ||
		    (tlvs[i].len && !tlvs[i].value))
			return -EINVAL;
		len += tlv_padded(tlvs[i].len);
	}
	*total = len;
	return len > SF_NSH_MAX_LEN ? -EMSGSIZE : 0;
}

int sf_nsh_build(void *buf, size_t cap, const struct sf_nsh_params *p,
		 const struct sf_nsh_tlv *tlvs, unsigned int n_tlvs)
{
	uint8_t *out = buf;
	unsigned int i, ttl;
	size_t total;
	uint32_t word;
	int err;

	if (!buf || !p)
		return -EINVAL;
	err = check_params(p, tlvs, n_tlvs, &total);
	if (err)
		return err;
	if (total > cap)
		return -EMSGSIZE;
	ttl = p->ttl ? p->ttl : SFC_NSH_TTL_DEFAULT;
	word = (uint32_t)SFC_NSH_VERSION << SFC_NSH_VER_SHIFT |
	       (p->oam ? SFC_NSH_O_BIT : 0) | ttl << SFC_NSH_TTL_SHIFT |
	       (uint32_t)(total / 4) << SFC_NSH_LEN_SHIFT |
	       (uint32_t)SFC_NSH_MD_TYPE_2 << SFC_NSH_MDTYPE_SHIFT |
	       p->next_proto;
	store_be32(out, word);
	store_be32(out + 4, SFC_SP(p->spi, p->si));
	out += SF_NSH_BASE_LEN;
	for (i = 0; i < n_tlvs; i++) {
		size_t padded = tlv_padded(tlvs[i].len);

		memset(out, 0, padded);
		out[0] = tlvs[i].md_class >> 8;
		out[1] = tlvs[i].md_class & 0xFF;
		out[2] = tlvs[i].type | (tlvs[i].critical ? SF_NSH_TLV_C_BIT : 0);
		out[3] = tlvs[i].len;
		if (tlvs[i].len)
			memcpy(out + SF_NSH_TLV_HDR_LEN, tlvs[i].value, tlvs[i].len);
		out += padded;
	}
	return (int)total;
}

int sf_nsh_build_sfc(struct sfc_nsh_hdr *h, const struct sf_nsh_params *p,
		     uint16_t src_vpid, uint8_t dir)
{
	struct sfc_tlv_endpoint ep = {
		.src_vpid = htons(src_vpid),
		.dir = dir,
	};
	struct sf_nsh_tlv tlv = {
		.md_class = SFC_NSH_MD_CLASS,
		.type = SFC_TLV_ENDPOINT,
		.len = sizeof(ep),
		.value = (const uint8_t *)&ep,
	};

	return sf_nsh_build(h, sizeof(*h), p, &tlv, 1);
}

int sf_nsh_endpoint(const struct sf_nsh *n, struct sfc_tlv_endpoint *ep)
{
	struct sf_nsh_tlv_iter it;
	struct sf_nsh_tlv tlv;

	sf_nsh_tlv_iter_init(&it, n);
	if (sf_nsh_tlv_next(&it, &tlv) <= 0 || tlv.md_class != SFC_NSH_MD_CLASS ||
	    tlv.type != SFC_TLV_ENDPOINT || tlv.len != sizeof(*ep))
		return -ENOENT;
	memcpy(ep, tlv.value, sizeof(*ep));
	return 0;
}

int sf_nsh_ctrl_tlv(uint8_t out[SFC_CTRL_TLV_LEN], uint8_t action,
		    uint8_t flags, uint32_t flow_id)
{
	struct sfc_tlv_ctrl c = {
		.version = SFC_CTRL_VERSION,
		.action = action,
		.flags = flags,
		.flow_id = htonl(flow_id),
	};

	if (action < SFC_CTRL_BYPASS || action > SFC_CTRL_PASS_TO_END || !flow_id)
		return -EINVAL;
	out[0] = SFC_NSH_MD_CLASS >> 8;
	out[1] = SFC_NSH_MD_CLASS & 0xFF;
	out[2] = SFC_TLV_CTRL;
	out[3] = sizeof(c);
	memcpy(out + SF_NSH_TLV_HDR_LEN, &c, sizeof(c));
	return 0;
}

int sf_nsh_nat_tlv(uint8_t out[SFC_NAT_TLV_LEN], const struct sf_xlate *x,
		   uint8_t idle, uint32_t flow_id, uint32_t epoch)
{
	struct sfc_tlv_nat n = {
		.version = SFC_CTRL_VERSION,
		.proto = x->proto,
		.idle = idle,
		.flow_id = htonl(flow_id),
		.epoch = htonl(epoch),
		.orig_port = htons(x->orig_port),
		.new_port = htons(x->new_port),
	};

	if (!flow_id || (x->proto != IPPROTO_TCP && x->proto != IPPROTO_UDP &&
			 x->proto != IPPROTO_ICMP))
		return -EINVAL;
	memcpy(&n.orig_addr, x->orig_addr, 4);
	memcpy(&n.new_addr, x->new_addr, 4);
	out[0] = SFC_NSH_MD_CLASS >> 8;
	out[1] = SFC_NSH_MD_CLASS & 0xFF;
	out[2] = SFC_TLV_NAT;
	out[3] = sizeof(n);
	memcpy(out + SF_NSH_TLV_HDR_LEN, &n, sizeof(n));
	return 0;
}

int sf_nsh_counts_query(void *buf, size_t cap, uint32_t sp,
			const struct sfc_tlv_endpoint *ep)
{
	struct sfc_tlv_counts q = {
		.version = SFC_CTRL_VERSION,
		.status = SFC_COUNTS_REQUEST,
		.flow_id = ep->flow_id,
	};
	struct sf_nsh_params p = {
		.spi = SFC_SP_SPI(sp),
		.si = (uint8_t)SFC_SP_SI(sp),
		.next_proto = SFC_NSH_NP_OAM,
		.oam = true,
	};
	struct sf_nsh_tlv tlvs[2] = {
		{ .md_class = SFC_NSH_MD_CLASS, .type = SFC_TLV_ENDPOINT,
		  .len = sizeof(*ep), .value = (const uint8_t *)ep },
		{ .md_class = SFC_NSH_MD_CLASS, .type = SFC_TLV_COUNTS,
		  .len = sizeof(q), .value = (const uint8_t *)&q },
	};

	return sf_nsh_build(buf, cap, &p, tlvs, 2);
}

static uint64_t load_be64(const uint8_t *p)
{
	return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

int sf_nsh_counts_answer(const struct sf_nsh *n, struct sf_counts_answer *a)
{
	struct sf_nsh_tlv tlv;
	const uint8_t *v;
	int i;

	if (!sf_nsh_is_oam(n) ||
	    sf_nsh_tlv_find(n, SFC_NSH_MD_CLASS, SFC_TLV_COUNTS, &tlv) ||
	    tlv.len != sizeof(struct sfc_tlv_counts))
		return -ENOENT;
	v = tlv.value;
	if (v[0] != SFC_CTRL_VERSION ||
	    (v[1] != SFC_COUNTS_ANSWER && v[1] != SFC_COUNTS_REFUSED))
		return -ENOENT;
	memset(a, 0, sizeof(*a));
	a->sp = n->sp;
	a->status = v[1];
	a->flags = v[2];
	a->flow_id = load_be32(v + 4);
	for (i = 0; i < 2; i++) {
		a->packets[i] = load_be64(v + 8 + 8 * i);
		a->bytes[i] = load_be64(v + 24 + 8 * i);
	}
	return 0;
}

const char *sf_nsh_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -EMSGSIZE:
		return "truncated";
	case -EPROTO:
		return "bad version";
	case -EPROTONOSUPPORT:
		return "unsupported MD type";
	case -EBADMSG:
		return "bad length";
	case -EINVAL:
		return "invalid argument";
	default:
		return "error";
	}
}

bool sf_counts_keep(const struct sf_counts_answer *a, uint64_t *sff_total,
		    bool seen_since, bool *bypassed)
{
	bool ok = a->status == SFC_COUNTS_ANSWER;
	uint64_t total = ok ? a->packets[0] + a->packets[1] : 0;
	bool grew = ok && total != *sff_total;

	*sff_total = total;
	*bypassed = ok && (a->flags & SFC_COUNTS_F_BYPASSED);
	return grew || seen_since;
}

void sf_counts_delta(const struct sf_counts_answer *a, int dir,
		     uint64_t *seen_packets, uint64_t *seen_bytes,
		     uint64_t *packets, uint64_t *bytes)
{
	if (a->packets[dir] < *seen_packets || a->bytes[dir] < *seen_bytes)
		*seen_packets = *seen_bytes = 0;
	*packets = a->packets[dir] - *seen_packets;
	*bytes = a->bytes[dir] - *seen_bytes;
	*seen_packets = a->packets[dir];
	*seen_bytes = a->bytes[dir];
}
