// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfcctl get flowcache : the SFF's flow table (sfc_flows): per flow its
 * SFP, the SF instance pinned at each hop, and its age. The 5-tuple comes
 * from the flow's reply entry in sfc_flow_tuples (installed when a forward
 * packet reached the end of the path: the tuple as delivered, i.e. after
 * any NAT on the way); a flow whose first packet has not reached the end
 * yet shows no tuple.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sfc_control.h"
#include "sfc_dp.h"
#include "sfcctl.h"

struct tuple_ref {
	uint32_t flow_id;
	struct sfc_flow_key k; /* forward orientation */
};

struct flow_row {
	uint32_t id;
	struct sfc_flow f;
	const struct sfc_flow_key *k; /* NULL if not known */
};

/* A sfc_flow_tuples entry (the reply's tuple) turned back to the forward
 * direction. */
static void tuple_fill(void *row, const void *key, const void *val, void *ctx)
{
	const struct sfc_flow_ref *ref = val;
	const struct sfc_flow_key *k = key;
	struct tuple_ref *t = row;

	t->flow_id = ref->flow_id;
	t->k = *k;
	memcpy(t->k.saddr, k->daddr, sizeof(k->daddr));
	memcpy(t->k.daddr, k->saddr, sizeof(k->saddr));
	t->k.sport = k->dport;
	t->k.dport = k->sport;
}

static int tuples_load(struct sfc_dp *dp, struct tuple_ref **out, int *n)
{
	struct sfc_flow_key key;
	struct sfc_flow_ref ref;

	return sfcctl_map_rows(dp->flow_tuples_fd, &key, &ref, sizeof(**out),
			       tuple_fill, NULL, (void **)out, n);
}

static void flow_fill(void *row, const void *key, const void *val, void *ctx)
{
	struct flow_row *r = row;

	r->id = *(const uint32_t *)key;
	r->f = *(const struct sfc_flow *)val;
}

static int flows_load(struct sfc_dp *dp, struct flow_row **out, int *n)
{
	struct sfc_flow f;
	uint32_t key;

	return sfcctl_map_rows(dp->flows_fd, &key, &f, sizeof(**out),
			       flow_fill, NULL, (void **)out, n);
}

static const char *proto_name(uint8_t p, char *buf)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	}
	snprintf(buf, 8, "%u", p);
	return buf;
}

static void addr_text(const struct sfc_flow_key *k, const __be32 *a, char *buf)
{
	inet_ntop(k->family == 6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN);
}

/* Hops the flow has an instance for: n_hops once known, else up to the
 * last chosen one. */
static int flow_hops(const struct sfc_flow *f)
{
	int n = f->n_hops, i;

	if (n > SFC_FLOW_MAX_HOPS)
		n = SFC_FLOW_MAX_HOPS;
	if (n)
		return n;
	for (i = 0; i < SFC_FLOW_MAX_HOPS; i++)
		if (f->inst[i])
			n = i + 1;
	return n;
}

static cJSON *flow_json(const struct flow_row *r, const struct sfc_plan *p,
			struct sfc_dp *dp, uint64_t now)
{
	const struct sfc_chain_entry *ce = sfc_plan_chain_by_spi(p, r->f.spi);
	char a[INET6_ADDRSTRLEN], pb[8], pod[320];
	cJSON *o = cJSON_CreateObject(), *hops, *h;
	int i, n = flow_hops(&r->f);

	cJSON_AddNumberToObject(o, "flowId", r->id);
	cJSON_AddStringToObject(o, "chain", ce ? ce->chain.name : "");
	cJSON_AddNumberToObject(o, "spi", r->f.spi);
	cJSON_AddNumberToObject(o, "reverseSpi", r->f.rev_spi);
	cJSON_AddStringToObject(o, "proto", r->k ? proto_name(r->k->proto, pb) : "");
	if (r->k)
		addr_text(r->k, r->k->saddr, a);
	cJSON_AddStringToObject(o, "src", r->k ? a : "");
	cJSON_AddNumberToObject(o, "sport", r->k ? r->k->sport : 0);
	if (r->k)
		addr_text(r->k, r->k->daddr, a);
	cJSON_AddStringToObject(o, "dst", r->k ? a : "");
	cJSON_AddNumberToObject(o, "dport", r->k ? r->k->dport : 0);
	cJSON_AddNumberToObject(o, "srcVpid", r->f.src_vpid);
	sfcctl_pod_of(p, r->f.src_vpid, pod, sizeof(pod));
	cJSON_AddStringToObject(o, "srcPod", pod);
	hops = cJSON_AddArrayToObject(o, "hops");
	for (i = 0; i < n; i++) {
		h = cJSON_CreateObject();
		cJSON_AddNumberToObject(h, "si", SFC_NSH_SI_START - i);
		cJSON_AddStringToObject(h, "function",
					ce && i < ce->chain.n_sfs ? ce->chain.sfs[i] : "");
		cJSON_AddNumberToObject(h, "vpid", r->f.inst[i]);
		sfcctl_pod_of(p, r->f.inst[i], pod, sizeof(pod));
		cJSON_AddStringToObject(h, "pod", pod);
		cJSON_AddStringToObject(h, "state", !r->f.inst[i] ? "-" :
					sfcctl_sf_down(dp, r->f.inst[i]) ? "down" : "up");
		cJSON_AddItemToArray(hops, h);
	}
	cJSON_AddNumberToObject(o, "ageMs", now > r->f.last_ns ?
				(double)((now - r->f.last_ns) / 1000000ull) : 0);
	return o;
}

