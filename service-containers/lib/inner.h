/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inner.h - bounds-checked parsing of the inner IPv4/IPv6 packet that
 * follows the NSH header: the 5-tuple SFs match and count on.
 */
#ifndef SF_INNER_H
#define SF_INNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Directed 5-tuple. Addresses in network order; IPv4 uses the first 4
 * bytes and leaves the rest zero, so tuples can be hashed and compared
 * with memcmp. Ports in host order; 0 for protocols without ports and for
 * non-first fragments. */
struct sf_tuple {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t family;  /* 4 or 6 */
	uint8_t proto;   /* IPPROTO_* of the transport (after IPv6 ext hdrs) */
	uint8_t pad[2];  /* zero */
};

struct sf_inner {
	struct sf_tuple t;
	uint32_t l3_len;   /* IP packet length from its header, bytes */
	uint16_t l4_off;   /* offset of the transport header, bytes */
	bool frag;         /* non-first fragment: no transport header */
};

/**
 * sf_inner_parse() - parse an IPv4 or IPv6 packet.
 * @pkt: first byte of the IP header; @len: bytes available (may exceed the
 * IP length: trailing padding is ignored).
 * @next_proto: the NSH Next Protocol (SFC_NSH_NP_IPV4/IPV6); the IP version
 * nibble must agree with it.
 * @out: zeroed then filled on success.
 *
 * IPv6 extension headers (hop-by-hop, routing, fragment, destination
 * options, AH) are skipped, at most 8 of them. TCP needs its 20-byte header
 * and UDP its 8 bytes; ICMP/ICMPv6 need 4 bytes (type, code, checksum).
 *
 * Return: 0; -EINVAL on NULL; -EPROTONOSUPPORT if @next_proto is not IPv4
 * or IPv6; -EPROTO on a version mismatch or bad IHL; -EMSGSIZE if the
 * packet is shorter than its headers or its declared length; -EBADMSG on
 * too many or malformed IPv6 extension headers or an IPv6 jumbogram.
 */
int sf_inner_parse(const void *pkt, size_t len, uint8_t next_proto,
		   struct sf_inner *out);

/**
 * sf_tuple_format() - "proto src:sport > dst:dport" into @buf (@cap bytes,
 * always NUL-terminated). Pure (inet_ntop only). Return: snprintf result.
 */
int sf_tuple_format(const struct sf_tuple *t, char *buf, size_t cap);

/** sf_proto_name() - "tcp", "udp", "icmp", "icmpv6" or the decimal number
 * in @tmp (at least 4 bytes). */
const char *sf_proto_name(uint8_t proto, char *tmp);

#endif /* SF_INNER_H */
