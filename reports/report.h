/* report.h — turns a finished run (scenario + history + strategy metrics) into the report
 * directory: summary.json, summary.md, timeseries.csv, plots/ (gnuplot data, scripts, PNG).
 * Every figure is computed here from the history; the verdict compares them with the
 * scenario's expectations (checks/expect.h). Files are written atomically (temporary name,
 * then rename). Output is byte-identical for the same scenario, seed and history. */
#ifndef RS_REPORT_H
#define RS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/history.h"
#include "model/scenario.h"
#include "reports/metrics.h"

typedef struct rs_run_facts {
    uint64_t seed;                /* the seed actually used (scenario's or --seed) */
    uint64_t simulated_events;    /* node callbacks dispatched (a measure of work) */
    bool history_edn;             /* also write history.edn (Jepsen op maps) */
    const char *faults_json;      /* the faults a nemesis drew ({"faults": [...]}): written as
                                     faults.json for --faults-from; NULL: no nemesis */
    bool trace;                   /* trace.jsonl was streamed to its staging path during the run
                                     (rs_report_staging_path): commit it with the report */
    bool no_plots;                /* stage the plots' .dat and .gp only: no gnuplot, no images */
} rs_run_facts;

/* Writes the report into `out_dir` (created if missing). Sets *expectations_hold when every
 * expectation holds and every invariant (checks/invariants.h) holds: the run's verdict. 0,
 * or -1 with a message in `error` when a file cannot be written (the directory then holds no
 * partial file of this run). */
int rs_report_write(const rs_scenario *scenario, const rs_history *history,
                    const rs_metrics *metrics, const rs_run_facts *facts, const char *out_dir,
                    bool *expectations_hold, char *error, size_t error_size);

/* The staging (temporary) path of report file `name` in `out_dir`, created with its parents:
 * for a file streamed while the simulation runs (trace.jsonl), which rs_report_write then
 * renames together with the others (facts->trace), or removes when the report fails. Into
 * path[size]. 0, or -1 with a message in `error`. */
int rs_report_staging_path(const char *out_dir, const char *name, char *path, size_t size,
                           char *error, size_t error_size);

/* Installs SIGINT/SIGTERM handling for this process: an interrupted run removes the temporary
 * files of the report being written, says so on stderr and exits 128 + signal; the final
 * renames are made with those signals blocked, so a directory holds a complete report (this
 * run's or an earlier one) or none, never a mix or a partial file. */
void rs_report_handle_interrupts(void);

#endif
