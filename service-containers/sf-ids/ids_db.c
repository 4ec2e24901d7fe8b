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
#include "monitor.h"

#define RULES_MAX_BYTES (8u << 20)
#define RULES_OPEN_FLAGS (O_RDONLY | O_CLOEXEC)

static int get_uint(const cJSON *cfg, const char *key, uint64_t lo,
		    uint64_t hi, uint64_t *out, const char *path, char *err,
		    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo ||
	    v->valuedouble > (double)hi ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return sf_config_err(err, errlen, path, key,
				     "expected an integer in %llu..%llu",
				     (unsigned long long)lo,
				     (unsigned long long)hi);
	*out = (uint64_t)v->valuedouble;
	return 0;
}

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
		"idle_timeout_s", "comment", NULL };
	uint64_t rot = 64ull << 20, keep = 5, flows = SF_IDS_MAX_FLOWS_DEFAULT;
	uint64_t idle = SF_IDS_IDLE_S_DEFAULT;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = sf_config_check_keys(cfg, keys, path, "", err, errlen) ||
	      get_path(cfg, "rules", true, out->rules, sizeof(out->rules),
		       path, err, errlen) ||
	      get_path(cfg, "alerts", false, out->alerts, sizeof(out->alerts),
		       path, err, errlen) ||
	      get_uint(cfg, "alerts_rotate_bytes", 0, UINT32_MAX * 1024ull,
		       &rot, path, err, errlen) ||
	      get_uint(cfg, "alerts_keep", 0, SF_ROTLOG_MAX_KEEP, &keep, path,
		       err, errlen) ||
	      get_uint(cfg, "max_flows", 1, SF_FLOWMAP_MAX_CAP, &flows, path,
		       err, errlen) ||
	      get_uint(cfg, "idle_timeout_s", 1, 86400, &idle, path, err,
		       errlen);
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

static int read_rules(int dirfd, const char *name, char **out)
{
	size_t len = 0, cap = 64 * 1024;
	char *buf = malloc(cap + 1), *nb;
	ssize_t n;
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	fd = openat(dirfd, name, RULES_OPEN_FLAGS);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len < cap)
			continue;
		if (cap >= RULES_MAX_BYTES || !(nb = realloc(buf, cap * 2 + 1))) {
			ret = cap >= RULES_MAX_BYTES ? -EFBIG : -ENOMEM;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	if (n < 0 && !ret)
		ret = -errno;
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int sf_ids_reload(struct sf_ids *ids, char *err, size_t errlen)
{
	char *text = NULL;
	int ret;

	ret = read_rules(ids->rules_dirfd, ids->rules_name, &text);
	if (ret) {
		snprintf(err, errlen, "%s: %s", ids->cfg.rules,
			 ret == -EFBIG ? "file too large" : strerrorname_np(-ret));
		return ret;
	}
	ret = sf_ids_load(ids, text, ids->cfg.rules, err, errlen);
	free(text);
	return ret;
}

/* Keep the rules file's directory: a reload re-opens the name in it. */
static int open_rules_dir(struct sf_ids *ids, char *err, size_t errlen)
{
	const char *path = ids->cfg.rules, *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[4096];
	int ret;

	if (!*name || strlen(name) >= sizeof(ids->rules_name)) {
		snprintf(err, errlen, "%s: bad file name", path);
		return -EINVAL;
	}
	memcpy(ids->rules_name, name, strlen(name) + 1);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	ids->rules_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ids->rules_dirfd >= 0)
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
	ids->clock = sf_mon_realtime_ms;
	if (hs_valid_platform() != HS_SUCCESS) {
		snprintf(err, errlen, "Hyperscan needs SSSE3 on this CPU");
		return -ENOTSUP;
	}
	ret = sf_flowmap_init(&ids->fm, cfg->max_flows, sizeof(struct sf_ids_flow));
	if (ret)
		return ret;
	sf_ids_flows_init(ids);
	ret = open_rules_dir(ids, err, errlen);
	if (!ret && cfg->alerts[0]) {
		ret = sf_rotlog_open(&ids->alog, cfg->alerts,
				     cfg->alerts_rotate_bytes, cfg->alerts_keep);
		if (ret)
			snprintf(err, errlen, "%s: %s", cfg->alerts,
				 strerror(-ret));
	}
	if (!ret)
		ret = sf_ids_reload(ids, err, errlen);
	return ret; /* the caller's fini frees a partial init */
}

int sf_ids_sandbox(struct sf_ids *ids, void *scmp_ctx)
{
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
	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)ids->rules_dirfd),
			       SCMP_A2(SCMP_CMP_EQ, RULES_OPEN_FLAGS));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 0);
	if (!err && ids->alog.opened)
		err = sf_rotlog_seccomp(&ids->alog, ctx);
	return err;
}

void sf_ids_stats_json(const struct sf_ids *ids, struct sfc_jbuf *jb)
{
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
	sfc_jbuf_close(jb, '}');
}

void sf_ids_fini(struct sf_ids *ids)
{
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
