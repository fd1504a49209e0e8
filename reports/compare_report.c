/* compare_report.c — comparison.json and comparison.md of `replsim compare` (see
 * compare_report.h). Reads each run's KPIs back from its summary.json (the figures people
 * already trust, rounded as they were shown), then per strategy and KPI computes the mean over
 * the seeds with its 95% interval and the per-seed (paired) difference against the first
 * strategy with reports/stats.c. The JSON is a cJSON tree of raw number tokens formatted here,
 * as summary_json.c does, so its bytes never depend on cJSON's float printing. */
#include "reports/compare_report.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/plots_internal.h"
#include "reports/report_internal.h"
#include "reports/stats.h"

#define COMPARE_SUMMARY_BYTES_MAX (64 * 1024 * 1024) /* a summary.json is far smaller */

static const rs_compare_kpi compare_kpis[] = {
    {"success_rate", "requests.success_rate", "fraction", 6},
    {"requests_failed", "requests.failed", "requests", 6},
    {"write_latency_ms_mean", "write_latency_ms.mean", "ms", 3},
    {"write_latency_ms_p50", "write_latency_ms.p50", "ms", 3},
    {"write_latency_ms_p99", "write_latency_ms.p99", "ms", 3},
    {"replication_latency_ms_p50", "replication_latency_ms.all.p50", "ms", 3},
    {"replication_latency_ms_p99", "replication_latency_ms.all.p99", "ms", 3},
    {"sync_delay_ms_p50", "sync_delay_ms.p50", "ms", 3},
    {"sync_delay_ms_p99", "sync_delay_ms.p99", "ms", 3},
    {"events_not_fully_replicated", "sync_delay_ms.events_not_fully_replicated", "events", 6},
    {"acked_events_per_s", "throughput.acked_events_per_s", "events/s", 6},
    {"appends_per_s", "throughput.appends_per_s", "appends/s", 6},
    {"duplicate_appends", "throughput.duplicate_appends", "appends", 6},
    {"messages_per_event", "messages.per_event", "messages/event", 6},
    {"bytes_per_event", "messages.bytes_per_event", "bytes/event", 6},
    {"acked_events_lost", "durability.acked_events_lost", "events", 6},
    {"messages_dropped_by_faults", "messages_dropped_by_faults", "messages", 6},
    {"availability_stores_mean", "availability.stores_mean", "fraction", 6},
    {"convergence_after_heal_s_max", "convergence_after_heal_s_max", "s", 6},
    {"recovery_s_max", "recovery_s_max", "s", 6},
};
#define COMPARE_KPI_COUNT (sizeof compare_kpis / sizeof compare_kpis[0])

size_t rs_compare_kpis(const rs_compare_kpi **out) {
    assert(out != NULL);
    assert(COMPARE_KPI_COUNT > 0);
    *out = compare_kpis;
    return COMPARE_KPI_COUNT;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading a run's summary.json.                                                             */

static char *read_file(const char *path, char *error, size_t error_size) {
    assert(path != NULL);
    assert(error != NULL && error_size > 0);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        snprintf(error, error_size, "%s: cannot open (see the run's log)", path);
        return NULL;
    }
    char *text = malloc(COMPARE_SUMMARY_BYTES_MAX + 1);
    size_t length = text != NULL ? fread(text, 1, COMPARE_SUMMARY_BYTES_MAX, in) : 0;
    bool failed = text == NULL || ferror(in) || length == COMPARE_SUMMARY_BYTES_MAX;
    fclose(in);
    if (failed) {
        snprintf(error, error_size, "%s: cannot read (or out of memory)", path);
        free(text);
        return NULL;
    }
    text[length] = '\0';
    return text;
}

/* The number at dotted `field` of `root`, or NaN (null, absent, not a number). */
static double field_number(const cJSON *root, const char *field) {
    assert(root != NULL && field != NULL);
    char key[128];
    const cJSON *node = root;
    for (const char *start = field; node != NULL && *start != '\0';) {
        size_t length = strcspn(start, ".");
        assert(length > 0 && length < sizeof key);
        memcpy(key, start, length);
        key[length] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, key);
        start += length + (start[length] == '.' ? 1 : 0);
    }
    return cJSON_IsNumber(node) ? node->valuedouble : NAN;
}

