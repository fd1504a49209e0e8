#!/usr/bin/env bash
# test_nemesis.sh — the random nemesis: scenarios/chaos.json draws its faults from the seed
# (the report keeps them in faults.json, one per drawn fault, all of the configured kinds and
# inside the window); replaying them with --faults-from gives byte-identical summary.json,
# summary.md and timeseries.csv; another seed draws another schedule; the same seed draws the
# same; removing the nemesis leaves the workload's draws as they were (same request count);
# a bad --faults-from directory is exit 2 with nothing written.
set -euo pipefail
replsim=${RS_REPLSIM:?}; src=${RS_SOURCE_DIR:?}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
chaos="$src/scenarios/chaos.json"
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$replsim" run "$chaos" --set duration_s=30 --set nemesis.end_s=25 --out "$work/a" > /dev/null
check "the nemesis run writes faults.json" '[ -s "$work/a/faults.json" ]'
drawn=$(field "$work/a/faults.json" 'len(d["faults"])')
check "it drew faults ($drawn)" '[ "$drawn" -ge 1 ]'
check "the summary lists exactly the drawn faults" \
      '[ "$(field "$work/a/summary.json" "len(d[\"faults\"])")" -eq "$drawn" ]'
check "every drawn fault is of a configured kind and starts in the window" \
      '[ "$(field "$work/a/faults.json" "all(f[\"kind\"] in (\"partition\",\"crash\",\"link\",\"slow_store\",\"duplicate\",\"reorder\") and 5 <= f[\"at_s\"] < 25 for f in d[\"faults\"])")" = True ]'
"$replsim" run "$chaos" --set duration_s=30 --set nemesis.end_s=25 --faults-from "$work/a" \
    --out "$work/replay" > /dev/null
for f in summary.json summary.md timeseries.csv; do
    check "the replay's $f is byte-identical" 'cmp -s "$work/a/$f" "$work/replay/$f"'
done
check "the replay draws nothing itself" '[ ! -e "$work/replay/faults.json" ]'
"$replsim" run "$chaos" --set duration_s=30 --set nemesis.end_s=25 --out "$work/again" > /dev/null
check "the same seed draws the same schedule" 'cmp -s "$work/a/faults.json" "$work/again/faults.json"'
"$replsim" run "$chaos" --set duration_s=30 --set nemesis.end_s=25 --seed 22 --out "$work/b" > /dev/null
check "another seed draws another schedule" '! cmp -s "$work/a/faults.json" "$work/b/faults.json"'
"$replsim" run "$chaos" --set duration_s=30 --set nemesis= --out "$work/none" > /dev/null
check "without the nemesis the workload draws the same requests" \
      '[ "$(field "$work/a/summary.json" "d[\"requests\"][\"total\"]")" = "$(field "$work/none/summary.json" "d[\"requests\"][\"total\"]")" ]'
status=0; "$replsim" run "$chaos" --faults-from "$work/nowhere" --out "$work/bad" 2> "$work/err" || status=$?
check "a missing faults.json is exit 2" '[ "$status" -eq 2 ] && grep -q "faults.json" "$work/err"'
check "and writes nothing" '[ ! -e "$work/bad" ]'
echo '{"faults": [{"kind": "crash", "node": "mars/store-1", "at_s": 1, "for_s": 1}]}' > "$work/none/faults.json"
status=0; "$replsim" run "$chaos" --faults-from "$work/none" --out "$work/bad2" 2> "$work/err2" || status=$?
check "a faults.json naming an unknown node is exit 2 with its position" \
      '[ "$status" -eq 2 ] && grep -q "faults.json:1:.*faults\[0\].node" "$work/err2"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
