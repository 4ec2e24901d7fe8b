#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_chart.sh - the Helm chart (manifests/helm/sfc-cni) through
# tests/k8s/render (chart-render), checked against a real kube-apiserver +
# etcd that this script starts on 127.0.0.1 (free ports, a scratch dir) and
# ends by PID:
#   - the renderer's Go tests; renders with default and non-default values
#     (-f and --set), their content, the render errors a bad value gives;
#     manifests/sfc-cni.yaml and manifests/service-functions.yaml are the
#     chart's current output;
#   - `kubectl apply --dry-run=server` of both renders: every document is
#     accepted, with the expected kinds and names;
#   - the CRD: valid ServiceChains are stored, malformed ones rejected by its
#     schema, the status subresource (a /status patch sets status and leaves
#     spec alone, a patch of the object leaves status alone, two nodes'
#     entries coexist), `kubectl get servicechains` columns, no "sc" short
#     name;
#   - the ClusterRole, applied for real: what the agent's service account
#     may and may not do;
#   - the pre-delete hook (removeOnUninstall with SF Deployments only): its
#     Role applied for real (delete those Deployments by name, list pods,
#     nothing else), its Job's script run as its service account;
#   - install-cni.sh against that API server, as the agent's service account:
#     the Node's podCIDR in the installed conflist, files replaced by rename,
#     a Node without podCIDR refused with nothing installed, --uninstall.
# Prints "N passed, N failed".
#
#   BUILD=build-img tests/k8s/test_chart.sh
#
# Needs kube-apiserver and kubectl from tests/k8s/build-k8s.sh (K8S_BIN,
# default /var/cache/sfc-cni/k8s-1.20.2/bin; built when missing), etcd, go,
# golang-github-masterminds-sprig-dev and golang-gopkg-yaml.v2-dev.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
K8S_BIN=${K8S_BIN:-/var/cache/sfc-cni/k8s-1.20.2/bin}
CHART=$root/manifests/helm/sfc-cni
RENDER=$BUILD/bin/chart-render
PASS=0 FAIL=0 ETCD_PID='' API_PID=''

