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

#endif /* SF_CONFIG_H */
