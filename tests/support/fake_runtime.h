/* fake_runtime.h — a runtime binding for unit tests: no network, no SimGrid. It records every
 * call a strategy makes (store appends, acks, timers, metrics) with the fake clock's time, and
 * lets a test move the clock and deliver replies one by one, so a strategy's state machine is
 * driven event by event with exact expected outcomes. Capacities are fixed; overflow aborts. */
#ifndef RS_FAKE_RUNTIME_H
#define RS_FAKE_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/runtime.h"
#include "strategies/strategy.h"

#define RS_FAKE_CAPACITY 4096

typedef struct rs_fake_append {
    uint32_t store;          /* target store */
    uint64_t tag;            /* to hand back with the reply */
    int64_t at_us;           /* fake time of the call */
    int64_t timeout_us;      /* as requested */
    rs_event_id first_event; /* first event id of the stream */
    uint32_t event_count;    /* events in the stream */
    uint32_t size_bytes;     /* size_bytes of the stream's first event */
    rs_event_id last_event;  /* last event id of the stream */
} rs_fake_append;

typedef struct rs_fake_query {
    bool read;               /* store_read (true) or store_digest (false) */
    uint32_t store;          /* store asked */
    rs_stream_id stream;     /* read: the stream; digest: the first stream asked */
    uint32_t from_version;   /* read only */
    uint64_t tag;            /* to hand back with the reply */
    int64_t at_us;           /* fake time of the call */
    int64_t timeout_us;      /* as requested */
} rs_fake_query;

typedef struct rs_fake_ack {
    uint64_t client_request; /* as given to on_client_append */
    rs_status status;        /* outcome */
    int64_t at_us;           /* fake time of the ack */
} rs_fake_ack;

typedef struct rs_fake_read_ack {
    uint64_t read_request;   /* as given to on_client_read */
    rs_status status;        /* outcome */
    uint32_t version;        /* the version answered */
    int64_t at_us;           /* fake time of the answer */
} rs_fake_read_ack;

typedef struct rs_fake_conflict {
    rs_event winner;         /* as reported */
    rs_event loser;
    char resolution[16];     /* "lww", ... */
} rs_fake_conflict;

typedef struct rs_fake_timer {
    rs_timer_id id;          /* 1-based */
    int64_t due_us;          /* fire time */
    uint64_t tag;            /* strategy's tag */
    bool armed;              /* not fired, not cancelled */
} rs_fake_timer;

typedef struct rs_fake_metric {
    char name[48];            /* as given */
    int64_t counter;          /* sum of metric_count deltas */
    uint64_t observations;    /* metric_observe calls */
    int64_t last_observation; /* value of the last one */
    int64_t observation_sum;  /* sum of observed values */
    int64_t gauge;            /* last metric_gauge level */
    int64_t gauge_max;        /* highest level */
} rs_fake_metric;

typedef struct rs_fake_runtime {
    int64_t now_us;                               /* the fake clock */
    uint64_t random_state;                        /* splitmix64 state for random_u64 */
    rs_fake_append appends[RS_FAKE_CAPACITY];
    uint32_t append_count;
    rs_fake_query queries[RS_FAKE_CAPACITY];      /* store_digest and store_read calls */
    uint32_t query_count;
    rs_fake_read_ack read_acks[RS_FAKE_CAPACITY]; /* ack_read calls */
    uint32_t read_ack_count;
    rs_event peer_events[RS_FAKE_CAPACITY];       /* events sent with send_peers, in order */
    uint32_t peer_event_count;
    rs_fake_conflict conflicts[RS_FAKE_CAPACITY]; /* report_conflict calls */
    uint32_t conflict_count;
    uint32_t abandoned_count;                     /* events report_abandoned named */
    uint32_t compensation_count;                  /* new_compensation calls: event ids
                                                     1000000 + 1, + 2, ... */
    rs_fake_ack acks[RS_FAKE_CAPACITY];
    uint32_t ack_count;
    rs_fake_timer timers[RS_FAKE_CAPACITY];
    uint32_t timer_count;
    uint64_t results[64][RS_STATUS_COUNT];        /* metric_result by store (< 64) and status */
    int64_t last_latency_us[64];                  /* last metric_latency by store */
    bool unhealthy[64];                           /* store_healthy answers !unhealthy[store] */
    rs_fake_metric metrics[64];                   /* named metrics, in first-use order */
    uint32_t metric_count;
    char call_order[2 * RS_FAKE_CAPACITY + 1];    /* 'S' per store_append, 'A' per ack_client,
                                                     in call order; NUL-terminated */
    uint32_t call_order_length;
} rs_fake_runtime;

/* The named metric `name` the strategy reported, or a zeroed one when it never did. */
rs_fake_metric rs_fake_metric_get(const rs_fake_runtime *fake, const char *name);

/* Zeroes `fake` (heap-allocate it: it is large) and returns the port bound to it. */
rs_runtime rs_fake_runtime_init(rs_fake_runtime *fake);

/* Fires, in due order, every armed timer due at or before `until_us`, advancing the clock to
 * each one, then sets the clock to until_us. */
void rs_fake_advance(rs_fake_runtime *fake, const rs_strategy_ops *ops, void *state,
                     int64_t until_us);

/* Moves the clock to `at_us` (firing due timers first) and delivers the reply to append
 * number `append_index`. */
void rs_fake_reply(rs_fake_runtime *fake, const rs_strategy_ops *ops, void *state,
                   uint32_t append_index, int64_t at_us, rs_status status);

/* A config over stores 0..target_count-1, all in region 0; params from the component defaults
 * unless `params` is given. The returned pointer is to static storage (one at a time). */
const rs_strategy_config *rs_fake_config(const rs_component *component, const double *params,
                                         uint32_t target_count, uint32_t write_quorum);

/* A copy of `base` (e.g. from rs_fake_config) that also carries what the conditional strategy
 * reads: event types, region names and rules (borrowed: they must outlive the instance). The
 * returned pointer is to static storage of its own (one at a time). */
const rs_strategy_config *rs_fake_config_with_rules(const rs_strategy_config *base,
                                                    const rs_event_type *types,
                                                    uint32_t type_count,
                                                    const char (*region_names)[RS_NAME_MAX],
                                                    uint32_t region_count,
                                                    const rs_rule_set *rules);

#endif
