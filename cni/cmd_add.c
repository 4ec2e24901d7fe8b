// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_add.c - CNI ADD (spec section "ADD: Add container to network").
 *
 * Order: validate -> pod annotations -> node init -> veth pair (host end
 * up, the peer created in the pod netns as CNI_IFNAME) -> one visit of
 * the pod netns (netlink socket, MAC changes announced) -> lo and the pod
 * interface up -> IPAM ADD started (in tc mode before the veth), and
 * while it runs our program attached to the host veth (tc filter: fast;
 * tcx link: the kernel waits for an RCU grace period there) -> IPAM
 * result -> pod side
 * (addresses without prefix routes, scope-link route to the gateway,
 * default route via it, permanent neighbour gateway -> host veth MAC) ->
 * host side (/32 or /128 route to the pod) -> under the node lock: VPID,
 * endpoint maps, program link pinned (tcx mode), state record.
 * Every step that creates something sets a flag in struct add_undo; a
 * failure unwinds them in reverse, so nothing half-created is left behind.
 *
 * Chained after an interface-creating plugin (prevResult has CNI_IFNAME in
 * a sandbox and a host-side interface), cmd_add_attach() does only the
 * dataplane part on that plugin's host interface and passes prevResult on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cni_cmd.h"
#include "cni_net.h"
#include "sfc_dp.h"

struct add_undo {
	struct nl_sock *host;
	struct nl_sock *pod;
	int netns_fd;
	struct cni_ipam_job job; /* IPAM ADD while it runs */
	bool link;          /* veth pair created */
	bool ipam;          /* IPAM ADD succeeded */
	int link_fd;        /* our program's tcx link, not pinned yet */
	bool tc;            /* our tc filter on our own veth (goes with it) */
	int lock_fd;
	struct sfc_dp dp;
	bool dp_open;
	bool vpid;          /* VPID allocated (endpoint slot written) */
	bool attached;
	bool state;
};

/* What the handler learns on the way, shared by the steps. */
struct add_info {
	char host_if[CNI_IFNAMSIZ];
	char host_mac[18];
	char pod_mac[18];
	int host_idx;
	int pod_idx;
	int mtu;
	struct sfc_pod_info pod;
	enum sfc_role role;
	struct cni_ipam_result ipam;
	uint32_t vpid;
	bool attach_only;   /* chained: the interface is another plugin's */
	enum cni_hook_attach hook; /* CNI_HOOK_TCX or CNI_HOOK_TC */
	uint64_t agent_deadline; /* cluster mode: cni_agent_deadline() */
};

static int parse_mac(const char *s, __u8 out[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		out[i] = (__u8)b[i];
	return 0;
}

static int add_open(struct cni_ctx *x, struct add_undo *u, struct add_info *in)
{
	struct cni_err *e = &x->err;
	char why[512] = "";
	bool probe;
	int err;

	u->netns_fd = cni_netns_open_pod(x->env.netns, e);
	if (u->netns_fd < 0)
		return u->netns_fd;
	if (x->conf.agent_socket[0]) {
		/* Cluster mode: the agent knows the pod (fails closed). */
		in->agent_deadline = cni_agent_deadline(&x->conf);
		err = cni_agent_pod(x, in->agent_deadline, &in->pod, e);
		if (err)
			return err;
	} else if (x->args.pod_name[0]) {
		err = sfc_pod_lookup(x->conf.conf_dir, x->args.pod_namespace,
				     x->args.pod_name, &in->pod, why, sizeof(why));
		if (err)
			return cni_err_set(e, CNI_ERR_INTERNAL, err,
					   "pod %s/%s annotations in %s: %s",
					   x->args.pod_namespace, x->args.pod_name,
					   x->conf.conf_dir, why);
	}
	in->role = in->pod.function[0] ? SFC_ROLE_SF : SFC_ROLE_APP;
	in->mtu = in->role == SFC_ROLE_SF ? SFC_SF_MTU : x->conf.mtu;
	/* Only tcx, asked for or on another plugin's interface, needs the
	 * probe: auto on our own veth is tc on any kernel. */
	probe = x->conf.hook_attach == CNI_HOOK_TCX ||
		(x->conf.hook_attach == CNI_HOOK_AUTO && in->attach_only);
	err = cni_hook_choose(x->conf.hook_attach, in->attach_only,
			      probe && sfc_dp_tcx_supported());
	if (err < 0)
		return cni_err_set(e, CNI_ERR_UNSUPPORTED, err,
				   "network config: \"hookAttach\": 'tcx', but this kernel has no tcx (Linux 6.6+); use tc or auto");
	in->hook = (enum cni_hook_attach)err;
	err = sfc_dp_init(x->conf.bpffs_dir);
	if (err)
		return cni_err_set(e, cni_code_from_errno(err), err,
				   "dataplane init at %s", x->conf.bpffs_dir);
	err = cni_nl_open(-1, &u->host);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "netlink socket");
	return 0;
}

