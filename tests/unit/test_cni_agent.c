// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cni_agent.c - sfc-cni's side of the agent socket (cni_agent.c,
 * sfc_agent_proto.h): the agentSocket / agentTimeoutMs fields and
 * K8S_POD_UID, and the client against a scripted agent on a temporary
 * socket: answers, refusals and their CNI codes, an agent that is not
 * there (code 11 once the time is up) or comes up late, one that closes
 * without answering, and one that never answers.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sfc_agent_proto.h"
#include "cni_cmd.h"

#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"sfc-cni\"," \
	     "\"ipam\":{\"type\":\"host-local\"}"

static int parse(const char *json, struct cni_conf *c, struct cni_err *e)
{
	memset(e, 0, sizeof(*e));
	return cni_conf_parse(json, strlen(json), c, e);
}

Test(cni_agent, config_fields)
{
	struct cni_conf c;
	struct cni_err e;
	struct cni_args a;

	cr_assert_eq(parse(BASE "}", &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.agent_socket, "", "standalone by default");
	cr_assert_eq(c.agent_timeout_ms, SFC_AGENT_TIMEOUT_MS_DEFAULT);
	cni_conf_free(&c);
	cr_assert_eq(parse(BASE ",\"agentSocket\":\"/run/sfc/agent.sock\",\"agentTimeoutMs\":250}",
			   &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.agent_socket, "/run/sfc/agent.sock");
	cr_assert_eq(c.agent_timeout_ms, 250);
	cni_conf_free(&c);
	cr_assert_lt(parse(BASE ",\"agentSocket\":\"run/agent.sock\"}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_UNSUPPORTED, "relative path: %s", e.msg);
	cr_assert_lt(parse(BASE ",\"agentSocket\":7}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_CONF);
	cr_assert_lt(parse(BASE ",\"agentSocket\":\"/x\",\"agentTimeoutMs\":0}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_UNSUPPORTED);
	cr_assert_lt(parse(BASE ",\"agentSocket\":\"/x\",\"agentTimeoutMs\":\"5\"}", &c, &e), 0);
	cr_assert_eq(e.code, CNI_ERR_INVALID_CONF);
	memset(&e, 0, sizeof(e));
	cr_assert_eq(cni_args_parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p;"
				    "K8S_POD_UID=0b1c-77", &a, &e), 0, "%s", e.msg);
	cr_assert_str_eq(a.pod_uid, "0b1c-77");
}

/* A scripted agent: accepts connections and answers each with the next
 * answer of its script ("" = close without answering, NULL = read and
 * never answer), recording the requests. */
struct fake {
	char path[108];
	int fd;
	const char *const *script;
	int n;
	char req[8][1024];
	int n_req;
	pthread_t th;
};

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	int c;

	for (int i = 0; i < f->n; i++) {
		c = accept(f->fd, NULL, NULL);
		if (c < 0)
			break;
		ssize_t len = recv(c, f->req[f->n_req], sizeof(f->req[0]) - 1, 0);

		if (len > 0)
			f->req[f->n_req++][len] = '\0';
		if (!f->script[i]) {
			sleep(2); /* longer than any client timeout here */
		} else if (f->script[i][0]) {
			send(c, f->script[i], strlen(f->script[i]), MSG_NOSIGNAL);
		}
		close(c);
	}
	return NULL;
}

static void fake_start(struct fake *f, const char *const *script, int n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	f->script = script;
	f->n = n;
	f->fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	cr_assert_geq(f->fd, 0);
	strcpy(sa.sun_path, f->path);
	unlink(f->path);
	cr_assert_eq(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(f->fd, 8), 0);
	pthread_create(&f->th, NULL, fake_run, f);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->fd);
	unlink(f->path);
}

static void ctx(struct cni_ctx *x, const char *path, unsigned timeout_ms)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->conf.agent_socket, sizeof(x->conf.agent_socket), "%s", path);
	x->conf.agent_timeout_ms = timeout_ms;
	strcpy(x->args.pod_namespace, "ns1");
	strcpy(x->args.pod_name, "client");
	strcpy(x->args.pod_uid, "u-1");
	x->env.container_id = "ctr1";
	x->env.ifname = "eth0";
}

/* The first error of an invocation wins (cni_err_set()): each call here
 * is an invocation of its own. */
#define POD(x, info) (memset(&(x).err, 0, sizeof((x).err)), \
		      cni_agent_pod(&(x), cni_agent_deadline(&(x).conf), (info), &(x).err))
#define PROGRAM(x, vpid) (memset(&(x).err, 0, sizeof((x).err)), \
			  cni_agent_program(&(x), cni_agent_deadline(&(x).conf), (vpid), &(x).err))

static void tmp_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/sfc-cni-agent-%d-%s.sock", getpid(), tag);
}

