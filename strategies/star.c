/* star.c — star replication: on each client append, send the event stream to every target
 * store at once; each store request carries the coordinator timeout, so each target answers
 * ok, error or timeout. The client is answered by the ack rule (ack.h) with the policy's
 * write quorum: "all" acks when every target confirmed, "quorum" when write_quorum did; the
 * request fails with quorum_not_reached as soon as the quorum becomes impossible. Every reply
 * is reported to the metrics hooks (latency and result per store). With "unhealthy": "skip",
 * stores the health checks mark unhealthy (runtime store_healthy) are not written: "all" then
 * waits for every healthy target, a smaller quorum must still be reachable among the healthy
 * ones (else quorum_not_reached at once), and each skip counts in star_skipped_unhealthy.
 *
 * Pending requests live in a slab indexed by the store-request tag; a slot is freed when its
 * last reply arrives (the runtime guarantees exactly one reply per request). O(1) per reply. */
#include "strategies/star.h"

#include <assert.h>
#include <stdlib.h>

#include "strategies/ack.h"

static const char *const star_unhealthy_choices[] = {"include", "skip", NULL};

static const rs_param_spec star_params[] = {
    [RS_STAR_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001, RS_TIMEOUT_MS_MAX,
                                  NULL, "coordinator timeout for each store append, ms"},
    [RS_STAR_PARAM_UNHEALTHY] = {"unhealthy", RS_PARAM_ENUM, RS_STAR_UNHEALTHY_INCLUDE, 0, 0,
                                 star_unhealthy_choices,
                                 "stores the health checks mark unhealthy: include (write "
                                 "them anyway) or skip (all = every healthy target)"},
};

typedef struct star_pending {
    uint64_t client_request;   /* handle to answer the client with */
    int64_t started_us;        /* local time the fan-out was sent */
    uint32_t outstanding;      /* store replies still expected */
    uint32_t next_free;        /* free-list link when unused */
    rs_ack_tracker tracker;    /* the ack rule's state */
} star_pending;

typedef struct star_state {
    const rs_strategy_config *config;  /* targets, quorum; outlives the instance */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store request */
    bool skip_unhealthy;               /* "unhealthy": "skip" */
    star_pending *slots;               /* slab of pending requests */
    uint32_t slot_capacity;            /* allocated slots */
    uint32_t slot_used;                /* slots handed out at least once */
    uint32_t free_head;                /* first free slot + 1; 0 = none */
} star_state;

static void *star_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    star_state *star = calloc(1, sizeof *star);
    if (star == NULL) {
        return NULL;
    }
    star->config = config;
    star->runtime = runtime;
    star->timeout_us = (int64_t)(config->params[RS_STAR_PARAM_TIMEOUT_MS] * 1000.0 + 0.5);
    assert(star->timeout_us > 0);
    star->skip_unhealthy = config->params[RS_STAR_PARAM_UNHEALTHY] == RS_STAR_UNHEALTHY_SKIP;
    return star;
}

static void star_destroy(void *state) {
    star_state *star = state;
    assert(star != NULL);
    free(star->slots);
    free(star);
}

/* Returns a free slot index, or -1 when the in-flight limit is reached or memory is out. */
static int64_t star_slot_take(star_state *star) {
    if (star->free_head != 0) {
        uint32_t index = star->free_head - 1;
        star->free_head = star->slots[index].next_free;
        return index;
    }
    if (star->slot_used == star->slot_capacity) {
        if (star->slot_capacity >= RS_IN_FLIGHT_MAX) {
            return -1;
        }
        uint32_t capacity = star->slot_capacity == 0 ? 64 : star->slot_capacity * 2;
        star_pending *slots = realloc(star->slots, capacity * sizeof *slots);
        if (slots == NULL) {
            return -1;
        }
        star->slots = slots;
        star->slot_capacity = capacity;
    }
    return star->slot_used++;
}

static void star_slot_release(star_state *star, uint32_t index) {
    assert(index < star->slot_used);
    assert(star->slots[index].outstanding == 0);
    star->slots[index].next_free = star->free_head;
    star->free_head = index + 1;
}

/* Gives back a slot taken for a request that sent nothing. */
static void star_slot_release_unused(star_state *star, uint32_t index) {
    star->slots[index].outstanding = 0;
    star_slot_release(star, index);
}

static void star_on_client_append(void *state, uint64_t client_request,
                                  const rs_event_stream *stream) {
    star_state *star = state;
    assert(star != NULL && stream != NULL);
    assert(stream->count >= 1);
    const rs_runtime_ops *ops = star->runtime.ops;
    int64_t index = star_slot_take(star);
    if (index < 0) {
        ops->ack_client(star->runtime.context, client_request, RS_ERR_REJECTED);
        return;
    }
    const rs_strategy_config *config = star->config;
    void *context = star->runtime.context;
    uint32_t writable = config->target_count;
    if (star->skip_unhealthy) {
        writable = 0;
        for (uint32_t i = 0; i < config->target_count; i++) {
            writable += ops->store_healthy(context, config->targets[i]) ? 1u : 0u;
        }
        ops->metric_count(context, "star_skipped_unhealthy",
                          (int64_t)(config->target_count - writable));
    }
    uint32_t needed = config->write_quorum == config->target_count ? writable
                                                                    : config->write_quorum;
    if (writable == 0 || needed > writable) {
        star_slot_release_unused(star, (uint32_t)index);
        ops->ack_client(context, client_request, RS_ERR_QUORUM);
        return;
    }
    star_pending *pending = &star->slots[index];
    pending->client_request = client_request;
    pending->started_us = ops->now_us(context);
    pending->outstanding = writable;
    rs_ack_tracker_init(&pending->tracker, needed, writable);
    for (uint32_t i = 0; i < config->target_count; i++) {
        if (writable == config->target_count || ops->store_healthy(context, config->targets[i])) {
            ops->store_append(context, config->targets[i], stream, star->timeout_us,
                              (uint64_t)index);
        }
    }
}

static void star_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    star_state *star = state;
    assert(star != NULL);
    assert(tag < star->slot_used);
    const rs_runtime_ops *ops = star->runtime.ops;
    void *context = star->runtime.context;
    star_pending *pending = &star->slots[tag];
    assert(pending->outstanding > 0);
    int64_t now_us = ops->now_us(context);
    if (status == RS_OK) {
        ops->metric_latency(context, store, now_us - pending->started_us);
    }
    ops->metric_result(context, store, status);
    rs_ack_decision decision = rs_ack_tracker_record(&pending->tracker, status == RS_OK);
    rs_ack_answer(star->runtime, pending->client_request, decision);
    pending->outstanding--;
    if (pending->outstanding == 0) {
        star_slot_release(star, (uint32_t)tag);
    }
}

static void star_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    (void)state;
    (void)timer;
    (void)tag;
    assert(0 && "star arms no timer");
}

static const rs_strategy_ops star_ops = {
    star_create, star_destroy, star_on_client_append, star_on_store_reply,
    star_on_timer, NULL, NULL, NULL, NULL,
};

const rs_component rs_star_component = {
    RS_COMPONENT_STRATEGY, "star",
    "write every target store in parallel; per-store timeout; ack by the consistency policy",
    star_params, sizeof star_params / sizeof star_params[0], &star_ops,
};
