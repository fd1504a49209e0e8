/* trace.h — the trace recorder behind `--trace`: streams trace.jsonl, one JSON object per line,
 * while the simulation runs — every client invocation and acknowledgement (writes and reads),
 * every message sent, delivered or dropped (with the reason), every store append, every fault
 * window's start and end, every crash and restart — in simulated-time order, ties in the
 * order the simulation ran them (the `seq` field). The schema is docs/trace.md.
 *
 * The model calls the rs_trace_* hooks below, one line at each seam (model/world.c,
 * node_client.c, node_store.c, world_faults.c). Each is an inline NULL test in front of the
 * out-of-line writer: with --trace off the world's recorder is NULL and a hook costs one
 * predictable branch, nothing else. Records are formatted into a stdio buffer of
 * RS_TRACE_BUFFER_BYTES and written as it fills, so memory stays flat however long the run.
 * Deterministic: no clocks, no pointers, nothing unordered reaches the file. */
#ifndef RS_TRACE_H
#define RS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/scenario.h"

#define RS_TRACE_BUFFER_BYTES ((size_t)1 << 20) /* stdio buffer: one write(2) per MiB */

typedef struct rs_trace rs_trace;
struct rs_message;
struct rs_event;
struct rs_world;

/* Opens a recorder writing to `path` (created or truncated; the caller chooses a staging name,
 * reports/report.h) for a run of `scenario` (borrowed; it must outlive the recorder). Returns
 * it, or NULL with a message in `error` when the file cannot be created or memory is out. */
rs_trace *rs_trace_open(const char *path, const rs_scenario *scenario, char *error,
                        size_t error_size);

/* Attaches the recorder to the running world, or detaches it (world NULL) before the world
 * is freed; rs_world_run does both. The drop reasons read node states and fault groups there.
 * A NULL trace is a no-op. */
void rs__trace_attach(rs_trace *trace, const struct rs_world *world);

/* Writes the fault boundaries left up to `end_us` (the simulation's end), flushes and fsyncs
 * the file, closes it and frees the recorder. 0, or -1 with a message when any write failed
 * (the file is then incomplete: the caller removes it). NULL is a no-op returning 0. */
int rs_trace_close(rs_trace *trace, int64_t end_us, char *error, size_t error_size);

/* --- the writers (trace.c); call them through the hooks below ------------------------------ */
void rs__trace_invoke(rs_trace *trace, uint64_t request, uint32_t client_node,
                      uint32_t manager_node, const struct rs_event *event);
void rs__trace_ack(rs_trace *trace, uint64_t request, uint32_t client_node, int status);
void rs__trace_read(rs_trace *trace, uint64_t read, uint32_t client_node, uint32_t manager_node,
                    uint64_t stream, int32_t probe);
void rs__trace_read_ack(rs_trace *trace, uint64_t read, uint32_t client_node, int status,
                        uint32_t version);
void rs__trace_message(rs_trace *trace, const char *what, struct rs_message *message);
void rs__trace_drop(rs_trace *trace, const struct rs_message *message, bool at_send);
void rs__trace_append(rs_trace *trace, uint32_t store, const struct rs_event *event,
                      bool duplicate);
void rs__trace_node(rs_trace *trace, const char *what, uint32_t node, uint64_t events_lost);

/* --- hooks: one line at each seam; free when the recorder is NULL -------------------------- */

/* A client sent request `request` (history index) carrying `event` to `manager_node`. */
static inline void rs_trace_invoke(rs_trace *trace, uint64_t request, uint32_t client_node,
                                   uint32_t manager_node, const struct rs_event *event) {
    if (trace != NULL) {
        rs__trace_invoke(trace, request, client_node, manager_node, event);
    }
}
/* The client received the answer to `request` (its first answer: the one the history keeps). */
static inline void rs_trace_ack(rs_trace *trace, uint64_t request, uint32_t client_node,
                                int status) {
    if (trace != NULL) {
        rs__trace_ack(trace, request, client_node, status);
    }
}
/* A client sent read `read` (history index) of `stream` to `manager_node`; `probe` is the
 * read-after-write probe's delay index, -1 for a random read. */
static inline void rs_trace_read(rs_trace *trace, uint64_t read, uint32_t client_node,
                                 uint32_t manager_node, uint64_t stream, int32_t probe) {
    if (trace != NULL) {
        rs__trace_read(trace, read, client_node, manager_node, stream, probe);
    }
}
/* The client received the answer to read `read` (its first): status and version returned. */
static inline void rs_trace_read_ack(rs_trace *trace, uint64_t read, uint32_t client_node,
                                     int status, uint32_t version) {
    if (trace != NULL) {
        rs__trace_read_ack(trace, read, client_node, status, version);
    }
}
/* A message was sent (numbers it: its `msg` id in later records). */
static inline void rs_trace_send(rs_trace *trace, struct rs_message *message) {
    if (trace != NULL) {
        rs__trace_message(trace, "send", message);
    }
}
/* A duplicate fault copied `copy` (NULL: it did not): the copy keeps its original's msg id and
 * is delivered or dropped on its own. */
static inline void rs_trace_duplicate(rs_trace *trace, struct rs_message *copy) {
    if (trace != NULL && copy != NULL) {
        rs__trace_message(trace, "duplicate", copy);
    }
}
/* A message reached its receiver (queued for it, or handled at once by the latency courier). */
static inline void rs_trace_deliver(rs_trace *trace, struct rs_message *message) {
    if (trace != NULL) {
        rs__trace_message(trace, "deliver", message);
    }
}
/* A message was lost to a fault, at send or at delivery; the reason is worked out from the
 * fault state now (receiver down: crash; an active partition between them: partition; else,
 * at send, a lossy link's draw: loss). Call it right after rs_faults_drop said so. */
static inline void rs_trace_drop(rs_trace *trace, const struct rs_message *message,
                                 bool at_send) {
    if (trace != NULL) {
        rs__trace_drop(trace, message, at_send);
    }
}
/* Store `store` (global index) applied `event`; `duplicate` when it already held it. */
static inline void rs_trace_append(rs_trace *trace, uint32_t store, const struct rs_event *event,
                                   bool duplicate) {
    if (trace != NULL) {
        rs__trace_append(trace, store, event, duplicate);
    }
}
/* Node `node` crashed (losing `events_lost` log entries) or restarted. */
static inline void rs_trace_crash(rs_trace *trace, uint32_t node, uint64_t events_lost) {
    if (trace != NULL) {
        rs__trace_node(trace, "crash", node, events_lost);
    }
}
static inline void rs_trace_restart(rs_trace *trace, uint32_t node) {
    if (trace != NULL) {
        rs__trace_node(trace, "restart", node, 0);
    }
}

#endif
