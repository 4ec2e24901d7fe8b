#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# test_cni_chaining.sh - sfc-cni in conflists with the reference plugins
# (Debian containernetworking-plugins 1.1.1), run as libcni would
# (lib_conflist.sh):
#  1. sfc-cni first, then portmap, bandwidth, tuning: a pod reached through
#     a host port from the node (its address $NODE_IP, and 127.0.0.1) and
#     from another pod, the bandwidth limit measured with iperf3 on the
#     paths where it applies (pod <-> node), tuning's sysctl in the pod,
#     CHECK and DEL of the whole list.
#  2. ptp first, sfc-cni chained: prevResult passed through, our hooks on
#     ptp's host veth, pod-to-pod traffic carried by our redirect.
# The plugins run in the per-run node netns of lib.sh (IP forwarding on):
# host veths, routes, portmap's iptables chains, conntrack and the sysctls
# ptp sets are this run's own, and the host port from another pod (DNAT,
# then forwarded) does not depend on the root netns' ip_forward.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_conflist.sh"

command -v iptables >/dev/null || skip_all "iptables missing (portmap needs it)"
command -v iperf3 >/dev/null || skip_all "iperf3 missing"
command -v curl >/dev/null || skip_all "curl missing"
for p in portmap bandwidth tuning ptp; do
	[ -x /usr/lib/cni/$p ] || skip_all "/usr/lib/cni/$p missing"
done
node_netns_add || { not_ok "node netns"; summary; exit 1; }
NODE_NS=$(ns_path node)
CONFLIST_NETNS=$NODE_NS # conflist_run: the plugins run on the node
node ip link add ifbt type ifb 2>/dev/null || skip_all "no ifb support (bandwidth plugin)"
node ip link del ifbt
node iptables -t nat -S >/dev/null 2>&1 || skip_all "iptables does not work in a netns (portmap needs it)"

NODE_IP=198.18.0.1 # the node's address (RFC 2544 benchmark range), on its lo
node ip addr add "$NODE_IP/32" dev lo

RATE=20000000 # bit/s, both directions
member() { cni_conf "$@" | python3 -c 'import json,sys; c=json.load(sys.stdin); del c["cniVersion"], c["name"]; print(json.dumps(c))'; }
# bandwidth's egress limit adds an ingress qdisc to our host veth, which
# cannot sit beside the clsact of the default tc hook mode: tcx there.
SFC=$(member '"hookAttach": "tcx"')
LIST_BW=$(cat <<EOF
{"cniVersion": "1.0.0", "name": "$NET_NAME", "plugins": [
  $SFC,
  {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true},
  {"type": "bandwidth", "ingressRate": $RATE, "ingressBurst": 2000000, "egressRate": $RATE, "egressBurst": 2000000},
  {"type": "tuning", "sysctl": {"net.core.somaxconn": "777"}}
]}
EOF
)
# Without bandwidth, sfc-cni in its default mode (tc).
LIST_FREE=$(python3 -c 'import json,sys; l=json.loads(sys.argv[1]); l["plugins"]=[json.loads(sys.argv[2])]+[p for p in l["plugins"][1:] if p["type"]!="bandwidth"]; print(json.dumps(l))' "$LIST_BW" "$(member)")
# The default mode with bandwidth's egress limit: bandwidth fails the ADD.
LIST_BW_TC=$(python3 -c 'import json,sys; l=json.loads(sys.argv[1]); l["plugins"][0]=json.loads(sys.argv[2]); print(json.dumps(l))' "$LIST_BW" "$(member)")
HP1=18080 HP2=18081 # host ports: the node's iptables are this run's own

NS1=$(pod_netns_add p1)
NS2=$(pod_netns_add p2)
r1=$(CAP_ARGS="{\"portMappings\": [{\"hostPort\": $HP1, \"containerPort\": 8080, \"protocol\": \"tcp\"}]}" \
	conflist_run ADD "$NS1" eth0 ctr-p1 <<<"$LIST_BW")
