// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_ipam.c - delegation to the IPAM plugin named by ipam.type: found in
 * CNI_PATH, run with our environment (CNI_COMMAND replaced) and our stdin,
 * its stdout parsed as a result or a CNI error (spec section "Delegated
 * Plugins (IPAM)").
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "cni_net.h"
#include "sfc_io.h"
#include "sfc_json.h"

/* Find @name in the ':'-separated @path. Return: 0 with @out set, -ENOENT. */
static int find_plugin(const char *path, const char *name, char *out,
		       size_t size)
{
	const char *p = path;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 0 && (size_t)snprintf(out, size, "%.*s/%s", (int)n, p,
					      name) < size &&
		    access(out, X_OK) == 0)
			return 0;
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static void child(const char *bin, const char *cmd, const char *cid,
		  const char *ifname, int in, int out)
{
	char *argv[2] = { (char *)bin, NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(127);
	setenv("CNI_COMMAND", cmd, 1);
	if (cid)
		setenv("CNI_CONTAINERID", cid, 1);
	if (ifname)
		setenv("CNI_IFNAME", ifname, 1);
	signal(SIGPIPE, SIG_DFL);
	execv(bin, argv);
	_exit(127);
}

/* Turn a failed plugin's stdout into @e (its own code and msg if JSON). */
static int plugin_error(const char *type, const char *cmd, int status,
			const char *out, struct cni_err *e)
{
	cJSON *root = out ? cJSON_Parse(out) : NULL;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "msg");
	const cJSON *det = cJSON_GetObjectItemCaseSensitive(root, "details");
	uint64_t c;
	int err;

	/* A code that is no positive int is not passed on as one. */
	if (!sfc_json_uint(code, 1, INT_MAX, &c) && cJSON_IsString(msg)) {
		err = cni_err_set(e, (int)c, 0, "ipam %s %s: %s",
				  type, cmd, msg->valuestring);
		if (cJSON_IsString(det) && e && !e->details[0])
			snprintf(e->details, sizeof(e->details), "%s",
				 det->valuestring);
	} else {
		err = cni_err_set(e, CNI_ERR_INTERNAL, 0,
				  "ipam %s %s failed (exit status %d)", type, cmd,
				  status);
	}
	cJSON_Delete(root);
	return err == -EINVAL ? -EIO : err;
}

/* Start @bin: @cmd, @stdin_data on its stdin (written whole before this
 * returns), its stdout left in @job->out_fd. */
static int spawn_plugin(const char *bin, const struct cni_conf *conf,
			const char *cmd, const char *cid, const char *ifname,
			const char *stdin_data, size_t stdin_len,
			struct cni_ipam_job *job, struct cni_err *e)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	int err = 0;
	pid_t pid;

	job->pid = 0;
	job->out_fd = -1;
	job->cmd = cmd;
	job->type = conf->ipam_type;
	if (pipe2(to_child, O_CLOEXEC) || pipe2(from_child, O_CLOEXEC)) {
		err = cni_err_set(e, CNI_ERR_INTERNAL, -errno, "ipam: pipe");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err = cni_err_set(e, CNI_ERR_INTERNAL, -errno, "ipam: fork");
		goto out;
	}
	if (pid == 0)
		child(bin, cmd, cid, ifname, to_child[0], from_child[1]);
	job->pid = pid;
	job->out_fd = from_child[0];
	from_child[0] = -1;
	/* The config is small; plugins read stdin fully before writing. */
	signal(SIGPIPE, SIG_IGN);
	close(to_child[0]);
	to_child[0] = -1;
	sfc_write_all(to_child[1], stdin_data, stdin_len);
out:
	for (int i = 0; i < 2; i++) {
		if (to_child[i] >= 0)
			close(to_child[i]);
		if (from_child[i] >= 0)
			close(from_child[i]);
	}
	return err;
}

int cni_ipam_wait(struct cni_ipam_job *job, char **out, struct cni_err *e)
{
	char *buf = NULL;
	int err, status = 0;

	*out = NULL;
	if (job->pid <= 0)
		return -ECHILD;
	err = sfc_read_all(job->out_fd, CNI_STDIN_MAX, &buf, NULL);
	close(job->out_fd);
	job->out_fd = -1;
	while (waitpid(job->pid, &status, 0) < 0 && errno == EINTR)
		;
	job->pid = 0;
	if (err) {
		err = cni_err_set(e, CNI_ERR_INTERNAL, err,
				  "ipam %s %s: reading its output", job->type,
				  job->cmd);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err = plugin_error(job->type, job->cmd,
				   WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				   buf, e);
	} else {
		*out = buf;
		buf = NULL;
	}
	free(buf);
	return err;
}

/* Run @bin once: @cmd, @in on stdin; *@out = its stdout on exit 0. */
static int run_plugin(const char *bin, const struct cni_conf *conf,
		      const char *cmd, const char *cid, const char *ifname,
		      const char *stdin_data, size_t stdin_len, char **out,
		      struct cni_err *e)
{
	struct cni_ipam_job job;
	int err;

