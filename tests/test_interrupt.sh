#!/usr/bin/env bash
# test_interrupt.sh — an interrupted run leaves its output directory with a complete report or
# none, never a partial file: SIGINT and SIGTERM at many moments of a run (simulation, report
# writing, plotting), each time checking for temporaries and for a report missing a file. A
# run that finishes first must have written everything.
set -euo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
sed -e 's/"duration_s": 30/"duration_s": 20/' -e 's/"rate_per_s": 100/"rate_per_s": 600/' \
    "$src/scenarios/three-regions-star.json" > "$work/long.json"
complete=(summary.json summary.md timeseries.csv plots/latency_cdf.dat plots/throughput.dat)
passed=0; failed=0; interrupted=0
for delay in 0.05 0.2 0.4 0.6 0.8 1.0 1.2 1.4 1.6 1.8 2.0 2.2 2.6 3.0; do
    for signal in INT TERM; do
        out="$work/out-$delay-$signal"
        "$replsim" run "$work/long.json" --out "$out" > "$work/stdout" 2> "$work/stderr" &
        pid=$!
        sleep "$delay"
        kill -s "$signal" "$pid" 2>/dev/null || true
        status=0; wait "$pid" || status=$?
        problem=""
        if find "$work" -path "$out*" -name '*.tmp.*' | grep -q .; then
            problem="temporary files left"
        elif [ -e "$out/summary.json" ]; then
            for f in "${complete[@]}"; do [ -s "$out/$f" ] || problem="report without $f"; done
            tail -c 2 "$out/summary.json" | grep -q '}' || problem="summary.json cut short"
        elif [ -d "$out" ] && find "$out" -type f | grep -q .; then
            problem="files without a summary: $(find "$out" -type f | head -3 | tr '\n' ' ')"
        fi
        if [ "$status" -ne 0 ]; then
            interrupted=$((interrupted + 1))
            [ "$status" -eq 130 ] || [ "$status" -eq 143 ] || problem="${problem:+$problem; }exit $status"
            # a signal that lands before replsim installed its handler (start-up and SimGrid's
            # initialisation: well under a second, but a loaded machine stretches it) cannot
            # be handled, so the message is demanded only from 1 s on; the files are checked
            # at every delay
            early=$(awk -v d="$delay" 'BEGIN { print (d < 1.0) ? 1 : 0 }')
            [ "$early" = 1 ] || grep -q 'interrupted' "$work/stderr" ||
                problem="${problem:+$problem; }no message"
        fi
        if [ -n "$problem" ]; then
            echo "FAIL delay $delay SIG$signal (exit $status): $problem"; failed=$((failed + 1))
        else
            echo "ok   delay $delay SIG$signal (exit $status)"; passed=$((passed + 1))
        fi
    done
done
[ "$interrupted" -gt 0 ] || { echo "FAIL no run was interrupted: the test proves nothing"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
