/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfc_jbuf.h - a tiny append-only JSON text builder over a fixed buffer.
 *
 * The stats file is rendered after the sandbox is up, where allocation is
 * allowed but keeping the hot path predictable matters more: the buffer is
 * allocated once and reused. Overflow is sticky and reported at the end,
 * so callers write without checking every call.
 */
#ifndef SFC_JBUF_H
#define SFC_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sfc_jbuf {
	char *buf;       /* owned by the caller */
	size_t cap;
	size_t len;
	bool overflow;   /* sticky: something did not fit */
	bool need_comma; /* next member/element needs a separator */
};

/** sfc_jbuf_init() - start writing into @buf of @cap bytes (not owned). */
void sfc_jbuf_init(struct sfc_jbuf *jb, char *buf, size_t cap);

/** Append raw, printf-formatted text (no escaping, no separators). */
void sfc_jbuf_raw(struct sfc_jbuf *jb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Open/close an object or array; @key is NULL inside arrays/at top. */
void sfc_jbuf_open(struct sfc_jbuf *jb, const char *key, char bracket);
void sfc_jbuf_close(struct sfc_jbuf *jb, char bracket);

/** Members: @key NULL for array elements. Strings are JSON-escaped. */
void sfc_jbuf_u64(struct sfc_jbuf *jb, const char *key, uint64_t v);
void sfc_jbuf_str(struct sfc_jbuf *jb, const char *key, const char *s);

/** sfc_jbuf_finish() - append a newline. Return: length, or -ENOSPC. */
int sfc_jbuf_finish(struct sfc_jbuf *jb);

#endif /* SFC_JBUF_H */
