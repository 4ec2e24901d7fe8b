// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_result.c - the JSON sfc-cni reads from IPAM and prints to the runtime:
 * IPAM results in, ADD results, errors and VERSION out (CNI spec sections
 * "Success", "Error", "Version").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cni.h"

/* "10.1.2.3/24" -> addr, prefix, family. */
static int split_cidr(const char *cidr, struct cni_ip *ip)
{
	const char *slash = strchr(cidr, '/');
	unsigned char buf[16];
	char *end;
	long p;

	if (!slash || (size_t)(slash - cidr) >= sizeof(ip->addr))
		return -EINVAL;
	memcpy(ip->addr, cidr, slash - cidr);
	ip->addr[slash - cidr] = '\0';
	if (inet_pton(AF_INET, ip->addr, buf) == 1)
		ip->family = 4;
	else if (inet_pton(AF_INET6, ip->addr, buf) == 1)
		ip->family = 6;
	else
		return -EINVAL;
	p = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || p < 0 || p > (ip->family == 4 ? 32 : 128))
		return -EINVAL;
	ip->prefix = (int)p;
	return 0;
}

static int addr_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return 6;
	return 0;
}

static int parse_ips(const cJSON *ips, struct cni_ipam_result *r,
		     struct cni_err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ips) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "address");
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(it, "gateway");
		struct cni_ip *ip = &r->ips[r->n_ips];

		if (r->n_ips == SFC_MAX_IPS)
			return cni_err_set(e, CNI_ERR_INTERNAL, 0,
					   "IPAM result: more than %d ips", SFC_MAX_IPS);
		if (!cJSON_IsString(a) || split_cidr(a->valuestring, ip))
			return cni_err_set(e, CNI_ERR_DECODE, 0,
					   "IPAM result: ips[%d].address missing or not a CIDR",
					   r->n_ips);
		if (cJSON_IsString(g)) {
			if (addr_family(g->valuestring) != ip->family)
				return cni_err_set(e, CNI_ERR_DECODE, 0,
						   "IPAM result: ips[%d].gateway '%s' invalid",
						   r->n_ips, g->valuestring);
			snprintf(ip->gw, sizeof(ip->gw), "%s", g->valuestring);
		}
		r->n_ips++;
	}
	return 0;
}

static int parse_routes(const cJSON *routes, struct cni_ipam_result *r,
			struct cni_err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, routes) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "dst");
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(it, "gw");
		struct cni_route *rt = &r->routes[r->n_routes];
		struct cni_ip tmp;

		if (r->n_routes == CNI_MAX_ROUTES)
			return cni_err_set(e, CNI_ERR_INTERNAL, 0,
					   "IPAM result: more than %d routes",
					   CNI_MAX_ROUTES);
		if (!cJSON_IsString(d) || split_cidr(d->valuestring, &tmp))
			return cni_err_set(e, CNI_ERR_DECODE, 0,
					   "IPAM result: routes[%d].dst missing or not a CIDR",
					   r->n_routes);
		snprintf(rt->dst, sizeof(rt->dst), "%s", d->valuestring);
		if (cJSON_IsString(g)) {
			if (addr_family(g->valuestring) != tmp.family)
				return cni_err_set(e, CNI_ERR_DECODE, 0,
						   "IPAM result: routes[%d].gw '%s' invalid",
						   r->n_routes, g->valuestring);
			snprintf(rt->gw, sizeof(rt->gw), "%s", g->valuestring);
		}
		r->n_routes++;
	}
	return 0;
}

int cni_ipam_result_parse(const char *json, struct cni_ipam_result *r,
			  struct cni_err *e)
{
	cJSON *root = cJSON_Parse(json);
	const cJSON *ips, *routes, *dns;
	int err;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return cni_err_set(e, CNI_ERR_DECODE, 0,
				   "IPAM result is not a JSON object");
	}
	ips = cJSON_GetObjectItemCaseSensitive(root, "ips");
	routes = cJSON_GetObjectItemCaseSensitive(root, "routes");
	dns = cJSON_GetObjectItemCaseSensitive(root, "dns");
	err = parse_ips(ips, r, e);
	if (!err && !r->n_ips)
		err = cni_err_set(e, CNI_ERR_INTERNAL, 0,
				  "IPAM result has no \"ips\" (IPAM plugins of result version < 0.3.0 are not supported)");
	if (!err)
		err = parse_routes(routes, r, e);
	if (!err && cJSON_IsObject(dns) && !(r->dns = cJSON_Duplicate(dns, 1)))
		err = cni_err_set(e, CNI_ERR_INTERNAL, -ENOMEM, "IPAM dns");
	cJSON_Delete(root);
	if (err)
		cni_ipam_result_free(r);
	return err;
}

void cni_ipam_result_free(struct cni_ipam_result *r)
{
	cJSON_Delete(r->dns);
	r->dns = NULL;
}

