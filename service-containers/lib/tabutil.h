/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tabutil.h - pieces the bounded SF tables (conntrack, NAT, rate limiter,
 * flow map) share: index-linked doubly linked lists over a parallel link array (no
 * pointers, so a table is a few flat allocations made once) and a byte
 * hash. Header-only, pure.
 */
#ifndef SF_TABUTIL_H
#define SF_TABUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sfc_fnv.h"

#define SF_IDX_NONE UINT32_MAX

struct sf_ilink {
	uint32_t prev, next;
};

/* head = most recently used, tail = least. */
struct sf_ilist {
	uint32_t head, tail;
	uint32_t n;
};

static inline void sf_ilist_init(struct sf_ilist *l)
{
	l->head = l->tail = SF_IDX_NONE;
	l->n = 0;
}

static inline void sf_ilist_unlink(struct sf_ilist *l, struct sf_ilink *k,
				   uint32_t i)
{
	if (k[i].prev != SF_IDX_NONE)
		k[k[i].prev].next = k[i].next;
	else
		l->head = k[i].next;
	if (k[i].next != SF_IDX_NONE)
		k[k[i].next].prev = k[i].prev;
	else
		l->tail = k[i].prev;
	k[i].prev = k[i].next = SF_IDX_NONE;
	l->n--;
}

static inline void sf_ilist_push_head(struct sf_ilist *l, struct sf_ilink *k,
				      uint32_t i)
{
	k[i].prev = SF_IDX_NONE;
	k[i].next = l->head;
	if (l->head != SF_IDX_NONE)
		k[l->head].prev = i;
	l->head = i;
	if (l->tail == SF_IDX_NONE)
		l->tail = i;
	l->n++;
}

static inline void sf_ilist_push_tail(struct sf_ilist *l, struct sf_ilink *k,
				      uint32_t i)
{
	k[i].next = SF_IDX_NONE;
	k[i].prev = l->tail;
	if (l->tail != SF_IDX_NONE)
		k[l->tail].next = i;
	l->tail = i;
	if (l->head == SF_IDX_NONE)
		l->head = i;
	l->n++;
}

/* FNV-1a, 64-bit, then folded: keys are small (<= 40 bytes). */
static inline uint32_t sf_hash_bytes(const void *p, size_t n)
{
	uint64_t h = sfc_fnv1a64(SFC_FNV64_INIT, p, n);

	return (uint32_t)(h ^ (h >> 32));
}

/* Smallest power of two >= n (n <= 2^31). */
static inline uint32_t sf_pow2_ceil(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

#endif /* SF_TABUTIL_H */
