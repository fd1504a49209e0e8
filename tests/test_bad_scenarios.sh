#!/usr/bin/env bash
# test_bad_scenarios.sh — the bad-input catalogue (tests/bad-scenarios/, docs/hardening.md):
# every malformed or hostile scenario there, plus the large ones generate.sh writes into a temp
# directory, must make `replsim validate FILE` exit with status 2 within 5 s, print nothing on
# stdout and exactly one line on stderr, and that line must contain the case's .expect fragment
# (its message from ":LINE:COL:" on). A crash (status >= 128) or a hang (timeout) fails too.
set -uo pipefail
src=${RS_SOURCE_DIR:?}; replsim=${RS_REPLSIM:?}
catalogue="$src/tests/bad-scenarios"
cases_min=45
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export LC_ALL=C

if ! bash "$catalogue/generate.sh" "$work/generated"; then
    echo "FAIL: tests/bad-scenarios/generate.sh did not run"; exit 1
fi
shopt -s nullglob
files=("$catalogue"/*.json "$work/generated"/*.json)
passed=0; failed=0

# One case: prints "ok NAME" or "FAIL NAME: why", counts it.
check_case() {
    local file=$1 name expect fragment status lines
    name=$(basename "$file" .json)
    expect="$catalogue/$name.expect"
    if [ ! -f "$expect" ]; then
        echo "FAIL $name: no $name.expect"; failed=$((failed + 1)); return
    fi
    fragment=$(cat "$expect")
    timeout 5 "$replsim" validate "$file" > "$work/out" 2> "$work/err"
    status=$?
    lines=$(wc -l < "$work/err")
    local why=""
    if [ "$status" -eq 124 ]; then why="took more than 5 s"
    elif [ "$status" -ge 128 ]; then why="crashed (status $status)"
    elif [ "$status" -ne 2 ]; then why="exit status $status, expected 2"
    elif [ -s "$work/out" ]; then why="printed on stdout"
    elif [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$work/err" | od -An -c | tr -d ' ')" != '\n' ]; then
        why="$lines lines on stderr, expected exactly one"
    elif [ -z "$fragment" ] || ! grep -qF -- "$fragment" "$work/err"; then
        why="message lacks \"$fragment\""
    fi
    if [ -n "$why" ]; then
        echo "FAIL $name: $why"
        head -c 600 "$work/err" | sed -e 's/^/     stderr: /' -e '$a\'
        failed=$((failed + 1))
    else
        echo "ok   $name"
        passed=$((passed + 1))
    fi
}

for file in "${files[@]}"; do
    check_case "$file"
done
# Every .expect must belong to a case (a committed .json or a generated one).
for expect in "$catalogue"/*.expect; do
    name=$(basename "$expect" .expect)
    if [ ! -f "$catalogue/$name.json" ] && [ ! -f "$work/generated/$name.json" ]; then
        echo "FAIL $name: .expect without a scenario"; failed=$((failed + 1))
    fi
done
if [ "${#files[@]}" -lt "$cases_min" ]; then
    echo "FAIL catalogue: ${#files[@]} cases, expected at least $cases_min"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
