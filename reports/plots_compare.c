/* plots_compare.c — the overlay plots of `replsim compare`, in <out>/plots/: CDFs of write
 * latency and of sync delay per strategy, throughput (acked events per second) and replication
 * lag (the largest events-behind of the target stores) over time per strategy with the fault
 * windows shaded, and bars of p99 write latency, p99 sync delay and success rate per strategy
 * with their 95% intervals. Curves are means over the seeds, read back from each run's
 * plots/write_latency_cdf.dat, throughput.dat and replication_lag.dat: a time point is the
 * mean over the seeds that have that second; a CDF is the quantile average (the mean of the
 * seeds' latencies at each of the 201 fractions). Bars use the comparison's own figures
 * (rs_stats_mean_interval over the seeds, as comparison.json). */
#include "reports/plots_internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats.h"

#define CMP_PATH_MAX 4096                       /* bytes of a run's data file path */
#define CMP_POINTS_MAX (RS__TIMESERIES_ROWS_MAX) /* values read from one column of a file */
#define CMP_LINE_MAX 65536                      /* bytes of one data line */

/* A curve per entry: sum and count per point, means taken when written. */
typedef struct cmp_curves {
    size_t entry_count;      /* strategies */
    size_t point_count;      /* points of the longest curve */
    double *sum;             /* [entry * CMP_POINTS_MAX + point] */
    uint32_t *count;         /* seeds that gave the point */
} cmp_curves;

/* Column `column` (1-based) of block `block` ("# index N" comments; -1: the whole file) of a
 * run's data file, added into curves for `entry`. Missing files and "-" values add nothing. */
static void cmp_read(const char *path, int block, int column, cmp_curves *curves, size_t entry) {
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        return;
    }
    static char line[CMP_LINE_MAX];
    int current = block < 0 ? -1 : -2;
    size_t point = 0;
    while (fgets(line, sizeof line, in) != NULL) {
        int index = 0;
        if (sscanf(line, "# index %d", &index) == 1) {
            current = index;
            continue;
        }
        if (line[0] == '#' || line[0] == '\n' || current != block || point >= CMP_POINTS_MAX) {
            continue;
        }
        char *field = line, *end = NULL;
        for (int c = 1; c < column && field != NULL; c++) {
            field = strchr(field + strspn(field, " "), ' ');
        }
        double value = field != NULL ? strtod(field, &end) : NAN;
        if (field != NULL && end != field && isfinite(value)) {
            curves->sum[entry * CMP_POINTS_MAX + point] += value;
            curves->count[entry * CMP_POINTS_MAX + point]++;
        }
        point++;
        curves->point_count = point > curves->point_count ? point : curves->point_count;
    }
    fclose(in);
}

static int cmp_load(const rs_compare *comparison, const char *out_dir, const char *file,
                    int block, int column, cmp_curves *curves) {
    curves->entry_count = comparison->entry_count;
    curves->point_count = 0;
    curves->sum = calloc(comparison->entry_count * CMP_POINTS_MAX, sizeof *curves->sum);
    curves->count = calloc(comparison->entry_count * CMP_POINTS_MAX, sizeof *curves->count);
    if (curves->sum == NULL || curves->count == NULL) {
        return -1;
    }
    for (size_t e = 0; e < comparison->entry_count; e++) {
        for (size_t s = 0; s < comparison->seed_count; s++) {
            char path[CMP_PATH_MAX];
            snprintf(path, sizeof path, "%s/%s/seed-%zu/plots/%s", out_dir,
                     comparison->entries[e].directory, s + 1, file);
            cmp_read(path, block, column, curves, e);
        }
    }
    return 0;
}

static void cmp_free(cmp_curves *curves) {
    free(curves->sum);
    free(curves->count);
    memset(curves, 0, sizeof *curves);
}

static double cmp_mean(const cmp_curves *curves, size_t entry, size_t point) {
    size_t at = entry * CMP_POINTS_MAX + point;
    return curves->count[at] == 0 ? NAN : curves->sum[at] / curves->count[at];
}