int rs_compare_read_run(const char *dir, double *values, bool *verdict_pass, char hash[17],
                        char *error, size_t error_size) {
    assert(dir != NULL && values != NULL);
    assert(verdict_pass != NULL && hash != NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *text = read_file(path, error, error_size);
    cJSON *root = text != NULL ? cJSON_Parse(text) : NULL;
    free(text);
    if (root == NULL) {
        if (text != NULL) {
            snprintf(error, error_size, "%s: not JSON", path);
        }
        return -1;
    }
    for (size_t k = 0; k < COMPARE_KPI_COUNT; k++) {
        values[k] = field_number(root, compare_kpis[k].field);
    }
    const char *verdict = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "verdict"));
    *verdict_pass = verdict != NULL && strcmp(verdict, "pass") == 0;
    const cJSON *scenario = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    const char *found = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(scenario, "hash"));
    snprintf(hash, 17, "%s", found != NULL ? found : "");
    cJSON_Delete(root);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Figures.                                                                                  */

typedef struct kpi_figures {
    rs_stats_interval level;       /* mean over the seeds and its interval */
    rs_stats_interval difference;  /* per-seed (entry - baseline), paired by seed */
    bool significant;              /* the difference's interval excludes 0 */
} kpi_figures;

static double entry_value(const rs_compare *comparison, size_t entry, size_t seed, size_t k) {
    assert(entry < comparison->entry_count && seed < comparison->seed_count);
    assert(k < COMPARE_KPI_COUNT);
    return comparison->entries[entry].values[seed * COMPARE_KPI_COUNT + k];
}

static kpi_figures compute_figures(const rs_compare *comparison, size_t entry, size_t k,
                                   double *scratch) {
    assert(comparison != NULL && scratch != NULL);
    assert(entry < comparison->entry_count && k < COMPARE_KPI_COUNT);
    kpi_figures figures = {0};
    size_t seeds = comparison->seed_count;
    for (size_t s = 0; s < seeds; s++) {
        scratch[s] = entry_value(comparison, entry, s, k);
    }
    figures.level = rs_stats_mean_interval(scratch, seeds, RS_COMPARE_CONFIDENCE);
    for (size_t s = 0; s < seeds; s++) {
        scratch[s] -= entry_value(comparison, 0, s, k); /* NaN on either side stays NaN */
    }
    figures.difference = rs_stats_mean_interval(scratch, seeds, RS_COMPARE_CONFIDENCE);
    figures.significant = entry > 0 && figures.difference.n >= 2 &&
                          rs_stats_excludes(&figures.difference, 0.0);
    return figures;
}

/* ---------------------------------------------------------------------------------------- */
/* comparison.json                                                                           */

static void json_number(cJSON *object, const char *name, double value, int decimals,
                        bool *failed) {
    assert(object != NULL && name != NULL);
    assert(failed != NULL);
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    *failed |= cJSON_AddRawToObject(object, name, raw) == NULL;
}

static void json_count(cJSON *object, const char *name, uint64_t value, bool *failed) {
    assert(object != NULL && name != NULL);
    assert(failed != NULL);
    char raw[RS__NUMBER_BYTES];
    snprintf(raw, sizeof raw, "%llu", (unsigned long long)value);
    *failed |= cJSON_AddRawToObject(object, name, raw) == NULL;
}

/* {n, mean, stddev, ci95_low, ci95_high, half_width} of an interval. */
static void json_interval(cJSON *object, const rs_stats_interval *interval, int decimals,
                          bool *failed) {
    assert(object != NULL && interval != NULL);
    json_count(object, "n", interval->n, failed);
    json_number(object, "mean", interval->mean, decimals, failed);
    json_number(object, "stddev", interval->stddev, decimals, failed);
    json_number(object, "ci95_low", interval->low, decimals, failed);
    json_number(object, "ci95_high", interval->high, decimals, failed);
    json_number(object, "half_width", interval->half_width, decimals, failed);
}

