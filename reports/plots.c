/* plots.c — plots/: gnuplot data (.dat), scripts (.gp) and rendered PNG and SVG images. This
 * file holds the plotter every report uses (stage the .dat and .gp, run gnuplot once for both
 * images), the script pieces every plot shares, the latency CDFs of a run (replication
 * latency per store; write latency and sync delay) and rs__plots_write; the time plots are in
 * plots_timeseries.c, the comparison's in plots_compare.c. Each script takes its file names
 * from the variables `datafile`, `outfile` and `svgfile` when they are set (gnuplot -e), else
 * the final names, so `gnuplot latency_cdf.gp` works from plots/. gnuplot is started with
 * fork + execvp and an argument vector, never through a shell, and every name from the
 * scenario enters a script only as a sanitised label (rs__sanitise_label: no quote,
 * backquote, backslash or '@' survives). When gnuplot is missing or fails, the .dat and .gp
 * files stay, stderr gets one warning, and the report still succeeds. */
#include "reports/plots_internal.h"
#include "strategies/limits.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOTS_CDF_POINTS 200          /* points per CDF curve: quantiles 0, 1/200, ..., 1 */
#define PLOTS_US_PER_MS 1e3
#define PLOTS_EXEC_FAILED 127         /* child's exit status when execvp fails (as a shell) */
#define PLOTS_NAME_MAX 64             /* bytes of "<base>.<extension>" */

void rs__plot_run_comment(rs__text *out, const rs__report *report, const char *what) {
    assert(out != NULL && report != NULL && what != NULL);
    rs__text_printf(out, "# replsim %s; scenario=%s; seed=%" PRIu64 "\n", what,
                    report->hash_hex, report->facts->seed);
}

void rs__plot_preamble(rs__text *out, const char *comment, const char *base, const char *title,
                       const char *scenario_name) {
    assert(out != NULL && comment != NULL && base != NULL);
    assert(title != NULL && scenario_name != NULL);
    char scenario_label[RS__PLOT_LABEL_MAX];
    rs__sanitise_label(scenario_label, sizeof scenario_label, scenario_name);
    rs__text_printf(out,
                    "%s\n"
                    "# Render from this directory with: gnuplot %s.gp\n"
                    "if (!exists(\"datafile\")) datafile = '%s.dat'\n"
                    "if (!exists(\"outfile\")) outfile = '%s.png'\n"
                    "if (!exists(\"svgfile\")) svgfile = '%s.svg'\n"
                    "set terminal pngcairo size 1000,600 noenhanced\n"
                    "set output outfile\n"
                    "set title '%s: %s'\n"
                    "set grid\n",
                    comment, base, base, base, base, title, scenario_label);
}

void rs__plot_epilogue(rs__text *out) {
    assert(out != NULL);
    rs__text_puts(out, "set terminal svg size 1000,600 noenhanced font 'sans,16' "
                       "background '#ffffff'\n"
                       "set output svgfile\n"
                       "replot\n"
                       "unset output\n");
}

void rs__plot_run_preamble(rs__text *out, const rs__report *report, const char *what,
                           const char *base, const char *title) {
    assert(out != NULL && report != NULL);
    char comment[256];
    snprintf(comment, sizeof comment, "# replsim %s; scenario=%s; seed=%" PRIu64, what,
             report->hash_hex, report->facts->seed);
    rs__plot_preamble(out, comment, base, title, report->scenario->name);
}

void rs__plot_fault_bands(const rs_scenario *scenario, rs__text *out) {
    assert(scenario != NULL && out != NULL);
    static const char *const colours[] = {"#f4b6b6", "#c8c8c8", "#f6d29a"};
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        assert(fault->kind < RS_FAULT_KIND_COUNT);
        const char *colour = (size_t)fault->kind < sizeof colours / sizeof colours[0]
                                 ? colours[fault->kind] : "#d9c2f0";
        rs__text_printf(out, "set object %u rect from %.6f, graph 0 to %.6f, graph 1 behind "
                             "fillcolor rgb '%s' fillstyle solid 0.5 noborder\n",
                        f + 1, (double)fault->start_us / 1e6, (double)fault->end_us / 1e6,
                        colour);
        rs__text_printf(out, "set label %u 'fault %u: %s' at %.6f, graph 0.97 left font ',8'\n",
                        f + 1, f + 1, rs_fault_kind_name(fault->kind),
                        (double)fault->start_us / 1e6);
    }
}

