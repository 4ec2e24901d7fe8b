/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_internal.h - helpers shared by the libsfccontrol sources (not installed).
 */
#ifndef SFC_CTL_INTERNAL_H
#define SFC_CTL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct sfc_chain;

/* The chain version written into every hop of @c's SFPs (sfc_hop.gen):
 * a hash of its SF types, failure policy and match rules, never 0. */
uint32_t sfc_chain_gen(const struct sfc_chain *c);

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

/* sfc_write_atomic() with the two fsyncs only when @durable: readers see
 * the old or the new content either way; after a power loss a file
 * written without them may be missing or empty. For files that describe
 * kernel state a reboot erases anyway (endpoint records). */
int sfc_write_atomic_opt(const char *dir, const char *name, const char *data,
			 size_t len, bool durable);

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

/* Read the fields of JSON object @o into @out; 0 or -EINVAL with @err. */
typedef int (*sfc_json_from_fn)(const cJSON *o, void *out, char *err,
				size_t errlen);

/* Parse @json into @out (@size bytes), as sfc_chain_parse() and
 * sfc_pod_parse() do: zero @out, so that a failed parse leaves only what
 * @from set, parse @json, which must be a JSON object, and hand it to
 * @from(o, @out, @err, @errlen); the object is freed on return.
 * Return: @from's 0 or -EINVAL, or -EINVAL with @err (may be NULL)
 * "not a JSON object". */
int sfc_json_parse(const char *json, void *out, size_t size,
		   sfc_json_from_fn from, char *err, size_t errlen);

/* The "metadata" object of Kubernetes-style object @o and its required
 * "name", copied into @name (@len bytes). *@meta (unless @meta is NULL)
 * is the metadata object, owned by @o, for the caller's further fields.
 * Return: 0, or -EINVAL with @err "metadata: missing or not an object" or
 * sfc_json_str()'s "metadata: name: <why>". */
int sfc_json_metadata(const cJSON *o, const cJSON **meta, char *name,
		      size_t len, char *err, size_t errlen);

/* Directory listing of regular *.json files in @dir, sorted by name.
 * *@names is a malloc'd array of malloc'd strings (sfc_names_free()).
 * A missing @dir gives 0 names. Return: 0 or -errno. */
int sfc_list_json(const char *dir, char ***names, int *n);
void sfc_names_free(char **names, int n);

/* What a loader of one entry per file starts from: the folder
 * <@base>/<@sub> into @dir (@dirlen bytes, to build each file's path),
 * its *.json files as sfc_list_json() gives them (*@names, *@n; caller
 * sfc_names_free()s) and a calloc'd array of *@n zeroed entries of @size
 * bytes into *@entries (NULL when there are no files; caller frees).
 * Return: 0, -ENAMETOOLONG, -ENOMEM or sfc_list_json()'s -errno; on
 * error nothing is allocated (*@names and *@entries NULL, *@n 0). */
int sfc_list_entries(const char *base, const char *sub, char *dir,
		     size_t dirlen, char ***names, int *n, void **entries,
		     size_t size);

struct sfc_plan;
struct sfc_dp;
/* sfc_allowed_src = the sfc.io/allowed-sources prefixes of every endpoint
 * of @p whose pod has them (sources.c). Return: 0 or -errno. */
int sfc_plan_apply_sources(const struct sfc_plan *p, struct sfc_dp *dp);

/* snprintf that reports truncation: 0 or -ENAMETOOLONG. */
int sfc_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* SFC_CTL_INTERNAL_H */
