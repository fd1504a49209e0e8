/* sweep_report.h — the files of `replsim sweep` and `replsim merge`: the small manifest each
 * sweep run leaves next to its report (which parameter values and seed it ran), and the merged
 * outputs of many runs: sweep.csv and sweep.json (one row per parameter point: every KPI of
 * reports/compare_report.h as the mean over the seeds with its 95% confidence interval,
 * reports/stats.h), plots/<kpi>-vs-<parameter>.{dat,gp,png,svg} and report.html (the table and
 * the plots on one self-contained page, sweep_html.c). Merged outputs depend only on
 * the runs' contents, never on the order they are given in, their directories or the clock:
 * points are sorted by parameter values (numerically when every value of that parameter is a
 * number, else bytewise), runs inside a point by seed. */
#ifndef RS_SWEEP_REPORT_H
#define RS_SWEEP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/compare_report.h"
#include "reports/stats.h"
#include "strategies/limits.h"

#define RS_SWEEP_MANIFEST "manifest.json"  /* in every run directory */
#define RS_SWEEP_TEXT_MAX 512              /* bytes of a path, a value or a name, with NUL */
#define RS_SWEEP_KPIS_MAX 32               /* at least rs_compare_kpis()'s count */

/* What one run of a sweep was: written by `replsim sweep-run` once its report is complete, so
 * a directory with a manifest holds a finished run. */
typedef struct rs_sweep_manifest {
    char scenario_name[RS_SWEEP_TEXT_MAX];   /* the scenario's "name" */
    char scenario_file[RS_SWEEP_TEXT_MAX];   /* the file as the run was given it */
    size_t parameter_count;                  /* 0..RS_SWEEP_PARAMETERS_MAX */
    char paths[RS_SWEEP_PARAMETERS_MAX][RS_SWEEP_TEXT_MAX];  /* "workload.rate_per_s" */
    char values[RS_SWEEP_PARAMETERS_MAX][RS_SWEEP_TEXT_MAX]; /* "200", as given to --set */
    uint64_t seed;                           /* the run's seed */
    int exit_status;                         /* the run's: 0 verdict pass, 1 verdict fail */
} rs_sweep_manifest;

/* Writes <dir>/manifest.json atomically. 0, or -1 with a message. */
int rs_sweep_manifest_write(const rs_sweep_manifest *manifest, const char *dir, char *error,
                            size_t error_size);

/* One finished run, as a merge sees it: its manifest's values and seed, and the KPIs of its
 * summary.json. */
typedef struct rs_sweep_run {
    char *dir;                               /* where it was read from (owned) */
    char *values[RS_SWEEP_PARAMETERS_MAX];   /* per parameter, as given to --set (owned) */
    uint64_t seed;                           /* the run's seed */
    double kpis[RS_SWEEP_KPIS_MAX];          /* rs_compare_kpis() order; NaN = no value */
    bool verdict_pass;                       /* summary.json's verdict */
    char hash[17];                           /* summary.json's scenario.hash */
} rs_sweep_run;

/* Runs being merged. The first run added fixes the scenario and the parameter paths; every
 * later one must agree. */
typedef struct rs_sweep {
    char scenario_name[RS_SWEEP_TEXT_MAX];   /* the scenario's "name" */
    char scenario_file[RS_SWEEP_TEXT_MAX];   /* the file's name, without its directory */
    char scenario_path[RS_SWEEP_TEXT_MAX];   /* the file as the runs were given it (bytewise
                                                least over the runs): report.html shows it */
    size_t parameter_count;                  /* 0..RS_SWEEP_PARAMETERS_MAX */
    char paths[RS_SWEEP_PARAMETERS_MAX][RS_SWEEP_TEXT_MAX]; /* swept paths, --set order */
    size_t run_count;                        /* 0..RS_SWEEP_RUNS_MAX */
    size_t run_capacity;                     /* allocated */
    rs_sweep_run *runs;                      /* owned */
} rs_sweep;

void rs_sweep_init(rs_sweep *sweep);
void rs_sweep_free(rs_sweep *sweep);

/* Reads <dir>/manifest.json and <dir>/summary.json and adds the run. 0; -1 with a message when
 * a file is missing or unreadable; -2 when the run does not belong with the runs already
 * added (another scenario, other parameter paths, more than RS_SWEEP_RUNS_MAX runs). */
int rs_sweep_add_run(rs_sweep *sweep, const char *dir, char *error, size_t error_size);

/* How many gnuplot processes rs_sweep_write may run at once for the plots: `sweep -j 1` says 1
 * (one process at a time, as asked); otherwise, and by default, two on a machine with two
 * cores or more. Process-wide. */
