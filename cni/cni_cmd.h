/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cni_cmd.h - the command handlers main() dispatches to (CNI spec section
 * "CNI Operations"). Each takes the parsed invocation, does its work, and
 * returns 0 or -errno with ctx->err describing the failure (code + message
 * naming what failed); main prints the result or the error JSON.
 */
#ifndef SFC_CNI_CMD_H
#define SFC_CNI_CMD_H

#include "cni.h"

struct cni_ctx {
	struct cni_env env;
	struct cni_conf conf;
	struct cni_args args;
	const char *stdin_data; /* the network config, as received */
	size_t stdin_len;
	struct cni_err err;
	char *result;           /* ADD: malloc'd result JSON for stdout */
};

/**
 * cmd_add() - wire the pod interface: veth pair, IPAM, addresses, routes,
 * neighbours, dataplane endpoint + program, state record. On any failure
 * everything already created is undone in reverse order.
 * Return: 0 with ctx->result set, or -errno with ctx->err set.
 */
int cmd_add(struct cni_ctx *ctx);

/**
 * cmd_del() - undo cmd_add(); idempotent: succeeds when any part (state,
 * veth, netns, pins, IPAM allocation) is already gone. IPAM DEL always runs.
 * Return: 0 or -errno with ctx->err set.
 */
int cmd_del(struct cni_ctx *ctx);

/**
 * cmd_check() - verify what cmd_add() set up is still in place (config
 * version >= 0.4.0). Return: 0 or -errno with ctx->err naming what is
 * missing.
 */
int cmd_check(struct cni_ctx *ctx);

/* Helpers shared by the handlers (cmd_del.c). */

/**
 * cni_endpoint_host_ifname() - host veth of the invocation: from @rec when
 * it is non-NULL, else derived from (container id, ifname).
 */
void cni_endpoint_host_ifname(const struct cni_ctx *ctx,
			      const struct sfc_ep_record *rec,
			      char out[CNI_IFNAMSIZ]);

#endif /* SFC_CNI_CMD_H */
