#!/usr/bin/env bash
# screenshot-report.sh DIR — renders DIR/report.html (written by `replsim run`, `compare`,
# `sweep` or `merge`) to DIR/report.png with headless Chromium, to look at a report without a
# browser or to attach it to a review. The page is self-contained (inline SVG plots, no
# script, no network), so nothing is fetched.
#
# Needs Debian's chromium, which scripts/install-deps.sh deliberately does not install (CI
# does not need it, and it is large):   sudo apt-get install -y chromium
# Without it this script says so and exits 2. Set CHROMIUM=/path/to/binary to use another
# build (chromium-browser, google-chrome). Window: 1280 x WINDOW_HEIGHT px (default 4000).
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 DIR   (renders DIR/report.html to DIR/report.png)" >&2
    exit 2
fi
dir=$1
if [ ! -f "$dir/report.html" ]; then
    echo "screenshot-report: $dir/report.html not found (run replsim run/compare/sweep --out $dir)" >&2
    exit 2
fi
browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null 2>&1; then
            browser=$candidate
            break
        fi
    done
fi
if [ -z "$browser" ] || ! command -v "$browser" >/dev/null 2>&1; then
    echo "screenshot-report: chromium is not installed; install it with" >&2
    echo "    sudo apt-get install -y chromium" >&2
    echo "(not part of scripts/install-deps.sh on purpose), or set CHROMIUM=/path/to/chrome" >&2
    exit 2
fi
height=${WINDOW_HEIGHT:-4000}
case "$height" in
    ''|*[!0-9]*) echo "screenshot-report: WINDOW_HEIGHT must be a number of pixels" >&2; exit 2 ;;
esac
absolute=$(cd "$dir" && pwd -P)
output="$absolute/report.png"
temporary="$absolute/report.png.tmp.$$.png"
profile=$(mktemp -d)
trap 'rm -rf "$profile" "$temporary"' EXIT
# --user-data-dir: a throwaway profile, so a running browser or a root HOME does not matter.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$profile" --window-size="1280,$height" \
    --screenshot="$temporary" "file://$absolute/report.html" >/dev/null 2>&1 || true
if [ ! -s "$temporary" ]; then
    echo "screenshot-report: $browser wrote no screenshot of $absolute/report.html" >&2
    exit 1
fi
mv "$temporary" "$output"
echo "$output"
