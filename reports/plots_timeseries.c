/* plots_timeseries.c — the time plots of a run, one point per simulated second, each with the
 * fault windows shaded: write and replication latency (p50 and p99 of the samples of each
 * second, as timeseries.csv), throughput (acked events and appends per second), replication
 * lag per target store and divergence (both computed here from the history), and the queue
 * depth when the strategy reports a queue_depth gauge. Lag and divergence are read at the end
 * of each second t, i.e. at (t + 1) s: an event counts from the second its client got an ok
 * acknowledgement until the second in which the store (lag) or the last target store
 * (divergence) first appended it; an event a target never appended counts to the end. With a
 * conditional strategy's per-event targets, a target outside an event's rule counts as
 * missing, the convention of sync_delay_ms. Cost: one pass over the appends, 20 bytes per event
 * and a bit per (event, target store). Over 16 target stores the lag plot draws their maximum and
 * the 10 with the highest peak; its data file keeps every store. The health-state timeline is
 * drawn only when the run recorded health changes (scenario "health_check"). */
#include "reports/plots_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEPLOTS_US_PER_S INT64_C(1000000)
#define TIMEPLOTS_NEVER INT64_MAX    /* first append time of an event a store never appended */
#define TIMEPLOTS_QUEUE_GAUGE "queue_depth"

/* Events behind per target store and in total, per second. */
typedef struct timeplots_backlog {
    size_t row_count;        /* seconds, as report->timeseries */
    uint32_t column_count;   /* 1 + target stores: column 0 is divergence */
    int64_t *counts;         /* [row * column_count + column]; owned */
} timeplots_backlog;

/* Row of an event's interval bound at time_us: the first second whose end is after it. */
static size_t timeplots_row(int64_t time_us, size_t row_count) {
    assert(row_count > 0);
    if (time_us == TIMEPLOTS_NEVER || time_us / TIMEPLOTS_US_PER_S >= (int64_t)row_count) {
        return row_count;
    }
    return time_us < 0 ? 0 : (size_t)(time_us / TIMEPLOTS_US_PER_S);
}

/* Adds +1 on [from, to) rows of `column` (a difference array summed afterwards). */
static void timeplots_span(timeplots_backlog *backlog, uint32_t column, size_t from, size_t to) {
    assert(column < backlog->column_count);
    if (from >= to || from >= backlog->row_count) {
        return;
    }
    backlog->counts[from * backlog->column_count + column]++;
    if (to < backlog->row_count) {
        backlog->counts[to * backlog->column_count + column]--;
    }
}

/* ack_us[event]: client ok-ack time of each event, -1 when it was not acknowledged ok. */
static void timeplots_acks(const rs_history *history, int64_t *ack_us) {
    assert(history != NULL && ack_us != NULL);
    for (size_t event = 0; event < history->event_count; event++) {
        ack_us[event] = -1;
    }
    for (size_t index = 0; index < history->request_count; index++) {
        const rs_history_request *request = &history->requests[index];
        if (request->status != RS_OK || request->client_ack_us < 0) {
            continue;
        }
        for (uint32_t offset = 0; offset < request->event_count; offset++) {
            rs_event_id event = request->first_event + offset;
            if (event >= 1 && event <= history->event_count) {
                ack_us[event - 1] = request->client_ack_us;
            }
        }
    }
}

/* Column of each store in the backlog (1 + its index in the scenario's targets), 0 when the
 * store is not a target. */
static uint32_t *timeplots_columns(const rs__report *report) {
    const rs_scenario *scenario = report->scenario;
    uint32_t store_count = report->history->store_count;
    uint32_t *column = calloc((size_t)store_count + 1, sizeof *column);
    if (column == NULL) {
        return NULL;
    }
    for (uint32_t target = 0; target < scenario->target_count; target++) {
        assert(scenario->targets[target] < store_count);
        assert(column[scenario->targets[target]] == 0 && "a store is a target once");
        column[scenario->targets[target]] = 1 + target;
    }
    return column;
}

/* One pass over the appends, in their (simulated-time) order, so the first record of a
 * (target, event) pair is its first append: the span [ack, first) of that pair, added as +1 at
 * the ack's row for every column beforehand, ends with -1 at the first append's row, or at
 * the ack's row when the append came no later (an empty span). `seen` has a bit per (event,
 * target). Per event, `reached` counts the targets that appended it and `last_us` keeps the
 * latest first append: the divergence span ends there once every target has it. */
