#!/usr/bin/env bash
# bench/engine.sh — SimGrid engine choices, measured (issue 8 item 3; docs/performance.md,
# "Engine choices"). Runs replsim (without plot rendering: gnuplot kept off its PATH, as
# bench/run.sh's replsim-np) on star-3x3, quorum-2of3 and star-3x3-latency, and bench/bare_star
# on star-3x3 and quorum-2of3, under each configuration below, RUNS times each (default 5),
# interleaved (run i of every configuration before run i + 1 of any), through bench_measure.
# The scenarios are bench/scenarios' shortened to DURATION_S simulated seconds (default 10: the
# thread factory and bare's kept handles are slow; the same rate, so the same messages in
# flight). Configurations: SimGrid's four context factories (raw is replsim's default), stack
# sizes 64 KiB and SimGrid's 8 MiB against replsim's 128 KiB, no guard page; and for bare_star
# only, its engine flags: kept put handles (--put=async-test), one wait_any receiver per node
# (--recv=waitany), one mailbox per node (--mailbox=node). It fails when a configuration changes
# results: every replsim summary.json of a scenario must be byte-identical to the raw run's, and
# every bare_star output to its default's. Prints a table (medians of wall and CPU seconds, the
# fastest run, peak RSS, ratio of median wall to the default configuration of the same program
# and scenario); writes out/bench/engine.json. Not part of `make test` or CI: it takes minutes.
#
#     bash bench/engine.sh [BUILD_DIR]                       BUILD_DIR defaults to build
#     BENCH_RUNS=3 ENGINE_DURATION_S=5 bash bench/engine.sh build       a quicker look
#     ENGINE_ONLY="raw boost" bash bench/engine.sh build                some configurations
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build}
RUNS=${BENCH_RUNS:-5}
DURATION_S=${ENGINE_DURATION_S:-10}
ONLY=${ENGINE_ONLY:-}
OUT=out/bench/engine
REPLSIM=$BUILD/replsim
BARE=$BUILD/bench/bare_star
MEASURE=$BUILD/bench/bench_measure

# name, programs it applies to (r: replsim, b: bare_star), then its arguments ("-": none)
CONFIGS=(
  "raw rb --cfg=contexts/factory:raw"
  "boost rb --cfg=contexts/factory:boost"
  "ucontext rb --cfg=contexts/factory:ucontext"
  "thread rb --cfg=contexts/factory:thread"
  "stack-64 rb --cfg=contexts/stack-size:64"
  "stack-8192 rb --cfg=contexts/stack-size:8192"
  "guard-0 rb --cfg=contexts/guard-size:0"
  "put-async-test b --put=async-test"
  "recv-waitany b --recv=waitany"
  "mailbox-node b --mailbox=node"
)
# scenario, programs that run it
SCENARIOS=("star-3x3 rb" "quorum-2of3 rb" "star-3x3-latency r")

BENCH_NAME="engine"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

for binary in "$REPLSIM" "$BARE" "$MEASURE"; do
  [[ -x $binary ]] || die "$binary is missing; build first (make build, or cmake --build $BUILD)"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS='$RUNS' is not a positive integer"
[[ $DURATION_S =~ ^[1-9][0-9]*$ ]] ||
  die "ENGINE_DURATION_S='$DURATION_S' is not a positive integer"


# args CONFIG PROGRAM: the command-line arguments of CONFIG for PROGRAM (replsim takes
# "--cfg KEY:VALUE", bare_star "--cfg=KEY:VALUE"); nothing when CONFIG is not for PROGRAM.
config_args() {
  local spec name programs args
  for spec in "${CONFIGS[@]}"; do
    read -r name programs args <<<"$spec"
    [[ $name == "$1" && $programs == *"$2"* ]] || continue
    if [[ $2 == r ]]; then echo "${args/--cfg=/--cfg }"; else echo "$args"; fi
    return 0
  done
  return 1
}

# run_one PROGRAM SCENARIO CONFIG I: one measured run; checks its results against the first
# configuration's (byte-identical summary.json for replsim, identical output for bare_star).
run_one() {
  local program=$1 name=$2 config=$3 i=$4 dir=$OUT/$2/$1-$3 args status=0
  args=$(config_args "$config" "$program")
  mkdir -p "$dir"
  if [[ $program == r ]]; then
    # shellcheck disable=SC2086  # args is a list of words
    PATH=$NO_GNUPLOT_PATH "$MEASURE" "$dir/$i.measure" "$REPLSIM" run "$OUT/$name.json" \
      --out "$dir/report" $args >"$dir/$i.log" 2>&1 || status=$?
    if (( status != 0 && status != 1 )); then
      cat "$dir/$i.log" >&2
      die "replsim $name $config: exit $status"
    fi
    cmp -s "$dir/report/summary.json" "$OUT/$name/r-raw/report/summary.json" ||
      die "$name: summary.json under $config differs from raw's (determinism broken)"
  else
    # shellcheck disable=SC2086
    "$MEASURE" "$dir/$i.measure" "$BARE" "$OUT/$name.json" $args >"$dir/$i.log" 2>&1 ||
      { cat "$dir/$i.log" >&2; die "bare_star $name $config failed"; }
    cmp -s "$dir/$i.log" "$OUT/$name/b-raw/1.log" ||
      die "$name: bare_star's output under $config differs from its default's"
  fi
}

