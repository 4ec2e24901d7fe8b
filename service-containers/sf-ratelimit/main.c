// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-ratelimit - NSH-aware rate limiter SF: a token bucket per inner
 * source address; packets over the limit are dropped and counted against
 * their source. SIGHUP re-reads the config. The logic is
 * service-containers/lib/ratelimit.h.
 */
#include "ratelimit.h"
#include "sfapp.h"

static int rl_configure(void *ctx, const cJSON *cfg, const char *path,
			char *err, size_t errlen)
{
	return sf_rl_configure(ctx, cfg, path, err, errlen);
}

static void rl_fini(void *ctx)
{
	sf_rl_free(ctx);
}

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-ratelimit",
		.config_required = true,
		.configure = rl_configure,
		.reload = rl_configure,
		.on_packet = sf_rl_on_packet,
		.stats_json = sf_rl_stats_json,
		.fini = rl_fini,
	};
	static struct sf_rl rl;

	return sf_app_main(argc, argv, &ops, &rl);
}
