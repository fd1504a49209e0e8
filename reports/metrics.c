/* metrics.c — see metrics.h. One rs_store_metrics per store, indexed by global store index;
 * each latency histogram allocates its buckets (34 KiB) only once a strategy reports for that
 * store. Running out of memory for one aborts: the hooks return nothing, and silently losing
 * samples would misreport the code under test. */
#include "reports/metrics.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

int rs_metrics_init(rs_metrics *metrics, uint32_t store_count) {
    assert(metrics != NULL);
    assert(store_count <= RS_STORES_MAX);
    metrics->store_count = store_count;
    metrics->stores = NULL;
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
