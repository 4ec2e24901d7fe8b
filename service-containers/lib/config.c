// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - JSON config loading with precise errors. See config.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* The field of the last sf_config_err(): sf_config_apply_at() turns it
 * into a line number. Per thread, so tests may run in parallel. */
static __thread char last_field[128];

int sf_config_err(char *err, size_t errlen, const char *path,
		  const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	snprintf(last_field, sizeof(last_field), "%s", field ? field : "");

	n = snprintf(err, errlen, "%s: %s%s", path ? path : "config",
		     field ? field : "", field && *field ? ": " : "");
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int sf_config_parse(const char *text, const char *what, cJSON **out,
		    char *err, size_t errlen)
{
	const char *end = NULL, *ctx;
	cJSON *root;
	int line, col;

	root = cJSON_ParseWithOpts(text, &end, 1);
	if (!root) {
		/* cJSON points at the first byte it could not take. */
		if (!end)
			end = text;
		sf_config_line_col(text, end, &line, &col);
		/* cJSON points just past the offending token: show a little
		 * of what precedes it, on its line. */
		ctx = end - (col - 1 < 12 ? col - 1 : 12);
		return sf_config_err(err, errlen, what, NULL,
				     "line %d:%d: JSON syntax error near '%.*s'",
				     line, col, (int)strcspn(ctx, "\r\n") < 24 ?
				     (int)strcspn(ctx, "\r\n") : 24, ctx);
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return sf_config_err(err, errlen, what, NULL,
				     "top level must be a JSON object");
	}
	*out = root;
	return 0;
}

static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	*len = 0;
	while ((n = read(fd, buf + *len, cap - *len)) > 0) {
		*len += (size_t)n;
		if (*len == cap)
			return -EFBIG;
	}
	return n < 0 ? -errno : 0;
}

/* Read the file on @fd (closed here) into a new NUL-terminated buffer. */
static int slurp(int fd, const char *path, char **text, char *err,
		 size_t errlen)
{
	size_t len;
	char *buf;
	int ret;

	buf = malloc(SF_CONFIG_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	ret = read_all(fd, buf, SF_CONFIG_MAX_BYTES + 1, &len);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -EFBIG ? "file too large" : strerror(-ret));
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* "PATH: FIELD: msg" -> "PATH: line L:C: FIELD: msg". */
static void annotate(const char *text, const char *path, char *err,
		     size_t errlen)
{
	size_t plen = strlen(path);
	char rest[512];
	int line, col;

	if (!last_field[0] || strncmp(err, path, plen) || err[plen] != ':')
		return;
	sf_config_locate(text, last_field, &line, &col);
	snprintf(rest, sizeof(rest), "%s", err + plen + 2);
	snprintf(err, errlen, "%s: line %d:%d: %s", path, line, col, rest);
}

int sf_config_apply_at(int dirfd, const char *name, const char *path,
		       sf_config_apply_fn fn, void *ctx, char *err,
		       size_t errlen)
{
	cJSON *root = NULL;
	char *text = NULL;
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerrorname_np(-ret));
		return ret;
	}
	ret = slurp(fd, path, &text, err, errlen);
	if (!ret)
		ret = sf_config_parse(text, path, &root, err, errlen);
	if (!ret) {
		last_field[0] = '\0';
		ret = fn ? fn(ctx, root, path, err, errlen) : 0;
		if (ret == -EINVAL)
			annotate(text, path, err, errlen);
	}
	cJSON_Delete(root);
	free(text);
	return ret;
}

int sf_config_load(const char *path, cJSON **out, char *err, size_t errlen)
{
	char *text = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = slurp(fd, path, &text, err, errlen);
	if (!ret)
		ret = sf_config_parse(text, path, out, err, errlen);
	free(text);
	return ret;
}

int sf_config_check_keys(const cJSON *obj, const char *const *known,
			 const char *path, const char *prefix, char *err,
			 size_t errlen)
{
	const cJSON *it;
	char field[128];
	int i;

	cJSON_ArrayForEach(it, obj) {
		for (i = 0; known[i]; i++)
			if (it->string && !strcmp(it->string, known[i]))
				break;
		if (known[i])
			continue;
		snprintf(field, sizeof(field), "%s%s%s", prefix,
			 *prefix ? "." : "", it->string ? it->string : "?");
		return sf_config_err(err, errlen, path, field,
				     "unknown field");
	}
	return 0;
}
