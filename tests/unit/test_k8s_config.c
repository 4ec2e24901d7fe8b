// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_config.c - where the API server is and how to authenticate:
 * kubeconfig files (data and file forms, token, tokenFile, contexts,
 * JSON, and every missing or conflicting field with its message), the
 * in-cluster configuration, the token re-read rule on an injected clock,
 * URL building with escaping, and the HTTP status to errno mapping.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_internal.h"
#include "test_k8s_util.h"

TestSuite(k8s_kubeconfig, .init = k8s_tdir_setup, .fini = k8s_tdir_teardown);
TestSuite(k8s_incluster, .init = k8s_tdir_setup, .fini = k8s_tdir_teardown);
TestSuite(k8s_token, .init = k8s_tdir_setup, .fini = k8s_tdir_teardown);

/* base64: "CA-PEM\n", "CERT\n", "KEY". */
#define KC_DATA \
	"apiVersion: v1\n" \
	"kind: Config\n" \
	"current-context: main\n" \
	"clusters:\n" \
	"- name: other\n" \
	"  cluster: {server: https://10.0.0.9:6443}\n" \
	"- name: local\n" \
	"  cluster:\n" \
	"    server: https://127.0.0.1:6443/\n" \
	"    certificate-authority-data: Q0EtUEVNCg==\n" \
	"contexts:\n" \
	"- name: main\n" \
	"  context:\n" \
	"    cluster: local\n" \
	"    user: admin\n" \
	"    namespace: sfc-system\n" \
	"- name: viewer\n" \
	"  context: {cluster: other, user: robot}\n" \
	"users:\n" \
	"- name: admin\n" \
	"  user:\n" \
	"    client-certificate-data: Q0VSVAo=\n" \
	"    client-key-data: |\n" \
	"      S0\n" \
	"      VZ\n" \
	"- name: robot\n" \
	"  user:\n" \
	"    token: \"abc.def\"\n"

