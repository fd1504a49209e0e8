#!/usr/bin/env bash
# test_header_check.sh — proves the build-time guard of hard rule 1 bites: the check passes on
# strategies/ as it is, and fails (naming the header) on a copy with one file that includes a
# SimGrid header indirectly through another strategies/ header.
set -euo pipefail
src=${RS_SOURCE_DIR:?}; cc=${CC:-cc}
check="$src/scripts/check-strategies-headers.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

"$check" "$cc" "$src/strategies" "$src" || { echo "FAIL: check rejects the real strategies/"; exit 1; }

mkdir -p "$work/strategies"
cp "$src"/strategies/*.h "$src"/strategies/*.c "$work/strategies/"
printf '#include <simgrid/engine.h>\n' > "$work/strategies/sneaky.h"
printf '#include "strategies/sneaky.h"\nint rs_sneaky(void);\nint rs_sneaky(void) { return 0; }\n' > "$work/strategies/sneaky.c"
if "$check" "$cc" "$work/strategies" "$work" 2> "$work/err.txt"; then
    echo "FAIL: check accepted a strategies/ file that reaches simgrid/engine.h"; exit 1
fi
grep -q 'sneaky.c reaches SimGrid' "$work/err.txt" || { echo "FAIL: message does not name the file"; cat "$work/err.txt"; exit 1; }
grep -q 'simgrid/engine.h' "$work/err.txt" || { echo "FAIL: message does not name the header"; exit 1; }
echo "1 passed, 0 failed"
