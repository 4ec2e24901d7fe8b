/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ratelimit.h - sf-ratelimit: a token bucket per inner source address.
 *
 * Each source gets a bucket of burst_bytes that refills at rate_bps / 8
 * bytes per second; a packet of L bytes (its inner IP length, so a GSO
 * super-frame counts by its full length) passes if the bucket holds at
 * least L and takes L from it, else it is dropped and counted against its
 * source. A new source starts with a full bucket. At most max_sources
 * buckets exist; a new source beyond that evicts the least recently seen
 * one (whose bucket would be full again after burst/rate of silence).
 * A packet larger than burst_bytes never passes: size the burst for 64 KiB
 * GSO frames when TCP goes through.
 *
 * Integer math, no drift: tokens are kept in units of 1/8e9 byte (bits *
 * ns / s), so a refill of elapsed_ns adds exactly elapsed_ns * rate_bps.
 *
 * Config: {"rate_bps": 10000000, "burst_bytes": 131072,
 *          "max_sources": 65536}
 */
#ifndef SF_RATELIMIT_H
#define SF_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "frame.h"
#include "sfc_jbuf.h"
#include "tabutil.h"

#define SF_RL_UNITS_PER_BYTE 8000000000ull
#define SF_RL_RATE_MAX 1000000000000ull  /* 1 Tbit/s */
#define SF_RL_BURST_MAX 1000000000ull    /* 1 GB */
#define SF_RL_SOURCES_DEFAULT 65536
#define SF_RL_SOURCES_MAX (1u << 22)
#define SF_RL_TOP 10

struct sf_rl_src {
	uint8_t addr[16];
	uint8_t family;
	uint64_t tokens;            /* SF_RL_UNITS_PER_BYTE per byte */
	uint64_t last_ns;
	uint64_t passed_packets, passed_bytes;
	uint64_t dropped_packets, dropped_bytes;
	uint32_t hnext;
	bool used;
};

struct sf_rl {
	uint64_t rate_bps, burst_bytes;
	uint32_t cap, nbuckets;
	struct sf_rl_src *s;   /* owned, cap entries */
	struct sf_ilink *lk;   /* owned */
	uint32_t *buckets;     /* owned */
	struct sf_ilist lru;
	uint32_t free_head;    /* via hnext */
	uint64_t passed_packets, passed_bytes;
	uint64_t dropped_packets, dropped_bytes, evictions;
};

/**
 * sf_rl_configure() - apply config @cfg to the struct sf_rl @ctx
 * (sf_app_ops.configure and .reload) atomically (on error it is
 * unchanged). A new rate or burst applies to existing buckets (tokens
 * clipped to the new burst); a new max_sources starts an empty table.
 * Return: 0, -EINVAL (message in @err naming @path and the field),
 * -ENOMEM.
 */
int sf_rl_configure(void *ctx, const cJSON *cfg, const char *path,
		    char *err, size_t errlen);

/**
 * sf_rl_allow() - charge @bytes to the bucket of @family/@addr (4 or 16
 * bytes, network order) at @now_ns (monotonic ns, injected for tests;
 * must not go backwards). Return: true to pass, false to drop (counted).
 */
bool sf_rl_allow(struct sf_rl *rl, uint8_t family, const uint8_t *addr,
		 uint64_t bytes, uint64_t now_ns);

/** sf_rl_check() - sf_rl_allow() for a frame's inner source and length. */
enum sf_verdict sf_rl_check(struct sf_rl *rl, const struct sf_pkt *pkt,
			    uint64_t now_ns);

/** sf_rl_on_packet() - sf_pkt_fn: check at CLOCK_MONOTONIC. */
enum sf_verdict sf_rl_on_packet(void *ctx, const struct sf_pkt *pkt);

/** sf_rl_find() - the bucket of a source, or NULL. */
const struct sf_rl_src *sf_rl_find(const struct sf_rl *rl, uint8_t family,
				   const uint8_t *addr);

/** sf_rl_stats_json() - "ratelimit": config, totals, top droppers. */
void sf_rl_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_rl_free() - release the struct sf_rl @ctx, which becomes zeroed
 * (sf_app_ops.fini). */
void sf_rl_free(void *ctx);

#endif /* SF_RATELIMIT_H */
