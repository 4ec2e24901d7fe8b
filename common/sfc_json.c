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
	if (d != floor(d)) /* fractional, or NaN (never equal to itself) */
		return -EINVAL;
	/* Range before the cast: casting a double outside uint64_t's range
	 * is undefined behaviour. Infinities land here too. */
	if (!(d >= (double)lo && d <= (double)hi))
		return -ERANGE;
	*out = (uint64_t)d;
	return 0;
}
