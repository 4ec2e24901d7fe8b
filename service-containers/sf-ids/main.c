// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-ids - NSH-aware intrusion detection SF: payload signatures (a rules
 * file, Hyperscan in streaming mode, per-connection streams), alerts as
 * JSON lines, and drop rules that block the rest of a connection.
 * SIGHUP (sfapp re-reads the config, then ids_reload) re-reads the rules
 * file; an error keeps the running rules.
 * The engine is service-containers/lib/ids.h, the rules ids_rules.h.
 *
 * Config (required): {"rules": "/etc/sfc/ids.rules",
 *   "alerts": "/var/log/sfc/alerts.jsonl", "max_flows": 65536,
 *   "idle_timeout_s": 120}
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ids.h"
#include "sfapp.h"

/* The config's directory: Landlock must let sfapp re-read it on SIGHUP. */
static int open_conf_dir(struct sf_ids *ids, const char *path, char *err,
			 size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int ret;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	ids->conf_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ids->conf_dirfd >= 0)
		return 0;
	ret = -errno;
	snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
	return ret;
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
	return open_conf_dir(ids, path, err, errlen);
}

/* SIGHUP, inside the sandbox: the config names the same rules file;
 * re-read it. Any error leaves the running database in place. */
static int ids_reload(void *ctx, const cJSON *cfg, const char *path,
		      char *err, size_t errlen)
{
	struct sf_ids *ids = ctx;
	struct sf_ids_cfg c;
	int ret;

	ret = sf_ids_parse_cfg(cfg, path, &c, err, errlen);
	if (!ret && strcmp(c.rules, ids->cfg.rules))
		ret = sf_config_err(err, errlen, path, "rules", "cannot change "
				    "on reload (was %s): restart the SF",
				    ids->cfg.rules);
	if (!ret)
		ret = sf_ids_reload(ids, err, errlen);
	if (ret) {
		ids->reload_errors++;
		return ret;
	}
	ids->reloads++;
	fprintf(stderr, "sf-ids: %u rules loaded from %s\n", ids->rs.n,
		ids->cfg.rules);
	return 0;
}

static void ids_tick(void *ctx, uint64_t mono_ms)
{
	struct sf_ids *ids = ctx;

	(void)mono_ms; /* idle times are kept in wall-clock ms */
	sf_ids_tick(ids, ids->clock());
}

static void ids_stats(void *ctx, struct sfc_jbuf *jb)
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
		.reload = ids_reload,
		.on_packet = sf_ids_packet,
		.stats_json = ids_stats,
		.fini = ids_fini,
		.tick = ids_tick,
		.sandbox_hook = ids_sandbox,
	};
	static struct sf_ids ids = { .rules_dirfd = -1, .conf_dirfd = -1 };

	return sf_app_main(argc, argv, &ops, &ids);
}