static void json_kpi(cJSON *kpis, const rs_compare *comparison, size_t entry, size_t k,
                     double *scratch, bool *failed) {
    assert(kpis != NULL && comparison != NULL);
    assert(entry < comparison->entry_count && k < COMPARE_KPI_COUNT);
    const rs_compare_kpi *kpi = &compare_kpis[k];
    cJSON *object = cJSON_AddObjectToObject(kpis, kpi->name);
    if (object == NULL) {
        *failed = true;
        return;
    }
    kpi_figures figures = compute_figures(comparison, entry, k, scratch);
    *failed |= cJSON_AddStringToObject(object, "unit", kpi->unit) == NULL;
    json_interval(object, &figures.level, kpi->decimals, failed);
    cJSON *values = cJSON_AddArrayToObject(object, "values");
    for (size_t s = 0; values != NULL && s < comparison->seed_count; s++) {
        char raw[RS__NUMBER_BYTES];
        rs__format_number(raw, sizeof raw, entry_value(comparison, entry, s, k), kpi->decimals);
        cJSON *item = cJSON_CreateRaw(raw);
        *failed |= item == NULL || !cJSON_AddItemToArray(values, item);
    }
    *failed |= values == NULL;
    if (entry == 0) {
        *failed |= cJSON_AddNullToObject(object, "difference") == NULL;
        return;
    }
    cJSON *difference = cJSON_AddObjectToObject(object, "difference");
    if (difference == NULL) {
        *failed = true;
        return;
    }
    json_interval(difference, &figures.difference, kpi->decimals, failed);
    *failed |= cJSON_AddBoolToObject(difference, "significant", figures.significant) == NULL;
}

static cJSON *json_strings(cJSON *parent, const char *name, size_t count, bool *failed,
                           const char *(*get)(const void *, size_t), const void *source) {
    assert(parent != NULL && name != NULL);
    assert(get != NULL && (source != NULL || count == 0));
    cJSON *array = cJSON_AddArrayToObject(parent, name);
    for (size_t i = 0; array != NULL && i < count; i++) {
        cJSON *item = cJSON_CreateString(get(source, i));
        *failed |= item == NULL || !cJSON_AddItemToArray(array, item);
    }
    *failed |= array == NULL;
    return array;
}

static const char *get_command_set(const void *source, size_t i) {
    assert(source != NULL);
    assert(i < ((const rs_compare *)source)->set_count);
    return ((const rs_compare *)source)->sets[i];
}

static const char *get_entry_set(const void *source, size_t i) {
    assert(source != NULL);
    assert(i < ((const rs_compare_entry *)source)->set_count);
    return ((const rs_compare_entry *)source)->sets[i];
}

static void json_entry(cJSON *strategies, const rs_compare *comparison, size_t e,
                       double *scratch, bool *failed) {
    assert(strategies != NULL && comparison != NULL);
    assert(e < comparison->entry_count && scratch != NULL);
    const rs_compare_entry *entry = &comparison->entries[e];
    cJSON *object = cJSON_CreateObject();
    if (object == NULL || !cJSON_AddItemToArray(strategies, object)) {
        cJSON_Delete(object);
        *failed = true;
        return;
    }
    *failed |= cJSON_AddStringToObject(object, "entry", entry->label) == NULL;
    *failed |= cJSON_AddStringToObject(object, "strategy", entry->strategy) == NULL;
    json_strings(object, "sets", entry->set_count, failed, get_entry_set, entry);
    *failed |= cJSON_AddStringToObject(object, "directory", entry->directory) == NULL;
    *failed |= cJSON_AddStringToObject(object, "hash", entry->hash) == NULL;
    json_count(object, "runs", comparison->seed_count, failed);
    json_count(object, "verdict_pass", entry->verdict_pass, failed);
    cJSON *kpis = cJSON_AddObjectToObject(object, "kpis");
    for (size_t k = 0; kpis != NULL && k < COMPARE_KPI_COUNT; k++) {
        json_kpi(kpis, comparison, e, k, scratch, failed);
    }
    *failed |= kpis == NULL;
}

