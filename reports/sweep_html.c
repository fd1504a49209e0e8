/* sweep_html.c — report.html of `replsim sweep` and `replsim merge`: how each KPI moves with
 * the swept fields, on one self-contained page. The swept fields and their values; one table
 * row per parameter point (its values, runs, runs passed, and per KPI the mean over the seeds
 * ± the half-width of its 95% interval — the figures of sweep.json, formatted the same way);
 * the KPI-against-field plots as sanitised inline SVG read back from plots/ (a note where
 * gnuplot could not draw one); and the scenario file, escaped. Every path, value and name is
 * text for the rs_html_* blocks of html.h, which escape it; this file writes no markup from
 * a scenario. Nothing here depends on run order, directories or the clock, so `sweep` and
 * `merge` of the same runs give the same bytes. */
#include "reports/html.h"
#include "reports/sweep_report.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "reports/stats.h"

#define SWEEP_HTML_CELL_MAX 160             /* bytes of a "mean ± half" or header cell */
#define SWEEP_HTML_TOKEN_MAX 25             /* bytes of a path in a plot id, NUL included */
#define SWEEP_HTML_ID_MAX (RS_HTML_PREFIX_MAX - 1) /* bytes of a plot id, NUL included */
#define SWEEP_HTML_COLUMNS_MAX (RS_SWEEP_PARAMETERS_MAX + 2 + RS_SWEEP_KPIS_MAX)
#define SWEEP_HTML_PATH_MAX (4096 + RS__SWEEP_PLOT_BASE_MAX + 16) /* bytes of an SVG path */

/* "mean ± half" as sweep.json has them ("n/a" without a value, no "±" with one seed). */
static void sweep_html_cell(const rs_stats_interval *interval, int decimals,
                            char cell[SWEEP_HTML_CELL_MAX]) {
    assert(interval != NULL && cell != NULL);
    char mean[RS__NUMBER_BYTES], half[RS__NUMBER_BYTES];
    rs__format_number(mean, sizeof mean, interval->mean, decimals);
    rs__format_number(half, sizeof half, interval->half_width, decimals);
    if (strcmp(mean, "null") == 0) {
        snprintf(cell, SWEEP_HTML_CELL_MAX, "n/a");
        return;
    }
    bool has_half = strcmp(half, "null") != 0;
    snprintf(cell, SWEEP_HTML_CELL_MAX, "%s%s%s", mean, has_half ? " \xc2\xb1 " : "",
             has_half ? half : "");
    assert(cell[0] != '\0');
}

/* Path p as an id token: [a-z0-9_] kept, anything else '_', cut at SWEEP_HTML_TOKEN_MAX. */
static void sweep_html_token(const char *path, char token[SWEEP_HTML_TOKEN_MAX]) {
    assert(path != NULL && token != NULL);
    size_t length = 0;
    for (const char *c = path; *c != '\0' && length + 1 < SWEEP_HTML_TOKEN_MAX; c++) {
        bool plain = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
        token[length++] = plain ? *c : '_';
    }
    token[length] = '\0';
    assert(length < SWEEP_HTML_TOKEN_MAX);
}

/* The figure id of a plot: "<kpi>-vs-<path token>", or "<kpi>-vs-p<p + 1>" when another path
 * gives the same token (ids must be unique: the SVGs' own ids are prefixed with them). */
static void sweep_html_plot_id(const rs__sweep_view *view, const rs__sweep_plot_file *file,
                               char id[SWEEP_HTML_ID_MAX]) {
    assert(view != NULL && file != NULL);
    assert(file->kpi < view->kpi_count && strlen(view->kpis[file->kpi].name) < 32);
    char token[SWEEP_HTML_TOKEN_MAX], other[SWEEP_HTML_TOKEN_MAX];
    sweep_html_token(view->sweep->paths[file->parameter], token);
    bool clash = false;
    for (size_t q = 0; q < view->sweep->parameter_count && !clash; q++) {
        sweep_html_token(view->sweep->paths[q], other);
        clash = q != file->parameter && strcmp(token, other) == 0;
    }
    if (clash || token[0] == '\0') {
        snprintf(token, sizeof token, "p%zu", file->parameter + 1);
    }
    snprintf(id, SWEEP_HTML_ID_MAX, "%s-vs-%s", view->kpis[file->kpi].name, token);
}

static size_t sweep_html_passed(const rs__sweep_view *view, size_t point) {
    assert(view != NULL && point < view->point_count);
    const rs__sweep_point *range = &view->points[point];
    size_t pass = 0;
    for (size_t r = 0; r < range->count; r++) {
        pass += view->sweep->runs[range->first + r].verdict_pass;
    }
    assert(pass <= range->count);
    return pass;
}

