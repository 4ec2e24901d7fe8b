// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-firewall - stateful NSH-aware firewall SF.
 *
 * Ordered allow/deny rules on the inner 5-tuple (IPv4 and IPv6), first
 * match wins, else the default, judge each new flow in the direction it is
 * first seen; a connection tracker then passes the rest of the connection,
 * replies included, without rule lookups. Allowed packets go back to the
 * SFF with SI - 1; denied ones are dropped and counted per rule. SIGHUP
 * re-reads the config. The logic is firewall.h beside this file.
 */
#include "firewall.h"
#include "sfapp.h"

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-firewall",
		.config_required = true,
		.configure = sf_firewall_configure,
		.reload = sf_firewall_configure,
		.on_packet = sf_firewall_on_packet,
		.stats_json = sf_firewall_stats_json,
		.fini = sf_firewall_free,
		.tick = sf_firewall_tick,
		.flowq = sf_firewall_flowq,
	};
	static struct sf_firewall fw;

	return sf_app_main(argc, argv, &ops, &fw);
}
