#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-cni: ADD and DEL latency of sfc-cni against the reference
# bridge plugin (/usr/lib/cni/bridge + host-local, its own per-run bridge
# "${PFX}br") on this machine, in the same run. Each plugin: BENCH_PODS
# (default 50) pods ADDed one after the other, then DELed, on an empty
# node; then the same with BENCH_LOADED (default 250) pods already on the
# node (created first with the same plugin). Every invocation is timed with
# a monotonic clock (python3 time.monotonic_ns around the exec); median and
# p99 are printed with the ratio sfc/bridge. Nothing is asserted.
# Both plugins run in the per-run node netns of lib.sh: bridge's isGateway
# turns on IP forwarding and its bridge, addresses and routes stay there
# (they would otherwise change the root netns for every later test).
set -u
here=$(cd "$(dirname "$0")" && pwd)
SFC_SUBNET=${SFC_SUBNET:-10.$((100 + ($$ >> 8) % 100)).0.0/16}
. "$here/lib.sh"

PODS=${BENCH_PODS:-50}
LOADED=${BENCH_LOADED:-250}
[ -x /usr/lib/cni/bridge ] || { echo "bench-cni: /usr/lib/cni/bridge missing" >&2; exit 1; }
NET16=${SUBNET%.0.0/16}

SFC_CONF=$(cni_conf "" "{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$NET16.0.0/17\"}]]}")
BR_CONF=$(cat <<EOF
{"cniVersion": "1.0.0", "name": "$PFX-br", "type": "bridge", "bridge": "${PFX}br",
 "isGateway": true, "ipMasq": false,
 "ipam": {"type": "host-local", "dataDir": "$IPAM_DIR", "ranges": [[{"subnet": "$NET16.128.0/17"}]]}}
EOF
)
node_netns_add || { echo "bench-cni: cannot create the node netns" >&2; exit 1; }

# timed CMD PLUGIN_CONF NETNS CID: run one invocation, print its ns.
timed() {
	local conf=$2 bin=$CNI_BIN
	[ "$conf" = "$BR_CONF" ] && bin=/usr/lib/cni/bridge
	printf '%s' "$conf" | CNI_COMMAND=$1 CNI_CONTAINERID=$4 CNI_NETNS=$3 CNI_IFNAME=eth0 \
		CNI_PATH="$BUILD/bin:/usr/lib/cni" CNI_ARGS="IgnoreUnknown=1" \
		nsenter --net="$(ns_path node)" python3 -c '
import subprocess, sys, time
data = sys.stdin.buffer.read()
t = time.monotonic_ns()
r = subprocess.run(sys.argv[1:], input=data, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.monotonic_ns() - t
if r.returncode:
    sys.stderr.write(r.stderr.decode(errors="replace")[-300:])
    sys.exit(1)
print(dt)' "$bin"
}

# run_set TAG CONF N: ADD N pods, then DEL them; timings to $TMP_DIR/TAG.{add,del}.
run_set() {
	local tag=$1 conf=$2 n=$3 i
	: >"$TMP_DIR/$tag.add"
	: >"$TMP_DIR/$tag.del"
	for i in $(seq "$n"); do
		ip netns add "$PFX-$tag$i" || return 1
		timed ADD "$conf" "$(ns_path "$tag$i")" "$tag-$i" >>"$TMP_DIR/$tag.add" || return 1
	done
	for i in $(seq "$n"); do
		timed DEL "$conf" "$(ns_path "$tag$i")" "$tag-$i" >>"$TMP_DIR/$tag.del" || return 1
		ip netns del "$PFX-$tag$i"
	done
}

# preload TAG CONF N: N pods that stay (the node's load), untimed.
preload() {
	local tag=$1 conf=$2 n=$3 i
	for i in $(seq "$n"); do
		ip netns add "$PFX-$tag$i" || return 1
		timed ADD "$conf" "$(ns_path "$tag$i")" "$tag-$i" >/dev/null || return 1
	done
}
unload() {
	local tag=$1 conf=$2 n=$3 i
	for i in $(seq "$n"); do
		timed DEL "$conf" "$(ns_path "$tag$i")" "$tag-$i" >/dev/null
		ip netns del "$PFX-$tag$i"
	done
}

stats() {
	python3 - "$TMP_DIR" "$@" <<'PY'
import statistics, sys
d, label, sfc, br = sys.argv[1:5]
def load(tag, op):
    v = sorted(int(x) / 1e6 for x in open(f"{d}/{tag}.{op}").read().split())
    p99 = v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
    return statistics.median(v), p99, len(v)
print(label)
for op in ("add", "del"):
    sm, sp, n = load(sfc, op)
    bm, bp, _ = load(br, op)
    print("  %-3s n=%-3d  sfc-cni median %7.1f ms  p99 %7.1f ms | bridge median %7.1f ms  p99 %7.1f ms"
          " | sfc/bridge median %.2f  p99 %.2f" % (op.upper(), n, sm, sp, bm, bp, sm / bm, sp / bp))
PY
}

echo "bench-cni: $PODS pods per set, then with $LOADED pods already on the node"
run_set se "$SFC_CONF" "$PODS" || { echo "bench-cni: sfc-cni set failed" >&2; exit 1; }
run_set be "$BR_CONF" "$PODS" || { echo "bench-cni: bridge set failed" >&2; exit 1; }
stats "empty node:" se be

preload sl "$SFC_CONF" "$LOADED" || { echo "bench-cni: sfc-cni preload failed" >&2; exit 1; }
run_set sx "$SFC_CONF" "$PODS" || { echo "bench-cni: sfc-cni loaded set failed" >&2; exit 1; }
unload sl "$SFC_CONF" "$LOADED"
preload bl "$BR_CONF" "$LOADED" || { echo "bench-cni: bridge preload failed" >&2; exit 1; }
run_set bx "$BR_CONF" "$PODS" || { echo "bench-cni: bridge loaded set failed" >&2; exit 1; }
unload bl "$BR_CONF" "$LOADED"
stats "with $LOADED pods on the node (each plugin its own):" sx bx
