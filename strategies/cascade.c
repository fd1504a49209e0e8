/* cascade.c — cascade replication: each client append starts a chain over config->targets in
 * their scenario order; store k is written only after store k-1 confirmed, and the stream
 * sent to hop k carries every event's size multiplied by size_factor^k (the chapter's
 * transformStream: a relay that compresses or enriches; the checksum is kept as created, since
 * the transform changes the wire size, not the event's identity). A hop that answers with an
 * error or a timeout is retried up to max_retries more times, retry_backoff_ms after each
 * failure; a hop that still fails stops the chain: later stores are not written, its last
 * status is reported for it and "rejected" (not attempted) for every later store, counter
 * "cascade_stops". The client is answered by the ack rule (ack.h) with the policy's write
 * quorum over the chain: under "all" the ack comes with the last confirmation, and a stop
 * fails the request with quorum_not_reached at once (the stopped hop and all later ones count
 * as failed in the tracker). With `resume`, a stopped chain keeps retrying its stopped hop
 * every resume_interval_ms until it confirms, then goes on (counter "cascade_resumed"); the
 * client was already answered, and results recorded at the stop stay recorded, so a resumed
 * store may report one failure and, later, one success for the same append. Counter
 * "cascade_retries" counts attempts after the first on a hop (resume attempts excluded).
 *
 * A chain has exactly one thing outstanding at any time — a store request or a timer — so the
 * slab index of its record is the tag of both, and every reply or firing finds its chain in
 * O(1). The client's events are copied once per chain (malloc); each send transforms them into
 * one scratch stream the runtime copies. Chains are independent: two appends' chains overlap. */
#include "strategies/cascade.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/ack.h"

static const rs_param_spec cascade_params[] = {
    [RS_CASCADE_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                     RS_TIMEOUT_MS_MAX, NULL,
                                     "timeout of each store append (each attempt), ms"},
    [RS_CASCADE_PARAM_SIZE_FACTOR] = {"size_factor", RS_PARAM_NUMBER, 1, 0.01, 100, NULL,
                                      "per-hop size transform: hop k (0 = first store) gets "
                                      "event sizes x size_factor^k"},
    [RS_CASCADE_PARAM_MAX_RETRIES] = {"max_retries", RS_PARAM_INTEGER, 2, 0,
                                      RS_CASCADE_RETRIES_MAX, NULL,
                                      "extra attempts on a hop after an error or timeout before "
                                      "the chain stops"},
    [RS_CASCADE_PARAM_RETRY_BACKOFF_MS] = {"retry_backoff_ms", RS_PARAM_NUMBER, 10, 0,
                                           RS_TIMEOUT_MS_MAX, NULL,
                                           "wait between a failed attempt and the next, ms"},
    [RS_CASCADE_PARAM_RESUME] = {"resume", RS_PARAM_BOOL, 0, 0, 1, NULL,
                                 "keep retrying a stopped hop, then finish the chain (the "
                                 "client was already answered)"},
    [RS_CASCADE_PARAM_RESUME_INTERVAL_MS] = {"resume_interval_ms", RS_PARAM_NUMBER, 1000, 0.001,
                                             RS_TIMEOUT_MS_MAX, NULL,
                                             "wait between attempts on a stopped hop, ms"},
};

_Static_assert(sizeof cascade_params / sizeof cascade_params[0] == RS_CASCADE_PARAM_COUNT,
               "one spec per parameter");

typedef enum cascade_phase {
    CASCADE_FREE = 0,        /* the slot holds no chain */
    CASCADE_READY,           /* the hop's next attempt is about to be sent */
    CASCADE_SENT,            /* waiting for the reply to the current attempt */
    CASCADE_BACKOFF,         /* waiting retry_backoff_ms before the next attempt */
    CASCADE_RESUME_WAIT      /* stopped; waiting resume_interval_ms before the next attempt */
} cascade_phase;

typedef struct cascade_chain {
    uint64_t client_request;   /* handle to answer the client with */
    int64_t started_us;        /* local time the client's append arrived: the chain start */
    rs_event *events;          /* owned copy of the client's events, original sizes */
    uint32_t event_count;      /* events in `events`, 1..RS_EVENTS_PER_APPEND_MAX */
    uint32_t hop;              /* position in config->targets being written */
    uint32_t attempts;         /* attempts made on this hop (since it started or resumed) */
    cascade_phase phase;       /* what the chain waits for */
    bool stopped;              /* stopped once: results recorded, tracker holds every hop */
    bool resuming;             /* the current hop is retried every resume_interval_ms */
    uint32_t next_free;        /* free-list link (index + 1) when unused; 0 = end */
    rs_ack_tracker tracker;    /* the ack rule's state over the whole chain */
} cascade_chain;

