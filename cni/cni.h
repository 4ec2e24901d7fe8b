/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cni.h - types shared by the sfc-cni command handlers: runtime environment,
 * network configuration, IPAM result, CNI error. The parsing functions here
 * are pure (no root, no netlink) so the unit tests call them directly.
 * Spec: https://github.com/containernetworking/cni/blob/main/SPEC.md (1.1.0).
 */
#ifndef SFC_CNI_H
#define SFC_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "sfc_common.h"
#include "sfc_control.h"

#define CNI_STDIN_MAX (1 << 20) /* bound on the config read from stdin */
#define CNI_VERSION_DEFAULT "1.1.0" /* VERSION without an input version */
#define CNI_IFNAMSIZ 16
#define CNI_HOST_PREFIX_MAX 5
#define CNI_MTU_DEFAULT 1500
#define CNI_MTU_MIN 68 /* IPv4's minimum */
#define CNI_MTU_MAX (65535 - SFC_SF_MTU_HEADROOM) /* room for NSH below 64 KiB */
#define CNI_MAX_ROUTES 16
#define CNI_GW4_DEFAULT "169.254.1.1"
#define CNI_GW6_DEFAULT "fe80::1"

/* Error codes, CNI spec section "Error" (well-known error codes). */
enum cni_code {
	CNI_ERR_INCOMPATIBLE = 1,  /* incompatible CNI version */
	CNI_ERR_UNSUPPORTED = 2,   /* unsupported field in network config */
	CNI_ERR_UNKNOWN_CTR = 3,   /* container unknown or does not exist */
	CNI_ERR_INVALID_ENV = 4,   /* invalid necessary environment variables */
	CNI_ERR_IO = 5,            /* I/O failure */
	CNI_ERR_DECODE = 6,        /* failed to decode content */
	CNI_ERR_INVALID_CONF = 7,  /* invalid network config */
	CNI_ERR_TRY_AGAIN = 11,    /* try again later */
	CNI_ERR_UNAVAILABLE = 50,  /* STATUS: plugin not available (ADD would fail) */
	CNI_ERR_DEGRADED = 51,     /* STATUS: limited connectivity / degraded pods */
	CNI_ERR_INTERNAL = 999,    /* anything else */
};

/* The error printed to stdout as {"cniVersion","code","msg","details"}. */
struct cni_err {
	int code;       /* enum cni_code, 0 = no error */
	char msg[512];
	char details[512];
};

/**
 * cni_err_set() - record the first error in @e (later calls are ignored, so
 * the innermost, most specific reason wins). printf-style @fmt for msg;
 * @err (negative errno, or 0) is appended as ": strerror" when non-zero.
 * Return: @err when negative, else -EINVAL; for `return cni_err_set(...)`.
 */
