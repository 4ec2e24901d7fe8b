// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-ratelimit - NSH-aware rate limiter SF: a token bucket per inner
 * source address; packets over the limit are dropped and counted against
 * their source. SIGHUP re-reads the config. The logic is ratelimit.h
 * beside this file.
 */
#include "ratelimit.h"
#include "sfapp.h"

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-ratelimit",
		.config_required = true,
		.configure = sf_rl_configure,
		.reload = sf_rl_configure,
		.on_packet = sf_rl_on_packet,
		.stats_json = sf_rl_stats_json,
		.fini = sf_rl_free,
	};
	static struct sf_rl rl;

	return sf_app_main(argc, argv, &ops, &rl);
}
