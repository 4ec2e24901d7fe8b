// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_agent_k8s.c - the pure parts of sfc-agent's cluster mode: API
 * objects through the standalone parsers, the no-chain drop rule, the
 * ServiceChain status merge patch and its reasons, Events, the CNI
 * socket's messages (sfc_agent_proto.h), and the snapshot for sfcctl.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sfc_agent_proto.h"
#include "sfc_dp.h"
#include "agent.h"

#define NODE "node-a"

static cJSON *json(const char *txt)
{
	cJSON *o = cJSON_Parse(txt);

	cr_assert_not_null(o, "bad test JSON: %s", txt);
	return o;
}

/* A Pod as the API server sends it: uid, status, other annotations. */
static cJSON *api_pod(const char *name, const char *annotations)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"ns1\",\"uid\":\"u-%s\",\"resourceVersion\":\"7\","
		 "\"annotations\":%s},\"spec\":{\"nodeName\":\"" NODE "\"},"
		 "\"status\":{\"phase\":\"Pending\"}}", name, name, annotations);
	return json(buf);
}

static cJSON *api_chain(const char *name, const char *spec, int gen,
			const char *status)
{
	char buf[8192];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"sfc.io/v1alpha1\",\"kind\":\"ServiceChain\","
		 "\"metadata\":{\"name\":\"%s\",\"uid\":\"c1\",\"generation\":%d,"
		 "\"resourceVersion\":\"9\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},"
		 "\"spec\":%s%s%s}", name, gen, spec, status ? ",\"status\":" : "",
		 status ? status : "");
	return json(buf);
}

Test(agent_k8s, pod_through_the_standalone_parser)
{
	cJSON *o = api_pod("c", "{\"sfc.io/chain\":\"fw\",\"other.io/x\":\"y\","
			   "\"sfc.io/allowed-sources\":\"10.9.0.0/16\"}");
	cJSON *min = agent_k8s_pod_min(o);
	struct sfc_pod p;

	cr_assert_eq(agent_k8s_pod(o, &p), 0, "%s", p.error);
	cr_assert_str_eq(p.ns, "ns1");
	cr_assert_str_eq(p.name, "c");
	cr_assert_str_eq(p.info.chain, "fw");
	cr_assert_eq(p.info.n_allowed_src, 1);
	/* The answer to sfc-cni: identity and sfc.io/ annotations only. */
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(min, "metadata"), "uid")->valuestring, "u-c");
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(min, "metadata"),
							       "annotations"), "other.io/x"));
	cr_assert_null(cJSON_GetObjectItem(min, "status"));
	cJSON_Delete(min);
	cJSON_Delete(o);
}

Test(agent_k8s, unusable_pod_keeps_its_identity)
{
	cJSON *o = api_pod("bad", "{\"sfc.io/allowed-sources\":\"10.0.0.0/99\"}");
	struct sfc_pod p;

	cr_assert_eq(agent_k8s_pod(o, &p), -EINVAL);
	cr_assert_eq(p.status, -EINVAL);
	cr_assert_str_eq(p.name, "bad");
	cr_assert_str_eq(p.ns, "ns1");
	cr_assert(strstr(p.error, "pod ns1/bad: ") && strstr(p.error, "sfc.io/allowed-sources"),
		  "%s", p.error);
	cr_assert_str_eq(p.info.chain, "");
	cJSON_Delete(o);
	o = api_pod("bad2", "[\"not\",\"an object\"]");
	cr_assert_eq(agent_k8s_pod(o, &p), -EINVAL);
	cr_assert(strstr(p.error, "annotations"), "%s", p.error);
	cJSON_Delete(o);
}

Test(agent_k8s, chain_object_with_status)
{
	cJSON *o = api_chain("fw-count", "{\"functions\":[\"firewall\",\"counter\"]}", 3,
			     "{\"observedGeneration\":2}");
	struct sfc_chain_entry e;

	cr_assert_eq(sfc_chain_object(o, &e), 0, "%s", e.error);
	cr_assert_eq(e.name_known, 1);
	cr_assert_eq(e.chain.n_sfs, 2);
	cr_assert_eq(e.chain.spi, sfc_chain_spi("fw-count"));
	cJSON_Delete(o);
	/* A spec the parser refuses: still that chain (last maps kept). */
	o = api_chain("broken", "{\"functions\":[\"fw\"],\"match\":[{\"protocol\":\"tcp\",\"ports\":\"9000-80\"}]}",
		      1, NULL);
	cr_assert_eq(sfc_chain_object(o, &e), -EINVAL);
	cr_assert_eq(e.name_known, 1);
	cr_assert_str_eq(e.chain.name, "broken");
	cr_assert_eq(e.chain.spi, sfc_chain_spi("broken"));
	cr_assert(strstr(e.error, "servicechain broken: spec.match[0].ports"), "%s", e.error);
	cJSON_Delete(o);
}

