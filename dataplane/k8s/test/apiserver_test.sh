#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# apiserver_test.sh - libsfck8s against a real kube-apiserver and etcd,
# both started here on 127.0.0.1 (free ports, a scratch dir) and ended by
# PID on exit: list + watch of pods by node, ServiceChains (the CRD of
# manifests/crd.yaml) and the Node; merge patches (also /status); Events;
# 403, 404, 422; a rotated token; an apiserver restart under the watches.
#
#   BUILD=build-x dataplane/k8s/test/apiserver_test.sh
#
# Needs the apiserver built by tests/k8s/build-k8s.sh (K8S_BIN, default
# /var/cache/sfc-cni/k8s-1.20.2/bin) and Debian's etcd-server.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${BUILD:-build}
K8S_BIN=${K8S_BIN:-/var/cache/sfc-cni/k8s-1.20.2/bin}
for b in "$K8S_BIN/kube-apiserver" "$K8S_BIN/kubectl"; do
	[ -x "$b" ] || { echo "error: $b missing: run tests/k8s/build-k8s.sh" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "error: etcd missing: apt-get install etcd-server" >&2; exit 1; }

D=$(mktemp -d /tmp/sfck8s-api-XXXXXX)
ETCD_PID= API_PID=
cleanup() {
	local rc=$?
	[ $rc -eq 0 ] || [ ! -f "$D/apiserver.log" ] ||
		{ echo "--- kube-apiserver log (tail)"; tail -n 20 "$D/apiserver.log"; } >&2
	# The apiserver first: its shutdown still talks to etcd.
	[ -z "$API_PID" ] || { kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null; } || true
	[ -z "$ETCD_PID" ] || { kill "$ETCD_PID" 2>/dev/null && wait "$ETCD_PID" 2>/dev/null; } || true
	rm -rf "$D"
	exit $rc
}
trap cleanup EXIT

read -r P_ETCD P_PEER P_API < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

make --no-print-directory BUILD="$BUILD" "$BUILD/lib/libsfck8s.a" "$BUILD/lib/libsfcutil.a" >/dev/null
cc -O1 -g -std=gnu11 -D_GNU_SOURCE -Wall -Werror -Idataplane/k8s -Icommon -Idataplane/include \
	-o "$D/k8s_check" dataplane/k8s/test/k8s_check.c "$BUILD/lib/libsfck8s.a" \
	"$BUILD/lib/libsfcutil.a" -lcurl -lyaml -lcjson

