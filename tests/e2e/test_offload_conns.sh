#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: many short TCP connections through the offloaded chain
# "oc" = firewall -> nat -> monitor, the way a connection-rate benchmark
# makes them: the server closes first, the client reuses its ports at
# once (a few ports, each 5-tuple many times over), and sf-nat is
# restarted between two batches (make bench restarts its SFs between
# the offload off and on rows). Correctness, not timing:
#   - every connection completes, and the client retransmitted no SYN: a
#     restarted sf-nat handed the first ports of its range to other
#     clients while the server still held them in TIME-WAIT, so half the
#     SYNs got an old ACK, an RST and a retransmission (now the client's
#     port is kept: port preservation);
#   - sf-monitor's records add up to what the client sent and received:
#     one record per connection and direction (a SYN-ACK on a reused
#     5-tuple opens the reply's record), and the packets the SFF skipped
#     for the monitor counted once, under the connection they belong to
#     (a SYN gives the flow entry a new birth).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

for b in sf-firewall sf-nat sf-monitor; do
	[ -x "$BUILD/bin/$b" ] || { echo "not ok - $BUILD/bin/$b not built"; exit 1; }
done
command -v nstat >/dev/null || { echo "not ok - nstat (iproute2) missing"; exit 1; }

NAT_IP=10.250.0.1
CONNS=300 # per batch
PORTS=15  # client ports per batch: each 5-tuple reused CONNS / PORTS times
tsf_pod client '{"sfc.io/chain": "oc"}' >/dev/null &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null &&
	tsf_pod nat '{"sfc.io/function": "nat"}' >/dev/null &&
	tsf_pod mon '{"sfc.io/function": "monitor"}' >/dev/null ||
	{ not_ok "CNI ADD of client, server, fw, nat, mon"; summary; exit 1; }
ok "CNI ADD of client, server and the firewall, nat and monitor pods"

mkdir -p "$TMP_DIR/mon" && chmod 777 "$TMP_DIR/mon" # written as uid 65534
echo '{"default": "allow", "rules": []}' >"$TMP_DIR/fw.json"
# The whole port range, as make bench has it: the client's ports are in it.
echo "{\"nat_ip\": \"$NAT_IP\", \"port_range\": \"1024-65535\"}" >"$TMP_DIR/nat.json"
echo "{\"output\": \"$TMP_DIR/mon/flows.jsonl\", \"offload\": true}" >"$TMP_DIR/mon.json"
assert_ok "sf-firewall started (offload by default)" tsf_sf fw sf-firewall --config "$TMP_DIR/fw.json"
assert_ok "sf-nat started (offload by default)" tsf_sf nat sf-nat --config "$TMP_DIR/nat.json"
assert_ok "sf-monitor started (offload, counts)" tsf_sf mon sf-monitor --config "$TMP_DIR/mon.json"
tsf_agent
assert_ok "chain oc (firewall -> nat -> monitor) applied" \
	tsf_chain oc fail-closed '["firewall", "nat", "monitor"]'
sf_wait_state fw up 3 && sf_wait_state nat up 3 && sf_wait_state mon up 3 &&
	ok "the three SF instances up" || not_ok "the three SF instances up"

# The server accepts and closes at once (TIME-WAIT stays on its side).
cat >"$TMP_DIR/server.py" <<'PY'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9000))
s.listen(1024)
while True:
    c, _ = s.accept()
    c.close()
PY
# CONNS connections from ports BASE..BASE+PORTS-1 in turn: connect, wait
# for the server's FIN, close; prints the number that failed (1 s each).
cat >"$TMP_DIR/client.py" <<'PY'
import socket, sys
dst, n, nports, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
failed = 0
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", base + i % nports))
    s.settimeout(1.0)
    try:
        s.connect((dst, 9000))
        while s.recv(64):
            pass
    except OSError:
        failed += 1
    s.close()
print(failed)
PY
ip netns exec "$PFX-server" python3 "$TMP_DIR/server.py" >/dev/null 2>&1 &
track_pid $!
assert_ok "server on 9000" wait_port server 9000

# snmp NAME: a TCP counter of the client's netns (absolute; a fresh netns).
snmp() { ns_exec client nstat -asz "$1" | awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }'; }
out0=$(snmp TcpOutSegs) in0=$(snmp TcpInSegs)

# batch LABEL BASE: CONNS connections from ports BASE.., all must complete.
batch() {
	local f
	f=$(ns_exec client python3 "$TMP_DIR/client.py" "$SERVER_IP" "$CONNS" "$PORTS" "$2")
	[ "$f" = 0 ] && ok "$1: $CONNS connections from $PORTS ports all completed" ||
		not_ok "$1: $f of $CONNS connections failed"
}
batch "first sf-nat" 40000
# A new sf-nat instance (an empty table, a new epoch), other client ports.
tsf_sf_kill nat
assert_ok "sf-nat restarted" tsf_sf nat sf-nat --config "$TMP_DIR/nat.json"
sf_wait_state nat up 3 || true
batch "restarted sf-nat" 41000

assert_eq 0 "$(snmp TcpExtTCPSynRetrans)" "the client retransmitted no SYN"
sleep 1.5 # the monitor's last counts answers, then its stats
sf_stats_wait mon nat
out1=$(snmp TcpOutSegs) in1=$(snmp TcpInSegs)
late=$(tsf_sf_stat mon '["monitor"]["late_packets"]')
skipped=$(tsf_sf_stat mon '["monitor"]["offload"]["skipped_packets"]')
read -r fwd rev fwd_pkts rev_pkts <<<"$(python3 - "$TMP_DIR/mon/flows.jsonl" <<'PY'
import json, sys
last = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["proto"] != "tcp" or 9000 not in (r["sport"], r["dport"]):
        continue
    k = (r["src"], r["sport"], r["dst"], r["dport"], r["first_ms"])
    if k not in last or r["last_ms"] >= last[k]["last_ms"]:
        last[k] = r
fwd = [r for r in last.values() if r["dport"] == 9000]
rev = [r for r in last.values() if r["sport"] == 9000]
print(len(fwd), len(rev), sum(r["packets"] for r in fwd), sum(r["packets"] for r in rev))
PY
)"
n=$((2 * CONNS))
[ "$fwd" = "$n" ] && [ "$rev" = "$n" ] &&
	ok "sf-monitor wrote one record per connection and direction ($fwd, $rev)" ||
	not_ok "sf-monitor records: $fwd forward, $rev replies of $n connections"
[ "$skipped" -gt 0 ] && ok "the SFF carried packets for the monitor ($skipped, counted back)" ||
	not_ok "the SFF carried no packet for the monitor ($skipped)"
# Every segment the client sent or got passed the monitor's hop, seen or
# skipped and counted; after a FIN the monitor counts what follows late.
assert_eq $((out1 - out0 + in1 - in0)) $((fwd_pkts + rev_pkts + late)) \
	"sf-monitor's records ($fwd_pkts + $rev_pkts) and late packets ($late) add up to the client's segments"
t_out=$(tsf_sf_stat nat '["nat"]["translated_out"]')
t_in=$(tsf_sf_stat nat '["nat"]["translated_in"]')
[ "$t_out" -ge "$n" ] && [ "$t_in" -ge "$n" ] &&
	ok "the restarted sf-nat translated its batch's opening and closing packets ($t_out out, $t_in in)" ||
	not_ok "sf-nat translated $t_out out, $t_in in for $CONNS connections"
summary