static struct sfc_ep_record ep(uint32_t vpid, uint32_t role, const char *fn,
			       const char *name)
{
	struct sfc_ep_record r;

	memset(&r, 0, sizeof(r));
	r.vpid = vpid;
	r.role = role;
	strcpy(r.pod_namespace, "ns1");
	snprintf(r.pod_name, sizeof(r.pod_name), "%s", name);
	snprintf(r.function, sizeof(r.function), "%s", fn);
	return r;
}

/* Chains fw-count (firewall, counter), bad (firewall, nosuch), broken;
 * pods c (fw-count), u (chain "later", unknown), k (broken), fw, cnt,
 * idle (declares "monitor" but is not wired); endpoints of all but idle. */
static void plan(struct sfc_plan *p)
{
	const char *chains[] = {
		"{\"functions\":[\"firewall\",\"counter\"]}",
		"{\"functions\":[\"firewall\",\"nosuch\"]}",
		"{\"functions\":[\"firewall\"],\"match\":[{\"ports\":\"80\"}]}",
		"{\"functions\":[\"monitor\"]}",
	};
	const char *cnames[] = { "fw-count", "bad", "broken", "mon" };
	const char *pods[][2] = {
		{ "c", "{\"sfc.io/chain\":\"fw-count\"}" },
		{ "u", "{\"sfc.io/chain\":\"later\"}" },
		{ "k", "{\"sfc.io/chain\":\"broken\"}" },
		{ "fw", "{\"sfc.io/function\":\"firewall\"}" },
		{ "cnt", "{\"sfc.io/function\":\"counter\"}" },
		{ "idle", "{\"sfc.io/function\":\"monitor\"}" },
	};
	struct sfc_chain_entry ce[4];
	struct sfc_pod pe[6];
	struct sfc_ep_record eps[5] = {
		ep(1, SFC_ROLE_APP, "", "c"), ep(2, SFC_ROLE_APP, "", "u"),
		ep(3, SFC_ROLE_APP, "", "k"), ep(4, SFC_ROLE_SF, "firewall", "fw"),
		ep(5, SFC_ROLE_SF, "counter", "cnt"),
	};
	struct sfc_objects in = { ce, 4, pe, 6, eps, 5 };
	char err[2048];
	cJSON *o;
	int i;

	for (i = 0; i < 4; i++) {
		o = api_chain(cnames[i], chains[i], 1, NULL);
		sfc_chain_object(o, &ce[i]);
		cJSON_Delete(o);
	}
	for (i = 0; i < 6; i++) {
		o = api_pod(pods[i][0], pods[i][1]);
		cr_assert_eq(agent_k8s_pod(o, &pe[i]), 0, "%s", pe[i].error);
		cJSON_Delete(o);
	}
	cr_assert_eq(sfc_plan_compile(&in, p, err, sizeof(err)), 0);
}

static const struct sfc_policy_entry *pol_of(const struct sfc_plan *p, uint32_t vpid)
{
	for (int i = 0; i < p->n_pols; i++)
		if (p->pols[i].key.vpid == vpid)
			return &p->pols[i];
	return NULL;
}

Test(agent_k8s, unknown_chain_fails_closed)
{
	const struct sfc_policy_entry *pe;
	struct sfc_plan p;

	plan(&p);
	cr_assert_null(pol_of(&p, 2), "compile gives the unknown chain's pod nothing");
	cr_assert_str_eq(sfc_plan_unknown_chain(&p, sfc_plan_endpoint(&p, 2)), "later");
	cr_assert_null(sfc_plan_unknown_chain(&p, sfc_plan_endpoint(&p, 1)));
	/* A broken chain exists: its pod keeps its last maps, no drop rule. */
	cr_assert_null(sfc_plan_unknown_chain(&p, sfc_plan_endpoint(&p, 3)));
	cr_assert_null(sfc_plan_unknown_chain(&p, sfc_plan_endpoint(&p, 4)), "SF endpoint");
	cr_assert_eq(sfc_plan_drop_unknown_chains(&p), 1);
	pe = pol_of(&p, 2);
	cr_assert_not_null(pe);
	cr_assert_eq(pe->key.dir, SFC_DIR_EGRESS);
	cr_assert_eq(pe->pol.n_rules, 1);
	cr_assert_eq(pe->pol.rules[0].spi, SFC_SPI_NO_CHAIN);
	cr_assert_eq(pe->pol.rules[0].proto, 0);
	cr_assert_eq(pe->pol.rules[0].prefix_len, 0);
	cr_assert_eq(pe->pol.rules[0].port_hi, 65535);
	cr_assert_null(pol_of(&p, 3));
	cr_assert_eq(sfc_plan_drop_unknown_chains(&p), 0, "idempotent");
	/* No chain compiles to an odd forward SPI: the rule has no path. */
	cr_assert_eq(sfc_chain_spi("later") & 1, 0);
	sfc_plan_free(&p);
}

