/* adaptive.h — adaptive replication (the chapter's AdaptiveReplicationStrategy with its
 * PerformanceMonitor and StrategySelector): a monitor of replication latency (sliding-window
 * p99), failure rate and queue depth drives a selector that switches client appends between a
 * `healthy` and a `degraded` sub-strategy, with hysteresis (enter and exit thresholds, a
 * minimum dwell time). Both sub-strategies run through the same rs_strategy_ops behind a
 * runtime of their own. See adaptive.c. */
#ifndef RS_ADAPTIVE_H
#define RS_ADAPTIVE_H

#include "strategies/strategy.h"

/* Positions in the parameter table (rs_strategy_config.params). */
enum {
    RS_ADAPTIVE_PARAM_HEALTHY = 0,               /* index into the sub-strategy choices */
    RS_ADAPTIVE_PARAM_DEGRADED,                  /* index into the sub-strategy choices */
    RS_ADAPTIVE_PARAM_TIMEOUT_MS,                /* handed to the sub-strategies' timeout_ms */
    RS_ADAPTIVE_PARAM_WINDOW_MS,                 /* sliding window of the monitor */
    RS_ADAPTIVE_PARAM_WINDOW_SAMPLES_MAX,        /* samples one window keeps at most */
    RS_ADAPTIVE_PARAM_MIN_SAMPLES,               /* samples a figure needs to count */
    RS_ADAPTIVE_PARAM_EVALUATE_INTERVAL_MS,      /* period of the selector's evaluation */
    RS_ADAPTIVE_PARAM_P99_ENTER_MS,              /* p99 >= this: go degraded */
    RS_ADAPTIVE_PARAM_P99_EXIT_MS,               /* p99 <= this (and the rest calm): go back */
    RS_ADAPTIVE_PARAM_FAILURE_ENTER_PERMILLE,    /* failure rate >= this: go degraded */
    RS_ADAPTIVE_PARAM_FAILURE_EXIT_PERMILLE,     /* failure rate <= this: may go back */
    RS_ADAPTIVE_PARAM_QUEUE_DEPTH_ENTER,         /* depth >= this: go degraded; 0 = unused */
    RS_ADAPTIVE_PARAM_QUEUE_DEPTH_EXIT,          /* depth <= this: may go back */
    RS_ADAPTIVE_PARAM_DWELL_MS,                  /* minimum time in a mode before leaving it */
    RS_ADAPTIVE_PARAM_FLAP_SWITCHES_PER_MIN_MAX, /* more switches in 60 s = a flap */
    RS_ADAPTIVE_PARAM_WORKERS,                   /* handed to a hosted async_queue */
    RS_ADAPTIVE_PARAM_COUNT
};

/* The sub-strategies adaptive may host (the choices of its healthy and degraded
 * parameters), in choice order. Those needing scenario data of their own (conditional's
 * rules, geographic's residency) are not among them. */
enum {
    RS_ADAPTIVE_SUB_STAR = 0,
    RS_ADAPTIVE_SUB_CASCADE,
    RS_ADAPTIVE_SUB_BATCH,
    RS_ADAPTIVE_SUB_ASYNC_QUEUE,
    RS_ADAPTIVE_SUB_COUNT
};

extern const rs_component rs_adaptive_component;

#endif
