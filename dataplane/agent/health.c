// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * health.c - turn OAM echo times (sfc_sf_health) into SFC_HOP_F_DOWN on
 * the sfc_paths hops of each SF instance; the SFF applies the chain's
 * fail-open / fail-closed policy to hops marked down.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "sfc_dp.h"
#include "agent.h"

void agent_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld sfc-agent: ", tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* 0 alive, 1 dead, 2 undecided (probed for less than dead_after and no
 * echo yet: leave its hops as they are). */
static uint8_t sf_verdict(const struct agent_cfg *cfg, struct sfc_dp *dp,
			  uint32_t vpid, uint64_t now_ns, uint64_t since_ns)
{
	uint64_t last = 0, dead = (uint64_t)cfg->dead_after_ms * 1000000ull;

	bpf_map_lookup_elem(dp->sf_health_fd, &vpid, &last);
	if (last && last <= now_ns && now_ns - last <= dead)
		return 0;
	if (since_ns && now_ns - since_ns < dead)
		return 2;
	return 1;
}

/* Set the DOWN flag of every SF hop per @down[vpid] (0 up, 1 down, 2 keep);
 * hops with no instance (vpid 0) are always down. */
static int mark_hops(struct sfc_dp *dp, const uint8_t *down)
{
	uint32_t key, *prev = NULL;
	struct sfc_hop hop;
	uint8_t want;
	int err = 0;

	while (!bpf_map_get_next_key(dp->paths_fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(dp->paths_fd, &key, &hop) ||
		    hop.kind != SFC_HOP_SF)
			continue;
		want = hop.flags & ~SFC_HOP_F_DOWN;
		if (!hop.vpid || hop.vpid >= SFC_MAX_ENDPOINTS || down[hop.vpid] == 1)
			want |= SFC_HOP_F_DOWN;
		else if (down[hop.vpid] == 2)
			want = hop.flags;
		if (want == hop.flags)
			continue;
		hop.flags = want;
		if (bpf_map_update_elem(dp->paths_fd, &key, &hop, BPF_EXIST) &&
		    errno != ENOENT && !err)
			err = -errno;
	}
	return err;
}

static void log_change(const struct sfc_ep_record *r, uint8_t st)
{
	agent_log("SF instance %s/%s (%s, vpid %u, %s) is %s",
		  r->pod_namespace, r->pod_name, r->function, r->vpid,
		  r->host_ifname, st == 1 ? "up" : "down");
}

int agent_health_update(const struct agent_cfg *cfg, struct sfc_dp *dp,
			const struct sfc_ep_record *eps, int n_eps,
			uint64_t now_ns, struct agent_health *h)
{
	uint8_t *down = malloc(SFC_MAX_ENDPOINTS), st;
	uint8_t *seen = calloc(SFC_MAX_ENDPOINTS, 1);
	const struct sfc_ep_record *r;
	uint32_t v;
	int i, err = -ENOMEM;

	if (!down || !seen)
		goto cleanup;
	memset(down, 1, SFC_MAX_ENDPOINTS); /* VPIDs with no SF record: down */
	for (i = 0; i < n_eps; i++) {
		r = &eps[i];
		v = r->vpid;
		if (r->role != SFC_ROLE_SF || !v || v >= SFC_MAX_ENDPOINTS)
			continue;
		seen[v] = 1;
		down[v] = sf_verdict(cfg, dp, v, now_ns, h->since_ns[v]);
		if (down[v] == 2)
			continue;
		st = down[v] ? 2 : 1;
		if (h->state[v] != st)
			log_change(r, st);
		h->state[v] = st;
	}
	for (v = 0; v < SFC_MAX_ENDPOINTS; v++) {
		if (!seen[v]) {
			h->state[v] = 0;
			h->since_ns[v] = 0;
		}
	}
	err = mark_hops(dp, down);
cleanup:
	free(down);
	free(seen);
	return err;
}
