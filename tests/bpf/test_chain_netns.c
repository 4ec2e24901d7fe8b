// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_chain_netns.c - the programs on real veths: pod A -> SF -> pod B
 * across three network namespaces, which exercises what test_run cannot:
 * bpf_redirect_peer, and the END-of-path re-injection into our own ingress
 * followed by the decap pass. The SF is a minimal NSH echo in a child
 * process (ETH_P_ALL, decrement SI, swap MACs).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>

#include "bpft.h"

#define NVPID_A 30
#define NVPID_B 31
#define NVPID_SF 32
#define NSPI 0x77

static char ns[3][32], host[3][IFNAMSIZ]; /* a, b, sf */

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void mac_of(const char *netns, const char *ifname, uint8_t *mac)
{
	char cmd[160], buf[64] = "";
	unsigned v[6];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -n %s -o link show %s | "
		 "sed 's/.*link\\/ether \\([^ ]*\\).*/\\1/'", netns, ifname);
	f = popen(cmd, "r");
	cr_assert(f && fgets(buf, sizeof(buf), f));
	pclose(f);
	cr_assert_eq(sscanf(buf, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2],
			    &v[3], &v[4], &v[5]), 6);
	for (int i = 0; i < 6; i++)
		mac[i] = v[i];
}

static void ns_teardown(void)
{
	for (int i = 0; i < 3; i++) {
		if (host[i][0])
			sh("ip link del %s 2>/dev/null", host[i]);
		if (ns[i][0])
			sh("ip netns del %s 2>/dev/null", ns[i]);
	}
	bpft_teardown();
}

/* Endpoint @i: netns with eth0 (@ip), host veth, recorded and attached. */
static void wire(int i, uint32_t vpid, const char *ip, enum sfc_role role)
{
	struct sfc_endpoint ep = { .role = role };
	struct sfc_ip_key key;
	int mtu = role == SFC_ROLE_SF ? SFC_SF_MTU : 1500;

	cr_assert_eq(sh("ip link add %s mtu %d type veth peer name eth0 mtu %d "
			"netns %s && ip link set %s up && ip -n %s link set eth0 up",
			host[i], mtu, mtu, ns[i], host[i], ns[i]), 0);
	if (ip)
		cr_assert_eq(sh("ip -n %s addr add %s/24 dev eth0", ns[i], ip), 0);
	ep.ifindex = if_nametoindex(host[i]);
	mac_of(ns[i], "eth0", ep.mac);
	{
		char path[64];
		unsigned v[6];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/address", host[i]);
		f = fopen(path, "r");
		cr_assert(f && fscanf(f, "%x:%x:%x:%x:%x:%x", &v[0], &v[1],
				      &v[2], &v[3], &v[4], &v[5]) == 6);
		fclose(f);
		for (int k = 0; k < 6; k++)
			ep.host_mac[k] = v[k];
	}
	if (ip)
		sfc_dp_ip_key(ip, &key);
	cr_assert_eq(sfc_dp_endpoint_put(&T.dp, vpid, &ep, &key, ip ? 1 : 0), 0);
	cr_assert_eq(sfc_dp_attach(T.pin_dir, ep.ifindex, host[i], role), 0);
}

static void ns_setup(void)
{
	const char *tag[3] = { "a", "b", "s" };
	struct sfc_rule rule = { .spi = NSPI, .proto = 17, .port_lo = 5555,
				 .port_hi = 5555 };

	bpft_setup();
	if (sh("ip netns list >/dev/null 2>&1"))
		cr_skip_test("iproute2 with netns support is missing");
	for (int i = 0; i < 3; i++) {
		snprintf(ns[i], sizeof(ns[i]), "sfcn%s%d", tag[i], getpid());
		snprintf(host[i], sizeof(host[i]), "sfch%s%d", tag[i],
			 getpid() % 10000000);
		cr_assert_eq(sh("ip netns add %s && ip -n %s link set lo up",
				ns[i], ns[i]), 0);
	}
	wire(0, NVPID_A, "10.78.0.10", SFC_ROLE_APP);
	wire(1, NVPID_B, "10.78.0.11", SFC_ROLE_APP);
	wire(2, NVPID_SF, NULL, SFC_ROLE_SF);
	/* A resolves B to its gateway (A's host veth) and vice versa. */
	cr_assert_eq(sh("ip -n %s neigh add 10.78.0.11 lladdr $(cat "
			"/sys/class/net/%s/address) dev eth0", ns[0], host[0]), 0);
	cr_assert_eq(sh("ip -n %s neigh add 10.78.0.10 lladdr $(cat "
			"/sys/class/net/%s/address) dev eth0", ns[1], host[1]), 0);
	bpft_policy(NVPID_A, SFC_DIR_EGRESS, &rule, 1);
	bpft_hop(NSPI, 255, SFC_HOP_SF, NVPID_SF, 0, SFC_FAIL_CLOSED);
	bpft_hop(NSPI, 254, SFC_HOP_END, 0, 0, 0);
}

