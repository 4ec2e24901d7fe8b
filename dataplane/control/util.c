// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * util.c - file, directory and JSON helpers for libsfccontrol.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfc_io.h"
#include "ctl_internal.h"

int sfc_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void sfc_err_append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!err || !errlen)
		return;
	used = strnlen(err, errlen);
	if (used && used + 2 < errlen) {
		memcpy(err + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

int sfc_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int sfc_read_file(const char *path, char **out)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = sfc_read_all(fd, SFC_FILE_MAX, out, NULL);
	close(fd);
	return err;
}

static int fsync_dir(const char *dir)
{
	int fd, err = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

int sfc_write_atomic_opt(const char *dir, const char *name, const char *data,
			 size_t len, bool durable)
{
	char tmp[4096], dst[4096];
	int fd, err;

	err = sfc_path(dst, sizeof(dst), "%s/%s", dir, name);
	if (!err)
		err = sfc_path(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if (err)
		return err;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = sfc_write_all(fd, data, len);
	if (!err && fchmod(fd, 0644) < 0)
		err = -errno;
	if (!err && durable && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, dst) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return durable ? fsync_dir(dir) : 0;
}

int sfc_write_atomic(const char *dir, const char *name, const char *data,
		     size_t len)
{
	return sfc_write_atomic_opt(dir, name, data, len, true);
}

int sfc_mkdir_p(const char *path)
{
	char buf[4096];
	char *p;

	if (sfc_path(buf, sizeof(buf), "%s", path))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

bool sfc_name_ok(const char *s, size_t max)
{
	size_t i, len;

	if (!s)
		return false;
	len = strnlen(s, max);
	if (len == 0 || len >= max)
		return false;
	if (strchr(s, '/') || strstr(s, ".."))
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int sfc_json_str(const cJSON *obj, const char *key, char *buf, size_t len,
		 bool required, const char *ctx, char *err, size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	buf[0] = '\0';
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return sfc_errf(err, errlen, "%s: %s: missing", ctx, key);
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return sfc_errf(err, errlen, "%s: %s: not a string", ctx, key);
	if (strlen(it->valuestring) >= len)
		return sfc_errf(err, errlen, "%s: %s: longer than %zu bytes",
				ctx, key, len - 1);
	if (required && !it->valuestring[0])
		return sfc_errf(err, errlen, "%s: %s: empty", ctx, key);
	strcpy(buf, it->valuestring);
	return 0;
}

int sfc_json_parse(const char *json, void *out, size_t size,
		   sfc_json_from_fn from, char *err, size_t errlen)
{
	cJSON *o;
	int rc;

	memset(out, 0, size);
	o = cJSON_Parse(json);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o); /* "[1]" parses too: ours to free */
		return sfc_errf(err, errlen, "not a JSON object");
	}
	rc = from(o, out, err, errlen);
	cJSON_Delete(o);
	return rc;
}

int sfc_json_metadata(const cJSON *o, const cJSON **meta, char *name,
		      size_t len, char *err, size_t errlen)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "metadata");

	if (!cJSON_IsObject(m))
		return sfc_errf(err, errlen, "metadata: missing or not an object");
	if (meta)
		*meta = m;
	return sfc_json_str(m, "name", name, len, true, "metadata", err,
			    errlen);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 5 && !strcmp(n + len - 5, ".json");
}

int sfc_list_json(const char *dir, char ***names, int *n)
{
	char **v = NULL, **nv;
	struct dirent *de;
	int cnt = 0, cap = 0, err = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!is_json_name(de->d_name))
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[cnt] = strdup(de->d_name);
		if (!v[cnt]) {
			err = -ENOMEM;
			break;
		}
		cnt++;
	}
	closedir(d);
	if (err) {
		sfc_names_free(v, cnt);
		return err;
	}
	if (cnt)
		qsort(v, (size_t)cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
}

int sfc_list_entries(const char *base, const char *sub, char *dir,
		     size_t dirlen, char ***names, int *n, void **entries,
		     size_t size)
{
	int rc;

	*names = NULL;
	*n = 0;
	*entries = NULL;
	rc = sfc_path(dir, dirlen, "%s/%s", base, sub);
	if (!rc)
		rc = sfc_list_json(dir, names, n);
	if (rc)
		return rc;
	/* calloc(0) may return a pointer: keep "no files" as NULL. */
	if (*n && !(*entries = calloc((size_t)*n, size))) {
		sfc_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return -ENOMEM;
	}
	return 0;
}

void sfc_names_free(char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