ok() {
	PASS=$((PASS + 1))
	echo "ok - $*"
}
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $*"
}
# check DESC CMD...: CMD must succeed; its output is shown when it does not.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc: $(echo "$out" | tail -n 5 | tr '\n' ' ')"; fi
}
# refuse DESC PATTERN CMD...: CMD must fail with PATTERN (grep -E) in its output.
refuse() {
	local desc=$1 pat=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$desc: accepted"
	elif echo "$out" | grep -qE -- "$pat"; then
		ok "$desc"
	else
		not_ok "$desc: failed without '$pat': $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

D=$(mktemp -d /tmp/sfc-chart-XXXXXX)
cleanup() {
	local rc=$?
	# The apiserver first: its shutdown still talks to etcd.
	[ -z "$API_PID" ] || { kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null; } || true
	[ -z "$ETCD_PID" ] || { kill "$ETCD_PID" 2>/dev/null && wait "$ETCD_PID" 2>/dev/null; } || true
	rm -rf "$D"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "not ok - needs root"; exit 1; }
if [ ! -x "$K8S_BIN/kube-apiserver" ] || [ ! -x "$K8S_BIN/kubectl" ]; then
	K8S_BIN=$("$here/build-k8s.sh" | tail -n 1) || { echo "not ok - build-k8s.sh failed"; exit 1; }
fi
command -v etcd >/dev/null || { echo "not ok - etcd missing (apt-get install etcd-server)"; exit 1; }

# ---- the renderer ----------------------------------------------------------
GOENV=(env GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$BUILD/gocache")
mkdir -p "$BUILD/bin"
(cd "$root" && check "chart-render builds" "${GOENV[@]}" go build -o "$RENDER" ./tests/k8s/render)
[ -x "$RENDER" ] || { echo "$PASS passed, $((FAIL + 1)) failed"; exit 1; }
(cd "$root" && check "chart-render Go tests" "${GOENV[@]}" go test ./tests/k8s/render/)
render() { "$RENDER" --release sfc-cni "$@" "$CHART"; }

check "render: default values" render --namespace kube-system -o "$D/default.yaml"
check "manifests/sfc-cni.yaml is the chart's output (regenerate: see manifests/README.md)" \
	diff -u "$root/manifests/sfc-cni.yaml" "$D/default.yaml"
check "render: all SFs enabled (service-functions.yaml)" render --namespace kube-system \
	-f "$root/manifests/service-functions.values.yaml" \
	--show-only templates/service-functions.yaml -o "$D/sfs.yaml"
check "manifests/service-functions.yaml is the chart's output" \
	diff -u "$root/manifests/service-functions.yaml" "$D/sfs.yaml"

cat >"$D/custom-values.yaml" <<'EOF'
image: {registry: registry.example.org/sfc, tag: "1.2.3", pullPolicy: Never, pullSecrets: [{name: regcred}]}
podCIDR: 10.250.3.0/24
kubernetesServiceHost: 10.200.0.1
kubernetesServicePort: "6443"
cni:
  binDir: /run/k1/cni/bin
  confDir: /run/k1/cni/net.d
  mtu: 9000
  hostIfPrefix: k1
  ipam: {dataDir: /run/k1/ipam, routes: [{dst: 192.0.2.0/24}]}
  bandwidth: true
  extraConfig: {logLevel: debug}
  removeOnUninstall: true
node: {bpffsDir: /sys/fs/bpf/k1, stateDir: /run/k1/state, confDir: /run/k1/conf}
agent: {privileged: true, extraArgs: [--verbose], logLevel: debug}
daemonset: {priorityClassName: sfc-critical, tolerations: [{key: example.org/dedicated, operator: Exists}]}
serviceFunctions:
  namespace: sfc-functions
  functions:
    firewall: {enabled: true, replicas: 2}
    nat: {enabled: true, config: {nat_ip: 10.250.0.1}}
    ratelimit: {enabled: true}
    monitor: {enabled: true}
    ids: {enabled: true}
    counter: {enabled: true}
EOF
check "render: non-default values (-f, --set)" render --namespace sfc-system -f "$D/custom-values.yaml" \
	--set agent.intervalMs=100,serviceFunctions.functions.counter.replicas=3 \
	--set-string serviceFunctions.rxMode=ring -o "$D/custom.yaml"

# has FILE DESC FIXED-STRING...: every string occurs in FILE.
has() {
	local f=$1 desc=$2 s miss=
	shift 2
	for s in "$@"; do grep -qF -- "$s" "$f" || miss="$miss '$s'"; done
	if [ -z "$miss" ]; then ok "$desc"; else not_ok "$desc: missing$miss"; fi
}
has "$D/default.yaml" "default: node image, fromNode placeholder, capabilities, HostToContainer, agent flags" \
	"image: localhost/sfc-cni/node:0.1.0" '"subnet": "@NODE_POD_CIDR@"' "- NET_ADMIN" \
	"mountPropagation: HostToContainer" "- --node-name=\$(SFC_NODE_NAME)" '- "--pin-dir=/sys/fs/bpf/sfc"' \
	'"type": "portmap"' "priorityClassName: \"system-node-critical\"" "- operator: Exists"
if grep -qE 'kind: Deployment|privileged: true|preStop|- SYS_ADMIN|KUBERNETES_SERVICE_HOST' "$D/default.yaml"; then
	not_ok "default: no SF Deployment, not privileged, no preStop, no SYS_ADMIN, no API address override"
else
	ok "default: no SF Deployment, not privileged, no preStop, no SYS_ADMIN, no API address override"
fi
has "$D/custom.yaml" "custom: images, CIDR, conflist fields, API address, uninstall hook, privileged" \
	"image: registry.example.org/sfc/node:1.2.3" "image: registry.example.org/sfc/sf-ids:1.2.3" \
	'"subnet": "10.250.3.0/24"' '"mtu": 9000' '"hostIfPrefix": "k1"' '"dataDir": "/run/k1/ipam"' \
	'"routes": [{"dst":"192.0.2.0/24"}]' '"logLevel": "debug"' '"type": "bandwidth"' '"hookAttach": "tcx"' \
	'value: "10.200.0.1"' 'value: "6443"' "exec: {command: [/usr/local/bin/install-cni.sh, --uninstall]}" \
	"privileged: true" "mountPropagation: Bidirectional" 'path: "/run/k1/cni/bin"' "- --interval-ms=100" \
	'- "--verbose"' "imagePullPolicy: Never" "- name: regcred" "key: example.org/dedicated" \
	"namespace: sfc-functions" "- --rx-mode=ring" '"nat_ip":"10.250.0.1"' "id:1001 action:drop"
n=$(grep -c '^kind: Deployment' "$D/custom.yaml")
f=$(grep -cE '^        sfc.io/function: "(firewall|nat|ratelimit|monitor|ids|counter)"' "$D/custom.yaml")
[ "$n" = 6 ] && [ "$f" = 6 ] && ok "custom: 6 SF Deployments, each pod annotated sfc.io/function" ||
	not_ok "custom: $n SF Deployments, $f sfc.io/function annotations (want 6, 6)"
# The pre-delete hook (templates/uninstall-hook.yaml): only with
# removeOnUninstall and SF Deployments both.
has "$D/custom.yaml" "custom: the pre-delete hook (SA, Role, RoleBinding, Job) with removeOnUninstall and SFs" \
	"helm.sh/hook: pre-delete" 'helm.sh/hook-weight: "-1"' 'helm.sh/hook-weight: "0"' \
	"helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded" "kind: Job" "hostNetwork: true" \
	'value: "sfc-cni-sf-counter sfc-cni-sf-firewall sfc-cni-sf-ids sfc-cni-sf-monitor sfc-cni-sf-nat sfc-cni-sf-ratelimit"' \
	'value: "app.kubernetes.io/instance=sfc-cni,app.kubernetes.io/name in (sf-counter,sf-firewall,sf-ids,sf-monitor,sf-nat,sf-ratelimit)"'
n=$(render --namespace sfc-system -f "$D/custom-values.yaml" --hooks pre-delete | grep '^kind: ' | cut -d' ' -f2 | xargs)
[ "$n" = "ServiceAccount Role RoleBinding Job" ] && ok "--hooks pre-delete: ServiceAccount, Role, RoleBinding, then the Job" ||
	not_ok "--hooks pre-delete: [$n]"
no_hook() { # DESC RENDER-ARGS...: no hook in that render
	local desc=$1 out
	shift
	out=$(render "$@" 2>&1) && ! echo "$out" | grep -q 'helm.sh/hook' && ok "$desc" || not_ok "$desc"
}
no_hook "no hook by default" --namespace kube-system
no_hook "no hook with removeOnUninstall but no SF Deployment" --set cni.removeOnUninstall=true
no_hook "no hook with SF Deployments but without removeOnUninstall" -f "$root/manifests/service-functions.values.yaml"
no_hook "no hook with --no-hooks" -f "$D/custom-values.yaml" --no-hooks
refuse "render: nat enabled without nat_ip" "nat_ip is required" \
	render --set serviceFunctions.functions.nat.enabled=true
refuse "render: empty podCIDR" "podCIDR: fromNode or a CIDR" render --set podCIDR=
refuse "render: a --set without a value" "expected key=value" render --set podCIDR

# ---- etcd + kube-apiserver on loopback ------------------------------------
read -r P_ETCD P_PEER P_API < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
leaf() { # NAME SUBJ EXT
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/$1.key" \
		-subj "$2" -out "$D/$1.csr" 2>/dev/null &&
		printf '%s\n' "$3" >"$D/$1.ext" &&
		openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial \
			-days 1 -extfile "$D/$1.ext" -out "$D/$1.crt" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/ca.key" \
	-subj /CN=sfc-chart-test-ca -days 1 -out "$D/ca.crt" 2>/dev/null
leaf apiserver /CN=kube-apiserver "subjectAltName=IP:127.0.0.1"
leaf admin "/O=system:masters/CN=sfc-chart-admin" "extendedKeyUsage=clientAuth"
openssl ecparam -name prime256v1 -genkey -noout -out "$D/sa.key"
openssl ec -in "$D/sa.key" -pubout -out "$D/sa.pub" 2>/dev/null
# A static token for the agent's service account name: RBAC binds the
# chart's ClusterRole to that user.
SA_USER=system:serviceaccount:kube-system:sfc-cni-agent
SA_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$SA_TOKEN,$SA_USER,sfc-agent-uid,system:serviceaccounts" >"$D/tokens.csv"
cat >"$D/admin.kubeconfig" <<EOF
current-context: t
clusters: [{name: k, cluster: {server: "https://127.0.0.1:$P_API", certificate-authority: ca.crt}}]
contexts: [{name: t, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate: admin.crt, client-key: admin.key}}]
EOF
etcd --name t --data-dir "$D/etcd" --log-level warn \
	--listen-client-urls "http://127.0.0.1:$P_ETCD" --advertise-client-urls "http://127.0.0.1:$P_ETCD" \
	--listen-peer-urls "http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_PEER" \
	--initial-cluster "t=http://127.0.0.1:$P_PEER" >"$D/etcd.log" 2>&1 &
ETCD_PID=$!
"$K8S_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$P_ETCD" \
	--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$P_API" \
	--insecure-port 0 --cert-dir "$D/apiserver" --tls-cert-file "$D/apiserver.crt" \
	--tls-private-key-file "$D/apiserver.key" --client-ca-file "$D/ca.crt" \
	--token-auth-file "$D/tokens.csv" --service-account-key-file "$D/sa.pub" \
	--service-account-signing-key-file "$D/sa.key" \
	--service-account-issuer https://kubernetes.default.svc \
	--service-cluster-ip-range 10.96.0.0/24 --authorization-mode RBAC --allow-privileged=true \
	--profiling=false --v 1 >"$D/apiserver.log" 2>&1 &
API_PID=$!
api() { curl -sS --max-time 10 --cacert "$D/ca.crt" --cert "$D/admin.crt" --key "$D/admin.key" "$@"; }
t0=$(date +%s)
for _ in $(seq 1 240); do
	kill -0 "$API_PID" 2>/dev/null || break
	api -f "https://127.0.0.1:$P_API/readyz" >/dev/null 2>&1 && break
	sleep 0.5
done
if ! api -f "https://127.0.0.1:$P_API/readyz" >/dev/null 2>&1; then
	not_ok "etcd + kube-apiserver ready"
	tail -n 20 "$D/apiserver.log" | sed 's/^/# /'
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
ok "etcd + kube-apiserver ready ($(($(date +%s) - t0)) s)"
kc() { "$K8S_BIN/kubectl" --kubeconfig "$D/admin.kubeconfig" --request-timeout=20s "$@"; }

# ---- server-side dry run ---------------------------------------------------
# names FILE: kind/name of each of FILE's documents (kind and
# metadata.name at the top level of each).
names() {
	awk 'function out() { if (k != "") print tolower(k) "/" n; k = n = ""; m = 0 }
		/^---/ { out(); next }
		/^kind: / { k = $2 }
		/^metadata:/ { m = 1; next }
		/^[a-zA-Z]/ { m = 0 }
		m && /^  name: / && n == "" { n = $2 }
		END { out() }' "$1" | sort
}
dry_run() { # FILE
	local out want got
	if ! out=$(kc apply --dry-run=server -o name -f "$1" 2>&1); then
		not_ok "kubectl apply --dry-run=server $(basename "$1"): $(echo "$out" | tail -n 5 | tr '\n' ' ')"
		return
	fi
	# kubectl prints kind.group/name; the file has Kind and name.
	got=$(echo "$out" | sed -E 's#^([a-z]+)(\.[^/]*)?/#\1/#' | sort)
	want=$(names "$1")
	if [ "$got" = "$want" ]; then
		ok "kubectl apply --dry-run=server $(basename "$1"): $(echo "$got" | wc -l) objects accepted"
	else
		not_ok "kubectl apply --dry-run=server $(basename "$1"): got [$(echo $got)], want [$(echo $want)]"
	fi
}
dry_run "$D/default.yaml"
kc create namespace sfc-system >/dev/null && kc create namespace sfc-functions >/dev/null
dry_run "$D/custom.yaml"
dry_run "$D/sfs.yaml"

# ---- the CRD ---------------------------------------------------------------
check "CRD applied" kc apply -f "$CHART/crds/servicechains.sfc.io.yaml"
check "CRD established" kc wait --for condition=established --timeout 60s crd/servicechains.sfc.io
chain() { # NAME SPEC-JSON
	printf '{"apiVersion":"sfc.io/v1alpha1","kind":"ServiceChain","metadata":{"name":"%s"},"spec":%s}' "$1" "$2"
}
# --validate=false: the API server's schema must refuse, not kubectl's
# copy of it.
create() { chain "$1" "$2" | kc create --validate=false -f -; }
post() { printf '%s' "$1" | kc create --validate=false -f -; }
check "valid chain (functions, policy, match with cidr/ports)" create fw-count \
	'{"functions":["firewall","counter"],"failurePolicy":"fail-closed","match":[{"direction":"egress","protocol":"tcp","cidr":"10.22.0.0/16","ports":"80-8080"},{"protocol":"icmpv6","cidr":"fd00::/64"},{"direction":"ingress","cidr":"192.0.2.7"}]}'
check "valid chain (defaults: fail-closed, egress, any)" create minimal '{"functions":["nat"],"match":[{}]}'
check "defaults applied by the schema" test "$(kc get servicechain minimal \
	-o jsonpath='{.spec.failurePolicy} {.spec.match[0].direction} {.spec.match[0].protocol}')" = "fail-closed egress any"
refuse "no spec" "spec: Required" post '{"apiVersion":"sfc.io/v1alpha1","kind":"ServiceChain","metadata":{"name":"x"}}'
refuse "no functions" "spec.functions: Required" create bad '{"failurePolicy":"fail-open"}'
refuse "empty functions" "spec.functions: Invalid value.*at least 1" create bad '{"functions":[]}'
refuse "17 functions" "spec.functions in body should have at most 16 items" create bad \
	'{"functions":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}'
refuse "function not a DNS label" "spec.functions: Invalid value: \"Fire_Wall\".*should match" create bad '{"functions":["Fire_Wall"]}'
refuse "function of 64 characters" "spec.functions in body should be at most 63 chars long" create bad \
	"{\"functions\":[\"$(printf 'f%.0s' $(seq 64))\"]}"
refuse "failurePolicy outside its enum" "spec.failurePolicy: Unsupported value" create bad \
	'{"functions":["fw"],"failurePolicy":"sometimes"}'
refuse "direction outside its enum" "spec.match.direction: Unsupported value: \"sideways\"" create bad \
	'{"functions":["fw"],"match":[{"direction":"sideways"}]}'
refuse "protocol outside its enum" "spec.match.protocol: Unsupported value: \"sctp\"" create bad \
	'{"functions":["fw"],"match":[{"protocol":"sctp"}]}'
refuse "CIDR prefix /33" 'spec.match.cidr: Invalid value: "10.0.0.0/33"' create bad \
	'{"functions":["fw"],"match":[{"cidr":"10.0.0.0/33"}]}'
refuse "CIDR that is a name" 'spec.match.cidr: Invalid value: "example.org"' create bad \
	'{"functions":["fw"],"match":[{"cidr":"example.org"}]}'
refuse "ports that are no PORT or LO-HI" 'spec.match.ports: Invalid value: "80-"' create bad \
	'{"functions":["fw"],"match":[{"protocol":"tcp","ports":"80-"}]}'
refuse "ports without protocol (defaults to any)" 'must validate at least one schema \(anyOf\)' create bad \
	'{"functions":["fw"],"match":[{"ports":"80"}]}'
refuse "ports with protocol icmp" 'must validate at least one schema \(anyOf\)' create bad \
	'{"functions":["fw"],"match":[{"protocol":"icmp","ports":"80"}]}'
refuse "icmp with an IPv6 CIDR" 'must not validate the schema \(not\)' create bad \
	'{"functions":["fw"],"match":[{"protocol":"icmp","cidr":"fd00::/8"}]}'
refuse "icmpv6 with an IPv4 CIDR" 'must not validate the schema \(not\)' create bad \
	'{"functions":["fw"],"match":[{"protocol":"icmpv6","cidr":"10.0.0.0/8"}]}'
refuse "17 match entries" "spec.match in body should have at most 16 items" create bad \
	"{\"functions\":[\"fw\"],\"match\":[$(printf '{},%.0s' $(seq 16)){}]}"
refuse "name of 64 characters" "metadata.name in body should be at most 63 chars long" create "$(printf 'n%.0s' $(seq 64))" '{"functions":["fw"]}'
check "no malformed chain was stored" test "$(kc get servicechains -o name | sort | tr '\n' ' ')" = \
	"servicechain.sfc.io/fw-count servicechain.sfc.io/minimal "

URL=https://127.0.0.1:$P_API/apis/sfc.io/v1alpha1/servicechains/fw-count
# patch URL BODY: a JSON merge patch as admin; prints the answer, fails
# unless it is 2xx.
patch() {
	local out
	out=$(api -X PATCH -H 'Content-Type: application/merge-patch+json' --data "$2" \
		-w '\n%{http_code}' "$1") || return 1
	echo "${out%$'\n'*}"
	[ "${out##*$'\n'}" -lt 300 ]
}
spec_before=$(kc get servicechain fw-count -o jsonpath='{.spec}')
gen=$(kc get servicechain fw-count -o jsonpath='{.metadata.generation}')
check "PATCH /status (conditions, per-node hops; a spec change in it)" patch "$URL/status" \
	"{\"spec\":{\"functions\":[\"evil\"]},\"status\":{\"observedGeneration\":$gen,\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Compiled\",\"message\":\"2 hops\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}],\"nodes\":{\"node-a\":{\"observedGeneration\":$gen,\"hops\":[{\"function\":\"firewall\",\"instances\":2,\"live\":2},{\"function\":\"counter\",\"instances\":1,\"live\":1}]}}}}"
check "status set, spec and generation unchanged by /status" test \
	"$(kc get servicechain fw-count -o jsonpath='{.spec}|{.metadata.generation}|{.status.conditions[0].reason}|{.status.nodes.node-a.hops[0].instances}')" \
	= "$spec_before|$gen|Compiled|2"
check "second node's entry (merge patch of its own key)" patch "$URL/status" \
	'{"status":{"nodes":{"node-b":{"hops":[{"function":"firewall","instances":0,"live":0}]}}}}'
check "both nodes' entries kept" test "$(kc get servicechain fw-count \
	-o jsonpath='{.status.nodes.node-a.hops[1].function} {.status.nodes.node-b.hops[0].instances}')" = "counter 0"
refuse "/status rejects a reason that is not CamelCase" 'status.conditions.reason: Invalid value: \\"no instances\\"' \
	patch "$URL/status" '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"no instances"}]}}'
refuse "/status rejects a condition status outside True/False/Unknown" 'status.conditions.status: Unsupported value: \\"Yes\\"' \
	patch "$URL/status" '{"status":{"conditions":[{"type":"Ready","status":"Yes"}]}}'
check "PATCH of the object (status in it)" patch "$URL" '{"status":{"observedGeneration":99}}'
check "status unchanged by a patch of the object" test \
	"$(kc get servicechain fw-count -o jsonpath='{.status.observedGeneration}')" = "$gen"

get=$(kc get servicechains 2>&1)
echo "$get" | sed 's/^/# /'
hdr=$(echo "$get" | head -n 1 | tr -s ' ')
row=$(echo "$get" | awk '$1 == "fw-count"' | tr -s ' ')
check "kubectl get servicechains: columns NAME FUNCTIONS POLICY READY REASON AGE" \
	test "$hdr" = "NAME FUNCTIONS POLICY READY REASON AGE"
case $row in
'fw-count ["firewall","counter"] fail-closed True Compiled '*) ok "kubectl get servicechains: fw-count's functions, policy, readiness" ;;
*) not_ok "kubectl get servicechains: row '$row'" ;;
esac
check "no short name for servicechains" test -z "$(kc get crd servicechains.sfc.io -o jsonpath='{.spec.names.shortNames}')"
sc=$(kc get sc 2>&1)
case $sc in
*fw-count* | *FUNCTIONS*) not_ok "kubectl get sc is storageclasses, not servicechains: $sc" ;;
*) ok "kubectl get sc is storageclasses, not servicechains" ;;
esac

