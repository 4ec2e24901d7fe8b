/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l4.h - transport-layer helpers for SFs that look deeper than the
 * 5-tuple or rewrite headers: ones' complement checksums (RFC 1071) with
 * incremental updates (RFC 1624), aware of CHECKSUM_PARTIAL frames, and
 * ICMP/ICMPv6 echo identifiers. Pure functions over byte buffers.
 *
 * Checksum fields are big-endian 16-bit values in the packet. A frame
 * received with VIRTIO_NET_HDR_F_NEEDS_CSUM (the kernel's
 * CHECKSUM_PARTIAL) carries in its TCP/UDP checksum field only the folded,
 * NOT complemented, sum of the pseudo header; the NIC (or the kernel) adds
 * the transport header and payload and complements the result when the
 * packet leaves. Such a field changes only with pseudo-header fields
 * (addresses, length), never with ports: those are summed later.
 */
#ifndef SF_L4_H
#define SF_L4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inner.h"

struct virtio_net_hdr;

/** sf_csum_add() - add @len bytes at @p as big-endian 16-bit words to
 * @sum (an odd trailing byte is padded with zero). Return: the 32-bit sum,
 * not folded. RFC 1071. */
uint32_t sf_csum_add(uint32_t sum, const void *p, size_t len);

/** sf_csum_fold() - fold a 32-bit sum to 16 bits (end-around carry), not
 * complemented. */
uint16_t sf_csum_fold(uint32_t sum);

/**
 * sf_ip4_csum_set() - recompute the IPv4 header checksum of @ip in place
 * (header of @ihl bytes, 20..60), from scratch.
 */
void sf_ip4_csum_set(uint8_t *ip, size_t ihl);

/**
 * sf_csum_replace() - update the checksum field at @field after @n bytes
 * (@n even, the data 16-bit aligned relative to the checksummed area)
 * changed from @from to @to. RFC 1624 equation 3: HC' = ~(~HC + ~m + m').
 * @partial: the field holds an uncomplemented partial sum (CHECKSUM_PARTIAL
 * pseudo-header sum): then HC' = HC + ~m + m'. Callers pass partial only
 * for data that is part of that sum (pseudo-header addresses).
 */
void sf_csum_replace(uint8_t *field, const uint8_t *from, const uint8_t *to,
		     size_t n, bool partial);

enum sf_icmp_echo {
	SF_ICMP_NOT_ECHO = 0,
	SF_ICMP_ECHO_REQUEST = 1,
	SF_ICMP_ECHO_REPLY = 2,
};

/**
 * sf_icmp_echo() - classify an ICMP (type 8/0) or ICMPv6 (128/129) echo.
 * @ip: the inner IP header; @in: its parse (sf_inner_parse()).
 * @id: receives the echo identifier (host order) for an echo.
 * Return: an enum sf_icmp_echo; -EMSGSIZE when the echo header (8 bytes)
 * is truncated; SF_ICMP_NOT_ECHO for other protocols and fragments.
 */
int sf_icmp_echo(const uint8_t *ip, const struct sf_inner *in, uint16_t *id);

/**
 * sf_l4_csum_partial() - does @vnet say the transport checksum of the
 * packet (transport header at frame offset @l4_frame_off) is left to the
 * NIC? Return: 1 yes (NEEDS_CSUM with csum_start at @l4_frame_off), 0 no
 * (full checksum in the packet, or no @vnet), -EINVAL when NEEDS_CSUM
 * points elsewhere (an offload this code does not understand).
 */
int sf_l4_csum_partial(const struct virtio_net_hdr *vnet, size_t l4_frame_off);

/** sf_tcp_flags() - the TCP flags byte of a parsed TCP packet, or 0. */
uint8_t sf_tcp_flags(const uint8_t *ip, const struct sf_inner *in);

#define SF_TCP_FIN 0x01
#define SF_TCP_SYN 0x02
#define SF_TCP_RST 0x04
#define SF_TCP_ACK 0x10

#endif /* SF_L4_H */
