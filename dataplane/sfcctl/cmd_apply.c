// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl apply -f FILE|- : validate a ServiceChain or Pod object, store it
 * atomically under the conf dir, then reconcile the maps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfcctl.h"

static char *read_stream(FILE *f)
{
	size_t len = 0, cap = 4096, got;
	char *buf = malloc(cap), *nb;

	while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 < cap)
			continue;
		if (cap >= (1u << 20)) {
			free(buf);
			return NULL;
		}
		nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/*
 * Reconcile after a change and report; the object is stored either way.
 * Problems that name @subject ("chain NAME:" / "pod NS/NAME:": the object
 * just applied) fail the command; problems elsewhere (another chain, a pod
 * waiting for a chain not applied yet) are warnings: sfc-agent heals them
 * once fixed. @subject may be NULL (delete): warnings only.
 */
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
	FILE *f;
	char *txt;
	int rc;

	if (!c->file)
		return sfcctl_fail("apply: -f FILE is required (- for stdin)");
	f = strcmp(c->file, "-") ? fopen(c->file, "r") : stdin;
	if (!f)
		return sfcctl_fail("apply: %s: %s", c->file, strerror(errno));
	txt = read_stream(f);
	if (f != stdin)
		fclose(f);
	if (!txt)
		return sfcctl_fail("apply: %s: cannot read (too large?)", c->file);
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
