// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * state.c - endpoint state records: one JSON file per wired pod interface,
 * <state_dir>/endpoints/<container_id>_<ifname>.json, replaced atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sfc_control.h"
#include "sfc_json.h"
#include "ctl_internal.h"

#define ENDPOINTS_SUBDIR "endpoints"

const char *sfc_role_name(uint32_t role)
{
	switch (role) {
	case SFC_ROLE_APP:
		return "app";
	case SFC_ROLE_SF:
		return "sf";
	default:
		return "none";
	}
}

static int record_names_ok(const char *container_id, const char *ifname)
{
	if (!sfc_name_ok(container_id, sizeof(((struct sfc_ep_record *)0)->container_id)) ||
	    !sfc_name_ok(ifname, sizeof(((struct sfc_ep_record *)0)->ifname)))
		return -EINVAL;
	return 0;
}

static int record_path(char *buf, size_t len, const char *state_dir,
		       const char *container_id, const char *ifname)
{
	int err = record_names_ok(container_id, ifname);

	if (err)
		return err;
	return sfc_path(buf, len, "%s/" ENDPOINTS_SUBDIR "/%s_%s.json",
			state_dir, container_id, ifname);
}

static cJSON *record_to_json(const struct sfc_ep_record *r)
{
	cJSON *o = cJSON_CreateObject(), *ips;
	int i;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "containerId", r->container_id);
	cJSON_AddStringToObject(o, "ifname", r->ifname);
	cJSON_AddStringToObject(o, "hostIfname", r->host_ifname);
	cJSON_AddStringToObject(o, "netns", r->netns);
	cJSON_AddStringToObject(o, "podNamespace", r->pod_namespace);
	cJSON_AddStringToObject(o, "podName", r->pod_name);
	cJSON_AddNumberToObject(o, "vpid", r->vpid);
	cJSON_AddStringToObject(o, "role", sfc_role_name(r->role));
	cJSON_AddStringToObject(o, "function", r->function);
	cJSON_AddStringToObject(o, "mac", r->mac);
	cJSON_AddStringToObject(o, "hostMac", r->host_mac);
	ips = cJSON_AddArrayToObject(o, "ips");
	for (i = 0; ips && i < r->n_ips && i < SFC_MAX_IPS; i++)
		cJSON_AddItemToArray(ips, cJSON_CreateString(r->ips[i]));
	cJSON_AddStringToObject(o, "ipamType", r->ipam_type);
	if (r->network[0])
		cJSON_AddStringToObject(o, "network", r->network);
	if (r->flags)
		cJSON_AddNumberToObject(o, "flags", r->flags);
	return o;
}

int sfc_state_write(const char *state_dir, const struct sfc_ep_record *r)
{
	char dir[4096], name[256];
	cJSON *o;
	char *txt;
	int err;

	err = record_names_ok(r->container_id, r->ifname);
	if (err)
		return err;
	if (r->n_ips < 0 || r->n_ips > SFC_MAX_IPS)
		return -EINVAL;
	err = sfc_path(dir, sizeof(dir), "%s/" ENDPOINTS_SUBDIR, state_dir);
	if (!err)
		err = sfc_path(name, sizeof(name), "%s_%s.json",
			       r->container_id, r->ifname);
	if (!err)
		err = sfc_mkdir_p(dir);
	if (err)
		return err;
	o = record_to_json(r);
	txt = o ? cJSON_Print(o) : NULL;
	cJSON_Delete(o);
	if (!txt)
		return -ENOMEM;
	/* No fsync: a record describes a veth, pins and map entries that a
	 * node crash erases with it, and every reader copes with a record
	 * that is missing (DEL derives the names) or empty (skipped as
	 * corrupt). cni/README.md "Performance" has the argument. */
	err = sfc_write_atomic_opt(dir, name, txt, strlen(txt), false);
	free(txt);
	return err;
}

static int role_from_json(const cJSON *it, uint32_t *role)
{
	uint64_t v;

	if (cJSON_IsNumber(it)) {
		if (sfc_json_uint(it, SFC_ROLE_NONE, SFC_ROLE_SF, &v))
			return -EINVAL;
		*role = (uint32_t)v;
		return 0;
	}
	if (!cJSON_IsString(it))
		return -EINVAL;
	if (!strcmp(it->valuestring, "app"))
		*role = SFC_ROLE_APP;
	else if (!strcmp(it->valuestring, "sf"))
		*role = SFC_ROLE_SF;
	else if (!strcmp(it->valuestring, "none"))
		*role = SFC_ROLE_NONE;
	else
		return -EINVAL;
	return 0;
}

static int record_ips_from_json(const cJSON *o, struct sfc_ep_record *r)
{
	const cJSON *ips = cJSON_GetObjectItemCaseSensitive(o, "ips"), *it;

	r->n_ips = 0;
	if (!ips)
		return 0;
	if (!cJSON_IsArray(ips))
		return -EINVAL;
	cJSON_ArrayForEach(it, ips) {
		if (!cJSON_IsString(it) || r->n_ips >= SFC_MAX_IPS ||
		    strlen(it->valuestring) >= sizeof(r->ips[0]))
			return -EINVAL;
		strcpy(r->ips[r->n_ips++], it->valuestring);
	}
	return 0;
}

