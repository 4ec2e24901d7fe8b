#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# test_runtime.sh - sfc-cni driven by a real libcni runtime (sfc-cnitool,
# tests/runtime/): a conflist loaded from a directory, chained with the
# reference portmap and tuning plugins, runtime values passed as
# CapabilityArgs (portMappings, ips, mac) the way containerd passes them,
# results cached by libcni and handed back to CHECK and DEL, and gc of
# attachments the runtime no longer knows.
#
# The runtime runs in a per-run "node" netns ($PFX-node, entered with
# nsenter --net so the bpffs mount stays visible): host veths, routes and
# portmap's iptables rules all live there and go away with it.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_runtime.sh"
runtime_node_setup
NODE_IP=192.0.2.1
ip -n "$NODE" addr add "$NODE_IP/32" dev lo

# portmap needs iptables in the node netns; without it the list is
# sfc-cni + tuning only.
HAVE_PORTMAP=0
if [ -x /usr/lib/cni/portmap ] && node iptables -t nat -L >/dev/null 2>&1; then HAVE_PORTMAP=1; fi
PORTMAP='{"type": "portmap", "capabilities": {"portMappings": true}, "snat": true},'
[ $HAVE_PORTMAP -eq 1 ] || { PORTMAP=""; echo "# portmap not usable here (no iptables): list is sfc-cni + tuning"; }

# The sfc-cni member: lib.sh's conf without name/cniVersion (the list's),
# declaring the "ips" capability (forwarded to host-local with the stdin).
SFC_MEMBER=$(cni_conf '"capabilities": {"ips": true}' |
	python3 -c 'import json,sys; d = json.load(sys.stdin); d.pop("name"); d.pop("cniVersion"); print(json.dumps(d))')
cat >"$NET_D/10-$NET_NAME.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$NET_NAME",
  "plugins": [
    $SFC_MEMBER,
    $PORTMAP
    {"type": "tuning", "capabilities": {"mac": true},
     "sysctl": {"net.ipv4.conf.eth0.rp_filter": "0"}}
  ]
}
EOF
# A decoy list in the same dir: LoadConfList must pick by name.
echo '{"cniVersion": "1.0.0", "name": "other", "plugins": [{"type": "bridge"}]}' >"$NET_D/00-other.conflist"

for n in a b c d; do pod_netns_add "$n" >/dev/null; done
for n in a b c; do on_cleanup "tool -cid $PFX-$n -args '$(pod_args $n)' del $NET_NAME $(ns_path $n)"; done
# tuning keeps pod c's original MAC under /run/cni/tuning until a DEL with
# the netns; the gc below DELs without one (libcni 1.1.2 caches no netns).
on_cleanup "rm -f /run/cni/tuning/$PFX-c_eth0.json"