/*
 * Have the pod's kernel announce a new MAC on @ifn (gratuitous ARP,
 * unsolicited NA) so that a later plugin of the conflist (tuning "mac") or
 * the pod itself can change it: the classifier learns it from those frames
 * (dataplane/bpf/lib/neigh.h) and the host's neighbour entry follows.
 * IPv6 may be disabled in the pod; IPv4 may not. Runs in the pod netns.
 */
static int announce_mac_changes(const char *ifn)
{
	char key[96];
	int err;

	snprintf(key, sizeof(key), "net/ipv4/conf/%s/arp_notify", ifn);
	err = cni_netns_sysctl(-1, key, "1");
	if (err)
		return err;
	snprintf(key, sizeof(key), "net/ipv6/conf/%s/ndisc_notify", ifn);
	err = cni_netns_sysctl(-1, key, "1");
	return err == -ENOENT ? 0 : err;
}

struct pod_visit {
	struct nl_sock *sk;     /* NULL: socket wanted; else already there */
	const char *ifname;     /* NULL: no MAC announcements */
	bool sysctl_failed;
};

/* Inside the pod netns: its netlink socket and the MAC announcements. */
static int pod_visit_cb(void *arg)
{
	struct pod_visit *v = arg;
	int err = v->sk ? 0 : cni_nl_connect(&v->sk);

	if (err || !v->ifname)
		return err;
	err = announce_mac_changes(v->ifname);
	v->sysctl_failed = err != 0;
	return err;
}

/* One setns() round trip for what is still missing of: u->pod, and
 * (@announce) arp_notify/ndisc_notify on the pod interface. */
static int add_pod_visit(struct cni_ctx *x, struct add_undo *u, bool announce)
{
	struct pod_visit v = { .sk = u->pod,
			       .ifname = announce ? x->env.ifname : NULL };
	int err = cni_netns_run(u->netns_fd, pod_visit_cb, &v);

	if (!u->pod && !err)
		u->pod = v.sk;
	else if (!u->pod)
		cni_nl_close(v.sk);
	if (!err)
		return 0;
	if (v.sysctl_failed)
		return cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
				   "arp_notify/ndisc_notify on %s in %s",
				   x->env.ifname, x->env.netns);
	return cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "netlink socket");
}

static int add_veth(struct cni_ctx *x, struct add_undo *u, struct add_info *in)
{
	struct cni_err *e = &x->err;
	int err;

	cni_host_ifname(x->conf.host_prefix, x->env.container_id, x->env.ifname,
			in->host_if);
	err = cni_veth_create(u->host, in->host_if, x->env.ifname, u->netns_fd,
			      in->mtu, x->conf.mac);
	if (err == -EEXIST)
		return cni_err_set(e, CNI_ERR_INTERNAL, err,
				   "veth %s (host) or %s (in %s) already exists",
				   in->host_if, x->env.ifname, x->env.netns);
	if (err)
		return cni_err_set(e, cni_code_from_errno(err), err,
				   "creating veth %s <-> %s in %s", in->host_if,
				   x->env.ifname, x->env.netns);
	u->link = true;
	err = cni_link_get(u->host, in->host_if, &in->host_idx, in->host_mac);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "reading host veth %s",
				   in->host_if);
	return 0;
}

