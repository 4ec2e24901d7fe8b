// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl delete chain NAME | delete pod NS/NAME : remove the object's file
 * from the conf dir, then reconcile the maps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sfc_control.h"
#include "sfcctl.h"

int cmd_delete(struct sfcctl *c)
{
	char ns[SFC_NAME_MAX] = "default", what[400];
	const char *name, *slash;
	int rc;

	if (sfcctl_standalone_only(c, "delete"))
		return 1;
	if (c->argc != 2)
		return sfcctl_fail("delete: expected `chain NAME` or `pod NS/NAME`");
	name = c->argv[1];
	if (!strcmp(c->argv[0], "chain") || !strcmp(c->argv[0], "chains")) {
		rc = sfc_store_delete_chain(c->conf_dir, name);
		snprintf(what, sizeof(what), "ServiceChain %s", name);
	} else if (!strcmp(c->argv[0], "pod") || !strcmp(c->argv[0], "pods")) {
		slash = strchr(name, '/');
		if (slash) {
			if ((size_t)(slash - name) >= sizeof(ns) || slash == name)
				return sfcctl_fail("delete pod: bad namespace in %s", name);
			memcpy(ns, name, (size_t)(slash - name));
			ns[slash - name] = '\0';
			name = slash + 1;
		}
		rc = sfc_store_delete_pod(c->conf_dir, ns, name);
		snprintf(what, sizeof(what), "Pod %s/%s", ns, name);
	} else {
		return sfcctl_fail("delete: unknown kind %s (chain or pod)", c->argv[0]);
	}
	if (rc == -ENOENT)
		return sfcctl_fail("delete: %s not found under %s", what, c->conf_dir);
	if (rc)
		return sfcctl_fail("delete: %s: %s", what, strerror(-rc));
	printf("%s deleted\n", what);
	return sfcctl_reconcile_after(c, what, NULL);
}
