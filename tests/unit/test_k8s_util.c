// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_util.c - scratch files and the fake API server process for the
 * libsfck8s tests (see test_k8s_util.h).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sfc_io.h"
#include "test_k8s_util.h"

char k8s_tdir[64];

void k8s_tdir_setup(void)
{
	snprintf(k8s_tdir, sizeof(k8s_tdir), "/tmp/sfck8s-XXXXXX");
	cr_assert_not_null(mkdtemp(k8s_tdir));
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

void k8s_tdir_teardown(void)
{
	if (k8s_tdir[0])
		nftw(k8s_tdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	k8s_tdir[0] = '\0';
}

const char *k8s_tfile(const char *name, const char *text)
{
	static char paths[8][256];
	static unsigned slot;
	char *p = paths[slot++ % 8];
	int fd;

	snprintf(p, 256, "%s/%s", k8s_tdir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0, "%s: %s", p, strerror(errno));
	cr_assert_eq(sfc_write_all(fd, text, strlen(text)), 0);
	close(fd);
	return p;
}

/* tests/unit/, from this file's path as the Makefile compiles it (from the
 * repository root, where the tests run). */
static const char *script_path(void)
{
	static char path[512];
	char here[512];

	snprintf(here, sizeof(here), "%s", __FILE__);
	snprintf(path, sizeof(path), "%s/k8s_fake_api.py", dirname(here));
	cr_assert_eq(access(path, R_OK), 0, "%s: %s (run from the repository root)",
		     path, strerror(errno));
	return path;
}

static void fake_api_exec(const char *py, const char *script_file,
			  const char *log, int port, const char *tls, int out_fd)
{
	const char *argv[16] = { "python3", py, script_file, log };
	char portbuf[16], tlsbuf[512], *save, *tok;
	int n = 4;

	snprintf(portbuf, sizeof(portbuf), "%d", port);
	argv[n++] = "--port";
	argv[n++] = portbuf;
	if (tls) {
		snprintf(tlsbuf, sizeof(tlsbuf), "%s", tls);
		for (tok = strtok_r(tlsbuf, " ", &save); tok && n < 15;
		     tok = strtok_r(NULL, " ", &save))
			argv[n++] = tok;
	}
	argv[n] = NULL;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	dup2(out_fd, 1);
	execvp("python3", (char *const *)argv);
	_exit(127);
}

void fake_api_start(struct fake_api *f, const char *script, int port,
		    const char *tls)
{
	const char *sfile = k8s_tfile("script.json", script), *py = script_path();
	char line[64] = "";
	int p[2], n = 0, r;

	memset(f, 0, sizeof(*f));
	snprintf(f->log, sizeof(f->log), "%s/requests.jsonl", k8s_tdir);
	unlink(f->log);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	f->pid = fork();
	cr_assert_geq(f->pid, 0);
	if (!f->pid)
		fake_api_exec(py, sfile, f->log, port, tls, p[1]);
	close(p[1]);
	/* The server prints "PORT n" once it listens. */
	while (n < (int)sizeof(line) - 1 && !strchr(line, '\n')) {
		r = read(p[0], line + n, sizeof(line) - 1 - n);
		if (r <= 0)
			break;
		n += r;
		line[n] = '\0';
	}
	close(p[0]);
	cr_assert_eq(sscanf(line, "PORT %d", &f->port), 1, "fake API did not start: \"%s\"",
		     line);
	snprintf(f->url, sizeof(f->url), "%s://127.0.0.1:%d", tls ? "https" : "http",
		 f->port);
}

void fake_api_stop(struct fake_api *f)
{
	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	f->pid = 0;
}

cJSON *fake_api_requests(const struct fake_api *f)
{
	cJSON *arr = cJSON_CreateArray();
	char line[1 << 16];
	FILE *fp = fopen(f->log, "r");

	cr_assert_not_null(arr);
	if (!fp)
		return arr;
	while (fgets(line, sizeof(line), fp)) {
		cJSON *j = cJSON_Parse(line);

		cr_assert_not_null(j, "bad log line %s", line);
		cJSON_AddItemToArray(arr, j);
	}
	fclose(fp);
	return arr;
}

int k8s_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

uint64_t k8s_hook_now(void *ctx)
{
	struct k8s_hooks *h = ctx;
	struct timespec ts;

	if (!h->real_clock)
		return h->now;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return h->now + (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double k8s_hook_random(void *ctx)
{
	return ((struct k8s_hooks *)ctx)->u;
}

const char *k8s_req_str(const cJSON *req, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *k8s_req_query(const cJSON *req, const char *key)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(req, "query");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