/* The pod end: MAC announcements, ifindex and MAC, lo and it up. */
static int add_pod_iface(struct cni_ctx *x, struct add_undo *u,
			 struct add_info *in)
{
	struct cni_err *e = &x->err;
	int err;

	err = add_pod_visit(x, u, true);
	if (err)
		return err;
	err = cni_link_get(u->pod, x->env.ifname, &in->pod_idx, in->pod_mac);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "reading %s in %s",
				   x->env.ifname, x->env.netns);
	if ((err = cni_link_up(u->pod, "lo")) ||
	    (err = cni_link_up(u->pod, x->env.ifname)))
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "bringing up lo/%s in %s",
				   x->env.ifname, x->env.netns);
	return 0;
}

static const char *role_prog(enum sfc_role role)
{
	return role == SFC_ROLE_SF ? SFC_PROG_FROM_SF : SFC_PROG_FROM_POD;
}

/* Our program on the host veth's ingress. tcx: held by an unpinned link
 * until add_dataplane() pins it under the node lock: a crash before that
 * closes the fd, which detaches it. tc: a filter that lives with the veth,
 * which DEL or GC deletes should this ADD die. */
static int add_link(struct cni_ctx *x, struct add_undo *u, struct add_info *in)
{
	int err;

	if (in->hook == CNI_HOOK_TC) {
		err = sfc_dp_tc_attach(x->conf.bpffs_dir, in->host_idx, in->role);
		u->tc = !err;
	} else {
		u->link_fd = sfc_dp_link_create(x->conf.bpffs_dir, in->host_idx,
						in->role);
		err = u->link_fd < 0 ? u->link_fd : 0;
	}
	if (err)
		return cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
				   "attaching the %s program to %s (%s)",
				   role_prog(in->role), in->host_if,
				   in->hook == CNI_HOOK_TC ? "tc" : "tcx");
	return 0;
}

static int add_ipam_start(struct cni_ctx *x, struct add_undo *u)
{
	return cni_ipam_start(&x->env, &x->conf, "ADD", x->stdin_data,
			      x->stdin_len, &u->job, &x->err);
}

static int add_ipam_wait(struct cni_ctx *x, struct add_undo *u,
			 struct add_info *in)
{
	char *out = NULL;
	int err;

	err = cni_ipam_wait(&u->job, &out, &x->err);
	if (err)
		return err;
	u->ipam = true;
	err = cni_ipam_result_parse(out ? out : "", &in->ipam, &x->err);
	free(out);
	return err;
}

/* Route @dst [via @gw] out of @ifindex (@ifn in @where); another route to
 * @dst is never replaced. */
static int add_route(struct cni_ctx *x, struct nl_sock *sk, const char *where,
		     int ifindex, const char *ifn, const char *dst, const char *gw)
{
	int err = cni_route_add(sk, ifindex, dst, gw);

	if (err == -EEXIST)
		return cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
				   "route %s in %s: another route to it exists (not sfc-cni's, not replaced)",
				   dst, where);
	if (err)
		return cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
				   "route %s%s%s dev %s in %s", dst, gw ? " via " : "",
				   gw ? gw : "", ifn, where);
	return 0;
}

/* Pod side (lo and the interface are up already): addresses, routes,
 * gateway neighbour. */
