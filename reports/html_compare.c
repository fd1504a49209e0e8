/* html_compare.c — report.html of `replsim compare`: which strategy, for this scenario and
 * these seeds. The KPI table (mean ± half-width of the 95% interval per strategy, the same
 * figures as comparison.json), the paired differences against the first strategy (bold when
 * significant), the verdicts (runs that passed; per invariant, runs that violated it, read
 * from each run's summary.json), the fault timeline, the overlay plots as inline SVG and the
 * scenario file, escaped. Built with the rs_html_page_* blocks of html.h. */
#include "reports/html.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/plots_internal.h"
#include "reports/stats.h"

#define HTMLC_CELL_MAX 160         /* bytes of one table cell: two numbers and more */
#define HTMLC_INVARIANTS_MAX 16    /* invariant names tracked per strategy */
#define HTMLC_NAME_MAX 64          /* bytes of an invariant name */
#define HTMLC_PATH_MAX 4096        /* bytes of a run's summary.json path */

/* "mean ± half" as comparison.md writes it ("n/a" without a value, no "±" with n < 2). */
static void htmlc_cell(const rs_stats_interval *interval, int decimals, bool signed_mean,
                       char cell[HTMLC_CELL_MAX]) {
    char mean[RS__NUMBER_BYTES], half[RS__NUMBER_BYTES];
    rs__format_number(mean, sizeof mean, interval->mean, decimals);
    rs__format_number(half, sizeof half, interval->half_width, decimals);
    if (strcmp(mean, "null") == 0) {
        snprintf(cell, HTMLC_CELL_MAX, "n/a");
        return;
    }
    bool plus = signed_mean && mean[0] != '-' && strcmp(mean, "0") != 0;
    snprintf(cell, HTMLC_CELL_MAX, "%s%s%s%s", plus ? "+" : "", mean,
             strcmp(half, "null") != 0 ? " \xc2\xb1 " : "", strcmp(half, "null") != 0 ? half : "");
}

/* The level (difference = false) or paired difference against entry 0 of KPI k. */
static rs_stats_interval htmlc_interval(const rs_compare *comparison, size_t entry, size_t k,
                                        bool difference) {
    const rs_compare_kpi *kpis = NULL;
    size_t kpi_count = rs_compare_kpis(&kpis);
    assert(k < kpi_count && entry < comparison->entry_count);
    double values[RS_COMPARE_SEEDS_MAX];
    for (size_t s = 0; s < comparison->seed_count; s++) {
        values[s] = comparison->entries[entry].values[s * kpi_count + k];
        if (difference) {
            values[s] -= comparison->entries[0].values[s * kpi_count + k];
        }
    }
    return rs_stats_mean_interval(values, comparison->seed_count, RS_COMPARE_CONFIDENCE);
}

/* The KPI table (difference = false) or the differences against the baseline. */
static void htmlc_kpi_table(rs__text *out, const rs_compare *comparison, bool difference) {
    const rs_compare_kpi *kpis = NULL;
    size_t kpi_count = rs_compare_kpis(&kpis);
    size_t first = difference ? 1 : 0, columns = 2 + comparison->entry_count - first;
    const char *headers[2 + RS_COMPARE_ENTRIES_MAX] = {"KPI", "unit"};
    for (size_t e = first; e < comparison->entry_count; e++) {
        headers[2 + e - first] = comparison->entries[e].label;
    }
    rs_html_page_table_begin(out, difference ? "difference-table" : "kpi-table", headers,
                             columns);
    static char cells[2 + RS_COMPARE_ENTRIES_MAX][HTMLC_CELL_MAX];
    const char *row[2 + RS_COMPARE_ENTRIES_MAX];
    for (size_t k = 0; k < kpi_count; k++) {
        row[0] = kpis[k].name;
        row[1] = kpis[k].unit;
        bool significant = false;
        for (size_t e = first; e < comparison->entry_count; e++) {
            rs_stats_interval interval = htmlc_interval(comparison, e, k, difference);
            htmlc_cell(&interval, kpis[k].decimals, difference, cells[2 + e - first]);
            significant |= difference && interval.n >= 2 && rs_stats_excludes(&interval, 0.0);
            if (difference && interval.n >= 2 && rs_stats_excludes(&interval, 0.0)) {
                size_t used = strlen(cells[2 + e - first]);
                snprintf(cells[2 + e - first] + used, HTMLC_CELL_MAX - used, " *");
            }
            row[2 + e - first] = cells[2 + e - first];
        }
        rs_html_page_table_row(out, significant ? "significant" : NULL, row, columns);
    }
    rs_html_page_table_end(out);
}

