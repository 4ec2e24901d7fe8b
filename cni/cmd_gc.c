// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_gc.c - CNI GC (spec 1.1.0 section "GC: Clean up any stale
 * resources"; config version 1.1.0 or later).
 *
 * Input: the network config with "cni.dev/valid-attachments". Every state
 * record of THIS network (record "network" == config "name") whose
 * (containerID, ifname) is not in the list is removed like a DEL would:
 * program link, map entries, host veth (unless attach-only), IPAM
 * allocation (IPAM DEL as that attachment), then the record. Then, for
 * host-local, allocations in its store held by attachments not in the list
 * are released (IPAM DEL), which covers ADDs that died half-way. Records
 * without a network name (written before it was recorded) are this
 * network's when their host interface carries its hostIfPrefix; other
 * networks' records are left alone.
 *
 * Then, under the node lock (which every ADD holds from its VPID to its
 * record), the orphan sweep removes what no record accounts for: pinned
 * links and host links named with this network's prefix that belong
 * neither to a record (of any network) nor to a valid attachment (their
 * names are derived from it), and map entries whose VPID has no record and
 * whose host interface is gone, and temp files of record writes older
 * than GC_TMP_MIN_AGE_S (an ADD killed before its rename). Networks that
 * share a bpffs directory must share the state directory or use distinct
 * prefixes.
 *
 * GC goes on past errors and returns the first.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni_cmd.h"
#include "cni_net.h"
#include "sfc_dp.h"

/* A record write takes milliseconds: an older temp file is a killed ADD's. */
#define GC_TMP_MIN_AGE_S 60

int cni_endpoint_remove(const struct cni_conf *conf,
			const struct sfc_ep_record *rec, struct cni_err *e)
{
	struct sfc_dp dp = { 0 };
	int lock, err, derr = 0;

	lock = sfc_dp_lock(conf->bpffs_dir);
	if (lock < 0)
		return lock == -ENOENT ? 0
				       : cni_err_set(e, cni_code_from_errno(lock), lock,
						     "node lock in %s", conf->bpffs_dir);
	err = sfc_dp_detach(conf->bpffs_dir, rec->host_ifname);
	if (err && err != -ENOENT)
		cni_err_set(e, CNI_ERR_INTERNAL, err, "detaching from %s",
			    rec->host_ifname);
	else
		err = 0;
	if (rec->vpid && sfc_dp_open(conf->bpffs_dir, &dp) == 0) {
		derr = sfc_dp_endpoint_del(&dp, rec->vpid);
		if (derr && derr != -ENOENT)
			cni_err_set(e, CNI_ERR_INTERNAL, derr,
				    "removing endpoint %u from the maps", rec->vpid);
		else
			derr = 0;
		sfc_dp_close(&dp);
	}
	sfc_dp_unlock(lock);
	return err ? err : derr;
}

static int gc_ipam_del(struct cni_ctx *x, const char *cid, const char *ifname)
{
	char *out = NULL;
	int err;

	err = cni_ipam_exec_as(&x->env, &x->conf, "DEL", cid, ifname,
			       x->stdin_data, x->stdin_len, &out, &x->err);
	free(out);
	return err;
}

static int gc_endpoint(struct cni_ctx *x, struct nl_sock *host,
		       const struct sfc_ep_record *r)
{
	bool own = !(r->flags & SFC_REC_F_ATTACH_ONLY);
	int err, ret;

	fprintf(stderr, "sfc-cni: GC: removing stale endpoint %s/%s (%s, vpid %u)\n",
		r->container_id, r->ifname, r->host_ifname, r->vpid);
	ret = cni_endpoint_remove(&x->conf, r, &x->err);
	if (own && host && (err = cni_link_del(host, r->host_ifname)) && !ret)
		ret = cni_err_set(&x->err, CNI_ERR_INTERNAL, err,
				  "deleting veth %s", r->host_ifname);
	if (own && x->conf.ipam_type[0] &&
	    (err = gc_ipam_del(x, r->container_id, r->ifname)) && !ret)
		ret = err;
	if (!ret && (err = sfc_state_remove(x->conf.state_dir, r->container_id,
					    r->ifname)))
		ret = cni_err_set(&x->err, CNI_ERR_IO, err,
				  "removing state record %s_%s", r->container_id,
				  r->ifname);
	return ret;
}

