#!/usr/bin/env bash
# test_html.sh — report.html of `run` and of `compare` is one well-formed, self-contained page:
# python3's html.parser sees every opened tag closed in order, every plot of plots/ inline as
# <svg> in its figure (exactly the expected plots), every KPI of summary.json (run) and of
# comparison.json (compare) in the KPI table with its value, no <script> element, no external
# reference; a scenario name carrying <script> comes out escaped; the page is byte-identical
# for the same seed; without gnuplot the page still renders, with a note per plot; --no-plots
# leaves the data and scripts only, removing older images. The checker
# is tests/support/check_html.py (test_sweep.sh checks the sweep's page with it too).
set -euo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python=$(command -v python3)
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }

name='evil <script>alert(1)</script> & "q" <b>bold</b>'
"$python" - "$src/scenarios/partition-heal.json" "$work/evil.json" "$name" <<'PY'
import json, sys
scenario = json.load(open(sys.argv[1]))
scenario["name"] = sys.argv[3]
scenario["duration_s"] = 20
scenario["faults"][0]["at_s"] = 5
json.dump(scenario, open(sys.argv[2], "w"))
PY

checker="$src/tests/support/check_html.py"  # shared with test_sweep.sh
export EVIL_NAME="$name"
run_plots="write_latency replication_latency throughput replication_lag divergence latency_cdf write_latency_cdf"
compare_plots="write_latency_cdf sync_delay_cdf throughput replication_lag write_latency_p99 sync_delay_p99 success_rate convergence_after_heal"

"$replsim" run "$work/evil.json" --out "$work/run" > /dev/null
check "run: report.html well-formed, 7 inline plots, every KPI, name escaped" \
      '"$python" "$checker" run "$work/run" $run_plots'
check "run: the fault timeline lists the partition" \
      'grep -q "<table id=\"faults-table\">" "$work/run/report.html" && grep -q "partition \[ap\]" "$work/run/report.html"'
check "run: the scenario file is in the page, escaped" \
      'grep -q "&quot;name&quot;: &quot;evil &lt;script&gt;" "$work/run/report.html"'
"$replsim" run "$work/evil.json" --out "$work/again" > /dev/null
check "run: report.html byte-identical for the same seed" 'cmp -s "$work/run/report.html" "$work/again/report.html"'
check "run: every plot data file and script byte-identical for the same seed" \
      '(cd "$work/run/plots" && for f in *.dat *.gp *.svg; do cmp -s "$f" "$work/again/plots/$f" || exit 1; done) && [ "$(ls "$work/run/plots" | wc -l)" -eq 28 ]'
check "run: no temporary left" '[ -z "$(find "$work/run" -name "*.tmp.*")" ]'

status=0; PATH=/nonexistent-replsim-test "$replsim" run "$work/evil.json" --out "$work/bare" > /dev/null 2>&1 || status=$?
check "run without gnuplot: succeeds, page well-formed with a note per plot" \
      '[ "$status" -eq 0 ] && "$python" "$checker" nognuplot-run "$work/bare" $run_plots'

# --no-plots over a directory that holds a plotted run: the .dat and .gp are this run's (the
# same bytes), no image is left over, the page says why, the verdict files are unchanged.
cp -r "$work/run" "$work/noplots"
"$replsim" run "$work/evil.json" --out "$work/noplots" --no-plots > /dev/null
check "run --no-plots: .dat and .gp as with plots, no PNG/SVG left from the earlier run" \
      '(cd "$work/run/plots" && for f in *.dat *.gp; do cmp -s "$f" "$work/noplots/plots/$f" || exit 1; done) && [ "$(ls "$work/noplots/plots" | wc -l)" -eq 14 ] && [ -z "$(ls "$work/noplots/plots" | grep -E "\.(png|svg)$")" ]'
check "run --no-plots: summary.json identical, the page says --no-plots and has no figure" \
      'cmp -s "$work/run/summary.json" "$work/noplots/summary.json" && grep -q "Plots not drawn: the run was made with --no-plots" "$work/noplots/report.html" && ! grep -q "<figure" "$work/noplots/report.html"'

# Over 16 target stores the lag plot draws the maximum and the 10 stores with the highest
# peak, the latency CDF the 10 with the highest p99 (the data files keep every store).
"$replsim" run "$src/bench/scenarios/scale-1000.json" --set duration_s=2 --set settle_s=1 --no-plots --out "$work/wide" > /dev/null
check "run with 1000 stores: the latency CDF draws the 10 stores with the highest p99, its data all 1000" \
      '[ "$(grep -c "datafile index" "$work/wide/plots/latency_cdf.gp")" -eq 10 ] && grep -q "the 10 stores of 1000 with the highest p99" "$work/wide/plots/latency_cdf.gp" && [ "$(grep -c "^# index" "$work/wide/plots/latency_cdf.dat")" -eq 1000 ]'
