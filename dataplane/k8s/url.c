// SPDX-License-Identifier: GPL-2.0-only
/*
 * url.c - the resources libsfck8s knows and their URLs: path segments and
 * query values percent-encoded, so selectors such as "a=b,c!=d" and
 * continue tokens (base64, with '+', '/' and '=') arrive intact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

const struct sfc_k8s_resource sfc_k8s_pods = { "", "v1", "pods", true };
const struct sfc_k8s_resource sfc_k8s_nodes = { "", "v1", "nodes", false };
const struct sfc_k8s_resource sfc_k8s_events = { "", "v1", "events", true };
const struct sfc_k8s_resource sfc_k8s_servicechains = {
	"sfc.io", "v1alpha1", "servicechains", false
};

/* A growing string; @err latches the first failure. */
struct sbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void sb_add(struct sbuf *b, const char *p, size_t n)
{
	size_t cap;
	char *ns;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns) {
			b->err = -ENOMEM;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* RFC 3986 section 2.1 and 2.3: all but ALPHA DIGIT - . _ ~ as %XX. */
static void sb_escaped(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char pct[3] = { '%' };

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			sb_add(b, (const char *)p, 1);
			continue;
		}
		pct[1] = hex[*p >> 4];
		pct[2] = hex[*p & 15];
		sb_add(b, pct, 3);
	}
}

/* One "/segment": empty, "." and ".." would change the path's meaning. */
static void sb_segment(struct sbuf *b, const char *seg)
{
	if (!*seg || !strcmp(seg, ".") || !strcmp(seg, "..")) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	sb_str(b, "/");
	sb_escaped(b, seg);
}

static void sb_query(struct sbuf *b, const char *const *query)
{
	bool first = true;

	for (; query && query[0]; query += 2) {
		if (!query[1])
			continue;
		sb_str(b, first ? "?" : "&");
		sb_escaped(b, query[0]);
		sb_str(b, "=");
		sb_escaped(b, query[1]);
		first = false;
	}
}

int sfc_k8s_url(const char *server, const struct sfc_k8s_resource *res,
		const char *ns, const char *name, const char *sub,
		const char *const *query, char **out)
{
	struct sbuf b = { 0 };

	*out = NULL;
	if ((ns && !res->namespaced) || (name && res->namespaced && !ns) ||
	    (sub && !name))
		return -EINVAL;
	sb_str(&b, server);
	if (res->group[0]) {
		sb_str(&b, "/apis");
		sb_segment(&b, res->group);
	} else {
		sb_str(&b, "/api");
	}
	sb_segment(&b, res->version);
	if (ns) {
		sb_str(&b, "/namespaces");
		sb_segment(&b, ns);
	}
	sb_segment(&b, res->plural);
	if (name)
		sb_segment(&b, name);
	if (sub)
		sb_segment(&b, sub);
	sb_query(&b, query);
	if (b.err) {
		free(b.s);
		return b.err;
	}
	*out = b.s;
	return 0;
}
