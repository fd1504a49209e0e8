#!/usr/bin/env bash
# fuzz.sh — fuzzes the scenario loader (rs_scenario_load_buffer) with libFuzzer for SECONDS
# (default 300): configures its own build directory build-fuzz with clang, every library
# instrumented with -fsanitize=fuzzer-no-link,address,undefined and the target
# tests/fuzz/fuzz_scenario.c linked with -fsanitize=fuzzer (-DREPLSIM_FUZZ=ON), seeds it with
# scenarios/*.json, scenarios/ci/*.json and the bad-input catalogue tests/bad-scenarios/*.json,
# gives it the field-name dictionary tests/fuzz/scenario.dict, and runs it. The corpus it grows
# stays in build-fuzz/corpus (reused by the next run); crashes, hangs and leaks land in
# build-fuzz/artifacts/. Exit status: 0 when nothing was found, else 1.
# A manual tool: needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev),
# which install-deps.sh and CI deliberately do not install. docs/hardening.md says more.
#
#   scripts/fuzz.sh 300                 five minutes, one process
#   FUZZ_JOBS=2 scripts/fuzz.sh 600     two worker processes (libFuzzer -fork)
set -euo pipefail
shopt -s nullglob
root=$(cd "$(dirname "$0")/.." && pwd)
duration_s=${1:-300}
jobs=${FUZZ_JOBS:-1}
build="$root/build-fuzz"
case "$duration_s" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2;; esac
if ! command -v clang >/dev/null; then
    echo "fuzz.sh: clang not found; apt-get install clang libclang-rt-14-dev" >&2; exit 2
fi

sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
CC=clang cmake -S "$root" -B "$build" -DREPLSIM_FUZZ=ON -DREPLSIM_WERROR=OFF \
    -DCMAKE_BUILD_TYPE= -DCMAKE_C_FLAGS="-g -O1 -fno-omit-frame-pointer $sanitizers" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --target fuzz_scenario -j 2

# Seeds are copied afresh each run; the grown corpus is kept. schema.json is no scenario.
rm -rf "$build/seeds"
mkdir -p "$build/seeds" "$build/corpus" "$build/artifacts"
for seed in "$root"/scenarios/*.json "$root"/scenarios/ci/*.json \
            "$root"/tests/bad-scenarios/*.json; do
    [ "$(basename "$seed")" = schema.json ] && continue
    cp "$seed" "$build/seeds/$(basename "$(dirname "$seed")")-$(basename "$seed")"
done
marker="$build/artifacts/.run-start"; touch "$marker"
echo "fuzz.sh: $(ls "$build/seeds" | wc -l) seeds, $(ls "$build/corpus" | wc -l) corpus files," \
     "${duration_s} s"

fork=()
if [ "$jobs" -gt 1 ]; then
    fork=(-fork="$jobs" -ignore_crashes=1)
fi
cd "$build"
# -timeout=5: an input taking 5 s is a hang (tests/test_bad_scenarios.sh allows 5 s too).
# -max_len=20480: above every committed seed (the file size limit has its own generated case).
status=0
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./tests/fuzz/fuzz_scenario \
    -max_total_time="$duration_s" -timeout=5 -max_len=20480 -rss_limit_mb=4096 \
    -dict="$root/tests/fuzz/scenario.dict" -artifact_prefix="$build/artifacts/" \
    -print_final_stats=1 "${fork[@]}" "$build/corpus" "$build/seeds" || status=$?
found=$(find "$build/artifacts" -type f -newer "$marker" ! -name '.*' | wc -l)
echo "fuzz.sh: corpus $(ls "$build/corpus" | wc -l) files, $found new artifacts" \
     "(in $build/artifacts), libFuzzer exit status $status"
[ "$status" -eq 0 ] && [ "$found" -eq 0 ]
