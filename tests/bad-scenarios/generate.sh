#!/usr/bin/env bash
# generate.sh — writes the bad-input catalogue's large cases (files over 100 kB, too big to
# commit) into OUTDIR: NNN-name.json only; each case's expected message fragment is committed
# next to this script as NNN-name.expect. Called by tests/test_bad_scenarios.sh into a temp
# directory; deterministic (same bytes every run), coreutils only.
#
#   tests/bad-scenarios/generate.sh OUTDIR
set -euo pipefail
out=${1:?usage: generate.sh OUTDIR}
mkdir -p "$out"

# `count` copies of `text` (no '|', '&' or '\\' in it), without a trailing newline.
repeat() {
    printf "%${2}s" "" | sed "s| |$1|g"
}

# The rest of a valid two-region scenario, after its first member; $1 is added to strategy.
tail_members() {
    printf ',\n  "duration_s": 10,\n  "topology": {\n    "regions": [\n'
    printf '      { "name": "eu", "stores": 2, "managers": 1, "clients": 1 },\n'
    printf '      { "name": "us", "stores": 2 }\n    ],\n'
    printf '    "links": [ { "between": ["eu", "us"], "latency_ms": 40, '
    printf '"bandwidth_mbps": 1000 } ]\n'
    printf '  },\n  "strategy": { "type": "star"%s },\n' "${1:-}"
    printf '  "workload": { "rate_per_s": 100 }\n}\n'
}

# A name of 3 MiB, far over the 199 bytes a name may have.
{ printf '{\n  "name": "'; repeat x 3145728; printf '"'; tail_members; } \
    > "$out/107-multi-megabyte-string.json"

# 4 MiB of spaces inside a valid scenario: the file size limit comes before anything else.
{ printf '{\n  "name": "padded"'; repeat ' ' 4194304; tail_members; } \
    > "$out/108-file-over-4-mib.json"

# A million nested arrays: the lexer must stop at depth 32 before recursing any deeper.
{ printf '{ "name": '; repeat '[' 1000000; repeat ']' 1000000; printf ' }\n'; } \
    > "$out/109-nesting-million-levels.json"

# 200000 target entries: counted against the 2048 limit before any is resolved.
{ printf '{\n  "name": "200000 targets"'
  tail_members ", \"targets\": [0$(repeat ',0' 199999)]"; } \
    > "$out/110-huge-targets-array.json"

# An unknown top-level field whose key is 2 MiB long: no "did you mean", a bounded path.
{ printf '{\n  "name": "long key",\n  "'; repeat k 2097152; printf '": 1'; tail_members; } \
    > "$out/111-multi-megabyte-key.json"
