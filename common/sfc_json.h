/* SPDX-License-Identifier: GPL-2.0-only */
/* sfc_json.h - checked conversions of cJSON numbers to C integers. */
#ifndef SFC_JSON_H
#define SFC_JSON_H

#include <stdint.h>

#include <cjson/cJSON.h>

/**
 * sfc_json_uint() - the value of JSON number @v as an integer in
 * [@lo, @hi] (@hi at most 2^53, the largest range a double holds exactly).
 * The range is checked on the double before any cast: casting a double
 * outside the target type's range is undefined behaviour in C.
 * @out: set only on success.
 * Return: 0; -EINVAL when @v is NULL, not a number or not a whole number;
 * -ERANGE when it is a whole number outside [@lo, @hi] (so a caller can
 * tell "wrong type" from "unsupported value", as CNI error codes do).
 */
int sfc_json_uint(const cJSON *v, uint64_t lo, uint64_t hi, uint64_t *out);

#endif /* SFC_JSON_H */