Test(k8s_kubeconfig, data_form_current_context)
{
	struct sfc_k8s_config cfg;
	char err[256] = "";

	cr_assert_eq(sfc_k8s_config_kubeconfig(k8s_tfile("kc", KC_DATA), NULL, &cfg,
					       err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.server, "https://127.0.0.1:6443", "trailing / dropped");
	cr_assert_eq(cfg.ca.len, 7);
	cr_assert_str_eq(cfg.ca.data, "CA-PEM\n");
	cr_assert_str_eq(cfg.cert.data, "CERT\n");
	cr_assert_str_eq(cfg.key.data, "KEY", "base64 across lines");
	cr_assert_str_eq(cfg.namespace, "sfc-system");
	cr_assert_null(cfg.ca_file);
	cr_assert_null(cfg.cert_file);
	cr_assert_null(cfg.token);
	cr_assert_null(cfg.token_file);
	cr_assert_not(cfg.insecure);
	sfc_k8s_config_free(&cfg);
	cr_assert_null(cfg.server);
}

Test(k8s_kubeconfig, named_context_with_token)
{
	struct sfc_k8s_config cfg;
	char err[256] = "";

	cr_assert_eq(sfc_k8s_config_kubeconfig(k8s_tfile("kc", KC_DATA), "viewer", &cfg,
					       err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.server, "https://10.0.0.9:6443");
	cr_assert_str_eq(cfg.token, "abc.def");
	cr_assert_null(cfg.ca.data);
	cr_assert_null(cfg.cert.data);
	cr_assert_null(cfg.namespace);
	sfc_k8s_config_free(&cfg);
}

/* Relative paths are the kubeconfig's directory's, as with kubectl. */
Test(k8s_kubeconfig, file_form_and_token_file)
{
	struct sfc_k8s_config cfg;
	char err[256] = "", want[256];
	const char *kc = k8s_tfile("kubeconfig.yaml",
		"current-context: c\n"
		"clusters: [{name: k, cluster: {server: '10.1.2.3:6443', certificate-authority: pki/ca.crt,"
		" insecure-skip-tls-verify: true}}]\n"
		"contexts: [{name: c, context: {cluster: k, user: u}}]\n"
		"users: [{name: u, user: {client-certificate: /etc/pki/u.crt,"
		" client-key: u.key, tokenFile: tok}}]\n");

	cr_assert_eq(sfc_k8s_config_kubeconfig(kc, NULL, &cfg, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(cfg.server, "https://10.1.2.3:6443", "no scheme = https");
	snprintf(want, sizeof(want), "%s/pki/ca.crt", k8s_tdir);
	cr_assert_str_eq(cfg.ca_file, want);
	cr_assert_str_eq(cfg.cert_file, "/etc/pki/u.crt");
	snprintf(want, sizeof(want), "%s/u.key", k8s_tdir);
	cr_assert_str_eq(cfg.key_file, want);
	snprintf(want, sizeof(want), "%s/tok", k8s_tdir);
	cr_assert_str_eq(cfg.token_file, want);
	cr_assert(cfg.insecure);
	sfc_k8s_config_free(&cfg);
}

/* kubectl also reads JSON kubeconfigs; YAML is a superset. */
Test(k8s_kubeconfig, json)
{
	struct sfc_k8s_config cfg;
	char err[256] = "";
	const char *kc = k8s_tfile("kc.json",
		"{\"current-context\": \"c\", \"clusters\": [{\"name\": \"k\", \"cluster\": "
		"{\"server\": \"http://127.0.0.1:8080\"}}], \"contexts\": [{\"name\": \"c\", "
		"\"context\": {\"cluster\": \"k\"}}], \"users\": []}");

	cr_assert_eq(sfc_k8s_config_kubeconfig(kc, NULL, &cfg, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(cfg.server, "http://127.0.0.1:8080");
	cr_assert_null(cfg.token, "no user: anonymous");
	sfc_k8s_config_free(&cfg);
}

struct kc_bad {
	const char *text;
	int rc;
	const char *msg;
};

#define KC_HEAD(ctx_body, cluster_body, user_body) \
	"current-context: c\n" \
	"contexts: [{name: c, context: " ctx_body "}]\n" \
	"clusters: [{name: k, cluster: " cluster_body "}]\n" \
	"users: [{name: u, user: " user_body "}]\n"
#define SRV "{server: 'https://s:1'}"

static const struct kc_bad kc_bad[] = {
	{ "", -EINVAL, "empty" },
	{ "a: [b\n", -EINVAL, "line " },
	{ "clusters: []\n", -ENOENT, "no current-context" },
	{ "current-context: zz\ncontexts: []\n", -ENOENT, "context \"zz\" not found in contexts" },
	{ "current-context: c\ncontexts: [{name: c}]\n", -EINVAL, "context \"c\" has no context" },
	{ KC_HEAD("{user: u}", SRV, "{token: t}"), -EINVAL, "context \"c\" has no cluster" },
	{ KC_HEAD("{cluster: nope, user: u}", SRV, "{token: t}"), -ENOENT,
	  "cluster \"nope\" not found in clusters" },
	{ KC_HEAD("{cluster: k, user: nobody}", SRV, "{token: t}"), -ENOENT,
	  "user \"nobody\" not found in users" },
	{ KC_HEAD("{cluster: k, user: u}", "{certificate-authority-data: Q0E=}", "{token: t}"),
	  -EINVAL, "cluster \"k\" has no server" },
	{ KC_HEAD("{cluster: k, user: u}", "{server: {a: b}}", "{token: t}"),
	  -EINVAL, "cluster \"k\".server: not a string" },
	{ KC_HEAD("{cluster: k, user: u}", "{server: 'ftp://s'}", "{token: t}"),
	  -EINVAL, "not http(s)" },
	{ KC_HEAD("{cluster: k, user: u}", "{server: 'https://s', certificate-authority-data: 'Q0E*'}",
		  "{token: t}"),
	  -EINVAL, "certificate-authority-data: invalid base64" },
	{ KC_HEAD("{cluster: k, user: u}", "{server: 'https://s', certificate-authority: /ca,"
		  " certificate-authority-data: Q0E=}", "{token: t}"),
	  -EINVAL, "both certificate-authority and certificate-authority-data are set" },
	{ KC_HEAD("{cluster: k, user: u}", SRV, "{client-certificate-data: Q0E=}"),
	  -EINVAL, "user \"u\": a client certificate needs its key" },
	{ KC_HEAD("{cluster: k, user: u}", SRV, "{client-key: /k}"),
	  -EINVAL, "a key its certificate" },
	{ KC_HEAD("{cluster: k, user: u}", SRV, "{token: t, tokenFile: /t}"),
	  -EINVAL, "both token and tokenFile" },
	{ KC_HEAD("{cluster: k, user: u}", SRV, "{exec: {command: aws}}"),
	  -ENOTSUP, "user \"u\".exec: not supported" },
	{ KC_HEAD("{cluster: k, user: u}", SRV, "{auth-provider: {name: gcp}}"),
	  -ENOTSUP, "auth-provider: not supported" },
	{ KC_HEAD("{cluster: k, user: u}", SRV, "{username: a, password: b}"),
	  -ENOTSUP, "username: not supported" },
};

Test(k8s_kubeconfig, errors_name_the_field)
{
	struct sfc_k8s_config cfg;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(kc_bad) / sizeof(kc_bad[0]); i++) {
		err[0] = '\0';
		memset(&cfg, 0x5a, sizeof(cfg));
		cr_assert_eq(sfc_k8s_config_kubeconfig(k8s_tfile("bad", kc_bad[i].text), NULL,
						       &cfg, err, sizeof(err)),
			     kc_bad[i].rc, "case %zu: %s", i, err);
		cr_assert(strstr(err, kc_bad[i].msg), "case %zu: \"%s\" lacks \"%s\"", i, err,
			  kc_bad[i].msg);
		cr_assert(strstr(err, k8s_tdir), "case %zu names the file: %s", i, err);
		cr_assert_null(cfg.server, "case %zu: zeroed on error", i);
	}
}

Test(k8s_kubeconfig, missing_and_oversized_files)
{
	struct sfc_k8s_config cfg;
	char err[256] = "", path[128];
	char *big = malloc((1u << 20) + 2);

	snprintf(path, sizeof(path), "%s/nope", k8s_tdir);
	cr_assert_eq(sfc_k8s_config_kubeconfig(path, NULL, &cfg, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "nope"), "%s", err);
	cr_assert_not_null(big);
	memset(big, '#', (1u << 20) + 1);
	big[(1u << 20) + 1] = '\0';
	cr_assert_eq(sfc_k8s_config_kubeconfig(k8s_tfile("big", big), NULL, &cfg, err,
					       sizeof(err)), -EFBIG);
	cr_assert(strstr(err, "larger than 1 MiB"), "%s", err);
	free(big);
}

static void sa_dir(const char *token, bool ca, const char *ns)
{
	if (token)
		k8s_tfile("token", token);
	if (ca)
		k8s_tfile("ca.crt", "PEM");
	if (ns)
		k8s_tfile("namespace", ns);
}

Test(k8s_incluster, reads_env_and_service_account)
{
	struct sfc_k8s_config cfg;
	char err[256] = "", want[128];

	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	sa_dir("eyJhbGciOi.x.y\n", true, "kube-system\n");
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.server, "https://10.96.0.1:443");
	snprintf(want, sizeof(want), "%s/token", k8s_tdir);
	cr_assert_str_eq(cfg.token_file, want, "the file, so rotation is seen");
	cr_assert_null(cfg.token);
	snprintf(want, sizeof(want), "%s/ca.crt", k8s_tdir);
	cr_assert_str_eq(cfg.ca_file, want);
	cr_assert_str_eq(cfg.namespace, "kube-system");
	sfc_k8s_config_free(&cfg);

	setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
	unlink(k8s_tfile("namespace", ""));
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.server, "https://[fd00:10:96::1]:443");
	cr_assert_null(cfg.namespace, "the namespace file is optional");
	sfc_k8s_config_free(&cfg);
}

Test(k8s_incluster, errors)
{
	struct sfc_k8s_config cfg;
	char err[256] = "";

	unsetenv("KUBERNETES_SERVICE_HOST");
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	sa_dir("tok", true, NULL);
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "not in a cluster"), "%s", err);

	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "https", 1);
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "KUBERNETES_SERVICE_PORT \"https\""), "%s", err);

	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	k8s_tfile("token", " \n");
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "token") && strstr(err, "empty"), "%s", err);
	unlink(k8s_tfile("token", ""));
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "in-cluster token"), "%s", err);
	sa_dir("tok", false, NULL);
	unlink(k8s_tfile("ca.crt", ""));
	cr_assert_eq(sfc_k8s_config_in_cluster(k8s_tdir, &cfg, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "in-cluster CA"), "%s", err);
	cr_assert_null(cfg.server);
}

