// SPDX-License-Identifier: GPL-2.0-only
/*
 * token.c - a bearer token file that rotates: projected service-account
 * tokens are replaced by the kubelet well before they expire, so a copy
 * is trusted for SFC_K8S_TOKEN_REREAD_MS at most, and a 401 forces a read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_internal.h"
#include "sfc_io.h"

static int token_read(const char *path, char **out)
{
	char *buf;
	size_t len;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = sfc_read_all(fd, SFC_K8S_TOKEN_MAX, &buf, &len);
	close(fd);
	if (err)
		return err;
	while (len && buf[len - 1] && strchr(" \t\r\n", buf[len - 1]))
		buf[--len] = '\0';
	if (!len || memchr(buf, '\n', len) || strlen(buf) != len) {
		/* A token is one line: an empty file or several lines is a
		 * broken mount, not a credential to send. */
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

int sfc_k8s_token_get(struct sfc_k8s_token *t, uint64_t now_ms, bool force,
		      const char **out)
{
	char *fresh = NULL;
	int err;

	if (t->value && !force && now_ms - t->read_ms < SFC_K8S_TOKEN_REREAD_MS) {
		*out = t->value;
		return 0;
	}
	err = token_read(t->path, &fresh);
	if (err) {
		if (!t->value)
			return err;
		*out = t->value;
		return 0;
	}
	free(t->value);
	t->value = fresh;
	t->read_ms = now_ms;
	*out = t->value;
	return 0;
}

void sfc_k8s_token_free(struct sfc_k8s_token *t)
{
	free(t->path);
	free(t->value);
	memset(t, 0, sizeof(*t));
}