static void timeplots_scan_appends(const rs__report *report, const uint32_t *column,
                                   const int64_t *ack_us, timeplots_backlog *backlog,
                                   uint64_t *seen, uint32_t *reached, int64_t *last_us) {
    const rs_history *history = report->history;
    uint32_t targets = report->scenario->target_count;
    size_t rows = backlog->row_count;
    for (size_t index = 0; index < history->append_count; index++) {
        const rs_history_append *append = &history->appends[index];
        if (append->event == 0 || append->event > history->event_count ||
            append->store >= history->store_count || column[append->store] == 0) {
            continue;
        }
        size_t event = (size_t)(append->event - 1);
        size_t bit = event * targets + (column[append->store] - 1);
        if ((seen[bit / 64] >> (bit % 64)) & 1u) {
            continue; /* not the pair's first append */
        }
        seen[bit / 64] |= UINT64_C(1) << (bit % 64);
        assert(append->time_us >= last_us[event] || reached[event] == 0);
        last_us[event] = append->time_us;
        reached[event]++;
        if (ack_us[event] < 0) {
            continue;
        }
        size_t from = timeplots_row(ack_us[event], rows);
        size_t to = timeplots_row(append->time_us, rows);
        size_t end = to > from ? to : from; /* an empty span cancels its +1 */
        if (from < rows && end < rows) {
            backlog->counts[end * backlog->column_count + column[append->store]]--;
        }
    }
}

/* The backlog of every target store and the divergence, per second, in one pass over the
 * requests and one over the appends. Memory: 20 bytes per event, one bit per (event,
 * target), the counts. */
static int timeplots_backlog_compute(const rs__report *report, timeplots_backlog *backlog) {
    const rs_history *history = report->history;
    uint32_t targets = report->scenario->target_count;
    backlog->row_count = report->timeseries.row_count;
    backlog->column_count = 1 + targets;
    size_t events = history->event_count;
    size_t rows = backlog->row_count;
    backlog->counts = calloc(rows * backlog->column_count + 1, sizeof(int64_t));
    int64_t *ack_us = malloc((events + 1) * sizeof *ack_us);
    int64_t *last_us = calloc(events + 1, sizeof *last_us);
    uint32_t *reached = calloc(events + 1, sizeof *reached);
    uint64_t *seen = calloc(events * targets / 64 + 1, sizeof *seen);
    uint32_t *column = timeplots_columns(report);
    int status = -1;
    if (backlog->counts != NULL && ack_us != NULL && last_us != NULL && reached != NULL &&
        seen != NULL && column != NULL) {
        timeplots_acks(history, ack_us);
        for (size_t event = 0; event < events && targets > 0; event++) {
            size_t from = timeplots_row(ack_us[event], rows);
            if (ack_us[event] < 0 || from >= rows) {
                continue;
            }
            for (uint32_t target = 1; target <= targets; target++) {
                backlog->counts[from * backlog->column_count + target]++;
            }
        }
        timeplots_scan_appends(report, column, ack_us, backlog, seen, reached, last_us);
        for (size_t event = 0; event < events && targets > 0; event++) {
            if (ack_us[event] >= 0) {
                int64_t last = reached[event] == targets ? last_us[event] : TIMEPLOTS_NEVER;
                timeplots_span(backlog, 0, timeplots_row(ack_us[event], rows),
                               timeplots_row(last, rows));
            }
        }
        for (size_t row = 1; row < rows; row++) { /* prefix sums per column */
            for (uint32_t c = 0; c < backlog->column_count; c++) {
                backlog->counts[row * backlog->column_count + c] +=
                    backlog->counts[(row - 1) * backlog->column_count + c];
            }
        }
        status = 0;
    }
    free(ack_us), free(last_us), free(reached), free(seen), free(column);
    return status;
}

/* A value in ms with 3 decimals, "-" (gnuplot's missing value here) when NaN. */
static void timeplots_ms(rs__text *out, double value_ms) {
    if (isnan(value_ms)) {
        rs__text_puts(out, " -");
    } else {
        rs__text_printf(out, " %.3f", value_ms);
    }
}

static double timeplots_max(double highest, double value) {
    return isnan(value) || value <= highest ? highest : value;
}

