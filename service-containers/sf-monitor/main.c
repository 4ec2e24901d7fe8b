// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-monitor - NSH-aware flow monitor SF: per-flow records (directed
 * inner 5-tuple, packets, bytes, first/last seen, TCP flags) written as
 * JSON lines to a size-rotated file when a flow ends, idles out, or every
 * export interval for long flows. Passes every packet with SI - 1.
 * The engine is monitor.h beside this file.
 *
 * Config (required): {"output": "/var/log/sfc/flows.jsonl",
 *   "rotate_bytes": 67108864, "rotate_keep": 5, "idle_timeout_s": 60,
 *   "export_interval_s": 300, "max_flows": 65536, "offload": false}
 */
#include "monitor.h"
#include "sfapp.h"

static void mon_tick(void *ctx, uint64_t mono_ms)
{
	struct sf_mon *m = ctx;

	(void)mono_ms; /* records carry wall-clock times */
	sf_mon_tick(m, m->clock());
}

static void mon_fini(void *ctx)
{
	sf_mon_flush(ctx);
	sf_mon_fini(ctx);
}

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-monitor",
		.config_required = true,
		.configure = sf_mon_configure,
		.on_packet = sf_mon_packet,
		.stats_json = sf_mon_stats_json,
		.fini = mon_fini,
		.tick = mon_tick,
		.sandbox_hook = sf_mon_sandbox,
		.flowq = sf_mon_flowq,
	};
	static struct sf_mon m;

	return sf_app_main(argc, argv, &ops, &m);
}
