// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_runtime.c - what the runtime adds to a network config and what
 * chaining needs from it (pure, no syscalls): runtimeConfig/args "mac", GC's
 * "cni.dev/valid-attachments", the prevResult of an earlier plugin, the
 * hook mode ("hookAttach", which depends on chaining), and version
 * negotiation with delegated plugins (CNI spec 1.1.0 sections
 * "Network configuration" runtimeConfig, "GC", "Chained plugins").
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

bool cni_mac_valid(const char *s)
{
	unsigned int b[6];
	char tail;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	if (b[0] & 1)
		return false; /* multicast */
	return b[0] | b[1] | b[2] | b[3] | b[4] | b[5];
}

/* runtimeConfig.mac wins over args.cni.mac (CNI conventions). */
static int conf_mac(const cJSON *root, struct cni_conf *c, struct cni_err *e)
{
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(root, "runtimeConfig");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(root, "args");
	const cJSON *mac = cJSON_GetObjectItemCaseSensitive(rc, "mac");

	if (!mac)
		mac = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(args, "cni"), "mac");
	if (!mac || cJSON_IsNull(mac))
		return 0;
	if (!cJSON_IsString(mac) || !cni_mac_valid(mac->valuestring))
		return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
				   "network config: runtime \"mac\" must be a unicast aa:bb:cc:dd:ee:ff");
	snprintf(c->mac, sizeof(c->mac), "%s", mac->valuestring);
	for (char *p = c->mac; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

static int conf_valid_attachments(const cJSON *root, struct cni_conf *c,
				  struct cni_err *e)
{
	const cJSON *va = cJSON_GetObjectItemCaseSensitive(root,
							   "cni.dev/valid-attachments");
	const cJSON *it;
	int n;

	if (!va || cJSON_IsNull(va))
		return 0;
	if (!cJSON_IsArray(va))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"cni.dev/valid-attachments\" must be an array");
	n = cJSON_GetArraySize(va);
	c->valid = calloc(n ? n : 1, sizeof(*c->valid));
	if (!c->valid)
		return cni_err_set(e, CNI_ERR_INTERNAL, -ENOMEM, "valid-attachments");
	c->has_valid_attachments = true;
	cJSON_ArrayForEach(it, va) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "containerID");
		const cJSON *ifn = cJSON_GetObjectItemCaseSensitive(it, "ifname");
		struct cni_attachment *a = &c->valid[c->n_valid];

		if (!cJSON_IsString(id) || !cJSON_IsString(ifn))
			return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
					   "network config: valid-attachments[%d] needs string \"containerID\" and \"ifname\"",
					   c->n_valid);
		/* Names we could never have created match nothing: skip. */
		if (strlen(id->valuestring) >= sizeof(a->container_id) ||
		    strlen(ifn->valuestring) >= sizeof(a->ifname))
			continue;
		strcpy(a->container_id, id->valuestring);
		strcpy(a->ifname, ifn->valuestring);
		c->n_valid++;
	}
	return 0;
}

int cni_conf_runtime(const cJSON *root, struct cni_conf *c, struct cni_err *e)
{
	int err = conf_mac(root, c, e);

	return err ? err : conf_valid_attachments(root, c, e);
}

int cni_hook_conf(const cJSON *root, struct cni_conf *c, struct cni_err *e)
{
	static const char *const names[] = { "auto", "tcx", "tc" };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "hookAttach");

	c->hook_attach = CNI_HOOK_AUTO;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"hookAttach\" must be a string");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v->valuestring, names[i])) {
			c->hook_attach = (enum cni_hook_attach)i;
			return 0;
		}
	return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
			   "network config: \"hookAttach\": '%.32s' is not auto, tcx or tc",
			   v->valuestring);
}

int cni_hook_choose(enum cni_hook_attach conf, bool attach_only, bool tcx_ok)
{
	if (conf == CNI_HOOK_TCX)
		return tcx_ok ? CNI_HOOK_TCX : -EOPNOTSUPP;
	if (conf == CNI_HOOK_TC || !attach_only || !tcx_ok)
		return CNI_HOOK_TC;
	return CNI_HOOK_TCX;
}

bool cni_valid_attachment(const struct cni_conf *c, const char *container_id,
			  const char *ifname)
{
	for (int i = 0; i < c->n_valid; i++)
		if (!strcmp(c->valid[i].container_id, container_id) &&
		    !strcmp(c->valid[i].ifname, ifname))
			return true;
	return false;
}

bool cni_prev_ifaces(const struct cni_conf *c, const char *ifname,
		     char host[CNI_IFNAMSIZ])
{
	const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(c->prev_result,
							    "interfaces");
	const cJSON *it;
	bool pod = false, have_host = false;

	cJSON_ArrayForEach(it, ifs) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *sb = cJSON_GetObjectItemCaseSensitive(it, "sandbox");
		bool in_pod = cJSON_IsString(sb) && sb->valuestring[0];

		if (!cJSON_IsString(name) || !cni_ifname_valid(name->valuestring))
			continue;
		if (in_pod && ifname && !strcmp(name->valuestring, ifname))
			pod = true;
		else if (!in_pod && !have_host) {
			if (host)
				snprintf(host, CNI_IFNAMSIZ, "%s", name->valuestring);
			have_host = true;
		}
	}
	return pod && have_host;
}

char *cni_prev_result_json(const struct cni_conf *c)
{
	cJSON *root = cJSON_Duplicate(c->prev_result, 1);
	char *out = NULL;

	if (root) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, "cniVersion");
		if (cJSON_AddStringToObject(root, "cniVersion", c->cni_version))
			out = cJSON_Print(root);
	}
	cJSON_Delete(root);
	return out;
}

char *cni_conf_with_version(const char *json, size_t len, const char *version)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	char *out = NULL;

	if (cJSON_IsObject(root)) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, "cniVersion");
		if (cJSON_AddStringToObject(root, "cniVersion", version))
			out = cJSON_PrintUnformatted(root);
	}
	cJSON_Delete(root);
	return out;
}

int cni_version_pick(const char *json, const char *want, char out[16])
{
	cJSON *root = json ? cJSON_Parse(json) : NULL;
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(root, "supportedVersions");
	const cJSON *it;
	const char *best = NULL;
	int err = -ENOENT;

	cJSON_ArrayForEach(it, sv) {
		if (!cJSON_IsString(it) || strlen(it->valuestring) >= 16 ||
		    cni_version_cmp(it->valuestring, want) > 0)
			continue;
		if (!best || cni_version_cmp(it->valuestring, best) > 0)
			best = it->valuestring;
	}
	if (best) {
		snprintf(out, 16, "%s", best);
		err = 0;
	}
	cJSON_Delete(root);
	return err;
}
