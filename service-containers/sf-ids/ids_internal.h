/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ids_internal.h - what ids.c (packet path) gives ids_db.c (database,
 * config, reload). Not for SFs.
 */
#ifndef SF_IDS_INTERNAL_H
#define SF_IDS_INTERNAL_H

#include "ids.h"

/* Register the eviction hook (closes the victim's streams). */
void sf_ids_flows_init(struct sf_ids *ids);
/* Close every open stream (reload, exit); flows and blocks stay. */
void sf_ids_close_all(struct sf_ids *ids);

#endif /* SF_IDS_INTERNAL_H */
