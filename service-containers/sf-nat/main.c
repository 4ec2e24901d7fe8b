// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-nat - NSH-aware IPv4 source NAT (masquerade) SF.
 *
 * Client packets leave with source nat_ip:P (P allocated per connection
 * from port_range), the server's replies to nat_ip:P get the client's
 * address and port back. TCP, UDP and ICMP echo; checksums updated
 * incrementally, GSO/CHECKSUM_PARTIAL frames kept whole; with "offload"
 * (the default) the SFF translates a flow after its first packets.
 * SIGHUP re-reads the config. The logic is nat.h beside this file.
 */
#include "nat.h"
#include "sfapp.h"

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-nat",
		.config_required = true,
		.configure = sf_nat_configure,
		.reload = sf_nat_configure,
		.on_packet = sf_nat_on_packet,
		.stats_json = sf_nat_stats_json,
		.fini = sf_nat_free,
		.tick = sf_nat_tick,
		.flowq = sf_nat_flowq,
	};
	static struct sf_nat nat;

	return sf_app_main(argc, argv, &ops, &nat);
}