/* write_latency (write = true) or replication_latency: p50 and p99 per second. */
static void timeplots_latency(const rs__report *report, bool write, rs__text *data,
                              rs__text *script) {
    const rs__timeseries *series = &report->timeseries;
    const char *what = write ? "write latency per second" : "replication latency per second";
    rs__plot_run_comment(data, report, what);
    rs__text_printf(data, "# time_s %s_latency_ms_p50 %s_latency_ms_p99\n"
                          "# second t: nearest-rank percentiles of the samples %s in [t, t+1); "
                          "- when none\n", write ? "write" : "replication",
                    write ? "write" : "replication", write ? "acked" : "appended");
    double highest = 0;
    for (size_t r = 0; r < series->row_count; r++) {
        const rs__timeseries_row *row = &series->rows[r];
        double p50 = write ? row->write_latency_ms_p50 : row->replication_latency_ms_p50;
        double p99 = write ? row->write_latency_ms_p99 : row->replication_latency_ms_p99;
        rs__text_printf(data, "%zu", r);
        timeplots_ms(data, p50);
        timeplots_ms(data, p99);
        rs__text_puts(data, "\n");
        highest = timeplots_max(timeplots_max(highest, p50), p99);
    }
    const char *base = write ? "write_latency" : "replication_latency";
    rs__plot_run_preamble(script, report, write ? "write latency script"
                                             : "replication latency script", base,
                       write ? "Write latency per second (p50, p99)"
                             : "Replication latency per second (p50, p99)");
    rs__plot_time_axes(script, series->row_count, highest,
                       write ? "write latency (ms)" : "replication latency (ms)");
    rs__plot_fault_bands(report->scenario, script);
    rs__text_puts(script, "plot datafile using 1:2 with steps lw 2 title 'p50', \\\n"
                          "     datafile using 1:3 with steps lw 2 title 'p99'\n");
    rs__plot_epilogue(script);
}

static void timeplots_throughput(const rs__report *report, rs__text *data, rs__text *script) {
    rs__plot_run_comment(data, report, "throughput per second");
    rs__text_puts(data, "# time_s acked_ok_events_per_s appends_per_s\n"
                        "# second t counts acks received and non-duplicate appends in [t, t+1)\n");
    const rs__timeseries *series = &report->timeseries;
    uint64_t highest = 0;
    for (size_t row = 0; row < series->row_count; row++) {
        const rs__timeseries_row *values = &series->rows[row];
        rs__text_printf(data, "%zu %" PRIu64 " %" PRIu64 "\n", row, values->acked_ok_events,
                        values->appends);
        highest = values->acked_ok_events > highest ? values->acked_ok_events : highest;
        highest = values->appends > highest ? values->appends : highest;
    }
    rs__plot_run_preamble(script, report, "throughput script", "throughput", "Throughput");
    rs__plot_time_axes(script, series->row_count, (double)highest, "events per second");
    rs__plot_fault_bands(report->scenario, script);
    rs__text_puts(script, "plot datafile using 1:2 with steps title 'acked ok events per s', \\\n"
                          "     datafile using 1:3 with steps title 'appends per s'\n");
    rs__plot_epilogue(script);
}

/* replication_lag: per target store, and their maximum (column 2). */
/* Columns (1-based target indexes) of the RS__PLOT_STORES_TOP targets with the highest peak
 * backlog, highest first; into top[], returns the count. */
static uint32_t timeplots_lag_top(const timeplots_backlog *backlog, uint32_t *top) {
    uint32_t targets = backlog->column_count - 1;
    int64_t *peaks = calloc(targets + 1, sizeof *peaks);
    if (peaks == NULL) {
        return 0; /* out of memory: the maximum alone */
    }
    for (uint32_t target = 0; target < targets; target++) {
        for (size_t row = 0; row < backlog->row_count; row++) {
            int64_t value = backlog->counts[row * backlog->column_count + 1 + target];
            peaks[target] = value > peaks[target] ? value : peaks[target];
        }
    }
    uint32_t count = rs__plot_top(peaks, targets, top);
    for (uint32_t i = 0; i < count; i++) {
        top[i]++;
    }
    free(peaks);
    return count;
}

