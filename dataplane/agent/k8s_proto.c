// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * k8s_proto.c - the messages of the CNI socket (sfc_agent_proto.h):
 * request parsing and answers, without I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_agent_proto.h"
#include "sfc_json.h"
#include "agent.h"

static int req_str(const cJSON *o, const char *key, char *buf, size_t len,
		   bool required, char *err, size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	buf[0] = '\0';
	if (!it && !required)
		return 0;
	if (!cJSON_IsString(it) || strlen(it->valuestring) >= len ||
	    (required && !it->valuestring[0]) || strchr(it->valuestring, '/')) {
		snprintf(err, errlen, "request: \"%s\": %s", key,
			 it ? "not a usable string" : "missing");
		return -EINVAL;
	}
	strcpy(buf, it->valuestring);
	return 0;
}

int agent_req_parse(const char *buf, size_t len, struct agent_req *r,
		    char *err, size_t errlen)
{
	cJSON *o = cJSON_ParseWithLength(buf, len);
	const cJSON *v, *op;
	uint64_t n;
	int rc = -EINVAL;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "request: not a JSON object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "v");
	op = cJSON_GetObjectItemCaseSensitive(o, "op");
	if (!cJSON_IsNumber(v) || v->valuedouble != SFC_AGENT_PROTO_V) {
		snprintf(err, errlen, "request: protocol version is not %d",
			 SFC_AGENT_PROTO_V);
		rc = -EPROTO;
		goto out;
	}
	if (!cJSON_IsString(op) || (strcmp(op->valuestring, SFC_AGENT_OP_POD) &&
				    strcmp(op->valuestring, SFC_AGENT_OP_PROGRAM))) {
		snprintf(err, errlen, "request: unknown \"op\"");
		rc = -EPROTO;
		goto out;
	}
	strcpy(r->op, op->valuestring);
	if ((rc = req_str(o, "namespace", r->ns, sizeof(r->ns), true, err, errlen)) ||
	    (rc = req_str(o, "name", r->name, sizeof(r->name), true, err, errlen)) ||
	    (rc = req_str(o, "uid", r->uid, sizeof(r->uid), false, err, errlen)))
		goto out;
	if (strcmp(r->op, SFC_AGENT_OP_PROGRAM))
		goto out;
	if ((rc = req_str(o, "containerId", r->container_id,
			  sizeof(r->container_id), true, err, errlen)) ||
	    (rc = req_str(o, "ifname", r->ifname, sizeof(r->ifname), true, err,
			  errlen)))
		goto out;
	rc = sfc_json_uint(cJSON_GetObjectItemCaseSensitive(o, "vpid"), 1,
			   SFC_MAX_ENDPOINTS - 1, &n);
	if (rc) {
		snprintf(err, errlen, "request: \"vpid\": not in 1..%d",
			 SFC_MAX_ENDPOINTS - 1);
		rc = -EINVAL;
		goto out;
	}
	r->vpid = (uint32_t)n;
out:
	cJSON_Delete(o);
	return rc;
}

char *agent_answer(int errnum, const char *text, const cJSON *pod)
{
	cJSON *o = cJSON_CreateObject();
	char *txt = NULL;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "v", SFC_AGENT_PROTO_V);
	cJSON_AddBoolToObject(o, "ok", !errnum);
	if (errnum) {
		cJSON_AddNumberToObject(o, "errno", -errnum);
		cJSON_AddStringToObject(o, "error", text ? text : strerror(-errnum));
	} else if (pod) {
		cJSON_AddItemToObject(o, "pod", cJSON_Duplicate(pod, 1));
	}
	txt = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return txt;
}
