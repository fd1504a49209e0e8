#!/usr/bin/env bash
# bench/run.sh — the performance bench (`make bench`): runs each scenario of bench/scenarios
# RUNS times (default 5) with replsim as a user runs it, with replsim without plot rendering
# (`--no-plots`: the report is written, the images are not — what the simulation and report
# cost alone) and, where the message pattern is star's (star-3x3, quorum-2of3),
# with bench/bare_star (the same messages on bare SimGrid; star-3x3-latency is star-3x3 on
# replsim's latency transport, which bare_star does not model); takes the median wall time, CPU
# time (user + sys) and peak RSS of each (measured by bench_measure, no extra package), and
# reports events and messages per wall-second and the replsim / bare ratios (of the medians,
# of the fastest runs, and the median of the paired runs' ratios, the steadiest). It
# fails when bare_star's message count differs from replsim's messages.total, or when a
# replsim figure changes between runs (a run is deterministic). Scenarios whose strategy
# `replsim list` does not show are skipped with a note. Prints a table; writes
# out/bench/results.json, with the latency transport's speed-up over flow on the star (flow
# star-3x3 / star-3x3-latency, medians; issue 9 asks >= 5x). Not part of `make test` or CI: it
# takes minutes.
#
#     bash bench/run.sh [BUILD_DIR]        BUILD_DIR defaults to build
#     BENCH_RUNS=3 BENCH_ONLY="star-3x3" bash bench/run.sh build    a quicker look
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build}
RUNS=${BENCH_RUNS:-5}
ONLY=${BENCH_ONLY:-}
OUT=out/bench
REPLSIM=$BUILD/replsim
BARE=$BUILD/bench/bare_star
MEASURE=$BUILD/bench/bench_measure

# scenario name, strategy it needs, bare: bare_star runs it too, -: no bare counterpart, or
# another scenario whose bare_star runs are the floor (same messages; measured before it)
SCENARIOS=(
  "star-3x3 star bare"
  "quorum-2of3 star bare"
  "star-3x3-latency star star-3x3"
  "batch batch -"
  "async-queue async_queue -"
)

BENCH_NAME="bench"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

for binary in "$REPLSIM" "$BARE" "$MEASURE"; do
  [[ -x $binary ]] || die "$binary is missing; build first (make build, or cmake --build $BUILD)"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS='$RUNS' is not a positive integer"


# json_number FILE SECTION KEY: the number at SECTION.KEY of a replsim summary.json (cJSON's
# tab-indented layout: sections one tab deep, their fields two); SECTION "-" = top level.
json_number() {
  awk -v section="$2" -v key="$3" '
    section == "-" && $1 == "\"" key "\":" { gsub(/[^0-9.eE+-]/, "", $2); print $2; exit }
    $0 ~ "^\t\"" section "\":" { inside = 1; next }
    inside && $0 ~ "^\t[^\t]" { inside = 0 }
    inside && $0 ~ "^\t\t\"" key "\":" { gsub(/[^0-9.eE+-]/, "", $2); print $2; exit }
  ' "$1"
}

# measure_field FILE N: field N of a bench_measure result (1 wall_s, 2 user_s, 3 sys_s,
# 4 maxrss_kib, 5 exit status); field 0 = user + sys.
measure_field() {
  awk -v n="$2" '{ print (n == 0 ? $2 + $3 : $n) }' "$1"
}

