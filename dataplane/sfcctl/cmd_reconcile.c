// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl reconcile : program sfc_paths and sfc_policy from the objects.
 */
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"
#include "sfcctl.h"

int cmd_reconcile(struct sfcctl *c)
{
	char err[4096] = "";
	int rc;

	if (sfcctl_standalone_only(c, "reconcile"))
		return 1;
	rc = sfc_reconcile(c->conf_dir, c->state_dir, c->pin_dir, err, sizeof(err));
	if (rc)
		return sfcctl_fail("reconcile: %s", err[0] ? err : strerror(-rc));
	printf("reconciled\n");
	return 0;
}
