// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c - sfc-cni entry point: a thin dispatcher (CNI spec 1.1.0).
 * Reads CNI_* and stdin, parses and validates, calls cmd_add / cmd_del /
 * cmd_check / cmd_status / cmd_gc, prints the result (stdout) or exactly one error object
 * (stdout, exit 1). Logs go to stderr only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cni_cmd.h"
#include "sfc_io.h"
#include "sfc_log.h"

static const char *env_get(const char *key)
{
	return getenv(key);
}


/* cniVersion of @json if it is a supported one, else NULL. */
static const char *peek_version(const char *json, size_t len, char *buf,
				size_t size)
{
	cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "cniVersion");
	const char *ret = NULL;

	if (cJSON_IsString(v) && strlen(v->valuestring) < size) {
		snprintf(buf, size, "%s", v->valuestring);
		ret = buf;
	}
	cJSON_Delete(root);
	return ret;
}

static int do_version(const char *json, size_t len)
{
	char buf[32];
	const char *v = peek_version(json, len, buf, sizeof(buf));
	char *out = cni_version_json(v ? v : CNI_VERSION_DEFAULT);

	if (!out)
		return -ENOMEM;
	puts(out);
	free(out);
	return 0;
}

/* CHECK needs 0.4.0, STATUS and GC 1.1.0 (spec "Version considerations"). */
static int version_gate(struct cni_ctx *x, const char *need)
{
	if (cni_version_cmp(x->conf.cni_version, need) >= 0)
		return 0;
	return cni_err_set(&x->err, CNI_ERR_INCOMPATIBLE, 0,
			   "config version %s does not allow %s (needs %s or later)",
			   x->conf.cni_version, x->env.command, need);
}

static int dispatch(struct cni_ctx *x)
{
	int err;

	err = cni_conf_parse(x->stdin_data, x->stdin_len, &x->conf, &x->err);
	if (!err)
		err = cni_args_parse(x->env.args, &x->args, &x->err);
	if (err)
		return err;
	switch (x->env.cmd) {
	case CNI_CMD_ADD:
		return cmd_add(x);
	case CNI_CMD_DEL:
		return cmd_del(x);
	case CNI_CMD_CHECK:
		return version_gate(x, "0.4.0") ?: cmd_check(x);
	case CNI_CMD_STATUS:
		return version_gate(x, "1.1.0") ?: cmd_status(x);
	case CNI_CMD_GC:
		return version_gate(x, "1.1.0") ?: cmd_gc(x);
	default:
		return cni_err_set(&x->err, CNI_ERR_INVALID_ENV, 0,
				   "unknown CNI_COMMAND");
	}
}

/* Print @x->err as the one error object on stdout; log it on stderr. */
static void report_error(struct cni_ctx *x)
{
	char buf[32];
	const char *v = x->conf.cni_version;
	char *out;

	if (!cni_version_supported(v))
		v = peek_version(x->stdin_data, x->stdin_len, buf, sizeof(buf));
	if (!cni_version_supported(v))
		v = CNI_VERSION_DEFAULT;
	fprintf(stderr, "sfc-cni: %s %s/%s failed (code %d): %s\n",
		x->env.command ? x->env.command : "?",
		x->env.container_id ? x->env.container_id : "-",
		x->env.ifname ? x->env.ifname : "-", x->err.code, x->err.msg);
	out = cni_error_json(v, &x->err);
	if (out)
		puts(out);
	else
		printf("{\"cniVersion\": \"%s\", \"code\": %d, \"msg\": \"out of memory\"}\n",
		       v, CNI_ERR_INTERNAL);
	free(out);
}

int main(void)
{
	struct cni_ctx x = { 0 };
	char *input = NULL;
	size_t len = 0;
	int err;

	sfc_log_init("sfc-cni", SFC_LOG_ERROR);
	sfc_log_libbpf();
	err = sfc_read_all(0, CNI_STDIN_MAX, &input, &len);
	if (err) {
		cni_err_set(&x.err, CNI_ERR_DECODE, err,
			    "reading network config from stdin (limit %d bytes)",
			    CNI_STDIN_MAX);
		goto fail;
	}
	x.stdin_data = input;
	x.stdin_len = len;
	err = cni_env_parse(env_get, &x.env, &x.err);
	if (err)
		goto fail;
	if (x.env.cmd == CNI_CMD_VERSION) {
		err = do_version(input, len);
		if (err) {
			cni_err_set(&x.err, CNI_ERR_INTERNAL, err, "VERSION");
			goto fail;
		}
		goto out;
	}
	err = dispatch(&x);
	if (err)
		goto fail;
	if (x.result)
		puts(x.result);
	goto out;
fail:
	if (!x.err.code)
		cni_err_set(&x.err, cni_code_from_errno(err), err, "failed");
	report_error(&x);
out:
	fflush(stdout);
	free(x.result);
	cni_conf_free(&x.conf);
	free(input);
	return err ? 1 : 0;
}
