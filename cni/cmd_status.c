// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_status.c - CNI STATUS (spec 1.1.0 section "STATUS: Check plugin
 * status"; config version 1.1.0 or later). Exit 0 when an ADD could be
 * served now; code 50 when not: the bpffs directory cannot hold our pins,
 * the IPAM plugin is missing, its range is exhausted (host-local: counted
 * from its store), or its own STATUS fails (only asked when it supports
 * 1.1.0, which Debian's host-local 1.1.1 does not); code 51 when an
 * existing endpoint of this network is degraded: its host interface or its
 * attached program is gone. Reads only; creates nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "cni_cmd.h"
#include "cni_net.h"
#include "sfc_dp.h"

/* Same decisions as sfc_dp_init()'s bpffs step, without doing them. */
static int status_bpffs(struct cni_ctx *x)
{
	const char *pin = x->conf.bpffs_dir;
	char parent[PATH_MAX];
	struct sfc_dp dp = { 0 };
	int err;

	if (sfc_dp_on_bpffs(pin)) {
		err = sfc_dp_open(pin, &dp);
		sfc_dp_close(&dp);
		if (err && err != -ENOENT)
			return cni_err_set(&x->err, CNI_ERR_UNAVAILABLE, err,
					   "dataplane pins in %s unusable", pin);
		return 0;
	}
	snprintf(parent, sizeof(parent), "%s", pin);
	dirname(parent);
	if (sfc_dp_on_bpffs(parent) || sfc_dp_bpffs_mountable(parent))
		return 0;
	return cni_err_set(&x->err, CNI_ERR_UNAVAILABLE, 0,
			   "bpffsDir %s is not on bpffs and bpffs cannot be mounted on %s (not empty)",
			   pin, parent);
}

static int status_ipam(struct cni_ctx *x)
{
	char why[512] = "", *out = NULL;
	int err;

	if (!x->conf.ipam_type[0])
		return 0; /* chained attach mode: the earlier plugin's IPAM */
	if (!strcmp(x->conf.ipam_type, "host-local")) {
		err = cni_hostlocal_exhausted(x->stdin_data, x->stdin_len, &x->conf,
					      why, sizeof(why));
		if (err == 1)
			return cni_err_set(&x->err, CNI_ERR_UNAVAILABLE, 0, "%s", why);
		if (err < 0)
			return cni_err_set(&x->err, CNI_ERR_UNAVAILABLE, err,
					   "host-local ipam config/store unreadable");
	}
	if (!x->env.path)
		return 0; /* optional for STATUS: cannot look for the plugin */
	err = cni_ipam_supports(&x->env, &x->conf, "1.1.0");
	if (err < 0)
		return cni_err_set(&x->err, CNI_ERR_UNAVAILABLE, err,
				   "ipam plugin '%s' missing or not answering VERSION",
				   x->conf.ipam_type);
	if (err == 0)
		return 0;
	err = cni_ipam_exec(&x->env, &x->conf, "STATUS", x->stdin_data,
			    x->stdin_len, &out, &x->err);
	free(out);
	return err;
}

/* 51 when an endpoint of this network lost its host link or program. */
static int status_endpoints(struct cni_ctx *x)
{
	struct sfc_ep_record *eps = NULL;
	int n = 0, err;

	err = sfc_state_list(x->conf.state_dir, &eps, &n);
	if (err && err != -ENOENT)
		return cni_err_set(&x->err, CNI_ERR_DEGRADED, err,
				   "state records in %s unreadable", x->conf.state_dir);
	for (int i = 0; i < n && !err; i++) {
		const struct sfc_ep_record *r = &eps[i];
		int idx;

		if (strcmp(r->network, x->conf.name))
			continue;
		idx = (int)if_nametoindex(r->host_ifname);
		if (!idx)
			err = cni_err_set(&x->err, CNI_ERR_DEGRADED, 0,
					  "endpoint %s/%s degraded: host interface %s is gone",
					  r->container_id, r->ifname, r->host_ifname);
		else if (sfc_dp_attached(x->conf.bpffs_dir, idx) != 1)
			err = cni_err_set(&x->err, CNI_ERR_DEGRADED, 0,
					  "endpoint %s/%s degraded: no sfc program on %s",
					  r->container_id, r->ifname, r->host_ifname);
	}
	free(eps);
	return err;
}

int cmd_status(struct cni_ctx *x)
{
	int err = status_bpffs(x);

	if (!err)
		err = status_ipam(x);
	if (!err)
		err = status_endpoints(x);
	return err;
}
