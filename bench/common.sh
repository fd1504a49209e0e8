# bench/common.sh — the helpers every bench script shares, sourced (not run): die with the
# script's prefix (set BENCH_NAME first), and the median and minimum of numbers on stdin.

# die MESSAGE...: "<BENCH_NAME>: MESSAGE" on stderr, exit 1.
die() { echo "${BENCH_NAME:-bench}: $*" >&2; exit 1; }
# median of the numbers on stdin (the lower middle one for an even count)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print v[int((NR + 1) / 2)] }'; }
# smallest of the numbers on stdin (noise only ever adds time: the least disturbed run)
minimum() { sort -g | head -n 1; }
