// SPDX-License-Identifier: GPL-2.0-only
/*
 * ids.c - sf-ids packet path: connections, streams, matches, alerts.
 * Database, config and reload are in ids_db.c. See ids.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ids.h"
#include "ids_internal.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

/* What the match callback needs. */
struct match_ctx {
	struct sf_ids *ids;
	struct sf_ids_flow *f;
	const struct sf_tuple *t; /* the packet's directed tuple */
};

static void write_alert(struct sf_ids *ids, const struct sf_ids_rule *r,
			const struct sf_tuple *t, unsigned long long off)
{
	char line[512], s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], tmp[4];
	int af = t->family == 6 ? AF_INET6 : AF_INET, len;
	struct sfc_jbuf jb;

	inet_ntop(af, t->src, s, sizeof(s));
	inet_ntop(af, t->dst, d, sizeof(d));
	sfc_jbuf_init(&jb, line, sizeof(line));
	sfc_jbuf_open(&jb, NULL, '{');
	sfc_jbuf_u64(&jb, "time_ms", ids->clock());
	sfc_jbuf_str(&jb, "sf", "sf-ids");
	sfc_jbuf_u64(&jb, "rule", r->id);
	sfc_jbuf_str(&jb, "action", r->action == SF_IDS_DROP ? "drop" : "alert");
	sfc_jbuf_str(&jb, "proto", sf_proto_name(t->proto, tmp));
	sfc_jbuf_str(&jb, "src", s);
	sfc_jbuf_u64(&jb, "sport", t->sport);
	sfc_jbuf_str(&jb, "dst", d);
	sfc_jbuf_u64(&jb, "dport", t->dport);
	sfc_jbuf_u64(&jb, "stream_offset", off);
	sfc_jbuf_close(&jb, '}');
	len = sfc_jbuf_finish(&jb);
	ids->alerts++;
	if (len < 0)
		ids->alert_errors++;
	else if (ids->alog.opened)
		ids->alert_errors += sf_rotlog_write(&ids->alog, line,
						     (size_t)len) != 0;
	else if (write(ids->alert_fd, line, (size_t)len) != len)
		ids->alert_errors++;
}

static int on_match(unsigned int idx, unsigned long long from,
		    unsigned long long to, unsigned int flags, void *arg)
{
	struct match_ctx *m = arg;
	const struct sf_ids_rule *r;

	(void)from;
	(void)flags;
	if (idx >= m->ids->rs.n)
		return 0;
	r = &m->ids->rs.r[idx];
	if (!sf_ids_rule_applies(r, m->t->proto, m->t->sport, m->t->dport))
		return 0;
	m->f->matched = true;
	write_alert(m->ids, r, m->t, to);
	if (r->action != SF_IDS_DROP)
		return 0;
	if (!m->f->blocked)
		m->ids->blocked_flows++;
	m->f->blocked = true;
	return 1; /* stop scanning: the connection is dropped from here on */
}

/* Close both streams; report end-of-stream matches only with @m. */
static void close_streams(struct sf_ids *ids, struct sf_ids_flow *f,
			  struct match_ctx *m)
{
	int d;

	for (d = 0; d < 2; d++) {
		if (!f->s[d])
			continue;
		hs_close_stream(f->s[d], m ? ids->scratch : NULL,
				m ? on_match : NULL, m);
		f->s[d] = NULL;
		ids->streams_open--;
	}
}

static void on_evict(void *ctx, const struct sf_tuple *t, void *val)
{
	(void)t;
	close_streams(ctx, val, NULL);
}

void sf_ids_flows_init(struct sf_ids *ids)
{
	ids->fm.evict = on_evict;
	ids->fm.evict_ctx = ids;
}

static void close_all_one(void *ctx, const struct sf_tuple *t, void *val)
{
	(void)t;
	close_streams(ctx, val, NULL);
}

void sf_ids_close_all(struct sf_ids *ids)
{
	if (ids->fm.ents)
		sf_flowmap_foreach(&ids->fm, close_all_one, ids);
}

/* The connection key: the tuple with the smaller (addr, port) end first;
 * *dir = 1 when @t runs the other way. */
static void conn_key(const struct sf_tuple *t, struct sf_tuple *k, int *dir)
{
	int c = memcmp(t->src, t->dst, sizeof(t->src));

	*k = *t;
	*dir = c > 0 || (c == 0 && t->sport > t->dport);
	if (!*dir)
		return;
	memcpy(k->src, t->dst, sizeof(k->src));
	memcpy(k->dst, t->src, sizeof(k->dst));
	k->sport = t->dport;
	k->dport = t->sport;
}

/* Transport payload of @pkt; TCP flags and sequence number for TCP. */
static int payload(const struct sf_pkt *pkt, const uint8_t **data,
		   uint32_t *len, uint8_t *flags, uint32_t *seq)
{
	const struct sf_inner *in = &pkt->inner;
	size_t end = in->l3_len < pkt->ip_len ? in->l3_len : pkt->ip_len;
	const uint8_t *l4 = pkt->ip + in->l4_off;
	size_t hdr = 8;

	*flags = 0;
	if (in->t.proto == IPPROTO_TCP) {
		hdr = (size_t)(l4[12] >> 4) * 4;
		*flags = l4[13];
		*seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 |
		       (uint32_t)l4[6] << 8 | l4[7];
	}
	if (hdr < 8 || in->l4_off + hdr > end)
		return -EBADMSG;
	*data = l4 + hdr;
	*len = (uint32_t)(end - in->l4_off - hdr);
	return 0;
}