typedef struct cascade_state {
    const rs_strategy_config *config;  /* chain = targets in order; outlives the instance */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store request */
    int64_t retry_backoff_us;          /* between a failed attempt and the next */
    int64_t resume_interval_us;        /* between attempts on a stopped hop */
    uint32_t max_retries;              /* extra attempts per hop */
    bool resume;                       /* resume stopped chains */
    double size_factor;                /* per-hop size multiplier */
    bool counters_announced;           /* the counters were reported (at 0) on the first append */
    rs_event *scratch;                 /* RS_EVENTS_PER_APPEND_MAX events: one transformed send */
    cascade_chain *slots;              /* slab of chains, indexed by tag */
    uint32_t slot_capacity;            /* allocated slots */
    uint32_t slot_used;                /* slots handed out at least once */
    uint32_t free_head;                /* first free slot + 1; 0 = none */
} cascade_state;

static int64_t cascade_ms_to_us(double milliseconds) {
    assert(milliseconds >= 0);
    assert(milliseconds <= RS_TIMEOUT_MS_MAX);
    return (int64_t)(milliseconds * 1000.0 + 0.5);
}

uint32_t rs_cascade_hop_size_bytes(uint32_t size_bytes, double size_factor, uint32_t hop) {
    assert(size_factor > 0);
    assert(hop < RS_TARGETS_MAX);
    double scaled = round((double)size_bytes * pow(size_factor, (double)hop));
    if (!(scaled <= (double)RS_EVENT_BYTES_MAX)) {   /* also catches an infinite power */
        return RS_EVENT_BYTES_MAX;
    }
    uint32_t result = scaled < 1 ? 1 : (uint32_t)scaled;
    assert(result >= 1 && result <= RS_EVENT_BYTES_MAX);
    return result;
}

static void *cascade_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    cascade_state *cascade = calloc(1, sizeof *cascade);
    if (cascade == NULL) {
        return NULL;
    }
    cascade->scratch = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *cascade->scratch);
    if (cascade->scratch == NULL) {
        free(cascade);
        return NULL;
    }
    const double *params = config->params;
    cascade->config = config;
    cascade->runtime = runtime;
    cascade->timeout_us = cascade_ms_to_us(params[RS_CASCADE_PARAM_TIMEOUT_MS]);
    cascade->retry_backoff_us = cascade_ms_to_us(params[RS_CASCADE_PARAM_RETRY_BACKOFF_MS]);
    cascade->resume_interval_us = cascade_ms_to_us(params[RS_CASCADE_PARAM_RESUME_INTERVAL_MS]);
    cascade->max_retries = (uint32_t)params[RS_CASCADE_PARAM_MAX_RETRIES];
    cascade->resume = params[RS_CASCADE_PARAM_RESUME] != 0;
    cascade->size_factor = params[RS_CASCADE_PARAM_SIZE_FACTOR];
    assert(cascade->timeout_us > 0 && cascade->resume_interval_us > 0);
    assert(cascade->max_retries <= RS_CASCADE_RETRIES_MAX && cascade->size_factor > 0);
    return cascade;
}

static void cascade_destroy(void *state) {
    cascade_state *cascade = state;
    assert(cascade != NULL);
    assert(cascade->slot_used <= cascade->slot_capacity);
    for (uint32_t i = 0; i < cascade->slot_used; i++) {
        free(cascade->slots[i].events);   /* NULL for free slots */
    }
    free(cascade->slots);
    free(cascade->scratch);
    free(cascade);
}

/* Returns a free slot index, or -1 when the in-flight limit is reached or memory is out. */
static int64_t cascade_slot_take(cascade_state *cascade) {
    if (cascade->free_head != 0) {
        uint32_t index = cascade->free_head - 1;
        assert(cascade->slots[index].phase == CASCADE_FREE);
        cascade->free_head = cascade->slots[index].next_free;
        return index;
    }
    if (cascade->slot_used == cascade->slot_capacity) {
        if (cascade->slot_capacity >= RS_IN_FLIGHT_MAX) {
            return -1;
        }
        uint32_t capacity = cascade->slot_capacity == 0 ? 64 : cascade->slot_capacity * 2;
        cascade_chain *slots = realloc(cascade->slots, capacity * sizeof *slots);
        if (slots == NULL) {
            return -1;
        }
        cascade->slots = slots;
        cascade->slot_capacity = capacity;
    }
    assert(cascade->slot_used < cascade->slot_capacity);
    return cascade->slot_used++;
}

