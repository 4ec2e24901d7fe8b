#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_node_image.sh - the images as the chart runs them, under podman: the
# node image's sfc-agent does its round (reconcile, OAM probe of a live SF,
# health update) with exactly the capabilities and seccomp setting the
# chart's DaemonSet gives it, read-only root, no_new_privs; without NET_RAW
# it misjudges the SF as down, and under the runtime's default seccomp
# profile bpf(2) is refused. The SF image's sf-firewall binary is the SF.
# The pods are wired by the node image's sfc-cni, as tests/e2e do (netns
# and host veths named with this run's prefix). Prints "N passed, N failed".
#
#   BUILD=build-img tests/k8s/test_node_image.sh
#
# Builds the images first (tests/k8s/images.sh, from the working tree unless
# IMG_SOURCE says otherwise; seconds when cached).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac

mkdir -p "$BUILD"
"$here/images.sh" >"$BUILD/images.out" 2>"$BUILD/images.log" ||
	{ tail -n 20 "$BUILD/images.log"; echo "not ok - images.sh failed (log: $BUILD/images.log)"; exit 1; }
refs=$(tail -n 1 "$BUILD/images.out")
# shellcheck source=/dev/null
. "${refs%.tar}.refs"
# The programs, from the images, in $BUILD/bin/image: CNI_BIN for
# tests/e2e/lib.sh, and sf-firewall for its sf_start ($BUILD/bin/BIN).
bin=$BUILD/bin/image
mkdir -p "$bin"
for x in "$SFC_IMAGE_NODE:sfc-cni" "$SFC_IMAGE_SF_FIREWALL:sf-firewall"; do
	m=$(podman image mount "${x%:*}") && cp "$m/usr/local/bin/${x##*:}" "$bin/" &&
		podman image umount "${x%:*}" >/dev/null || { echo "not ok - ${x##*:} from ${x%:*}"; exit 1; }
done
export CNI_BIN=$bin/sfc-cni BUILD
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh"

# The agent container's capabilities, as the chart renders them.
render=$BUILD/bin/chart-render
(cd "$root" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS="" GOCACHE="$BUILD/gocache" \
	go build -o "$render" ./tests/k8s/render) || { not_ok "chart-render build"; summary; exit 1; }
caps=$("$render" --show-only templates/daemonset.yaml "$root/manifests/helm/sfc-cni" |
	awk '/- name: sfc-agent/ { a = 1 } a && /add:/ { c = 1; next } c && /^ *- / { printf "%s%s", s, $2; s = "," } c && !/^ *- / { c = 0 }')
seccomp=$("$render" --show-only templates/daemonset.yaml "$root/manifests/helm/sfc-cni" |
	awk '/- name: sfc-agent/ { a = 1 } a && /seccompProfile:/ { print; exit }')
assert_eq "BPF,NET_ADMIN,NET_RAW,PERFMON" "$caps" "chart: the agent's capabilities"
case $seccomp in *"type: Unconfined"*) ok "chart: the agent's seccomp profile is Unconfined" ;;
*) not_ok "chart: the agent's seccomp profile: '$seccomp'" ;; esac

pod_add fw '{"sfc.io/function": "firewall"}' >/dev/null || { not_ok "ADD of SF pod fw"; summary; exit 1; }
echo '{"rules": [], "default": "allow"}' >"$TMP_DIR/fw.json"
sf_start fw image/sf-firewall --config "$TMP_DIR/fw.json"

# agent CAPS [SECCOMP-OPT]: one round (--once) of the node image's agent as
# the DaemonSet runs it: host network, bpffs and its dirs at the same path.
agent() {
	podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host \
		--read-only --security-opt no-new-privileges --cap-drop all --cap-add "$1" ${2:+--security-opt "$2"} \
		-v /sys/fs/bpf:/sys/fs/bpf -v "$STATE_DIR:$STATE_DIR" -v "$CONF_DIR:$CONF_DIR:ro" \
		"$SFC_IMAGE_NODE" --pin-dir "$PIN_DIR" --state-dir "$STATE_DIR" --conf-dir "$CONF_DIR" --once 2>&1
}
out=$(agent "$caps" seccomp=unconfined)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "$out" | grep -q "default/fw (firewall.*) is up" &&
	ok "agent with the chart's capabilities: reconciled, live SF seen up" ||
	not_ok "agent with the chart's capabilities (rc $rc)"
out=$(agent "${caps//NET_RAW,/}" seccomp=unconfined)
echo "$out" | grep -q "default/fw (firewall.*) is down" &&
	ok "without NET_RAW the live SF is judged down (NET_RAW is needed)" ||
	not_ok "without NET_RAW: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
out=$(agent "$caps")
echo "$out" | grep -q "Operation not permitted" &&
	ok "under the default seccomp profile bpf(2) is refused (Unconfined is needed)" ||
	not_ok "default seccomp profile: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
summary