int cni_err_set(struct cni_err *e, int code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** cni_code_from_errno() - CNI code for a negative errno (11 for -EAGAIN...). */
int cni_code_from_errno(int err);

/* Runtime parameters (CNI spec section "Parameters"). */
enum cni_cmd { CNI_CMD_NONE, CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK,
	       CNI_CMD_VERSION, CNI_CMD_STATUS, CNI_CMD_GC };

struct cni_env {
	enum cni_cmd cmd;
	const char *command;      /* CNI_COMMAND as given */
	const char *container_id; /* CNI_CONTAINERID */
	const char *netns;        /* CNI_NETNS, may be NULL/"" on DEL, GC, STATUS */
	const char *ifname;       /* CNI_IFNAME */
	const char *args;         /* CNI_ARGS, may be NULL */
	const char *path;         /* CNI_PATH (may be NULL for STATUS) */
};

/* K8S_* keys of CNI_ARGS ("K=V;K=V"). */
struct cni_args {
	char pod_namespace[SFC_NAME_MAX];
	char pod_name[254];
	char pod_uid[128];       /* K8S_POD_UID, "" when not given */
	char infra_id[128];
	bool ignore_unknown;
};

/* One entry of GC's "cni.dev/valid-attachments". */
struct cni_attachment {
	char container_id[128];
	char ifname[CNI_IFNAMSIZ];
};

/* "hookAttach": how our program goes on the host interface (README
 * "Configuration"). */
enum cni_hook_attach {
	CNI_HOOK_AUTO = 0, /* tc on our own veth; tcx on another plugin's
			    * when the kernel has it, else tc */
	CNI_HOOK_TCX,      /* tcx link (Linux 6.6+) */
	CNI_HOOK_TC,       /* clsact qdisc + cls_bpf filter */
};

/* Network configuration (one conflist member), defaults applied. */
struct cni_conf {
	char cni_version[16];
	char name[128];
	char type[32];
	bool has_ipam;
	char ipam_type[SFC_NAME_MAX]; /* "" when the config has no ipam */
	char bpffs_dir[256];
	char state_dir[256];
	char conf_dir[256];
	char agent_socket[108];  /* "agentSocket": cluster mode; "" = standalone */
	unsigned agent_timeout_ms; /* "agentTimeoutMs" */
	char host_prefix[CNI_HOST_PREFIX_MAX + 1];
	int mtu;
	enum cni_hook_attach hook_attach; /* "hookAttach" */
	char mac[18];       /* runtimeConfig.mac or args.cni.mac, "" = kernel's */
	bool has_prev_result;
	cJSON *prev_result; /* owned; NULL when absent */
	bool has_valid_attachments; /* GC: "cni.dev/valid-attachments" given */
	int n_valid;
	struct cni_attachment *valid; /* owned; GC's valid attachments */
};

struct cni_ip {
	int family;        /* 4 or 6 */
	char addr[64];     /* without prefix */
	int prefix;
	char gw[64];       /* "" if IPAM gave none */
};

struct cni_route {
	char dst[64];      /* CIDR */
	char gw[64];       /* "" = via the family's gateway */
};

/* What the IPAM plugin returned (any result version >= 0.3.0). */
struct cni_ipam_result {
	int n_ips;
	struct cni_ip ips[SFC_MAX_IPS];
	int n_routes;
	struct cni_route routes[CNI_MAX_ROUTES];
	cJSON *dns;        /* owned copy of "dns", NULL if none */
};

/* Interfaces and addresses of a wired endpoint, for the result. */
struct cni_iface {
	char name[CNI_IFNAMSIZ];
	char mac[18];
	const char *sandbox; /* NULL for the host side */
};

/* --- cni_config.c --- */

/**
 * cni_env_parse() - read and validate the CNI_* variables through @get
 * (getenv in production, a table in tests).
 * Return: 0, or -EINVAL with @e set (code 4, naming the variable).
 */
int cni_env_parse(const char *(*get)(const char *), struct cni_env *env,
		  struct cni_err *e);

/**
 * cni_agent_conf() - "agentSocket" (an absolute path: cluster mode, ask
 * sfc-agent; absent = standalone) and "agentTimeoutMs" (1..600000,
 * default SFC_AGENT_TIMEOUT_MS_DEFAULT) of network config @root into @c
 * (cni_agent.c). Return: 0 or -errno with @e set (code 7 or 2).
 */
int cni_agent_conf(const cJSON *root, struct cni_conf *c, struct cni_err *e);

/**
 * cni_conf_parse() - parse network config @json (@len bytes, need not be
 * NUL-terminated) into @c, applying defaults; the caller frees with
 * cni_conf_free(). Codes: 6 malformed JSON (raw control characters
 * included), 1 unsupported cniVersion, 7 missing/ill-typed
 * name/type/ipam/mtu, a string holding "\u0000" or an object holding a key
 * twice (case-insensitively, at any depth), 2 unsupported field values
 * (mtu out of range, ...).
 * Return: 0 or -EINVAL with @e set.
 */
int cni_conf_parse(const char *json, size_t len, struct cni_conf *c,
		   struct cni_err *e);

/**
 * cni_conf_runtime() - the runtime-supplied parts of config @root into @c
 * (cni_runtime.c): runtimeConfig.mac / args.cni.mac (validated, code 2),
 * GC's "cni.dev/valid-attachments" (array of {containerID, ifname}, code 7
 * when ill-typed). runtimeConfig.ips/portMappings are left to host-local
 * and portmap, which read them from the same config.
 * Return: 0 or -EINVAL with @e set.
 */
int cni_conf_runtime(const cJSON *root, struct cni_conf *c, struct cni_err *e);

/**
 * cni_hook_conf() - "hookAttach" of config @root ("auto", "tcx" or "tc";
 * absent or null: auto) into @c (cni_runtime.c).
 * Return: 0, or -EINVAL with @e set (code 7 not a string, 2 another value).
 */
int cni_hook_conf(const cJSON *root, struct cni_conf *c, struct cni_err *e);

/**
 * cni_hook_choose() - the hook mode an ADD uses: @conf as configured,
 * @attach_only for another plugin's interface (chained), @tcx_ok whether
 * the kernel has tcx. auto: tc on our own veth (nothing else hooks it,
 * and tc attaches without tcx's RCU grace period), tcx on another
 * plugin's interface where the kernel has it (other programs there keep
 * running beside ours), tc when it has not.
 * Return: CNI_HOOK_TCX or CNI_HOOK_TC; -EOPNOTSUPP for tcx without tcx.
 */
int cni_hook_choose(enum cni_hook_attach conf, bool attach_only, bool tcx_ok);

/** cni_conf_free() - release what cni_conf_parse() allocated in @c. */
void cni_conf_free(struct cni_conf *c);

/**
 * cni_version_cmp() - compare dotted versions "a.b.c": <0, 0, >0.
 * Unparsable parts count as 0.
 */
int cni_version_cmp(const char *a, const char *b);

/** cni_version_supported() - is @v one of the supported versions? */
bool cni_version_supported(const char *v);

/** cni_supported_versions() - NULL-terminated list of supported versions. */
const char *const *cni_supported_versions(void);

/**
 * cni_args_parse() - parse CNI_ARGS @s ("K=V;K=V", may be NULL or "") into
 * @a, with the reference plugins' rule (types.LoadArgs): a key we do not
 * know is an error unless IgnoreUnknown is "1"/"true" (any case) somewhere
 * in @s; IgnoreUnknown with another value is an error. Known keys:
 * K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID, K8S_POD_UID.
 * Return: 0, or -EINVAL with @e set (code 4) on a pair without '=', an
 * unknown key, or a value that does not fit.
 */
int cni_args_parse(const char *s, struct cni_args *a, struct cni_err *e);

/**
 * cni_mac_valid() - is @s a unicast MAC in "aa:bb:cc:dd:ee:ff" form
 * (any case, not all zero, multicast bit clear)?
 */
bool cni_mac_valid(const char *s);

/**
 * cni_valid_attachment() - is (@container_id, @ifname) in GC's
 * "cni.dev/valid-attachments" of @c (CNI spec 1.1 section "GC")?
 */
bool cni_valid_attachment(const struct cni_conf *c, const char *container_id,
			  const char *ifname);

/**
 * cni_prev_ifaces() - in @c's prevResult, the interface named @ifname with a
 * "sandbox" (the pod side an earlier plugin created) and the first one
 * without a sandbox (its host side). @host may be NULL.
 * Return: true when both were found (chained "attach" mode), else false.
 */
bool cni_prev_ifaces(const struct cni_conf *c, const char *ifname,
		     char host[CNI_IFNAMSIZ]);

/**
 * cni_ifname_valid() - can @name be CNI_IFNAME? The kernel's
 * dev_valid_name() (non-empty, < 16 bytes, not "." or "..", no '/', ':' or
 * whitespace, 0xa0 included), no '%' (the kernel would pick the name
 * itself, e.g. "eth%d" -> "eth0"), and what the state record and sysctl
 * paths need: no ".." anywhere, no control characters.
 */
bool cni_ifname_valid(const char *name);

/**
 * cni_container_id_valid() - non-empty, < 128 bytes,
 * [A-Za-z0-9][A-Za-z0-9_.-]* (as libcni validates it).
 */
bool cni_container_id_valid(const char *id);

/**
 * cni_host_ifname() - host-side veth name for (@container_id, @ifname):
 * @prefix followed by hex digits of a 64-bit FNV-1a hash of both, filling
 * 15 characters. @out must hold CNI_IFNAMSIZ bytes.
 */
void cni_host_ifname(const char *prefix, const char *container_id,
		     const char *ifname, char out[CNI_IFNAMSIZ]);

/* --- cni_result.c --- */

/**
 * cni_ipam_result_parse() - parse the stdout of an IPAM plugin (result of
 * any version >= 0.3.0) into @r; free with cni_ipam_result_free().
 * Return: 0, or -EINVAL with @e set (code 6/999) naming the bad field.
 */
int cni_ipam_result_parse(const char *json, struct cni_ipam_result *r,
			  struct cni_err *e);

/** cni_ipam_result_free() - release @r's allocations (safe on zeroed @r). */
void cni_ipam_result_free(struct cni_ipam_result *r);

/**
 * cni_ip_gateway() - the gateway the pod uses for family @family: the first
 * IPAM gateway of that family, else 169.254.1.1 (IPv4) / fe80::1 (IPv6).
 */
const char *cni_ip_gateway(const struct cni_ipam_result *r, int family);

/**
 * cni_result_json() - the ADD result for @version (1.0.0; 0.4.0 and 0.3.x
 * add "version" to each ip). @ifs[0] is the host veth, @ifs[1] the pod side;
 * ips point at interface index 1. Routes: the default route of each family
 * via its gateway, plus IPAM's routes.
 * Return: malloc'd JSON text (caller frees) or NULL on ENOMEM.
 */
char *cni_result_json(const char *version, const struct cni_iface ifs[2],
		      const struct cni_ipam_result *r);

/**
 * cni_error_json() - the error object {"cniVersion","code","msg","details"}
 * of @e for @version. Return: malloc'd JSON text or NULL on ENOMEM.
 */
char *cni_error_json(const char *version, const struct cni_err *e);

/**
 * cni_prev_result_json() - @c's prevResult, printed as our result with
 * "cniVersion" set to @c's version (chained attach mode passes it through).
 * Return: malloc'd JSON text or NULL on ENOMEM.
 */
char *cni_prev_result_json(const struct cni_conf *c);

/**
 * cni_conf_with_version() - @json (a network config) with its "cniVersion"
 * replaced by @version, for a delegated plugin that does not support ours.
 * Return: malloc'd JSON text or NULL (malformed input or ENOMEM).
 */
char *cni_conf_with_version(const char *json, size_t len, const char *version);

/**
 * cni_version_pick() - the highest version in the VERSION result @json
 * ("supportedVersions") that is <= @want, copied into @out (16 bytes).
 * Return: 0, or -ENOENT when none fits / @json is not a VERSION result.
 */
int cni_version_pick(const char *json, const char *want, char out[16]);

/**
 * cni_version_json() - the VERSION result: {"cniVersion": @version,
 * "supportedVersions": [...]}. Return: malloc'd JSON text or NULL.
 */
char *cni_version_json(const char *version);

#endif /* SFC_CNI_H */