TestSuite(chain_netns, .init = ns_setup, .fini = ns_teardown, .timeout = 20);

static void enter(const char *netns)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		_exit(10);
	close(fd);
}

static void set_timeout(int fd, int sec)
{
	struct timeval tv = { .tv_sec = sec };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Child: receive one datagram on @port in pod B; exit 0 if it is @msg. */
static pid_t pod_b_recv(uint16_t port, const char *msg)
{
	pid_t pid = fork();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	char buf[128];
	ssize_t n;
	int fd;

	if (pid)
		return pid;
	enter(ns[1]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "10.78.0.11", &a.sin_addr);
	if (fd < 0 || bind(fd, (void *)&a, sizeof(a)))
		_exit(11);
	set_timeout(fd, 4);
	n = recv(fd, buf, sizeof(buf), 0);
	_exit(n == (ssize_t)strlen(msg) && !memcmp(buf, msg, n) ? 0 : 12);
}

/* Child: the SF. Echo one NSH frame back with SI - 1 (RFC 8300 4.2). */
static pid_t sf_echo(void)
{
	struct sockaddr_ll from;
	socklen_t flen;
	uint8_t f[2048], mac[6];
	pid_t pid = fork();
	ssize_t n;
	int fd;

	if (pid)
		return pid;
	enter(ns[2]);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex("eth0") };
	if (fd < 0 || bind(fd, (void *)&ll, sizeof(ll)))
		_exit(21);
	set_timeout(fd, 4);
	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, f, sizeof(f), 0, (void *)&from, &flen);
		if (n < 0)
			_exit(22);
		if (from.sll_pkttype == PACKET_OUTGOING || n < 30 ||
		    f[12] != 0x89 || f[13] != 0x4F)
			continue;
		break;
	}
	memcpy(mac, f, 6);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, mac, 6);
	f[14 + 7]--;
	_exit(send(fd, f, n, 0) == n ? 0 : 23);
}

/* Child: pod A sends @msg to B:@port. No UDP checksum: the echo SF above
 * would otherwise need PACKET_VNET_HDR to complete CHECKSUM_PARTIAL. */
static pid_t pod_a_send(uint16_t port, const char *msg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	pid_t pid = fork();
	int fd, one = 1;

	if (pid)
		return pid;
	enter(ns[0]);
	inet_pton(AF_INET, "10.78.0.11", &a.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one));
	_exit(sendto(fd, msg, strlen(msg), 0, (void *)&a, sizeof(a)) > 0 ? 0 : 31);
}

static int reap(pid_t pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

Test(chain_netns, udp_through_sf_and_reinjection_decap)
{
	const char *msg = "through-the-chain";
	pid_t b = pod_b_recv(5555, msg), sf = sf_echo(), a;
	struct sfc_hop_stats st;

	usleep(300000);
	a = pod_a_send(5555, msg);
	cr_assert_eq(reap(a), 0, "pod A send");
	cr_assert_eq(reap(sf), 0, "SF saw and echoed the NSH frame");
	cr_assert_eq(reap(b), 0, "pod B got the datagram after decap");
	st = bpft_stats(NSPI, 255);
	cr_assert_eq(st.to_sf_packets, 1);
	cr_assert_eq(st.from_sf_packets, 1);
	cr_assert_eq(bpft_drops_total(), 0);
}

Test(chain_netns, unmatched_udp_delivered_directly)
{
	const char *msg = "direct";
	pid_t b = pod_b_recv(6000, msg), a;

	usleep(200000);
	a = pod_a_send(6000, msg);
	cr_assert_eq(reap(a), 0);
	cr_assert_eq(reap(b), 0, "pod B got the datagram");
	cr_assert_eq(bpft_stats(NSPI, 255).to_sf_packets, 0);
	cr_assert_eq(bpft_drops_total(), 0);
}
