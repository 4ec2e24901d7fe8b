// SPDX-License-Identifier: GPL-2.0-only
/*
 * ids_db.c - sf-ids configuration, Hyperscan database, (re)load, sandbox
 * additions, stats. The packet path is ids.c. See ids.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>

#include "config.h"
#include "fsjail.h"
#include "ids.h"
#include "ids_internal.h"
#include "files.h"
#include "stats.h"

#define RULES_MAX_BYTES (8u << 20)

static int get_path(const cJSON *cfg, const char *key, bool required,
		    char *out, size_t cap, const char *path, char *err,
		    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring[0] ||
	    strlen(v->valuestring) >= cap)
		return sf_config_err(err, errlen, path, key,
				     "expected a file path");
	strcpy(out, v->valuestring);
	return 0;
}

int sf_ids_parse_cfg(const cJSON *cfg, const char *path,
		     struct sf_ids_cfg *out, char *err, size_t errlen)
{
	static const char *const keys[] = { "rules", "alerts",
		"alerts_rotate_bytes", "alerts_keep", "max_flows",
		"idle_timeout_s", "offload", "bypass_after_bytes", "comment",
		NULL };
	uint64_t rot = 64ull << 20, keep = 5, flows = SF_IDS_MAX_FLOWS_DEFAULT;
	uint64_t idle = SF_IDS_IDLE_S_DEFAULT;
	int ret;

	memset(out, 0, sizeof(*out));
	out->offload = true;
	ret = sf_config_check_keys(cfg, keys, path, "", err, errlen) ||
	      get_path(cfg, "rules", true, out->rules, sizeof(out->rules),
		       path, err, errlen) ||
	      get_path(cfg, "alerts", false, out->alerts, sizeof(out->alerts),
		       path, err, errlen) ||
	      sf_config_uint(cfg, "alerts_rotate_bytes", 0,
			     UINT32_MAX * 1024ull, false, &rot, path, err,
			     errlen) ||
	      sf_config_uint(cfg, "alerts_keep", 0, SF_ROTLOG_MAX_KEEP, false,
			     &keep, path, err, errlen) ||
	      sf_config_uint(cfg, "max_flows", 1, SF_FLOWMAP_MAX_CAP, false,
			     &flows, path, err, errlen) ||
	      sf_config_uint(cfg, "idle_timeout_s", 1, 86400, false, &idle,
			     path, err, errlen) ||
	      sf_config_bool(cfg, "offload", &out->offload, path, err,
			     errlen) ||
	      sf_config_uint(cfg, "bypass_after_bytes", 0, 1ull << 50, false,
			     &out->bypass_after, path, err, errlen);
	if (ret)
		return -EINVAL;
	out->alerts_rotate_bytes = rot;
	out->alerts_keep = (unsigned int)keep;
	out->max_flows = (uint32_t)flows;
	out->idle_ms = idle * 1000;
	return 0;
}

/* One database for every rule; the pattern id is the rule's index. */
static int compile(const struct sf_ids_ruleset *rs, const char *what,
		   hs_database_t **db, char *err, size_t errlen)
{
	const char **expr = calloc(rs->n, sizeof(*expr));
	unsigned int *flags = calloc(rs->n, sizeof(*flags));
	unsigned int *idx = calloc(rs->n, sizeof(*idx));
	hs_compile_error_t *ce = NULL;
	unsigned int i;
	int ret = 0;

	if (!expr || !flags || !idx) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rs->n; i++) {
		expr[i] = rs->r[i].regex;
		flags[i] = rs->r[i].hs_flags;
		idx[i] = i;
	}
	if (hs_compile_multi(expr, flags, idx, rs->n, HS_MODE_STREAM, NULL,
			     db, &ce) != HS_SUCCESS) {
		if (ce && ce->expression >= 0 && (unsigned)ce->expression < rs->n)
			snprintf(err, errlen, "%s: line %u: pattern: %s", what,
				 rs->r[ce->expression].line, ce->message);
		else
			snprintf(err, errlen, "%s: compiling the rules: %s",
				 what, ce ? ce->message : "failed");
		hs_free_compile_error(ce);
		ret = -EINVAL;
	}
out:
	free(expr);
	free(flags);
	free(idx);
	return ret;
}