static struct agent_health *health(int up_from, int up_to)
{
	struct agent_health *h = calloc(1, sizeof(*h));

	for (int v = up_from; v <= up_to; v++)
		h->state[v] = 1;
	return h;
}

Test(agent_k8s, chain_view_reasons)
{
	struct agent_health *h = health(4, 5), *down = health(5, 5);
	struct agent_chain_view v;
	struct sfc_plan p;

	plan(&p);
	cr_assert_eq(agent_chain_view(&p, "fw-count", h, &v), 0);
	cr_assert(v.valid && v.ready);
	cr_assert_str_eq(v.reason, "Compiled");
	cr_assert_eq(v.n_hops, 2);
	cr_assert_str_eq(v.hops[1].function, "counter");
	cr_assert_eq(v.hops[0].instances, 1);
	cr_assert_eq(v.hops[0].live, 1);
	cr_assert_eq(agent_chain_view(&p, "fw-count", down, &v), 0);
	cr_assert(v.valid && !v.ready);
	cr_assert_str_eq(v.reason, "InstancesDown");
	cr_assert(strstr(v.message, "firewall"), "%s", v.message);
	cr_assert_eq(agent_chain_view(&p, "bad", h, &v), 0);
	cr_assert_str_eq(v.reason, "UnknownFunction");
	cr_assert(strstr(v.message, "nosuch"), "%s", v.message);
	cr_assert_eq(v.hops[1].instances, 0);
	cr_assert_eq(agent_chain_view(&p, "mon", h, &v), 0);
	cr_assert_str_eq(v.reason, "NoInstances", "idle declares monitor, no endpoint");
	cr_assert_eq(agent_chain_view(&p, "broken", h, &v), 0);
	cr_assert(!v.valid && !v.ready);
	cr_assert_str_eq(v.reason, "Invalid");
	cr_assert(strstr(v.message, "ports"), "%s", v.message);
	cr_assert_eq(agent_chain_view(&p, "nope", h, &v), -ENOENT);
	sfc_plan_free(&p);
	free(h);
	free(down);
}

static const cJSON *at(const cJSON *o, const char *path)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(tok))
				     : cJSON_GetObjectItemCaseSensitive(o, tok);
	return o;
}

static const char *str(const cJSON *o, const char *path)
{
	const cJSON *it = at(o, path);

	cr_assert(cJSON_IsString(it), "%s is no string", path);
	return it->valuestring;
}

