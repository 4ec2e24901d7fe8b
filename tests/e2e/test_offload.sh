#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: stateful offload with real TCP and UDP through chain "ol" =
# firewall -> nat -> monitor, in network namespaces wired by the real
# sfc-cni. sf-firewall bypasses established connections, sf-nat hands its
# translation to the SFF (SFC_TLV_NAT) and sf-monitor bypasses with
# counts: established traffic never leaves the kernel (the SFs' rx
# counters stay flat while it flows) and the server sees the NAT address.
# Then the fallbacks: a firewall rule reload voids its bypasses (the
# running connection is judged again and denied; a flow its DROP stopped
# is answered again once the rules allow it), the NAT SF restarted
# (new epoch) sees the running flow again with no stale translation, the
# NAT SF dead under fail-closed stops the flow, the chain deleted leaves
# plain traffic. Last, the same iperf3 run with offload off for the SF rx
# figures of both.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

command -v iperf3 >/dev/null || skip_all "iperf3 missing"
command -v curl >/dev/null || skip_all "curl missing"
for b in sf-firewall sf-nat sf-monitor; do
	[ -x "$BUILD/bin/$b" ] || { echo "not ok - $BUILD/bin/$b not built"; exit 1; }
done

NAT_IP=10.250.0.1
CLIENT_IP=$(tsf_pod client '{"sfc.io/chain": "ol"}') &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null &&
	tsf_pod nat '{"sfc.io/function": "nat"}' >/dev/null &&
	tsf_pod mon '{"sfc.io/function": "monitor"}' >/dev/null ||
	{ not_ok "CNI ADD of client, server, fw, nat, mon"; summary; exit 1; }
ok "CNI ADD of client, server and the firewall, nat and monitor pods"

mkdir -p "$TMP_DIR/mon" && chmod 777 "$TMP_DIR/mon" # written as uid 65534
echo '{"default": "allow", "rules": []}' >"$TMP_DIR/fw.json"
# ol_configs on|off: the three SFs' configs with offload on or off.
ol_configs() {
	local o=true
	[ "$1" = on ] || o=false
	echo "{\"default\": \"allow\", \"rules\": [], \"offload\": $o}" >"$TMP_DIR/fw.json"
	echo "{\"nat_ip\": \"$NAT_IP\", \"port_range\": \"20000-20999\", \"timeout_s\": 60, \"offload\": $o}" \
		>"$TMP_DIR/nat.json"
	echo "{\"output\": \"$TMP_DIR/mon/flows.jsonl\", \"idle_timeout_s\": 2, \"offload\": $o}" \
		>"$TMP_DIR/mon.json"
}
ol_start() { # POD BIN
	tsf_sf "$1" "$2" --config "$TMP_DIR/$1.json"
}
ol_configs on
assert_ok "sf-firewall started (offload)" ol_start fw sf-firewall
assert_ok "sf-nat started (offload)" ol_start nat sf-nat
assert_ok "sf-monitor started (offload, counts)" ol_start mon sf-monitor
tsf_agent
assert_ok "iperf3 server" tsf_iperf_server server
# One iperf3 server per phase: a run cut short (denied, its NAT SF dead)
# leaves its server busy for a while.
for port in 5202 5203 5204 5205; do
	ip netns exec "$PFX-server" iperf3 -s -p "$port" >/dev/null 2>&1 &
	track_pid $!
	wait_port server "$port"
done
assert_ok "HTTP server on 8080" tsf_http_server server 8080
assert_ok "chain ol (firewall -> nat -> monitor) applied" \
	tsf_chain ol fail-closed '["firewall", "nat", "monitor"]'
sf_wait_state fw up 3 && sf_wait_state nat up 3 && sf_wait_state mon up 3 &&
	ok "the three SF instances up" || not_ok "the three SF instances up"

