/* html_report.c — report.html of a run: the verdict (expectations and invariants), the KPI
 * table, the stores, the fault timeline, every plot as inline SVG and the scenario file
 * itself, escaped. The tables are read back from the summary.json this report writes
 * (rs__summary_json), so the page shows exactly its figures: the KPI table has one row per
 * number of summary.json outside its structural sections (scenario, stores, strategy
 * metrics, faults, crashes, invariants, expectations), keyed by its dotted path. Built with
 * the rs_html_page_* blocks of html.h; byte-stable for the same report and plots. */
#include "reports/html.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/plots_internal.h"

#define HTML_PATH_MAX 512     /* bytes of a dotted summary.json path shown in the table */
#define HTML_CELL_MAX 64      /* bytes of a number or short cell */

/* Sections of summary.json that are not KPIs (shown elsewhere, or descriptive). */
static bool html_structural(const char *key) {
    static const char *const keys[] = {"summary_version", "scenario", "stores",
                                       "strategy_metrics", "faults", "crashes", "invariants",
                                       "expectations", "verdict"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i]) == 0) {
            return true;
        }
    }
    return false;
}

static bool html_ends_with(const char *text, const char *suffix) {
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

/* The unit of a KPI from its path (docs/report.md explains each). */
static const char *html_unit(const char *path, const char *leaf) {
    if (strstr(path, "_ms.") != NULL || html_ends_with(path, "_ms")) {
        return strcmp(leaf, "count") == 0 ? "samples"
               : strstr(leaf, "events") != NULL ? "events" : "ms";
    }
    if (strstr(leaf, "_ms_") != NULL || html_ends_with(leaf, "_ms")) {
        return "ms";
    }
    if (html_ends_with(leaf, "_per_s")) {
        return "per s";
    }
    if (html_ends_with(leaf, "_s") || strstr(leaf, "_s_") != NULL) {
        return "s";
    }
    if (strstr(leaf, "rate") != NULL || strcmp(path, "availability") == 0) {
        return "fraction";
    }
    if (strcmp(leaf, "note") == 0) {
        return "text";
    }
    if (strstr(leaf, "bytes") != NULL) {
        return html_ends_with(leaf, "per_event") ? "bytes/event" : "bytes";
    }
    if (html_ends_with(leaf, "per_event")) {
        return "messages/event";
    }
    return "count";
}

/* A number as cJSON read it, printed back (shortest round trip); "null" for null. */
static void html_json_number(const cJSON *item, char buf[HTML_CELL_MAX]) {
    if (!cJSON_IsNumber(item)) {
        snprintf(buf, HTML_CELL_MAX, "null");
        return;
    }
    double value = item->valuedouble;
    if (value == (double)(int64_t)value && value > -1e15 && value < 1e15) {
        snprintf(buf, HTML_CELL_MAX, "%.0f", value); /* counts and whole numbers as such */
        return;
    }
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, HTML_CELL_MAX, "%.*g", digits, value);
        if (strtod(buf, NULL) == value) {
            return;
        }
    }
}

static void html_kpi_rows(rs__text *out, const cJSON *node, const char *path) {
    const cJSON *child;
    cJSON_ArrayForEach(child, node) {
        if (child->string == NULL || (path[0] == '\0' && html_structural(child->string))) {
            continue;
        }
        char child_path[HTML_PATH_MAX];
        snprintf(child_path, sizeof child_path, "%s%s%s", path, path[0] != '\0' ? "." : "",
                 child->string);
        if (cJSON_IsObject(child)) {
            html_kpi_rows(out, child, child_path);
        } else if (cJSON_IsNumber(child) || cJSON_IsNull(child)) {
            char value[HTML_CELL_MAX];
            html_json_number(child, value);
            const char *cells[] = {child_path, value, html_unit(path, child->string)};
            rs_html_page_table_row(out, NULL, cells, 3);
        }
    }
}

static const char *html_string(const cJSON *object, const char *key) {
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, key));
    return value != NULL ? value : "";
}

static void html_number_cell(const cJSON *object, const char *key, char buf[HTML_CELL_MAX]) {
    html_json_number(cJSON_GetObjectItemCaseSensitive(object, key), buf);
}

static void html_expectations(rs__text *out, const cJSON *summary) {
    const cJSON *expectations = cJSON_GetObjectItemCaseSensitive(summary, "expectations");
    if (cJSON_GetArraySize(expectations) == 0) {
        rs_html_page_paragraph(out, NULL, "The scenario sets no expectation.");
        return;
    }
    static const char *const headers[] = {"expectation", "kind", "threshold", "actual",
                                          "margin", "verdict"};
    rs_html_page_table_begin(out, "expectations", headers, 6);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, expectations) {
        char threshold[HTML_CELL_MAX], actual[HTML_CELL_MAX], margin[HTML_CELL_MAX];
        html_number_cell(entry, "threshold", threshold);
        html_number_cell(entry, "actual", actual);
        html_number_cell(entry, "margin", margin);
        bool pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "pass"));
        const char *cells[] = {html_string(entry, "name"), html_string(entry, "kind"),
                               threshold, actual, margin, pass ? "pass" : "fail"};
        rs_html_page_table_row(out, pass ? "pass" : "fail", cells, 6);
    }
    rs_html_page_table_end(out);
}

static void html_invariants(rs__text *out, const cJSON *summary) {
    static const char *const headers[] = {"invariant", "checked", "violations", "tolerated",
                                          "verdict"};
    rs_html_page_table_begin(out, "invariants", headers, 5);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(summary, "invariants")) {
        bool checked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "checked"));
        bool pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "pass"));
        bool tolerated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "tolerated"));
        char violations[HTML_CELL_MAX];
        html_number_cell(entry, "violations", violations);
        const char *because = html_string(entry, "skipped_because");
        const char *cells[] = {entry->string != NULL ? entry->string : "",
                               checked ? "yes" : because[0] != '\0' ? because : "no",
                               violations, tolerated ? "yes" : "no",
                               !checked ? "not checked" : pass ? "pass" : "fail"};
        rs_html_page_table_row(out, !checked ? "skip" : pass ? "pass" : "fail", cells, 5);
    }
    rs_html_page_table_end(out);
}

