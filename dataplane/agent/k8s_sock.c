// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * k8s_sock.c - the CNI socket of cluster mode (sfc_agent_proto.h): sfc-cni
 * asks for a pod's annotations before ADD wires anything, and has its new
 * endpoint programmed before ADD returns. Served on the agent's thread:
 * sfc_k8s_step_fd() wakes the loop when a client connects, so the
 * answers use the same stores and plan as the watches, without locks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sfc_agent_proto.h"
#include "k8s_agent.h"

/* Connections answered per wake-up; the rest wait for the next step. */
#define SOCK_BATCH 64

int agent_sock_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)], *slash;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket file left by an agent that died: nobody listens on it. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(fd, SOCK_BATCH)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void reply(int fd, int errnum, const char *text, const cJSON *pod)
{
	char *msg = agent_answer(errnum, text, pod);

	/* A client that gave up (its timeout) has closed: EPIPE, nothing to do. */
	if (msg && send(fd, msg, strlen(msg), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		agent_log("CNI socket: answer not sent: %s", strerror(errno));
	free(msg);
}

static void serve_pod(struct agent_k8s *k, int fd, const struct agent_req *r)
{
	char why[512] = "";
	const cJSON *o;
	cJSON *min;
	int err = 0;

	o = agent_k8s_pod_get(k, r->ns, r->name, r->uid, &err, why, sizeof(why));
	if (!o) {
		reply(fd, err, why, NULL);
		return;
	}
	min = agent_k8s_pod_min(o);
	reply(fd, min ? 0 : -ENOMEM, NULL, min);
	cJSON_Delete(min);
}

struct pending {
	int fd;
	struct agent_req r;
};

/* Is endpoint @r->vpid of the applied plan the one sfc-cni just wired,
 * with a usable pod object? */
static int programmed(const struct agent_k8s *k, const struct agent_req *r,
		      char *why, size_t whylen)
{
	const struct sfc_ep_record *ep = sfc_plan_endpoint(&k->plan, r->vpid);
	const struct sfc_pod *pod;

	if (!ep || strcmp(ep->container_id, r->container_id) ||
	    strcmp(ep->ifname, r->ifname)) {
		snprintf(why, whylen, "no endpoint record of %s/%s with vpid %u",
			 r->container_id, r->ifname, r->vpid);
		return -ENOENT;
	}
	pod = sfc_pod_find(k->plan.pods, k->plan.n_pods, ep->pod_namespace,
			   ep->pod_name);
	if (!pod) {
		snprintf(why, whylen, "pod %s/%s: not known to the agent",
			 ep->pod_namespace, ep->pod_name);
		return -EAGAIN;
	}
	if (pod->status) {
		snprintf(why, whylen, "%s", pod->error);
		return -EINVAL;
	}
	return 0;
}

/* One reconcile for every waiting "program" request. */
static void serve_program(struct agent_k8s *k, struct pending *p, int n)
{
	char why[512];
	int i, rc, err;

	for (i = 0; i < n; i++) {
		why[0] = '\0';
		if (agent_k8s_pod_get(k, p[i].r.ns, p[i].r.name, p[i].r.uid, &err,
				      why, sizeof(why)))
			continue;
		reply(p[i].fd, err, why, NULL);
		close(p[i].fd);
		p[i].fd = -1;
	}
	rc = agent_k8s_reconcile(k);
	for (i = 0; i < n; i++) {
		if (p[i].fd < 0)
			continue;
		err = rc;
		if (rc == -EAGAIN)
			snprintf(why, sizeof(why),
				 "the agent has not listed pods and ServiceChains from the API server yet");
		else if (rc)
			snprintf(why, sizeof(why), "reconcile: %.400s", k->last_err);
		else
			err = programmed(k, &p[i].r, why, sizeof(why));
		reply(p[i].fd, err, why, NULL);
		close(p[i].fd);
		if (err || k->cfg->verbose)
			agent_log("CNI ADD %s/%s vpid %u: %s", p[i].r.ns, p[i].r.name,
				  p[i].r.vpid, err ? why : "programmed");
	}
}

void agent_sock_serve(struct agent_k8s *k)
{
	static char buf[SFC_AGENT_MSG_MAX];
	struct timeval tv = { .tv_sec = 1 };
	struct pending prog[SOCK_BATCH];
	struct agent_req r;
	char why[512];
	int i, fd, n_prog = 0, rc;
	ssize_t len;

	for (i = 0; i < SOCK_BATCH; i++) {
		fd = accept4(k->sock, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			break; /* EAGAIN: none left */
		/* The client sends its request right after connecting; one
		 * that does not cannot hold the loop longer than this. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		len = recv(fd, buf, sizeof(buf), 0);
		if (len <= 0) {
			close(fd);
			continue;
		}
		rc = agent_req_parse(buf, (size_t)len, &r, why, sizeof(why));
		if (rc) {
			agent_log("CNI socket: %s", why);
			reply(fd, rc, why, NULL);
			close(fd);
		} else if (!strcmp(r.op, SFC_AGENT_OP_POD)) {
			serve_pod(k, fd, &r);
			close(fd);
		} else {
			prog[n_prog].fd = fd;
			prog[n_prog++].r = r;
		}
	}
	if (n_prog)
		serve_program(k, prog, n_prog);
}
