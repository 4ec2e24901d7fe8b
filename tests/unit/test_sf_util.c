// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_util.c - crafted SF frames for unit tests. See test_sf_util.h.
 */
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <criterion/criterion.h>

#include "test_sf_util.h"

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t sum(uint32_t s, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += ld16(b + i);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)s;
}

static size_t l4_len(const struct tpkt *p)
{
	return p->f.len - p->l4_off;
}

static size_t csum_field(const struct tpkt *p)
{
	return p->proto == IPPROTO_TCP ? 16 : p->proto == IPPROTO_UDP ? 6 : 2;
}

/* Pseudo-header sum (RFC 793/768/8200), not folded. */
static uint32_t pseudo(const struct tpkt *p)
{
	const uint8_t *ip = p->buf + p->ip_off;
	size_t alen = p->family == 4 ? 4 : 16;
	size_t aoff = p->family == 4 ? 12 : 8;
	uint32_t s = 0;

	if (p->proto == IPPROTO_ICMP)
		return 0;
	s = sum(s, ip + aoff, 2 * alen);
	return s + p->proto + (uint32_t)l4_len(p);
}

static void set_l4_csum(struct tpkt *p)
{
	uint8_t *l4 = p->buf + p->l4_off;
	uint16_t c;

	st16(l4 + csum_field(p), 0);
	c = (uint16_t)~fold(sum(pseudo(p), l4, l4_len(p)));
	if (p->proto == IPPROTO_UDP && c == 0)
		c = 0xFFFF;
	st16(l4 + csum_field(p), c);
}

static size_t build_l4(struct tpkt *p, uint8_t *l4, uint16_t sport,
		       uint16_t dport, uint8_t flags)
{
	if (p->proto == IPPROTO_TCP) {
		st16(l4, sport);
		st16(l4 + 2, dport);
		l4[4] = 0x12; l4[7] = 0x34; /* seq */
		l4[12] = 5 << 4;
		l4[13] = flags;
		st16(l4 + 14, 65000);
		return 20;
	}
	if (p->proto == IPPROTO_UDP) {
		st16(l4, sport);
		st16(l4 + 2, dport);
		return 8;
	}
	l4[0] = (uint8_t)sport; /* ICMP type */
	st16(l4 + 4, dport);    /* echo id */
	st16(l4 + 6, 7);        /* seq */
	return 8;
}

