/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cni_net.h - network namespaces and rtnetlink (libnl-route-3) operations
 * sfc-cni needs: veth pair, link state, addresses, routes, neighbours.
 * Every function returns 0 (or a documented positive value) or -errno;
 * libnl errors are translated to errno. Nothing here logs.
 */
#ifndef SFC_CNI_NET_H
#define SFC_CNI_NET_H

#include <sys/types.h>
#include <netlink/netlink.h>
#include "cni.h"

/* --- cni_netns.c --- */

/**
 * cni_netns_open() - open the network namespace file @path (CNI_NETNS).
 * Return: fd (caller closes), -ENOENT if missing, -EINVAL if @path is not
 * a network namespace, other -errno.
 */
int cni_netns_open(const char *path);

/**
 * cni_netns_is_self() - is @netns_fd the network namespace this process
 * runs in (same nsfs device and inode as /proc/self/ns/net)? Any path to
 * it counts: /proc/self/ns/net, /proc/1/ns/net, a bind mount of it.
 * Return: 1, 0, or -errno.
 */
int cni_netns_is_self(int netns_fd);

/**
 * cni_netns_open_pod() - open CNI_NETNS @path as a pod's netns (ADD,
 * CHECK): it must be a network namespace (code 4 when missing or not one)
 * and not the plugin's own (code 4): wiring the node's netns as a pod would
 * put the pod's default route in place of the node's.
 * Return: fd (caller closes), or -errno with @e set.
 */
int cni_netns_open_pod(const char *path, struct cni_err *e);

/**
 * cni_netns_run() - run @fn(@arg) with this thread in the netns of
 * @netns_fd, then switch back: one setns() round trip for everything @fn
 * opens there (netlink sockets, /proc/sys/net files stay bound to that
 * netns afterwards).
 * Return: @fn's return value, or -errno from setns (when the switch back
 * fails the caller must give up: it runs in the wrong netns).
 */
int cni_netns_run(int netns_fd, int (*fn)(void *), void *arg);

/**
 * cni_nl_connect() - a connected NETLINK_ROUTE socket in the current
 * netns (inside cni_netns_run(): the pod's).
 * Return: 0 with *@sk set (free with cni_nl_close()), or -errno.
 */
int cni_nl_connect(struct nl_sock **sk);

/**
 * cni_nl_open() - a connected NETLINK_ROUTE socket bound to the netns of
 * @netns_fd (-1: the current one). The socket keeps talking to that netns
 * after we switch back, so no code runs inside the pod's netns.
 * Return: 0 with *@sk set (free with cni_nl_close()), or -errno.
 */
int cni_nl_open(int netns_fd, struct nl_sock **sk);

/**
 * cni_netns_sysctl() - write @value to /proc/sys/@key (e.g.
 * "net/ipv4/conf/eth0/arp_notify") as seen from the netns of @netns_fd
 * (-1: the current one). @key must not contain "..".
 * Return: 0, -ENOENT if the key does not exist there, -EINVAL, or -errno.
 */
int cni_netns_sysctl(int netns_fd, const char *key, const char *value);

/** cni_nl_close() - free a socket from cni_nl_open() (NULL is fine). */
void cni_nl_close(struct nl_sock *sk);

/* --- cni_link.c --- */

/** cni_nl_errno() - negative errno for a negative libnl error code. */
int cni_nl_errno(int nlerr);

/**
 * cni_veth_create() - create veth @host_name (in @host's netns) whose peer
 * @peer_name is created directly in the netns @peer_netns_fd, both with
 * @mtu, @host_name up (the kernel cannot bring the peer up in the same
 * request); the peer gets MAC @peer_mac ("aa:bb:..") unless it is NULL/"".
 * Return: 0, -EEXIST if either name is taken, -errno.
 */
int cni_veth_create(struct nl_sock *host, const char *host_name,
		    const char *peer_name, int peer_netns_fd, int mtu,
		    const char *peer_mac);

/**
 * cni_link_get() - ifindex and MAC ("aa:bb:cc:dd:ee:ff", @mac may be NULL)
 * of link @name. Return: 0, -ENODEV if there is none, -errno.
 */
int cni_link_get(struct nl_sock *sk, const char *name, int *ifindex,
		 char mac[18]);

/**
 * cni_veth_peer() - the veth peer of link @name as the kernel reports it
 * (IFLA_LINK: the peer's ifindex in the peer's namespace) and @name's MAC
 * (@mac may be NULL).
 * Return: 0; -ENODEV if there is no such link; -EMEDIUMTYPE if it is not a
 * veth; -errno.
 */
int cni_veth_peer(struct nl_sock *sk, const char *name, char mac[18],
		  int *peer_ifindex);

/**
 * cni_veth_peer_by_index() - cni_veth_peer() of link @ifindex, whose name
 * is written to @name (CNI_IFNAMSIZ bytes).
 */
int cni_veth_peer_by_index(struct nl_sock *sk, int ifindex, char *name,
			   char mac[18], int *peer_ifindex);

/** cni_link_up() - set IFF_UP on link @name (one request, by name).
 *  Return: 0, -ENODEV if there is no such link, or -errno. */
int cni_link_up(struct nl_sock *sk, const char *name);

/** cni_link_del() - delete link @name. Return: 0, also if it is gone. */
int cni_link_del(struct nl_sock *sk, const char *name);

/**
 * cni_links_with_prefix() - call @fn with the name of every link in @sk's
 * netns whose name starts with @prefix (a snapshot: @fn may delete it).
 * Stops at @fn's first nonzero return and returns it.
 * Return: 0 or -errno.
 */