struct gc_sweep {
	struct cni_ctx *x;
	struct nl_sock *host;
	struct sfc_ep_record *recs; /* every network's, after the record pass */
	int n_recs;
	struct sfc_dp dp;
	bool have_dp;
	int err;
};

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* Is host interface @name a record's or a valid attachment's? */
static bool gc_claimed(const struct gc_sweep *s, const char *name)
{
	const struct cni_conf *c = &s->x->conf;
	char want[CNI_IFNAMSIZ];

	for (int i = 0; i < s->n_recs; i++)
		if (!strcmp(s->recs[i].host_ifname, name))
			return true;
	for (int i = 0; i < c->n_valid; i++) {
		cni_host_ifname(c->host_prefix, c->valid[i].container_id,
				c->valid[i].ifname, want);
		if (!strcmp(want, name))
			return true;
	}
	return false;
}

static bool gc_vpid_recorded(const struct gc_sweep *s, uint32_t vpid)
{
	for (int i = 0; i < s->n_recs; i++)
		if (s->recs[i].vpid == vpid)
			return true;
	return false;
}

static void gc_note(struct gc_sweep *s, int err, const char *what, const char *name)
{
	if (err && !s->err)
		s->err = cni_err_set(&s->x->err, CNI_ERR_INTERNAL, err, "%s %s",
				     what, name);
}

/* A pinned link of ours that no record or valid attachment accounts for:
 * its endpoint's map entries (if unrecorded) and the link itself. */
static int gc_orphan_link(const char *ifname, int link_fd, int ifindex,
			  void *arg)
{
	struct gc_sweep *s = arg;
	uint32_t vpid;

	if (!has_prefix(ifname, s->x->conf.host_prefix) || gc_claimed(s, ifname))
		return 0;
	fprintf(stderr, "sfc-cni: GC: removing orphan link pin %s (ifindex %d)\n",
		ifname, ifindex);
	if (s->have_dp && ifindex > 0 &&
	    !sfc_dp_vpid_of_ifindex(&s->dp, ifindex, &vpid) &&
	    !gc_vpid_recorded(s, vpid))
		gc_note(s, sfc_dp_endpoint_del(&s->dp, vpid), "removing endpoint of",
			ifname);
	gc_note(s, sfc_dp_detach(s->x->conf.bpffs_dir, ifname), "unpinning link",
		ifname);
	return 0;
}

/* A host link with our prefix and nobody's: an ADD died before recording it. */
static int gc_orphan_veth(const char *name, void *arg)
{
	struct gc_sweep *s = arg;

	if (gc_claimed(s, name))
		return 0;
	fprintf(stderr, "sfc-cni: GC: deleting orphan host link %s\n", name);
	gc_note(s, cni_link_del(s->host, name), "deleting host link", name);
	return 0;
}

/* Map entries of an unrecorded VPID whose host interface is gone. */
static int gc_orphan_endpoint(uint32_t vpid, const struct sfc_endpoint *ep,
			      void *arg)
{
	struct gc_sweep *s = arg;
	char name[IF_NAMESIZE];

	if (gc_vpid_recorded(s, vpid) || if_indextoname(ep->ifindex, name))
		return 0;
	fprintf(stderr, "sfc-cni: GC: removing orphan endpoint vpid %u (ifindex %u gone)\n",
		vpid, ep->ifindex);
	gc_note(s, sfc_dp_endpoint_del(&s->dp, vpid), "removing endpoint", "");
	return 0;
}

