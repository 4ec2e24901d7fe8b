// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libbpf print hook, in its own object so that programs without
 * libbpf (the SFs) link sfc_log without pulling libbpf in.
 */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "sfc_log.h"

static int sfc_libbpf_print(enum libbpf_print_level lvl, const char *fmt,
			    va_list ap)
{
	enum sfc_log_level want = lvl == LIBBPF_WARN ? SFC_LOG_WARN :
				  lvl == LIBBPF_INFO ? SFC_LOG_INFO :
						       SFC_LOG_DEBUG;

	if (want > sfc_log_level())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void sfc_log_libbpf(void)
{
	libbpf_set_print(sfc_libbpf_print);
}
