#!/usr/bin/env bash
# test_injection.sh — names from scenario files are data: a scenario whose name and file name
# carry quotes, backquotes, $(...), system("..."), <script>, ../, commas and non-ASCII goes
# through a full report and the CI gate; every output stays well-formed (JSON and JUnit parse,
# gnuplot renders), the markers those names try to create never appear, and a name with a
# newline is refused at load time (exit 2).
set -euo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"   # the names' commands would create ./PWNED here if anything ever ran them
marker=PWNED
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }

file="$work/we'ird \$(touch $marker) name.json"
python3 - "$src/scenarios/three-regions-star.json" "$file" "$marker" <<'PY'
import json, sys
scenario = json.load(open(sys.argv[1]))
m = sys.argv[3]
scenario["name"] = (f"it's `touch {m}` $(touch {m}) system(\"touch {m}\") <script>alert(1)</script> "
                    "../../etc, \"q\" é ünïcödé ; | & * _ [x]")
scenario["duration_s"] = 5
json.dump(scenario, open(sys.argv[2], "w"), ensure_ascii=False)
PY
grep -q 'script' "$file" || { echo "FAIL could not build the hostile scenario"; exit 1; }

status=0; "$replsim" run "$file" --out "$work/out \$(touch $marker)" --history-edn > "$work/stdout" 2> "$work/stderr" || status=$?
out="$work/out \$(touch $marker)"
check "run exits 0" '[ "$status" -eq 0 ]'
check "summary.json parses and keeps the name verbatim" \
      'python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert \"<script>\" in s[\"scenario\"][\"name\"]" "$out/summary.json"'
check "summary.md escapes backquotes, pipes and angle brackets" \
      'grep -q "\\\\\`touch" "$out/summary.md" && grep -q "\\\\<script\\\\>" "$out/summary.md" && grep -q " \\\\| " "$out/summary.md"'
check "gnuplot rendered both plots" '[ -s "$out/plots/latency_cdf.png" ] && [ -s "$out/plots/throughput.png" ]'
check "the gnuplot titles carry only the two delimiting quotes, no backquote, no \$" \
      '(for gp in "$out"/plots/*.gp; do t=$(grep "^set title" "$gp"); [ "$(printf %s "$t" | tr -cd "'"'"'" | wc -c)" -eq 2 ] || exit 1; ! printf %s "$t" | grep -q "[\`\$\"]" || exit 1; done)'
check "timeseries.csv has one header and numeric rows" \
      '[ "$(grep -vc "^#" "$out/timeseries.csv")" -ge 2 ] && ! grep -v "^#" "$out/timeseries.csv" | tail -n +2 | grep -q "[a-z]"'

status=0; "$replsim" check "$file" --seeds 1 --junit "$work/junit.xml" --out "$work/check" > "$work/check.out" 2>&1 || status=$?
check "check exits 0" '[ "$status" -eq 0 ]'
check "JUnit XML parses and names the file" \
      'python3 -c "import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert \"we'"'"'ird\" in d.getElementsByTagName(\"testcase\")[0].getAttribute(\"classname\")" "$work/junit.xml"'

printf '{"name": "line\\nbreak", "duration_s": 1, "topology": {"regions": [{"name": "eu", "managers": 1, "clients": 1}]}, "strategy": {"type": "star"}, "workload": {"rate_per_s": 1}}\n' > "$work/newline.json"
status=0; "$replsim" validate "$work/newline.json" > /dev/null 2> "$work/newline.err" || status=$?
check "a newline in a name is refused (exit 2)" '[ "$status" -eq 2 ] && grep -q "name" "$work/newline.err"'

check "no marker was ever created" '[ ! -e "$marker" ]'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
