/* sweep_report.c — the merged sweep.csv and sweep.json of a sweep's runs, staged and committed
 * with report.html (see sweep_report.h; manifests are in sweep_manifest.c, plots in
 * sweep_plots.c, the page in sweep_html.c). KPIs are read back from each run's
 * summary.json with rs_compare_read_run (the figures people already trust, rounded as shown),
 * so `sweep` and `merge` compute from exactly the same bytes. Runs are sorted once; a point is
 * then a range of equal parameter values. JSON numbers are raw tokens formatted here (as
 * compare_report.c does) so the bytes never depend on cJSON's float printing. */
#include "reports/sweep_report.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/compare_report.h"
#include "reports/report_internal.h"
#include "reports/stats.h"


/* ---------------------------------------------------------------------------------------- */
/* Adding runs.                                                                              */

void rs_sweep_init(rs_sweep *sweep) {
    assert(sweep != NULL);
    memset(sweep, 0, sizeof *sweep);
    assert(sweep->runs == NULL);
}

void rs_sweep_free(rs_sweep *sweep) {
    assert(sweep != NULL);
    assert(sweep->run_count <= sweep->run_capacity);
    for (size_t r = 0; r < sweep->run_count; r++) {
        free(sweep->runs[r].dir);
        for (size_t p = 0; p < sweep->parameter_count; p++) {
            free(sweep->runs[r].values[p]);
        }
    }
    free(sweep->runs);
    rs_sweep_init(sweep);
}

/* Does the manifest belong with the runs already added? 0, or -2 with a message. The first
 * manifest fixes the scenario and the paths. */
static int sweep_check_manifest(rs_sweep *sweep, const rs_sweep_manifest *manifest,
                                const char *dir, char *error, size_t error_size) {
    assert(sweep != NULL && manifest != NULL);
    const char *slash = strrchr(manifest->scenario_file, '/');
    const char *file = slash != NULL ? slash + 1 : manifest->scenario_file;
    if (sweep->run_count == 0) {
        snprintf(sweep->scenario_name, sizeof sweep->scenario_name, "%s",
                 manifest->scenario_name);
        snprintf(sweep->scenario_file, sizeof sweep->scenario_file, "%s", file);
        snprintf(sweep->scenario_path, sizeof sweep->scenario_path, "%s",
                 manifest->scenario_file);
        sweep->parameter_count = manifest->parameter_count;
        memcpy(sweep->paths, manifest->paths, sizeof sweep->paths);
        return 0;
    }
    bool same = strcmp(sweep->scenario_name, manifest->scenario_name) == 0 &&
                strcmp(sweep->scenario_file, file) == 0 &&
                sweep->parameter_count == manifest->parameter_count;
    for (size_t p = 0; same && p < sweep->parameter_count; p++) {
        same = strcmp(sweep->paths[p], manifest->paths[p]) == 0;
    }
    if (!same) {
        snprintf(error, error_size, "%s: not from the same sweep as %s (scenario %s, or swept "
                                    "paths, differ); allowed: runs of one scenario file with "
                                    "the same --set paths in the same order",
                 dir, sweep->runs[0].dir, manifest->scenario_file);
        return -2;
    }
    if (strcmp(manifest->scenario_file, sweep->scenario_path) < 0) { /* order-independent */
        snprintf(sweep->scenario_path, sizeof sweep->scenario_path, "%s",
                 manifest->scenario_file);
    }
    if (sweep->run_count == RS_SWEEP_RUNS_MAX) {
        snprintf(error, error_size, "%s: more than %d runs; allowed: at most %d", dir,
                 RS_SWEEP_RUNS_MAX, RS_SWEEP_RUNS_MAX);
        return -2;
    }
    return 0;
}

