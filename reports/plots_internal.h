/* plots_internal.h — what the plot writers of reports/ share, private to reports/ (rs__): a
 * plotter that stages <base>.dat and <base>.gp and renders <base>.png and <base>.svg with one
 * gnuplot run (plots.c), the script pieces every plot uses (preamble, fault bands, SVG
 * epilogue), and the plot sets of a run (plots.c, plots_timeseries.c) and of a comparison
 * (plots_compare.c), which report.html embeds (html_report.c). Every name from a scenario
 * enters a script only through rs__sanitise_label. */
#ifndef RS_PLOTS_INTERNAL_H
#define RS_PLOTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/compare_report.h"
#include "reports/report_internal.h"

#define RS__PLOTS_MAX 16          /* plots one report draws (run: 7 to 9, compare: 8) */
#define RS__PLOT_BASE_MAX 48      /* bytes of a plot's file base name, NUL included */
#define RS__PLOT_TITLE_MAX 160    /* bytes of a plot's title for people, NUL included */
#define RS__PLOT_LABEL_MAX 256    /* bytes of a sanitised label */

typedef struct rs__plot {
    char base[RS__PLOT_BASE_MAX];   /* "throughput": plots/<base>.{dat,gp,png,svg} */
    char title[RS__PLOT_TITLE_MAX]; /* what it shows, for people (no scenario name) */
    const char *svg_path;           /* the staged temporary of <base>.svg (owned by the stage,
                                       valid until it commits), or NULL when not rendered */
    const char *data_path;          /* staged temporary of <base>.dat (owned by the stage) */
    const char *script_path;        /* staged temporary of <base>.gp (owned by the stage) */
    const char *png_path;           /* reserved temporary of <base>.png while rendering */
    const char *svg_staged;         /* reserved temporary of <base>.svg while rendering */
} rs__plot;

typedef struct rs__plot_set {
    size_t count;                   /* plots staged, in drawing order */
    rs__plot plots[RS__PLOTS_MAX];  /* the plots */
    bool images_off;                /* --no-plots: none was rendered, on purpose */
} rs__plot_set;

typedef struct rs__plotter {
    rs__stage *stage;               /* where files are staged (borrowed) */
    const char *dir;                /* the plots directory (borrowed) */
    bool gnuplot_missing;           /* gnuplot could not start once: do not try again */
    bool images_off;                /* --no-plots: stage .dat and .gp, never run gnuplot */
    rs__plot_set *set;              /* filled as plots are staged (borrowed) */
} rs__plotter;

/* Stages <base>.dat and <base>.gp into the plotter's directory and records the plot in the
 * set. 0, or -1 with a message when a file cannot be staged. */
int rs__plot_stage(rs__plotter *plotter, const char *base, const char *title,
                   const rs__text *data, const rs__text *script, char *error, size_t error_size);
/* Renders <base>.png and <base>.svg of every plot of the set with one gnuplot run (fork +
 * execvp, never a shell; about 0.1 s saved per plot against one run each) and sets each
 * plot's svg_path. When that run fails, each plot is tried alone, so one bad plot costs only
 * its own images. A missing or failing gnuplot costs only images (one warning on stderr).
 * 0, or -1 with a message when an image cannot be staged. */
int rs__plots_render(rs__plotter *plotter, char *error, size_t error_size);

/* The opening of every script: `comment` (one line, no newline), how to render it, default
 * file names (datafile, outfile, svgfile, overridable with gnuplot -e), the PNG terminal and
 * "set title '<title>: <sanitised scenario name>'". */
void rs__plot_preamble(rs__text *out, const char *comment, const char *base, const char *title,
                       const char *scenario_name);
/* A run's .dat comment line "# replsim <what>; scenario=<hash>; seed=<seed>", and its script
 * preamble (rs__plot_preamble with that comment and the scenario's name). */
void rs__plot_run_comment(rs__text *out, const rs__report *report, const char *what);
void rs__plot_run_preamble(rs__text *out, const rs__report *report, const char *what,
                           const char *base, const char *title);
/* The close of every script: the same plot again into svgfile (SVG terminal, same size). */
void rs__plot_epilogue(rs__text *out);
/* Every fault window of `scenario` as a shaded band behind the curves, numbered in scenario
 * order (partitions red, crashes grey, link faults orange, others violet). */
void rs__plot_fault_bands(const rs_scenario *scenario, rs__text *out);
/* A plot draws one line per store up to RS__PLOT_STORES_MAX stores; beyond, a summary line and
 * the RS__PLOT_STORES_TOP worst stores (a plot of 1000 lines says nothing, and gnuplot reads a
 * data file once per line drawn). Data files keep every store. */
#define RS__PLOT_STORES_MAX 16
#define RS__PLOT_STORES_TOP 10
/* Indexes of the RS__PLOT_STORES_TOP largest of values[0..count), largest first, the smaller
 * index first on a tie, into top[]; returns how many (min(count, RS__PLOT_STORES_TOP)). */
uint32_t rs__plot_top(const int64_t *values, uint32_t count, uint32_t *top);
/* x axis 0..seconds (simulated time, s), y axis 0..y_max plus 10% headroom (never empty),
 * "-" read as a missing value, key outside. */
void rs__plot_time_axes(rs__text *out, size_t seconds, double y_max, const char *y_label);

/* Run plots: the time series of plots_timeseries.c (write and replication latency p50/p99,
 * throughput, replication lag per target store, divergence, queue depth when the strategy
 * reports a queue_depth gauge). 0 or -1 with a message. */
int rs__plots_timeseries(const rs__report *report, rs__plotter *plotter, char *error,
                         size_t error_size);

/* Comparison plots into <out_dir>/plots (plots_compare.c): CDFs of write latency and sync
 * delay, throughput and replication lag over time with fault bands (means over the seeds),
 * and bars with 95% intervals of p99 write latency, p99 sync delay and success rate per
 * strategy. Reads each run's plots/<base>.dat files. 0 or -1 with a message. */
int rs__compare_plots_write(const rs_compare *comparison, const char *out_dir, rs__stage *stage,
                            rs__plot_set *set, char *error, size_t error_size);

/* The "Plots" section of a report.html: every plot of the set in a grid (html_report.c). */
void rs__html_plots_section(rs__text *out, const rs__plot_set *plots);

/* report.html of a comparison (html_compare.c), embedding the staged SVGs of `plots`; reads
 * the runs' summary.json files under out_dir for the invariant verdicts. */
void rs__compare_html(const rs_compare *comparison, const char *out_dir,
                      const rs__plot_set *plots, rs__text *out);

#endif