static int gc_sweep(struct cni_ctx *x, struct nl_sock *host)
{
	struct gc_sweep s = { .x = x, .host = host };
	int lock, err;

	lock = sfc_dp_lock(x->conf.bpffs_dir);
	if (lock < 0 && lock != -ENOENT)
		return cni_err_set(&x->err, cni_code_from_errno(lock), lock,
				   "node lock in %s", x->conf.bpffs_dir);
	err = sfc_state_list(x->conf.state_dir, &s.recs, &s.n_recs);
	if (err && err != -ENOENT) {
		if (lock >= 0)
			sfc_dp_unlock(lock);
		return cni_err_set(&x->err, CNI_ERR_IO, err, "state records in %s",
				   x->conf.state_dir);
	}
	if (lock >= 0) {
		s.have_dp = sfc_dp_open(x->conf.bpffs_dir, &s.dp) == 0;
		err = sfc_dp_for_each_link(x->conf.bpffs_dir, gc_orphan_link, &s);
		gc_note(&s, err, "listing link pins in", x->conf.bpffs_dir);
	}
	if (host) {
		err = cni_links_with_prefix(host, x->conf.host_prefix,
					    gc_orphan_veth, &s);
		gc_note(&s, err, "listing host links", "");
	}
	if (s.have_dp) {
		err = sfc_dp_for_each_endpoint(&s.dp, gc_orphan_endpoint, &s);
		gc_note(&s, err, "reading sfc_endpoints in", x->conf.bpffs_dir);
		sfc_dp_close(&s.dp);
	}
	/* Temp files of record writes killed before their rename. The lock
	 * keeps this bpffsDir's ADDs out; the age, the writes of networks
	 * that share the stateDir but not the bpffsDir. */
	err = sfc_state_tmp_remove(x->conf.state_dir, NULL, NULL, GC_TMP_MIN_AGE_S);
	if (err > 0)
		fprintf(stderr, "sfc-cni: GC: removed %d stale temp file(s) in %s/endpoints\n",
			err, x->conf.state_dir);
	gc_note(&s, err < 0 ? err : 0, "removing temp files in", x->conf.state_dir);
	if (lock >= 0)
		sfc_dp_unlock(lock);
	free(s.recs);
	return s.err;
}

/* host-local store walk: release allocations of invalid attachments. */
static int gc_owner(const char *cid, const char *ifname, void *arg)
{
	struct cni_ctx *x = arg;

	if (cni_valid_attachment(&x->conf, cid, ifname) ||
	    !cni_container_id_valid(cid) || (ifname[0] && !cni_ifname_valid(ifname)))
		return 0;
	fprintf(stderr, "sfc-cni: GC: releasing host-local allocation of %s/%s\n",
		cid, ifname);
	return gc_ipam_del(x, cid, ifname[0] ? ifname : "eth0");
}

static int gc_ipam(struct cni_ctx *x)
{
	char *out = NULL;
	int err = 0, sup;

	if (!x->conf.ipam_type[0])
		return 0;
	if (!strcmp(x->conf.ipam_type, "host-local"))
		err = cni_hostlocal_owners(x->stdin_data, x->stdin_len, &x->conf,
					   gc_owner, x);
	sup = cni_ipam_supports(&x->env, &x->conf, "1.1.0");
	if (sup == 1) {
		int ferr = cni_ipam_exec(&x->env, &x->conf, "GC", x->stdin_data,
					 x->stdin_len, &out, &x->err);

		free(out);
		if (ferr && !err)
			err = ferr;
	}
	return err;
}

int cmd_gc(struct cni_ctx *x)
{
	struct sfc_ep_record *eps = NULL;
	struct nl_sock *host = NULL;
	int n = 0, err, ret = 0;

	if (!x->conf.has_valid_attachments)
		return cni_err_set(&x->err, CNI_ERR_INVALID_CONF, 0,
				   "GC needs \"cni.dev/valid-attachments\" (refusing to guess what is in use)");
	err = sfc_state_list(x->conf.state_dir, &eps, &n);
	if (err && err != -ENOENT)
		ret = cni_err_set(&x->err, CNI_ERR_IO, err, "state records in %s",
				  x->conf.state_dir);
	if ((err = cni_nl_open(-1, &host)) && !ret)
		ret = cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "netlink socket");
	for (int i = 0; i < n; i++) {
		const struct sfc_ep_record *r = &eps[i];

		if (!(r->network[0] ? !strcmp(r->network, x->conf.name)
				    : has_prefix(r->host_ifname, x->conf.host_prefix)) ||
		    cni_valid_attachment(&x->conf, r->container_id, r->ifname))
			continue;
		err = gc_endpoint(x, host, r);
		if (err && !ret)
			ret = err;
	}
	free(eps);
	if ((err = gc_sweep(x, host)) && !ret)
		ret = err;
	cni_nl_close(host);
	err = gc_ipam(x);
	return ret ? ret : err;
}