int rs_sweep_add_run(rs_sweep *sweep, const char *dir, char *error, size_t error_size) {
    assert(sweep != NULL && dir != NULL);
    assert(sweep->run_count <= RS_SWEEP_RUNS_MAX);
    static rs_sweep_manifest manifest; /* 16 kB: off the stack; one merge at a time */
    const rs_compare_kpi *kpis = NULL;
    size_t kpi_count = rs_compare_kpis(&kpis);
    assert(kpi_count <= RS_SWEEP_KPIS_MAX);
    rs_sweep_run run = {.seed = 0};
    if (rs__sweep_manifest_read(dir, &manifest, error, error_size) != 0 ||
        rs_compare_read_run(dir, run.kpis, &run.verdict_pass, run.hash, error,
                            error_size) != 0) {
        return -1;
    }
    int status = sweep_check_manifest(sweep, &manifest, dir, error, error_size);
    if (status != 0) {
        return status;
    }
    if (sweep->run_count == sweep->run_capacity) {
        size_t capacity = sweep->run_capacity == 0 ? 64 : 2 * sweep->run_capacity;
        rs_sweep_run *runs = realloc(sweep->runs, capacity * sizeof *runs);
        if (runs == NULL) {
            snprintf(error, error_size, "out of memory reading %s", dir);
            return -1;
        }
        sweep->runs = runs;
        sweep->run_capacity = capacity;
    }
    run.seed = manifest.seed;
    run.dir = strdup(dir);
    bool failed = run.dir == NULL;
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        run.values[p] = strdup(manifest.values[p]);
        failed |= run.values[p] == NULL;
    }
    sweep->runs[sweep->run_count++] = run; /* freed with the sweep even when incomplete */
    if (failed) {
        snprintf(error, error_size, "out of memory reading %s", dir);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Sorting and points.                                                                       */

bool rs__sweep_number(const char *text, double *out) {
    assert(text != NULL && out != NULL);
    if (text[0] == '\0' || isspace((unsigned char)text[0]) || strncmp(text, "0x", 2) == 0 ||
        strncmp(text, "-0x", 3) == 0) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !isfinite(value)) {
        return false;
    }
    *out = value;
    return true;
}

int rs__sweep_compare_value(const char *left, const char *right, bool numeric) {
    assert(left != NULL && right != NULL);
    double a = 0, b = 0;
    if (numeric && rs__sweep_number(left, &a) && rs__sweep_number(right, &b) && a != b) {
        return a < b ? -1 : 1;
    }
    int order = strcmp(left, right);
    return order < 0 ? -1 : order > 0 ? 1 : 0;
}

static const rs__sweep_view *sort_view; /* qsort has no context argument: set around it */

static int sweep_compare_runs(const void *left, const void *right) {
    const rs_sweep_run *a = left, *b = right;
    assert(sort_view != NULL);
    for (size_t p = 0; p < sort_view->sweep->parameter_count; p++) {
        int order = rs__sweep_compare_value(a->values[p], b->values[p], sort_view->numeric[p]);
        if (order != 0) {
            return order;
        }
    }
    return a->seed < b->seed ? -1 : a->seed > b->seed ? 1 : 0;
}

static bool sweep_same_point(const rs_sweep *sweep, const rs_sweep_run *a,
                             const rs_sweep_run *b) {
    assert(sweep != NULL && a != NULL && b != NULL);
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        if (strcmp(a->values[p], b->values[p]) != 0) {
            return false;
        }
    }
    return true;
}

