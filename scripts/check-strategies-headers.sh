#!/usr/bin/env bash
# Hard rule 1 of the architecture, enforced: asks the compiler which headers each file of
# strategies/ reaches (gcc -MM lists user headers, -M all of them) and fails when any SimGrid,
# xbt or smpi header is among them. Usage: check-strategies-headers.sh CC STRATEGIES_DIR INCLUDE_DIR
set -euo pipefail
cc=${1:?compiler}; dir=${2:?strategies dir}; inc=${3:?include dir}
status=0
shopt -s nullglob
for f in "$dir"/*.c "$dir"/*.h; do
    deps=$("$cc" -std=c11 -M -I"$inc" -x c "$f" 2>&1) || { echo "$f: $deps" >&2; status=1; continue; }
    bad=$(printf '%s\n' "$deps" | tr ' \\' '\n\n' | grep -E '/(simgrid|xbt|smpi)/' | sort -u || true)
    if [ -n "$bad" ]; then
        echo "error: $f reaches SimGrid/xbt headers (strategies/ may only use strategies/runtime.h):" >&2
        printf '  %s\n' $bad >&2
        status=1
    fi
done
exit $status
