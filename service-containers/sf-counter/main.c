// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-counter - NSH-aware monitoring SF: counts packets and bytes per flow
 * (directed inner 5-tuple) and in total, passes everything on with SI - 1.
 * The top flows by bytes appear in the stats file. The logic is
 * counter.h, the flow table flowtab.h (both beside this file).
 *
 * Config (optional): {"max_flows": 65536, "top": 10, "offload": false}
 */
#include "counter.h"
#include "sfapp.h"

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-counter",
		.configure = sf_counter_configure,
		.on_packet = sf_counter_on_packet,
		.stats_json = sf_counter_stats_json,
		.fini = sf_counter_free,
		.tick = sf_counter_tick,
		.flowq = sf_counter_flowq,
	};
	static struct sf_counter c;

	return sf_app_main(argc, argv, &ops, &c);
}
