#!/usr/bin/env bash
# test_sweep.sh — `replsim sweep` and `replsim merge`: a 2 values x 2 seeds sweep of a short
# scenario run with -j 2 must give byte-identical sweep.csv, sweep.json and plot data to the
# same sweep assembled from --emit-jobs (each line run by bash) + `replsim merge`; the figures
# of sweep.json must be the mean and Student's t 95% interval of their per-seed values; and bad
# input must exit 2 with a message and write nothing. A name with quotes, spaces and '$' rides
# along as a constant parameter to exercise the shell quoting of emitted lines. report.html
# must be well-formed (tests/support/check_html.py, as for run and compare pages), hold one
# row per point with sweep.json's figures and one inline <svg> per plots/*.svg, be the same
# bytes both ways, escape a swept value carrying <script>, and say where gnuplot was missing.
set -uo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export LC_ALL=C
passed=0; failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

python3 - "$src/scenarios/ci/star-lossy-link.json" small.json <<'EOF'
import json, sys
scenario = json.load(open(sys.argv[1]))
scenario["duration_s"] = 2
scenario["settle_s"] = 1
scenario["faults"][0]["at_s"] = 0.5
scenario["faults"][0]["for_s"] = 1
json.dump(scenario, open(sys.argv[2], "w"), indent=2)
EOF
name="name=it's a \"sweep\" \$HOME \`id\`"
sets=(--set workload.rate_per_s=40,20 --set "$name")

# 1. The sweep, run by replsim with two children.
if "$replsim" sweep small.json "${sets[@]}" --seeds 2 -j 2 --out A > a.out 2> a.err; then
    ok "sweep -j 2 exits 0"
else
    fail "sweep -j 2 exit $?: $(cat a.err)"
fi
[ "$(ls A/runs | grep -c -- '-seed-[12]$')" = 4 ] && ok "4 run directories" ||
    fail "run directories: $(ls A/runs | tr '\n' ' ')"
[ ! -s a.err ] && ok "quiet stderr when it is not a terminal" || fail "stderr: $(head -3 a.err)"

# 2. The same sweep as emitted command lines, each run by bash, then merged.
if "$replsim" sweep small.json "${sets[@]}" --seeds 2 --out B --emit-jobs jobs.txt > b.out; then
    ok "--emit-jobs exits 0"
else
    fail "--emit-jobs exit $?"
fi
[ "$(wc -l < jobs.txt)" = 4 ] && ok "4 command lines" || fail "jobs.txt: $(wc -l < jobs.txt) lines"
[ ! -e B ] && ok "--emit-jobs runs nothing" || fail "--emit-jobs created B"
grep -qv "^'\?/" jobs.txt && fail "a line not starting with an absolute path" ||
    ok "every line starts with an absolute program path"
while IFS= read -r line; do
    (cd / && bash -c "$line") >> b.runs 2>&1 || fail "emitted line failed: $line"
done < jobs.txt
"$replsim" sweep small.json "${sets[@]}" --seeds 2 --out N --emit-jobs jobs-np.txt --no-plots > /dev/null
[ "$(grep -c -- " --no-plots" jobs-np.txt)" = 4 ] && ok "--no-plots reaches every emitted run" ||
    fail "--no-plots in $(grep -c -- " --no-plots" jobs-np.txt) of 4 emitted lines"
if "$replsim" merge B > merge.out 2> merge.err; then
    ok "merge exits 0"
else
    fail "merge: $(cat merge.err)"
fi

# 3. Same bytes.
for f in sweep.csv sweep.json report.html plots/success_rate-vs-workload.rate_per_s.dat \
         plots/write_latency_ms_p99-vs-workload.rate_per_s.gp; do
    if [ -s "A/$f" ] && cmp -s "A/$f" "B/$f"; then
        ok "$f identical"
    else
        fail "$f differs or is missing"
    fi
done
ls A/plots | grep -q -- '-vs-name' && fail "a plot against a constant parameter" ||
    ok "no plot against a constant parameter"
