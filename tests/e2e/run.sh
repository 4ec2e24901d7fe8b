#!/usr/bin/env bash
# Runs every end-to-end test script (tests/e2e/test_*.sh) in turn, each in
# its own process with its own per-run prefix and cleanup trap, and prints
# the total as "N passed, N failed". Exit status: 0 only if all passed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD=${BUILD:-build}
pass=0 fail=0 failed_scripts=()
for t in "$here"/test_*.sh; do
	[ -e "$t" ] || continue
	echo "=== $(basename "$t")"
	out=$(mktemp)
	bash "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^ok - ' "$out"); f=$(grep -c '^not ok - ' "$out")
	rm -f "$out"
	# A script that died before counting still counts as one failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p)); fail=$((fail + f))
	[ "$rc" -eq 0 ] || failed_scripts+=("$(basename "$t")")
done
[ ${#failed_scripts[@]} -eq 0 ] || echo "failed scripts: ${failed_scripts[*]}"
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
