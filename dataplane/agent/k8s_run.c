// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * k8s_run.c - the cluster-mode loop: one thread, one wait. Each turn
 * waits in sfc_k8s_step_fd() for watch data, a CNI client or the next
 * round, whichever comes first; a store that changed is compiled at once
 * (an annotation change reaches the maps milliseconds after the API
 * server sent it), a CNI client is answered at once, and every interval
 * the SF instances are probed and judged as in standalone mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfc_dp.h"
#include "k8s_agent.h"

static uint64_t now_ms(void)
{
	return sfc_dp_now_ns() / 1000000ull;
}

static int k8s_config(const struct agent_cfg *cfg, struct sfc_k8s_config *kc)
{
	char err[512] = "";
	int rc;

	if (cfg->kubeconfig)
		rc = sfc_k8s_config_kubeconfig(cfg->kubeconfig, NULL, kc, err,
					       sizeof(err));
	else
		rc = sfc_k8s_config_in_cluster(cfg->sa_dir, kc, err, sizeof(err));
	if (rc)
		agent_log("cluster mode: %s", err[0] ? err : strerror(-rc));
	return rc;
}

static int reflector(struct agent_k8s *k, const struct sfc_k8s_resource *res,
		     const char *fsel, struct sfc_k8s_store *s,
		     struct sfc_k8s_reflector **out)
{
	struct sfc_k8s_watch_opts o = { .res = res, .field_selector = fsel };
	struct sfc_k8s_handler h = sfc_k8s_store_handler(s);

	return sfc_k8s_reflector_new(k->watch, &o, &h, out);
}

static int k8s_open(struct agent_k8s *k)
{
	/* Requests made inside the loop (a pod for the CNI, status, Events)
	 * must not hold it long: sfc-cni waits 5 s in all. */
	struct sfc_k8s_client_opts ro = { .connect_timeout_ms = 2000,
					  .request_timeout_ms = 3000 };
	const struct agent_cfg *cfg = k->cfg;
	char fsel[320];
	struct sfc_k8s_config kc;
	int rc;

	rc = k8s_config(cfg, &kc);
	if (rc)
		return rc;
	rc = sfc_k8s_client_new(&kc, NULL, &k->watch);
	if (!rc)
		rc = sfc_k8s_client_new(&kc, &ro, &k->req);
	if (!rc)
		agent_log("cluster mode: node %s, API server %s, CNI socket %s",
			  cfg->node_name, kc.server, cfg->socket_path);
	sfc_k8s_config_free(&kc);
	if (rc) {
		agent_log("cluster mode: API client: %s", strerror(-rc));
		return rc;
	}
	k->pods = sfc_k8s_store_new();
	k->chains = sfc_k8s_store_new();
	k->nodes = sfc_k8s_store_new();
	k->fetched = cJSON_CreateObject();
	k->evented = cJSON_CreateObject();
	if (!k->pods || !k->chains || !k->nodes || !k->fetched || !k->evented)
		return -ENOMEM;
	snprintf(fsel, sizeof(fsel), "spec.nodeName=%s", cfg->node_name);
	rc = reflector(k, &sfc_k8s_pods, fsel, k->pods, &k->rp);
	if (!rc)
		rc = reflector(k, &sfc_k8s_servicechains, NULL, k->chains, &k->rc);
	snprintf(fsel, sizeof(fsel), "metadata.name=%s", cfg->node_name);
	if (!rc)
		rc = reflector(k, &sfc_k8s_nodes, fsel, k->nodes, &k->rn);
	if (rc)
		return rc;
	k->sock = agent_sock_open(cfg->socket_path);
	if (k->sock < 0) {
		agent_log("CNI socket %s: %s", cfg->socket_path, strerror(-k->sock));
		return k->sock;
	}
	return 0;
}

static void k8s_close(struct agent_k8s *k)
{
	if (k->sock >= 0) {
		close(k->sock);
		unlink(k->cfg->socket_path);
	}
	sfc_k8s_reflector_free(k->rp);
	sfc_k8s_reflector_free(k->rc);
	sfc_k8s_reflector_free(k->rn);
	sfc_k8s_client_free(k->watch);
	sfc_k8s_client_free(k->req);
	sfc_k8s_store_free(k->pods);
	sfc_k8s_store_free(k->chains);
	sfc_k8s_store_free(k->nodes);
	cJSON_Delete(k->fetched);
	cJSON_Delete(k->evented);
	sfc_plan_free(&k->plan);
}

/* The Node's pod CIDR, logged when it changes (what host-local allocates
 * from where the conflist asks for the Node's, see install-cni.sh). */
static void node_changed(struct agent_k8s *k)
{
	const cJSON *n = sfc_k8s_store_get(k->nodes, NULL, k->cfg->node_name);
	const cJSON *cidr = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(n, "spec"), "podCIDR");

	k->gen_nodes = sfc_k8s_store_generation(k->nodes);
	if (!n)
		agent_log("node %s: no Node object", k->cfg->node_name);
	else if (cJSON_IsString(cidr))
		agent_log("node %s: podCIDR %s", k->cfg->node_name, cidr->valuestring);
}

/* After a step: compile what changed, right away. */
static void after_step(struct agent_k8s *k)
{
	if (sfc_k8s_store_generation(k->nodes) != k->gen_nodes)
		node_changed(k);
	if (!agent_k8s_synced(k))
		return;
	if (!k->synced_logged) {
		agent_log("synced: %zu pods on node %s, %zu servicechains",
			  sfc_k8s_store_count(k->pods), k->cfg->node_name,
			  sfc_k8s_store_count(k->chains));
		k->synced_logged = true;
	}
	if (!k->have_plan ||
	    sfc_k8s_store_generation(k->pods) != k->gen_pods ||
	    sfc_k8s_store_generation(k->chains) != k->gen_chains)
		agent_k8s_reconcile(k);
	agent_k8s_publish(k);
}

/* Every interval: SF health, endpoint records that came or went (CNI
 * DEL, GC), the 30 s full reconcile, and status when liveness changed. */
static void round_tick(struct agent_k8s *k)
{
	int rc = agent_health_round(k->cfg, k->h);

	if (rc && rc != -ENOENT && k->cfg->verbose)
		agent_log("round: %s", strerror(-rc));
	if (!agent_k8s_synced(k))
		return;
	if (agent_scan(k->cfg) != k->sig ||
	    sfc_dp_now_ns() - k->last_full_ns >= AGENT_FULL_RECONCILE_NS)
		agent_k8s_reconcile(k);
	if (k->publish) {
		agent_k8s_publish(k);
	} else { /* liveness may have changed */
		agent_k8s_snapshot(k);
		agent_k8s_status(k);
	}
}

int agent_cluster_run(const struct agent_cfg *cfg, struct agent_health *h,
		      volatile sig_atomic_t *stop)
{
	struct agent_k8s k = { .cfg = cfg, .h = h, .sock = -1 };
	uint64_t next = 0, now;
	bool ready;
	int rc;

	rc = k8s_open(&k);
	while (!rc && !*stop) {
		now = now_ms();
		if (now >= next) {
			round_tick(&k);
			next = now + cfg->interval_ms;
			now = now_ms();
		}
		rc = sfc_k8s_step_fd(k.watch, next > now ? (int)(next - now) : 0,
				     k.sock, &ready);
		if (rc) {
			agent_log("cluster mode: libcurl: %s", strerror(-rc));
			break;
		}
		if (ready)
			agent_sock_serve(&k);
		after_step(&k);
	}
	k8s_close(&k);
	return rc;
}