static void comparison_json(const rs_compare *comparison, double *scratch, rs__text *out) {
    assert(comparison != NULL && comparison->entry_count >= 1);
    assert(scratch != NULL && out != NULL);
    bool failed = false;
    cJSON *root = cJSON_CreateObject();
    json_count(root, "comparison_version", 1, &failed);
    cJSON *scenario = cJSON_AddObjectToObject(root, "scenario");
    failed |= scenario == NULL ||
              cJSON_AddStringToObject(scenario, "name", comparison->scenario_name) == NULL ||
              cJSON_AddStringToObject(scenario, "file", comparison->scenario_file) == NULL;
    if (scenario != NULL) {
        json_strings(scenario, "sets", comparison->set_count, &failed, get_command_set,
                     comparison);
    }
    cJSON *seeds = cJSON_AddObjectToObject(root, "seeds");
    failed |= seeds == NULL;
    if (seeds != NULL) {
        json_count(seeds, "first", comparison->seed_first, &failed);
        json_count(seeds, "last", comparison->seed_first + comparison->seed_count - 1, &failed);
        json_count(seeds, "count", comparison->seed_count, &failed);
    }
    json_number(root, "confidence", RS_COMPARE_CONFIDENCE, 6, &failed);
    failed |= cJSON_AddStringToObject(root, "baseline", comparison->entries[0].label) == NULL;
    cJSON *strategies = cJSON_AddArrayToObject(root, "strategies");
    for (size_t e = 0; strategies != NULL && e < comparison->entry_count; e++) {
        json_entry(strategies, comparison, e, scratch, &failed);
    }
    failed |= root == NULL || strategies == NULL;
    char *printed = failed ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    if (printed == NULL) {
        out->failed = true;
        return;
    }
    rs__text_puts(out, printed);
    rs__text_puts(out, "\n");
    free(printed);
}

/* ---------------------------------------------------------------------------------------- */
/* comparison.md                                                                             */

/* "mean ± half" ("n/a" without a value; no "±" with one seed); bold when `bold`. */
static void md_cell(rs__text *out, const rs_stats_interval *interval, int decimals, bool bold,
                    bool signed_mean) {
    assert(out != NULL && interval != NULL);
    assert(decimals >= 0 && decimals <= 9);
    char mean[RS__NUMBER_BYTES];
    char half[RS__NUMBER_BYTES];
    rs__format_number(mean, sizeof mean, interval->mean, decimals);
    rs__format_number(half, sizeof half, interval->half_width, decimals);
    if (strcmp(mean, "null") == 0) {
        rs__text_puts(out, " n/a |");
        return;
    }
    bool plus = signed_mean && mean[0] != '-' && strcmp(mean, "0") != 0;
    rs__text_printf(out, " %s%s%s", bold ? "**" : "", plus ? "+" : "", mean);
    if (strcmp(half, "null") != 0) {
        rs__text_printf(out, " ± %s", half);
    }
    rs__text_printf(out, "%s |", bold ? "**" : "");
}

static void md_header(rs__text *out, const rs_compare *comparison, size_t first_entry) {
    assert(out != NULL && comparison != NULL);
    assert(first_entry < comparison->entry_count);
    rs__text_puts(out, "| KPI | unit |");
    for (size_t e = first_entry; e < comparison->entry_count; e++) {
        rs__text_puts(out, " ");
        rs__md_escaped(out, comparison->entries[e].label);
        rs__text_puts(out, " |");
    }
    rs__text_puts(out, "\n|---|---|");
    for (size_t e = first_entry; e < comparison->entry_count; e++) {
        rs__text_puts(out, "---:|");
    }
    rs__text_puts(out, "\n");
}

static void md_tables(const rs_compare *comparison, double *scratch, rs__text *out) {
    assert(comparison != NULL && comparison->entry_count >= 1);
    assert(scratch != NULL && out != NULL);
    md_header(out, comparison, 0);
    for (size_t k = 0; k < COMPARE_KPI_COUNT; k++) {
        rs__text_printf(out, "| %s | %s |", compare_kpis[k].name, compare_kpis[k].unit);
        for (size_t e = 0; e < comparison->entry_count; e++) {
            kpi_figures figures = compute_figures(comparison, e, k, scratch);
            md_cell(out, &figures.level, compare_kpis[k].decimals, false, false);
        }
        rs__text_puts(out, "\n");
    }
    if (comparison->entry_count < 2) {
        return;
    }
    rs__text_puts(out, "\n## Difference against ");
    rs__md_escaped(out, comparison->entries[0].label);
    rs__text_puts(out, " (paired by seed)\n\nEach cell: the mean of the per-seed differences "
                       "(strategy − baseline) ± the half-width of its 95% confidence interval; "
                       "**bold** when the interval excludes 0 (a significant difference).\n\n");
    md_header(out, comparison, 1);
    for (size_t k = 0; k < COMPARE_KPI_COUNT; k++) {
        rs__text_printf(out, "| %s | %s |", compare_kpis[k].name, compare_kpis[k].unit);
        for (size_t e = 1; e < comparison->entry_count; e++) {
            kpi_figures figures = compute_figures(comparison, e, k, scratch);
            md_cell(out, &figures.difference, compare_kpis[k].decimals, figures.significant,
                    true);
        }
        rs__text_puts(out, "\n");
    }
}

