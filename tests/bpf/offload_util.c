// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * offload_util.c - fixtures of the stateful offload tests. See
 * offload_util.h.
 */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "offload_util.h"

static const uint8_t PAYLOAD[16] = "offload payload";

void ol_chain(uint8_t policy)
{
	static const struct sfc_rule all = { .spi = SPI };
	uint32_t spi = SPI, rspi = OL_RSPI;

	bpft_policy(VPID_A, SFC_DIR_EGRESS, &all, 1);
	bpft_hop(SPI, 255, SFC_HOP_SF, VPID_SF1, 0, policy);
	bpft_hop(SPI, 254, SFC_HOP_END, 0, 0, policy);
	bpft_hop(OL_RSPI, 255, SFC_HOP_SF, VPID_SF1, 0, policy);
	bpft_hop(OL_RSPI, 254, SFC_HOP_END, 0, 0, policy);
	bpft_path_gen(SPI, OL_GEN);
	bpft_path_gen(OL_RSPI, OL_GEN);
	cr_assert_eq(bpf_map_update_elem(T.dp.rev_spi_fd, &spi, &rspi, BPF_ANY), 0);
}

void ol_chain_delete(void)
{
	struct sfc_policy_key key = { .vpid = VPID_A, .dir = SFC_DIR_EGRESS };
	uint32_t spi = SPI, sps[] = { SFC_SP(SPI, 255), SFC_SP(SPI, 254),
				      SFC_SP(OL_RSPI, 255), SFC_SP(OL_RSPI, 254) };

	cr_assert_eq(bpf_map_delete_elem(T.dp.policy_fd, &key), 0);
	for (size_t i = 0; i < sizeof(sps) / sizeof(sps[0]); i++)
		cr_assert_eq(bpf_map_delete_elem(T.dp.paths_fd, &sps[i]), 0);
	cr_assert_eq(bpf_map_delete_elem(T.dp.rev_spi_fd, &spi), 0);
}

