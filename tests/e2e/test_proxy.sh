#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: an SFC-unaware SF in the middle of a chain (the SFF acts as
# SFC proxy). Chain "prx" = firewall -> plainfw -> counter. plainfw is an
# unmodified Linux netns wired by sfc-cni (annotations sfc.io/function:
# plainfw, sfc.io/sfc-aware: "false") that just routes (ip_forward=1,
# send_redirects=0) with an nftables rule dropping tcp/$DROP_PORT. Traffic
# of other ports passes through the whole chain; the dropped port fails; the
# agent judges the unaware instance by its link (it cannot echo NSH OAM).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

command -v nft >/dev/null || skip_all "nft (nftables) missing"
command -v curl >/dev/null || skip_all "curl missing"
command -v iperf3 >/dev/null || skip_all "iperf3 missing"
for b in sf-firewall sf-counter; do
	[ -x "$BUILD/bin/$b" ] || { echo "not ok - $BUILD/bin/$b not built"; exit 1; }
done

DROP_PORT=8081

CLIENT_IP=$(tsf_pod client '{"sfc.io/chain": "prx"}') &&
	SERVER_IP=$(tsf_pod server) &&
	tsf_pod other >/dev/null &&
	tsf_pod fw '{"sfc.io/function": "firewall"}' >/dev/null &&
	tsf_pod pfw '{"sfc.io/function": "plainfw", "sfc.io/sfc-aware": "false"}' >/dev/null &&
	tsf_pod cnt '{"sfc.io/function": "counter"}' >/dev/null ||
	{ not_ok "CNI ADD of the six pods"; summary; exit 1; }
ok "CNI ADD of client, server, other, firewall, plainfw (unaware), counter"

# The unaware SF: the kernel forwards, nftables filters. Nothing knows NSH.
ns_exec pfw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
	net.ipv4.conf.eth0.send_redirects=0 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.eth0.rp_filter=0
ns_exec pfw nft -f - <<EOF || not_ok "nftables rules in plainfw"
table inet plainfw {
	counter passed { }
	counter dropped { }
	chain forward_filter {
		type filter hook forward priority 0; policy accept;
		tcp dport $DROP_PORT counter name "dropped" drop
		counter name "passed"
	}
}
EOF
nft_ctr() {
	ns_exec pfw nft -j list counter inet plainfw "$1" 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    if "counter" in o:
        print(o["counter"]["packets"])' 2>/dev/null || echo -1
}

# offload off: every packet is counted at every hop.
echo '{"default": "allow", "offload": false, "rules": [{"action": "deny", "protocol": "udp", "dport": "9"}]}' \
	>"$TMP_DIR/fw.json"
assert_ok "sf-firewall started" tsf_sf fw sf-firewall --config "$TMP_DIR/fw.json"
assert_ok "sf-counter started" tsf_sf cnt sf-counter
tsf_agent
assert_ok "HTTP servers on 8080 and $DROP_PORT" \
	eval "tsf_http_server server 8080 && tsf_http_server server $DROP_PORT"
assert_ok "iperf3 server" tsf_iperf_server server
assert_ok "chain prx (firewall -> plainfw -> counter) applied" \
	tsf_chain prx fail-closed '["firewall", "plainfw", "counter"]'
