// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_rows.c - the BPF map walk behind the `get` views that list a map's
 * entries (sfc_paths, sfc_flows, sfc_flow_tuples): one row per entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfcctl.h"

int sfcctl_map_rows(int fd, void *key, void *val, size_t size,
		    sfcctl_row_fill_fn fill, void *ctx, void **out, int *n)
{
	char *v = NULL, *nv, *row;
	void *prev = NULL;
	int cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	/* @key is both the cursor and the next key: the kernel reads the
	 * previous key before it writes the next one. */
	while (!bpf_map_get_next_key(fd, prev, key)) {
		prev = key;
		/* Deleted by the dataplane since the walk saw its key. */
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, (size_t)cap * size);
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		row = v + (size_t)cnt++ * size;
		memset(row, 0, size);
		fill(row, key, val, ctx);
	}
	*out = v;
	*n = cnt;
	return 0;
}
