#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench_maps.sh - the dataplane's pinned map memory rows of `make bench`:
# the sum of bytes_memlock (bpftool) of every map pinned in this run's pin
# dir on an empty node (the maps a first CNI ADD created, that pod DELed
# again) and with BENCH_ENDPOINTS (default 1000, quick 200) endpoints
# added through the real sfc-cni ADD, each into its own netns, in the
# per-run node netns (as bench_cni.sh does: the host veths and routes stay
# out of the root netns). The difference is printed per 1,000 endpoints.
# Rows go to $BENCH_ROWS (default stdout; tests/bench/table.py).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# a /16, so BENCH_ENDPOINTS addresses fit
SFC_SUBNET=${SFC_SUBNET:-10.$((100 + ($$ >> 8) % 100)).0.0/16}
. "$here/lib.sh"
. "$here/bench_lib.sh"

BENCH_ROWS=${BENCH_ROWS:-/dev/stdout}
if [ "${BENCH_QUICK:-0}" = 1 ]; then N=${BENCH_ENDPOINTS:-200}; else N=${BENCH_ENDPOINTS:-1000}; fi
command -v bpftool >/dev/null || { echo "bench_maps: bpftool missing" >&2; exit 1; }
node_netns_add || { echo "bench_maps: cannot create the node netns" >&2; exit 1; }

# eps.py OP FIRST COUNT: CNI ADD (netns first) or DEL (netns after) of pods
# e<FIRST> .. e<FIRST+COUNT-1>, one python process for all (no shell per pod).
cat >"$TMP_DIR/eps.py" <<'PY'
import os, subprocess, sys
op, first, count, pfx, conf, cni, path = sys.argv[1:]
for i in range(int(first), int(first) + int(count)):
    pod, ns = f"e{i}", f"{pfx}-e{i}"
    if op == "ADD":
        subprocess.run(["ip", "netns", "add", ns], check=True)
    env = dict(os.environ, CNI_COMMAND=op, CNI_CONTAINERID=f"{pfx}-{pod}",
               CNI_NETNS=f"/var/run/netns/{ns}", CNI_IFNAME="eth0", CNI_PATH=path,
               CNI_ARGS=f"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME={pod}")
    r = subprocess.run([cni], input=conf.encode(), env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode:
        sys.exit(f"bench_maps: {op} {pod}: " + r.stderr.decode(errors="replace")[-300:])
    if op == "DEL":
        subprocess.run(["ip", "netns", "del", ns], check=True)
PY
eps() { node python3 "$TMP_DIR/eps.py" "$1" "$2" "$3" "$PFX" "$(cni_conf)" "$CNI_BIN" "$BUILD/bin:/usr/lib/cni"; }

eps ADD 0 1 && eps DEL 0 1 || exit 1
mapfile -t empty < <(bench_memlock_kib "$PIN_DIR" 4)
t0=$(date +%s)
eps ADD 1 "$N" || exit 1
t1=$(date +%s)
mapfile -t full < <(bench_memlock_kib "$PIN_DIR" 4)
eps DEL 1 "$N" || exit 1
echo "bench_maps: $N endpoints added in $((t1 - t0)) s" >&2

G="dataplane pinned map memory (memlock)"
bench_row "$G" "empty node (maps of a first ADD, pod DELed)" "${empty[0]}" - KiB "" "largest, KiB: ${empty[1]}"
bench_row "$G" "with $N endpoints vs empty node" "${full[0]}" "${empty[0]}" KiB "" "largest, KiB: ${full[1]}"
bench_row "$G" "added per 1,000 endpoints" \
	"$(awk -v a="${full[0]}" -v b="${empty[0]}" -v n="$N" 'BEGIN { printf "%.0f", (a - b) * 1000 / n }')" - KiB "" \
	"every map but the LPM trie sfc_allowed_src is preallocated at its max_entries at load"
exit 0
