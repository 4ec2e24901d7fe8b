// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - the in-cluster configuration (what client-go's
 * rest.InClusterConfig reads) and the config's copy and free.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_internal.h"
#include "sfc_io.h"

int k8s_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void sfc_k8s_config_free(struct sfc_k8s_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->server);
	free(cfg->ca_file);
	free(cfg->ca.data);
	free(cfg->cert_file);
	free(cfg->cert.data);
	free(cfg->key_file);
	free(cfg->key.data);
	free(cfg->token);
	free(cfg->token_file);
	free(cfg->namespace);
	memset(cfg, 0, sizeof(*cfg));
}

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src && !(*dst = strdup(src)))
		return -ENOMEM;
	return 0;
}

static int dup_blob(struct sfc_k8s_blob *dst, const struct sfc_k8s_blob *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->data)
		return 0;
	dst->data = malloc(src->len + 1);
	if (!dst->data)
		return -ENOMEM;
	memcpy(dst->data, src->data, src->len);
	dst->data[src->len] = '\0';
	dst->len = src->len;
	return 0;
}

int k8s_config_dup(struct sfc_k8s_config *dst, const struct sfc_k8s_config *src)
{
	int err = 0;

	memset(dst, 0, sizeof(*dst));
	dst->insecure = src->insecure;
	err |= dup_str(&dst->server, src->server);
	err |= dup_str(&dst->ca_file, src->ca_file);
	err |= dup_blob(&dst->ca, &src->ca);
	err |= dup_str(&dst->cert_file, src->cert_file);
	err |= dup_blob(&dst->cert, &src->cert);
	err |= dup_str(&dst->key_file, src->key_file);
	err |= dup_blob(&dst->key, &src->key);
	err |= dup_str(&dst->token, src->token);
	err |= dup_str(&dst->token_file, src->token_file);
	err |= dup_str(&dst->namespace, src->namespace);
	if (err) {
		sfc_k8s_config_free(dst);
		return -ENOMEM;
	}
	return 0;
}

/* "https://host:port"; an IPv6 address goes in brackets (RFC 3986 3.2.2). */
static int incluster_server(const char *host, const char *port, char **out)
{
	char *end;
	long p = strtol(port, &end, 10);
	bool v6 = strchr(host, ':') != NULL;

	if (!*port || *end || p < 1 || p > 65535)
		return -EINVAL;
	if (asprintf(out, v6 ? "https://[%s]:%ld" : "https://%s:%ld", host, p) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The first line of the small file @path into *@out; -ENOENT if absent. */
static int read_line_file(const char *path, char **out)
{
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = sfc_read_all(fd, 4096, &buf, NULL);
	close(fd);
	if (err)
		return err;
	buf[strcspn(buf, " \t\r\n")] = '\0';
	*out = buf;
	return 0;
}

static int incluster_files(const char *dir, struct sfc_k8s_config *cfg,
			   char *err, size_t errlen)
{
	struct sfc_k8s_token tok = { 0 };
	const char *value;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	if (access(path, R_OK))
		return k8s_errf(err, errlen, -errno, "in-cluster CA %s: %s",
				path, strerror(errno));
	if (!(cfg->ca_file = strdup(path)))
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/token", dir);
	if (!(tok.path = strdup(path)))
		return -ENOMEM;
	rc = sfc_k8s_token_get(&tok, 0, true, &value);
	sfc_k8s_token_free(&tok);
	if (rc)
		return k8s_errf(err, errlen, rc, "in-cluster token %s: %s",
				path, rc == -EINVAL ? "empty" : strerror(-rc));
	if (!(cfg->token_file = strdup(path)))
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/namespace", dir);
	rc = read_line_file(path, &cfg->namespace);
	if (rc && rc != -ENOENT)
		return k8s_errf(err, errlen, rc, "in-cluster namespace %s: %s",
				path, strerror(-rc));
	return 0;
}

int sfc_k8s_config_in_cluster(const char *sa_dir, struct sfc_k8s_config *out,
			      char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	int rc;

	memset(out, 0, sizeof(*out));
	if (!sa_dir)
		sa_dir = SFC_K8S_SA_DIR;
	if (strlen(sa_dir) > 4000)
		return k8s_errf(err, errlen, -ENAMETOOLONG,
				"service-account dir %.64s...: name too long", sa_dir);
	if (!host || !*host || !port || !*port)
		return k8s_errf(err, errlen, -ENOENT,
				"not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
	rc = incluster_server(host, port, &out->server);
	if (rc == -EINVAL)
		k8s_errf(err, errlen, rc, "KUBERNETES_SERVICE_PORT \"%s\": not a port",
			 port);
	if (!rc)
		rc = incluster_files(sa_dir, out, err, errlen);
	if (rc) {
		if (rc == -ENOMEM)
			k8s_errf(err, errlen, rc, "in-cluster config: out of memory");
		sfc_k8s_config_free(out);
	}
	return rc;
}