rx() { tsf_sf_stat "$1" '["counters"]["rx_packets"]'; }
mal() { tsf_sf_stat "$1" '["counters"]["malformed"]'; }
rx3() { echo "$(rx fw) $(rx nat) $(rx mon)"; }
# rx_nsh: "RX_fw RX_nat RX_mon NSH_fw NSH_nat NSH_mon" from one quick read
# of the three stats files: rx, and the NSH frames among them (rx less
# the malformed frames; the SFs' socket filter keeps the node's frames on
# their host veths, e.g. IPv6 router solicitations, out of rx).
rx_nsh() {
	python3 - "$TMP_DIR" <<'PY'
import json, sys, time
rx, nsh = [], []
for s in ("fw", "nat", "mon"):
    for _ in range(20):  # rewritten in place every 500 ms: retry a torn read
        try:
            c = json.load(open("%s/%s.stats" % (sys.argv[1], s)))["counters"]
            break
        except ValueError:
            time.sleep(0.02)
    rx.append(c["rx_packets"])
    nsh.append(c["rx_packets"] - c["malformed"])
print(*rx, *nsh)
PY
}
ctrl_stat() { # the summed sfc_ctrl_stats slot $1
	bpftool map dump pinned "$PIN_DIR/sfc_ctrl_stats" -j 2>/dev/null | python3 -c '
import json, sys
want, tot = int(sys.argv[1]), 0
for e in json.load(sys.stdin):
    k = e["key"] if isinstance(e["key"], int) else int.from_bytes(bytes(int(x, 16) for x in e["key"]), "little")
    if k == want:
        tot += sum(v["value"] if isinstance(v["value"], int) else int.from_bytes(bytes(int(x, 16) for x in v["value"]), "little") for v in e["values"])
print(tot)' "$1" 2>/dev/null || echo -1
}
ST_NAT=13 ST_VOIDED=14 ST_BAD=(4 5 6 7)
# server_peers PORT: the peer addresses of the server's TCP connections to
# PORT (an IPv4-mapped address shown as the IPv4 one).
server_peers() {
	ns_exec server ss -Htn state established "( sport = :$1 )" |
		awk '{ a = $4; gsub(/\[::ffff:|\]/, "", a); print a }' | sort -u
}

# 1. HTTP: the server logs the NAT address; the translation was offloaded.
ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/" &&
	ok "HTTP GET through firewall -> nat -> monitor" || not_ok "HTTP GET through the chain"
grep -q "^$NAT_IP " "$TMP_DIR/http-server-8080.log" &&
	ok "the server saw the NAT address $NAT_IP" ||
	not_ok "the server saw the NAT address ($(head -c 200 "$TMP_DIR/http-server-8080.log"))"
[ "$(ctrl_stat $ST_NAT)" -ge 1 ] && ok "the NAT SF's translation was taken by the SFF ($(ctrl_stat $ST_NAT))" ||
	not_ok "the NAT SF's translation was taken by the SFF ($(ctrl_stat $ST_NAT))"

# 2. 5 s of TCP: after the first packets no SF sees the connections; the
# SFs' rx counters stay flat in the middle of the run.
ns_exec client timeout 20 iperf3 -c "$SERVER_IP" -t 6 -J >"$TMP_DIR/iperf-on.json" 2>&1 &
ipid=$!
# Sample once both connections (control, data) are up and past their
# first packets: a loaded VM may take a while to start iperf3.
for i in $(seq 60); do
	[ "$(server_peers 5201 | wc -l)" -ge 2 ] && break
	sleep 0.1
done
sleep 1
sf_stats_wait fw nat mon
read -r f1 n1 m1 fn1 nn1 mn1 <<<"$(rx_nsh)"
peers=$(server_peers 5201)
sleep 2.5
sf_stats_wait fw nat mon
read -r f2 n2 m2 fn2 nn2 mn2 <<<"$(rx_nsh)"
wait "$ipid"
rate_on=$(iperf_mbps <"$TMP_DIR/iperf-on.json")
[ "$rate_on" -gt 100 ] && ok "iperf3 -t 6 through the offloaded chain: $rate_on Mbit/s" ||
	not_ok "iperf3 through the offloaded chain ($rate_on Mbit/s)"
