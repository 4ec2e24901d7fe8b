/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * monitor.h - sf-monitor's engine: per-flow records (directed inner
 * 5-tuple, packets, bytes, first/last seen, TCP flags seen) written as
 * JSON lines (the contract sfc_flowrec.h) to a size-rotated file (rotlog.h).
 *
 * A record is written when a flow ends (TCP FIN or RST in its direction:
 * "fin"/"rst"), goes idle ("idle"), is evicted from the full table
 * ("evicted"), at SF exit ("exit") and, for long flows, every export
 * interval ("active", cumulative). After FIN/RST the flow stays in the
 * table as closed until it idles out: its late packets (the last ACK) are
 * counted in late_packets, not as a new flow; a SYN without ACK on a
 * closed flow starts a new one. Every packet passes.
 *
 * Offload ("offload": true; flow programming, sfc_common.h): once a flow
 * was seen both ways, the monitor asks the SFF to bypass it and to count
 * what it skips it for (SFC_CTRL_F_COUNT). Its FIN and RST still come
 * through; the record they end then waits for the SFF's counts (a counts
 * query, flowq.h) and adds them, as does an idle flow's before it is
 * written (a flow the SFF still carries is not idle) and an "active"
 * record. Records thus count every packet of the flow, seen or skipped.
 * The "exit" records of bypassed flows lack what was skipped since.
 *
 * No I/O besides the log, and the clock is a hook, so it is unit tested
 * by feeding frames through sf_frame_process(..., sf_mon_packet, mon).
 */
#ifndef SF_MONITOR_H
#define SF_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "flowmap.h"
#include "flowq.h"
#include "frame.h"
#include "sfc_jbuf.h"
#include "rotlog.h"

#define SF_MON_MAX_FLOWS_DEFAULT 65536
#define SF_MON_ROTATE_BYTES_DEFAULT (64ull << 20)
#define SF_MON_ROTATE_KEEP_DEFAULT 5
#define SF_MON_IDLE_S_DEFAULT 60
#define SF_MON_EXPORT_S_DEFAULT 300
#define SF_MON_SCAN_MS 1000 /* periodic export check */

enum sf_mon_end {
	SF_MON_END_FIN, SF_MON_END_RST, SF_MON_END_IDLE, SF_MON_END_ACTIVE,
	SF_MON_END_EVICTED, SF_MON_END_EXIT, SF_MON_END_MAX,
};

struct sf_mon_cfg {
	char output[4096];       /* required */
	uint64_t rotate_bytes;   /* 0: never */
	unsigned int rotate_keep;
	uint64_t idle_ms;
	uint64_t export_ms;      /* 0: no periodic records */
	uint32_t max_flows;
	bool offload;            /* bypass flows seen both ways, count them */
};

struct sf_mon_flow {
	uint64_t packets, bytes;
	uint64_t first_ms, last_ms, last_export_ms;
	uint8_t tcp_flags;       /* OR of the flags seen */
	bool closed;             /* FIN/RST written, waiting to idle out */
	/* offload */
	bool reply;              /* this direction is the chain's reply path */
	bool bypassed;           /* the SFF was asked to bypass the flow */
	bool has_ref;
	uint8_t reask;           /* packets seen since bypassed */
	uint8_t pending;         /* SF_MON_END_* + 1 of a record waiting for
				  * the SFF's counts; 0: none */
	struct sf_flow_ref ref;  /* how to ask about the flow */
	uint64_t sff_packets, sff_bytes; /* the SFF's counts added so far */
};
/* A bypassed flow still seen after this many packets asks again. */
#define SF_MON_REASK 64

struct sf_mon {
	struct sf_mon_cfg cfg;
	struct sf_flowmap fm;
	struct sf_rotlog log;
	uint64_t (*clock)(void); /* Unix ms; tests replace it */
	uint64_t last_scan_ms;
	uint64_t records[SF_MON_END_MAX];
	uint64_t late_packets;   /* packets of closed flows */
	uint64_t write_errors;
	struct sf_flowq q;       /* counts queries (offload) */
	uint64_t bypass_requests, skipped_packets, skipped_bytes;
};

/**
 * sf_mon_parse_cfg() - read @cfg ({"output", "rotate_bytes",
 * "rotate_keep", "idle_timeout_s", "export_interval_s", "max_flows",
 * "offload", "comment"}) into @out with the defaults above (offload
 * false); "output" is required.
 * Return: 0 or -EINVAL with "PATH: field: message" in @err.
 */
int sf_mon_parse_cfg(const cJSON *cfg, const char *path,
		     struct sf_mon_cfg *out, char *err, size_t errlen);

/**
 * sf_mon_init() - allocate the table and open the output log (before the
 * sandbox). Return: 0 or -errno with @err set.
 */
int sf_mon_init(struct sf_mon *m, const struct sf_mon_cfg *cfg, char *err,
		size_t errlen);

/**
 * sf_mon_configure() - sf_mon_parse_cfg() then sf_mon_init() into the
 * struct sf_mon @ctx (sf_app_ops.configure). Return: as those.
 */
int sf_mon_configure(void *ctx, const cJSON *cfg, const char *path,
		     char *err, size_t errlen);

/** sf_mon_packet() - sf_pkt_fn: account @pkt, write a record on FIN/RST.
 * Always passes. */
enum sf_verdict sf_mon_packet(void *mon, const struct sf_pkt *pkt);

/** sf_mon_tick() - expire idle flows (a bypassed one after the SFF's
 * counts); at most once per SF_MON_SCAN_MS, write "active" records of
 * flows not exported for export_ms. */
void sf_mon_tick(struct sf_mon *m, uint64_t now_ms);

/** sf_mon_flowq() - sf_app_ops.flowq of the struct sf_mon @ctx: its
 * counts query queue with offload, else NULL. */
struct sf_flowq *sf_mon_flowq(void *ctx);

/* monitor_offload.c, for monitor.c */
void sf_mon_write(struct sf_mon *m, const struct sf_tuple *t,
		  const struct sf_mon_flow *f, enum sf_mon_end end);
/* After @f (tuple @t) took @pkt: ask the SFF to bypass the flow once it
 * was seen both ways. */
void sf_mon_offload_packet(struct sf_mon *m, const struct sf_tuple *t,
			   struct sf_mon_flow *f, const struct sf_pkt *pkt);
/* Ask the SFF for bypassed flow @f's counts before its record @end.
 * Return: true if asked (the record waits for the answer). */
bool sf_mon_offload_ask(struct sf_mon *m, const struct sf_tuple *t,
			struct sf_mon_flow *f, enum sf_mon_end end);
/* sf_flowq_answer_fn of the struct sf_mon @ctx. */
void sf_mon_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
		   const struct sf_counts_answer *a);

/** sf_mon_flush() - write an "exit" record for every open flow. */
void sf_mon_flush(struct sf_mon *m);

/** sf_mon_stats_json() - "monitor": {...} member of the stats file
 * (@ctx: the struct sf_mon). */
void sf_mon_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_mon_sandbox() - sf_app_ops.sandbox_hook of the struct sf_mon
 * @ctx: seccomp rules for the log, Landlock to its directory (skipped
 * with a message if the kernel lacks Landlock). */
int sf_mon_sandbox(void *ctx, void *scmp_ctx);

/** sf_mon_fini() - free the table and close the log (no records). */
void sf_mon_fini(struct sf_mon *m);

/** sf_mon_end_name() - "fin", "rst", ... */
const char *sf_mon_end_name(enum sf_mon_end e);

#endif /* SF_MONITOR_H */
