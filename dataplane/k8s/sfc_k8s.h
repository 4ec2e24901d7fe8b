/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfc_k8s.h - libsfck8s: a small Kubernetes API client on libcurl + cJSON.
 *
 * Configuration (in-cluster or kubeconfig), one client per API server,
 * blocking requests (GET, LIST, merge PATCH, POST) and, in sfc_k8s_watch.h,
 * list + watch reflectors driven by sfc_k8s_step(). libcurl does all HTTP
 * and TLS. Nothing here is thread-safe: one thread owns a client and
 * everything made from it.
 *
 * Errors are negative errno values; where a struct sfc_k8s_status is
 * given, the HTTP status and the API's Status reason and message (or
 * libcurl's error text when no response arrived) are written there.
 */
#ifndef SFC_K8S_H
#define SFC_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Where the kubelet mounts the service-account token, CA and namespace. */
#define SFC_K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
/* A token file is re-read when its copy is this old (bound tokens rotate;
 * client-go re-reads every minute too) and after any 401. */
#define SFC_K8S_TOKEN_REREAD_MS 60000u

/* Bytes of PEM (or other) data held in memory; @data is NUL-terminated. */
struct sfc_k8s_blob {
	char *data;
	size_t len;
};

/*
 * Where the API server is and how to authenticate. Every pointer is
 * malloc'd and owned by the struct (sfc_k8s_config_free()); NULL / empty
 * blob = not set. A file and its in-memory form are never both set.
 */
struct sfc_k8s_config {
	char *server;              /* "https://host:port", no trailing '/' */
	char *ca_file;             /* PEM CA bundle path */
	struct sfc_k8s_blob ca;    /* PEM CA bundle (certificate-authority-data) */
	char *cert_file;           /* client certificate, PEM */
	struct sfc_k8s_blob cert;
	char *key_file;            /* client key, PEM */
	struct sfc_k8s_blob key;
	char *token;               /* static bearer token */
	char *token_file;          /* bearer token re-read as it rotates */
	char *namespace;           /* default namespace, or NULL */
	bool insecure;             /* insecure-skip-tls-verify: no server check */
};

/**
 * sfc_k8s_config_in_cluster() - the configuration of a pod: server
 * https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (an IPv6
 * address in brackets), token file @sa_dir/token (read once here to fail
 * early, then re-read by the client), CA @sa_dir/ca.crt and the namespace
 * from @sa_dir/namespace when that file exists.
 * @sa_dir: the service-account directory; NULL = SFC_K8S_SA_DIR.
 * @out: filled on success (free with sfc_k8s_config_free()); zeroed on error.
 * @err: the reason on failure, naming the variable or file (may be NULL).
 * Return: 0; -ENOENT when either variable is unset (not in a cluster) or a
 * file is missing; -EINVAL for an empty token or bad port; -errno of a read.
 */
int sfc_k8s_config_in_cluster(const char *sa_dir, struct sfc_k8s_config *out,
			      char *err, size_t errlen);

/**
 * sfc_k8s_config_kubeconfig() - the configuration of a kubeconfig file
 * (YAML or JSON, parsed with libyaml): the context @context, or the file's
 * current-context when NULL, gives the cluster (server,
 * certificate-authority or certificate-authority-data,
 * insecure-skip-tls-verify) and the user (client-certificate(-data) with
 * client-key(-data), token or tokenFile). Relative file paths are taken
 * from the kubeconfig's directory, as kubectl does; *-data fields are
 * base64-decoded.
 * @out: filled on success (free with sfc_k8s_config_free()); zeroed on error.
 * @err: the reason on failure, naming the file and the field (may be NULL).
 * Return: 0; -ENOENT when the file, the context, its cluster or its user is
 * missing; -EINVAL for invalid YAML, a missing server, bad base64, a
 * certificate without its key (or the reverse), a field given both as a
 * file and as data; -ENOTSUP for exec / auth-provider plugins and basic
 * auth; -EFBIG for a file over 1 MiB.
 */
int sfc_k8s_config_kubeconfig(const char *path, const char *context,
			      struct sfc_k8s_config *out, char *err,
			      size_t errlen);

/** sfc_k8s_config_free() - free what @cfg owns and zero it (NULL is fine). */
void sfc_k8s_config_free(struct sfc_k8s_config *cfg);

/* An API resource: the parts of its URL path. */
struct sfc_k8s_resource {
	const char *group;         /* "" = the core group (/api) */
	const char *version;
	const char *plural;
	bool namespaced;
};

extern const struct sfc_k8s_resource sfc_k8s_pods;   /* v1 pods */
extern const struct sfc_k8s_resource sfc_k8s_nodes;  /* v1 nodes */
extern const struct sfc_k8s_resource sfc_k8s_events; /* v1 events */
/* sfc.io/v1alpha1 servicechains (manifests/crd.yaml; cluster-scoped). */
extern const struct sfc_k8s_resource sfc_k8s_servicechains;

/**
 * sfc_k8s_url() - the URL of @res on @server:
 * SERVER/api/VERSION or SERVER/apis/GROUP/VERSION, then
 * /namespaces/@ns when @ns is set, /PLURAL, /@name, /@sub, then the query
 * @query: key, value pairs ending with a NULL key; a pair whose value is
 * NULL is left out. Path segments and query values are percent-encoded
 * (RFC 3986 section 2.1: everything but the unreserved characters), so
 * "spec.nodeName=n1,a!=b" travels as "spec.nodeName%3Dn1%2Ca%21%3Db".
 * @out: the malloc'd URL (caller frees).
 * Return: 0; -EINVAL when @ns is given for a cluster-scoped resource, a
 * namespaced @name has no @ns, @sub has no @name, or a segment is empty,
 * "." or ".."; -ENOMEM.
 */
