/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfc_flowrec.h - the flow record sf-monitor writes and `sfcctl flows` reads:
 * one JSON object per line (JSON lines), both sides of the format here.
 *
 *   {"proto":"tcp","src":"10.0.0.1","sport":40000,"dst":"10.0.0.2",
 *    "dport":80,"packets":12,"bytes":9000,"first_ms":1700000000000,
 *    "last_ms":1700000000250,"tcp_flags":"SYN|ACK|PSH|FIN","end":"fin"}
 *
 * Counts are cumulative since first_ms (Unix ms). A long flow is written
 * again ("end":"active") every export interval, so the record of a flow
 * instance - (proto, src, sport, dst, dport, first_ms) - with the largest
 * last_ms/packets is its latest state; readers keep only that one.
 * "end": fin, rst, idle, active, evicted (table full) or exit (SF stop).
 */
#ifndef SFC_FLOWREC_H
#define SFC_FLOWREC_H

#include <stddef.h>
#include <stdint.h>

#define SFC_FLOWREC_LINE_MAX 512
/* The writer rotates PATH to PATH.1 .. PATH.N, N at most this; readers
 * look at PATH and all of them. */
#define SFC_FLOWREC_MAX_ROTATED 100

struct sfc_flowrec {
	char proto[8];        /* "tcp", "udp", "icmp", "icmpv6" or a number */
	char src[46], dst[46];
	uint16_t sport, dport;
	uint64_t packets, bytes;
	uint64_t first_ms, last_ms;
	char tcp_flags[40];   /* "SYN|ACK|FIN", "" if none / not TCP */
	char end[12];
};

/**
 * sfc_flowrec_format() - render @r as one JSON line (with '\n') in @buf.
 * Return: the length, or -ENOSPC if @cap is too small.
 */
int sfc_flowrec_format(const struct sfc_flowrec *r, char *buf, size_t cap);

/**
 * sfc_flowrec_parse() - parse one line (trailing newline allowed).
 * Return: 0; -EINVAL if it is not a JSON object with every field of the
 * right type (numbers non-negative integers, ports <= 65535).
 */
int sfc_flowrec_parse(const char *line, struct sfc_flowrec *out);

/** sfc_tcp_flags_str() - "SYN|ACK" of the TCP flags byte into @buf. */
void sfc_tcp_flags_str(uint8_t flags, char *buf, size_t cap);

struct sfc_flowrec_set {
	struct sfc_flowrec *r; /* owned */
	size_t n, cap;
	size_t bad_lines;     /* lines that did not parse: skipped */
	unsigned int files;   /* files read */
};

/**
 * sfc_flowrec_load() - read @path and its rotations @path.1 ..
 * @path.@max_rotated (missing ones skipped) into @set (zeroed first),
 * keep the latest record of each flow instance, and sort by bytes, then
 * packets, descending.
 * Return: 0; -ENOENT if no file exists; -ENOMEM; -errno of reading.
 */
int sfc_flowrec_load(const char *path, unsigned int max_rotated,
		    struct sfc_flowrec_set *set);

/**
 * sfc_flowrec_merge() - keep the latest record of each flow instance in
 * @set and sort it by bytes descending (sfc_flowrec_load() calls it).
 */
void sfc_flowrec_merge(struct sfc_flowrec_set *set);

/** sfc_flowrec_add() - append a copy of @r. Return: 0 or -ENOMEM. */
int sfc_flowrec_add(struct sfc_flowrec_set *set, const struct sfc_flowrec *r);

/** sfc_flowrec_free() - free the records. */
void sfc_flowrec_free(struct sfc_flowrec_set *set);

#endif /* SFC_FLOWREC_H */
