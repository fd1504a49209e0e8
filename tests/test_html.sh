#!/usr/bin/env bash
# test_html.sh — report.html of `run` and of `compare` is one well-formed, self-contained page:
# python3's html.parser sees every opened tag closed in order, every plot of plots/ inline as
# <svg> in its figure (exactly the expected plots), every KPI of summary.json (run) and of
# comparison.json (compare) in the KPI table with its value, no <script> element, no external
# reference; a scenario name carrying <script> comes out escaped; the page is byte-identical
# for the same seed; without gnuplot the page still renders, with a note per plot.
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

cat > "$work/check_html.py" <<'PY'
"""check_html.py MODE DIR [PLOTS...]: checks DIR/report.html (MODE run or compare, or
nognuplot-run); exits 1 with the reasons when something is wrong."""
import json, math, os, sys
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "hr", "input", "link", "area", "base", "col", "source", "wbr"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags = [], [], []
        self.figures = {}          # figure id -> set of tags inside
        self.tables = {}           # table id -> rows of cell texts
        self.h1 = ""
        self.text_target = None
        self.table, self.row, self.cell = None, None, None
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        for key, value in attrs.items():
            if key.startswith("on"):
                self.errors.append(f"event handler attribute {key} on <{tag}>")
            if key in ("href", "xlink:href", "src") and not (value or "").startswith("#"):
                self.errors.append(f"external reference {key}={value!r} on <{tag}>")
        if tag == "figure":
            self.figures[attrs.get("id")] = set()
        for open_tag in self.stack:
            if open_tag[0] == "figure":
                self.figures[open_tag[1]].add(tag)
        if tag == "table":
            self.table = attrs.get("id"); self.tables[self.table] = []
        if tag == "tr" and self.table is not None:
            self.row = []; self.tables[self.table].append(self.row)
        if tag in ("td", "th") and self.row is not None:
            self.cell = ""
        if tag not in VOID:
            self.stack.append((tag, attrs.get("id")))
    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        for open_tag in self.stack:
            if open_tag[0] == "figure":
                self.figures[open_tag[1]].add(tag)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell); self.cell = None
        if tag == "table":
            self.table = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.stack and self.stack[-1][0] == "h1":
            self.h1 += data

mode, directory = sys.argv[1], sys.argv[2]
expected_plots = set(sys.argv[3:])
raw = open(os.path.join(directory, "report.html"), encoding="utf-8").read()
page = Page(); page.feed(raw); page.close()
problems = list(page.errors)
if page.stack:
    problems.append(f"never closed: {page.stack}")
if "script" in page.tags:
    problems.append("a <script> element")
name = os.environ["EVIL_NAME"]
if not page.h1.endswith(name):
    problems.append(f"h1 is {page.h1!r}, not the name as text")
if "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &lt;b&gt;bold&lt;/b&gt;" not in raw:
    problems.append("the name is not escaped in the page")
figures = {key[len("plot-"):]: tags for key, tags in page.figures.items()
           if key and key.startswith("plot-")}
if set(figures) != expected_plots:
    problems.append(f"plots {sorted(figures)} != expected {sorted(expected_plots)}")
svgs = {f[:-4] for f in os.listdir(os.path.join(directory, "plots")) if f.endswith(".svg")}
drawn = not mode.startswith("nognuplot")
for base in expected_plots:
    if drawn and ("svg" not in figures.get(base, set()) or base not in svgs):
        problems.append(f"plot {base}: no inline <svg> (or no plots/{base}.svg)")
    if not drawn and ("svg" in figures.get(base, set()) or base in svgs):
        problems.append(f"plot {base}: drawn without gnuplot?")
if not drawn and raw.count("Plot not drawn: gnuplot was not available") != len(expected_plots):
    problems.append("a plot without gnuplot has no note")

def number(text):
    return None if text == "null" else float(text)

kpi_rows = {row[0]: row[1:] for row in page.tables.get("kpi-table", [])[1:]}
if mode.endswith("run"):
    summary = json.load(open(os.path.join(directory, "summary.json")))
    skip = {"summary_version", "scenario", "stores", "strategy_metrics", "faults", "crashes",
            "invariants", "expectations", "verdict"}
    def leaves(node, path):
        for key, value in node.items():
            child = f"{path}.{key}" if path else key
            if not path and key in skip:
                continue
            if isinstance(value, dict):
                yield from leaves(value, child)
            elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
                yield child, value
    count = 0
    for path, value in leaves(summary, ""):
        count += 1
        if path not in kpi_rows:
            problems.append(f"KPI {path} missing from the table"); continue
        shown = number(kpi_rows[path][0])
        if (shown is None) != (value is None) or (value is not None and shown != value):
            problems.append(f"KPI {path}: table {kpi_rows[path][0]!r}, summary.json {value!r}")
    if count < 40:
        problems.append(f"only {count} KPIs in summary.json?")
    invariants = [row[0] for row in page.tables.get("invariants", [])[1:]]
    if invariants != list(summary["invariants"]):
        problems.append(f"invariant rows {invariants}")
else:
    comparison = json.load(open(os.path.join(directory, "comparison.json")))
    labels = [entry["entry"] for entry in comparison["strategies"]]
    header = page.tables["kpi-table"][0]
    if header != ["KPI", "unit"] + labels:
        problems.append(f"KPI table header {header}")
    for e, entry in enumerate(comparison["strategies"]):
        for kpi, figures_ in entry["kpis"].items():
            if kpi not in kpi_rows:
                problems.append(f"KPI {kpi} missing from the table"); continue
            cell = kpi_rows[kpi][1 + e]
            mean = figures_["mean"]
            shown = None if cell == "n/a" else float(cell.split(" ")[0])
            if (shown is None) != (mean is None) or (mean is not None and shown != mean):
                problems.append(f"KPI {kpi} of {entry['entry']}: table {cell!r}, json {mean!r}")
    if len(kpi_rows) != len(comparison["strategies"][0]["kpis"]):
        problems.append("KPI table rows differ from comparison.json")
    if "verdicts" not in page.tables or len(page.tables["verdicts"]) != 1 + len(labels):
        problems.append("no verdict row per strategy")
if problems:
    print("\n".join(problems)); sys.exit(1)
PY
export EVIL_NAME="$name"
run_plots="write_latency replication_latency throughput replication_lag divergence latency_cdf write_latency_cdf"
compare_plots="write_latency_cdf sync_delay_cdf throughput replication_lag write_latency_p99 sync_delay_p99 success_rate"

"$replsim" run "$work/evil.json" --out "$work/run" > /dev/null
check "run: report.html well-formed, 7 inline plots, every KPI, name escaped" \
      '"$python" "$work/check_html.py" run "$work/run" $run_plots'
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
      '[ "$status" -eq 0 ] && "$python" "$work/check_html.py" nognuplot-run "$work/bare" $run_plots'

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
check "compare: report.html well-formed, 7 overlay plots, every KPI, name escaped" \
      '"$python" "$work/check_html.py" compare "$work/compare" $compare_plots'
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
