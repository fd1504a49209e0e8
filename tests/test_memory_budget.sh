#!/usr/bin/env bash
# test_memory_budget.sh — a scenario whose estimated memory exceeds the budget is refused
# before it runs (exit 2, the estimate and the budget in the message, no report written) by
# run and check; the same scenario within the budget runs; a malformed budget is exit 2.
set -euo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
scenario="$src/scenarios/three-regions-star.json"

# 100000 events/s x 30 s = 3e6 events x 9 targets x 48 B + 3e6 x 96 B + 9 stores x 3e6 / 4 B
# (held-id bitmaps) + 64 MiB = 1581 MiB
status=0; REPLSIM_MEMORY_BUDGET_MIB=1000 "$replsim" run "$scenario" --set workload.rate_per_s=100000 \
    --out "$work/big" 2> "$work/err" || status=$?
check "run refuses with exit 2" '[ "$status" -eq 2 ]'
check "the message gives the estimate and the budget" \
      'grep -q "estimated memory 1581 MiB (3000000 events x 9 target stores" "$work/err" && grep -q "budget of 1000 MiB" "$work/err"'
check "nothing was written" '[ ! -e "$work/big" ]'
status=0; REPLSIM_MEMORY_BUDGET_MIB=1000 "$replsim" check "$scenario" --set workload.rate_per_s=100000 \
    --seeds 1 --out "$work/check" > /dev/null 2>&1 || status=$?
check "check refuses with exit 2" '[ "$status" -eq 2 ]'
status=0; REPLSIM_MEMORY_BUDGET_MIB=3000 "$replsim" validate "$scenario" > /dev/null 2>&1 || status=$?
check "validate does not judge memory" '[ "$status" -eq 0 ]'
status=0; REPLSIM_MEMORY_BUDGET_MIB=100 "$replsim" run "$scenario" --set duration_s=2 --out "$work/small" > /dev/null 2>&1 || status=$?
check "a run within the budget runs" '[ "$status" -eq 0 ] && [ -s "$work/small/summary.json" ]'
status=0; REPLSIM_MEMORY_BUDGET_MIB=lots "$replsim" run "$scenario" --out "$work/bad" 2> "$work/err2" || status=$?
check "a malformed budget is exit 2" '[ "$status" -eq 2 ] && grep -q "REPLSIM_MEMORY_BUDGET_MIB" "$work/err2"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
