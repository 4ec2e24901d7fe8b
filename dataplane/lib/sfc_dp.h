/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sfc_dp.h - user-space access to the sfc-cni dataplane (libsfcdp).
 *
 * Loads and pins the BPF programs and maps under a bpffs directory, attaches
 * the programs to endpoints' host-side veths (tcx ingress through pinned
 * links, or a tc clsact filter: enum sfc_hook_mode), and edits the pinned
 * maps. Used by sfc-cni, sfc-agent, sfcctl and the tests.
 * All functions return 0 or a negative errno and never exit(); they log
 * nothing except through libbpf's print callback, so the caller decides.
 */
#ifndef SFC_DP_H
#define SFC_DP_H

#include <stdbool.h>
#include <stdint.h>
#include "sfc_common.h"

/* Open file descriptors of every pinned map. Fill with sfc_dp_open(),
 * release with sfc_dp_close(). */
struct sfc_dp {
	char pin_dir[256];
	int meta_fd;
	int endpoints_fd;
	int ifindex_fd;
	int ep_by_ip_fd;
	int policy_fd;
	int paths_fd;
	int hop_stats_fd;
	int drops_fd;
	int sf_health_fd;
	int groups_fd;      /* layout 2: see sfc_common.h for who writes what */
	int sf_state_fd;
	int sf_stats_fd;
	int rev_spi_fd;
	int flows_fd;
	int flow_tuples_fd;
	int proxy_fd;
	int allowed_src_fd; /* layout 3 */
	int sf_prog_fd;     /* layout 4: flow programming */
	int ctrl_stats_fd;
	int flow_counts_fd;
	int flow_nat_fd;    /* layout 5: offloaded translations */
};

/**
 * sfc_dp_init() - make the node ready: bpffs at @pin_dir, maps and programs
 * loaded and pinned. Idempotent and safe against concurrent callers (takes an
 * flock on <pin_dir>/lock); existing pins are reused, so state survives.
 * Fast path: when the pins already are this build's (layout, objects hash
 * and program tags recorded in sfc_meta, every map pinned) it returns 0
 * without loading or verifying anything (sfc-cni calls it on every ADD).
 * @pin_dir: bpffs directory, e.g. SFC_PIN_DIR_DEFAULT; created if missing.
 *
 * Return: 0, -ENOTSUP if @pin_dir is not on bpffs and cannot be mounted,
 * -EPROTO if pinned maps carry another SFC_LAYOUT_VERSION, or another -errno.
 */
int sfc_dp_init(const char *pin_dir);

/**
 * sfc_dp_open() - open every pinned map under @pin_dir into @dp.
 * Return: 0, -ENOENT if the node is not initialised (no pins), -errno else.
 */
int sfc_dp_open(const char *pin_dir, struct sfc_dp *dp);

/**
 * sfc_dp_open_endpoints() - sfc_dp_open() of only the maps the endpoint
 * functions use (sfc_dp_vpid_alloc, _endpoint_put, _endpoint_del,
 * _vpid_of_ifindex, _for_each_endpoint, _allowed_src_set; and sfc_meta):
 * seven bpf_obj_get calls instead of one per pinned map, for sfc-cni ADD
 * and DEL. The other fds of @dp are -1. Same return values as
 * sfc_dp_open().
 */
int sfc_dp_open_endpoints(const char *pin_dir, struct sfc_dp *dp);

/** sfc_dp_close() - close the map fds of @dp (safe on a zeroed/failed @dp). */
void sfc_dp_close(struct sfc_dp *dp);

/*
 * Hook attach modes: how an endpoint's program sits on its host interface.
 * tcx (Linux 6.6+): a tcx ingress link pinned at <pin_dir>/links/<ifname>;
 * coexists with other tcx programs, but creating the link waits for an RCU
 * grace period holding RTNL (5-20 ms). tc: a clsact qdisc with our cls_bpf
 * direct-action filter (SFC_TC_HANDLE at SFC_TC_PRIO) on its ingress, no
 * pin: attaches in about 0.1 ms and works on any kernel, but the clsact
 * occupies the interface's ingress qdisc slot (a later "ingress" qdisc,
 * e.g. the bandwidth plugin's egress limit, cannot be added).
 */
enum sfc_hook_mode {
	SFC_HOOK_TCX = 1,
	SFC_HOOK_TC = 2,
};