# ---- RBAC, for real --------------------------------------------------------
# The chart's ServiceAccount, ClusterRole and ClusterRoleBinding (the
# release namespace is kube-system in default.yaml).
"$RENDER" --release sfc-cni --namespace kube-system --show-only templates/rbac.yaml "$CHART" >"$D/rbac.yaml"
check "RBAC applied" kc apply -f "$D/rbac.yaml"
can() { kc auth can-i --as "$SA_USER" --all-namespaces "$@" 2>/dev/null; }
# "VERBS RESOURCE [SUBRESOURCE]" entries, separated by "|".
# shellcheck disable=SC2034 # read through ${!list}
allowed="get,list,watch pods|get,list,watch nodes|get,list,watch servicechains.sfc.io|get,patch servicechains.sfc.io status|create events"
# shellcheck disable=SC2034
denied="create,delete,patch pods|update,patch nodes|create,update,patch,delete servicechains.sfc.io|update servicechains.sfc.io status|get secrets|list configmaps|patch events|create pods exec"
bad='' n_ok=0
for list in allowed denied; do
	want=yes
	[ $list = allowed ] || want=no
	IFS='|' read -ra rules <<<"${!list}"
	for r in "${rules[@]}"; do
		read -r verbs res sub <<<"$r"
		for v in ${verbs//,/ }; do
			n_ok=$((n_ok + 1))
			[ "$(can "$v" "$res" ${sub:+--subresource "$sub"})" = $want ] || bad="$bad $v:$res${sub:+/$sub}!=$want"
		done
	done
done
[ -z "$bad" ] && ok "agent's service account: the rights it needs and no more ($n_ok verbs checked)" ||
	not_ok "agent's service account rights:$bad"

# The pre-delete hook's service account (release namespace sfc-system, SFs
# in sfc-functions): delete the chart's SF Deployments by name and list
# pods there, nothing else.
render --namespace sfc-system -f "$D/custom-values.yaml" --hooks pre-delete -o "$D/pre-delete.yaml"
check "pre-delete hook objects applied" kc apply -f "$D/pre-delete.yaml"
HOOK_USER=system:serviceaccount:sfc-system:sfc-cni-uninstall
hook_can() { kc auth can-i --as "$HOOK_USER" "$@" 2>/dev/null; }
bad='' n_ok=0
for t in firewall nat ratelimit monitor ids counter; do
	n_ok=$((n_ok + 1))
	[ "$(hook_can -n sfc-functions delete "deployments.apps/sfc-cni-sf-$t")" = yes ] || bad="$bad delete:sf-$t!=yes"
done
n_ok=$((n_ok + 1))
[ "$(hook_can -n sfc-functions list pods)" = yes ] || bad="$bad list:pods!=yes"
# "NAMESPACE VERB RESOURCE" the hook may not do.
while read -r ns v res; do
	n_ok=$((n_ok + 1))
	[ "$(hook_can -n "$ns" "$v" "$res")" = no ] || bad="$bad $ns:$v:$res!=no"
done <<'EOF'
sfc-functions delete deployments.apps/other
sfc-functions delete deployments.apps
sfc-functions deletecollection deployments.apps
sfc-functions list deployments.apps
sfc-functions get deployments.apps/sfc-cni-sf-nat
sfc-functions patch deployments.apps/sfc-cni-sf-nat
sfc-system delete deployments.apps/sfc-cni-sf-nat
sfc-functions get pods
sfc-functions watch pods
sfc-functions delete pods
sfc-functions create pods
sfc-system list pods
default list pods
sfc-system delete daemonsets.apps/sfc-cni-node
sfc-functions delete configmaps/sfc-cni-sf-nat
sfc-functions get secrets
sfc-system create jobs.batch
EOF
[ -z "$bad" ] && ok "pre-delete hook's service account: the rights it needs and no more ($n_ok checked)" ||
	not_ok "pre-delete hook's service account rights:$bad"

# The hook Job's script, run here as its service account (a TokenRequest
# token; no kubelet: the pods created below stay until deleted): it
# deletes the SF Deployments (foreground; one missing is fine) and waits,
# bounded, until no pod of the chart's SFs is left, whatever other pods
# carry the release's labels.
mkdir -p "$D/hook-sa"
cp "$D/ca.crt" "$D/hook-sa/ca.crt"
api -f -X POST -H 'Content-Type: application/json' -d '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}' \
	"https://127.0.0.1:$P_API/api/v1/namespaces/sfc-system/serviceaccounts/sfc-cni-uninstall/token" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["token"])' >"$D/hook-sa/token"