/* The plot command of the lag plot: every store, or the maximum and the top stores. */
static void timeplots_lag_lines(const rs__report *report, const timeplots_backlog *backlog,
                                rs__text *script) {
    const rs_scenario *scenario = report->scenario;
    uint32_t columns[RS__PLOT_STORES_MAX > RS__PLOT_STORES_TOP ? RS__PLOT_STORES_MAX
                                                               : RS__PLOT_STORES_TOP];
    uint32_t count = 0;
    bool summarised = scenario->target_count > RS__PLOT_STORES_MAX;
    if (summarised) {
        count = timeplots_lag_top(backlog, columns);
        rs__text_printf(script, "plot datafile using 1:2 with steps lw 2 title 'max of the %u "
                                "stores'", scenario->target_count);
    } else {
        for (uint32_t target = 0; target < scenario->target_count; target++) {
            columns[count++] = target + 1;
        }
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t target = columns[i] - 1;
        char name[2 * RS_NAME_MAX], label[RS__PLOT_LABEL_MAX];
        rs_scenario_store_name(scenario, scenario->targets[target], name, sizeof name);
        rs__sanitise_label(label, sizeof label, name);
        rs__text_printf(script, "%s datafile using 1:%u with steps title '%s'",
                        i == 0 && !summarised ? "plot" : ", \\\n    ", target + 3, label);
    }
    rs__text_puts(script, scenario->target_count == 0 ? "plot 0 title 'no target store'\n" : "\n");
}

static void timeplots_lag(const rs__report *report, const timeplots_backlog *backlog,
                          rs__text *data, rs__text *script) {
    const rs_scenario *scenario = report->scenario;
    rs__plot_run_comment(data, report, "replication lag per target store");
    rs__text_puts(data, "# time_s max_events_behind then events_behind of each target store: "
                        "events acked ok by (t+1) s that the store had not appended by then\n"
                        "# columns 3..: ");
    for (uint32_t target = 0; target < scenario->target_count; target++) {
        char name[2 * RS_NAME_MAX], label[RS__PLOT_LABEL_MAX];
        rs_scenario_store_name(scenario, scenario->targets[target], name, sizeof name);
        rs__sanitise_label(label, sizeof label, name);
        rs__text_printf(data, "%s%s", target == 0 ? "" : " ", label);
    }
    rs__text_puts(data, "\n");
    int64_t highest = 0;
    for (size_t row = 0; row < backlog->row_count; row++) {
        const int64_t *counts = &backlog->counts[row * backlog->column_count];
        int64_t row_max = 0;
        for (uint32_t column = 1; column < backlog->column_count; column++) {
            row_max = counts[column] > row_max ? counts[column] : row_max;
        }
        rs__text_printf(data, "%zu %" PRId64, row, row_max);
        for (uint32_t column = 1; column < backlog->column_count; column++) {
            rs__text_printf(data, " %" PRId64, counts[column]);
        }
        rs__text_puts(data, "\n");
        highest = row_max > highest ? row_max : highest;
    }
    char title[96];
    snprintf(title, sizeof title, "Replication lag: the maximum and the %d stores with the "
             "highest peak", RS__PLOT_STORES_TOP);
    rs__plot_run_preamble(script, report, "replication lag script", "replication_lag",
                       scenario->target_count > RS__PLOT_STORES_MAX
                           ? title : "Replication lag per target store");
    rs__plot_time_axes(script, backlog->row_count, (double)highest,
                       "acked events not yet on the store (events)");
    rs__plot_fault_bands(scenario, script);
    timeplots_lag_lines(report, backlog, script);
    rs__plot_epilogue(script);
}

static void timeplots_divergence(const rs__report *report, const timeplots_backlog *backlog,
                                 rs__text *data, rs__text *script) {
    rs__plot_run_comment(data, report, "divergence");
    rs__text_puts(data, "# time_s acked_events_missing_somewhere: events acked ok by (t+1) s "
                        "that at least one target store had not appended by then\n");
    int64_t highest = 0;
    for (size_t row = 0; row < backlog->row_count; row++) {
        int64_t value = backlog->counts[row * backlog->column_count];
        rs__text_printf(data, "%zu %" PRId64 "\n", row, value);
        highest = value > highest ? value : highest;
    }
    rs__plot_run_preamble(script, report, "divergence script", "divergence",
                       "Divergence: acked events missing on some target store");
    rs__plot_time_axes(script, backlog->row_count, (double)highest, "events");
    rs__plot_fault_bands(report->scenario, script);
    rs__text_puts(script, "plot datafile using 1:2 with steps lw 2 "
                          "title 'acked events missing on >= 1 target'\n");
    rs__plot_epilogue(script);
}

/* Unhealthy-marking managers of `store` right after change `upto` (inclusive); `marks` is
 * scratch, one byte per manager index up to `managers`. O(changes) per call. */
