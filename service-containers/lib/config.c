// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - JSON config loading with precise errors. See config.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "files.h"
#include "sfc_json.h"

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
	int ret;

	ret = sf_read_file_at(dirfd, name, path, SF_CONFIG_MAX_BYTES, &text,
			      err, errlen);
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

int sf_config_uint(const cJSON *obj, const char *key, uint64_t lo,
		   uint64_t hi, bool required, uint64_t *out, const char *path,
		   char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v && !required)
		return 0;
	if (sfc_json_uint(v, lo, hi, out))
		return sf_config_err(err, errlen, path, key,
				     "%san integer in %llu..%llu",
				     required ? "required, " : "expected ",
				     (unsigned long long)lo,
				     (unsigned long long)hi);
	return 0;
}

int sf_config_bool(const cJSON *obj, const char *key, bool *out,
		   const char *path, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return sf_config_err(err, errlen, path, key,
				     "expected true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

int sf_parse_uint(const char *s, size_t n, unsigned long max,
		  unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int sf_parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	unsigned long a, b;

	if (!dash) {
		if (sf_parse_uint(s, strlen(s), 65535, &a))
			return -EINVAL;
		b = a;
	} else if (sf_parse_uint(s, (size_t)(dash - s), 65535, &a) ||
		   sf_parse_uint(dash + 1, strlen(dash + 1), 65535, &b) ||
		   a > b) {
		return -EINVAL;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int sf_config_ports(const cJSON *v, uint16_t *lo, uint16_t *hi)
{
	uint64_t p;

	if (cJSON_IsNumber(v)) {
		if (sfc_json_uint(v, 0, 65535, &p))
			return -EINVAL;
		*lo = *hi = (uint16_t)p;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -EINVAL;
	return sf_parse_ports(v->valuestring, lo, hi);
}