	*out = NULL;
	err = spawn_plugin(bin, conf, cmd, cid, ifname, stdin_data, stdin_len,
			   &job, e);
	return err ? err : cni_ipam_wait(&job, out, e);
}

static int ipam_find(const struct cni_env *env, const struct cni_conf *conf,
		     char *bin, size_t size, struct cni_err *e)
{
	if (!conf->ipam_type[0])
		return cni_err_set(e, CNI_ERR_INVALID_CONF, 0,
				   "network config has no \"ipam\"");
	if (!env->path || find_plugin(env->path, conf->ipam_type, bin, size))
		return cni_err_set(e, CNI_ERR_INVALID_CONF, -ENOENT,
				   "ipam plugin '%s' not found in CNI_PATH %s",
				   conf->ipam_type, env->path ? env->path : "(unset)");
	return 0;
}

/* VERSION of the IPAM plugin, once per process (the binary does not change
 * under us). Costs one exec, so only asked when the config is newer than
 * 1.0.0, which every IPAM plugin we know supports. */
static int ipam_version(const char *bin, const struct cni_conf *conf,
			char *picked, char *all, size_t all_size)
{
	static char cache_pick[16], cache_all[512];
	static int cached; /* 0 unknown, 1 ok, -errno */
	char in[64], *out = NULL;
	int err;

	if (!cached) {
		snprintf(in, sizeof(in), "{\"cniVersion\": \"%s\"}", conf->cni_version);
		err = run_plugin(bin, conf, "VERSION", NULL, NULL, in, strlen(in),
				 &out, NULL);
		if (!err)
			err = cni_version_pick(out, conf->cni_version, cache_pick);
		if (!err)
			snprintf(cache_all, sizeof(cache_all), "%s", out);
		free(out);
		cached = err ? err : 1;
	}
	if (cached < 0)
		return cached;
	snprintf(picked, 16, "%s", cache_pick);
	if (all)
		snprintf(all, all_size, "%s", cache_all);
	return 0;
}

int cni_ipam_supports(const struct cni_env *env, const struct cni_conf *conf,
		      const char *version)
{
	char bin[4096], picked[16], all[512], quoted[32];
	int err;

	err = ipam_find(env, conf, bin, sizeof(bin), NULL);
	if (!err)
		err = ipam_version(bin, conf, picked, all, sizeof(all));
	if (err)
		return err;
	snprintf(quoted, sizeof(quoted), "\"%s\"", version);
	return strstr(all, quoted) != NULL;
}

/* Start the IPAM plugin as cni_ipam_exec_as() runs it. */
static int ipam_start_as(const struct cni_env *env, const struct cni_conf *conf,
			 const char *cmd, const char *cid, const char *ifname,
			 const char *stdin_data, size_t stdin_len,
			 struct cni_ipam_job *job, struct cni_err *e)
{
	char bin[4096], picked[16];
	char *conv = NULL;
	int err;

	job->pid = 0;
	job->out_fd = -1;
	err = ipam_find(env, conf, bin, sizeof(bin), e);
	if (err)
		return err;
	/* A 1.1.0 config to an IPAM plugin that stops at 1.0.0 (Debian's
	 * host-local 1.1.1): hand it its highest version instead. */
	if (cni_version_cmp(conf->cni_version, "1.0.0") > 0 &&
	    !ipam_version(bin, conf, picked, NULL, 0) &&
	    strcmp(picked, conf->cni_version)) {
		conv = cni_conf_with_version(stdin_data, stdin_len, picked);
		if (!conv)
			return cni_err_set(e, CNI_ERR_INTERNAL, -ENOMEM,
					   "ipam: config for version %s", picked);
		stdin_data = conv;
		stdin_len = strlen(conv);
	}
	err = spawn_plugin(bin, conf, cmd, cid, ifname, stdin_data, stdin_len,
			   job, e);
	free(conv);
	return err;
}

int cni_ipam_start(const struct cni_env *env, const struct cni_conf *conf,
		   const char *cmd, const char *stdin_data, size_t stdin_len,
		   struct cni_ipam_job *job, struct cni_err *e)
{
	return ipam_start_as(env, conf, cmd, NULL, NULL, stdin_data, stdin_len,
			     job, e);
}

int cni_ipam_exec_as(const struct cni_env *env, const struct cni_conf *conf,
		     const char *cmd, const char *cid, const char *ifname,
		     const char *stdin_data, size_t stdin_len, char **out,
		     struct cni_err *e)
{
	struct cni_ipam_job job;
	int err;

	*out = NULL;
	err = ipam_start_as(env, conf, cmd, cid, ifname, stdin_data, stdin_len,
			    &job, e);
	return err ? err : cni_ipam_wait(&job, out, e);
}

int cni_ipam_exec(const struct cni_env *env, const struct cni_conf *conf,
		  const char *cmd, const char *stdin_data, size_t stdin_len,
		  char **out, struct cni_err *e)
{
	return cni_ipam_exec_as(env, conf, cmd, NULL, NULL, stdin_data,
				stdin_len, out, e);
}
