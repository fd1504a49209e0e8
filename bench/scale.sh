#!/usr/bin/env bash
# bench/scale.sh — the scale half of the performance issue, measured (not part of `make bench`,
# `make test` or CI: it takes minutes). Two measurements, both on the latency transport:
#
# * linearity: bench/scenarios/star-3x3-latency.json at 1x, 4x and 16x its events (the
#   duration multiplied, the rate kept, so the same messages are in flight), RUNS runs each
#   (default 5, interleaved across the scales) of `replsim run --no-plots` and one with plots
#   at each scale. Per scale: median wall and CPU seconds, wall
#   µs per event, the ratio to linear (wall(kx) / (k * wall(1x))), peak RSS, and stored
#   event-replicas (the stores' final events). Linearity beyond a fixed cost: the least-squares
#   line of wall time over events (a fixed cost plus a cost per event) and the largest
#   deviation of a scale from it, and the marginal cost per event of 4x..16x over 1x..4x
#   (1.00: the later events cost exactly as much as the earlier ones). Memory beyond a fixed base: the least-squares line of peak
#   RSS over event-replicas gives the bytes per event-replica (slope: history, store logs and
#   report included) and the base (intercept).
# * scale-1000: bench/scenarios/scale-1000.json (20 regions x 50 stores, async_queue with
#   primary local_region: each event written to the 50 stores of its origin region before the
#   ack, then copied to the other 950 by the queue's workers), once without and once with
#   plots: time and memory.
#
# Prints tables; writes out/bench/scale.json. Honest figures only: nothing is tuned to a target.
#
#     bash bench/scale.sh [BUILD_DIR]                  BUILD_DIR defaults to build
#     SCALE_RUNS=1 SCALE_ONLY=linearity bash bench/scale.sh build-perf     a quicker look
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build}
RUNS=${SCALE_RUNS:-5}
ONLY=${SCALE_ONLY:-}
OUT=out/bench/scale
REPLSIM=$BUILD/replsim
MEASURE=$BUILD/bench/bench_measure
BASE_SCENARIO=bench/scenarios/star-3x3-latency.json
BASE_DURATION_S=60
SCALES=(1 4 16)
BIG_SCENARIO=bench/scenarios/scale-1000.json

BENCH_NAME="scale"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

for binary in "$REPLSIM" "$MEASURE"; do
  [[ -x $binary ]] || die "$binary is missing; build first (make build, or cmake --build $BUILD)"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "SCALE_RUNS='$RUNS' is not a positive integer"
grep -q "\"duration_s\": $BASE_DURATION_S," "$BASE_SCENARIO" ||
  die "$BASE_SCENARIO no longer has duration_s $BASE_DURATION_S"


# summary_figures SUMMARY: "requests replicas simulated_events" of a replsim summary.json
# (replicas: the stores' final events summed).
summary_figures() {
  awk '
    /^\t"requests":/ { in_requests = 1 }
    in_requests && /^\t\t"total":/ { gsub(/[^0-9]/, "", $2); requests = $2; in_requests = 0 }
    /^\t\t\t"final_events":/ { gsub(/[^0-9]/, "", $2); replicas += $2 }
    /^\t"simulated_events":/ { gsub(/[^0-9]/, "", $2); simulated = $2 }
    END { if (requests == "" || simulated == "") exit 1; print requests, replicas + 0, simulated }
  ' "$1"
}

# run_one LABEL PLOTS SCENARIO [--set ...]: one measured run; PLOTS "np" hides gnuplot. Prints
# "wall_s cpu_s rss_kib requests replicas simulated".
run_one() {
  local label=$1 plots=$2 scenario=$3 status=0 no_plots=()
  shift 3
  [[ $plots != np ]] || no_plots=(--no-plots)
  "$MEASURE" "$OUT/$label.measure" "$REPLSIM" run "$scenario" "$@" "${no_plots[@]}" \
    --out "$OUT/$label" >"$OUT/$label.log" 2>&1 || status=$?
  if (( status != 0 && status != 1 )); then
    cat "$OUT/$label.log" >&2
    die "replsim run $scenario $* exited $status"
  fi
  (( status == 0 )) || echo "scale: note: $label: verdict FAIL (see $OUT/$label/summary.md)" >&2
  local figures
  figures=$(summary_figures "$OUT/$label/summary.json") ||
    die "cannot read $OUT/$label/summary.json"
  awk -v figures="$figures" '{ printf "%s %s %s %s\n", $1, $2 + $3, $4, figures }' \
    "$OUT/$label.measure"
}