# The Job's command and env, the service-account dir pointed at hook-sa.
python3 - "$D/pre-delete.yaml" "$D/hook-sa" >"$D/hook.sh" <<'PY'
import shlex, sys, yaml
job = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "Job"][0]
c = job["spec"]["template"]["spec"]["containers"][0]
for e in c["env"]:
    if not e["name"].startswith("KUBERNETES_SERVICE_"):  # the test's API server instead
        print("export %s=%s" % (e["name"], shlex.quote(e["value"])))
print(c["command"][2].replace("/var/run/secrets/kubernetes.io/serviceaccount", sys.argv[2]))
PY
hook_run() { # WAIT_SECONDS: the script with that bound
	sed "s/^export WAIT_SECONDS=.*/export WAIT_SECONDS=$1/" "$D/hook.sh" |
		KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$P_API" sh 2>&1
}
sf_obj() { # KIND NAME LABEL-NAME
	local spec='"spec":{"automountServiceAccountToken":false,"containers":[{"name":"c","image":"x"}]}'
	case $1 in
	Deployment) printf '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s","namespace":"sfc-functions"},"spec":{"replicas":0,"selector":{"matchLabels":{"x":"y"}},"template":{"metadata":{"labels":{"x":"y"}},%s}}}' "$2" "$spec" ;;
	Pod) printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"sfc-functions","labels":{"app.kubernetes.io/instance":"sfc-cni","app.kubernetes.io/name":"%s"}},%s}' "$2" "$3" "$spec" ;;
	esac | kc create -f - >/dev/null
}
# (No controller-manager: the namespace's default service account, which
# pods need, by hand.)
sf_setup() {
	kc -n sfc-functions create serviceaccount default >/dev/null &&
		sf_obj Deployment sfc-cni-sf-nat && sf_obj Deployment sfc-cni-sf-firewall && sf_obj Deployment other &&
		sf_obj Pod nat-1 sf-nat && sf_obj Pod agent-like sfc-node && sf_obj Pod other-sf sf-other
}
check "SF Deployments and pods created (sf-nat's, an agent's, another SF's)" sf_setup
refuse "hook script: an SF pod still there after WAIT_SECONDS fails the Job" "SF pods .* still there after 2s" hook_run 2
dts() { kc -n sfc-functions get deploy "$1" -o jsonpath='{.metadata.deletionTimestamp}{.metadata.finalizers}'; }
check "... the SF Deployments deleted in the foreground, the others kept" test \
	"$(dts sfc-cni-sf-nat | grep -c foregroundDeletion)$(dts sfc-cni-sf-firewall | grep -c foregroundDeletion)$(dts other)" = 11
