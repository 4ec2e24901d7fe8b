#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_smoke.sh - the tests/k8s node end to end: cluster.sh up; two busybox
# pods on sfc-cni become Ready (the kubelet's HTTP readiness probe crosses
# the pod network); pod-to-pod HTTP and ping from inside the pods, entered
# with nsenter on their containers' PIDs; a pod deleted through the API is
# DELed by sfc-cni (record and host veth gone); cluster.sh down; and nothing
# the run made is left: process, netns, mount, veth, cgroup, pin, pod log
# dir, run dir. Prints "N passed, N failed".
#
#   BUILD=build-k8s tests/k8s/test_smoke.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../e2e/lib.sh"

K8S_RUN=/tmp/$PFX-k8s
# Safety net when the test dies half-way; the test runs down itself below.
on_cleanup "[ ! -d $K8S_RUN ] || K8S_PFX=$PFX BUILD=$BUILD $here/cluster.sh down $K8S_RUN"
ms() { date +%s%3N; }
secs() { printf '%d.%01ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }
exists() { if [ -e "$1" ]; then echo yes; else echo no; fi; }
kubelet_dir_before=$(exists /var/lib/kubelet)
containerd_dir_before=$(exists /run/containerd)

t0=$(ms)
if ! K8S_PFX=$PFX K8S_RUN=$K8S_RUN BUILD=$BUILD "$here/cluster.sh" up >"$TMP_DIR/up.log" 2>&1; then
	not_ok "cluster up"
	sed 's/^/# /' "$TMP_DIR/up.log"
	summary
	exit 1
fi
t_up=$(($(ms) - t0))
ok "cluster up ($(secs $t_up))"
# shellcheck source=/dev/null
. "$K8S_RUN/env"
. "$here/lib.sh"
cp "$K8S_RUN/pids" "$TMP_DIR/daemons"

pod_yaml() {
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {app: sfc-smoke}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: $K8S_IMAGE_BUSYBOX
    imagePullPolicy: Never
    command: [sh, -c, 'mkdir -p /tmp/www && echo "\$POD_NAME" >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
    env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
EOF
}
{
	pod_yaml web-a
	echo ---
	pod_yaml web-b
} | k8s_kubectl --request-timeout=30s apply -f - >/dev/null
t0=$(ms)
assert_ok "two pods Ready" k8s_kubectl wait --for=condition=Ready pod/web-a pod/web-b --timeout=120s
echo "# pods Ready after $(secs $(($(ms) - t0)))"

ipa=$(k8s_pod_ip default web-a)
ipb=$(k8s_pod_ip default web-b)
in_subnet() { case $1 in "${K8S_POD_SUBNET%.*/*}".*) [ "$1" != "$2" ] ;; *) false ;; esac; }
assert_ok "pod IPs from the node's pod CIDR $K8S_POD_SUBNET, distinct ($ipa, $ipb)" in_subnet "$ipa" "$ipb"
assert_eq 2 "$(find "$K8S_SFC_STATE/endpoints" -name '*.json' | wc -l)" "sfc-cni holds 2 endpoint records"
host_veths() { ip -n "$K8S_NETNS" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep "^$K8S_PFX"; }
assert_eq 2 "$(host_veths | wc -l)" "2 host veths named $K8S_PFX* in the node netns"

pa=$(k8s_task_pid default web-a)
pb=$(k8s_task_pid default web-b)
assert_ok "container PIDs of both pods ($pa, $pb)" test -n "$pa" -a -n "$pb"
uids=$(k8s_kubectl --request-timeout=10s get pods -o jsonpath='{.items[*].metadata.uid}')
podnet_a=$(readlink "/proc/$pa/ns/net")
node_net=$(k8s_node readlink /proc/self/ns/net)
node_mnt=$(readlink "/proc/$(awk '$1 == "kubelet" { print $2 }' "$TMP_DIR/daemons")/ns/mnt")
# The kubelet's and containerd's mounts stay in the node's mount namespace:
# the machine sees only the two mounts that keep that namespace.
assert_eq "$K8S_RUN/ns $K8S_RUN/ns/mnt" "$(findmnt -rn -o TARGET | grep -F "$K8S_RUN" | sort | xargs)" \
	"the machine's mount table holds only the node mount namespace's file"