# Not one frame reaches an SF mid-run: no NSH frame (offloaded), and
# nothing else (the SF's socket filter drops the node's link-local frames
# on its host veth, which rx counted as malformed before).
[ $((f2 - f1)) -eq 0 ] && [ $((n2 - n1)) -eq 0 ] && [ $((m2 - m1)) -eq 0 ] &&
	ok "no frame reached an SF for 2.5 s mid-run (rx firewall +0, nat +0, monitor +0)" ||
	not_ok "frames reached the SFs mid-run: rx firewall +$((f2 - f1)), nat +$((n2 - n1)), monitor +$((m2 - m1)) (NSH +$((fn2 - fn1))/+$((nn2 - nn1))/+$((mn2 - mn1)), the rest malformed)"
echo "$peers" | grep -q "^$NAT_IP:" && ! echo "$peers" | grep -q "^$CLIENT_IP:" &&
	ok "the server's iperf3 peers are the NAT address: $(echo "$peers" | tr '\n' ' ')" ||
	not_ok "the server's iperf3 peers are the NAT address: $(echo "$peers" | tr '\n' ' ')"
wait_port_idle server 5201

# 3. UDP both ways through the offloaded NAT: replies come back to the
# client (reverse translation in the kernel), the server sees the NAT IP.
cat >"$TMP_DIR/udp_echo.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7000))
with open(sys.argv[1], "a") as log:
    while True:
        d, a = s.recvfrom(2048)
        log.write("%s:%d\n" % a); log.flush()
        s.sendto(d, a)
PY
# udp_from SPORT COUNT: COUNT datagrams from client port SPORT to the
# echo server, one at a time; prints how many were answered.
udp_from() {
	ns_exec client python3 - "$SERVER_IP" "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
s.bind(("0.0.0.0", int(sys.argv[2])))
n = 0
for i in range(int(sys.argv[3])):
    s.sendto(b"y" * 64, (sys.argv[1], 7000))
    try:
        s.recvfrom(2048); n += 1
    except socket.timeout:
        pass
print(n)
PY
}
ip netns exec "$PFX-server" python3 "$TMP_DIR/udp_echo.py" "$TMP_DIR/udp-peers.log" &
track_pid $!
sleep 0.5
u0=$(rx nat)
got=$(udp_from 45555 200)
sf_stats_wait nat
u1=$(rx nat)
[ "$got" -ge 198 ] && ok "UDP: $got of 200 echoes came back through the reverse translation" ||
	not_ok "UDP: $got of 200 echoes came back"
grep -q "^$NAT_IP:20" "$TMP_DIR/udp-peers.log" && ! grep -qv "^$NAT_IP:" "$TMP_DIR/udp-peers.log" &&
	ok "the UDP server saw only $(sort -u "$TMP_DIR/udp-peers.log" | tr '\n' ' ')" ||
	not_ok "the UDP server saw $(sort -u "$TMP_DIR/udp-peers.log" | tr '\n' ' ')"
[ $((u1 - u0)) -le 4 ] && ok "the NAT SF saw $((u1 - u0)) of the 400 UDP packets" ||
	not_ok "the NAT SF saw $((u1 - u0)) of the 400 UDP packets"

# 4. A firewall rule reload voids its bypasses: the running connection
# comes back to it, its tracker forgot it (the new rules deny it) and it
# is dropped there.
ns_exec client timeout 20 iperf3 -c "$SERVER_IP" -p 5202 -t 6 -b 50M -J >"$TMP_DIR/iperf-reload.json" 2>&1 &
ipid=$!
sleep 2
den0=$(tsf_sf_stat fw '["conntrack"]["denied"]')
echo '{"default": "allow", "rules": [{"action": "deny", "protocol": "tcp", "dport": "5202"}]}' \
	>"$TMP_DIR/fw.json"
