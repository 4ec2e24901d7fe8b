#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# test_shaping.sh - the reference bandwidth plugin chained after sfc-cni
# shapes pod-to-pod traffic too, not only traffic to and from the node.
#
# The classifier's direct pod-to-pod path runs at tcx ingress (before the
# ingress qdisc that feeds bandwidth's ifb) and delivers with
# redirect_peer (skipping the receiver's tbf root qdisc). sfc-agent marks
# endpoints whose host veth has qdiscs (SFC_EP_F_SHAPED_IN / _OUT); the
# dataplane then hands the sender's unchained traffic to the kernel and
# delivers to the receiver out of its host veth. The bandwidth comes from
# the runtime (libcni CapabilityArgs "bandwidth", as the kubelet passes the
# kubernetes.io/{in,e}gress-bandwidth annotations).
#
# Runs in the per-run node netns of lib.sh ($PFX-node, IP forwarding on, as
# on any Kubernetes node), like test_runtime.sh.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_runtime.sh"
[ -x /usr/lib/cni/bandwidth ] || skip_all "bandwidth plugin missing"
command -v iperf3 >/dev/null || skip_all "iperf3 missing"
runtime_node_setup
agent_once() { node "$BUILD/bin/sfc-agent" --once --conf-dir "$CONF_DIR" --state-dir "$STATE_DIR" --pin-dir "$PIN_DIR" --dead-after-ms 200; }
# ep_flags POD: sfc_endpoints[vpid].flags of the pod's endpoint.
ep_flags() {
	local vpid
	vpid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vpid"])' "$STATE_DIR/endpoints/$PFX-$1_eth0.json") || return 1
	bpftool -j map lookup pinned "$PIN_DIR/sfc_endpoints" key $((vpid & 255)) $((vpid >> 8 & 255)) 0 0 |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["formatted"]["value"]["flags"])'
}

# tcx: bandwidth's ingress qdisc cannot be added beside the clsact of
# sfc-cni's default tc hook mode (cni/README.md "Configuration").
SFC_MEMBER=$(cni_conf '"hookAttach": "tcx"' | python3 -c 'import json,sys; d = json.load(sys.stdin); d.pop("name"); d.pop("cniVersion"); print(json.dumps(d))')
cat >"$NET_D/10-$NET_NAME.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "$NET_NAME", "plugins": [
  $SFC_MEMBER,
  {"type": "bandwidth", "capabilities": {"bandwidth": true}}
]}
EOF
RATE=20000000 # bit/s
LIM=$((RATE / 1000000))
BW="{\"bandwidth\": {\"ingressRate\": $RATE, \"ingressBurst\": 2000000, \"egressRate\": $RATE, \"egressBurst\": 2000000}}"

for n in s f1 f2; do
	pod_netns_add "$n" >/dev/null
	on_cleanup "rt del $n"
done
rs=$(rt add s -cap "$BW")
assert_eq 0 $? "ADD pod s with the bandwidth capability (sfc-cni + bandwidth)"
for n in f1 f2; do
	r=$(rt add $n)
	assert_eq 0 $? "ADD pod $n without bandwidth"
	eval "IP_$n=\$(json_get \"\$r\" '[\"ips\"][0][\"address\"]')"
