/* sweep_plots.c — plots of a sweep: for every swept parameter with two values or more and
 * every KPI, plots/<kpi>-vs-<parameter>.dat (one block per combination of the other
 * parameters' values: x, mean, 95% interval), a gnuplot script, and the rendered .png and
 * .svg (the script draws the PNG, then replots into the SVG: rs__plot_epilogue). A
 * numeric parameter is a numeric x axis; any other is one tick per value, in sort order. Every
 * path, value and the scenario's name reach a script only as a sanitised label
 * (rs__sanitise_label: no quote, backquote, backslash or '@' survives); file names keep only
 * [A-Za-z0-9._-]. gnuplot is run with fork + execvp and an argument vector, never a shell, as
 * in plots.c; when it is missing or fails, the .dat and .gp stay and the images are skipped
 * with one warning. Plots are staged and committed a batch at a time (fileio.c): a file is
 * complete or absent. Cost: per batch of up to SWEEP_PLOTS_BATCH plots, two gnuplot processes
 * at once, each over half of them (one on a single core; each script after a `reset`, so no
 * setting leaks from one plot into the next), parameters x KPIs plots. */
#include "reports/plots_internal.h"
#include "reports/report_internal.h"
#include "reports/sweep_report.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SWEEP_PLOTS_NAME_MAX 100        /* bytes of a parameter in a file name */
#define SWEEP_PLOTS_EXEC_FAILED 127     /* child's exit status when execvp fails */
#define SWEEP_PLOTS_HEADROOM 0.1        /* fraction of the y span added above and below */

typedef struct sweep_plot {
    const rs__sweep_view *view;         /* borrowed */
    size_t parameter;                   /* the x axis */
    size_t kpi;                         /* the y axis */
    const char *distinct[RS_SWEEP_VALUES_MAX]; /* the parameter's values, sorted */
    size_t distinct_count;              /* >= 2 */
    size_t *order;                      /* point indices: other parameters, then this one */
    char base[RS__SWEEP_PLOT_BASE_MAX]; /* "<kpi>-vs-<parameter>" */
} sweep_plot;

/* Plots staged together and rendered by one gnuplot process (starting gnuplot costs more
 * than drawing a small plot): as many as one stage holds at 4 files each. */
#define SWEEP_PLOTS_FILES 4             /* .dat, .gp, .png, .svg, staged in that order */
#define SWEEP_PLOTS_BATCH (RS__STAGE_FILES_MAX / SWEEP_PLOTS_FILES)
_Static_assert(SWEEP_PLOTS_FILES * SWEEP_PLOTS_BATCH <= RS__STAGE_FILES_MAX,
               "a batch's files fit one stage");
typedef struct sweep_batch {
    rs__stage stage;                          /* the batch's files */
    size_t count;                             /* plots in it */
    size_t first[SWEEP_PLOTS_BATCH];          /* stage index of each plot's .dat (.gp, .png,
                                                 .svg follow) */
    rs__sweep_plot_file *files[SWEEP_PLOTS_BATCH]; /* each plot's entry in the list */
    char assignments[SWEEP_PLOTS_BATCH][3 * RS__SWEEP_PLOT_BASE_MAX + 96]; /* gnuplot -e */
    bool gnuplot_missing;                     /* exec failed once: stop trying */
    bool warned;                              /* a missing image was said */
} sweep_batch;

/* ---------------------------------------------------------------------------------------- */
/* Curves: the points ordered by the other parameters, then by the plotted one.              */

static const sweep_plot *order_plot; /* qsort has no context argument: set around it */

static int sweep_plots_compare(const void *left, const void *right) {
    assert(order_plot != NULL);
    const rs__sweep_view *view = order_plot->view;
    const rs_sweep_run *a = &view->sweep->runs[view->points[*(const size_t *)left].first];
    const rs_sweep_run *b = &view->sweep->runs[view->points[*(const size_t *)right].first];
    size_t count = view->sweep->parameter_count;
    for (size_t step = 0; step < count; step++) {
        size_t p = (order_plot->parameter + 1 + step) % count; /* plotted one last */
        int order = rs__sweep_compare_value(a->values[p], b->values[p], view->numeric[p]);
        if (order != 0) {
            return order;
        }
    }
    return 0;
}

static const rs_sweep_run *point_run(const sweep_plot *plot, size_t at) {
    assert(plot != NULL && at < plot->view->point_count);
    return &plot->view->sweep->runs[plot->view->points[plot->order[at]].first];
}

