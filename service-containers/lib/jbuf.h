/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jbuf.h - a tiny append-only JSON text builder over a fixed buffer.
 *
 * The stats file is rendered after the sandbox is up, where allocation is
 * allowed but keeping the hot path predictable matters more: the buffer is
 * allocated once and reused. Overflow is sticky and reported at the end,
 * so callers write without checking every call.
 */
#ifndef SF_JBUF_H
#define SF_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sf_jbuf {
	char *buf;       /* owned by the caller */
	size_t cap;
	size_t len;
	bool overflow;   /* sticky: something did not fit */
	bool need_comma; /* next member/element needs a separator */
};

/** sf_jbuf_init() - start writing into @buf of @cap bytes (not owned). */
void sf_jbuf_init(struct sf_jbuf *jb, char *buf, size_t cap);

/** Append raw, printf-formatted text (no escaping, no separators). */
void sf_jbuf_raw(struct sf_jbuf *jb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Open/close an object or array; @key is NULL inside arrays/at top. */
void sf_jbuf_open(struct sf_jbuf *jb, const char *key, char bracket);
void sf_jbuf_close(struct sf_jbuf *jb, char bracket);

/** Members: @key NULL for array elements. Strings are JSON-escaped. */
void sf_jbuf_u64(struct sf_jbuf *jb, const char *key, uint64_t v);
void sf_jbuf_str(struct sf_jbuf *jb, const char *key, const char *s);

/** sf_jbuf_finish() - append a newline. Return: length, or -ENOSPC. */
int sf_jbuf_finish(struct sf_jbuf *jb);

#endif /* SF_JBUF_H */
