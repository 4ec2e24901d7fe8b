// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_link.c - links, addresses, routes and neighbours through
 * libnl-route-3 (no shelling out to ip(8)).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include "cni_net.h"

int cni_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	default:
		return -EIO;
	}
}

static int af_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

int cni_veth_create(struct nl_sock *host, const char *host_name,
		    const char *peer_name, int peer_netns_fd, int mtu,
		    const char *peer_mac)
{
	struct rtnl_link *link, *peer;
	struct nl_addr *ll = NULL;
	int err;

	link = rtnl_link_veth_alloc();
	if (!link)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, host_name);
	rtnl_link_set_mtu(link, mtu);
	/* Up once both ends exist; the peer cannot be (veth_open of a peer
	 * not linked yet: -ENOTCONN), the caller brings it up. */
	rtnl_link_set_flags(link, IFF_UP);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_mtu(peer, mtu);
	rtnl_link_set_ns_fd(peer, peer_netns_fd);
	if (peer_mac && peer_mac[0]) {
		err = nl_addr_parse(peer_mac, AF_LLC, &ll);
		if (err < 0) {
			rtnl_link_put(peer);
			rtnl_link_veth_release(link);
			return -EINVAL;
		}
		rtnl_link_set_addr(peer, ll);
	}
	err = rtnl_link_add(host, link, NLM_F_CREATE | NLM_F_EXCL);
	nl_addr_put(ll);
	rtnl_link_put(peer);
	rtnl_link_veth_release(link);
	return cni_nl_errno(err);
}

/* Link @ifindex, or @name when @ifindex is 0, from the kernel. */
static int link_fetch(struct nl_sock *sk, int ifindex, const char *name,
		      struct rtnl_link **link)
{
	int err = rtnl_link_get_kernel(sk, ifindex, ifindex ? NULL : name, link);

	if (err < 0) {
		err = cni_nl_errno(err);
		return err == -ENOENT ? -ENODEV : err;
	}
	return 0;
}

static int link_mac(struct rtnl_link *link, char mac[18])
{
	struct nl_addr *a = rtnl_link_get_addr(link);
	const unsigned char *b;

	if (!a || nl_addr_get_len(a) != 6)
		return -EADDRNOTAVAIL;
	b = nl_addr_get_binary_addr(a);
	snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
	return 0;
}

int cni_link_get(struct nl_sock *sk, const char *name, int *ifindex,
		 char mac[18])
{
	struct rtnl_link *link = NULL;
	int err = link_fetch(sk, 0, name, &link);

	if (err)
		return err;
	*ifindex = rtnl_link_get_ifindex(link);
	if (mac)
		err = link_mac(link, mac);
	rtnl_link_put(link);
	return err;
}

static int veth_peer(struct nl_sock *sk, int ifindex, const char *name,
		     char *name_out, char mac[18], int *peer_ifindex)
{
	struct rtnl_link *link = NULL;
	const char *kind;
	int err = link_fetch(sk, ifindex, name, &link);

	if (err)
		return err;
	kind = rtnl_link_get_type(link);
	if (!kind || strcmp(kind, "veth")) {
		err = -EMEDIUMTYPE;
		goto out;
	}
	*peer_ifindex = rtnl_link_get_link(link);
	if (name_out)
		snprintf(name_out, CNI_IFNAMSIZ, "%s", rtnl_link_get_name(link));
	if (mac)
		err = link_mac(link, mac);
out:
	rtnl_link_put(link);
	return err;
}

int cni_veth_peer(struct nl_sock *sk, const char *name, char mac[18],
		  int *peer_ifindex)
{
	return veth_peer(sk, 0, name, NULL, mac, peer_ifindex);
}

int cni_veth_peer_by_index(struct nl_sock *sk, int ifindex, char *name,
			   char mac[18], int *peer_ifindex)
{
	return veth_peer(sk, ifindex, NULL, name, mac, peer_ifindex);
}

int cni_link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc(), *change = rtnl_link_alloc();
	int err = -NLE_NOMEM;

	/* No ifindex in @link: the kernel finds the link by @change's name. */
	if (link && change) {
		rtnl_link_set_name(change, name);
		rtnl_link_set_flags(change, IFF_UP);
		err = rtnl_link_change(sk, link, change, 0);
	}
	rtnl_link_put(change);
	rtnl_link_put(link);
	return cni_nl_errno(err);
}

int cni_link_del(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int err;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, name);
	err = cni_nl_errno(rtnl_link_delete(sk, link));
	rtnl_link_put(link);
	return err == -ENODEV || err == -ENOENT ? 0 : err;
}

int cni_links_with_prefix(struct nl_sock *sk, const char *prefix,
			  int (*fn)(const char *name, void *arg), void *arg)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	size_t plen = strlen(prefix);
	int err;

	err = cni_nl_errno(rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache));
	if (err)
		return err;
	for (o = nl_cache_get_first(cache); o && !err; o = nl_cache_get_next(o)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)o);

		if (name && !strncmp(name, prefix, plen))
			err = fn(name, arg);
	}
	nl_cache_free(cache);
	return err;
}