/* Our tc filter's identity on the clsact ingress hook: the first filter
 * to run (priority 1), under a handle nobody else picks by default. */
#define SFC_TC_HANDLE 0x5fc
#define SFC_TC_PRIO 1

/**
 * sfc_dp_tcx_supported() - does this kernel have tcx (Linux 6.6+)? One
 * BPF_PROG_QUERY of loopback's tcx ingress, answered once per process.
 * Return: true or false.
 */
bool sfc_dp_tcx_supported(void);

/**
 * sfc_dp_tc_attach() - put the program for @role on the clsact ingress hook
 * of @ifindex: the clsact qdisc is created unless there (an "ingress" qdisc
 * serves too), our filter created or, when there, replaced atomically (a
 * repeat re-points it to the pinned program). A clsact created here is
 * removed again when the filter cannot be added. Nothing is pinned: the
 * filter lives with the interface or until sfc_dp_tc_detach().
 * Return: 0 or -errno (-EINVAL for a bad @ifindex or @role).
 */
int sfc_dp_tc_attach(const char *pin_dir, int ifindex, enum sfc_role role);

/**
 * sfc_dp_tc_detach() - remove our filter from @ifindex's clsact ingress.
 * The clsact qdisc stays: other filters may use it.
 * Return: 0, also when there is no such filter, qdisc or interface; -errno.
 */
int sfc_dp_tc_detach(int ifindex);

/**
 * sfc_dp_tc_prog_id() - id of the program our filter on @ifindex's clsact
 * ingress runs, into *@prog_id.
 * Return: 0, -ENOENT when there is no such filter (or qdisc), -errno.
 */
int sfc_dp_tc_prog_id(int ifindex, uint32_t *prog_id);

/**
 * sfc_dp_hook_of() - how one of our pinned programs is attached to
 * @ifindex's ingress: SFC_HOOK_TCX (a tcx link) or SFC_HOOK_TC (our
 * filter); tcx is looked at first.
 * Return: SFC_HOOK_TCX, SFC_HOOK_TC, 0 when neither, -errno.
 */
int sfc_dp_hook_of(const char *pin_dir, int ifindex);

/**
 * sfc_dp_attach() - attach the program for @role to tcx ingress of host
 * interface @ifindex and pin the link as <pin_dir>/links/<ifname>.
 * Other tcx programs on the hook keep running (ours returns TCX_NEXT for
 * traffic that is not its business). Repeating it is a no-op.
 * Return: 0 or -errno.
 */
int sfc_dp_attach(const char *pin_dir, int ifindex, const char *ifname,
		  enum sfc_role role);

/**
 * sfc_dp_detach() - detach our program from @ifname now, in either mode:
 * the tcx link pinned for it (BPF_LINK_DETACH: a bare unpin only takes
 * effect after an RCU grace period, then unpinned) and, when the interface
 * exists, our tc filter on it (sfc_dp_tc_detach()).
 * Return: 0, also when nothing was attached; -errno on other failures.
 */
int sfc_dp_detach(const char *pin_dir, const char *ifname);

/**
 * sfc_dp_link_create() - attach the program for @role to tcx ingress of
 * host interface @ifindex, without pinning: the returned link fd alone
 * holds the attachment, so closing it (or the process dying) detaches.
 * The kernel waits for an RCU grace period inside this call (tcx swaps
 * its program array under RTNL), which is why sfc-cni ADD makes the link
 * while its IPAM plugin runs and pins it later under the node lock.
 * Closing an attached link's last reference waits for a grace period too.
 * Return: a link fd (caller closes it) or -errno.
 */
int sfc_dp_link_create(const char *pin_dir, int ifindex, enum sfc_role role);

/**
 * sfc_dp_link_pin() - pin @link_fd (from sfc_dp_link_create()) as
 * <pin_dir>/links/<ifname>, replacing a pin of that name (a stale one of
 * an interface deleted and re-created; were it live, its link is released
 * and detaches once the kernel frees it). @link_fd stays the caller's.
 * Caller holds the node lock.
 * Return: 0 or -errno (-EINVAL for an @ifname with '/' or empty).
 */
int sfc_dp_link_pin(const char *pin_dir, int link_fd, const char *ifname);

