/* batch.c — batch replication: client appends accumulate in one open batch; the batch is
 * flushed when it holds batch_size events (at once, on the append that fills it) or when its
 * oldest event is batch_timeout_ms old (a timer armed when the first event enters the empty
 * batch, cancelled by a size flush), whichever comes first. A flush sends ONE store append per
 * target carrying all of the batch's events, and the ack rule (ack.h) with the policy's write
 * quorum over the targets decides for the whole batch: every client request in it is answered
 * with the same status at the same moment. An append that does not fit in the open batch
 * flushes the batch first (counted as a size flush); an append of more than batch_size events
 * then goes out alone, so no store append ever carries more than RS_EVENTS_PER_APPEND_MAX
 * events (the most one client append may carry).
 *
 * Metrics: observation "batch_fill_permille" (events x 1000 / batch_size, per flush; above
 * 1000 only for an oversized append), observation "batch_wait_us" (per event: flush time minus
 * its arrival), counters "batch_flush_full" and "batch_flush_timeout" (their sum is the number
 * of flushes), and per confirmation metric_latency(store, now - flush time).
 *
 * Flushed batches waiting for replies live in a slab indexed by the store-request tag; each
 * slot owns an array of batch_size request handles, allocated once and reused. O(1) per reply
 * plus O(requests in the batch) for the one reply that decides. */
#include "strategies/batch.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/ack.h"

static const rs_param_spec batch_params[] = {
    [RS_BATCH_PARAM_BATCH_SIZE] = {"batch_size", RS_PARAM_INTEGER, 10, 1,
                                   RS_EVENTS_PER_APPEND_MAX, NULL,
                                   "events that make a batch full and flush it at once"},
    [RS_BATCH_PARAM_BATCH_TIMEOUT_MS] = {"batch_timeout_ms", RS_PARAM_NUMBER, 50, 0.001,
                                         RS_TIMEOUT_MS_MAX, NULL,
                                         "a batch is flushed when its oldest event is this old, "
                                         "ms"},
    [RS_BATCH_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001, RS_TIMEOUT_MS_MAX,
                                   NULL, "coordinator timeout for each store append, ms"},
};

_Static_assert(sizeof batch_params / sizeof batch_params[0] == RS_BATCH_PARAM_COUNT,
               "one spec per parameter");

/* The tag of the batch timer; store requests use slot indices, timers have their own space. */
#define BATCH_TIMER_TAG 1u

typedef struct batch_flush {
    uint64_t *client_requests; /* batch_size entries, owned, kept across reuse of the slot */
    uint32_t request_count;    /* requests this flush answers; 0 when the slot is free */
    int64_t flushed_us;        /* local time the batch was sent */
    uint32_t outstanding;      /* store replies still expected */
    uint32_t next_free;        /* free-list link (index + 1) when unused; 0 = end */
    rs_ack_tracker tracker;    /* the ack rule's state for the whole batch */
} batch_flush;

typedef struct batch_state {
    const rs_strategy_config *config;  /* targets, quorum; outlives the instance */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store request */
    int64_t batch_timeout_us;          /* age of the oldest event that forces a flush */
    uint32_t batch_size;               /* events that make the batch full */
    rs_event *events;                  /* RS_EVENTS_PER_APPEND_MAX: the open batch's events */
    int64_t *arrivals_us;              /* RS_EVENTS_PER_APPEND_MAX: arrival time of each */
    uint32_t event_count;              /* events in the open batch */
    uint64_t *requests;                /* batch_size: client requests in the open batch */
    uint32_t request_count;            /* requests in the open batch, <= event_count */
    rs_timer_id timer;                 /* the open batch's timeout timer; 0 = none armed */
    bool counters_announced;           /* the counters were reported (at 0) on the first append */
    batch_flush *slots;                /* slab of flushed batches, indexed by tag */
    uint32_t slot_capacity;            /* allocated slots */
    uint32_t slot_used;                /* slots handed out at least once */
    uint32_t free_head;                /* first free slot + 1; 0 = none */
} batch_state;

static int64_t batch_ms_to_us(double milliseconds) {
    assert(milliseconds > 0);
    assert(milliseconds <= RS_TIMEOUT_MS_MAX);
    return (int64_t)(milliseconds * 1000.0 + 0.5);
}