/* Do order[a] and order[b] differ in any parameter but the plotted one? */
static bool other_values_differ(const sweep_plot *plot, size_t a, size_t b) {
    assert(plot != NULL);
    const rs_sweep_run *left = point_run(plot, a), *right = point_run(plot, b);
    for (size_t p = 0; p < plot->view->sweep->parameter_count; p++) {
        if (p != plot->parameter && strcmp(left->values[p], right->values[p]) != 0) {
            return true;
        }
    }
    return false;
}

/* The curve's title: "path: value, ..." over the other parameters with several values. */
static void curve_title(const sweep_plot *plot, size_t at, char *buf, size_t size) {
    assert(plot != NULL && buf != NULL && size > 0);
    const rs_sweep *sweep = plot->view->sweep;
    const rs_sweep_run *run = point_run(plot, at);
    char title[4 * RS_SWEEP_TEXT_MAX] = "";
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        const char *values[2];
        if (p == plot->parameter || rs__sweep_distinct(plot->view, p, values, 2) < 2) {
            continue;
        }
        size_t used = strlen(title);
        snprintf(title + used, sizeof title - used, "%s%s: %s", used > 0 ? ", " : "",
                 sweep->paths[p], run->values[p]);
    }
    rs__sanitise_label(buf, size, title[0] != '\0' ? title : plot->view->kpis[plot->kpi].name);
}

/* ---------------------------------------------------------------------------------------- */
/* Data and script.                                                                          */

static void dat_number(rs__text *out, double value, int decimals) {
    assert(out != NULL);
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    rs__text_printf(out, " %s", strcmp(raw, "null") == 0 ? "NaN" : raw);
}

/* Writes the .dat; *low and *high get the finite y range (NaN when there is none). */
static void plot_dat(const sweep_plot *plot, double *scratch, rs__text *out, double *low,
                     double *high) {
    assert(plot != NULL && out != NULL);
    const rs__sweep_view *view = plot->view;
    const rs_compare_kpi *kpi = &view->kpis[plot->kpi];
    char label[RS_SWEEP_TEXT_MAX];
    rs__sanitise_label(label, sizeof label, view->sweep->paths[plot->parameter]);
    rs__text_printf(out, "# replsim sweep: %s (%s) against %s; per point the mean over its "
                         "seeds and its 95%% confidence interval\n# x mean ci95_low ci95_high "
                         "(x: %s); one block per curve, separated by two blank lines\n",
                    kpi->name, kpi->unit, label,
                    view->numeric[plot->parameter] ? "the value" : "the value's tick index");
    *low = NAN;
    *high = NAN;
    size_t block = 0;
    for (size_t at = 0; at < view->point_count; at++) {
        if (at == 0 || other_values_differ(plot, at - 1, at)) {
            curve_title(plot, at, label, sizeof label);
            rs__text_printf(out, "%s# index %zu: %s\n", block > 0 ? "\n\n" : "", block, label);
            block++;
        }
        const char *value = point_run(plot, at)->values[plot->parameter];
        double x = 0;
        if (!view->numeric[plot->parameter] || !rs__sweep_number(value, &x)) {
            for (x = 0; strcmp(plot->distinct[(size_t)x], value) != 0; x++) {
                assert((size_t)x + 1 < plot->distinct_count);
            }
        }
        rs__text_printf(out, "%.15g", x);
        rs_stats_interval interval = rs__sweep_interval(view, plot->order[at], plot->kpi, scratch);
        double ys[3] = {interval.mean, interval.low, interval.high};
        for (size_t i = 0; i < 3; i++) {
            dat_number(out, ys[i], kpi->decimals);
            *low = isfinite(ys[i]) && !(ys[i] >= *low) ? ys[i] : *low;
            *high = isfinite(ys[i]) && !(ys[i] <= *high) ? ys[i] : *high;
        }
        rs__text_puts(out, "\n");
    }
}

