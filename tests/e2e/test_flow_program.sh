#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: flow programming (control TLVs from SFs, sfc_common.h) with
# real traffic through chain "fp" = firewall -> counter -> monitor, in
# network namespaces wired by the real sfc-cni. sf-firewall bypasses an
# established connection (offload on by default); sf-counter and
# sf-monitor ("offload": true) bypass themselves with counts and get the
# SFF's counts back, so their numbers add up to what the client and the
# server sent (nft counters in their netns: IP bytes, both directions).
# A denied flow's retransmissions die in the kernel (counted as
# flow-dropped, not seen by the firewall). Applying a changed chain voids
# the programs: the firewall sees the running flow again.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

command -v iperf3 >/dev/null || skip_all "iperf3 missing"
command -v nft >/dev/null || skip_all "nft missing"
for b in sf-firewall sf-counter sf-monitor; do
	[ -x "$BUILD/bin/$b" ] || { echo "not ok - $BUILD/bin/$b not built"; exit 1; }
done

DENY_PORT=8081

CLIENT_IP=$(tsf_pod client '{"sfc.io/chain": "fp"}') &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null &&
	tsf_pod cnt '{"sfc.io/function": "counter"}' >/dev/null &&
	tsf_pod mon '{"sfc.io/function": "monitor"}' >/dev/null ||
	{ not_ok "CNI ADD of client, server, fw, cnt, mon"; summary; exit 1; }
ok "CNI ADD of client, server and the firewall, counter and monitor pods"

mkdir -p "$TMP_DIR/mon" && chmod 777 "$TMP_DIR/mon" # written as uid 65534
FLOWS=$TMP_DIR/mon/flows.jsonl
cat >"$TMP_DIR/fw.json" <<EOF
{"default": "allow", "rules": [{"action": "deny", "protocol": "tcp", "dport": "$DENY_PORT"}]}
EOF
echo '{"offload": true}' >"$TMP_DIR/cnt.json"
# A connection's direction that sees no FIN or RST of its own (iperf3's
# data connections end with one RST) is written when idle: 2 s.
echo "{\"output\": \"$FLOWS\", \"offload\": true, \"idle_timeout_s\": 2}" >"$TMP_DIR/mon.json"
assert_ok "sf-firewall started (offload by default)" tsf_sf fw sf-firewall --config "$TMP_DIR/fw.json"
assert_ok "sf-counter started (offload)" tsf_sf cnt sf-counter --config "$TMP_DIR/cnt.json"
assert_ok "sf-monitor started (offload)" tsf_sf mon sf-monitor --config "$TMP_DIR/mon.json"
tsf_agent
assert_ok "iperf3 server" tsf_iperf_server server
assert_ok "HTTP server on $DENY_PORT" tsf_http_server server "$DENY_PORT"
assert_ok "chain fp (firewall -> counter -> monitor) applied" \
	tsf_chain fp fail-closed '["firewall", "counter", "monitor"]'
sf_wait_state fw up 3 && sf_wait_state cnt up 3 && sf_wait_state mon up 3 &&
	ok "the three SF instances up" || not_ok "the three SF instances up"

# IP bytes each side sends to the other on port 5201, counted in its own
# netns before anything of ours sees the packets.
for p in client server; do
	ns_exec "$p" nft -f - <<EOF
table inet sfcfp {
	counter to5201 { }
	counter from5201 { }
	chain out {
		type filter hook output priority 0;
		tcp dport 5201 counter name to5201
		tcp sport 5201 counter name from5201
	}
}
EOF
done
nft_bytes() { # POD COUNTER
	ns_exec "$1" nft -j list counter inet sfcfp "$2" 2>/dev/null | python3 -c '
import json, sys
print(next(o["counter"]["bytes"] for o in json.load(sys.stdin)["nftables"] if "counter" in o))' \
		2>/dev/null || echo -1
}

fw_seen() { tsf_sf_stat fw '["counters"]["rx_packets"]'; }

# mon_bytes DIR: "bytes packets records" of sf-monitor's records of
# direction DIR, "to" (client -> server:5201) or "from" (server:5201 ->
# client), summed over the connections (the last record of each).
mon_bytes() {
	python3 - "$FLOWS" "$1" "$CLIENT_IP" "$SERVER_IP" <<'PY'
import json, sys
path, d, cli, srv = sys.argv[1:]
last = {}
for line in open(path):
    r = json.loads(line)
    if d == "to" and not (r["src"] == cli and r["dst"] == srv and r["dport"] == 5201):
        continue
    if d == "from" and not (r["src"] == srv and r["sport"] == 5201 and r["dst"] == cli):
        continue
    last[(r["sport"], r["dport"], r["first_ms"])] = r
print(sum(r["bytes"] for r in last.values()), sum(r["packets"] for r in last.values()),
      len(last))
PY
}

