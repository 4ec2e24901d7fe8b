// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_agent.c - cluster mode: ADD asks the node's sfc-agent for the pod's
 * annotations and has it program the new endpoint, over the unix socket
 * of sfc_agent_proto.h ("agentSocket" in the network config; without it,
 * standalone mode reads <confDir>/pods.d as before).
 *
 * Failing closed: an agent that does not answer within "agentTimeoutMs"
 * (both requests together, connection retries included: an agent being
 * restarted is waited for) or answers EAGAIN fails the ADD with code 11,
 * try again later; cmd_add() then undoes everything and the kubelet
 * retries. DEL never asks the agent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sfc_agent_proto.h"
#include "sfc_json.h"
#include "cni_cmd.h"

/* Between connection attempts while the agent is not there. */
#define AGENT_RETRY_MS 50

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int cni_agent_conf(const cJSON *root, struct cni_conf *c, struct cni_err *e)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "agentSocket");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "agentTimeoutMs");
	uint64_t v;
	int err;

	c->agent_timeout_ms = SFC_AGENT_TIMEOUT_MS_DEFAULT;
	if (s && !cJSON_IsNull(s)) {
		if (!cJSON_IsString(s))
			return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
					   "network config: \"agentSocket\" must be a string");
		if (s->valuestring[0] != '/' ||
		    strlen(s->valuestring) >= sizeof(c->agent_socket))
			return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
					   "network config: \"agentSocket\": '%.64s' must be an absolute path shorter than %zu",
					   s->valuestring, sizeof(c->agent_socket));
		strcpy(c->agent_socket, s->valuestring);
	}
	if (!t || cJSON_IsNull(t))
		return 0;
	err = sfc_json_uint(t, 1, 600000, &v);
	if (err)
		return cni_err_set(e, err == -ERANGE ? CNI_ERR_UNSUPPORTED : CNI_ERR_INVALID_CONF,
				   0, "network config: \"agentTimeoutMs\" must be an integer in 1..600000");
	c->agent_timeout_ms = (unsigned)v;
	return 0;
}