int sf_ids_load(struct sf_ids *ids, const char *text, const char *what,
		char *err, size_t errlen)
{
	struct sf_ids_ruleset rs;
	hs_database_t *db = NULL;
	int ret;

	ret = sf_ids_rules_parse(text, what, &rs, err, errlen);
	if (ret)
		return ret;
	if (rs.n)
		ret = compile(&rs, what, &db, err, errlen);
	/* Grows the shared scratch for the new database; on failure the
	 * scratch still serves the old one. */
	if (!ret && db && hs_alloc_scratch(db, &ids->scratch) != HS_SUCCESS) {
		snprintf(err, errlen, "%s: Hyperscan scratch: out of memory",
			 what);
		ret = -ENOMEM;
	}
	if (ret) {
		hs_free_database(db);
		sf_ids_rules_free(&rs);
		return ret;
	}
	sf_ids_close_all(ids); /* streams of the old database */
	hs_free_database(ids->db);
	sf_ids_rules_free(&ids->rs);
	ids->db = db;
	ids->rs = rs;
	ids->stream_size = 0;
	if (db)
		hs_stream_size(db, &ids->stream_size);
	return 0;
}

int sf_ids_reload(struct sf_ids *ids, char *err, size_t errlen)
{
	char *text = NULL;
	int ret;

	ret = sf_read_file_at(ids->rules_dirfd, ids->rules_name,
			      ids->cfg.rules, RULES_MAX_BYTES, &text, err,
			      errlen);
	if (!ret)
		ret = sf_ids_load(ids, text, ids->cfg.rules, err, errlen);
	free(text);
	return ret;
}

/* Open the directory of @path (O_RDONLY: Landlock needs a real fd);
 * with @name, keep the file's name in there too. */
static int open_dir_of(const char *path, int *dirfd, char *name,
		       size_t namecap, char *err, size_t errlen)
{
	char dir[4096], tmp[256];
	int ret;

	ret = sf_path_split(path, dir, sizeof(dir), name ? name : tmp,
			    name ? namecap : sizeof(tmp));
	if (ret) {
		snprintf(err, errlen, "%s: bad file name", path);
		return ret;
	}
	*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd >= 0)
		return 0;
	ret = -errno;
	snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
	return ret;
}

int sf_ids_init(struct sf_ids *ids, const struct sf_ids_cfg *cfg, char *err,
		size_t errlen)
{
	int ret;

	memset(ids, 0, sizeof(*ids));
	ids->cfg = *cfg;
	ids->alert_fd = 2;
	ids->rules_dirfd = ids->conf_dirfd = -1;
	ids->clock = sf_realtime_ms;
	if (hs_valid_platform() != HS_SUCCESS) {
		snprintf(err, errlen, "Hyperscan needs SSSE3 on this CPU");
		return -ENOTSUP;
	}
	ret = sf_flowmap_init(&ids->fm, cfg->max_flows, sizeof(struct sf_ids_flow));
	if (ret)
		return ret;
	sf_ids_flows_init(ids);
	/* A reload re-opens the rules file by name in its directory. */
	ret = open_dir_of(cfg->rules, &ids->rules_dirfd, ids->rules_name,
			  sizeof(ids->rules_name), err, errlen);
	if (!ret && cfg->alerts[0]) {
		ret = sf_rotlog_open(&ids->alog, cfg->alerts,
				     cfg->alerts_rotate_bytes, cfg->alerts_keep);
		if (ret)
			snprintf(err, errlen, "%s: %s", cfg->alerts,
				 sf_file_strerror(ret));
	}
	if (!ret)
		ret = sf_ids_reload(ids, err, errlen);
	return ret; /* the caller's fini frees a partial init */
}

int sf_ids_configure(void *ctx, const cJSON *cfg, const char *path,
		     char *err, size_t errlen)
{
	struct sf_ids *ids = ctx;
	struct sf_ids_cfg c;
	int ret;

	ret = sf_ids_parse_cfg(cfg, path, &c, err, errlen);
	if (!ret)
		ret = sf_ids_init(ids, &c, err, errlen);
	if (ret)
		return ret;
	fprintf(stderr, "sf-ids: %u rules from %s, %zu bytes of stream "
		"state per direction, %u connections max\n", ids->rs.n,
		c.rules, ids->stream_size, c.max_flows);
	/* Landlock must let sfapp re-read the config on SIGHUP. */
	return open_dir_of(path, &ids->conf_dirfd, NULL, 0, err, errlen);
}

