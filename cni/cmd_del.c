// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_del.c - CNI DEL (spec section "DEL: Remove container from network").
 *
 * Order: IPAM DEL started -> host veth deleted (its peer and our program,
 * tcx link or tc filter, go with it) -> under the node lock: link pin
 * removed (tcx mode; none in tc mode), endpoint map entries deleted ->
 * IPAM DEL reaped -> state record removed.
 * Idempotent and best effort: every step runs even when an earlier one
 * failed or found nothing, "already gone" is success, and the first real
 * failure is reported (in the order: netlink, dataplane, veth, IPAM,
 * record). The state record is removed only when everything
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

/*
 * Drop the program link and the map entries; pins missing = nothing to
 * do. @veth_gone: we deleted the host veth, which detached its tcx links
 * and tc filters with it, so unpinning is enough (a tc-mode endpoint has
 * no pin: nothing to do); else (attach-only, or the deletion failed)
 * detach now, in whichever mode it is attached (a DEL without a record
 * does not know). @host_idx: the veth's ifindex, to find the VPID in
 * sfc_ifindex_vpid when there is no record (0: unknown).
 */
static int del_dataplane(struct cni_ctx *x, const struct sfc_ep_record *rec,
			 bool have_rec, int host_idx, const char *host_if,
			 bool veth_gone)
{
	struct cni_err *e = &x->err;
	struct sfc_dp dp = { 0 };
	struct stat st;
	uint32_t vpid = 0;
	int lock, err;

	if (stat(x->conf.bpffs_dir, &st) < 0)
		return 0;
	lock = sfc_dp_lock(x->conf.bpffs_dir);
	if (lock < 0)
		return lock == -ENOENT ? 0
				       : cni_err_set(e, cni_code_from_errno(lock), lock,
						     "node lock in %s", x->conf.bpffs_dir);
	err = veth_gone ? sfc_dp_unpin(x->conf.bpffs_dir, host_if)
			: sfc_dp_detach(x->conf.bpffs_dir, host_if);
	if (err && err != -ENOENT)
		cni_err_set(e, CNI_ERR_INTERNAL, err, "detaching from %s", host_if);
	else
		err = 0;
	if (sfc_dp_open_endpoints(x->conf.bpffs_dir, &dp) == 0) {
		if (have_rec)
			vpid = rec->vpid;
		else if (host_idx > 0 && sfc_dp_vpid_of_ifindex(&dp, host_idx, &vpid))
			vpid = 0;
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

/* The first error in @from goes to @to unless @to has one; returns @err. */
static int err_merge(struct cni_err *to, const struct cni_err *from, int err)
{
	if (err && from->code && !to->code)
		*to = *from;
	return err;
}

int cmd_del(struct cni_ctx *x)
{
	struct sfc_ep_record rec;
	struct cni_ipam_job job = { 0 };
	struct cni_err link_e = { 0 }, ipam_e = { 0 };
	struct nl_sock *host = NULL;
	char host_if[CNI_IFNAMSIZ], *out = NULL;
	bool have_rec, attach_only, veth_gone = false;
	int err, ret = 0, link_err = 0, ipam_err = 0, host_idx = 0;

	err = sfc_state_read(x->conf.state_dir, x->env.container_id,
			     x->env.ifname, &rec);
	have_rec = err == 0;
	if (err && err != -ENOENT)
		fprintf(stderr, "sfc-cni: DEL %s: state record unreadable (%s), deriving names\n",
			x->env.container_id, strerror(-err));
	cni_endpoint_host_ifname(x, have_rec ? &rec : NULL, host_if);
	attach_only = del_attach_only(x, have_rec ? &rec : NULL, host_if);

	/* IPAM DEL (host-local: a Go binary, several ms) runs while the
	 * kernel tears the veth down (an RCU barrier, over 10 ms when busy).
	 * Attach-only endpoints: the earlier plugin releases its addresses. */
	if (!attach_only && x->conf.ipam_type[0])
		ipam_err = cni_ipam_start(&x->env, &x->conf, "DEL", x->stdin_data,
					  x->stdin_len, &job, &ipam_e);

	err = cni_nl_open(-1, &host);
	if (err)
		ret = cni_err_set(&x->err, CNI_ERR_INTERNAL, err, "netlink socket");
	/* Without a record the VPID is found by the veth's ifindex. */
	if (host && !have_rec && cni_link_get(host, host_if, &host_idx, NULL))
		host_idx = 0;
	/* Deleting the host end removes the peer in the pod netns too, and
	 * our program's tcx link or tc filter with it. */
	if (host && !attach_only) {
		link_err = cni_link_del(host, host_if);
		if (link_err)
			cni_err_set(&link_e, CNI_ERR_INTERNAL, link_err,
				    "deleting veth %s", host_if);
		veth_gone = !link_err;
	}
	cni_nl_close(host);
	err = del_dataplane(x, &rec, have_rec, host_idx, host_if, veth_gone);
	if (err && !ret)
		ret = err;
	if (!ret)
		ret = err_merge(&x->err, &link_e, link_err);

	if (job.pid > 0)
		ipam_err = cni_ipam_wait(&job, &out, &ipam_e);
	free(out);
	if (!ret)
		ret = err_merge(&x->err, &ipam_e, ipam_err);
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