void rs__plot_time_axes(rs__text *out, size_t seconds, double y_max, const char *y_label) {
    assert(out != NULL && y_label != NULL);
    assert(y_max >= 0);
    double top = y_max + y_max / 10 + 1; /* never an empty range, 10% headroom */
    rs__text_printf(out, "set xrange [0:%zu]\nset yrange [0:%.3f]\n", seconds, top);
    rs__text_printf(out, "set xlabel 'simulated time (s)'\n"
                         "set ylabel '%s'\n"
                         "set datafile missing '-'\n"
                         "set key below\n", y_label);
}

uint32_t rs__plot_top(const int64_t *values, uint32_t count, uint32_t *top) {
    assert(values != NULL || count == 0);
    int64_t kept[RS__PLOT_STORES_TOP];
    uint32_t used = 0;
    for (uint32_t index = 0; index < count; index++) {
        uint32_t at = used; /* insertion into the sorted list; a tie stays behind */
        while (at > 0 && kept[at - 1] < values[index]) {
            at--;
        }
        if (at >= RS__PLOT_STORES_TOP) {
            continue;
        }
        uint32_t last = used < RS__PLOT_STORES_TOP ? used : RS__PLOT_STORES_TOP - 1;
        for (uint32_t i = last; i > at; i--) {
            kept[i] = kept[i - 1];
            top[i] = top[i - 1];
        }
        kept[at] = values[index];
        top[at] = index;
        used += used < RS__PLOT_STORES_TOP;
    }
    assert(used <= RS__PLOT_STORES_TOP && used <= count);
    return used;
}

static void plots_cdf_dat(const rs__report *report, rs__text *out) {
    rs__plot_run_comment(out, report, "replication latency CDF");
    rs__text_puts(out, "# x: replication latency (ms), manager arrival to the store's append; "
                       "y: fraction of that store's appends at or below x\n"
                       "# one block per store with samples, in store order, blocks separated "
                       "by two blank lines (gnuplot index)\n");
    size_t block = 0;
    for (uint32_t store = 0; store < report->kpis.store_count; store++) {
        const rs_histogram *histogram = &report->kpis.stores[store].replication_latency_us;
        if (histogram->total == 0) {
            continue;
        }
        char name[2 * RS_NAME_MAX], label[RS__PLOT_LABEL_MAX];
        rs_scenario_store_name(report->scenario, store, name, sizeof name);
        rs__sanitise_label(label, sizeof label, name);
        rs__text_printf(out, "%s# index %zu: store %s (%" PRIu64 " samples)\n",
                        block == 0 ? "" : "\n\n", block, label, histogram->total);
        for (int point = 0; point <= PLOTS_CDF_POINTS; point++) {
            double q = (double)point / PLOTS_CDF_POINTS;
            double x_ms = (double)rs_histogram_quantile(histogram, q) / PLOTS_US_PER_MS;
            rs__text_printf(out, "%.3f %.3f\n", x_ms, q);
        }
        block++;
    }
}

/* The stores with samples (the .dat's blocks, in order) into stores[]; their count. With more
 * than RS__PLOT_STORES_MAX, only the RS__PLOT_STORES_TOP with the highest p99 are kept (highest
 * first) and *total gets the count of all; block[i] is stores[i]'s block index. */
static uint32_t plots_cdf_stores(const rs__report *report, uint32_t *stores, uint32_t *block,
                                 uint32_t *total) {
    uint32_t count = 0;
    for (uint32_t store = 0; store < report->kpis.store_count; store++) {
        if (report->kpis.stores[store].replication_latency_us.total > 0) {
            stores[count] = store;
            block[count] = count;
            count++;
        }
    }
    *total = count;
    if (count <= RS__PLOT_STORES_MAX) {
        return count;
    }
    static int64_t p99[RS_STORES_MAX]; /* 16 KiB: off the stack; one report at a time */
    assert(count <= RS_STORES_MAX);
    for (uint32_t i = 0; i < count; i++) {
        p99[i] = rs_histogram_quantile(&report->kpis.stores[stores[i]].replication_latency_us,
                                       0.99);
    }
    uint32_t top[RS__PLOT_STORES_TOP];
    uint32_t kept = rs__plot_top(p99, count, top);
    for (uint32_t i = 0; i < kept; i++) {
        block[i] = top[i];
        top[i] = stores[top[i]];
    }
    memcpy(stores, top, kept * sizeof *top);
    return kept;
}