# wait_mon DIR BYTES: wait up to 12 s until sf-monitor's records of DIR
# count BYTES (every connection's record written: FIN, RST or idle).
wait_mon() {
	local i b
	for i in $(seq 24); do
		read -r b _ _ <<<"$(mon_bytes "$1")"
		[ "$b" -ge "$2" ] && return 0
		sleep 0.5
	done
	return 0
}

# cnt_bytes DIR: sf-counter's bytes for that direction, all flows.
cnt_bytes() {
	python3 - "$TMP_DIR/cnt.stats" "$1" "$CLIENT_IP" "$SERVER_IP" <<'PY'
import json, sys
path, d, cli, srv = sys.argv[1:]
s = json.load(open(path))
b = 0
for f in s["flows"]["top"]:
    if d == "to" and f["src"] == cli and f["dport"] == 5201:
        b += f["bytes"]
    if d == "from" and f["src"] == srv and f["sport"] == 5201:
        b += f["bytes"]
print(b)
PY
}

# within A B TOL_PERMILLE: |A - B| <= B * TOL / 1000 (and both positive).
within() { [ "$1" -gt 0 ] && [ "$2" -gt 0 ] && [ $((($1 - $2) * 1000)) -le $(($2 * $3)) ] &&
	[ $((($2 - $1) * 1000)) -le $(($2 * $3)) ]; }

# 1. TCP through the chain: after the handshake the firewall sees nothing
# more of the connections, in either direction; the flow keeps working.
fw0=$(fw_seen)
ns_exec client iperf3 -c "$SERVER_IP" -t 3 -J >"$TMP_DIR/iperf1.json" 2>&1
rate=$(iperf_mbps <"$TMP_DIR/iperf1.json")
[ "$rate" -gt 100 ] && ok "iperf3 through firewall -> counter -> monitor: $rate Mbit/s" ||
	not_ok "iperf3 through firewall -> counter -> monitor ($rate Mbit/s)"
echo "# throughput through three SFs, all bypassed after the handshake: $rate Mbit/s"
wait_port_idle server 5201
to=$(nft_bytes client to5201)
from=$(nft_bytes server from5201)
wait_mon to "$to"
wait_mon from "$from"
assert_ok "the SFs rewrote their stats files" sf_stats_wait fw cnt mon
fw1=$(fw_seen)
read -r mb mp mrec <<<"$(mon_bytes to)"
[ $((fw1 - fw0)) -gt 0 ] && [ $((fw1 - fw0)) -le 40 ] && [ "$mp" -gt 1000 ] &&
	ok "the firewall saw $((fw1 - fw0)) packets of the iperf3 connections (handshakes, FIN/RST), the client sent $mp" ||
	not_ok "the firewall stopped seeing the connections (saw $((fw1 - fw0)), the client sent $mp)"
byp=$(tsf_sf_stat fw '["offload"]["bypass_requests"]')
[ "$byp" -ge 2 ] && ok "the firewall asked to bypass both connections ($byp requests)" ||
	not_ok "the firewall asked to bypass both connections ($byp requests)"

# 2. The monitor's and the counter's numbers add up to what was sent.
assert_eq 2 "$mrec" "sf-monitor wrote the records of both client -> server connections"
within "$mb" "$to" 5 && ok "sf-monitor's client -> server bytes $mb = sent $to (within 0.5%)" ||
	not_ok "sf-monitor's client -> server bytes $mb = sent $to (within 0.5%)"
read -r rb _ rfin <<<"$(mon_bytes from)"
within "$rb" "$from" 5 && ok "sf-monitor's server -> client bytes $rb = sent $from (within 0.5%)" ||
	not_ok "sf-monitor's server -> client bytes $rb = sent $from (within 0.5%)"
skipped=$(tsf_sf_stat mon '["monitor"]["offload"]["skipped_bytes"]')
[ "$skipped" -gt $((to / 2)) ] && ok "most of them came from the SFF's counts ($skipped bytes)" ||
	not_ok "most of them came from the SFF's counts ($skipped bytes of $to)"
sleep 1.2 # sf-counter asks for bypassed flows' counts every second
assert_ok "sf-counter rewrote its stats file" sf_stats_wait cnt
cb=$(cnt_bytes to)
within "$cb" "$to" 5 && ok "sf-counter's client -> server bytes $cb = sent $to (within 0.5%)" ||
	not_ok "sf-counter's client -> server bytes $cb = sent $to (within 0.5%)"
cr=$(cnt_bytes from)
within "$cr" "$from" 5 && ok "sf-counter's server -> client bytes $cr = sent $from (within 0.5%)" ||
	not_ok "sf-counter's server -> client bytes $cr = sent $from (within 0.5%)"