/* Re-read when the copy is a minute old, on force, never in between. */
Test(k8s_token, reread_rule_on_an_injected_clock)
{
	struct sfc_k8s_token t = { .path = strdup(k8s_tfile("token", "AAA\n")) };
	const uint64_t t0 = 5000;
	const char *v;

	cr_assert_eq(sfc_k8s_token_get(&t, t0, false, &v), 0);
	cr_assert_str_eq(v, "AAA", "trailing newline dropped");
	k8s_tfile("token", "BBB");
	cr_assert_eq(sfc_k8s_token_get(&t, t0 + SFC_K8S_TOKEN_REREAD_MS - 1, false, &v), 0);
	cr_assert_str_eq(v, "AAA", "59.999 s: the copy is still good");
	cr_assert_eq(sfc_k8s_token_get(&t, t0 + SFC_K8S_TOKEN_REREAD_MS, false, &v), 0);
	cr_assert_str_eq(v, "BBB", "60 s: re-read");
	k8s_tfile("token", "CCC");
	cr_assert_eq(sfc_k8s_token_get(&t, t0 + SFC_K8S_TOKEN_REREAD_MS + 1, true, &v), 0);
	cr_assert_str_eq(v, "CCC", "forced (a 401)");
	/* A failed re-read keeps the last token; the next call tries again. */
	unlink(t.path);
	cr_assert_eq(sfc_k8s_token_get(&t, t0 + 10 * SFC_K8S_TOKEN_REREAD_MS, false, &v), 0);
	cr_assert_str_eq(v, "CCC");
	k8s_tfile("token", "DDD");
	cr_assert_eq(sfc_k8s_token_get(&t, t0 + 10 * SFC_K8S_TOKEN_REREAD_MS + 1, false, &v), 0);
	cr_assert_str_eq(v, "DDD");
	sfc_k8s_token_free(&t);
}

