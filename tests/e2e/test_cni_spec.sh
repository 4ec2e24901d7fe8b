#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# test_cni_spec.sh - sfc-cni against CNI spec 1.1.0, end to end in netns:
# every command (ADD, DEL, CHECK, VERSION, STATUS, GC) for every config
# version (0.3.0 .. 1.1.0), result shapes, CHECK naming what is missing,
# STATUS codes 50/51, GC with cni.dev/valid-attachments, error objects and
# codes, CNI_ARGS rules, stdin bound, runtime mac/ips, MTU; what is
# refused: an mtu beyond int, ifnames the kernel would rename, strings
# with NUL, duplicate keys, a route sfc-cni did not make, the plugin's own
# netns as CNI_NETNS.
set -u
. "$(dirname "$0")/lib.sh"

err_code() { json_get "$1" '["code"]'; }
# A network-wide command (STATUS, GC): no container id, netns or ifname.
net_cmd() { env -u CNI_CONTAINERID -u CNI_NETNS -u CNI_IFNAME CNI_COMMAND="$1" \
	CNI_PATH="$BUILD/bin:/usr/lib/cni" "$CNI_BIN"; }
# Run with an explicit CNI_ARGS.
cni_args_run() { env CNI_COMMAND="$1" CNI_CONTAINERID="$3" CNI_NETNS="$2" CNI_IFNAME=eth0 \
	CNI_PATH="$BUILD/bin:/usr/lib/cni" CNI_ARGS="$4" "$CNI_BIN"; }
one_json() { printf '%s' "$1" | python3 -c 'import json,sys; json.loads(sys.stdin.read())' 2>/dev/null; }
gc_conf() { # GC_CONF VALID_JSON_ARRAY [base conf]
	python3 -c 'import json,sys; c=json.loads(sys.argv[1]); c["cni.dev/valid-attachments"]=json.loads(sys.argv[2]); print(json.dumps(c))' \
		"${2:-$(CNI_VERSION=1.1.0 cni_conf)}" "$1"; }

# --- VERSION ---
for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	out=$(echo "{\"cniVersion\":\"$v\"}" | CNI_COMMAND=VERSION "$CNI_BIN")
	assert_eq "$v" "$(json_get "$out" '["cniVersion"]')" "VERSION echoes $v"
done
assert_eq '["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]' "$(json_get "$out" '["supportedVersions"]')" \
	"VERSION lists the five supported versions"
out=$(CNI_COMMAND=VERSION "$CNI_BIN" </dev/null)
assert_eq 1.1.0 "$(json_get "$out" '["cniVersion"]')" "VERSION without input: 1.1.0"