check "run with 1000 stores: the lag plot draws the max and 10 stores; its data has 1002 columns" \
      '[ "$(grep -c "datafile using 1:" "$work/wide/plots/replication_lag.gp")" -eq 11 ] && grep -q "^plot datafile using 1:2 with steps lw 2 title .max of the 1000 stores.," "$work/wide/plots/replication_lag.gp" && [ "$(awk "!/^#/ && NF { print NF; exit }" "$work/wide/plots/replication_lag.dat")" -eq 1002 ]'

# A gnuplot that refuses the batched run (every plot in one -e) and the throughput plot: the
# report falls back to one run per plot, and only throughput goes without images.
real_gnuplot=$(command -v gnuplot)
mkdir -p "$work/fakebin"
cat > "$work/fakebin/gnuplot" <<FAKE
#!/bin/sh
case "\$2" in *"reset; datafile"*|*"throughput.gp"*) exit 1 ;; esac
exec "$real_gnuplot" "\$@"
FAKE
chmod +x "$work/fakebin/gnuplot"
status=0; PATH="$work/fakebin:$PATH" "$replsim" run "$work/evil.json" --out "$work/flaky" > /dev/null 2> "$work/flaky.err" || status=$?
check "run with a failing plot: the others are drawn one by one, throughput gets a note" \
      '[ "$status" -eq 0 ] && [ ! -e "$work/flaky/plots/throughput.svg" ] && [ -s "$work/flaky/plots/divergence.svg" ] && grep -q "gnuplot failed on .*throughput.gp" "$work/flaky.err" && grep -q "Plot not drawn: gnuplot was not available or failed. Its data and gnuplot script are in plots/throughput.dat" "$work/flaky/report.html" && [ "$(grep -c "<figure" "$work/flaky/report.html")" -eq 7 ] && [ "$(ls "$work/flaky/plots" | grep -c "\.svg$")" -eq 6 ] && [ -z "$(find "$work/flaky" -name "*.tmp.*")" ]'
check "run with a failing plot: the other images are the same bytes as with a good gnuplot" \
      'cmp -s "$work/flaky/plots/divergence.png" "$work/run/plots/divergence.png" && cmp -s "$work/flaky/plots/latency_cdf.svg" "$work/run/plots/latency_cdf.svg"'

"$replsim" compare "$work/evil.json" --strategies star,batch --seeds 2 --out "$work/compare" > /dev/null 2>&1
check "compare: report.html well-formed, 8 overlay plots, every KPI, name escaped" \
      '"$python" "$checker" compare "$work/compare" $compare_plots'
check "compare: throughput overlay shades the fault window" \
      'grep -q "^set object 1 rect from 5.000000" "$work/compare/plots/throughput.gp"'

"$replsim" run "$src/scenarios/async-queue.json" --set duration_s=5 --out "$work/queue" > /dev/null || true
check "run of async_queue: a queue_depth plot, inline" \
      '[ -s "$work/queue/plots/queue_depth.svg" ] && grep -q "<figure class=\"plot\" id=\"plot-queue_depth\">" "$work/queue/report.html" && grep -A1 "id=\"plot-queue_depth\"" "$work/queue/report.html" | grep -q "^<svg "'
"$replsim" run "$src/scenarios/health-skip.json" --out "$work/health" > /dev/null || true
check "run with health checks: a health timeline, inline, showing us/store-2" \
      '[ -s "$work/health/plots/health.svg" ] && grep -q "^# index 0: store us/store-2" "$work/health/plots/health.dat" && grep -A1 "id=\"plot-health\"" "$work/health/report.html" | grep -q "^<svg "'
check "run without health checks or queue gauge: neither plot" \
      '[ ! -e "$work/run/plots/health.dat" ] && [ ! -e "$work/run/plots/queue_depth.dat" ]'

status=0; CHROMIUM="$work/no-such-chromium" bash "$src/scripts/screenshot-report.sh" "$work/run" > /dev/null 2> "$work/shot.err" || status=$?
check "screenshot-report.sh without chromium: exit 2, says how to install it, writes nothing" \
      '[ "$status" -eq 2 ] && grep -q "apt-get install -y chromium" "$work/shot.err" && [ ! -e "$work/run/report.png" ]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
