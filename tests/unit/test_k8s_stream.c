// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_k8s_stream.c - the watch stream: newline-delimited JSON events
 * reassembled from pieces cut at every byte offset, several events in one
 * piece, a trailing partial line, blank lines and CRLF, the line bound,
 * and the event decoder (types, resourceVersion, ERROR Status, malformed
 * input).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

#define EV1 "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"namespace\":\"ns\",\"resourceVersion\":\"101\"}}}"
#define EV2 "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"102\"},\"spec\":{\"x\":\"\\n\"}}}"
#define EV3 "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"150\"}}}"

/* Collects every line handed over. */
struct seen {
	char lines[8][512];
	int n;
	int stop_at;       /* return -EINTR on this line number (1-based), 0 = never */
};

static int collect(void *ctx, const char *line, size_t len)
{
	struct seen *s = ctx;

	cr_assert_lt(s->n, 8);
	cr_assert_lt(len, sizeof(s->lines[0]));
	memcpy(s->lines[s->n], line, len);
	s->lines[s->n][len] = '\0';
	s->n++;
	return s->n == s->stop_at ? -EINTR : 0;
}

Test(k8s_stream, event_split_at_every_offset)
{
	const char *stream = EV1 "\n" EV2 "\n";
	size_t n = strlen(stream), cut;

	for (cut = 0; cut <= n; cut++) {
		struct sfc_k8s_lines l;
		struct seen s = { 0 };

		sfc_k8s_lines_init(&l, 4096);
		cr_assert_eq(sfc_k8s_lines_feed(&l, stream, cut, collect, &s), 0);
		cr_assert_eq(sfc_k8s_lines_feed(&l, stream + cut, n - cut, collect, &s), 0);
		cr_assert_eq(s.n, 2, "cut at %zu", cut);
		cr_assert_str_eq(s.lines[0], EV1, "cut at %zu", cut);
		cr_assert_str_eq(s.lines[1], EV2, "cut at %zu", cut);
		cr_assert_eq(l.len, 0);
		sfc_k8s_lines_free(&l);
	}
}

/* One byte per callback: the worst case libcurl may produce. */
Test(k8s_stream, one_byte_at_a_time)
{
	const char *stream = EV1 "\n" EV2 "\n" EV3 "\n";
	struct sfc_k8s_lines l;
	struct seen s = { 0 };
	size_t i;

	sfc_k8s_lines_init(&l, 4096);
	for (i = 0; stream[i]; i++)
		cr_assert_eq(sfc_k8s_lines_feed(&l, stream + i, 1, collect, &s), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.lines[2], EV3);
	sfc_k8s_lines_free(&l);
}

Test(k8s_stream, several_events_blank_lines_crlf_and_a_partial_tail)
{
	const char *piece = "\n" EV1 "\r\n\r\n   \n" EV2 "\n\n" EV3 "\n{\"type\":\"DEL";
	struct sfc_k8s_lines l;
	struct seen s = { 0 };

	sfc_k8s_lines_init(&l, 4096);
	cr_assert_eq(sfc_k8s_lines_feed(&l, piece, strlen(piece), collect, &s), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.lines[0], EV1, "the CR of CRLF is not part of the line");
	cr_assert_str_eq(s.lines[1], EV2);
	cr_assert_str_eq(s.lines[2], EV3);
	cr_assert_eq(l.len, strlen("{\"type\":\"DEL"), "the partial tail is kept");
	cr_assert_eq(sfc_k8s_lines_feed(&l, "ETED\"}\n", 7, collect, &s), 0);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.lines[3], "{\"type\":\"DELETED\"}");
	/* A new stream forgets the old one's unfinished line. */
	cr_assert_eq(sfc_k8s_lines_feed(&l, "{\"par", 5, collect, &s), 0);
	sfc_k8s_lines_reset(&l);
	cr_assert_eq(sfc_k8s_lines_feed(&l, "x\n", 2, collect, &s), 0);
	cr_assert_str_eq(s.lines[4], "x");
	sfc_k8s_lines_free(&l);
}

