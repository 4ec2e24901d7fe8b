/* SPDX-License-Identifier: GPL-2.0-only */
/* sfc_io.h - whole-buffer read and write loops over file descriptors. */
#ifndef SFC_IO_H
#define SFC_IO_H

#include <stddef.h>

/**
 * sfc_write_all() - write all @len bytes of @buf to @fd, retrying short
 * writes and EINTR.
 * Return: 0, or -errno of the failing write().
 */
int sfc_write_all(int fd, const void *buf, size_t len);

/**
 * sfc_read_all() - read @fd to end of file into a new NUL-terminated
 * buffer of at most @max bytes (not counting the NUL).
 * @out: set to the buffer on success; the caller frees it.
 * @len: set to the number of bytes read (optional).
 * Return: 0; -EFBIG when the input has more than @max bytes; -ENOMEM;
 * -errno of the failing read(). Nothing is allocated on error.
 */
int sfc_read_all(int fd, size_t max, char **out, size_t *len);

#endif /* SFC_IO_H */
