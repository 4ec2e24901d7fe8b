# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib_runtime.sh - sourced after lib.sh by tests that drive sfc-cni through
# a real libcni runtime (sfc-cnitool, tests/runtime/) from the per-run node
# netns of lib.sh ($NODE, node_netns_add / node): host veths, routes and
# plugin state live there and go away with it (lib.sh deletes every
# "$PFX-*" netns).
#
#   runtime_node_setup   skip unless sfc-cnitool and nsenter exist; create
#                        the node netns, $NET_D and $CACHE
#   tool [FLAGS] CMD...  the runtime with this run's conf dir ($NET_D) and
#                        cache ($CACHE), plugins from $BUILD/bin and /usr/lib/cni
#   pod_args NAME        the CNI_ARGS a kubelet-driven runtime passes
#   rt CMD NAME [FLAGS]  add|check|del for pod NAME (container id $PFX-NAME,
#                        netns $PFX-NAME) on network $NET_NAME

TOOL_BIN=$BUILD/bin/sfc-cnitool
NET_D=$TMP_DIR/net.d
CACHE=$TMP_DIR/cni-cache

runtime_node_setup() {
	[ -x "$TOOL_BIN" ] || skip_all "$TOOL_BIN not built (needs golang-go, golang-github-appc-cni-dev)"
	mkdir -p "$NET_D" "$CACHE"
	node_netns_add || { not_ok "create node netns"; summary; exit 1; }
}

tool() { node "$TOOL_BIN" -confdir "$NET_D" -cachedir "$CACHE" -path "$BUILD/bin:/usr/lib/cni" "$@"; }
pod_args() { echo "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-$1;K8S_POD_INFRA_CONTAINER_ID=$PFX-$1"; }
rt() {
	local cmd=$1 n=$2
	shift 2
	tool -cid "$PFX-$n" -args "$(pod_args "$n")" "$@" "$cmd" "$NET_NAME" "$(ns_path "$n")"
}