const char *cni_ip_gateway(const struct cni_ipam_result *r, int family)
{
	for (int i = 0; i < r->n_ips; i++)
		if (r->ips[i].family == family && r->ips[i].gw[0])
			return r->ips[i].gw;
	return family == 4 ? CNI_GW4_DEFAULT : CNI_GW6_DEFAULT;
}

static bool has_family(const struct cni_ipam_result *r, int family)
{
	for (int i = 0; i < r->n_ips; i++)
		if (r->ips[i].family == family)
			return true;
	return false;
}

static cJSON *result_ifaces(const struct cni_iface ifs[2])
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; arr && i < 2; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "name", ifs[i].name) ||
		    !cJSON_AddStringToObject(o, "mac", ifs[i].mac) ||
		    (ifs[i].sandbox &&
		     !cJSON_AddStringToObject(o, "sandbox", ifs[i].sandbox))) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static cJSON *result_ips(const char *version, const struct cni_ipam_result *r)
{
	bool with_version = cni_version_cmp(version, "1.0.0") < 0;
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; arr && i < r->n_ips; i++) {
		const struct cni_ip *ip = &r->ips[i];
		cJSON *o = cJSON_CreateObject();
		char cidr[80];

		snprintf(cidr, sizeof(cidr), "%s/%d", ip->addr, ip->prefix);
		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    (with_version && !cJSON_AddStringToObject(
					 o, "version", ip->family == 4 ? "4" : "6")) ||
		    !cJSON_AddNumberToObject(o, "interface", 1) ||
		    !cJSON_AddStringToObject(o, "address", cidr) ||
		    !cJSON_AddStringToObject(o, "gateway",
					     cni_ip_gateway(r, ip->family))) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static bool add_route(cJSON *arr, const char *dst, const char *gw)
{
	cJSON *o = cJSON_CreateObject();

	return o && cJSON_AddItemToArray(arr, o) &&
	       cJSON_AddStringToObject(o, "dst", dst) &&
	       cJSON_AddStringToObject(o, "gw", gw);
}

static bool is_default(const char *dst)
{
	return !strcmp(dst, "0.0.0.0/0") || !strcmp(dst, "::/0");
}

static cJSON *result_routes(const struct cni_ipam_result *r)
{
	cJSON *arr = cJSON_CreateArray();
	bool ok = arr != NULL;

	if (ok && has_family(r, 4))
		ok = add_route(arr, "0.0.0.0/0", cni_ip_gateway(r, 4));
	if (ok && has_family(r, 6))
		ok = add_route(arr, "::/0", cni_ip_gateway(r, 6));
	for (int i = 0; ok && i < r->n_routes; i++) {
		const struct cni_route *rt = &r->routes[i];
		int fam = strchr(rt->dst, ':') ? 6 : 4;

		if (is_default(rt->dst) && !rt->gw[0])
			continue; /* already there via the gateway */
		ok = add_route(arr, rt->dst,
			       rt->gw[0] ? rt->gw : cni_ip_gateway(r, fam));
	}
	if (!ok) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

char *cni_result_json(const char *version, const struct cni_iface ifs[2],
		      const struct cni_ipam_result *r)
{
	cJSON *root = cJSON_CreateObject();
	char *out = NULL;

	if (root && cJSON_AddStringToObject(root, "cniVersion", version) &&
	    cJSON_AddItemToObject(root, "interfaces", result_ifaces(ifs)) &&
	    cJSON_AddItemToObject(root, "ips", result_ips(version, r)) &&
	    cJSON_AddItemToObject(root, "routes", result_routes(r)) &&
	    cJSON_AddItemToObject(root, "dns", r->dns ? cJSON_Duplicate(r->dns, 1)
						      : cJSON_CreateObject()))
		out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}

char *cni_error_json(const char *version, const struct cni_err *e)
{
	cJSON *root = cJSON_CreateObject();
	char *out = NULL;

	if (root && cJSON_AddStringToObject(root, "cniVersion", version) &&
	    cJSON_AddNumberToObject(root, "code", e->code ? e->code : CNI_ERR_INTERNAL) &&
	    cJSON_AddStringToObject(root, "msg", e->msg[0] ? e->msg : "unknown error") &&
	    cJSON_AddStringToObject(root, "details", e->details))
		out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}

char *cni_version_json(const char *version)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *arr = cJSON_CreateArray();
	char *out = NULL;

	if (!root || !arr) {
		cJSON_Delete(arr);
		goto out;
	}
	cJSON_AddItemToObject(root, "cniVersion", cJSON_CreateString(version));
	cJSON_AddItemToObject(root, "supportedVersions", arr);
	for (const char *const *v = cni_supported_versions(); *v; v++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(*v));
	out = cJSON_Print(root);
out:
	cJSON_Delete(root);
	return out;
}