void tpkt_build(struct tpkt *p, uint8_t proto, const char *src, uint16_t sport,
		const char *dst, uint16_t dport, uint8_t flags, size_t payload)
{
	struct sf_nsh_params np = { .spi = 7, .si = 200 };
	uint8_t *ip, *l4;
	size_t iphl, l4hl, i;
	int nsh;

	memset(p, 0, sizeof(*p));
	p->family = strchr(src, ':') ? 6 : 4;
	p->proto = proto;
	np.next_proto = p->family == 4 ? SFC_NSH_NP_IPV4 : SFC_NSH_NP_IPV6;
	p->buf[12] = 0x89;
	p->buf[13] = 0x4F;
	nsh = sf_nsh_build_sfc((struct sfc_nsh_hdr *)(p->buf + 14), &np, 1, 0);
	p->ip_off = 14 + (size_t)nsh;
	ip = p->buf + p->ip_off;
	iphl = p->family == 4 ? 20 : 40;
	p->l4_off = p->ip_off + iphl;
	l4 = p->buf + p->l4_off;
	l4hl = build_l4(p, l4, sport, dport, flags);
	for (i = 0; i < payload; i++)
		l4[l4hl + i] = (uint8_t)(i * 7 + 3);
	if (p->family == 4) {
		ip[0] = 0x45;
		st16(ip + 2, (uint16_t)(iphl + l4hl + payload));
		st16(ip + 4, 0x1234);
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = proto;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
		st16(ip + 10, (uint16_t)~fold(sum(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		st16(ip + 4, (uint16_t)(l4hl + payload));
		ip[6] = proto;
		ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
	}
	p->f.data = p->buf;
	p->f.len = p->f.wire_len = (uint32_t)(p->l4_off + l4hl + payload);
	p->f.vnet = &p->vnet;
	set_l4_csum(p);
}

void tpkt_make_partial(struct tpkt *p, uint16_t gso_size)
{
	uint8_t *l4 = p->buf + p->l4_off;

	st16(l4 + csum_field(p), fold(pseudo(p)));
	p->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p->vnet.csum_start = (uint16_t)p->l4_off;
	p->vnet.csum_offset = (uint16_t)csum_field(p);
	if (gso_size) {
		p->vnet.gso_type = p->family == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
						  : VIRTIO_NET_HDR_GSO_TCPV6;
		p->vnet.gso_size = gso_size;
		p->vnet.hdr_len = (uint16_t)(p->l4_off + 20);
	}
}

bool tpkt_ip_csum_ok(const struct tpkt *p)
{
	if (p->family == 6)
		return true;
	return fold(sum(0, p->buf + p->ip_off, 20)) == 0xFFFF;
}

bool tpkt_l4_csum_ok(const struct tpkt *p)
{
	uint8_t tmp[4096];
	const uint8_t *l4 = p->buf + p->l4_off;
	size_t n = l4_len(p);

	memcpy(tmp, l4, n);
	if (p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* What the NIC does: checksum from csum_start over the field
		 * as it is (the pseudo-header sum), complemented. */
		if (p->vnet.csum_start != p->l4_off)
			return false;
		st16(tmp + p->vnet.csum_offset,
		     (uint16_t)~fold(sum(0, tmp, n)));
	}
	if (p->proto == IPPROTO_UDP && ld16(tmp + 6) == 0)
		return false; /* our frames always carry one */
	return fold(sum(pseudo(p), tmp, n)) == 0xFFFF;
}

void tpkt_addrs(const struct tpkt *p, char *src, char *dst)
{
	const uint8_t *ip = p->buf + p->ip_off;
	int af = p->family == 4 ? AF_INET : AF_INET6;

	inet_ntop(af, ip + (p->family == 4 ? 12 : 8), src, 46);
	inet_ntop(af, ip + (p->family == 4 ? 16 : 24), dst, 46);
}

uint16_t tpkt_sport(const struct tpkt *p)
{
	const uint8_t *l4 = p->buf + p->l4_off;

	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ?
		       ld16(l4) : ld16(l4 + 4);
}

uint16_t tpkt_dport(const struct tpkt *p)
{
	const uint8_t *l4 = p->buf + p->l4_off;

	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ?
		       ld16(l4 + 2) : ld16(l4 + 4);
}

enum sf_verdict tpkt_run(struct tpkt *p, struct sf_counters *c, sf_pkt_fn fn,
			 void *ctx)
{
	uint8_t si = p->buf[14 + 7];
	enum sf_verdict v = sf_frame_process(c, &p->f, fn, ctx);

	p->buf[14 + 7] = si;
	return v;
}

void tpkt_flow(struct tpkt *p, uint32_t flow_id, bool reply)
{
	const size_t ep = 14 + offsetof(struct sfc_nsh_hdr, ep);
	uint32_t id = htonl(flow_id);

	/* Byte copies: the NSH sits at an odd offset of the frame. */
	memcpy(p->buf + ep + offsetof(struct sfc_tlv_endpoint, flow_id), &id,
	       sizeof(id));
	p->buf[ep + offsetof(struct sfc_tlv_endpoint, flags)] =
		reply ? SFC_TLV_F_REPLY : 0;
	p->f.headroom = sizeof(p->room);
}

enum sf_verdict tpkt_run_ctrl(const struct tpkt *p, struct sf_counters *c,
			      sf_pkt_fn fn, void *ctx, uint8_t *action,
			      uint8_t *flags)
{
	static struct tpkt t;
	enum sf_verdict v;
	const uint8_t *tlv;

	t = *p;
	t.f.data = t.buf;
	t.f.vnet = &t.vnet;
	v = sf_frame_process(c, &t.f, fn, ctx);
	tlv = t.f.data + 14 + SFC_NSH_LEN;
	if (action)
		*action = 0;
	if (flags)
		*flags = 0;
	if ((t.f.data[15] & 0x3F) != SFC_NSH_CTRL_LEN_WORDS)
		return v;
	cr_assert_eq(tlv[2], SFC_TLV_CTRL, "a control TLV");
	if (action)
		*action = tlv[5];
	if (flags)
		*flags = tlv[6];
	return v;
}

void tpkt_reply(const struct tpkt *in, struct tpkt *out, uint8_t flags)
{
	char s[46], d[46];
	bool icmp = in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6;
	uint8_t type = in->proto == IPPROTO_ICMP ? 0 : 129;

	tpkt_addrs(in, s, d);
	if (icmp)
		tpkt_build(out, in->proto, d, type, s, tpkt_sport(in), 0, 16);
	else
		tpkt_build(out, in->proto, d, tpkt_dport(in), s,
			   tpkt_sport(in), flags, 16);
}

int tsf_run_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Not the parent-death signal: it does not survive the
		 * sandbox's id change. */
		alarm(10);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

int tsf_netns_lo(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!ret)
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return ret;
}