/* Ends chain `index`: frees its events and returns the slot to the free list. */
static void cascade_finish(cascade_state *cascade, uint32_t index) {
    assert(index < cascade->slot_used);
    cascade_chain *chain = &cascade->slots[index];
    assert(chain->phase != CASCADE_FREE);
    free(chain->events);
    chain->events = NULL;
    chain->phase = CASCADE_FREE;
    chain->next_free = cascade->free_head;
    cascade->free_head = index + 1;
}

/* One attempt on the chain's current hop: the transformed stream, tagged with the slot. */
static void cascade_send(cascade_state *cascade, uint32_t index) {
    assert(index < cascade->slot_used);
    cascade_chain *chain = &cascade->slots[index];
    assert(chain->phase == CASCADE_READY || chain->phase == CASCADE_BACKOFF ||
           chain->phase == CASCADE_RESUME_WAIT);
    assert(chain->hop < cascade->config->target_count);
    assert(chain->event_count >= 1 && chain->event_count <= RS_EVENTS_PER_APPEND_MAX);
    for (uint32_t i = 0; i < chain->event_count; i++) {
        cascade->scratch[i] = chain->events[i];
        cascade->scratch[i].size_bytes =
            rs_cascade_hop_size_bytes(chain->events[i].size_bytes, cascade->size_factor,
                                      chain->hop);
    }
    rs_event_stream stream = {chain->event_count, cascade->scratch};
    chain->phase = CASCADE_SENT;
    chain->attempts++;
    cascade->runtime.ops->store_append(cascade->runtime.context,
                                       cascade->config->targets[chain->hop], &stream,
                                       cascade->timeout_us, (uint64_t)index);
}

/* Parks chain `index` in `phase` until a timer `delay_us` from now sends its next attempt. */
static void cascade_wait(cascade_state *cascade, uint32_t index, cascade_phase phase,
                         int64_t delay_us) {
    assert(phase == CASCADE_BACKOFF || phase == CASCADE_RESUME_WAIT);
    assert(delay_us >= 0 && index < cascade->slot_used);
    cascade->slots[index].phase = phase;
    (void)cascade->runtime.ops->timer_set(cascade->runtime.context, delay_us, (uint64_t)index);
}

/* Reports every counter once with delta 0, so a run without stops shows "cascade_stops 0"
 * in its report instead of leaving the reader to guess whether the counter exists. */
static void cascade_announce_counters(cascade_state *cascade) {
    assert(!cascade->counters_announced);
    static const char *const names[] = {"cascade_retries", "cascade_stops", "cascade_resumed"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        cascade->runtime.ops->metric_count(cascade->runtime.context, names[i], 0);
    }
    cascade->counters_announced = true;
}

