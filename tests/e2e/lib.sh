# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lib.sh - sourced library for sfc-cni end-to-end tests in network namespaces.
#
#   . "$(dirname "$0")/lib.sh"      # sets PFX, paths, the EXIT trap
#
# Everything a test creates is named with the per-run prefix $PFX (5 chars,
# so "$PFX" + 10 hex digits fits a 15-char interface name) and is removed by
# the EXIT trap, on success and on failure alike:
#   - every pod added through cni_run ADD is DELed (same conf, same args),
#   - every netns named "$PFX-*" is deleted,
#   - every host link whose name starts with $PFX is deleted,
#   - every PID recorded with track_pid is killed (only those),
#   - the per-run pin dir $PIN_DIR and the per-run $TMP_DIR are removed,
#   - commands registered with on_cleanup run first, last registered first.
# Bookkeeping lives in files under $TMP_DIR, so the functions also work when
# called inside $(...) subshells. The prefix comes from the PID, and PIDs are
# reused: what a run killed before its trap left under the same prefix
# (netns, links, pin dir, $TMP_DIR) is swept when the library is sourced;
# its recorded PIDs are not killed (they may be anyone's by now).
#
# Node state: a test that needs the node's routing, iptables or sysctls
# (IP forwarding, portmap's host ports) makes a per-run node netns with
# node_netns_add instead of relying on (or changing) the root netns.
#
# Variables (override before sourcing where noted):
#   BUILD      build dir (default "build"), made absolute; CNI_BIN = $BUILD/bin/sfc-cni
#   PFX        per-run prefix, default "s" + 4 hex digits of $$ (override: SFC_PFX)
#   PIN_DIR    /sys/fs/bpf/$PFX       bpffsDir of the generated conf
#   TMP_DIR    /tmp/$PFX              scratch; STATE_DIR, CONF_DIR, IPAM_DIR below it
#   STATE_DIR  $TMP_DIR/state         stateDir
#   CONF_DIR   $TMP_DIR/conf          confDir (pods.d/, chains.d/ created)
#   IPAM_DIR   $TMP_DIR/ipam          host-local dataDir
#   NET_NAME   "$PFX-net"             network name (IPAM files: $IPAM_DIR/$NET_NAME/)
#   SUBNET     10.X.Y.0/24 per run    host-local subnet (override: SFC_SUBNET)
#   NODE       "$PFX-node"            the node netns of node_netns_add
#   CNI_VERSION 1.0.0                 cniVersion written by cni_conf
#
# Functions:
#   pod_netns_add NAME            create netns "$PFX-NAME" (lo up); prints its path
#   node_netns_add                create the node netns $NODE: lo up, IPv4
#                                 forwarding on (as on any Kubernetes node)
#   node CMD...                   run CMD in $NODE with nsenter --net, so the
#                                 bpffs mount stays visible (ip netns exec
#                                 remounts /sys); a server started with
#                                 `nsenter --net=$(ns_path node) SRV &` has $! = SRV
#   wait_port NAME PORT [SECS]    wait (default 5 s) until a TCP socket listens
#                                 on PORT in netns "$PFX-NAME"
#   wait_port_idle NAME PORT      wait up to 5 s until the server on PORT in
#                                 netns "$PFX-NAME" listens and has closed every
#                                 connection (none established, syn-recv or
#                                 close-wait): iperf3 -s answers "busy" to a
#                                 client until it has closed the last test's
#   ns_path NAME                  prints /var/run/netns/$PFX-NAME
#   ns_exec NAME CMD...           run CMD inside netns "$PFX-NAME"
#   cni_conf [MEMBERS] [IPAM]     print the network config JSON; MEMBERS is extra
#                                 top-level JSON members ('"mtu": 9000'; not keys
#                                 cni_conf already writes), IPAM replaces the whole
#                                 ipam object
#   cni_run CMD NS_PATH IFNAME CONTAINERID [K8S_NS K8S_NAME] < conf
#                                 run $CNI_BIN like a runtime; stdout = its stdout,
#                                 status = its exit status; a successful ADD is
#                                 recorded and DELed at cleanup (same conf, args)
#   pod_add NAME [ANNOT_JSON]    Pod object default/NAME (annotations, default
#                                 {}), netns, CNI ADD of eth0 through sfc-cni;
#                                 prints the pod's first IP
#   pod_annotate K8S_NS K8S_NAME ANNOT_JSON
#                                 write a Pod object to $CONF_DIR/pods.d/ (standalone
#                                 mode), e.g. '{"sfc.io/function": "firewall"}'
#   sfcctl ARGS...                sfcctl on this run's conf, state and pin dirs
#   sf_start POD BIN [ARGS...]    start SF $BUILD/bin/BIN in pod POD on eth0 with
#                                 --stats $TMP_DIR/POD.stats, --pidfile
#                                 $TMP_DIR/POD.pid (--rx-mode $SF_RX_MODE if set),
#                                 stderr in $TMP_DIR/POD.log; waits up to 5 s for
#                                 the pidfile, tracks the PIDs; 1 if it did not come up
#   sf_pid POD                    print the PID of pod POD's SF
#   sf_wait_state POD STATE [SECS]
#                                 wait (default 3 s) until every instance row
#                                 of POD in `sfcctl get instances` is STATE as
#                                 sfc-agent judged it: down, or up with an OAM
#                                 echo seen (a new instance shows up before
#                                 the agent's first round, which marks it down
#                                 until it answers); unaware SFs: by link
#   sf_stats_wait POD...          wait up to 5 s until each POD's SF has
#                                 rewritten its stats file since the call
#                                 (every 500 ms), so the file counts every
#                                 packet the SF handled before the call
#   wait_file FILE                wait up to 5 s for FILE to be non-empty
#   iperf_mbps < REPORT           received Mbit/s (integer) of an iperf3 -J report, 0 if none
#   json_get JSON EXPR            print a field: EXPR is a python subscript chain,
#                                 e.g. '["ips"][0]["address"]'; empty if missing
#   ns_ping NAME DST [COUNT]      ICMP echo from netns "$PFX-NAME" to IPv4/IPv6 DST;
#                                 ping(8) when installed, else a python3 raw socket;
#                                 succeeds if every one of COUNT (default 3) echoes
#                                 is answered within 1 s
#   track_pid PID                 kill PID at cleanup
#   on_cleanup CMD                eval CMD at cleanup (before the built-in steps)
#   assert_eq EXPECTED ACTUAL DESC
#   assert_ok DESC CMD...         CMD must exit 0
#   assert_fail DESC CMD...       CMD must exit non-zero
#   ok DESC / not_ok DESC         record a result directly
#   skip_all REASON               print "# SKIP REASON" and exit 0 (only for a
#                                 kernel feature that is missing, never a service)
#   summary                       print "N passed, N failed"; non-zero on failure
# Results are printed as "ok - DESC" / "not ok - DESC" lines (tests/e2e/run.sh
# counts them).

BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")
CNI_BIN=${CNI_BIN:-$BUILD/bin/sfc-cni}
PFX=${SFC_PFX:-$(printf 's%04x' $(($$ & 0xffff)))}
PIN_DIR=/sys/fs/bpf/$PFX
TMP_DIR=/tmp/$PFX
STATE_DIR=$TMP_DIR/state
CONF_DIR=$TMP_DIR/conf
IPAM_DIR=$TMP_DIR/ipam
NET_NAME=$PFX-net
NODE=$PFX-node
SUBNET=${SFC_SUBNET:-10.$((100 + ($$ >> 8) % 100)).$(($$ & 0xff)).0/24}
CNI_VERSION=${CNI_VERSION:-1.0.0}
_SFC_PASS=0
_SFC_FAIL=0

_sfc_log() { echo "# $*" >&2; }

skip_all() {
	echo "# SKIP $*"
	exit 0
}

ok() {
	_SFC_PASS=$((_SFC_PASS + 1))
	echo "ok - $*"
}

not_ok() {
	_SFC_FAIL=$((_SFC_FAIL + 1))
	echo "not ok - $*"
}

assert_eq() {
	if [ "$1" == "$2" ]; then
		ok "$3"
	else
		not_ok "$3 (expected '$1', got '$2')"
	fi
}

assert_ok() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>"$TMP_DIR/assert.err"; then
		ok "$desc"
	else
		not_ok "$desc (command failed: $*: $(tail -n 3 "$TMP_DIR/assert.err" | tr '\n' ' '))"
	fi
}

assert_fail() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		not_ok "$desc (command unexpectedly succeeded: $*)"
	else
		ok "$desc"
	fi
}

summary() {
	echo "$_SFC_PASS passed, $_SFC_FAIL failed"
	[ "$_SFC_FAIL" -eq 0 ]
}

ns_path() { echo "/var/run/netns/$PFX-$1"; }

ns_exec() {
	local n=$1
	shift
	ip netns exec "$PFX-$n" "$@"
}

pod_netns_add() {
	ip netns add "$PFX-$1" || return 1
	ip -n "$PFX-$1" link set lo up
	ns_path "$1"
}

node_netns_add() {
	command -v nsenter >/dev/null || skip_all "nsenter missing"
	pod_netns_add node >/dev/null &&
		node sysctl -qw net.ipv4.ip_forward=1
}

node() { nsenter --net="$(ns_path node)" "$@"; }

