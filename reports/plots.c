/* plots.c — plots/: gnuplot data (.dat), scripts (.gp) and rendered PNGs for the replication
 * latency CDF (one curve per store with samples) and the throughput over time. Each script
 * takes its data and output file names from the variables `datafile` and `outfile` when they
 * are set (gnuplot -e), else the final names, so `gnuplot latency_cdf.gp` works from plots/.
 * gnuplot is started with fork + execvp and an argument vector, never through a shell, and
 * every name from the scenario enters a script only as a sanitised label (rs__sanitise_label:
 * no quote, backquote, backslash or '@' survives). When gnuplot is missing or fails, the .dat
 * and .gp files stay, stderr gets one warning, and the report still succeeds. */
#include "reports/report_internal.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOTS_CDF_POINTS 200          /* points per CDF curve: quantiles 0, 1/200, ..., 1 */
#define PLOTS_US_PER_MS 1e3
#define PLOTS_EXEC_FAILED 127         /* child's exit status when execvp fails (as a shell) */
#define PLOTS_LABEL_MAX 256           /* bytes of a sanitised label */

typedef struct plots_renderer {
    bool gnuplot_missing;             /* execvp failed once: do not try again */
} plots_renderer;

static void plots_comment_header(rs__text *out, const rs__report *report, const char *what) {
    rs__text_printf(out, "# replsim %s; scenario=%s; seed=%" PRIu64 "\n", what,
                    report->hash_hex, report->facts->seed);
}

static void plots_script_preamble(rs__text *out, const rs__report *report, const char *what,
                                  const char *base, const char *title) {
    plots_comment_header(out, report, what);
    char scenario_label[PLOTS_LABEL_MAX];
    rs__sanitise_label(scenario_label, sizeof scenario_label, report->scenario->name);
    rs__text_printf(out,
                    "# Render from this directory with: gnuplot %s.gp\n"
                    "if (!exists(\"datafile\")) datafile = '%s.dat'\n"
                    "if (!exists(\"outfile\")) outfile = '%s.png'\n"
                    "set terminal pngcairo size 1000,600 noenhanced\n"
                    "set output outfile\n"
                    "set title '%s: %s'\n"
                    "set grid\n",
                    base, base, base, title, scenario_label);
}

static void plots_cdf_dat(const rs__report *report, rs__text *out) {
    plots_comment_header(out, report, "replication latency CDF");
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
        char name[2 * RS_NAME_MAX], label[PLOTS_LABEL_MAX];
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

static void plots_cdf_gp(const rs__report *report, rs__text *out) {
    plots_script_preamble(out, report, "replication latency CDF script", "latency_cdf",
                          "Replication latency CDF per store");
    rs__text_puts(out, "set xlabel 'replication latency (ms)'\n"
                       "set ylabel 'fraction of appends (0-1)'\n"
                       "set yrange [0:1]\n"
                       "set key outside right top\n");
    size_t block = 0;
    for (uint32_t store = 0; store < report->kpis.store_count; store++) {
        if (report->kpis.stores[store].replication_latency_us.total == 0) {
            continue;
        }
        char name[2 * RS_NAME_MAX], label[PLOTS_LABEL_MAX];
        rs_scenario_store_name(report->scenario, store, name, sizeof name);
        rs__sanitise_label(label, sizeof label, name);
        rs__text_printf(out, "%s datafile index %zu using 1:2 with steps title '%s'",
                        block == 0 ? "plot" : ", \\\n    ", block, label);
        block++;
    }
    if (block == 0) {
        rs__text_puts(out, "set xrange [0:1]\n"
                           "set label 'no replication samples' at graph 0.5, 0.5 center\n"
                           "plot 2 notitle");
    }
    rs__text_puts(out, "\n");
}

static void plots_throughput_dat(const rs__report *report, rs__text *out) {
    plots_comment_header(out, report, "throughput per second");
    rs__text_puts(out, "# time_s acked_ok_events_per_s appends_per_s\n"
                       "# second t counts acks received and non-duplicate appends in [t, t+1)\n");
    const rs__timeseries *series = &report->timeseries;
    for (size_t row = 0; row < series->row_count; row++) {
        rs__text_printf(out, "%zu %" PRIu64 " %" PRIu64 "\n", row,
                        series->rows[row].acked_ok_events, series->rows[row].appends);
    }
}

/* Explicit ranges: never empty (gnuplot warns on an all-zero or one-row series), 10% headroom. */
/* Every fault window as a shaded band behind the curves (partitions red, crashes grey, link
 * faults orange), numbered in scenario order; the numbers match the report's fault table. */
static void plots_fault_bands(const rs_scenario *scenario, rs__text *out) {
    static const char *const colours[RS_FAULT_KIND_COUNT] = {"#f4b6b6", "#c8c8c8", "#f6d29a"};
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        assert(fault->kind < RS_FAULT_KIND_COUNT);
        rs__text_printf(out, "set object %u rect from %.6f, graph 0 to %.6f, graph 1 behind "
                             "fillcolor rgb '%s' fillstyle solid 0.5 noborder\n",
                        f + 1, (double)fault->start_us / 1e6, (double)fault->end_us / 1e6,
                        colours[fault->kind]);
        rs__text_printf(out, "set label %u 'fault %u: %s' at %.6f, graph 0.97 left font ',8'\n",
                        f + 1, f + 1, rs_fault_kind_name(fault->kind),
                        (double)fault->start_us / 1e6);
    }
}