/* What ran: the file, the points, the seeds, the runs; the swept fields as a table. */
static void sweep_html_header(rs__text *out, const rs__sweep_view *view) {
    assert(out != NULL && view != NULL);
    const rs_sweep *sweep = view->sweep;
    size_t passed = 0;
    for (size_t i = 0; i < view->point_count; i++) {
        passed += sweep_html_passed(view, i);
    }
    rs__text_puts(out, "<p>Scenario file <code>");
    rs_html_escaped(out, sweep->scenario_file);
    rs__text_printf(out, "</code>: %zu parameter point%s, %zu run%s in all (each point over its "
                         "seeds), %zu of them passed their verdict.</p>\n",
                    view->point_count, view->point_count == 1 ? "" : "s", sweep->run_count,
                    sweep->run_count == 1 ? "" : "s", passed);
    rs__text_puts(out, "<nav><a href=\"#parameters\">parameters</a><a href=\"#points\">points"
                       "</a><a href=\"#plots\">plots</a><a href=\"#scenario\">scenario</a>"
                       "</nav>\n");
    rs_html_page_section(out, "parameters", "Swept fields (--set)");
    static const char *const headers[] = {"path", "values (sorted)", "x axis"};
    rs_html_page_table_begin(out, "parameters-table", headers, 3);
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        const char *distinct[RS_SWEEP_VALUES_MAX];
        size_t count = rs__sweep_distinct(view, p, distinct, RS_SWEEP_VALUES_MAX);
        rs__text values;
        rs__text_init(&values);
        for (size_t v = 0; v < count; v++) {
            rs__text_printf(&values, "%s%s", v > 0 ? " | " : "", distinct[v]);
        }
        out->failed |= values.failed;
        const char *cells[] = {sweep->paths[p], values.data != NULL ? values.data : "",
                               count < 2 ? "none (a constant)"
                               : view->numeric[p] ? "numeric" : "one tick per value"};
        rs_html_page_table_row(out, NULL, cells, 3);
        rs__text_free(&values);
    }
    rs_html_page_table_end(out);
    rs_html_page_section_end(out);
}

/* One row per point: its values, runs, runs passed, then every KPI's cell. */
static void sweep_html_points(rs__text *out, const rs__sweep_view *view, double *scratch) {
    assert(out != NULL && view != NULL && scratch != NULL);
    const rs_sweep *sweep = view->sweep;
    static char cells[SWEEP_HTML_COLUMNS_MAX][SWEEP_HTML_CELL_MAX]; /* 8 kB: off the stack */
    const char *row[SWEEP_HTML_COLUMNS_MAX];
    size_t kpi_column = sweep->parameter_count + 2;
    size_t columns = kpi_column + view->kpi_count;
    assert(columns <= SWEEP_HTML_COLUMNS_MAX);
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        row[p] = sweep->paths[p];
    }
    row[kpi_column - 2] = "runs";
    row[kpi_column - 1] = "passed";
    for (size_t k = 0; k < view->kpi_count; k++) {
        snprintf(cells[kpi_column + k], SWEEP_HTML_CELL_MAX, "%s (%s)", view->kpis[k].name,
                 view->kpis[k].unit);
        row[kpi_column + k] = cells[kpi_column + k];
    }
    rs__text_puts(out, "<div class=\"wide\">\n");
    rs_html_page_table_begin(out, "points", row, columns);
    for (size_t i = 0; i < view->point_count; i++) {
        const rs__sweep_point *point = &view->points[i];
        const rs_sweep_run *first = &sweep->runs[point->first];
        for (size_t p = 0; p < sweep->parameter_count; p++) {
            row[p] = first->values[p];
        }
        size_t passed = sweep_html_passed(view, i);
        snprintf(cells[kpi_column - 2], SWEEP_HTML_CELL_MAX, "%zu", point->count);
        snprintf(cells[kpi_column - 1], SWEEP_HTML_CELL_MAX, "%zu", passed);
        row[kpi_column - 2] = cells[kpi_column - 2];
        row[kpi_column - 1] = cells[kpi_column - 1];
        for (size_t k = 0; k < view->kpi_count; k++) {
            rs_stats_interval interval = rs__sweep_interval(view, i, k, scratch);
            sweep_html_cell(&interval, view->kpis[k].decimals, cells[kpi_column + k]);
            row[kpi_column + k] = cells[kpi_column + k];
        }
        rs_html_page_table_row(out, passed == point->count ? "pass" : "fail", row, columns);
    }
    rs_html_page_table_end(out);
    rs__text_puts(out, "</div>\n");
}

