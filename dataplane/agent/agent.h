/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * agent.h - sfc-agent internals: change detection, OAM probes, health,
 * and cluster mode (objects from the API server, the CNI socket, status).
 */
#ifndef SFC_AGENT_H
#define SFC_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "sfc_control.h"

struct sfc_dp;

/* Reconcile at least this often even without a change: heals map drift
 * (entries edited or deleted behind control's back). */
#define AGENT_FULL_RECONCILE_NS (30ull * 1000000000ull)

enum agent_mode {
	AGENT_MODE_AUTO,        /* cluster when an API server and a node name are known */
	AGENT_MODE_STANDALONE,  /* objects from <conf_dir> files */
	AGENT_MODE_CLUSTER,     /* objects from the API server */
};

struct agent_cfg {
	const char *conf_dir;
	const char *state_dir;
	const char *pin_dir;
	unsigned interval_ms;      /* loop period */
	unsigned dead_after_ms;    /* no echo for this long -> instance down */
	bool once;
	bool verbose;
	enum agent_mode mode;
	const char *kubeconfig;    /* cluster: NULL = in-cluster config */
	const char *node_name;     /* cluster: this node's name */
	const char *socket_path;   /* cluster: the CNI socket (sfc_agent_proto.h) */
	const char *sa_dir;        /* in-cluster service-account dir; NULL = default */
};

/* Last logged state per VPID: 0 unknown, 1 up, 2 down. */
struct agent_health {
	uint8_t state[SFC_MAX_ENDPOINTS];
	uint64_t since_ns[SFC_MAX_ENDPOINTS]; /* first probe (sfc_dp_now_ns());
					       * 0 = judge now */
};

/* Fingerprint of chains.d, pods.d and endpoints/ (names, sizes, mtimes).
 * Return: the fingerprint; changes whenever a file is added, removed,
 * replaced or edited. */
uint64_t agent_scan(const struct agent_cfg *cfg);

/**
 * agent_probe_send() - send one NSH OAM liveness probe (RFC 8300 section
 * 2.2, O bit) to SF endpoint @r out of its host-side veth through an
 * AF_PACKET socket. Return: 0 or -errno.
 */
int agent_probe_send(const struct sfc_ep_record *r);

/**
 * agent_unaware_load() - @unaware[vpid] = 1 (SFC_MAX_ENDPOINTS bytes) for
 * every member of an sfc_groups entry flagged SFC_MEMBER_F_UNAWARE: those
 * instances are not probed (an SFC-unaware SF does not echo NSH).
 * Return: 0 or -errno.
 */
int agent_unaware_load(struct sfc_dp *dp, uint8_t *unaware);

/**
 * agent_health_update() - judge every SF endpoint in @eps alive or dead
 * and write sfc_sf_state[vpid] (SFC_SF_F_DOWN set / cleared, only on a
 * change). NSH-aware instances: alive when their last OAM echo
 * (sfc_sf_health) is within @cfg->dead_after_ms of @now_ns (the dataplane
 * clock, sfc_dp_now_ns(), which the echo times are on); one that has
 * never echoed is dead; one that echoed before and has been probed
 * (@h->since_ns) for less than dead_after is left as it is. SFC-unaware
 * instances (@unaware[vpid]): alive while their host veth is up with
 * carrier and their netns exists. Logs state changes to stderr.
 * Caller holds the node lock. Return: 0 or -errno.
 */
int agent_health_update(const struct agent_cfg *cfg, struct sfc_dp *dp,
			const struct sfc_ep_record *eps, int n_eps,
			const uint8_t *unaware, uint64_t now_ns,
			struct agent_health *h);

/**
 * agent_shaping_update() - set / clear SFC_EP_F_SHAPED_IN and _OUT in
 * sfc_endpoints for every app endpoint in @eps from the qdiscs on its host
 * veth (a root qdisc other than noqueue; an ingress or clsact qdisc), read
 * in one RTM_GETQDISC dump of the agent's netns. Writes only on a change
 * and logs it. Caller holds the node lock. Return: 0 or -errno.
 */
int agent_shaping_update(struct sfc_dp *dp, const struct sfc_ep_record *eps,
			 int n_eps);

/**
 * agent_round() - one round: reconcile when chains.d, pods.d or endpoints/
 * changed (@last_sig: their agent_scan() fingerprint when last programmed)
 * or AGENT_FULL_RECONCILE_NS after the last one (@last_full, sfc_dp_now_ns());
 * probe every NSH-aware SF instance and update every instance's state and
 * the app endpoints' qdisc marks. A reconcile problem is logged when it
 * differs from @last_err (@errlen bytes, kept between rounds), so a
 * standing one is logged once. Return: 0, the reconcile's -errno (-EINVAL:
 * objects with problems, the rest programmed), or the health update's.
 */
int agent_round(const struct agent_cfg *cfg, struct agent_health *h,
		uint64_t *last_sig, uint64_t *last_full, char *last_err,
		size_t errlen);

/**
 * agent_health_round() - the part of a round that does not depend on the
 * source of the objects: probe every NSH-aware SF instance, judge every
 * instance (agent_health_update()) and mark shaped app endpoints
 * (agent_shaping_update()), reading the endpoint records of
 * @cfg->state_dir. Return: 0 or -errno (logged here).
 */
int agent_health_round(const struct agent_cfg *cfg, struct agent_health *h);

