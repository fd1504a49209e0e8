"""check_html.py MODE DIR [PLOTS...]: checks DIR/report.html, one self-contained page, with
python3's html.parser; exits 1 with the reasons when something is wrong. Used by
tests/test_html.sh and tests/test_sweep.sh. MODE:
  run, nognuplot-run  a run's page: PLOTS are the figures expected (plot-<base>), every number
                      of summary.json in the KPI table
  compare             a comparison's page: PLOTS as above, comparison.json's means in the table
  sweep               a sweep's page: one figure per plots/*.dat (its caption names the file),
                      an inline <svg> in each whose plots/<base>.svg exists and only there,
                      one row per point of sweep.json with its values, runs, passed and every
                      KPI's mean and half-width
Every mode: tags closed in order, no <script>, no on* attribute, no external reference, and
the name in $EVIL_NAME appears in the <h1> as text and in the page escaped as replsim
escapes (& < > " ' as &amp; &lt; &gt; &quot; &#39;)."""
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
        self.captions = {}         # figure id -> figcaption text
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
        if self.stack and self.stack[-1][0] == "figcaption":
            figure = [tag for tag in self.stack if tag[0] == "figure"]
            if figure:
                self.captions[figure[-1][1]] = self.captions.get(figure[-1][1], "") + data

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
if name not in page.h1 or (mode != "sweep" and not page.h1.endswith(name)):
    problems.append(f"h1 is {page.h1!r}, not the name as text")
escaped = name
for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;")):
    escaped = escaped.replace(char, entity)
if escaped not in raw:
    problems.append("the name is not escaped in the page")

def check_sweep():
    """The sweep page against plots/ and sweep.json."""
    plots = os.listdir(os.path.join(directory, "plots"))
    dats = sorted(f[:-4] for f in plots if f.endswith(".dat"))
    svgs = {f[:-4] for f in plots if f.endswith(".svg")}
    if len(page.figures) != len(dats) or not all(k and k.startswith("plot-") for k in page.figures):
        problems.append(f"{len(page.figures)} figures for {len(dats)} plots/*.dat")
    if raw.count("<svg") != len(svgs):
        problems.append(f"{raw.count('<svg')} <svg> in the page for {len(svgs)} plots/*.svg")
    for base in dats:
        mine = [k for k, text in page.captions.items() if f"(plots/{base}.png," in text]
        if len(mine) != 1:
            problems.append(f"plot {base}: {len(mine)} figures name it"); continue
        if ("svg" in page.figures[mine[0]]) != (base in svgs):
            problems.append(f"plot {base}: inline <svg> {'svg' in page.figures[mine[0]]}, "
                            f"plots/{base}.svg {base in svgs}")
    sweep = json.load(open(os.path.join(directory, "sweep.json")))
    paths = [p["path"] for p in sweep["parameters"]]
    rows = page.tables.get("points", [])
    header = rows[0] if rows else []
    kpis = [k["name"] for k in sweep["kpis"]]
    if header[:len(paths) + 2] != paths + ["runs", "passed"] or \
       [h.split(" (")[0] for h in header[len(paths) + 2:]] != kpis:
        problems.append(f"points table header {header}")
        return
    if len(rows) - 1 != len(sweep["points"]):
        problems.append(f"{len(rows) - 1} point rows, sweep.json has {len(sweep['points'])}")
    for row, point in zip(rows[1:], sweep["points"]):
        if row[:len(paths)] != [point["parameters"][p] for p in paths]:
            problems.append(f"point row {row[:len(paths)]} != {point['parameters']}")
        counts = row[len(paths):len(paths) + 2]
        if counts != [str(point["runs"]), str(point["verdict_pass"])]:
            problems.append(f"runs/passed {counts} of {point['parameters']}")
        for kpi, cell in zip(kpis, row[len(paths) + 2:]):
            figures_ = point["kpis"][kpi]
            parts = cell.split(" \u00b1 ")
            shown = None if cell == "n/a" else float(parts[0])
            half = float(parts[1]) if len(parts) == 2 else None
            if shown != figures_["mean"] or half != figures_["half_width"]:
                problems.append(f"KPI {kpi} of {point['parameters']}: table {cell!r}, sweep.json "
                                f"{figures_['mean']} \u00b1 {figures_['half_width']}")

figures = {key[len("plot-"):]: tags for key, tags in page.figures.items()
           if key and key.startswith("plot-") and mode != "sweep"}
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
if mode == "sweep":
    check_sweep()
elif mode.endswith("run"):
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
