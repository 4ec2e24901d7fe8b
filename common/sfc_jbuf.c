// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_jbuf.c - tiny JSON text builder. See sfc_jbuf.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "sfc_jbuf.h"

void sfc_jbuf_init(struct sfc_jbuf *jb, char *buf, size_t cap)
{
	jb->buf = buf;
	jb->cap = cap;
	jb->len = 0;
	jb->overflow = cap == 0;
	jb->need_comma = false;
	if (cap)
		buf[0] = '\0';
}

static void vappend(struct sfc_jbuf *jb, const char *fmt, va_list ap)
{
	int n;

	if (jb->overflow)
		return;
	n = vsnprintf(jb->buf + jb->len, jb->cap - jb->len, fmt, ap);
	if (n < 0 || (size_t)n >= jb->cap - jb->len) {
		jb->overflow = true;
		jb->buf[jb->len] = '\0';
		return;
	}
	jb->len += (size_t)n;
}

void sfc_jbuf_raw(struct sfc_jbuf *jb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(jb, fmt, ap);
	va_end(ap);
}

static void escaped(struct sfc_jbuf *jb, const char *s)
{
	sfc_jbuf_raw(jb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sfc_jbuf_raw(jb, "\\%c", c);
		else if (c < 0x20)
			sfc_jbuf_raw(jb, "\\u%04x", c);
		else
			sfc_jbuf_raw(jb, "%c", c);
	}
	sfc_jbuf_raw(jb, "\"");
}

static void member(struct sfc_jbuf *jb, const char *key)
{
	if (jb->need_comma)
		sfc_jbuf_raw(jb, ",");
	if (key) {
		escaped(jb, key);
		sfc_jbuf_raw(jb, ":");
	}
	jb->need_comma = true;
}

void sfc_jbuf_open(struct sfc_jbuf *jb, const char *key, char bracket)
{
	member(jb, key);
	sfc_jbuf_raw(jb, "%c", bracket);
	jb->need_comma = false;
}

void sfc_jbuf_close(struct sfc_jbuf *jb, char bracket)
{
	sfc_jbuf_raw(jb, "%c", bracket);
	jb->need_comma = true;
}

void sfc_jbuf_u64(struct sfc_jbuf *jb, const char *key, uint64_t v)
{
	member(jb, key);
	sfc_jbuf_raw(jb, "%" PRIu64, v);
}

void sfc_jbuf_str(struct sfc_jbuf *jb, const char *key, const char *s)
{
	member(jb, key);
	escaped(jb, s ? s : "");
}

int sfc_jbuf_finish(struct sfc_jbuf *jb)
{
	sfc_jbuf_raw(jb, "\n");
	return jb->overflow ? -ENOSPC : (int)jb->len;
}
