#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# test_cni.sh - sfc-cni end to end: ADD two pods in their own netns and ping
# between them through the dataplane hooks, check the result JSON, CHECK,
# DEL (and what it removes), idempotent DEL, DEL without netns, and bad
# inputs, including an IPAM failure that must leave nothing behind.
set -u
. "$(dirname "$0")/lib.sh"

le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
	$((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
# sfc_ip_key for an IPv4 address: family 4, addr[0] in network order, zeros.
ip4_key() { echo "04 00 00 00 $(printf '%02x ' ${1//./ }) $(printf '00 %.0s' {1..12})"; }
map_has() { bpftool map lookup pinned "$PIN_DIR/$1" key hex $2 >/dev/null 2>&1; }
# entries whose value is not all zero (array maps have every key)
map_count() { bpftool -j map dump pinned "$PIN_DIR/$1" 2>/dev/null | python3 -c \
	'import json,sys; print(sum(1 for e in json.load(sys.stdin) if any(int(b, 16) for b in e["value"])))' \
	2>/dev/null || echo 0; }
host_links() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -c "^$PFX" || true; }
# code of an error JSON on stdout, "" if not exactly one JSON object
err_code() { json_get "$1" '["code"]'; }
ifindex() { cat "/sys/class/net/$1/ifindex" 2>/dev/null || echo 0; }
# Our tc-mode filter on IF's clsact ingress (SFC_TC_HANDLE at priority 1).
has_tc_filter() { tc filter show dev "$1" ingress 2>/dev/null | grep -q 'pref 1 bpf .*handle 0x5fc'; }
rec_flags() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("flags", 0))' \
	"$STATE_DIR/endpoints/$1_eth0.json"; }

CONF=$(cni_conf)

# --- VERSION ---
out=$(echo '{"cniVersion":"0.4.0"}' | CNI_COMMAND=VERSION "$CNI_BIN")
assert_eq "0.4.0" "$(json_get "$out" '["cniVersion"]')" "VERSION echoes the input cniVersion"
assert_eq '["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]' "$(json_get "$out" '["supportedVersions"]')" \
	"VERSION lists supported versions"

# --- ADD two pods ---
NSA=$(pod_netns_add a)
NSB=$(pod_netns_add b)
ra=$(cni_run ADD "$NSA" eth0 ctr-a default pod-a <<<"$CONF")
assert_eq 0 $? "ADD pod a"
rb=$(cni_run ADD "$NSB" eth0 ctr-b default pod-b <<<"$CONF")
assert_eq 0 $? "ADD pod b"