static int add_pod_net(struct cni_ctx *x, struct add_undo *u, struct add_info *in)
{
	const char *ifn = x->env.ifname;
	struct cni_err *e = &x->err;
	int err, fams[2] = { 4, 6 };

	for (int i = 0; i < in->ipam.n_ips; i++) {
		err = cni_addr_add(u->pod, in->pod_idx, &in->ipam.ips[i]);
		if (err)
			return cni_err_set(e, CNI_ERR_INTERNAL, err, "adding %s/%d to %s",
					   in->ipam.ips[i].addr, in->ipam.ips[i].prefix, ifn);
	}
	for (int f = 0; f < 2; f++) {
		const char *gw = cni_ip_gateway(&in->ipam, fams[f]);
		char host[80];
		bool have = false;

		for (int i = 0; i < in->ipam.n_ips; i++)
			have |= in->ipam.ips[i].family == fams[f];
		if (!have)
			continue;
		snprintf(host, sizeof(host), "%s/%d", gw, fams[f] == 4 ? 32 : 128);
		if ((err = add_route(x, u->pod, x->env.netns, in->pod_idx, ifn,
				     host, NULL)) ||
		    (err = add_route(x, u->pod, x->env.netns, in->pod_idx, ifn,
				     fams[f] == 4 ? "0.0.0.0/0" : "::/0", gw)))
			return err;
		if ((err = cni_neigh_add(u->pod, in->pod_idx, gw, in->host_mac)))
			return cni_err_set(e, CNI_ERR_INTERNAL, err,
					   "gateway %s neighbour on %s", gw, ifn);
	}
	for (int i = 0; i < in->ipam.n_routes; i++) {
		const struct cni_route *rt = &in->ipam.routes[i];
		const char *gw = rt->gw[0] ? rt->gw
				 : cni_ip_gateway(&in->ipam, strchr(rt->dst, ':') ? 6 : 4);

		err = add_route(x, u->pod, x->env.netns, in->pod_idx, ifn, rt->dst, gw);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Host side (the veth is up already): host route to each pod address. The
 * host resolves the pod's MAC itself (no permanent neighbour) so it
 * follows MAC changes.
 */
static int add_host_net(struct cni_ctx *x, struct add_undo *u, struct add_info *in)
{
	int err;

	for (int i = 0; i < in->ipam.n_ips; i++) {
		const struct cni_ip *ip = &in->ipam.ips[i];
		char dst[80];

		snprintf(dst, sizeof(dst), "%s/%d", ip->addr, ip->family == 4 ? 32 : 128);
		err = add_route(x, u->host, "the host netns", in->host_idx,
				in->host_if, dst, NULL);
		if (err)
			return err;
	}
	return 0;
}

static void fill_record(const struct cni_ctx *x, const struct add_info *in,
			struct sfc_ep_record *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->container_id, sizeof(r->container_id), "%s", x->env.container_id);
	snprintf(r->ifname, sizeof(r->ifname), "%s", x->env.ifname);
	snprintf(r->host_ifname, sizeof(r->host_ifname), "%s", in->host_if);
	snprintf(r->netns, sizeof(r->netns), "%s", x->env.netns);
	snprintf(r->pod_namespace, sizeof(r->pod_namespace), "%s",
		 x->args.pod_namespace[0] ? x->args.pod_namespace : "default");
	snprintf(r->pod_name, sizeof(r->pod_name), "%s", x->args.pod_name);
	snprintf(r->function, sizeof(r->function), "%s", in->pod.function);
	snprintf(r->mac, sizeof(r->mac), "%s", in->pod_mac);
	snprintf(r->host_mac, sizeof(r->host_mac), "%s", in->host_mac);
	snprintf(r->ipam_type, sizeof(r->ipam_type), "%s", x->conf.ipam_type);
	snprintf(r->network, sizeof(r->network), "%s", x->conf.name);
	r->flags = (in->attach_only ? SFC_REC_F_ATTACH_ONLY : 0) |
		   (in->hook == CNI_HOOK_TC ? SFC_REC_F_HOOK_TC : 0);
	r->vpid = in->vpid;
	r->role = in->role;
	r->n_ips = in->ipam.n_ips;
	for (int i = 0; i < in->ipam.n_ips; i++)
		snprintf(r->ips[i], sizeof(r->ips[i]), "%s/%d", in->ipam.ips[i].addr,
			 in->ipam.ips[i].prefix);
}

static int add_endpoint(struct cni_ctx *x, struct add_undo *u,
			struct add_info *in)
{
	struct sfc_ip_key keys[SFC_MAX_IPS];
	struct sfc_endpoint ep = { 0 };
	struct cni_err *e = &x->err;
	int err;

	ep.ifindex = in->host_idx;
	ep.role = in->role;
	if (parse_mac(in->pod_mac, ep.mac) || parse_mac(in->host_mac, ep.host_mac))
		return cni_err_set(e, CNI_ERR_INTERNAL, -EINVAL, "interface MACs");
	for (int i = 0; i < in->ipam.n_ips; i++)
		if ((err = sfc_dp_ip_key(in->ipam.ips[i].addr, &keys[i])))
			return cni_err_set(e, CNI_ERR_INTERNAL, err, "address %s",
					   in->ipam.ips[i].addr);
	err = sfc_dp_vpid_alloc(&u->dp, &ep, &in->vpid);
	if (err)
		return cni_err_set(e, cni_code_from_errno(err), err,
				   "allocating a VPID in %s", x->conf.bpffs_dir);
	u->vpid = true;
	err = sfc_dp_endpoint_put(&u->dp, in->vpid, &ep, keys, in->ipam.n_ips);
	if (!err)
		err = sfc_dp_allowed_src_set(&u->dp, in->vpid, in->pod.allowed_src,
					     in->pod.n_allowed_src);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err,
				   "writing endpoint %u maps", in->vpid);
	return 0;
}

