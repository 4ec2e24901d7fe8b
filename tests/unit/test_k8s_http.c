// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_http.c - blocking requests through real libcurl against the
 * scripted fake API server (k8s_fake_api.py) on 127.0.0.1: GET, LIST
 * with selectors and paging, merge PATCH of /status, POST, the API's
 * Status turned into errno + message, a 401 re-reading a rotated token
 * and retrying once, the one-minute token re-read, connection refused,
 * body bounds, and TLS with CA and client certificate (data and file
 * forms) checked by the server.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"
#include "sfc_io.h"
#include "test_k8s_util.h"

static struct fake_api api;
static struct k8s_hooks hooks;

static void setup(void)
{
	k8s_tdir_setup();
	memset(&hooks, 0, sizeof(hooks));
	hooks.now = 1000;
}

static void teardown(void)
{
	fake_api_stop(&api);
	k8s_tdir_teardown();
}

TestSuite(k8s_http, .init = setup, .fini = teardown, .timeout = 60);

/* A client of @url authenticating with the token file "token" (@token). */
static struct sfc_k8s_client *client_for(const char *url, const char *token,
					 size_t max_body)
{
	struct sfc_k8s_client_opts o = { .now_ms = k8s_hook_now, .random = k8s_hook_random,
					 .hook_ctx = &hooks, .max_body = max_body,
					 .request_timeout_ms = 10000 };
	struct sfc_k8s_config cfg = { .server = (char *)url };
	struct sfc_k8s_client *c;

	if (token)
		cfg.token_file = (char *)k8s_tfile("token", token);
	cr_assert_eq(sfc_k8s_client_new(&cfg, &o, &c), 0);
	return c;
}

#define POD_P1 "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\",\"namespace\":\"ns1\",\"resourceVersion\":\"7\"}}"
#define NOT_FOUND "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\"," \
	"\"message\":\"pods \\\"p2\\\" not found\",\"reason\":\"NotFound\",\"code\":404}"

Test(k8s_http, get_object_and_not_found)
{
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	cJSON *obj, *reqs;

	fake_api_start(&api, "[{\"path\":\"/api/v1/namespaces/ns1/pods/p1\",\"body\":" POD_P1 "},"
			     "{\"path\":\"/api/v1/namespaces/ns1/pods/p2\",\"status\":404,"
			     "\"body\":" NOT_FOUND "}]", 0, NULL);
	c = client_for(api.url, "tok-A\n", 0);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_pods, "ns1", "p1", &obj, &st), 0, "%s", st.message);
	cr_assert_eq(st.http, 200);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"), "name")->valuestring,
			 "p1");
	cJSON_Delete(obj);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_pods, "ns1", "p2", &obj, &st), -ENOENT);
	cr_assert_null(obj);
	cr_assert_eq(st.http, 404);
	cr_assert_str_eq(st.reason, "NotFound");
	cr_assert_str_eq(st.message, "pods \"p2\" not found");
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_pods, "ns1", NULL, &obj, &st), -EINVAL);
	reqs = fake_api_requests(&api);
	cr_assert_eq(cJSON_GetArraySize(reqs), 2);
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 0), "auth"), "Bearer tok-A");
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 0), "method"), "GET");
	cJSON_Delete(reqs);
	sfc_k8s_client_free(c);
}

/* The token rotated under us: the 401 makes the client read the file
 * again and send the request once more, with the new token. */
Test(k8s_http, unauthorized_rereads_token_and_retries_once)
{
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	cJSON *reqs;

	fake_api_start(&api, "[{\"path\":\"/api/v1/nodes/n1\",\"auth\":\"Bearer old\",\"status\":401,"
			     "\"body\":{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"code\":401,"
			     "\"message\":\"Unauthorized\"}},"
			     "{\"path\":\"/api/v1/nodes/n1\",\"auth\":\"Bearer new\","
			     "\"body\":{\"metadata\":{\"name\":\"n1\"}}},"
			     "{\"path\":\"/api/v1/nodes/n2\",\"status\":401,\"body\":{\"code\":401}},"
			     "{\"path\":\"/api/v1/nodes/n2\",\"status\":401,\"body\":{\"code\":401}},"
			     "{\"path\":\"/api/v1/nodes/n2\",\"status\":401,\"body\":{\"code\":401}}]",
		       0, NULL);
	c = client_for(api.url, "old", 0);
	k8s_tfile("token", "new\n");
	/* Same clock: only the 401 can make the client see the new token. */
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n1", NULL, &st), 0, "%s", st.message);
	/* Still refused after the re-read: one retry, then the error. */
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n2", NULL, &st), -EACCES);
	cr_assert_eq(st.http, 401);
	reqs = fake_api_requests(&api);
	cr_assert_eq(cJSON_GetArraySize(reqs), 4, "n1 twice, n2 twice");
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 0), "auth"), "Bearer old");
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 1), "auth"), "Bearer new");
	cJSON_Delete(reqs);
	sfc_k8s_client_free(c);
}

