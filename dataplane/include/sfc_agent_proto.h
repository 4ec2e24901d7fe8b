/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sfc_agent_proto.h - the socket protocol between sfc-cni and sfc-agent in
 * cluster mode: pod metadata at CNI ADD and the "programmed" handshake.
 *
 * Transport: a unix socket of type SOCK_SEQPACKET (message boundaries kept,
 * connection-oriented, so a dead agent is ECONNREFUSED at once) at the path
 * the network config names ("agentSocket"; sfc-agent --socket, default
 * SFC_AGENT_SOCKET_DEFAULT), mode 0600: root only. One exchange per
 * connection: the client connects, sends one request message and reads
 * one response message. Each message is one UTF-8 JSON object of at most
 * SFC_AGENT_MSG_MAX bytes; every message carries "v": SFC_AGENT_PROTO_V.
 *
 * Requests (op):
 *
 *   {"v":1,"op":"pod","namespace":NS,"name":NAME,"uid":UID}
 *     The pod's sfc.io annotations, before ADD wires anything (the role
 *     and MTU depend on sfc.io/function). The agent answers from its watch
 *     cache, or GETs the pod when the cache does not have it yet. "uid" is
 *     CNI_ARGS' K8S_POD_UID ("" = not checked): a pod of that name with
 *     another UID is another pod (deleted and created again while this
 *     ADD was in flight) and the answer is ENOENT.
 *     Answer: {"v":1,"ok":true,"pod":{"kind":"Pod","metadata":{
 *       "namespace":NS,"name":NAME,"uid":UID,"annotations":{...}}}}
 *     with only the annotations whose key starts with "sfc.io/"; the
 *     client parses it as a standalone Pod object (sfc_pod_parse()).
 *
 *   {"v":1,"op":"program","vpid":N,"containerId":CID,"ifname":IF,
 *    "namespace":NS,"name":NAME,"uid":UID}
 *     Sent once the endpoint record of (CID, IF) is written and the node
 *     lock released. The agent reads the endpoint records, compiles and
 *     applies under the node lock, and answers once endpoint N is in the
 *     applied plan with its pod's object: its chain's policy (or, for a
 *     chain that does not exist, the no-chain drop rule) is in the maps.
 *     Answer: {"v":1,"ok":true}
 *
 * Failure answer: {"v":1,"ok":false,"errno":E,"error":TEXT}, E a positive
 * errno: ENOENT the pod does not exist or has another UID; EAGAIN the
 * agent cannot answer now (API server unreachable and the pod not cached,
 * the watches not synced yet); EINVAL a malformed request, or a pod
 * object that cannot be used (TEXT names the annotation); EPROTO another
 * version or an unknown op.
 *
 * sfc-cni gives the whole exchange (both requests, connection retries
 * included) "agentTimeoutMs" (default SFC_AGENT_TIMEOUT_MS_DEFAULT); no
 * answer in time, a refused connection until then, or EAGAIN fail the ADD
 * with CNI code 11 (try again later) after undoing everything it made.
 * DEL never asks the agent.
 */
#ifndef SFC_AGENT_PROTO_H
#define SFC_AGENT_PROTO_H

#define SFC_AGENT_PROTO_V 1
#define SFC_AGENT_SOCKET_DEFAULT "/run/sfc/agent.sock"
#define SFC_AGENT_MSG_MAX 65536
#define SFC_AGENT_TIMEOUT_MS_DEFAULT 5000

#define SFC_AGENT_OP_POD "pod"
#define SFC_AGENT_OP_PROGRAM "program"

/* The prefix of the annotations a "pod" answer carries. */
#define SFC_AGENT_ANNOT_PREFIX "sfc.io/"

#endif /* SFC_AGENT_PROTO_H */