static void html_stores(rs__text *out, const cJSON *summary) {
    static const char *const headers[] = {"store", "region", "target", "appends", "duplicates",
                                          "final events"};
    rs_html_page_table_begin(out, "stores", headers, 6);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(summary, "stores")) {
        char appends[HTML_CELL_MAX], duplicates[HTML_CELL_MAX], final_events[HTML_CELL_MAX];
        html_number_cell(entry, "appends", appends);
        html_number_cell(entry, "duplicates", duplicates);
        html_number_cell(entry, "final_events", final_events);
        bool target = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "target"));
        const char *cells[] = {html_string(entry, "name"), html_string(entry, "region"),
                               target ? "yes" : "no", appends, duplicates, final_events};
        rs_html_page_table_row(out, NULL, cells, 6);
    }
    rs_html_page_table_end(out);
}

void rs__html_plots_section(rs__text *out, const rs__plot_set *plots) {
    assert(out != NULL && plots != NULL);
    assert(plots->count <= RS__PLOTS_MAX);
    rs_html_page_section(out, "plots", "Plots");
    if (plots->images_off) {
        rs__text_puts(out, "<p class=\"note\">Plots not drawn: the run was made with "
                           "--no-plots. plots/ holds each plot's data (.dat) and gnuplot script "
                           "(.gp): <code>cd plots &amp;&amp; gnuplot NAME.gp</code> draws one."
                           "</p>\n");
        rs_html_page_section_end(out);
        return;
    }
    rs_html_page_plots_begin(out);
    for (size_t i = 0; i < plots->count; i++) {
        rs_html_page_plot(out, plots->plots[i].base, plots->plots[i].title,
                          plots->plots[i].svg_path);
    }
    rs_html_page_plots_end(out);
    rs_html_page_section_end(out);
}

/* Title line: scenario, file, hash, seed, strategy, verdict. */
static void html_run_header(rs__text *out, const rs__report *report, const cJSON *summary) {
    const cJSON *scenario = cJSON_GetObjectItemCaseSensitive(summary, "scenario");
    const cJSON *strategy = cJSON_GetObjectItemCaseSensitive(scenario, "strategy");
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(scenario, "consistency");
    const char *verdict = html_string(summary, "verdict");
    rs__text_puts(out, "<p>Scenario file <code>");
    rs_html_escaped(out, report->scenario->source_path);
    rs__text_printf(out, "</code>, hash <code>%s</code>, seed %" PRIu64 "; strategy <b>",
                    report->hash_hex, report->facts->seed);
    rs_html_escaped(out, html_string(strategy, "name"));
    rs__text_puts(out, "</b>, consistency <b>");
    rs_html_escaped(out, html_string(policy, "name"));
    rs__text_printf(out, "</b>. Verdict: <span class=\"verdict-%s\">%s</span>.</p>\n",
                    strcmp(verdict, "pass") == 0 ? "pass" : "fail",
                    strcmp(verdict, "pass") == 0 ? "pass" : "fail");
    rs__text_puts(out, "<nav><a href=\"#verdict\">verdict</a><a href=\"#faults\">faults</a>"
                       "<a href=\"#plots\">plots</a><a href=\"#kpis\">KPIs</a>"
                       "<a href=\"#stores\">stores</a><a href=\"#scenario\">scenario</a></nav>\n");
}

void rs__report_html(const rs__report *report, const rs__plot_set *plots, rs__text *out) {
    assert(report != NULL && plots != NULL && out != NULL);
    assert(plots->count <= RS__PLOTS_MAX);
    rs__text json;
    rs__text_init(&json);
    rs__summary_json(report, &json);
    cJSON *summary = json.failed ? NULL : cJSON_Parse(json.data);
    rs__text_free(&json);
    if (summary == NULL) {
        out->failed = true; /* out of memory: the report fails like any other file */
        return;
    }
    char heading[RS_SCENARIO_NAME_MAX + 32];
    snprintf(heading, sizeof heading, "replsim run: %s", report->scenario->name);
    rs_html_page_begin(out, heading, heading);
    html_run_header(out, report, summary);
    rs_html_page_section(out, "verdict", "Verdict: expectations and invariants");
    html_expectations(out, summary);
    html_invariants(out, summary);
    rs_html_page_section_end(out);
    rs_html_page_section(out, "faults", "Fault timeline");
    rs_html_page_fault_timeline(out, report->scenario, report->kpis.end_s);
    rs_html_page_section_end(out);
    rs__html_plots_section(out, plots);
    rs_html_page_section(out, "kpis", "Key figures (summary.json)");
    static const char *const headers[] = {"KPI (summary.json field)", "value", "unit"};
    rs_html_page_table_begin(out, "kpi-table", headers, 3);
    html_kpi_rows(out, summary, "");
    rs_html_page_table_end(out);
    rs_html_page_section_end(out);
    rs_html_page_section(out, "stores", "Stores");
    html_stores(out, summary);
    rs_html_page_section_end(out);
    rs_html_page_section(out, "scenario", "Scenario file");
    rs_html_page_paragraph(out, NULL, "As read when this page was written (command-line "
                                      "overrides, if any, are not applied to the text).");
    rs_html_page_file(out, report->scenario->source_path);
    rs_html_page_section_end(out);
    rs_html_page_end(out);
    cJSON_Delete(summary);
}
