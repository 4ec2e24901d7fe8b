#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# test_leaks.sh - concurrency and resource leaks of sfc-cni.
#
# 1. 32 ADDs in parallel: all succeed, with distinct VPIDs, addresses and
#    host veths; then 32 DELs in parallel, all succeed.
# 2. SFC_LEAK_CYCLES (default 1000) ADD/DEL cycles, each with a new
#    container id, all succeed.
# 3. After each part every node resource is back at its baseline (taken
#    after one warm-up ADD/DEL, so the lazily created pins exist): host
#    links, host routes into the subnet, IPAM allocation files, state
#    records, stray (temp) files in the state dir, pinned program links, our tc filters,
#    and the entries of every non-per-CPU map in the per-run pin dir.
# 4. File descriptors: sfc-cni is short-lived, so an fd it fails to close
#    dies with it; what can leak is an fd inherited by the IPAM plugin it
#    runs (missing O_CLOEXEC), e.g. a netlink socket, a BPF map or netns fd.
#    A fake IPAM plugin records its own open fds, then execs host-local; it
#    must see only 0, 1, 2 on ADD, CHECK and DEL, in parallel runs too.
# 5. kill -9 during ADD: an ADD killed (strace injects SIGKILL) as it is
#    about to rename its state record into place leaves a hidden temp file
#    besides veth, maps, link pin and IPAM allocation. DEL of that
#    attachment, or GC once the temp file is a minute old (younger ones may
#    be a live writer's), brings the node back to its baseline.
set -u
. "$(dirname "$0")/lib.sh"

CYCLES=${SFC_LEAK_CYCLES:-1000}
PAR=${SFC_LEAK_PARALLEL:-32}
CONF=$(cni_conf)

# Entries of every non-per-CPU map under $PIN_DIR ("name=count ..."); array
# maps count entries whose value is not all zero. Per-CPU maps hold
# counters that any packet (e.g. a pod's IPv6 router solicitation) changes.
map_entries() {
	local m
	for m in "$PIN_DIR"/sfc_*; do
		[ -e "$m" ] || continue
		bpftool -j map dump pinned "$m" 2>/dev/null | python3 -c '
import json, sys
name, d = sys.argv[1], json.load(sys.stdin)
if d and "values" in d[0]:
    sys.exit(0)  # per-CPU
print("%s=%d" % (name, sum(1 for e in d if any(int(b, 16) for b in e.get("value", [])))))
' "$(basename "$m")"
	done | tr '\n' ' '
}
host_links() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -c "^$PFX" || true; }
host_routes() { ip route show | grep -c "^${SUBNET%.0/24}\." || true; }
ipam_files() { find "$IPAM_DIR" -type f ! -name lock ! -name 'last_reserved_ip*' | wc -l; }
state_records() { find "$STATE_DIR" -type f -name '*.json' | wc -l; }
stray_files() { find "$STATE_DIR" -type f ! -name '*.json' | wc -l; }
pinned_links() { find "$PIN_DIR/links" -mindepth 1 2>/dev/null | wc -l; }
# Host links carrying our filter (tc hook mode, the default: no pin).
tc_hooked() {
	local n=0 l
	for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$PFX"); do
		tc filter show dev "$l" ingress 2>/dev/null | grep -q 'handle 0x5fc' && n=$((n + 1))
	done
	echo $n
}
snapshot() {
	echo "links=$(host_links) routes=$(host_routes) ipam=$(ipam_files) records=$(state_records)" \
		"stray=$(stray_files) pinned_links=$(pinned_links) tc_hooked=$(tc_hooked) maps: $(map_entries)"
}

# --- baseline after a warm-up ADD/DEL ---
NSW=$(pod_netns_add warm)
cni_run ADD "$NSW" eth0 ctr-warm <<<"$CONF" >/dev/null && cni_run DEL "$NSW" eth0 ctr-warm <<<"$CONF" >/dev/null
assert_eq 0 $? "warm-up ADD/DEL"
BASE=$(snapshot)
echo "# baseline: $BASE"

# --- 1. parallel ADDs and DELs ---
for i in $(seq "$PAR"); do pod_netns_add "p$i" >/dev/null; done
mkdir -p "$TMP_DIR/par"
t0=$(date +%s%N)
for i in $(seq "$PAR"); do
	(cni_run ADD "$(ns_path "p$i")" eth0 "ctr-p$i" <<<"$CONF" >"$TMP_DIR/par/$i.out" 2>"$TMP_DIR/par/$i.err"
	 echo $? >"$TMP_DIR/par/$i.rc") &
