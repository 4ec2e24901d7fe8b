/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * k8s_agent.h - cluster mode state shared by k8s_cluster.c (watches,
 * compile, status, Events) and k8s_sock.c (the CNI socket).
 */
#ifndef SFC_K8S_AGENT_H
#define SFC_K8S_AGENT_H

#include "sfc_k8s_watch.h"
#include "agent.h"

struct agent_k8s {
	const struct agent_cfg *cfg;
	struct agent_health *h;
	struct sfc_k8s_client *watch;   /* reflectors */
	struct sfc_k8s_client *req;     /* blocking requests, short timeouts */
	struct sfc_k8s_store *pods;     /* this node's pods */
	struct sfc_k8s_store *chains;
	struct sfc_k8s_store *nodes;    /* this Node */
	struct sfc_k8s_reflector *rp, *rc, *rn;
	cJSON *fetched;      /* "ns/name" -> pod GET'd for an ADD before the
			      * watch delivered it; dropped once the store has it */
	cJSON *evented;      /* "uid chain" -> true: Event posted */
	struct sfc_plan plan;           /* last applied */
	bool have_plan;
	bool publish;                   /* plan not yet published (status, Events) */
	bool synced_logged;
	uint64_t gen_pods, gen_chains, gen_nodes; /* compiled at */
	uint64_t sig;                   /* endpoints/ fingerprint compiled at */
	uint64_t last_full_ns;
	uint64_t status_retry_ns;       /* no status writes before (API away) */
	char status_err[512];           /* last status write failure, logged once */
	char last_err[4096];
	uint64_t snap_sum;              /* hash of the snapshot written last */
	int snap_rc;                    /* its last write's result, logged once */
	int sock;                       /* CNI socket listener, -1 none */
};

/**
 * agent_k8s_synced() - have the pod and ServiceChain reflectors handed on a
 * complete LIST (and are both stores complete)? Nothing is compiled before.
 */
bool agent_k8s_synced(const struct agent_k8s *k);

/**
 * agent_k8s_reconcile() - compile the stores' objects (and pods GET'd
 * for an ADD) with the endpoint records and apply them under the node
 * lock; keep the plan for status and the socket, to be published by
 * agent_k8s_publish() (not here: a CNI client waiting for its answer must
 * not wait for API requests too).
 * Return: 0; -EAGAIN when not synced; -errno of the records, the lock or
 * the apply (logged once per distinct message).
 */
int agent_k8s_reconcile(struct agent_k8s *k);

/**
 * agent_k8s_publish() - after a reconcile: post Events for pods naming an
 * unknown chain and write changed ServiceChain status (blocking API
 * requests); nothing when the last plan is published already.
 */
void agent_k8s_publish(struct agent_k8s *k);

/**
 * agent_k8s_status() - write the /status of every ServiceChain whose
 * object does not say what this node sees in the last applied plan (one
 * merge patch each, only on a change); after a failed write (the API
 * server away, or refusing the patch), none for 5 s; a failure is logged
 * once while it repeats.
 */
void agent_k8s_status(struct agent_k8s *k);

/**
 * agent_k8s_snapshot() - write the cluster snapshot for sfcctl (the
 * control library's sfc_snapshot_write()): every ServiceChain of the last
 * applied plan as the store has it, with its Ready condition on this node
 * (agent_chain_view()), and the plan's pod objects. Written only when it
 * changed, and only on a node an ADD has set up (pins exist): none
 * before, none after an uninstall. A failure is logged once while it
 * repeats.
 */
void agent_k8s_snapshot(struct agent_k8s *k);

/**
 * agent_k8s_pod_get() - Pod @ns/@name for the CNI: from the pod store,
 * else from the pods GET'd before, else GET from the API server (kept in
 * ->fetched). @uid ("" = any) must be the pod's.
 * Return: the object (borrowed: valid until the next sfc_k8s_step() or
 * reconcile); NULL with *@err -ENOENT (no such pod, or another UID),
 * -EAGAIN (the API server did not answer) or -ENOMEM, and @why.
 */
const cJSON *agent_k8s_pod_get(struct agent_k8s *k, const char *ns,
			       const char *name, const char *uid, int *err,
			       char *why, size_t whylen);

/** agent_sock_open() - listen on @path (SOCK_SEQPACKET, 0600, non-blocking).
 *  Return: the fd or -errno. */
int agent_sock_open(const char *path);

/**
 * agent_sock_serve() - answer every connection waiting on k->sock: "pod"
 * requests at once, "program" requests after one agent_k8s_reconcile()
 * for all of them.
 */
void agent_sock_serve(struct agent_k8s *k);

#endif /* SFC_K8S_AGENT_H */
