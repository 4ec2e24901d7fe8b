// SPDX-License-Identifier: GPL-2.0-only
/*
 * k8s_check.c - libsfck8s against a real kube-apiserver (run by
 * apiserver_test.sh, which starts etcd and the apiserver on loopback and
 * restarts the apiserver when this program prints "restart").
 *
 * usage: k8s_check ADMIN_KUBECONFIG NOBODY_KUBECONFIG TOKEN_KUBECONFIG TOKEN_FILE
 *
 * Prints one line per check and "ok" at the end; exits 1 at the first
 * failure with the reason.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfc_k8s.h"
#include "sfc_k8s_watch.h"

#define NODE "sfc-check-node"

static struct sfc_k8s_client *c;
static struct sfc_k8s_store *pods, *chains, *nodes;
static struct sfc_k8s_reflector *rp, *rc, *rn;

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

#define CHECK(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct sfc_k8s_client *client_of(const char *kubeconfig)
{
	struct sfc_k8s_config cfg;
	struct sfc_k8s_client *cl;
	char err[512];
	int rc;

	rc = sfc_k8s_config_kubeconfig(kubeconfig, NULL, &cfg, err, sizeof(err));
	CHECK(!rc, "%s", err);
	rc = sfc_k8s_client_new(&cfg, NULL, &cl);
	CHECK(!rc, "client: %s", strerror(-rc));
	sfc_k8s_config_free(&cfg);
	return cl;
}

static const char *meta_str(const cJSON *o, const char *f)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), f);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Step the reflectors until @pred holds; die after @ms. Return: ms taken. */
static uint64_t step_until(bool (*pred)(void), unsigned ms, const char *what)
{
	uint64_t t0 = now_ms();

	while (!pred()) {
		CHECK(now_ms() - t0 < ms, "timed out after %u ms waiting for %s", ms, what);
		CHECK(!sfc_k8s_step(c, 50), "sfc_k8s_step failed");
	}
	return now_ms() - t0;
}

/* As step_until(), each step waiting up to @wait_ms: the time measured is
 * the event's, not the step's timeout. */
static uint64_t step_until_wait(bool (*pred)(void), unsigned ms, int wait_ms, const char *what)
{
	uint64_t t0 = now_ms();

	while (!pred()) {
		CHECK(now_ms() - t0 < ms, "timed out after %u ms waiting for %s", ms, what);
		CHECK(!sfc_k8s_step(c, wait_ms), "sfc_k8s_step failed");
	}
	return now_ms() - t0;
}

static void create(const struct sfc_k8s_resource *res, const char *ns, const char *json)
{
	struct sfc_k8s_status st;
	cJSON *o = cJSON_Parse(json);
	int rc;

	CHECK(o, "bad JSON in the test: %s", json);
	rc = sfc_k8s_create(c, res, ns, o, NULL, &st);
	CHECK(!rc, "create %s: %d %s (HTTP %ld)", res->plural, rc, st.message, st.http);
	cJSON_Delete(o);
}

static cJSON *patch(const struct sfc_k8s_resource *res, const char *name, const char *sub,
		    const char *json)
{
	struct sfc_k8s_status st;
	cJSON *p = cJSON_Parse(json), *out;
	int rc;

	rc = sfc_k8s_merge_patch(c, res, res->namespaced ? "default" : NULL, name, sub, p,
				 &out, &st);
	CHECK(!rc, "patch %s/%s: %d %s (HTTP %ld)", res->plural, name, rc, st.message, st.http);
	cJSON_Delete(p);
	return out;
}

static bool synced(void)
{
	return sfc_k8s_store_get(pods, "default", "p1") && sfc_k8s_store_get(chains, NULL, "fw-count") &&
	       sfc_k8s_store_get(nodes, NULL, NODE);
}

static bool annotated(void)
{
	const cJSON *p = sfc_k8s_store_get(pods, "default", "p1");
	const cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(p, "metadata"), "annotations");
	const cJSON *v = cJSON_GetObjectItem(a, "sfc.io/chain");

	return cJSON_IsString(v) && !strcmp(v->valuestring, "fw-count");
}

static bool has_p3(void)
{
	return sfc_k8s_store_get(pods, "default", "p3") != NULL;
}