check "... the SF pod deleted" kc -n sfc-functions delete pod nat-1 --grace-period=0 --force
out=$(hook_run 30)
case $out in
*"deployment sfc-cni-sf-ids: deleted (HTTP 404)"*"no SF pod left in sfc-functions"*) ok "hook script: SF pod gone, done (a missing Deployment is fine; pods of other names ignored)" ;;
*) not_ok "hook script after the SF pod went: $(echo "$out" | tr '\n' ' ') pods: $(kc -n sfc-functions get pods -o name 2>&1 | xargs)" ;;
esac

# ---- install-cni.sh against the API server ---------------------------------
mkdir -p "$D/host/bin" "$D/host/net.d" "$D/sa" "$D/state/endpoints" "$D/pins"
cp "$D/ca.crt" "$D/sa/ca.crt"
echo "$SA_TOKEN" >"$D/sa/token"
"$RENDER" --release sfc-cni --show-only templates/cni-config.yaml "$CHART" |
	awk '/^  conflist: \|/ { on = 1; next } on { sub(/^    /, ""); print }' >"$D/conflist"
printf '#!/bin/sh\necho fake sfc-cni\n' >"$D/fake-sfc-cni"
for n in n1 n2; do
	printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s"},"spec":%s}' "$n" \
		"$([ $n = n1 ] && echo '{"podCIDR":"10.244.7.0/24"}' || echo '{}')" | kc create -f - >/dev/null
