/* metrics.c — see metrics.h. One rs_store_metrics per store, indexed by global store index;
 * each latency histogram allocates its buckets (34 KiB) only once a strategy reports for that
 * store. Running out of memory for one aborts: the hooks return nothing, and silently losing
 * samples would misreport the code under test. */
#include "reports/metrics.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rs_metrics_init(rs_metrics *metrics, uint32_t store_count) {
    assert(metrics != NULL);
    assert(store_count <= RS_STORES_MAX);
    metrics->store_count = store_count;
    metrics->stores = NULL;
    metrics->named_count = 0;
    if (store_count == 0) {
        return 0;
    }
    metrics->stores = calloc(store_count, sizeof *metrics->stores);
    if (metrics->stores == NULL) {
        metrics->store_count = 0;
        return -1;
    }
    for (uint32_t store = 0; store < store_count; store++) {
        rs_histogram_init(&metrics->stores[store].observed_latency_us);
    }
    return 0;
}

void rs_metrics_free(rs_metrics *metrics) {
    assert(metrics != NULL);
    assert(metrics->store_count == 0 || metrics->stores != NULL);
    for (uint32_t store = 0; store < metrics->store_count; store++) {
        rs_histogram_free(&metrics->stores[store].observed_latency_us);
    }
    for (uint32_t i = 0; i < metrics->named_count; i++) {
        rs_histogram_free(&metrics->named[i].observations);
        free(metrics->named[i].gauge_second_max);
    }
    metrics->named_count = 0;
    free(metrics->stores);
    metrics->stores = NULL;
    metrics->store_count = 0;
}

void rs_metrics_record_result(rs_metrics *metrics, uint32_t store, rs_status status) {
    assert(metrics != NULL);
    assert(store < metrics->store_count);
    assert((int)status >= 0 && status < RS_STATUS_COUNT);
    metrics->stores[store].results[status]++;
}

void rs_metrics_record_latency(rs_metrics *metrics, uint32_t store, int64_t latency_us) {
    assert(metrics != NULL);
    assert(store < metrics->store_count);
    if (rs_histogram_record(&metrics->stores[store].observed_latency_us, latency_us) != 0) {
        fprintf(stderr, "replsim: metrics: out of memory for store %u's latency histogram\n",
                store);
        abort();
    }
}

static bool metrics_valid_name(const char *name) {
    size_t length = strlen(name);
    if (length == 0 || length >= RS_NAMED_METRIC_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

/* The metric called `name`, created with `kind` on first use. O(names), names <= 64. */
static rs_named_metric *metrics_named(rs_metrics *metrics, const char *name, rs_named_kind kind) {
    assert(metrics != NULL && name != NULL);
    assert(metrics_valid_name(name));
    for (uint32_t i = 0; i < metrics->named_count; i++) {
        if (strcmp(metrics->named[i].name, name) == 0) {
            assert(metrics->named[i].kind == kind && "one name, one kind");
            return &metrics->named[i];
        }
    }
    if (metrics->named_count == RS_NAMED_METRICS_MAX) {
        fprintf(stderr, "replsim: metrics: more than %d named metrics; '%s' dropped\n",
                RS_NAMED_METRICS_MAX, name);
        abort();
    }
    rs_named_metric *metric = &metrics->named[metrics->named_count++];
    memset(metric, 0, sizeof *metric);
    memcpy(metric->name, name, strlen(name) + 1);
    metric->kind = kind;
    rs_histogram_init(&metric->observations);
    return metric;
}

void rs_metrics_count(rs_metrics *metrics, const char *name, int64_t delta) {
    metrics_named(metrics, name, RS_NAMED_COUNTER)->counter += delta;
}

void rs_metrics_observe(rs_metrics *metrics, const char *name, int64_t value) {
    rs_named_metric *metric = metrics_named(metrics, name, RS_NAMED_OBSERVATION);
    if (rs_histogram_record(&metric->observations, value) != 0) {
        fprintf(stderr, "replsim: metrics: out of memory for '%s'\n", name);
        abort();
    }
}

void rs_metrics_gauge(rs_metrics *metrics, const char *name, int64_t time_us, int64_t level) {
    assert(time_us >= 0);
    rs_named_metric *metric = metrics_named(metrics, name, RS_NAMED_GAUGE);
    size_t second = (size_t)(time_us / 1000000);
    if (second >= metric->gauge_seconds) {
        size_t seconds = second + 1 > 2 * metric->gauge_seconds ? second + 1 : 2 * metric->gauge_seconds;
        int64_t *grown = realloc(metric->gauge_second_max, seconds * sizeof *grown);
        if (grown == NULL) {
            fprintf(stderr, "replsim: metrics: out of memory for '%s'\n", name);
            abort();
        }
        for (size_t i = metric->gauge_seconds; i < seconds; i++) {
            grown[i] = -1;
        }
        metric->gauge_second_max = grown;
        metric->gauge_seconds = seconds;
    }
    if (level > metric->gauge_second_max[second]) {
        metric->gauge_second_max[second] = level;
    }
    if (level > metric->gauge_max) {
        metric->gauge_max = level;
    }
    metric->gauge_last = level;
}

uint32_t rs_metrics_named_sorted(const rs_metrics *metrics, uint32_t order[RS_NAMED_METRICS_MAX]) {
    assert(metrics != NULL && order != NULL);
    assert(metrics->named_count <= RS_NAMED_METRICS_MAX);
    uint32_t count = metrics->named_count;
    for (uint32_t i = 0; i < count; i++) { /* insertion sort: at most 64 names */
        uint32_t j = i;
        while (j > 0 && strcmp(metrics->named[order[j - 1]].name, metrics->named[i].name) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return count;
}
