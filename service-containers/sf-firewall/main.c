// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-firewall - stateless NSH-aware firewall SF.
 *
 * Ordered allow/deny rules on the inner 5-tuple (IPv4 and IPv6), first
 * match wins, else the default. Allowed packets go back to the SFF with
 * SI - 1; denied ones are dropped and counted per rule. The rule engine
 * is service-containers/lib/fw_rules.h.
 */
#include "fw_rules.h"
#include "sfapp.h"

struct firewall {
	struct sf_fw_rules rules;
};

static int fw_configure(void *ctx, const cJSON *cfg, const char *path,
			char *err, size_t errlen)
{
	struct firewall *fw = ctx;

	return sf_fw_rules_parse(&fw->rules, cfg, path, err, errlen);
}

static enum sf_verdict fw_packet(void *ctx, const struct sf_pkt *pkt)
{
	struct firewall *fw = ctx;

	return sf_fw_rules_eval(&fw->rules, &pkt->inner) == SF_FW_DENY ?
		       SF_VERDICT_DROP : SF_VERDICT_PASS;
}

static void fw_stats(void *ctx, struct sf_jbuf *jb)
{
	struct firewall *fw = ctx;

	sf_fw_rules_stats_json(&fw->rules, jb);
}

static void fw_fini(void *ctx)
{
	struct firewall *fw = ctx;

	sf_fw_rules_free(&fw->rules);
}

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-firewall",
		.config_required = true,
		.configure = fw_configure,
		.on_packet = fw_packet,
		.stats_json = fw_stats,
		.fini = fw_fini,
	};
	struct firewall fw = { 0 };

	return sf_app_main(argc, argv, &ops, &fw);
}