static void cascade_on_client_append(void *state, uint64_t client_request,
                                     const rs_event_stream *stream) {
    cascade_state *cascade = state;
    assert(cascade != NULL && stream != NULL);
    assert(stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    const rs_runtime_ops *ops = cascade->runtime.ops;
    if (!cascade->counters_announced) {
        cascade_announce_counters(cascade);
    }
    rs_event *events = malloc(stream->count * sizeof *events);
    int64_t index = events != NULL ? cascade_slot_take(cascade) : -1;
    if (index < 0) {
        free(events);
        ops->ack_client(cascade->runtime.context, client_request, RS_ERR_REJECTED);
        return;
    }
    memcpy(events, stream->events, stream->count * sizeof *events);
    cascade_chain *chain = &cascade->slots[index];
    *chain = (cascade_chain){
        .client_request = client_request,
        .started_us = ops->now_us(cascade->runtime.context),
        .events = events,
        .event_count = stream->count,
        .phase = CASCADE_READY,
    };
    rs_ack_tracker_init(&chain->tracker, cascade->config->write_quorum,
                        cascade->config->target_count);
    cascade_send(cascade, (uint32_t)index);
}

/* Feeds one hop's outcome to the ack rule and answers the client when it decides. */
static void cascade_track(cascade_state *cascade, cascade_chain *chain, bool ok) {
    assert(!chain->stopped);
    assert(chain->tracker.confirmed + chain->tracker.failed < chain->tracker.total);
    rs_ack_decision decision = rs_ack_tracker_record(&chain->tracker, ok);
    rs_ack_answer(cascade->runtime, chain->client_request, decision);
}

static void cascade_hop_confirmed(cascade_state *cascade, uint32_t index, uint32_t store) {
    cascade_chain *chain = &cascade->slots[index];
    assert(chain->phase == CASCADE_SENT);
    assert(store == cascade->config->targets[chain->hop]);
    const rs_runtime_ops *ops = cascade->runtime.ops;
    void *context = cascade->runtime.context;
    ops->metric_latency(context, store, ops->now_us(context) - chain->started_us);
    ops->metric_result(context, store, RS_OK);
    if (!chain->stopped) {
        cascade_track(cascade, chain, true);
    }
    if (chain->resuming) {
        ops->metric_count(context, "cascade_resumed", 1);
        chain->resuming = false;
    }
    chain->hop++;
    chain->attempts = 0;
    if (chain->hop == cascade->config->target_count) {
        cascade_finish(cascade, index);
        return;
    }
    chain->phase = CASCADE_READY;
    cascade_send(cascade, index);
}

/* The hop failed its last attempt: record the stop (once per chain), then resume or end. */
static void cascade_stop(cascade_state *cascade, uint32_t index, rs_status last_status) {
    cascade_chain *chain = &cascade->slots[index];
    assert(chain->phase == CASCADE_SENT && !chain->resuming);
    assert(last_status != RS_OK);
    const rs_runtime_ops *ops = cascade->runtime.ops;
    void *context = cascade->runtime.context;
    ops->metric_count(context, "cascade_stops", 1);
    if (!chain->stopped) {
        for (uint32_t hop = chain->hop; hop < cascade->config->target_count; hop++) {
            ops->metric_result(context, cascade->config->targets[hop],
                               hop == chain->hop ? last_status : RS_ERR_REJECTED);
            cascade_track(cascade, chain, false);
        }
        chain->stopped = true;
        assert(chain->tracker.decided);
    }
    if (!cascade->resume) {
        cascade_finish(cascade, index);
        return;
    }
    chain->resuming = true;
    cascade_wait(cascade, index, CASCADE_RESUME_WAIT, cascade->resume_interval_us);
}

static void cascade_hop_failed(cascade_state *cascade, uint32_t index, rs_status status) {
    cascade_chain *chain = &cascade->slots[index];
    assert(chain->phase == CASCADE_SENT);
    assert(status != RS_OK);
    if (chain->resuming) {
        cascade_wait(cascade, index, CASCADE_RESUME_WAIT, cascade->resume_interval_us);
    } else if (chain->attempts <= cascade->max_retries) {
        cascade->runtime.ops->metric_count(cascade->runtime.context, "cascade_retries", 1);
        cascade_wait(cascade, index, CASCADE_BACKOFF, cascade->retry_backoff_us);
    } else {
        cascade_stop(cascade, index, status);
    }
}

static void cascade_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    cascade_state *cascade = state;
    assert(cascade != NULL);
    assert(tag < cascade->slot_used);
    assert(status < RS_STATUS_COUNT);
    assert(cascade->slots[tag].phase == CASCADE_SENT);
    if (status == RS_OK) {
        cascade_hop_confirmed(cascade, (uint32_t)tag, store);
    } else {
        cascade_hop_failed(cascade, (uint32_t)tag, status);
    }
}

static void cascade_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    cascade_state *cascade = state;
    assert(cascade != NULL && timer != 0);
    assert(tag < cascade->slot_used);
    cascade_phase phase = cascade->slots[tag].phase;
    assert(phase == CASCADE_BACKOFF || phase == CASCADE_RESUME_WAIT);
    (void)phase;
    cascade_send(cascade, (uint32_t)tag);
}

static const rs_strategy_ops cascade_ops = {
    cascade_create, cascade_destroy, cascade_on_client_append, cascade_on_store_reply,
    cascade_on_timer, NULL, NULL, NULL, NULL,
};

const rs_component rs_cascade_component = {
    RS_COMPONENT_STRATEGY, "cascade",
    "write the targets one after another in scenario order, each after the previous confirmed; "
    "per-hop retries and size transform; optional resume of a stopped chain",
    cascade_params, sizeof cascade_params / sizeof cascade_params[0], &cascade_ops,
};
