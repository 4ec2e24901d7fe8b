// SPDX-License-Identifier: GPL-2.0-only
/*
 * config_locate.c - find a config field ("rules[2].dport") in the JSON
 * text, so errors found after parsing (cJSON keeps no positions) can name
 * the line. A small scanner over text cJSON already accepted: it assumes
 * valid JSON and only has to be safe (never read past the NUL) on the
 * rest. See config.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* @p at '"': the byte after the closing quote. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* Any value: the byte after it. */
static const char *skip_value(const char *p)
{
	int depth = 0;

	do {
		if (*p == '"') {
			p = skip_string(p);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (depth == 0 && (*p == ',' || *p == ' ' ||
					*p == '\n' || *p == '\t' || *p == '\r'))
			break;
		if (*p)
			p++;
	} while (*p && depth > 0);
	/* scalars: run to the delimiter */
	while (depth == 0 && *p && !strchr(",}] \t\r\n", *p))
		p++;
	return p;
}

/* In the object at @p, the key @name (@n bytes): its '"', or NULL. */
static const char *find_key(const char *p, const char *name, size_t n,
			    const char **value)
{
	const char *k, *end;

	if (*p != '{')
		return NULL;
	p = ws(p + 1);
	while (*p == '"') {
		k = p;
		end = skip_string(p);
		p = ws(end);
		if (*p == ':')
			p = ws(p + 1);
		if ((size_t)(end - k) == n + 2 && !strncmp(k + 1, name, n)) {
			*value = p;
			return k;
		}
		p = ws(skip_value(p));
		if (*p == ',')
			p = ws(p + 1);
	}
	return NULL;
}

/* In the array at @p, element @idx: its first byte, or NULL. */
static const char *find_index(const char *p, unsigned long idx)
{
	if (*p != '[')
		return NULL;
	p = ws(p + 1);
	while (idx--) {
		if (!*p || *p == ']')
			return NULL;
		p = ws(skip_value(p));
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return *p && *p != ']' ? p : NULL;
}

void sf_config_line_col(const char *text, const char *pos, int *line,
			int *col)
{
	const char *p, *bol = text;

	*line = 1;
	for (p = text; p < pos && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			bol = p + 1;
		}
	}
	*col = (int)(pos - bol) + 1;
}

int sf_config_locate(const char *text, const char *field, int *line,
		     int *col)
{
	const char *p = ws(text), *best = NULL, *f = field, *hit;
	unsigned long idx;
	char *end;
	size_t n;

	while (*f) {
		if (*f == '[') {
			idx = strtoul(f + 1, &end, 10);
			f = *end == ']' ? end + 1 : end;
			hit = find_index(p, idx);
			p = hit;
		} else {
			n = strcspn(f, ".[");
			hit = find_key(p, f, n, &p);
			f += n;
		}
		if (!hit)
			break;
		best = hit;
		if (*f == '.')
			f++;
	}
	sf_config_line_col(text, best ? best : text, line, col);
	return best ? 0 : -ENOENT;
}
