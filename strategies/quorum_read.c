/* quorum_read.c — quorum reads: a client's read of a stream goes to every target store at
 * once (store_read of the stream's latest event, with the timeout below); the read is
 * answered as soon as R stores replied, with the highest version among those R replies, and
 * fails with quorum_not_reached as soon as R replies can no longer come (errors and timeouts).
 * Late replies after the answer are dropped. Whether the answer was up to date is not this
 * code's business: the report judges it against the history (read-after-write probes,
 * k-staleness). The ack rule is the same as for writes (ack.h). Pending reads live in a slab
 * indexed by the tag; O(1) per reply. */
#include "strategies/quorum_read.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>

#include "strategies/ack.h"
#include "strategies/slab.h"

#define QUORUM_READ_TIMEOUT_US 500000 /* per store read: as star's default append timeout */

typedef struct read_pending {
    uint64_t read_request;     /* handle to answer the client with */
    uint32_t outstanding;      /* store replies still expected */
    uint32_t best_version;     /* highest version among the ok replies so far */
    uint32_t next_free;        /* free-list link when unused */
    rs_ack_tracker tracker;    /* R of the targets */
} read_pending;

typedef struct reader_state {
    const rs_strategy_config *config;  /* targets; write_quorum = R */
    rs_runtime runtime;                /* the port */
    rs_slab pending;                   /* reads in flight (read_pending; slab.h) */
} reader_state;

static void *reader_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    reader_state *reader = calloc(1, sizeof *reader);
    if (reader != NULL) {
        rs_slab_init(&reader->pending, sizeof(read_pending), offsetof(read_pending, next_free));
        reader->config = config;
        reader->runtime = runtime;
    }
    return reader;
}

static void reader_destroy(void *state) {
    reader_state *reader = state;
    assert(reader != NULL);
    rs_slab_free(&reader->pending);
    free(reader);
}

static void reader_on_client_read(void *state, uint64_t read_request, rs_stream_id stream) {
    reader_state *reader = state;
    assert(reader != NULL);
    const rs_runtime_ops *ops = reader->runtime.ops;
    int64_t index = rs_slab_take(&reader->pending);
    if (index < 0) {
        ops->ack_read(reader->runtime.context, read_request, RS_ERR_REJECTED, 0);
        return;
    }
    read_pending *pending = rs_slab_at(&reader->pending, (uint32_t)index);
    *pending = (read_pending){.read_request = read_request,
                              .outstanding = reader->config->target_count};
    rs_ack_tracker_init(&pending->tracker, reader->config->write_quorum,
                        reader->config->target_count);
    for (uint32_t i = 0; i < reader->config->target_count; i++) {
        ops->store_read(reader->runtime.context, reader->config->targets[i], stream,
                        RS_READ_LATEST, QUORUM_READ_TIMEOUT_US, (uint64_t)index);
    }
}

static void reader_on_store_read(void *state, uint64_t tag, uint32_t store, rs_status status,
                                 const rs_event_stream *events) {
    reader_state *reader = state;
    assert(reader != NULL && tag < reader->pending.used);
    (void)store;
    read_pending *pending = rs_slab_at(&reader->pending, (uint32_t)tag);
    assert(pending->outstanding > 0);
    void *context = reader->runtime.context;
    if (status == RS_OK && !pending->tracker.decided) {
        for (uint32_t i = 0; i < events->count; i++) {
            uint32_t version = events->events[i].version;
            pending->best_version = version > pending->best_version ? version
                                                                    : pending->best_version;
        }
    }
    switch (rs_ack_tracker_record(&pending->tracker, status == RS_OK)) {
    case RS_ACK_SUCCEEDED:
        reader->runtime.ops->ack_read(context, pending->read_request, RS_OK,
                                      pending->best_version);
        break;
    case RS_ACK_FAILED:
        reader->runtime.ops->ack_read(context, pending->read_request, RS_ERR_QUORUM, 0);
        break;
    case RS_ACK_PENDING: break;
    }
    if (--pending->outstanding == 0) {
        rs_slab_release(&reader->pending, (uint32_t)tag);
    }
}

static void reader_on_client_append(void *state, uint64_t request, const rs_event_stream *s) {
    (void)state;
    (void)request;
    (void)s;
    assert(0 && "the read coordinator receives no append");
}

static void reader_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    (void)state;
    (void)tag;
    (void)store;
    (void)status;
    assert(0 && "the read coordinator makes no append");
}

static void reader_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    (void)state;
    (void)timer;
    (void)tag;
    assert(0 && "the read coordinator arms no timer");
}

const rs_strategy_ops rs_quorum_read_ops = {
    reader_create, reader_destroy, reader_on_client_append, reader_on_store_reply,
    reader_on_timer, NULL, reader_on_store_read, reader_on_client_read, NULL,
};
