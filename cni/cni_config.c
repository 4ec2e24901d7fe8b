// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_config.c - runtime environment, CNI_ARGS and network configuration
 * parsing and validation. Pure functions: no syscalls beyond memory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"
#include "sfc_fnv.h"
#include "sfc_json.h"

static const char *const supported_versions[] = {
	"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL,
};

int cni_err_set(struct cni_err *e, int code, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (e && !e->code) {
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		n = strlen(e->msg);
		if (err < 0 && n < sizeof(e->msg))
			snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
				 strerror(-err));
	}
	return err < 0 ? err : -EINVAL;
}

int cni_code_from_errno(int err)
{
	switch (err) {
	case -EAGAIN:
	case -EBUSY:
	case -EINTR:
		return CNI_ERR_TRY_AGAIN;
	default:
		return CNI_ERR_INTERNAL;
	}
}

const char *const *cni_supported_versions(void)
{
	return supported_versions;
}

bool cni_version_supported(const char *v)
{
	for (int i = 0; v && supported_versions[i]; i++)
		if (!strcmp(v, supported_versions[i]))
			return true;
	return false;
}

int cni_version_cmp(const char *a, const char *b)
{
	for (int i = 0; i < 3; i++) {
		long x = strtol(a, (char **)&a, 10);
		long y = strtol(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

bool cni_ifname_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= CNI_IFNAMSIZ)
		return false;
	/* ".." anywhere: the state record and sysctl paths refuse it. */
	if (!strcmp(name, ".") || strstr(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		/* '%' makes the kernel pick the name itself ("eth%d");
		 * 0xa0 is whitespace to the kernel's isspace(). */
		if (ch == '/' || ch == ':' || ch == '%' || isspace(ch) ||
		    ch == 0xa0 || iscntrl(ch))
			return false;
	}
	return true;
}

bool cni_container_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n >= sizeof(((struct sfc_ep_record *)0)->container_id))
		return false;
	if (!isalnum((unsigned char)id[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("_.-", id[i]))
			return false;
	return true;
}

void cni_host_ifname(const char *prefix, const char *container_id,
		     const char *ifname, char out[CNI_IFNAMSIZ])
{
	static const uint8_t sep = 0xff; /* ("ab","c") != ("a","bc") */
	const char *parts[2] = { container_id, ifname };
	uint64_t h = SFC_FNV64_INIT;
	char hex[17];
	size_t plen = strlen(prefix);

	for (int p = 0; p < 2; p++) {
		h = sfc_fnv1a64(h, parts[p], strlen(parts[p]));
		h = sfc_fnv1a64(h, &sep, 1);
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	if (plen > CNI_HOST_PREFIX_MAX)
		plen = CNI_HOST_PREFIX_MAX;
	snprintf(out, CNI_IFNAMSIZ, "%.*s%.*s", (int)plen, prefix,
		 (int)(CNI_IFNAMSIZ - 1 - plen), hex);
}

static const char *env_or_null(const char *(*get)(const char *),
			       const char *key)
{
	const char *v = get(key);

	return v && *v ? v : NULL;
}

static enum cni_cmd cmd_from_name(const char *s)
{
	if (!s)
		return CNI_CMD_NONE;
	if (!strcmp(s, "ADD"))
		return CNI_CMD_ADD;
	if (!strcmp(s, "DEL"))
		return CNI_CMD_DEL;
	if (!strcmp(s, "CHECK"))
		return CNI_CMD_CHECK;
	if (!strcmp(s, "VERSION"))
		return CNI_CMD_VERSION;
	if (!strcmp(s, "STATUS"))
		return CNI_CMD_STATUS;
	if (!strcmp(s, "GC"))
		return CNI_CMD_GC;
	return CNI_CMD_NONE;
}

int cni_env_parse(const char *(*get)(const char *), struct cni_env *env,
		  struct cni_err *e)
{
	memset(env, 0, sizeof(*env));
	env->command = env_or_null(get, "CNI_COMMAND");
	if (!env->command)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "required env variable CNI_COMMAND is missing");
	env->cmd = cmd_from_name(env->command);
	if (env->cmd == CNI_CMD_NONE)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "unknown CNI_COMMAND: %s", env->command);
	if (env->cmd == CNI_CMD_VERSION)
		return 0;

	env->container_id = env_or_null(get, "CNI_CONTAINERID");
	env->netns = env_or_null(get, "CNI_NETNS");
	env->ifname = env_or_null(get, "CNI_IFNAME");
	env->args = get("CNI_ARGS");
	env->path = env_or_null(get, "CNI_PATH");
	/* STATUS and GC are about the network, not one attachment (1.1.0). */
	if (env->cmd == CNI_CMD_STATUS)
		return 0;
	if (env->cmd == CNI_CMD_GC)
		return env->path ? 0 : cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
						   "required env variable CNI_PATH is missing");
	if (!env->container_id)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "required env variable CNI_CONTAINERID is missing");
	if (!cni_container_id_valid(env->container_id))
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "invalid CNI_CONTAINERID '%s': must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be < 128 chars",
				   env->container_id);
	if (!env->netns && env->cmd != CNI_CMD_DEL)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "required env variable CNI_NETNS is missing");
	if (!env->ifname)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "required env variable CNI_IFNAME is missing");
	if (!cni_ifname_valid(env->ifname))
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "invalid CNI_IFNAME '%s': must be 1-15 chars, not '.', without '..', '/', ':', '%%', whitespace or control characters",
				   env->ifname);
	if (!env->path)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "required env variable CNI_PATH is missing");
	return 0;
}

