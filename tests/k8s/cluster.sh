#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# cluster.sh - a one-node Kubernetes 1.20 cluster with sfc-cni as the pod
# network, for the tests: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd (CRI) and kubelet, all in a node netns of their
# own, all state under one run dir.
#
#   tests/k8s/cluster.sh up          # last stdout line: K8S_RUN=<run dir>
#   tests/k8s/cluster.sh down RUN    # or: K8S_RUN=RUN tests/k8s/cluster.sh down
#   tests/k8s/cluster.sh stop-apiserver RUN | start-apiserver RUN
#                                    # the API server alone (tests of what
#                                    # survives its absence)
#
# Then `. RUN/env; . tests/k8s/lib.sh` gives k8s_kubectl, k8s_ctr, ... (see
# lib.sh). `up` builds what is missing (build-k8s.sh, build-images.sh; both
# return in seconds once cached), and on any failure tears down what it had
# started (K8S_KEEP=1 keeps it for debugging). Every wait has a timeout and
# names what it waited for, with the tail of that daemon's log.
#
# Isolation: the daemons run in netns "$PFX-node" (node address
# $K8S_NODE_IP on a veth link), so their fixed ports (etcd 2379/2380,
# apiserver 6443, kubelet 10250/10248, controller-manager 10257, scheduler
# 10259) cannot collide with anything on the machine, and pod host veths
# and routes live there too. They also share a mount namespace of their
# own (see node_ns): the kubelet's volumes, containerd's rootfs and pod
# netns mounts never appear in the machine's, and its /var/log is the run
# dir's var-log/ (kubelet 1.20 writes pod logs to the fixed /var/log/pods).
# Files are shared as usual: sfc-cni's pins in /sys/fs/bpf are visible on
# the machine. Per run: the run dir (etcd data, certificates, containerd
# root/state/socket, kubelet root, CNI conf and bin dirs, host-local data,
# sfc-cni state and conf, logs), the kubelet cgroup root /$PFX-k8s, sfc-cni's
# bpffsDir /sys/fs/bpf/$PFX and host veth prefix $PFX. Shared with the
# machine: /run/containerd/s (shim sockets, named by a hash of this
# containerd's socket path; removed by each shim, or by down).
#
# `down` deletes the pods through the API (so CNI DEL runs), stops every
# daemon it recorded by PID (SIGTERM, then SIGKILL after 10 s), kills what
# is left in the node's namespaces, the kubelet cgroups and the containerd
# shims of this run, unmounts the node's mount namespace (and with it every
# mount made in it), deletes the netns, cgroups, pins and the run dir, and
# fails if any of it is still there.
#
# Environment: BUILD (build; sfc-cni is $BUILD/bin/sfc-cni), K8S_PFX (per-run
# prefix, 2-5 chars [a-z0-9], default "k" + 4 hex digits of the PID), K8S_RUN
# (default /tmp/$K8S_PFX-k8s), K8S_CACHE (see build-k8s.sh), K8S_KEEP,
# K8S_CNI: "sfc" (default: cluster.sh installs $BUILD/bin/sfc-cni and a
# standalone-mode conflist itself) or "none" (the CNI bin dir holds only the
# reference plugins and there is no conflist: the node stays NotReady until
# something installs a pod network, as a fresh kubeadm node does, e.g. the
# chart's DaemonSet with tests/k8s/chart_values.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pki.sh"

NODE_IP=10.200.0.1
# containerd's Prometheus endpoint (in the node netns): the CRI plugin's
# network_plugin_operations_duration_seconds times each CNI ADD and DEL.
CTR_METRICS=127.0.0.1:1338
POD_CIDR=10.244.0.0/16
# The controller-manager gives the first (only) node the first /24.
NODE_POD_SUBNET=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16