assert_eq 1.0.0 "$(json_get "$ra" '["cniVersion"]')" "result cniVersion"
assert_eq eth0 "$(json_get "$ra" '["interfaces"][1]["name"]')" "result pod interface name"
assert_eq "$NSA" "$(json_get "$ra" '["interfaces"][1]["sandbox"]')" "result sandbox is the netns path"
HA=$(json_get "$ra" '["interfaces"][0]["name"]')
HB=$(json_get "$rb" '["interfaces"][0]["name"]')
assert_eq "$PFX" "${HA:0:${#PFX}}" "host veth carries hostIfPrefix ($HA)"
assert_eq 15 "${#HA}" "host veth name is 15 chars"
assert_eq "" "$(json_get "$ra" '["interfaces"][0]["sandbox"]')" "host interface has no sandbox"
assert_eq 1 "$(json_get "$ra" '["ips"][0]["interface"]')" "ips[0].interface points at the pod iface"
assert_eq "" "$(json_get "$ra" '["ips"][0]["version"]')" "1.0.0 ips have no version"
IPA=$(json_get "$ra" '["ips"][0]["address"]')
IPB=$(json_get "$rb" '["ips"][0]["address"]')
GW=$(json_get "$ra" '["ips"][0]["gateway"]')
assert_eq "${SUBNET%.0/24}" "${IPA%.*}" "pod a address $IPA from the subnet"
assert_eq "0.0.0.0/0" "$(json_get "$ra" '["routes"][0]["dst"]')" "result default route"
assert_eq "$GW" "$(json_get "$ra" '["routes"][0]["gw"]')" "default route via the gateway"
assert_eq "{}" "$(json_get "$ra" '["dns"]')" "result dns object"
IPA=${IPA%/*} IPB=${IPB%/*}

# --- what ADD set up ---
MACA=$(json_get "$ra" '["interfaces"][0]["mac"]')
assert_ok "pod address has noprefixroute" sh -c "ip -n $PFX-a addr show eth0 | grep -q 'inet $IPA/24 .*noprefixroute'"
assert_ok "pod default route via $GW" sh -c "ip -n $PFX-a route show default | grep -q 'via $GW dev eth0'"
assert_ok "pod scope-link route to the gateway" sh -c "ip -n $PFX-a route show $GW | grep -q 'scope link'"
assert_ok "permanent neighbour gateway -> host veth MAC" \
	sh -c "ip -n $PFX-a neigh show $GW | grep -qi '$MACA PERMANENT'"
assert_ok "host /32 route to pod a" sh -c "ip route show $IPA | grep -q 'dev $HA scope link'"
assert_ok "default hook mode on our own veth: tc filter on $HA" has_tc_filter "$HA"
assert_fail "tc mode pins no link for $HA" test -e "$PIN_DIR/links/$HA"
assert_eq 2 "$(rec_flags ctr-a)" "record says tc (SFC_REC_F_HOOK_TC)"
IDXA=$(ifindex "$HA")
assert_ok "sfc_ifindex_vpid has pod a's veth" map_has sfc_ifindex_vpid "$(le32 "$IDXA")"
assert_ok "sfc_ep_by_ip has pod a's address" map_has sfc_ep_by_ip "$(ip4_key "$IPA")"
assert_ok "state record of pod a" test -f "$STATE_DIR/endpoints/ctr-a_eth0.json"
assert_ok "IPAM allocated $IPA" test -f "$IPAM_DIR/$NET_NAME/$IPA"

# --- traffic through the hooks ---
assert_ok "ping a -> b ($IPB)" ns_ping a "$IPB"
assert_ok "ping b -> a ($IPA)" ns_ping b "$IPA"

# --- CHECK ---
assert_ok "CHECK pod a" cni_run CHECK "$NSA" eth0 ctr-a default pod-a <<<"$CONF"
assert_ok "CHECK pod b" cni_run CHECK "$NSB" eth0 ctr-b default pod-b <<<"$CONF"
ip -n "$PFX-b" addr flush dev eth0
out=$(cni_run CHECK "$NSB" eth0 ctr-b default pod-b <<<"$CONF" 2>/dev/null)
assert_eq 999 "$(err_code "$out")" "CHECK fails when the pod address is gone"
assert_ok "CHECK error names the address" sh -c "echo '$out' | grep -q 'address $IPB/24 missing'"

# --- older result versions ---
NSC=$(pod_netns_add c)
rc_=$(CNI_VERSION=0.3.1 cni_conf | cni_run ADD "$NSC" net1 ctr-c default pod-c)
assert_eq 0 $? "ADD with cniVersion 0.3.1"
assert_eq "0.3.1" "$(json_get "$rc_" '["cniVersion"]')" "0.3.1 result version"
assert_eq "4" "$(json_get "$rc_" '["ips"][0]["version"]')" "0.3.1 ips carry version"
out=$(CNI_VERSION=0.3.1 cni_conf | cni_run CHECK "$NSC" net1 ctr-c default pod-c 2>/dev/null)
assert_eq 1 "$(err_code "$out")" "CHECK refused for 0.3.1 (code 1)"
CNI_VERSION=0.3.1 cni_conf | cni_run DEL "$NSC" net1 ctr-c default pod-c
assert_eq 0 $? "DEL 0.3.1 pod"

# --- SF endpoint: sfc.io/function annotation -> role SF, MTU SFC_SF_MTU (65535) ---
pod_annotate default sf-1 '{"sfc.io/function": "firewall"}'
NSF=$(pod_netns_add f)
rf=$(cni_conf '"mtu": 1400' | cni_run ADD "$NSF" eth0 ctr-f default sf-1)
assert_eq 0 $? "ADD SF pod"
HF=$(json_get "$rf" '["interfaces"][0]["name"]')
assert_eq 65535 "$(cat /sys/class/net/$HF/mtu)" "SF host veth MTU = 65535 (SFC_SF_MTU)"
assert_eq 65535 "$(ns_exec f cat /sys/class/net/eth0/mtu)" "SF pod iface MTU = 65535 (SFC_SF_MTU)"
assert_eq 1500 "$(ns_exec a cat /sys/class/net/eth0/mtu)" "app pod MTU = mtu"
assert_eq '"function": "firewall"' "$(grep -o '"function":[^,]*' "$STATE_DIR/endpoints/ctr-f_eth0.json" | tr -s ' \t' ' ')" \
	"state record carries the function"
role=$(bpftool -j map dump pinned "$PIN_DIR/sfc_endpoints" | python3 -c "
import json,sys
print([e['formatted']['value']['role'] for e in json.load(sys.stdin) if e['formatted']['value']['ifindex'] == $(ifindex "$HF")])")
assert_eq "[2]" "$role" "SF endpoint has role SF in sfc_endpoints"
assert_ok "CHECK SF pod" cni_run CHECK "$NSF" eth0 ctr-f default sf-1 < <(cni_conf '"mtu": 1400')
assert_ok "DEL SF pod" cni_run DEL "$NSF" eth0 ctr-f default sf-1 < <(cni_conf '"mtu": 1400')

# --- parallel ADDs get distinct VPIDs ---
for i in 1 2 3 4; do pod_netns_add "p$i" >/dev/null; done
for i in 1 2 3 4; do cni_run ADD "$(ns_path "p$i")" eth0 "ctr-p$i" <<<"$CONF" >/dev/null 2>&1 & done
wait
vpids=$(python3 -c 'import json,sys; print(len({json.load(open(f))["vpid"] for f in sys.argv[1:]}))' \
	"$STATE_DIR"/endpoints/ctr-p*_eth0.json)
assert_eq 4 "$vpids" "4 parallel ADDs: 4 records with distinct VPIDs"
for i in 1 2 3 4; do cni_run DEL "$(ns_path "p$i")" eth0 "ctr-p$i" <<<"$CONF" >/dev/null 2>&1; done

# --- dual stack ---
SUBNET6="fd00:${PFX#s}::/64"
DCONF=$(cni_conf "" "{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$SUBNET\"}], [{\"subnet\": \"$SUBNET6\"}]]}")
NS6A=$(pod_netns_add v6a)
NS6B=$(pod_netns_add v6b)
r6a=$(cni_run ADD "$NS6A" eth0 ctr-6a <<<"$DCONF")
assert_eq 0 $? "ADD dual-stack pod"
r6b=$(cni_run ADD "$NS6B" eth0 ctr-6b <<<"$DCONF")
IP6B=$(json_get "$r6b" '["ips"][1]["address"]')
assert_eq "::/0" "$(json_get "$r6a" '["routes"][1]["dst"]')" "dual-stack result has the IPv6 default route"
assert_ok "ping6 v6a -> v6b (${IP6B%/*})" ns_ping v6a "${IP6B%/*}"
# A MAC change flushes a pod's neighbours, the permanent gateway entries
# too: the classifier answers the pods' NS for the gateway and learns their
# new MACs (IPv4 ARP is covered by test_runtime.sh).
IP6A=$(json_get "$r6a" '["ips"][1]["address"]')
HV6A=$(json_get "$r6a" '["interfaces"][0]["mac"]')
ns_exec v6a ip link set dev eth0 address 0a:58:00:00:6a:01
ns_exec v6b ip link set dev eth0 address 0a:58:00:00:6b:01
assert_fail "v6a's permanent IPv6 gateway neighbour is gone" sh -c "ip -n $PFX-v6a -6 neigh show nud permanent | grep -q ."
assert_ok "ping6 v6a -> v6b after both changed their MAC" ns_ping v6a "${IP6B%/*}"
assert_ok "ping6 v6b -> v6a after both changed their MAC" ns_ping v6b "${IP6A%/*}"
assert_ok "v6a resolved its IPv6 gateway to the host veth MAC ($HV6A)" sh -c "ip -n $PFX-v6a -6 neigh show | grep -qi '$HV6A'"
assert_ok "CHECK dual-stack pod" cni_run CHECK "$NS6A" eth0 ctr-6a <<<"$DCONF"
assert_ok "DEL dual-stack pod a" cni_run DEL "$NS6A" eth0 ctr-6a <<<"$DCONF"
assert_ok "DEL dual-stack pod b" cni_run DEL "$NS6B" eth0 ctr-6b <<<"$DCONF"

# --- DEL ---
n_ep=$(map_count sfc_endpoints)
assert_ok "DEL pod a" cni_run DEL "$NSA" eth0 ctr-a default pod-a <<<"$CONF"
assert_fail "host veth $HA removed" ip link show "$HA"
assert_fail "pod iface removed" ip -n "$PFX-a" link show eth0
assert_eq "" "$(ip route show "$IPA")" "host route removed"
assert_fail "IPAM allocation released" test -e "$IPAM_DIR/$NET_NAME/$IPA"
assert_fail "state record removed" test -e "$STATE_DIR/endpoints/ctr-a_eth0.json"
assert_fail "link pin removed" test -e "$PIN_DIR/links/$HA"
assert_fail "sfc_ifindex_vpid entry removed" map_has sfc_ifindex_vpid "$(le32 "$IDXA")"
assert_fail "sfc_ep_by_ip entry removed" map_has sfc_ep_by_ip "$(ip4_key "$IPA")"
assert_eq $((n_ep - 1)) "$(map_count sfc_endpoints)" "sfc_endpoints entry removed"
assert_ok "DEL pod a again" cni_run DEL "$NSA" eth0 ctr-a default pod-a <<<"$CONF"

# DEL after the runtime already deleted the netns, then with CNI_NETNS="".
ip netns del "$PFX-b"
assert_ok "DEL with a missing netns" cni_run DEL "$NSB" eth0 ctr-b default pod-b <<<"$CONF"
assert_fail "pod b state removed" test -e "$STATE_DIR/endpoints/ctr-b_eth0.json"
assert_fail "pod b IPAM released" test -e "$IPAM_DIR/$NET_NAME/$IPB"
assert_fail "pod b veth gone" ip link show "$HB"
assert_ok "DEL with empty CNI_NETNS" cni_run DEL "" eth0 ctr-b default pod-b <<<"$CONF"
assert_ok "DEL of a never-added container" cni_run DEL "" eth0 ctr-zz <<<"$CONF"

# DEL when the dataplane pins are missing (node never initialised).
assert_ok "DEL with missing pins" cni_run DEL "" eth0 ctr-zz < <(cni_conf | sed "s|\"bpffsDir\": \"$PIN_DIR\"|\"bpffsDir\": \"$PIN_DIR-none\"|")
assert_fail "DEL did not create the missing pin dir" test -e "$PIN_DIR-none"

# --- bad inputs: exactly one error object on stdout, exit 1 ---
NSD=$(pod_netns_add d)
out=$(echo '{"cniVersion": "1.0.0", "name":' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq "1 6" "$? $(err_code "$out")" "malformed JSON: exit 1, code 6"
out=$(cni_run ADD "" eth0 ctr-d <<<"$CONF" 2>/dev/null)
assert_eq "1 4" "$? $(err_code "$out")" "missing CNI_NETNS: code 4"
out=$(cni_run ADD /var/run/netns/$PFX-nope eth0 ctr-d <<<"$CONF" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "nonexistent netns: code 4"
assert_ok "nonexistent netns: msg names the path" sh -c "echo '$out' | grep -q '$PFX-nope'"
out=$(cni_run ADD /etc/hostname eth0 ctr-d <<<"$CONF" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "CNI_NETNS not a netns: code 4"
out=$(CNI_VERSION=0.2.0 cni_conf | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 1 "$(err_code "$out")" "unsupported cniVersion: code 1"
out=$(cni_run ADD "$NSD" "a/b" ctr-d <<<"$CONF" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "ifname with '/': code 4"
out=$(cni_run ADD "$NSD" "eth0123456789012" ctr-d <<<"$CONF" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "ifname of 16 chars: code 4"
out=$(cni_conf "" '{"type": "../../bin/sh"}' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "ipam type with '/': rejected (code 7)"
out=$(cni_conf | sed "s/\"hostIfPrefix\": \"$PFX\"/\"hostIfPrefix\": \"toolong\"/" | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 2 "$(err_code "$out")" "hostIfPrefix over 5 chars: code 2"
assert_eq 1 "$(printf '%s' "$out" | python3 -c 'import json,sys; json.loads(sys.stdin.read()); print(1)')" \
	"error output is exactly one JSON object"

# --- the other hook mode (tcx) beside the default (tc), and the upgrade
# that moves every endpoint of either mode to a changed program ---
# Two SF pods (sfc_from_sf), one per mode, stand in for endpoints of an
# older build: the pinned sfc_from_pod is swapped for sfc_from_sf, so the
# next ADD finds a changed program and re-points whatever runs the one
# pinned there (a tcx link update; a tc filter replace) to the new one.
prog_id() { bpftool -j prog show pinned "$PIN_DIR/progs/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
tcx_prog() { bpftool -j link show pinned "$PIN_DIR/links/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])'; }
tc_prog() { tc filter show dev "$1" ingress | sed -n 's/.*handle 0x5fc .* id \([0-9]*\) .*/\1/p'; }
TCX=$(cni_conf '"hookAttach": "tcx"')
NSU1=$(pod_netns_add u1) NSU2=$(pod_netns_add u2) NST=$(pod_netns_add t) NSA2=$(pod_netns_add a2)
ru1=$(cni_run ADD "$NSU1" eth0 ctr-u1 default sf-1 <<<"$CONF")
assert_eq 0 $? "ADD SF pod u1 (tc)"
ru2=$(cni_run ADD "$NSU2" eth0 ctr-u2 default sf-1 <<<"$TCX")
assert_eq 0 $? "ADD SF pod u2 (hookAttach tcx)"
HU1=$(json_get "$ru1" '["interfaces"][0]["name"]') HU2=$(json_get "$ru2" '["interfaces"][0]["name"]')
assert_ok "u2: tcx link pinned" test -e "$PIN_DIR/links/$HU2"
assert_fail "u2: no tc filter" has_tc_filter "$HU2"
assert_eq 0 "$(rec_flags ctr-u2)" "u2: record says tcx"
OLD=$(prog_id sfc_from_sf)
assert_eq "$OLD $OLD" "$(tc_prog "$HU1") $(tcx_prog "$HU2")" "u1 and u2 run sfc_from_sf (id $OLD)"
rm "$PIN_DIR/progs/sfc_from_pod"
bpftool prog pin id "$OLD" "$PIN_DIR/progs/sfc_from_pod"
rt=$(cni_run ADD "$NST" eth0 ctr-t <<<"$TCX")
assert_eq 0 $? "ADD pod t (tcx) after the program changed: sfc_dp_init upgrades"
NEW=$(prog_id sfc_from_pod)
assert_fail "upgrade: a new sfc_from_pod is pinned" test "$NEW" = "$OLD"
assert_eq "$NEW" "$(tc_prog "$HU1")" "upgrade: tc filter of u1 replaced in place"
assert_eq "$NEW" "$(tcx_prog "$HU2")" "upgrade: tcx link of u2 updated"
HT=$(json_get "$rt" '["interfaces"][0]["name"]')
assert_eq "$NEW" "$(tcx_prog "$HT")" "pod t attached with tcx to the new program"
ra2=$(cni_run ADD "$NSA2" eth0 ctr-a2 <<<"$CONF")
IPT=$(json_get "$rt" '["ips"][0]["address"]') IPA2=$(json_get "$ra2" '["ips"][0]["address"]')
HA2=$(json_get "$ra2" '["interfaces"][0]["name"]')
assert_ok "ping t (tcx) -> a2 (tc)" ns_ping t "${IPA2%/*}"
assert_ok "ping a2 (tc) -> t (tcx)" ns_ping a2 "${IPT%/*}"
assert_eq "tcx tc" "$(sfcctl get endpoints -o json | python3 -c '
import json, sys
e = {x["containerId"]: x["hook"] for x in json.load(sys.stdin)}
print(e["ctr-t"], e["ctr-a2"])')" "sfcctl get endpoints shows each endpoint's hook mode"
assert_ok "CHECK pod t (tcx)" cni_run CHECK "$NST" eth0 ctr-t <<<"$TCX"
assert_ok "CHECK pod a2 (tc)" cni_run CHECK "$NSA2" eth0 ctr-a2 <<<"$CONF"
tc filter del dev "$HA2" ingress pref 1 handle 0x5fc bpf
out=$(cni_run CHECK "$NSA2" eth0 ctr-a2 <<<"$CONF" 2>/dev/null)
assert_ok "CHECK a2: our filter deleted by hand is named" grep -q "no sfc program attached to $HA2 (tc)" <<<"$out"
out=$(cni_conf '"hookAttach": "xdp"' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 2 "$(err_code "$out")" "hookAttach neither auto, tcx nor tc: code 2"
assert_ok "DEL pod t (tcx)" cni_run DEL "$NST" eth0 ctr-t <<<"$TCX"
assert_ok "DEL pod u1 (tc)" cni_run DEL "$NSU1" eth0 ctr-u1 default sf-1 <<<"$CONF"
assert_ok "DEL pod u2 (tcx)" cni_run DEL "$NSU2" eth0 ctr-u2 default sf-1 <<<"$TCX"
assert_ok "DEL pod a2 (tc)" cni_run DEL "$NSA2" eth0 ctr-a2 <<<"$CONF"
assert_fail "DEL t: link pin removed" test -e "$PIN_DIR/links/$HT"
assert_fail "DEL u2: link pin removed" test -e "$PIN_DIR/links/$HU2"

# --- failures after something was created leave nothing behind ---
links0=$(host_links) n_ep=$(map_count sfc_endpoints)
out=$(cni_conf "" '{"type": "nonexistent-ipam"}' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "unknown ipam plugin: error"
assert_eq "$links0" "$(host_links)" "unknown ipam plugin: no host veth left"
assert_fail "unknown ipam plugin: no pod iface left" ip -n "$PFX-d" link show eth0

LAST="${SUBNET%.0/24}.250"
XCONF=$(cni_conf "" "{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$SUBNET\", \"rangeStart\": \"$LAST\", \"rangeEnd\": \"$LAST\"}]]}")
NSE=$(pod_netns_add e)
assert_ok "ADD takes the last address of a 1-address range" cni_run ADD "$NSE" eth0 ctr-e <<<"$XCONF"
links0=$(host_links) n_ep=$(map_count sfc_endpoints)
out=$(cni_run ADD "$NSD" eth0 ctr-d <<<"$XCONF" 2>/dev/null)
rc=$?
assert_eq 1 "$rc" "exhausted IPAM range: ADD fails"
assert_ok "exhausted IPAM range: error names IPAM" sh -c "echo '$out' | grep -q 'ipam host-local ADD'"
assert_eq "$links0" "$(host_links)" "exhausted range: no host veth left"
assert_fail "exhausted range: no pod iface left" ip -n "$PFX-d" link show eth0
assert_fail "exhausted range: no state record" test -e "$STATE_DIR/endpoints/ctr-d_eth0.json"
assert_eq "$n_ep" "$(map_count sfc_endpoints)" "exhausted range: no map entry left"
assert_ok "DEL pod e" cni_run DEL "$NSE" eth0 ctr-e <<<"$XCONF"
assert_eq 0 "$(map_count sfc_endpoints)" "every endpoint gone after the DELs"

# A veth that cannot be made: ADD fails, and the allocation of the IPAM
# plugin (in tc mode started before the veth) is released.
NSG=$(pod_netns_add g)
out=$(cni_run ADD "$NSG" eth0 ctr-g <<<"$CONF")
HG=$(json_get "$out" '["interfaces"][0]["name"]')
assert_ok "DEL pod g" cni_run DEL "$NSG" eth0 ctr-g <<<"$CONF"
ip link add "$HG" type veth peer name "${PFX}taken"
out=$(cni_run ADD "$NSG" eth0 ctr-g <<<"$CONF" 2>/dev/null)
assert_ok "host veth name taken: ADD fails naming it" sh -c "echo '$out' | grep -q 'already exists'"
assert_eq "" "$(grep -rl ctr-g "$IPAM_DIR/$NET_NAME" 2>/dev/null)" \
	"host veth name taken: no IPAM allocation left"
assert_fail "host veth name taken: no link pin" test -e "$PIN_DIR/links/$HG"
assert_fail "host veth name taken: no state record" test -e "$STATE_DIR/endpoints/ctr-g_eth0.json"
ip link del "$HG"

# The IPAM plugin runs while the program is attached: an attach that fails
# must still release what IPAM allocated meanwhile. strace makes it fail:
# in tc mode the netlink request adding our filter (RTM_NEWTFILTER, a
# sendto), in tcx mode BPF_LINK_CREATE; which call it is is found by a
# traced ADD first.
add_env() { env CNI_COMMAND=ADD CNI_CONTAINERID=ctr-g CNI_NETNS="$NSG" CNI_IFNAME=eth0 \
	CNI_PATH="$BUILD/bin:/usr/lib/cni" CNI_ARGS=IgnoreUnknown=1 "$@"; }
attach_fails() { # MODE CONF SYSCALL PATTERN
	local mode=$1 conf=$2 call=$3 pat=$4 nth links0 n_ep out
	printf '%s' "$conf" | add_env strace -o "$TMP_DIR/$mode.trace" -e trace="$call" "$CNI_BIN" >/dev/null
	nth=$(grep "^$call(" "$TMP_DIR/$mode.trace" | grep -n "$pat" | cut -d: -f1 | head -1)
	assert_ok "$mode: DEL pod g after the traced ADD" cni_run DEL "$NSG" eth0 ctr-g <<<"$conf"
	links0=$(host_links) n_ep=$(map_count sfc_endpoints)
	out=$(printf '%s' "$conf" | add_env strace -o /dev/null -e trace="$call" \
		-e inject="$call":error=EPERM:when="${nth:-1}" "$CNI_BIN" 2>/dev/null)
	assert_ok "$mode attach fails: ADD fails naming it" sh -c "echo '$out' | grep -q 'attaching the sfc_from_pod program.*($mode)'"
	assert_eq "" "$(grep -rl ctr-g "$IPAM_DIR/$NET_NAME" 2>/dev/null)" \
		"$mode attach fails: the IPAM allocation made meanwhile is released"
	assert_eq "$links0" "$(host_links)" "$mode attach fails: no host veth left"
	assert_eq "$n_ep" "$(map_count sfc_endpoints)" "$mode attach fails: no map entry left"
	assert_fail "$mode attach fails: no state record" test -e "$STATE_DIR/endpoints/ctr-g_eth0.json"
}
if command -v strace >/dev/null; then
	attach_fails tc "$CONF" sendto RTM_NEWTFILTER
	attach_fails tcx "$(cni_conf '"hookAttach": "tcx"')" bpf BPF_LINK_CREATE
else
	not_ok "strace missing (make deps installs it): a failing attach not tested"
fi

summary