Test(agent_k8s, status_patch)
{
	struct agent_health *h = health(4, 5);
	struct agent_chain_view v;
	struct sfc_plan p;
	cJSON *o, *patch, *again;
	char *txt, cur[4096];

	plan(&p);
	cr_assert_eq(agent_chain_view(&p, "fw-count", h, &v), 0);
	o = api_chain("fw-count", "{\"functions\":[\"firewall\",\"counter\"]}", 4,
		      "{\"conditions\":[{\"type\":\"Other\",\"status\":\"True\"}],"
		      "\"nodes\":{\"node-b\":{\"observedGeneration\":4}}}");
	patch = agent_k8s_status_patch(o, NODE, &v, "2026-01-02T03:04:05Z");
	cr_assert_not_null(patch);
	cr_assert_eq(cJSON_GetArraySize(patch), 1, "status only");
	cr_assert_eq(at(patch, "status.observedGeneration")->valueint, 4);
	/* Other condition types are copied through: a merge patch replaces
	 * the whole list. */
	cr_assert_str_eq(str(patch, "status.conditions.0.type"), "Other");
	cr_assert_str_eq(str(patch, "status.conditions.1.type"), "Ready");
	cr_assert_str_eq(str(patch, "status.conditions.1.status"), "True");
	cr_assert_str_eq(str(patch, "status.conditions.1.reason"), "Compiled");
	/* Only this node's key: node-b's entry is not in the patch. */
	cr_assert_eq(cJSON_GetArraySize(at(patch, "status.nodes")), 1);
	cr_assert_str_eq(str(patch, "status.nodes." NODE ".conditions.0.reason"), "Compiled");
	cr_assert_eq(at(patch, "status.nodes." NODE ".hops.1.instances")->valueint, 1);
	cr_assert_eq(at(patch, "status.nodes." NODE ".hops.1.live")->valueint, 1);
	cr_assert_str_eq(str(patch, "status.nodes." NODE ".lastUpdateTime"), "2026-01-02T03:04:05Z");
	cr_assert_str_eq(str(patch, "status.nodes." NODE ".conditions.0.lastTransitionTime"),
			 "2026-01-02T03:04:05Z");
	/* The object as the API server returns it after the patch: nothing
	 * more to write, also at a later time. */
	txt = cJSON_PrintUnformatted(at(patch, "status"));
	snprintf(cur, sizeof(cur), "%s", txt);
	free(txt);
	cJSON_Delete(o);
	o = api_chain("fw-count", "{\"functions\":[\"firewall\",\"counter\"]}", 4, cur);
	cr_assert_null(agent_k8s_status_patch(o, NODE, &v, "2026-01-02T09:00:00Z"));
	/* A hop goes down: a new patch, Ready False, new transition time. */
	h->state[5] = 2;
	cr_assert_eq(agent_chain_view(&p, "fw-count", h, &v), 0);
	again = agent_k8s_status_patch(o, NODE, &v, "2026-01-02T10:00:00Z");
	cr_assert_not_null(again);
	cr_assert_str_eq(str(again, "status.nodes." NODE ".conditions.0.status"), "False");
	cr_assert_str_eq(str(again, "status.nodes." NODE ".conditions.0.reason"), "InstancesDown");
	cr_assert_str_eq(str(again, "status.nodes." NODE ".conditions.0.lastTransitionTime"),
			 "2026-01-02T10:00:00Z");
	/* The chain-wide condition did not change: its time stays. */
	cr_assert_str_eq(str(again, "status.conditions.1.status"), "True");
	cr_assert_str_eq(str(again, "status.conditions.1.lastTransitionTime"),
			 "2026-01-02T03:04:05Z");
	cJSON_Delete(again);
	cJSON_Delete(patch);
	cJSON_Delete(o);
	sfc_plan_free(&p);
	free(h);
}

Test(agent_k8s, status_patch_invalid_chain)
{
	struct agent_chain_view v;
	struct sfc_plan p;
	cJSON *o, *patch;

	plan(&p);
	cr_assert_eq(agent_chain_view(&p, "broken", NULL, &v), 0);
	o = api_chain("broken", "{}", 2, NULL);
	patch = agent_k8s_status_patch(o, NODE, &v, "2026-01-02T03:04:05Z");
	cr_assert_str_eq(str(patch, "status.conditions.0.status"), "False");
	cr_assert_str_eq(str(patch, "status.conditions.0.reason"), "Invalid");
	cr_assert(strstr(str(patch, "status.conditions.0.message"), "ports"));
	cr_assert_str_eq(str(patch, "status.nodes." NODE ".conditions.0.reason"), "Invalid");
	cr_assert_eq(cJSON_GetArraySize(at(patch, "status.nodes." NODE ".hops")), 0);
	cJSON_Delete(patch);
	cJSON_Delete(o);
	sfc_plan_free(&p);
}

Test(agent_k8s, event)
{
	cJSON *pod = api_pod("c", "{}");
	cJSON *e = agent_k8s_event(pod, NODE, "UnknownChain", "why", "2026-01-02T03:04:05Z");

	cr_assert_not_null(e);
	cr_assert_str_eq(str(e, "metadata.namespace"), "ns1");
	cr_assert_eq(strncmp(str(e, "metadata.name"), "c.", 2), 0);
	cr_assert_str_eq(str(e, "involvedObject.kind"), "Pod");
	cr_assert_str_eq(str(e, "involvedObject.uid"), "u-c");
	cr_assert_str_eq(str(e, "reason"), "UnknownChain");
	cr_assert_str_eq(str(e, "type"), "Warning");
	cr_assert_str_eq(str(e, "source.host"), NODE);
	cr_assert_str_eq(str(e, "firstTimestamp"), "2026-01-02T03:04:05Z");
	cJSON_Delete(e);
	cJSON_Delete(pod);
	pod = json("{\"metadata\":{\"name\":\"x\"}}");
	cr_assert_null(agent_k8s_event(pod, NODE, "R", "m", "t"), "no namespace");
	cJSON_Delete(pod);
}