Test(k8s_token, bad_files)
{
	struct sfc_k8s_token t = { 0 };
	const char *v;

	t.path = strdup(k8s_tfile("token", "a\nb\n"));
	cr_assert_eq(sfc_k8s_token_get(&t, 0, false, &v), -EINVAL, "two lines");
	k8s_tfile("token", "\n\n");
	cr_assert_eq(sfc_k8s_token_get(&t, 0, false, &v), -EINVAL, "empty");
	unlink(t.path);
	cr_assert_eq(sfc_k8s_token_get(&t, 0, false, &v), -ENOENT);
	sfc_k8s_token_free(&t);
}

static void url_is(const struct sfc_k8s_resource *res, const char *ns, const char *name,
		   const char *sub, const char *const *q, const char *want)
{
	char *url;

	cr_assert_eq(sfc_k8s_url("https://h:6443", res, ns, name, sub, q, &url), 0, "%s", want);
	cr_assert_str_eq(url, want);
	free(url);
}

Test(k8s_url, paths_and_escaping)
{
	const char *sel[] = { "fieldSelector", "spec.nodeName=node-1", NULL };
	const char *many[] = { "labelSelector", "app in (a,b),!x", "resourceVersion", NULL,
			       "continue", "eyJ2Ijoi+/=", "fieldSelector", "metadata.name=\xc3\xa9",
			       NULL };
	char *url = (char *)"unchanged";

	url_is(&sfc_k8s_pods, "default", "p1", NULL, NULL,
	       "https://h:6443/api/v1/namespaces/default/pods/p1");
	url_is(&sfc_k8s_pods, NULL, NULL, NULL, sel,
	       "https://h:6443/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1");
	url_is(&sfc_k8s_nodes, NULL, "node-1", NULL, NULL, "https://h:6443/api/v1/nodes/node-1");
	url_is(&sfc_k8s_servicechains, NULL, "fw", "status", NULL,
	       "https://h:6443/apis/sfc.io/v1alpha1/servicechains/fw/status");
	url_is(&sfc_k8s_events, "ns1", NULL, NULL, NULL, "https://h:6443/api/v1/namespaces/ns1/events");
	url_is(&sfc_k8s_servicechains, NULL, NULL, NULL, many,
	       "https://h:6443/apis/sfc.io/v1alpha1/servicechains"
	       "?labelSelector=app%20in%20%28a%2Cb%29%2C%21x&continue=eyJ2Ijoi%2B%2F%3D"
	       "&fieldSelector=metadata.name%3D%C3%A9");
	url_is(&sfc_k8s_pods, "a b", "x/y?z", NULL, NULL,
	       "https://h:6443/api/v1/namespaces/a%20b/pods/x%2Fy%3Fz");

	cr_assert_eq(sfc_k8s_url("h", &sfc_k8s_nodes, "ns", "n", NULL, NULL, &url), -EINVAL,
		     "namespace of a cluster-scoped resource");
	cr_assert_null(url);
	cr_assert_eq(sfc_k8s_url("h", &sfc_k8s_pods, NULL, "p", NULL, NULL, &url), -EINVAL,
		     "a namespaced name needs its namespace");
	cr_assert_eq(sfc_k8s_url("h", &sfc_k8s_pods, "ns", NULL, "status", NULL, &url), -EINVAL);
	cr_assert_eq(sfc_k8s_url("h", &sfc_k8s_pods, "ns", "", NULL, NULL, &url), -EINVAL);
	cr_assert_eq(sfc_k8s_url("h", &sfc_k8s_pods, "..", "p", NULL, NULL, &url), -EINVAL);
	cr_assert_eq(sfc_k8s_url("h", &sfc_k8s_nodes, NULL, ".", NULL, NULL, &url), -EINVAL);
}

