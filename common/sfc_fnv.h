/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfc_fnv.h - FNV-1a hashes (Fowler/Noll/Vo, draft-eastlake-fnv), the one
 * copy every program uses: host veth names, chain SPIs, group ids, the
 * build id of the BPF objects and the SFs' flow tables. Not for anything
 * an attacker must not be able to collide on purpose.
 */
#ifndef SFC_FNV_H
#define SFC_FNV_H

#include <stddef.h>
#include <stdint.h>

#define SFC_FNV32_INIT 2166136261u
#define SFC_FNV32_PRIME 16777619u
#define SFC_FNV64_INIT 0xcbf29ce484222325ull
#define SFC_FNV64_PRIME 0x100000001b3ull

/**
 * sfc_fnv1a64() - continue a 64-bit FNV-1a hash @h (start with
 * SFC_FNV64_INIT) over @n bytes at @p.
 * Return: the updated hash.
 */
static inline uint64_t sfc_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= SFC_FNV64_PRIME;
	}
	return h;
}

/**
 * sfc_fnv1a32_str() - 32-bit FNV-1a of the NUL-terminated string @s.
 * Return: the hash (SFC_FNV32_INIT for "").
 */
static inline uint32_t sfc_fnv1a32_str(const char *s)
{
	uint32_t h = SFC_FNV32_INIT;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= SFC_FNV32_PRIME;
	}
	return h;
}

#endif /* SFC_FNV_H */