/* Keep only the bytes after what this direction already scanned. */
static void tcp_in_order(struct sf_ids *ids, struct sf_ids_flow *f, int dir,
			 uint32_t seq, uint8_t flags, const uint8_t **data,
			 uint32_t *len)
{
	uint32_t dseq = seq + ((flags & TCP_SYN) ? 1 : 0);
	uint32_t end = dseq + *len, old;
	int32_t d = (int32_t)(dseq - f->next_seq[dir]);

	if (f->seq_ok[dir] && d < 0) {
		old = (uint32_t)-d;
		if (old >= *len) {
			ids->retrans_skipped += *len != 0;
			*len = 0;
			return;
		}
		*data += old;
		*len -= old;
	} else if (f->seq_ok[dir] && d > 0) {
		ids->gaps++;
	}
	if (!f->seq_ok[dir] || (int32_t)(end - f->next_seq[dir]) > 0)
		f->next_seq[dir] = end;
	f->seq_ok[dir] = 1;
}

static void scan(struct sf_ids *ids, struct sf_ids_flow *f, int dir,
		 struct match_ctx *m, const uint8_t *data, uint32_t len)
{
	hs_error_t rc;

	if (!f->s[dir]) {
		if (hs_open_stream(ids->db, 0, &f->s[dir]) != HS_SUCCESS) {
			ids->scan_errors++;
			return;
		}
		ids->streams_open++;
	}
	rc = hs_scan_stream(f->s[dir], (const char *)data, len, 0,
			    ids->scratch, on_match, m);
	ids->scanned_bytes += len;
	if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
		ids->scan_errors++;
}

/* RST, or FIN seen both ways: the connection is over, unless a match at
 * the end of a stream blocks it. Return: whether it is blocked. */
static bool conn_end(struct sf_ids *ids, struct sf_ids_flow *f,
		     struct match_ctx *m)
{
	close_streams(ids, f, m);
	if (f->blocked)
		return true;
	sf_flowmap_del(&ids->fm, f);
	return false;
}

/* A packet of a blocked connection: dropped, and with offload the SFF is
 * asked to drop the flow at its classifier (every such packet asks: the
 * SFF ignores a repeat). */
static enum sf_verdict drop(struct sf_ids *ids, const struct sf_pkt *pkt)
{
	ids->blocked_packets++;
	if (ids->cfg.offload) {
		sf_pkt_program(pkt, SFC_CTRL_DROP, 0);
		ids->drop_requests++;
	}
	return SF_VERDICT_DROP;
}

/* @f passed @len more payload bytes: past bypass_after without a match,
 * ask the SFF to bypass the SF (again every SF_IDS_REASK packets). */
static void maybe_bypass(struct sf_ids *ids, struct sf_ids_flow *f,
			 const struct sf_pkt *pkt, uint32_t len)
{
	f->scanned += len;
	if (!ids->cfg.offload || !ids->cfg.bypass_after || f->matched ||
	    f->scanned < ids->cfg.bypass_after)
		return;
	if (f->bypass && f->bypass < SF_IDS_REASK) {
		f->bypass++;
		return;
	}
	f->bypass = 1;
	sf_pkt_program(pkt, SFC_CTRL_BYPASS, 0);
	ids->bypass_requests++;
}

enum sf_verdict sf_ids_packet(void *arg, const struct sf_pkt *pkt)
{
	struct sf_ids *ids = arg;
	const struct sf_tuple *t = &pkt->inner.t;
	struct match_ctx m = { .ids = ids, .t = t };
	struct sf_tuple key;
	const uint8_t *data;
	uint32_t len, seq = 0;
	bool created, blocked;
	uint8_t flags;
	int dir;

	if (pkt->inner.frag || (t->proto != IPPROTO_TCP &&
				t->proto != IPPROTO_UDP))
		return SF_VERDICT_PASS; /* nothing to scan */
	conn_key(t, &key, &dir);
	m.f = sf_flowmap_get(&ids->fm, &key, ids->clock(), &created);
	if (!m.f->blocked && !payload(pkt, &data, &len, &flags, &seq)) {
		if (t->proto == IPPROTO_TCP)
			tcp_in_order(ids, m.f, dir, seq, flags, &data, &len);
		if (len && ids->db)
			scan(ids, m.f, dir, &m, data, len);
		if (flags & TCP_FIN)
			m.f->fin[dir] = 1;
		if ((flags & TCP_RST) || (m.f->fin[0] && m.f->fin[1]))
			return conn_end(ids, m.f, &m) ? drop(ids, pkt) :
							SF_VERDICT_PASS;
		if (m.f->blocked)
			close_streams(ids, m.f, NULL);
		else if (!(flags & (TCP_FIN | TCP_RST)))
			maybe_bypass(ids, m.f, pkt, len);
	}
	blocked = m.f->blocked;
	return blocked ? drop(ids, pkt) : SF_VERDICT_PASS;
}

void sf_ids_tick(struct sf_ids *ids, uint64_t now_ms)
{
	const struct sf_tuple *t;
	struct sf_ids_flow *f;
	uint64_t last;

	while ((f = sf_flowmap_oldest(&ids->fm, &t, &last)) &&
	       now_ms >= last + ids->cfg.idle_ms) {
		close_streams(ids, f, NULL);
		sf_flowmap_del(&ids->fm, f);
	}
}

