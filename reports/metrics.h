/* metrics.h — what strategies report about themselves through the runtime's metric hooks (the
 * chapter's ReplicationMetrics): per store, a histogram of the latency the strategy observed
 * (request to reply) and success/failure counters labelled by status; and named metrics a
 * strategy defines for itself — counters (events per rule, drops), observations (queue wait,
 * batch fill) and gauges (queue depth, kept as a per-second maximum). These are the code
 * under test's own view; the report prints them beside the figures it computes from the
 * history, and checkers never rely on them. */
#ifndef RS_METRICS_H
#define RS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "reports/histogram.h"
#include "strategies/types.h"

typedef struct rs_store_metrics {
    uint64_t results[RS_STATUS_COUNT];  /* metric_result calls by status (RS_OK = success) */
    rs_histogram observed_latency_us;   /* metric_latency values */
} rs_store_metrics;

typedef enum rs_named_kind {
    RS_NAMED_COUNTER,                   /* a sum of deltas */
    RS_NAMED_OBSERVATION,               /* a histogram of int64 samples */
    RS_NAMED_GAUGE                      /* a level over time: per-second maximum */
} rs_named_kind;


typedef struct rs_named_metric {
    char name[RS_NAMED_METRIC_NAME_MAX];/* unit last in the name: queue_wait_us */
    rs_named_kind kind;                 /* fixed by the first use */
    int64_t counter;                    /* COUNTER: sum of deltas */
    rs_histogram observations;          /* OBSERVATION: samples */
    int64_t gauge_last;                 /* GAUGE: last level reported */
    int64_t gauge_max;                  /* GAUGE: highest level reported */
    int64_t *gauge_second_max;          /* GAUGE: max level per whole second, -1 = none */
    size_t gauge_seconds;               /* entries in gauge_second_max */
} rs_named_metric;

typedef struct rs_metrics {
    uint32_t store_count;               /* entries in stores */
    rs_store_metrics *stores;           /* by global store index */
    uint32_t named_count;               /* entries used in named, in first-use order */
    rs_named_metric named[RS_NAMED_METRICS_MAX];
} rs_metrics;

int rs_metrics_init(rs_metrics *metrics, uint32_t store_count);   /* 0 or -1 (memory) */
void rs_metrics_free(rs_metrics *metrics);
void rs_metrics_record_result(rs_metrics *metrics, uint32_t store, rs_status status);
void rs_metrics_record_latency(rs_metrics *metrics, uint32_t store, int64_t latency_us);

/* Named metrics. `name` must be [a-z0-9_]+ and shorter than RS_NAMED_METRIC_NAME_MAX; one
 * name keeps one kind (programmer errors, asserted). Values from several managers under one
 * name add up (counters, observations) or take the maximum (gauges). */
void rs_metrics_count(rs_metrics *metrics, const char *name, int64_t delta);
void rs_metrics_observe(rs_metrics *metrics, const char *name, int64_t value);
void rs_metrics_gauge(rs_metrics *metrics, const char *name, int64_t time_us, int64_t level);

/* The named metrics sorted by name (stable output order): fills `order` with indices into
 * metrics->named and returns how many. */
uint32_t rs_metrics_named_sorted(const rs_metrics *metrics, uint32_t order[RS_NAMED_METRICS_MAX]);

#endif