/* The bound is exact, whether the line arrives whole or in pieces. */
Test(k8s_stream, line_bound)
{
	char line[101];
	struct sfc_k8s_lines l;
	struct seen s = { 0 };

	memset(line, 'x', 100);
	line[100] = '\n';
	sfc_k8s_lines_init(&l, 100);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line, 101, collect, &s), 0, "exactly max");
	cr_assert_eq(sfc_k8s_lines_feed(&l, line, 60, collect, &s), 0);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line + 60, 41, collect, &s), 0, "60 + 40 + newline");
	cr_assert_eq(s.n, 2);
	sfc_k8s_lines_free(&l);

	sfc_k8s_lines_init(&l, 99);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line, 101, collect, &s), -EMSGSIZE, "whole");
	cr_assert_eq(sfc_k8s_lines_feed(&l, "ok\n", 3, collect, &s), -EMSGSIZE,
		     "refused until reset");
	sfc_k8s_lines_reset(&l);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line, 60, collect, &s), 0);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line, 40, collect, &s), -EMSGSIZE,
		     "in pieces, before its newline came");
	sfc_k8s_lines_reset(&l);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line, 99, collect, &s), 0);
	cr_assert_eq(sfc_k8s_lines_feed(&l, line + 99, 2, collect, &s), -EMSGSIZE,
		     "completed over the bound");
	cr_assert_eq(s.n, 2);
	sfc_k8s_lines_free(&l);
}

Test(k8s_stream, callback_error_stops_the_feed)
{
	const char *piece = EV1 "\n" EV2 "\n" EV3 "\n";
	struct sfc_k8s_lines l;
	struct seen s = { .stop_at = 2 };

	sfc_k8s_lines_init(&l, 4096);
	cr_assert_eq(sfc_k8s_lines_feed(&l, piece, strlen(piece), collect, &s), -EINTR);
	cr_assert_eq(s.n, 2);
	sfc_k8s_lines_free(&l);
}

Test(k8s_stream, event_decode)
{
	struct sfc_k8s_event ev;

	cr_assert_eq(sfc_k8s_event_parse(EV1, strlen(EV1), &ev, NULL, 0), 0);
	cr_assert_eq(ev.type, SFC_K8S_ADDED);
	cr_assert_str_eq(ev.rv, "101");
	cr_assert_str_eq(cJSON_GetObjectItem(ev.object, "kind")->valuestring, "Pod");
	sfc_k8s_event_free(&ev);
	cr_assert_eq(sfc_k8s_event_parse(EV2, strlen(EV2), &ev, NULL, 0), 0);
	cr_assert_eq(ev.type, SFC_K8S_MODIFIED);
	sfc_k8s_event_free(&ev);
	cr_assert_eq(sfc_k8s_event_parse(EV3, strlen(EV3), &ev, NULL, 0), 0);
	cr_assert_eq(ev.type, SFC_K8S_BOOKMARK);
	cr_assert_str_eq(ev.rv, "150");
	sfc_k8s_event_free(&ev);
}

/* The apiserver's in-stream 410 (metav1.Status inside an ERROR event). */
Test(k8s_stream, error_event_status)
{
	const char *e = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
			"\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource "
			"version: 5 (23)\",\"reason\":\"Expired\",\"code\":410}}";
	struct sfc_k8s_event ev;

	cr_assert_eq(sfc_k8s_event_parse(e, strlen(e), &ev, NULL, 0), 0);
	cr_assert_eq(ev.type, SFC_K8S_ERROR);
	cr_assert_eq(ev.code, 410);
	cr_assert_str_eq(ev.message, "too old resource version: 5 (23)");
	cr_assert_null(ev.rv);
	sfc_k8s_event_free(&ev);
}

Test(k8s_stream, malformed_events)
{
	static const char *const bad[] = {
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":",   /* cut JSON */
		"not json",
		"[1,2]",
		"{\"object\":{}}",                                 /* no type */
		"{\"type\":7,\"object\":{}}",
		"{\"type\":\"ADDED\"}",                            /* no object */
		"{\"type\":\"ADDED\",\"object\":\"x\"}",
		"{\"type\":\"RENAMED\",\"object\":{}}",
		"{\"type\":\"ADDED\",\"object\":{}} trailing",
	};
	struct sfc_k8s_event ev;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(sfc_k8s_event_parse(bad[i], strlen(bad[i]), &ev, err, sizeof(err)),
			     -EBADMSG, "%s", bad[i]);
		cr_assert_null(ev.root);
		cr_assert(strstr(err, "watch event:"), "%s: \"%s\"", bad[i], err);
	}
	/* The decoder reads only the line it is given (no NUL needed). */
	cr_assert_eq(sfc_k8s_event_parse(EV1 "garbage", strlen(EV1), &ev, NULL, 0), 0);
	sfc_k8s_event_free(&ev);
}