Test(k8s_http, token_reread_every_minute)
{
	const char *step = "{\"path\":\"/api/v1/nodes/n\",\"body\":{}}";
	char script[512];
	struct sfc_k8s_client *c;
	cJSON *reqs;

	snprintf(script, sizeof(script), "[%s,%s,%s]", step, step, step);
	fake_api_start(&api, script, 0, NULL);
	c = client_for(api.url, "one", 0);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, NULL), 0);
	k8s_tfile("token", "two");
	hooks.now += SFC_K8S_TOKEN_REREAD_MS - 1;
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, NULL), 0);
	hooks.now += 1;
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, NULL), 0);
	reqs = fake_api_requests(&api);
	cr_assert_eq(cJSON_GetArraySize(reqs), 3);
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 0), "auth"), "Bearer one");
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 1), "auth"), "Bearer one");
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 2), "auth"), "Bearer two");
	cJSON_Delete(reqs);
	sfc_k8s_client_free(c);
}

Test(k8s_http, list_with_selectors_and_paging)
{
	struct sfc_k8s_list_opts o = { .field_selector = "spec.nodeName=node-1",
				       .label_selector = "app in (a,b)",
				       .resource_version = "0", .limit = 2,
				       .cont = "eyJ2+/=" };
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	cJSON *list, *reqs, *r0;

	fake_api_start(&api, "[{\"path\":\"/api/v1/pods\",\"body\":{\"kind\":\"PodList\","
			     "\"metadata\":{\"resourceVersion\":\"55\"},\"items\":[" POD_P1 "]}}]",
		       0, NULL);
	c = client_for(api.url, NULL, 0);
	cr_assert_eq(sfc_k8s_list(c, &sfc_k8s_pods, NULL, &o, &list, &st), 0, "%s", st.message);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(list, "items")), 1);
	cJSON_Delete(list);
	reqs = fake_api_requests(&api);
	r0 = cJSON_GetArrayItem(reqs, 0);
	cr_assert_str_eq(k8s_req_str(r0, "raw_query"),
			 "fieldSelector=spec.nodeName%3Dnode-1&labelSelector=app%20in%20%28a%2Cb%29"
			 "&resourceVersion=0&limit=2&continue=eyJ2%2B%2F%3D");
	cr_assert_str_eq(k8s_req_query(r0, "fieldSelector"), "spec.nodeName=node-1");
	cr_assert_str_eq(k8s_req_query(r0, "continue"), "eyJ2+/=");
	cr_assert_str_eq(k8s_req_str(r0, "auth"), "", "no credentials configured, none sent");
	cJSON_Delete(reqs);
	sfc_k8s_client_free(c);
}

Test(k8s_http, merge_patch_status_and_errors)
{
	cJSON *patch = cJSON_Parse("{\"status\":{\"observedGeneration\":3}}");
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	cJSON *out, *reqs, *r0, *body;

	fake_api_start(&api, "[{\"method\":\"PATCH\",\"path\":\"/apis/sfc.io/v1alpha1/servicechains/fw/status\","
			     "\"body\":{\"metadata\":{\"name\":\"fw\"},\"status\":{\"observedGeneration\":3}}},"
			     "{\"method\":\"PATCH\",\"path\":\"/apis/sfc.io/v1alpha1/servicechains/gone/status\","
			     "\"status\":409,\"body\":{\"kind\":\"Status\",\"reason\":\"Conflict\",\"code\":409,"
			     "\"message\":\"the object has been modified\"}},"
			     "{\"method\":\"PATCH\",\"path\":\"/api/v1/namespaces/ns1/pods/p1\",\"status\":422,"
			     "\"body\":{\"kind\":\"Status\",\"reason\":\"Invalid\",\"code\":422,"
			     "\"message\":\"spec: Forbidden\"}}]", 0, NULL);
	c = client_for(api.url, "t", 0);
	cr_assert_eq(sfc_k8s_merge_patch(c, &sfc_k8s_servicechains, NULL, "fw", "status", patch,
					 &out, &st), 0, "%s", st.message);
	cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "status"),
					 "observedGeneration")->valueint, 3);
	cJSON_Delete(out);
	cr_assert_eq(sfc_k8s_merge_patch(c, &sfc_k8s_servicechains, NULL, "gone", "status", patch,
					 NULL, &st), -EBUSY);
	cr_assert_str_eq(st.message, "the object has been modified");
	cr_assert_eq(sfc_k8s_merge_patch(c, &sfc_k8s_pods, "ns1", "p1", NULL, patch, NULL, &st),
		     -EINVAL);
	cr_assert_eq(st.http, 422);
	cr_assert_str_eq(st.reason, "Invalid");
	reqs = fake_api_requests(&api);
	r0 = cJSON_GetArrayItem(reqs, 0);
	cr_assert_str_eq(k8s_req_str(r0, "method"), "PATCH");
	cr_assert_str_eq(k8s_req_str(r0, "ctype"), "application/merge-patch+json");
	body = cJSON_Parse(k8s_req_str(r0, "body"));
	cr_assert(cJSON_Compare(body, patch, true), "%s", k8s_req_str(r0, "body"));
	cJSON_Delete(body);
	cJSON_Delete(reqs);
	cJSON_Delete(patch);
	sfc_k8s_client_free(c);
}