static int parse(const char *txt, struct agent_req *r)
{
	char err[256];

	return agent_req_parse(txt, strlen(txt), r, err, sizeof(err));
}

Test(agent_k8s, requests)
{
	struct agent_req r;

	cr_assert_eq(parse("{\"v\":1,\"op\":\"pod\",\"namespace\":\"ns1\",\"name\":\"c\",\"uid\":\"u\"}", &r), 0);
	cr_assert_str_eq(r.op, SFC_AGENT_OP_POD);
	cr_assert_str_eq(r.uid, "u");
	cr_assert_eq(parse("{\"v\":1,\"op\":\"program\",\"namespace\":\"ns1\",\"name\":\"c\","
			   "\"vpid\":7,\"containerId\":\"abc\",\"ifname\":\"eth0\"}", &r), 0);
	cr_assert_eq(r.vpid, 7);
	cr_assert_str_eq(r.container_id, "abc");
	cr_assert_str_eq(r.uid, "", "uid is optional");
	cr_assert_eq(parse("{\"v\":2,\"op\":\"pod\",\"namespace\":\"a\",\"name\":\"b\"}", &r), -EPROTO);
	cr_assert_eq(parse("{\"v\":1,\"op\":\"rm\",\"namespace\":\"a\",\"name\":\"b\"}", &r), -EPROTO);
	cr_assert_eq(parse("{\"v\":1,\"op\":\"pod\",\"namespace\":\"a\"}", &r), -EINVAL);
	cr_assert_eq(parse("{\"v\":1,\"op\":\"pod\",\"namespace\":\"a\",\"name\":\"../b\"}", &r), -EINVAL);
	cr_assert_eq(parse("{\"v\":1,\"op\":\"program\",\"namespace\":\"a\",\"name\":\"b\","
			   "\"vpid\":4096,\"containerId\":\"x\",\"ifname\":\"eth0\"}", &r), -EINVAL);
	cr_assert_eq(parse("{\"v\":1,\"op\":\"program\",\"namespace\":\"a\",\"name\":\"b\","
			   "\"vpid\":3,\"ifname\":\"eth0\"}", &r), -EINVAL);
	cr_assert_eq(parse("not json", &r), -EINVAL);
	/* Not NUL-terminated: the length bounds the parse. */
	const char *req = "{\"v\":1,\"op\":\"pod\",\"namespace\":\"a\",\"name\":\"b\"}XYZ";
	char err[64];

	cr_assert_eq(agent_req_parse(req, strlen(req) - 3, &r, err, sizeof(err)), 0);
}

Test(agent_k8s, answers)
{
	cJSON *pod = json("{\"kind\":\"Pod\"}"), *a;
	char *txt;

	txt = agent_answer(0, NULL, pod);
	a = json(txt);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(a, "ok")));
	cr_assert_eq(cJSON_GetObjectItem(a, "v")->valueint, SFC_AGENT_PROTO_V);
	cr_assert_str_eq(str(a, "pod.kind"), "Pod");
	cJSON_Delete(a);
	free(txt);
	txt = agent_answer(-EAGAIN, "not synced", NULL);
	a = json(txt);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(a, "ok")));
	cr_assert_eq(cJSON_GetObjectItem(a, "errno")->valueint, EAGAIN);
	cr_assert_str_eq(str(a, "error"), "not synced");
	cJSON_Delete(a);
	free(txt);
	cJSON_Delete(pod);
}

/* The cluster snapshot sfcctl reads: what the agent compiled (chains as
 * the API server gave them, pods with their status) comes back as the
 * same compile input, with each chain's Ready condition; an unchanged
 * snapshot is not written again. */