int cni_links_with_prefix(struct nl_sock *sk, const char *prefix,
			  int (*fn)(const char *name, void *arg), void *arg);

/**
 * cni_addr_add() - add @ip/prefix to @ifindex with IFA_F_NOPREFIXROUTE (and
 * IFA_F_NODAD for IPv6), so no subnet route appears: same-subnet peers are
 * reached through the gateway. Return: 0 (also if present) or -errno.
 */
int cni_addr_add(struct nl_sock *sk, int ifindex, const struct cni_ip *ip);

/**
 * cni_route_add() - route @dst (CIDR) out of @ifindex, via @gw when non-NULL
 * (else scope link). Never replaces a route: the same route already there
 * is success, another route to @dst (same metric: e.g. a default route of
 * another interface) is -EEXIST.
 * Return: 0 or -errno.
 */
int cni_route_add(struct nl_sock *sk, int ifindex, const char *dst,
		  const char *gw);

/**
 * cni_neigh_add() - permanent neighbour entry @ip -> @mac on @ifindex.
 * Return: 0 or -errno.
 */
int cni_neigh_add(struct nl_sock *sk, int ifindex, const char *ip,
		  const char *mac);

/**
 * cni_addr_present() - does @ifindex carry @ip (address and prefix)?
 * Return: 1, 0, or -errno.
 */
int cni_addr_present(struct nl_sock *sk, int ifindex, const struct cni_ip *ip);

/**
 * cni_route_present() - is there a main-table route to @dst (CIDR) out of
 * @ifindex? Return: 1, 0, or -errno.
 */
int cni_route_present(struct nl_sock *sk, int ifindex, const char *dst);

/* --- cni_ipam.c --- */

/**
 * cni_ipam_exec() - run IPAM plugin @conf->ipam_type (found in @env->path)
 * with CNI_COMMAND=@cmd, the rest of the environment unchanged, and
 * @stdin_data (the network config) on its stdin (CNI spec section
 * "Delegated Plugins"). On success *@out is its stdout (malloc'd, caller
 * frees; may be NULL for DEL/CHECK). On failure @e carries the plugin's
 * own error code and message when it printed one.
 * Return: 0 or -errno.
 */
int cni_ipam_exec(const struct cni_env *env, const struct cni_conf *conf,
		  const char *cmd, const char *stdin_data, size_t stdin_len,
		  char **out, struct cni_err *e);

/* An IPAM plugin started by cni_ipam_start(), still to be reaped. */
struct cni_ipam_job {
	pid_t pid;          /* 0: nothing running */
	int out_fd;         /* read end of its stdout */
	const char *cmd;    /* "ADD", "DEL", ... */
	const char *type;   /* ipam.type, for messages */
};

/**
 * cni_ipam_start() - cni_ipam_exec() in two halves: start the plugin
 * (its stdin written and closed) and return while it runs, so ADD and DEL
 * do their own work meanwhile; cni_ipam_wait() collects it. Every started
 * @job must be waited for.
 * Return: 0 with @job running, or -errno with @e set (nothing started).
 */
int cni_ipam_start(const struct cni_env *env, const struct cni_conf *conf,
		   const char *cmd, const char *stdin_data, size_t stdin_len,
		   struct cni_ipam_job *job, struct cni_err *e);

/**
 * cni_ipam_wait() - read the output of @job, reap it, and turn it into
 * *@out (success: its stdout, malloc'd, caller frees) or @e (the plugin's
 * own code and message when it printed one), as cni_ipam_exec() does.
 * Return: 0, -ECHILD if @job is not running, or -errno.
 */
int cni_ipam_wait(struct cni_ipam_job *job, char **out, struct cni_err *e);

/**
 * cni_ipam_exec_as() - cni_ipam_exec() for another attachment: the child
 * gets CNI_CONTAINERID=@cid and CNI_IFNAME=@ifname when they are non-NULL
 * (GC releases allocations of attachments that are gone). A config newer
 * than 1.0.0 goes to the plugin with the highest cniVersion it supports
 * (asked once through its VERSION).
 * Return: 0 or -errno with @e set.
 */
int cni_ipam_exec_as(const struct cni_env *env, const struct cni_conf *conf,
		     const char *cmd, const char *cid, const char *ifname,
		     const char *stdin_data, size_t stdin_len, char **out,
		     struct cni_err *e);

/**
 * cni_ipam_supports() - does the IPAM plugin list @version in its VERSION
 * output? Used to forward STATUS and GC only to plugins that know them
 * (spec 1.1.0). Return: 1, 0, or -errno (plugin missing or no answer).
 */
int cni_ipam_supports(const struct cni_env *env, const struct cni_conf *conf,
		      const char *version);

/* --- cni_hostlocal.c --- */

/**
 * cni_hostlocal_exhausted() - for a host-local @conf (ipam object in the
 * config text @json), is a range set full? Counts the allocation files in
 * <dataDir>/<network name>/ that fall in each range against the range size
 * (rangeStart..rangeEnd, defaults as host-local, gateway excluded).
 * @why gets the full range on 1. Return: 1 full, 0 room left, -errno.
 */
int cni_hostlocal_exhausted(const char *json, size_t len,
			    const struct cni_conf *conf, char *why, size_t wlen);

/**
 * cni_hostlocal_owners() - for each allocation file in host-local's
 * <dataDir>/<name>/, call @fn with the (container id, ifname) written in it.
 * Return: 0 (also when the dir does not exist) or the first -errno of @fn.
 */
int cni_hostlocal_owners(const char *json, size_t len,
			 const struct cni_conf *conf,
			 int (*fn)(const char *cid, const char *ifname, void *arg),
			 void *arg);

#endif /* SFC_CNI_NET_H */