static int add_dataplane(struct cni_ctx *x, struct add_undo *u,
			 struct add_info *in)
{
	struct sfc_ep_record rec;
	struct cni_err *e = &x->err;
	int err;

	u->lock_fd = sfc_dp_lock(x->conf.bpffs_dir);
	if (u->lock_fd < 0)
		return cni_err_set(e, cni_code_from_errno(u->lock_fd), u->lock_fd,
				   "node lock in %s", x->conf.bpffs_dir);
	err = sfc_dp_open_endpoints(x->conf.bpffs_dir, &u->dp);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err,
				   "opening dataplane maps in %s", x->conf.bpffs_dir);
	u->dp_open = true;
	err = add_endpoint(x, u, in);
	if (err)
		return err;
	/* Attach-only endpoints attach here, under the lock, so that GC
	 * never sees our program on another plugin's interface unrecorded. */
	if (u->link_fd >= 0)
		err = sfc_dp_link_pin(x->conf.bpffs_dir, u->link_fd, in->host_if);
	else if (u->tc)
		err = 0;
	else if (in->hook == CNI_HOOK_TC)
		err = sfc_dp_tc_attach(x->conf.bpffs_dir, in->host_idx, in->role);
	else
		err = sfc_dp_attach(x->conf.bpffs_dir, in->host_idx, in->host_if,
				    in->role);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err,
				   "attaching the %s program to %s (%s)",
				   role_prog(in->role), in->host_if,
				   in->hook == CNI_HOOK_TC ? "tc" : "tcx");
	u->attached = true;
	fill_record(x, in, &rec);
	err = sfc_state_write(x->conf.state_dir, &rec);
	if (err)
		return cni_err_set(e, CNI_ERR_IO, err, "writing state record in %s",
				   x->conf.state_dir);
	u->state = true;
	return 0;
}

/*
 * Cluster mode: the record is written; release the node lock (the agent
 * takes it to apply) and have the agent program the endpoint before ADD
 * returns. On failure the lock is taken again for the rollback.
 */
static int add_agent_program(struct cni_ctx *x, struct add_undo *u,
			     struct add_info *in)
{
	int err;

