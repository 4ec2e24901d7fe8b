// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_common.c - the shared utility library (common/): FNV-1a test
 * vectors, whole-buffer I/O bounds, JSON integer ranges, environment
 * defaults and the log level.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sfc_env.h"
#include "sfc_fnv.h"
#include "sfc_io.h"
#include "sfc_json.h"
#include "sfc_log.h"

/* Vectors from the FNV reference (draft-eastlake-fnv, isthe.com tables). */
Test(common, fnv1a_reference_vectors)
{
	cr_assert_eq(sfc_fnv1a64(SFC_FNV64_INIT, "", 0), 0xcbf29ce484222325ull);
	cr_assert_eq(sfc_fnv1a64(SFC_FNV64_INIT, "a", 1), 0xaf63dc4c8601ec8cull);
	cr_assert_eq(sfc_fnv1a64(SFC_FNV64_INIT, "foobar", 6), 0x85944171f73967e8ull);
	/* Continuing a hash equals hashing the concatenation. */
	cr_assert_eq(sfc_fnv1a64(sfc_fnv1a64(SFC_FNV64_INIT, "foo", 3), "bar", 3),
		     0x85944171f73967e8ull);
	cr_assert_eq(sfc_fnv1a32_str(""), 0x811c9dc5u);
	cr_assert_eq(sfc_fnv1a32_str("a"), 0xe40c292cu);
	cr_assert_eq(sfc_fnv1a32_str("foobar"), 0xbf9cf968u);
}

/* A pipe holding @n bytes of 'x', write end closed: read side returned. */
static int pipe_with(size_t n)
{
	int p[2];
	char *buf = malloc(n ? n : 1);

	cr_assert(buf);
	memset(buf, 'x', n);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(sfc_write_all(p[1], buf, n), 0);
	close(p[1]);
	free(buf);
	return p[0];
}

Test(common, read_all_bounds)
{
	size_t sizes[] = { 0, 1, 4095, 4096, 4097, 9000 };
	char *out;
	size_t len;
	int fd;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fd = pipe_with(sizes[i]);
		cr_assert_eq(sfc_read_all(fd, 9000, &out, &len), 0, "%zu", sizes[i]);
		cr_assert_eq(len, sizes[i]);
		cr_assert_eq(out[len], '\0');
		cr_assert_eq(strspn(out, "x"), len);
		free(out);
		close(fd);
	}
	/* One byte over the bound is refused, and exactly the bound is not. */
	fd = pipe_with(9001);
	out = NULL;
	cr_assert_eq(sfc_read_all(fd, 9000, &out, &len), -EFBIG);
	cr_assert_null(out);
	close(fd);
	fd = pipe_with(4096);
	cr_assert_eq(sfc_read_all(fd, 4096, &out, NULL), 0);
	free(out);
	close(fd);
	cr_assert_eq(sfc_read_all(-1, 10, &out, &len), -EBADF);
	cr_assert_eq(sfc_write_all(-1, "x", 1), -EBADF);
}

Test(common, json_uint_ranges)
{
	const char *bad[] = { "1.5", "-0.5", "10.5", "\"5\"", "null", "true", "[]" };
	const char *range[] = { "-1", "11", "1e19", "-1e19", "1e300", "-1e300", "9007199254740993e10" };
	uint64_t v = 77;
	cJSON *j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = cJSON_Parse(bad[i]);
		cr_assert_eq(sfc_json_uint(j, 0, 10, &v), -EINVAL, "%s", bad[i]);
		cr_assert_eq(v, 77, "out untouched on error (%s)", bad[i]);
		cJSON_Delete(j);
	}
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		j = cJSON_Parse(range[i]);
		cr_assert_eq(sfc_json_uint(j, 0, 10, &v), -ERANGE, "%s", range[i]);
		cr_assert_eq(v, 77, "out untouched on error (%s)", range[i]);
		cJSON_Delete(j);
	}
	cr_assert_eq(sfc_json_uint(NULL, 0, 10, &v), -EINVAL);
	j = cJSON_CreateNumber(NAN);
	cr_assert_eq(sfc_json_uint(j, 0, 10, &v), -EINVAL);
	cJSON_Delete(j);
	j = cJSON_Parse("10");
	cr_assert_eq(sfc_json_uint(j, 0, 10, &v), 0);
	cr_assert_eq(v, 10);
	cr_assert_eq(sfc_json_uint(j, 11, 20, &v), -ERANGE);
	cJSON_Delete(j);
	j = cJSON_Parse("9007199254740992");
	cr_assert_eq(sfc_json_uint(j, 0, 1ull << 53, &v), 0);
	cr_assert_eq(v, 1ull << 53);
	cJSON_Delete(j);
}

Test(common, env_or_treats_empty_as_unset)
{
	cr_assert_str_eq(sfc_env_or("SFC_TEST_UNSET_VAR", "def"), "def");
	setenv("SFC_TEST_VAR", "", 1);
	cr_assert_str_eq(sfc_env_or("SFC_TEST_VAR", "def"), "def");
	setenv("SFC_TEST_VAR", "v", 1);
	cr_assert_str_eq(sfc_env_or("SFC_TEST_VAR", "def"), "v");
	unsetenv("SFC_TEST_VAR");
}

Test(common, log_level_from_env)
{
	unsetenv("SFC_LOG_LEVEL");
	cr_assert_eq(sfc_log_init("t", SFC_LOG_WARN), SFC_LOG_WARN);
	setenv("SFC_LOG_LEVEL", "debug", 1);
	cr_assert_eq(sfc_log_init("t", SFC_LOG_ERROR), SFC_LOG_DEBUG);
	cr_assert_eq(sfc_log_level(), SFC_LOG_DEBUG);
	setenv("SFC_LOG_LEVEL", "loud", 1);
	cr_assert_eq(sfc_log_init("t", SFC_LOG_INFO), SFC_LOG_INFO, "unknown name: the default");
	unsetenv("SFC_LOG_LEVEL");
	sfc_log_init("t", SFC_LOG_ERROR);
}
