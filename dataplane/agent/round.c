// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * round.c - one agent round: reconcile when the inputs changed, probe every
 * NSH-aware SF instance, and update each instance's up/down state
 * (sfc_sf_state) from the echoes (link state for SFC-unaware ones), and
 * mark app endpoints whose host veth has qdiscs (shaping.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "sfc_dp.h"
#include "agent.h"

static int reconcile_if_changed(const struct agent_cfg *cfg, uint64_t *last_sig,
				uint64_t *last_full, char *last_err,
				size_t errlen)
{
	char err[4096] = "";
	uint64_t sig = agent_scan(cfg), now = sfc_dp_now_ns();
	int rc;

	if (sig == *last_sig && *last_full && now - *last_full < AGENT_FULL_RECONCILE_NS)
		return 0;
	rc = sfc_reconcile(cfg->conf_dir, cfg->state_dir, cfg->pin_dir, err,
			   sizeof(err));
	if (rc && strcmp(err, last_err))
		agent_log("reconcile: %s", err[0] ? err : strerror(-rc));
	else if (!rc && (last_err[0] || cfg->verbose || sig != *last_sig))
		agent_log("reconciled");
	snprintf(last_err, errlen, "%s", rc ? (err[0] ? err : strerror(-rc)) : "");
	/* Programmed (possibly with per-chain errors): wait for the next change. */
	if (!rc || rc == -EINVAL) {
		*last_sig = sig;
		*last_full = now;
	}
	return rc;
}

/* Wait (--once) until every probed SF echoed after @sent_ns, at most
 * dead_after ms. */
static void wait_echoes(const struct agent_cfg *cfg, struct sfc_dp *dp,
			const struct sfc_ep_record *eps, int n,
			const uint8_t *unaware, uint64_t sent_ns)
{
	uint64_t deadline = sent_ns + (uint64_t)cfg->dead_after_ms * 1000000ull;
	struct timespec ts = { 0, 10 * 1000000L };
	uint64_t last;
	int i, pending;

	do {
		pending = 0;
		for (i = 0; i < n; i++) {
			last = 0;
			if (eps[i].role != SFC_ROLE_SF || !eps[i].vpid ||
			    eps[i].vpid >= SFC_MAX_ENDPOINTS || unaware[eps[i].vpid])
				continue;
			bpf_map_lookup_elem(dp->sf_health_fd, &eps[i].vpid, &last);
			pending += last < sent_ns;
		}
		if (!pending)
			return;
		nanosleep(&ts, NULL);
	} while (sfc_dp_now_ns() < deadline);
}

static void probe_all(const struct agent_cfg *cfg, struct agent_health *h,
		      const struct sfc_ep_record *eps, int n,
		      const uint8_t *unaware, uint64_t now)
{
	uint32_t v;
	int i, rc;

	for (i = 0; i < n; i++) {
		v = eps[i].vpid;
		if (eps[i].role != SFC_ROLE_SF || !v || v >= SFC_MAX_ENDPOINTS ||
		    unaware[v])
			continue;
		rc = agent_probe_send(&eps[i]);
		if (rc && cfg->verbose)
			agent_log("probe %s/%s via %s: %s", eps[i].pod_namespace,
				  eps[i].pod_name, eps[i].host_ifname, strerror(-rc));
		if (!h->since_ns[v] && !cfg->once)
			h->since_ns[v] = now;
	}
}

int agent_health_round(const struct agent_cfg *cfg, struct agent_health *h)
{
	static uint8_t unaware[SFC_MAX_ENDPOINTS];
	struct sfc_ep_record *eps = NULL;
	struct sfc_dp dp;
	uint64_t sent;
	int n = 0, rc, rc2, lock;

	rc = sfc_state_list(cfg->state_dir, &eps, &n);
	if (rc)
		return rc;
	rc = sfc_dp_open(cfg->pin_dir, &dp);
	if (rc) {
		free(eps);
		return rc;
	}
	rc = agent_unaware_load(&dp, unaware);
	if (rc)
		agent_log("reading sfc_groups: %s", strerror(-rc));
	sent = sfc_dp_now_ns();
	probe_all(cfg, h, eps, n, unaware, sent);
	if (cfg->once)
		wait_echoes(cfg, &dp, eps, n, unaware, sent);
	lock = sfc_dp_lock(cfg->pin_dir);
	if (lock >= 0) {
		rc = agent_health_update(cfg, &dp, eps, n, unaware,
					 sfc_dp_now_ns(), h);
		rc2 = agent_shaping_update(&dp, eps, n);
		sfc_dp_unlock(lock);
		if (rc2)
			agent_log("qdisc scan: %s", strerror(-rc2));
	} else {
		rc = lock;
	}
	if (rc)
		agent_log("health update: %s", strerror(-rc));
	sfc_dp_close(&dp);
	free(eps);
	return rc;
}

int agent_round(const struct agent_cfg *cfg, struct agent_health *h,
		uint64_t *last_sig, uint64_t *last_full, char *last_err,
		size_t errlen)
{
	int rc, rc2;

	rc = reconcile_if_changed(cfg, last_sig, last_full, last_err, errlen);
	rc2 = agent_health_round(cfg, h);
	return rc ? rc : rc2;
}