static uint32_t timeplots_unhealthy(const rs_history *history, uint32_t store, size_t upto,
                                    uint8_t *marks, uint32_t managers) {
    memset(marks, 0, managers);
    uint32_t count = 0;
    for (size_t i = 0; i <= upto; i++) {
        const rs_history_health *change = &history->health[i];
        if (change->store != store || change->manager >= managers) {
            continue;
        }
        bool unhealthy = change->healthy == 0;
        count += unhealthy && marks[change->manager] == 0 ? 1u : 0u;
        count -= !unhealthy && marks[change->manager] != 0 ? 1u : 0u;
        marks[change->manager] = unhealthy ? 1 : 0;
    }
    return count;
}

/* health: one block per store with recorded changes, "time_s level" with level = the
 * store's row (its index among them) when every manager sees it healthy, row + 0.6 while at
 * least one manager's probes mark it unhealthy. */
static void timeplots_health(const rs__report *report, rs__text *data, rs__text *script) {
    const rs_history *history = report->history;
    const rs_scenario *scenario = report->scenario;
    uint32_t managers = 1;
    for (size_t i = 0; i < history->health_count; i++) {
        managers = history->health[i].manager >= managers ? history->health[i].manager + 1
                                                          : managers;
    }
    uint8_t *marks = calloc(managers, 1);
    rs__plot_run_comment(data, report, "health-state timeline");
    rs__text_puts(data, "# time_s level: one block per store with health changes (gnuplot "
                        "index); level = row, or row + 0.6 while some manager marks it "
                        "unhealthy\n");
    rs__plot_run_preamble(script, report, "health timeline script", "health",
                       "Health state per store (raised: marked unhealthy)");
    double end_s = (double)report->timeseries.row_count;
    uint32_t row = 0;
    rs__text_puts(script, "set ytics (");
    for (uint32_t store = 0; marks != NULL && store < scenario->store_count; store++) {
        bool any = false;
        for (size_t i = 0; i < history->health_count && !any; i++) {
            any = history->health[i].store == store;
        }
        if (!any) {
            continue;
        }
        char name[2 * RS_NAME_MAX], label[RS__PLOT_LABEL_MAX];
        rs_scenario_store_name(scenario, store, name, sizeof name);
        rs__sanitise_label(label, sizeof label, name);
        rs__text_printf(data, "%s# index %u: store %s\n0 %u\n", row == 0 ? "" : "\n\n", row,
                        label, row);
        double level = row;
        for (size_t i = 0; i < history->health_count; i++) {
            if (history->health[i].store == store) {
                level = row + (timeplots_unhealthy(history, store, i, marks, managers) > 0
                                   ? 0.6 : 0.0);
                rs__text_printf(data, "%.6f %.1f\n", (double)history->health[i].time_us / 1e6,
                                level);
            }
        }
        rs__text_printf(data, "%.6f %.1f\n", end_s, level);
        rs__text_printf(script, "%s'%s' %u", row == 0 ? "" : ", ", label, row);
        row++;
    }
    free(marks);
    rs__text_printf(script, ")\nset xrange [0:%.0f]\nset yrange [-0.5:%u]\n"
                            "set xlabel 'simulated time (s)'\nset ylabel 'store'\n"
                            "set key off\n", end_s, row);
    rs__plot_fault_bands(scenario, script);
    for (uint32_t r = 0; r < row; r++) {
        rs__text_printf(script, "%s datafile index %u using 1:2 with steps lw 3 notitle",
                        r == 0 ? "plot" : ", \\\n    ", r);
    }
    rs__text_puts(script, row == 0 ? "plot 0 notitle\n" : "\n");
    rs__plot_epilogue(script);
}

/* The strategy's queue_depth gauge, or NULL when it reported none. */
static const rs_named_metric *timeplots_queue_gauge(const rs_metrics *metrics) {
    for (uint32_t i = 0; metrics != NULL && i < metrics->named_count; i++) {
        if (metrics->named[i].kind == RS_NAMED_GAUGE &&
            strcmp(metrics->named[i].name, TIMEPLOTS_QUEUE_GAUGE) == 0) {
            return &metrics->named[i];
        }
    }
    return NULL;
}