static void plots_cdf_gp(const rs__report *report, rs__text *out) {
    static uint32_t stores[RS_STORES_MAX], blocks[RS_STORES_MAX]; /* 16 KiB, as above */
    assert(report->kpis.store_count <= RS_STORES_MAX);
    uint32_t total = 0;
    uint32_t count = plots_cdf_stores(report, stores, blocks, &total);
    char title[96] = "Replication latency CDF per store";
    if (count < total) {
        snprintf(title, sizeof title, "Replication latency CDF: the %u stores of %u with the "
                 "highest p99", count, total);
    }
    rs__plot_run_preamble(out, report, "replication latency CDF script", "latency_cdf", title);
    rs__text_puts(out, "set xlabel 'replication latency (ms)'\n"
                       "set ylabel 'fraction of appends (0-1)'\n"
                       "set yrange [0:1]\n"
                       "set key outside right top\n");
    for (uint32_t i = 0; i < count; i++) {
        char name[2 * RS_NAME_MAX], label[RS__PLOT_LABEL_MAX];
        rs_scenario_store_name(report->scenario, stores[i], name, sizeof name);
        rs__sanitise_label(label, sizeof label, name);
        rs__text_printf(out, "%s datafile index %u using 1:2 with steps title '%s'",
                        i == 0 ? "plot" : ", \\\n    ", blocks[i], label);
    }
    if (count == 0) {
        rs__text_puts(out, "set xrange [0:1]\n"
                           "set label 'no replication samples' at graph 0.5, 0.5 center\n"
                           "plot 2 notitle");
    }
    rs__text_puts(out, "\n");
    rs__plot_epilogue(out);
}

/* Write latency and sync delay: two blocks of 201 points (an empty histogram gives a block
 * of one "-" line, so the block numbers never move). */
static void plots_write_cdf_dat(const rs__report *report, rs__text *out) {
    rs__plot_run_comment(out, report, "write latency and sync delay CDF");
    rs__text_puts(out, "# x: latency (ms); y: fraction of samples at or below x\n"
                       "# index 0: write latency (client invoke to ok ack); index 1: sync delay "
                       "(manager arrival to the last target's first append)\n");
    const rs_histogram *histograms[] = {&report->kpis.write_latency_us,
                                        &report->kpis.sync_delay_us};
    for (size_t block = 0; block < 2; block++) {
        const rs_histogram *histogram = histograms[block];
        rs__text_printf(out, "%s# index %zu: %s (%" PRIu64 " samples)\n",
                        block == 0 ? "" : "\n\n", block,
                        block == 0 ? "write latency" : "sync delay", histogram->total);
        for (int point = 0; histogram->total > 0 && point <= PLOTS_CDF_POINTS; point++) {
            double q = (double)point / PLOTS_CDF_POINTS;
            double x_ms = (double)rs_histogram_quantile(histogram, q) / PLOTS_US_PER_MS;
            rs__text_printf(out, "%.3f %.3f\n", x_ms, q);
        }
        if (histogram->total == 0) {
            rs__text_puts(out, "- -\n");
        }
    }
}

static void plots_write_cdf_gp(const rs__report *report, rs__text *out) {
    rs__plot_run_preamble(out, report, "write latency and sync delay CDF script", "write_latency_cdf",
                   "Write latency and sync delay CDF");
    rs__text_puts(out, "set xlabel 'latency (ms)'\n"
                       "set ylabel 'fraction of samples (0-1)'\n"
                       "set yrange [0:1]\n"
                       "set datafile missing '-'\n"
                       "set key outside right top\n");
    bool any = report->kpis.write_latency_us.total > 0 || report->kpis.sync_delay_us.total > 0;
    if (!any) {
        rs__text_puts(out, "set xrange [0:1]\n"
                           "set label 'no latency samples' at graph 0.5, 0.5 center\n"
                           "plot 2 notitle\n");
    } else {
        rs__text_printf(out, "plot %s%s%s\n",
                        report->kpis.write_latency_us.total > 0
                            ? "datafile index 0 using 1:2 with steps lw 2 title 'write latency'"
                            : "",
                        report->kpis.write_latency_us.total > 0 &&
                                report->kpis.sync_delay_us.total > 0 ? ", \\\n     " : "",
                        report->kpis.sync_delay_us.total > 0
                            ? "datafile index 1 using 1:2 with steps lw 2 title 'sync delay'"
                            : "");
    }
    rs__plot_epilogue(out);
}

