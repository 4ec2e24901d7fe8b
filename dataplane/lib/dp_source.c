// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_source.c - sfc_allowed_src: the source prefixes an app endpoint may
 * send from besides its own addresses (anti-spoofing, bpf/lib/source.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_dp.h"

int sfc_dp_src_key(const char *cidr, struct sfc_src_key *key)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	uint8_t *a = (uint8_t *)key->addr;
	long plen;
	int max, i;

	memset(key, 0, sizeof(*key));
	if (!cidr || strlen(cidr) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, cidr);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, key->addr) == 1)
		key->family = 4;
	else if (inet_pton(AF_INET6, buf, key->addr) == 1)
		key->family = 6;
	else
		return -EINVAL;
	max = key->family == 4 ? 32 : 128;
	plen = max;
	if (slash) {
		plen = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || plen > max)
			return -EINVAL;
	}
	for (i = 0; i < max / 8; i++)
		if (plen <= i * 8)
			a[i] = 0;
		else if (plen < (i + 1) * 8)
			a[i] &= (uint8_t)(0xFF << ((i + 1) * 8 - plen));
	key->prefixlen = SFC_SRC_KEY_BITS + (uint32_t)plen;
	return 0;
}

static bool src_key_valid(const struct sfc_src_key *k)
{
	return (k->family == 4 && k->prefixlen <= SFC_SRC_KEY_BITS + 32) ||
	       (k->family == 6 && k->prefixlen <= SFC_SRC_KEY_BITS + 128);
}

static bool src_key_in(const struct sfc_src_key *k,
		       const struct sfc_src_key *keys, int n, uint32_t vpid)
{
	int i;

	for (i = 0; i < n; i++)
		if ((vpid ? vpid : keys[i].vpid) == k->vpid &&
		    keys[i].prefixlen == k->prefixlen &&
		    keys[i].family == k->family &&
		    !memcmp(keys[i].addr, k->addr, sizeof(k->addr)))
			return true;
	return false;
}

/* Entries not in @keys, of @vpid (every VPID when 0), into a malloc'd
 * array: deleting while walking a map can restart the walk. */
static int src_stale(struct sfc_dp *dp, uint32_t vpid,
		     const struct sfc_src_key *keys, int n,
		     struct sfc_src_key **out, int *n_out)
{
	struct sfc_src_key cur, next, *v = NULL, *nv;
	int cnt = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(dp->allowed_src_fd, prev, &next)) {
		cur = next;
		prev = &cur;
		if ((vpid && cur.vpid != vpid) || src_key_in(&cur, keys, n, vpid))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = cur;
	}
	if (errno != ENOENT) {
		free(v);
		return -errno;
	}
	*out = v;
	*n_out = cnt;
	return 0;
}

/* Write @keys (with VPID @vpid, or their own when 0), then delete the
 * stale entries of @vpid (of every VPID when 0). */
static int src_apply(struct sfc_dp *dp, uint32_t vpid,
		     const struct sfc_src_key *keys, int n)
{
	struct sfc_src_key k, *stale = NULL;
	int i, n_stale = 0, err;
	__u8 one = 1;

	if (n < 0 || (n && !keys))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		k = keys[i];
		if (vpid)
			k.vpid = vpid;
		if (!k.vpid || k.vpid >= SFC_MAX_ENDPOINTS || !src_key_valid(&k))
			return -EINVAL;
		if (bpf_map_update_elem(dp->allowed_src_fd, &k, &one, BPF_ANY))
			return -errno;
	}
	err = src_stale(dp, vpid, keys, n, &stale, &n_stale);
	for (i = 0; !err && i < n_stale; i++)
		if (bpf_map_delete_elem(dp->allowed_src_fd, &stale[i]) &&
		    errno != ENOENT)
			err = -errno;
	free(stale);
	return err;
}

int sfc_dp_allowed_src_set(struct sfc_dp *dp, uint32_t vpid,
			   const struct sfc_src_key *keys, int n)
{
	if (!vpid || vpid >= SFC_MAX_ENDPOINTS)
		return -EINVAL;
	return src_apply(dp, vpid, keys, n);
}

int sfc_dp_allowed_src_sync(struct sfc_dp *dp, const struct sfc_src_key *keys,
			    int n)
{
	return src_apply(dp, 0, keys, n);
}