static void timeplots_queue(const rs__report *report, const rs_named_metric *gauge,
                            rs__text *data, rs__text *script) {
    assert(gauge != NULL && gauge->kind == RS_NAMED_GAUGE);
    rs__plot_run_comment(data, report, "queue depth");
    rs__text_puts(data, "# time_s queue_depth_max: the highest queue_depth level the strategy "
                        "reported in [t, t+1) (its own metric); - when it reported none\n");
    const rs__timeseries *series = &report->timeseries;
    int64_t highest = 0;
    for (size_t row = 0; row < series->row_count; row++) {
        bool known = row < gauge->gauge_seconds && gauge->gauge_second_max[row] >= 0;
        if (known) {
            rs__text_printf(data, "%zu %" PRId64 "\n", row, gauge->gauge_second_max[row]);
            highest = gauge->gauge_second_max[row] > highest ? gauge->gauge_second_max[row]
                                                             : highest;
        } else {
            rs__text_printf(data, "%zu -\n", row);
        }
    }
    rs__plot_run_preamble(script, report, "queue depth script", "queue_depth",
                       "Queue depth (strategy gauge, per-second maximum)");
    rs__plot_time_axes(script, series->row_count, (double)highest, "queued entries");
    rs__plot_fault_bands(report->scenario, script);
    rs__text_puts(script, "plot datafile using 1:2 with steps lw 2 title 'queue_depth max'\n");
    rs__plot_epilogue(script);
}

typedef enum timeplots_kind {
    TIMEPLOTS_WRITE_LATENCY,
    TIMEPLOTS_REPLICATION_LATENCY,
    TIMEPLOTS_THROUGHPUT,
    TIMEPLOTS_LAG,
    TIMEPLOTS_DIVERGENCE,
    TIMEPLOTS_QUEUE,
    TIMEPLOTS_HEALTH,
    TIMEPLOTS_KIND_COUNT
} timeplots_kind;

static const char *const timeplots_bases[TIMEPLOTS_KIND_COUNT] = {
    "write_latency", "replication_latency", "throughput", "replication_lag", "divergence",
    "queue_depth", "health"};
static const char *const timeplots_titles[TIMEPLOTS_KIND_COUNT] = {
    "Write latency per second (p50, p99)", "Replication latency per second (p50, p99)",
    "Throughput", "Replication lag per target store",
    "Divergence: acked events missing on some target store",
    "Queue depth (strategy gauge, per-second maximum)",
    "Health state per store (raised: marked unhealthy)"};

static void timeplots_write(const rs__report *report, const timeplots_backlog *backlog,
                            timeplots_kind kind, rs__text *data, rs__text *script) {
    switch (kind) {
    case TIMEPLOTS_WRITE_LATENCY:
    case TIMEPLOTS_REPLICATION_LATENCY:
        timeplots_latency(report, kind == TIMEPLOTS_WRITE_LATENCY, data, script);
        break;
    case TIMEPLOTS_THROUGHPUT:
        timeplots_throughput(report, data, script);
        break;
    case TIMEPLOTS_LAG:
        timeplots_lag(report, backlog, data, script);
        break;
    case TIMEPLOTS_DIVERGENCE:
        timeplots_divergence(report, backlog, data, script);
        break;
    case TIMEPLOTS_QUEUE:
        timeplots_queue(report, timeplots_queue_gauge(report->metrics), data, script);
        break;
    case TIMEPLOTS_HEALTH:
        timeplots_health(report, data, script);
        break;
    default:
        assert(!"unknown time plot");
    }
}

int rs__plots_timeseries(const rs__report *report, rs__plotter *plotter, char *error,
                         size_t error_size) {
    assert(report != NULL && plotter != NULL);
    assert(report->timeseries.row_count > 0);
    timeplots_backlog backlog = {0};
    if (timeplots_backlog_compute(report, &backlog) != 0) {
        free(backlog.counts);
        snprintf(error, error_size, "%s: out of memory computing replication lag", plotter->dir);
        return -1;
    }
    int status = 0;
    for (int kind = 0; status == 0 && kind < TIMEPLOTS_KIND_COUNT; kind++) {
        if ((kind == TIMEPLOTS_QUEUE && timeplots_queue_gauge(report->metrics) == NULL) ||
            (kind == TIMEPLOTS_HEALTH && report->history->health_count == 0)) {
            continue; /* the strategy reports no queue; the run recorded no health change */
        }
        rs__text data, script;
        rs__text_init(&data);
        rs__text_init(&script);
        timeplots_write(report, &backlog, (timeplots_kind)kind, &data, &script);
        status = rs__plot_stage(plotter, timeplots_bases[kind], timeplots_titles[kind], &data,
                                &script, error, error_size);
        rs__text_free(&data);
        rs__text_free(&script);
    }
    free(backlog.counts);
    return status;
}
