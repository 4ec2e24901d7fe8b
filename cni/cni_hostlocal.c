// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_hostlocal.c - read-only knowledge of the reference host-local IPAM
 * plugin's on-disk store, for STATUS (is a range exhausted?) and GC (which
 * attachments still hold addresses?). Debian's host-local 1.1.1 knows
 * neither STATUS nor GC, so sfc-cni answers for it.
 *
 * Store: <dataDir>/<network name>/<ip> per allocation holding
 * "<container id>\r\n<ifname>" (older versions: the container id only);
 * dataDir defaults to /var/lib/cni/networks. Ranges as host-local's
 * range.go Canonicalize(): rangeStart = subnet + 1, rangeEnd = last address
 * (IPv4: broadcast - 1), gateway = subnet + 1 and never handed out.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cni_net.h"

#define HL_DATA_DIR "/var/lib/cni/networks"
#define HL_MAX_RANGES 16

typedef unsigned __int128 u128;

struct hl_range {
	int family;
	u128 start, end, gw;
	bool has_gw;
};

static int to_u128(const char *s, int *family, u128 *v)
{
	unsigned char b[16];
	int n;

	if (inet_pton(AF_INET, s, b) == 1)
		n = 4, *family = 4;
	else if (inet_pton(AF_INET6, s, b) == 1)
		n = 16, *family = 6;
	else
		return -EINVAL;
	*v = 0;
	for (int i = 0; i < n; i++)
		*v = (*v << 8) | b[i];
	return 0;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* One range object {subnet, rangeStart, rangeEnd, gateway}. */
static int range_parse(const cJSON *o, struct hl_range *r)
{
	const char *subnet = str_of(o, "subnet"), *s;
	char addr[64], *end;
	const char *slash;
	int fam, bits;
	long plen;
	u128 net, mask;

	if (!subnet || !(slash = strchr(subnet, '/')) ||
	    (size_t)(slash - subnet) >= sizeof(addr))
		return -EINVAL;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - subnet), subnet);
	if (to_u128(addr, &r->family, &net))
		return -EINVAL;
	bits = r->family == 4 ? 32 : 128;
	plen = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end || plen < 0 || plen > bits)
		return -EINVAL;
	mask = plen == 0 ? 0 : (~(u128)0 << (128 - plen)) >> (128 - bits);
	net &= mask;
	r->start = net + 1;
	r->end = (net | (~mask & (bits == 32 ? 0xffffffffu : ~(u128)0))) -
		 (r->family == 4 ? 1 : 0);
	r->gw = net + 1;
	r->has_gw = true;
	if ((s = str_of(o, "rangeStart")) && (to_u128(s, &fam, &r->start) || fam != r->family))
		return -EINVAL;
	if ((s = str_of(o, "rangeEnd")) && (to_u128(s, &fam, &r->end) || fam != r->family))
		return -EINVAL;
	if ((s = str_of(o, "gateway")) && (to_u128(s, &fam, &r->gw) || fam != r->family))
		return -EINVAL;
	return r->end >= r->start ? 0 : -EINVAL;
}

/* The ipam object and network name from the config text. */
static cJSON *hl_conf(const char *json, size_t len, const cJSON **ipam,
		      char *dir, size_t dsize, const struct cni_conf *conf)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const char *data;

	*ipam = cJSON_GetObjectItemCaseSensitive(root, "ipam");
	data = str_of(*ipam, "dataDir");
	if (!cJSON_IsObject(*ipam) ||
	    (size_t)snprintf(dir, dsize, "%s/%s", data ? data : HL_DATA_DIR,
			     conf->name) >= dsize) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* Count files naming an address in one of @rs[0..n). */
static long count_allocated(const char *dir, const struct hl_range *rs, int n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long cnt = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		int fam;
		u128 v;

		if (to_u128(de->d_name, &fam, &v))
			continue;
		for (int i = 0; i < n; i++)
			if (rs[i].family == fam && v >= rs[i].start && v <= rs[i].end) {
				cnt++;
				break;
			}
	}
	closedir(d);
	return cnt;
}

/* Is the range set @set (array of range objects) full? */
static int set_full(const cJSON *set, const char *dir)
{
	struct hl_range rs[HL_MAX_RANGES];
	const cJSON *it;
	u128 cap = 0;
	long used;
	int n = 0;

	cJSON_ArrayForEach(it, set) {
		if (n == HL_MAX_RANGES || range_parse(it, &rs[n]))
			return -EINVAL;
		cap += rs[n].end - rs[n].start + 1;
		if (rs[n].has_gw && rs[n].gw >= rs[n].start && rs[n].gw <= rs[n].end)
			cap--;
		n++;
	}
	if (!n)
		return -EINVAL;
	used = count_allocated(dir, rs, n);
	if (used < 0)
		return (int)used;
	return (u128)used >= cap;
}

int cni_hostlocal_exhausted(const char *json, size_t len,
			    const struct cni_conf *conf, char *why, size_t wlen)
{
	const cJSON *ipam, *ranges, *set = NULL;
	char dir[4096];
	cJSON *root = hl_conf(json, len, &ipam, dir, sizeof(dir), conf);
	int full = 0;

	if (!root)
		return -EINVAL;
	ranges = cJSON_GetObjectItemCaseSensitive(ipam, "ranges");
	if (cJSON_IsArray(ranges)) {
		cJSON_ArrayForEach(set, ranges) {
			full = set_full(set, dir);
			if (full)
				break;
		}
	} else {
		/* Legacy single range: subnet/rangeStart/... in ipam itself. */
		cJSON *one = cJSON_CreateArray();

		if (one && cJSON_AddItemReferenceToArray(one, (cJSON *)ipam))
			full = set_full(one, dir);
		cJSON_Delete(one);
	}
	if (full == 1 && why) {
		char *txt = cJSON_PrintUnformatted(set ? set : ipam);

		snprintf(why, wlen, "host-local range %s is exhausted (allocations in %s)",
			 txt ? txt : "?", dir);
		free(txt);
	}
	cJSON_Delete(root);
	return full;
}

int cni_hostlocal_owners(const char *json, size_t len,
			 const struct cni_conf *conf,
			 int (*fn)(const char *cid, const char *ifname, void *arg),
			 void *arg)
{
	const cJSON *ipam;
	char dir[4096], path[8192], buf[512];
	cJSON *root = hl_conf(json, len, &ipam, dir, sizeof(dir), conf);
	struct dirent *de;
	int ret = 0;
	DIR *d;

	if (!root)
		return -EINVAL;
	cJSON_Delete(root);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char *cid, *ifn, *sep;
		FILE *f;
		size_t n;
		int fam, err;
		u128 v;

		if (to_u128(de->d_name, &fam, &v) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    !(f = fopen(path, "re")))
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		cid = buf;
		sep = strpbrk(buf, "\r\n");
		ifn = "";
		if (sep) {
			*sep++ = '\0';
			ifn = sep + strspn(sep, "\r\n");
			ifn[strcspn(ifn, "\r\n")] = '\0';
		}
		err = cid[0] ? fn(cid, ifn, arg) : 0;
		if (err && !ret)
			ret = err;
	}
	closedir(d);
	return ret;
}