static void watch_all(void)
{
	struct sfc_k8s_watch_opts po = { .res = &sfc_k8s_pods,
					 .field_selector = "spec.nodeName=" NODE };
	struct sfc_k8s_watch_opts co = { .res = &sfc_k8s_servicechains };
	struct sfc_k8s_watch_opts no = { .res = &sfc_k8s_nodes,
					 .field_selector = "metadata.name=" NODE };
	struct sfc_k8s_handler h;

	pods = sfc_k8s_store_new();
	chains = sfc_k8s_store_new();
	nodes = sfc_k8s_store_new();
	h = sfc_k8s_store_handler(pods);
	CHECK(!sfc_k8s_reflector_new(c, &po, &h, &rp), "reflector");
	h = sfc_k8s_store_handler(chains);
	CHECK(!sfc_k8s_reflector_new(c, &co, &h, &rc), "reflector");
	h = sfc_k8s_store_handler(nodes);
	CHECK(!sfc_k8s_reflector_new(c, &no, &h, &rn), "reflector");
}

#define POD(name, node) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\"}," \
	"\"spec\":{\"nodeName\":\"" node "\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}"

static void objects_and_watch(void)
{
	const cJSON *node;
	char *text;
	uint64_t ms;
	cJSON *o;

	create(&sfc_k8s_nodes, NULL, "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
	       "{\"name\":\"" NODE "\"},\"spec\":{\"podCIDR\":\"10.244.7.0/24\"}}");
	create(&sfc_k8s_servicechains, NULL, "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":"
	       "\"ServiceChain\",\"metadata\":{\"name\":\"fw-count\"},\"spec\":{\"functions\":"
	       "[\"firewall\",\"counter\"]}}");
	create(&sfc_k8s_pods, "default", POD("p1", NODE));
	create(&sfc_k8s_pods, "default", POD("p2", "other-node"));
	watch_all();
	ms = step_until(synced, 10000, "the three reflectors to sync");
	printf("list+watch of pods (this node), servicechains, node: synced in %llu ms\n",
	       (unsigned long long)ms);
	CHECK(!sfc_k8s_store_get(pods, "default", "p2"), "the field selector let p2 through");
	node = sfc_k8s_store_get(nodes, NULL, NODE);
	CHECK(!strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(node, "spec"), "podCIDR")->valuestring,
		      "10.244.7.0/24"), "node podCIDR");

	o = patch(&sfc_k8s_pods, "p1", NULL,
		  "{\"metadata\":{\"annotations\":{\"sfc.io/chain\":\"fw-count\"}}}");
	cJSON_Delete(o);
	ms = step_until_wait(annotated, 1000, 1000, "the annotation to reach the store");
	printf("merge patch of an annotation: in the store %llu ms after the PATCH returned\n",
	       (unsigned long long)ms);
	o = patch(&sfc_k8s_pods, "p1", "status",
		  "{\"status\":{\"conditions\":[{\"type\":\"sfc.io/programmed\",\"status\":\"True\"}]}}");
	text = cJSON_PrintUnformatted(o);
	CHECK(text && strstr(text, "sfc.io/programmed"), "status patch not applied");
	free(text);
	cJSON_Delete(o);
	printf("merge patch of /status: ok\n");
}