/* Sorts the runs, splits them into points and checks them. 0, or -2 with a message. */
static int sweep_build_view(rs_sweep *sweep, rs__sweep_view *view, char *error,
                            size_t error_size) {
    assert(sweep != NULL && view != NULL);
    assert(sweep->run_count >= 1);
    memset(view, 0, sizeof *view);
    view->sweep = sweep;
    view->kpi_count = rs_compare_kpis(&view->kpis);
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        view->numeric[p] = true;
        for (size_t r = 0; r < sweep->run_count && view->numeric[p]; r++) {
            double ignored;
            view->numeric[p] = rs__sweep_number(sweep->runs[r].values[p], &ignored);
        }
    }
    sort_view = view;
    qsort(sweep->runs, sweep->run_count, sizeof *sweep->runs, sweep_compare_runs);
    sort_view = NULL;
    view->points = malloc(sweep->run_count * sizeof *view->points);
    if (view->points == NULL) {
        snprintf(error, error_size, "out of memory merging the sweep");
        return -1;
    }
    for (size_t r = 0; r < sweep->run_count; r++) {
        const rs_sweep_run *run = &sweep->runs[r];
        rs__sweep_point *point = &view->points[view->point_count - (view->point_count > 0)];
        if (r > 0 && sweep_same_point(sweep, run - 1, run)) {
            if (run[-1].seed == run->seed || strcmp(run[-1].hash, run->hash) != 0) {
                snprintf(error, error_size, "%s and %s: %s; allowed: each seed of a point once, "
                         "from one version of the scenario file", run[-1].dir, run->dir,
                         run[-1].seed == run->seed ? "the same point and seed twice"
                                                   : "the same point with different scenario "
                                                     "hashes (file changed between them?)");
                return -2;
            }
            point->count++;
            continue;
        }
        view->points[view->point_count++] = (rs__sweep_point){.first = r, .count = 1};
    }
    assert(view->point_count >= 1 && view->point_count <= sweep->run_count);
    return 0;
}

rs_stats_interval rs__sweep_interval(const rs__sweep_view *view, size_t point, size_t k,
                                     double *scratch) {
    assert(view != NULL && point < view->point_count);
    assert(k < view->kpi_count && scratch != NULL);
    const rs__sweep_point *range = &view->points[point];
    for (size_t i = 0; i < range->count; i++) {
        scratch[i] = view->sweep->runs[range->first + i].kpis[k];
    }
    return rs_stats_mean_interval(scratch, range->count, RS_COMPARE_CONFIDENCE);
}

/* ---------------------------------------------------------------------------------------- */
/* sweep.csv                                                                                 */

/* A CSV field: quoted (RFC 4180) when it holds a comma, quote or line break. */
static void csv_field(rs__text *out, const char *text) {
    assert(out != NULL && text != NULL);
    if (strpbrk(text, ",\"\r\n") == NULL) {
        rs__text_puts(out, text);
        return;
    }
    rs__text_puts(out, "\"");
    for (const char *c = text; *c != '\0'; c++) {
        rs__text_append(out, c, 1);
        if (*c == '"') {
            rs__text_puts(out, "\"");
        }
    }
    rs__text_puts(out, "\"");
}

/* A number for CSV: empty when it has no value. */
static void csv_number(rs__text *out, double value, int decimals) {
    assert(out != NULL);
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    rs__text_printf(out, ",%s", strcmp(raw, "null") == 0 ? "" : raw);
}

static void sweep_csv(const rs__sweep_view *view, double *scratch, rs__text *out) {
    assert(view != NULL && scratch != NULL && out != NULL);
    const rs_sweep *sweep = view->sweep;
    char label[RS_SWEEP_TEXT_MAX];
    rs__sanitise_label(label, sizeof label, sweep->scenario_name);
    rs__text_printf(out, "# replsim sweep; scenario %s; file ", label);
    rs__sanitise_label(label, sizeof label, sweep->scenario_file);
    rs__text_printf(out, "%s; per point: mean and %g%% confidence interval (Student's t) over "
                         "its seeds\n", label, RS_COMPARE_CONFIDENCE * 100);
    for (size_t p = 0; p < sweep->parameter_count; p++) {
        csv_field(out, sweep->paths[p]);
        rs__text_puts(out, ",");
    }
    rs__text_puts(out, "runs,verdict_pass,scenario_hash");
    for (size_t k = 0; k < view->kpi_count; k++) {
        const char *name = view->kpis[k].name;
        rs__text_printf(out, ",%s_mean,%s_ci95_low,%s_ci95_high", name, name, name);
    }
    rs__text_puts(out, "\n");
    for (size_t i = 0; i < view->point_count; i++) {
        const rs__sweep_point *point = &view->points[i];
        const rs_sweep_run *first = &sweep->runs[point->first];
        size_t pass = 0;
        for (size_t r = 0; r < point->count; r++) {
            pass += first[r].verdict_pass;
        }
        for (size_t p = 0; p < sweep->parameter_count; p++) {
            csv_field(out, first->values[p]);
            rs__text_puts(out, ",");
        }
        rs__text_printf(out, "%zu,%zu,%s", point->count, pass, first->hash);
        for (size_t k = 0; k < view->kpi_count; k++) {
            rs_stats_interval interval = rs__sweep_interval(view, i, k, scratch);
            csv_number(out, interval.mean, view->kpis[k].decimals);
            csv_number(out, interval.low, view->kpis[k].decimals);
            csv_number(out, interval.high, view->kpis[k].decimals);
        }
        rs__text_puts(out, "\n");
    }
}