# --- every command for every version ---
for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	tag=${v//./}
	C=$(CNI_VERSION=$v cni_conf)
	NS=$(pod_netns_add "v$tag")
	r=$(cni_run ADD "$NS" eth0 "ctr-v$tag" <<<"$C")
	assert_eq 0 $? "$v: ADD"
	assert_eq "$v" "$(json_get "$r" '["cniVersion"]')" "$v: result cniVersion"
	assert_eq 1 "$(json_get "$r" '["ips"][0]["interface"]')" "$v: ips[0].interface = 1"
	if [ "$v" \< 1.0.0 ]; then
		assert_eq 4 "$(json_get "$r" '["ips"][0]["version"]')" "$v: ips carry \"version\""
	else
		assert_eq "" "$(json_get "$r" '["ips"][0]["version"]')" "$v: ips without \"version\""
	fi
	PREV=$(python3 -c 'import json,sys; c=json.loads(sys.argv[1]); c["prevResult"]=json.loads(sys.argv[2]); print(json.dumps(c))' "$C" "$r")
	out=$(cni_run CHECK "$NS" eth0 "ctr-v$tag" <<<"$PREV" 2>/dev/null)
	rc=$?
	if [ "$v" \< 0.4.0 ]; then
		assert_eq "1 1" "$rc $(err_code "$out")" "$v: CHECK refused, code 1"
	else
		assert_eq 0 "$rc" "$v: CHECK with prevResult passes"
	fi
	for cmd in STATUS GC; do
		in=$C
		[ $cmd = GC ] && in=$(gc_conf "[{\"containerID\":\"ctr-v$tag\",\"ifname\":\"eth0\"}]" "$C")
		out=$(net_cmd $cmd <<<"$in" 2>/dev/null)
		rc=$?
		if [ "$v" = 1.1.0 ]; then
			assert_eq 0 "$rc" "$v: $cmd succeeds"
		else
			assert_eq "1 1" "$rc $(err_code "$out")" "$v: $cmd refused, code 1"
		fi
	done
	assert_ok "$v: pod still there after GC" cni_run CHECK "$NS" eth0 "ctr-v$tag" < <(CNI_VERSION=1.1.0 cni_conf)
	assert_ok "$v: DEL" cni_run DEL "$NS" eth0 "ctr-v$tag" <<<"$C"
	assert_ok "$v: DEL again" cni_run DEL "$NS" eth0 "ctr-v$tag" <<<"$C"
done

C11=$(CNI_VERSION=1.1.0 cni_conf)
# --- CHECK names what is missing ---
NSA=$(pod_netns_add a)
NSB=$(pod_netns_add b)
ra=$(cni_run ADD "$NSA" eth0 ctr-a <<<"$C11")
rb=$(cni_run ADD "$NSB" eth0 ctr-b <<<"$C11")
HA=$(json_get "$ra" '["interfaces"][0]["name"]')
HB=$(json_get "$rb" '["interfaces"][0]["name"]')
IPB=$(json_get "$rb" '["ips"][0]["address"]')
assert_ok "1.1.0 pods ping (IPAM got 1.0.0)" ns_ping a "${IPB%/*}"
assert_ok "CHECK right after ADD" cni_run CHECK "$NSA" eth0 ctr-a <<<"$C11"
ip -n "$PFX-a" route del default
out=$(cni_run CHECK "$NSA" eth0 ctr-a <<<"$C11" 2>/dev/null)
assert_ok "CHECK: missing default route named" grep -q "default route" <<<"$out"
ip -n "$PFX-a" route add default via 169.254.1.1 dev eth0 onlink
assert_ok "CHECK passes again with the route back" cni_run CHECK "$NSA" eth0 ctr-a <<<"$C11"
bad_prev=$(python3 -c 'import json,sys; c=json.loads(sys.argv[1]); r=json.loads(sys.argv[2]); r["interfaces"][1]["mac"]="02:00:00:00:00:99"; c["prevResult"]=r; print(json.dumps(c))' "$C11" "$ra")
out=$(cni_run CHECK "$NSA" eth0 ctr-a <<<"$bad_prev" 2>/dev/null)
assert_ok "CHECK: prevResult MAC mismatch named" grep -q "expected 02:00:00:00:00:99" <<<"$out"
# Pod a is in the default hook mode (tc): our filter removed by hand.
tc filter del dev "$HA" ingress pref 1 handle 0x5fc bpf
out=$(cni_run CHECK "$NSA" eth0 ctr-a <<<"$C11" 2>/dev/null)
assert_ok "CHECK: detached program named" grep -q "no sfc program attached to $HA (tc)" <<<"$out"
out=$(net_cmd STATUS <<<"$C11" 2>/dev/null)
assert_eq "51" "$(err_code "$out")" "STATUS 51 when a pod lost its program"
assert_ok "STATUS 51 names the endpoint" grep -q "ctr-a/eth0" <<<"$out"
cni_run DEL "$NSA" eth0 ctr-a <<<"$C11" >/dev/null
assert_ok "STATUS back to 0 after DEL of the degraded pod" net_cmd STATUS <<<"$C11"
ip link del "$HB"
out=$(cni_run CHECK "$NSB" eth0 ctr-b <<<"$C11" 2>/dev/null)
assert_ok "CHECK: missing host veth named" grep -q "host veth $HB" <<<"$out"
out=$(net_cmd STATUS <<<"$C11" 2>/dev/null)
assert_eq 51 "$(err_code "$out")" "STATUS 51 when a pod's host veth is gone"
assert_ok "DEL after the veth vanished" cni_run DEL "$NSB" eth0 ctr-b <<<"$C11"

# --- STATUS 50 ---
LAST="${SUBNET%.0/24}.200"
X11=$(CNI_VERSION=1.1.0 cni_conf "" "{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$SUBNET\", \"rangeStart\": \"$LAST\", \"rangeEnd\": \"$LAST\"}]]}")
assert_ok "STATUS 0 with a free 1-address range" net_cmd STATUS <<<"$X11"
NSE=$(pod_netns_add e)
assert_ok "ADD takes that address" cni_run ADD "$NSE" eth0 ctr-e <<<"$X11"
out=$(net_cmd STATUS <<<"$X11" 2>/dev/null)
assert_eq "50" "$(err_code "$out")" "STATUS 50 when the range is exhausted"
assert_ok "STATUS 50 says exhausted" grep -q exhausted <<<"$out"
out=$(cni_run ADD "$NSB" eth0 ctr-x <<<"$X11" 2>/dev/null)
assert_fail "...and ADD indeed fails" test -z "$(err_code "$out")"
cni_run DEL "$NSE" eth0 ctr-e <<<"$X11" >/dev/null
assert_ok "STATUS 0 once the address is released" net_cmd STATUS <<<"$X11"
mkdir -p "$TMP_DIR/notbpf/full" && touch "$TMP_DIR/notbpf/full/x"
out=$(sed "s|\"bpffsDir\": \"$PIN_DIR\"|\"bpffsDir\": \"$TMP_DIR/notbpf/full/pins\"|" <<<"$C11" | net_cmd STATUS 2>/dev/null)
assert_eq 50 "$(err_code "$out")" "STATUS 50 when bpffsDir cannot be on bpffs"
out=$(CNI_VERSION=1.1.0 cni_conf "" '{"type": "no-such-ipam"}' | net_cmd STATUS 2>/dev/null)
assert_eq 50 "$(err_code "$out")" "STATUS 50 when the IPAM plugin is missing"

# --- GC ---
# g2 (a stale record) and g4 (an orphan link pin) are in tcx mode, the
# others in the default mode (tc: no pin; the filter goes with the veth).
C11_TCX=$(CNI_VERSION=1.1.0 cni_conf '"hookAttach": "tcx"')
for p in g1 g2 g3 g4 g5 g6 g7; do
	pod_netns_add "$p" >/dev/null
	case $p in g2|g4) c=$C11_TCX ;; *) c=$C11 ;; esac
	cni_run ADD "$(ns_path $p)" eth0 "ctr-$p" <<<"$c" >/dev/null || not_ok "ADD $p"