/* The child: stdin/stdout to /dev/null, into `dir`, exec gnuplot; never returns. */
static void plots_exec_child(const char *dir, char *const argv[]) {
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
    }
    if (chdir(dir) == 0) {
        execvp("gnuplot", argv);
    }
    _exit(PLOTS_EXEC_FAILED);
}

/* Runs `gnuplot -e commands` in the plots directory; true when it exited 0. Never a shell:
 * the commands are one argument, and hold only staged file names (no scenario text). */
static bool plots_run_gnuplot(rs__plotter *plotter, const char *commands) {
    assert(plotter != NULL && commands != NULL);
    assert(commands[0] != '\0');
    char *const argv[] = {"gnuplot", "-e", (char *)commands, NULL};
    /* an interrupt between fork and recording the child would leave gnuplot writing a
     * temporary after the handler cleaned up: hold SIGINT/SIGTERM over that window */
    sigset_t blocked, previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    pid_t child = fork();
    if (child > 0) {
        rs__report_children[0] = child;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL);
        plots_exec_child(plotter->dir, argv);
    }
    sigprocmask(SIG_SETMASK, &previous, NULL);
    if (child < 0) {
        fprintf(stderr, "replsim: warning: cannot start gnuplot (%s); %s keeps .dat and .gp "
                        "files only\n", strerror(errno), plotter->dir);
        return false;
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            rs__report_children[0] = 0;
            return false;
        }
    }
    rs__report_children[0] = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == PLOTS_EXEC_FAILED) {
        plotter->gnuplot_missing = true;
        fprintf(stderr, "replsim: warning: gnuplot not found (or %s not usable); plots are "
                        "left as .dat and .gp files, without images\n", plotter->dir);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool plots_nonempty(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && info.st_size > 0;
}

static const char *plots_file_name(const char *path) {
    assert(path != NULL && strrchr(path, '/') != NULL);
    return strrchr(path, '/') + 1;
}

/* Appends "datafile=...; outfile=...; svgfile=...; load '<script>'; reset; " for plot i. */
static void plots_commands(rs__text *commands, const rs__plot *plot) {
    rs__text_printf(commands, "datafile='%s'; outfile='%s'; svgfile='%s'; load '%s'; reset; ",
                    plots_file_name(plot->data_path), plots_file_name(plot->png_path),
                    plots_file_name(plot->svg_staged), plots_file_name(plot->script_path));
}

/* Reserves <base>.png and <base>.svg of plots [first, last) in the stage. */
static int plots_reserve_images(rs__plotter *plotter, size_t first, size_t last, char *error,
                                size_t error_size) {
    for (size_t i = first; i < last; i++) {
        rs__plot *plot = &plotter->set->plots[i];
        char name[PLOTS_NAME_MAX];
        snprintf(name, sizeof name, "%s.png", plot->base);
        plot->png_path = rs__stage_reserve(plotter->stage, plotter->dir, name, error,
                                           error_size);
        snprintf(name, sizeof name, "%s.svg", plot->base);
        plot->svg_staged = plot->png_path == NULL ? NULL
                           : rs__stage_reserve(plotter->stage, plotter->dir, name, error,
                                               error_size);
        if (plot->svg_staged == NULL) {
            return -1;
        }
    }
    return 0;
}

/* Renders plots [first, last) with one gnuplot run; true when every image came out. */
static bool plots_render_range(rs__plotter *plotter, size_t first, size_t last) {
    rs__text commands;
    rs__text_init(&commands);
    for (size_t i = first; i < last; i++) {
        plots_commands(&commands, &plotter->set->plots[i]);
    }
    bool ok = !commands.failed && plots_run_gnuplot(plotter, commands.data);
    rs__text_free(&commands);
    for (size_t i = first; ok && i < last; i++) {
        ok = plots_nonempty(plotter->set->plots[i].png_path) &&
             plots_nonempty(plotter->set->plots[i].svg_staged);
    }
    return ok;
}

int rs__plots_render(rs__plotter *plotter, char *error, size_t error_size) {
    assert(plotter != NULL && plotter->set != NULL);
    size_t count = plotter->set->count;
    if (count == 0 || plotter->gnuplot_missing || plotter->images_off) {
        return 0;
    }
    if (plots_reserve_images(plotter, 0, count, error, error_size) != 0) {
        return -1;
    }
    bool all = plots_render_range(plotter, 0, count); /* one gnuplot for every plot */
    for (size_t i = count; !all && i > 0; i--) {      /* else drop them, plot by plot below */
        rs__stage_drop_last(plotter->stage);
        rs__stage_drop_last(plotter->stage);
    }
    for (size_t i = 0; !all && !plotter->gnuplot_missing && i < count; i++) {
        if (plots_reserve_images(plotter, i, i + 1, error, error_size) != 0) {
            return -1;
        }
        if (!plots_render_range(plotter, i, i + 1)) {
            fprintf(stderr, "replsim: warning: gnuplot failed on %s/%s.gp; its images are not "
                            "written\n", plotter->dir, plotter->set->plots[i].base);
            rs__stage_drop_last(plotter->stage);
            rs__stage_drop_last(plotter->stage);
            plotter->set->plots[i].svg_staged = NULL;
        }
    }
    for (size_t i = 0; i < count; i++) {
        rs__plot *plot = &plotter->set->plots[i];
        plot->svg_path = plotter->gnuplot_missing ? NULL : plot->svg_staged;
    }
    return 0;
}

int rs__plot_stage(rs__plotter *plotter, const char *base, const char *title,
                   const rs__text *data, const rs__text *script, char *error, size_t error_size) {
    assert(plotter != NULL && base != NULL && title != NULL);
    assert(strlen(base) < RS__PLOT_BASE_MAX && plotter->set->count < RS__PLOTS_MAX);
    rs__plot *plot = &plotter->set->plots[plotter->set->count];
    memset(plot, 0, sizeof *plot);
    snprintf(plot->base, sizeof plot->base, "%s", base);
    snprintf(plot->title, sizeof plot->title, "%s", title);
    char name[PLOTS_NAME_MAX];
    snprintf(name, sizeof name, "%s.dat", base);
    if (rs__stage_write(plotter->stage, plotter->dir, name, data, error, error_size) != 0) {
        return -1;
    }
    plot->data_path = plotter->stage->temporary[plotter->stage->count - 1];
    snprintf(name, sizeof name, "%s.gp", base);
    if (rs__stage_write(plotter->stage, plotter->dir, name, script, error, error_size) != 0) {
        return -1;
    }
    plot->script_path = plotter->stage->temporary[plotter->stage->count - 1];
    plotter->set->count++;
    return 0;
}

typedef void (*plots_writer)(const rs__report *report, rs__text *out);

static int plots_one(const rs__report *report, rs__plotter *plotter, const char *base,
                     const char *title, plots_writer data_writer, plots_writer script_writer,
                     char *error, size_t error_size) {
    assert(report != NULL && plotter != NULL);
    assert(data_writer != NULL && script_writer != NULL);
    rs__text data, script;
    rs__text_init(&data);
    rs__text_init(&script);
    data_writer(report, &data);
    script_writer(report, &script);
    int status = rs__plot_stage(plotter, base, title, &data, &script, error, error_size);
    rs__text_free(&data);
    rs__text_free(&script);
    return status;
}

int rs__plots_write(const rs__report *report, rs__stage *stage, const char *plots_dir,
                    rs__plot_set *set, char *error, size_t error_size) {
    assert(report != NULL && stage != NULL && set != NULL);
    assert(plots_dir != NULL && error != NULL);
    memset(set, 0, sizeof *set);
    set->images_off = report->facts->no_plots;
    rs__plotter plotter = {.stage = stage, .dir = plots_dir, .gnuplot_missing = false,
                           .images_off = report->facts->no_plots, .set = set};
    if (rs__plots_timeseries(report, &plotter, error, error_size) != 0 ||
        plots_one(report, &plotter, "latency_cdf", "Replication latency CDF per store",
                  plots_cdf_dat, plots_cdf_gp, error, error_size) != 0 ||
        plots_one(report, &plotter, "write_latency_cdf", "Write latency and sync delay CDF",
                  plots_write_cdf_dat, plots_write_cdf_gp, error, error_size) != 0) {
        return -1;
    }
    return rs__plots_render(&plotter, error, error_size);
}