/* Parse one record; -EINVAL on anything missing or malformed. */
static int record_from_json(const char *txt, struct sfc_ep_record *r)
{
	const char *c = "record";
	const cJSON *v;
	uint64_t num;
	cJSON *o;
	int err = -EINVAL;

	memset(r, 0, sizeof(*r));
	o = cJSON_Parse(txt);
	if (!cJSON_IsObject(o))
		goto cleanup;
	if (sfc_json_str(o, "containerId", r->container_id, sizeof(r->container_id), true, c, NULL, 0) ||
	    sfc_json_str(o, "ifname", r->ifname, sizeof(r->ifname), true, c, NULL, 0) ||
	    sfc_json_str(o, "hostIfname", r->host_ifname, sizeof(r->host_ifname), false, c, NULL, 0) ||
	    sfc_json_str(o, "netns", r->netns, sizeof(r->netns), false, c, NULL, 0) ||
	    sfc_json_str(o, "podNamespace", r->pod_namespace, sizeof(r->pod_namespace), false, c, NULL, 0) ||
	    sfc_json_str(o, "podName", r->pod_name, sizeof(r->pod_name), false, c, NULL, 0) ||
	    sfc_json_str(o, "function", r->function, sizeof(r->function), false, c, NULL, 0) ||
	    sfc_json_str(o, "mac", r->mac, sizeof(r->mac), false, c, NULL, 0) ||
	    sfc_json_str(o, "hostMac", r->host_mac, sizeof(r->host_mac), false, c, NULL, 0) ||
	    sfc_json_str(o, "ipamType", r->ipam_type, sizeof(r->ipam_type), false, c, NULL, 0) ||
	    sfc_json_str(o, "network", r->network, sizeof(r->network), false, c, NULL, 0))
		goto cleanup;
	/* flags is optional (records older than it have none), but a value
	 * that is there must be one: it decides what DEL may delete. */
	v = cJSON_GetObjectItemCaseSensitive(o, "flags");
	if (v && sfc_json_uint(v, 0, UINT32_MAX, &num))
		goto cleanup;
	r->flags = v ? (uint32_t)num : 0;
	if (sfc_json_uint(cJSON_GetObjectItemCaseSensitive(o, "vpid"), 0,
			  SFC_MAX_ENDPOINTS - 1, &num))
		goto cleanup;
	r->vpid = (uint32_t)num;
	v = cJSON_GetObjectItemCaseSensitive(o, "role");
	if (v && role_from_json(v, &r->role))
		goto cleanup;
	if (record_ips_from_json(o, r))
		goto cleanup;
	err = 0;
cleanup:
	cJSON_Delete(o);
	return err;
}

static int record_read_path(const char *path, struct sfc_ep_record *r)
{
	char *txt = NULL;
	int err;

	err = sfc_read_file(path, &txt);
	if (err)
		return err == -EFBIG ? -EINVAL : err;
	err = record_from_json(txt, r);
	free(txt);
	return err;
}

int sfc_state_read(const char *state_dir, const char *container_id,
		   const char *ifname, struct sfc_ep_record *r)
{
	char path[4096];
	int err;

	err = record_path(path, sizeof(path), state_dir, container_id, ifname);
	if (err)
		return err;
	return record_read_path(path, r);
}

int sfc_state_remove(const char *state_dir, const char *container_id,
		     const char *ifname)
{
	char path[4096];
	int err;

	err = record_path(path, sizeof(path), state_dir, container_id, ifname);
	if (err)
		return err;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int sfc_state_list(const char *state_dir, struct sfc_ep_record **out, int *n)
{
	char dir[4096], path[8192];
	struct sfc_ep_record *v;
	char **names;
	int cnt = 0, n_names, i, err;

	*out = NULL;
	*n = 0;
	err = sfc_list_entries(state_dir, ENDPOINTS_SUBDIR, dir, sizeof(dir),
			       &names, &n_names, (void **)&v, sizeof(*v));
	if (err)
		return err;
	for (i = 0; i < n_names; i++) {
		if (sfc_path(path, sizeof(path), "%s/%s", dir, names[i]))
			continue;
		if (record_read_path(path, &v[cnt]) == 0)
			cnt++;
	}
	sfc_names_free(names, n_names);
	if (!cnt) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Is @name a temp file of sfc_write_atomic() (".<record>.json.XXXXXX"),
 * of record @rec ("<container_id>_<ifname>") when @rec is not NULL? */
static bool is_tmp_of(const char *name, const char *rec)
{
	size_t n = strlen(name), r;

	if (n < 1 + 1 + 12 || name[0] != '.' || strncmp(name + n - 12, ".json.", 6))
		return false;
	if (!rec)
		return true;
	r = strlen(rec);
	return n == 1 + r + 12 && !strncmp(name + 1, rec, r);
}

int sfc_state_tmp_remove(const char *state_dir, const char *container_id,
			 const char *ifname, unsigned int min_age_s)
{
	char dir[4096], rec[256];
	struct dirent *de;
	struct stat st;
	int fd, n = 0, err = 0;
	time_t now = time(NULL);
	DIR *d;

	if (container_id &&
	    ((err = record_names_ok(container_id, ifname)) ||
	     (err = sfc_path(rec, sizeof(rec), "%s_%s", container_id, ifname))))
		return err;
	err = sfc_path(dir, sizeof(dir), "%s/" ENDPOINTS_SUBDIR, state_dir);
	if (err)
		return err;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	fd = dirfd(d);
	while ((de = readdir(d))) {
		if (!is_tmp_of(de->d_name, container_id ? rec : NULL) ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) ||
		    (!container_id && now - st.st_mtime < (time_t)min_age_s))
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0)
			n++;
		else if (errno != ENOENT && !err)
			err = -errno;
	}
	closedir(d);
	return err ? err : n;
}
