#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_node_e2e.sh - sfc-cni installed by its chart on the tests/k8s node,
# as a user would, and used by real pods:
#   1. cluster.sh up with K8S_CNI=none (no pod network: the node is NotReady);
#      the images of tests/k8s/images.sh imported into the node's containerd;
#      the chart rendered (tests/k8s/render, chart_values.sh: the API server
#      at the node address, no kube-proxy) and applied with kubectl: the
#      DaemonSet's init container installs sfc-cni and the conflist, the
#      node turns Ready, sfc-agent runs in-cluster with its service-account
#      token and the chart's RBAC; the SF Deployments (firewall, counter,
#      nat, monitor) come up Ready;
#   2. ServiceChains svc-a (firewall -> counter -> monitor, fail-open) and
#      svc-b (firewall -> nat, fail-closed); client pods annotated
#      sfc.io/chain send HTTP and iperf3 (the iperf3 test image) to a server
#      pod; per-hop counters (sfcctl of the node image, on the node) and the
#      address the server sees (NAT) prove the path and its order;
#   3. the annotation changed and removed: the pod's policy follows within
#      1 s (timed from the PATCH), traffic follows;
#   4. SF pods deleted (their Deployments scaled to 0): the fail-open chain
#      skips the hop, the fail-closed one drops; back, and a deleted SF pod's
#      replacement takes over;
#   5. kube-apiserver stopped and restarted under a ping and an iperf3
#      stream through svc-a: no echo lost, no stalled second; the agent
#      relists and follows an annotation change after it;
#   6. the agent pod deleted (the DaemonSet makes a new one) under the
#      same traffic: nothing lost, the new agent serves ADDs;
#   7. uninstall as README.md says and as `helm uninstall` does it
#      (cni.removeOnUninstall=true, the user's pods deleted; the chart's
#      pre-delete hooks run as helm runs them: the Job deletes the SF
#      Deployments and waits for their pods; then every object of the
#      release deleted in one pass, no wait in between): no pod interface,
#      pinned object, conflist, sfc-cni or process left on the node, the
#      CRD and chains kept; cluster.sh down.
# Prints the time of each phase, CNI ADD as containerd timed it, the
# annotation-to-policy time, and "N passed, N failed".
#
#   BUILD=build-x tests/k8s/test_node_e2e.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../e2e/lib.sh"
root=$(cd "$here/../.." && pwd)

