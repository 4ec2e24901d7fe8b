// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "sfc_io.h"

int sfc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sfc_read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t n = 0, cap = max < 4096 ? max : 4096;
	char *buf = malloc(cap + 1), *nb;
	ssize_t r;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			/* Full at @max: one more byte read proves the input is
			 * too large rather than exactly @max long. */
			if (cap == max) {
				char extra;

				do
					r = read(fd, &extra, 1);
				while (r < 0 && errno == EINTR);
				err = r < 0 ? -errno : r ? -EFBIG : 0;
				if (err)
					goto fail;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
fail:
	free(buf);
	return err;
}
