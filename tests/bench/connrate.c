// SPDX-License-Identifier: GPL-2.0-only
/*
 * connrate.c - new TCP connections per second, for `make bench`.
 *
 *   connrate server PORT
 *       listen on 0.0.0.0:PORT; accept every connection and close it at
 *       once, until SIGTERM.
 *   connrate client ADDR PORT SECS [PAR]
 *       PAR (default 4) threads, each a loop of connect, wait for the
 *       server's FIN, close, for SECS seconds; prints one line
 *       "conn_per_s R connections N failed F secs S".
 *
 * The server closes first, so the TIME_WAIT state stays on its side and
 * the client's ephemeral ports are free again at once: the rate measures
 * the path (handshake and teardown through whatever is in between), not
 * the client's port supply. A connect or the wait for the FIN that takes
 * longer than 1 s counts as failed (a dropped SYN would otherwise stall a
 * thread for the kernel's 1 s retransmission timeout and hide the loss).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAR 64

struct worker {
	pthread_t tid;
	struct sockaddr_in dst;
	double end;
	unsigned long ok;
	unsigned long failed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_port(const char *s, unsigned short *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (unsigned short)v;
	return 0;
}

static int run_server(unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, s, c;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4096)) {
		perror("connrate: server socket");
		return 1;
	}
	for (;;) {
		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			close(c);
		else if (errno != EINTR && errno != ECONNABORTED && errno != EMFILE &&
			 errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
			break;
	}
	perror("connrate: accept");
	return 1;
}

/* One connection: connect, wait for the server's FIN, close. 0 or -errno. */
static int one_conn(const struct sockaddr_in *dst)
{
	struct timeval tv = { .tv_sec = 1 };
	char buf[64];
	ssize_t n;
	int s, err = 0;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	/* SO_SNDTIMEO bounds connect(), SO_RCVTIMEO the wait for the FIN. */
	if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(s, (const struct sockaddr *)dst, sizeof(*dst))) {
		err = -errno;
		goto out;
	}
	do
		n = read(s, buf, sizeof(buf));
	while (n > 0);
	if (n < 0)
		err = -errno;
out:
	close(s);
	return err;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (now_s() < w->end) {
		if (one_conn(&w->dst))
			w->failed++;
		else
			w->ok++;
	}
	return NULL;
}

static int run_client(const char *addr, unsigned short port, double secs, int par)
{
	struct worker w[MAX_PAR];
	unsigned long ok = 0, failed = 0;
	double t0, dt;
	int i;

	memset(w, 0, sizeof(w));
	w[0].dst.sin_family = AF_INET;
	w[0].dst.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &w[0].dst.sin_addr) != 1) {
		fprintf(stderr, "connrate: bad IPv4 address %s\n", addr);
		return 1;
	}
	t0 = now_s();
	for (i = 0; i < par; i++) {
		w[i].dst = w[0].dst;
		w[i].end = t0 + secs;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i])) {
			fprintf(stderr, "connrate: cannot start thread %d\n", i);
			par = i;
			break;
		}
	}
	for (i = 0; i < par; i++) {
		pthread_join(w[i].tid, NULL);
		ok += w[i].ok;
		failed += w[i].failed;
	}
	dt = now_s() - t0;
	printf("conn_per_s %.0f connections %lu failed %lu secs %.2f\n",
	       dt > 0 ? (double)ok / dt : 0.0, ok, failed, dt);
	return par > 0 ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: connrate server PORT\n"
			"       connrate client ADDR PORT SECS [PARALLEL (4)]\n");
}

int main(int argc, char **argv)
{
	unsigned short port;
	double secs;
	int par = 4;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "server") && !parse_port(argv[2], &port))
		return run_server(port);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "client") &&
	    !parse_port(argv[3], &port)) {
		secs = atof(argv[4]);
		if (argc == 6)
			par = atoi(argv[5]);
		if (secs > 0 && par >= 1 && par <= MAX_PAR)
			return run_client(argv[2], port, secs, par);
	}
	usage();
	return 2;
}