ms() { date +%s%3N; }
secs() { printf '%d.%01ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }
log() { echo "cluster: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}


# start NAME CMD...: run CMD in the node netns, output to logs/NAME.log;
# record "NAME PID STARTTIME" in $K8S_RUN/pids.
start() {
	local name=$1 pid
	shift
	# nsenter itself, not a shell function: a function in the background
	# runs in a subshell, and $! would be that subshell.
	nsenter --net="/var/run/netns/$K8S_NETNS" --mount="$K8S_RUN/ns/mnt" -- "$@" \
		</dev/null >>"$K8S_RUN/logs/$name.log" 2>&1 &
	pid=$!
	echo "$name $pid $(k8s_starttime $pid)" >>"$K8S_RUN/pids"
}

# pid_of NAME: the recorded PID of NAME if that process still runs.
pid_of() {
	local n p s
	while read -r n p s; do
		[ "$n" = "$1" ] && [ -n "$s" ] && [ "$(k8s_starttime "$p")" = "$s" ] && echo "$p" && return 0
	done <"$K8S_RUN/pids"
	return 1
}

# wait_for NAME SECS DESC CMD...: k8s_wait, failing at once if daemon NAME
# exits; on failure print the end of its log.
wait_for() {
	local name=$1 secs=$2 desc=$3 t0 end
	shift 3
	t0=$(ms)
	end=$((t0 + secs * 1000))
	until "$@" >/dev/null 2>&1; do
		if ! pid_of "$name" >/dev/null; then
			log "$name exited while waiting for $desc; end of $K8S_RUN/logs/$name.log:"
			tail -n 20 "$K8S_RUN/logs/$name.log" >&2
			return 1
		fi
		if [ "$(ms)" -ge "$end" ]; then
			log "timed out after $secs s waiting for $desc; end of $K8S_RUN/logs/$name.log:"
			tail -n 20 "$K8S_RUN/logs/$name.log" >&2
			return 1
		fi
		sleep 0.5
	done
	log "$(printf '%-34s %7s' "$desc" "$(secs $(($(ms) - t0)))")"
}

# cluster.sh's own API and containerd calls, each bounded in time (kubectl
# and ctr would otherwise wait forever on a daemon that hangs).
kc() { k8s_kubectl --request-timeout=5s "$@"; }
kctr() { timeout "${KCTR_TIMEOUT:-10}" ctr --address "$K8S_CTR_SOCK" --namespace k8s.io "$@"; }

https_ok() {
	k8s_node curl -sf --max-time 2 --cacert "$K8S_RUN/pki/ca.crt" \
		--cert "$K8S_RUN/pki/admin.crt" --key "$K8S_RUN/pki/admin.key" "$1" | grep -qx ok
}

node_ready() {
	[ "$(kc get node "$K8S_NODE" \
		-o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

write_env() {
	cat >"$K8S_RUN/env" <<EOF
K8S_RUN=$K8S_RUN
K8S_PFX=$K8S_PFX
K8S_BIN=$K8S_BIN
K8S_NETNS=$K8S_PFX-node
K8S_NODE=$K8S_PFX-node
K8S_NODE_IP=$NODE_IP
K8S_CNI=$K8S_CNI
K8S_CTR_METRICS=$CTR_METRICS
K8S_POD_SUBNET=$NODE_POD_SUBNET
KUBECONFIG=$K8S_RUN/pki/admin.kubeconfig
K8S_CTR_SOCK=$K8S_RUN/containerd/containerd.sock
K8S_BPFFS=/sys/fs/bpf/$K8S_PFX
K8S_SFC_STATE=$K8S_RUN/sfc/state
K8S_SFC_CONF=$K8S_RUN/sfc/conf
K8S_CGROUP=/$K8S_PFX-k8s
$(cat "$K8S_IMAGES/refs")
EOF
}

# The node's namespaces. Network: lo, a link with the node address, IPv4
# forwarding as on any node. Mount: a copy of the machine's, kept in
# RUN/ns/mnt, so the kubelet's volume mounts, containerd's rootfs and netns
# mounts stay in it and vanish with it; / is shared inside (as on a systemd
# node, for mount propagation to pods) but no peer of the machine's mounts;
# RUN/var-log is its /var/log (the kubelet 1.20 writes pod logs to the fixed
# /var/log/pods).
node_ns() {
	ip netns add "$K8S_NETNS"
	ip -n "$K8S_NETNS" link set lo up
	# A veth pair with both ends in the node netns: a link with carrier
	# (dummy needs a module the machine may not have).
	ip -n "$K8S_NETNS" link add node0 type veth peer name node1
	ip -n "$K8S_NETNS" addr add "$NODE_IP/24" dev node0
	ip -n "$K8S_NETNS" link set node1 up
	ip -n "$K8S_NETNS" link set node0 up
	k8s_node sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
	mkdir -p "$K8S_RUN/ns" "$K8S_RUN/var-log"
	# unshare --mount=FILE needs FILE on a private mount.
	mount --bind "$K8S_RUN/ns" "$K8S_RUN/ns"
	mount --make-private "$K8S_RUN/ns"
	touch "$K8S_RUN/ns/mnt"
	unshare --mount="$K8S_RUN/ns/mnt" --propagation private true
	nsenter --mount="$K8S_RUN/ns/mnt" -- sh -ec "mount --make-rshared /
		mount --bind '$K8S_RUN/var-log' /var/log"
}

# start_apiserver: kube-apiserver (etcd must be up), waiting until ready.
start_apiserver() {
	local p=$K8S_RUN/pki
	start kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
		--bind-address 0.0.0.0 --secure-port 6443 --insecure-port 0 --advertise-address "$NODE_IP" \
		--cert-dir "$K8S_RUN/apiserver" --tls-cert-file "$p/apiserver.crt" \
		--tls-private-key-file "$p/apiserver.key" --client-ca-file "$p/ca.crt" \
		--service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC \
		--enable-admission-plugins NodeRestriction --allow-privileged=true \
		--kubelet-client-certificate "$p/apiserver-kubelet-client.crt" \
		--kubelet-client-key "$p/apiserver-kubelet-client.key" \
		--kubelet-certificate-authority "$p/ca.crt" --kubelet-preferred-address-types InternalIP \
		--profiling=false --v 1
	wait_for kube-apiserver 120 "kube-apiserver ready" https_ok https://127.0.0.1:6443/readyz
}

start_control_plane() {
	local p=$K8S_RUN/pki
	start etcd etcd --name "$K8S_NODE" --data-dir "$K8S_RUN/etcd" \
		--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster "$K8S_NODE=http://127.0.0.1:2380" --log-level warn
	wait_for etcd 30 "etcd healthy" k8s_node curl -sf --max-time 2 http://127.0.0.1:2379/health
	start_apiserver
	start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
		--kubeconfig "$p/controller-manager.kubeconfig" --bind-address 127.0.0.1 --port 0 \
		--cert-dir "$K8S_RUN/controller-manager" --leader-elect=false \
		--service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
		--use-service-account-credentials --cluster-signing-cert-file "$p/ca.crt" \
		--cluster-signing-key-file "$p/ca.key" --allocate-node-cidrs --cluster-cidr "$POD_CIDR" \
		--node-cidr-mask-size 24 --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false --v 1
	start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig "$p/scheduler.kubeconfig" \
		--bind-address 127.0.0.1 --port 0 --cert-dir "$K8S_RUN/scheduler" --leader-elect=false \
		--profiling=false --v 1
	wait_for kube-controller-manager 60 "kube-controller-manager healthy" \
		k8s_node curl -skf --max-time 2 https://127.0.0.1:10257/healthz
	wait_for kube-scheduler 60 "kube-scheduler healthy" \
		k8s_node curl -skf --max-time 2 https://127.0.0.1:10259/healthz
}

# The CNI dirs containerd uses: one bin dir (the reference plugins and a
# copy of sfc-cni, so a rebuild during the run cannot swap it half-written)
# and the conflist; with K8S_CNI=none the reference plugins only.
cni_setup() {
	local c=$K8S_RUN/cni f
	for f in /usr/lib/cni/*; do ln -s "$f" "$c/bin/"; done
	[ "$K8S_CNI" = sfc ] || return 0
	cp "$SFC_CNI" "$c/bin/sfc-cni"
	cat >"$c/net.d/10-sfc.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "sfc",
  "plugins": [{
    "type": "sfc-cni",
    "hostIfPrefix": "$K8S_PFX",
    "bpffsDir": "/sys/fs/bpf/$K8S_PFX",
    "stateDir": "$K8S_RUN/sfc/state",
    "confDir": "$K8S_RUN/sfc/conf",
    "ipam": { "type": "host-local", "dataDir": "$c/ipam",
              "ranges": [[{ "subnet": "$NODE_POD_SUBNET" }]] }
  }]
}
EOF
}

start_containerd() {
	local d=$K8S_RUN/containerd cri='plugins."io.containerd.grpc.v1.cri"'
	# restrict_oom_score_adj: without CAP_SYS_RESOURCE runc cannot lower a
	# container's oom_score_adj below ours ("can't get final child's PID
	# from pipe" otherwise).
	cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = "$CTR_METRICS"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
[$cri]
  sandbox_image = "$K8S_IMAGE_PAUSE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  [$cri.cni]
    bin_dir = "$K8S_RUN/cni/bin"
    conf_dir = "$K8S_RUN/cni/net.d"
    max_conf_num = 1
  [$cri.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [$cri.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [$cri.containerd.runtimes.runc.options]
        Root = "$d/runc"
        SystemdCgroup = false
EOF
	start containerd containerd --config "$d/config.toml"
	wait_for containerd 30 "containerd serving" kctr version
	local img
	for img in pause busybox iperf3; do
		KCTR_TIMEOUT=60 kctr images import "$K8S_IMAGES/$img.tar" >/dev/null ||
			die "ctr images import $K8S_IMAGES/$img.tar failed"
	done
}

# The kubelet's cgroup root, in every hierarchy (cgroup v1 and v2): the
# kubelet refuses a root that does not exist, and a v1 cpuset child starts
# with no CPUs or memory nodes.
cgroup_root() {
	local m
	for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		mkdir -p "$m$K8S_CGROUP"
		if [ -f "$m/cpuset.cpus" ] && [ ! -f "$m/cgroup.controllers" ]; then
			cat "$m/cpuset.cpus" >"$m$K8S_CGROUP/cpuset.cpus"
			cat "$m/cpuset.mems" >"$m$K8S_CGROUP/cpuset.mems"
		fi
	done
}

start_kubelet() {
	local k=$K8S_RUN/kubelet p=$K8S_RUN/pki
	cat >"$k/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $p/ca.crt}
authorization: {mode: AlwaysAllow}
tlsCertFile: $p/kubelet-serving.crt
tlsPrivateKeyFile: $p/kubelet-serving.key
cgroupDriver: cgroupfs
cgroupRoot: $K8S_CGROUP
failSwapOn: false
clusterDomain: cluster.local
volumePluginDir: $k/volume-plugins
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# The device plugin socket dir is fixed (/var/lib/kubelet/device-plugins)
# whatever --root-dir says; no test uses device plugins.
featureGates: {DevicePlugins: false}
EOF
	start kubelet "$K8S_BIN/kubelet" --config "$k/config.yaml" \
		--kubeconfig "$p/kubelet.kubeconfig" --root-dir "$k" --cert-dir "$k/pki" \
		--seccomp-profile-root "$k/seccomp" --container-runtime remote \
		--container-runtime-endpoint "unix://$K8S_RUN/containerd/containerd.sock" \
		--containerd "$K8S_RUN/containerd/containerd.sock" \
		--node-ip "$NODE_IP" --hostname-override "$K8S_NODE" --v 1
	if [ "$K8S_CNI" = sfc ]; then
		wait_for kubelet 120 "node $K8S_NODE Ready" node_ready
	else
		# NotReady until a pod network is installed ("cni config
		# uninitialized"): registered is all there is to wait for.
		wait_for kubelet 120 "node $K8S_NODE registered" kc get node "$K8S_NODE"
	fi
	wait_for kubelet 30 "node pod CIDR assigned" kc get node "$K8S_NODE" \
		-o jsonpath='{.spec.podCIDR}' --allow-missing-template-keys=false
	local cidr
	cidr=$(kc get node "$K8S_NODE" -o jsonpath='{.spec.podCIDR}')
	[ "$cidr" = "$NODE_POD_SUBNET" ] ||
		die "node pod CIDR is $cidr, the conflist's subnet $NODE_POD_SUBNET"
	wait_for kube-controller-manager 60 "service account default/default" \
		kc get serviceaccount default
}

up_failed() {
	local rc=$?
	[ "$rc" -ne 0 ] || return 0
	if [ -n "${K8S_KEEP:-}" ]; then
		log "up failed; K8S_KEEP set, left as is: $0 down $K8S_RUN"
	else
		log "up failed, tearing down"
		cmd_down >&2 || true
	fi
	exit "$rc"
}

cmd_up() {
	local t0 d
	t0=$(ms)
	[ "$(id -u)" -eq 0 ] || die "needs root"
	case $K8S_PFX in
	[a-z][a-z0-9] | [a-z][a-z0-9][a-z0-9] | [a-z][a-z0-9][a-z0-9][a-z0-9] | [a-z][a-z0-9][a-z0-9][a-z0-9][a-z0-9]) ;;
	*) die "K8S_PFX '$K8S_PFX' must be 2-5 chars of [a-z0-9], starting with a letter" ;;
	esac
	case $K8S_CNI in
	sfc) [ -x "$SFC_CNI" ] || die "$SFC_CNI missing: build it first (make BUILD=$BUILD)" ;;
	none) ;;
	*) die "K8S_CNI '$K8S_CNI': sfc or none" ;;
	esac
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs"
	K8S_BIN=$("$here/build-k8s.sh" | tail -n 1)
	K8S_IMAGES=$("$here/build-images.sh" | tail -n 1)
	for d in etcd containerd containerd-shim-runc-v2 runc ctr nsenter openssl curl; do
		command -v "$d" >/dev/null || die "$d missing (build-k8s.sh installs the packages)"
	done
	[ ! -e "$K8S_RUN" ] || die "$K8S_RUN exists: a cluster is up there? ($0 down $K8S_RUN)"
	if ip netns list | grep -qw "^$K8S_NETNS"; then die "netns $K8S_NETNS exists"; fi
	mkdir -p "$K8S_RUN"/{logs,pki,etcd,apiserver,controller-manager,scheduler,containerd} \
		"$K8S_RUN"/{kubelet,cni/bin,cni/net.d,cni/ipam,sfc/state} "$K8S_RUN"/sfc/conf/{pods.d,chains.d}
	chmod 700 "$K8S_RUN/etcd"
	: >"$K8S_RUN/pids"
	# What down removes only if this run made it.
	[ -e /run/containerd ] || echo /run/containerd >"$K8S_RUN/made"
	write_env
	# shellcheck source=/dev/null
	. "$K8S_RUN/env"
	log "up: run dir $K8S_RUN, node $K8S_NODE ($NODE_IP in netns $K8S_NETNS)"
	trap up_failed EXIT

	node_ns
	pki_make "$K8S_RUN/pki" "$K8S_NODE" "$NODE_IP" || die "certificates (openssl) failed"
	for d in admin controller-manager scheduler kubelet; do
		pki_kubeconfig "$K8S_RUN/pki" "$d" https://127.0.0.1:6443 >"$K8S_RUN/pki/$d.kubeconfig"
	done
	start_control_plane
	cni_setup
	start_containerd
	cgroup_root
	start_kubelet
	trap - EXIT
	log "up in $(secs $(($(ms) - t0)))"
	echo "K8S_RUN=$K8S_RUN"
}

# ---- down ----

# stop NAME...: SIGTERM each recorded daemon, SIGKILL what is left after 10 s.
stop() {
	local n p pids=() t0 end
	t0=$(ms)
	for n in "$@"; do
		p=$(pid_of "$n") || continue
		kill "$p" 2>/dev/null && pids+=("$n:$p")
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	end=$((t0 + 10000))
	for n in "${pids[@]}"; do
		while pid_of "${n%%:*}" >/dev/null && [ "$(ms)" -lt "$end" ]; do sleep 0.1; done
		if pid_of "${n%%:*}" >/dev/null; then
			log "${n%%:*} (${n#*:}) ignored SIGTERM for 10 s: SIGKILL"
			kill -9 "${n#*:}" 2>/dev/null || true
		fi
	done
	log "$(printf '%-34s %7s' "stopped $*" "$(secs $(($(ms) - t0)))")"
}

# Delete every pod through the API while the kubelet and containerd still
# run, so each sandbox is stopped the normal way: CNI DEL, netns removed.
drain() {
	pid_of kube-apiserver >/dev/null && pid_of kubelet >/dev/null &&
		pid_of containerd >/dev/null || return 0
	stop kube-controller-manager kube-scheduler
	k8s_kubectl --request-timeout=15s delete pods --all --all-namespaces --grace-period=1 \
		--wait=false >/dev/null 2>&1 || true
	local t0
	t0=$(ms)
	if k8s_wait 45 "pods deleted, sandboxes stopped, CNI DEL done" drained; then
		log "$(printf '%-34s %7s' "pods deleted (CNI DEL done)" "$(secs $(($(ms) - t0)))")"
	else
		log "drain incomplete: forcing; pods: $(kc get pods --all-namespaces -o name \
			2>&1 | tr '\n' ' '); tasks: $(kctr tasks ls -q | tr '\n' ' ');" \
			"endpoint records: $(find "$K8S_SFC_STATE/endpoints" -type f -printf "%f ")"
	fi
}

drained() {
	[ -z "$(kc get pods --all-namespaces -o name 2>/dev/null)" ] &&
		[ -z "$(kctr tasks ls -q 2>/dev/null)" ] &&
		[ -z "$(ls -A "$K8S_SFC_STATE/endpoints" 2>/dev/null)" ]
}

# run_pids: every process this run made that may still be alive: in the
# node netns or mount namespace, in the kubelet's cgroups, or naming the
# run dir on its command line (shims: -address RUN/containerd/containerd.sock).
run_pids() {
	local m ino
	ip netns pids "$K8S_NETNS" 2>/dev/null || true
	if mountpoint -q "$K8S_RUN/ns/mnt"; then
		ino=$(stat -L -c %i "$K8S_RUN/ns/mnt")
		find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "mnt:\[$ino\]" 2>/dev/null | cut -d/ -f3
	fi
	for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -d "$m$K8S_CGROUP" ] || continue
		find "$m$K8S_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null || true
	done
	k8s_procs_naming "$K8S_RUN/"
}

# remove_cgroups: the kubelet's cgroup tree in every hierarchy, deepest
# first; a cgroup whose last process was just killed can stay busy a moment.
remove_cgroups() {
	local m i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
			if [ -d "$m$K8S_CGROUP" ]; then
				find "$m$K8S_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
			fi
		done
		[ -n "$(cgroups_left)" ] || return 0
		sleep 0.5
	done
}

cgroups_left() {
	local m
	for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		if [ -d "$m$K8S_CGROUP" ]; then echo "$m$K8S_CGROUP"; fi
	done
}

run_mounts() {
	findmnt -rn -o TARGET | awk -v p="$K8S_RUN/" 'index($0, p) == 1' | sort -r
}

cmd_down() {
	local t0 m p a left=0 i
	t0=$(ms)
	[ -f "$K8S_RUN/env" ] || die "no cluster at $K8S_RUN ($K8S_RUN/env missing)"
	# shellcheck source=/dev/null
	. "$K8S_RUN/env"
	log "down: $K8S_RUN"
	drain
	# In dependency order: the apiserver's graceful shutdown needs etcd.
	stop kubelet
	stop containerd
	stop kube-controller-manager kube-scheduler
	stop kube-apiserver
	stop etcd
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$(run_pids | sort -u | grep -vx "$$" | tr '\n' ' ' || true)
		[ -n "${p// /}" ] || break
		[ "$i" -gt 1 ] || log "killing leftover processes: $p"
		# shellcheck disable=SC2086
		kill -9 $p 2>/dev/null || true
		sleep 0.5
	done
	for m in $(run_mounts); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
	ip netns del "$K8S_NETNS" 2>/dev/null || true
	remove_cgroups
	rm -rf "$K8S_BPFFS"
	# Shim sockets whose shim was killed (a clean exit removes its own).
	for a in "$K8S_RUN"/containerd/state/io.containerd.runtime.v2.task/*/*/address; do
		[ -f "$a" ] || continue
		p=$(cat "$a")
		case ${p#unix://} in /run/containerd/s/*) rm -f "${p#unix://}" ;; esac
	done
	if grep -qx /run/containerd "$K8S_RUN/made" 2>/dev/null; then
		rmdir /run/containerd/s /run/containerd 2>/dev/null || true
	fi
	[ -z "$(run_mounts)" ] || {
		log "still mounted: $(run_mounts | tr '\n' ' ')"
		left=1
	}
	p=$(run_pids | sort -u | grep -vx "$$" | tr '\n' ' ' || true)
	[ -z "${p// /}" ] || {
		log "still running: $p"
		left=1
	}
	if ip netns list | grep -qw "^$K8S_NETNS"; then
		log "netns $K8S_NETNS still there"
		left=1
	fi
	if [ -n "$(cgroups_left)" ]; then
		log "cgroups still there: $(cgroups_left | tr '\n' ' ')"
		left=1
	fi
	[ "$left" -eq 1 ] || rm -rf --one-file-system "$K8S_RUN"
	log "down in $(secs $(($(ms) - t0)))"
	return "$left"
}

# stop-apiserver / start-apiserver RUN: the API server alone, by its
# recorded PID (stop: SIGTERM, SIGKILL after 10 s).
cmd_apiserver() {
	[ -f "$K8S_RUN/env" ] || die "no cluster at $K8S_RUN ($K8S_RUN/env missing)"
	# shellcheck source=/dev/null
	. "$K8S_RUN/env"
	case $1 in
	stop) stop kube-apiserver ;;
	start)
		! pid_of kube-apiserver >/dev/null || die "kube-apiserver runs already"
		start_apiserver
		;;
	esac
}

BUILD=${BUILD:-build}
K8S_CNI=${K8S_CNI:-sfc}
case $BUILD in /*) SFC_CNI=$BUILD/bin/sfc-cni ;; *) SFC_CNI=$PWD/$BUILD/bin/sfc-cni ;; esac
K8S_PFX=${K8S_PFX:-$(printf 'k%04x' $(($$ & 0xffff)))}
K8S_NETNS=$K8S_PFX-node
case ${1:-} in
up)
	K8S_RUN=${K8S_RUN:-/tmp/$K8S_PFX-k8s}
	K8S_RUN=${K8S_RUN%/}
	cmd_up
	;;
down)
	K8S_RUN=${2:-${K8S_RUN:-}}
	[ -n "$K8S_RUN" ] || die "usage: $0 down RUN_DIR (or K8S_RUN=RUN_DIR)"
	K8S_RUN=$(cd "$K8S_RUN" 2>/dev/null && pwd) || die "no cluster at ${2:-$K8S_RUN}"
	cmd_down
	;;
stop-apiserver | start-apiserver)
	K8S_RUN=${2:-${K8S_RUN:-}}
	[ -n "$K8S_RUN" ] || die "usage: $0 $1 RUN_DIR (or K8S_RUN=RUN_DIR)"
	K8S_RUN=$(cd "$K8S_RUN" 2>/dev/null && pwd) || die "no cluster at ${2:-$K8S_RUN}"
	cmd_apiserver "${1%-apiserver}"
	;;
*)
	echo "usage: $0 up | down RUN_DIR | stop-apiserver RUN_DIR | start-apiserver RUN_DIR" >&2
	exit 2
	;;
esac
