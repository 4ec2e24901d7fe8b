/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_internal.h - helpers shared by the libsfcctl sources (not installed).
 */
#ifndef SFC_CTL_INTERNAL_H
#define SFC_CTL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* Largest object file we read (chains, pods, state records). */
#define SFC_FILE_MAX (1u << 20)

/* Format a reason into @err (may be NULL); always returns -EINVAL so a
 * caller can write `return sfc_errf(err, len, ...)`. */
int sfc_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append "; reason" (or "reason" when @err is empty) to @err. */
void sfc_err_append(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read @path into a malloc'd NUL-terminated buffer (caller frees).
 * Return: 0, -EFBIG over SFC_FILE_MAX, -errno. */
int sfc_read_file(const char *path, char **out);

/* Atomically replace <dir>/<name> with @len bytes of @data: temp file in
 * @dir, fsync, rename, fsync @dir. Return: 0 or -errno. */
int sfc_write_atomic(const char *dir, const char *name, const char *data,
		     size_t len);

/* mkdir -p for @path (mode 0755). Return: 0 or -errno. */
int sfc_mkdir_p(const char *path);

/* True if @s is a usable file-name component: non-empty, shorter than
 * @max, no '/', no "..", no control characters. */
bool sfc_name_ok(const char *s, size_t max);

/* Copy string member @key of @obj into @buf. Missing -> "" (or an error
 * when @required). Wrong type or too long -> -EINVAL with @err naming
 * "<ctx>: <key>". */
int sfc_json_str(const cJSON *obj, const char *key, char *buf, size_t len,
		 bool required, const char *ctx, char *err, size_t errlen);

/* Directory listing of regular *.json files in @dir, sorted by name.
 * *@names is a malloc'd array of malloc'd strings (sfc_names_free()).
 * A missing @dir gives 0 names. Return: 0 or -errno. */
int sfc_list_json(const char *dir, char ***names, int *n);
void sfc_names_free(char **names, int n);

/* snprintf that reports truncation: 0 or -ENAMETOOLONG. */
int sfc_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* SFC_CTL_INTERNAL_H */
