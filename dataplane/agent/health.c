// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * health.c - per-instance liveness: OAM echo times (sfc_sf_health) of
 * NSH-aware SFs, link state of SFC-unaware ones, into sfc_sf_state[vpid].
 * The SFF moves a flow off an instance marked down on its next packet and
 * applies the chain's fail-open / fail-closed policy when a hop's group
 * has no live instance left.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* 0 alive, 1 dead, 2 undecided (echoed before, silent for less than
 * dead_after since we started probing it: keep its state as it is). An
 * instance that never echoed (sfc_sf_health 0) is dead: a new SF pod gets
 * flows only once its SF answers. Echo times and @now_ns are on the
 * dataplane clock, where 0 is older than any dead_after. */
static uint8_t sf_verdict(const struct agent_cfg *cfg, struct sfc_dp *dp,
			  uint32_t vpid, uint64_t now_ns, uint64_t since_ns)
{
	uint64_t last = 0, dead = (uint64_t)cfg->dead_after_ms * 1000000ull;

	bpf_map_lookup_elem(dp->sf_health_fd, &vpid, &last);
	if (last && last <= now_ns && now_ns - last <= dead)
		return 0;
	if (last && since_ns && now_ns - since_ns < dead)
		return 2;
	return 1;
}

/* An SFC-unaware SF cannot echo NSH OAM: it is alive while its host-side
 * veth is up with carrier (a veth has carrier only while its peer, the
 * SF's interface, is up) and its network namespace still exists. */
static uint8_t link_verdict(const struct sfc_ep_record *r)
{
	struct stat st;
	struct ifreq ifr;
	int fd, up = 0;

	if (r->netns[0] && stat(r->netns, &st))
		return 1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 2;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->host_ifname);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
		up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return up ? 0 : 1;
}

int agent_unaware_load(struct sfc_dp *dp, uint8_t *unaware)
{
	struct sfc_group g;
	uint32_t id, i;

	memset(unaware, 0, SFC_MAX_ENDPOINTS);
	for (id = 1; id < SFC_MAX_GROUPS; id++) {
		if (bpf_map_lookup_elem(dp->groups_fd, &id, &g))
			return -errno;
		for (i = 0; i < g.n_members && i < SFC_GROUP_MAX_MEMBERS; i++)
			if ((g.m[i].flags & SFC_MEMBER_F_UNAWARE) &&
			    g.m[i].vpid < SFC_MAX_ENDPOINTS)
				unaware[g.m[i].vpid] = 1;
	}
	return 0;
}

/* sfc_sf_state[@vpid] = DOWN or 0, written only when it changes. */
static int set_state(struct sfc_dp *dp, uint32_t vpid, int down)
{
	uint32_t cur = 0, want;

	if (bpf_map_lookup_elem(dp->sf_state_fd, &vpid, &cur))
		return -errno;
	want = down ? (cur | SFC_SF_F_DOWN) : (cur & ~(uint32_t)SFC_SF_F_DOWN);
	if (want == cur)
		return 0;
	if (bpf_map_update_elem(dp->sf_state_fd, &vpid, &want, BPF_ANY))
		return -errno;
	return 0;
}

static void log_change(const struct sfc_ep_record *r, uint8_t st, int unaware)
{
	agent_log("SF instance %s/%s (%s, vpid %u, %s) is %s (%s)",
		  r->pod_namespace, r->pod_name, r->function, r->vpid,
		  r->host_ifname, st == 1 ? "up" : "down",
		  unaware ? "SFC-unaware: link and netns" : "NSH OAM echo");
}

int agent_health_update(const struct agent_cfg *cfg, struct sfc_dp *dp,
			const struct sfc_ep_record *eps, int n_eps,
			const uint8_t *unaware, uint64_t now_ns,
			struct agent_health *h)
{
	uint8_t *seen = calloc(SFC_MAX_ENDPOINTS, 1), st, v;
	const struct sfc_ep_record *r;
	int i, rc, err = 0;
	uint32_t vpid;

	if (!seen)
		return -ENOMEM;
	for (i = 0; i < n_eps; i++) {
		r = &eps[i];
		vpid = r->vpid;
		if (r->role != SFC_ROLE_SF || !vpid || vpid >= SFC_MAX_ENDPOINTS)
			continue;
		seen[vpid] = 1;
		v = unaware[vpid] ? link_verdict(r)
				  : sf_verdict(cfg, dp, vpid, now_ns, h->since_ns[vpid]);
		if (v == 2)
			continue;
		rc = set_state(dp, vpid, v);
		if (rc && !err)
			err = rc;
		st = v ? 2 : 1;
		if (h->state[vpid] != st)
			log_change(r, st, unaware[vpid]);
		h->state[vpid] = st;
	}
	for (vpid = 0; vpid < SFC_MAX_ENDPOINTS; vpid++) {
		if (!seen[vpid]) {
			h->state[vpid] = 0;
			h->since_ns[vpid] = 0;
		}
	}
	free(seen);
	return err;
}
