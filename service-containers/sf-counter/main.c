// SPDX-License-Identifier: GPL-2.0-only
/*
 * sf-counter - NSH-aware monitoring SF: counts packets and bytes per flow
 * (directed inner 5-tuple) and in total, passes everything on with SI - 1.
 * The top flows by bytes appear in the stats file. The flow table is
 * service-containers/lib/flowtab.h.
 *
 * Config (optional): {"max_flows": 65536, "top": 10}
 */
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "flowtab.h"
#include "sfapp.h"

#define COUNTER_MAX_FLOWS_DEFAULT 65536
#define COUNTER_TOP_DEFAULT 10
#define COUNTER_TOP_MAX 1000

struct counter {
	struct sf_flowtab ft;
	const struct sf_flow **top; /* scratch for the stats, top_n entries */
	unsigned int top_n;
	uint64_t start_ms;
};

static int get_uint(const cJSON *cfg, const char *key, unsigned long lo,
		    unsigned long hi, unsigned long *out, const char *path,
		    char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != (double)(unsigned long)v->valuedouble)
		return sf_config_err(err, errlen, path, key,
				     "expected an integer in %lu..%lu", lo, hi);
	*out = (unsigned long)v->valuedouble;
	return 0;
}

static int counter_configure(void *ctx, const cJSON *cfg, const char *path,
			     char *err, size_t errlen)
{
	static const char *const keys[] = { "max_flows", "top", "comment",
					    NULL };
	unsigned long max_flows = COUNTER_MAX_FLOWS_DEFAULT;
	unsigned long top = COUNTER_TOP_DEFAULT;
	struct counter *c = ctx;
	int ret = 0;

	if (cfg) {
		ret = sf_config_check_keys(cfg, keys, path, "", err, errlen);
		if (!ret)
			ret = get_uint(cfg, "max_flows", 1, SF_FLOWTAB_MAX_CAP,
				       &max_flows, path, err, errlen);
		if (!ret)
			ret = get_uint(cfg, "top", 0, COUNTER_TOP_MAX, &top,
				       path, err, errlen);
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

static enum sf_verdict counter_packet(void *ctx, const struct sf_pkt *pkt)
{
	struct counter *c = ctx;

	/* Inner IP length, not frame length: what the flow carried. */
	sf_flowtab_account(&c->ft, &pkt->inner.t, pkt->inner.l3_len,
			   sf_now_ms() - c->start_ms);
	return SF_VERDICT_PASS;
}

static void counter_stats(void *ctx, struct sfc_jbuf *jb)
{
	struct counter *c = ctx;

	sf_flowtab_stats_json(&c->ft, jb, c->top, c->top_n);
}

static void counter_fini(void *ctx)
{
	struct counter *c = ctx;

	sf_flowtab_fini(&c->ft);
	free(c->top);
	c->top = NULL;
}

int main(int argc, char **argv)
{
	static const struct sf_app_ops ops = {
		.name = "sf-counter",
		.configure = counter_configure,
		.on_packet = counter_packet,
		.stats_json = counter_stats,
		.fini = counter_fini,
	};
	struct counter c = { 0 };

	return sf_app_main(argc, argv, &ops, &c);
}
