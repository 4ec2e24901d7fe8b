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

/**
 * cmd_status() - CNI STATUS (spec 1.1.0 section "STATUS"): can ADD be
 * served? Code 50 when not (bpffs/pins unusable, IPAM range exhausted or
 * the IPAM plugin's own STATUS failing, when it supports 1.1.0), code 51
 * when an endpoint of this network is degraded (host link or program gone).
 * Return: 0 or -errno with ctx->err set.
 */
int cmd_status(struct cni_ctx *ctx);

/**
 * cmd_gc() - CNI GC (spec 1.1.0 section "GC"): remove every endpoint of
 * this network not in "cni.dev/valid-attachments" - state record, map
 * entries, pinned program link, host veth, IPAM allocation - and release
 * host-local allocations of unknown attachments. Goes on past errors and
 * reports the first. Forwards GC to the IPAM plugin if it supports 1.1.0.
 * Return: 0 or -errno with ctx->err set.
 */
int cmd_gc(struct cni_ctx *ctx);

/**
 * cmd_add_attach() - ADD as a chained plugin after an interface-creating
 * one (prevResult names a host interface, @host_if, and the pod's
 * CNI_IFNAME in a sandbox): record the endpoint, write the maps, attach to
 * the host end of CNI_IFNAME's veth (found through the kernel; @host_if
 * only appears in messages); no veth, no IPAM. ctx->result is prevResult
 * passed through. A pod interface that is no veth with its peer in this
 * namespace is refused (code 7).
 * Return: 0 or -errno with ctx->err set; nothing is left on failure.
 */
int cmd_add_attach(struct cni_ctx *ctx, const char *host_if);

/**
 * cni_endpoint_remove() - drop endpoint @rec from the dataplane: detach
 * the program of rec->host_ifname and delete the map entries of rec->vpid
 * (only if sfc_endpoints[vpid] still points at that interface, or it is
 * gone). Takes the node lock. Return: 0 (also when already gone) or -errno
 * with @e set.
 */
int cni_endpoint_remove(const struct cni_conf *conf,
			const struct sfc_ep_record *rec, struct cni_err *e);

/* Helpers shared by the handlers (cmd_del.c). */

/**
 * cni_endpoint_host_ifname() - host veth of the invocation: from @rec when
 * it is non-NULL, else derived from (container id, ifname).
 */
void cni_endpoint_host_ifname(const struct cni_ctx *ctx,
			      const struct sfc_ep_record *rec,
			      char out[CNI_IFNAMSIZ]);

/* Cluster mode: the node's sfc-agent (cni_agent.c, sfc_agent_proto.h). */

/** cni_agent_deadline() - when an ADD's talk with the agent must be over:
 *  now + agentTimeoutMs, on CLOCK_MONOTONIC in ms. */
uint64_t cni_agent_deadline(const struct cni_conf *c);

/**
 * cni_agent_pod() - the pod's sfc.io annotations from sfc-agent ("pod"
 * request; K8S_POD_NAMESPACE/NAME/UID of CNI_ARGS), parsed as standalone
 * Pod objects are (sfc_pod_parse()).
 * @deadline: cni_agent_deadline() of this ADD.
 * Return: 0; -errno with @e set: code 11 (try again later) when the agent
 * did not answer by @deadline or answered EAGAIN, 3 when the pod does not
 * exist or has another UID, 999 for an unusable annotation.
 */
int cni_agent_pod(const struct cni_ctx *x, uint64_t deadline,
		  struct sfc_pod_info *out, struct cni_err *e);

/**
 * cni_agent_program() - have sfc-agent program endpoint @vpid, whose
 * record is written and the node lock released ("program" request);
 * returns once the agent applied a plan holding it.
 * Return: 0 or -errno with @e set, codes as cni_agent_pod().
 */
int cni_agent_program(const struct cni_ctx *x, uint64_t deadline, uint32_t vpid,
		      struct cni_err *e);

#endif /* SFC_CNI_CMD_H */