static void cmp_comment(rs__text *out, const rs_compare *comparison, const char *what) {
    rs__text_printf(out, "# replsim compare %s; scenario=%s; seeds=%llu..%llu\n", what,
                    comparison->entries[0].hash, (unsigned long long)comparison->seed_first,
                    (unsigned long long)(comparison->seed_first + comparison->seed_count - 1));
}

static void cmp_preamble(rs__text *out, const rs_compare *comparison, const char *base,
                         const char *title) {
    char comment[256];
    snprintf(comment, sizeof comment, "# replsim compare %s script; scenario=%s", base,
             comparison->entries[0].hash);
    rs__plot_preamble(out, comment, base, title, comparison->scenario_name);
}

static void cmp_label(const rs_compare *comparison, size_t entry, char label[RS__PLOT_LABEL_MAX]) {
    rs__sanitise_label(label, RS__PLOT_LABEL_MAX, comparison->entries[entry].label);
}

/* CDF: one block per entry, 201 "x y" points (or "- -" when no seed had samples). */
static void cmp_cdf(const rs_compare *comparison, const cmp_curves *curves, const char *base,
                    const char *what, rs__text *data, rs__text *script) {
    double x_low = INFINITY, x_high = 0; /* a log x axis when the spread is wide */
    cmp_comment(data, comparison, what);
    rs__text_puts(data, "# x: latency (ms), mean over the seeds of each seed's quantile at y; "
                        "y: fraction of samples at or below x\n");
    for (size_t e = 0; e < curves->entry_count; e++) {
        char label[RS__PLOT_LABEL_MAX];
        cmp_label(comparison, e, label);
        rs__text_printf(data, "%s# index %zu: %s\n", e == 0 ? "" : "\n\n", e, label);
        bool any = false;
        for (size_t point = 0; point < curves->point_count; point++) {
            double x = cmp_mean(curves, e, point);
            x_low = !isnan(x) && x < x_low ? x : x_low;
            x_high = !isnan(x) && x > x_high ? x : x_high;
            if (!isnan(x)) {
                rs__text_printf(data, "%.3f %.3f\n", x,
                                (double)point / (double)(curves->point_count - 1));
                any = true;
            }
        }
        rs__text_puts(data, any ? "" : "- -\n");
    }
    char title[RS__PLOT_TITLE_MAX];
    snprintf(title, sizeof title, "%s CDF per strategy (mean over seeds)", what);
    cmp_preamble(script, comparison, base, title);
    rs__text_printf(script, "set xlabel '%s (ms)'\nset ylabel 'fraction of samples (0-1)'\n"
                            "set yrange [0:1]\nset datafile missing '-'\n"
                            "set key outside right top\n", what);
    if (x_low > 0 && isfinite(x_low) && x_high > 50 * x_low) { /* never 0 on a log axis */
        rs__text_printf(script, "set logscale x\nset xlabel '%s (ms, log scale)'\n", what);
    }
    for (size_t e = 0; e < curves->entry_count; e++) {
        char label[RS__PLOT_LABEL_MAX];
        cmp_label(comparison, e, label);
        rs__text_printf(script, "%s datafile index %zu using 1:2 with steps lw 2 title '%s'",
                        e == 0 ? "plot" : ", \\\n    ", e, label);
    }
    rs__text_puts(script, "\n");
    rs__plot_epilogue(script);
}