/**
 * sfc_dp_unpin() - remove the link pin of @ifname, no BPF_LINK_DETACH:
 * for an interface already deleted, whose tcx links the kernel detached
 * with it. (Detaching first and deleting after costs the same RCU grace
 * period the deletion waits for anyway, a second time.) On a live
 * interface the program stays attached until the kernel frees the
 * unpinned link, some time later: use sfc_dp_detach() there.
 * Return: 0, also when there is no pin; -errno.
 */
int sfc_dp_unpin(const char *pin_dir, const char *ifname);

/**
 * sfc_dp_for_each_link() - call @fn for every link pinned under
 * <pin_dir>/links, with its pin name (the host interface it was attached
 * to, by name), an fd of the link (valid during the call, closed after)
 * and the ifindex it is attached to now (0: that interface is gone). @fn
 * may unpin the link. Stops at @fn's first nonzero return and returns it.
 * Return: 0 (also when there is no links directory), or -errno.
 */
int sfc_dp_for_each_link(const char *pin_dir,
			 int (*fn)(const char *ifname, int link_fd, int ifindex,
				   void *arg),
			 void *arg);

/**
 * sfc_dp_attached() - is one of our programs attached to @ifindex's
 * ingress, by a tcx link or our tc filter (sfc_dp_hook_of())?
 * Return: 1 yes, 0 no, -errno on failure to query.
 */
int sfc_dp_attached(const char *pin_dir, int ifindex);

/**
 * sfc_dp_vpid_alloc() - reserve a free VPID (1..SFC_MAX_ENDPOINTS-1) by
 * writing @ep into sfc_endpoints. Caller holds the node lock.
 * Return: 0 with *@vpid set, -ENOSPC when every VPID is used, -errno else.
 */
int sfc_dp_vpid_alloc(struct sfc_dp *dp, const struct sfc_endpoint *ep,
		      uint32_t *vpid);

/**
 * sfc_dp_endpoint_put() - record endpoint @vpid: sfc_endpoints[vpid] = @ep,
 * sfc_ifindex_vpid[ep->ifindex] = vpid, and sfc_ep_by_ip[ip] = vpid for each
 * of the @n_ips addresses in @ips.
 * Return: 0 or -errno (nothing half-written is left on failure).
 */
int sfc_dp_endpoint_put(struct sfc_dp *dp, uint32_t vpid,
			const struct sfc_endpoint *ep,
			const struct sfc_ip_key *ips, int n_ips);

/**
 * sfc_dp_endpoint_del() - remove every map entry of endpoint @vpid
 * (endpoint, ifindex, its addresses, its allowed source prefixes, its
 * policies, its health slot).
 * Return: 0, also when already gone; -errno on failure.
 */
int sfc_dp_endpoint_del(struct sfc_dp *dp, uint32_t vpid);

/**
 * sfc_dp_for_each_endpoint() - call @fn for every VPID in use (role not
 * SFC_ROLE_NONE) with its sfc_endpoints value, in VPID order. Stops at
 * @fn's first nonzero return and returns it. @fn may delete the endpoint.
 * Return: 0, or -errno if the map cannot be read.
 */
int sfc_dp_for_each_endpoint(struct sfc_dp *dp,
			     int (*fn)(uint32_t vpid, const struct sfc_endpoint *ep,
				       void *arg),
			     void *arg);

/**
 * sfc_dp_vpid_of_ifindex() - VPID whose host interface is @ifindex
 * (sfc_ifindex_vpid). Return: 0 with *@vpid set, -ENOENT if none, -errno.
 */
int sfc_dp_vpid_of_ifindex(struct sfc_dp *dp, int ifindex, uint32_t *vpid);

/**
 * sfc_dp_lock() - take the node-wide lock (flock on the directory
 * <pin_dir>/lock, created if missing: bpffs allows neither regular files
 * nor dots in names). Blocks until free. flock is per open file, so a
 * process holding it must not call sfc_dp_init() or sfc_dp_lock() again.
 * Return: a lock fd (>= 0) or -errno.
 */
int sfc_dp_lock(const char *pin_dir);

/** sfc_dp_unlock() - release a lock fd from sfc_dp_lock(). */
void sfc_dp_unlock(int lock_fd);

