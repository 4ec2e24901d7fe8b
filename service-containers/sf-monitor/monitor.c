// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor.c - sf-monitor flow records. See monitor.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "sfc_flowrec.h"
#include "fsjail.h"
#include "l4.h"
#include "monitor.h"
#include "stats.h"

static const char *const end_names[SF_MON_END_MAX] = {
	"fin", "rst", "idle", "active", "evicted", "exit",
};

const char *sf_mon_end_name(enum sf_mon_end e)
{
	return e < SF_MON_END_MAX ? end_names[e] : "?";
}

int sf_mon_parse_cfg(const cJSON *cfg, const char *path,
		     struct sf_mon_cfg *out, char *err, size_t errlen)
{
	static const char *const keys[] = { "output", "rotate_bytes",
		"rotate_keep", "idle_timeout_s", "export_interval_s",
		"max_flows", "offload", "comment", NULL };
	uint64_t keep = SF_MON_ROTATE_KEEP_DEFAULT, idle = SF_MON_IDLE_S_DEFAULT;
	uint64_t exp = SF_MON_EXPORT_S_DEFAULT, flows = SF_MON_MAX_FLOWS_DEFAULT;
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(cfg, "output");
	int ret;

	memset(out, 0, sizeof(*out));
	out->rotate_bytes = SF_MON_ROTATE_BYTES_DEFAULT;
	ret = sf_config_check_keys(cfg, keys, path, "", err, errlen);
	if (ret)
		return ret;
	if (!cJSON_IsString(o) || !o->valuestring[0] ||
	    strlen(o->valuestring) >= sizeof(out->output))
		return sf_config_err(err, errlen, path, "output",
				     "required: the flow log file path");
	strcpy(out->output, o->valuestring);
	ret = sf_config_uint(cfg, "rotate_bytes", 0, UINT32_MAX * 1024ull,
			     false, &out->rotate_bytes, path, err, errlen) ||
	      sf_config_uint(cfg, "rotate_keep", 0, SFC_FLOWREC_MAX_ROTATED,
			     false, &keep, path, err, errlen) ||
	      sf_config_uint(cfg, "idle_timeout_s", 0, 86400, false, &idle,
			     path, err, errlen) ||
	      sf_config_uint(cfg, "export_interval_s", 0, 86400, false, &exp,
			     path, err, errlen) ||
	      sf_config_uint(cfg, "max_flows", 0, SF_FLOWMAP_MAX_CAP, false,
			     &flows, path, err, errlen) ||
	      sf_config_bool(cfg, "offload", &out->offload, path, err, errlen);
	if (ret)
		return -EINVAL;
	if (idle == 0 || flows == 0)
		return sf_config_err(err, errlen, path,
				     idle ? "max_flows" : "idle_timeout_s",
				     "must be at least 1");
	out->rotate_keep = (unsigned int)keep;
	out->idle_ms = idle * 1000;
	out->export_ms = exp * 1000;
	out->max_flows = (uint32_t)flows;
	return 0;
}

void sf_mon_write(struct sf_mon *m, const struct sf_tuple *t,
			 const struct sf_mon_flow *f, enum sf_mon_end end)
{
	char line[SFC_FLOWREC_LINE_MAX], tmp[4];
	int af = t->family == 6 ? AF_INET6 : AF_INET, len;
	struct sfc_flowrec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.proto, sizeof(r.proto), "%s", sf_proto_name(t->proto, tmp));
	inet_ntop(af, t->src, r.src, sizeof(r.src));
	inet_ntop(af, t->dst, r.dst, sizeof(r.dst));
	r.sport = t->sport;
	r.dport = t->dport;
	r.packets = f->packets;
	r.bytes = f->bytes;
	r.first_ms = f->first_ms;
	r.last_ms = f->last_ms;
	if (t->proto == IPPROTO_TCP)
		sfc_tcp_flags_str(f->tcp_flags, r.tcp_flags, sizeof(r.tcp_flags));
	snprintf(r.end, sizeof(r.end), "%s", sf_mon_end_name(end));
	len = sfc_flowrec_format(&r, line, sizeof(line));
	if (len < 0 || sf_rotlog_write(&m->log, line, (size_t)len))
		m->write_errors++;
	else
		m->records[end]++;
}