static void set_timeouts(int fd, uint64_t left_ms)
{
	struct timeval tv = { .tv_sec = (time_t)(left_ms / 1000),
			      .tv_usec = (suseconds_t)(left_ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* One connect-send-receive; -EAGAIN when the agent was not there or went
 * away before answering (worth another try), -ETIMEDOUT at the deadline. */
static int exchange_once(const char *path, const char *req, uint64_t deadline,
			 char *buf, size_t len, ssize_t *got)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t now = mono_ms();
	int fd, err = 0;

	if (now >= deadline)
		return -ETIMEDOUT;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_timeouts(fd, deadline - now);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		err = errno == ECONNREFUSED || errno == ENOENT || errno == EPIPE ||
		      errno == ECONNRESET ? -EAGAIN : -errno;
	else if ((*got = recv(fd, buf, len, 0)) < 0)
		err = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT
		      : errno == ECONNRESET ? -EAGAIN : -errno;
	else if (*got == 0)
		err = -EAGAIN; /* the agent stopped before it answered */
	close(fd);
	return err;
}

/* Send @req and parse the answer into *@ans, retrying while the agent is
 * away, until @deadline (CLOCK_MONOTONIC ms). */
static int exchange(const struct cni_ctx *x, const char *req, uint64_t deadline,
		    cJSON **ans, struct cni_err *e)
{
	static char buf[SFC_AGENT_MSG_MAX];
	struct timespec pause = { 0, AGENT_RETRY_MS * 1000000L };
	const char *path = x->conf.agent_socket;
	const cJSON *ok, *eno, *why;
	ssize_t got = 0;
	int err;

	while ((err = exchange_once(path, req, deadline, buf, sizeof(buf), &got)) == -EAGAIN)
		nanosleep(&pause, NULL);
	if (err)
		return cni_err_set(e, CNI_ERR_TRY_AGAIN, err,
				   "sfc-agent at %s: no answer within %u ms (%s)",
				   path, x->conf.agent_timeout_ms,
				   err == -ETIMEDOUT ? "timed out" : strerror(-err));
	*ans = cJSON_ParseWithLength(buf, (size_t)got);
	ok = cJSON_GetObjectItemCaseSensitive(*ans, "ok");
	if (cJSON_IsTrue(ok))
		return 0;
	eno = cJSON_GetObjectItemCaseSensitive(*ans, "errno");
	why = cJSON_GetObjectItemCaseSensitive(*ans, "error");
	err = cJSON_IsNumber(eno) && eno->valueint > 0 ? -eno->valueint : -EPROTO;
	err = cni_err_set(e, err == -EAGAIN ? CNI_ERR_TRY_AGAIN
			     : err == -ENOENT ? CNI_ERR_UNKNOWN_CTR : CNI_ERR_INTERNAL,
			  err, "sfc-agent: %s",
			  cJSON_IsString(why) ? why->valuestring : "malformed answer");
	cJSON_Delete(*ans);
	*ans = NULL;
	return err;
}

/* The request's common part: version, op and the pod's identity. */
static cJSON *request(const struct cni_ctx *x, const char *op)
{
	cJSON *r = cJSON_CreateObject();

	if (!r)
		return NULL;
	cJSON_AddNumberToObject(r, "v", SFC_AGENT_PROTO_V);
	cJSON_AddStringToObject(r, "op", op);
	cJSON_AddStringToObject(r, "namespace", x->args.pod_namespace[0]
					? x->args.pod_namespace : "default");
	cJSON_AddStringToObject(r, "name", x->args.pod_name);
	cJSON_AddStringToObject(r, "uid", x->args.pod_uid);
	return r;
}

static int ask(const struct cni_ctx *x, cJSON *req, uint64_t deadline,
	       cJSON **ans, struct cni_err *e)
{
	char *txt = req ? cJSON_PrintUnformatted(req) : NULL;
	int err;

	cJSON_Delete(req);
	if (!txt)
		return cni_err_set(e, CNI_ERR_INTERNAL, -ENOMEM, "agent request");
	err = exchange(x, txt, deadline, ans, e);
	free(txt);
	return err;
}

int cni_agent_pod(const struct cni_ctx *x, uint64_t deadline,
		  struct sfc_pod_info *out, struct cni_err *e)
{
	struct sfc_pod pod;
	char why[384] = "", *txt;
	cJSON *ans = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (!x->args.pod_name[0])
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "CNI_ARGS: K8S_POD_NAME is needed to ask sfc-agent (agentSocket is set)");
	err = ask(x, request(x, SFC_AGENT_OP_POD), deadline, &ans, e);
	if (err)
		return err;
	txt = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(ans, "pod"));
	cJSON_Delete(ans);
	if (!txt)
		return cni_err_set(e, CNI_ERR_INTERNAL, -EPROTO,
				   "sfc-agent: answer without the pod");
	/* The standalone parser: cluster mode takes what standalone takes. */
	err = sfc_pod_parse(txt, &pod, why, sizeof(why));
	free(txt);
	if (err)
		return cni_err_set(e, CNI_ERR_INTERNAL, err, "pod %s/%s: %s",
				   x->args.pod_namespace, x->args.pod_name, why);
	*out = pod.info;
	return 0;
}

int cni_agent_program(const struct cni_ctx *x, uint64_t deadline, uint32_t vpid,
		      struct cni_err *e)
{
	cJSON *req = request(x, SFC_AGENT_OP_PROGRAM), *ans = NULL;
	int err;

	if (req) {
		cJSON_AddNumberToObject(req, "vpid", vpid);
		cJSON_AddStringToObject(req, "containerId", x->env.container_id);
		cJSON_AddStringToObject(req, "ifname", x->env.ifname);
	}
	err = ask(x, req, deadline, &ans, e);
	cJSON_Delete(ans);
	return err;
}

uint64_t cni_agent_deadline(const struct cni_conf *c)
{
	return mono_ms() + c->agent_timeout_ms;
}
