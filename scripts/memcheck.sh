#!/usr/bin/env bash
# memcheck.sh — one end-to-end run under valgrind memcheck: every error (invalid read/write,
# uninitialised value, definite leak) fails. No suppression file is needed today: SimGrid
# 3.32's engine-lifetime allocations are "still reachable" or "possibly lost", not "definitely
# lost", so they are not counted as errors. Usage: scripts/memcheck.sh [BUILD_DIR] [SCENARIO]
# (defaults: build, scenarios/three-regions-star.json shortened to 3 s + 1 s settle).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scenario=${2:-}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed (apt-get install valgrind)"; exit 2; }
if [ -z "$scenario" ]; then
    sed -e 's/"duration_s": 30/"duration_s": 3/' -e 's/"settle_s": 5/"settle_s": 1/' \
        scenarios/three-regions-star.json > "$work/short.json"
    scenario="$work/short.json"
fi
status=0
valgrind --error-exitcode=9 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --track-origins=yes \
    "$build/replsim" run "$scenario" --out "$work/out" > "$work/stdout" 2> "$work/valgrind.log" || status=$?
grep -E "ERROR SUMMARY|definitely lost" "$work/valgrind.log" || true
if [ "$status" -ne 0 ]; then
    echo "memcheck: FAILED (exit $status); full log follows"
    cat "$work/valgrind.log"
    exit 1
fi
echo "memcheck: 0 errors in an end-to-end run of $scenario"