# field DIR N: field N of every run's bench_measure line (1 wall, 0 user + sys, 4 maxrss KiB)
field() {
  local i
  for (( i = 1; i <= RUNS; i++ )); do
    awk -v n="$2" '{ print (n == 0 ? $2 + $3 : $n) }' "$1/$i.measure"
  done
}

# row PROGRAM SCENARIO CONFIG: "wall cpu rss_mib wall_min" of the runs
figures() {
  local dir=$OUT/$2/$1-$3
  echo "$(field "$dir" 1 | median) $(field "$dir" 0 | median)" \
       "$(field "$dir" 4 | median | awk '{ printf "%.1f", $1 / 1024 }') $(field "$dir" 1 | minimum)"
}

selected() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }

main() {
  local spec name programs config i program scenario wall cpu rss wall_min base rows=() entries=()
  local configs=()
  for spec in "${CONFIGS[@]}"; do
    read -r name _ <<<"$spec"
    [[ $name == raw ]] || selected "$name" || continue
    configs+=("$name")  # raw always runs: it is the reference for results and ratios
  done
  rm -rf "$OUT"
  mkdir -p "$OUT/no-gnuplot"
  NO_GNUPLOT_PATH=$ROOT/$OUT/no-gnuplot  # an empty directory: replsim finds no gnuplot
  for spec in "${SCENARIOS[@]}"; do
    read -r name _ <<<"$spec"
    grep -q '"duration_s": 60,' "bench/scenarios/$name.json" ||
      die "bench/scenarios/$name.json no longer has duration_s 60"
    sed "s/\"duration_s\": 60,/\"duration_s\": $DURATION_S,/" "bench/scenarios/$name.json" \
      >"$OUT/$name.json"
  done
  echo "engine: $RUNS runs, ${DURATION_S} s simulated + settle," \
       "load $(cut -d' ' -f1 /proc/loadavg)" >&2
  for (( i = 1; i <= RUNS; i++ )); do
    for spec in "${SCENARIOS[@]}"; do
      read -r scenario programs <<<"$spec"
      for config in "${configs[@]}"; do
        for program in r b; do
          [[ $programs == *$program* ]] && config_args "$config" "$program" >/dev/null || continue
          run_one "$program" "$scenario" "$config" "$i"
        done
      done
    done
    printf '.' >&2
  done
  echo >&2
  printf '%-17s %-8s %-15s %7s %7s %7s %8s %7s\n' scenario program config wall_s min_s cpu_s \
    rss_MiB r_wall
  for spec in "${SCENARIOS[@]}"; do
    read -r scenario programs <<<"$spec"
    for program in r b; do
      [[ $programs == *$program* ]] || continue
      read -r base _ <<<"$(figures "$program" "$scenario" raw)"
      for config in "${configs[@]}"; do
        config_args "$config" "$program" >/dev/null || continue
        read -r wall cpu rss wall_min <<<"$(figures "$program" "$scenario" "$config")"
        local label=replsim
        [[ $program == r ]] || label=bare
        rows+=("$(printf '%-17s %-8s %-15s %7.2f %7.2f %7.2f %8.1f %7.2f' "$scenario" "$label" \
          "$config" "$wall" "$wall_min" "$cpu" "$rss" "$(awk -v w="$wall" -v b="$base" \
          'BEGIN { print w / b }')")")
        entries+=("$(printf '{"scenario": "%s", "program": "%s", "config": "%s", "args": "%s", '\
'"wall_s_median": %s, "wall_s_min": %s, "cpu_s_median": %s, "rss_mib_median": %s, '\
'"wall_s_runs": [%s]}' \
          "$scenario" "$label" "$config" "$(config_args "$config" "$program")" "$wall" \
          "$wall_min" "$cpu" "$rss" "$(field "$OUT/$scenario/$program-$config" 1 | paste -sd, - |
          sed 's/,/, /g')")")
      done
    done
  done
  printf '%s\n' "${rows[@]}"
  echo "(medians of $RUNS interleaved runs; min_s = fastest run; cpu = user + sys; r_wall =" \
       "median wall / the same program's on raw; replsim without plot rendering; every" \
       "configuration gave byte-identical replsim summaries and identical bare output)"
  {
    printf '{\n  "engine_version": 1,\n  "command": "bash bench/engine.sh %s",\n' "$BUILD"
    printf '  "runs": %s,\n  "duration_s": %s,\n  "simgrid": "%s",\n' "$RUNS" "$DURATION_S" \
      "$(pkg-config --modversion simgrid 2>/dev/null || echo unknown)"
    printf '  "load_1m_at_end": %s,\n  "results": [\n' "$(cut -d' ' -f1 /proc/loadavg)"
    printf '    %s,\n' "${entries[@]}" | sed '$ s/,$//'
    printf '  ]\n}\n'
  } >"$OUT/../engine.json"
  echo "engine: results in out/bench/engine.json" >&2
}

main
