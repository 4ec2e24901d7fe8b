// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * shaping.c - qdiscs on app endpoints' host veths, into sfc_endpoint.flags.
 *
 * The reference bandwidth plugin (later in the conflist) shapes a pod with
 * a tbf root qdisc on its host veth (traffic to the pod) and an ingress
 * qdisc redirecting to an ifb (traffic from the pod); an operator's own tc
 * setup looks the same. The classifier's direct pod-to-pod path would skip
 * both (tcx runs before the ingress qdisc, redirect_peer skips the root
 * qdisc), so the agent marks such endpoints and the dataplane routes their
 * traffic through the qdiscs (dataplane/bpf/lib/deliver.h,
 * sfc_classifier.bpf.c). A root "noqueue" (a veth's default) is no qdisc,
 * nor is the clsact of an endpoint attached in tc mode: our filter is the
 * first on it (an ingress qdisc cannot be added beside it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/pkt_sched.h>
#include <netlink/netlink.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "sfc_dp.h"
#include "agent.h"

struct qd {
	int ifindex;
	uint8_t flags; /* SFC_EP_F_SHAPED_* */
	bool clsact;   /* the ingress slot holds a clsact (maybe ours) */
};

static int qd_cmp(const void *a, const void *b)
{
	const struct qd *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* Every interface's SFC_EP_F_SHAPED_* from one qdisc dump, sorted. */
static int qdisc_flags(struct qd **out, int *n_out)
{
	struct nl_cache *cache = NULL;
	struct nl_sock *sk;
	struct nl_object *o;
	struct qd *v = NULL;
	int n = 0, cap = 0, err;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_qdisc_alloc_cache(sk, &cache);
	if (err < 0) {
		err = -EIO; /* libnl error codes are not errnos */
		goto out;
	}
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_tc *tc = (struct rtnl_tc *)o;
		const char *kind = rtnl_tc_get_kind(tc);
		uint32_t parent = rtnl_tc_get_parent(tc);
		uint8_t f = 0;

		if (parent == TC_H_ROOT && kind && strcmp(kind, "noqueue"))
			f = SFC_EP_F_SHAPED_IN;
		else if (parent == TC_H_INGRESS) /* ingress or clsact */
			f = SFC_EP_F_SHAPED_OUT;
		if (!f)
			continue;
		if (n == cap) {
			struct qd *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!nv) {
				err = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[n].ifindex = rtnl_tc_get_ifindex(tc);
		v[n].clsact = kind && !strcmp(kind, "clsact");
		v[n++].flags = f;
	}
	qsort(v, n, sizeof(*v), qd_cmp);
	*out = v;
	*n_out = n;
	v = NULL;
	err = 0;
out:
	free(v);
	nl_cache_free(cache);
	nl_socket_free(sk);
	return err;
}

/* @ours_clsact: the endpoint's program is a filter on a clsact (tc hook
 * mode, SFC_REC_F_HOOK_TC), which is then no shaping. */
static uint8_t flags_of(const struct qd *v, int n, int ifindex, bool ours_clsact)
{
	struct qd key = { .ifindex = ifindex };
	const struct qd *hit = bsearch(&key, v, n, sizeof(*v), qd_cmp);
	uint8_t f = 0;

	if (!hit)
		return 0;
	/* bsearch lands on any of the interface's entries: gather them all. */
	while (hit > v && hit[-1].ifindex == ifindex)
		hit--;
	for (; hit < v + n && hit->ifindex == ifindex; hit++)
		if (!(ours_clsact && hit->clsact))
			f |= hit->flags;
	return f;
}

int agent_shaping_update(struct sfc_dp *dp, const struct sfc_ep_record *eps,
			 int n_eps)
{
	struct qd *v = NULL;
	int n = 0, err;

	err = qdisc_flags(&v, &n);
	if (err)
		return err;
	for (int i = 0; i < n_eps; i++) {
		struct sfc_endpoint ep;
		__u32 vpid = eps[i].vpid;
		uint8_t want;

		if (eps[i].role != SFC_ROLE_APP || !vpid || vpid >= SFC_MAX_ENDPOINTS ||
		    bpf_map_lookup_elem(dp->endpoints_fd, &vpid, &ep) ||
		    ep.role != SFC_ROLE_APP)
			continue;
		want = (ep.flags & ~SFC_EP_F_SHAPED) |
		       flags_of(v, n, (int)ep.ifindex,
				eps[i].flags & SFC_REC_F_HOOK_TC);
		if (want == ep.flags)
			continue;
		agent_log("%s/%s (%s): qdiscs %s%s%s", eps[i].pod_namespace,
			  eps[i].pod_name, eps[i].host_ifname,
			  want & SFC_EP_F_SHAPED_IN ? "root " : "",
			  want & SFC_EP_F_SHAPED_OUT ? "ingress " : "",
			  want & SFC_EP_F_SHAPED ? "shape its traffic: routed through them"
						 : "gone: direct delivery");
		ep.flags = want;
		if (bpf_map_update_elem(dp->endpoints_fd, &vpid, &ep, BPF_EXIST) && !err)
			err = -errno;
	}
	free(v);
	return err;
}