# --- ADD through libcni ---
ra=$(rt add a -portmap 18080:8080/tcp)
assert_eq 0 $? "runtime ADD pod a (sfc-cni${PORTMAP:+ + portmap} + tuning, portMappings)"
WANT_B="${SUBNET%.0/24}.77"
rb=$(rt add b -ip "$WANT_B/24")
assert_eq 0 $? "runtime ADD pod b with the ips capability"
IPA=$(json_get "$ra" '["ips"][0]["address"]')
IPB=$(json_get "$rb" '["ips"][0]["address"]')
IPA=${IPA%/*}
assert_eq "$WANT_B/24" "$IPB" "ips capability reached host-local through sfc-cni (pod b got $WANT_B)"
assert_eq 1.0.0 "$(json_get "$ra" '["cniVersion"]')" "list result version"
assert_eq eth0 "$(json_get "$ra" '["interfaces"][1]["name"]')" "result names the pod interface"
assert_ok "libcni cached pod a's result" test -f "$CACHE/results/$NET_NAME-$PFX-a-eth0"
assert_eq 0 "$(ns_exec a cat /proc/sys/net/ipv4/conf/eth0/rp_filter)" "tuning ran after sfc-cni (sysctl set)"
HA=$(json_get "$ra" '["interfaces"][0]["name"]')
assert_ok "host veth $HA is in the node netns" node ip link show "$HA"
assert_fail "host veth $HA is not in the init netns" ip link show "$HA"

# --- traffic ---
assert_ok "ping a -> b ($WANT_B)" ns_ping a "$WANT_B"
assert_ok "ping b -> a ($IPA)" ns_ping b "$IPA"
if [ $HAVE_PORTMAP -eq 1 ]; then
	ip netns exec "$PFX-a" python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 &
	track_pid $!
	assert_ok "HTTP server listening in pod a" wait_port a 8080
	assert_eq 200 "$(node curl -s -m 3 -o /dev/null -w '%{http_code}' "http://$NODE_IP:18080/")" \
		"portmap: node $NODE_IP:18080 -> pod a:8080 through the hooks"
fi

# --- CHECK and DEL with the cached result ---
assert_ok "runtime CHECK pod a" rt check a
assert_ok "runtime CHECK pod b" rt check b
ns_exec b ip addr flush dev eth0
assert_fail "runtime CHECK pod b fails once its address is gone" rt check b
assert_ok "runtime DEL pod b" rt del b
assert_fail "pod b's cache entry removed" test -f "$CACHE/results/$NET_NAME-$PFX-b-eth0"
assert_fail "pod b's IPAM allocation released" test -e "$IPAM_DIR/$NET_NAME/$WANT_B"
assert_fail "pod b's state record removed" test -e "$STATE_DIR/endpoints/$PFX-b_eth0.json"
assert_ok "runtime DEL pod b again (idempotent)" rt del b

# --- MAC capability (tuning, chained after sfc-cni) ---
MAC=0a:58:0a:00:00:42
rc_=$(rt add c -mac "$MAC")
assert_eq 0 $? "runtime ADD pod c with the mac capability"
assert_eq "$MAC" "$(ns_exec c cat /sys/class/net/eth0/address)" "tuning set pod c's MAC"
IPC=$(json_get "$rc_" '["ips"][0]["address"]')
# sfc-cni ran before tuning changed the MAC: the pod announces the new one
# (arp_notify / ndisc_notify set by sfc-cni), the classifier learns it for
# pod-to-pod delivery and the node's neighbour entry resolves it.
assert_ok "ping a -> c after tuning changed c's MAC" ns_ping a "${IPC%/*}" 3
assert_ok "ping node -> c after tuning changed c's MAC" node ping -c 1 -W 2 "${IPC%/*}"
assert_eq 1 "$(ns_exec c cat /proc/sys/net/ipv4/conf/eth0/arp_notify)" "arp_notify on in pod c"
# And a change once traffic has flowed and the node holds a neighbour entry
# (after its 1 s locktime, when the kernel accepts the announcement).
sleep 1.2
MAC2=0a:58:0a:00:00:43
ns_exec c ip link set dev eth0 address "$MAC2"
assert_ok "ping a -> c after c changed its MAC again" ns_ping a "${IPC%/*}" 3
assert_ok "ping node -> c after c changed its MAC again" node ping -c 1 -W 2 "${IPC%/*}"
assert_eq "$MAC2" "$(sfcctl get endpoints -o json | python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["name"] == "pod-c"][0]["mac"])')" \
	"sfcctl get endpoints shows the MAC the dataplane learned"
assert_ok "node neighbour entry for c follows the new MAC" \
	sh -c "nsenter --net=/var/run/netns/$NODE ip neigh show ${IPC%/*} | grep -qi '$MAC2'"

# --- gc: attachments the runtime no longer lists ---
# Pod c stays cached but is not in the valid list: gc DELs it (as libcni
# 1.2's GCNetworkList does) even without CNI 1.1 in the list.
HC=$(json_get "$rc_" '["interfaces"][0]["name"]')
assert_ok "runtime gc (valid: pod a)" tool -valid $PFX-a/eth0 gc "$NET_NAME"
assert_fail "gc removed stale pod c's cache entry" test -f "$CACHE/results/$NET_NAME-$PFX-c-eth0"
assert_fail "gc removed stale pod c's host veth" node ip link show "$HC"
assert_fail "gc released pod c's address" test -e "$IPAM_DIR/$NET_NAME/${IPC%/*}"
assert_ok "pod a still wired after gc" rt check a

# CNI 1.1 GC / STATUS reach the plugin only when sfc-cni speaks 1.1.0
# (libcni 1.1.2 cannot parse 1.1.0 results, so the list stays 1.0.0 and
# the tool sends these two with -gc-version 1.1.0).
vers=$(echo '{"cniVersion": "1.0.0"}' | CNI_COMMAND=VERSION "$CNI_BIN")
if json_get "$vers" '["supportedVersions"]' | grep -q '"1.1.0"'; then
	# Pod d: an attachment the plugin has but the runtime does not know.
	# Pod d: added by calling sfc-cni directly in the node netns (cni_run
	# through a wrapper), so libcni's cache does not know it.
	printf '#!/bin/sh\nexec nsenter --net=/var/run/netns/%s %s "$@"\n' "$NODE" "$CNI_BIN" >"$TMP_DIR/cni-in-node"
	chmod +x "$TMP_DIR/cni-in-node"
	assert_ok "direct ADD of an orphan pod d in the node netns" \
		env CNI_BIN="$TMP_DIR/cni-in-node" bash -c "$(declare -f cni_run _sfc_pod_rec); BUILD=$BUILD TMP_DIR=$TMP_DIR cni_run ADD $(ns_path d) eth0 $PFX-d" < <(cni_conf)
	HD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hostIfname"])' "$STATE_DIR/endpoints/$PFX-d_eth0.json")
	assert_ok "orphan pod d's host veth ($HD) exists before GC" node ip link show "$HD"
	assert_ok "STATUS (1.1.0) through the runtime" tool -gc-version 1.1.0 status "$NET_NAME"
	assert_ok "GC (1.1.0) through the runtime" tool -gc-version 1.1.0 -valid $PFX-a/eth0 gc "$NET_NAME"
	assert_fail "plugin GC removed orphan pod d's state record" test -e "$STATE_DIR/endpoints/$PFX-d_eth0.json"
	assert_fail "plugin GC removed orphan pod d's host veth ($HD)" node ip link show "$HD"
	assert_ok "pod a kept by plugin GC" test -e "$STATE_DIR/endpoints/$PFX-a_eth0.json"
	assert_ok "pod a still checks out after GC" rt check a
else
	echo "# SKIP plugin GC/STATUS: sfc-cni does not list cniVersion 1.1.0 yet"
	out=$(tool -gc-version 1.0.0 status "$NET_NAME" 2>&1)
	assert_ok "status below 1.1.0 is a no-op" sh -c "echo '$out' | grep -q 'not sent'"
fi

# --- errors come back as CNI error objects ---
err=$(tool -cid $PFX-e add "$NET_NAME" /var/run/netns/$PFX-nope 2>&1)
assert_ok "ADD into a missing netns: the runtime gets a CNI error" sh -c "echo '$err' | grep -q 'cni-error: .*\"code\":4'"
assert_fail "unknown network name" tool -cid $PFX-e add nonet "$(ns_path d)"

assert_ok "runtime DEL pod a" rt del a
assert_eq 0 "$(node ip -o link show | grep -c ": $PFX")" "no host veth left in the node netns"
assert_eq "" "$(ls "$CACHE/results" 2>/dev/null)" "libcni cache empty"
summary