static int copy_value(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* IgnoreUnknown's value, as types.UnmarshallableBool: 1/true, 0/false. */
static int parse_bool(const char *v, size_t n, bool *out)
{
	if ((n == 1 && *v == '1') || (n == 4 && !strncasecmp(v, "true", 4)))
		*out = true;
	else if ((n == 1 && *v == '0') || (n == 5 && !strncasecmp(v, "false", 5)))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int args_pair(const char *k, size_t kn, const char *v, size_t vn,
		     struct cni_args *a, struct cni_err *e)
{
	int err = 0;

#define KEY_IS(s) (kn == strlen(s) && !strncmp(k, s, kn))
	if (KEY_IS("K8S_POD_NAMESPACE"))
		err = copy_value(a->pod_namespace, sizeof(a->pod_namespace), v, vn);
	else if (KEY_IS("K8S_POD_NAME"))
		err = copy_value(a->pod_name, sizeof(a->pod_name), v, vn);
	else if (KEY_IS("K8S_POD_INFRA_CONTAINER_ID"))
		err = copy_value(a->infra_id, sizeof(a->infra_id), v, vn);
	else if (KEY_IS("K8S_POD_UID"))
		err = copy_value(a->pod_uid, sizeof(a->pod_uid), v, vn);
	else if (KEY_IS("IgnoreUnknown"))
		;
	else if (!a->ignore_unknown)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "CNI_ARGS: unknown key '%.*s' (pass IgnoreUnknown=1 to ignore it)",
				   (int)kn, k);
#undef KEY_IS
	if (err)
		return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
				   "CNI_ARGS: value of %.*s too long", (int)kn, k);
	return 0;
}

/* Walk the "K=V" pairs of @s: first pass shape + IgnoreUnknown, then keys. */
static int args_walk(const char *s, struct cni_args *a, struct cni_err *e,
		     bool first_pass)
{
	while (s && *s) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', n);
		int err = 0;

		if (n > 0) {
			if (!eq || eq == s)
				return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
						   "CNI_ARGS: invalid pair '%.*s' (want KEY=VALUE)",
						   (int)n, s);
			if (first_pass && eq - s == 13 && !strncmp(s, "IgnoreUnknown", 13) &&
			    parse_bool(eq + 1, n - 14, &a->ignore_unknown))
				return cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
						   "CNI_ARGS: IgnoreUnknown='%.*s' is not a boolean",
						   (int)(n - 14), eq + 1);
			if (!first_pass)
				err = args_pair(s, eq - s, eq + 1, n - (eq - s) - 1, a, e);
			if (err)
				return err;
		}
		s = end ? end + 1 : s + n;
	}
	return 0;
}