done
OTHER=$(sed "s/\"name\": \"$NET_NAME\"/\"name\": \"$NET_NAME-o\"/" <<<"$C11")
NSO=$(pod_netns_add o)
ro=$(cni_run ADD "$NSO" eth0 ctr-o <<<"$OTHER")
assert_eq 0 $? "ADD a pod of another network (same state dir)"
# rec_field POD KEY / rec_ip POD: a field / the first address of POD's record.
rec_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$STATE_DIR/endpoints/ctr-$1_eth0.json" "$2"; }
rec_ip() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0].split("/")[0])' "$STATE_DIR/endpoints/ctr-$1_eth0.json"; }
# ip_key IPV4: the sfc_ep_by_ip key of IPV4 as bpftool hex bytes.
ip_key() { python3 -c 'import sys,socket; print(" ".join("%02x" % b for b in bytes([4,0,0,0]) + socket.inet_aton(sys.argv[1]) + bytes(12)))' "$1"; }
H2=$(rec_field g2 hostIfname)
IP2=$(rec_ip g2)
assert_ok "record carries the network name" grep -q "\"network\":.*\"$NET_NAME\"" "$STATE_DIR/endpoints/ctr-g1_eth0.json"
# An allocation leaked by an ADD that died before writing its record.
LEAK="${SUBNET%.0/24}.77"
printf 'ctr-leak\r\neth0' >"$IPAM_DIR/$NET_NAME/$LEAK"
# g4: an ADD that died after attaching but before its record (record
# deleted by hand); g5: a record from before the network name was kept.
H4=$(rec_field g4 hostIfname)
IP4=$(rec_ip g4)
IDX4=$(cat /sys/class/net/$H4/ifindex)
H5=$(rec_field g5 hostIfname)
# g7: the same as g4 in tc mode (no pin: its filter is on the veth).
H7=$(rec_field g7 hostIfname)
IP7=$(rec_ip g7)
# g6: only its map entries are left (record, link pin and veth gone).
H6=$(rec_field g6 hostIfname)
IP6=$(rec_ip g6)
rm "$STATE_DIR/endpoints/ctr-g4_eth0.json" "$STATE_DIR/endpoints/ctr-g6_eth0.json" \
	"$STATE_DIR/endpoints/ctr-g7_eth0.json"
