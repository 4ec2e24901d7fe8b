#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end: SFs follow the CPU of the flows they carry
# (service-containers/README.md, "Following the flow's CPU"). Chain
# "fl" = [fla, flb] (two sf-counter pods wired by the real sfc-cni) from
# pods c1 and c2 to pod server, symmetric. With following on (the
# default): a ping from c1 pinned to one CPU brings both SFs onto that CPU
# (/proc Cpus_allowed_list), a ping pinned to the other CPU moves them
# there; iperf3 TCP from a client on that CPU still carries its bytes and
# the SFs, busy or contended, return to every CPU; pings from c1 and c2 on different
# CPUs at once keep them there. With --cpu-follow=off a pinned client
# moves nothing. Needs two CPUs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topo_sf.sh"

[ "$(nproc)" -ge 2 ] || skip_all "needs two CPUs"
command -v iperf3 >/dev/null || skip_all "iperf3 missing"
command -v taskset >/dev/null || skip_all "taskset missing"

# The first and last CPU this script may use, and all of them as /proc
# prints them.
C0=$(taskset -cp $$ | sed 's/.*: //; s/[-,].*//')
C1=$(taskset -cp $$ | sed 's/.*[-,]//')
ALL=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)

SERVER_IP=$(tsf_pod server) &&
	tsf_pod c1 '{"sfc.io/chain": "fl"}' >/dev/null &&
	tsf_pod c2 '{"sfc.io/chain": "fl"}' >/dev/null &&
	tsf_pod a '{"sfc.io/function": "fla"}' >/dev/null &&
	tsf_pod b '{"sfc.io/function": "flb"}' >/dev/null ||
	{ not_ok "pods added"; summary; exit 1; }
tsf_agent
assert_ok "iperf3 server started" tsf_iperf_server server
assert_ok "chain fl applied" tsf_chain fl fail-closed '["fla", "flb"]'

cpus_of() { awk '/^Cpus_allowed_list/ { print $2 }' "/proc/${SF_PID[$1]}/status"; }

# both_on LIST [SECS]: both SFs run on exactly LIST within SECS (3).
both_on() {
	local i
	for i in $(seq $((${2:-3} * 20))); do
		[ "$(cpus_of a)" = "$1" ] && [ "$(cpus_of b)" = "$1" ] && return 0
		sleep 0.05
	done
	echo "# a on $(cpus_of a), b on $(cpus_of b), wanted $1" >&2
	return 1
}

# ping_on POD CPU COUNT: ping the server from POD pinned to CPU, every
# 5 ms, in the background (PING_PID).
ping_on() {
	ns_exec "$1" taskset -c "$2" ping -q -i 0.005 -c "$3" "$SERVER_IP" >/dev/null 2>&1 &
	PING_PID=$!
	track_pid "$PING_PID"
}

start_sfs() {
	local s
	for s in a b; do
		tsf_sf "$s" sf-counter "$@" || { not_ok "sf-counter in $s started ($*)"; return 1; }
	done
	sf_wait_state a up 5 && sf_wait_state b up 5 || not_ok "both SFs up ($*)"
}

# exit_line POD: stop its SF, print its exit line.
exit_line() {
	kill "${SF_PID[$1]}"
	while kill -0 "${SF_PID[$1]}" 2>/dev/null; do sleep 0.05; done
	grep "exiting" "$TMP_DIR/$1.log" | tail -1
}

start_sfs
assert_eq "$ALL" "$(cpus_of a)" "following: an SF starts on every CPU ($ALL)"
ping_on c1 "$C0" 600
assert_ok "following: a client pinned to CPU $C0 brings both SFs there" both_on "$C0"
wait "$PING_PID"
ping_on c1 "$C1" 600
assert_ok "following: the client on CPU $C1, both SFs follow" both_on "$C1"
wait "$PING_PID"
# The pinned SFs carry TCP from a client on the same CPU: busy, or behind
# the client on the run queue, they retreat to every CPU.
assert_ok "following: iperf3 to the server" wait_port_idle server 5201
ns_exec c1 taskset -c "$C1" iperf3 -c "$SERVER_IP" -t 3 -J >"$TMP_DIR/iperf.json" 2>&1 &
ip=$!
sleep 2.5
ca=$(cpus_of a) cb=$(cpus_of b)
wait "$ip"
got=$(python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' \
	"$TMP_DIR/iperf.json" 2>/dev/null || echo 0)
[ "$got" -gt 10000000 ] && ok "following: iperf3 through the chain carried $got bytes" ||
	not_ok "following: iperf3 through the chain carried $got bytes (> 10 MB)"
assert_eq "$ALL $ALL" "$ca $cb" "following: SFs busy with TCP run on every CPU"
ping_on c1 "$C0" 1000
p1=$PING_PID
ping_on c2 "$C1" 1000
assert_ok "following: clients on CPUs $C0 and $C1 at once keep both SFs on every CPU" both_on "$ALL"
wait "$p1" "$PING_PID"
for s in a b; do
	line=$(exit_line "$s")
	pins=$(sed -n 's/.* follow_pins \([0-9]*\) .*/\1/p' <<<"$line")
	back=$(sed -n 's/.*(contended \([0-9]*\) busy \([0-9]*\) left [0-9]*).*/\1 + \2/p' <<<"$line")
	[ "${pins:-0}" -ge 2 ] && [ $((${back:-0})) -ge 1 ] &&
		ok "following: $s moved $pins times, retreated $((back)) times from a busy CPU" ||
		not_ok "following: $s's exit line counts moves and retreats: $line"
done

start_sfs --cpu-follow=off
ping_on c1 "$C0" 300
wait "$PING_PID"
assert_eq "$ALL $ALL" "$(cpus_of a) $(cpus_of b)" "--cpu-follow=off: SFs stay on every CPU"
for s in a b; do
	line=$(exit_line "$s")
	assert_eq 0 "$(sed -n 's/.* follow_pins \([0-9]*\) .*/\1/p' <<<"$line")" \
		"--cpu-follow=off: $s never moved"
done
summary