static void plot_axes(const sweep_plot *plot, double low, double high, rs__text *out) {
    assert(plot != NULL && out != NULL);
    if (isnan(low)) {
        rs__text_puts(out, "set yrange [0:1]\nset label 'no values' at graph 0.5, 0.5 center\n");
    } else {
        double pad = high > low ? (high - low) * SWEEP_PLOTS_HEADROOM
                                : (low != 0 ? fabs(low) * SWEEP_PLOTS_HEADROOM : 1.0);
        rs__text_printf(out, "set yrange [%.9g:%.9g]\n", low - pad, high + pad);
    }
    if (plot->view->numeric[plot->parameter]) {
        rs__text_puts(out, "set offsets graph 0.05, graph 0.05, 0, 0\n");
        return;
    }
    rs__text_printf(out, "set xrange [-0.5:%zu.5]\nset xtics (", plot->distinct_count - 1);
    for (size_t v = 0; v < plot->distinct_count; v++) {
        char label[RS_SWEEP_TEXT_MAX];
        rs__sanitise_label(label, sizeof label, plot->distinct[v]);
        rs__text_printf(out, "%s'%s' %zu", v > 0 ? ", " : "", label, v);
    }
    rs__text_puts(out, ")\n");
}

static void plot_gp(const sweep_plot *plot, double low, double high, rs__text *out) {
    assert(plot != NULL && out != NULL);
    const rs__sweep_view *view = plot->view;
    const rs_compare_kpi *kpi = &view->kpis[plot->kpi];
    char parameter[RS_SWEEP_TEXT_MAX], scenario[RS_SWEEP_TEXT_MAX];
    rs__sanitise_label(parameter, sizeof parameter, view->sweep->paths[plot->parameter]);
    rs__sanitise_label(scenario, sizeof scenario, view->sweep->scenario_name);
    rs__text_printf(out, "# replsim sweep plot: %s against %s\n"
                         "# Render from this directory with: gnuplot %s.gp\n"
                         "if (!exists(\"datafile\")) datafile = '%s.dat'\n"
                         "if (!exists(\"outfile\")) outfile = '%s.png'\n"
                         "if (!exists(\"svgfile\")) svgfile = '%s.svg'\n"
                         "set terminal pngcairo size 1000,600 noenhanced\n"
                         "set output outfile\n"
                         "set title '%s against %s (mean and 95%% CI over the seeds)'"
                         ".\"\\n\".'%s'\n"
                         "set grid\nset key below\n"
                         "set xlabel '%s'\nset ylabel '%s (%s)'\n",
                    kpi->name, parameter, plot->base, plot->base, plot->base, plot->base,
                    kpi->name, parameter, scenario, parameter, kpi->name, kpi->unit);
    plot_axes(plot, low, high, out);
    size_t curves = 1;
    for (size_t at = 1; at < view->point_count; at++) {
        curves += other_values_differ(plot, at - 1, at);
    }
    if (curves == 1) {
        rs__text_puts(out, "unset key\n"); /* one curve: the axis says what it is */
    } else { /* room for the key's rows (about two entries a row) under the x label */
        rs__text_printf(out, "set bmargin %zu\nset xlabel offset 0,0.3\n", 4 + (curves + 1) / 2);
    }
    if (isnan(low)) {
        rs__text_puts(out, "plot 2 notitle\n");
        rs__plot_epilogue(out);
        return;
    }
    size_t block = 0;
    for (size_t at = 0; at < view->point_count; at++) {
        if (at > 0 && !other_values_differ(plot, at - 1, at)) {
            continue;
        }
        char title[RS_SWEEP_TEXT_MAX];
        curve_title(plot, at, title, sizeof title);
        rs__text_printf(out, "%s datafile index %zu using 1:2 with linespoints lc %zu pt 7 "
                             "title '%s', \\\n    datafile index %zu using 1:2:3:4 with "
                             "yerrorbars lc %zu pt 7 notitle",
                        block == 0 ? "plot" : ", \\\n    ", block, block + 1, title, block,
                        block + 1);
        block++;
    }
    rs__text_puts(out, "\n");
    rs__plot_epilogue(out);
}

/* ---------------------------------------------------------------------------------------- */
/* Rendering and staging.                                                                    */

/* Starts one gnuplot in `dir` over the staged scripts of plots [from, from + count) of the
 * batch, each after its own `reset; datafile=...; outfile=...; svgfile=...` (-e), known to the
 * interrupt handler as child `slot`; its pid, or -1 when it could not start. Never a shell:
 * an argument vector, names of our own making only. */
