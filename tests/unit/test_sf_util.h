/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_sf_util.h - crafted SF frames for the unit tests of the SFs:
 * Ethernet | NSH (the SFF's header) | IPv4/IPv6 | TCP/UDP/ICMP | payload,
 * with full or CHECKSUM_PARTIAL (pseudo-header only) checksums, and
 * independent checksum verification (not the library's helpers).
 */
#ifndef TEST_SF_UTIL_H
#define TEST_SF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct tpkt {
	uint8_t room[SF_PKTIO_HEADROOM]; /* headroom, right before buf */
	uint8_t buf[4096];
	struct virtio_net_hdr vnet;
	struct sf_frame f;
	size_t ip_off, l4_off; /* from buf */
	uint8_t proto, family;
};

/*
 * tpkt_build() - a frame from @src:@sport to @dst:@dport (family from the
 * address syntax). ICMP/ICMPv6: @sport is the type (8/0, 128/129) and
 * @dport the echo id. @flags: TCP flags. @payload bytes of pattern.
 * Checksums are full and valid.
 */
void tpkt_build(struct tpkt *p, uint8_t proto, const char *src, uint16_t sport,
		const char *dst, uint16_t dport, uint8_t flags, size_t payload);

/* Turn the L4 checksum into CHECKSUM_PARTIAL form (pseudo-header sum,
 * vnet NEEDS_CSUM) and, with @gso_size, mark it a TCP GSO frame. */
void tpkt_make_partial(struct tpkt *p, uint16_t gso_size);

/* Valid IPv4 header checksum (true for IPv6). */
bool tpkt_ip_csum_ok(const struct tpkt *p);

/* The L4 checksum verifies; a partial frame is first completed the way
 * the NIC would (sum from csum_start, store at csum_offset). */
bool tpkt_l4_csum_ok(const struct tpkt *p);

/* Inner field accessors. */
void tpkt_addrs(const struct tpkt *p, char *src, char *dst); /* 46 B each */
uint16_t tpkt_sport(const struct tpkt *p); /* ICMP: the echo id */
uint16_t tpkt_dport(const struct tpkt *p); /* ICMP: the echo id */

/* Run the shared frame step with @fn. Restores SI afterwards so the same
 * frame can be fed again. */
enum sf_verdict tpkt_run(struct tpkt *p, struct sf_counters *c, sf_pkt_fn fn,
			 void *ctx);

/* Give @p the flow id @flow_id (endpoint TLV; @reply sets its REPLY flag)
 * and SF_PKTIO_HEADROOM bytes of headroom, as a frame from the SFF has:
 * flow programming requests can then go back with it. */
void tpkt_flow(struct tpkt *p, uint32_t flow_id, bool reply);

/*
 * tpkt_run_ctrl() - the frame step with @fn on a copy of @p (which stays
 * as it is, SI included). *@action and *@flags: the control TLV the frame
 * went back with (0: none); either may be NULL.
 */
enum sf_verdict tpkt_run_ctrl(const struct tpkt *p, struct sf_counters *c,
			      sf_pkt_fn fn, void *ctx, uint8_t *action,
			      uint8_t *flags);

/* A reply: swap addresses and ports of @in into @out (ICMP: echo reply). */
void tpkt_reply(const struct tpkt *in, struct tpkt *out, uint8_t flags);

/*
 * tsf_run_child() - run @fn in a forked child (for the sandbox, which is
 * irreversible) and return its wait status. The child exits with _exit
 * (no atexit handlers, e.g. LSan's, under seccomp) and is ended by
 * SIGALRM after 10 s should a regression make it block.
 */
int tsf_run_child(int (*fn)(void));

/*
 * tsf_netns_lo() - move the calling process into a new network namespace
 * and bring its lo up (a fresh netns has it down). For forked children.
 * Return: 0, -1 on failure (errno set).
 */
int tsf_netns_lo(void);

#endif /* TEST_SF_UTIL_H */
