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

/* What a store says of one of its streams (store_digest): how many events it holds and an
 * order-independent digest of their ids (equal sets, equal digests). */
typedef struct rs_stream_digest {
    rs_stream_id stream;     /* the stream */
    uint64_t digest;         /* sum of a 64-bit mix of each held event id (mod 2^64) */
    uint32_t count;          /* events of the stream the store holds */
} rs_stream_digest;

/* Entries one store_digest reply carries at most (a page; ask again from the next stream). */
#define RS_DIGESTS_PER_REPLY 1024

/* store_read's from_version meaning "only the stream's latest event the store holds". */
#define RS_READ_LATEST UINT32_MAX

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
    /* Reads for consistency checkers (the chapter's ConsistencyChecker). Each gets exactly one
     * reply, like store_append, with `tag` unchanged. store_digest: the digests of the
     * streams `store` holds with id >= from_stream, in stream order, at most
     * RS_DIGESTS_PER_REPLY (fewer: that was the last page), through on_store_digest.
     * store_read: the events of `stream` held by `store` with version >= from_version, in
     * version order, at most RS_EVENTS_PER_APPEND_MAX, through on_store_read. Stores answer
     * from memory, without the append service time. */
    void (*store_digest)(void *context, uint32_t store, rs_stream_id from_stream,
                         int64_t timeout_us, uint64_t tag);
    void (*store_read)(void *context, uint32_t store, rs_stream_id stream, uint32_t from_version,
                       int64_t timeout_us, uint64_t tag);
    /* Answers client read `read_request` (given by on_client_read) once: ok with the highest
     * version of the stream the read found (0: none), or a failure status. */
    void (*ack_read)(void *context, uint64_t read_request, rs_status status, uint32_t version);
    /* Bidirectional sync (multi-primary): sends a copy of `events` to every other manager of
     * the topology, which gets them through on_peer_events. Fire and forget: a partition or a
     * down peer loses them, as on the network. */
    void (*send_peers)(void *context, const rs_event_stream *events);
    /* Reports one conflict this manager resolved: two distinct events at the same version of
     * a stream; `winner` keeps the version (lww, region priority) or goes first (keep both).
     * Recorded in the history as reported (the report lists it; the history's own appends say
     * independently which conflicts happened). */
    void (*report_conflict)(void *context, const rs_event *winner, const rs_event *loser,
                            const char *resolution);
    /* A compensating event that cancels `cancelled` (eventual consistency, revert): a new
     * event of the same stream, version and type, with compensates = cancelled->id, a new id
     * and checksum, created now, into *out. The caller appends it where it must go. Returns 0,
     * or -1 when the run's event budget is spent. */
    int (*new_compensation)(void *context, const rs_event *cancelled, rs_event *out);
    /* The strategy owns up that `events` will never be replicated to `store` by it (an
     * asynchronous job dropped or given up): recorded in the history, so the durability
     * invariant excuses exactly these copies and no other. */
    void (*report_abandoned)(void *context, uint32_t store, const rs_event_stream *events);
} rs_runtime_ops;

typedef struct rs_runtime {
    const rs_runtime_ops *ops;   /* the binding's table; never NULL */
    void *context;               /* the binding's private state for this node */
} rs_runtime;

#endif