# run_replsim PROGRAM NAME I: one measured run of PROGRAM (replsim, or replsim-np: the same
# with --no-plots); prints "events messages simulated_events".
run_replsim() {
  local program=$1 name=$2 i=$3 dir=$OUT/$2 no_plots=()
  local status=0
  [[ $program == replsim ]] || no_plots=(--no-plots)
  "$MEASURE" "$dir/$program-$i.measure" "$REPLSIM" run "bench/scenarios/$name.json" \
    "${no_plots[@]}" --out "$dir/$program" >"$dir/$program-$i.log" 2>&1 || status=$?
  if (( status != 0 && status != 1 )); then
    cat "$dir/$program-$i.log" >&2
    die "$program run bench/scenarios/$name.json exited $status"
  fi
  local summary=$dir/$program/summary.json
  local events messages simulated
  events=$(json_number "$summary" requests total)
  messages=$(json_number "$summary" messages total)
  simulated=$(json_number "$summary" - simulated_events)
  [[ -n $events && -n $messages && -n $simulated ]] || die "cannot read figures from $summary"
  (( status == 0 )) || echo "bench: note: $name run $i verdict FAIL (see $summary)" >&2
  echo "$events $messages $simulated"
}

# run_bare NAME I: one measured bare_star run; prints "events messages".
run_bare() {
  local name=$1 i=$2 dir=$OUT/$1
  "$MEASURE" "$dir/bare-$i.measure" "$BARE" "bench/scenarios/$name.json" \
    >"$dir/bare-$i.log" 2>&1 || { cat "$dir/bare-$i.log" >&2; die "bare_star failed on $name"; }
  local events messages
  events=$(awk '$1 == "events" { print $2 }' "$dir/bare-$i.log")
  messages=$(awk '$1 == "messages" { print $2 }' "$dir/bare-$i.log")
  [[ -n $events && -n $messages ]] || die "cannot read figures from $dir/bare-$i.log"
  [[ $(awk '$1 == "acked" { print $2 }' "$dir/bare-$i.log") == "$events" ]] ||
    die "$name: bare_star did not ack every event (see $dir/bare-$i.log)"
  echo "$events $messages"
}

# runs_field PROGRAM NAME N: field N (see measure_field) of every run, one per line, in order.
runs_field() {
  local i
  for (( i = 1; i <= RUNS; i++ )); do measure_field "$OUT/$2/$1-$i.measure" "$3"; done
}

# medians PROGRAM NAME: "wall_s cpu_s rss_kib wall_s_min" over the runs of PROGRAM on NAME:
# three medians, then the fastest wall time.
medians() {
  echo "$(runs_field "$1" "$2" 1 | median) $(runs_field "$1" "$2" 0 | median)" \
       "$(runs_field "$1" "$2" 4 | median) $(runs_field "$1" "$2" 1 | minimum)"
}

# json_program PROGRAM NAME EVENTS MESSAGES: the JSON object of one program on one scenario.
json_program() {
  local wall cpu rss wall_min
  read -r wall cpu rss wall_min <<<"$(medians "$1" "$2")"
  awk -v events="$3" -v messages="$4" -v wall="$wall" -v cpu="$cpu" -v rss="$rss" \
      -v wall_min="$wall_min" \
      -v walls="$(runs_field "$1" "$2" 1 | paste -sd, -)" 'BEGIN {
    printf "{\"events\": %d, \"messages\": %d, \"wall_s_median\": %.3f, ", events, messages, wall
    printf "\"wall_s_min\": %.3f, ", wall_min
    printf "\"cpu_s_median\": %.3f, \"rss_mib_median\": %.1f, ", cpu, rss / 1024
    printf "\"events_per_wall_s\": %.0f, \"messages_per_wall_s\": %.0f, ", events / wall,
           messages / wall
    gsub(/,/, ", ", walls)
    printf "\"wall_s_runs\": [%s]}", walls
  }'
}

