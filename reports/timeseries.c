/* timeseries.c — the per-second view of a run, from the history alone: requests invoked, acks
 * (ok and failed), non-duplicate appends, and the median and 99th percentile of the write and
 * replication latency samples of each second, plus its CSV writer. Percentiles here are exact
 * nearest-rank values (the ceil(q*n)-th smallest sample of the second): the samples are
 * bucketed by second with a counting sort and each second's slice is sorted, O(n log n) time
 * and 8 bytes per sample, instead of one 34 KiB histogram per second. */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TIMESERIES_US_PER_S INT64_C(1000000)
#define TIMESERIES_US_PER_MS 1e3
#define TIMESERIES_RANK_TOLERANCE 1e-12 /* as in histogram.c: 0.99 * n must not round up */

typedef enum timeseries_source { TIMESERIES_WRITE, TIMESERIES_REPLICATION } timeseries_source;

/* Second (row) of time_us, clamped to the last row; -1 for a time that never happened. */
static int64_t timeseries_row_of(const rs__timeseries *series, int64_t time_us) {
    assert(series != NULL && series->row_count > 0);
    if (time_us < 0) {
        return -1;
    }
    int64_t row = time_us / TIMESERIES_US_PER_S;
    int64_t last = (int64_t)series->row_count - 1;
    return row > last ? last : row;
}

/* Sample `index` of a source: its row and value; false when the record gives no sample. */
static bool timeseries_sample(const rs_history *history, const rs__timeseries *series,
                              timeseries_source source, size_t index, int64_t *row,
                              int64_t *value_us) {
    assert(history != NULL && row != NULL && value_us != NULL);
    if (source == TIMESERIES_WRITE) {
        const rs_history_request *request = &history->requests[index];
        if (request->status != RS_OK || request->client_ack_us < 0) {
            return false;
        }
        *row = timeseries_row_of(series, request->client_ack_us);
        *value_us = request->client_ack_us - request->invoke_us;
        return true;
    }
    assert(source == TIMESERIES_REPLICATION);
    const rs_history_append *append = &history->appends[index];
    if (append->duplicate || append->event == 0 || append->event > history->event_count) {
        return false;
    }
    uint32_t request_index = history->events[append->event - 1].request_index;
    if (request_index >= history->request_count ||
        history->requests[request_index].manager_arrival_us < 0) {
        return false;
    }
    *row = timeseries_row_of(series, append->time_us);
    *value_us = append->time_us - history->requests[request_index].manager_arrival_us;
    return *row >= 0;
}

/* The nearest rank (1-based) of quantile q among count samples. */
static size_t timeseries_rank(size_t count, double q) {
    assert(count > 0);
    assert(q > 0.0 && q < 1.0);
    size_t rank = (size_t)ceil(q * (double)count * (1.0 - TIMESERIES_RANK_TOLERANCE));
    return rank < 1 ? 1 : rank > count ? count : rank;
}

/* Rearranges values[0..count) so that values[k] is what it would be sorted, everything before
 * it <= it and everything after >= it (quickselect: Hoare partition around the median of the
 * first, middle and last values; deterministic). O(count) on average against qsort's
 * O(count log count): the time series' percentiles were 8% of a latency-transport run. */
