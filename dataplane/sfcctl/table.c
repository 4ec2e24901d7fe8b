// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table.c - aligned text tables, JSON printing and error messages: how
 * sfcctl's views end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfcctl.h"

struct table {
	int ncols;
	int nrows;
	int cap;
	char **cells; /* nrows * ncols, row 0 = headers */
};

static void table_add(struct table *t, const char *const *vals)
{
	char **nc;
	int i;

	if (!t)
		return;
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		nc = realloc(t->cells, (size_t)t->cap * t->ncols * sizeof(*nc));
		if (!nc)
			return;
		t->cells = nc;
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = strdup(vals[i] ? vals[i] : "");
	t->nrows++;
}

struct table *table_new(int ncols, const char *const *headers)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ncols = ncols;
	table_add(t, headers);
	return t;
}

void table_row(struct table *t, ...)
{
	const char *vals[32];
	va_list ap;
	int i;

	if (!t || t->ncols > 32)
		return;
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++)
		vals[i] = va_arg(ap, const char *);
	va_end(ap);
	table_add(t, vals);
}

void table_print(struct table *t)
{
	int w[32] = { 0 }, r, c, len;
	const char *s;

	if (!t)
		return;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols && c < 32; c++) {
			s = t->cells[r * t->ncols + c];
			len = s ? (int)strlen(s) : 0;
			if (len > w[c])
				w[c] = len;
		}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			s = t->cells[r * t->ncols + c];
			if (c == t->ncols - 1)
				printf("%s\n", s ? s : "");
			else
				printf("%-*s  ", w[c], s ? s : "");
		}
	}
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t);
}

int sfcctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("sfcctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int sfcctl_print_json(cJSON *root)
{
	char *s = root ? cJSON_Print(root) : NULL;

	cJSON_Delete(root);
	if (!s)
		return sfcctl_fail("out of memory");
	printf("%s\n", s);
	free(s);
	return 0;
}

int sfcctl_print(cJSON *arr, struct table *t)
{
	if (arr)
		return sfcctl_print_json(arr);
	table_print(t);
	return 0;
}

void sfcctl_fmt_mac(const uint8_t *mac, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}
