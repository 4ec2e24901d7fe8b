/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpft.h - fixtures for the BPF program tests: a private pin dir per test
 * process, a small topology of endpoints, packet builders, and a
 * BPF_PROG_TEST_RUN wrapper. Packets enter on ifindex 1 (lo), which the
 * test maps to the endpoint it plays; redirects are not executed by
 * test_run, so tests assert the verdict and the rewritten bytes.
 */
#ifndef SFC_BPFT_H
#define SFC_BPFT_H

#include <stddef.h>
#include <stdint.h>
#include "sfc_dp.h"

/* uapi verdicts as the tc hook sees them (tcx: -1 = TCX_NEXT). */
#define V_NEXT (-1)
#define V_SHOT 2
#define V_REDIRECT 7

/* Topology: two app pods and two SF instances. */
#define VPID_A 10
#define VPID_B 11
#define VPID_SF1 20
#define VPID_SF2 21
#define VPID_SF3 22 /* second instance of SF1's type */
#define VPID_SF4 23 /* third instance */
#define VPID_UN 24  /* SFC-unaware SF */
#define GROUP_FW 100 /* group of SF1, SF3, SF4 */
#define SPI 0x123

struct bpft {
	char pin_dir[64];
	struct sfc_dp dp;
	int from_pod_fd;
	int from_sf_fd;
};
extern struct bpft T;

/* Criterion .init / .fini: pin dir /sys/fs/bpf/sfct-<pid>, loaded with
 * sfc_dp_init(), topology written; removed whole at the end. */
void bpft_setup(void);
void bpft_teardown(void);

/* Endpoint fixtures. */
const struct sfc_endpoint *bpft_ep(uint32_t vpid);
void bpft_map_lo(uint32_t vpid); /* packets on ifindex 1 come from @vpid */
/* Hop (@spi, @si) -> group @group. For convenience an SF hop whose group
 * id is an SF's VPID gets a one-member group of that SF. */
void bpft_hop(uint32_t spi, uint32_t si, uint8_t kind, uint32_t group,
	      uint8_t flags, uint8_t policy);
/* sfc_groups[@group] = @n members @vpids (member flags @flags, or 0). */
void bpft_group(uint32_t group, const uint32_t *vpids, const uint8_t *flags,
		int n);
void bpft_sf_down(uint32_t vpid, int down); /* sfc_sf_state */
struct sfc_sf_stats bpft_sf_stats(uint32_t vpid);
/* sfc_flows[@id]; fails the test if absent. */
struct sfc_flow bpft_flow(uint32_t id);
void bpft_policy(uint32_t vpid, uint32_t dir, const struct sfc_rule *rules,
		 int n);
uint64_t bpft_drops(int reason); /* drop counter, reason < 0 */
uint64_t bpft_drops_total(void);
struct sfc_hop_stats bpft_stats(uint32_t spi, uint32_t si);

/* Packet builder: append headers to pkt.b. */
struct pkt {
	uint8_t b[512];
	uint32_t len;
};
void pkt_eth(struct pkt *p, const uint8_t *dst, const uint8_t *src,
	     uint16_t type);
void pkt_nsh(struct pkt *p, uint32_t word, uint32_t sp, uint32_t tlv,
	     uint32_t ep, uint32_t flow_id);
/* IPv4 header (no options) with valid checksum; total length covers
 * @l4_len more bytes the caller appends. */
void pkt_ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto,
	      uint8_t ttl, uint16_t l4_len);
void pkt_ipv6(struct pkt *p, const char *src, const char *dst, uint8_t proto,
	      uint8_t hlim, uint16_t l4_len);
void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport);
void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t plen);
void pkt_bytes(struct pkt *p, const void *b, uint32_t n);
/* Standard test packets: A (10.0.0.10) -> @dst, TCP 40000 -> @dport. */
void pkt_tcp4(struct pkt *p, const char *dst, uint16_t dport, uint8_t ttl);
void pkt_udp6(struct pkt *p, const char *dst, uint16_t dport, uint8_t hlim);
uint16_t ip_csum(const void *hdr, size_t len);

/* NSH words as sfc writes them. */
uint32_t nsh_word(uint32_t ttl, uint32_t np);
#define NSH_TLV ((0xFFF6u << 16) | (0x01u << 8) | 8u)
#define NSH_EP(vpid, dir) (((uint32_t)(vpid) << 16) | ((uint32_t)(dir) << 8))
/* Flow id in an NSH frame (Ethernet + NSH) as test_run returned it. */
uint32_t nsh_flow_id(const uint8_t *frame);

struct run_out {
	uint8_t data[600];
	uint32_t len;
	int retval;
	uint32_t mark;
};
/* Run @prog_fd on @p as if received on ifindex 1 with @mark. */
void bpft_run(int prog_fd, const struct pkt *p, uint32_t mark,
	      struct run_out *out);
/* Same, returning test_run's -errno instead of failing the test. */
int bpft_try_run(int prog_fd, const struct pkt *p, uint32_t mark,
		 struct run_out *out);
/* bpft_try_run() with GSO metadata: skb gso_size @gso_size (0 = not GSO). */
int bpft_try_run_gso(int prog_fd, const struct pkt *p, uint32_t gso_size,
		     struct run_out *out);

extern const uint8_t MAC_GW[6];  /* sender's dst MAC: the gateway */

/* Flow programming (test_flowprog*.c). */
/* sfc_hop.gen = @gen on every hop of SFP @spi (SI 255 down to 240). */
void bpft_path_gen(uint32_t spi, uint32_t gen);
uint64_t bpft_ctrl_stat(int stat); /* sfc_ctrl_stats[stat], summed */
/* What SF @vpid sends back for @out (what it got): SI - 1, MACs swapped;
 * ifindex 1 now plays @vpid. */
void bpft_sf_back(struct pkt *p, const struct run_out *out, uint32_t vpid);
/* What SF @vpid returns on its own: NSH (@word, SPI/@si, endpoint TLV of
 * A, flow id @flow_id) around A's TCP packet to 10.0.0.11:80. */
void bpft_pkt_from_sf(struct pkt *p, uint32_t vpid, uint32_t word,
		      uint32_t si, uint32_t flow_id);
/* Append a control TLV to the NSH of SF frame @p (Length 5 -> 8). */
void pkt_ctrl_tlv(struct pkt *p, uint8_t version, uint8_t action,
		  uint8_t flags, uint32_t flow_id);
#define NSH_CTRL_TLV ((0xFFF6u << 16) | (0x02u << 8) | 8u)

#endif /* SFC_BPFT_H */
