/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * offload_util.h - fixtures of the stateful offload tests
 * (test_offload*.c): a one-SF chain whose SF (SF1) is a source NAT,
 * packets of A's flow and B's replies with valid checksums, what the NAT
 * SF returns (translated, checksums recomputed, SFC_TLV_NAT appended),
 * and checks that recompute every checksum from scratch.
 */
#ifndef SFC_OFFLOAD_UTIL_H
#define SFC_OFFLOAD_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "bpft.h"

#define OL_TCP 6
#define OL_UDP 17
#define OL_ICMP 1
#define OL_RSPI (SPI + 1)
#define OL_GEN 0x4242u
#define OL_EPOCH 0x0E0C0001u
#define OL_NAT_IP "10.250.0.1"
#define OL_NAT_PORT 20000

/* A -> SPI (SI 255 SF1, 254 END) for every protocol, reverse OL_RSPI
 * (255 SF1, 254 END), version OL_GEN, failure @policy. */
void ol_chain(uint8_t policy);
/* The chain gone: A's policy, both SFPs and the reverse SPI. */
void ol_chain_delete(void);
/* A's packet (10.0.0.10:40000 -> 10.0.0.11:80, ICMP echo request id
 * 40000) or B's reply (10.0.0.11:80 -> 10.250.0.1:20000, echo reply id
 * 20000), TCP ACK / UDP / ICMP with 16 payload bytes and a valid L4
 * checksum (UDP: 0 unless @udp_csum). */
void ol_build(struct pkt *p, uint32_t from, uint8_t proto, bool udp_csum);
void ol_from_a(struct run_out *out, uint8_t proto, bool udp_csum);
void ol_from_b(struct run_out *out, uint8_t proto, bool udp_csum);
/* Set the L4 checksum of the IPv4 packet at @ip (UDP: only if not 0). */
void ol_fix_l4(uint8_t *ip);
/* The L4 checksum field of the IPv4 packet at @ip, as stored. */
uint16_t ol_l4_csum(const uint8_t *ip);
/* Assert the IPv4 packet at @ip: addresses, ports (ICMP: the echo id in
 * @sport), protocol, and both checksums recomputed (UDP 0: none). */
void ol_assert_ip(const uint8_t *ip, const char *src, uint16_t sport,
		  const char *dst, uint16_t dport, uint8_t proto);
/* What the NAT SF returns for SF frame @p (20-byte NSH): the source
 * translated to OL_NAT_IP:OL_NAT_PORT, checksums recomputed, and the
 * translation TLV (@epoch, @idle units, @flow_id) appended. */
void ol_sf_translate(struct pkt *p, uint8_t proto, uint32_t epoch,
		     uint8_t idle, uint32_t flow_id);
/* Append a translation TLV with these fields to SF frame @p (Length 12):
 * 10.0.0.10:40000 -> OL_NAT_IP:OL_NAT_PORT. */
void ol_nat_tlv(struct pkt *p, uint32_t class_type_len, uint8_t version,
		uint8_t proto, uint8_t flags, uint8_t idle, uint32_t flow_id,
		uint32_t epoch);
#define OL_NAT_TLV_HDR ((0xFFF6u << 16) | (0x04u << 8) | 24u)
/* The SFF's second pass on what its first pass re-injected. */
void ol_strip_pass(const struct run_out *first, struct run_out *out);
/* SF @vpid echoes an OAM probe announcing @epoch. */
void ol_echo(uint32_t vpid, uint32_t epoch, struct run_out *out);

#endif /* SFC_OFFLOAD_UTIL_H */
