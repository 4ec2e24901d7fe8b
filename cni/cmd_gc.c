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
 * are released (IPAM DEL), which covers ADDs that died half-way. GC goes on
 * past errors and returns the first. Records without a network name
 * (written before it was recorded) are left alone, as are other networks'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni_cmd.h"
#include "cni_net.h"
#include "sfc_dp.h"

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
	bool own = !(r->flags & SFC_EP_F_ATTACH_ONLY);
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

		if (strcmp(r->network, x->conf.name) ||
		    cni_valid_attachment(&x->conf, r->container_id, r->ifname))
			continue;
		err = gc_endpoint(x, host, r);
		if (err && !ret)
			ret = err;
	}
	cni_nl_close(host);
	free(eps);
	err = gc_ipam(x);
	return ret ? ret : err;
}