/* Over time: "time_s" then one column per entry (mean over the seeds, "-" when none). */
static void cmp_time(const rs_compare *comparison, const cmp_curves *curves, const char *base,
                     const char *what, const char *y_label, rs__text *data, rs__text *script) {
    cmp_comment(data, comparison, what);
    rs__text_puts(data, "# time_s, then per strategy (columns 2..) the mean over the seeds of "
                        "the runs' value for second t; - when no run has that second\n");
    double highest = 0;
    for (size_t point = 0; point < curves->point_count; point++) {
        rs__text_printf(data, "%zu", point);
        for (size_t e = 0; e < curves->entry_count; e++) {
            double value = cmp_mean(curves, e, point);
            if (isnan(value)) {
                rs__text_puts(data, " -");
            } else {
                rs__text_printf(data, " %.3f", value);
                highest = value > highest ? value : highest;
            }
        }
        rs__text_puts(data, "\n");
    }
    char title[RS__PLOT_TITLE_MAX];
    snprintf(title, sizeof title, "%s per strategy (mean over seeds)", what);
    cmp_preamble(script, comparison, base, title);
    rs__plot_time_axes(script, curves->point_count > 0 ? curves->point_count - 1 : 1, highest,
                       y_label);
    if (comparison->scenario != NULL) {
        rs__plot_fault_bands(comparison->scenario, script);
    }
    for (size_t e = 0; e < curves->entry_count; e++) {
        char label[RS__PLOT_LABEL_MAX];
        cmp_label(comparison, e, label);
        rs__text_printf(script, "%s datafile using 1:%zu with steps lw 2 title '%s'",
                        e == 0 ? "plot" : ", \\\n    ", e + 2, label);
    }
    rs__text_puts(script, "\n");
    rs__plot_epilogue(script);
}

/* Index of the comparison KPI `name` (asserted to exist). */
static size_t cmp_kpi(const char *name) {
    const rs_compare_kpi *kpis = NULL;
    size_t count = rs_compare_kpis(&kpis);
    for (size_t k = 0; k < count; k++) {
        if (strcmp(kpis[k].name, name) == 0) {
            return k;
        }
    }
    assert(!"comparison KPI not found");
    return 0;
}

/* Bars: "index "label" mean half_width" per entry, boxes with 95% interval whiskers. */
static void cmp_bars(const rs_compare *comparison, const char *kpi_name, const char *base,
                     const char *title, const char *y_label, rs__text *data,
                     rs__text *script) {
    const rs_compare_kpi *kpis = NULL;
    size_t kpi_count = rs_compare_kpis(&kpis), k = cmp_kpi(kpi_name);
    cmp_comment(data, comparison, kpi_name);
    rs__text_printf(data, "# index \"strategy\" mean half_width: %s over the seeds and the "
                          "half-width of its 95%% interval (Student's t); - when no value\n",
                    kpi_name);
    double values[RS_COMPARE_SEEDS_MAX], highest = 0;
    for (size_t e = 0; e < comparison->entry_count; e++) {
        for (size_t s = 0; s < comparison->seed_count; s++) {
            values[s] = comparison->entries[e].values[s * kpi_count + k];
        }
        rs_stats_interval interval = rs_stats_mean_interval(values, comparison->seed_count,
                                                            RS_COMPARE_CONFIDENCE);
        char label[RS__PLOT_LABEL_MAX];
        cmp_label(comparison, e, label);
        double half = isnan(interval.half_width) ? 0 : interval.half_width;
        if (isnan(interval.mean)) {
            rs__text_printf(data, "%zu \"%s\" - -\n", e, label);
            continue;
        }
        rs__text_printf(data, "%zu \"%s\" %.6f %.6f\n", e, label, interval.mean, half);
        highest = interval.mean + half > highest ? interval.mean + half : highest;
    }
    cmp_preamble(script, comparison, base, title);
    rs__text_printf(script, "set xrange [-0.6:%.1f]\nset yrange [0:%.6f]\n"
                            "set ylabel '%s'\nset xlabel 'strategy'\n"
                            "set datafile missing '-'\nset style fill solid 0.6 border -1\n"
                            "set boxwidth 0.6\nset key off\n"
                            "plot datafile using 1:3:4:xtic(2) with boxerrorbars lc rgb "
                            "'#5577aa' notitle\n",
                    (double)comparison->entry_count - 0.4, highest * 1.15 + 1e-6, y_label);
    (void)kpis;
    rs__plot_epilogue(script);
}

typedef struct cmp_curve_plot {
    const char *base;        /* plots/<base>.* */
    const char *source;      /* the runs' data file */
    int block;               /* its block (-1: the whole file) */
    int column;              /* its column, 1-based */
    const char *what;        /* for titles and axes */
    const char *y_label;     /* time plots: the y axis; NULL for a CDF */
} cmp_curve_plot;