typedef struct htmlc_invariants {
    size_t count;                                      /* names seen */
    char names[HTMLC_INVARIANTS_MAX][HTMLC_NAME_MAX];  /* in summary.json order */
    size_t violated[HTMLC_INVARIANTS_MAX];             /* runs that violated each */
    size_t unread;                                     /* runs whose summary was unreadable */
} htmlc_invariants;

static size_t htmlc_invariant_slot(htmlc_invariants *seen, const char *name) {
    for (size_t i = 0; i < seen->count; i++) {
        if (strcmp(seen->names[i], name) == 0) {
            return i;
        }
    }
    if (seen->count == HTMLC_INVARIANTS_MAX || strlen(name) >= HTMLC_NAME_MAX) {
        return HTMLC_INVARIANTS_MAX;
    }
    snprintf(seen->names[seen->count], HTMLC_NAME_MAX, "%s", name);
    return seen->count++;
}

/* Per invariant, the runs of entry `e` that violated it (from their summary.json). */
static void htmlc_read_invariants(const rs_compare *comparison, const char *out_dir, size_t e,
                                  htmlc_invariants *seen) {
    memset(seen->violated, 0, sizeof seen->violated);
    seen->unread = 0;
    for (size_t s = 0; s < comparison->seed_count; s++) {
        char path[HTMLC_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s/seed-%zu/summary.json", out_dir,
                 comparison->entries[e].directory, s + 1);
        size_t length = 0;
        char *text = rs_html_read_file(path, &length);
        cJSON *root = text != NULL ? cJSON_Parse(text) : NULL;
        free(text);
        seen->unread += root == NULL;
        const cJSON *entry;
        cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(root, "invariants")) {
            const cJSON *violations = cJSON_GetObjectItemCaseSensitive(entry, "violations");
            size_t slot = entry->string != NULL ? htmlc_invariant_slot(seen, entry->string)
                                                : HTMLC_INVARIANTS_MAX;
            if (slot < HTMLC_INVARIANTS_MAX && cJSON_IsNumber(violations) &&
                violations->valuedouble > 0) {
                seen->violated[slot]++;
            }
        }
        cJSON_Delete(root);
    }
}

static void htmlc_verdicts(rs__text *out, const rs_compare *comparison, const char *out_dir) {
    static htmlc_invariants seen;
    memset(&seen, 0, sizeof seen);
    for (size_t e = 0; e < comparison->entry_count; e++) { /* the names, in order */
        htmlc_read_invariants(comparison, out_dir, e, &seen);
    }
    const char *headers[3 + HTMLC_INVARIANTS_MAX] = {"strategy", "runs passed",
                                                     "unreadable summaries"};
    for (size_t i = 0; i < seen.count; i++) {
        headers[3 + i] = seen.names[i];
    }
    rs_html_page_table_begin(out, "verdicts", headers, 3 + seen.count);
    for (size_t e = 0; e < comparison->entry_count; e++) {
        const rs_compare_entry *entry = &comparison->entries[e];
        htmlc_read_invariants(comparison, out_dir, e, &seen);
        static char cells[3 + HTMLC_INVARIANTS_MAX][HTMLC_CELL_MAX];
        const char *row[3 + HTMLC_INVARIANTS_MAX] = {entry->label, cells[1], cells[2]};
        snprintf(cells[1], HTMLC_CELL_MAX, "%zu/%zu", entry->verdict_pass,
                 comparison->seed_count);
        snprintf(cells[2], HTMLC_CELL_MAX, "%zu", seen.unread);
        for (size_t i = 0; i < seen.count; i++) {
            snprintf(cells[3 + i], HTMLC_CELL_MAX, "%zu violated", seen.violated[i]);
            row[3 + i] = cells[3 + i];
        }
        rs_html_page_table_row(out, entry->verdict_pass == comparison->seed_count ? "pass"
                                                                                 : "fail",
                               row, 3 + seen.count);
    }
    rs_html_page_table_end(out);
    rs_html_page_paragraph(out, NULL, "Runs passed: runs whose verdict (expectations and "
                                      "invariants) passed. An invariant column counts the runs "
                                      "that violated it.");
}

