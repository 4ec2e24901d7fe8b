/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - JSON config loading (cJSON) with errors that name the file,
 * and the field, so an operator can fix a config from one log line.
 */
#ifndef SF_CONFIG_H
#define SF_CONFIG_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define SF_CONFIG_MAX_BYTES (1024 * 1024)

/**
 * sf_config_load() - read and parse the JSON file @path.
 * @out: receives the tree (caller frees with cJSON_Delete) on success.
 * @err: "PATH: line N: JSON syntax error near '...'" and the like.
 * Return: 0; -errno of open/read; -EFBIG over SF_CONFIG_MAX_BYTES;
 * -EINVAL on a syntax error or a top level that is not an object.
 */
int sf_config_load(const char *path, cJSON **out, char *err, size_t errlen);

/**
 * sf_config_parse() - the same from a string (@what names it in errors).
 */
int sf_config_parse(const char *text, const char *what, cJSON **out,
		    char *err, size_t errlen);

/**
 * sf_config_err() - format "PATH: FIELD: message" into @err.
 * Return: -EINVAL, so callers can `return sf_config_err(...)`.
 */
int sf_config_err(char *err, size_t errlen, const char *path,
		  const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * sf_config_check_keys() - reject members of @obj not in @known (NULL
 * terminated), so a typo ("dports") is an error, not a silently ignored
 * field. @prefix names @obj in the message ("" for top level, "rules[2]").
 * Return: 0 or -EINVAL with @err set.
 */
int sf_config_check_keys(const cJSON *obj, const char *const *known,
			 const char *path, const char *prefix, char *err,
			 size_t errlen);

/* Applies a parsed config; the signature of struct sf_app_ops.configure. */
typedef int (*sf_config_apply_fn)(void *ctx, const cJSON *cfg,
				  const char *path, char *err, size_t errlen);

/**
 * sf_config_apply_at() - read @name relative to the directory fd @dirfd
 * (openat O_RDONLY|O_CLOEXEC, then read: the only file access the sandbox
 * grants for a reload), parse it and hand the tree to @fn.
 * @path: the file as the operator named it, used in messages.
 * @err: on failure the message names the file, the line and column
 * ("PATH: line 3:17: JSON syntax error near '...'") and, for an error
 * @fn reported with sf_config_err(), the field and where it is in the
 * file: "PATH: line 7:10: rules[2].dport: expected ...".
 * Return: 0; -errno of openat/read; -EFBIG; -EINVAL; or @fn's error.
 */
int sf_config_apply_at(int dirfd, const char *name, const char *path,
		       sf_config_apply_fn fn, void *ctx, char *err,
		       size_t errlen);

/**
 * sf_config_locate() - where the member named by @field ("rules[2].dport",
 * "nat_ip", "rules[1]") is in the JSON @text: the line and column (both
 * from 1) of its key, or of the deepest enclosing member or element that
 * exists (a missing required field points at its object).
 * Return: 0, or -ENOENT when not even the first component is found
 * (line/col then point at the start of the document).
 */
int sf_config_locate(const char *text, const char *field, int *line,
		     int *col);

/** sf_config_line_col() - 1-based line and column of @pos in @text. */
void sf_config_line_col(const char *text, const char *pos, int *line,
			int *col);

#endif /* SF_CONFIG_H */