static void flow_row_text(struct table *t, const struct flow_row *r,
			  const struct sfc_plan *p, uint64_t now)
{
	const struct sfc_chain_entry *ce = sfc_plan_chain_by_spi(p, r->f.spi);
	char id[16], spi[24], src[64] = "-", dst[64] = "-", a[INET6_ADDRSTRLEN];
	char pb[8], inst[1024] = "", one[330], age[24], pod[320];
	int i, n = flow_hops(&r->f);

	snprintf(id, sizeof(id), "%08x", r->id);
	snprintf(spi, sizeof(spi), "%u/%u", r->f.spi, r->f.rev_spi);
	if (r->k) {
		addr_text(r->k, r->k->saddr, a);
		snprintf(src, sizeof(src), "%s:%u", a, r->k->sport);
		addr_text(r->k, r->k->daddr, a);
		snprintf(dst, sizeof(dst), "%s:%u", a, r->k->dport);
	}
	for (i = 0; i < n; i++) {
		sfcctl_pod_of(p, r->f.inst[i], pod, sizeof(pod));
		snprintf(one, sizeof(one), "%s%s", i ? "," : "",
			 r->f.inst[i] ? (pod[0] ? pod : "?") : "-");
		strncat(inst, one, sizeof(inst) - strlen(inst) - 1);
	}
	snprintf(age, sizeof(age), "%llums", now > r->f.last_ns ?
		 (unsigned long long)((now - r->f.last_ns) / 1000000ull) : 0ull);
	table_row(t, id, ce ? ce->chain.name : "?", spi,
		  r->k ? proto_name(r->k->proto, pb) : "-", src, dst,
		  inst[0] ? inst : "-", age);
}

int cmd_get_flowcache(struct sfcctl *c)
{
	static const char *const hdr[] = { "FLOW", "CHAIN", "SPI/REV", "PROTO",
		"SRC", "DST", "INSTANCE-PER-HOP", "AGE" };
	struct tuple_ref *tup = NULL;
	struct flow_row *rows = NULL;
	char err[4096] = "";
	struct sfc_dp dp;
	struct sfcctl_src src;
	struct sfc_plan p;
	struct table *t = NULL;
	cJSON *arr = NULL;
	int nt = 0, nr = 0, i, j, rc;
	uint64_t now;

	if (sfcctl_open_dp(c, &dp, "get flowcache"))
		return 1;
	rc = tuples_load(&dp, &tup, &nt);
	if (!rc)
		rc = flows_load(&dp, &rows, &nr);
	if (rc) {
		free(tup);
		sfc_dp_close(&dp);
		return sfcctl_fail("get flowcache: reading the flow table: %s",
				   strerror(-rc));
	}
	sfcctl_plan_load(c, &p, &src, err, sizeof(err));
	sfcctl_src_free(&src);
	for (i = 0; i < nr; i++)
		for (j = 0; j < nt && !rows[i].k; j++)
			if (tup[j].flow_id == rows[i].id)
				rows[i].k = &tup[j].k;
	now = sfc_dp_now_ns();
	if (c->json)
		arr = cJSON_CreateArray();
	else
		t = table_new(8, hdr);
	for (i = 0; i < nr; i++) {
		if (arr)
			cJSON_AddItemToArray(arr, flow_json(&rows[i], &p, &dp, now));
		else
			flow_row_text(t, &rows[i], &p, now);
	}
	sfc_plan_free(&p);
	sfc_dp_close(&dp);
	free(rows);
	free(tup);
	return sfcctl_print(arr, t);
}
