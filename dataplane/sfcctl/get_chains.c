// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get chains : every ServiceChain this node programs, compiled (no
 * maps needed): name, SPIs, SF types, failure policy, matches, pods,
 * status; in cluster mode from sfc-agent's snapshot, with the object's
 * generation and the chain's Ready condition on this node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_control.h"
#include "sfcctl.h"

static const char *dir_name(uint32_t d)
{
	return d == SFC_DIR_INGRESS ? "ingress" : "egress";
}

static cJSON *match_json(const struct sfc_match *m)
{
	char proto[8], cidr[64], ports[16];
	cJSON *o = cJSON_CreateObject();

	sfc_rule_format(&m->rule, proto, cidr, ports);
	cJSON_AddStringToObject(o, "direction", dir_name(m->dir));
	cJSON_AddStringToObject(o, "protocol", proto);
	cJSON_AddStringToObject(o, "cidr", cidr);
	cJSON_AddStringToObject(o, "ports", ports);
	return o;
}

/* App endpoints' pods annotated with chain @name. */
static cJSON *chain_pods(const struct sfc_plan *p, const char *name)
{
	cJSON *a = cJSON_CreateArray();
	int i;

	for (i = 0; i < p->n_pods; i++) {
		char id[320];

		if (strcmp(p->pods[i].info.chain, name))
			continue;
		snprintf(id, sizeof(id), "%s/%s", p->pods[i].ns, p->pods[i].name);
		cJSON_AddItemToArray(a, cJSON_CreateString(id));
	}
	return a;
}

static cJSON *chain_json(const struct sfc_plan *p, const struct sfc_chain_entry *e,
			 const struct sfc_chain_ready *r)
{
	const struct sfc_chain *c = &e->chain;
	cJSON *o = cJSON_CreateObject(), *a;
	int i;

	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "file", e->file);
	cJSON_AddNumberToObject(o, "spi", e->name_known ? c->spi : 0);
	cJSON_AddNumberToObject(o, "reverseSpi",
				e->name_known ? sfc_chain_rev_spi(c) : 0);
	a = cJSON_AddArrayToObject(o, "functions");
	for (i = 0; i < c->n_sfs; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->sfs[i]));
	cJSON_AddStringToObject(o, "failurePolicy", sfc_fail_policy_name(c->policy));
	a = cJSON_AddArrayToObject(o, "match");
	for (i = 0; i < c->n_match; i++)
		cJSON_AddItemToArray(a, match_json(&c->match[i]));
	cJSON_AddItemToObject(o, "pods", chain_pods(p, c->name));
	cJSON_AddStringToObject(o, "status", e->status ? "error" : "ok");
	cJSON_AddStringToObject(o, "error", e->status ? e->error : "");
	if (!r)
		return o;
	cJSON_AddNumberToObject(o, "generation", (double)r->generation);
	cJSON_AddStringToObject(o, "ready", r->ready);
	cJSON_AddStringToObject(o, "reason", r->reason);
	cJSON_AddStringToObject(o, "message", r->message);
	return o;
}

static void matches_text(const struct sfc_chain *c, char *buf, size_t len)
{
	char proto[8], cidr[64], ports[16], one[128];
	int i;

	buf[0] = '\0';
	if (!c->n_match) {
		snprintf(buf, len, "egress all");
		return;
	}
	for (i = 0; i < c->n_match; i++) {
		sfc_rule_format(&c->match[i].rule, proto, cidr, ports);
		snprintf(one, sizeof(one), "%s%s %s%s%s%s%s", i ? "," : "",
			 dir_name(c->match[i].dir), proto, cidr[0] ? " " : "", cidr,
			 ports[0] ? ":" : "", ports);
		strncat(buf, one, len - strlen(buf) - 1);
	}
}

/* One line; in cluster mode (@r not NULL) with GEN and READY
 * ("True/Compiled", "False/NoInstances") before STATUS. */
static void chain_row(struct table *t, const struct sfc_chain_entry *e,
		      const struct sfc_chain_ready *r, bool cluster)
{
	const struct sfc_chain *c = &e->chain;
	char spi[32] = "-", fns[512] = "", m[1024], gen[24] = "-", ready[80] = "-";
	int i;

	if (e->name_known)
		snprintf(spi, sizeof(spi), "%u/%u", c->spi, sfc_chain_rev_spi(c));
	for (i = 0; i < c->n_sfs; i++) {
		if (i)
			strncat(fns, "->", sizeof(fns) - strlen(fns) - 1);
		strncat(fns, c->sfs[i], sizeof(fns) - strlen(fns) - 1);
	}
	matches_text(c, m, sizeof(m));
	if (r) {
		snprintf(gen, sizeof(gen), "%lld", r->generation);
		snprintf(ready, sizeof(ready), "%s/%s", r->ready, r->reason);
	}
	if (cluster)
		table_row(t, c->name[0] ? c->name : e->file, spi, fns[0] ? fns : "-",
			  sfc_fail_policy_name(c->policy), m, gen, ready,
			  e->status ? "error" : "ok", e->status ? e->error : "");
	else
		table_row(t, c->name[0] ? c->name : e->file, spi, fns[0] ? fns : "-",
			  sfc_fail_policy_name(c->policy), m,
			  e->status ? "error" : "ok", e->status ? e->error : "");
}

int cmd_get_chains(struct sfcctl *c)
{
	static const char *const hdr[] = { "NAME", "SPI/REV", "FUNCTIONS", "POLICY",
		"MATCH", "STATUS", "ERROR" };
	static const char *const hdr_cluster[] = { "NAME", "SPI/REV", "FUNCTIONS",
		"POLICY", "MATCH", "GEN", "READY", "STATUS", "ERROR" };
	const struct sfc_chain_ready *r;
	char err[4096] = "";
	struct sfcctl_src src;
	struct sfc_plan p;
	struct table *t = NULL;
	cJSON *arr = NULL;
	int i, rc;

	rc = sfcctl_plan_load(c, &p, &src, err, sizeof(err));
	if (rc) {
		sfc_plan_free(&p);
		sfcctl_src_free(&src);
		return sfcctl_fail("get chains: %s", err[0] ? err : strerror(-rc));
	}
	if (c->json)
		arr = cJSON_CreateArray();
	else if (src.cluster)
		t = table_new(9, hdr_cluster);
	else
		t = table_new(7, hdr);
	if (t)
		sfcctl_src_note(&src);
	for (i = 0; i < p.n_chains; i++) {
		r = sfcctl_chain_ready(&src, p.chains[i].chain.name);
		if (arr)
			cJSON_AddItemToArray(arr, chain_json(&p, &p.chains[i], r));
		else
			chain_row(t, &p.chains[i], r, src.cluster);
	}
	sfc_plan_free(&p);
	sfcctl_src_free(&src);
	return sfcctl_print(arr, t);
}
