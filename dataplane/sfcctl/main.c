// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl - operator CLI of sfc-cni: apply/delete standalone objects,
 * reconcile, and show endpoints, chains, paths, counters, drops, SF
 * instances and the flow cache.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfc_env.h"
#include "sfc_log.h"
#include "sfcctl.h"

static const char usage[] =
	"usage: sfcctl [--conf-dir DIR] [--state-dir DIR] [--pin-dir DIR] COMMAND\n"
	"  apply -f FILE|-          validate a ServiceChain or Pod and store it, then reconcile\n"
	"  delete chain NAME        remove a chain, then reconcile\n"
	"  delete pod NS/NAME       remove a pod object, then reconcile\n"
	"  reconcile                program sfc_paths/sfc_policy from the objects\n"
	"  get endpoints|chains|pods|paths|counters|drops [-o json]\n"
	"  flows [--file PATH] [-o json]  sf-monitor flow records (PATH and PATH.N), by bytes\n"
	"  get instances [-o json]  SF instances: group, state, per-instance traffic\n"
	"  get flowcache [-o json]  the SFF flow table: 5-tuple, SPI, instance per hop, age\n"
	"  -o json|table            output of get and flows (default table)\n"
	"defaults: --conf-dir $SFC_CONF_DIR or " SFC_CONF_DIR_DEFAULT
	", --state-dir $SFC_STATE_DIR or " SFC_STATE_DIR_DEFAULT
	", --pin-dir $SFC_PIN_DIR or " SFC_PIN_DIR_DEFAULT "\n"
	"SFC_LOG_LEVEL=warn|info|debug also prints libbpf's messages\n";

/* Value of option @name at argv[*i] ("--x V" or "--x=V"); NULL if not it. */
static const char *opt_val(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_args(int argc, char **argv, struct sfcctl *c)
{
	const char *v, *out = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--conf-dir")))
			c->conf_dir = v;
		else if ((v = opt_val(argc, argv, &i, "--state-dir")))
			c->state_dir = v;
		else if ((v = opt_val(argc, argv, &i, "--pin-dir")))
			c->pin_dir = v;
		else if ((v = opt_val(argc, argv, &i, "--file")))
			c->file = v; /* flows */
		else if ((v = opt_val(argc, argv, &i, "-f")) ||
			 (v = opt_val(argc, argv, &i, "--filename")))
			c->file = v;
		else if ((v = opt_val(argc, argv, &i, "-o")) ||
			 (v = opt_val(argc, argv, &i, "--output")))
			out = v;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return -1;
		else if (argv[i][0] == '-' && argv[i][1])
			return sfcctl_fail("unknown option %s", argv[i]) ? -1 : -1;
		else if (c->argc < SFCCTL_MAX_ARGS)
			c->argv[c->argc++] = argv[i];
	}
	if (out && strcmp(out, "json") && strcmp(out, "table"))
		return sfcctl_fail("-o %s: expected json or table", out) ? -1 : -1;
	c->json = out && !strcmp(out, "json");
	return 0;
}

static const struct {
	const char *w1, *w2;
	int (*fn)(struct sfcctl *c);
} cmds[] = {
	{ "apply", NULL, cmd_apply },
	{ "delete", NULL, cmd_delete },
	{ "reconcile", NULL, cmd_reconcile },
	{ "get", "endpoints", cmd_get_endpoints },
	{ "get", "chains", cmd_get_chains },
	{ "get", "pods", cmd_get_pods },
	{ "get", "paths", cmd_get_paths },
	{ "get", "counters", cmd_get_counters },
	{ "get", "drops", cmd_get_drops },
	{ "flows", NULL, cmd_flows },
	{ "get", "instances", cmd_get_instances },
	{ "get", "flowcache", cmd_get_flowcache },
};

/* @arg names @word: exactly, or its singular ("path" for "paths"). */
static bool word_is(const char *arg, const char *word)
{
	size_t len = strlen(word);

	if (!strcmp(arg, word))
		return true;
	return len > 1 && word[len - 1] == 's' && strlen(arg) == len - 1 &&
	       !strncmp(arg, word, len - 1);
}

int main(int argc, char **argv)
{
	struct sfcctl c = { 0 };
	size_t i;
	int skip;

	/* Errors only by default: libbpf stays silent unless SFC_LOG_LEVEL
	 * asks for more. */
	sfc_log_init("sfcctl", SFC_LOG_ERROR);
	sfc_log_libbpf();
	c.conf_dir = sfc_env_or("SFC_CONF_DIR", SFC_CONF_DIR_DEFAULT);
	c.state_dir = sfc_env_or("SFC_STATE_DIR", SFC_STATE_DIR_DEFAULT);
	c.pin_dir = sfc_env_or("SFC_PIN_DIR", SFC_PIN_DIR_DEFAULT);
	if (parse_args(argc, argv, &c) || c.argc == 0) {
		fputs(usage, stderr);
		return c.argc == 0 ? 2 : 1;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(c.argv[0], cmds[i].w1))
			continue;
		if (cmds[i].w2 && (c.argc < 2 || !word_is(c.argv[1], cmds[i].w2)))
			continue;
		skip = cmds[i].w2 ? 2 : 1;
		c.argc -= skip;
		memmove(c.argv, c.argv + skip, (size_t)c.argc * sizeof(c.argv[0]));
		return cmds[i].fn(&c);
	}
	fputs(usage, stderr);
	return 2;
}
