// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>

#include "sfc_json.h"

int sfc_json_uint(const cJSON *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	d = v->valuedouble;
	/* Written as !(in range) so that NaN, which compares false, fails. */
	if (!(d >= (double)lo) || !(d <= (double)hi) || d != floor(d))
		return -EINVAL;
	*out = (uint64_t)d;
	return 0;
}