kill -HUP "${SF_PID[fw]}"
sleep 1.5
sf_stats_wait fw
den1=$(tsf_sf_stat fw '["conntrack"]["denied"]')
rem=$(tsf_sf_stat fw '["conntrack"]["reload_removed"]')
[ $((den1 - den0)) -ge 5 ] && [ "$rem" -ge 1 ] &&
	ok "after the reload the firewall judged the running connection again and denied it ($((den1 - den0)) packets, $rem removed)" ||
	not_ok "after the reload the firewall judged the running connection again (denied +$((den1 - den0)), removed $rem)"
wait "$ipid"

# 4b. A DROP is the firewall's verdict under its rules: a UDP flow the
# reloaded rules deny is dropped in the kernel; the rules allow it again
# (another reload, a new epoch): the same flow (same ports) is answered
# again instead of staying dropped until it idles out.
d0=$(ctrl_stat 1)
echo '{"default": "allow", "rules": [{"action": "deny", "protocol": "udp", "dport": "7000"}]}' \
	>"$TMP_DIR/fw.json"
kill -HUP "${SF_PID[fw]}"
sleep 0.5
f0=$(rx fw)
got=$(udp_from 45556 10)
sf_stats_wait fw
[ "$got" = 0 ] && [ $(($(ctrl_stat 1) - d0)) -ge 1 ] && [ $(($(rx fw) - f0)) -le 2 ] &&
	ok "a denied UDP flow: no echo, the firewall asked DROP, and saw $(($(rx fw) - f0)) of its 10 datagrams" ||
	not_ok "a denied UDP flow dropped in the kernel (echoes $got, DROPs +$(($(ctrl_stat 1) - d0)), firewall rx +$(($(rx fw) - f0)))"
v0=$(ctrl_stat $ST_VOIDED)
ol_configs on
kill -HUP "${SF_PID[fw]}"
sleep 0.5
got=$(udp_from 45556 10)
[ "$got" -ge 9 ] && [ $(($(ctrl_stat $ST_VOIDED) - v0)) -ge 1 ] &&
	ok "allowed again by a reload: the same UDP flow is answered ($got of 10), its DROP voided" ||
	not_ok "allowed again by a reload: the same UDP flow answered $got of 10 (voided +$(($(ctrl_stat $ST_VOIDED) - v0)))"

# 5. The NAT SF restarts (a new epoch) under a running flow: the flow
# comes back to the new instance (it has no mapping: no stale
# translation is applied in the kernel), new connections work and are
# offloaded again.
ns_exec client timeout 20 iperf3 -c "$SERVER_IP" -p 5203 -t 8 -b 20M -J >"$TMP_DIR/iperf-restart.json" 2>&1 &
ipid=$!
sleep 2
[ -n "$(server_peers 5203)" ] && ok "a flow runs through the offloaded NAT ($(server_peers 5203 | tr '\n' ' '))" ||
	not_ok "a flow runs through the offloaded NAT"
v0=$(ctrl_stat $ST_VOIDED)
tsf_sf_kill nat
assert_ok "sf-nat restarted" ol_start nat sf-nat
sf_wait_state nat up 3 || true
sleep 1.5
sf_stats_wait nat
nrx=$(rx nat)
v1=$(ctrl_stat $ST_VOIDED)
[ "$nrx" -ge 5 ] && [ $((v1 - v0)) -ge 1 ] &&
	ok "the restarted NAT SF sees the running flow again ($nrx packets; $((v1 - v0)) programs voided)" ||
	not_ok "the restarted NAT SF sees the running flow again ($nrx packets; voided $v0 -> $v1)"
wait "$ipid"
ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/" &&
	tail -1 "$TMP_DIR/http-server-8080.log" | grep -q "^$NAT_IP " &&
	ok "a new connection after the restart is translated" ||
	not_ok "a new connection after the restart is translated"

