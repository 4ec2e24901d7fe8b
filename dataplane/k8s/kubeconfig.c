// SPDX-License-Identifier: GPL-2.0-only
/*
 * kubeconfig.c - the part of a kubeconfig file a client needs: the
 * current (or named) context's cluster and user, parsed with libyaml's
 * document loader. Credential plugins (exec, auth-provider) and basic
 * auth are refused by name rather than ignored: a node agent silently
 * running unauthenticated would only fail later, and less clearly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "k8s_internal.h"
#include "sfc_io.h"

#define KC_MAX (1u << 20)

struct kc {
	yaml_document_t doc;
	const char *path;
	char *err;
	size_t errlen;
};

/* A scalar's text; NULL for anything else and for YAML null. */
static const char *kc_scalar(yaml_node_t *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	v = (const char *)n->data.scalar.value;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!*v || !strcmp(v, "null") || !strcmp(v, "~")))
		return NULL;
	return v;
}

static yaml_node_t *kc_get(struct kc *k, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	const char *name;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		name = kc_scalar(yaml_document_get_node(&k->doc, p->key));
		if (name && !strcmp(name, key))
			return yaml_document_get_node(&k->doc, p->value);
	}
	return NULL;
}

/* @what.@key as a string: *@out NULL when absent; -EINVAL when not a string. */
static int kc_str(struct kc *k, yaml_node_t *map, const char *what,
		  const char *key, const char **out)
{
	yaml_node_t *n = kc_get(k, map, key);

	*out = kc_scalar(n);
	if (n && !*out && n->type != YAML_SCALAR_NODE)
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s.%s: not a string", k->path,
				what, key);
	return 0;
}