/* ---------------------------------------------------------------------------------------- */
/* sweep.json                                                                                */

static void json_raw(cJSON *object, const char *name, double value, int decimals,
                     bool *failed) {
    assert(object != NULL && name != NULL);
    char raw[RS__NUMBER_BYTES];
    if (decimals < 0) {
        snprintf(raw, sizeof raw, "%llu", (unsigned long long)value);
    } else {
        rs__format_number(raw, sizeof raw, value, decimals);
    }
    *failed |= cJSON_AddRawToObject(object, name, raw) == NULL;
}

static void json_point_kpis(cJSON *object, const rs__sweep_view *view, size_t i,
                            double *scratch, bool *failed) {
    assert(object != NULL && view != NULL);
    const rs__sweep_point *point = &view->points[i];
    cJSON *kpis = cJSON_AddObjectToObject(object, "kpis");
    for (size_t k = 0; kpis != NULL && k < view->kpi_count; k++) {
        int decimals = view->kpis[k].decimals;
        rs_stats_interval interval = rs__sweep_interval(view, i, k, scratch);
        cJSON *kpi = cJSON_AddObjectToObject(kpis, view->kpis[k].name);
        if (kpi == NULL) {
            break;
        }
        json_raw(kpi, "n", (double)interval.n, -1, failed);
        json_raw(kpi, "mean", interval.mean, decimals, failed);
        json_raw(kpi, "stddev", interval.stddev, decimals, failed);
        json_raw(kpi, "ci95_low", interval.low, decimals, failed);
        json_raw(kpi, "ci95_high", interval.high, decimals, failed);
        json_raw(kpi, "half_width", interval.half_width, decimals, failed);
        cJSON *values = cJSON_AddArrayToObject(kpi, "values");
        for (size_t r = 0; values != NULL && r < point->count; r++) {
            char raw[RS__NUMBER_BYTES];
            rs__format_number(raw, sizeof raw, view->sweep->runs[point->first + r].kpis[k],
                              decimals);
            cJSON *item = cJSON_CreateRaw(raw);
            *failed |= item == NULL || !cJSON_AddItemToArray(values, item);
        }
        *failed |= values == NULL;
    }
    *failed |= kpis == NULL || cJSON_GetArraySize(kpis) != (int)view->kpi_count;
}

