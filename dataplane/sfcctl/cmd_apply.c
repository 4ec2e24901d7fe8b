// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl apply -f FILE|- : validate a ServiceChain or Pod object, store it
 * atomically under the conf dir, then reconcile the maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sfc_control.h"
#include "sfc_io.h"
#include "sfcctl.h"

/* Largest object accepted: the size the control library reads back. */
#define APPLY_MAX (1u << 20)

int sfcctl_reconcile_after(struct sfcctl *c, const char *what,
			   const char *subject)
{
	char err[4096] = "";
	int rc;

	rc = sfc_reconcile(c->conf_dir, c->state_dir, c->pin_dir, err, sizeof(err));
	if (rc == -ENOENT)
		fprintf(stderr, "sfcctl: %s stored; not programmed, dataplane not "
			"initialised under %s\n", what, c->pin_dir);
	else if (rc == -EINVAL && subject && strstr(err, subject))
		return sfcctl_fail("%s stored, but it cannot be programmed: %s",
				   what, err);
	else if (rc == -EINVAL)
		fprintf(stderr, "sfcctl: warning: %s stored; reconcile reported: %s\n",
			what, err);
	else if (rc)
		return sfcctl_fail("%s stored, but programming the maps failed: %s",
				   what, err[0] ? err : strerror(-rc));
	return 0;
}

int cmd_apply(struct sfcctl *c)
{
	char err[1024] = "", kind[32] = "", id[320] = "", what[400], subject[340];
	char *txt = NULL;
	int fd, rc;

	if (sfcctl_standalone_only(c, "apply"))
		return 1;
	if (!c->file)
		return sfcctl_fail("apply: -f FILE is required (- for stdin)");
	fd = strcmp(c->file, "-") ? open(c->file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return sfcctl_fail("apply: %s: %s", c->file, strerror(errno));
	rc = sfc_read_all(fd, APPLY_MAX, &txt, NULL);
	if (fd)
		close(fd);
	if (rc == -EFBIG)
		return sfcctl_fail("apply: %s: larger than %u bytes", c->file,
				   APPLY_MAX);
	if (rc)
		return sfcctl_fail("apply: %s: %s", c->file, strerror(-rc));
	rc = sfc_store_apply(c->conf_dir, txt, kind, id, err, sizeof(err));
	free(txt);
	if (rc)
		return sfcctl_fail("apply: %s: %s", c->file, err);
	snprintf(what, sizeof(what), "%s %s", kind, id);
	printf("%s configured\n", what);
	snprintf(subject, sizeof(subject), "%s %s:",
		 strcmp(kind, "ServiceChain") ? "pod" : "chain", id);
	return sfcctl_reconcile_after(c, what, subject);
}