	if (!x->conf.agent_socket[0])
		return 0;
	sfc_dp_unlock(u->lock_fd);
	u->lock_fd = -1;
	err = cni_agent_program(x, in->agent_deadline, in->vpid, &x->err);
	if (err)
		u->lock_fd = sfc_dp_lock(x->conf.bpffs_dir);
	return err;
}

/* Undo in reverse; on success only the handles are released. */
static void add_finish(struct cni_ctx *x, struct add_undo *u,
		       struct add_info *in, bool failed)
{
	char *out = NULL;

	if (failed && u->state)
		sfc_state_remove(x->conf.state_dir, x->env.container_id, x->env.ifname);
	if (failed && u->attached)
		sfc_dp_detach(x->conf.bpffs_dir, in->host_if);
	if (failed && u->vpid)
		sfc_dp_endpoint_del(&u->dp, in->vpid);
	if (u->dp_open)
		sfc_dp_close(&u->dp);
	if (u->lock_fd >= 0)
		sfc_dp_unlock(u->lock_fd);
	if (failed && u->link && u->host)
		cni_link_del(u->host, in->host_if);
	/* Pinned, the link lives on; not, closing it detaches (a no-op once
	 * the veth is gone). */
	if (u->link_fd >= 0)
		close(u->link_fd);
	/* An IPAM ADD still running when an earlier step failed: its
	 * allocation, if it made one, goes too. */
	if (u->job.pid > 0 && !cni_ipam_wait(&u->job, &out, NULL))
		u->ipam = true;
	free(out);
	out = NULL;
	if (failed && u->ipam &&
	    cni_ipam_exec(&x->env, &x->conf, "DEL", x->stdin_data, x->stdin_len,
			  &out, NULL))
		fprintf(stderr, "sfc-cni: rollback: ipam %s DEL failed\n",
			x->conf.ipam_type);
	free(out);
	cni_nl_close(u->pod);
	cni_nl_close(u->host);
	if (u->netns_fd >= 0)
		close(u->netns_fd);
	cni_ipam_result_free(&in->ipam);
}

int cmd_add(struct cni_ctx *x)
{
	struct add_undo u = { .netns_fd = -1, .link_fd = -1, .lock_fd = -1 };
	struct add_info in = { 0 };
	struct cni_iface ifs[2] = { 0 };
	char prev_host[CNI_IFNAMSIZ];
	int err;

	/* Chained after a plugin that made the interface: hooks only. */
	if (x->conf.has_prev_result &&
	    cni_prev_ifaces(&x->conf, x->env.ifname, prev_host))
		return cmd_add_attach(x, prev_host);
	if (!x->conf.ipam_type[0])
		return cni_err_set(&x->err, CNI_ERR_INVALID_CONF, 0,
				   "network config: missing \"ipam\" (needed unless chained after a plugin whose prevResult has the pod interface)");
	/*
	 * IPAM (host-local: a Go binary, several ms) needs nothing of ours
	 * and runs beside our own steps. tcx: started right before the link,
	 * whose RCU grace period (mostly longer) hides it; started first it
	 * competed with the veth's creation for the CPU (ADD 1.16-1.35x,
	 * same runs). tc: IPAM is the longest step of ADD, so it starts
	 * first (ADD 0.93x, median of nine A/B runs); a veth that cannot be
	 * made then releases its allocation in the rollback.
	 */
	err = add_open(x, &u, &in);
	if (!err && in.hook == CNI_HOOK_TC)
		err = add_ipam_start(x, &u);
	if (!err)
		err = add_veth(x, &u, &in);
	if (!err)
		err = add_pod_iface(x, &u, &in);
	if (!err && in.hook == CNI_HOOK_TCX)
		err = add_ipam_start(x, &u);
	if (!err)
		err = add_link(x, &u, &in);
	if (!err)
		err = add_ipam_wait(x, &u, &in);
	if (!err)
		err = add_pod_net(x, &u, &in);
	if (!err)
		err = add_host_net(x, &u, &in);
	if (!err)
		err = add_dataplane(x, &u, &in);
	if (!err)
		err = add_agent_program(x, &u, &in);
	if (!err) {
		snprintf(ifs[0].name, sizeof(ifs[0].name), "%s", in.host_if);
		snprintf(ifs[0].mac, sizeof(ifs[0].mac), "%s", in.host_mac);
		snprintf(ifs[1].name, sizeof(ifs[1].name), "%s", x->env.ifname);
		snprintf(ifs[1].mac, sizeof(ifs[1].mac), "%s", in.pod_mac);
		ifs[1].sandbox = x->env.netns;
		x->result = cni_result_json(x->conf.cni_version, ifs, &in.ipam);
		if (!x->result)
			err = cni_err_set(&x->err, CNI_ERR_INTERNAL, -ENOMEM, "result");
	}
	add_finish(x, &u, &in, err != 0);
	return err;
}