done
wait
t1=$(date +%s%N)
echo "# $PAR parallel ADDs: $(((t1 - t0) / 1000000)) ms"
assert_eq "$PAR" "$(cat "$TMP_DIR"/par/*.rc | grep -cx 0)" "$PAR parallel ADDs all succeed"
for i in $(seq "$PAR"); do
	[ "$(cat "$TMP_DIR/par/$i.rc")" = 0 ] || echo "# ADD $i: $(head -c 300 "$TMP_DIR/par/$i.out") $(tail -n 2 "$TMP_DIR/par/$i.err")"
done
distinct() { python3 -c '
import json, sys
field, files = sys.argv[1], sys.argv[2:]
vals = set()
for f in files:
    try:
        d = json.load(open(f))
        vals.add(json.dumps(eval("d" + field)))
    except Exception:
        pass
print(len(vals))' "$@"; }
assert_eq "$PAR" "$(distinct '["vpid"]' "$STATE_DIR"/endpoints/ctr-p*_eth0.json)" "$PAR distinct VPIDs"
assert_eq "$PAR" "$(distinct '["ips"][0]["address"]' "$TMP_DIR"/par/*.out)" "$PAR distinct addresses"
assert_eq "$PAR" "$(distinct '["interfaces"][0]["name"]' "$TMP_DIR"/par/*.out)" "$PAR distinct host veths in the results"
assert_eq "$PAR" "$(host_links)" "$PAR host veths exist"
assert_eq "$PAR 0" "$(tc_hooked) $(pinned_links)" "$PAR host veths with our tc filter (default mode: no pins)"
assert_eq "$PAR" "$(ipam_files)" "$PAR IPAM allocations"
n_ok=0
for i in $(seq 1 4 "$PAR"); do
	j=$((i % PAR + 1))
	ip=$(json_get "$(cat "$TMP_DIR/par/$j.out")" '["ips"][0]["address"]')
	ns_ping "p$i" "${ip%/*}" 1 && n_ok=$((n_ok + 1))
done
assert_eq $(((PAR + 3) / 4)) "$n_ok" "pings between parallel-added pods"

for i in $(seq "$PAR"); do
	(cni_run DEL "$(ns_path "p$i")" eth0 "ctr-p$i" <<<"$CONF" >"$TMP_DIR/par/$i.dout" 2>&1
	 echo $? >"$TMP_DIR/par/$i.drc") &
done
wait
assert_eq "$PAR" "$(cat "$TMP_DIR"/par/*.drc | grep -cx 0)" "$PAR parallel DELs all succeed"
assert_eq "$BASE" "$(snapshot)" "back at baseline after parallel ADD/DEL"
for i in $(seq "$PAR"); do ip netns del "$PFX-p$i"; done

# --- 2. ADD/DEL cycles ---
NSC=$(pod_netns_add cyc)
fails=0 t0=$(date +%s%N) add_ns=0 del_ns=0
for i in $(seq "$CYCLES"); do
	a=$(date +%s%N)
	cni_run ADD "$NSC" eth0 "cyc-$i" <<<"$CONF" >/dev/null 2>"$TMP_DIR/cyc.err" || {
		fails=$((fails + 1)); [ $fails -le 3 ] && echo "# cycle $i ADD: $(tail -n 1 "$TMP_DIR/cyc.err")"; }
	b=$(date +%s%N)
	cni_run DEL "$NSC" eth0 "cyc-$i" <<<"$CONF" >/dev/null 2>"$TMP_DIR/cyc.err" || {
		fails=$((fails + 1)); [ $fails -le 3 ] && echo "# cycle $i DEL: $(tail -n 1 "$TMP_DIR/cyc.err")"; }
	c=$(date +%s%N)
	add_ns=$((add_ns + b - a)) del_ns=$((del_ns + c - b))
done
t1=$(date +%s%N)
echo "# $CYCLES ADD/DEL cycles: $(((t1 - t0) / 1000000)) ms; mean ADD $((add_ns / CYCLES / 1000000)) ms, mean DEL $((del_ns / CYCLES / 1000000)) ms"
assert_eq 0 "$fails" "$CYCLES ADD/DEL cycles without a failure"
assert_eq "$BASE" "$(snapshot)" "back at baseline after $CYCLES cycles"
assert_eq "lo" "$(ip -n "$PFX-cyc" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ' | xargs)" \
	"pod netns has only lo after the cycles"

# --- 3. no fd leaks into the IPAM plugin ---
FAKE=$TMP_DIR/fakebin
mkdir -p "$FAKE" "$TMP_DIR/fds"
cat >"$FAKE/fdcheck-ipam" <<EOF
#!/bin/bash
# Records this process's open fds, listed by a child (ls, no pipeline) so
# that listing opens nothing here, then becomes host-local.
# CNI_COMMAND=REF: record only.
ls -l /proc/\$\$/fd >"$TMP_DIR/fds/\${CNI_COMMAND}_\${CNI_CONTAINERID}_\$\$"
[ "\$CNI_COMMAND" = REF ] && exit 0
exec /usr/lib/cni/host-local
EOF
chmod +x "$FAKE/fdcheck-ipam"
FCONF=$(cni_conf "" "{\"type\": \"fdcheck-ipam\", \"dataDir\": \"$IPAM_DIR\", \"ranges\": [[{\"subnet\": \"$SUBNET\"}]]}")
# fd_run CMD CID NETNS [BIN]: run BIN (default sfc-cni) as the test runs it.
fd_run() {
	printf '%s' "$FCONF" | env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="$3" CNI_IFNAME=eth0 \
		CNI_PATH="$FAKE:$BUILD/bin:/usr/lib/cni" CNI_ARGS="IgnoreUnknown=1" "${4:-$CNI_BIN}" >/dev/null 2>&1
}
# What this shell hands down anyway (the fake plugin run directly, not
# through sfc-cni): the reference the IPAM child is compared with.
fd_run REF ref "" "$FAKE/fdcheck-ipam"
on_cleanup "for i in 1 2 3 4; do fd_run DEL fd-\$i \"\"; done"
for i in 1 2 3 4; do pod_netns_add "fd$i" >/dev/null; done
for i in 1 2 3 4; do fd_run ADD "fd-$i" "$(ns_path "fd$i")" & done
wait
for i in 1 2 3 4; do fd_run CHECK "fd-$i" "$(ns_path "fd$i")"; done
for i in 1 2 3 4; do fd_run DEL "fd-$i" "$(ns_path "fd$i")" & done
wait
# "N target" per fd but 0-2 and 255 (bash's script fd).
fd_list() { awk '$9 !~ /^(0|1|2|255)$/ && $10 == "->" {print $9, $11}' "$@" | sort -u; }
fd_list "$TMP_DIR"/fds/REF_* >"$TMP_DIR/fds.ref"
echo "# fds any child of this shell inherits: $(tr '\n' ';' <"$TMP_DIR/fds.ref")"
for cmd in ADD CHECK DEL; do
	assert_eq 4 "$(ls "$TMP_DIR/fds" | grep -c "^${cmd}_")" "fake IPAM ran for 4 ${cmd}s"
	leaked=$(fd_list "$TMP_DIR/fds/${cmd}_"* | grep -vxF -f "$TMP_DIR/fds.ref" | head -n 5 | tr '\n' ';')
	assert_eq "" "$leaked" "IPAM child of $cmd inherits no fd from sfc-cni (O_CLOEXEC)"
done
assert_eq "$BASE" "$(snapshot)" "back at baseline after the fd checks"

# --- 5. kill -9 during ADD ---
# kill_add CID NETNS: ADD killed on entry to the rename that would publish
# its record (error= keeps the rename from running should the kill lag).
kill_add() {
	printf '%s' "$CONF" | env CNI_COMMAND=ADD CNI_CONTAINERID="$1" CNI_NETNS="$2" \
		CNI_IFNAME=eth0 CNI_PATH="$BUILD/bin:/usr/lib/cni" CNI_ARGS=IgnoreUnknown=1 \
		strace -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:error=EIO:signal=KILL "$CNI_BIN" >/dev/null 2>&1
}
tmp_files() { find "$STATE_DIR/endpoints" -name ".$1_eth0.json.*" | wc -l; }
GC_CONF=$(CNI_VERSION=1.1.0 cni_conf '"cni.dev/valid-attachments": []')
gc() { printf '%s' "$GC_CONF" | env -u CNI_CONTAINERID -u CNI_NETNS -u CNI_IFNAME \
	CNI_COMMAND=GC CNI_PATH="$BUILD/bin:/usr/lib/cni" "$CNI_BIN" >/dev/null 2>&1; }
if command -v strace >/dev/null; then
	NSK=$(pod_netns_add kill)
	kill_add ctr-kill "$NSK"
	assert_eq 1 "$(tmp_files ctr-kill)" "ADD killed at its record's rename left a temp file"
	assert_ok "DEL after the killed ADD" cni_run DEL "$NSK" eth0 ctr-kill <<<"$CONF"
	assert_eq "$BASE" "$(snapshot)" "DEL removed all the killed ADD left, temp file included"
	kill_add ctr-kill2 "$NSK"
	assert_eq 1 "$(tmp_files ctr-kill2)" "a second killed ADD left a temp file"
	assert_ok "GC (no valid attachments) right after" gc
	assert_eq 1 "$(tmp_files ctr-kill2)" "...keeps a temp file younger than a minute"
	touch -d '-2 min' "$STATE_DIR"/endpoints/.ctr-kill2_eth0.json.*
	assert_ok "GC once it is two minutes old" gc
	assert_eq "$BASE" "$(snapshot)" "GC removed all the killed ADD left, temp file included"
else
	not_ok "strace missing (make deps installs it): kill -9 during ADD not tested"
fi

summary