void rs_sweep_set_render_jobs(long jobs);

/* Sorts the runs (points, then seeds) and writes <out_dir>/plots/ (a plot per KPI against
 * each parameter with two values or more; gnuplot renders the .png and .svg when it can),
 * then sweep.csv, sweep.json and report.html together. 0, with *point_count set; -2 with a
 * message when a (point, seed) pair appears twice or the runs of one point have different
 * scenario hashes (nothing written); -1 with a message when a file cannot be written (no
 * partial file is left). */
int rs_sweep_write(rs_sweep *sweep, const char *out_dir, size_t *point_count, char *error,
                   size_t error_size);

/* --- private to reports/sweep_report.c and reports/sweep_plots.c (rs__ prefix) --------- */

typedef struct rs__sweep_point {
    size_t first;                            /* its runs: sweep->runs[first .. first + count) */
    size_t count;                            /* >= 1, in seed order */
} rs__sweep_point;

/* The sorted runs seen as points. */
typedef struct rs__sweep_view {
    const rs_sweep *sweep;                   /* sorted (borrowed) */
    bool numeric[RS_SWEEP_PARAMETERS_MAX];   /* every value of the parameter is a number */
    const rs_compare_kpi *kpis;              /* rs_compare_kpis() (static) */
    size_t kpi_count;                        /* <= RS_SWEEP_KPIS_MAX */
    size_t point_count;                      /* >= 1 */
    rs__sweep_point *points;                 /* owned, in output order */
} rs__sweep_view;

#define RS__SWEEP_PLOT_BASE_MAX 192 /* bytes of "<kpi>-vs-<parameter>", NUL included */
#define RS__SWEEP_PLOTS_MAX (RS_SWEEP_PARAMETERS_MAX * RS_SWEEP_KPIS_MAX)

/* One plot a sweep drew (or tried to). */
typedef struct rs__sweep_plot_file {
    char base[RS__SWEEP_PLOT_BASE_MAX];      /* plots/<base>.{dat,gp,png,svg} */
    size_t parameter;                        /* the x axis */
    size_t kpi;                              /* the y axis: rs_compare_kpis() index */
    bool drawn;                              /* <base>.png and <base>.svg were committed */
} rs__sweep_plot_file;

/* Every plot of a sweep, in drawing order (parameters, then KPIs). */
typedef struct rs__sweep_plot_list {
    size_t count;                            /* 0..RS__SWEEP_PLOTS_MAX */
    rs__sweep_plot_file files[RS__SWEEP_PLOTS_MAX]; /* the plots */
} rs__sweep_plot_list;

/* sweep_manifest.c: <dir>/manifest.json into *manifest. 0, or -1 with a message. */
int rs__sweep_manifest_read(const char *dir, rs_sweep_manifest *manifest, char *error,
                            size_t error_size);
/* Is `text` a plain decimal number (no hex, no surrounding space, finite)? Sets *out. */
bool rs__sweep_number(const char *text, double *out);
/* Order of two values of a parameter: numeric when `numeric`, ties and text bytewise. */
int rs__sweep_compare_value(const char *left, const char *right, bool numeric);
/* Distinct values of parameter p in sort order (borrowed from the runs); at most `max`. */
size_t rs__sweep_distinct(const rs__sweep_view *view, size_t p, const char **out, size_t max);
/* Mean and interval of KPI k over the seeds of point `point`; scratch holds a point's runs. */
rs_stats_interval rs__sweep_interval(const rs__sweep_view *view, size_t point, size_t k,
                                     double *scratch);
/* sweep_plots.c: plots/<kpi>-vs-<parameter>.{dat,gp,png,svg} for every parameter with two
 * values or more, staged and committed a batch at a time, each listed in *plots (filled from
 * empty). An image gnuplot did not draw this time is removed, not left from an earlier sweep.
 * 0, or -1 with a message. */
int rs__sweep_plots_write(const rs__sweep_view *view, double *scratch, const char *out_dir,
                          rs__sweep_plot_list *plots, char *error, size_t error_size);
struct rs__text;
/* sweep_html.c: report.html of the sweep into `out`: the points table (sweep.json's figures),
 * the plots of `plots` as inline SVG read from <out_dir>/plots/ (committed already), and the
 * scenario file, escaped. Byte-stable for the same runs and images. */
void rs__sweep_html(const rs__sweep_view *view, double *scratch, const rs__sweep_plot_list *plots,
                    const char *out_dir, struct rs__text *out);

#endif