static pid_t batch_start(sweep_batch *batch, const char *dir, size_t from, size_t count,
                         size_t slot) {
    assert(batch != NULL && dir != NULL && slot < RS__REPORT_CHILDREN_MAX);
    assert(count >= 1 && from + count <= batch->count);
    char *argv[2 + 3 * SWEEP_PLOTS_BATCH];
    int argc = 0;
    argv[argc++] = "gnuplot";
    for (size_t i = from; i < from + count; i++) {
        const rs__stage *stage = &batch->stage;
        size_t first = batch->first[i]; /* .dat, .gp, .png, .svg */
        int length = snprintf(batch->assignments[i], sizeof batch->assignments[i],
                              "reset; datafile='%s'; outfile='%s'; svgfile='%s'",
                              strrchr(stage->temporary[first], '/') + 1,
                              strrchr(stage->temporary[first + 2], '/') + 1,
                              strrchr(stage->temporary[first + 3], '/') + 1);
        assert(length > 0 && (size_t)length < sizeof batch->assignments[i]);
        argv[argc++] = "-e";
        argv[argc++] = batch->assignments[i];
        argv[argc++] = strrchr(stage->temporary[first + 1], '/') + 1;
    }
    argv[argc] = NULL;
    sigset_t blocked, previous; /* the interrupt handler must know the child: see plots.c */
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    pid_t child = fork();
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL);
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        if (chdir(dir) == 0) {
            execvp("gnuplot", argv);
        }
        _exit(SWEEP_PLOTS_EXEC_FAILED);
    }
    rs__report_children[slot] = child > 0 ? child : 0;
    sigprocmask(SIG_SETMASK, &previous, NULL);
    return child > 0 ? child : -1;
}

/* Waits for the gnuplot batch_start gave as child `slot` (pid `child`, -1: none started);
 * true when it exited 0. Notes a gnuplot that could not be executed. */
static bool batch_wait(sweep_batch *batch, pid_t child, size_t slot) {
    assert(batch != NULL && slot < RS__REPORT_CHILDREN_MAX);
    int status = 0;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    rs__report_children[slot] = 0;
    batch->gnuplot_missing = batch->gnuplot_missing || child < 0 ||
                             (WIFEXITED(status) && WEXITSTATUS(status) == SWEEP_PLOTS_EXEC_FAILED);
    return child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Renders plots [from, from + count) with one gnuplot; true when it exited 0. */
static bool batch_render(sweep_batch *batch, const char *dir, size_t from, size_t count) {
    return batch_wait(batch, batch_start(batch, dir, from, count, 0), 0);
}

static long render_jobs; /* rs_sweep_set_render_jobs; 0: two when there are two cores */

void rs_sweep_set_render_jobs(long jobs) {
    assert(jobs >= 1);
    render_jobs = jobs;
}

/* Renders the whole batch: in two gnuplot processes at once when allowed (the sweep's images
 * are its serial tail, after the parallel runs: 0.55 of 0.65 s of a merge of 20 plots), else
 * in one. True when every process exited 0. */
static bool batch_render_all(sweep_batch *batch, const char *dir) {
    assert(batch != NULL && batch->count >= 1);
    long jobs = render_jobs > 0 ? render_jobs : sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 2 || batch->count < 2) {
        return batch_render(batch, dir, 0, batch->count);
    }
    size_t half = batch->count / 2;
    pid_t first = batch_start(batch, dir, 0, half, 0);
    pid_t second = batch_start(batch, dir, half, batch->count - half, 1);
    bool first_ok = batch_wait(batch, first, 0);
    bool second_ok = batch_wait(batch, second, 1);
    return first_ok && second_ok;
}

/* Forgets staged file `at` (its temporary removed): moved last, then dropped. */
static void stage_drop_at(rs__stage *stage, size_t at) {
    assert(stage != NULL && at < stage->count);
    size_t last = stage->count - 1;
    char *temporary = stage->temporary[at], *final = stage->final[at];
    stage->temporary[at] = stage->temporary[last];
    stage->final[at] = stage->final[last];
    stage->temporary[last] = temporary;
    stage->final[last] = final;
    rs__stage_drop_last(stage);
}

static bool staged_nonempty(const rs__stage *stage, size_t at) {
    assert(stage != NULL && at < stage->count);
    struct stat info;
    return stat(stage->temporary[at], &info) == 0 && info.st_size > 0;
}

/* Removes <dir>/<base>.png and .svg of the batch's plots not drawn this time, so an image an
 * earlier sweep left there never stands for this one's data (absent is fine). */