static void on_evict(void *ctx, const struct sf_tuple *t, void *val)
{
	struct sf_mon_flow *f = val;

	if (!f->closed)
		sf_mon_write(ctx, t, f, SF_MON_END_EVICTED);
}

int sf_mon_init(struct sf_mon *m, const struct sf_mon_cfg *cfg, char *err,
		size_t errlen)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->clock = sf_realtime_ms;
	ret = sf_flowmap_init(&m->fm, cfg->max_flows, sizeof(struct sf_mon_flow));
	if (ret)
		return ret;
	m->fm.evict = on_evict;
	m->fm.evict_ctx = m;
	sf_flowq_init(&m->q, sf_mon_answer, m);
	ret = sf_rotlog_open(&m->log, cfg->output, cfg->rotate_bytes,
			     cfg->rotate_keep);
	if (ret) {
		snprintf(err, errlen, "%s: %s", cfg->output,
			 sf_file_strerror(ret));
		sf_flowmap_fini(&m->fm);
	}
	return ret;
}

int sf_mon_configure(void *ctx, const cJSON *cfg, const char *path,
		     char *err, size_t errlen)
{
	struct sf_mon_cfg c;
	int ret;

	ret = sf_mon_parse_cfg(cfg, path, &c, err, errlen);
	return ret ? ret : sf_mon_init(ctx, &c, err, errlen);
}

enum sf_verdict sf_mon_packet(void *mon, const struct sf_pkt *pkt)
{
	struct sf_mon *m = mon;
	uint64_t now = m->clock();
	struct sf_mon_flow *f;
	uint64_t segs;
	uint8_t flags;
	bool created;

	segs = sf_pkt_segments(pkt);
	flags = sf_tcp_flags(pkt->ip, &pkt->inner);
	f = sf_flowmap_get(&m->fm, &pkt->inner.t, now, &created);
	if (!created && f->closed) {
		/* A SYN (a client's, or a server's SYN-ACK) opens the
		 * next connection on a reused port; anything else is the
		 * end of the last one. */
		if ((flags & (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST)) !=
		    SF_TCP_SYN) {
			m->late_packets += segs;
			return SF_VERDICT_PASS;
		}
		memset(f, 0, sizeof(*f)); /* port reuse: a new connection */
		created = true;
	}
	if (created)
		f->first_ms = f->last_export_ms = now;
	f->packets += segs;
	f->bytes += pkt->inner.l3_len;
	f->last_ms = now;
	f->tcp_flags |= flags;
	sf_mon_offload_packet(m, &pkt->inner.t, f, pkt);
	if (flags & (SF_TCP_FIN | SF_TCP_RST)) {
		enum sf_mon_end end = flags & SF_TCP_RST ? SF_MON_END_RST :
							 SF_MON_END_FIN;

		/* A bypassed flow's record waits for what the SFF skipped. */
		if (!sf_mon_offload_ask(m, &pkt->inner.t, f, end)) {
			sf_mon_write(m, &pkt->inner.t, f, end);
			f->closed = true;
		}
	}
	return SF_VERDICT_PASS;
}

static void export_one(void *ctx, const struct sf_tuple *t, void *val)
{
	struct sf_mon *m = ctx;
	struct sf_mon_flow *f = val;

	if (f->closed || m->last_scan_ms - f->last_export_ms < m->cfg.export_ms)
		return;
	/* A bypassed flow's record is written with the SFF's answer. */
	if (sf_mon_offload_ask(m, t, f, SF_MON_END_ACTIVE))
		return;
	sf_mon_write(m, t, f, SF_MON_END_ACTIVE);
	f->last_export_ms = m->last_scan_ms;
}

