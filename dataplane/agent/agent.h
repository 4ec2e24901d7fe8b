/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * agent.h - sfc-agent internals: change detection, OAM probes, health.
 */
#ifndef SFC_AGENT_H
#define SFC_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sfc_control.h"

struct sfc_dp;

struct agent_cfg {
	const char *conf_dir;
	const char *state_dir;
	const char *pin_dir;
	unsigned interval_ms;      /* loop period */
	unsigned dead_after_ms;    /* no echo for this long -> instance down */
	bool once;
	bool verbose;
};

/* Last logged state per VPID: 0 unknown, 1 up, 2 down. */
struct agent_health {
	uint8_t state[SFC_MAX_ENDPOINTS];
	uint64_t since_ns[SFC_MAX_ENDPOINTS]; /* first probe (sfc_dp_now_ns());
					       * 0 = judge now */
};

/* Fingerprint of chains.d, pods.d and endpoints/ (names, sizes, mtimes).
 * Return: the fingerprint; changes whenever a file is added, removed,
 * replaced or edited. */
uint64_t agent_scan(const struct agent_cfg *cfg);

/**
 * agent_probe_send() - send one NSH OAM liveness probe (RFC 8300 section
 * 2.2, O bit) to SF endpoint @r out of its host-side veth through an
 * AF_PACKET socket. Return: 0 or -errno.
 */
int agent_probe_send(const struct sfc_ep_record *r);

/**
 * agent_unaware_load() - @unaware[vpid] = 1 (SFC_MAX_ENDPOINTS bytes) for
 * every member of an sfc_groups entry flagged SFC_MEMBER_F_UNAWARE: those
 * instances are not probed (an SFC-unaware SF does not echo NSH).
 * Return: 0 or -errno.
 */
int agent_unaware_load(struct sfc_dp *dp, uint8_t *unaware);

/**
 * agent_health_update() - judge every SF endpoint in @eps alive or dead
 * and write sfc_sf_state[vpid] (SFC_SF_F_DOWN set / cleared, only on a
 * change). NSH-aware instances: alive when their last OAM echo
 * (sfc_sf_health) is within @cfg->dead_after_ms of @now_ns (the dataplane
 * clock, sfc_dp_now_ns(), which the echo times are on); one that has
 * never echoed is dead; one that echoed before and has been probed
 * (@h->since_ns) for less than dead_after is left as it is. SFC-unaware
 * instances (@unaware[vpid]): alive while their host veth is up with
 * carrier and their netns exists. Logs state changes to stderr.
 * Caller holds the node lock. Return: 0 or -errno.
 */
int agent_health_update(const struct agent_cfg *cfg, struct sfc_dp *dp,
			const struct sfc_ep_record *eps, int n_eps,
			const uint8_t *unaware, uint64_t now_ns,
			struct agent_health *h);

/**
 * agent_shaping_update() - set / clear SFC_EP_F_SHAPED_IN and _OUT in
 * sfc_endpoints for every app endpoint in @eps from the qdiscs on its host
 * veth (a root qdisc other than noqueue; an ingress or clsact qdisc), read
 * in one RTM_GETQDISC dump of the agent's netns. Writes only on a change
 * and logs it. Caller holds the node lock. Return: 0 or -errno.
 */
int agent_shaping_update(struct sfc_dp *dp, const struct sfc_ep_record *eps,
			 int n_eps);

/**
 * agent_round() - one round: reconcile when chains.d, pods.d or endpoints/
 * changed (@last_sig: their agent_scan() fingerprint when last programmed)
 * or FULL_RECONCILE_NS after the last one (@last_full, sfc_dp_now_ns());
 * probe every NSH-aware SF instance and update every instance's state and
 * the app endpoints' qdisc marks. A reconcile problem is logged when it
 * differs from @last_err (@errlen bytes, kept between rounds), so a
 * standing one is logged once. Return: 0, the reconcile's -errno (-EINVAL:
 * objects with problems, the rest programmed), or the health update's.
 */
int agent_round(const struct agent_cfg *cfg, struct agent_health *h,
		uint64_t *last_sig, uint64_t *last_full, char *last_err,
		size_t errlen);

/* Log to stderr with a timestamp. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SFC_AGENT_H */