static void batch_remove_stale(const sweep_batch *batch, const char *dir) {
    assert(batch != NULL && dir != NULL);
    assert(batch->count <= SWEEP_PLOTS_BATCH);
    static const char *const extensions[] = {"png", "svg"};
    for (size_t i = 0; i < batch->count; i++) {
        for (size_t e = 0; !batch->files[i]->drawn && e < 2; e++) {
            char path[4096 + RS__SWEEP_PLOT_BASE_MAX + 8];
            snprintf(path, sizeof path, "%s/%s.%s", dir, batch->files[i]->base, extensions[e]);
            (void)unlink(path);
        }
    }
}

/* Renders the batch's images (when gnuplot is there), drops those not made (a plot keeps
 * both images or neither), marks each plot drawn or not, and commits every file of the
 * batch. 0, or -1 with a message. */
static int batch_commit(sweep_batch *batch, const char *dir, char *error, size_t error_size) {
    assert(batch != NULL && dir != NULL);
    bool rendered[SWEEP_PLOTS_BATCH] = {false};
    bool all = !batch->gnuplot_missing && batch_render_all(batch, dir);
    for (size_t i = 0; i < batch->count; i++) { /* on failure, each alone: one bad plot */
        rendered[i] = all || (!batch->gnuplot_missing && batch->count > 1 &&
                              batch_render(batch, dir, i, 1));
    }
    size_t missing = 0;
    for (size_t i = batch->count; i-- > 0;) { /* last first: dropping moves the last entry */
        size_t png = batch->first[i] + 2, svg = batch->first[i] + 3;
        batch->files[i]->drawn = rendered[i] && staged_nonempty(&batch->stage, png) &&
                                 staged_nonempty(&batch->stage, svg);
        if (!batch->files[i]->drawn) {
            stage_drop_at(&batch->stage, svg); /* the higher index first */
            stage_drop_at(&batch->stage, png);
            missing++;
        }
    }
    if (missing > 0 && !batch->warned) {
        batch->warned = true;
        fprintf(stderr, "replsim: warning: %s; sweep plots without an image keep their .dat and "
                        ".gp (in %s)\n", batch->gnuplot_missing ? "gnuplot not found"
                                                                 : "gnuplot failed", dir);
    }
    int status = rs__stage_commit(&batch->stage, error, error_size);
    rs__stage_init(&batch->stage);
    if (status == 0) {
        batch_remove_stale(batch, dir);
    }
    batch->count = 0;
    return status;
}

/* Stages the plot's .dat and .gp and reserves its .png and .svg, committing the batch when
 * full. */
static int batch_add(sweep_batch *batch, const char *dir, rs__sweep_plot_file *file,
                     const rs__text *data, const rs__text *script, char *error,
                     size_t error_size) {
    assert(batch != NULL && batch->count < SWEEP_PLOTS_BATCH);
    assert(dir != NULL && file != NULL);
    static const char *const extensions[SWEEP_PLOTS_FILES] = {"dat", "gp", "png", "svg"};
    const rs__text *texts[SWEEP_PLOTS_FILES] = {data, script, NULL, NULL};
    size_t first = batch->stage.count;
    int status = 0;
    for (size_t f = 0; status == 0 && f < SWEEP_PLOTS_FILES; f++) {
        char name[RS__SWEEP_PLOT_BASE_MAX + 8];
        snprintf(name, sizeof name, "%s.%s", file->base, extensions[f]);
        if (texts[f] != NULL) {
            status = rs__stage_write(&batch->stage, dir, name, texts[f], error, error_size);
        } else if (rs__stage_reserve(&batch->stage, dir, name, error, error_size) == NULL) {
            status = -1;
        }
    }
    if (status != 0) {
        return -1;
    }
    assert(batch->stage.count == first + SWEEP_PLOTS_FILES);
    batch->first[batch->count] = first;
    batch->files[batch->count++] = file;
    return batch->count == SWEEP_PLOTS_BATCH ? batch_commit(batch, dir, error, error_size) : 0;
}

/* `path` with only [A-Za-z0-9._-] kept (anything else '_'), cut at SWEEP_PLOTS_NAME_MAX. */
static void file_safe(const char *path, char buf[SWEEP_PLOTS_NAME_MAX + 1]) {
    assert(path != NULL && buf != NULL);
    size_t length = 0;
    for (const char *c = path; *c != '\0' && length < SWEEP_PLOTS_NAME_MAX; c++) {
        bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
        buf[length++] = plain ? *c : '_';
    }
    buf[length] = '\0';
    assert(length <= SWEEP_PLOTS_NAME_MAX);
}

