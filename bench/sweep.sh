#!/usr/bin/env bash
# bench/sweep.sh — the parallel-sweep target of the performance issue, measured: the same sweep
# (bench/scenarios/star-3x3-latency.json, SWEEP_DURATION_S simulated seconds (default 60), two
# rates x SWEEP_SEEDS seeds = 2 x SWEEP_SEEDS runs) with `-j 1` and with `-j 2`, PAIRS times
# (default 3), interleaved (-j 1, -j 2, then again) so a slow minute of a shared machine weighs on
# both; the speed-up is median(-j 1) / median(-j 2), also per pair. It checks that both sweeps
# wrote the same sweep.csv (the parallel sweep computes the same thing). Each sweep's runs write
# full reports with plots, as a user's sweep does. Not part of `make test` or CI.
#
#     bash bench/sweep.sh [BUILD_DIR]                         BUILD_DIR defaults to build
#     SWEEP_PAIRS=1 SWEEP_SEEDS=2 bash bench/sweep.sh build    a quicker look
#
# Prints the runs and a closing line; writes out/bench/sweep.json.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build}
PAIRS=${SWEEP_PAIRS:-3}
SEEDS=${SWEEP_SEEDS:-4}
DURATION_S=${SWEEP_DURATION_S:-60}
OUT=out/bench/sweep
REPLSIM=$BUILD/replsim
MEASURE=$BUILD/bench/bench_measure
SCENARIO=bench/scenarios/star-3x3-latency.json

BENCH_NAME="sweep bench"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

for binary in "$REPLSIM" "$MEASURE"; do
  [[ -x $binary ]] || die "$binary is missing; build first (make build, or cmake --build $BUILD)"
done
for value in "$PAIRS" "$SEEDS" "$DURATION_S"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || die "'$value' is not a positive integer"
done

# sweep_once JOBS LABEL: one measured sweep; prints its wall seconds.
sweep_once() {
  local jobs=$1 label=$2
  rm -rf "${OUT:?}/$label"
  "$MEASURE" "$OUT/$label.measure" "$REPLSIM" sweep "$SCENARIO" \
    --set "duration_s=$DURATION_S" --set workload.rate_per_s=250,500 --seeds "$SEEDS" \
    -j "$jobs" --out "$OUT/$label" >"$OUT/$label.log" 2>&1 ||
    { cat "$OUT/$label.log" >&2; die "sweep -j $jobs exited non-zero"; }
  awk '{ printf "%.2f\n", $1 }' "$OUT/$label.measure"
}

mkdir -p "$OUT"
runs=$(( 2 * SEEDS ))
echo "sweep bench: $runs runs of $SCENARIO (duration_s $DURATION_S), $PAIRS pairs;" \
     "$(nproc) cores; load $(cut -d' ' -f1 /proc/loadavg)" >&2
j1=() j2=() json_pairs=()
for (( i = 1; i <= PAIRS; i++ )); do
  j1+=("$(sweep_once 1 "j1-$i")")
  j2+=("$(sweep_once 2 "j2-$i")")
  cmp -s "$OUT/j1-$i/sweep.csv" "$OUT/j2-$i/sweep.csv" ||
    die "pair $i: sweep.csv differs between -j 1 and -j 2"
  ratio=$(awk -v a="${j1[-1]}" -v b="${j2[-1]}" 'BEGIN { printf "%.2f", a / b }')
  echo "pair $i: -j 1 ${j1[-1]} s, -j 2 ${j2[-1]} s, speed-up ${ratio}x" \
       "(load $(cut -d' ' -f1 /proc/loadavg))"
  json_pairs+=("{\"j1_wall_s\": ${j1[-1]}, \"j2_wall_s\": ${j2[-1]}, \"speedup\": $ratio}")
done
m1=$(printf '%s\n' "${j1[@]}" | median)
m2=$(printf '%s\n' "${j2[@]}" | median)
speedup=$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", a / b }')
echo "sweep -j 2 vs -j 1: median $m1 s / $m2 s = ${speedup}x (issue 8: >= 1.8x on 2 cores)"
printf '{"command": "bash bench/sweep.sh %s", "runs_per_sweep": %d, "pairs": [%s], ' \
  "$BUILD" "$runs" "$(IFS=,; echo "${json_pairs[*]}")" >"$OUT.json"
printf '"j1_wall_s_median": %s, "j2_wall_s_median": %s, "speedup": %s, "load_1m_at_end": %s}\n' \
  "$m1" "$m2" "$speedup" "$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT.json"
echo "sweep bench: results in $OUT.json" >&2