# 6. The NAT SF dies under fail-closed: its offloaded flow stops.
ns_exec client timeout 20 iperf3 -c "$SERVER_IP" -p 5204 -t 6 -b 20M -J >"$TMP_DIR/iperf-dead.json" 2>&1 &
ipid=$!
sleep 2
[ -n "$(server_peers 5204)" ] && ok "a flow runs through the offloaded NAT again" ||
	not_ok "a flow runs through the offloaded NAT again"
d0=$(tsf_drops sf-down)
tsf_sf_kill nat
sf_wait_state nat down 3 || true
# TCP backs off while its packets die (200 ms, 400 ms, ... between
# retransmissions), so count drops until two are seen rather than over a
# fixed second: one dropped retransmission already shows the translation
# is no longer applied (it would have been delivered), two rule out a stray.
d1=$d0
for _ in $(seq 50); do
	d1=$(tsf_drops sf-down)
	[ $((d1 - d0)) -ge 2 ] && break
	sleep 0.1
done
[ $((d1 - d0)) -ge 2 ] && ok "the dead NAT SF's offloaded flow stopped (sf-down +$((d1 - d0)))" ||
	not_ok "the dead NAT SF's offloaded flow stopped (sf-down $d0 -> $d1)"
wait "$ipid"
assert_ok "sf-nat started again" ol_start nat sf-nat
sf_wait_state nat up 3 || true

# 7. The chain deleted: plain traffic, the server sees the client itself.
sfcctl delete chain ol >/dev/null 2>&1
sleep 0.3
ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/" &&
	tail -1 "$TMP_DIR/http-server-8080.log" | grep -q "^$CLIENT_IP " &&
	ok "chain deleted: the server sees $CLIENT_IP, no stale translation" ||
	not_ok "chain deleted: the server sees $(tail -1 "$TMP_DIR/http-server-8080.log" | cut -d' ' -f1)"

# 8. The same iperf3 run with offload off: every packet through the SFs.
assert_ok "chain ol applied again" tsf_chain ol fail-closed '["firewall", "nat", "monitor"]'
ol_configs off
for p in fw mon; do tsf_sf_kill "$p"; done
tsf_sf_kill nat
assert_ok "the SFs restarted with offload off" ol_start fw sf-firewall &&
	ol_start nat sf-nat && ol_start mon sf-monitor
sf_wait_state fw up 3 && sf_wait_state nat up 3 && sf_wait_state mon up 3 || true
ns_exec client timeout 20 iperf3 -c "$SERVER_IP" -p 5205 -t 5 -J >"$TMP_DIR/iperf-off.json" 2>&1
rate_off=$(iperf_mbps <"$TMP_DIR/iperf-off.json")
[ "$rate_off" -gt 0 ] || grep '"error"' "$TMP_DIR/iperf-off.json" | sed 's/^/# /'
wait_port_idle server 5205
sf_stats_wait fw nat mon
read -r fo no mo <<<"$(rx3)"
[ "$no" -gt 1000 ] && ok "offload off: iperf3 $rate_off Mbit/s, SF rx firewall $fo, nat $no, monitor $mo" ||
	not_ok "offload off: SF rx firewall $fo, nat $no, monitor $mo"
echo "# iperf3: offload on $rate_on Mbit/s (SF rx mid-run +$((f2 - f1))/+$((n2 - n1))/+$((m2 - m1)) in 2.5 s, NSH +$((fn2 - fn1))/+$((nn2 - nn1))/+$((mn2 - mn1))), off $rate_off Mbit/s (SF rx $fo/$no/$mo over the run)"

bad=0
for s in "${ST_BAD[@]}"; do bad=$((bad + $(ctrl_stat "$s"))); done
assert_eq 0 "$bad" "no control or translation TLV from the SFs was refused as bad"
summary
