/* report.c — rs_report_write: computes the figures (reports/kpi.h, the time series), judges
 * them against the scenario's expectations (checks/expect.h), then stages every file of the
 * report directory (summary.json, summary.md, timeseries.csv, plots/, report.html last, as it
 * embeds the plots) as temporaries and renames them all at the end, so a failed report
 * leaves no partial file. Nothing here reads the clock or iterates in pointer order: the same
 * scenario, seed and history give the same bytes. */
#include "reports/report.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/plots_internal.h"
#include "reports/report_internal.h"

#define REPORT_PATH_MAX 4096 /* bytes of "<out_dir>/plots", NUL included */

typedef void (*report_writer)(const rs__report *report, rs__text *out);

static int report_stage_text(const rs__report *report, rs__stage *stage, const char *dir,
                             const char *name, report_writer writer, char *error,
                             size_t error_size) {
    assert(report != NULL && stage != NULL);
    assert(writer != NULL);
    rs__text text;
    rs__text_init(&text);
    writer(report, &text);
    int status = rs__stage_write(stage, dir, name, &text, error, error_size);
    rs__text_free(&text);
    return status;
}

/* Files streamed before the report exists (rs_report_staging_path): their names stay
 * reserved here, the active stage of fileio.c's interrupt handler, so an interrupt during the
 * simulation removes them too; report_stage_all forgets them when its own stage takes over. */
static rs__stage early_stage;
static bool early_stage_open;

static void report_forget_early_stage(void) {
    for (size_t i = 0; early_stage_open && i < early_stage.count; i++) {
        free(early_stage.temporary[i]); /* not removed: the report's stage re-reserves it */
        free(early_stage.final[i]);
    }
    memset(&early_stage, 0, sizeof early_stage);
    early_stage_open = false;
}

/* faults.json: the schedule a nemesis drew, as written (replayed by --faults-from). */
static int report_stage_faults(const rs__report *report, rs__stage *stage, const char *dir,
                               char *error, size_t error_size) {
    rs__text text;
    rs__text_init(&text);
    rs__text_puts(&text, report->facts->faults_json);
    int status = rs__stage_write(stage, dir, "faults.json", &text, error, error_size);
    rs__text_free(&text);
    return status;
}

/* Images of this report's plots an earlier run left and this one did not draw (--no-plots,
 * gnuplot missing or failing): removed with the stale optional files below. */
static void report_remove_stale_images(const rs__plot_set *plots, const char *out_dir) {
    for (size_t i = 0; i < plots->count; i++) {
        if (plots->plots[i].svg_path != NULL) {
            continue; /* drawn: its images are this run's */
        }
        static const char *const extensions[] = {"png", "svg"};
        for (size_t e = 0; e < 2; e++) {
            char path[REPORT_PATH_MAX];
            int length = snprintf(path, sizeof path, "%s/plots/%s.%s", out_dir,
                                  plots->plots[i].base, extensions[e]);
            if (length > 0 && (size_t)length < sizeof path) {
                (void)unlink(path); /* absent is fine */
            }
        }
    }
}

/* Optional files an earlier run may have left in the same directory and this one did not
 * write: removed once the new report is committed, so a directory never mixes two runs. */
static void report_remove_stale(const rs__report *report, const char *out_dir) {
    const struct {
        const char *name;
        bool written;
    } optional[] = {{"history.edn", report->facts->history_edn},
                    {"trace.jsonl", report->facts->trace},
                    {"faults.json", report->facts->faults_json != NULL}};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        char path[REPORT_PATH_MAX];
        int length = snprintf(path, sizeof path, "%s/%s", out_dir, optional[i].name);
        if (!optional[i].written && length > 0 && (size_t)length < sizeof path) {
            (void)unlink(path); /* absent is fine */
        }
    }
}