static void batch_destroy(void *state) {
    batch_state *batch = state;
    assert(batch != NULL);
    assert(batch->slot_used <= batch->slot_capacity);
    for (uint32_t i = 0; i < batch->slot_used; i++) {
        free(batch->slots[i].client_requests);
    }
    free(batch->slots);
    free(batch->events);
    free(batch->arrivals_us);
    free(batch->requests);
    free(batch);
}

static void *batch_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    batch_state *batch = calloc(1, sizeof *batch);
    if (batch == NULL) {
        return NULL;
    }
    batch->config = config;
    batch->runtime = runtime;
    batch->batch_size = (uint32_t)config->params[RS_BATCH_PARAM_BATCH_SIZE];
    batch->batch_timeout_us = batch_ms_to_us(config->params[RS_BATCH_PARAM_BATCH_TIMEOUT_MS]);
    batch->timeout_us = batch_ms_to_us(config->params[RS_BATCH_PARAM_TIMEOUT_MS]);
    assert(batch->batch_size >= 1 && batch->batch_size <= RS_EVENTS_PER_APPEND_MAX);
    assert(batch->timeout_us > 0 && batch->batch_timeout_us > 0);
    batch->events = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *batch->events);
    batch->arrivals_us = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *batch->arrivals_us);
    batch->requests = calloc(batch->batch_size, sizeof *batch->requests);
    if (batch->events == NULL || batch->arrivals_us == NULL || batch->requests == NULL) {
        batch_destroy(batch);
        return NULL;
    }
    return batch;
}

/* Returns a free slot index, or -1 when the in-flight limit is reached or memory is out. */
static int64_t batch_slot_take(batch_state *batch) {
    if (batch->free_head != 0) {
        uint32_t index = batch->free_head - 1;
        assert(batch->slots[index].request_count == 0);
        batch->free_head = batch->slots[index].next_free;
        return index;
    }
    if (batch->slot_used == batch->slot_capacity) {
        if (batch->slot_capacity >= RS_IN_FLIGHT_MAX) {
            return -1;
        }
        uint32_t capacity = batch->slot_capacity == 0 ? 64 : batch->slot_capacity * 2;
        batch_flush *slots = realloc(batch->slots, capacity * sizeof *slots);
        if (slots == NULL) {
            return -1;
        }
        batch->slots = slots;
        batch->slot_capacity = capacity;
    }
    assert(batch->slot_used < batch->slot_capacity);
    uint64_t *requests = malloc(batch->batch_size * sizeof *requests);
    if (requests == NULL) {
        return -1;
    }
    batch->slots[batch->slot_used].client_requests = requests;
    return batch->slot_used++;
}

static void batch_slot_release(batch_state *batch, uint32_t index) {
    assert(index < batch->slot_used);
    assert(batch->slots[index].outstanding == 0);
    batch->slots[index].request_count = 0;
    batch->slots[index].next_free = batch->free_head;
    batch->free_head = index + 1;
}

/* Observes the flush's metrics: fill, the wait of every event, and why it was flushed. */
static void batch_flush_metrics(batch_state *batch, int64_t now_us, bool full) {
    assert(batch->event_count >= 1);
    assert(batch->arrivals_us[0] <= now_us);
    const rs_runtime_ops *ops = batch->runtime.ops;
    void *context = batch->runtime.context;
    ops->metric_count(context, full ? "batch_flush_full" : "batch_flush_timeout", 1);
    ops->metric_observe(context, "batch_fill_permille",
                        (int64_t)batch->event_count * 1000 / batch->batch_size);
    for (uint32_t i = 0; i < batch->event_count; i++) {
        ops->metric_observe(context, "batch_wait_us", now_us - batch->arrivals_us[i]);
    }
}

/* Sends the open batch to every target and empties it. `full`: size flush (else timeout). */
static void batch_flush_open(batch_state *batch, bool full) {
    assert(batch->event_count >= 1 && batch->event_count <= RS_EVENTS_PER_APPEND_MAX);
    assert(batch->request_count >= 1 && batch->request_count <= batch->batch_size);
    const rs_runtime_ops *ops = batch->runtime.ops;
    void *context = batch->runtime.context;
    if (batch->timer != 0) {
        ops->timer_cancel(context, batch->timer);
        batch->timer = 0;
    }
    int64_t index = batch_slot_take(batch);
    if (index < 0) {
        for (uint32_t i = 0; i < batch->request_count; i++) {
            ops->ack_client(context, batch->requests[i], RS_ERR_REJECTED);
        }
        batch->event_count = 0;
        batch->request_count = 0;
        return;
    }
    batch_flush *flush = &batch->slots[index];
    memcpy(flush->client_requests, batch->requests,
           batch->request_count * sizeof *batch->requests);
    flush->request_count = batch->request_count;
    flush->flushed_us = ops->now_us(context);
    flush->outstanding = batch->config->target_count;
    rs_ack_tracker_init(&flush->tracker, batch->config->write_quorum,
                        batch->config->target_count);
    batch_flush_metrics(batch, flush->flushed_us, full);
    rs_event_stream stream = {batch->event_count, batch->events};
    for (uint32_t i = 0; i < batch->config->target_count; i++) {
        ops->store_append(context, batch->config->targets[i], &stream, batch->timeout_us,
                          (uint64_t)index);
    }
    batch->event_count = 0;
    batch->request_count = 0;
}