static void plots_throughput_gp(const rs__report *report, rs__text *out) {
    plots_script_preamble(out, report, "throughput script", "throughput", "Throughput");
    const rs__timeseries *series = &report->timeseries;
    uint64_t highest = 0;
    for (size_t row = 0; row < series->row_count; row++) {
        const rs__timeseries_row *values = &series->rows[row];
        highest = values->acked_ok_events > highest ? values->acked_ok_events : highest;
        highest = values->appends > highest ? values->appends : highest;
    }
    rs__text_printf(out, "set xrange [0:%zu]\nset yrange [0:%" PRIu64 "]\n", series->row_count,
                    highest + highest / 10 + 1);
    rs__text_puts(out, "set xlabel 'simulated time (s)'\n"
                       "set ylabel 'events per second'\n"
                       "set key outside right top\n");
    plots_fault_bands(report->scenario, out);
    rs__text_puts(out, "plot datafile using 1:2 with steps title 'acked ok events per s', \\\n"
                       "     datafile using 1:3 with steps title 'appends per s'\n");
}

/* Runs gnuplot in `dir` on the staged script; true when it exited 0. Never a shell. */
static bool plots_run_gnuplot(plots_renderer *renderer, const char *dir, const char *script,
                              const char *data, const char *image) {
    char assignments[1024];
    int length = snprintf(assignments, sizeof assignments, "datafile='%s'; outfile='%s'",
                          strrchr(data, '/') + 1, strrchr(image, '/') + 1);
    assert(length > 0 && (size_t)length < sizeof assignments);
    char *const argv[] = {"gnuplot", "-e", assignments, strrchr(script, '/') + 1, NULL};
    /* an interrupt between fork and recording the child would leave gnuplot writing a
     * temporary after the handler cleaned up: hold SIGINT/SIGTERM over that window */
    sigset_t blocked, previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    pid_t child = fork();
    if (child > 0) {
        rs__report_child = child;
    }
    if (child != 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL);
    }
    if (child < 0) {
        fprintf(stderr, "replsim: warning: cannot start gnuplot (%s); %s keeps .dat and .gp "
                        "files only\n", strerror(errno), dir);
        return false;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL);
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
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            rs__report_child = 0;
            return false;
        }
    }
    rs__report_child = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return true;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == PLOTS_EXEC_FAILED) {
        renderer->gnuplot_missing = true;
        fprintf(stderr, "replsim: warning: gnuplot not found (or %s not usable); plots are "
                        "left as .dat and .gp files, without .png\n", dir);
    } else {
        fprintf(stderr, "replsim: warning: gnuplot failed on %s; its .png is not written\n",
                script);
    }
    return false;
}

/* Stages <base>.dat and <base>.gp, then renders <base>.png if gnuplot can. */
static int plots_one(plots_renderer *renderer, rs__stage *stage, const char *dir,
                     const char *base, const rs__text *data, const rs__text *script,
                     char *error, size_t error_size) {
    char name[64];
    snprintf(name, sizeof name, "%s.dat", base);
    if (rs__stage_write(stage, dir, name, data, error, error_size) != 0) {
        return -1;
    }
    const char *data_path = stage->temporary[stage->count - 1];
    snprintf(name, sizeof name, "%s.gp", base);
    if (rs__stage_write(stage, dir, name, script, error, error_size) != 0) {
        return -1;
    }
    const char *script_path = stage->temporary[stage->count - 1];
    if (renderer->gnuplot_missing) {
        return 0;
    }
    snprintf(name, sizeof name, "%s.png", base);
    const char *image_path = rs__stage_reserve(stage, dir, name, error, error_size);
    if (image_path == NULL) {
        return -1;
    }
    struct stat info;
    if (!plots_run_gnuplot(renderer, dir, script_path, data_path, image_path) ||
        stat(image_path, &info) != 0 || info.st_size == 0) {
        rs__stage_drop_last(stage);
    }
    return 0;
}

int rs__plots_write(const rs__report *report, rs__stage *stage, const char *plots_dir,
                    char *error, size_t error_size) {
    assert(report != NULL && stage != NULL);
    assert(plots_dir != NULL && error != NULL);
    plots_renderer renderer = {.gnuplot_missing = false};
    rs__text data, script;
    rs__text_init(&data);
    rs__text_init(&script);
    plots_cdf_dat(report, &data);
    plots_cdf_gp(report, &script);
    int status = plots_one(&renderer, stage, plots_dir, "latency_cdf", &data, &script, error,
                           error_size);
    rs__text_free(&data);
    rs__text_free(&script);
    if (status == 0) {
        plots_throughput_dat(report, &data);
        plots_throughput_gp(report, &script);
        status = plots_one(&renderer, stage, plots_dir, "throughput", &data, &script, error,
                           error_size);
    }
    rs__text_free(&data);
    rs__text_free(&script);
    return status;
}