int cni_args_parse(const char *s, struct cni_args *a, struct cni_err *e)
{
	int err;

	memset(a, 0, sizeof(*a));
	/* IgnoreUnknown counts wherever it appears (as types.LoadArgs). */
	err = args_walk(s, a, e, true);
	return err ? err : args_walk(s, a, e, false);
}

/* Optional string member: absent -> default kept; wrong type -> code 7. */
static int conf_str(const cJSON *root, const char *key, char *dst, size_t size,
		    struct cni_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);

	if (!it || cJSON_IsNull(it))
		return 0;
	if (!cJSON_IsString(it))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"%s\" must be a string", key);
	if (strlen(it->valuestring) >= size)
		return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
				   "network config: \"%s\": \"%.64s...\" is too long (max %zu)",
				   key, it->valuestring, size - 1);
	strcpy(dst, it->valuestring);
	return 0;
}

static bool name_valid(const char *s)
{
	if (!isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* Checks on values once the JSON shape is known good. */
static int conf_validate(struct cni_conf *c, struct cni_err *e)
{
	const char *dirs[3][2] = { { "bpffsDir", c->bpffs_dir },
				   { "stateDir", c->state_dir },
				   { "confDir", c->conf_dir } };

	if (!c->name[0] || !name_valid(c->name))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"name\" '%s' is missing or invalid (want [a-zA-Z0-9][a-zA-Z0-9_.-]*)",
				   c->name);
	if (strcmp(c->type, "sfc-cni"))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"type\" is '%s', want 'sfc-cni'",
				   c->type);
	if ((c->has_ipam && !c->ipam_type[0]) || strchr(c->ipam_type, '/') ||
	    strstr(c->ipam_type, ".."))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"ipam\".\"type\" '%s' must name a plugin in CNI_PATH (no '/' or '..')",
				   c->ipam_type);
	for (int i = 0; i < 3; i++)
		if (dirs[i][1][0] != '/')
			return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
					   "network config: \"%s\": '%s' must be an absolute path",
					   dirs[i][0], dirs[i][1]);
	if (!c->host_prefix[0])
		return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
				   "network config: \"hostIfPrefix\" must not be empty");
	for (const char *p = c->host_prefix; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
					   "network config: \"hostIfPrefix\": '%s' may hold only [a-zA-Z0-9_-]",
					   c->host_prefix);
	return 0;
}