static const cmp_curve_plot cmp_curve_plots[] = {
    {"write_latency_cdf", "write_latency_cdf.dat", 0, 1, "Write latency", NULL},
    {"sync_delay_cdf", "write_latency_cdf.dat", 1, 1, "Sync delay", NULL},
    {"throughput", "throughput.dat", -1, 2, "Throughput", "acked events per second"},
    {"replication_lag", "replication_lag.dat", -1, 2,
     "Replication lag (largest over the target stores)", "acked events not yet on a target"},
};

typedef struct cmp_bar_plot {
    const char *base;        /* plots/<base>.* */
    const char *kpi;         /* comparison KPI name */
    const char *title;       /* for people */
    const char *y_label;     /* with its unit */
} cmp_bar_plot;

static const cmp_bar_plot cmp_bar_plots[] = {
    {"write_latency_p99", "write_latency_ms_p99", "p99 write latency per strategy",
     "p99 write latency (ms), mean and 95% interval"},
    {"sync_delay_p99", "sync_delay_ms_p99", "p99 sync delay (convergence) per strategy",
     "p99 sync delay (ms), mean and 95% interval"},
    {"success_rate", "success_rate", "Success rate per strategy",
     "success rate (fraction of requests), mean and 95% interval"},
    {"convergence_after_heal", "convergence_after_heal_s_max",
     "Convergence time after a partition heals per strategy",
     "convergence after heal (s), mean and 95% interval"},
};

static int cmp_stage(rs__plotter *plotter, const char *base, const char *title, rs__text *data,
                     rs__text *script, char *error, size_t error_size) {
    int status = rs__plot_stage(plotter, base, title, data, script, error, error_size);
    rs__text_free(data);
    rs__text_free(script);
    return status;
}

int rs__compare_plots_write(const rs_compare *comparison, const char *out_dir, rs__stage *stage,
                            rs__plot_set *set, char *error, size_t error_size) {
    assert(comparison != NULL && out_dir != NULL && stage != NULL && set != NULL);
    assert(comparison->entry_count >= 1 && comparison->seed_count >= 1);
    memset(set, 0, sizeof *set);
    char plots_dir[CMP_PATH_MAX];
    snprintf(plots_dir, sizeof plots_dir, "%s/plots", out_dir);
    if (rs__make_directories(plots_dir, error, error_size) != 0) {
        return -1;
    }
    rs__plotter plotter = {.stage = stage, .dir = plots_dir, .set = set};
    int status = 0;
    for (size_t p = 0; status == 0 && p < sizeof cmp_curve_plots / sizeof cmp_curve_plots[0];
         p++) {
        const cmp_curve_plot *plot = &cmp_curve_plots[p];
        cmp_curves curves;
        rs__text data, script;
        rs__text_init(&data);
        rs__text_init(&script);
        if (cmp_load(comparison, out_dir, plot->source, plot->block, plot->column, &curves) != 0) {
            data.failed = true;
        } else if (plot->y_label == NULL) {
            cmp_cdf(comparison, &curves, plot->base, plot->what, &data, &script);
        } else {
            cmp_time(comparison, &curves, plot->base, plot->what, plot->y_label, &data, &script);
        }
        cmp_free(&curves);
        char title[RS__PLOT_TITLE_MAX];
        snprintf(title, sizeof title, "%s %s per strategy (mean over seeds)", plot->what,
                 plot->y_label == NULL ? "CDF" : "over time");
        status = cmp_stage(&plotter, plot->base, title, &data, &script, error, error_size);
    }
    for (size_t p = 0; status == 0 && p < sizeof cmp_bar_plots / sizeof cmp_bar_plots[0]; p++) {
        const cmp_bar_plot *plot = &cmp_bar_plots[p];
        rs__text data, script;
        rs__text_init(&data);
        rs__text_init(&script);
        cmp_bars(comparison, plot->kpi, plot->base, plot->title, plot->y_label, &data, &script);
        status = cmp_stage(&plotter, plot->base, plot->title, &data, &script, error, error_size);
    }
    return status == 0 ? rs__plots_render(&plotter, error, error_size) : status;
}