ip link del "$H6"
ipkey6=$(ip_key "$IP6")
assert_ok "orphan g6: sfc_ep_by_ip entry present before GC" bpftool map lookup pinned "$PIN_DIR/sfc_ep_by_ip" key hex $ipkey6
python3 - "$STATE_DIR/endpoints/ctr-g5_eth0.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d.pop("network"); json.dump(d, open(sys.argv[1], "w"))
PY
assert_ok "orphan g4: link pin present before GC" test -e "$PIN_DIR/links/$H4"
idxkey=$(printf '%02x %02x %02x %02x' $((IDX4 & 255)) $((IDX4 >> 8 & 255)) $((IDX4 >> 16 & 255)) $((IDX4 >> 24)))
assert_ok "orphan g4: sfc_ifindex_vpid entry present before GC" bpftool map lookup pinned "$PIN_DIR/sfc_ifindex_vpid" key hex $idxkey
out=$(net_cmd GC <<<"$C11" 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "GC without valid-attachments: code 7, nothing removed"
assert_ok "...g2 still there" test -f "$STATE_DIR/endpoints/ctr-g2_eth0.json"
VALID='[{"containerID":"ctr-g1","ifname":"eth0"},{"containerID":"ctr-g3","ifname":"eth0"}]'
assert_ok "GC keeping g1 and g3" net_cmd GC < <(gc_conf "$VALID")
assert_fail "GC: g2 record removed" test -e "$STATE_DIR/endpoints/ctr-g2_eth0.json"
assert_fail "GC: g2 host veth removed" ip link show "$H2"
assert_fail "GC: g2 link pin removed" test -e "$PIN_DIR/links/$H2"
assert_fail "GC: g2 address released" test -e "$IPAM_DIR/$NET_NAME/$IP2"
assert_fail "GC: leaked allocation released" test -e "$IPAM_DIR/$NET_NAME/$LEAK"
assert_fail "GC: orphan g4's link pin removed" test -e "$PIN_DIR/links/$H4"
assert_fail "GC: orphan g4's host veth removed" ip link show "$H4"
assert_fail "GC: orphan g4's sfc_ifindex_vpid entry removed" bpftool map lookup pinned "$PIN_DIR/sfc_ifindex_vpid" key hex $idxkey
ipkey4=$(ip_key "$IP4")
assert_fail "GC: orphan g4's sfc_ep_by_ip entry removed" bpftool map lookup pinned "$PIN_DIR/sfc_ep_by_ip" key hex $ipkey4
assert_fail "GC: orphan g4's address released" test -e "$IPAM_DIR/$NET_NAME/$IP4"
assert_fail "GC: orphan g7 (tc)'s host veth removed" ip link show "$H7"
assert_fail "GC: orphan g7 (tc)'s sfc_ep_by_ip entry removed" bpftool map lookup pinned "$PIN_DIR/sfc_ep_by_ip" key hex "$(ip_key "$IP7")"
assert_fail "GC: orphan g7's address released" test -e "$IPAM_DIR/$NET_NAME/$IP7"
assert_fail "GC: g5 (record without network name, this prefix) removed" test -e "$STATE_DIR/endpoints/ctr-g5_eth0.json"
assert_fail "GC: g5 host veth removed" ip link show "$H5"
assert_fail "GC: orphan g6's map entries removed (interface gone)" bpftool map lookup pinned "$PIN_DIR/sfc_ep_by_ip" key hex $ipkey6
ipkey=$(ip_key "$IP2")
assert_fail "GC: g2 sfc_ep_by_ip entry removed" bpftool map lookup pinned "$PIN_DIR/sfc_ep_by_ip" key hex $ipkey
assert_ok "GC: g1 still passes CHECK" cni_run CHECK "$(ns_path g1)" eth0 ctr-g1 <<<"$C11"
assert_ok "GC: g3 still passes CHECK" cni_run CHECK "$(ns_path g3)" eth0 ctr-g3 <<<"$C11"
IP3=$(rec_ip g3)
assert_ok "GC: g1 -> g3 traffic unaffected" ns_ping g1 "$IP3"
assert_ok "GC: other network's pod untouched" cni_run CHECK "$NSO" eth0 ctr-o <<<"$OTHER"
assert_ok "GC with an empty list" net_cmd GC < <(gc_conf '[]')
assert_fail "...removes g1" test -e "$STATE_DIR/endpoints/ctr-g1_eth0.json"
assert_eq 0 "$(ls "$IPAM_DIR/$NET_NAME" | grep -c '^[0-9]')" "...and every allocation of this network"
assert_ok "...other network still untouched" cni_run CHECK "$NSO" eth0 ctr-o <<<"$OTHER"
assert_ok "GC again (nothing left) succeeds" net_cmd GC < <(gc_conf '[]')

# --- errors: one JSON object on stdout, codes ---
NSD=$(pod_netns_add d)
out=$(cni_args_run ADD "$NSD" ctr-d "K8S_POD_NAME=p;FOO=bar" <<<"$C11" 2>/dev/null)
assert_eq "4" "$(err_code "$out")" "unknown CNI_ARGS key without IgnoreUnknown: code 4"
assert_ok "...message names the key" grep -q FOO <<<"$out"
assert_fail "...nothing created" ip -n "$PFX-d" link show eth0
out=$(cni_args_run ADD "$NSD" ctr-d "FOO=bar;K8S_POD_NAME=p;IgnoreUnknown=1" <<<"$C11" 2>/dev/null)
assert_eq "" "$(err_code "$out")" "unknown key with IgnoreUnknown=1 (anywhere): accepted"
cni_args_run DEL "$NSD" ctr-d "IgnoreUnknown=1" <<<"$C11" >/dev/null 2>&1
out=$(cni_run ADD "$NSD" eth0 "-bad" <<<"$C11" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "container id not matching ^[a-zA-Z0-9][a-zA-Z0-9_.-]*\$: code 4"
out=$(cni_run ADD "$NSD" eth0 "a/../b" <<<"$C11" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "container id with '/' or '..': code 4"
out=$(cni_run ADD "$NSD" ".." <<<"$C11" ctr-d 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "ifname '..': code 4"
out=$(python3 -c 'import sys; sys.stdout.write("{\"cniVersion\":\"1.1.0\",\"pad\":\"" + "x" * (2 << 20) + "\"}")' |
	cni_run ADD "$NSD" eth0 ctr-d 2>"$TMP_DIR/stderr")
assert_eq "6" "$(err_code "$out")" "stdin over 1 MiB: code 6"
assert_ok "...exactly one JSON object on stdout" one_json "$out"
assert_ok "...and the log on stderr" grep -q "sfc-cni:" "$TMP_DIR/stderr"
out=$(echo '{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"sfc-cni"}]}' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "a whole conflist on stdin: code 7"
out=$(cni_conf | python3 -c 'import json,sys; c=json.load(sys.stdin); del c["ipam"]; print(json.dumps(c))' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "ADD without ipam and without prevResult: code 7"
out=$(cni_conf '"name2": 1' | sed 's/"name": "[^"]*"/"name": "..\/x"/' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "network name with '/' or '..': code 7"
out=$(CNI_COMMAND=FOO CNI_PATH=/x "$CNI_BIN" <<<"$C11" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "unknown CNI_COMMAND: code 4"
for k in cniVersion code msg details; do
	assert_ok "error object has \"$k\"" python3 -c "import json,sys; assert '$k' in json.loads(sys.argv[1])" "$out"
done

# --- runtime config: mac, ips; MTU ---
NSM=$(pod_netns_add m)
WANT_IP="${SUBNET%.0/24}.123"
RC=$(cni_conf "\"mtu\": 1400, \"capabilities\": {\"mac\": true, \"ips\": true}, \"runtimeConfig\": {\"mac\": \"0a:58:0a:0b:0c:0d\", \"ips\": [\"$WANT_IP/24\"]}")
rm=$(cni_run ADD "$NSM" eth0 ctr-m <<<"$RC")
assert_eq 0 $? "ADD with runtimeConfig mac + ips, mtu 1400"
assert_eq "0a:58:0a:0b:0c:0d" "$(ns_exec m cat /sys/class/net/eth0/address)" "runtimeConfig.mac set on the pod interface"
assert_eq "0a:58:0a:0b:0c:0d" "$(json_get "$rm" '["interfaces"][1]["mac"]')" "result reports that MAC"
assert_eq "$WANT_IP/24" "$(json_get "$rm" '["ips"][0]["address"]')" "runtimeConfig.ips reached host-local"
assert_eq 1400 "$(ns_exec m cat /sys/class/net/eth0/mtu)" "pod MTU 1400"
assert_eq 1400 "$(cat /sys/class/net/$(json_get "$rm" '["interfaces"][0]["name"]')/mtu)" "host veth MTU 1400"
out=$(cni_conf '"runtimeConfig": {"mac": "01:00:5e:00:00:01"}' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 2 "$(err_code "$out")" "multicast runtime MAC: code 2"
assert_ok "DEL the runtimeConfig pod" cni_run DEL "$NSM" eth0 ctr-m <<<"$RC"
assert_ok "DEL of the other network's pod" cni_run DEL "$NSO" eth0 ctr-o <<<"$OTHER"
out=$(cni_conf '"mtu": 1099511627776' | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 2 "$(err_code "$out")" "mtu 2^40 (beyond int): code 2, as the README says"
assert_ok "...message names key and value" grep -q 'mtu.*1099511627776 out of range' <<<"$out"
out=$(cni_run ADD "$NSD" "eth%d" ctr-d <<<"$C11" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "ifname with '%' (the kernel would rename it): code 4"
assert_eq lo "$(ip -n "$PFX-d" -o link show | awk -F': ' '{print $2}' | xargs)" "...nothing created in the pod"

# --- strings with NUL, duplicate keys: refused before anything runs ---
out=$(sed 's|"type": "host-local"|"type": "host-local\\u0000/../x"|' <<<"$C11" | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "ipam.type \"host-local\\u0000/../x\": code 7"
assert_fail "...IPAM did not run" sh -c "grep -rqs ctr-d '$IPAM_DIR/$NET_NAME'"
out=$(sed '0,/{/s//{ "Name": "..\/..\/x",/' <<<"$C11" | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "a second \"name\" (\"Name\", last wins in Go): code 7"
assert_ok "...message names the key" grep -q 'duplicate key' <<<"$out"
out=$(sed 's|"ipam": {|"ipam": {"dataDir": "/tmp", |' <<<"$C11" | cni_run ADD "$NSD" eth0 ctr-d 2>/dev/null)
assert_eq 7 "$(err_code "$out")" "ipam.dataDir twice: code 7"
assert_eq lo "$(ip -n "$PFX-d" -o link show | awk -F': ' '{print $2}' | xargs)" "...nothing created in the pod"

# --- routes: never replace one sfc-cni did not make ---
# IPAM's own default route is the one sfc-cni adds: the same route twice.
RR=$(CNI_VERSION=1.1.0 cni_conf "" "{\"type\": \"host-local\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$SUBNET\"}]], \"routes\": [{\"dst\": \"0.0.0.0/0\"}, {\"dst\": \"192.0.2.0/24\"}]}")
NSR=$(pod_netns_add rr)
assert_ok "ADD with IPAM's own default route" cni_run ADD "$NSR" eth0 ctr-rr <<<"$RR"
assert_eq 1 "$(ip -n "$PFX-rr" -4 route show default | wc -l)" "...one default route in the pod"
assert_ok "...and IPAM's other route" sh -c "ip -n $PFX-rr route show 192.0.2.0/24 | grep -q eth0"
assert_ok "DEL it" cni_run DEL "$NSR" eth0 ctr-rr <<<"$RR"
# A pod whose default route is another interface's (a second network;
# the kernel here has veth but no dummy).
NSX=$(pod_netns_add rx)
ip -n "$PFX-rx" link add dm0 type veth peer name dm1 && ip -n "$PFX-rx" link set dm0 up &&
	ip -n "$PFX-rx" link set dm1 up && ip -n "$PFX-rx" addr add 198.51.100.2/24 dev dm0 &&
	ip -n "$PFX-rx" route add default via 198.51.100.1 dev dm0
RT=$(ip -n "$PFX-rx" route show default)
out=$(cni_run ADD "$NSX" eth0 ctr-rx <<<"$C11" 2>/dev/null)
assert_fail "ADD into a pod with another interface's default route fails" test -z "$(err_code "$out")"
assert_ok "...naming that route" grep -q "another route to it exists" <<<"$out"
assert_eq "$RT" "$(ip -n "$PFX-rx" route show default)" "...and leaves it in place"
assert_fail "...and no eth0 behind" ip -n "$PFX-rx" link show eth0

# --- the node's own netns is no pod's ---
# sfc-cni runs in the per-run node netns (lib.sh's node: nsenter --net
# keeps the bpffs mount in view) with CNI_NETNS naming that very netns:
# ADD and CHECK refuse it (code 4); neither ADD nor DEL touches the node's
# default route.
node_netns_add &&
	ip -n "$NODE" link add up0 type veth peer name up1 && ip -n "$NODE" link set up0 up &&
	ip -n "$NODE" link set up1 up && ip -n "$NODE" addr add 192.0.2.1/24 dev up0 &&
	ip -n "$NODE" route add default via 192.0.2.254 dev up0
NODE_RT=$(ip -n "$NODE" route show default)
node_links() { ip -n "$NODE" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs; }
node_run() { # CMD NETNS < conf
	node env CNI_COMMAND="$1" CNI_CONTAINERID=ctr-node CNI_NETNS="$2" CNI_IFNAME=eth0 \
		CNI_PATH="$BUILD/bin:/usr/lib/cni" CNI_ARGS=IgnoreUnknown=1 "$CNI_BIN"
}
assert_ok "node netns has its default route" grep -q "via 192.0.2.254 dev up0" <<<"$NODE_RT"
for ns in "/var/run/netns/$NODE" /proc/self/ns/net; do
	out=$(node_run ADD "$ns" <<<"$C11" 2>/dev/null)
	assert_eq 4 "$(err_code "$out")" "ADD with CNI_NETNS=$ns, the plugin's own netns: code 4"
	assert_ok "...saying why" grep -q "own network namespace" <<<"$out"
	assert_eq "$NODE_RT" "$(ip -n "$NODE" route show default)" "...node's default route untouched"
done
out=$(node_run CHECK "/var/run/netns/$NODE" <<<"$C11" 2>/dev/null)
assert_eq 4 "$(err_code "$out")" "CHECK with the plugin's own netns: code 4"
assert_ok "DEL with the plugin's own netns succeeds" node_run DEL "/var/run/netns/$NODE" <<<"$C11"
assert_eq "$NODE_RT" "$(ip -n "$NODE" route show default)" "...and leaves the node's default route"
assert_eq "lo up0 up1" "$(node_links)" "nothing was created in the node netns"
assert_fail "no IPAM allocation for it" sh -c "grep -rqs ctr-node '$IPAM_DIR/$NET_NAME'"

summary
