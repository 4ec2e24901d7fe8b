/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h - per-SF counters and their publication as a JSON file.
 *
 * The file is opened before the sandbox (path from --stats) and rewritten
 * in place with pwrite() + ftruncate() on the kept descriptor, because the
 * sandbox forbids open/rename. Writes are rate-limited to one per
 * SF_STATS_INTERVAL_MS plus a final one at exit. A reader may, rarely, see
 * a write in progress; it should retry when the JSON does not parse.
 */
#ifndef SF_STATS_H
#define SF_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sfc_jbuf.h"

#define SF_STATS_INTERVAL_MS 500

/* Counters every SF keeps. Traffic counters never include OAM probes. */
struct sf_counters {
	uint64_t rx_packets;   /* NSH-or-not frames received, except OAM */
	uint64_t rx_bytes;     /* their Ethernet frame bytes */
	uint64_t tx_packets;   /* frames sent back (SI decremented), not OAM */
	uint64_t tx_bytes;
	uint64_t dropped;      /* dropped by policy (e.g. firewall, SI 0) */
	uint64_t malformed;    /* not NSH, invalid NSH or inner packet: dropped */
	uint64_t oam;          /* OAM probes echoed back */
	uint64_t tx_errors;    /* sendmsg failures */
	uint64_t ring_drops;   /* frames the kernel could not queue to us */
	/* Flow programming (frame.h): control TLVs sent per action
	 * (bypass, drop, pass-to-end), requests that could not be (no flow
	 * id, NSH not the SFF's, no headroom), counts answers received. */
	uint64_t ctrl_sent[3];
	uint64_t ctrl_nat;       /* translation TLVs sent (stateful offload) */
	uint64_t ctrl_unsent;
	uint64_t counts_answers;
};

/* Appends SF-specific members to the top-level object. */
typedef void (*sf_stats_extra_fn)(void *ctx, struct sfc_jbuf *jb);

struct sf_stats {
	struct sf_counters c;
	int fd;                 /* -1: no file, rendering still works */
	char *buf;              /* owned render buffer */
	size_t cap;
	const char *sf_name;    /* borrowed, static */
	const char *iface;      /* borrowed, outlives the stats */
	pid_t pid;
	uint64_t start_ms;      /* monotonic */
	uint64_t last_pub_ms;
	sf_stats_extra_fn extra;
	void *extra_ctx;
};

/** sf_now_ms() - CLOCK_MONOTONIC in milliseconds. */
uint64_t sf_now_ms(void);

/** sf_realtime_ms() - CLOCK_REALTIME in milliseconds since the Unix
 * epoch: the times in flow records and alerts. */
uint64_t sf_realtime_ms(void);

/**
 * sf_stats_init() - zero the counters, allocate the render buffer and, if
 * @path is not NULL, open (create, mode 0644) the stats file as an output
 * of files.h: a symlink at @path is refused, not followed, and so is
 * anything but a regular file.
 * @sf_name, @iface: borrowed strings that must outlive @s.
 * Return: 0, -ENOMEM, or the error of sf_open_output_at() (the message
 * names @path on stderr).
 */
int sf_stats_init(struct sf_stats *s, const char *sf_name, const char *iface,
		  const char *path);

/** sf_stats_set_extra() - register the SF-specific JSON writer. */
void sf_stats_set_extra(struct sf_stats *s, sf_stats_extra_fn fn, void *ctx);

/**
 * sf_stats_render() - render the JSON document into s->buf, growing it
 * (up to 16 MiB) when it does not fit. Return: its length or -ENOSPC.
 */
int sf_stats_render(struct sf_stats *s, uint64_t now_ms);

/**
 * sf_stats_publish() - render and rewrite the file if @force or at least
 * SF_STATS_INTERVAL_MS passed since the last write. No-op without a file.
 * Return: 1 written, 0 skipped, -errno of pwrite/ftruncate or -ENOSPC.
 */
int sf_stats_publish(struct sf_stats *s, uint64_t now_ms, bool force);

/** sf_stats_fini() - free the buffer and close the file. */
void sf_stats_fini(struct sf_stats *s);

#endif /* SF_STATS_H */
