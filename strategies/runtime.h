/* runtime.h — the port: everything a strategy may ask of the world, and nothing else.
 *
 * Strategies are event-driven state machines. The node that hosts a strategy calls into it
 * (strategy.h) for each thing that happens; the strategy calls out only through the table of
 * function pointers below, with an opaque context (as SQLite's VFS or Redis's ae backends).
 * Bindings: tests/support/fake_runtime.c (unit tests, event by event) and model/node_manager.c
 * (SimGrid-simulated network and clock). No SimGrid type appears here, and nothing under
 * strategies/ may include anything but strategies/ headers and the C library (checked at build
 * time by scripts/check-strategies-headers.sh).
 *
 * Times are int64 microseconds of the node's local clock. Every store request gets exactly one
 * reply: ok, an error, or RS_ERR_TIMEOUT once its timeout has passed — the runtime guarantees
 * it, so a strategy needs no timer of its own to bound a request. */
#ifndef RS_RUNTIME_H
#define RS_RUNTIME_H

#include <stdint.h>

#include "strategies/types.h"

typedef enum rs_log_level { RS_LOG_DEBUG, RS_LOG_INFO, RS_LOG_WARNING, RS_LOG_ERROR } rs_log_level;

typedef struct rs_runtime_ops {
    /* Node-local clock, microseconds. Monotonic within a run (clock faults may skew it). */
    int64_t (*now_us)(void *context);
    /* Next draw of this node's strategy PRNG stream (seeded, independent of other streams). */
    uint64_t (*random_u64)(void *context);
    /* Appends a copy of `stream` to store `store` (global store index). The reply comes back
     * through on_store_reply with `tag` unchanged, at the latest `timeout_us` from now. The
     * runtime copies the events; the caller keeps ownership of `stream`. */
    void (*store_append)(void *context, uint32_t store, const rs_event_stream *stream,
                         int64_t timeout_us, uint64_t tag);
    /* Arms a one-shot timer `delay_us` from now; on_timer gets `tag` back. Returns its id. */
    rs_timer_id (*timer_set)(void *context, int64_t delay_us, uint64_t tag);
    /* Cancels a timer that has not fired; cancelling a fired or unknown id is a no-op. */
    void (*timer_cancel)(void *context, rs_timer_id timer);
    /* Answers client request `client_request` (given by on_client_append) once. */
    void (*ack_client)(void *context, uint64_t client_request, rs_status status);
    /* Is `store` healthy according to this manager's health checks? (true when none run) */
    int (*store_healthy)(void *context, uint32_t store);
    /* Metrics, as the chapter's ReplicationMetrics: a latency the strategy observed for one
     * store (request to reply), and one success or failure for that store. */
    void (*metric_latency)(void *context, uint32_t store, int64_t latency_us);
    void (*metric_result)(void *context, uint32_t store, rs_status status);
    /* Named metrics the strategy defines (name: static string, [a-z0-9_]+, unit last, at most
     * 64 names per run; one name, one kind): a counter delta (events per rule, drops), one
     * observation (queue_wait_us, batch_fill_permille), and a gauge level (queue_depth; the
     * report keeps its maximum per second). */
    void (*metric_count)(void *context, const char *name, int64_t delta);
    void (*metric_observe)(void *context, const char *name, int64_t value);
    void (*metric_gauge)(void *context, const char *name, int64_t level);
    /* A log line (no newline). The runtime prefixes time and node. */
    void (*log)(void *context, rs_log_level level, const char *message);
} rs_runtime_ops;

typedef struct rs_runtime {
    const rs_runtime_ops *ops;   /* the binding's table; never NULL */
    void *context;               /* the binding's private state for this node */
} rs_runtime;

#endif