SPI=$(sfcctl get chains -o json | python3 -c '
import json, sys
print([c["spi"] for c in json.load(sys.stdin) if c["name"] == "prx"][0])')

aware=$(sfcctl get instances -o json | python3 -c '
import json, sys
print(" ".join("%s=%s" % (r["pod"].split("/")[1], r["aware"]) for r in
               sorted(json.load(sys.stdin), key=lambda r: r["pod"])))')
assert_eq "cnt=True fw=True pfw=False" "$aware" "plainfw is an SFC-unaware instance, the others aware"
sf_wait_state pfw up 3 && ok "unaware plainfw judged up (link up, netns present)" ||
	not_ok "unaware plainfw judged up"
sf_wait_state fw up 3 && sf_wait_state cnt up 3 && ok "firewall and counter up (OAM)" ||
	not_ok "firewall and counter up (OAM)"

snap() {
	local si
	for si in 255 254 253; do
		printf '%s %s ' "$(tsf_hop "$SPI" $si toSfPackets)" "$(tsf_hop "$SPI" $si fromSfPackets)"
	done
}

read -r a0 b0 c0 d0 e0 f0 <<<"$(snap)"
p0=$(nft_ctr passed)
assert_ok "HTTP GET client -> server:8080 through firewall -> plainfw -> counter" \
	ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/"
read -r a1 b1 c1 d1 e1 f1 <<<"$(snap)"
p1=$(nft_ctr passed)
da=$((a1 - a0)) db=$((b1 - b0)) dc=$((c1 - c0)) dd=$((d1 - d0)) de=$((e1 - e0)) df=$((f1 - f0))
[ "$da" -gt 0 ] && ok "firewall hop saw the request packets ($da)" || not_ok "firewall hop saw the request ($da)"
assert_eq "$da $da $da $da $da" "$db $dc $dd $de $df" \
	"each packet: to firewall, back, to plainfw (proxied), back, to counter, back"
[ $((p1 - p0)) -ge "$dc" ] && ok "plainfw's kernel forwarded them as plain IP ($((p1 - p0)) >= $dc)" ||
	not_ok "plainfw's kernel forwarded them as plain IP ($((p1 - p0)), hop $dc)"

x0=$(nft_ctr dropped)
assert_fail "tcp/$DROP_PORT from the client is dropped by plainfw's nftables rule" \
	ns_exec client curl -sf -o /dev/null -m 2 "http://$SERVER_IP:$DROP_PORT/"
x1=$(nft_ctr dropped)
[ "$x1" -gt "$x0" ] && ok "nftables counted the drops ($x0 -> $x1)" || not_ok "nftables counted the drops ($x0 -> $x1)"
assert_ok "tcp/$DROP_PORT is open to a pod without the chain" \
	ns_exec other curl -sf -o /dev/null -m 5 "http://$SERVER_IP:$DROP_PORT/"

rate=$(ns_exec client iperf3 -c "$SERVER_IP" -t 2 -J 2>/dev/null | iperf_mbps)
if [ "${rate:-0}" -gt 50 ]; then
	ok "iperf3 through the chain with the SFC proxy: $rate Mbit/s"
else
	not_ok "iperf3 through the chain with the SFC proxy (${rate:-none} Mbit/s)"
	sfcctl get drops | sed 's/^/# /'
	sfcctl get counters | sed 's/^/# /'
fi
echo "# throughput through firewall -> plainfw (proxied) -> counter: ${rate:-0} Mbit/s"

# Liveness of an unaware SF is its link: take plainfw's interface down.
routes=$(ns_exec pfw ip -4 route show)
neighs=$(ns_exec pfw ip -4 neigh show nud permanent)
d0=$(tsf_drops sf-down)
ns_exec pfw ip link set eth0 down
sf_wait_state pfw down 2 && ok "plainfw with its link down is judged down" ||
	not_ok "plainfw with its link down is judged down"
assert_fail "fail-closed: the chain stops while plainfw is down" \
	ns_exec client curl -sf -o /dev/null -m 2 "http://$SERVER_IP:8080/"
d1=$(tsf_drops sf-down)
[ "$d1" -gt "$d0" ] && ok "drops counted as sf-down ($d0 -> $d1)" || not_ok "drops counted as sf-down ($d0 -> $d1)"
ns_exec pfw ip link set eth0 up
# Link down flushed the routes and the permanent gateway neighbour: put them
# back, link-scope routes before the ones via the gateway.
while IFS= read -r l; do [ -z "$l" ] || ns_exec pfw ip route replace $l; done \
	<<<"$(grep -v ' via ' <<<"$routes"; grep ' via ' <<<"$routes")"
while IFS= read -r l; do
	[ -z "$l" ] || ns_exec pfw ip neigh replace $(echo "$l" | sed 's/ *PERMANENT *$//') nud permanent
done <<<"$neighs"
sf_wait_state pfw up 3 && ok "plainfw up again with its link" || not_ok "plainfw up again with its link"
assert_ok "the chain works again" ns_exec client curl -sf -o /dev/null -m 5 "http://$SERVER_IP:8080/"
summary
