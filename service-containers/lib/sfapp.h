/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfapp.h - the main() every SF shares: parse the command line, load the
 * config, open the stats file, packet socket and pidfile (see files.h),
 * enter the sandbox, run the packet loop until SIGTERM/SIGINT, flush
 * stats, exit 0.
 * SIGHUP re-reads the config file into ops->reload. An SF supplies only
 * its hooks.
 */
#ifndef SF_SFAPP_H
#define SF_SFAPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "flowq.h"
#include "frame.h"
#include "sfc_jbuf.h"

struct sf_app_ops {
	const char *name;        /* "sf-firewall": logs and stats */
	bool config_required;    /* refuse to start without --config */
	/* Apply @cfg (NULL without --config; the tree is freed after the
	 * call). Return 0 or -errno with a message in @err naming @path and
	 * the field. Runs before the sandbox. */
	int (*configure)(void *ctx, const cJSON *cfg, const char *path,
			 char *err, size_t errlen);
	/* SIGHUP: apply the re-read config (may be NULL: not reloadable).
	 * Must be atomic: on error keep the running config untouched.
	 * Runs inside the sandbox, between packet batches. */
	int (*reload)(void *ctx, const cJSON *cfg, const char *path,
		      char *err, size_t errlen);
	sf_pkt_fn on_packet;     /* per valid traffic frame */
	/* Append SF-specific members to the stats object (may be NULL). */
	void (*stats_json)(void *ctx, struct sfc_jbuf *jb);
	void (*fini)(void *ctx); /* at exit, may be NULL */
	/* Every loop tick (at least every 200 ms and after each batch),
	 * with sf_now_ms(); after the sandbox. May be NULL. */
	void (*tick)(void *ctx, uint64_t now_ms);
	/* The SF's sandbox additions (sf_sandbox_opts.hook). May be NULL. */
	int (*sandbox_hook)(void *ctx, void *seccomp_ctx);
	/* The SF's counts query queue (flowq.h), once configured: the
	 * framework sends its questions and hands it the SFF's answers.
	 * May be NULL, or return NULL: the SF asks nothing. */
	struct sf_flowq *(*flowq)(void *ctx);
};

/**
 * sf_app_main() - run an SF. @ctx is the SF's state, passed to every hook.
 * Closes every descriptor above 2 first: the SF keeps none of its
 * launcher's.
 * Return: the process exit status: 0 after SIGTERM/SIGINT, 1 on a setup
 * error (logged on stderr), 2 on a bad command line.
 */
int sf_app_main(int argc, char **argv, const struct sf_app_ops *ops,
		void *ctx);

#endif /* SF_SFAPP_H */
