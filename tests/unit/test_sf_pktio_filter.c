// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_pktio_filter.c - the SF's packet socket takes only NSH frames:
 * a forked child in its own network namespace opens pktio on "lo" there
 * and sends, from a second packet socket, the link noise an SF's
 * interface sees (an IPv6 router solicitation, an ARP request), an NSH
 * frame behind an 802.1Q tag (lo's receive path moves the tag out of the
 * data, as a NIC's VLAN offload would), then one plain NSH frame. The loop must hand over the NSH frame and nothing else, in each
 * receive mode. Needs root (unshare, packet socket); skips otherwise.
 */
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "pktio.h"
#include "sfc_common.h"
#include "test_sf_util.h"

struct filt {
	struct sf_pktio io;
	volatile sig_atomic_t stop;
	int tx_fd;                   /* the "host side": a second socket */
	unsigned int ticks, got, nsh, other;
	bool sent;
};

static enum sf_pktio_mode t_mode;

/* Ethernet header: broadcast from 02:00:00:00:00:01, @proto. */
static size_t eth(uint8_t *b, uint16_t proto)
{
	memset(b, 0xFF, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x01", 6);
	b[12] = proto >> 8;
	b[13] = proto & 0xFF;
	return 14;
}

/* ICMPv6 router solicitation, fe80::1 -> ff02::2 (RFC 4861 section
 * 4.1): what the node sends on every SF host veth. */
static size_t ipv6_rs(uint8_t *b)
{
	size_t n = eth(b, ETH_P_IPV6);

	memcpy(b, "\x33\x33\x00\x00\x00\x02", 6);
	b[n] = 0x60;                    /* version 6 */
	b[n + 5] = 8;                   /* payload length */
	b[n + 6] = 58;                  /* ICMPv6 */
	b[n + 7] = 255;                 /* hop limit */
	b[n + 8] = 0xFE;                /* src fe80::1 */
	b[n + 9] = 0x80;
	b[n + 23] = 1;
	b[n + 24] = 0xFF;               /* dst ff02::2 */
	b[n + 25] = 0x02;
	b[n + 39] = 2;
	b[n + 40] = 133;                /* router solicitation */
	return n + 40 + 8;
}

/* ARP request who-has 10.0.0.2 tell 10.0.0.1 (RFC 826). */
static size_t arp_req(uint8_t *b)
{
	size_t n = eth(b, ETH_P_ARP);
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1,
					 2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
					 0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };

	memcpy(b + n, arp, sizeof(arp));
	return n + sizeof(arp);
}

/* Ethernet | NSH base + SP (RFC 8300 section 2.2), MD type 2, no
 * context, Next Protocol IPv4, SI @si; 20 bytes of payload. */
static size_t nsh(uint8_t *b, uint8_t si)
{
	size_t n = eth(b, SFC_ETH_P_NSH);

	b[n] = 0x0F;     /* version 0, TTL 63 ... */
	b[n + 1] = 0xC2; /* ... length 2 words */
	b[n + 2] = 2;    /* MD type 2 */
	b[n + 3] = 1;    /* IPv4 */
	b[n + 6] = 1;    /* SPI 1 */
	b[n + 7] = si;
	return n + 8 + 20;
}

/* The same NSH frame behind an 802.1Q tag, VLAN 7. */
static size_t vlan_nsh(uint8_t *b)
{
	uint8_t inner[128];
	size_t n = nsh(inner, 200);

	memcpy(b, inner, 12);
	b[12] = ETH_P_8021Q >> 8;
	b[13] = ETH_P_8021Q & 0xFF;
	b[14] = 0;
	b[15] = 7;
	memcpy(b + 16, inner + 12, n - 12);
	return n + 4;
}

static int tx(struct filt *t, const uint8_t *b, size_t len)
{
	return send(t->tx_fd, b, len, 0) == (ssize_t)len ? 0 : -1;
}

static enum sf_verdict on_frame(void *arg, struct sf_frame *f)
{
	struct filt *t = arg;

	t->got++;
	if (f->len == 14 + 8 + 20 && f->data[12] == (SFC_ETH_P_NSH >> 8) &&
	    f->data[13] == (SFC_ETH_P_NSH & 0xFF) && f->data[14 + 7] == 100)
		t->nsh++;
	else
		t->other++;
	return SF_VERDICT_DROP;
}

/* First tick: send the noise, then the NSH frame last (lo keeps order,
 * so once it is in, so is everything before it). Stop a few idle ticks
 * after it arrived, so a late frame would still be seen. */
static void on_tick(void *arg)
{
	struct filt *t = arg;
	uint8_t b[128] = { 0 };

	t->ticks++;
	if (!t->sent) {
		t->sent = true;
		if (tx(t, b, ipv6_rs(b)) || tx(t, b, arp_req(b)) ||
		    tx(t, b, vlan_nsh(b)) || tx(t, b, nsh(b, 100)))
			t->stop = 1;
		t->ticks = 0;
		return;
	}
	if ((t->nsh && t->ticks >= 3) || t->ticks >= 50)
		t->stop = 1;
}

/* A raw packet socket bound to lo for sending, no protocol: receives
 * nothing itself. */
static int tx_socket(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = (int)if_nametoindex("lo") };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Exit codes name the failed check. */
static int child_filter(void)
{
	struct sf_pktio_opts o;
	struct filt t;

	if (tsf_netns_lo())
		return 100;
	memset(&t, 0, sizeof(t));
	t.tx_fd = tx_socket();
	if (t.tx_fd < 0)
		return 101;
	sf_pktio_opts_default(&o);
	o.mode = t_mode;
	o.poll_ms = 20;
	if (sf_pktio_open(&t.io, "lo", &o))
		return 102;
	t.io.stop = &t.stop;
	t.io.tick = on_tick;
	t.io.tick_ctx = &t;
	if (sf_pktio_run(&t.io, on_frame, &t))
		return 103;
	if (t.nsh != 1)
		return 104; /* the NSH frame did not arrive (once) */
	if (t.other)
		return 105; /* noise got through the filter */
	sf_pktio_close(&t.io);
	close(t.tx_fd);
	return 0;
}

static void run(enum sf_pktio_mode mode)
{
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root for a network namespace and a packet socket");
	t_mode = mode;
	st = tsf_run_child(child_filter);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
}

Test(sf_pktio_filter, mmsg_only_nsh)
{
	run(SF_PKTIO_MMSG);
}

Test(sf_pktio_filter, ring_only_nsh)
{
	run(SF_PKTIO_RING);
}