done
IPS=$(json_get "$rs" '["ips"][0]["address"]'); IPS=${IPS%/*}
IP_f1=${IP_f1%/*} IP_f2=${IP_f2%/*}
HS=$(json_get "$rs" '["interfaces"][0]["name"]')
assert_ok "bandwidth put a tbf root qdisc on $HS" sh -c "nsenter --net=/var/run/netns/$NODE tc qdisc show dev $HS root | grep -q tbf"
assert_ok "bandwidth put an ingress qdisc on $HS" sh -c "nsenter --net=/var/run/netns/$NODE tc qdisc show dev $HS ingress | grep -q ingress"

# --- the agent marks the shaped endpoint, only that one ---
assert_eq 0 "$(ep_flags s)" "pod s unmarked before the agent ran"
assert_ok "sfc-agent round" agent_once
assert_eq 3 "$(ep_flags s)" "pod s marked SHAPED_IN | SHAPED_OUT"
assert_eq 0 "$(ep_flags f1)" "pod f1 unmarked"
assert_eq "True True" "$(sfcctl get endpoints -o json | python3 -c 'import json,sys; e = [x for x in json.load(sys.stdin) if x["name"] == "pod-s"][0]; print(e["shapedIn"], e["shapedOut"])')" \
	"sfcctl get endpoints shows pod s shaped both ways"

# --- iperf3 (Mbit/s), 2 s each ---
for n in s f1 f2; do
	ip netns exec "$PFX-$n" iperf3 -s -p 5201 >/dev/null 2>&1 &
	track_pid $!
done
for n in s f1 f2; do wait_port $n 5201 || not_ok "iperf3 server listening in pod $n"; done
mbps() { local from=$1 to=$2; ns_exec "$from" iperf3 -J -t 2 -c "$to" -p 5201 2>/dev/null | iperf_mbps; }
OUT=$(mbps s "$IP_f1") IN=$(mbps f1 "$IPS") FREE=$(mbps f1 "$IP_f2")
echo "# pod-to-pod iperf3: s -> f1 $OUT Mbit/s, f1 -> s $IN, f1 -> f2 $FREE (limit $LIM on s)"
assert_ok "s -> f1 limited by s's egress rate ($OUT <= 1.5 x $LIM)" test "$OUT" -gt 0 -a "$OUT" -le $((LIM * 3 / 2))
assert_ok "f1 -> s limited by s's ingress rate ($IN <= 1.5 x $LIM)" test "$IN" -gt 0 -a "$IN" -le $((LIM * 3 / 2))
assert_ok "f1 -> f2 unlimited, direct path ($FREE > 10 x $LIM)" test "$FREE" -gt $((LIM * 10))
assert_ok "ping s -> f1" ns_ping s "$IP_f1"

# --- qdiscs gone: the agent clears the marks, s is direct again ---
node tc qdisc del dev "$HS" root
node tc qdisc del dev "$HS" ingress
assert_ok "sfc-agent round after the qdiscs were removed" agent_once
assert_eq 0 "$(ep_flags s)" "pod s unmarked"
OUT2=$(mbps s "$IP_f1")
echo "# s -> f1 without qdiscs: $OUT2 Mbit/s"
assert_ok "s -> f1 unlimited again ($OUT2 > 10 x $LIM)" test "$OUT2" -gt $((LIM * 10))

# --- a clsact is shaping only when it is not ours: a tc-mode endpoint's
# program is a filter on a clsact (its record says so), a tcx one's is not ---
REC_F1=$STATE_DIR/endpoints/$PFX-f1_eth0.json
H_f1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hostIfname"])' "$REC_F1")
node tc qdisc add dev "$H_f1" clsact
set_rec_flags() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["flags"]=int(sys.argv[2]); json.dump(d, open(sys.argv[1], "w"))' "$REC_F1" "$1"; }
set_rec_flags 2
assert_ok "sfc-agent round: f1 recorded as tc mode, a clsact on its veth" agent_once
assert_eq 0 "$(ep_flags f1)" "f1 unmarked: the clsact of a tc-mode endpoint is ours"
set_rec_flags 0
assert_ok "sfc-agent round: f1 recorded as tcx mode" agent_once
assert_eq 2 "$(ep_flags f1)" "f1 marked SHAPED_OUT: a clsact beside tcx is someone else's"
node tc qdisc del dev "$H_f1" clsact

for n in s f1 f2; do assert_ok "DEL pod $n" rt del $n; done
assert_eq 0 "$(node ip -o link show | grep -c ": $PFX")" "no host link left in the node netns"
summary