# 3. Data from the server (iperf3 -R): the reply direction is bypassed too.
fw0=$(fw_seen)
ns_exec client iperf3 -c "$SERVER_IP" -t 2 -R -J >"$TMP_DIR/iperf2.json" 2>&1
rate=$(iperf_mbps <"$TMP_DIR/iperf2.json")
[ "$rate" -gt 100 ] && ok "iperf3 -R (server sends): $rate Mbit/s" || not_ok "iperf3 -R ($rate Mbit/s)"
wait_port_idle server 5201
assert_ok "the SFs rewrote their stats files" sf_stats_wait fw mon
from=$(nft_bytes server from5201)
wait_mon from "$from"
fw1=$(fw_seen)
read -r rb _ _ <<<"$(mon_bytes from)"
[ $((fw1 - fw0)) -le 40 ] && ok "the firewall saw $((fw1 - fw0)) packets of the reverse run" ||
	not_ok "the firewall saw $((fw1 - fw0)) packets of the reverse run"
within "$rb" "$from" 5 && ok "sf-monitor's server -> client bytes $rb = sent $from after -R (within 0.5%)" ||
	not_ok "sf-monitor's server -> client bytes $rb = sent $from after -R (within 0.5%)"

# 4. A denied flow: the firewall drops its SYN and asks for the flow to be
# dropped; the retransmitted SYNs die in the kernel.
den0=$(tsf_sf_stat fw '["conntrack"]["denied"]')
fd0=$(tsf_drops flow-dropped)
assert_fail "tcp/$DENY_PORT is denied" ns_exec client curl -sf -o /dev/null -m 4 \
	--local-port 45000 "http://$SERVER_IP:$DENY_PORT/"
assert_ok "sf-firewall rewrote its stats file" sf_stats_wait fw
den1=$(tsf_sf_stat fw '["conntrack"]["denied"]')
fd1=$(tsf_drops flow-dropped)
assert_eq 1 "$((den1 - den0))" "the firewall judged the first SYN only"
[ $((fd1 - fd0)) -ge 1 ] && ok "the retransmitted SYNs were dropped in the kernel ($((fd1 - fd0)), flow-dropped)" ||
	not_ok "the retransmitted SYNs were dropped in the kernel ($fd0 -> $fd1)"

# 5. Applying a changed chain voids what was programmed: the firewall sees
# the running flow again (and bypasses it again).
ns_exec client iperf3 -c "$SERVER_IP" -t 8 -b 20M -J >"$TMP_DIR/iperf3.json" 2>&1 &
ipid=$!
sleep 2
assert_ok "the SFs rewrote their stats files" sf_stats_wait fw
a0=$(fw_seen)
sleep 1.5
assert_ok "the SFs rewrote their stats files" sf_stats_wait fw
a1=$(fw_seen)
[ $((a1 - a0)) -le 5 ] && ok "bypassed: the firewall saw $((a1 - a0)) packets of the running flow in 1.5 s" ||
	not_ok "bypassed: the firewall saw $((a1 - a0)) packets of the running flow in 1.5 s"
assert_ok "chain fp applied changed (fail-open)" \
	tsf_chain fp fail-open '["firewall", "counter", "monitor"]'
sleep 1.5
assert_ok "the SFs rewrote their stats files" sf_stats_wait fw
a2=$(fw_seen)
[ $((a2 - a1)) -ge 10 ] && ok "after the apply the firewall saw the flow again ($((a2 - a1)) packets)" ||
	not_ok "after the apply the firewall saw the flow again ($((a2 - a1)) packets)"
wait "$ipid"
rate=$(iperf_mbps <"$TMP_DIR/iperf3.json")
[ "$rate" -gt 10 ] && ok "the flow survived the apply ($rate Mbit/s)" ||
	not_ok "the flow survived the apply ($rate Mbit/s)"
byp2=$(tsf_sf_stat fw '["offload"]["bypass_requests"]')
[ "$byp2" -gt "$byp" ] && ok "and asked to bypass it again ($byp -> $byp2)" ||
	not_ok "and asked to bypass it again ($byp -> $byp2)"

# Nothing the SFs sent was refused as malformed.
bad=$(bpftool map dump pinned "$PIN_DIR/sfc_ctrl_stats" -j 2>/dev/null | python3 -c '
import json, sys
names = {4: "bad-tlv", 5: "bad-version", 6: "bad-action", 7: "bad-flow"}
tot = 0
for e in json.load(sys.stdin):
    k = e["key"] if isinstance(e["key"], int) else int.from_bytes(bytes(int(x, 16) for x in e["key"]), "little")
    if k in names:
        tot += sum(v["value"] if isinstance(v["value"], int) else int.from_bytes(bytes(int(x, 16) for x in v["value"]), "little") for v in e["values"])
print(tot)' 2>/dev/null || echo -1)
assert_eq 0 "$bad" "no control TLV from the SFs was refused as bad"
summary
