/* report.c — rs_report_write: computes the figures (reports/kpi.h, the time series), judges
 * them against the scenario's expectations (checks/expect.h), then stages every file of the
 * report directory (summary.json, summary.md, timeseries.csv, plots/) as temporaries and
 * renames them all at the end, so a failed report leaves no partial file. Nothing here reads
 * the clock or iterates in pointer order: the same scenario, seed and history give the same
 * bytes. */
#include "reports/report.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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
    rs__stage stage;
    rs__stage_init(&stage);
    if (report_stage_text(report, &stage, out_dir, "summary.json", rs__summary_json, error,
                          error_size) != 0 ||
        report_stage_text(report, &stage, out_dir, "summary.md", rs__summary_md, error,
                          error_size) != 0 ||
        report_stage_text(report, &stage, out_dir, "timeseries.csv", rs__timeseries_csv, error,
                          error_size) != 0 ||
        rs__plots_write(report, &stage, plots_dir, error, error_size) != 0 ||
        (report->facts->history_edn &&
         report_stage_text(report, &stage, out_dir, "history.edn", rs__history_edn, error,
                           error_size) != 0)) {
        rs__stage_abort(&stage);
        return -1;
    }
    return rs__stage_commit(&stage, error, error_size);
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
