// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-ids - NSH-aware intrusion detection SF: payload signatures (a rules
 * file, Hyperscan in streaming mode, per-connection streams), alerts as
 * JSON lines, and drop rules that block the rest of a connection.
 * SIGHUP re-reads the rules file; an error keeps the running rules.
 * The engine is service-containers/lib/ids.h, the rules ids_rules.h.
 *
 * Config (required): {"rules": "/etc/sfc/ids.rules",
 *   "alerts": "/var/log/sfc/alerts.jsonl", "max_flows": 65536,
 *   "idle_timeout_s": 120}
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "sfapp.h"

static volatile sig_atomic_t hup_flag;

static void on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
}

/* No SA_RESTART: SIGHUP wakes the packet loop's ppoll at once. */
static int install_hup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGHUP, &sa, NULL);
}

static int ids_configure(void *ctx, const cJSON *cfg, const char *path,
			 char *err, size_t errlen)
{
	struct sf_ids *ids = ctx;
	struct sf_ids_cfg c;
	int ret;

	ret = sf_ids_parse_cfg(cfg, path, &c, err, errlen);
	if (!ret)
		ret = sf_ids_init(ids, &c, err, errlen);
	if (ret)
		return ret;
	fprintf(stderr, "sf-ids: %u rules from %s, %zu bytes of stream "
		"state per direction, %u connections max\n", ids->rs.n,
		c.rules, ids->stream_size, c.max_flows);
	return install_hup() ? -1 : 0;
}

static void ids_tick(void *ctx, uint64_t mono_ms)
{
	struct sf_ids *ids = ctx;
	char err[512];

	(void)mono_ms;
	sf_ids_tick(ids, ids->clock());
	if (!hup_flag)
		return;
	hup_flag = 0;
	if (sf_ids_reload(ids, err, sizeof(err))) {
		ids->reload_errors++;
		fprintf(stderr, "sf-ids: reload failed, keeping %u rules: %s\n",
			ids->rs.n, err);
		return;
	}
	ids->reloads++;
	fprintf(stderr, "sf-ids: reloaded %u rules from %s\n", ids->rs.n,
		ids->cfg.rules);
}

static void ids_stats(void *ctx, struct sf_jbuf *jb)
{
	sf_ids_stats_json(ctx, jb);
}

static int ids_sandbox(void *ctx, void *scmp_ctx)
{
	return sf_ids_sandbox(ctx, scmp_ctx);
}

static void ids_fini(void *ctx)
{
	sf_ids_fini(ctx);
}

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-ids",
		.config_required = true,
		.configure = ids_configure,
		.on_packet = sf_ids_packet,
		.stats_json = ids_stats,
		.fini = ids_fini,
		.tick = ids_tick,
		.sandbox_hook = ids_sandbox,
	};
	static struct sf_ids ids = { .rules_dirfd = -1 };

	return sf_app_main(argc, argv, &ops, &ids);
}