Test(k8s_url, http_errno)
{
	cr_assert_eq(sfc_k8s_http_errno(200, NULL), 0);
	cr_assert_eq(sfc_k8s_http_errno(201, NULL), 0);
	cr_assert_eq(sfc_k8s_http_errno(400, "BadRequest"), -EINVAL);
	cr_assert_eq(sfc_k8s_http_errno(401, "Unauthorized"), -EACCES);
	cr_assert_eq(sfc_k8s_http_errno(403, "Forbidden"), -EPERM);
	cr_assert_eq(sfc_k8s_http_errno(404, "NotFound"), -ENOENT);
	cr_assert_eq(sfc_k8s_http_errno(409, "AlreadyExists"), -EEXIST);
	cr_assert_eq(sfc_k8s_http_errno(409, "Conflict"), -EBUSY);
	cr_assert_eq(sfc_k8s_http_errno(410, "Expired"), -ESTALE);
	cr_assert_eq(sfc_k8s_http_errno(422, "Invalid"), -EINVAL);
	cr_assert_eq(sfc_k8s_http_errno(429, "TooManyRequests"), -EAGAIN);
	cr_assert_eq(sfc_k8s_http_errno(500, NULL), -EIO);
	cr_assert_eq(sfc_k8s_http_errno(503, NULL), -EIO);
	cr_assert_eq(sfc_k8s_http_errno(504, "Timeout"), -ETIMEDOUT);
	cr_assert_eq(sfc_k8s_http_errno(302, NULL), -EPROTO);
}