/**
 * sfc_dp_hop_stats_sum() - read sfc_hop_stats[@sp] summed over CPUs.
 * Return: 0, -ENOENT if the hop never saw traffic, -errno else.
 */
int sfc_dp_hop_stats_sum(struct sfc_dp *dp, uint32_t sp,
			 struct sfc_hop_stats *out);

/**
 * sfc_dp_drops_sum() - read every drop-reason counter summed over CPUs into
 * @out[0..SFC_DROP_REASON_MAX-1] (index = -reason). Return: 0 or -errno.
 */
int sfc_dp_drops_sum(struct sfc_dp *dp, uint64_t out[SFC_DROP_REASON_MAX]);

/**
 * sfc_dp_ctrl_stats_sum() - read the flow programming counters
 * (sfc_ctrl_stats, enum sfc_ctrl_stat) summed over CPUs into
 * @out[0..SFC_CTRL_ST_MAX-1]. Return: 0 or -errno.
 */
int sfc_dp_ctrl_stats_sum(struct sfc_dp *dp, uint64_t out[SFC_CTRL_ST_MAX]);

/** sfc_dp_ctrl_stat_name() - "bypass", "bad-flow", ... for an enum
 * sfc_ctrl_stat, "unknown" otherwise. */
const char *sfc_dp_ctrl_stat_name(int idx);

/**
 * sfc_dp_src_key() - fill @key (an sfc_allowed_src key, vpid 0) from
 * @cidr: "10.1.0.0/16", "fd00:1::/64", or a bare address (full length).
 * Host bits are cleared, as a trie key needs.
 * Return: 0 or -EINVAL.
 */
int sfc_dp_src_key(const char *cidr, struct sfc_src_key *key);

/**
 * sfc_dp_allowed_src_set() - make endpoint @vpid's entries in
 * sfc_allowed_src (the source prefixes its pod may send from besides its
 * own addresses) exactly the @n keys @keys (from sfc_dp_src_key(); their
 * vpid is ignored, @vpid is used). @n = 0 removes them all. New entries are
 * written before stale ones go, so a prefix in both sets never lapses.
 * Caller holds the node lock.
 * Return: 0, -EINVAL, -ENOSPC when the map is full, -errno.
 */
int sfc_dp_allowed_src_set(struct sfc_dp *dp, uint32_t vpid,
			   const struct sfc_src_key *keys, int n);

/**
 * sfc_dp_allowed_src_sync() - make the whole of sfc_allowed_src exactly
 * the @n keys @keys (each with its vpid), e.g. from every pod's annotation
 * at reconcile. Same order and errors as sfc_dp_allowed_src_set().
 */
int sfc_dp_allowed_src_sync(struct sfc_dp *dp, const struct sfc_src_key *keys,
			    int n);

/**
 * sfc_dp_ip_key() - fill @key from a textual IPv4/IPv6 address.
 * Return: 0 or -EINVAL.
 */
int sfc_dp_ip_key(const char *addr, struct sfc_ip_key *key);

/** sfc_dp_on_bpffs() - is @path on a bpffs mount? */
bool sfc_dp_on_bpffs(const char *path);

/**
 * sfc_dp_bpffs_mountable() - may sfc_dp_init() mount bpffs on @dir?
 * True for /sys/fs/bpf, a directory that does not exist yet (it would be
 * created) or an empty one: mounting over content would hide it.
 */
bool sfc_dp_bpffs_mountable(const char *dir);

/**
 * sfc_dp_now_ns() - now on the dataplane clock (SFC_CLOCK_EPOCH_NS in
 * sfc_common.h), in ns: compare it with the times BPF stores in the maps
 * (last_ns of flow, reply and proxy entries; sfc_sf_health).
 */
uint64_t sfc_dp_now_ns(void);

/** sfc_dp_drop_reason_name() - short name for drop reason index 1.. */
const char *sfc_dp_drop_reason_name(int idx);

/**
 * sfc_dp_remove_all() - delete @pin_dir and everything pinned under it:
 * links (which detaches the programs), programs, maps, the lock directory;
 * and our tc filters running its programs on this netns's interfaces.
 * For tests and node teardown; the caller must not hold the node lock.
 * Return: 0, also when @pin_dir does not exist; -errno else.
 */
int sfc_dp_remove_all(const char *pin_dir);

#endif /* SFC_DP_H */