if command -v gnuplot > /dev/null; then
    [ -s A/plots/success_rate-vs-workload.rate_per_s.png ] && ok "png rendered" || fail "no png"
    plots=$(ls A/plots | grep -c '\.dat$')  # one per KPI: one path has two values
    kpis=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["kpis"]))' \
           A/sweep.json)
    [ "$plots" -ge 10 ] && [ "$plots" = "$kpis" ] &&
        [ "$(ls A/plots | grep -c '\.svg$')" = "$plots" ] &&
        [ "$(ls A/plots | grep -c '\.png$')" = "$plots" ] && ok "an svg and a png per plot" ||
        fail "plots: $plots .dat, $(ls A/plots | grep -c '\.svg$') .svg"
    (cd A/plots && for f in *.svg *.gp; do cmp -s "$f" "../../B/plots/$f" || exit 1; done) &&
        ok "every .svg and .gp identical" || fail "an .svg or .gp differs"
    [ "$(grep -c '<svg' A/report.html)" = "$plots" ] && ok "report.html: $plots inline <svg>" ||
        fail "report.html: $(grep -c '<svg' A/report.html) <svg> for $plots plots"
fi
checker="$src/tests/support/check_html.py"  # the checker of tests/test_html.sh
EVIL_NAME=${name#name=} python3 "$checker" sweep A > html.err &&
    ok "report.html well-formed, a row per point with sweep.json's figures, a figure per plot" ||
    fail "report.html: $(head -5 html.err)"
title='replsim sweep: it&#39;s a &quot;sweep&quot; $HOME `id` over workload.rate_per_s, name'
grep -qF "<h1>$title</h1>" A/report.html &&
    ok "report.html: title names the scenario and the swept paths" ||
    fail "report.html title: $(grep -o '<h1>.*</h1>' A/report.html)"
[ "$(find A B -name '*.tmp.*' | wc -l)" = 0 ] && ok "no temporaries" || fail "temporaries left"

# 4. Contents: points sorted numerically (20 before 40), seeds 1 and 2, interval = t(0.975, 1)
#    x stddev / sqrt(2) from the listed values, and the CSV row agrees with the JSON.
if python3 - A/sweep.json A/sweep.csv <<'EOF'
import csv, json, math, sys
sweep = json.load(open(sys.argv[1]))
points = sweep["points"]
assert [p["parameters"]["workload.rate_per_s"] for p in points] == ["20", "40"], points
assert all(p["seeds"] == [1, 2] and p["runs"] == 2 for p in points)
assert sweep["parameters"][1]["values"] == ["it's a \"sweep\" $HOME `id`"], sweep["parameters"]
t = 12.706204736
for p in points:
    for name, kpi in p["kpis"].items():
        values = kpi["values"]
        if None in values:
            continue
        mean = sum(values) / 2
        half = t * abs(values[0] - values[1]) / math.sqrt(2) / math.sqrt(2)
        assert abs(kpi["mean"] - mean) <= 1e-6 * max(1, abs(mean)) + 1e-3, (name, kpi)
        assert abs(kpi["half_width"] - half) <= 1e-6 * max(1, half) + 2e-3, (name, kpi, half)
rate = [p["kpis"]["acked_events_per_s"]["mean"] for p in points]
assert rate[1] > 1.5 * rate[0], rate  # twice the offered load, acked
lines = [l for l in open(sys.argv[2]) if not l.startswith("#")]
rows = list(csv.DictReader(lines))
assert len(rows) == 2 and rows[0]["workload.rate_per_s"] == "20", rows
assert rows[1]["name"] == "it's a \"sweep\" $HOME `id`", rows[1]["name"]
assert float(rows[1]["success_rate_mean"]) == points[1]["kpis"]["success_rate"]["mean"]
EOF
then ok "sweep.json and sweep.csv figures"; else fail "sweep.json/sweep.csv figures"; fi

# 4b. A swept value and a name carrying markup come out escaped, in the table, the plots'
#     captions and the title; a merge without gnuplot notes every plot and removes the images
#     an earlier merge left.
evil='evil <script>alert(1)</script> & "q" <b>bold</b>'
"$replsim" sweep small.json --set '$schema=<script>alert(2)</script>,plain.json' \
    --set "name=$evil" --seeds 1 -j 2 --out E > e.out 2> e.err || fail "markup sweep: $(cat e.err)"
if EVIL_NAME=$evil python3 "$checker" sweep E > html.err &&
   grep -q '<td>&lt;script&gt;alert(2)&lt;/script&gt;</td>' E/report.html &&
   ! grep -q '<script>alert' E/report.html; then
    ok "report.html: a swept <script> value and name escaped"
else
    fail "report.html with markup: $(head -5 html.err)"
fi
cp -r E N
status=0; PATH=/nonexistent-replsim-test "$replsim" merge N > n.out 2> n.err || status=$?
notes=$(grep -c 'Plot not drawn: gnuplot was not available or failed' N/report.html)
if [ "$status" = 0 ] && EVIL_NAME=$evil python3 "$checker" sweep N > html.err &&
   [ "$notes" = "$(ls N/plots | grep -c '\.dat$')" ] && [ "$notes" -ge 10 ] &&
   ! ls N/plots | grep -q '\.svg$\|\.png$' && grep -q "gnuplot not found" n.err; then
    ok "merge without gnuplot: a note per plot, no stale image"
else
    fail "merge without gnuplot: exit $status, $notes notes, $(ls N/plots | grep -c svg) svg," \
         "$(head -3 html.err)"
fi

# 5. SIGINT during the runs: children stopped, nothing merged, no temporary, exit 130.
"$replsim" sweep small.json --set workload.rate_per_s=800,900 --set duration_s=30 --seeds 2 \
    -j 2 --out I > i.out 2> i.err &
pid=$!
for _ in $(seq 50); do ls I/runs/*.log > /dev/null 2>&1 && break; sleep 0.2; done
sleep 0.5  # the children are simulating now
kill -INT "$pid"
status=0; wait "$pid" || status=$?
sleep 0.5
if [ "$status" = 130 ] && [ ! -e I/sweep.csv ] && [ "$(find I -name '*.tmp.*' | wc -l)" = 0 ] &&
   grep -q interrupted i.err && grep -q interrupted I/runs/point-1-seed-1.log &&
   ! pgrep -f "$work/I/runs" > /dev/null; then
    ok "SIGINT: exit 130, children gone, nothing merged, no temporaries"
else
    fail "SIGINT: exit $status, $(ls I 2>&1 | tr '\n' ' '), $(head -2 i.err)"
fi

# 6. Bad input: exit 2, a message, nothing written.
bad() {
    local what=$1; shift
    "$replsim" "$@" > bad.out 2> bad.err; local status=$?
    if [ "$status" = 2 ] && [ -s bad.err ] && [ ! -s bad.out ] && [ ! -e C ] && [ ! -e c.txt ]; then
        ok "bad input: $what"
    else
        fail "bad input: $what (exit $status, stderr '$(head -1 bad.err)'," \
             "stdout '$(head -1 bad.out)')"
    fi
    rm -rf C c.txt
}
bad "unknown field path" sweep small.json --set workload.nope=1,2 --seeds 2 --out C
bad "unknown field path (emit)" sweep small.json --set workload.nope=1,2 --out C --emit-jobs c.txt
bad "empty value list" sweep small.json --set workload.rate_per_s= --out C
bad "empty value" sweep small.json --set workload.rate_per_s=10,,20 --out C
bad "value refused by the loader" sweep small.json --set workload.rate_per_s=10,-1 --out C
bad "duplicate value" sweep small.json --set workload.rate_per_s=10,10 --out C
bad "path given twice" sweep small.json --set seed=1 --set seed=2 --out C
bad "-j 0" sweep small.json --set workload.rate_per_s=10 -j 0 --out C
bad "-j not a number" sweep small.json --set workload.rate_per_s=10 -j two --out C
bad "--seeds 0" sweep small.json --set workload.rate_per_s=10 --seeds 0 --out C
bad "--seeds -3" sweep small.json --set workload.rate_per_s=10 --seeds -3 --out C
bad "--seeds too many" sweep small.json --set workload.rate_per_s=10 --seeds 1001 --out C
bad "missing file" sweep missing.json --set workload.rate_per_s=10 --out C
bad "merge of a directory without runs" merge --out C small.json
bad "merge of the same runs twice" merge --out C A B
bad "merge without --out of two directories" merge A B

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
