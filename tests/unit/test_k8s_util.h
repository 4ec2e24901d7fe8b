/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_k8s_util.h - helpers of the libsfck8s unit tests: a scratch
 * directory, small files, and the scripted fake API server
 * (k8s_fake_api.py) started on 127.0.0.1 for one test.
 */
#ifndef TEST_K8S_UTIL_H
#define TEST_K8S_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

/* mkdtemp'd scratch directory of this test process. */
extern char k8s_tdir[64];

/* Create k8s_tdir (suite .init) / remove it with its files (.fini). */
void k8s_tdir_setup(void);
void k8s_tdir_teardown(void);

/* Write @text to k8s_tdir/@name; return the path (static buffer per call
 * slot: up to 8 live paths). */
const char *k8s_tfile(const char *name, const char *text);

struct fake_api {
	pid_t pid;
	int port;
	char url[64];      /* http(s)://127.0.0.1:port */
	char log[128];
};

/*
 * fake_api_start() - run k8s_fake_api.py with the step list @script (JSON
 * text) on @port (0 = any free port); @tls NULL for plain HTTP, else
 * "--tls CERT KEY [CA]". The server dies with the test process.
 */
void fake_api_start(struct fake_api *f, const char *script, int port,
		    const char *tls);

/* Stop it (SIGTERM by PID, reaped); a no-op when not started. */
void fake_api_stop(struct fake_api *f);

/* The requests it logged so far: a JSON array (caller frees). */
cJSON *fake_api_requests(const struct fake_api *f);

/* A 127.0.0.1 TCP port with nothing listening (bound once, then closed). */
int k8s_free_port(void);

/* A controllable clock and random source for struct sfc_k8s_client_opts. */
struct k8s_hooks {
	uint64_t now;      /* ms */
	double u;          /* what random() returns */
	bool real_clock;   /* now_ms follows CLOCK_MONOTONIC + now */
};
uint64_t k8s_hook_now(void *ctx);
double k8s_hook_random(void *ctx);

/* A string member of a request object of fake_api_requests(). */
const char *k8s_req_str(const cJSON *req, const char *field);
/* A query parameter of such a request, or NULL. */
const char *k8s_req_query(const cJSON *req, const char *key);

#endif /* TEST_K8S_UTIL_H */
