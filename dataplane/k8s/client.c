// SPDX-License-Identifier: GPL-2.0-only
/*
 * client.c - a client: the configuration, the token, the libcurl multi
 * handle the reflectors share, the handle blocking requests reuse, and
 * the clock and random source (both replaceable by tests).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "k8s_internal.h"

static CURLcode curl_init_rc;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

uint64_t k8s_now_ms(struct sfc_k8s_client *c)
{
	struct timespec ts;

	if (c->o.now_ms)
		return c->o.now_ms(c->o.hook_ctx);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double k8s_random(struct sfc_k8s_client *c)
{
	uint64_t x;

	if (c->o.random)
		return c->o.random(c->o.hook_ctx);
	/* xorshift64* (Vigna 2016): jitter needs spread, not secrecy. */
	x = c->prng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->prng = x;
	return (double)((x * 0x2545f4914f6cdd1dull) >> 11) / (double)(1ull << 53);
}

static void opts_defaults(struct sfc_k8s_client_opts *o)
{
	if (!o->connect_timeout_ms)
		o->connect_timeout_ms = 10000;
	if (!o->request_timeout_ms)
		o->request_timeout_ms = 30000;
	if (!o->backoff_initial_ms)
		o->backoff_initial_ms = 800;
	if (!o->backoff_cap_ms)
		o->backoff_cap_ms = 30000;
	if (!o->max_body)
		o->max_body = 64u << 20;
}

static bool server_ok(const char *s)
{
	return s && (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7));
}

int sfc_k8s_client_new(const struct sfc_k8s_config *cfg,
		       const struct sfc_k8s_client_opts *opts,
		       struct sfc_k8s_client **out)
{
	struct sfc_k8s_client *c;
	const char *tok;
	int err;

	*out = NULL;
	if (!server_ok(cfg->server))
		return -EINVAL;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return -EIO;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (opts)
		c->o = *opts;
	opts_defaults(&c->o);
	if (getrandom(&c->prng, sizeof(c->prng), GRND_NONBLOCK) != sizeof(c->prng))
		c->prng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	c->prng |= 1; /* xorshift's one fixed point is 0 */
	err = k8s_config_dup(&c->cfg, cfg);
	if (!err && !(c->user_agent = strdup(c->o.user_agent ? c->o.user_agent : "sfc-cni")))
		err = -ENOMEM;
	c->o.user_agent = c->user_agent;
	if (!err && c->cfg.token_file) {
		c->token.path = strdup(c->cfg.token_file);
		err = c->token.path ? sfc_k8s_token_get(&c->token, k8s_now_ms(c), true, &tok)
				    : -ENOMEM;
	}
	if (!err) {
		c->multi = curl_multi_init();
		c->sync = curl_easy_init();
		if (!c->multi || !c->sync)
			err = -EIO;
	}
	if (err) {
		sfc_k8s_client_free(c);
		return err;
	}
	*out = c;
	return 0;
}

void sfc_k8s_client_free(struct sfc_k8s_client *c)
{
	if (!c)
		return;
	if (c->sync)
		curl_easy_cleanup(c->sync);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	sfc_k8s_token_free(&c->token);
	sfc_k8s_config_free(&c->cfg);
	free(c->user_agent);
	free(c);
}
