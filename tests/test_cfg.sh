#!/usr/bin/env bash
# test_cfg.sh — `--cfg KEY:VALUE` (model/world_engine.c): every context factory gives a
# byte-identical report (summary.json, summary.md, timeseries.csv) to the default run on a small
# scenario, on both transports, and so do the stack and guard sizes; the setting reaches SimGrid
# (the thread factory runs the actors as threads: the process is seen with many); `check` takes
# it too; and a bad key, a bad value, a refused key and a missing value each exit 2 with one
# line on stderr naming the problem, before any report is written.
set -euo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
scenario=$src/scenarios/three-regions-star.json
failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# 1. byte-identical reports across factories, both transports
for transport in flow latency; do
    sets=(--set duration_s=2 --set network.transport=$transport)
    "$replsim" run "$scenario" "${sets[@]}" --no-plots --out "$work/$transport-default" > /dev/null
    for factory in raw ucontext boost thread; do
        out=$work/$transport-$factory
        "$replsim" run "$scenario" "${sets[@]}" --no-plots --out "$out" \
            --cfg contexts/factory:$factory > /dev/null || fail "$transport $factory: exit $?"
        for file in summary.json summary.md timeseries.csv; do
            cmp -s "$work/$transport-default/$file" "$out/$file" ||
                fail "$transport $factory: $file differs from the default run's"
        done
    done
    echo "ok   $transport: raw, ucontext, boost, thread identical to the default"
done
# SimGrid's spelling, --cfg=KEY:VALUE, and the other allowed keys
"$replsim" run "$scenario" --set duration_s=2 --set network.transport=flow --no-plots \
    --out "$work/spelling" --cfg=contexts/guard-size:0 --cfg contexts/stack-size:64 > /dev/null
cmp -s "$work/flow-default/summary.json" "$work/spelling/summary.json" &&
    echo "ok   --cfg=contexts/guard-size:0 --cfg contexts/stack-size:64 identical" ||
    fail "--cfg=contexts/guard-size:0 --cfg contexts/stack-size:64: summary.json differs"

# 2. the setting reaches SimGrid: with the thread factory every actor is a thread
"$replsim" run "$scenario" --set duration_s=10 --no-plots --out "$work/threads" \
    --cfg contexts/factory:thread > /dev/null &
pid=$!
threads_max=1
while kill -0 "$pid" 2> /dev/null; do
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2> /dev/null || echo 1)
    (( ${threads:-1} > threads_max )) && threads_max=$threads
    sleep 0.05
done
wait "$pid" || fail "thread factory run: exit $?"
if (( threads_max >= 10 )); then
    echo "ok   contexts/factory:thread ran with $threads_max threads"
else
    fail "contexts/factory:thread: at most $threads_max threads seen (the setting was lost?)"
fi

# 3. bad input: exit 2, one stderr line naming the problem, nothing written
expect_bad() {
    local name=$1 pattern=$2; shift 2
    local status=0
    "$@" > "$work/stdout" 2> "$work/stderr" || status=$?
    local lines
    lines=$(wc -l < "$work/stderr")
    if [ "$status" -ne 2 ]; then
        fail "$name: exit $status, expected 2"
    elif [ "$lines" -ne 1 ]; then
        fail "$name: $lines stderr lines, expected 1: $(head -c 300 "$work/stderr")"
    elif ! grep -q -- "$pattern" "$work/stderr"; then
        fail "$name: stderr lacks '$pattern': $(cat "$work/stderr")"
    elif [ -e "$work/bad/summary.json" ]; then
        fail "$name: a report was written"
    else
        echo "ok   $name: $(cat "$work/stderr")"
    fi
}
run=("$replsim" run "$scenario" --set duration_s=2 --out "$work/bad")
expect_bad "unknown key" "--cfg contexts/nosuch:1: contexts/nosuch: not a key" \
    "${run[@]}" --cfg contexts/nosuch:1
expect_bad "bad factory" "contexts/factory: bad value 'fibers'; allowed: raw, ucontext, boost" \
    "${run[@]}" --cfg contexts/factory:fibers
expect_bad "bad stack size" "contexts/stack-size: bad value '12k'" \
    "${run[@]}" --cfg contexts/stack-size:12k
expect_bad "stack too small" "contexts/stack-size: bad value '4'; allowed: KiB, an integer 64" \
    "${run[@]}" --cfg contexts/stack-size:4
expect_bad "pinned key" "network/model: pinned by replsim" "${run[@]}" --cfg network/model:LV08
expect_bad "parallel actors" "contexts/nthreads: parallel actors race" \
    "${run[@]}" --cfg contexts/nthreads:2
expect_bad "no colon" "--cfg contexts/factory: not KEY:VALUE" "${run[@]}" --cfg contexts/factory
expect_bad "no value" "unknown or incomplete option '--cfg'" "${run[@]}" --cfg
expect_bad "check, bad value" "replsim check: --cfg contexts/factory:x: contexts/factory: bad" \
    "$replsim" check "$scenario" --seeds 1 --out "$work/bad" --cfg contexts/factory:x

# 4. check takes --cfg: its run (seed 1) reports what a default run of seed 1 does
"$replsim" run "$scenario" --seed 1 --set duration_s=2 --out "$work/seed-1" > /dev/null
if "$replsim" check "$scenario" --seeds 1 --set duration_s=2 --out "$work/check" \
    --cfg contexts/factory:boost --cfg contexts/stack-size:256 > "$work/check.out"; then
    if cmp -s "$work/seed-1/summary.json" "$work/check/three-regions-star/seed-1/summary.json"; then
        echo "ok   check --cfg: $(tail -n 1 "$work/check.out"), summary identical to run's"
    else
        fail "check --cfg: summary.json differs from replsim run --seed 1's"
    fi
else
    fail "check --cfg: exit $?: $(tail -n 3 "$work/check.out")"
fi

echo "$failed failed"
[ "$failed" -eq 0 ]