# table_row NAME PROGRAM EVENTS MESSAGES [BARE_WALL BARE_CPU BARE_MIN]: one printed row; the
# ratio columns are filled on replsim rows that have a bare counterpart.
table_row() {
  local wall cpu rss wall_min
  read -r wall cpu rss wall_min <<<"$(medians "$2" "$1")"
  local paired=""
  [[ -z ${8:-} ]] || paired=$(paired_ratio "$2" "$1" "$8")
  awk -v name="$1" -v program="$2" -v events="$3" -v messages="$4" -v wall="$wall" \
      -v cpu="$cpu" -v rss="$rss" -v wall_min="$wall_min" -v bare_wall="${5:-}" \
      -v bare_cpu="${6:-}" -v bare_min="${7:-}" -v paired="$paired" 'BEGIN {
    ratio_wall = bare_wall == "" ? "-" : sprintf("%.2f", wall / bare_wall)
    ratio_cpu = bare_cpu == "" ? "-" : sprintf("%.2f", cpu / bare_cpu)
    ratio_min = bare_min == "" ? "-" : sprintf("%.2f", wall_min / bare_min)
    ratio_pair = paired == "" ? "-" : sprintf("%.2f", paired)
    printf "%-16s %-10s %7d %8d %7.2f %7.2f %7.2f %7.1f %9.0f %11.0f %6s %6s %6s %6s\n", name,
           program, events, messages, wall, wall_min, cpu, rss / 1024, events / wall,
           messages / wall, ratio_wall, ratio_cpu, ratio_min, ratio_pair
  }'
}

# paired_ratio PROGRAM NAME FLOOR: the median over runs i of PROGRAM's run i on NAME over bare's
# run i on FLOOR (wall). The runs of one round follow each other, so a slow minute of a shared
# machine tends to slow both sides of a pair: steadier than the ratio of the medians.
paired_ratio() {
  local i
  for (( i = 1; i <= RUNS; i++ )); do
    awk -v r="$(measure_field "$OUT/$2/$1-$i.measure" 1)" \
        -v b="$(measure_field "$OUT/$3/bare-$i.measure" 1)" 'BEGIN { printf "%.4f\n", r / b }'
  done | median
}

# ratios NAME PROGRAM FLOOR: '"ratio_wall": r, "ratio_cpu": r, "ratio_wall_min": r,
# "ratio_wall_paired": r' of PROGRAM's figures on NAME over bare's on FLOOR (medians, fastest
# runs, median of the paired runs' ratios).
ratios() {
  local wall cpu wall_min bare_wall bare_cpu bare_min
  read -r wall cpu _ wall_min <<<"$(medians "$2" "$1")"
  read -r bare_wall bare_cpu _ bare_min <<<"$(medians bare "$3")"
  awk -v r="$wall" -v b="$bare_wall" -v rc="$cpu" -v bc="$bare_cpu" -v rm="$wall_min" \
      -v bm="$bare_min" -v paired="$(paired_ratio "$2" "$1" "$3")" 'BEGIN {
    printf "\"ratio_wall\": %.3f, \"ratio_cpu\": %.3f, ", r / b, rc / bc
    printf "\"ratio_wall_min\": %.3f, \"ratio_wall_paired\": %.3f", rm / bm, paired }'
}

