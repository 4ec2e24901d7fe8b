/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - JSON config loading (cJSON) with errors that name the file,
 * and the field, so an operator can fix a config from one log line.
 */
#ifndef SF_CONFIG_H
#define SF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define SF_CONFIG_MAX_BYTES (1024 * 1024)

/**
 * sf_config_parse() - parse the JSON config @text (@what names it in
 * errors) into @out (caller frees with cJSON_Delete).
 * @err: "WHAT: line N:C: JSON syntax error near '...'" and the like.
 * Return: 0; -EINVAL on a syntax error or a top level that is not an
 * object.
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
 * (sf_read_file_at(): openat, fstat and read, the only file access the
 * sandbox grants for a reload; a FIFO or device is refused before any
 * read), parse it and hand the tree to @fn.
 * @path: the file as the operator named it, used in messages.
 * @err: on failure the message names the file, the line and column
 * ("PATH: line 3:17: JSON syntax error near '...'") and, for an error
 * @fn reported with sf_config_err(), the field and where it is in the
 * file: "PATH: line 7:10: rules[2].dport: expected ...".
 * Return: 0; -errno of openat/read; -EFBIG over SF_CONFIG_MAX_BYTES;
 * -EINVAL (not a regular file, syntax); or @fn's error.
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

/**
 * sf_config_uint() - the integer member @key of @obj, in [@lo, @hi]
 * (@hi at most 2^53), into @out; when absent, @out is left as it is
 * (the caller's default) unless @required.
 * Return: 0; -EINVAL with "PATH: KEY: expected an integer in LO..HI"
 * ("required, an integer in LO..HI" when @required) in @err.
 */
int sf_config_uint(const cJSON *obj, const char *key, uint64_t lo,
		   uint64_t hi, bool required, uint64_t *out, const char *path,
		   char *err, size_t errlen);

/**
 * sf_config_bool() - the boolean member @key of @obj into @out; when
 * absent, @out is left as it is (the caller's default).
 * Return: 0; -EINVAL with "PATH: KEY: expected true or false" in @err.
 */
int sf_config_bool(const cJSON *obj, const char *key, bool *out,
		   const char *path, char *err, size_t errlen);

/**
 * sf_parse_uint() - the @n bytes at @s as a decimal number of at most
 * @max: digits only (no sign, blank or base prefix).
 * Return: 0 or -EINVAL.
 */
int sf_parse_uint(const char *s, size_t n, unsigned long max,
		  unsigned long *out);

/**
 * sf_parse_ports() - "80" or "5000-5100" (inclusive, lo <= hi) in
 * 0..65535 into @lo and @hi (host order). Return: 0 or -EINVAL.
 */
int sf_parse_ports(const char *s, uint16_t *lo, uint16_t *hi);

/**
 * sf_config_ports() - a port or port range in a config: a string as
 * sf_parse_ports() or a JSON integer in 0..65535. Return: 0 or -EINVAL.
 */
int sf_config_ports(const cJSON *v, uint16_t *lo, uint16_t *hi);

#endif /* SF_CONFIG_H */