done
install_cni() { # NODE [ARGS]
	env CNI_BIN_DIR="$D/host/bin" CNI_CONF_DIR="$D/host/net.d" CNI_CONF_NAME=10-sfc.conflist \
		SFC_CONFLIST="$D/conflist" SFC_NODE_NAME="$1" SFC_SA_DIR="$D/sa" SFC_CNI_BIN="$D/fake-sfc-cni" \
		KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$P_API" \
		SFC_PIN_DIR="$D/pins" SFC_STATE_DIR="$D/state" sh "$root/manifests/install-cni.sh" ${2:-}
}
refuse "install-cni: node without spec.podCIDR refused" "node n2 has no spec.podCIDR" install_cni n2
check "install-cni: nothing installed after the refusal" test -z "$(ls -A "$D/host/net.d")"
check "install-cni: node n1 (the service account's token, nodes get)" install_cni n1
check "install-cni: conflist is JSON with n1's podCIDR" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["plugins"][0]["type"] == "sfc-cni"
assert c["plugins"][0]["ipam"]["ranges"] == [[{"subnet": "10.244.7.0/24"}]], c
' "$D/host/net.d/10-sfc.conflist"
check "install-cni: sfc-cni installed, executable" test -x "$D/host/bin/sfc-cni"
ino_conf=$(stat -c %i "$D/host/net.d/10-sfc.conflist")
ino_bin=$(stat -c %i "$D/host/bin/sfc-cni")
touch "$D/host/net.d/.10-sfc.conflist.tmp.99999" "$D/host/bin/.sfc-cni.tmp.99999"
check "install-cni: second run (restart of the pod)" install_cni n1
check "install-cni: files replaced by rename (new inodes), no temp file left" test \
	"$(stat -c %i "$D/host/net.d/10-sfc.conflist")" != "$ino_conf" -a \
	"$(stat -c %i "$D/host/bin/sfc-cni")" != "$ino_bin" -a \
	-z "$(find "$D/host/net.d" "$D/host/bin" -name '.*' -type f)"
touch "$D/state/endpoints/c1_eth0.json" "$D/pins/sfc_meta"
check "install-cni --uninstall with an endpoint left" install_cni n1 --uninstall
check "... conflist removed, sfc-cni, pins and state kept" test ! -e "$D/host/net.d/10-sfc.conflist" \
	-a -x "$D/host/bin/sfc-cni" -a -e "$D/pins/sfc_meta" -a -e "$D/state/endpoints/c1_eth0.json"
rm "$D/state/endpoints/c1_eth0.json"
check "install-cni --uninstall with no endpoint" install_cni n1 --uninstall
check "... sfc-cni, pins and state removed" test ! -e "$D/host/bin/sfc-cni" -a ! -e "$D/pins" \
	-a -z "$(ls -A "$D/state")"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