/* Parameter p in a file name: file_safe(), then "-<p + 1>" when another parameter would give
 * the same name. */
static void parameter_file_name(const rs_sweep *sweep, size_t p, char *buf, size_t size) {
    assert(sweep != NULL && p < sweep->parameter_count);
    assert(buf != NULL && size > SWEEP_PLOTS_NAME_MAX + 8);
    char name[SWEEP_PLOTS_NAME_MAX + 1], other[SWEEP_PLOTS_NAME_MAX + 1];
    file_safe(sweep->paths[p], name);
    bool clash = false;
    for (size_t q = 0; q < sweep->parameter_count && !clash; q++) {
        file_safe(sweep->paths[q], other);
        clash = q != p && strcmp(name, other) == 0;
    }
    if (clash) {
        snprintf(buf, size, "%s-%zu", name, p + 1);
    } else {
        snprintf(buf, size, "%s", name);
    }
}

/* Stages the plots of parameter plot->parameter, one per KPI, each listed in *plots. */
static int plots_of_parameter(sweep_plot *plot, sweep_batch *batch, double *scratch,
                              const char *dir, rs__sweep_plot_list *plots, char *error,
                              size_t error_size) {
    assert(plot != NULL && batch != NULL && plots != NULL);
    const rs__sweep_view *view = plot->view;
    assert(plots->count + view->kpi_count <= RS__SWEEP_PLOTS_MAX);
    for (size_t i = 0; i < view->point_count; i++) {
        plot->order[i] = i;
    }
    order_plot = plot;
    qsort(plot->order, view->point_count, sizeof *plot->order, sweep_plots_compare);
    order_plot = NULL;
    char name[SWEEP_PLOTS_NAME_MAX + 32];
    parameter_file_name(view->sweep, plot->parameter, name, sizeof name);
    int status = 0;
    for (size_t k = 0; status == 0 && k < view->kpi_count; k++) {
        plot->kpi = k;
        int length = snprintf(plot->base, sizeof plot->base, "%s-vs-%s", view->kpis[k].name,
                              name);
        assert(length > 0 && (size_t)length < sizeof plot->base);
        rs__sweep_plot_file *file = &plots->files[plots->count++];
        memset(file, 0, sizeof *file);
        memcpy(file->base, plot->base, sizeof file->base);
        file->parameter = plot->parameter;
        file->kpi = k;
        rs__text data, script;
        rs__text_init(&data);
        rs__text_init(&script);
        double low, high;
        plot_dat(plot, scratch, &data, &low, &high);
        plot_gp(plot, low, high, &script);
        status = batch_add(batch, dir, file, &data, &script, error, error_size);
        rs__text_free(&data);
        rs__text_free(&script);
    }
    return status;
}

int rs__sweep_plots_write(const rs__sweep_view *view, double *scratch, const char *out_dir,
                          rs__sweep_plot_list *plots, char *error, size_t error_size) {
    assert(view != NULL && scratch != NULL && out_dir != NULL);
    assert(plots != NULL && view->kpi_count <= RS_SWEEP_KPIS_MAX);
    static sweep_plot plot;   /* 2 kB of pointers: off the stack; one sweep at a time */
    static sweep_batch batch; /* ~35 kB */
    memset(&plot, 0, sizeof plot);
    memset(&batch, 0, sizeof batch);
    plots->count = 0;
    rs__stage_init(&batch.stage);
    plot.view = view;
    plot.order = malloc(view->point_count * sizeof *plot.order);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/plots", out_dir);
    int status = plot.order == NULL ? -1 : rs__make_directories(dir, error, error_size);
    if (plot.order == NULL) {
        snprintf(error, error_size, "out of memory plotting the sweep");
    }
    for (size_t p = 0; status == 0 && p < view->sweep->parameter_count; p++) {
        plot.parameter = p;
        plot.distinct_count = rs__sweep_distinct(view, p, plot.distinct, RS_SWEEP_VALUES_MAX);
        if (plot.distinct_count >= 2) { /* a constant: nothing to plot against */
            status = plots_of_parameter(&plot, &batch, scratch, dir, plots, error, error_size);
        }
    }
    status = status == 0 && batch.count > 0 ? batch_commit(&batch, dir, error, error_size)
                                            : status;
    if (status != 0) {
        rs__stage_abort(&batch.stage);
    }
    free(plot.order);
    return status;
}
