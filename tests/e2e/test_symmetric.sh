#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: a symmetric chain. Chain "sym" = firewall -> nat on the
# client's egress (stateful sf-firewall, sf-nat masquerading behind
# $NAT_IP). A TCP connection from client to server works (HTTP GET, iperf3);
# the server sees $NAT_IP as the source; the replies come back through the
# reverse SFP (SPI + 1): nat first (un-NAT), then the firewall, counted per
# hop; the firewall's deny rule for anything new from the server blocks a new
# inbound connection but not the replies of the client's connections.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

command -v iperf3 >/dev/null || skip_all "iperf3 missing"
command -v curl >/dev/null || skip_all "curl missing"
command -v nft >/dev/null || skip_all "nft (nftables) missing"
for b in sf-firewall sf-nat; do
	[ -x "$BUILD/bin/$b" ] || { echo "not ok - $BUILD/bin/$b not built"; exit 1; }
done

NAT_IP=192.0.2.77 # TEST-NET-1: no pod has it; the server routes it to its gateway

CLIENT_IP=$(tsf_pod client '{"sfc.io/chain": "sym"}') &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null &&
	tsf_pod nat '{"sfc.io/function": "nat"}' >/dev/null ||
	{ not_ok "CNI ADD of client, server, fw, nat"; summary; exit 1; }
ok "CNI ADD of client, server, firewall and nat pods"

cat >"$TMP_DIR/fw.json" <<EOF
{"comment": "nothing new from the server; its replies are established; offload off: every packet is counted at every hop",
 "rules": [{"action": "deny", "protocol": "tcp", "src": "$SERVER_IP/32"}],
 "default": "allow", "offload": false}
EOF
cat >"$TMP_DIR/nat.json" <<EOF
{"nat_ip": "$NAT_IP", "port_range": "30000-30999", "offload": false}
EOF
assert_ok "sf-firewall (stateful) started" tsf_sf fw sf-firewall --config "$TMP_DIR/fw.json"
assert_ok "sf-nat started" tsf_sf nat sf-nat --config "$TMP_DIR/nat.json"
tsf_agent
assert_ok "HTTP server on 8080" tsf_http_server server 8080
assert_ok "iperf3 server" tsf_iperf_server server
assert_ok "HTTP server on 9090 in the client (for the inbound test)" tsf_http_server client 9090

# Egress: everything; ingress: TCP from the server (new inbound connections
# go through the chain too, and meet the firewall's deny rule).
assert_ok "chain sym (firewall -> nat) applied" tsf_chain sym fail-closed '["firewall", "nat"]' \
	"[{\"direction\": \"egress\"}, {\"direction\": \"ingress\", \"protocol\": \"tcp\", \"cidr\": \"$SERVER_IP/32\"}]"