assert_eq 0 $? "conflist ADD: sfc-cni, portmap, bandwidth, tuning"
r2=$(CAP_ARGS="{\"portMappings\": [{\"hostPort\": $HP2, \"containerPort\": 8080, \"protocol\": \"tcp\"}]}" \
	conflist_run ADD "$NS2" eth0 ctr-p2 <<<"$LIST_FREE")
assert_eq 0 $? "conflist ADD without bandwidth (baseline pod)"
H1=$(json_get "$r1" '["interfaces"][0]["name"]')
IP2=$(json_get "$r2" '["ips"][0]["address"]'); IP2=${IP2%/*}
assert_eq "$PFX" "${H1:0:${#PFX}}" "final result still names our host veth"
assert_eq 777 "$(ns_exec p1 cat /proc/sys/net/core/somaxconn)" "tuning sysctl applied in the pod"
assert_ok "our program still attached after the chain" test -e "$PIN_DIR/links/$H1"
assert_ok "portmap DNAT rule for $HP1" sh -c "nsenter --net=$NODE_NS iptables -t nat -S | grep -q -- '--dport $HP1'"
assert_ok "bandwidth tbf on the host veth" sh -c "nsenter --net=$NODE_NS tc qdisc show dev $H1 | grep -q tbf"
assert_ok "bandwidth ingress redirect to an ifb" sh -c "nsenter --net=$NODE_NS tc filter show dev $H1 parent ffff: | grep -q mirred"
assert_ok "CHECK of the whole list" conflist_run CHECK "$NS1" eth0 ctr-p1 <<<"$LIST_BW"
assert_ok "pods ping each other" ns_ping p1 "$IP2"

# --- host port ---
for p in p1 p2; do
	ip netns exec "$PFX-$p" python3 -c '
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = sys.argv[1].encode(); self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer(("0.0.0.0", 8080), H).serve_forever()' "hello-from-$p" >/dev/null 2>&1 &
	track_pid $!
done
assert_ok "HTTP servers listening in p1 and p2" eval "wait_port p1 8080 && wait_port p2 8080"
assert_eq hello-from-p1 "$(node curl -s -m 3 "http://$NODE_IP:$HP1/")" "host port $HP1 on the node address reaches pod p1"
assert_eq hello-from-p2 "$(node curl -s -m 3 "http://$NODE_IP:$HP2/")" "host port $HP2 reaches pod p2"
lo=$(node curl -s -m 3 "http://127.0.0.1:$HP1/")
if [ "$lo" = hello-from-p1 ]; then ok "host port via 127.0.0.1 (portmap snat + route_localnet)"
else not_ok "host port via 127.0.0.1 (got '$lo'; route_localnet=$(node cat /proc/sys/net/ipv4/conf/$H1/route_localnet))"; fi
assert_eq hello-from-p1 "$(ns_exec p2 curl -s -m 3 "http://$NODE_IP:$HP1/")" "host port from another pod (via the node address)"

# --- bandwidth: iperf3 (Mbit/s) on the paths the limit applies to ---
nsenter --net="$NODE_NS" iperf3 -s -B "$NODE_IP" -p 15201 >/dev/null 2>&1 &
track_pid $!
wait_port node 15201 || not_ok "iperf3 server listening on the node"
mbps() {
	local n=$1
	shift
	wait_port_idle node 15201 || { echo 0; return; }
	ns_exec "$n" iperf3 -J -t 2 -c "$NODE_IP" -p 15201 "$@" 2>/dev/null | iperf_mbps
}
E1=$(mbps p1) E2=$(mbps p2) I1=$(mbps p1 -R) I2=$(mbps p2 -R)
LIM=$((RATE / 1000000))
echo "# iperf3 pod->node: limited $E1 Mbit/s, unlimited $E2; node->pod: limited $I1, unlimited $I2 (limit $LIM)"
assert_ok "pod egress limited ($E1 Mbit/s <= 1.5 x $LIM)" test "$E1" -gt 0 -a "$E1" -le $((LIM * 3 / 2))
assert_ok "pod egress unlimited without bandwidth ($E2 Mbit/s > 10 x $LIM)" test "$E2" -gt $((LIM * 10))
assert_ok "pod ingress limited ($I1 Mbit/s <= 1.5 x $LIM)" test "$I1" -gt 0 -a "$I1" -le $((LIM * 3 / 2))
assert_ok "pod ingress unlimited without bandwidth ($I2 Mbit/s > 10 x $LIM)" test "$I2" -gt $((LIM * 10))
# Pod to pod without sfc-agent (not running here): the classifier
# redirects at tcx ingress of the sender's host veth, before bandwidth's
# ingress qdisc, and redirect_peer skips the receiver's tbf. Shaping of
# pod-to-pod traffic, once the agent has marked the pod: test_shaping.sh.
ip netns exec "$PFX-p2" iperf3 -s -p 5202 -1 >/dev/null 2>&1 &
track_pid $!
wait_port p2 5202 || not_ok "iperf3 server listening in pod p2"
P2P=$(ns_exec p1 iperf3 -J -t 2 -c "$IP2" -p 5202 2>/dev/null | iperf_mbps)
echo "# iperf3 pod p1 -> pod p2 (no agent: direct path, bandwidth bypassed): $P2P Mbit/s"
assert_ok "pod-to-pod traffic flows with the bandwidth plugin in the chain ($P2P Mbit/s)" test "$P2P" -gt 0

# --- DEL of the whole list ---
IFB=$(node tc filter show dev "$H1" parent ffff: 2>/dev/null | grep -o 'to device [^ )]*' | awk '{print $3}' | head -1)
CAP1="{\"portMappings\": [{\"hostPort\": $HP1, \"containerPort\": 8080, \"protocol\": \"tcp\"}]}"
# libcni passes the same runtime config (portMappings) to DEL.
CAP_ARGS=$CAP1 conflist_run DEL "$NS1" eth0 ctr-p1 <<<"$LIST_BW" >/dev/null
assert_eq 0 $? "conflist DEL p1"
assert_fail "portmap rule gone" sh -c "nsenter --net=$NODE_NS iptables -t nat -S | grep -q -- '--dport $HP1'"
assert_fail "host veth gone" node ip link show "$H1"
[ -z "$IFB" ] || assert_fail "bandwidth ifb $IFB gone" node ip link show "$IFB"
assert_fail "state record gone" test -e "$STATE_DIR/endpoints/ctr-p1_eth0.json"
assert_ok "conflist DEL p1 again" conflist_run DEL "$NS1" eth0 ctr-p1 <<<"$LIST_BW"
H2=$(json_get "$r2" '["interfaces"][0]["name"]')
assert_ok "p2 (default hook mode): our tc filter on $H2" sh -c "nsenter --net=$NODE_NS tc filter show dev $H2 ingress | grep -q 'handle 0x5fc'"
assert_ok "conflist DEL p2" conflist_run DEL "$NS2" eth0 ctr-p2 <<<"$LIST_FREE"
NS3=$(pod_netns_add p3)
out=$(conflist_run ADD "$NS3" eth0 ctr-p3 <<<"$LIST_BW_TC" 2>&1)
assert_ok "default (tc) hook mode + bandwidth's egress limit: the ADD fails in bandwidth" grep -q "ingress qdisc" <<<"$out"
assert_ok "... and the runtime's DEL cleans up" conflist_run DEL "$NS3" eth0 ctr-p3 <<<"$LIST_BW_TC"
assert_fail "... no record left" test -e "$STATE_DIR/endpoints/ctr-p3_eth0.json"

# --- ptp first, sfc-cni chained (attach mode) ---
PTP_SUB=10.250.0.0/24 # its routes live in this run's node netns
SFC_CH=$(member | python3 -c 'import json,sys; c=json.load(sys.stdin); del c["ipam"]; print(json.dumps(c))')
LIST_PTP=$(cat <<EOF
{"cniVersion": "1.0.0", "name": "$NET_NAME-ptp", "plugins": [
  {"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local", "dataDir": "$IPAM_DIR", "ranges": [[{"subnet": "$PTP_SUB"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  $SFC_CH
]}
EOF
)
# x in the default mode (tcx on ptp's veth where the kernel has it), y
# with "hookAttach": "tc".
LIST_PTP_TC=$(python3 -c 'import json,sys; l=json.loads(sys.argv[1]); l["plugins"][1]["hookAttach"]="tc"; print(json.dumps(l))' "$LIST_PTP")
NSX=$(pod_netns_add x)
NSY=$(pod_netns_add y)
rx=$(conflist_run ADD "$NSX" eth0 ctr-x <<<"$LIST_PTP")
assert_eq 0 $? "conflist ADD: ptp, sfc-cni"
ry=$(conflist_run ADD "$NSY" eth0 ctr-y <<<"$LIST_PTP_TC")
assert_eq 0 $? "conflist ADD: ptp, sfc-cni (tc)"
HX=$(json_get "$rx" '["interfaces"][0]["name"]')
HY=$(json_get "$ry" '["interfaces"][0]["name"]')
IPX=$(json_get "$rx" '["ips"][0]["address"]'); IPX=${IPX%/*}
IPY=$(json_get "$ry" '["ips"][0]["address"]'); IPY=${IPY%/*}
assert_eq veth "${HX:0:4}" "result passes ptp's prevResult through (host veth $HX)"
assert_eq "$IPX" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0].split("/")[0])' "$STATE_DIR/endpoints/ctr-x_eth0.json")" \
	"endpoint recorded with ptp's address"
assert_ok "record is attach-only" grep -q '"flags":' "$STATE_DIR/endpoints/ctr-x_eth0.json"
assert_ok "our program on ptp's host veth" test -e "$PIN_DIR/links/$HX"
assert_ok "y: our tc filter on ptp's host veth $HY" sh -c "nsenter --net=$NODE_NS tc filter show dev $HY ingress | grep -q 'handle 0x5fc'"
assert_fail "y: no link pin" test -e "$PIN_DIR/links/$HY"
assert_ok "CHECK of ptp + sfc-cni (tc)" conflist_run CHECK "$NSY" eth0 ctr-y <<<"$LIST_PTP_TC"
assert_ok "ping x -> y over ptp + hooks" ns_ping x "$IPY"
# Without ptp's host route to y only our redirect can deliver x -> y.
RT=$(node ip route show "$IPY" | head -1)
node ip route del $RT
assert_ok "ping x -> y with the host route removed: carried by the sfc redirect" ns_ping x "$IPY"
node ip route add $RT
assert_ok "CHECK of ptp + sfc-cni" conflist_run CHECK "$NSX" eth0 ctr-x <<<"$LIST_PTP"
assert_ok "conflist DEL x (sfc-cni first, then ptp)" conflist_run DEL "$NSX" eth0 ctr-x <<<"$LIST_PTP"
assert_fail "x: our link pin gone" test -e "$PIN_DIR/links/$HX"
assert_fail "x: ptp's veth gone (by ptp)" node ip link show "$HX"
assert_fail "x: record gone" test -e "$STATE_DIR/endpoints/ctr-x_eth0.json"
assert_fail "x: address released" test -e "$IPAM_DIR/$NET_NAME-ptp/$IPX"
assert_ok "conflist DEL y" conflist_run DEL "$NSY" eth0 ctr-y <<<"$LIST_PTP_TC"

# --- chained mode hooks the pod interface's veth peer, never a host
# interface name taken from prevResult (a bridge plugin lists its bridge
# first; a hostile prevResult can name the node's uplink) ---
node ip link add "$PFX-upl" type bridge # stands in for the uplink (no dummy module here)
NSZ=$(pod_netns_add z)
NSW=$(pod_netns_add w)
node ip link add "$PFX-zh" type veth peer name eth0 netns "$PFX-z"
node ip link set "$PFX-zh" up
ns_exec z ip link set eth0 up
ns_exec w ip link add eth0 type bridge
# sfc-cni alone, prevResult naming the uplink as the host interface.
chained_conf() {
	python3 -c 'import json,sys
c=json.loads(sys.argv[1]); c["cniVersion"]="1.0.0"; c["name"]=sys.argv[2]
c["prevResult"]={"cniVersion":"1.0.0","interfaces":[{"name":sys.argv[3]},{"name":"eth0","sandbox":sys.argv[4]}],
 "ips":[{"address":sys.argv[5],"interface":1}]}
print(json.dumps(c))' "$SFC_CH" "$NET_NAME-ch" "$PFX-upl" "$1" "$2"
}
sfc_alone() { # CMD NETNS CID < conf
	CNI_COMMAND=$1 CNI_NETNS=$2 CNI_IFNAME=eth0 CNI_CONTAINERID=$3 CNI_PATH="$BUILD/bin:/usr/lib/cni" \
		nsenter --net="$NODE_NS" "$BUILD/bin/sfc-cni"
}
CONF_Z=$(chained_conf "$NSZ" 10.250.1.5/24)
out=$(sfc_alone ADD "$NSZ" ctr-z <<<"$CONF_Z")
assert_eq 0 $? "chained ADD with prevResult naming $PFX-upl as the host interface"
assert_ok "hooked on the veth peer of the pod's eth0 ($PFX-zh)" test -e "$PIN_DIR/links/$PFX-zh"
assert_fail "nothing attached to the interface prevResult named" test -e "$PIN_DIR/links/$PFX-upl"
assert_eq "" "$(node bpftool net show dev "$PFX-upl" 2>/dev/null | grep -o sfc_from_pod)" "no sfc program on $PFX-upl"
assert_ok "chained DEL z" sfc_alone DEL "$NSZ" ctr-z <<<"$CONF_Z"
assert_fail "z: link pin gone" test -e "$PIN_DIR/links/$PFX-zh"
# The same in tc mode: DEL takes our filter off the veth, which stays.
CONF_ZTC=$(python3 -c 'import json,sys; c=json.loads(sys.argv[1]); c["hookAttach"]="tc"; print(json.dumps(c))' "$CONF_Z")
assert_ok "chained ADD z (tc)" sfc_alone ADD "$NSZ" ctr-z <<<"$CONF_ZTC"
assert_ok "z (tc): our filter on $PFX-zh" sh -c "nsenter --net=$NODE_NS tc filter show dev $PFX-zh ingress | grep -q 'handle 0x5fc'"
assert_ok "chained DEL z (tc)" sfc_alone DEL "$NSZ" ctr-z <<<"$CONF_ZTC"
assert_fail "z (tc): our filter gone from the live veth" sh -c "nsenter --net=$NODE_NS tc filter show dev $PFX-zh ingress | grep -q 'handle 0x5fc'"
out=$(sfc_alone ADD "$NSW" ctr-w <<<"$(chained_conf "$NSW" 10.250.1.6/24)")
rc=$?
assert_eq 1 "$rc" "chained ADD on a pod interface that is no veth fails"
assert_eq 7 "$(json_get "$out" '["code"]')" "... with code 7 (invalid network config)"
assert_fail "... and attaches nothing to $PFX-upl" test -e "$PIN_DIR/links/$PFX-upl"
assert_fail "... and leaves no record" test -e "$STATE_DIR/endpoints/ctr-w_eth0.json"

summary