void sf_mon_tick(struct sf_mon *m, uint64_t now_ms)
{
	const struct sf_tuple *t;
	struct sf_mon_flow *f;
	struct sf_tuple key;
	uint64_t last;
	bool created;

	while ((f = sf_flowmap_oldest(&m->fm, &t, &last)) &&
	       now_ms >= last + m->cfg.idle_ms) {
		/* Bypassed: idle only if the SFF saw nothing either. Until
		 * its answer the flow counts as just seen. */
		if (!f->closed && sf_mon_offload_ask(m, t, f, SF_MON_END_IDLE)) {
			key = *t;
			sf_flowmap_get(&m->fm, &key, now_ms, &created);
			continue;
		}
		if (!f->closed)
			sf_mon_write(m, t, f, SF_MON_END_IDLE);
		sf_flowmap_del(&m->fm, f);
	}
	if (!m->cfg.export_ms || now_ms - m->last_scan_ms < SF_MON_SCAN_MS)
		return;
	m->last_scan_ms = now_ms;
	sf_flowmap_foreach(&m->fm, export_one, m);
}

static void flush_one(void *ctx, const struct sf_tuple *t, void *val)
{
	struct sf_mon_flow *f = val;

	if (!f->closed)
		sf_mon_write(ctx, t, f, SF_MON_END_EXIT);
	f->closed = true;
}

void sf_mon_flush(struct sf_mon *m)
{
	if (m->fm.ents)
		sf_flowmap_foreach(&m->fm, flush_one, m);
}

void sf_mon_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	const struct sf_mon *m = ctx;
	int i;

	sfc_jbuf_open(jb, "monitor", '{');
	sfc_jbuf_u64(jb, "capacity", m->fm.cap);
	sfc_jbuf_u64(jb, "active", m->fm.lru.n);
	sfc_jbuf_u64(jb, "evictions", m->fm.evictions);
	sfc_jbuf_u64(jb, "late_packets", m->late_packets);
	sfc_jbuf_open(jb, "records", '{');
	for (i = 0; i < SF_MON_END_MAX; i++)
		sfc_jbuf_u64(jb, end_names[i], m->records[i]);
	sfc_jbuf_close(jb, '}');
	sfc_jbuf_str(jb, "output", m->cfg.output);
	sfc_jbuf_u64(jb, "output_bytes", m->log.bytes);
	sfc_jbuf_u64(jb, "rotations", m->log.rotations);
	sfc_jbuf_u64(jb, "write_errors", m->write_errors);
	sfc_jbuf_u64(jb, "log_errors", m->log.errors);
	sfc_jbuf_open(jb, "offload", '{');
	sfc_jbuf_u64(jb, "enabled", m->cfg.offload);
	sfc_jbuf_u64(jb, "bypass_requests", m->bypass_requests);
	sfc_jbuf_u64(jb, "skipped_packets", m->skipped_packets);
	sfc_jbuf_u64(jb, "skipped_bytes", m->skipped_bytes);
	sf_flowq_stats_json(&m->q, jb);
	sfc_jbuf_close(jb, '}');
	sfc_jbuf_close(jb, '}');
}

int sf_mon_sandbox(void *ctx, void *scmp_ctx)
{
	struct sf_mon *m = ctx;
	struct sf_fsjail_dir d = { .dirfd = m->log.dirfd,
				   .rights = SF_FSJAIL_WRITE };
	int err = sf_fsjail_apply(&d, 1);

	if (err == -EOPNOTSUPP)
		fprintf(stderr, "sf-monitor: Landlock unavailable: openat/"
			"renameat limited by seccomp only\n");
	else if (err)
		return err;
	return sf_rotlog_seccomp(&m->log, scmp_ctx);
}

void sf_mon_fini(struct sf_mon *m)
{
	sf_flowmap_fini(&m->fm);
	sf_rotlog_close(&m->log);
}