static void timeseries_select(int64_t *values, size_t count, size_t k) {
    assert(values != NULL && k < count);
    size_t low = 0, high = count - 1;
    while (low < high) {
        int64_t a = values[low], b = values[low + (high - low) / 2], c = values[high];
        int64_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = low, j = high;
        while (i <= j) {
            while (values[i] < pivot) i++;
            while (values[j] > pivot) j--;
            if (i <= j) {
                int64_t swap = values[i];
                values[i] = values[j];
                values[j] = swap;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        /* now values[low..j] <= pivot <= values[i..high], and j < i */
        if (k <= j) {
            high = j;
        } else if (k >= i) {
            low = i;
        } else {
            return; /* between: values[k] == pivot, in place */
        }
    }
}

/* p50 and p99 (ms, nearest rank) of values[0..count), which it reorders. */
static void timeseries_p50_p99(int64_t *values, size_t count, double *p50, double *p99) {
    if (count == 0) {
        *p50 = *p99 = NAN;
        return;
    }
    size_t rank99 = timeseries_rank(count, 0.99), rank50 = timeseries_rank(count, 0.5);
    assert(rank50 <= rank99);
    timeseries_select(values, count, rank99 - 1);
    *p99 = (double)values[rank99 - 1] / TIMESERIES_US_PER_MS;
    timeseries_select(values, rank99, rank50 - 1); /* the smaller ones are all before it */
    *p50 = (double)values[rank50 - 1] / TIMESERIES_US_PER_MS;
}

/* Fills the p50/p99 columns of `source` for every row. */
/* Stores row r's p50 and p99 of `source`. */
static void timeseries_set(rs__timeseries *series, timeseries_source source, size_t r,
                           double p50, double p99) {
    assert(r < series->row_count);
    if (source == TIMESERIES_WRITE) {
        series->rows[r].write_latency_ms_p50 = p50;
        series->rows[r].write_latency_ms_p99 = p99;
    } else {
        series->rows[r].replication_latency_ms_p50 = p50;
        series->rows[r].replication_latency_ms_p99 = p99;
    }
}

/* Samples in time order (the appends): each second's samples are contiguous, so they are
 * taken one second at a time into a buffer of the busiest second's count — not 8 bytes per
 * append for the whole run. Rows without samples were set to NaN by the caller. */
static int timeseries_percentiles_streamed(const rs_history *history, rs__timeseries *series,
                                           timeseries_source source, size_t records,
                                           size_t busiest) {
    int64_t *values = malloc((busiest + 1) * sizeof *values);
    if (values == NULL) {
        return -1;
    }
    size_t used = 0;
    int64_t current = -1, row = 0, value_us = 0;
    for (size_t index = 0; index <= records; index++) {
        bool sample = index < records &&
                      timeseries_sample(history, series, source, index, &row, &value_us);
        if (index < records && !sample) {
            continue;
        }
        if (index == records || row != current) { /* the current second is complete */
            if (used > 0) {
                double p50, p99;
                timeseries_p50_p99(values, used, &p50, &p99);
                timeseries_set(series, source, (size_t)current, p50, p99);
            }
            used = 0;
            current = row;
        }
        if (sample) {
            assert(used < busiest + 1);
            values[used++] = value_us;
        }
    }
    free(values);
    return 0;
}

/* Fills the p50/p99 columns of `source` for every row: samples grouped by second (a counting
 * sort into one array), or streamed one second at a time when they come in time order. */
static int timeseries_percentiles(const rs_history *history, rs__timeseries *series,
                                  timeseries_source source) {
    size_t records = source == TIMESERIES_WRITE ? history->request_count : history->append_count;
    size_t *start = calloc(series->row_count + 1, sizeof *start);
    if (start == NULL) {
        return -1;
    }
    int64_t row = 0, value_us = 0, previous = -1;
    bool in_order = true;
    for (size_t index = 0; index < records; index++) {
        if (timeseries_sample(history, series, source, index, &row, &value_us)) {
            start[row + 1]++;
            in_order = in_order && row >= previous;
            previous = row;
        }
    }
    size_t busiest = 0;
    for (size_t r = 0; r < series->row_count; r++) {
        busiest = start[r + 1] > busiest ? start[r + 1] : busiest;
        timeseries_set(series, source, r, NAN, NAN);
    }
    if (in_order) {
        free(start);
        return timeseries_percentiles_streamed(history, series, source, records, busiest);
    }
    int64_t *values = malloc((records + 1) * sizeof *values);
    if (values == NULL) {
        free(start);
        return -1;
    }
    for (size_t r = 0; r < series->row_count; r++) {
        start[r + 1] += start[r];
    }
    size_t *fill = start; /* start[r] advances while filling, ends at start[r + 1] */
    for (size_t index = 0; index < records; index++) {
        if (timeseries_sample(history, series, source, index, &row, &value_us)) {
            values[fill[row]++] = value_us;
        }
    }
    size_t begin = 0;
    for (size_t r = 0; r < series->row_count; r++) {
        size_t end = fill[r]; /* now the end of row r's slice */
        double p50, p99;
        timeseries_p50_p99(values + begin, end - begin, &p50, &p99);
        timeseries_set(series, source, r, p50, p99);
        begin = end;
    }
    free(start);
    free(values);
    return 0;
}

static void timeseries_counts(const rs_history *history, rs__timeseries *series) {
    assert(history != NULL && series != NULL);
    for (size_t index = 0; index < history->request_count; index++) {
        const rs_history_request *request = &history->requests[index];
        int64_t invoked = timeseries_row_of(series, request->invoke_us);
        int64_t acked = timeseries_row_of(series, request->client_ack_us);
        if (invoked >= 0) {
            series->rows[invoked].requests_invoked++;
        }
        if (acked >= 0 && request->status == RS_OK) {
            series->rows[acked].acked_ok++;
            series->rows[acked].acked_ok_events += request->event_count;
        } else if (acked >= 0) {
            series->rows[acked].acked_failed++;
        }
    }
    for (size_t index = 0; index < history->append_count; index++) {
        int64_t row = timeseries_row_of(series, history->appends[index].time_us);
        if (row >= 0 && !history->appends[index].duplicate) {
            series->rows[row].appends++;
        }
    }
}

/* Rows: seconds 0 .. ceil(end_s), or up to the latest recorded time if a record is later;
 * at most RS__TIMESERIES_ROWS_MAX. */
static size_t timeseries_row_count(const rs_history *history) {
    int64_t latest_us = history->end_us > 0 ? history->end_us : 0;
    for (size_t index = 0; index < history->request_count; index++) {
        const rs_history_request *request = &history->requests[index];
        latest_us = request->invoke_us > latest_us ? request->invoke_us : latest_us;
        latest_us = request->client_ack_us > latest_us ? request->client_ack_us : latest_us;
    }
    if (history->append_count > 0) {
        int64_t last_append_us = history->appends[history->append_count - 1].time_us;
        latest_us = last_append_us > latest_us ? last_append_us : latest_us;
    }
    int64_t last_row = (latest_us + TIMESERIES_US_PER_S - 1) / TIMESERIES_US_PER_S;
    if (last_row >= (int64_t)RS__TIMESERIES_ROWS_MAX) {
        return RS__TIMESERIES_ROWS_MAX;
    }
    return (size_t)last_row + 1;
}

int rs__timeseries_compute(const rs_history *history, rs__timeseries *out) {
    assert(history != NULL && out != NULL);
    out->row_count = timeseries_row_count(history);
    assert(out->row_count >= 1 && out->row_count <= RS__TIMESERIES_ROWS_MAX);
    out->rows = calloc(out->row_count, sizeof *out->rows);
    if (out->rows == NULL) {
        out->row_count = 0;
        return -1;
    }
    timeseries_counts(history, out);
    if (timeseries_percentiles(history, out, TIMESERIES_WRITE) != 0 ||
        timeseries_percentiles(history, out, TIMESERIES_REPLICATION) != 0) {
        return -1;
    }
    return 0;
}

void rs__timeseries_free(rs__timeseries *timeseries) {
    assert(timeseries != NULL);
    free(timeseries->rows);
    timeseries->rows = NULL;
    timeseries->row_count = 0;
}

/* A percentile field: fixed 3 decimals, empty when the second has no sample. */
static void timeseries_field_ms(rs__text *out, double value_ms) {
    if (isnan(value_ms)) {
        rs__text_puts(out, ",");
    } else {
        rs__text_printf(out, ",%.3f", value_ms);
    }
}

/* The gauges among the named metrics, sorted by name; returns how many. */
static uint32_t timeseries_gauges(const rs_metrics *metrics, uint32_t gauges[RS_NAMED_METRICS_MAX]) {
    if (metrics == NULL) {
        return 0;
    }
    uint32_t order[RS_NAMED_METRICS_MAX];
    uint32_t count = rs_metrics_named_sorted(metrics, order), gauge_count = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (metrics->named[order[i]].kind == RS_NAMED_GAUGE) {
            gauges[gauge_count++] = order[i];
        }
    }
    return gauge_count;
}

void rs__timeseries_csv(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    const rs__timeseries *series = &report->timeseries;
    uint32_t gauges[RS_NAMED_METRICS_MAX];
    uint32_t gauge_count = timeseries_gauges(report->metrics, gauges);
    rs__text_printf(out, "# replsim timeseries; scenario=%s; seed=%" PRIu64 "\n",
                    report->hash_hex, report->facts->seed);
    rs__text_puts(out, "time_s,requests_invoked,acked_ok,acked_failed,appends,"
                       "write_latency_ms_p50,write_latency_ms_p99,"
                       "replication_latency_ms_p50,replication_latency_ms_p99,faults_active");
    /* consistency_pct: only in runs with faults (reports/fault_report.c); empty when unknown */
    double *consistency = report->scenario->fault_count > 0
                              ? rs__faults_consistency(report, series->row_count) : NULL;
    if (report->scenario->fault_count > 0) {
        out->failed |= consistency == NULL;
        rs__text_puts(out, ",consistency_pct");
    }
    for (uint32_t g = 0; g < gauge_count; g++) {
        rs__text_printf(out, ",%s_max", report->metrics->named[gauges[g]].name);
    }
    rs__text_puts(out, "\n");
    for (size_t r = 0; r < series->row_count; r++) {
        const rs__timeseries_row *row = &series->rows[r];
        rs__text_printf(out, "%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, r,
                        row->requests_invoked, row->acked_ok, row->acked_failed, row->appends);
        timeseries_field_ms(out, row->write_latency_ms_p50);
        timeseries_field_ms(out, row->write_latency_ms_p99);
        timeseries_field_ms(out, row->replication_latency_ms_p50);
        timeseries_field_ms(out, row->replication_latency_ms_p99);
        rs__text_printf(out, ",%u", rs__faults_active(report->scenario, r));
        if (consistency != NULL) {
            if (isnan(consistency[r])) {
                rs__text_puts(out, ",");
            } else {
                rs__text_printf(out, ",%.3f", consistency[r]);
            }
        }
        for (uint32_t g = 0; g < gauge_count; g++) {
            const rs_named_metric *gauge = &report->metrics->named[gauges[g]];
            bool known = r < gauge->gauge_seconds && gauge->gauge_second_max[r] >= 0;
            if (known) {
                rs__text_printf(out, ",%" PRId64, gauge->gauge_second_max[r]);
            } else {
                rs__text_puts(out, ",");
            }
        }
        rs__text_puts(out, "\n");
    }
    free(consistency);
}
