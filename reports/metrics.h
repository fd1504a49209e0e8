/* metrics.h — what strategies report about themselves through the runtime's metric hooks (the
 * chapter's ReplicationMetrics): per store, a histogram of the latency the strategy observed
 * (request to reply) and success/failure counters labelled by status. These are the code
 * under test's own view; the report prints them beside the figures it computes from the
 * history, and checkers never rely on them. */
#ifndef RS_METRICS_H
#define RS_METRICS_H

#include <stdint.h>

#include "reports/histogram.h"
#include "strategies/types.h"

typedef struct rs_store_metrics {
    uint64_t results[RS_STATUS_COUNT];  /* metric_result calls by status (RS_OK = success) */
    rs_histogram observed_latency_us;   /* metric_latency values */
} rs_store_metrics;

typedef struct rs_metrics {
    uint32_t store_count;               /* entries in stores */
    rs_store_metrics *stores;           /* by global store index */
} rs_metrics;

int rs_metrics_init(rs_metrics *metrics, uint32_t store_count);   /* 0 or -1 (memory) */
void rs_metrics_free(rs_metrics *metrics);
void rs_metrics_record_result(rs_metrics *metrics, uint32_t store, rs_status status);
void rs_metrics_record_latency(rs_metrics *metrics, uint32_t store, int64_t latency_us);

#endif
