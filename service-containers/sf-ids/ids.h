/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ids.h - sf-ids' engine: payload signatures (ids_rules.h) compiled into
 * one Hyperscan database in streaming mode, scanned per connection and
 * direction so that a signature split across frames (TCP GSO super-frames,
 * segments, datagrams) is still found.
 *
 * Connections are keyed by the canonical (ordered) inner 5-tuple in a
 * bounded table (flowmap.h); each direction has its own hs_stream_t,
 * opened at its first payload byte and closed on RST, on FIN in both
 * directions, on idle timeout and on eviction. TCP payload is fed in
 * sequence order: retransmitted bytes are skipped, a gap is counted and
 * scanning goes on. UDP payloads of a flow form one stream too.
 *
 * A match of a rule whose proto/port filter takes the packet writes an
 * alert (JSON line) and counts it; a drop rule also blocks the connection:
 * that packet and every later one of either direction are dropped until
 * the connection idles out. Reload (sf_ids_load) is atomic: a rules or
 * compile error keeps the running database.
 *
 * Offload (flow programming, sfc_common.h; "offload", default true): a
 * blocked connection's packets that still reach the SF ask the SFF to drop
 * the flow at its classifier; with "bypass_after_bytes" N > 0, a
 * connection that carried N payload bytes (both directions, as scanned)
 * without any rule matching asks the SFF to bypass the SF for the rest of
 * it. TCP FIN and RST still come through.
 */
#ifndef SF_IDS_H
#define SF_IDS_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <hs/hs.h>

#include "flowmap.h"
#include "frame.h"
#include "ids_rules.h"
#include "sfc_jbuf.h"
#include "rotlog.h"

#define SF_IDS_MAX_FLOWS_DEFAULT 65536
#define SF_IDS_IDLE_S_DEFAULT 120

struct sf_ids_cfg {
	char rules[4096];        /* rules file, required */
	char alerts[4096];       /* alerts file, "" = stderr */
	uint64_t alerts_rotate_bytes;
	unsigned int alerts_keep;
	uint32_t max_flows;
	uint64_t idle_ms;
	bool offload;            /* ask the SFF to drop blocked flows */
	uint64_t bypass_after;   /* bytes without a match, then bypass; 0 off */
};

struct sf_ids_flow {
	hs_stream_t *s[2];       /* per direction: 0 = as keyed, 1 = reverse */
	uint32_t next_seq[2];
	uint8_t seq_ok[2], fin[2];
	bool blocked;
	bool matched;            /* a rule matched (alert or drop) */
	uint8_t bypass;          /* packets since BYPASS was asked, 0: never */
	uint64_t scanned;        /* payload bytes scanned, both directions */
};
/* A bypassed connection still seen after this many packets asks again. */
#define SF_IDS_REASK 64

struct sf_ids {
	struct sf_ids_cfg cfg;
	hs_database_t *db;       /* NULL with zero rules */
	struct sf_ids_ruleset rs;
	hs_scratch_t *scratch;
	size_t stream_size;      /* bytes of Hyperscan state per stream */
	struct sf_flowmap fm;
	struct sf_rotlog alog;   /* when cfg.alerts is set */
	int alert_fd;            /* otherwise: 2 */
	int rules_dirfd;         /* for reloads under the sandbox */
	int conf_dirfd;          /* -1, or the config's directory: Landlock
				  * lets it be read (sfapp's SIGHUP reload) */
	char rules_name[256];
	uint64_t (*clock)(void); /* Unix ms, alerts and idle; tests replace */
	/* counters */
	uint64_t alerts, alert_errors, blocked_flows, blocked_packets;
	uint64_t scanned_bytes, scan_errors, retrans_skipped, gaps;
	uint64_t streams_open, reloads, reload_errors;
	uint64_t bypass_requests, drop_requests;
};

/**
 * sf_ids_parse_cfg() - {"rules", "alerts", "alerts_rotate_bytes",
 * "alerts_keep", "max_flows", "idle_timeout_s", "offload",
 * "bypass_after_bytes", "comment"}; "rules" is required. Return: 0 or -EINVAL with "PATH: field: message" in @err.
 */
int sf_ids_parse_cfg(const cJSON *cfg, const char *path,
		     struct sf_ids_cfg *out, char *err, size_t errlen);

/**
 * sf_ids_init() - table, alert output, rules directory fd, then the first
 * load of the rules file (database and scratch: before the sandbox).
 * Return: 0 or -errno with @err set ("FILE: line N: ..." for a bad rule).
 */
int sf_ids_init(struct sf_ids *ids, const struct sf_ids_cfg *cfg, char *err,
		size_t errlen);

/**
 * sf_ids_load() - parse @text (@what names it), compile, and swap it in
 * for the running rules. Open streams belong to the old database: they
 * are closed (their connections' next payload opens new ones; a
 * signature straddling the reload is missed); blocked connections stay
 * blocked. Return: 0, or -errno with @err set and nothing changed.
 */
int sf_ids_load(struct sf_ids *ids, const char *text, const char *what,
		char *err, size_t errlen);

/** sf_ids_reload() - sf_ids_load() of the rules file, read through
 * the directory fd kept from sf_ids_init() (a regular file only: a FIFO
 * in its place is refused, never waited on; see files.h). */
int sf_ids_reload(struct sf_ids *ids, char *err, size_t errlen);

/**
 * sf_ids_configure() - sf_app_ops.configure of the struct sf_ids @ctx:
 * sf_ids_parse_cfg(), sf_ids_init(), and a directory fd of the config
 * file @path so that Landlock lets sfapp re-read it on SIGHUP.
 * Return: 0 or -errno with @err set.
 */
int sf_ids_configure(void *ctx, const cJSON *cfg, const char *path,
		     char *err, size_t errlen);

/**
 * sf_ids_reconfigure() - sf_app_ops.reload (SIGHUP, inside the sandbox):
 * the config must name the same rules file, which is read again; any
 * error leaves the running database in place and counts in
 * reload_errors; "offload" and "bypass_after_bytes" take effect.
 * Return: 0 or -errno with @err set.
 */
int sf_ids_reconfigure(void *ctx, const cJSON *cfg, const char *path,
		       char *err, size_t errlen);

/** sf_ids_packet() - sf_pkt_fn: scan @pkt's payload; drop if its
 * connection is blocked. */
enum sf_verdict sf_ids_packet(void *ids, const struct sf_pkt *pkt);

/** sf_ids_tick() - close the streams of connections idle for idle_ms. */
void sf_ids_tick(struct sf_ids *ids, uint64_t now_ms);

/** sf_ids_stats_json() - "ids": {...} member of the stats file (@ctx:
 * the struct sf_ids). */
void sf_ids_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_ids_sandbox() - sf_app_ops.sandbox_hook of the struct sf_ids
 * @arg: seccomp and Landlock additions: read the rules directory
 * (reload), write the alerts directory if any. */
int sf_ids_sandbox(void *arg, void *scmp_ctx);

/** sf_ids_fini() - close every stream of the struct sf_ids @ctx, free
 * everything (sf_app_ops.fini). */
void sf_ids_fini(void *ctx);

#endif /* SF_IDS_H */