static void json_point(cJSON *points, const rs__sweep_view *view, size_t i, double *scratch,
                       bool *failed) {
    assert(points != NULL && view != NULL);
    assert(i < view->point_count);
    const rs_sweep *sweep = view->sweep;
    const rs__sweep_point *point = &view->points[i];
    const rs_sweep_run *first = &sweep->runs[point->first];
    cJSON *object = cJSON_CreateObject();
    if (object == NULL || !cJSON_AddItemToArray(points, object)) {
        cJSON_Delete(object);
        *failed = true;
        return;
    }
    cJSON *parameters = cJSON_AddObjectToObject(object, "parameters");
    for (size_t p = 0; parameters != NULL && p < sweep->parameter_count; p++) {
        *failed |= cJSON_AddStringToObject(parameters, sweep->paths[p], first->values[p]) == NULL;
    }
    *failed |= parameters == NULL;
    *failed |= cJSON_AddStringToObject(object, "scenario_hash", first->hash) == NULL;
    size_t pass = 0;
    cJSON *seeds = cJSON_AddArrayToObject(object, "seeds");
    for (size_t r = 0; seeds != NULL && r < point->count; r++) {
        char raw[RS__NUMBER_BYTES];
        snprintf(raw, sizeof raw, "%llu", (unsigned long long)first[r].seed);
        cJSON *item = cJSON_CreateRaw(raw);
        *failed |= item == NULL || !cJSON_AddItemToArray(seeds, item);
        pass += first[r].verdict_pass;
    }
    *failed |= seeds == NULL;
    json_raw(object, "runs", (double)point->count, -1, failed);
    json_raw(object, "verdict_pass", (double)pass, -1, failed);
    json_point_kpis(object, view, i, scratch, failed);
}

/* {"path", "numeric", "values": distinct values in sort order} per parameter. */
static void json_parameters(cJSON *root, const rs__sweep_view *view, bool *failed) {
    assert(root != NULL && view != NULL);
    const rs_sweep *sweep = view->sweep;
    cJSON *parameters = cJSON_AddArrayToObject(root, "parameters");
    for (size_t p = 0; parameters != NULL && p < sweep->parameter_count; p++) {
        cJSON *item = cJSON_CreateObject();
        *failed |= item == NULL || !cJSON_AddItemToArray(parameters, item) ||
                   cJSON_AddStringToObject(item, "path", sweep->paths[p]) == NULL ||
                   cJSON_AddBoolToObject(item, "numeric", view->numeric[p]) == NULL;
        cJSON *values = *failed ? NULL : cJSON_AddArrayToObject(item, "values");
        const char *distinct[RS_SWEEP_VALUES_MAX];
        size_t count = rs__sweep_distinct(view, p, distinct, RS_SWEEP_VALUES_MAX);
        for (size_t v = 0; values != NULL && v < count; v++) {
            cJSON *value = cJSON_CreateString(distinct[v]);
            *failed |= value == NULL || !cJSON_AddItemToArray(values, value);
        }
        *failed |= values == NULL;
    }
    *failed |= parameters == NULL;
}

static void sweep_json(const rs__sweep_view *view, double *scratch, rs__text *out) {
    assert(view != NULL && scratch != NULL && out != NULL);
    bool failed = false;
    cJSON *root = cJSON_CreateObject();
    failed |= root == NULL || cJSON_AddRawToObject(root, "sweep_version", "1") == NULL;
    cJSON *scenario = failed ? NULL : cJSON_AddObjectToObject(root, "scenario");
    failed |= scenario == NULL ||
              cJSON_AddStringToObject(scenario, "name", view->sweep->scenario_name) == NULL ||
              cJSON_AddStringToObject(scenario, "file", view->sweep->scenario_file) == NULL;
    if (!failed) {
        json_raw(root, "confidence", RS_COMPARE_CONFIDENCE, 6, &failed);
        json_parameters(root, view, &failed);
    }
    cJSON *kpis = failed ? NULL : cJSON_AddArrayToObject(root, "kpis");
    for (size_t k = 0; kpis != NULL && k < view->kpi_count; k++) {
        cJSON *item = cJSON_CreateObject();
        failed |= item == NULL || !cJSON_AddItemToArray(kpis, item) ||
                  cJSON_AddStringToObject(item, "name", view->kpis[k].name) == NULL ||
                  cJSON_AddStringToObject(item, "unit", view->kpis[k].unit) == NULL;
    }
    cJSON *points = failed || kpis == NULL ? NULL : cJSON_AddArrayToObject(root, "points");
    for (size_t i = 0; points != NULL && i < view->point_count; i++) {
        json_point(points, view, i, scratch, &failed);
    }
    failed |= points == NULL;
    char *printed = failed ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    out->failed |= printed == NULL;
    rs__text_puts(out, printed != NULL ? printed : "");
    rs__text_puts(out, "\n");
    free(printed);
}

