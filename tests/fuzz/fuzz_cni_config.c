// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_cni_config.c - libFuzzer target for sfc-cni's input parsers
 * (cni/cni_config.c, cni_result.c, cni_runtime.c): everything a runtime
 * or an IPAM plugin can put in front of the binary.
 *
 * One input is fed to every parser, each from its own exact-size heap copy
 * so ASan sees any read past the end:
 *   - cni_conf_parse(): the network config on stdin (with prevResult,
 *     runtimeConfig, ...), not NUL-terminated, length given; when it
 *     parses, prevResult's interfaces, the valid attachments, prevResult
 *     passed through and the config rewritten for another version;
 *   - cni_version_pick(): an IPAM plugin's VERSION output;
 *   - cni_ipam_result_parse(): an IPAM plugin's stdout; when it parses, the
 *     ADD result is rendered for 1.0.0 and 0.3.1 from it;
 *   - cni_args_parse(): CNI_ARGS;
 *   - cni_env_parse(): the input split on '\n' into CNI_COMMAND,
 *     CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH, then the
 *     name checks and the host veth name from those fields.
 * Seeds: tests/fuzz/corpus/cni_config/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

#define ENV_FIELDS 6
static const char *const env_names[ENV_FIELDS] = {
	"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS",
	"CNI_IFNAME", "CNI_ARGS", "CNI_PATH",
};
static const char *env_vals[ENV_FIELDS];

static const char *fuzz_getenv(const char *name)
{
	for (int i = 0; i < ENV_FIELDS; i++)
		if (!strcmp(name, env_names[i]))
			return env_vals[i];
	return NULL;
}

static char *dup_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void fuzz_conf(const uint8_t *data, size_t size)
{
	struct cni_conf c;
	struct cni_err e;
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return;
	memcpy(buf, data, size);
	memset(&c, 0, sizeof(c));
	memset(&e, 0, sizeof(e));
	if (cni_conf_parse(buf, size, &c, &e) == 0) {
		char host[CNI_IFNAMSIZ];

		(void)cni_version_cmp(c.cni_version, CNI_VERSION_DEFAULT);
		(void)cni_version_supported(c.cni_version);
		/* What chaining, GC and the IPAM hand-over read from it. */
		(void)cni_prev_ifaces(&c, "eth0", host);
		(void)cni_valid_attachment(&c, "ctr", "eth0");
		free(cni_prev_result_json(&c));
		free(cni_conf_with_version(buf, size, "1.0.0"));
	} else {
		free(cni_error_json(c.cni_version[0] ? c.cni_version : "1.0.0", &e));
	}
	cni_conf_free(&c);
	free(buf);
}

static void fuzz_ipam(const char *s)
{
	static const char *const versions[] = { "1.0.0", "0.4.0", "0.3.1" };
	struct cni_ipam_result r;
	struct cni_err e;
	struct cni_iface ifs[2] = {
		{ .name = "sfc0123456789ab", .mac = "02:00:00:00:00:01" },
		{ .name = "eth0", .mac = "02:00:00:00:00:02", .sandbox = "/ns" },
	};

	memset(&r, 0, sizeof(r));
	memset(&e, 0, sizeof(e));
	if (cni_ipam_result_parse(s, &r, &e) == 0) {
		for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
			free(cni_result_json(versions[i], ifs, &r));
		(void)cni_ip_gateway(&r, 4);
		(void)cni_ip_gateway(&r, 6);
	}
	cni_ipam_result_free(&r);
}

static void fuzz_env(char *s)
{
	struct cni_env env;
	struct cni_err e;
	struct cni_args a;
	char host[CNI_IFNAMSIZ];
	char *p = s;

	for (int i = 0; i < ENV_FIELDS; i++) {
		env_vals[i] = p;
		if (p) {
			p = strchr(p, '\n');
			if (p)
				*p++ = '\0';
		}
	}
	memset(&env, 0, sizeof(env));
	memset(&e, 0, sizeof(e));
	(void)cni_env_parse(fuzz_getenv, &env, &e);
	if (env_vals[1])
		(void)cni_container_id_valid(env_vals[1]);
	if (env_vals[3] && cni_ifname_valid(env_vals[3]) && env_vals[1])
		cni_host_ifname("sfc", env_vals[1], env_vals[3], host);
	if (env_vals[4]) {
		memset(&a, 0, sizeof(a));
		(void)cni_args_parse(env_vals[4], &a, &e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_args a;
	struct cni_err e;
	char *s, ver[16];

	if (size > CNI_STDIN_MAX)
		return 0;
	fuzz_conf(data, size);
	s = dup_cstr(data, size);
	if (!s)
		return 0;
	fuzz_ipam(s);
	(void)cni_version_pick(s, "1.1.0", ver); /* an IPAM plugin's VERSION */
	memset(&a, 0, sizeof(a));
	memset(&e, 0, sizeof(e));
	(void)cni_args_parse(s, &a, &e);
	fuzz_env(s);
	free(s);
	return 0;
}