# No controller-manager runs, so no "default" ServiceAccount exists: the
# ServiceAccount admission plugin is off (pods here never run).
# PKI: a CA, the apiserver's serving cert for 127.0.0.1, an admin
# (system:masters) and a user RBAC knows nothing of, the SA key pair.
leaf() { # NAME SUBJ EXT
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/$1.key" \
		-subj "$2" -out "$D/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$D/$1.ext"
	openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial \
		-days 1 -extfile "$D/$1.ext" -out "$D/$1.crt" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/ca.key" \
	-subj /CN=sfck8s-test-ca -days 1 -out "$D/ca.crt" 2>/dev/null
leaf apiserver /CN=kube-apiserver "subjectAltName=IP:127.0.0.1,IP:10.96.0.1"
leaf admin "/O=system:masters/CN=sfck8s-admin" "extendedKeyUsage=clientAuth"
leaf nobody "/CN=sfck8s-nobody" "extendedKeyUsage=clientAuth"
openssl ecparam -name prime256v1 -genkey -noout -out "$D/sa.key"
openssl ec -in "$D/sa.key" -pubout -out "$D/sa.pub" 2>/dev/null
echo "sfc-check-good-token,sfck8s-token-user,1001,system:masters" >"$D/tokens.csv"
echo "wrong" >"$D/token"

kubeconfig() { # USER-YAML
	cat <<-EOF2
	current-context: t
	clusters: [{name: k, cluster: {server: "https://127.0.0.1:$P_API", certificate-authority: ca.crt}}]
	contexts: [{name: t, context: {cluster: k, user: u}}]
	users: [{name: u, user: $1}]
	EOF2
}
kubeconfig "{client-certificate: admin.crt, client-key: admin.key}" >"$D/admin.kubeconfig"
kubeconfig "{client-certificate: nobody.crt, client-key: nobody.key}" >"$D/nobody.kubeconfig"
kubeconfig "{tokenFile: token}" >"$D/token.kubeconfig"

etcd --name t --data-dir "$D/etcd" --log-level warn \
	--listen-client-urls "http://127.0.0.1:$P_ETCD" --advertise-client-urls "http://127.0.0.1:$P_ETCD" \
	--listen-peer-urls "http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_PEER" \
	--initial-cluster "t=http://127.0.0.1:$P_PEER" >"$D/etcd.log" 2>&1 &
ETCD_PID=$!

start_apiserver() {
	"$K8S_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$P_ETCD" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$P_API" \
		--insecure-port 0 --cert-dir "$D/apiserver" --tls-cert-file "$D/apiserver.crt" \
		--tls-private-key-file "$D/apiserver.key" --client-ca-file "$D/ca.crt" \
		--token-auth-file "$D/tokens.csv" --service-account-key-file "$D/sa.pub" \
		--service-account-signing-key-file "$D/sa.key" \
		--service-account-issuer https://kubernetes.default.svc \
		--service-cluster-ip-range 10.96.0.0/24 --authorization-mode RBAC \
		--disable-admission-plugins ServiceAccount \
		--profiling=false --v 1 >>"$D/apiserver.log" 2>&1 &
	API_PID=$!
	wait_ready
}

wait_ready() {
	local i
	for i in $(seq 1 240); do
		kill -0 "$API_PID" 2>/dev/null || { echo "error: kube-apiserver exited" >&2; return 1; }
		curl -sf --max-time 2 --cacert "$D/ca.crt" --cert "$D/admin.crt" --key "$D/admin.key" \
			"https://127.0.0.1:$P_API/readyz" >/dev/null && return 0
		sleep 0.5
	done
	echo "error: kube-apiserver not ready after 120 s" >&2
	return 1
}

t0=$(date +%s)
start_apiserver
echo "etcd + kube-apiserver ready in $(($(date +%s) - t0)) s"
kctl() { "$K8S_BIN/kubectl" --kubeconfig "$D/admin.kubeconfig" "$@"; }
kctl apply -f manifests/crd.yaml >/dev/null
kctl wait --for condition=established --timeout 60s crd/servicechains.sfc.io >/dev/null

# The check runs as a coprocess: when it prints "restart", the apiserver
# is killed (by PID) and started again while its watches are open.
coproc CHECK { exec "$D/k8s_check" "$D/admin.kubeconfig" "$D/nobody.kubeconfig" \
	"$D/token.kubeconfig" "$D/token" 2>&1; }
# bash unsets CHECK when the coprocess ends: keep its fds and PID.
exec {from_check}<&"${CHECK[0]}" {to_check}>&"${CHECK[1]}"
check_pid=$CHECK_PID
result=1
while IFS= read -r line <&"$from_check"; do
	echo "  $line"
	case $line in
	restart)
		# SIGKILL, a crash: SIGTERM waits 60 s for the open watches.
		t0=$(date +%s)
		kill -KILL "$API_PID"
		{ wait "$API_PID"; } 2>/dev/null || true
		sleep 1
		start_apiserver
		echo "  (apiserver killed and back after $(($(date +%s) - t0)) s)"
		echo go >&"$to_check"
		;;
	ok) result=0 ;;
	esac
done
wait "$check_pid" || result=1
[ $result -eq 0 ] && echo "apiserver_test: PASS" || echo "apiserver_test: FAIL"
exit $result
