// SPDX-License-Identifier: GPL-2.0-only
/*
 * jbuf.c - tiny JSON text builder. See jbuf.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "jbuf.h"

void sf_jbuf_init(struct sf_jbuf *jb, char *buf, size_t cap)
{
	jb->buf = buf;
	jb->cap = cap;
	jb->len = 0;
	jb->overflow = cap == 0;
	jb->need_comma = false;
	if (cap)
		buf[0] = '\0';
}

static void vappend(struct sf_jbuf *jb, const char *fmt, va_list ap)
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

void sf_jbuf_raw(struct sf_jbuf *jb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(jb, fmt, ap);
	va_end(ap);
}

static void escaped(struct sf_jbuf *jb, const char *s)
{
	sf_jbuf_raw(jb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sf_jbuf_raw(jb, "\\%c", c);
		else if (c < 0x20)
			sf_jbuf_raw(jb, "\\u%04x", c);
		else
			sf_jbuf_raw(jb, "%c", c);
	}
	sf_jbuf_raw(jb, "\"");
}

static void member(struct sf_jbuf *jb, const char *key)
{
	if (jb->need_comma)
		sf_jbuf_raw(jb, ",");
	if (key) {
		escaped(jb, key);
		sf_jbuf_raw(jb, ":");
	}
	jb->need_comma = true;
}

void sf_jbuf_open(struct sf_jbuf *jb, const char *key, char bracket)
{
	member(jb, key);
	sf_jbuf_raw(jb, "%c", bracket);
	jb->need_comma = false;
}

void sf_jbuf_close(struct sf_jbuf *jb, char bracket)
{
	sf_jbuf_raw(jb, "%c", bracket);
	jb->need_comma = true;
}

void sf_jbuf_u64(struct sf_jbuf *jb, const char *key, uint64_t v)
{
	member(jb, key);
	sf_jbuf_raw(jb, "%" PRIu64, v);
}

void sf_jbuf_str(struct sf_jbuf *jb, const char *key, const char *s)
{
	member(jb, key);
	escaped(jb, s ? s : "");
}

int sf_jbuf_finish(struct sf_jbuf *jb)
{
	sf_jbuf_raw(jb, "\n");
	return jb->overflow ? -ENOSPC : (int)jb->len;
}