wait_port() {
	local i
	for i in $(seq $((${3:-5} * 10))); do
		ns_exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

wait_port_idle() {
	local i
	for i in $(seq 50); do
		ns_exec "$1" ss -Hltn "sport = :$2" | grep -q . &&
			! ns_exec "$1" ss -Htn state established state syn-recv state close-wait \
				"sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

ns_ping() {
	local n=$1 dst=$2 count=${3:-3}
	if command -v ping >/dev/null; then
		ns_exec "$n" ping -q -c "$count" -W 1 -i 0.2 "$dst" >/dev/null
		return
	fi
	ns_exec "$n" python3 - "$dst" "$count" <<'PY'
import os, select, socket, struct, sys, time
dst, count = sys.argv[1], int(sys.argv[2])
v6 = ":" in dst
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                  socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
ident = os.getpid() & 0xFFFF
def csum(b):
    b += b"\0" * (len(b) & 1)
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF); t += t >> 16
    return ~t & 0xFFFF
for seq in range(1, count + 1):
    typ = 128 if v6 else 8
    payload = b"sfc-e2e-ping" * 4
    hdr = struct.pack("!BBHHH", typ, 0, 0, ident, seq)
    pkt = struct.pack("!BBHHH", typ, 0, 0 if v6 else csum(hdr + payload), ident, seq) + payload
    s.sendto(pkt, (dst, 0))
    end = time.time() + 1.0
    got = False
    while not got and time.time() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.time()))
        if not r:
            break
        data = s.recv(65535)
        icmp = data if v6 else data[(data[0] & 0xF) * 4:]
        t, _, _, i, q = struct.unpack("!BBHHH", icmp[:8])
        got = t == (129 if v6 else 0) and i == ident and q == seq
    if not got:
        sys.exit(1)
PY
}

track_pid() { echo "$1" >>"$TMP_DIR/pids"; }

on_cleanup() { echo "$*" >>"$TMP_DIR/cleanup"; }

cni_conf() {
	local members=${1:-} ipam=${2:-}
	[ -n "$ipam" ] || ipam="{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$SUBNET\"}]]}"
	[ -z "$members" ] || members=",
  $members"
	cat <<EOF
{
  "cniVersion": "$CNI_VERSION",
  "name": "$NET_NAME",
  "type": "sfc-cni",
  "bpffsDir": "$PIN_DIR",
  "stateDir": "$STATE_DIR",
  "confDir": "$CONF_DIR",
  "hostIfPrefix": "$PFX",
  "ipam": $ipam$members
}
EOF
}

# One record per ADD: a directory holding the conf and the runtime args, so
# cleanup can DEL exactly as the runtime would.
_sfc_pod_rec() { echo "$TMP_DIR/pods/$1_$2"; }

cni_run() {
	local cmd=$1 netns=$2 ifname=$3 cid=$4 kns=${5:-default} kname=${6:-${4}}
	local conf rc rec
	conf=$(cat)
	printf '%s' "$conf" | env CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" \
		CNI_NETNS="$netns" CNI_IFNAME="$ifname" \
		CNI_PATH="$BUILD/bin:/usr/lib/cni" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$kns;K8S_POD_NAME=$kname;K8S_POD_INFRA_CONTAINER_ID=$cid" \
		"$CNI_BIN"
	rc=$?
	rec=$(_sfc_pod_rec "$cid" "$ifname")
	if [ "$cmd" = ADD ] && [ $rc -eq 0 ]; then
		# What a failed ADD left behind is caught by the prefix sweep.
		mkdir -p "$rec"
		printf '%s' "$conf" >"$rec/conf"
		printf '%s\n' "$netns" "$ifname" "$cid" "$kns" "$kname" >"$rec/args"
	elif [ "$cmd" = DEL ] && [ $rc -eq 0 ]; then
		rm -rf "$rec"
	fi
	return $rc
}

pod_add() {
	local name=$1 annot=${2:-'{}'} res
	pod_annotate default "$name" "$annot"
	pod_netns_add "$name" >/dev/null || return 1
	res=$(cni_conf | cni_run ADD "$(ns_path "$name")" eth0 "$PFX-$name" default "$name") || {
		echo "# ADD $name failed: $res" >&2
		return 1
	}
	json_get "$res" '["ips"][0]["address"]' | cut -d/ -f1
}

pod_annotate() {
	mkdir -p "$CONF_DIR/pods.d"
	cat >"$CONF_DIR/pods.d/$1_$2.json" <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"namespace": "$1", "name": "$2", "annotations": $3}}
EOF
}