static int conf_fields(const cJSON *root, struct cni_conf *c, struct cni_err *e)
{
	const cJSON *ipam, *mtu, *prev;
	int err;

	if ((err = conf_str(root, "name", c->name, sizeof(c->name), e)) ||
	    (err = conf_str(root, "type", c->type, sizeof(c->type), e)) ||
	    (err = conf_str(root, "bpffsDir", c->bpffs_dir, sizeof(c->bpffs_dir), e)) ||
	    (err = conf_str(root, "stateDir", c->state_dir, sizeof(c->state_dir), e)) ||
	    (err = conf_str(root, "confDir", c->conf_dir, sizeof(c->conf_dir), e)) ||
	    (err = conf_str(root, "hostIfPrefix", c->host_prefix,
			    sizeof(c->host_prefix), e)))
		return err;
	if (!c->name[0])
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: missing \"name\"");
	if (!c->type[0])
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: missing \"type\"");
	if (cJSON_GetObjectItemCaseSensitive(root, "plugins"))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: got a conflist (\"plugins\"); the runtime passes one member at a time");
	/* Optional here: chained attach mode and DEL/GC of such a network
	 * need none; ADD of our own veth checks it (cmd_add). */
	ipam = cJSON_GetObjectItemCaseSensitive(root, "ipam");
	if (ipam && !cJSON_IsNull(ipam) && !cJSON_IsObject(ipam))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config: \"ipam\" must be an object (IPAM is delegated, e.g. {\"type\": \"host-local\", ...})");
	c->has_ipam = cJSON_IsObject(ipam);
	if (c->has_ipam &&
	    (err = conf_str(ipam, "type", c->ipam_type, sizeof(c->ipam_type), e)))
		return err;
	mtu = cJSON_GetObjectItemCaseSensitive(root, "mtu");
	if (mtu && !cJSON_IsNull(mtu)) {
		uint64_t v;

		err = sfc_json_uint(mtu, CNI_MTU_MIN, CNI_MTU_MAX, &v);
		if (err == -ERANGE)
			return cni_err_set(e, CNI_ERR_UNSUPPORTED, 0,
					   "network config: \"mtu\": %.15g out of range %d..%d",
					   mtu->valuedouble, CNI_MTU_MIN, CNI_MTU_MAX);
		if (err)
			return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
					   "network config: \"mtu\" must be an integer");
		c->mtu = (int)v;
	}
	prev = cJSON_GetObjectItemCaseSensitive(root, "prevResult");
	if (prev && !cJSON_IsNull(prev)) {
		if (!cJSON_IsObject(prev))
			return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
					   "network config: \"prevResult\" must be an object");
		c->prev_result = cJSON_Duplicate(prev, 1);
		if (!c->prev_result)
			return cni_err_set(e, CNI_ERR_INTERNAL, -ENOMEM, "prevResult");
		c->has_prev_result = true;
	}
	err = cni_conf_runtime(root, c, e);
	if (!err)
		err = cni_hook_conf(root, c, e);
	if (!err)
		err = cni_agent_conf(root, c, e);
	return err ? err : conf_validate(c, e);
}

/*
 * The config text also goes, unchanged, to the IPAM plugin (Go's
 * encoding/json), so both must read the same values. cJSON accepts more
 * than that decoder:
 * - raw control characters: JSON allows none in strings and only \t \n
 *   \r between tokens, cJSON skips any byte <= ' ' (code 6);
 * - "\u0000" in a key or value: cJSON keeps it, and every C string check
 *   after that sees only the text before it (code 7).
 * cJSON already checked the escapes, so "\\" + one character is one escape.
 */
static int json_text_check(const char *json, size_t len, struct cni_err *e)
{
	const char *end = json + len;
	bool in_str = false;

	for (const char *p = json; p < end; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch < 0x20 && (in_str || (ch != '\t' && ch != '\n' && ch != '\r')))
			return cni_err_set(e, CNI_ERR_DECODE, 0,
					   "failed to decode network config: raw control character 0x%02x at byte %td",
					   ch, p - json);
		if (!in_str)
			in_str = ch == '"';
		else if (ch == '"')
			in_str = false;
		else if (ch == '\\' && ++p < end && *p == 'u' &&
			 end - p > 4 && !memcmp(p + 1, "0000", 4))
			return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
					   "network config: a string holds a NUL (\\u0000) at byte %td",
					   p - 1 - json);
	}
	return 0;
}

/* Next character of key @*s as Go's encoding/json matches keys to struct
 * fields: ASCII case-insensitively, U+017F (long s) as 's', U+212A
 * (Kelvin) as 'k'; 0 at the end. */
static int key_fold_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;

	if (!p[0])
		return 0;
	if (p[0] == 0xc5 && p[1] == 0xbf) {
		*s += 2;
		return 's';
	}
	if (p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) {
		*s += 3;
		return 'k';
	}
	*s += 1;
	return p[0] >= 'A' && p[0] <= 'Z' ? p[0] + ('a' - 'A') : p[0];
}