assert_eq web-b "$(nsenter -t "$pa" -n curl -s --max-time 5 "http://$ipb:8080/")" \
	"HTTP web-a -> web-b (curl in web-a's netns)"
assert_eq web-a "$(nsenter -t "$pb" -n curl -s --max-time 5 "http://$ipa:8080/")" \
	"HTTP web-b -> web-a (curl in web-b's netns)"
assert_ok "ping web-a -> web-b" nsenter -t "$pa" -n ping -q -c 3 -W 1 -i 0.2 "$ipb"
# busybox 1.35's wget -T crashes (SIGSEGV); the container's timeout bounds it.
assert_eq web-a "$(nsenter -t "$pb" -m -u -i -n -p -- /bin/timeout 5 /bin/wget -q -O - "http://$ipa:8080/")" \
	"HTTP web-b -> web-a (the container's own busybox wget, all its namespaces)"

assert_ok "delete web-b through the API" k8s_kubectl delete pod web-b --timeout=60s
cni_del_done() {
	[ "$(find "$K8S_SFC_STATE/endpoints" -name '*.json' | wc -l)" -eq 1 ] &&
		[ "$(host_veths | wc -l)" -eq 1 ]
}
assert_ok "CNI DEL of web-b: its record and host veth are gone" k8s_wait 30 "CNI DEL of web-b" cni_del_done

t0=$(ms)
if K8S_PFX=$PFX BUILD=$BUILD "$here/cluster.sh" down "$K8S_RUN" >"$TMP_DIR/down.log" 2>&1; then
	ok "cluster down ($(secs $(($(ms) - t0))))"
else
	not_ok "cluster down"
	sed 's/^/# /' "$TMP_DIR/down.log"
fi

# What must be gone.
alive=""
while read -r name pid st; do
	[ "$(k8s_starttime "$pid")" != "$st" ] || alive="$alive $name:$pid"
done <"$TMP_DIR/daemons"
for pid in $pa $pb; do [ -z "$(k8s_starttime "$pid")" ] || alive="$alive container:$pid"; done
assert_eq "" "$alive" "no daemon or container process left"
assert_eq "" "$(k8s_procs_naming "$K8S_RUN/")" \
	"no process naming the run dir (containerd shims)"
holders() { find /proc/[0-9]*/ns/net -lname "$1" 2>/dev/null; }
assert_eq "" "$(holders "$node_net")$(holders "$podnet_a")" "no process in the node or pod netns"
assert_eq "" "$(find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "$node_mnt" 2>/dev/null)" \
	"no process in the node mount namespace"
assert_eq "" "$(ip netns list | grep "^$PFX-")" "no netns $PFX-*"
assert_eq "" "$(grep -F -e "$K8S_RUN" -e "$PFX" /proc/self/mountinfo)" "no mount under the run dir"
assert_eq "" "$(ip -o link show | awk -F': ' '{ print $2 }' | grep "^$PFX")" "no link $PFX* on the host"
assert_eq "" "$(ls -d /sys/fs/cgroup/*/"$PFX-k8s" 2>/dev/null)" "no kubelet cgroup /$PFX-k8s"
assert_eq "" "$(ls -d "/sys/fs/bpf/$PFX" 2>/dev/null)" "no pins /sys/fs/bpf/$PFX"
assert_eq "" "$(ls -d "$K8S_RUN" 2>/dev/null)" "run dir removed"
logs=""
for u in $uids; do logs="$logs$(ls -d /var/log/pods/*_"$u" 2>/dev/null)"; done
assert_eq "" "$logs" "no /var/log/pods dir of the test's pods"
[ "$kubelet_dir_before" = yes ] || assert_eq no "$(exists /var/lib/kubelet)" "/var/lib/kubelet not created"
[ "$containerd_dir_before" = yes ] ||
	assert_eq no "$(exists /run/containerd)" "/run/containerd (shim sockets) removed"
summary