/* ---- cluster mode (k8s_*.c) ---- */

/**
 * agent_k8s_pod_min() - the part of Pod object @pod the agent and sfc-cni
 * use: kind, metadata.namespace, .name, .uid and the annotations whose
 * key starts with "sfc.io/" (sfc_agent_proto.h "pod" answer).
 * Return: a new object (caller cJSON_Delete()s), NULL on ENOMEM.
 */
cJSON *agent_k8s_pod_min(const cJSON *pod);

/**
 * agent_k8s_pod() - Pod object @pod of the API server as the control
 * library's sfc_pod, parsed by sfc_pod_parse() from agent_k8s_pod_min().
 * @out: always has the namespace and name; on failure ->status (-EINVAL,
 * -ENOMEM) and ->error "pod NS/NAME: <field>: <reason>".
 * Return: 0 or the parse's -errno.
 */
int agent_k8s_pod(const cJSON *pod, struct sfc_pod *out);

/* One hop of a chain as this node sees it. */
struct agent_hop_view {
	char function[SFC_NAME_MAX];
	int instances;              /* members of its SF group on this node */
	int live;                   /* ... judged up by the agent */
};

/* A chain's state on this node, for its status. */
struct agent_chain_view {
	bool valid;                 /* the object parses and has its own SPI */
	bool ready;                 /* valid, and every hop has a live instance */
	const char *reason;         /* CamelCase: Compiled, Invalid,
				     * SPICollision, UnknownFunction,
				     * NoInstances, InstancesDown */
	char message[512];
	int n_hops;
	struct agent_hop_view hops[SFC_MAX_CHAIN_SFS];
};

/**
 * agent_chain_view() - the state of chain @name in applied plan @p, with
 * instance liveness from @h (may be NULL: none live). The reason of a
 * valid chain that is not ready is its first hop without a live
 * instance: UnknownFunction when no pod of this node declares the type,
 * NoInstances when pods declare it but none is wired, InstancesDown when
 * every instance is down.
 * Return: 0, -ENOENT when @p has no chain of that name.
 */
int agent_chain_view(const struct sfc_plan *p, const char *name,
		     const struct agent_health *h, struct agent_chain_view *v);

/**
 * agent_k8s_status_patch() - the JSON merge patch (RFC 7386) of
 * ServiceChain @chain's /status that makes it say @v for node @node:
 * status.observedGeneration and a chain-wide Ready condition (True,
 * Compiled for a valid object; False with @v's reason otherwise: the
 * same on every node), and status.nodes.<@node> with this node's Ready
 * condition, per-hop instance counts and lastUpdateTime @now. nodes is a
 * map, so the patch leaves other nodes' entries alone; conditions of
 * other types are copied through. A condition's lastTransitionTime stays
 * the object's while its status is unchanged.
 * Return: the patch (caller frees), or NULL when the object already says
 * all that (times aside) or on ENOMEM.
 */
cJSON *agent_k8s_status_patch(const cJSON *chain, const char *node,
			      const struct agent_chain_view *v, const char *now);

/**
 * agent_k8s_event() - a core/v1 Warning Event about Pod object @pod
 * (involvedObject with its uid), source sfc-agent on @node, @reason
 * (CamelCase) and @message, first/last timestamp @now (RFC 3339), named
 * "<pod>.<hash of reason and uid><unix time>" in the pod's namespace.
 * Return: the object (caller frees), NULL without a namespace and name or
 * on ENOMEM.
 */
cJSON *agent_k8s_event(const cJSON *pod, const char *node, const char *reason,
		       const char *message, const char *now);

/** agent_k8s_now() - the current UTC time as RFC 3339 ("...T...Z"). */
void agent_k8s_now(char *buf, size_t len);

/* One request of the CNI socket (sfc_agent_proto.h). */
struct agent_req {
	char op[16];
	char ns[SFC_NAME_MAX];
	char name[254];
	char uid[128];
	uint32_t vpid;              /* program */
	char container_id[128];     /* program */
	char ifname[16];            /* program */
};

/**
 * agent_req_parse() - request message @buf (@len bytes, not
 * NUL-terminated) into @r.
 * Return: 0; -EPROTO for another version or an unknown op; -EINVAL with
 * @err naming the field for anything else malformed.
 */
int agent_req_parse(const char *buf, size_t len, struct agent_req *r,
		    char *err, size_t errlen);

/**
 * agent_answer() - the answer message: {"v":1,"ok":true} plus "pod": @pod
 * (a copy; may be NULL) when @errnum is 0, else {"v":1,"ok":false,
 * "errno":-@errnum,"error":@text}.
 * Return: the malloc'd text (caller frees), NULL on ENOMEM.
 */
char *agent_answer(int errnum, const char *text, const cJSON *pod);

/**
 * agent_cluster_run() - cluster mode until *@stop: list + watch this
 * node's pods, every ServiceChain and this Node; compile and apply them
 * with the endpoint records when they change (and every 30 s), never
 * before both lists are complete; serve the CNI socket; probe and judge
 * SF instances every @cfg->interval_ms; write ServiceChain status and
 * Events for pods naming an unknown chain.
 * Return: 0 when stopped, -errno when it cannot start (logged).
 */
int agent_cluster_run(const struct agent_cfg *cfg, struct agent_health *h,
		      volatile sig_atomic_t *stop);

/* Log to stderr with a timestamp. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SFC_AGENT_H */