static void htmlc_header(rs__text *out, const rs_compare *comparison) {
    rs__text_puts(out, "<p>Scenario file <code>");
    rs_html_escaped(out, comparison->scenario_file);
    rs__text_printf(out, "</code>, seeds %llu..%llu: every strategy runs the same workload and "
                         "fault schedule for each seed. Strategies: ",
                    (unsigned long long)comparison->seed_first,
                    (unsigned long long)(comparison->seed_first + comparison->seed_count - 1));
    for (size_t e = 0; e < comparison->entry_count; e++) {
        rs__text_puts(out, e == 0 ? "<b>" : ", <b>");
        rs_html_escaped(out, comparison->entries[e].label);
        rs__text_puts(out, e == 0 ? "</b> (baseline)" : "</b>");
    }
    for (size_t i = 0; i < comparison->set_count; i++) {
        rs__text_puts(out, i == 0 ? "; overrides: <code>" : "</code>, <code>");
        rs_html_escaped(out, comparison->sets[i]);
        rs__text_puts(out, i + 1 == comparison->set_count ? "</code>" : "");
    }
    rs__text_puts(out, ".</p>\n<nav><a href=\"#kpis\">KPIs</a><a href=\"#differences\">"
                       "differences</a><a href=\"#verdicts\">verdicts</a><a href=\"#faults\">"
                       "faults</a><a href=\"#plots\">plots</a><a href=\"#runs\">runs</a>"
                       "<a href=\"#scenario\">scenario</a></nav>\n");
}

static void htmlc_runs(rs__text *out, const rs_compare *comparison) {
    static const char *const headers[] = {"strategy", "overrides", "scenario hash", "reports"};
    rs_html_page_table_begin(out, "runs", headers, 4);
    for (size_t e = 0; e < comparison->entry_count; e++) {
        const rs_compare_entry *entry = &comparison->entries[e];
        static char overrides[RS_COMPARE_ENTRY_SETS_MAX * 64];
        overrides[0] = '\0';
        for (size_t i = 0; i < entry->set_count; i++) {
            size_t used = strlen(overrides);
            snprintf(overrides + used, sizeof overrides - used, "%s%s", i > 0 ? ", " : "",
                     entry->sets[i]);
        }
        char directory[RS_COMPARE_TEXT_MAX + 16];
        snprintf(directory, sizeof directory, "%s/seed-N/", entry->directory);
        const char *cells[] = {entry->label, overrides, entry->hash, directory};
        rs_html_page_table_row(out, NULL, cells, 4);
    }
    rs_html_page_table_end(out);
}

void rs__compare_html(const rs_compare *comparison, const char *out_dir,
                      const rs__plot_set *plots, rs__text *out) {
    assert(comparison != NULL && out_dir != NULL);
    assert(plots != NULL && out != NULL);
    char heading[RS_COMPARE_TEXT_MAX + 64];
    snprintf(heading, sizeof heading, "replsim compare: %s", comparison->scenario_name);
    rs_html_page_begin(out, heading, heading);
    htmlc_header(out, comparison);
    rs_html_page_section(out, "kpis", "Key figures per strategy (mean \xc2\xb1 95% interval)");
    rs_html_page_paragraph(out, NULL, "Each cell: the mean over the seeds \xc2\xb1 the "
                                      "half-width of its 95% confidence interval (Student's t, "
                                      "n \xe2\x88\x92 1 degrees of freedom); n/a when no run "
                                      "has the figure. Same figures as comparison.json.");
    htmlc_kpi_table(out, comparison, false);
    rs_html_page_section_end(out);
    if (comparison->entry_count > 1) {
        rs_html_page_section(out, "differences", "Difference against the baseline (paired by "
                                                 "seed)");
        rs_html_page_paragraph(out, NULL, "Each cell: the mean of the per-seed differences "
                                          "(strategy \xe2\x88\x92 baseline) \xc2\xb1 the "
                                          "half-width of its 95% interval; * and a shaded row "
                                          "when the interval excludes 0 (significant).");
        htmlc_kpi_table(out, comparison, true);
        rs_html_page_section_end(out);
    }
    rs_html_page_section(out, "verdicts", "Verdicts and invariants");
    htmlc_verdicts(out, comparison, out_dir);
    rs_html_page_section_end(out);
    rs_html_page_section(out, "faults", "Fault timeline (the same for every strategy)");
    if (comparison->scenario != NULL) {
        rs_html_page_fault_timeline(out, comparison->scenario,
                                    comparison->scenario->duration_s +
                                        comparison->scenario->settle_s);
    } else {
        rs_html_page_paragraph(out, "note", "The scenario was not available to this report.");
    }
    rs_html_page_section_end(out);
    rs__html_plots_section(out, plots);
    rs_html_page_section(out, "runs", "Runs");
    htmlc_runs(out, comparison);
    rs_html_page_section_end(out);
    rs_html_page_section(out, "scenario", "Scenario file");
    rs_html_page_paragraph(out, NULL, "As read when this page was written; each strategy "
                                      "runs it with the overrides listed under Runs.");
    rs_html_page_file(out, comparison->scenario_file);
    rs_html_page_section_end(out);
    rs_html_page_end(out);
}