int sfc_k8s_url(const char *server, const struct sfc_k8s_resource *res,
		const char *ns, const char *name, const char *sub,
		const char *const *query, char **out);

/* The outcome of a request beyond its errno. */
struct sfc_k8s_status {
	long http;                 /* HTTP status; 0 = no response arrived */
	char reason[64];           /* Status.reason ("NotFound", "Expired") */
	char message[256];         /* Status.message, or libcurl's error */
};

/**
 * sfc_k8s_http_errno() - the errno for HTTP status @http of an API
 * response whose Status.reason is @reason (NULL = none): 2xx 0, 400 and
 * 422 -EINVAL, 401 -EACCES, 403 -EPERM, 404 -ENOENT, 409 -EEXIST for
 * AlreadyExists and -EBUSY for a conflict, 410 -ESTALE (resourceVersion
 * expired), 429 -EAGAIN, 504 -ETIMEDOUT, other 5xx -EIO, anything else
 * -EPROTO.
 */
int sfc_k8s_http_errno(long http, const char *reason);

struct sfc_k8s_client;

/* Client options; zero = the default named beside each field. */
struct sfc_k8s_client_opts {
	unsigned connect_timeout_ms;  /* 10000 */
	unsigned request_timeout_ms;  /* 30000: a blocking request or a LIST */
	unsigned backoff_initial_ms;  /* 800: reflectors' first retry delay */
	unsigned backoff_cap_ms;      /* 30000: their largest delay */
	size_t max_body;              /* 64 MiB: a response body, one LIST page */
	const char *user_agent;       /* "sfc-cni" */
	/* Test hooks. now_ms: a monotonic clock in ms (default
	 * CLOCK_MONOTONIC); random: uniform in [0, 1) (default a PRNG seeded
	 * from getrandom()). Both get @hook_ctx. */
	uint64_t (*now_ms)(void *hook_ctx);
	double (*random)(void *hook_ctx);
	void *hook_ctx;
};

/**
 * sfc_k8s_client_new() - a client for @cfg (deep-copied: the caller keeps
 * and frees its own) with options @opts (NULL = all defaults).
 * @out: the client; free with sfc_k8s_client_free().
 * Return: 0; -EINVAL when @cfg has no server or it is not http(s)://;
 * -ENOMEM; -EIO when libcurl cannot be initialised; the error of reading
 * the token file.
 */
int sfc_k8s_client_new(const struct sfc_k8s_config *cfg,
		       const struct sfc_k8s_client_opts *opts,
		       struct sfc_k8s_client **out);

/** sfc_k8s_client_free() - free @c; its reflectors must be freed first. */
void sfc_k8s_client_free(struct sfc_k8s_client *c);

/**
 * sfc_k8s_get() - GET one object (blocking, at most request_timeout_ms;
 * on a 401 the token file is re-read and the request sent once more, as
 * for every request below).
 * @ns: its namespace (NULL for a cluster-scoped resource).
 * @out: the object (caller frees with cJSON_Delete()); may be NULL.
 * @st: the HTTP status and API Status of the answer (may be NULL).
 * Return: 0 or the errno of sfc_k8s_http_errno() (-ENOENT: no such
 * object); -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, -EPROTO (TLS),
 * -EFBIG (body over max_body) when no usable answer arrived; -EBADMSG
 * for a 2xx body that is not a JSON object.
 */
int sfc_k8s_get(struct sfc_k8s_client *c, const struct sfc_k8s_resource *res,
		const char *ns, const char *name, cJSON **out,
		struct sfc_k8s_status *st);

/* LIST parameters; NULL / 0 = not sent. */
struct sfc_k8s_list_opts {
	const char *field_selector;   /* e.g. "spec.nodeName=node1" */
	const char *label_selector;
	const char *resource_version; /* "0": any cached version; NULL: latest */
	unsigned limit;               /* page size */
	const char *cont;             /* metadata.continue of the last page */
};

/**
 * sfc_k8s_list() - LIST @res (blocking): one page, a *List object with
 * "items" and metadata.resourceVersion / metadata.continue.
 * @ns: NULL = all namespaces (or a cluster-scoped resource).
 * @o: selectors and paging (NULL = none).
 * @out, @st, Return: as sfc_k8s_get(); -ESTALE when a continue token expired.
 */
int sfc_k8s_list(struct sfc_k8s_client *c, const struct sfc_k8s_resource *res,
		 const char *ns, const struct sfc_k8s_list_opts *o, cJSON **out,
		 struct sfc_k8s_status *st);

/**
 * sfc_k8s_merge_patch() - PATCH object @name with JSON merge patch @patch
 * (RFC 7386, Content-Type application/merge-patch+json) (blocking).
 * @sub: a subresource ("status": spec and metadata are ignored there, and
 * only there may status change when the CRD has a status subresource),
 * or NULL.
 * @out, @st, Return: as sfc_k8s_get() (@out is the object after the patch).
 */
int sfc_k8s_merge_patch(struct sfc_k8s_client *c,
			const struct sfc_k8s_resource *res, const char *ns,
			const char *name, const char *sub, const cJSON *patch,
			cJSON **out, struct sfc_k8s_status *st);

/**
 * sfc_k8s_create() - POST @obj to the collection of @res in @ns (an Event,
 * for instance) (blocking).
 * @out, @st, Return: as sfc_k8s_get(); -EEXIST when the name is taken.
 */
int sfc_k8s_create(struct sfc_k8s_client *c, const struct sfc_k8s_resource *res,
		   const char *ns, const cJSON *obj, cJSON **out,
		   struct sfc_k8s_status *st);

#endif /* SFC_K8S_H */