int cni_addr_add(struct nl_sock *sk, int ifindex, const struct cni_ip *ip)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	char cidr[80];
	int err, flags = IFA_F_NOPREFIXROUTE;

	if (!a)
		return -ENOMEM;
	snprintf(cidr, sizeof(cidr), "%s/%d", ip->addr, ip->prefix);
	err = nl_addr_parse(cidr, ip->family == 4 ? AF_INET : AF_INET6, &local);
	if (err < 0)
		goto out;
	if (ip->family == 6)
		flags |= IFA_F_NODAD;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, nl_addr_get_family(local));
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_flags(a, flags);
	err = rtnl_addr_add(sk, a, NLM_F_REPLACE);
out:
	nl_addr_put(local);
	rtnl_addr_put(a);
	err = cni_nl_errno(err);
	return err == -EEXIST ? 0 : err;
}

/* Does nexthop @nh go via @gw ("" = no gateway)? */
static bool nh_via(struct rtnl_nexthop *nh, const struct nl_addr *gw)
{
	struct nl_addr *have = rtnl_route_nh_get_gateway(nh);

	if (!gw || !have)
		return !gw && (!have || nl_addr_iszero(have));
	return nl_addr_get_len(have) == nl_addr_get_len(gw) &&
	       !memcmp(nl_addr_get_binary_addr(have),
		       nl_addr_get_binary_addr(gw), nl_addr_get_len(gw));
}

/*
 * Is there a main-table route to @dst (CIDR) out of @ifindex, via @gw
 * ("" = none, NULL = any)? Return: 1, 0, or -errno.
 */
static int route_find(struct nl_sock *sk, int ifindex, const char *dst,
		      const char *gw)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	struct nl_addr *want = NULL, *g = NULL;
	int af = af_of(dst), err, found = 0;

	err = nl_addr_parse(dst, af, &want);
	if (!err && gw && gw[0])
		err = nl_addr_parse(gw, af, &g);
	if (!err)
		err = rtnl_route_alloc_cache(sk, af, 0, &cache);
	if (err < 0)
		goto out;
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct nl_addr *d = rtnl_route_get_dst(r);
		struct rtnl_nexthop *nh;

		/* A default route's dst has no bytes, so compare prefixes. */
		if (rtnl_route_get_table(r) != RT_TABLE_MAIN || !d ||
		    nl_addr_get_prefixlen(d) != nl_addr_get_prefixlen(want) ||
		    (nl_addr_get_prefixlen(want) && nl_addr_cmp_prefix(d, want)))
			continue;
		nh = rtnl_route_nexthop_n(r, 0);
		found = nh && rtnl_route_nh_get_ifindex(nh) == ifindex &&
			(!gw || nh_via(nh, g));
	}
out:
	nl_cache_free(cache);
	nl_addr_put(want);
	nl_addr_put(g);
	return err < 0 ? cni_nl_errno(err) : found;
}

int cni_route_add(struct nl_sock *sk, int ifindex, const char *dst,
		  const char *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = NULL, *g = NULL;
	int af = af_of(dst), err;

	if (!r || !nh) {
		err = -NLE_NOMEM;
		goto out;
	}
	err = nl_addr_parse(dst, af, &d);
	if (!err && gw)
		err = nl_addr_parse(gw, af, &g);
	if (err < 0)
		goto out;
	rtnl_route_set_family(r, af);
	rtnl_route_set_dst(r, d);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (g)
		rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL; /* owned by r now */
	/* Never replace a route: it may be another interface's (the node's
	 * default route, when CNI_NETNS is not a pod's). */
	err = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL);
out:
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(d);
	nl_addr_put(g);
	if (r)
		rtnl_route_put(r);
	err = cni_nl_errno(err);
	if (err == -EEXIST && route_find(sk, ifindex, dst, gw ? gw : "") == 1)
		err = 0; /* this very route: ADD may run twice */
	return err;
}

int cni_neigh_add(struct nl_sock *sk, int ifindex, const char *ip,
		  const char *mac)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *d = NULL, *ll = NULL;
	int af = af_of(ip), err;

	if (!n)
		return -ENOMEM;
	err = nl_addr_parse(ip, af, &d);
	if (!err)
		err = nl_addr_parse(mac, AF_LLC, &ll);
	if (err < 0)
		goto out;
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, af);
	rtnl_neigh_set_dst(n, d);
	rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_state(n, NUD_PERMANENT);
	err = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
out:
	nl_addr_put(d);
	nl_addr_put(ll);
	rtnl_neigh_put(n);
	return cni_nl_errno(err);
}

int cni_addr_present(struct nl_sock *sk, int ifindex, const struct cni_ip *ip)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	struct nl_addr *want = NULL;
	char cidr[80];
	int err, found = 0;

	snprintf(cidr, sizeof(cidr), "%s/%d", ip->addr, ip->prefix);
	err = nl_addr_parse(cidr, ip->family == 4 ? AF_INET : AF_INET6, &want);
	if (err < 0)
		return cni_nl_errno(err);
	err = rtnl_addr_alloc_cache(sk, &cache);
	if (err < 0) {
		nl_addr_put(want);
		return cni_nl_errno(err);
	}
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(a);

		found = rtnl_addr_get_ifindex(a) == ifindex && l &&
			!nl_addr_cmp(l, want) &&
			nl_addr_get_prefixlen(l) == (unsigned)ip->prefix;
	}
	nl_cache_free(cache);
	nl_addr_put(want);
	return found;
}

int cni_route_present(struct nl_sock *sk, int ifindex, const char *dst)
{
	return route_find(sk, ifindex, dst, NULL);
}