Test(k8s_http, post_event_and_already_exists)
{
	cJSON *ev = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":"
				"{\"name\":\"p1.1\",\"namespace\":\"ns1\"},\"reason\":\"UnknownChain\"}");
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	cJSON *reqs, *r0;

	fake_api_start(&api, "[{\"method\":\"POST\",\"path\":\"/api/v1/namespaces/ns1/events\","
			     "\"status\":201,\"body\":{\"metadata\":{\"name\":\"p1.1\"}}},"
			     "{\"method\":\"POST\",\"path\":\"/api/v1/namespaces/ns1/events\","
			     "\"status\":409,\"body\":{\"kind\":\"Status\",\"reason\":\"AlreadyExists\","
			     "\"code\":409,\"message\":\"events \\\"p1.1\\\" already exists\"}}]", 0, NULL);
	c = client_for(api.url, "t", 0);
	cr_assert_eq(sfc_k8s_create(c, &sfc_k8s_events, "ns1", ev, NULL, &st), 0, "%s", st.message);
	cr_assert_eq(st.http, 201);
	cr_assert_eq(sfc_k8s_create(c, &sfc_k8s_events, "ns1", ev, NULL, &st), -EEXIST);
	cr_assert_str_eq(st.message, "events \"p1.1\" already exists");
	reqs = fake_api_requests(&api);
	r0 = cJSON_GetArrayItem(reqs, 0);
	cr_assert_str_eq(k8s_req_str(r0, "ctype"), "application/json");
	cr_assert(strstr(k8s_req_str(r0, "body"), "\"reason\":\"UnknownChain\""));
	cJSON_Delete(reqs);
	cJSON_Delete(ev);
	sfc_k8s_client_free(c);
}

Test(k8s_http, connection_refused)
{
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", k8s_free_port());
	c = client_for(url, NULL, 0);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, &st), -ECONNREFUSED);
	cr_assert_eq(st.http, 0, "no answer");
	cr_assert(strstr(st.message, "/api/v1/nodes/n"), "%s", st.message);
	sfc_k8s_client_free(c);
}

/* Answers that are not the API's: a proxy's page, oversize, not JSON. */
Test(k8s_http, bodies_that_are_not_api_answers)
{
	char script[8192], big[2100];
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;

	memset(big, 'x', 2000);
	big[2000] = '\0';
	snprintf(script, sizeof(script),
		 "[{\"path\":\"/api/v1/nodes/a\",\"status\":502,\"raw\":\"Bad Gateway\"},"
		 "{\"path\":\"/api/v1/nodes/b\",\"raw\":\"\\\"%s\\\"\"},"
		 "{\"path\":\"/api/v1/nodes/c\",\"raw\":\"[1,2]\"},"
		 "{\"path\":\"/api/v1/nodes/d\",\"status\":503,\"raw\":\"%s\"}]", big, big);
	fake_api_start(&api, script, 0, NULL);
	c = client_for(api.url, NULL, 1024);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "a", NULL, &st), -EIO);
	cr_assert_str_eq(st.message, "HTTP 502: Bad Gateway");
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "b", NULL, &st), -EFBIG);
	cr_assert(strstr(st.message, "over 1024 bytes"), "%s", st.message);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "c", NULL, &st), -EBADMSG);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "d", NULL, &st), -EFBIG,
		     "an error page over the bound is refused too");
	sfc_k8s_client_free(c);
}

/* A CA, a server certificate for 127.0.0.1 and a client certificate,
 * made with the openssl command (EC keys: fast). */