int sf_ids_reconfigure(void *ctx, const cJSON *cfg, const char *path,
		       char *err, size_t errlen)
{
	struct sf_ids *ids = ctx;
	struct sf_ids_cfg c;
	int ret;

	ret = sf_ids_parse_cfg(cfg, path, &c, err, errlen);
	if (!ret && strcmp(c.rules, ids->cfg.rules))
		ret = sf_config_err(err, errlen, path, "rules", "cannot change "
				    "on reload (was %s): restart the SF",
				    ids->cfg.rules);
	if (!ret)
		ret = sf_ids_reload(ids, err, errlen);
	if (ret) {
		ids->reload_errors++;
		return ret;
	}
	ids->cfg.offload = c.offload;
	ids->cfg.bypass_after = c.bypass_after;
	ids->reloads++;
	fprintf(stderr, "sf-ids: %u rules loaded from %s\n", ids->rs.n,
		ids->cfg.rules);
	return 0;
}

int sf_ids_sandbox(void *arg, void *scmp_ctx)
{
	struct sf_ids *ids = arg;
	struct sf_fsjail_dir d[3] = {
		{ .dirfd = ids->rules_dirfd, .rights = SF_FSJAIL_READ },
	};
	scmp_filter_ctx ctx = scmp_ctx;
	unsigned int n = 1;
	int err;

	if (ids->conf_dirfd >= 0)
		d[n++] = (struct sf_fsjail_dir){ ids->conf_dirfd, SF_FSJAIL_READ };
	if (ids->alog.opened)
		d[n++] = (struct sf_fsjail_dir){ ids->alog.dirfd, SF_FSJAIL_WRITE };
	err = sf_fsjail_apply(d, n);
	if (err == -EOPNOTSUPP)
		fprintf(stderr, "sf-ids: Landlock unavailable: rules reload "
			"limited by seccomp only\n");
	else if (err)
		return err;
	err = sf_files_seccomp(ctx, ids->rules_dirfd);
	if (!err && ids->alog.opened)
		err = sf_rotlog_seccomp(&ids->alog, ctx);
	return err;
}

void sf_ids_stats_json(void *ctx, struct sfc_jbuf *jb)
{
	const struct sf_ids *ids = ctx;

	sfc_jbuf_open(jb, "ids", '{');
	sfc_jbuf_u64(jb, "rules", ids->rs.n);
	sfc_jbuf_u64(jb, "stream_state_bytes", ids->stream_size);
	sfc_jbuf_u64(jb, "capacity", ids->fm.cap);
	sfc_jbuf_u64(jb, "connections", ids->fm.lru.n);
	sfc_jbuf_u64(jb, "evictions", ids->fm.evictions);
	sfc_jbuf_u64(jb, "streams_open", ids->streams_open);
	sfc_jbuf_u64(jb, "scanned_bytes", ids->scanned_bytes);
	sfc_jbuf_u64(jb, "alerts", ids->alerts);
	sfc_jbuf_u64(jb, "alert_errors", ids->alert_errors);
	sfc_jbuf_u64(jb, "blocked_flows", ids->blocked_flows);
	sfc_jbuf_u64(jb, "blocked_packets", ids->blocked_packets);
	sfc_jbuf_u64(jb, "retrans_skipped", ids->retrans_skipped);
	sfc_jbuf_u64(jb, "gaps", ids->gaps);
	sfc_jbuf_u64(jb, "scan_errors", ids->scan_errors);
	sfc_jbuf_u64(jb, "reloads", ids->reloads);
	sfc_jbuf_u64(jb, "reload_errors", ids->reload_errors);
	sfc_jbuf_u64(jb, "bypass_requests", ids->bypass_requests);
	sfc_jbuf_u64(jb, "drop_requests", ids->drop_requests);
	sfc_jbuf_close(jb, '}');
}

void sf_ids_fini(void *ctx)
{
	struct sf_ids *ids = ctx;

	sf_ids_close_all(ids);
	sf_flowmap_fini(&ids->fm);
	hs_free_database(ids->db);
	hs_free_scratch(ids->scratch);
	sf_ids_rules_free(&ids->rs);
	sf_rotlog_close(&ids->alog);
	if (ids->rules_dirfd >= 0)
		close(ids->rules_dirfd);
	if (ids->conf_dirfd >= 0)
		close(ids->conf_dirfd);
	ids->conf_dirfd = -1;
	ids->db = NULL;
	ids->scratch = NULL;
	ids->rules_dirfd = -1;
}
