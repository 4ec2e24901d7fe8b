#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_agent.sh - sfc-agent in cluster mode against a real kube-apiserver
# and etcd on 127.0.0.1 (free ports, started and ended here by PID), with
# network namespaces as pods wired by the real sfc-cni through the agent
# socket, and real traffic:
#   - pods, ServiceChains and the Node come from the API server; the CRD is
#     the chart's; a client annotated sfc.io/chain reaches the server
#     through firewall -> counter (per-hop counters in order);
#   - ServiceChain status through /status: Ready, reasons, per-hop
#     instances under status.nodes.<node>, another node's entry untouched;
#   - annotation changes (removed, added, changed) reach the maps within
#     1 s (measured), traffic follows;
#   - a chain that does not exist: traffic dropped (no-chain), an Event on
#     the pod, flowing again once the chain is created;
#   - sfcctl shows what the node programs (the agent's snapshot): the
#     ServiceChains' names, functions and Ready, the hops' chain and
#     function, the pod's missing chain; also with the agent down;
#   - a malformed chain: Ready=False Invalid, nothing programmed;
#   - ADD: code 3 for a deleted pod / another UID, code 11 with the agent
#     down (nothing left behind), success when the agent comes back during
#     the ADD; DEL with the agent down;
#   - the API server killed under the watches: chained traffic keeps
#     flowing, ADD fails with code 11, an agent started meanwhile keeps the
#     maps, and everything resyncs when the API server returns;
#   - ADD median (cluster mode, agent round trip included) against
#     standalone sfc-cni and the bridge plugin, in the same run, taking
#     turns (BENCH_N ADD/DEL each, default 30); printed, not asserted.
#
#   BUILD=build-x tests/k8s/test_agent.sh        # about 60 s
#
# Needs kube-apiserver from tests/k8s/build-k8s.sh (K8S_BIN, default
# /var/cache/sfc-cni/k8s-1.20.2/bin) and Debian's etcd-server.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../e2e/lib.sh"
. "$here/pki.sh"
cd "$here/../.."

K8S_BIN=${K8S_BIN:-/var/cache/sfc-cni/k8s-1.20.2/bin}
for b in "$K8S_BIN/kube-apiserver" "$K8S_BIN/kubectl" "$BUILD/bin/sfc-agent" "$CNI_BIN"; do
	[ -x "$b" ] || { echo "error: $b missing (tests/k8s/build-k8s.sh, make)" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "error: etcd missing: apt-get install etcd-server" >&2; exit 1; }

NODE_NAME=$PFX-n1
SOCK=$TMP_DIR/agent.sock
PKI=$TMP_DIR/pki
mkdir -p "$TMP_DIR" "$CONF_DIR" "$STATE_DIR"
read -r P_ETCD P_PEER P_API < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
API=https://127.0.0.1:$P_API
pki_make "$PKI" "$NODE_NAME" 127.0.0.1 || { echo "error: pki" >&2; exit 1; }
KCFG=$TMP_DIR/admin.kubeconfig
pki_kubeconfig "$PKI" admin "$API" >"$KCFG"
kctl() { "$K8S_BIN/kubectl" --kubeconfig "$KCFG" --request-timeout 10s "$@"; }
ms() { date +%s%3N; }

etcd --name t --data-dir "$TMP_DIR/etcd" --log-level warn \
	--listen-client-urls "http://127.0.0.1:$P_ETCD" --advertise-client-urls "http://127.0.0.1:$P_ETCD" \
	--listen-peer-urls "http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_PEER" \
	--initial-cluster "t=http://127.0.0.1:$P_PEER" >"$TMP_DIR/etcd.log" 2>&1 &
track_pid $!

