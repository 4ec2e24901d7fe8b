// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>

#include "sfc_env.h"

const char *sfc_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && v[0] ? v : def;
}