Test(cni_agent, pod_and_program)
{
	static const char *const script[] = {
		"{\"v\":1,\"ok\":true,\"pod\":{\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"ns1\","
		"\"name\":\"client\",\"uid\":\"u-1\",\"annotations\":{\"sfc.io/function\":\"firewall\","
		"\"sfc.io/allowed-sources\":\"10.9.0.0/16\"}}}}",
		"{\"v\":1,\"ok\":true}",
	};
	struct sfc_pod_info info;
	struct fake f = { 0 };
	struct cni_ctx x;

	tmp_path(f.path, sizeof(f.path), "ok");
	fake_start(&f, script, 2);
	ctx(&x, f.path, 2000);
	cr_assert_eq(POD(x, &info), 0, "%s", x.err.msg);
	cr_assert_str_eq(info.function, "firewall");
	cr_assert_eq(info.n_allowed_src, 1);
	cr_assert_eq(PROGRAM(x, 42), 0, "%s", x.err.msg);
	fake_stop(&f);
	cr_assert_eq(f.n_req, 2);
	cr_assert(strstr(f.req[0], "\"op\":\"pod\"") && strstr(f.req[0], "\"uid\":\"u-1\""), "%s", f.req[0]);
	cr_assert(strstr(f.req[1], "\"op\":\"program\"") && strstr(f.req[1], "\"vpid\":42") &&
		  strstr(f.req[1], "\"containerId\":\"ctr1\""), "%s", f.req[1]);
}

Test(cni_agent, refusals_and_codes)
{
	static const char *const script[] = {
		"{\"v\":1,\"ok\":false,\"errno\":2,\"error\":\"pod ns1/client: no such pod\"}",
		"{\"v\":1,\"ok\":false,\"errno\":11,\"error\":\"not synced\"}",
		"{\"v\":1,\"ok\":true,\"pod\":{\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"ns1\","
		"\"name\":\"client\",\"annotations\":{\"sfc.io/sfc-aware\":\"maybe\"}}}}",
		"{\"v\":1,\"ok\":false,\"errno\":5,\"error\":\"reconcile: map update\"}",
	};
	struct sfc_pod_info info;
	struct fake f = { 0 };
	struct cni_ctx x;

	tmp_path(f.path, sizeof(f.path), "refuse");
	fake_start(&f, script, 4);
	ctx(&x, f.path, 2000);
	cr_assert_eq(POD(x, &info), -ENOENT);
	cr_assert_eq(x.err.code, CNI_ERR_UNKNOWN_CTR);
	cr_assert(strstr(x.err.msg, "no such pod"), "%s", x.err.msg);
	cr_assert_eq(POD(x, &info), -EAGAIN);
	cr_assert_eq(x.err.code, CNI_ERR_TRY_AGAIN);
	/* The standalone parser judges the annotations. */
	cr_assert_lt(POD(x, &info), 0);
	cr_assert_eq(x.err.code, CNI_ERR_INTERNAL);
	cr_assert(strstr(x.err.msg, "sfc.io/sfc-aware"), "%s", x.err.msg);
	cr_assert_eq(PROGRAM(x, 3), -EIO);
	cr_assert_eq(x.err.code, CNI_ERR_INTERNAL);
	fake_stop(&f);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

Test(cni_agent, no_agent_is_code_11_at_the_deadline)
{
	struct sfc_pod_info info;
	struct cni_ctx x;
	char path[108];
	uint64_t t0;

	tmp_path(path, sizeof(path), "none");
	unlink(path);
	ctx(&x, path, 300);
	t0 = now_ms();
	cr_assert_eq(POD(x, &info), -ETIMEDOUT);
	cr_assert_eq(x.err.code, CNI_ERR_TRY_AGAIN);
	cr_assert_geq(now_ms() - t0, 300);
	cr_assert_lt(now_ms() - t0, 1000);
}

/* An agent that closes without answering (it died) is asked again; one
 * that never answers ends at the deadline. */
Test(cni_agent, agent_dies_then_answers_and_silent_agent)
{
	static const char *const script[] = { "", "{\"v\":1,\"ok\":true}", NULL };
	struct fake f = { 0 };
	struct cni_ctx x;
	uint64_t t0;

	tmp_path(f.path, sizeof(f.path), "dies");
	fake_start(&f, script, 3);
	ctx(&x, f.path, 500);
	cr_assert_eq(PROGRAM(x, 9), 0, "%s", x.err.msg);
	t0 = now_ms();
	cr_assert_eq(PROGRAM(x, 9), -ETIMEDOUT);
	cr_assert_eq(x.err.code, CNI_ERR_TRY_AGAIN);
	cr_assert_lt(now_ms() - t0, 1500);
	fake_stop(&f);
	cr_assert_eq(f.n_req, 3);
}