# wait_file FILE: wait up to 5 s for FILE to exist and be non-empty.
wait_file() {
	local i
	for i in $(seq 50); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# sf_start POD BIN [ARGS...]: see the header. The SF's stdout goes to
# /dev/null so a caller's $(...) never waits for it.
sf_start() {
	local pod=$1 bin=$2
	shift 2
	rm -f "$TMP_DIR/$pod.pid"
	ns_exec "$pod" "$BUILD/bin/$bin" --iface eth0 ${SF_RX_MODE:+--rx-mode $SF_RX_MODE} \
		--stats "$TMP_DIR/$pod.stats" --pidfile "$TMP_DIR/$pod.pid" "$@" \
		>/dev/null 2>>"$TMP_DIR/$pod.log" &
	track_pid $!
	wait_file "$TMP_DIR/$pod.pid" || return 1
	track_pid "$(sf_pid "$pod")"
}

sf_pid() { cat "$TMP_DIR/$1.pid"; }

sf_wait_state() {
	local pod=$1 want=$2 secs=${3:-3} i
	for i in $(seq $((secs * 50))); do
		sfcctl get instances 2>/dev/null | awk -v p="default/$pod" -v w="$want" '
			NR > 1 && $3 == p { n++; if ($6 != w || (w == "up" && $7 == "-")) bad = 1 }
			END { exit !(n > 0 && !bad) }' && return 0
		sleep 0.02
	done
	return 1
}

sf_stats_wait() {
	local mark=$TMP_DIR/stats.mark pod i
	touch "$mark"
	for pod in "$@"; do
		for i in $(seq 50); do
			[ "$TMP_DIR/$pod.stats" -nt "$mark" ] && continue 2
			sleep 0.1
		done
		return 1
	done
}

# iperf_mbps: the received rate of the iperf3 -J report on stdin, integer
# Mbit/s; 0 if the report is missing or has no result.
iperf_mbps() {
	python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' 2>/dev/null || echo 0
}

sfcctl() {
	"$BUILD/bin/sfcctl" --conf-dir "$CONF_DIR" --state-dir "$STATE_DIR" \
		--pin-dir "$PIN_DIR" "$@"
}

json_get() {
	python3 -c '
import json, sys
try:
    v = eval("json.loads(sys.argv[1])" + sys.argv[2])
except Exception:
    sys.exit(1)
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
' "$1" "$2"
}

_sfc_cleanup() {
	local rc=$? rec a pid n l
	trap - EXIT INT TERM
	if [ -f "$TMP_DIR/cleanup" ]; then
		tac "$TMP_DIR/cleanup" | while IFS= read -r l; do eval "$l" >/dev/null 2>&1; done
	fi
	if [ -f "$TMP_DIR/pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null && _sfc_log "killed $pid"
		done <"$TMP_DIR/pids"
		sleep 0.2
		while read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$TMP_DIR/pids"
	fi
	for rec in "$TMP_DIR"/pods/*; do
		[ -f "$rec/args" ] || continue
		mapfile -t a <"$rec/args"
		cni_run DEL "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}" "${a[4]}" \
			<"$rec/conf" >/dev/null 2>&1 || _sfc_log "cleanup: DEL ${a[2]} failed"
	done
	_sfc_sweep >/dev/null
	exit $rc
}

# Remove everything named with $PFX: netns (and what runs in them), host
# links, the pin dir, $TMP_DIR. Prints what it found.
_sfc_sweep() {
	local n l
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX-"); do
		echo "netns $n"
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$PFX"); do
		echo "link $l"
		ip link del "$l" 2>/dev/null
	done
	if [ -d "$PIN_DIR" ]; then
		echo "pins $PIN_DIR"
		mountpoint -q "$PIN_DIR" && umount "$PIN_DIR"
		rm -rf "$PIN_DIR" 2>/dev/null
	fi
	if [ -e "$TMP_DIR" ]; then
		echo "dir $TMP_DIR"
		# E2E_KEEP_LOGS=DIR: keep the run's logs (SF exit lines) there
		[ -z "${E2E_KEEP_LOGS:-}" ] || cp "$TMP_DIR"/*.log "$E2E_KEEP_LOGS"/ 2>/dev/null
		rm -rf "$TMP_DIR"
	fi
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root (netns, veth, bpffs)"
command -v ip >/dev/null || skip_all "iproute2 missing"
command -v python3 >/dev/null || skip_all "python3 missing"
[ -x "$CNI_BIN" ] || { echo "not ok - $CNI_BIN not built"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf ||
	skip_all "cannot mount bpffs on /sys/fs/bpf"
_sfc_left=$(_sfc_sweep)
[ -z "$_sfc_left" ] || _sfc_log "removed what an earlier run with prefix $PFX left:" $_sfc_left
mkdir -p "$TMP_DIR/pods" "$STATE_DIR" "$CONF_DIR/pods.d" "$CONF_DIR/chains.d" "$IPAM_DIR"
trap _sfc_cleanup EXIT
trap 'exit 130' INT TERM
