// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - counters rendered as JSON and rewritten in place. See stats.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "sfc_common.h"
#include "stats.h"

#define STATS_BUF_INIT (64 * 1024)
#define STATS_BUF_MAX (16 * 1024 * 1024)

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t sf_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t sf_realtime_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int sf_stats_init(struct sf_stats *s, const char *sf_name, const char *iface,
		  const char *path)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->sf_name = sf_name;
	s->iface = iface;
	s->pid = getpid();
	s->start_ms = sf_now_ms();
	s->buf = malloc(STATS_BUF_INIT);
	if (!s->buf)
		return -ENOMEM;
	s->cap = STATS_BUF_INIT;
	if (!path)
		return 0;
	/* Opened as root: never through a symlink planted at @path. */
	err = sf_open_output_at(AT_FDCWD, path, O_RDWR | O_CREAT, 0644);
	if (err < 0) {
		fprintf(stderr, "%s: cannot open stats file %s: %s\n", sf_name,
			path, sf_file_strerror(err));
		free(s->buf);
		s->buf = NULL;
		return err;
	}
	s->fd = err;
	return 0;
}

void sf_stats_set_extra(struct sf_stats *s, sf_stats_extra_fn fn, void *ctx)
{
	s->extra = fn;
	s->extra_ctx = ctx;
}

static void render_counters(const struct sf_counters *c, struct sfc_jbuf *jb)
{
	sfc_jbuf_open(jb, "counters", '{');
	sfc_jbuf_u64(jb, "rx_packets", c->rx_packets);
	sfc_jbuf_u64(jb, "rx_bytes", c->rx_bytes);
	sfc_jbuf_u64(jb, "tx_packets", c->tx_packets);
	sfc_jbuf_u64(jb, "tx_bytes", c->tx_bytes);
	sfc_jbuf_u64(jb, "dropped", c->dropped);
	sfc_jbuf_u64(jb, "malformed", c->malformed);
	sfc_jbuf_u64(jb, "oam", c->oam);
	sfc_jbuf_u64(jb, "tx_errors", c->tx_errors);
	sfc_jbuf_u64(jb, "ring_drops", c->ring_drops);
	sfc_jbuf_close(jb, '}');
	sfc_jbuf_open(jb, "flowprog", '{');
	sfc_jbuf_u64(jb, "bypass", c->ctrl_sent[SFC_CTRL_BYPASS - 1]);
	sfc_jbuf_u64(jb, "drop", c->ctrl_sent[SFC_CTRL_DROP - 1]);
	sfc_jbuf_u64(jb, "pass_to_end", c->ctrl_sent[SFC_CTRL_PASS_TO_END - 1]);
	sfc_jbuf_u64(jb, "translate", c->ctrl_nat);
	sfc_jbuf_u64(jb, "unsent", c->ctrl_unsent);
	sfc_jbuf_u64(jb, "counts_answers", c->counts_answers);
	sfc_jbuf_close(jb, '}');
}

static int render_once(struct sf_stats *s, uint64_t now_ms)
{
	struct sfc_jbuf jb;

	sfc_jbuf_init(&jb, s->buf, s->cap);
	sfc_jbuf_open(&jb, NULL, '{');
	sfc_jbuf_str(&jb, "sf", s->sf_name);
	sfc_jbuf_str(&jb, "iface", s->iface);
	sfc_jbuf_u64(&jb, "pid", (uint64_t)s->pid);
	sfc_jbuf_u64(&jb, "time_unix_ms", sf_realtime_ms());
	sfc_jbuf_u64(&jb, "uptime_ms", now_ms - s->start_ms);
	render_counters(&s->c, &jb);
	if (s->extra)
		s->extra(s->extra_ctx, &jb);
	sfc_jbuf_close(&jb, '}');
	return sfc_jbuf_finish(&jb);
}

int sf_stats_render(struct sf_stats *s, uint64_t now_ms)
{
	int len;

	if (!s->buf)
		return -ENOSPC;
	while ((len = render_once(s, now_ms)) == -ENOSPC) {
		char *bigger;

		if (s->cap * 2 > STATS_BUF_MAX)
			return -ENOSPC;
		bigger = realloc(s->buf, s->cap * 2);
		if (!bigger)
			return -ENOSPC;
		s->buf = bigger;
		s->cap *= 2;
	}
	return len;
}

int sf_stats_publish(struct sf_stats *s, uint64_t now_ms, bool force)
{
	ssize_t n;
	int len;

	if (s->fd < 0)
		return 0;
	if (!force && now_ms - s->last_pub_ms < SF_STATS_INTERVAL_MS)
		return 0;
	s->last_pub_ms = now_ms;
	len = sf_stats_render(s, now_ms);
	if (len < 0)
		return len;
	/* Write first, then cut: a reader never sees a shorter file than
	 * the document being written, only (briefly) a longer stale tail. */
	n = pwrite(s->fd, s->buf, (size_t)len, 0);
	if (n < 0)
		return -errno;
	if (n != len)
		return -EIO;
	if (ftruncate(s->fd, len) < 0)
		return -errno;
	return 1;
}

void sf_stats_fini(struct sf_stats *s)
{
	free(s->buf);
	s->buf = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
