#!/usr/bin/env bash
# bench/profile.sh — a first profile of replsim (flow and latency transports) against bare_star
# on the star bench scenario, shortened (PROFILE_DURATION_S simulated seconds, default 10, same
# rate, so the same number of messages in flight): with perf when hardware counters work
# (`perf stat -e instructions true`), else with valgrind's callgrind (instruction counts:
# deterministic, unaffected by a noisy machine). Both run with the default raw contexts (the
# fastest: docs/performance.md, "Engine choices"; `replsim run --cfg contexts/factory:X` picks
# another), which callgrind follows (costs that cross a context switch show up as recursion,
# "'2"; self costs are exact). Prints the top PROFILE_TOP (default 10) functions
# by inclusive and by self cost for each program; keeps the raw profiles in
# out/bench/profile/. Takes a few minutes; not part of `make bench`, `make test` or CI.
#
#     bash bench/profile.sh [BUILD_DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build}
DURATION_S=${PROFILE_DURATION_S:-10}
TOP=${PROFILE_TOP:-10}
OUT=out/bench/profile
SCENARIO=$OUT/star-3x3-${DURATION_S}s.json
LATENCY_SCENARIO=$OUT/star-3x3-latency-${DURATION_S}s.json

BENCH_NAME="profile"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

[[ -x $BUILD/replsim && -x $BUILD/bench/bare_star ]] || die "build first (make build)"
mkdir -p "$OUT"
sed "s/\"duration_s\": 60,/\"duration_s\": $DURATION_S,/" bench/scenarios/star-3x3.json >"$SCENARIO"
grep -q "\"duration_s\": $DURATION_S," "$SCENARIO" ||
  die "cannot shorten bench/scenarios/star-3x3.json"
sed "s/\"duration_s\": 60,/\"duration_s\": $DURATION_S,/" bench/scenarios/star-3x3-latency.json \
  >"$LATENCY_SCENARIO"
grep -q "\"duration_s\": $DURATION_S," "$LATENCY_SCENARIO" ||
  die "cannot shorten bench/scenarios/star-3x3-latency.json"

# The single entry chain every instruction of a run passes through (ld.so start, main,
# rs_cli_*, rs_world_run, simgrid_run, Engine::run...): left out of inclusive listings.
ENTRY_CHAIN='0x000000000001ab70|\(below main\)|libc_start|:main( |$)|rs_cli_main|rs_cli_run'
ENTRY_CHAIN+='|rs_world_run|simgrid_run|Engine::run|EngineImpl::run\('

# top_functions FILE MODE: the TOP heaviest functions of a callgrind profile, one per line:
# instructions, percentage, function [object]. MODE: inclusive, self, or own (inclusive,
# only the functions of the profiled program itself). Inclusive listings skip ENTRY_CHAIN;
# each function appears once (its "'2" recursion entries, which context switches create, and
# file-path variants are dropped).
top_functions() {
  callgrind_annotate --inclusive="$([[ $2 == self ]] && echo no || echo yes)" --threshold=100 \
      "$1" 2>/dev/null |
    awk -v top="$TOP" -v mode="$2" -v chain="$ENTRY_CHAIN" -v program="${3:-}" '
      /^ *[0-9,]+ \( *[0-9.]+%\)  / && !/PROGRAM TOTALS/ {
        name = $0; sub(/^ *[0-9,]+ \( *[0-9.]+%\) +/, "", name)
        if (mode != "self" && name ~ chain) next
        if (mode == "own" && index(name, "/" program "]") == 0) next
        key = name; sub(/ \[[^]]*\]$/, "", key); gsub(/\047[0-9]+/, "", key)
        if (key ~ /^\?\?\?:/) key = substr(key, 5); else sub(/^[^:]*:/, "", key)
        if (key in seen || n >= top) next
        seen[key] = 1; n++
        sub(/^ +/, ""); print
      }' | cut -c1-150
}

profile_callgrind() {
  local program label status
  for label in replsim latency bare; do
    if [[ $label == replsim ]]; then
      program=("$BUILD/replsim" run "$SCENARIO" --out "$OUT/replsim-report")
    elif [[ $label == latency ]]; then
      program=("$BUILD/replsim" run "$LATENCY_SCENARIO" --out "$OUT/latency-report")
    else
      program=("$BUILD/bench/bare_star" "$SCENARIO")
    fi
    echo "== callgrind: ${program[*]}"
    status=0  # replsim exits 1 when the verdict fails: still a profile
    valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$label.out" "${program[@]}" \
      >"$OUT/$label.log" 2>&1 || status=$?
    (( status == 0 || status == 1 )) || die "callgrind on $label failed (see $OUT/$label.log)"
    grep -E "Collected|refs" "$OUT/$label.log" | tail -1
    echo "-- top $TOP by inclusive cost"
    top_functions "$OUT/callgrind.$label.out" inclusive
    echo "-- top $TOP by self cost"
    top_functions "$OUT/callgrind.$label.out" self
    echo "-- top $TOP of the program's own functions, by inclusive cost"
    top_functions "$OUT/callgrind.$label.out" own "$(basename "${program[0]}")"
  done
}

profile_perf() {
  local label
  for label in replsim latency bare; do
    local program=("$BUILD/bench/bare_star" "$SCENARIO")
    [[ $label != replsim ]] ||
      program=("$BUILD/replsim" run "$SCENARIO" --out "$OUT/replsim-report")
    [[ $label != latency ]] ||
      program=("$BUILD/replsim" run "$LATENCY_SCENARIO" --out "$OUT/latency-report")
    echo "== perf: ${program[*]}"
    perf record -g -o "$OUT/perf.$label.data" "${program[@]}" >"$OUT/$label.log" 2>&1 || true
    perf report -i "$OUT/perf.$label.data" --children --stdio 2>/dev/null |
      grep -E '^ +[0-9.]+%' | head -n "$TOP"
    perf report -i "$OUT/perf.$label.data" --no-children --stdio 2>/dev/null |
      grep -E '^ +[0-9.]+%' | head -n "$TOP"
  done
}

counters=$(perf stat -e instructions true 2>&1 || true)
if [[ $counters == *instructions* && $counters != *"not supported"* ]]; then
  profile_perf
elif command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo "profile: perf has no hardware counters here; using callgrind" >&2
  profile_callgrind
else
  die "neither perf with hardware counters nor valgrind is available"
fi
echo "profile: raw profiles in $OUT/" >&2