/* The @field mapping of the entry of list @list whose name is @name. */
static int kc_named(struct kc *k, const char *list, const char *name,
		    const char *field, yaml_node_t **out)
{
	yaml_node_t *seq = kc_get(k, yaml_document_get_root_node(&k->doc), list);
	yaml_node_item_t *i;
	yaml_node_t *e;
	const char *n;

	for (i = seq && seq->type == YAML_SEQUENCE_NODE ? seq->data.sequence.items.start : NULL;
	     i && i < seq->data.sequence.items.top; i++) {
		e = yaml_document_get_node(&k->doc, *i);
		n = kc_scalar(kc_get(k, e, "name"));
		if (!n || strcmp(n, name))
			continue;
		*out = kc_get(k, e, field);
		if (!*out || (*out)->type != YAML_MAPPING_NODE)
			return k8s_errf(k->err, k->errlen, -EINVAL,
					"kubeconfig %s: %s \"%s\" has no %s", k->path,
					field, name, field);
		return 0;
	}
	return k8s_errf(k->err, k->errlen, -ENOENT,
			"kubeconfig %s: %s \"%s\" not found in %s", k->path, field,
			name, list);
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* RFC 4648 section 4 base64 (whitespace skipped, padding optional). */
static int b64_decode(const char *s, struct sfc_k8s_blob *out)
{
	size_t n = strlen(s), len = 0;
	unsigned acc = 0, bits = 0;
	bool pad = false;
	char *buf = malloc(n / 4 * 3 + 4);
	int v;

	if (!buf)
		return -ENOMEM;
	for (; *s; s++) {
		if (strchr(" \t\r\n", *s))
			continue;
		if (*s == '=') {
			pad = true;
			continue;
		}
		v = b64_value(*s);
		if (v < 0 || pad) {
			free(buf);
			return -EINVAL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[len++] = (char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (bits >= 6 || !len) {
		free(buf);
		return -EINVAL;
	}
	buf[len] = '\0';
	out->data = buf;
	out->len = len;
	return 0;
}

/* @path as given when absolute, else relative to the kubeconfig's dir. */
static int kc_path(struct kc *k, const char *path, char **out)
{
	const char *slash = strrchr(k->path, '/');
	int n;

	if (path[0] == '/' || !slash)
		n = asprintf(out, "%s", path);
	else
		n = asprintf(out, "%.*s/%s", (int)(slash - k->path), k->path, path);
	if (n < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* One credential given as @key (a file) or @key-data (base64). */
static int kc_file_or_data(struct kc *k, yaml_node_t *map, const char *what,
			   const char *key, char **file, struct sfc_k8s_blob *blob)
{
	const char *f, *d;
	char dkey[64];
	int rc;

	snprintf(dkey, sizeof(dkey), "%s-data", key);
	if ((rc = kc_str(k, map, what, key, &f)) || (rc = kc_str(k, map, what, dkey, &d)))
		return rc;
	if (f && d)
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s: both %s and %s are set", k->path,
				what, key, dkey);
	if (f)
		return kc_path(k, f, file);
	if (!d)
		return 0;
	rc = b64_decode(d, blob);
	if (rc == -EINVAL)
		k8s_errf(k->err, k->errlen, rc, "kubeconfig %s: %s.%s: invalid base64",
			 k->path, what, dkey);
	return rc;
}

static int kc_cluster(struct kc *k, yaml_node_t *c, const char *what,
		      struct sfc_k8s_config *cfg)
{
	const char *server, *insecure;
	size_t n;
	int rc;

	if ((rc = kc_str(k, c, what, "server", &server)) ||
	    (rc = kc_str(k, c, what, "insecure-skip-tls-verify", &insecure)))
		return rc;
	if (!server)
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s has no server", k->path, what);
	if (strstr(server, "://") && strncmp(server, "https://", 8) &&
	    strncmp(server, "http://", 7))
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s.server \"%s\": not http(s)",
				k->path, what, server);
	/* client-go takes "host:port" as https://host:port. */
	if (asprintf(&cfg->server, "%s%s", strstr(server, "://") ? "" : "https://",
		     server) < 0) {
		cfg->server = NULL;
		return -ENOMEM;
	}
	n = strlen(cfg->server);
	while (n && cfg->server[n - 1] == '/')
		cfg->server[--n] = '\0';
	cfg->insecure = insecure && !strcmp(insecure, "true");
	return kc_file_or_data(k, c, what, "certificate-authority", &cfg->ca_file,
			       &cfg->ca);
}

static int kc_user(struct kc *k, yaml_node_t *u, const char *what,
		   struct sfc_k8s_config *cfg)
{
	static const char *const unsupported[] = { "exec", "auth-provider",
						    "username", "password" };
	const char *token, *token_file;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (kc_get(k, u, unsupported[i]))
			return k8s_errf(k->err, k->errlen, -ENOTSUP,
					"kubeconfig %s: %s.%s: not supported (use a token or a client certificate)",
					k->path, what, unsupported[i]);
	if ((rc = kc_file_or_data(k, u, what, "client-certificate", &cfg->cert_file,
				  &cfg->cert)) ||
	    (rc = kc_file_or_data(k, u, what, "client-key", &cfg->key_file, &cfg->key)) ||
	    (rc = kc_str(k, u, what, "token", &token)) ||
	    (rc = kc_str(k, u, what, "tokenFile", &token_file)))
		return rc;
	if (!(cfg->cert_file || cfg->cert.data) != !(cfg->key_file || cfg->key.data))
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s: a client certificate needs its key and a key its certificate",
				k->path, what);
	if (token && token_file)
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s: both token and tokenFile are set",
				k->path, what);
	if (token_file)
		return kc_path(k, token_file, &cfg->token_file);
	if (token && !(cfg->token = strdup(token)))
		return -ENOMEM;
	return 0;
}

static int kc_context(struct kc *k, const char *context, struct sfc_k8s_config *cfg)
{
	const char *cluster, *user, *ns;
	yaml_node_t *ctx, *n;
	char what[320];
	int rc;

	if (!context && (rc = kc_str(k, yaml_document_get_root_node(&k->doc),
				     "kubeconfig", "current-context", &context)))
		return rc;
	if (!context)
		return k8s_errf(k->err, k->errlen, -ENOENT,
				"kubeconfig %s: no current-context", k->path);
	if ((rc = kc_named(k, "contexts", context, "context", &ctx)))
		return rc;
	snprintf(what, sizeof(what), "context \"%s\"", context);
	if ((rc = kc_str(k, ctx, what, "cluster", &cluster)) ||
	    (rc = kc_str(k, ctx, what, "user", &user)) ||
	    (rc = kc_str(k, ctx, what, "namespace", &ns)))
		return rc;
	if (!cluster)
		return k8s_errf(k->err, k->errlen, -EINVAL,
				"kubeconfig %s: %s has no cluster", k->path, what);
	if (ns && !(cfg->namespace = strdup(ns)))
		return -ENOMEM;
	if ((rc = kc_named(k, "clusters", cluster, "cluster", &n)))
		return rc;
	snprintf(what, sizeof(what), "cluster \"%s\"", cluster);
	if ((rc = kc_cluster(k, n, what, cfg)) || !user)
		return rc;
	if ((rc = kc_named(k, "users", user, "user", &n)))
		return rc;
	snprintf(what, sizeof(what), "user \"%s\"", user);
	return kc_user(k, n, what, cfg);
}

static int kc_load(const char *path, char **buf, size_t *len, char *err,
		   size_t errlen)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return k8s_errf(err, errlen, -errno, "kubeconfig %s: %s", path,
				strerror(errno));
	rc = sfc_read_all(fd, KC_MAX, buf, len);
	close(fd);
	if (rc)
		k8s_errf(err, errlen, rc, "kubeconfig %s: %s", path,
			 rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
	return rc;
}

int sfc_k8s_config_kubeconfig(const char *path, const char *context,
			      struct sfc_k8s_config *out, char *err,
			      size_t errlen)
{
	struct kc k = { .path = path, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	size_t len;
	char *buf;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = kc_load(path, &buf, &len, err, errlen)))
		return rc;
	if (!yaml_parser_initialize(&parser)) {
		free(buf);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &k.doc)) {
		rc = k8s_errf(err, errlen, -EINVAL, "kubeconfig %s: line %zu: %s",
			      path, parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "invalid YAML");
	} else {
		if (yaml_document_get_root_node(&k.doc))
			rc = kc_context(&k, context, out);
		else
			rc = k8s_errf(err, errlen, -EINVAL, "kubeconfig %s: empty",
				      path);
		yaml_document_delete(&k.doc);
	}
	yaml_parser_delete(&parser);
	free(buf);
	if (rc == -ENOMEM)
		k8s_errf(err, errlen, rc, "kubeconfig %s: out of memory", path);
	if (rc)
		sfc_k8s_config_free(out);
	return rc;
}