static int report_stage_all(const rs__report *report, const char *out_dir, char *error,
                            size_t error_size) {
    char plots_dir[REPORT_PATH_MAX];
    int length = snprintf(plots_dir, sizeof plots_dir, "%s/plots", out_dir);
    if (length < 0 || (size_t)length >= sizeof plots_dir) {
        snprintf(error, error_size, "report directory '%s' is too long", out_dir);
        return -1;
    }
    if (rs__make_directories(out_dir, error, error_size) != 0 ||
        rs__make_directories(plots_dir, error, error_size) != 0) {
        return -1;
    }
    report_forget_early_stage(); /* trace.jsonl, if any, is re-reserved below */
    rs__stage stage;
    rs__stage_init(&stage);
    rs__plot_set plots; /* RS__PLOTS_MAX x ~220 bytes */
    if (report_stage_text(report, &stage, out_dir, "summary.json", rs__summary_json, error,
                          error_size) != 0 ||
        report_stage_text(report, &stage, out_dir, "summary.md", rs__summary_md, error,
                          error_size) != 0 ||
        report_stage_text(report, &stage, out_dir, "timeseries.csv", rs__timeseries_csv, error,
                          error_size) != 0 ||
        rs__plots_write(report, &stage, plots_dir, &plots, error, error_size) != 0 ||
        (report->facts->history_edn &&
         report_stage_text(report, &stage, out_dir, "history.edn", rs__history_edn, error,
                           error_size) != 0) ||
        (report->facts->faults_json != NULL &&
         report_stage_faults(report, &stage, out_dir, error, error_size) != 0) ||
        (report->facts->trace && /* already written during the run, under its staging name */
         rs__stage_reserve(&stage, out_dir, "trace.jsonl", error, error_size) == NULL)) {
        rs__stage_abort(&stage);
        return -1;
    }
    rs__text html; /* last: it embeds the plots' staged SVGs */
    rs__text_init(&html);
    rs__report_html(report, &plots, &html);
    int status = rs__stage_write(&stage, out_dir, "report.html", &html, error, error_size);
    rs__text_free(&html);
    if (status != 0) {
        rs__stage_abort(&stage);
        return -1;
    }
    status = rs__stage_commit(&stage, error, error_size);
    if (status == 0) {
        report_remove_stale(report, out_dir);
        report_remove_stale_images(&plots, out_dir);
    }
    return status;
}

int rs_report_staging_path(const char *out_dir, const char *name, char *path, size_t size,
                           char *error, size_t error_size) {
    assert(out_dir != NULL && name != NULL && path != NULL);
    assert(error != NULL && error_size > 0);
    if (rs__make_directories(out_dir, error, error_size) != 0) {
        return -1;
    }
    if (!early_stage_open) {
        rs__stage_init(&early_stage);
        early_stage_open = true;
    }
    const char *temporary = rs__stage_reserve(&early_stage, out_dir, name, error, error_size);
    if (temporary == NULL) {
        return -1;
    }
    int length = snprintf(path, size, "%s", temporary);
    if (length < 0 || (size_t)length >= size) {
        snprintf(error, error_size, "%s/%s: path too long", out_dir, name);
        rs__stage_drop_last(&early_stage);
        return -1;
    }
    return 0;
}

int rs_report_write(const rs_scenario *scenario, const rs_history *history,
                    const rs_metrics *metrics, const rs_run_facts *facts, const char *out_dir,
                    bool *expectations_hold, char *error, size_t error_size) {
    assert(scenario != NULL && history != NULL && facts != NULL);
    assert(out_dir != NULL && expectations_hold != NULL);
    assert(error != NULL && error_size > 0);
    assert(metrics == NULL || metrics->store_count == history->store_count);
    *expectations_hold = false;
    error[0] = '\0';
    rs__report report;
    memset(&report, 0, sizeof report);
    report.scenario = scenario;
    report.history = history;
    report.metrics = metrics;
    report.facts = facts;
    snprintf(report.hash_hex, sizeof report.hash_hex, "%016" PRIx64, scenario->content_hash);
    int status = 0;
    if (rs_kpis_compute(scenario, history, &report.kpis) != 0 ||
        rs__timeseries_compute(history, &report.timeseries) != 0) {
        snprintf(error, error_size, "%s: out of memory while computing the report", out_dir);
        status = -1;
    }
    if (status == 0) {
        report.expectation_failures =
            rs_expect_check(&scenario->expect, report.kpis.expect_actual, report.outcomes);
        report.invariant_failures = rs_check_history(scenario, history, &report.checks);
        if (report.invariant_failures < 0) {
            snprintf(error, error_size, "%s: out of memory while checking invariants", out_dir);
            status = -1;
        }
    }
    if (status == 0) {
        status = report_stage_all(&report, out_dir, error, error_size);
    }
    if (status == 0) {
        *expectations_hold = report.expectation_failures == 0 && report.invariant_failures == 0;
    }
    rs__timeseries_free(&report.timeseries);
    rs_kpis_free(&report.kpis);
    return status;
}