API_PID=
api_start() {
	"$K8S_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$P_ETCD" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$P_API" \
		--insecure-port 0 --cert-dir "$TMP_DIR/apiserver" --tls-cert-file "$PKI/apiserver.crt" \
		--tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
		--service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
		--service-account-issuer https://kubernetes.default.svc \
		--service-cluster-ip-range 10.96.0.0/24 --authorization-mode RBAC \
		--disable-admission-plugins ServiceAccount --profiling=false --v 1 \
		>>"$TMP_DIR/apiserver.log" 2>&1 &
	API_PID=$!
	track_pid "$API_PID"
	local i
	for i in $(seq 240); do
		kill -0 "$API_PID" 2>/dev/null || return 1
		curl -sf --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" \
			--key "$PKI/admin.key" "$API/readyz" >/dev/null && return 0
		sleep 0.5
	done
	return 1
}
# SIGKILL: a crash (SIGTERM waits for the open watches).
api_kill() { kill -KILL "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null; }

# A merge patch of a pod with curl: no kubectl start-up in the timings.
api_patch_pod() {
	curl -sf --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
		-X PATCH -H 'Content-Type: application/merge-patch+json' -d "$2" \
		"$API/api/v1/namespaces/default/pods/$1" >/dev/null
}

AGENT_PID=
agent_start() {
	"$BUILD/bin/sfc-agent" --mode cluster --kubeconfig "$KCFG" --node-name "$NODE_NAME" \
		--socket "$SOCK" --conf-dir "$CONF_DIR" --state-dir "$STATE_DIR" \
		--pin-dir "$PIN_DIR" --interval-ms 100 --dead-after-ms 500 \
		2>>"$TMP_DIR/agent.log" &
	AGENT_PID=$!
	track_pid "$AGENT_PID"
}
agent_stop() { kill "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null; }
# wait_log PATTERN [N [SECS]]: until the agent's log has N (default 1)
# lines matching PATTERN.
wait_log() {
	local i
	for i in $(seq $((${3:-10} * 20))); do
		[ "$(grep -c -- "$1" "$TMP_DIR/agent.log" 2>/dev/null)" -ge "${2:-1}" ] && return 0
		sleep 0.05
	done
	return 1
}

# api_pod NAME ANNOTATIONS_JSON: a Pod bound to this node (it never runs:
# no kubelet; its netns is the test's).
api_pod() {
	kctl apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$1", "namespace": "default", "annotations": $2},
 "spec": {"nodeName": "$NODE_NAME", "containers": [{"name": "c", "image": "pause"}]}}
EOF
}
pod_uid() { kctl get pod "$1" -o 'jsonpath={.metadata.uid}'; }
api_chain() { # NAME FUNCTIONS_JSON [SPEC_EXTRA]
	kctl apply -f - >/dev/null <<EOF
{"apiVersion": "sfc.io/v1alpha1", "kind": "ServiceChain", "metadata": {"name": "$1"},
 "spec": {"functions": $2${3:+, $3}}}
EOF
}

K_CONF=$(cni_conf "\"agentSocket\": \"$SOCK\", \"agentTimeoutMs\": 3000")
# k_cni CMD NAME [UID]: sfc-cni as the kubelet runs it in cluster mode
# (K8S_POD_UID passed); a successful ADD is recorded as cni_run does, so
# the EXIT trap DELs it. Prints the result; status = sfc-cni's.
k_cni() {
	local cmd=$1 name=$2 uid=${3-} out rc rec
	out=$(printf '%s' "$K_CONF" | env CNI_COMMAND="$cmd" CNI_CONTAINERID="$PFX-$name" \
		CNI_NETNS="$(ns_path "$name")" CNI_IFNAME=eth0 CNI_PATH="$BUILD/bin:/usr/lib/cni" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$name;K8S_POD_UID=$uid" \
		"$CNI_BIN")
	rc=$?
	rec=$(_sfc_pod_rec "$PFX-$name" eth0)
	if [ "$cmd" = ADD ] && [ $rc -eq 0 ]; then
		mkdir -p "$rec"
		printf '%s' "$K_CONF" >"$rec/conf"
		printf '%s\n' "$(ns_path "$name")" eth0 "$PFX-$name" default "$name" >"$rec/args"
	elif [ "$cmd" = DEL ] && [ $rc -eq 0 ]; then
		rm -rf "$rec"
	fi
	printf '%s' "$out"
	return $rc
}
# k_pod NAME ANNOTATIONS: API object, netns, ADD; prints the pod's IPv4.
k_pod() {
	local res
	api_pod "$1" "$2" && pod_netns_add "$1" >/dev/null || return 1
	res=$(k_cni ADD "$1" "$(pod_uid "$1")") || { echo "# ADD $1: $res" >&2; return 1; }
	json_get "$res" '["ips"][0]["address"]' | cut -d/ -f1
}
cni_code() { json_get "$1" '["code"]'; }
vpid_of() { json_get "$(cat "$STATE_DIR/endpoints/$PFX-$1_eth0.json")" '["vpid"]'; }
spi_of() { python3 -c '
import sys
h = 0x811c9dc5
for b in sys.argv[1].encode(): h = ((h ^ b) * 0x01000193) & 0xffffffff
print((h % ((0xFFFFFF - 1) // 2) + 1) * 2)' "$1"; }
# pol_spi VPID: the SPI of the first egress rule of VPID, "none" without.
pol_spi() {
	bpftool -j map dump pinned "$PIN_DIR/sfc_policy" 2>/dev/null | python3 -c '
import json, sys
v = int(sys.argv[1])
for e in json.load(sys.stdin):
    f = e.get("formatted", {})
    if f.get("key", {}).get("vpid") == v and f["key"]["dir"] == 0:
        print(f["value"]["rules"][0]["spi"]); break
else:
    print("none")' "$1"
}
# wait_pol VPID WANT: ms until pol_spi is WANT (max 3 s), or "timeout";
# one python polls bpftool (about 10 ms a read).
wait_pol() {
	python3 - "$PIN_DIR/sfc_policy" "$1" "$2" <<'PY'
import json, subprocess, sys, time
path, vpid, want = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.monotonic()
while time.monotonic() - t0 < 3:
    cur = "none"
    out = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", path], capture_output=True).stdout
    for e in json.loads(out or b"[]"):
        f = e.get("formatted", {})
        if f.get("key", {}).get("vpid") == vpid and f["key"]["dir"] == 0:
            cur = str(f["value"]["rules"][0]["spi"])
    if cur == want:
        print(int((time.monotonic() - t0) * 1000))
        sys.exit(0)
    time.sleep(0.005)
print("timeout")
sys.exit(1)
PY
}
hop_to_sf() { # SPI SI: packets sent to the SF of that hop
	sfcctl get counters -o json | python3 -c '
import json, sys
spi, si = int(sys.argv[1]), int(sys.argv[2])
print(sum(h["toSfPackets"] for h in json.load(sys.stdin) if h["spi"] == spi and h["si"] == si))' "$1" "$2"
}
drops() {
	sfcctl get drops -o json | python3 -c '
import json, sys
print(sum(d["packets"] for d in json.load(sys.stdin) if d["reason"] == sys.argv[1]))' "$1"
}
# chain_status NAME PY_EXPR: a field of the chain's status ("s" is status).
chain_status() {
	kctl get servicechain "$1" -o json | python3 -c '
import json, sys
s = json.load(sys.stdin).get("status", {})
try:
    print(eval(sys.argv[1]))
except Exception:
    print("-")' "$2"
}
# wait_status NAME EXPR WANT [SECS]
wait_status() {
	local i
	for i in $(seq $((${4:-5} * 5))); do
		[ "$(chain_status "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
ready_of() { echo "[c for c in s[\"nodes\"][\"$NODE_NAME\"][\"conditions\"] if c[\"type\"] == \"Ready\"][0][\"$1\"]"; }

# --- cluster: the agent first, the API server after it (unreachable at start)
agent_start
api_start || { not_ok "etcd + kube-apiserver start"; summary; exit 1; }
ok "etcd + kube-apiserver on 127.0.0.1:$P_API (agent started before it)"
kctl apply -f manifests/helm/sfc-cni/crds/servicechains.sfc.io.yaml >/dev/null &&
	kctl wait --for condition=established --timeout 60s crd/servicechains.sfc.io >/dev/null
kctl apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "$NODE_NAME"}, "spec": {"podCIDR": "$SUBNET"}}
EOF
assert_ok "agent synced with the API server after it came up" wait_log "synced:" 1 40

FW_SPI=$(spi_of fw-count)
api_chain fw-count '["firewall", "counter"]'
# No ADD has set this node up yet: the agent compiles (status) and programs
# nothing, and makes no pin dir (the first ADD does; an uninstall removes it).
assert_ok "before any ADD: the chain's status says UnknownFunction" \
	wait_status fw-count "$(ready_of reason)" UnknownFunction
assert_eq "" "$(ls -d "$PIN_DIR" 2>/dev/null)$(grep 'reconcile (state' "$TMP_DIR/agent.log")" \
	"before any ADD: no pin dir made by the agent, no reconcile error"
SERVER_IP=$(k_pod server '{}') && ok "ADD server (cluster mode)" || not_ok "ADD server"
CLIENT_IP=$(k_pod client '{"sfc.io/chain": "fw-count"}') && ok "ADD client" || not_ok "ADD client"
k_pod fw '{"sfc.io/function": "firewall"}' >/dev/null && k_pod cnt '{"sfc.io/function": "counter"}' >/dev/null &&
	ok "ADD SF pods fw and cnt: role and MTU from the agent" || not_ok "ADD SF pods"
assert_eq 65535 "$(ns_exec fw cat /sys/class/net/eth0/mtu)" "SF pod got the SF MTU (its role came from the API annotation)"
C_VPID=$(vpid_of client)
assert_eq "$FW_SPI" "$(pol_spi "$C_VPID")" "client's policy was programmed before its ADD returned"
echo '{"default": "allow"}' >"$TMP_DIR/firewall.json"
sf_start fw sf-firewall --config "$TMP_DIR/firewall.json" && sf_start cnt sf-counter ||
	not_ok "SFs started"
sf_wait_state fw up 5 && sf_wait_state cnt up 5 || not_ok "SF instances up"

# --- traffic through the chain, in order
assert_ok "client -> server through firewall -> counter" ns_ping client "$SERVER_IP" 3
# The SFs may bypass themselves for a flow they have judged (flow
# programming): each hop sees at least the flow's first packet.
a=$(hop_to_sf "$FW_SPI" 255) b=$(hop_to_sf "$FW_SPI" 254)
[ "$a" -ge 1 ] && [ "$b" -ge 1 ] && ok "per-hop counters: firewall $a, counter $b" ||
	not_ok "per-hop counters (firewall $a, counter $b)"

# --- status
assert_ok "status: Ready True, Compiled on this node" wait_status fw-count "$(ready_of reason)" Compiled
assert_eq "[{'function': 'firewall', 'instances': 1, 'live': 1}, {'function': 'counter', 'instances': 1, 'live': 1}]" \
	"$(chain_status fw-count "s['nodes']['$NODE_NAME']['hops']")" "status: per-hop instances of this node"
assert_eq True "$(chain_status fw-count "[c for c in s['conditions'] if c['type'] == 'Ready'][0]['status']")" \
	"status: chain-wide Ready True"
assert_eq "$(kctl get servicechain fw-count -o 'jsonpath={.metadata.generation}')" \
	"$(chain_status fw-count "s['observedGeneration']")" "status: observedGeneration"
curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" -X PATCH \
	-H 'Content-Type: application/merge-patch+json' \
	-d '{"status": {"nodes": {"other-node": {"observedGeneration": 1}}}}' \
	"$API/apis/sfc.io/v1alpha1/servicechains/fw-count/status" >/dev/null ||
	not_ok "status of another node written"
api_chain fw-count '["firewall", "counter"]' '"failurePolicy": "fail-open"'
assert_ok "status follows a spec change (observedGeneration 2)" \
	wait_status fw-count "s['nodes']['$NODE_NAME']['observedGeneration']" 2
assert_eq 1 "$(chain_status fw-count "s['nodes']['other-node']['observedGeneration']")" \
	"status: another node's entry left alone by this node's patches"
api_chain bad '["firewall", "nosuchsf"]'
assert_ok "status: UnknownFunction for a type no pod declares" \
	wait_status bad "$(ready_of reason)" UnknownFunction
assert_eq "[{'function': 'firewall', 'instances': 1, 'live': 1}, {'function': 'nosuchsf', 'instances': 0, 'live': 0}]" \
	"$(chain_status bad "s['nodes']['$NODE_NAME']['hops']")" "status: the missing hop counted 0"

# --- a malformed chain the schema lets through (LO > HI): nothing programmed
n0=$(bpftool -j map dump pinned "$PIN_DIR/sfc_paths" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
api_chain broken '["firewall"]' '"match": [{"protocol": "tcp", "ports": "9000-80"}]'
assert_ok "malformed chain: Ready False, reason Invalid" \
	wait_status broken "[c for c in s['conditions'] if c['type'] == 'Ready'][0]['reason']" Invalid
n1=$(bpftool -j map dump pinned "$PIN_DIR/sfc_paths" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
assert_eq "$n0" "$n1" "malformed chain: no path programmed"
echo "# $(chain_status broken "[c for c in s['conditions'] if c['type'] == 'Ready'][0]['message']")"

# --- annotation changes on a running pod, timed from the API server's answer
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": null}}}'
t=$(wait_pol "$C_VPID" none)
[ "$t" != timeout ] && [ "$t" -le 1000 ] && ok "annotation removed: policy gone in $t ms" ||
	not_ok "annotation removed: policy gone ($t ms)"
a=$(hop_to_sf "$FW_SPI" 255)
ns_ping client "$SERVER_IP" 2 >/dev/null
assert_eq "$a" "$(hop_to_sf "$FW_SPI" 255)" "without the annotation the traffic goes direct"
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": "fw-count"}}}'
t=$(wait_pol "$C_VPID" "$FW_SPI")
[ "$t" != timeout ] && [ "$t" -le 1000 ] && ok "annotation added: policy in $t ms" ||
	not_ok "annotation added: policy ($t ms)"
ANNOT_MS=$t

# --- a chain that does not exist: fail closed, counted, Event, then heals
d0=$(drops no-chain)
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": "later"}}}'
t=$(wait_pol "$C_VPID" 1)
[ "$t" != timeout ] && [ "$t" -le 1000 ] && ok "annotation changed to an unknown chain: drop rule in $t ms" ||
	not_ok "unknown chain: drop rule ($t ms)"
assert_fail "unknown chain: the client's traffic is dropped" ns_ping client "$SERVER_IP" 2
d1=$(drops no-chain)
[ "$d1" -gt "$d0" ] && ok "unknown chain: drops counted as no-chain ($d0 -> $d1)" ||
	not_ok "unknown chain: drops counted ($d0 -> $d1)"
# sfcctl names what the node programs: the ServiceChains of the API server
# (the agent's snapshot in the state dir; chains.d is empty), and the
# client's chain that does not exist.
assert_eq "fw-count firewall,counter fail-open True/Compiled" "$(sfcctl get chains -o json | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin) if c["name"] == "fw-count"][0]
print(c["name"], ",".join(c["functions"]), c["failurePolicy"], c["ready"] + "/" + c["reason"])')" \
	"sfcctl get chains: the ServiceChain's name, functions, policy, Ready"
out=$(sfcctl get chains 2>&1)
echo "$out" | grep -q "^fw-count .*firewall->counter" && echo "$out" | grep -q "cluster mode: objects from sfc-agent's snapshot" &&
	ok "sfcctl get chains (table) says the chains come from the agent's snapshot" ||
	not_ok "sfcctl get chains (table): $out"
assert_eq "firewall counter" "$(sfcctl get paths -o json | python3 -c '
import json, sys
spi = int(sys.argv[1])
print(*[h["function"] for h in sorted(json.load(sys.stdin), key=lambda h: -h["si"])
        if h["spi"] == spi and h["chain"] == "fw-count" and h["kind"] == "sf"])' "$FW_SPI")" \
	"sfcctl get paths: the hops name their chain and function"
sfcctl get pods 2>/dev/null | grep -q "^default/client .*later (missing)" &&
	ok "sfcctl get pods: the client's chain is shown missing" ||
	not_ok "sfcctl get pods: missing chain: $(sfcctl get pods 2>&1)"
ev=""
for i in $(seq 25); do
	ev=$(kctl get events --field-selector involvedObject.name=client,reason=UnknownChain \
		-o 'jsonpath={.items[0].message}' 2>/dev/null)
	[ -n "$ev" ] && break
	sleep 0.2
done
[ -n "$ev" ] && ok "Event UnknownChain on the pod: $ev" || not_ok "Event UnknownChain on the pod"
api_chain later '["counter"]'
t=$(wait_pol "$C_VPID" "$(spi_of later)")
[ "$t" != timeout ] && ok "the chain created: the pod's policy follows ($t ms)" || not_ok "chain created: policy"
assert_ok "and its traffic flows through it" ns_ping client "$SERVER_IP" 2
assert_eq "later False" "$(sfcctl get pods -o json | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin) if p["name"] == "client"][0]
print(p["chain"], p["chainMissing"])')" "sfcctl get pods: the chain no longer missing once it exists"
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": "fw-count"}}}'
wait_pol "$C_VPID" "$FW_SPI" >/dev/null

# --- ADD failures leave nothing behind
links() { ip -o link show | grep -c "$PFX" ; }
recs() { ls "$STATE_DIR/endpoints" | wc -l; }
ipams() { ls "$IPAM_DIR/$NET_NAME" 2>/dev/null | grep -c '^[0-9]'; }
snap() { echo "$(links) $(recs) $(ipams)"; }
s0=$(snap)
api_pod gone '{}'
OLD_UID=$(pod_uid gone)
kctl delete pod gone --grace-period=0 --force >/dev/null 2>&1
pod_netns_add gone >/dev/null
out=$(k_cni ADD gone "$OLD_UID")
assert_eq 3 "$(cni_code "$out")" "ADD of a pod deleted meanwhile: code 3 ($(json_get "$out" '["msg"]'))"
api_pod gone '{}'
out=$(k_cni ADD gone "$OLD_UID")
assert_eq 3 "$(cni_code "$out")" "ADD with the UID of the deleted pod after it was made again: code 3"
assert_eq "$s0" "$(snap)" "failed ADDs left no link, record or address"

agent_stop
sfcctl get chains 2>/dev/null | grep -q "^fw-count .*firewall->counter" &&
	ok "agent down: sfcctl get chains still shows what the maps hold (the snapshot)" ||
	not_ok "agent down: sfcctl get chains: $(sfcctl get chains 2>&1)"
api_pod late '{}'
pod_netns_add late >/dev/null
t0=$(ms)
out=$(k_cni ADD late "$(pod_uid late)")
t1=$(ms)
assert_eq 11 "$(cni_code "$out")" "ADD with the agent down: code 11 after $((t1 - t0)) ms (timeout 3000)"
assert_eq "$s0" "$(snap)" "ADD with the agent down left no link, record or address"
out=$(k_cni DEL server) && ok "DEL with the agent down" || not_ok "DEL with the agent down: $out"
# The agent comes back while the ADD waits for it.
( sleep 1; exec "$BUILD/bin/sfc-agent" --mode cluster --kubeconfig "$KCFG" --node-name "$NODE_NAME" \
	--socket "$SOCK" --conf-dir "$CONF_DIR" --state-dir "$STATE_DIR" --pin-dir "$PIN_DIR" \
	--interval-ms 100 --dead-after-ms 500 2>>"$TMP_DIR/agent.log" ) &
AGENT_PID=$!
track_pid "$AGENT_PID"
out=$(k_cni ADD late "$(pod_uid late)") && ok "ADD waits for an agent restarting meanwhile" ||
	not_ok "ADD during an agent restart: $out"
out=$(k_cni ADD server "$(pod_uid server)")
SERVER_IP=$(json_get "$out" '["ips"][0]["address"]' | cut -d/ -f1)
[ -n "$SERVER_IP" ] && ok "server ADDed again" || not_ok "server ADDed again: $out"
ip netns exec "$PFX-server" python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 &
track_pid $!
wait_port server 8080 || not_ok "HTTP server in the server pod"
# http_get: a new TCP connection (a new flow: its first packet visits
# every SF of the chain) from the client to the server.
http_get() { ns_exec client curl -sf --max-time 3 -o /dev/null "http://$SERVER_IP:8080/"; }
assert_ok "chained traffic after the agent restart" ns_ping client "$SERVER_IP" 3

# --- the API server away: state kept, ADD code 11, resync on return (the
# new watch cache starts after the agent's resourceVersion: 410, relist)
api_kill
a=$(hop_to_sf "$FW_SPI" 255)
assert_ok "API server killed: chained traffic keeps flowing" ns_ping client "$SERVER_IP" 3
assert_ok "... and a new connection" http_get
[ "$(hop_to_sf "$FW_SPI" 255)" -gt "$a" ] && ok "... through the firewall" || not_ok "... through the firewall"
api_pod_offline() { pod_netns_add off >/dev/null; k_cni ADD off ""; }
out=$(api_pod_offline)
assert_eq 11 "$(cni_code "$out")" "ADD of a pod the agent cannot look up: code 11"
assert_eq "$FW_SPI" "$(pol_spi "$C_VPID")" "policies kept while the API server is away"
api_start && ok "API server back" || not_ok "API server back"
assert_ok "the agent relisted after 410 Gone" wait_log "expired.*relisting" 1 60
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": null}}}'
t=$(wait_pol "$C_VPID" none)
[ "$t" != timeout ] && ok "annotation change after the relist: $t ms" || not_ok "annotation after the relist"
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": "fw-count"}}}'
wait_pol "$C_VPID" "$FW_SPI" >/dev/null

# --- an agent (re)started while the API server is away touches nothing
api_kill
agent_stop
agent_start
sleep 1
assert_eq "$FW_SPI" "$(pol_spi "$C_VPID")" "agent restarted without the API server: policies kept"
a=$(hop_to_sf "$FW_SPI" 255)
assert_ok "... and traffic still chained" http_get
[ "$(hop_to_sf "$FW_SPI" 255)" -gt "$a" ] && ok "... through the firewall" || not_ok "... through the firewall (restarted agent)"
api_start && ok "API server back again" || not_ok "API server back again"
assert_ok "the restarted agent synced once the API server was back" wait_log "synced:" 3 60
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": null}}}'
t=$(wait_pol "$C_VPID" none)
[ "$t" != timeout ] && ok "annotation change after the resync: $t ms" || not_ok "annotation after resync"

# --- a pod deleted from the API before its CNI DEL keeps its chain
api_patch_pod client '{"metadata": {"annotations": {"sfc.io/chain": "fw-count"}}}'
wait_pol "$C_VPID" "$FW_SPI" >/dev/null
kctl delete pod client --grace-period=0 --force >/dev/null 2>&1
sleep 0.5
assert_eq "$FW_SPI" "$(pol_spi "$C_VPID")" "pod deleted from the API, endpoint still there: its chain stays"
a=$(hop_to_sf "$FW_SPI" 255)
http_get && [ "$(hop_to_sf "$FW_SPI" 255)" -gt "$a" ] && ok "... and its traffic still goes through the firewall" ||
	not_ok "... its traffic through the firewall"
k_cni DEL client >/dev/null && ok "DEL of the deleted pod" || not_ok "DEL of the deleted pod"
sleep 0.5
assert_eq none "$(pol_spi "$C_VPID")" "after its DEL the endpoint's policy is gone"

# --- measure: ADD median, cluster mode (agent round trip) vs standalone
# sfc-cni and the bridge plugin, taking turns pod by pod in the node netns
node_netns_add
BR_CONF="{\"cniVersion\": \"1.0.0\", \"name\": \"$PFX-br\", \"type\": \"bridge\", \"bridge\": \"${PFX}br\", \"isGateway\": true, \"ipam\": {\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"10.254.$(($$ & 0xff)).0/24\"}]]}}"
api_pod bench '{}'
node python3 - "${BENCH_N:-30}" "$PFX" "$BUILD/bin:/usr/lib/cni" "$CNI_BIN" "$K_CONF" "$(cni_conf)" \
	/usr/lib/cni/bridge "$BR_CONF" "$(pod_uid bench)" <<'PY'
import os, statistics, subprocess, sys, time
n, pfx, path, sfc, kconf, sconf, br, bconf, uid = sys.argv[1:]
plugins = (("cluster", sfc, kconf), ("standalone", sfc, sconf), ("bridge", br, bconf))
res = {p[0]: [] for p in plugins}
for i in range(int(n)):
    for name, binp, conf in plugins[i % 3:] + plugins[:i % 3]:
        ns = f"{pfx}-b{i}{name[0]}"
        subprocess.run(["ip", "netns", "add", ns], check=True)
        env = dict(os.environ, CNI_CONTAINERID=f"{pfx}-bench{i}{name[0]}", CNI_NETNS=f"/var/run/netns/{ns}",
                   CNI_IFNAME="eth0", CNI_PATH=path,
                   CNI_ARGS=f"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=bench;K8S_POD_UID={uid}")
        t0 = time.monotonic()
        r = subprocess.run([binp], input=conf.encode(), env=dict(env, CNI_COMMAND="ADD"), capture_output=True)
        res[name].append((time.monotonic() - t0) * 1000)
        if r.returncode:
            print("# ADD failed:", name, r.stdout.decode()[:200])
        subprocess.run([binp], input=conf.encode(), env=dict(env, CNI_COMMAND="DEL"), capture_output=True)
        subprocess.run(["ip", "netns", "del", ns])
m = {k: statistics.median(v) for k, v in res.items()}
print(f"# ADD median over {n} each: sfc-cni cluster mode {m['cluster']:.1f} ms (agent round trip included), "
      f"standalone {m['standalone']:.1f} ms, bridge {m['bridge']:.1f} ms; cluster/bridge {m['cluster'] / m['bridge']:.2f}")
PY
echo "# annotation change -> new policy in the maps: ${ANNOT_MS} ms (from the API server's answer to the PATCH)"
summary