static void requests(const char *nobody_kc, const char *token_kc, const char *token_file)
{
	struct sfc_k8s_client *other;
	struct sfc_k8s_status st;
	char ev[1024];
	cJSON *p1, *e;
	FILE *f;
	int rc;

	rc = sfc_k8s_get(c, &sfc_k8s_pods, "default", "p1", &p1, &st);
	CHECK(!rc, "GET p1: %s", st.message);
	CHECK(!strcmp(meta_str(p1, "uid"), meta_str(sfc_k8s_store_get(pods, "default", "p1"), "uid")),
	      "GET and the store disagree on the UID");
	snprintf(ev, sizeof(ev), "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":"
		 "\"p1.sfc-check\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"default\","
		 "\"name\":\"p1\",\"uid\":\"%s\"},\"reason\":\"UnknownChain\",\"message\":\"chain x "
		 "does not exist\",\"type\":\"Warning\",\"source\":{\"component\":\"sfc-agent\"}}",
		 meta_str(p1, "uid"));
	cJSON_Delete(p1);
	e = cJSON_Parse(ev);
	CHECK(!sfc_k8s_create(c, &sfc_k8s_events, "default", e, NULL, &st), "event: %s", st.message);
	rc = sfc_k8s_create(c, &sfc_k8s_events, "default", e, NULL, &st);
	CHECK(rc == -EEXIST && !strcmp(st.reason, "AlreadyExists"), "event again: %d %s", rc,
	      st.reason);
	cJSON_Delete(e);
	printf("POST Event: ok; again: -EEXIST (%s)\n", st.message);

	rc = sfc_k8s_get(c, &sfc_k8s_pods, "default", "nope", NULL, &st);
	CHECK(rc == -ENOENT && st.http == 404, "GET missing: %d", rc);
	printf("GET missing pod: -ENOENT (%s)\n", st.message);
	e = cJSON_Parse("{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"containers\":[]}}");
	rc = sfc_k8s_create(c, &sfc_k8s_pods, "default", e, NULL, &st);
	CHECK(rc == -EINVAL && st.http == 422, "invalid pod: %d HTTP %ld", rc, st.http);
	cJSON_Delete(e);
	printf("POST invalid pod: -EINVAL (%.80s...)\n", st.message);

	other = client_of(nobody_kc);
	rc = sfc_k8s_get(other, &sfc_k8s_pods, "default", "p1", NULL, &st);
	CHECK(rc == -EPERM && st.http == 403, "nobody: %d HTTP %ld", rc, st.http);
	printf("GET as a user without RBAC: -EPERM (%s)\n", st.message);
	sfc_k8s_client_free(other);

	other = client_of(token_kc);
	rc = sfc_k8s_get(other, &sfc_k8s_pods, "default", "p1", NULL, &st);
	CHECK(rc == -EACCES && st.http == 401, "wrong token: %d HTTP %ld", rc, st.http);
	f = fopen(token_file, "w");
	CHECK(f && fputs("sfc-check-good-token\n", f) >= 0 && !fclose(f), "token file");
	rc = sfc_k8s_get(other, &sfc_k8s_pods, "default", "p1", NULL, &st);
	CHECK(!rc, "rotated token: %d %s", rc, st.message);
	printf("token rotated: 401, token file re-read, retried: ok\n");
	sfc_k8s_client_free(other);
}

/* Step while the script restarts the apiserver; return when it says "go". */
static void restart(void)
{
	struct sfc_k8s_reflector_info info;
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	unsigned max_fail = 0;
	char line[64];

	/* Move the global revision past the last pod event, so the restarted
	 * apiserver's watch cache starts after the reflector's version. */
	create(&sfc_k8s_events, "default", "{\"metadata\":{\"name\":\"bump\"},\"involvedObject\":"
	       "{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"p1\"},\"reason\":\"Bump\"}");
	printf("restart\n");
	fflush(stdout);
	while (poll(&pfd, 1, 0) == 0) {
		CHECK(!sfc_k8s_step(c, 50), "step");
		sfc_k8s_reflector_info(rp, &info);
		if (info.failures > max_fail)
			max_fail = info.failures;
	}
	CHECK(fgets(line, sizeof(line), stdin) && !strcmp(line, "go\n"), "script said %s", line);
	create(&sfc_k8s_pods, "default", POD("p3", NODE));
	step_until(has_p3, 20000, "a pod created after the restart");
	sfc_k8s_reflector_info(rp, &info);
	printf("apiserver restarted: %u failed attempts while down, %u relist(s), then p3 seen\n",
	       max_fail, info.relists);
	CHECK(max_fail > 0, "the outage went unnoticed");
	CHECK(sfc_k8s_store_get(pods, "default", "p1"), "p1 lost over the restart");
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s ADMIN_KC NOBODY_KC TOKEN_KC TOKEN_FILE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	c = client_of(argv[1]);
	objects_and_watch();
	requests(argv[2], argv[3], argv[4]);
	restart();
	sfc_k8s_reflector_free(rp);
	sfc_k8s_reflector_free(rc);
	sfc_k8s_reflector_free(rn);
	sfc_k8s_store_free(pods);
	sfc_k8s_store_free(chains);
	sfc_k8s_store_free(nodes);
	sfc_k8s_client_free(c);
	printf("ok\n");
	return 0;
}