K8S_RUN=/tmp/$PFX-k8s
RENDER=$BUILD/bin/chart-render
CHART=$root/manifests/helm/sfc-cni
NS=kube-system
NAT_IP=192.0.2.77 # TEST-NET-1: no pod has it; replies reach nat through the reverse path
T_START=$(date +%s%3N)
ms() { date +%s%3N; }
secs() { printf '%d.%01ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }
phase() { echo "# ---- $1 ($(secs $(($(ms) - T_START))) in)"; }
[ -x "$RENDER" ] || { echo "not ok - $RENDER missing (make BUILD=... $RENDER)"; exit 1; }

# Safety net: the pods using the network first (their CNI DEL needs the
# conflist the agent pod's preStop may remove), then down.
on_cleanup "[ ! -d $K8S_RUN ] || K8S_PFX=$PFX BUILD=$BUILD $here/cluster.sh down $K8S_RUN"
drain_pods() {
	k8s_kubectl --request-timeout=20s delete deployments -n "$NS" -l app.kubernetes.io/instance=sfc-cni --wait=false
	k8s_kubectl --request-timeout=20s delete pods --all -n default --grace-period=1 --wait=false
	k8s_wait 40 "pods using the network deleted" sh -c "[ -z \"\$(ls -A $K8S_RUN/sfc/state/endpoints)\" ]"
}
on_cleanup "[ ! -f $K8S_RUN/env ] || { . $K8S_RUN/env && . $here/lib.sh && drain_pods; }"

# ---- 1. install -----------------------------------------------------------
phase "1. install"
t0=$(ms)
# IMG_SOURCE (images.sh): worktree (default) or a git revision.
if ! "$here/images.sh" >"$TMP_DIR/images.out" 2>"$TMP_DIR/images.log" ||
	! IMG_ARCHIVE=$(tail -n 1 "$TMP_DIR/images.out") || [ ! -s "$IMG_ARCHIVE" ]; then
	not_ok "tests/k8s/images.sh"
	tail -n 20 "$TMP_DIR/images.log" | sed 's/^/# /'
	summary
	exit 1
fi
T_IMAGES=$(($(ms) - t0))
ok "sfc-cni images built (tests/k8s/images.sh, $(secs $T_IMAGES))"
# shellcheck source=/dev/null
. "$(dirname "$IMG_ARCHIVE")/sfc-images.refs"
t0=$(ms)
if ! K8S_CNI=none K8S_PFX=$PFX K8S_RUN=$K8S_RUN BUILD=$BUILD "$here/cluster.sh" up >"$TMP_DIR/up.log" 2>&1; then
	not_ok "cluster up (K8S_CNI=none)"
	sed 's/^/# /' "$TMP_DIR/up.log"
	summary
	exit 1
fi
ok "cluster up without a pod network ($(secs $(($(ms) - t0))))"
# shellcheck source=/dev/null
. "$K8S_RUN/env"
. "$here/lib.sh"
kc() { k8s_kubectl --request-timeout=20s "$@"; }
node_ready() { [ "$(kc get node "$K8S_NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = "$1" ]; }
assert_ok "node NotReady before the chart (no CNI config)" node_ready False
assert_eq "" "$(ls "$K8S_RUN/cni/net.d")$(ls "$K8S_RUN/cni/bin" | grep -x sfc-cni)" \
	"no conflist, no sfc-cni on the node yet"

t0=$(ms)
if k8s_ctr images import "$IMG_ARCHIVE" >"$TMP_DIR/import.log" 2>&1; then
	ok "sfc images imported into the node's containerd ($(secs $(($(ms) - t0))))"
else
	not_ok "ctr images import $IMG_ARCHIVE: $(tail -n 3 "$TMP_DIR/import.log")"
fi

"$here/chart_values.sh" "$K8S_RUN" >"$TMP_DIR/values.yaml"
cat >"$TMP_DIR/values-e2e.yaml" <<EOF
agent: {intervalMs: 100, deadAfterMs: 500}
serviceFunctions:
  functions:
    firewall: {enabled: true}
    counter: {enabled: true}
    monitor: {enabled: true}
    nat: {enabled: true, config: {nat_ip: "$NAT_IP"}}
EOF
# render [ARGS...]: the release as installed; the CRD first.
render() {
	"$RENDER" --release sfc-cni --namespace "$NS" -f "$TMP_DIR/values.yaml" \
		-f "$TMP_DIR/values-e2e.yaml" "$@" "$CHART"
}
assert_ok "chart rendered (chart_values.sh + SFs enabled)" render -o "$TMP_DIR/sfc-cni.yaml"
t0=$(ms)
assert_ok "kubectl apply of the rendered chart" kc apply -f "$TMP_DIR/sfc-cni.yaml"
ds_ready() { [ "$(kc -n "$NS" get ds sfc-cni-node -o jsonpath='{.status.numberReady}')" = 1 ]; }
assert_ok "agent DaemonSet pod Ready" k8s_wait 120 "agent pod Ready" ds_ready
assert_ok "the init container installed the conflist and sfc-cni" \
	test -s "$K8S_RUN/cni/net.d/10-sfc.conflist" -a -x "$K8S_RUN/cni/bin/sfc-cni"
assert_eq "$K8S_POD_SUBNET" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plugins"][0]["ipam"]["ranges"][0][0]["subnet"])' \
	"$K8S_RUN/cni/net.d/10-sfc.conflist")" "conflist subnet: the Node's podCIDR, read by install-cni.sh"
assert_ok "node Ready once the conflist is there" k8s_wait 60 "node Ready" node_ready True
sf_available() {
	[ "$(kc -n "$NS" get deploy -l app.kubernetes.io/instance=sfc-cni \
		-o jsonpath='{range .items[*]}{.status.availableReplicas}{" "}{end}')" = "1 1 1 1 " ]
}
assert_ok "SF Deployments firewall, counter, nat, monitor Available" k8s_wait 120 "SF Deployments" sf_available
T_INSTALL=$(($(ms) - t0))
echo "# chart applied -> agent, node and 4 SFs Ready: $(secs $T_INSTALL)"
# The SF pods' ADDs were the node's first: the first of them loaded and
# pinned the BPF programs (the verifier's time), the others waited for it.
k8s_node curl -s --max-time 5 "http://$K8S_CTR_METRICS/v1/metrics" >"$TMP_DIR/metrics.sf" || true

# The agent: in-cluster config (service account, no kubeconfig), cluster mode.
AGENT_POD=$(kc -n "$NS" get pod -l app.kubernetes.io/name=sfc-node -o jsonpath='{.items[0].metadata.name}')
agent_log() { cat "$K8S_RUN"/var-log/pods/"${NS}"_sfc-cni-node-*/sfc-agent/*.log 2>/dev/null; }
assert_eq "sfc-cni-agent" "$(kc -n "$NS" get pod "$AGENT_POD" -o jsonpath='{.spec.serviceAccountName}')" \
	"agent pod runs as the chart's service account"
assert_eq "" "$(kc -n "$NS" get pod "$AGENT_POD" -o jsonpath='{.spec.containers[0].args}' | grep -o kubeconfig)" \
	"agent has no kubeconfig (in-cluster config: token + CA of its service account)"
agent_synced() { agent_log | grep -q "synced:"; }
assert_ok "agent listed pods and chains with that token (RBAC)" k8s_wait 30 "agent synced" agent_synced
agent_log | grep -m 3 -E "cluster|synced" | sed 's/^/# agent: /'
assert_eq "" "$(agent_log | grep "reconcile (state")" \
	"the agent, started before any ADD set the node up, programmed nothing and failed nothing"

# agent_pid: the host PID of the running sfc-agent of this node.
agent_pid() {
	local p
	for p in $(k8s_procs_naming "--pin-dir=$K8S_BPFFS"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sfc-agent ] && echo "$p" && return 0
	done
	return 1
}
# sfcctl_node ARGS: the node image's sfcctl in the agent container's mount
# namespace (its bpffs, state and conf mounts), as `kubectl exec` would run it.
sfcctl_node() {
	local p
	p=$(agent_pid) || return 1
	nsenter -t "$p" -m -- /usr/local/bin/sfcctl --pin-dir "$K8S_BPFFS" --state-dir "$K8S_SFC_STATE" \
		--conf-dir "$K8S_SFC_CONF" "$@"
}
assert_ok "sfcctl in the agent pod (kubectl exec) reads the node's maps" \
	kc -n "$NS" exec "$AGENT_POD" -c sfc-agent -- sfcctl --pin-dir "$K8S_BPFFS" \
	--state-dir "$K8S_SFC_STATE" --conf-dir "$K8S_SFC_CONF" get instances

# ---- 2. chains and traffic ------------------------------------------------
phase "2. chains and traffic"
chain() { # NAME POLICY FUNCTIONS_JSON
	kc apply -f - >/dev/null <<EOF
{"apiVersion": "sfc.io/v1alpha1", "kind": "ServiceChain", "metadata": {"name": "$1"},
 "spec": {"functions": $3, "failurePolicy": "$2"}}
EOF
}
assert_ok "ServiceChain svc-a: firewall -> counter -> monitor, fail-open" chain svc-a fail-open \
	'["firewall", "counter", "monitor"]'
assert_ok "ServiceChain svc-b: firewall -> nat, fail-closed" chain svc-b fail-closed '["firewall", "nat"]'
chains_ready() {
	[ "$(kc get servicechain svc-a svc-b -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{end}')" = TrueTrue ]
}
assert_ok "both chains Ready (status written by the agent)" k8s_wait 30 "chains Ready" chains_ready
kc get servicechains 2>&1 | sed 's/^/# /'

pod() { # NAME ANNOTATIONS_JSON: a client (the iperf3 image, sleeping)
	kc apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$1", "namespace": "default", "annotations": $2},
 "spec": {"terminationGracePeriodSeconds": 1,
  "containers": [{"name": "c", "image": "$K8S_IMAGE_IPERF3", "imagePullPolicy": "Never",
                  "command": ["sleep", "100000"]}]}}
EOF
}
# The server: busybox httpd with a CGI that prints the client address it
# sees, and iperf3 -s.
kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: $K8S_IMAGE_IPERF3
    imagePullPolicy: Never
    command: [sh, -c, 'mkdir -p /tmp/www/cgi-bin && echo server >/tmp/www/index.html && printf "#!/bin/sh\necho Content-Type: text/plain\necho\necho \\\$REMOTE_ADDR\n" >/tmp/www/cgi-bin/ip && chmod 755 /tmp/www/cgi-bin/ip && exec httpd -f -p 8080 -h /tmp/www']
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
  - name: iperf
    image: $K8S_IMAGE_IPERF3
    imagePullPolicy: Never
    command: [/usr/bin/iperf3, -s]
EOF
pod client-a '{"sfc.io/chain": "svc-a"}'
pod client-b '{"sfc.io/chain": "svc-b"}'
assert_ok "server and clients Ready" k8s_kubectl wait --for=condition=Ready pod/server pod/client-a pod/client-b --timeout=90s
SRV=$(k8s_pod_ip default server)
CA_IP=$(k8s_pod_ip default client-a)
CB_IP=$(k8s_pod_ip default client-b)
PID_A=$(k8s_task_pid default client-a)
PID_B=$(k8s_task_pid default client-b)
echo "# server $SRV, client-a $CA_IP, client-b $CB_IP"
# in_pod PID CMD...: CMD of the container's image, in all its namespaces.
in_pod() {
	local p=$1
	shift
	nsenter -t "$p" -m -u -i -n -p -- "$@"
}
# seen_as PID: the client address the server sees for an HTTP request
# (httpd listens on IPv6 and writes IPv4 peers as [::ffff:A.B.C.D]).
seen_as() {
	local a
	a=$(in_pod "$1" /bin/timeout 5 /bin/wget -q -O - "http://$SRV:8080/cgi-bin/ip") || return 1
	a=${a#"[::ffff:"}
	echo "${a%]}"
}
# iperf_run PID SECS [ARGS]: iperf3 -J report of a run to the server.
iperf_run() {
	local p=$1 t=$2
	shift 2
	in_pod "$p" /bin/timeout $((t + 15)) /usr/bin/iperf3 -c "$SRV" -t "$t" -i 1 -J "$@"
}
spi_of() { python3 -c '
import sys
h = 0x811c9dc5
for b in sys.argv[1].encode(): h = ((h ^ b) * 0x01000193) & 0xffffffff
print((h % ((0xFFFFFF - 1) // 2) + 1) * 2)' "$1"; }
SPI_A=$(spi_of svc-a)
SPI_B=$(spi_of svc-b)
# hops SPI: "SI:function:toSfPackets" of each SF hop of the path, by SI.
# sfcctl knows the chains and functions of standalone objects only: in
# cluster mode the function is that of the hop's instances, whose pods the
# chart names sfc-cni-sf-<function>-... ("-" for a hop without instance).
hops() {
	python3 - "$1" "$(sfcctl_node get counters -o json)" "$(sfcctl_node get paths -o json)" <<'PY'
import json, re, sys
spi = int(sys.argv[1])
fn = {}
for h in json.loads(sys.argv[3]):
    if h["spi"] == spi:
        f = {m.group(1) for i in h.get("instances", []) for m in [re.search(r"sfc-cni-sf-([a-z]+)-", i["pod"])] if m}
        fn[h["si"]] = h["function"] or ",".join(sorted(f)) or "-"
h = sorted((x for x in json.loads(sys.argv[2]) if x["spi"] == spi and x["kind"] == "sf"), key=lambda x: -x["si"])
print(" ".join("%d:%s:%d" % (x["si"], fn.get(x["si"], "-"), x["toSfPackets"]) for x in h))
PY
}
# grew BEFORE AFTER: every hop's packet count grew.
grew() {
	python3 - "$1" "$2" <<'PY'
import sys
b = {h.rsplit(":", 1)[0]: int(h.rsplit(":", 1)[1]) for h in sys.argv[1].split()}
a = {h.rsplit(":", 1)[0]: int(h.rsplit(":", 1)[1]) for h in sys.argv[2].split()}
sys.exit(0 if a and set(a) == set(b) and all(a[k] > b[k] for k in a) else 1)
PY
}
# names HOPS: the functions in SI order.
names() { echo "$1" | tr ' ' '\n' | cut -d: -f2 | xargs; }

a0=$(hops "$SPI_A")
assert_eq "firewall counter monitor" "$(names "$a0")" "svc-a's path: firewall (SI 255), counter (254), monitor (253)"
assert_eq "$CA_IP" "$(seen_as "$PID_A")" "HTTP client-a -> server through svc-a (the server sees client-a)"
rep=$(iperf_run "$PID_A" 3)
mbps=$(echo "$rep" | iperf_mbps)
[ "$mbps" -gt 0 ] && ok "iperf3 client-a -> server through svc-a: $mbps Mbit/s" || not_ok "iperf3 through svc-a: $(echo "$rep" | tail -n 3)"
a1=$(hops "$SPI_A")
grew "$a0" "$a1" && ok "per-hop counters of svc-a grew at every hop, in SI order: $a1" ||
	not_ok "per-hop counters of svc-a: $a0 -> $a1"
b0=$(hops "$SPI_B")
assert_eq "firewall nat" "$(names "$b0")" "svc-b's path: firewall (SI 255), nat (254)"
assert_eq "$NAT_IP" "$(seen_as "$PID_B")" "HTTP client-b -> server through svc-b: the server sees the NAT address"
rep=$(iperf_run "$PID_B" 3)
mbps=$(echo "$rep" | iperf_mbps)
[ "$mbps" -gt 0 ] && ok "iperf3 client-b -> server through firewall -> nat: $mbps Mbit/s" || not_ok "iperf3 through svc-b: $(echo "$rep" | tail -n 3)"
b1=$(hops "$SPI_B")
grew "$b0" "$b1" && ok "per-hop counters of svc-b grew at every hop: $b1" || not_ok "per-hop counters of svc-b: $b0 -> $b1"

# CNI ADD as the runtime timed it: containerd's histogram of the whole
# conflist's ADD (sfc-cni with its two agent requests, then portmap).
# cni_metrics FILE: save containerd's metrics; cni_adds FILE [BEFORE]: the
# ADDs since BEFORE (or all): count, mean, the bucket holding the median.
cni_metrics() { k8s_node curl -s --max-time 5 "http://$K8S_CTR_METRICS/v1/metrics" >"$1" || true; }
cni_adds() {
	python3 - "$@" <<'PY'
import re, sys
def read(f):
    b, s, n = {}, 0.0, 0
    for l in open(f):
        if 'operation_type="set_up_pod"' not in l:
            continue
        m = re.match(r'\S+_bucket\{.*le="([^"]+)"\} (\S+)', l)
        if m:
            b[float(m.group(1))] = float(m.group(2))
        elif "_sum{" in l:
            s = float(l.split()[-1])
        elif "_count{" in l:
            n = int(float(l.split()[-1]))
    return b, s, n
b, s, n = read(sys.argv[1])
if len(sys.argv) > 2:
    b0, s0, n0 = read(sys.argv[2])
    b = {k: v - b0.get(k, 0) for k, v in b.items()}
    s, n = s - s0, n - n0
if not n:
    print("no set_up_pod samples")
    sys.exit(0)
lo = 0.0
for le in sorted(b):
    if b[le] >= n / 2:
        break
    lo = le
print("%d ADD%s, mean %.0f ms, median in (%g, %g] ms" % (n, "s" if n > 1 else "", s / n * 1000, lo * 1000, le * 1000))
PY
}
cni_metrics "$TMP_DIR/metrics"
echo "# CNI ADD in cluster mode as containerd timed it (sfc-cni + agent round trip + portmap):" \
	"the SF pods, the node's first (BPF programs loaded): $(cni_adds "$TMP_DIR/metrics.sf");" \
	"server and 2 clients created together: $(cni_adds "$TMP_DIR/metrics" "$TMP_DIR/metrics.sf");" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 3. annotation changes ------------------------------------------------
phase "3. annotation changes"
vpid_of() { # POD: the VPID of its endpoint record
	python3 - "$K8S_SFC_STATE/endpoints" "$1" <<'PY'
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/*.json"):
    r = json.load(open(f))
    if r.get("podName") == sys.argv[2] and r.get("podNamespace", "default") == "default":
        print(r["vpid"])
PY
}
VPID_A=$(vpid_of client-a)
# annotate POD VALUE WANT_SPI: merge-patch sfc.io/chain (VALUE: JSON, null
# removes it) with curl in the node netns, then poll the pod's egress rule
# in sfc_policy until its SPI is WANT ("none": no rule); prints "T1 T2":
# ms from sending the PATCH and from its answer, or "timeout".
annotate() {
	python3 - "$1" "$2" "$3" "$VPID_A" "$K8S_BPFFS/sfc_policy" "$K8S_NETNS" "$K8S_RUN/pki" <<'PY'
import json, subprocess, sys, time
pod, val, want, vpid, pin, netns, pki = sys.argv[1:]
body = '{"metadata": {"annotations": {"sfc.io/chain": %s}}}' % val
def spi():
    out = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", pin], capture_output=True).stdout
    for e in json.loads(out or b"[]"):
        f = e.get("formatted", {})
        if f.get("key", {}).get("vpid") == int(vpid) and f["key"]["dir"] == 0:
            return str(f["value"]["rules"][0]["spi"])
    return "none"
t0 = time.monotonic()
r = subprocess.run(["nsenter", "--net=/var/run/netns/" + netns, "curl", "-sf", "--max-time", "5",
                    "--cacert", pki + "/ca.crt", "--cert", pki + "/admin.crt", "--key", pki + "/admin.key",
                    "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json", "-d", body,
                    "https://127.0.0.1:6443/api/v1/namespaces/default/pods/" + pod], capture_output=True)
t1 = time.monotonic()
if r.returncode:
    print("patch-failed")
    sys.exit(1)
while time.monotonic() - t1 < 3:
    if spi() == want:
        t = time.monotonic()
        print(int((t - t0) * 1000), int((t - t1) * 1000))
        sys.exit(0)
    time.sleep(0.005)
print("timeout")
sys.exit(1)
PY
}
# within_1s "T1 T2"
within_1s() { [ -n "${1%% *}" ] && [ "${1%% *}" -le 1000 ] 2>/dev/null; }
ANNOT=()
t=$(annotate client-a '"svc-b"' "$SPI_B")
within_1s "$t" && ok "annotation svc-a -> svc-b: policy in ${t%% *} ms after the PATCH was sent" ||
	not_ok "annotation svc-a -> svc-b: policy ($t)"
ANNOT+=("${t%% *}")
assert_eq "$NAT_IP" "$(seen_as "$PID_A")" "... and client-a's new connections go through nat"
t=$(annotate client-a null none)
within_1s "$t" && ok "annotation removed: policy gone in ${t%% *} ms" || not_ok "annotation removed ($t)"
ANNOT+=("${t%% *}")
a0=$(hops "$SPI_A") b0=$(hops "$SPI_B")
assert_eq "$CA_IP" "$(seen_as "$PID_A")" "... client-a reaches the server directly"
assert_eq "$a0|$b0" "$(hops "$SPI_A")|$(hops "$SPI_B")" "... no hop of either chain saw it"
t=$(annotate client-a '"svc-a"' "$SPI_A")
within_1s "$t" && ok "annotation svc-a set again: policy in ${t%% *} ms" || not_ok "annotation set again ($t)"
ANNOT+=("${t%% *}")
assert_eq "$CA_IP" "$(seen_as "$PID_A")" "... HTTP through svc-a again"
grew "$a0" "$(hops "$SPI_A")" && ok "... every hop of svc-a saw it" || not_ok "... hops of svc-a: $a0 -> $(hops "$SPI_A")"

# ---- 4. SF pods deleted: failure policies ----------------------------------
phase "4. failure policies"
scale() { kc -n "$NS" scale deploy "sfc-cni-sf-$1" --replicas="$2" >/dev/null; }
sf_pods() { kc -n "$NS" get pods -l "app.kubernetes.io/name=sf-$1" -o name; }
no_sf_pod() { [ -z "$(sf_pods "$1")" ]; }
hop_live() { # SPI FUNCTION: live instances of that function in the path (sfcctl get paths)
	sfcctl_node get paths -o json | python3 -c '
import json, sys
spi, fn = int(sys.argv[1]), sys.argv[2]
print(sum(1 for h in json.load(sys.stdin) if h["spi"] == spi
          for m in h.get("instances", []) if m["state"] == "up" and "sfc-cni-sf-%s-" % fn in m["pod"]))' "$1" "$2"
}
scale counter 0 && scale nat 0
sfs_gone() { no_sf_pod counter && no_sf_pod nat; }
assert_ok "counter and nat pods deleted (Deployments scaled to 0)" k8s_wait 60 "SF pods gone" sfs_gone
counter_gone() { [ "$(hop_live "$SPI_A" counter)" = 0 ]; }
k8s_wait 10 "svc-a's counter hop without instances" counter_gone || true
a0=$(hops "$SPI_A")
assert_eq "$CA_IP" "$(seen_as "$PID_A")" "svc-a fail-open without counter: HTTP still flows"
a1=$(hops "$SPI_A")
echo "# svc-a hops: $a0 -> $a1"
fw0=$(echo "$a0" | tr ' ' '\n' | grep ':firewall:' | cut -d: -f3)
fw1=$(echo "$a1" | tr ' ' '\n' | grep ':firewall:' | cut -d: -f3)
[ "${fw1:-0}" -gt "${fw0:-0}" ] && ok "... through the firewall, skipping the counter hop" ||
	not_ok "... through the firewall ($a0 -> $a1)"
d0=$(sfcctl_node get drops -o json | python3 -c 'import json,sys; print(sum(d["packets"] for d in json.load(sys.stdin)))')
assert_fail "svc-b fail-closed without nat: HTTP dropped" seen_as "$PID_B"
d1=$(sfcctl_node get drops -o json | python3 -c 'import json,sys; print(sum(d["packets"] for d in json.load(sys.stdin)))')
[ "$d1" -gt "$d0" ] && ok "... drops counted ($d0 -> $d1)" || not_ok "... drops counted ($d0 -> $d1)"
scale counter 1 && scale nat 1
assert_ok "counter and nat back" k8s_wait 90 "SF Deployments" sf_available
sf_live() { [ "$(hop_live "$SPI_A" counter)" = 1 ] && [ "$(hop_live "$SPI_B" nat)" = 1 ]; }
assert_ok "... their instances up in the paths" k8s_wait 30 "instances up" sf_live
assert_eq "$NAT_IP" "$(seen_as "$PID_B")" "svc-b flows again through the new nat"
a0=$(hops "$SPI_A")
old=$(sf_pods counter)
assert_ok "kubectl delete of the counter pod" kc -n "$NS" delete "$old" --wait=false
replaced() { [ -n "$(sf_pods counter)" ] && [ "$(sf_pods counter)" != "$old" ] && sf_available && sf_live; }
assert_ok "the Deployment's replacement is up in svc-a's path" k8s_wait 90 "counter replaced" replaced
assert_eq "$CA_IP" "$(seen_as "$PID_A")" "HTTP through svc-a after the replacement"
grew "$a0" "$(hops "$SPI_A")" && ok "... every hop of svc-a saw it (the new counter too)" ||
	not_ok "... hops of svc-a: $a0 -> $(hops "$SPI_A")"

# ---- 5 and 6. flows under an API server restart and an agent restart -------
# traffic TAG SECS: start a ping (10/s) and an iperf3 stream from client-a
# through svc-a in the background; traffic_check TAG checks them.
traffic() {
	nsenter -t "$PID_A" -n ping -q -i 0.1 -c $(($2 * 10)) -W 1 "$SRV" >"$TMP_DIR/$1.ping" 2>&1 &
	track_pid $!
	echo $! >"$TMP_DIR/$1.ping.pid"
	iperf_run "$PID_A" "$2" -b 200M >"$TMP_DIR/$1.iperf" 2>&1 &
	track_pid $!
	echo $! >"$TMP_DIR/$1.iperf.pid"
}
traffic_check() {
	local tag=$1 p tx rx
	for p in ping iperf; do wait "$(cat "$TMP_DIR/$tag.$p.pid")"; done
	read -r tx rx < <(awk -F'[ ,]+' '/packets transmitted/ { print $1, $4 }' "$TMP_DIR/$tag.ping")
	[ -n "$tx" ] && [ "$tx" = "$rx" ] && ok "$tag: ping through svc-a lost nothing ($rx/$tx)" ||
		not_ok "$tag: ping through svc-a: $(grep -E 'transmitted' "$TMP_DIR/$tag.ping")"
	count_py < <(python3 - "$TMP_DIR/$tag.iperf" "$tag" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("not ok - %s: iperf3 gave no report: %s" % (sys.argv[2], open(sys.argv[1]).read()[-300:].replace("\n", " ")))
    sys.exit(0)
iv = [i["sum"]["bytes"] for i in r.get("intervals", [])]
err = r.get("error")
if err or not iv or min(iv) == 0:
    print("not ok - %s: iperf3 stream through svc-a stalled or failed: %s, per-second bytes %s" % (sys.argv[2], err, iv))
else:
    print("ok - %s: iperf3 stream through svc-a never stalled: %d one-second intervals, min %.1f Mbit/s, %.1f Mbit/s overall"
          % (sys.argv[2], len(iv), min(iv) * 8 / 1e6, r["end"]["sum_received"]["bits_per_second"] / 1e6))
PY
	)
}
# count_py: ok / not ok lines printed by python, counted here.
count_py() { while IFS= read -r l; do case $l in "ok - "*) ok "${l#ok - }" ;; "not ok - "*) not_ok "${l#not ok - }" ;; *) echo "$l" ;; esac; done; }

phase "5. kube-apiserver stopped and restarted mid-traffic"
# relists WHAT: the agent's relists of that reflector ("pods (", "servicechains").
relists() { agent_log | grep -c "k8s $1.*relisting"; }
np0=$(relists "pods (") nc0=$(relists servicechains)
traffic apiserver 20
sleep 3
t0=$(ms)
if K8S_PFX=$PFX BUILD=$BUILD "$here/cluster.sh" stop-apiserver "$K8S_RUN" >"$TMP_DIR/api.log" 2>&1; then
	ok "kube-apiserver stopped ($(secs $(($(ms) - t0))))"
else
	not_ok "kube-apiserver stop: $(tail -n 3 "$TMP_DIR/api.log")"
fi
sleep 4
assert_fail "... the API server is away" kc --request-timeout=2s get nodes
assert_eq "$CA_IP" "$(seen_as "$PID_A")" "... a new HTTP connection through svc-a still works"
t0=$(ms)
if K8S_PFX=$PFX BUILD=$BUILD "$here/cluster.sh" start-apiserver "$K8S_RUN" >>"$TMP_DIR/api.log" 2>&1; then
	ok "kube-apiserver started again ($(secs $(($(ms) - t0))))"
else
	not_ok "kube-apiserver start: $(tail -n 3 "$TMP_DIR/api.log")"
fi
# Its watch cache starts after the agent's resourceVersions: 410, relist.
t0=$(ms)
resynced() { [ "$(relists "pods (")" -gt "$np0" ] && [ "$(relists servicechains)" -gt "$nc0" ]; }
assert_ok "the agent relisted pods and chains after the API server returned" k8s_wait 60 "agent resync" resynced
echo "# agent resynced $(secs $(($(ms) - t0))) after the API server was ready again"
agent_log | grep -E "relist|expired|synced:|unreachable|refused" | tail -n 4 | sed 's/^/# agent: /'
traffic_check apiserver
t=$(annotate client-a '"svc-b"' "$SPI_B")
within_1s "$t" && ok "annotation change after the resync: ${t%% *} ms" || not_ok "annotation after the resync ($t)"
t=$(annotate client-a '"svc-a"' "$SPI_A")
within_1s "$t" || not_ok "annotation back to svc-a ($t)"

phase "6. the agent pod deleted mid-traffic"
traffic agent 15
sleep 3
t0=$(ms)
assert_ok "agent pod $AGENT_POD deleted" kc -n "$NS" delete pod "$AGENT_POD" --wait=false
new_agent() {
	local p
	p=$(kc -n "$NS" get pod -l app.kubernetes.io/name=sfc-node -o jsonpath='{.items[?(@.status.phase=="Running")].metadata.name}')
	[ -n "$p" ] && [ "$p" != "$AGENT_POD" ] && ds_ready
}
assert_ok "the DaemonSet made a new agent pod, Ready" k8s_wait 90 "new agent pod" new_agent
echo "# new agent pod Ready $(secs $(($(ms) - t0))) after the delete"
traffic_check agent
AGENT_POD=$(kc -n "$NS" get pod -l app.kubernetes.io/name=sfc-node -o jsonpath='{.items[0].metadata.name}')
assert_ok "the new agent listed pods and chains" k8s_wait 30 "new agent synced" agent_synced
cni_metrics "$TMP_DIR/metrics.c0"
pod client-c '{"sfc.io/chain": "svc-a"}'
assert_ok "a new pod's ADD is served by the new agent" k8s_kubectl wait --for=condition=Ready pod/client-c --timeout=60s
cni_metrics "$TMP_DIR/metrics.c1"
echo "# CNI ADD of client-c alone (chained; containerd): $(cni_adds "$TMP_DIR/metrics.c1" "$TMP_DIR/metrics.c0"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
PID_C=$(k8s_task_pid default client-c)
a0=$(hops "$SPI_A")
assert_eq "$(k8s_pod_ip default client-c)" "$(seen_as "$PID_C")" "... and its traffic goes through svc-a"
grew "$a0" "$(hops "$SPI_A")" && ok "... at every hop" || not_ok "... hops of svc-a: $a0 -> $(hops "$SPI_A")"

# ---- 7. uninstall ---------------------------------------------------------
phase "7. uninstall"
# The pinned maps, programs and links now ("map:ID" ...): none may outlive
# the uninstall.
pinned_ids() {
	local f t
	find "$K8S_BPFFS" -type f | while read -r f; do
		for t in map prog link; do
			bpftool -j "$t" show pinned "$f" 2>/dev/null |
				python3 -c 'import json,sys; o=json.load(sys.stdin); print(sys.argv[1] + ":" + str(o["id"])) if "id" in o else None' "$t" 2>/dev/null
		done
	done | sort -u | xargs
}
BPF_IDS=$(pinned_ids)
echo "# pinned before the uninstall: $(echo "$BPF_IDS" | wc -w) objects"
# The release as `helm upgrade` applies it (no hooks), its pre-delete hooks
# in the order helm runs them, and what `helm uninstall` deletes (no CRD,
# no hook).
render --set cni.removeOnUninstall=true --no-hooks -o "$TMP_DIR/sfc-cni-uninstall.yaml"
assert_ok "helm upgrade --set cni.removeOnUninstall=true equivalent (apply)" kc apply -f "$TMP_DIR/sfc-cni-uninstall.yaml"
assert_ok "... rolled out" kc -n "$NS" rollout status ds/sfc-cni-node --timeout=90s
render --set cni.removeOnUninstall=true --hooks pre-delete -o "$TMP_DIR/pre-delete.yaml"
render --set cni.removeOnUninstall=true --no-hooks --skip-crds -o "$TMP_DIR/release.yaml"
t0=$(ms)
# The user's own pods on the network first (README.md): gone from the API
# (kubectl delete waits), not only DELed.
assert_ok "the user's pods using the network deleted (clients, server)" \
	kc delete pods --all -n default --grace-period=1 --timeout=90s
# hook_docs FILE DIR: each document of FILE as DIR/NN.yaml, and a line
# "NN KIND NAMESPACE NAME POLICIES" per document, in FILE's order.
hook_docs() {
	python3 - "$1" "$2" <<'PY'
import sys, yaml
for i, d in enumerate(x for x in yaml.safe_load_all(open(sys.argv[1])) if x):
    f = "%s/%02d.yaml" % (sys.argv[2], i)
    yaml.safe_dump(d, open(f, "w"))
    m = d["metadata"]
    print("%02d" % i, d["kind"], m.get("namespace", "-"), m["name"],
          m["annotations"].get("helm.sh/hook-delete-policy", "before-hook-creation"))
PY
}
# job_done NS NAME: 0 once the Job completed, 2 once it failed, 1 meanwhile.
job_done() {
	local c
	c=$(kc -n "$1" get job "$2" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{end}') || return 1
	case $c in *Complete*) return 0 ;; *Failed*) return 2 ;; esac
	return 1
}
# run_hooks FILE: what helm does for an event's hooks (pkg/action/hooks.go):
# each in order, the one a former run left deleted first
# (before-hook-creation), created, a Job waited for until it completes;
# once all succeeded, those with hook-succeeded deleted.
run_hooks() {
	local dir=$TMP_DIR/hooks n kind ns name pol end rc
	mkdir -p "$dir"
	hook_docs "$1" "$dir" >"$dir/list" || return 1
	while read -r n kind ns name pol; do
		case ,$pol, in *,before-hook-creation,*) kc delete -f "$dir/$n.yaml" --ignore-not-found >/dev/null || return 1 ;; esac
		kc create -f "$dir/$n.yaml" >/dev/null || return 1
		[ "$kind" = Job ] || continue
		end=$(($(date +%s) + 300)) # helm uninstall's default --timeout
		while :; do
			job_done "$ns" "$name"
			rc=$?
			[ $rc = 1 ] || break
			[ "$(date +%s)" -lt "$end" ] || break
			sleep 0.5
		done
		kc -n "$ns" logs "job/$name" >"$dir/$name.log" 2>&1
		[ $rc = 0 ] || { echo "hook job $name: not complete" >&2; return 1; }
	done <"$dir/list"
	while read -r n kind ns name pol; do
		case ,$pol, in *,hook-succeeded,*) kc delete -f "$dir/$n.yaml" >/dev/null || return 1 ;; esac
	done <"$dir/list"
}
mkdir -p "$TMP_DIR/hook-order"
assert_eq "ServiceAccount Role RoleBinding Job" "$(hook_docs "$TMP_DIR/pre-delete.yaml" "$TMP_DIR/hook-order" | cut -d' ' -f2 | xargs)" \
	"pre-delete hooks: ServiceAccount, Role, RoleBinding (weight -1), then the Job (weight 0)"
t1=$(ms)
assert_ok "helm uninstall, pre-delete hooks: the Job deleted the SF Deployments and waited for their pods" \
	run_hooks "$TMP_DIR/pre-delete.yaml"
echo "# pre-delete hooks: $(secs $(($(ms) - t1)))"
cat "$TMP_DIR"/hooks/*.log 2>/dev/null | sed 's/^/# hook job: /'
assert_eq "" "$(kc get pods --all-namespaces -l 'app.kubernetes.io/name notin (sfc-node,sfc-uninstall)' -o name)" \
	"... no SF pod left in the API when the hook returns"
assert_eq "" "$(kc -n "$NS" get sa,role,rolebinding,job -o name | grep uninstall)" \
	"... hook objects deleted (hook-succeeded)"
# Foreground deletion: each Deployment goes right after its ReplicaSet.
no_sf_deploy() { [ -z "$(kc -n "$NS" get deploy -o name)" ]; }
assert_ok "... SF Deployments gone" k8s_wait 10 "SF Deployments gone" no_sf_deploy
# helm uninstall: every object of the release in one pass, in Helm's
# uninstall order (the reverse of the install order for these kinds:
# Deployments, DaemonSet, RBAC, ConfigMaps, ServiceAccount), not waiting
# for any; Helm ignores what is already gone.
python3 - "$TMP_DIR/release.yaml" >"$TMP_DIR/release-uninstall.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
print(yaml.safe_dump_all(docs[::-1]))
PY
assert_eq "Deployment DaemonSet ClusterRoleBinding ClusterRole ConfigMap ServiceAccount" \
	"$(grep '^kind: ' "$TMP_DIR/release-uninstall.yaml" | cut -d' ' -f2 | uniq | xargs)" \
	"helm uninstall order of the release's kinds"
t2=$(ms)
assert_ok "helm uninstall equivalent: kubectl delete of every object of the release in one pass (--wait=false)" \
	kc delete -f "$TMP_DIR/release-uninstall.yaml" --ignore-not-found --wait=false
no_agent() { [ -z "$(kc -n "$NS" get pods -l app.kubernetes.io/name=sfc-node -o name)" ] && ! agent_pid >/dev/null; }
assert_ok "... the agent pod is gone" k8s_wait 60 "agent pod gone" no_agent
no_pods() { [ -z "$(kc get pods --all-namespaces -o name)" ] && [ -z "$(k8s_ctr tasks ls -q 2>/dev/null)" ]; }
if k8s_wait 60 "every pod and container gone" no_pods; then
	ok "no pod left in the API, no container (sandboxes included) running in containerd"
else
	not_ok "pods or sandboxes left: $(kc get pods --all-namespaces -o wide 2>&1 | tail -n +2 | tr -s ' ' | tr '\n' ';') running containers: $(k8s_ctr tasks ls -q 2>&1 | xargs)"
	grep -E "level=error" "$K8S_RUN/logs/containerd.log" | tail -n 5 | cut -c1-300 | sed 's/^/# containerd: /'
fi
echo "# uninstall: $(secs $(($(ms) - t0))) (the release's one-pass delete -> agent and every pod gone: $(secs $(($(ms) - t2))))"
assert_eq "" "$(ls -A "$K8S_RUN/cni/net.d")" "no conflist left"
assert_eq "" "$(ls "$K8S_RUN/cni/bin" | grep -x sfc-cni)" "no sfc-cni left in the CNI bin dir"
assert_eq "" "$(ls -d "$K8S_BPFFS" 2>/dev/null)" "no pin dir $K8S_BPFFS"
left=""
for o in $BPF_IDS; do bpftool "${o%%:*}" show id "${o#*:}" >/dev/null 2>&1 && left="$left $o"; done
[ -n "$BPF_IDS" ] && [ -z "$left" ] && ok "none of the $(echo "$BPF_IDS" | wc -w) BPF objects pinned before is still held by anything" ||
	not_ok "BPF objects pinned before the uninstall still alive:$left (of: $BPF_IDS)"
assert_eq "" "$(ls -A "$K8S_SFC_STATE")" "state dir emptied"
assert_eq "" "$(ip -n "$K8S_NETNS" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep "^$K8S_PFX")" \
	"no pod interface ($K8S_PFX*) on the node"
assert_eq "" "$(find /sys/fs/cgroup -path "*$K8S_CGROUP/*" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs)" \
	"no process left in the kubelet's pods"
assert_eq "" "$(for p in $(k8s_procs_naming "$K8S_RUN/sfc"); do cat "/proc/$p/comm"; done)" \
	"no process naming the node's sfc dirs"
assert_eq "svc-a svc-b" "$(kc get servicechains -o jsonpath='{.items[*].metadata.name}')" \
	"the CRD and the chains stay (as with helm uninstall)"

phase "down"
t0=$(ms)
if K8S_PFX=$PFX BUILD=$BUILD "$here/cluster.sh" down "$K8S_RUN" >"$TMP_DIR/down.log" 2>&1; then
	ok "cluster down ($(secs $(($(ms) - t0))))"
else
	not_ok "cluster down"
	sed 's/^/# /' "$TMP_DIR/down.log"
fi
assert_eq "" "$(ip netns list | grep "^$PFX-")" "no netns $PFX-*"
assert_eq "" "$(ls -d "$K8S_RUN" 2>/dev/null)" "run dir removed"
echo "# annotation change -> policy in the maps (ms from sending the PATCH): ${ANNOT[*]}"
echo "# test took $(secs $(($(ms) - T_START))) (images.sh $(secs $T_IMAGES) of it); load average $(cut -d' ' -f1-3 /proc/loadavg)"
summary