static void make_pki(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "(cd %s && printf 'subjectAltName=IP:127.0.0.1\\n' > san.cnf && "
		 "for n in ca other; do openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		 "-nodes -keyout $n.key -out $n.crt -subj /CN=sfc-test-$n -days 1; done && "
		 "for n in srv cli; do openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		 "-nodes -keyout $n.key -out $n.csr -subj /CN=sfc-test-$n; done && "
		 "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
		 "-extfile san.cnf -out srv.crt && "
		 "openssl x509 -req -in cli.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
		 "-out cli.crt && "
		 "for f in ca.crt other.crt cli.crt cli.key; do openssl base64 -A -in $f -out $f.b64; done"
		 ") >/dev/null 2>&1", k8s_tdir);
	cr_assert_eq(system(cmd), 0, "openssl failed");
}

static char *slurp(const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", k8s_tdir, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static const char *tls_kubeconfig(const char *ca_b64)
{
	char *cert = slurp("cli.crt.b64"), *key = slurp("cli.key.b64");
	static char text[16384];

	snprintf(text, sizeof(text),
		 "current-context: t\n"
		 "clusters: [{name: k, cluster: {server: '%s', certificate-authority-data: %s}}]\n"
		 "contexts: [{name: t, context: {cluster: k, user: u}}]\n"
		 "users: [{name: u, user: {client-certificate-data: %s, client-key-data: %s}}]\n",
		 api.url, ca_b64, cert, key);
	free(cert);
	free(key);
	return k8s_tfile("kubeconfig", text);
}

Test(k8s_http, tls_with_ca_and_client_certificate)
{
	const char *step = "{\"path\":\"/api/v1/nodes/n\",\"body\":{\"metadata\":{\"name\":\"n\"}}}";
	struct sfc_k8s_client_opts o = { .request_timeout_ms = 10000 };
	struct sfc_k8s_config cfg;
	struct sfc_k8s_status st;
	struct sfc_k8s_client *c;
	char script[512], tls[512], err[256] = "";
	char *ca = NULL, *other = NULL, *ca_pem;
	cJSON *reqs;

	make_pki();
	snprintf(script, sizeof(script), "[%s,%s]", step, step);
	snprintf(tls, sizeof(tls), "--tls %s/srv.crt %s/srv.key %s/ca.crt", k8s_tdir, k8s_tdir,
		 k8s_tdir);
	fake_api_start(&api, script, 0, tls);
	cr_assert(!strncmp(api.url, "https://", 8));

	/* Data form: certificate-authority-data, client-*-data. */
	ca = slurp("ca.crt.b64");
	cr_assert_eq(sfc_k8s_config_kubeconfig(tls_kubeconfig(ca), NULL, &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(sfc_k8s_client_new(&cfg, &o, &c), 0);
	sfc_k8s_config_free(&cfg);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, &st), 0, "%s", st.message);
	sfc_k8s_client_free(c);

	/* File form: the in-cluster shape (CA file) with a client cert file. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.server = api.url;
	ca_pem = slurp("ca.crt");
	cfg.ca_file = (char *)k8s_tfile("ca-copy.crt", ca_pem);
	free(ca_pem);
	char cert[256], key[256];
	snprintf(cert, sizeof(cert), "%s/cli.crt", k8s_tdir);
	snprintf(key, sizeof(key), "%s/cli.key", k8s_tdir);
	cfg.cert_file = cert;
	cfg.key_file = key;
	cr_assert_eq(sfc_k8s_client_new(&cfg, &o, &c), 0);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, &st), 0, "%s", st.message);
	sfc_k8s_client_free(c);

	/* A server the CA did not sign is refused before any request. */
	other = slurp("other.crt.b64");
	cr_assert_eq(sfc_k8s_config_kubeconfig(tls_kubeconfig(other), NULL, &cfg, err,
					       sizeof(err)), 0, "%s", err);
	cr_assert_eq(sfc_k8s_client_new(&cfg, &o, &c), 0);
	sfc_k8s_config_free(&cfg);
	cr_assert_eq(sfc_k8s_get(c, &sfc_k8s_nodes, NULL, "n", NULL, &st), -EPROTO);
	cr_assert_eq(st.http, 0);
	sfc_k8s_client_free(c);

	reqs = fake_api_requests(&api);
	cr_assert_eq(cJSON_GetArraySize(reqs), 2);
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 0), "client_cn"), "sfc-test-cli");
	cr_assert_str_eq(k8s_req_str(cJSON_GetArrayItem(reqs, 1), "client_cn"), "sfc-test-cli");
	cJSON_Delete(reqs);
	free(ca);
	free(other);
}