# scale_figures K: the run figures of scale K as "wall cpu rss requests replicas simulated"
# medians, after checking every run of it gave the same simulated figures (determinism).
scale_figures() {
  local k=$1 i first
  first=$(cut -d' ' -f4- <<<"${RUN_FIGURES[$k,1]}")
  for (( i = 2; i <= RUNS; i++ )); do
    [[ $(cut -d' ' -f4- <<<"${RUN_FIGURES[$k,$i]}") == "$first" ]] ||
      die "linearity ${k}x: run $i gave other figures than run 1 (not deterministic)"
  done
  local column values=()
  for column in 1 2 3; do
    values+=("$(for (( i = 1; i <= RUNS; i++ )); do cut -d' ' -f$column <<<"${RUN_FIGURES[$k,$i]}"; done | median)")
  done
  echo "${values[*]} $first"
}

# linearity: fills LINEAR_ROWS, LINEAR_JSON and LINEAR_FIT. The runs are interleaved (1x, 4x,
# 16x, then again), so a slow minute of this shared machine weighs on every scale alike.
linearity() {
  local k i label wall cpu rss requests replicas simulated wall_1="" points=""
  declare -gA RUN_FIGURES=()
  LINEAR_ROWS=() LINEAR_JSON=()
  for (( i = 1; i <= RUNS; i++ )); do
    for k in "${SCALES[@]}"; do
      label=linear-${k}x-np-$i
      RUN_FIGURES[$k,$i]=$(run_one "$label" np "$BASE_SCENARIO" \
        --set "duration_s=$(( BASE_DURATION_S * k ))")
      printf '.' >&2
    done
  done
  for k in "${SCALES[@]}"; do
    read -r wall cpu rss requests replicas simulated <<<"$(scale_figures "$k")"
    local plotted
    plotted=$(run_one "linear-${k}x-plots" plots "$BASE_SCENARIO" \
      --set "duration_s=$(( BASE_DURATION_S * k ))")
    printf '.' >&2
    [[ -n $wall_1 ]] || wall_1=$wall
    points+="$replicas $rss $requests $wall $cpu"$'\n'
    LINEAR_ROWS+=("$(awk -v k="$k" -v req="$requests" -v rep="$replicas" -v wall="$wall" \
      -v cpu="$cpu" -v rss="$rss" -v w1="$wall_1" -v plotted="$plotted" 'BEGIN {
        split(plotted, p, " ")
        printf "%4dx %8d %9d %8.2f %8.2f %9.2f %9.3f %9.1f %9.2f %9.1f\n", k, req, rep, wall,
               cpu, wall / req * 1e6, wall / (k * w1), rss / 1024, p[1], p[3] / 1024 }')")
    LINEAR_JSON+=("$(awk -v k="$k" -v req="$requests" -v rep="$replicas" -v sim="$simulated" \
      -v wall="$wall" -v cpu="$cpu" -v rss="$rss" -v w1="$wall_1" -v plotted="$plotted" 'BEGIN {
        split(plotted, p, " ")
        printf "{\"scale\": %d, \"events\": %d, \"event_replicas\": %d, \"simulated_events\": %d, ",
               k, req, rep, sim
        printf "\"wall_s_median\": %.3f, \"cpu_s_median\": %.3f, \"wall_us_per_event\": %.2f, ",
               wall, cpu, wall / req * 1e6
        printf "\"ratio_to_linear\": %.3f, \"rss_mib_median\": %.1f, ", wall / (k * w1), rss / 1024
        printf "\"with_plots\": {\"wall_s\": %.3f, \"cpu_s\": %.3f, \"rss_mib\": %.1f}}",
               p[1], p[2], p[3] / 1024 }')")
  done
  # least squares of peak RSS (bytes) over replicas: slope = bytes per replica, intercept =
  # the base; of wall seconds over events: a fixed cost plus a cost per event, with the
  # largest deviation of a scale from that line; and the marginal cost per event from 1x to
  # 4x against 4x to 16x (wall and CPU): 1.00 is exactly linear beyond the fixed cost, above
  # 1 the later events cost more
  LINEAR_FIT=$(awk 'NF == 5 { n++; x[n] = $1; y[n] = $2 * 1024; e[n] = $3; w[n] = $4; c[n] = $5 }
    function fit(xs, ys,   i, sx, sy, sxx, sxy) {
      sx = sy = sxx = sxy = 0
      for (i = 1; i <= n; i++) { sx += xs[i]; sy += ys[i]; sxx += xs[i] ^ 2; sxy += xs[i] * ys[i] }
      SLOPE = (n * sxy - sx * sy) / (n * sxx - sx * sx); BASE = (sy - SLOPE * sx) / n
    }
    END {
      fit(x, y); rss_slope = SLOPE; rss_base = BASE / 1048576
      fit(e, w); deviation = 0
      for (i = 1; i <= n; i++) {
        d = w[i] / (BASE + SLOPE * e[i]) - 1; if (d < 0) d = -d; if (d > deviation) deviation = d
      }
      marginal_wall = ((w[3] - w[2]) / (e[3] - e[2])) / ((w[2] - w[1]) / (e[2] - e[1]))
      marginal_cpu = ((c[3] - c[2]) / (e[3] - e[2])) / ((c[2] - c[1]) / (e[2] - e[1]))
      printf "%.1f %.1f %.3f %.3f %.1f %.3f %.3f", rss_slope, rss_base, BASE, SLOPE * 1e6,
             deviation * 100, marginal_wall, marginal_cpu
    }' <<<"$points")
}

# big: fills BIG_ROWS and BIG_JSON (scale-1000 without and with plots, once each).
big() {
  local plots label figures
  BIG_ROWS=() BIG_JSON=()
  for plots in np plots; do
    label=scale-1000-$plots
    figures=$(run_one "$label" "$plots" "$BIG_SCENARIO")
    printf '.' >&2
    BIG_ROWS+=("$(awk -v plots="$plots" -v f="$figures" 'BEGIN { split(f, v, " ")
      printf "%-6s %8d %9d %10d %8.2f %8.2f %9.1f %9.2f\n", plots, v[4], v[5], v[6], v[1], v[2],
             v[3] / 1024, v[1] / v[4] * 1e6 }')")
    BIG_JSON+=("$(awk -v plots="$plots" -v f="$figures" 'BEGIN { split(f, v, " ")
      printf "{\"plots\": %s, \"events\": %d, \"event_replicas\": %d, \"simulated_events\": %d, ",
             plots == "np" ? "false" : "true", v[4], v[5], v[6]
      printf "\"wall_s\": %.3f, \"cpu_s\": %.3f, \"rss_mib\": %.1f}", v[1], v[2], v[3] / 1024 }')")
  done
}

main() {
  mkdir -p "$OUT"
  rm -f "$OUT"/*.measure "$OUT"/*.log
  local linear_json=null big_json=null
  echo "scale: $RUNS runs per scale (no plots; one run with plots);" \
       "load $(cut -d' ' -f1 /proc/loadavg)" >&2
  if [[ -z $ONLY || $ONLY == linearity ]]; then
    printf 'scale: linearity ' >&2
    linearity
    echo >&2
    echo "linearity: $BASE_SCENARIO at 1x, 4x, 16x its events (latency transport)"
    printf '%5s %8s %9s %8s %8s %9s %9s %9s %9s %9s\n' scale events replicas wall_s cpu_s \
      us/event r_linear rss_MiB plots_s plots_MiB
    printf '%s\n' "${LINEAR_ROWS[@]}"
    read -r slope base fixed_s per_event_us deviation marginal_wall marginal_cpu <<<"$LINEAR_FIT"
    echo "(medians of $RUNS interleaved runs without plots; r_linear = wall(kx) / (k * wall(1x));"
    echo " plots_s, plots_MiB: one run with plots). Least squares: wall = $fixed_s s +"
    echo " $per_event_us µs per event, every scale within $deviation% of that line. Marginal cost"
    echo " per event, 4x..16x over 1x..4x: $marginal_wall wall, $marginal_cpu CPU (1 = linear)."
    echo " Peak RSS = $base MiB + $slope B per stored event-replica"
    linear_json="{\"scenario\": \"$BASE_SCENARIO\", \"runs\": $RUNS, \"scales\": ["
    linear_json+="$(IFS=,; echo "${LINEAR_JSON[*]}")], \"rss_bytes_per_event_replica\": $slope"
    linear_json+=", \"rss_base_mib\": $base, \"wall_fixed_s\": $fixed_s"
    linear_json+=", \"wall_us_per_event\": $per_event_us, \"wall_max_deviation_pct\": $deviation"
    linear_json+=", \"marginal_cost_ratio_wall\": $marginal_wall"
    linear_json+=", \"marginal_cost_ratio_cpu\": $marginal_cpu}"
  fi
  if [[ -z $ONLY || $ONLY == scale-1000 ]]; then
    printf 'scale: scale-1000 ' >&2
    big
    echo >&2
    echo "scale-1000: $BIG_SCENARIO (20 regions x 50 stores, latency transport), one run each"
    printf '%-6s %8s %9s %10s %8s %8s %9s %9s\n' run events replicas simulated wall_s cpu_s \
      rss_MiB us/event
    printf '%s\n' "${BIG_ROWS[@]}"
    big_json="{\"scenario\": \"$BIG_SCENARIO\", \"runs\": [$(IFS=,; echo "${BIG_JSON[*]}")]}"
  fi
  printf '{\n  "command": "bash bench/scale.sh %s",\n  "load_1m_at_end": %s,\n' "$BUILD" \
    "$(cut -d' ' -f1 /proc/loadavg)" >"$OUT.json"
  printf '  "linearity": %s,\n  "scale_1000": %s\n}\n' "$linear_json" "$big_json" >>"$OUT.json"
  echo "scale: results in $OUT.json" >&2
}

main
