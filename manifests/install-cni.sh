#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# install-cni.sh - the DaemonSet's init container: puts sfc-cni and the
# conflist on the node, each written under a temp name in its target
# directory and renamed into place (rename(2) is atomic within a file
# system), so the container runtime never reads a half-written file.
#
#   install-cni.sh               install (the init container)
#   install-cni.sh --uninstall   the preStop hook with cni.removeOnUninstall:
#                                remove the conflist at once (no new pod
#                                gets sfc-cni), then sfc-cni, the pins and
#                                the state only once no endpoint is left
#                                (CNI DEL of the pods still there needs them)
#
# Environment (the chart sets it):
#   CNI_BIN_DIR, CNI_CONF_DIR  the host's CNI dirs as mounted here
#   CNI_CONF_NAME              the conflist's file name (10-sfc.conflist)
#   SFC_CONFLIST               the conflist to install (the chart's ConfigMap)
#   SFC_NODE_NAME              this node; with a subnet "@NODE_POD_CIDR@" in
#                              the conflist its spec.podCIDR is read from the
#                              API server (service account token and CA)
#   SFC_PIN_DIR, SFC_STATE_DIR (--uninstall) sfc-cni's bpffsDir and stateDir
#   SFC_CNI_BIN, SFC_SA_DIR    the binary to install (/usr/local/bin/sfc-cni)
#                              and the service account dir (the tests set them)
set -eu

bin_dir=${CNI_BIN_DIR:-/host/cni/bin}
conf_dir=${CNI_CONF_DIR:-/host/cni/net.d}
conf_name=${CNI_CONF_NAME:-10-sfc.conflist}
sa=${SFC_SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}

log() { echo "install-cni: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# This node's spec.podCIDR, from GET /api/v1/nodes/<node>.
node_pod_cidr() {
	host=${KUBERNETES_SERVICE_HOST:?no KUBERNETES_SERVICE_HOST: not in a pod?}
	case $host in *:*) host="[$host]" ;; esac
	node=$(curl -sS --fail --max-time 10 --cacert "$sa/ca.crt" \
		-H "Authorization: Bearer $(cat "$sa/token")" \
		"https://$host:${KUBERNETES_SERVICE_PORT:-443}/api/v1/nodes/${SFC_NODE_NAME:?}") ||
		die "cannot read node $SFC_NODE_NAME from the API server at $host"
	# "podCIDR": "10.244.1.0/24" (the API server pretty-prints for curl).
	cidr=$(printf '%s' "$node" | tr -d '\n' |
		sed -n 's/.*"podCIDR"[[:space:]]*:[[:space:]]*"\([0-9a-fA-F:.]*\/[0-9]*\)".*/\1/p')
	[ -n "$cidr" ] || die "node $SFC_NODE_NAME has no spec.podCIDR (kube-controller-manager --allocate-node-cidrs?); or set podCIDR in the chart's values"
	echo "$cidr"
}

install() {
	src=${SFC_CONFLIST:?set SFC_CONFLIST to the conflist to install}
	[ -f "$src" ] || die "$src missing"
	# A temp file left by a killed earlier run.
	rm -f "$bin_dir"/.sfc-cni.tmp.* "$conf_dir"/."$conf_name".tmp.*
	tmp=$bin_dir/.sfc-cni.tmp.$$
	cp "${SFC_CNI_BIN:-/usr/local/bin/sfc-cni}" "$tmp"
	chmod 0755 "$tmp"
	mv -f "$tmp" "$bin_dir/sfc-cni"
	tmp=$conf_dir/.$conf_name.tmp.$$
	if grep -q '@NODE_POD_CIDR@' "$src"; then
		cidr=$(node_pod_cidr)
		sed "s#@NODE_POD_CIDR@#$cidr#g" "$src" >"$tmp"
		log "pod CIDR $cidr (node $SFC_NODE_NAME)"
	else
		cp "$src" "$tmp"
	fi
	chmod 0644 "$tmp"
	mv -f "$tmp" "$conf_dir/$conf_name"
	log "installed $bin_dir/sfc-cni and $conf_dir/$conf_name"
}

uninstall() {
	rm -f "$conf_dir/$conf_name"
	log "removed $conf_dir/$conf_name"
	state=${SFC_STATE_DIR:-/var/lib/sfc}
	if [ -n "$(ls -A "$state/endpoints" 2>/dev/null)" ]; then
		log "endpoints left in $state/endpoints: keeping sfc-cni, pins and state for their CNI DEL"
		return 0
	fi
	rm -f "$bin_dir/sfc-cni"
	rm -rf "${SFC_PIN_DIR:-/sys/fs/bpf/sfc}"
	# The state dir is a mount point here: empty it.
	find "$state" -mindepth 1 -delete 2>/dev/null || true
	log "removed $bin_dir/sfc-cni, ${SFC_PIN_DIR:-/sys/fs/bpf/sfc}, the content of $state"
}

case ${1:-} in
"") install ;;
--uninstall) uninstall ;;
*)
	echo "usage: install-cni.sh [--uninstall]" >&2
	exit 2
	;;
esac