SPI=$(sfcctl get chains -o json | python3 -c '
import json, sys
print([c["spi"] for c in json.load(sys.stdin) if c["name"] == "sym"][0])')
REV=$((SPI + 1))
sf_wait_state fw up 3 && sf_wait_state nat up 3 && ok "firewall and nat instances up" ||
	not_ok "firewall and nat instances up"

# The compiled reverse SFP: nat at SI 255, firewall at SI 254, then the end.
rev=$(sfcctl get paths -o json | python3 -c '
import json, sys
rev = int(sys.argv[1])
print(" ".join(h["function"] or h["kind"] for h in sorted(json.load(sys.stdin), key=lambda h: -h["si"])
               if h["spi"] == rev))' "$REV")
assert_eq "nat firewall end" "$rev" "reverse SFP $REV: nat, firewall, end"

# Count what the server sends to the NAT address (the replies), in the
# server's own netns.
ns_exec server nft -f - <<EOF
table inet sfce2e {
	counter replies { }
	chain out { type filter hook output priority 0; ip daddr $NAT_IP counter name replies; }
}
EOF
replies() {
	ns_exec server nft -j list counter inet sfce2e replies 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    if "counter" in o:
        print(o["counter"]["packets"])' 2>/dev/null || echo -1
}

r0=$(replies)
n0=$(tsf_hop "$REV" 255 toSfPackets) f0=$(tsf_hop "$REV" 254 toSfPackets)
b0=$(tsf_hop "$REV" 254 fromSfPackets)
assert_ok "HTTP GET client -> server:8080 through firewall -> nat" \
	ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/"
# The close handshake crosses the SFs after curl has exited: count once the
# server has nothing left to send on the connection (only TIME-WAIT left).
server_sending() { ns_exec server ss -Htn state connected exclude time-wait '( sport = :8080 )' | grep -q .; }
for _ in $(seq 50); do server_sending || break; sleep 0.1; done
r1=$(replies)
n1=$(tsf_hop "$REV" 255 toSfPackets) f1=$(tsf_hop "$REV" 254 toSfPackets)
b1=$(tsf_hop "$REV" 254 fromSfPackets)
dr=$((r1 - r0)) dn=$((n1 - n0)) df=$((f1 - f0)) db=$((b1 - b0))
[ "$dr" -gt 0 ] && ok "the server sent $dr reply packets to $NAT_IP" ||
	not_ok "the server sent reply packets to $NAT_IP ($dr)"
assert_eq "$dr" "$dn" "every reply went to the nat hop of the reverse SFP first"
[ "$df" -ge "$dn" ] && [ "$db" -ge "$dn" ] &&
	ok "then to the firewall hop and back (to $df, from $db; >= $dn: nat may cut GSO frames)" ||
	not_ok "then to the firewall hop and back (to $df, from $db, nat $dn)"
grep -q "^$NAT_IP " "$TMP_DIR/http-server-8080.log" &&
	ok "the HTTP server logged $NAT_IP as the client address" ||
	not_ok "the HTTP server logged $NAT_IP as the client address ($(tail -n 1 "$TMP_DIR/http-server-8080.log"))"
grep -q "^$CLIENT_IP " "$TMP_DIR/http-server-8080.log" &&
	not_ok "the client's own address reached the server" || ok "the client's own address never reached the server"

# iperf3 through firewall -> nat: the server's socket peer is the NAT address.
ns_exec client iperf3 -c "$SERVER_IP" -t 3 -J >"$TMP_DIR/iperf.json" 2>&1 &
ipid=$!
sleep 1.5
peer=$(ns_exec server ss -Htn state established "( sport = :5201 )" | awk '{print $4}' | sort -u | tr '\n' ' ')
# (iperf3 listens on ::, so peers print as [::ffff:a.b.c.d]:port)
case "$peer" in *"$CLIENT_IP"*) not_ok "server's iperf3 connections come from $NAT_IP ($peer)" ;;
*"$NAT_IP"*) ok "server's iperf3 connections come from $NAT_IP ($peer)" ;;
*) not_ok "server's iperf3 connections come from $NAT_IP ($peer)" ;; esac
wait "$ipid"
rate=$(iperf_mbps <"$TMP_DIR/iperf.json")
[ "$rate" -gt 50 ] && ok "iperf3 through firewall -> nat: $rate Mbit/s" ||
	not_ok "iperf3 through firewall -> nat ($rate Mbit/s)"
echo "# throughput client -> server through firewall -> nat (symmetric): $rate Mbit/s"

assert_ok "both SFs rewrote their stats files" sf_stats_wait fw nat
est=$(tsf_sf_stat fw '["conntrack"]["established"]')
den0=$(tsf_sf_stat fw '["conntrack"]["denied"]')
[ "$est" -gt 0 ] && ok "firewall passed replies as established ($est packets)" ||
	not_ok "firewall passed replies as established ($est)"
assert_eq 0 "$den0" "the deny rule for the server dropped none of the replies"
tin=$(tsf_sf_stat nat '["nat"]["translated_in"]')
[ "$tin" -gt 0 ] && ok "sf-nat translated $tin reply packets back" ||
	not_ok "sf-nat translated reply packets back ($tin)"

# A new connection from the server to the client is inbound and new: denied.
assert_fail "a new inbound connection server -> client:9090 is denied by the firewall" \
	ns_exec server curl -sf -o /dev/null -m 2 "http://$CLIENT_IP:9090/"
assert_ok "sf-firewall rewrote its stats file" sf_stats_wait fw
den1=$(tsf_sf_stat fw '["conntrack"]["denied"]')
[ "$den1" -gt "$den0" ] && ok "firewall counted the denied inbound SYNs ($den0 -> $den1)" ||
	not_ok "firewall counted the denied inbound SYNs ($den0 -> $den1)"
assert_ok "the client's connections still work afterwards" \
	ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/"
summary
