// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sfcctl_map_rows.c - sfcctl_map_rows(), the map walk of `sfcctl get
 * paths|counters|flowcache`, on a plain BPF hash map (needs root).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

/* sfcctl is a program, not a library: build its walk in here. */
#include "sfcctl.h"

struct row {
	uint32_t key;
	uint64_t val;
	void *ctx;
	uint32_t untouched; /* fill leaves it: must read as zero */
};

static void fill(void *dst, const void *key, const void *val, void *ctx)
{
	struct row *r = dst;

	r->key = *(const uint32_t *)key;
	r->val = *(const uint64_t *)val;
	r->ctx = ctx;
}

static int hash_map(void)
{
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root to create a BPF map");
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, sizeof(uint32_t),
			    sizeof(uint64_t), 256, NULL);
	cr_assert_geq(fd, 0, "bpf_map_create: %s", strerror(errno));
	return fd;
}

Test(sfcctl_map_rows, empty_map_gives_no_rows)
{
	struct row *rows = (void *)1;
	uint64_t val;
	uint32_t key;
	int fd = hash_map(), n = -1;

	cr_assert_eq(sfcctl_map_rows(fd, &key, &val, sizeof(*rows), fill, NULL,
				     (void **)&rows, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(rows);
	close(fd);
}

/* More entries than the first allocation holds: every entry once, each
 * row zeroed before the fill, @ctx handed through. */
Test(sfcctl_map_rows, every_entry_once)
{
	static uint8_t seen[201];
	struct row *rows = NULL;
	int fd = hash_map(), n = 0, i, ctx;
	uint64_t val;
	uint32_t key;

	for (key = 1; key <= 200; key++) {
		val = (uint64_t)key * 1000;
		cr_assert_eq(bpf_map_update_elem(fd, &key, &val, BPF_ANY), 0);
	}
	cr_assert_eq(sfcctl_map_rows(fd, &key, &val, sizeof(*rows), fill, &ctx,
				     (void **)&rows, &n), 0);
	cr_assert_eq(n, 200);
	for (i = 0; i < n; i++) {
		cr_assert(rows[i].key >= 1 && rows[i].key <= 200, "key %u", rows[i].key);
		cr_assert_eq(seen[rows[i].key]++, 0, "key %u twice", rows[i].key);
		cr_assert_eq(rows[i].val, (uint64_t)rows[i].key * 1000);
		cr_assert_eq(rows[i].ctx, &ctx);
		cr_assert_eq(rows[i].untouched, 0);
	}
	free(rows);
	close(fd);
}
