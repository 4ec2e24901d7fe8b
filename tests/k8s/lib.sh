# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib.sh - sourced helpers for scripts that use a tests/k8s cluster.
#
#   eval "$(tests/k8s/cluster.sh up | tail -n 1)"    # sets K8S_RUN
#   . "$K8S_RUN/env"; . tests/k8s/lib.sh
#
# $K8S_RUN/env (written by cluster.sh up) sets: K8S_RUN, K8S_PFX, K8S_BIN
# (kube-* and kubectl), K8S_NETNS (the node netns name), K8S_NODE (node
# name), K8S_NODE_IP, K8S_POD_SUBNET (the node's pod CIDR), KUBECONFIG
# (cluster admin), K8S_CTR_SOCK (the node's containerd), K8S_IMAGE_PAUSE,
# K8S_IMAGE_BUSYBOX, K8S_BPFFS, K8S_SFC_STATE, K8S_SFC_CONF (sfc-cni's
# bpffsDir, stateDir, confDir), K8S_CGROUP (the kubelet's cgroup root).
# Every daemon runs in the node netns: the API server is at
# https://127.0.0.1:6443 there and nowhere else.
#
# Functions:
#   k8s_node CMD...            run CMD in the node netns (mounts unchanged)
#   k8s_kubectl ARGS...        kubectl 1.20 as cluster admin, in the node netns
#   k8s_ctr ARGS...            ctr on the node's containerd, namespace k8s.io
#   k8s_wait SECS DESC CMD...  run CMD every 0.5 s until it succeeds; after
#                              SECS seconds print "error: timed out after
#                              SECS s waiting for DESC" and return 1
#   k8s_pod_ip NS POD          the pod's IP
#   k8s_task_pid NS POD [CTR]  host PID of container CTR's process (default:
#                              the pod's first container); enter the pod
#                              with `nsenter -t PID -n ...`
#   k8s_procs_naming STR       PIDs of the processes whose command line
#                              contains STR (read in bash: no grep of its own)
#   k8s_starttime PID          start time of process PID (clock ticks since
#                              boot: tells it from a later process reusing
#                              the PID); nothing if it is gone or a zombie
#                              (exited, not yet reaped by init)

k8s_node() { nsenter --net="/var/run/netns/$K8S_NETNS" -- "$@"; }

k8s_kubectl() { k8s_node "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG" "$@"; }

k8s_ctr() { ctr --address "$K8S_CTR_SOCK" --namespace k8s.io "$@"; }

k8s_wait() {
	local secs=$1 desc=$2 end
	shift 2
	end=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "error: timed out after $secs s waiting for $desc" >&2
			return 1
		fi
		sleep 0.5
	done
}

k8s_pod_ip() { k8s_kubectl --request-timeout=10s get pod -n "$1" "$2" -o jsonpath='{.status.podIP}'; }

k8s_task_pid() {
	local id sel='{.status.containerStatuses[0].containerID}'
	[ -z "${3:-}" ] || sel="{.status.containerStatuses[?(@.name==\"$3\")].containerID}"
	id=$(k8s_kubectl --request-timeout=10s get pod -n "$1" "$2" -o jsonpath="$sel") || return 1
	id=${id#containerd://}
	[ -n "$id" ] || return 1
	timeout 10 ctr --address "$K8S_CTR_SOCK" --namespace k8s.io tasks ls | awk -v id="$id" '$1 == id && $3 == "RUNNING" { print $2; f = 1 } END { exit !f }'
}

k8s_procs_naming() {
	local f a
	for f in /proc/[0-9]*/cmdline; do
		mapfile -d "" a 2>/dev/null <"$f" || continue
		[[ " ${a[*]} " != *"$1"* ]] || { f=${f%/cmdline} && echo "${f#/proc/}"; }
	done
}

k8s_starttime() { awk '$3 != "Z" { print $22 }' "/proc/$1/stat" 2>/dev/null; }