static int key_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int cx, cy;

	do {
		cx = key_fold_next(&x);
		cy = key_fold_next(&y);
	} while (cx == cy && cx);
	return cx - cy;
}

/*
 * No object anywhere in @node may hold a key twice: cJSON reads the first,
 * Go's encoding/json the last, and Go also matches a struct field by a key
 * in another case ("Name" for "name"), so they would validate and use
 * different values. Compared as key_fold_next() folds them.
 */
static int json_keys_check(const cJSON *node, struct cni_err *e)
{
	const cJSON *it;
	const char **keys;
	int n = 0, err = 0;

	if (cJSON_IsObject(node) && (n = cJSON_GetArraySize(node)) > 1) {
		keys = malloc(n * sizeof(*keys));
		if (!keys)
			return cni_err_set(e, CNI_ERR_INTERNAL, -ENOMEM, "network config keys");
		n = 0;
		cJSON_ArrayForEach(it, node)
			keys[n++] = it->string ? it->string : "";
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (int i = 1; i < n && !err; i++)
			if (!key_cmp(&keys[i - 1], &keys[i]))
				err = cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
						  "network config: duplicate key \"%.64s\" / \"%.64s\" in one object (compared case-insensitively)",
						  keys[i - 1], keys[i]);
		free(keys);
	}
	cJSON_ArrayForEach(it, node)
		if (!err && (cJSON_IsObject(it) || cJSON_IsArray(it)))
			err = json_keys_check(it, e);
	return err;
}

int cni_conf_parse(const char *json, size_t len, struct cni_conf *c,
		   struct cni_err *e)
{
	const char *end = NULL;
	const cJSON *ver;
	cJSON *root;
	int err;

	memset(c, 0, sizeof(*c));
	snprintf(c->bpffs_dir, sizeof(c->bpffs_dir), "%s", SFC_PIN_DIR_DEFAULT);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", SFC_STATE_DIR_DEFAULT);
	snprintf(c->conf_dir, sizeof(c->conf_dir), "%s", SFC_CONF_DIR_DEFAULT);
	snprintf(c->host_prefix, sizeof(c->host_prefix), "sfc");
	c->mtu = CNI_MTU_DEFAULT;

	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	/* Only whitespace may follow the object. */
	while (root && end && end < json + len && isspace((unsigned char)*end))
		end++;
	if (!root || !cJSON_IsObject(root) || (end && end < json + len)) {
		cJSON_Delete(root);
		return cni_err_set(e, CNI_ERR_DECODE, 0,
				   "failed to decode network config: %s",
				   len ? "malformed JSON or not an object"
				       : "empty input");
	}
	err = json_text_check(json, len, e);
	if (!err)
		err = json_keys_check(root, e);
	if (err)
		goto out;
	ver = cJSON_GetObjectItemCaseSensitive(root, "cniVersion");
	if (ver && !cJSON_IsString(ver)) {
		err = cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				  "network config: \"cniVersion\" must be a string");
		goto out;
	}
	/* A config without cniVersion is 0.1.0 per libcni, which we refuse. */
	snprintf(c->cni_version, sizeof(c->cni_version), "%.15s",
		 ver ? ver->valuestring : "0.1.0");
	if (!cni_version_supported(c->cni_version)) {
		err = cni_err_set(e, CNI_ERR_INCOMPATIBLE, 0,
				  "incompatible CNI versions: config is \"%s\", plugin supports [\"0.3.0\", \"0.3.1\", \"0.4.0\", \"1.0.0\", \"1.1.0\"]",
				  ver ? ver->valuestring : "0.1.0 (no cniVersion)");
		goto out;
	}
	err = conf_fields(root, c, e);
out:
	cJSON_Delete(root);
	if (err)
		cni_conf_free(c);
	return err;
}

void cni_conf_free(struct cni_conf *c)
{
	cJSON_Delete(c->prev_result);
	c->prev_result = NULL;
	c->has_prev_result = false;
	free(c->valid);
	c->valid = NULL;
	c->n_valid = 0;
}
