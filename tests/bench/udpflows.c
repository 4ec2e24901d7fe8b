// SPDX-License-Identifier: GPL-2.0-only
/*
 * udpflows.c - NFLOWS distinct UDP flows, for `make bench`'s memory rows.
 *
 *   udpflows ADDR NFLOWS [PPS (default 50000)] [ROUNDS (default 1)]
 *
 * One socket (one source port) sends an 18-byte datagram to ADDR on each
 * destination port 1024 .. 1024 + NFLOWS - 1 (NFLOWS <= 64512), ROUNDS
 * times, paced to PPS datagrams per second in sendmmsg batches of 64: so
 * every service function on the path sees NFLOWS new 5-tuples, at a rate
 * its socket buffer absorbs. Prints "sent N secs S".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PORT_BASE 1024
#define MAX_FLOWS (65536 - PORT_BASE)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep until monotonic time @t (seconds). */
static void sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	static struct sockaddr_in dst[BATCH];
	static struct mmsghdr msg[BATCH];
	static struct iovec iov = { .iov_base = "sfc-bench-udpflow", .iov_len = 18 };
	unsigned long sent = 0;
	long nflows, pps = 50000, rounds = 1, r, i, k, n;
	struct in_addr addr;
	double t0;
	int s, m;

	if (argc < 3 || argc > 5 || inet_pton(AF_INET, argv[1], &addr) != 1) {
		fprintf(stderr, "usage: udpflows ADDR NFLOWS [PPS] [ROUNDS]\n");
		return 2;
	}
	nflows = atol(argv[2]);
	if (argc > 3)
		pps = atol(argv[3]);
	if (argc > 4)
		rounds = atol(argv[4]);
	if (nflows < 1 || nflows > MAX_FLOWS || pps < 1 || rounds < 1) {
		fprintf(stderr, "udpflows: NFLOWS 1..%d, PPS and ROUNDS >= 1\n", MAX_FLOWS);
		return 2;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		perror("udpflows: socket");
		return 1;
	}
	t0 = now_s();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nflows; i += n) {
			n = nflows - i < BATCH ? nflows - i : BATCH;
			for (k = 0; k < n; k++) {
				dst[k] = (struct sockaddr_in){ .sin_family = AF_INET,
							       .sin_addr = addr,
							       .sin_port = htons((uint16_t)(PORT_BASE + i + k)) };
				msg[k].msg_hdr = (struct msghdr){ .msg_name = &dst[k],
								  .msg_namelen = sizeof(dst[k]),
								  .msg_iov = &iov, .msg_iovlen = 1 };
			}
			sleep_until(t0 + (double)sent / (double)pps);
			for (k = 0; k < n; k += m) {
				m = sendmmsg(s, msg + k, (unsigned int)(n - k), 0);
				if (m < 0) {
					if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) {
						m = 0;
						continue;
					}
					perror("udpflows: sendmmsg");
					return 1;
				}
			}
			sent += (unsigned long)n;
		}
	}
	printf("sent %lu secs %.2f\n", sent, now_s() - t0);
	close(s);
	return 0;
}