# bench_runs NAME WITH_BARE: RUNS interleaved runs of each program on NAME, checked (replsim
# figures identical in every run of both variants; bare's message count equal to replsim's);
# prints the figures "events messages simulated_events bare_events".
bench_runs() {
  local name=$1 with_bare=$2 i program figures first="" bare="" bare_first=""
  for (( i = 1; i <= RUNS; i++ )); do
    for program in replsim replsim-np; do
      figures=$(run_replsim "$program" "$name" "$i")
      [[ -z $first || $figures == "$first" ]] ||
        die "$name: $program run $i gave '$figures' (events messages simulated), first '$first'"
      first=$figures
    done
    if [[ $with_bare == bare ]]; then
      bare=$(run_bare "$name" "$i")
      [[ ${bare#* } == "$(cut -d' ' -f2 <<<"$first")" ]] ||
        die "$name: bare_star sent ${bare#* } messages, replsim $(cut -d' ' -f2 <<<"$first")"
      [[ -z $bare_first || $bare == "$bare_first" ]] || die "$name: bare_star is not deterministic"
      bare_first=$bare
    fi
    printf '.' >&2
  done
  echo "$first ${bare_first% *}"
}

# bench_scenario NAME WITH_BARE: measures NAME; appends its table rows to ROWS and its JSON
# object to ENTRIES. WITH_BARE as in SCENARIOS.
bench_scenario() {
  local name=$1 with_bare=$2 dir=$OUT/$1 events messages simulated bare_events floor=$1
  mkdir -p "$dir"
  rm -f "$dir"/*.measure "$dir"/*.log
  read -r events messages simulated bare_events <<<"$(bench_runs "$name" "$with_bare")"
  if [[ $with_bare != bare && $with_bare != - && " $MEASURED " != *" $with_bare "* ]]; then
    echo "bench: note: $name: $with_bare was not measured in this run; no ratio" >&2
    with_bare=-
  fi
  if [[ $with_bare != bare && $with_bare != - ]]; then
    floor=$with_bare  # the bare runs of another scenario with the same messages, just measured
    bare_events=$(awk '$1 == "events" { print $2 }' "$OUT/$floor/bare-1.log")
    [[ $(awk '$1 == "messages" { print $2 }' "$OUT/$floor/bare-1.log") == "$messages" ]] ||
      die "$name: replsim sent $messages messages, bare_star on $floor a different count"
  fi
  local entry="{\"name\": \"$name\", \"file\": \"bench/scenarios/$name.json\", \"runs\": $RUNS"
  entry+=", \"simulated_events\": $simulated"
  entry+=", \"replsim\": $(json_program replsim "$name" "$events" "$messages")"
  entry+=", \"replsim_no_plots\": $(json_program replsim-np "$name" "$events" "$messages")"
  if [[ $with_bare != - ]]; then
    local bare_figures
    read -r -a bare_figures <<<"$(medians bare "$floor")"  # wall cpu rss wall_min
    ROWS+=("$(table_row "$name" replsim "$events" "$messages" "${bare_figures[0]}" \
      "${bare_figures[1]}" "${bare_figures[3]}" "$floor")")
    ROWS+=("$(table_row "$name" replsim-np "$events" "$messages" "${bare_figures[0]}" \
      "${bare_figures[1]}" "${bare_figures[3]}" "$floor")")
    [[ $with_bare != bare ]] || ROWS+=("$(table_row "$name" bare "$bare_events" "$messages")")
    entry+=", \"bare_of\": \"$floor\""
    entry+=", \"bare\": $(json_program bare "$floor" "$bare_events" "$messages")"
    entry+=", $(ratios "$name" replsim "$floor")"
    entry+=", $(ratios "$name" replsim-np "$floor" |
      sed 's/"ratio_\([a-z_]*\)"/"ratio_\1_no_plots"/g')"
  else
    ROWS+=("$(table_row "$name" replsim "$events" "$messages")")
    ROWS+=("$(table_row "$name" replsim-np "$events" "$messages")")
    entry+=", \"bare\": null"
  fi
  ENTRIES+=("$entry}")
  MEASURED+=" $name"
}

# speedup PROGRAM: median wall seconds of PROGRAM on star-3x3 (flow) over star-3x3-latency
# (the same run on the latency transport): how many times faster the latency transport is
# (issue 9 asks for >= 5); then the same over median CPU seconds.
speedup() {
  local flow_wall flow_cpu latency_wall latency_cpu
  read -r flow_wall flow_cpu _ <<<"$(medians "$1" star-3x3)"
  read -r latency_wall latency_cpu _ <<<"$(medians "$1" star-3x3-latency)"
  awk -v fw="$flow_wall" -v fc="$flow_cpu" -v lw="$latency_wall" -v lc="$latency_cpu" \
    'BEGIN { printf "%.2f %.2f", fw / lw, fc / lc }'
}

# speedup_report: prints the latency transport's speed-up and its JSON member (or null when
# star-3x3 and star-3x3-latency were not both measured in this run) into SPEEDUP_JSON.
speedup_report() {
  SPEEDUP_JSON=null
  [[ " $MEASURED " == *" star-3x3 "* && " $MEASURED " == *" star-3x3-latency "* ]] || return 0
  local wall cpu wall_np cpu_np
  read -r wall cpu <<<"$(speedup replsim)"
  read -r wall_np cpu_np <<<"$(speedup replsim-np)"
  echo "latency transport vs flow on star-3x3 (median star-3x3 / median star-3x3-latency):" \
       "replsim ${wall}x wall, ${cpu}x cpu; replsim-np ${wall_np}x wall, ${cpu_np}x cpu" \
       "(issue 9: >= 5x)"
  SPEEDUP_JSON="{\"flow\": \"star-3x3\", \"latency\": \"star-3x3-latency\", \"wall\": $wall"
  SPEEDUP_JSON+=", \"cpu\": $cpu, \"wall_no_plots\": $wall_np, \"cpu_no_plots\": $cpu_np}"
}

machine_json() {
  local cpu memory
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576; exit }' /proc/meminfo)
  printf '{"nproc": %s, "cpu": "%s", "memory_gib": %s, "simgrid": "%s", "load_1m_at_start": %s}' \
    "$(nproc)" "$cpu" "$memory" "$(pkg-config --modversion simgrid 2>/dev/null || echo unknown)" \
    "$(cut -d' ' -f1 /proc/loadavg)"
}

main() {
  local machine strategies spec name strategy with_bare skipped=()
  ROWS=() ENTRIES=() MEASURED=""
  mkdir -p "$OUT"
  machine=$(machine_json)
  strategies=$("$REPLSIM" list)
  for name in $ONLY; do
    [[ " ${SCENARIOS[*]} " == *" $name "* ]] || die "BENCH_ONLY: no bench scenario '$name'"
  done
  echo "bench: $RUNS runs per program and scenario, medians; machine $machine" >&2
  for spec in "${SCENARIOS[@]}"; do
    read -r name strategy with_bare <<<"$spec"
    if [[ -n $ONLY && " $ONLY " != *" $name "* ]]; then
      continue
    fi
    if ! grep -Eq "^  $strategy( |\$)" <<<"$strategies"; then
      echo "bench: note: skipping $name: 'replsim list' has no strategy $strategy yet" >&2
      skipped+=("{\"name\": \"$name\", \"reason\": \"strategy $strategy not in replsim list\"}")
      continue
    fi
    printf 'bench: %s ' "$name" >&2
    bench_scenario "$name" "$with_bare"
    echo >&2
  done
  printf '%-16s %-10s %7s %8s %7s %7s %7s %7s %9s %11s %6s %6s %6s %6s\n' scenario program \
    events messages wall_s min_s cpu_s rss_MiB events/s messages/s r_wall r_cpu r_min r_pair
  (( ${#ROWS[@]} == 0 )) || printf '%s\n' "${ROWS[@]}"
  echo "(medians of $RUNS; min_s = fastest run; wall = elapsed seconds, cpu = user + sys;" \
       "events/s and messages/s per median wall-second; r_wall, r_cpu = this row / bare" \
       "(medians), r_min = fastest run / bare's fastest, r_pair = median of run i / bare's run i;" \
       "replsim-np = replsim without plot rendering)"
  speedup_report
  {
    printf '{\n  "bench_version": 1,\n  "command": "bash bench/run.sh %s",\n' "$BUILD"
    printf '  "machine": %s,\n  "runs": %s,\n  "scenarios": [\n' "$machine" "$RUNS"
    local IFS=$'\n'
    (( ${#ENTRIES[@]} == 0 )) || printf '%s\n' "${ENTRIES[*]}" | sed 's/^/    /; $!s/$/,/'
    printf '  ],\n  "skipped": [%s],\n' "$(IFS=,; echo "${skipped[*]:-}")"
    printf '  "latency_speedup": %s,\n' "$SPEEDUP_JSON"
    printf '  "load_1m_at_end": %s\n}\n' "$(cut -d' ' -f1 /proc/loadavg)"
  } >"$OUT/results.json"
  echo "bench: results in $OUT/results.json" >&2
}

main
