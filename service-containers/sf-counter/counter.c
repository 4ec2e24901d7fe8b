// SPDX-License-Identifier: GPL-2.0-only
/*
 * counter.c - sf-counter's config, packet hook and stats. See counter.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "counter.h"
#include "stats.h"

int sf_counter_configure(void *ctx, const cJSON *cfg, const char *path,
			 char *err, size_t errlen)
{
	static const char *const keys[] = { "max_flows", "top", "comment",
					    NULL };
	uint64_t max_flows = SF_COUNTER_MAX_FLOWS_DEFAULT;
	uint64_t top = SF_COUNTER_TOP_DEFAULT;
	struct sf_counter *c = ctx;
	int ret = 0;

	if (cfg) {
		ret = sf_config_check_keys(cfg, keys, path, "", err, errlen);
		if (!ret)
			ret = sf_config_uint(cfg, "max_flows", 1,
					     SF_FLOWTAB_MAX_CAP, false,
					     &max_flows, path, err, errlen);
		if (!ret)
			ret = sf_config_uint(cfg, "top", 0, SF_COUNTER_TOP_MAX,
					     false, &top, path, err, errlen);
		if (ret)
			return ret;
	}
	ret = sf_flowtab_init(&c->ft, (uint32_t)max_flows);
	if (ret)
		return ret;
	c->top_n = (unsigned int)top;
	c->top = calloc(top ? top : 1, sizeof(*c->top));
	c->start_ms = sf_now_ms();
	return c->top ? 0 : -ENOMEM;
}

enum sf_verdict sf_counter_on_packet(void *ctx, const struct sf_pkt *pkt)
{
	struct sf_counter *c = ctx;

	/* Inner IP length, not frame length: what the flow carried. */
	sf_flowtab_account(&c->ft, &pkt->inner.t, pkt->inner.l3_len,
			   sf_now_ms() - c->start_ms);
	return SF_VERDICT_PASS;
}

void sf_counter_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	struct sf_counter *c = ctx;

	sf_flowtab_stats_json(&c->ft, jb, c->top, c->top_n);
}

void sf_counter_free(void *ctx)
{
	struct sf_counter *c = ctx;

	sf_flowtab_fini(&c->ft);
	free(c->top);
	memset(c, 0, sizeof(*c));
}
