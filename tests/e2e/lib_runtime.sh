# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib_runtime.sh - sourced after lib.sh by tests that drive sfc-cni through
# a real libcni runtime (sfc-cnitool, tests/runtime/) from a per-run "node"
# netns ($PFX-node, entered with nsenter --net so the bpffs mount stays
# visible): host veths, routes and plugin state live there and go away
# with it (lib.sh deletes every "$PFX-*" netns).
#
#   runtime_node_setup   skip unless sfc-cnitool and nsenter exist; create
#                        the node netns (lo up), $NET_D and $CACHE
#   node CMD...          run CMD in the node netns
#   tool [FLAGS] CMD...  the runtime with this run's conf dir ($NET_D) and
#                        cache ($CACHE), plugins from $BUILD/bin and /usr/lib/cni
#   pod_args NAME        the CNI_ARGS a kubelet-driven runtime passes
#   rt CMD NAME [FLAGS]  add|check|del for pod NAME (container id rt-NAME,
#                        netns $PFX-NAME) on network $NET_NAME

TOOL_BIN=$BUILD/bin/sfc-cnitool
NODE=$PFX-node
NET_D=$TMP_DIR/net.d
CACHE=$TMP_DIR/cni-cache

runtime_node_setup() {
	[ -x "$TOOL_BIN" ] || skip_all "$TOOL_BIN not built (needs golang-go, golang-github-appc-cni-dev)"
	command -v nsenter >/dev/null || skip_all "nsenter missing"
	mkdir -p "$NET_D" "$CACHE"
	ip netns add "$NODE" && ip -n "$NODE" link set lo up ||
		{ not_ok "create node netns"; summary; exit 1; }
}

node() { nsenter --net="/var/run/netns/$NODE" "$@"; }
tool() { node "$TOOL_BIN" -confdir "$NET_D" -cachedir "$CACHE" -path "$BUILD/bin:/usr/lib/cni" "$@"; }
pod_args() { echo "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-$1;K8S_POD_INFRA_CONTAINER_ID=rt-$1"; }
rt() {
	local cmd=$1 n=$2
	shift 2
	tool -cid "rt-$n" -args "$(pod_args "$n")" "$@" "$cmd" "$NET_NAME" "$(ns_path "$n")"
}
