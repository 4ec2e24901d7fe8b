// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_log.h"

static const char *log_prog = "sfc";
static enum sfc_log_level log_level = SFC_LOG_ERROR;

static const char *const level_names[] = {
	[SFC_LOG_ERROR] = "error",
	[SFC_LOG_WARN] = "warn",
	[SFC_LOG_INFO] = "info",
	[SFC_LOG_DEBUG] = "debug",
};

enum sfc_log_level sfc_log_init(const char *prog, enum sfc_log_level def)
{
	const char *v = getenv("SFC_LOG_LEVEL");
	size_t i;

	log_prog = prog;
	log_level = def;
	for (i = 0; v && i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcmp(v, level_names[i]))
			log_level = (enum sfc_log_level)i;
	return log_level;
}

enum sfc_log_level sfc_log_level(void)
{
	return log_level;
}

void sfc_log(enum sfc_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	fprintf(stderr, "%s: ", log_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