static void md_runs(const rs_compare *comparison, rs__text *out) {
    assert(comparison != NULL && out != NULL);
    assert(comparison->seed_count >= 1);
    rs__text_puts(out, "\n## Runs\n\n| strategy | overrides | verdict pass | scenario hash | "
                       "reports |\n|---|---|---:|---|---|\n");
    for (size_t e = 0; e < comparison->entry_count; e++) {
        const rs_compare_entry *entry = &comparison->entries[e];
        rs__text_puts(out, "| ");
        rs__md_escaped(out, entry->label);
        rs__text_puts(out, " | ");
        for (size_t i = 0; i < entry->set_count; i++) {
            rs__text_puts(out, i > 0 ? ", " : "");
            rs__md_escaped(out, entry->sets[i]);
        }
        rs__text_printf(out, " | %zu/%zu | %s | ", entry->verdict_pass, comparison->seed_count,
                        entry->hash);
        rs__md_escaped(out, entry->directory);
        rs__text_puts(out, "/seed-N/ |\n");
    }
}

static void comparison_md(const rs_compare *comparison, double *scratch, rs__text *out) {
    assert(comparison != NULL && comparison->scenario_name != NULL);
    assert(comparison->scenario_file != NULL && out != NULL);
    rs__text_puts(out, "# Strategy comparison: ");
    rs__md_escaped(out, comparison->scenario_name);
    rs__text_puts(out, "\n\nScenario ");
    rs__md_escaped(out, comparison->scenario_file);
    uint64_t last = comparison->seed_first + comparison->seed_count - 1;
    rs__text_printf(out, ", seeds %llu..%llu: every strategy runs the same workload and fault "
                         "schedule for each seed", (unsigned long long)comparison->seed_first,
                    (unsigned long long)last);
    for (size_t i = 0; i < comparison->set_count; i++) {
        rs__text_puts(out, i == 0 ? "; overrides: " : ", ");
        rs__md_escaped(out, comparison->sets[i]);
    }
    rs__text_puts(out, ".\n\nEach cell: the mean over the seeds ± the half-width of its 95% "
                       "confidence interval (Student's t, n − 1 degrees of freedom); n/a when "
                       "no run has the figure.\n\n");
    md_tables(comparison, scratch, out);
    md_runs(comparison, out);
}

int rs_compare_write(const rs_compare *comparison, const char *out_dir, char *error,
                     size_t error_size) {
    assert(comparison != NULL && out_dir != NULL);
    assert(comparison->entry_count >= 1 && comparison->entry_count <= RS_COMPARE_ENTRIES_MAX);
    assert(comparison->seed_count >= 1 && comparison->seed_count <= RS_COMPARE_SEEDS_MAX);
    double *scratch = malloc(comparison->seed_count * sizeof *scratch);
    bool out_of_memory = scratch == NULL;
    rs__text json, md;
    rs__text_init(&json);
    rs__text_init(&md);
    if (scratch != NULL) {
        comparison_json(comparison, scratch, &json);
        comparison_md(comparison, scratch, &md);
    }
    free(scratch);
    int status = -1;
    rs__stage stage;
    rs__stage_init(&stage);
    rs__plot_set plots; /* overlay plots, then report.html embedding them (html_compare.c) */
    if (out_of_memory || json.failed || md.failed) {
        snprintf(error, error_size, "out of memory writing the comparison");
    } else if (rs__make_directories(out_dir, error, error_size) == 0 &&
               rs__stage_write(&stage, out_dir, "comparison.json", &json, error,
                               error_size) == 0 &&
               rs__stage_write(&stage, out_dir, "comparison.md", &md, error, error_size) == 0 &&
               rs__compare_plots_write(comparison, out_dir, &stage, &plots, error,
                                       error_size) == 0) {
        rs__text html;
        rs__text_init(&html);
        rs__compare_html(comparison, out_dir, &plots, &html);
        status = rs__stage_write(&stage, out_dir, "report.html", &html, error, error_size);
        rs__text_free(&html);
        status = status == 0 ? rs__stage_commit(&stage, error, error_size) : -1;
    }
    if (status != 0) {
        rs__stage_abort(&stage);
    }
    rs__text_free(&json);
    rs__text_free(&md);
    return status;
}
