// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_flowrec.c - flow record JSON lines: render, parse, load. See
 * dataplane/include/sfc_flowrec.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "sfc_flowrec.h"
#include "sfc_jbuf.h"
#include "sfc_json.h"

int sfc_flowrec_format(const struct sfc_flowrec *r, char *buf, size_t cap)
{
	struct sfc_jbuf jb;

	sfc_jbuf_init(&jb, buf, cap);
	sfc_jbuf_open(&jb, NULL, '{');
	sfc_jbuf_str(&jb, "proto", r->proto);
	sfc_jbuf_str(&jb, "src", r->src);
	sfc_jbuf_u64(&jb, "sport", r->sport);
	sfc_jbuf_str(&jb, "dst", r->dst);
	sfc_jbuf_u64(&jb, "dport", r->dport);
	sfc_jbuf_u64(&jb, "packets", r->packets);
	sfc_jbuf_u64(&jb, "bytes", r->bytes);
	sfc_jbuf_u64(&jb, "first_ms", r->first_ms);
	sfc_jbuf_u64(&jb, "last_ms", r->last_ms);
	sfc_jbuf_str(&jb, "tcp_flags", r->tcp_flags);
	sfc_jbuf_str(&jb, "end", r->end);
	sfc_jbuf_close(&jb, '}');
	return sfc_jbuf_finish(&jb);
}

void sfc_tcp_flags_str(uint8_t flags, char *buf, size_t cap)
{
	static const char *const names[8] = { "FIN", "SYN", "RST", "PSH",
					      "ACK", "URG", "ECE", "CWR" };
	size_t len = 0;
	int i;

	if (cap)
		buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (!(flags & (1u << i)) || len >= cap)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					len ? "|" : "", names[i]);
	}
}

static int get_str(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap)
		return -EINVAL;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

/* Counters and times: a JSON number is exact up to 2^53 (and casting a
 * larger double to uint64_t could be undefined). */
#define JSON_EXACT_MAX (1ull << 53)

static int get_u64(const cJSON *o, const char *key, uint64_t max,
		   uint64_t *out)
{
	return sfc_json_uint(cJSON_GetObjectItemCaseSensitive(o, key), 0, max,
			     out);
}

int sfc_flowrec_parse(const char *line, struct sfc_flowrec *out)
{
	cJSON *o = cJSON_Parse(line);
	uint64_t sp = 0, dp = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	err = get_str(o, "proto", out->proto, sizeof(out->proto)) ||
	      get_str(o, "src", out->src, sizeof(out->src)) ||
	      get_str(o, "dst", out->dst, sizeof(out->dst)) ||
	      get_u64(o, "sport", 65535, &sp) ||
	      get_u64(o, "dport", 65535, &dp) ||
	      get_u64(o, "packets", JSON_EXACT_MAX, &out->packets) ||
	      get_u64(o, "bytes", JSON_EXACT_MAX, &out->bytes) ||
	      get_u64(o, "first_ms", JSON_EXACT_MAX, &out->first_ms) ||
	      get_u64(o, "last_ms", JSON_EXACT_MAX, &out->last_ms) ||
	      get_str(o, "end", out->end, sizeof(out->end));
	/* tcp_flags is optional: "" when absent. */
	if (!err && cJSON_GetObjectItemCaseSensitive(o, "tcp_flags"))
		err = get_str(o, "tcp_flags", out->tcp_flags,
			      sizeof(out->tcp_flags));
	cJSON_Delete(o);
	out->sport = (uint16_t)sp;
	out->dport = (uint16_t)dp;
	return err ? -EINVAL : 0;
}

int sfc_flowrec_add(struct sfc_flowrec_set *set, const struct sfc_flowrec *r)
{
	struct sfc_flowrec *n;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 256;

		n = realloc(set->r, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		set->r = n;
		set->cap = cap;
	}
	set->r[set->n++] = *r;
	return 0;
}

static int read_file(FILE *f, struct sfc_flowrec_set *set)
{
	struct sfc_flowrec r;
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	while (!err && getline(&line, &cap, f) >= 0) {
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (sfc_flowrec_parse(line, &r))
			set->bad_lines++;
		else
			err = sfc_flowrec_add(set, &r);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err;
}

int sfc_flowrec_load(const char *path, unsigned int max_rotated,
		    struct sfc_flowrec_set *set)
{
	char name[4200];
	unsigned int k;
	FILE *f;
	int err = 0;

	memset(set, 0, sizeof(*set));
	for (k = 0; k <= max_rotated && !err; k++) {
		if (k)
			snprintf(name, sizeof(name), "%s.%u", path, k);
		else
			snprintf(name, sizeof(name), "%s", path);
		f = fopen(name, "re");
		if (!f) {
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		set->files++;
		err = read_file(f, set);
		fclose(f);
	}
	if (!err && !set->files)
		err = -ENOENT;
	if (err) {
		sfc_flowrec_free(set);
		return err;
	}
	sfc_flowrec_merge(set);
	return 0;
}

/* Flow instance identity, then the latest state last. */
static int by_instance(const void *a, const void *b)
{
	const struct sfc_flowrec *x = a, *y = b;
	int c;

	if ((c = strcmp(x->proto, y->proto)) || (c = strcmp(x->src, y->src)) ||
	    (c = strcmp(x->dst, y->dst)))
		return c;
	if (x->sport != y->sport)
		return x->sport < y->sport ? -1 : 1;
	if (x->dport != y->dport)
		return x->dport < y->dport ? -1 : 1;
	if (x->first_ms != y->first_ms)
		return x->first_ms < y->first_ms ? -1 : 1;
	if (x->last_ms != y->last_ms)
		return x->last_ms < y->last_ms ? -1 : 1;
	return x->packets < y->packets ? -1 : x->packets > y->packets;
}

static int same_instance(const struct sfc_flowrec *x, const struct sfc_flowrec *y)
{
	return !strcmp(x->proto, y->proto) && !strcmp(x->src, y->src) &&
	       !strcmp(x->dst, y->dst) && x->sport == y->sport &&
	       x->dport == y->dport && x->first_ms == y->first_ms;
}

static int by_bytes(const void *a, const void *b)
{
	const struct sfc_flowrec *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	return by_instance(a, b);
}

void sfc_flowrec_merge(struct sfc_flowrec_set *set)
{
	size_t i, out = 0;

	if (set->n == 0)
		return;
	qsort(set->r, set->n, sizeof(*set->r), by_instance);
	for (i = 0; i < set->n; i++) {
		if (i + 1 < set->n && same_instance(&set->r[i], &set->r[i + 1]))
			continue; /* a later state of it follows */
		set->r[out++] = set->r[i];
	}
	set->n = out;
	qsort(set->r, set->n, sizeof(*set->r), by_bytes);
}

void sfc_flowrec_free(struct sfc_flowrec_set *set)
{
	free(set->r);
	memset(set, 0, sizeof(*set));
}