/* The plots, grouped by the field on their x axis. */
static void sweep_html_plots(rs__text *out, const rs__sweep_view *view,
                             const rs__sweep_plot_list *plots, const char *out_dir) {
    assert(out != NULL && view != NULL);
    assert(plots != NULL && out_dir != NULL && plots->count <= RS__SWEEP_PLOTS_MAX);
    rs_html_page_section(out, "plots", "Each KPI against each swept field");
    if (plots->count == 0) {
        rs_html_page_paragraph(out, NULL, "No plot: no swept field has two values or more.");
    } else {
        rs_html_page_paragraph(out, NULL, "Per point the mean over its seeds with its 95% "
                                          "interval as an error bar; one curve per combination "
                                          "of the other swept fields' values.");
    }
    for (size_t i = 0; i < plots->count; i++) {
        const rs__sweep_plot_file *file = &plots->files[i];
        const char *path = view->sweep->paths[file->parameter];
        if (i == 0 || plots->files[i - 1].parameter != file->parameter) {
            if (i > 0) {
                rs_html_page_plots_end(out);
            }
            rs__text_puts(out, "<h3>Against <code>");
            rs_html_escaped(out, path);
            rs__text_puts(out, "</code></h3>\n");
            rs_html_page_plots_begin(out);
        }
        char id[SWEEP_HTML_ID_MAX], svg[SWEEP_HTML_PATH_MAX];
        sweep_html_plot_id(view, file, id);
        snprintf(svg, sizeof svg, "%s/plots/%s.svg", out_dir, file->base);
        rs__text title;
        rs__text_init(&title);
        rs__text_printf(&title, "%s (%s) against %s", view->kpis[file->kpi].name,
                        view->kpis[file->kpi].unit, path);
        out->failed |= title.failed;
        rs_html_page_plot_named(out, id, file->base, title.data != NULL ? title.data : "",
                                file->drawn ? svg : NULL);
        rs__text_free(&title);
    }
    if (plots->count > 0) {
        rs_html_page_plots_end(out);
    }
    rs_html_page_section_end(out);
}

/* "replsim sweep: <name> over <path>, <path>" (the tab title and the h1). */
static void sweep_html_heading(const rs_sweep *sweep, rs__text *heading) {
    assert(sweep != NULL && heading != NULL);
    rs__text_printf(heading, "replsim sweep: %s", sweep->scenario_name);
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        rs__text_printf(heading, "%s%s", p == 0 ? " over " : ", ", sweep->paths[p]);
    }
}

void rs__sweep_html(const rs__sweep_view *view, double *scratch, const rs__sweep_plot_list *plots,
                    const char *out_dir, rs__text *out) {
    assert(view != NULL && scratch != NULL && plots != NULL);
    assert(out_dir != NULL && out != NULL && view->point_count >= 1);
    rs__text heading;
    rs__text_init(&heading);
    sweep_html_heading(view->sweep, &heading);
    out->failed |= heading.failed;
    rs_html_page_begin(out, heading.data != NULL ? heading.data : "replsim sweep",
                       heading.data != NULL ? heading.data : "replsim sweep");
    rs__text_free(&heading);
    sweep_html_header(out, view);
    rs_html_page_section(out, "points", "Key figures per parameter point (mean \xc2\xb1 95% "
                                        "interval)");
    rs_html_page_paragraph(out, NULL, "One row per point, sorted by its values (numerically "
                                      "for a field whose values are all numbers). Each KPI "
                                      "cell: the mean over the point's seeds \xc2\xb1 the "
                                      "half-width of its 95% confidence interval (Student's t, "
                                      "n \xe2\x88\x92 1 degrees of freedom); no \xc2\xb1 with "
                                      "one seed, n/a when no run has the figure. Same figures "
                                      "as sweep.json and sweep.csv.");
    sweep_html_points(out, view, scratch);
    rs_html_page_section_end(out);
    sweep_html_plots(out, view, plots, out_dir);
    rs_html_page_section(out, "scenario", "Scenario file");
    rs_html_page_paragraph(out, NULL, "As read when this page was written; each point runs it "
                                      "with its values of the swept fields as --set overrides.");
    rs_html_page_file(out, view->sweep->scenario_path);
    rs_html_page_section_end(out);
    rs_html_page_end(out);
}