Test(agent_k8s, snapshot_round_trip)
{
	char dir[] = "/tmp/sfc-snap-test.XXXXXX", path[128], cmd[160], err[2048] = "";
	const char *cnames[] = { "fw-count", "bad", "broken", "mon" };
	struct sfc_snapshot_chain sc[4];
	struct sfc_snapshot s;
	struct sfc_plan p;
	uint64_t last = 0;
	cJSON *objs[4];
	int i;

	cr_assert_not_null(mkdtemp(dir));
	plan(&p);
	for (i = 0; i < 4; i++) {
		objs[i] = api_chain(cnames[i], i == 2 ?
				    "{\"functions\":[\"firewall\"],\"match\":[{\"ports\":\"80\"}]}" :
				    "{\"functions\":[\"firewall\",\"counter\"],\"failurePolicy\":\"fail-open\"}",
				    i + 1, "{\"observedGeneration\":1}");
		sc[i] = (struct sfc_snapshot_chain){ objs[i], i ? "False" : "True",
			i ? "NoInstances" : "Compiled", "m" };
	}
	/* A pod with allowed sources and an unusable one, besides plan()'s. */
	cr_assert(p.n_pods >= 2);
	p.pods[0].info.n_allowed_src = 1;
	cr_assert_eq(sfc_dp_src_key("10.9.0.0/16", &p.pods[0].info.allowed_src[0]), 0);
	p.pods[1].status = -EINVAL;
	strcpy(p.pods[1].error, "pod ns1/u: metadata.annotations: not an object");

	cr_assert_eq(sfc_snapshot_write(dir, NODE, sc, 4, p.pods, p.n_pods, &last), 0);
	cr_assert_neq(last, 0);
	cr_assert_eq(sfc_snapshot_read(dir, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s.node, NODE);
	cr_assert(s.mtime > 0);
	cr_assert_eq(s.n_chains, 4);
	cr_assert_str_eq(s.chains[0].chain.name, "fw-count");
	cr_assert_eq(s.chains[0].chain.n_sfs, 2);
	cr_assert_str_eq(s.chains[0].chain.sfs[1], "counter");
	cr_assert_eq(s.chains[0].chain.policy, SFC_FAIL_OPEN);
	cr_assert_eq(s.chains[0].status, 0);
	cr_assert_eq(s.ready[0].generation, 1);
	cr_assert_str_eq(s.ready[0].ready, "True");
	cr_assert_str_eq(s.ready[0].reason, "Compiled");
	cr_assert_str_eq(s.ready[1].reason, "NoInstances");
	cr_assert_eq(s.ready[3].generation, 4);
	/* The broken chain is still that chain, with the parser's reason. */
	cr_assert_eq(s.chains[2].status, -EINVAL);
	cr_assert_eq(s.chains[2].name_known, 1);
	cr_assert_str_eq(s.chains[2].file, "servicechain/broken");
	cr_assert(strstr(s.chains[2].error, "servicechain broken: spec.match[0]"), "%s",
		  s.chains[2].error);
	cr_assert_eq(s.n_pods, p.n_pods);
	for (i = 0; i < p.n_pods; i++) {
		cr_assert_str_eq(s.pods[i].ns, p.pods[i].ns);
		cr_assert_str_eq(s.pods[i].name, p.pods[i].name);
		cr_assert_str_eq(s.pods[i].file, p.pods[i].file);
		cr_assert_eq(s.pods[i].status, p.pods[i].status);
		cr_assert_str_eq(s.pods[i].error, p.pods[i].error);
		cr_assert_eq(memcmp(&s.pods[i].info, &p.pods[i].info, sizeof(s.pods[i].info)),
			     0, "pod %s", p.pods[i].name);
	}
	sfc_snapshot_free(&s);

	/* Unchanged: not written again (the file removed stays away). */
	snprintf(path, sizeof(path), "%s/%s", dir, SFC_SNAPSHOT_FILE);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(sfc_snapshot_write(dir, NODE, sc, 4, p.pods, p.n_pods, &last), 0);
	cr_assert_eq(access(path, F_OK), -1);
	cr_assert_eq(sfc_snapshot_read(dir, &s, err, sizeof(err)), -ENOENT);
	sc[1].reason = "InstancesDown";
	cr_assert_eq(sfc_snapshot_write(dir, NODE, sc, 4, p.pods, p.n_pods, &last), 0);
	cr_assert_eq(sfc_snapshot_read(dir, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s.ready[1].reason, "InstancesDown");
	sfc_snapshot_free(&s);

	/* Malformed: an error naming the file, nothing half-read. */
	cr_assert_eq(sfc_snapshot_write(dir, NODE, sc, 0, NULL, 0, NULL), 0);
	snprintf(cmd, sizeof(cmd), "echo '{\"v\":2}' > '%s'", path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(sfc_snapshot_read(dir, &s, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, SFC_SNAPSHOT_FILE ": v: expected 1"), "%s", err);
	cr_assert_null(s.chains);

	for (i = 0; i < 4; i++)
		cJSON_Delete(objs[i]);
	sfc_plan_free(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}
