// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-ids - NSH-aware intrusion detection SF: payload signatures (a rules
 * file, Hyperscan in streaming mode, per-connection streams), alerts as
 * JSON lines, and drop rules that block the rest of a connection.
 * SIGHUP (sfapp re-reads the config, then sf_ids_reconfigure) re-reads
 * the rules file; an error keeps the running rules.
 * The engine is ids.h beside this file, the rules ids_rules.h.
 *
 * Config (required): {"rules": "/etc/sfc/ids.rules",
 *   "alerts": "/var/log/sfc/alerts.jsonl", "max_flows": 65536,
 *   "idle_timeout_s": 120}
 */
#include "ids.h"
#include "sfapp.h"

static void ids_tick(void *ctx, uint64_t mono_ms)
{
	struct sf_ids *ids = ctx;

	(void)mono_ms; /* idle times are kept in wall-clock ms */
	sf_ids_tick(ids, ids->clock());
}

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-ids",
		.config_required = true,
		.configure = sf_ids_configure,
		.reload = sf_ids_reconfigure,
		.on_packet = sf_ids_packet,
		.stats_json = sf_ids_stats_json,
		.fini = sf_ids_fini,
		.tick = ids_tick,
		.sandbox_hook = sf_ids_sandbox,
	};
	static struct sf_ids ids = { .rules_dirfd = -1, .conf_dirfd = -1 };

	return sf_app_main(argc, argv, &ops, &ids);
}
