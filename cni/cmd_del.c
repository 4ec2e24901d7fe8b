// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_del.c - CNI DEL (spec section "DEL: Remove container from network").
 *
 * Idempotent and best effort: every step runs even when an earlier one
 * failed or found nothing, "already gone" is success, and the first real
 * failure is reported. The state record is removed only when everything
 * else succeeded, so a retried DEL still knows the endpoint; temp files
 * of its write (an ADD killed mid-write) go in any case. An endpoint
 * added in chained attach mode keeps its interface and addresses: those
 * are the earlier plugin's to remove.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cni_cmd.h"
#include "cni_net.h"
#include "sfc_dp.h"

void cni_endpoint_host_ifname(const struct cni_ctx *x,
			      const struct sfc_ep_record *rec,
			      char out[CNI_IFNAMSIZ])
{
	if (rec && rec->host_ifname[0])
		snprintf(out, CNI_IFNAMSIZ, "%.15s", rec->host_ifname);
	else
		cni_host_ifname(x->conf.host_prefix, x->env.container_id,
				x->env.ifname, out);
}

/* VPID of the host veth from sfc_ifindex_vpid, for DEL without a record. */
static uint32_t vpid_of_link(struct sfc_dp *dp, struct nl_sock *host,
			     const char *host_if)
{
	uint32_t vpid = 0;
	int idx = 0;

	if (!host || cni_link_get(host, host_if, &idx, NULL) ||
	    sfc_dp_vpid_of_ifindex(dp, idx, &vpid))
		return 0;
	return vpid;
}

/* Detach and drop the map entries; pins missing = nothing to do. */
static int del_dataplane(struct cni_ctx *x, const struct sfc_ep_record *rec,
			 bool have_rec, struct nl_sock *host, const char *host_if)
{
	struct cni_err *e = &x->err;
	struct sfc_dp dp = { 0 };
	struct stat st;
	uint32_t vpid;
	int lock, err;

	if (stat(x->conf.bpffs_dir, &st) < 0)
		return 0;
	lock = sfc_dp_lock(x->conf.bpffs_dir);
	if (lock < 0)
		return lock == -ENOENT ? 0
				       : cni_err_set(e, cni_code_from_errno(lock), lock,
						     "node lock in %s", x->conf.bpffs_dir);
	err = sfc_dp_detach(x->conf.bpffs_dir, host_if);
	if (err && err != -ENOENT)
		cni_err_set(e, CNI_ERR_INTERNAL, err, "detaching from %s", host_if);
	else
		err = 0;
	if (sfc_dp_open(x->conf.bpffs_dir, &dp) == 0) {
		vpid = have_rec ? rec->vpid : vpid_of_link(&dp, host, host_if);
		if (vpid) {
			int derr = sfc_dp_endpoint_del(&dp, vpid);

			if (derr && derr != -ENOENT && !err)
				err = cni_err_set(e, CNI_ERR_INTERNAL, derr,
						  "removing endpoint %u from the maps", vpid);
		}
		sfc_dp_close(&dp);
	}
	sfc_dp_unlock(lock);
	return err;
}

/*
 * Is the interface another plugin's (chained attach mode)? The record says
 * so; without one, a prevResult whose host interface is not the name we
 * would have given our veth.
 */
static bool del_attach_only(const struct cni_ctx *x,
			    const struct sfc_ep_record *rec, char host_if[CNI_IFNAMSIZ])
{
	char prev[CNI_IFNAMSIZ];

	if (rec)
		return rec->flags & SFC_REC_F_ATTACH_ONLY;
	if (x->conf.has_prev_result &&
	    cni_prev_ifaces(&x->conf, x->env.ifname, prev) && strcmp(prev, host_if)) {
		snprintf(host_if, CNI_IFNAMSIZ, "%s", prev);
		return true;
	}
	return false;
}

int cmd_del(struct cni_ctx *x)
{
	struct sfc_ep_record rec;
	struct nl_sock *host = NULL;
	char host_if[CNI_IFNAMSIZ], *out = NULL;
	bool have_rec, attach_only;
	int err, ret = 0;

	err = sfc_state_read(x->conf.state_dir, x->env.container_id,
			     x->env.ifname, &rec);
	have_rec = err == 0;
	if (err && err != -ENOENT)
		fprintf(stderr, "sfc-cni: DEL %s: state record unreadable (%s), deriving names\n",
			x->env.container_id, strerror(-err));
	cni_endpoint_host_ifname(x, have_rec ? &rec : NULL, host_if);
	attach_only = del_attach_only(x, have_rec ? &rec : NULL, host_if);

	err = cni_nl_open(-1, &host);
	if (err)
		ret = cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "netlink socket");
	err = del_dataplane(x, &rec, have_rec, host, host_if);
	if (err && !ret)
		ret = err;
	/* Deleting the host end removes the peer in the pod netns too. */
	if (host && !attach_only && (err = cni_link_del(host, host_if)) && !ret)
		ret = cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "deleting veth %s",
				  host_if);
	cni_nl_close(host);

	/* Attach-only endpoints: the earlier plugin releases its addresses. */
	if (!attach_only && x->conf.ipam_type[0]) {
		err = cni_ipam_exec(&x->env, &x->conf, "DEL", x->stdin_data,
				    x->stdin_len, &out, &x->err);
		free(out);
		if (err && !ret)
			ret = err;
	}
	if (!ret && (err = sfc_state_remove(x->conf.state_dir, x->env.container_id,
					    x->env.ifname)))
		ret = cni_err_set(&x->err, CNI_ERR_IO, err,
				  "removing state record in %s", x->conf.state_dir);
	/* An ADD of this attachment killed while writing its record left a
	 * temp file; the runtime never runs that ADD beside this DEL. */
	err = sfc_state_tmp_remove(x->conf.state_dir, x->env.container_id,
				   x->env.ifname, 0);
	if (err < 0 && !ret)
		ret = cni_err_set(&x->err, CNI_ERR_IO, err,
				  "removing temp files in %s", x->conf.state_dir);
	return ret;
}