/* ---------------------------------------------------------------------------------------- */

size_t rs__sweep_distinct(const rs__sweep_view *view, size_t p, const char **out, size_t max) {
    assert(view != NULL && out != NULL);
    assert(p < view->sweep->parameter_count);
    size_t count = 0;
    for (size_t i = 0; i < view->point_count; i++) {
        const char *value = view->sweep->runs[view->points[i].first].values[p];
        size_t at = 0;
        while (at < count && strcmp(out[at], value) != 0) {
            at++;
        }
        if (at < count) {
            continue;
        }
        if (count == max) {
            return count; /* more than a sweep makes: a merge of unrelated runs */
        }
        while (at > 0 && rs__sweep_compare_value(out[at - 1], value, view->numeric[p]) > 0) {
            out[at] = out[at - 1]; /* insertion sort: O(values^2), values <= 256 */
            at--;
        }
        out[at] = value;
        count++;
    }
    return count;
}

/* Stages sweep.csv, sweep.json and report.html and commits them together. 0, or -1. */
static int sweep_stage_outputs(const rs__sweep_view *view, double *scratch,
                               const rs__sweep_plot_list *plots, const char *out_dir,
                               char *error, size_t error_size) {
    assert(view != NULL && scratch != NULL);
    assert(plots != NULL && out_dir != NULL);
    static const char *const names[] = {"sweep.csv", "sweep.json", "report.html"};
    rs__text texts[3];
    for (size_t i = 0; i < 3; i++) {
        rs__text_init(&texts[i]);
    }
    sweep_csv(view, scratch, &texts[0]);
    sweep_json(view, scratch, &texts[1]);
    rs__sweep_html(view, scratch, plots, out_dir, &texts[2]);
    rs__stage stage;
    rs__stage_init(&stage);
    int status = 0;
    for (size_t i = 0; status == 0 && i < 3; i++) {
        status = rs__stage_write(&stage, out_dir, names[i], &texts[i], error, error_size);
    }
    status = status == 0 ? rs__stage_commit(&stage, error, error_size) : status;
    if (status != 0) {
        rs__stage_abort(&stage);
    }
    for (size_t i = 0; i < 3; i++) {
        rs__text_free(&texts[i]);
    }
    return status;
}

int rs_sweep_write(rs_sweep *sweep, const char *out_dir, size_t *point_count, char *error,
                   size_t error_size) {
    assert(sweep != NULL && out_dir != NULL);
    assert(point_count != NULL && sweep->run_count >= 1);
    rs__sweep_view view;
    int status = sweep_build_view(sweep, &view, error, error_size);
    double *scratch = status == 0 ? malloc(sweep->run_count * sizeof *scratch) : NULL;
    rs__sweep_plot_list *plots = status == 0 ? calloc(1, sizeof *plots) : NULL; /* ~100 kB */
    if (status == 0 && (scratch == NULL || plots == NULL)) {
        snprintf(error, error_size, "out of memory merging the sweep");
        status = -1;
    }
    if (status == 0) {
        *point_count = view.point_count;
        status = rs__make_directories(out_dir, error, error_size);
    }
    if (status == 0) {
        status = rs__sweep_plots_write(&view, scratch, out_dir, plots, error, error_size);
    }
    if (status == 0) { /* after the plots: the page embeds their committed SVGs */
        status = sweep_stage_outputs(&view, scratch, plots, out_dir, error, error_size);
    }
    free(plots);
    free(scratch);
    free(view.points);
    return status;
}