/* Chained mode: the pod's addresses are prevResult's. */
static int attach_ips(struct cni_ctx *x, struct add_info *in)
{
	char *txt = cJSON_PrintUnformatted(x->conf.prev_result);
	int err;

	if (!txt)
		return cni_err_set(&x->err, CNI_ERR_INTERNAL, -ENOMEM, "prevResult");
	err = cni_ipam_result_parse(txt, &in->ipam, &x->err);
	free(txt);
	return err;
}

/*
 * Chained mode: the host interface we hook is the pod interface's veth
 * peer, found through the kernel, never a name taken on trust from
 * prevResult (a bridge plugin lists its bridge first; a hostile config
 * could name the node's uplink). Both ends must name each other.
 */
static int attach_host_veth(struct cni_ctx *x, struct add_undo *u,
			    struct add_info *in, const char *prev_host)
{
	int peer = 0, back = 0, err;

	err = cni_veth_peer(u->pod, x->env.ifname, in->pod_mac, &peer);
	if (err == -EMEDIUMTYPE)
		return cni_err_set(&x->err, CNI_ERR_INVALID_CONF, err,
				   "prevResult interface %s in %s is not a veth: chained mode needs a host-side veth to hook",
				   x->env.ifname, x->env.netns);
	if (err)
		return cni_err_set(&x->err, CNI_ERR_INVALID_CONF, err,
				   "prevResult interface %s in %s", x->env.ifname,
				   x->env.netns);
	err = cni_link_get(u->pod, x->env.ifname, &in->pod_idx, NULL);
	if (!err && peer > 0)
		err = cni_veth_peer_by_index(u->host, peer, in->host_if,
					     in->host_mac, &back);
	if (err || peer <= 0 || back != in->pod_idx)
		return cni_err_set(&x->err, CNI_ERR_INVALID_CONF, err ? err : -ENODEV,
				   "the veth peer of %s in %s is not in this network namespace (prevResult names %s)",
				   x->env.ifname, x->env.netns, prev_host);
	in->host_idx = peer;
	return 0;
}

int cmd_add_attach(struct cni_ctx *x, const char *host_if)
{
	struct add_undo u = { .netns_fd = -1, .link_fd = -1, .lock_fd = -1 };
	struct add_info in = { .attach_only = true };
	int err;

	err = add_open(x, &u, &in);
	if (!err)
		err = add_pod_visit(x, &u, false);
	if (!err)
		err = attach_host_veth(x, &u, &in, host_if);
	if (!err)
		err = attach_ips(x, &in);
	if (!err)
		err = add_pod_visit(x, &u, true);
	if (!err)
		err = add_dataplane(x, &u, &in);
	if (!err)
		err = add_agent_program(x, &u, &in);
	if (!err) {
		x->result = cni_prev_result_json(&x->conf);
		if (!x->result)
			err = cni_err_set(&x->err, CNI_ERR_INTERNAL, -ENOMEM, "result");
	}
	add_finish(x, &u, &in, err != 0);
	return err;
}
