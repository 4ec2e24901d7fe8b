#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: source address spoofing. Pod s's ingress UDP from pod a goes
# through chain "guard" (sf-firewall denying udp/$PORT). A datagram from a
# to s is denied by the firewall. A raw AF_PACKET frame from a carrying pod
# v's source address must not reach s either: it used to miss the ingress
# rule (which selects source a) and be delivered straight to s. It is
# dropped by the classifier and counted as "spoofed" in `sfcctl get drops`.
# Once pod a is annotated sfc.io/allowed-sources with v's address, the same
# frame passes (and, not from a's address, takes no chain: it reaches s).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

[ -x "$BUILD/bin/sf-firewall" ] || { echo "not ok - $BUILD/bin/sf-firewall not built"; exit 1; }

PORT=9999

S_IP=$(tsf_pod s '{"sfc.io/chain": "guard"}') &&
	A_IP=$(tsf_pod a) &&
	V_IP=$(tsf_pod v) &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null ||
	{ not_ok "CNI ADD of s, a, v and the firewall pod"; summary; exit 1; }
ok "CNI ADD of s (chain guard), a, v and the firewall pod"

cat >"$TMP_DIR/fw.json" <<EOF
{"rules": [{"action": "deny", "protocol": "udp", "dport": "$PORT"}],
 "default": "allow"}
EOF
assert_ok "sf-firewall started" tsf_sf fw sf-firewall --config "$TMP_DIR/fw.json"
tsf_agent
assert_ok "chain guard (firewall) on s's ingress UDP from a" tsf_chain guard fail-closed \
	'["firewall"]' "[{\"direction\": \"ingress\", \"protocol\": \"udp\", \"cidr\": \"$A_IP/32\"}]"
sf_wait_state fw up 3 && ok "firewall instance up" || not_ok "firewall instance up"

# s logs "<source address> <payload>" of every datagram to $PORT.
RX_LOG=$TMP_DIR/s-rx.log
: >"$RX_LOG"
ip netns exec "$PFX-s" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[2])))
with open(sys.argv[1], "a", buffering=1) as f:
    while True:
        data, addr = s.recvfrom(2048)
        f.write("%s %s\n" % (addr[0], data.decode(errors="replace")))
' "$RX_LOG" "$PORT" >/dev/null 2>&1 &
track_pid $!
for _ in $(seq 50); do
	ns_exec s ss -Hlun "sport = :$PORT" | grep -q . && break
	sleep 0.1
done

# received TAG: datagrams s logged with payload TAG, as "<src>" lines.
received() { sleep 0.5; awk -v t="$1" '$2 == t { print $1 }' "$RX_LOG"; }

# udp_send POD TAG: a datagram from POD's own UDP socket to s:$PORT.
udp_send() {
	ns_exec "$1" python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), (sys.argv[1], int(sys.argv[3])))
' "$S_IP" "$2" "$PORT"
}

# raw_send POD SRC TAG: an Ethernet frame written to POD's eth0 through an
# AF_PACKET socket: POD's MAC to its gateway's, IPv4 SRC -> s, UDP to $PORT.
raw_send() {
	local gw_mac
	gw_mac=$(ns_exec "$1" ip neigh show dev eth0 | awk '/lladdr/ { print $3; exit }')
	ns_exec "$1" python3 -c '
import socket, struct, sys
gw, src, dst, tag, port = sys.argv[1:6]
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
mac = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
payload = tag.encode()
udp = struct.pack("!HHHH", 40000, int(port), 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 64, 17, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(bytes.fromhex(gw.replace(":", "")) + mac + b"\x08\x00" + ip + udp)
' "$gw_mac" "$2" "$S_IP" "$3" "$PORT"
}

# Without a chain, v reaches s: with its socket and with a raw frame (the
# frame builder is sound).
udp_send v v-sock
assert_eq "$V_IP" "$(received v-sock)" "v -> s (no rule selects v): received"
raw_send v "$V_IP" v-raw
assert_eq "$V_IP" "$(received v-raw)" "raw frame from v with its own address: received"

# From a: the chain, whose firewall denies udp/$PORT.
fw0=$(tsf_inst fw toSfPackets)
udp_send a a-sock
assert_eq "" "$(received a-sock)" "a -> s: denied by the firewall"
fw1=$(tsf_inst fw toSfPackets)
[ "$fw1" -gt "$fw0" ] && ok "a's datagram went to the firewall ($fw0 -> $fw1)" ||
	not_ok "a's datagram went to the firewall ($fw0 -> $fw1)"

# The spoofed frame: from a, with v's address.
sp0=$(tsf_drops spoofed)
raw_send a "$V_IP" a-as-v
assert_eq "" "$(received a-as-v)" "raw frame from a with v's source address: not received"
sp1=$(tsf_drops spoofed)
[ "$sp1" -gt "$sp0" ] && ok "dropped as spoofed ($sp0 -> $sp1)" || not_ok "dropped as spoofed ($sp0 -> $sp1)"
assert_eq "$fw1" "$(tsf_inst fw toSfPackets)" "the spoofed frame never reached the firewall"
drops_row() { sfcctl get drops | grep -q "^$1 "; }
assert_ok "sfcctl get drops names the reason" drops_row spoofed

# a's own address from a raw frame still works (the check is about the
# address): it takes the chain and meets the firewall's deny.
raw_send a "$A_IP" a-raw
assert_eq "" "$(received a-raw)" "raw frame from a with its own address: chain, denied"
assert_eq "$sp1" "$(tsf_drops spoofed)" "a's own address is not spoofed"

# sfc.io/allowed-sources: a bad value is refused, naming the annotation.
cat >"$TMP_DIR/a-bad.json" <<EOF
{"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": "a",
 "annotations": {"sfc.io/allowed-sources": "$V_IP/33"}}}
EOF
out=$(sfcctl apply -f "$TMP_DIR/a-bad.json" 2>&1)
case "$out" in *sfc.io/allowed-sources*) ok "an invalid allowed-sources is refused with its name" ;;
*) not_ok "an invalid allowed-sources is refused with its name (got: $out)" ;; esac

# ... a valid one lets a send from v's address.
cat >"$TMP_DIR/a.json" <<EOF
{"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "default", "name": "a",
 "annotations": {"sfc.io/allowed-sources": "$V_IP/32"}}}
EOF
assert_ok "a annotated sfc.io/allowed-sources: $V_IP/32" sfcctl apply -f "$TMP_DIR/a.json"
raw_send a "$V_IP" a-allowed
assert_eq "$V_IP" "$(received a-allowed)" "with the annotation, a's frame with v's address is received"
assert_eq "$sp1" "$(tsf_drops spoofed)" "and not counted as spoofed"
summary