static uint32_t sum16(const uint8_t *b, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/* The L4 checksum of the IPv4 packet at @ip computed over its L4 bytes
 * (and the pseudo header for TCP/UDP) with the field as it is: 0 when
 * the field is right. */
static uint16_t l4_verify(const uint8_t *ip)
{
	size_t tot = (size_t)(ip[2] << 8 | ip[3]), l4len = tot - 20;
	uint32_t sum = 0;

	if (ip[9] != OL_ICMP) {
		sum = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;
	}
	sum = sum16(ip + 20, l4len, sum);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t csum_at(uint8_t proto)
{
	return proto == OL_TCP ? 16 : proto == OL_UDP ? 6 : 2;
}

uint16_t ol_l4_csum(const uint8_t *ip)
{
	const uint8_t *c = ip + 20 + csum_at(ip[9]);

	return (uint16_t)(c[0] << 8 | c[1]);
}

void ol_fix_l4(uint8_t *ip)
{
	uint8_t *c = ip + 20 + csum_at(ip[9]);
	uint16_t v;

	if (ip[9] == OL_UDP && !c[0] && !c[1])
		return;
	c[0] = c[1] = 0;
	v = l4_verify(ip);
	if (ip[9] == OL_UDP && !v)
		v = 0xFFFF;
	c[0] = v >> 8;
	c[1] = v & 0xFF;
}

static void fix_ip(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = ip_csum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xFF;
}

void ol_build(struct pkt *p, uint32_t from, uint8_t proto, bool udp_csum)
{
	bool a = from == VPID_A;
	uint16_t sport = a ? 40000 : 80, dport = a ? 80 : OL_NAT_PORT;
	uint8_t *ip, icmp[8] = { a ? 8 : 0, 0, 0, 0, 0, 0, 0, 1 };
	uint16_t id = a ? 40000 : OL_NAT_PORT;

	p->len = 0;
	pkt_eth(p, MAC_GW, bpft_ep(from)->mac, 0x0800);
	ip = p->b + p->len;
	if (proto == OL_TCP) {
		pkt_ipv4(p, a ? "10.0.0.10" : "10.0.0.11",
			 a ? "10.0.0.11" : OL_NAT_IP, proto, 64, 20 + 16);
		pkt_tcp(p, sport, dport);
		p->b[14 + 20 + 13] = 0x10;
	} else if (proto == OL_UDP) {
		pkt_ipv4(p, a ? "10.0.0.10" : "10.0.0.11",
			 a ? "10.0.0.11" : OL_NAT_IP, proto, 64, 8 + 16);
		pkt_udp(p, sport, dport, 16);
	} else {
		pkt_ipv4(p, a ? "10.0.0.10" : "10.0.0.11",
			 a ? "10.0.0.11" : OL_NAT_IP, proto, 64, 8 + 16);
		icmp[4] = id >> 8;
		icmp[5] = id & 0xFF;
		pkt_bytes(p, icmp, sizeof(icmp));
	}
	pkt_bytes(p, PAYLOAD, sizeof(PAYLOAD));
	if (proto == OL_UDP) {
		ip[20 + 6] = ip[20 + 7] = 0;
		if (udp_csum)
			ip[20 + 6] = 1; /* not 0: ol_fix_l4 computes it */
	}
	ol_fix_l4(ip);
}

static void from(uint32_t vpid, struct run_out *out, uint8_t proto,
		 bool udp_csum)
{
	struct pkt in;

	ol_build(&in, vpid, proto, udp_csum);
	bpft_map_lo(vpid);
	bpft_run(T.from_pod_fd, &in, 0, out);
}

void ol_from_a(struct run_out *out, uint8_t proto, bool udp_csum)
{
	from(VPID_A, out, proto, udp_csum);
}

void ol_from_b(struct run_out *out, uint8_t proto, bool udp_csum)
{
	from(VPID_B, out, proto, udp_csum);
}

void ol_assert_ip(const uint8_t *ip, const char *src, uint16_t sport,
		  const char *dst, uint16_t dport, uint8_t proto)
{
	uint8_t s[4], d[4];
	const uint8_t *l4 = ip + 20;

	inet_pton(AF_INET, src, s);
	inet_pton(AF_INET, dst, d);
	cr_assert_eq(ip[9], proto);
	cr_assert_arr_eq(ip + 12, s, 4, "source %s", src);
	cr_assert_arr_eq(ip + 16, d, 4, "destination %s", dst);
	if (proto == OL_ICMP) {
		cr_assert_eq(l4[4] << 8 | l4[5], sport, "echo id");
	} else {
		cr_assert_eq(l4[0] << 8 | l4[1], sport, "source port");
		cr_assert_eq(l4[2] << 8 | l4[3], dport, "destination port");
	}
	cr_assert_eq(ip_csum(ip, 20), 0, "IPv4 header checksum");
	if (proto == OL_UDP && !ol_l4_csum(ip))
		return;
	cr_assert_eq(l4_verify(ip), 0, "L4 checksum (field %04x)",
		     ol_l4_csum(ip));
}

void ol_nat_tlv(struct pkt *p, uint32_t class_type_len, uint8_t version,
		uint8_t proto, uint8_t flags, uint8_t idle, uint32_t flow_id,
		uint32_t epoch)
{
	const uint32_t at = 14 + 20;
	uint8_t tlv[28] = { 0 };
	uint32_t v;
	uint16_t port;

	cr_assert(p->len + sizeof(tlv) <= sizeof(p->b) && p->len >= at);
	v = htonl(class_type_len);
	memcpy(tlv, &v, 4);
	tlv[4] = version;
	tlv[5] = proto;
	tlv[6] = flags;
	tlv[7] = idle;
	v = htonl(flow_id);
	memcpy(tlv + 8, &v, 4);
	v = htonl(epoch);
	memcpy(tlv + 12, &v, 4);
	inet_pton(AF_INET, "10.0.0.10", tlv + 16);
	inet_pton(AF_INET, OL_NAT_IP, tlv + 20);
	port = htons(40000);
	memcpy(tlv + 24, &port, 2);
	port = htons(OL_NAT_PORT);
	memcpy(tlv + 26, &port, 2);
	memmove(p->b + at + sizeof(tlv), p->b + at, p->len - at);
	memcpy(p->b + at, tlv, sizeof(tlv));
	p->len += sizeof(tlv);
	p->b[15] = (p->b[15] & 0xC0) | 12; /* NSH Length: 12 words */
}

void ol_sf_translate(struct pkt *p, uint8_t proto, uint32_t epoch,
		     uint8_t idle, uint32_t flow_id)
{
	uint8_t *ip = p->b + 14 + 20, *l4 = ip + 20;
	size_t port_at = proto == OL_ICMP ? 4 : 0;

	inet_pton(AF_INET, OL_NAT_IP, ip + 12);
	l4[port_at] = OL_NAT_PORT >> 8;
	l4[port_at + 1] = OL_NAT_PORT & 0xFF;
	fix_ip(ip);
	ol_fix_l4(ip);
	ol_nat_tlv(p, OL_NAT_TLV_HDR, SFC_CTRL_VERSION, proto, 0, idle,
		   flow_id, epoch);
}

void ol_strip_pass(const struct run_out *first, struct run_out *out)
{
	struct pkt p;

	memcpy(p.b, first->data, first->len);
	p.len = first->len;
	bpft_run(T.from_sf_fd, &p, SFC_MARK_CTRL, out);
}

void ol_echo(uint32_t vpid, uint32_t epoch, struct run_out *out)
{
	struct pkt p = { .len = 0 };

	pkt_eth(&p, bpft_ep(vpid)->host_mac, bpft_ep(vpid)->mac, SFC_ETH_P_NSH);
	pkt_nsh(&p, nsh_word(63, SFC_NSH_NP_OAM) | SFC_NSH_O_BIT,
		SFC_SP(0, 255), NSH_TLV, NSH_EP(vpid, 0), epoch);
	bpft_map_lo(vpid);
	bpft_run(T.from_sf_fd, &p, 0, out);
}