static void batch_on_client_append(void *state, uint64_t client_request,
                                   const rs_event_stream *stream) {
    batch_state *batch = state;
    assert(batch != NULL && stream != NULL);
    assert(stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    assert(batch->event_count < batch->batch_size);
    if (!batch->counters_announced) {   /* a report shows both, even when one stays 0 */
        batch->runtime.ops->metric_count(batch->runtime.context, "batch_flush_full", 0);
        batch->runtime.ops->metric_count(batch->runtime.context, "batch_flush_timeout", 0);
        batch->counters_announced = true;
    }
    if (batch->event_count > 0 && stream->count > batch->batch_size - batch->event_count) {
        batch_flush_open(batch, true);   /* it does not fit: flush what is there first */
    }
    const rs_runtime_ops *ops = batch->runtime.ops;
    void *context = batch->runtime.context;
    int64_t now_us = ops->now_us(context);
    bool was_empty = batch->event_count == 0;
    assert(batch->event_count + stream->count <= RS_EVENTS_PER_APPEND_MAX);
    memcpy(&batch->events[batch->event_count], stream->events,
           stream->count * sizeof *stream->events);
    for (uint32_t i = 0; i < stream->count; i++) {
        batch->arrivals_us[batch->event_count + i] = now_us;
    }
    batch->event_count += stream->count;
    batch->requests[batch->request_count++] = client_request;
    if (batch->event_count >= batch->batch_size) {
        batch_flush_open(batch, true);
    } else if (was_empty) {
        assert(batch->timer == 0);
        batch->timer = ops->timer_set(context, batch->batch_timeout_us, BATCH_TIMER_TAG);
    }
    assert(batch->event_count < batch->batch_size);
}

static void batch_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    batch_state *batch = state;
    assert(batch != NULL);
    assert(tag < batch->slot_used);
    const rs_runtime_ops *ops = batch->runtime.ops;
    void *context = batch->runtime.context;
    batch_flush *flush = &batch->slots[tag];
    assert(flush->outstanding > 0 && flush->request_count > 0);
    if (status == RS_OK) {
        ops->metric_latency(context, store, ops->now_us(context) - flush->flushed_us);
    }
    ops->metric_result(context, store, status);
    rs_ack_decision decision = rs_ack_tracker_record(&flush->tracker, status == RS_OK);
    if (decision != RS_ACK_PENDING) {
        rs_status answer = decision == RS_ACK_SUCCEEDED ? RS_OK : RS_ERR_QUORUM;
        for (uint32_t i = 0; i < flush->request_count; i++) {
            ops->ack_client(context, flush->client_requests[i], answer);
        }
    }
    flush->outstanding--;
    if (flush->outstanding == 0) {
        batch_slot_release(batch, (uint32_t)tag);
    }
}

static void batch_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    batch_state *batch = state;
    assert(batch != NULL);
    assert(tag == BATCH_TIMER_TAG);
    assert(timer != 0 && timer == batch->timer);   /* a size flush cancels the timer */
    assert(batch->event_count >= 1);
    batch->timer = 0;   /* fired: nothing to cancel */
    batch_flush_open(batch, false);
}

static const rs_strategy_ops batch_ops = {
    batch_create, batch_destroy, batch_on_client_append, batch_on_store_reply,
    batch_on_timer, NULL, NULL, NULL, NULL,
};

const rs_component rs_batch_component = {
    RS_COMPONENT_STRATEGY, "batch",
    "accumulate client appends and write them to every target as one append per target when "
    "batch_size events are in or the oldest is batch_timeout_ms old; ack by the consistency "
    "policy",
    batch_params, sizeof batch_params / sizeof batch_params[0], &batch_ops,
};
