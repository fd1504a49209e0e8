/* async_queue.c — asynchronous replication through a bounded queue (the chapter's
 * AsyncReplicationWithQueue), its client-request side; the queue and its workers are in
 * async_queue_jobs.c. A client append is written to the primaries alone: with primary "first"
 * (the default) config->targets[0]; with "local_region" every target store in the hosting
 * manager's region, in parallel (as star), or targets[0] when that region holds no target
 * (logged once at the first append). When every primary has confirmed, the client is acked ok
 * at once; the first primary to fail or time out answers the client with its status, and
 * nothing more happens to that request (primaries that did confirm keep the events). Then one
 * replication job per secondary (every other target, in target order) enters a FIFO of at most
 * queue_capacity waiting jobs, which `workers` workers drain oldest first, with retries and
 * exponential backoff (async_queue_jobs.c). The consistency policy's write quorum does not
 * apply: the primaries — one, or all of the local region's targets — decide the ack, as the
 * primary alone did (scenarios should say {"type": "quorum", "write_quorum": 1}; the checkers
 * judge "the primaries had it at the ack" from the scenario, checks/promise.c).
 *
 * When the jobs of a request do not fit (on_full): "block" holds the request, primaries not yet
 * written, in an admission FIFO until the queue has room for all its jobs; "reject" answers
 * rejected at once and writes nothing; "drop_oldest" evicts the oldest waiting jobs to make
 * room — each one an acknowledged event a secondary will never get. Under block and reject a
 * request's jobs are counted against the queue from the moment its primary appends are sent
 * (a reservation), so a request admitted never finds the queue full when its primaries confirm.
 * A request with more secondaries than queue_capacity can never fit: under block and reject it
 * is rejected (logged once); under drop_oldest its own later jobs evict its earlier ones.
 *
 * Metrics: gauge "queue_depth" (waiting jobs, reported at the end of every callback that
 * changed it: a job a worker takes in the instant it is queued never raises it), observation
 * "queue_wait_us" (per job a worker takes: now minus its enqueue time), metric_latency for each
 * primary (request to reply) and for each secondary that confirms (now minus the last primary's
 * confirmation: the replication lag), metric_result once per store per final outcome (primary
 * reply; secondary ok, given up with its last status, or RS_ERR_REJECTED when dropped), and the
 * counters "async_retries", "async_dropped", "async_rejected" (every client answered rejected),
 * "async_replication_failed" and "async_blocked" (requests that waited for admission), all
 * reported at 0 on the first client append so a report lists them.
 *
 * Requests live in a slab indexed by the primary appends' tag (each slot owns a copy of the
 * events, which its jobs share, and is freed when its last job ends); held requests are a list
 * threaded through the slab. Every callback is O(primaries) plus O(jobs it moves). */
#include "strategies/async_queue_internal.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const on_full_choices[] = {"block", "reject", "drop_oldest", NULL};
static const char *const primary_choices[] = {"first", "local_region", NULL};

static const rs_param_spec async_params[] = {
    [RS_ASYNC_QUEUE_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                         RS_TIMEOUT_MS_MAX, NULL,
                                         "timeout of each store append (primary and secondary), "
                                         "ms"},
    [RS_ASYNC_QUEUE_PARAM_WORKERS] = {"workers", RS_PARAM_INTEGER, 4, 1,
                                      RS_ASYNC_QUEUE_WORKERS_MAX, NULL,
                                      "workers draining the queue: secondary appends in flight "
                                      "or backing off at once"},
    [RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = {"queue_capacity", RS_PARAM_INTEGER, 10000, 1,
                                             RS_IN_FLIGHT_MAX, NULL,
                                             "replication jobs (one per secondary per request) "
                                             "the queue holds waiting for a worker"},
    [RS_ASYNC_QUEUE_PARAM_ON_FULL] = {"on_full", RS_PARAM_ENUM, RS_ASYNC_QUEUE_ON_FULL_BLOCK, 0,
                                      0, on_full_choices,
                                      "when a request's jobs do not fit: hold it unwritten, "
                                      "reject it, or evict the oldest waiting jobs"},
    [RS_ASYNC_QUEUE_PARAM_MAX_RETRIES] = {"max_retries", RS_PARAM_INTEGER, 5, 0, 100, NULL,
                                          "retries of a failed secondary append before the job "
                                          "is given up"},
    [RS_ASYNC_QUEUE_PARAM_BACKOFF_INITIAL_MS] = {"backoff_initial_ms", RS_PARAM_NUMBER, 10, 0,
                                                 RS_TIMEOUT_MS_MAX, NULL,
                                                 "wait before the first retry of a job, ms; "
                                                 "doubles on each further retry"},
    [RS_ASYNC_QUEUE_PARAM_BACKOFF_MAX_MS] = {"backoff_max_ms", RS_PARAM_NUMBER, 1000, 0,
                                             RS_TIMEOUT_MS_MAX, NULL,
                                             "cap of the wait between retries, ms"},
    [RS_ASYNC_QUEUE_PARAM_PRIMARY] = {"primary", RS_PARAM_ENUM, RS_ASYNC_QUEUE_PRIMARY_FIRST, 0,
                                      0, primary_choices,
                                      "stores written before the ack: the first target, or "
                                      "every target in the manager's region (the first target "
                                      "when it has none); jobs copy to the rest"},
};

_Static_assert(sizeof async_params / sizeof async_params[0] == RS_ASYNC_QUEUE_PARAM_COUNT,
               "one spec per parameter");

static int64_t async_ms_to_us(double milliseconds) {
    assert(milliseconds >= 0);
    assert(milliseconds <= RS_TIMEOUT_MS_MAX);
    return (int64_t)(milliseconds * 1000.0 + 0.5);
}

static void async_destroy(void *state) {
    rs__async_state *async = state;
    assert(async != NULL);
    assert(async->slot_used <= async->slot_capacity);
    for (uint32_t i = 0; i < async->slot_used; i++) {
        free(async->slots[i].events);
    }
    free(async->slots);
    free(async->queue);
    free(async->workers);
    free(async->idle);
    free(async->stores);
    free(async);
}

static void async_read_params(rs__async_state *async, const double *params) {
    assert(async != NULL && params != NULL);
    async->timeout_us = async_ms_to_us(params[RS_ASYNC_QUEUE_PARAM_TIMEOUT_MS]);
    async->worker_count = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_WORKERS];
    async->queue_capacity = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY];
    async->on_full = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_ON_FULL];
    async->max_retries = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_MAX_RETRIES];
    async->backoff_initial_us = async_ms_to_us(params[RS_ASYNC_QUEUE_PARAM_BACKOFF_INITIAL_MS]);
    async->backoff_max_us = async_ms_to_us(params[RS_ASYNC_QUEUE_PARAM_BACKOFF_MAX_MS]);
    async->primary_mode = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_PRIMARY];
    assert(async->timeout_us > 0);
    assert(async->primary_mode <= RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION);
    assert(async->worker_count >= 1 && async->worker_count <= RS_ASYNC_QUEUE_WORKERS_MAX);
    assert(async->queue_capacity >= 1 && async->queue_capacity <= RS_IN_FLIGHT_MAX);
    assert(async->on_full <= RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST);
    assert(async->max_retries <= 100);
}

/* Is target number `position` a primary? (local: the manager's region has targets) */
static bool async_is_primary(const rs__async_state *async, bool local, uint32_t position) {
    const rs_strategy_config *config = async->config;
    assert(position < config->target_count);
    if (!local) {
        return position == 0;
    }
    uint32_t store = config->targets[position];
    assert(store < config->store_count);
    return config->store_region[store] == config->manager_region;
}

/* Fills async->stores: the primaries, then the secondaries, each in target order. Returns
 * false when memory is out. */
static bool async_choose_primaries(rs__async_state *async) {
    const rs_strategy_config *config = async->config;
    async->stores = malloc(config->target_count * sizeof *async->stores);
    if (async->stores == NULL) {
        return false;
    }
    bool local = false;
    if (async->primary_mode == RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION) {
        assert(config->store_region != NULL);
        for (uint32_t i = 0; i < config->target_count && !local; i++) {
            local = async_is_primary(async, true, i);
        }
        async->primary_fell_back = !local;
    }
    uint32_t count = 0;
    for (int pass = 0; pass < 2; pass++) {   /* primaries, then secondaries */
        for (uint32_t i = 0; i < config->target_count; i++) {
            if (async_is_primary(async, local, i) == (pass == 0)) {
                async->stores[count++] = config->targets[i];
            }
        }
        async->primary_count = pass == 0 ? count : async->primary_count;
    }
    assert(count == config->target_count);
    assert(async->primary_count >= 1 && async->primary_count <= count);
    async->secondary_count = count - async->primary_count;
    return true;
}

static void *async_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->params != NULL);
    assert(config->target_count >= 1 && config->targets != NULL);
    rs__async_state *async = calloc(1, sizeof *async);
    if (async == NULL) {
        return NULL;
    }
    async->config = config;
    async->runtime = runtime;
    async->depth_reported = -1;
    async_read_params(async, config->params);
    async->workers = calloc(async->worker_count, sizeof *async->workers);
    async->idle = calloc(async->worker_count, sizeof *async->idle);
    if (async->workers == NULL || async->idle == NULL || !async_choose_primaries(async)) {
        async_destroy(async);
        return NULL;
    }
    for (uint32_t i = 0; i < async->worker_count; i++) {   /* worker 0 on top of the stack */
        async->idle[i] = async->worker_count - 1 - i;
    }
    async->idle_count = async->worker_count;
    return async;
}

/* Returns a free slot index, or -1 when the in-flight limit is reached or memory is out. */
static int64_t async_slot_take(rs__async_state *async) {
    if (async->free_head != 0) {
        uint32_t index = async->free_head - 1;
        assert(async->slots[index].phase == RS__ASYNC_PHASE_FREE);
        async->free_head = async->slots[index].next;
        return index;
    }
    if (async->slot_used == async->slot_capacity) {
        if (async->slot_capacity >= RS_IN_FLIGHT_MAX) {
            return -1;
        }
        uint32_t capacity = async->slot_capacity == 0 ? 64 : async->slot_capacity * 2;
        rs__async_request *slots = realloc(async->slots, capacity * sizeof *slots);
        if (slots == NULL) {
            return -1;
        }
        memset(&slots[async->slot_capacity], 0,
               (capacity - async->slot_capacity) * sizeof *slots);
        async->slots = slots;
        async->slot_capacity = capacity;
    }
    assert(async->slot_used < async->slot_capacity);
    return async->slot_used++;
}

void rs__async_slot_release(rs__async_state *async, uint32_t index) {
    assert(index < async->slot_used);
    assert(async->slots[index].jobs_left == 0);
    assert(async->slots[index].phase != RS__ASYNC_PHASE_FREE);
    async->slots[index].phase = RS__ASYNC_PHASE_FREE;
    async->slots[index].next = async->free_head;
    async->free_head = index + 1;
}

/* Copies `stream` into the slot's own buffer. Returns false when memory is out. */
static bool async_slot_copy(rs__async_request *request, const rs_event_stream *stream) {
    assert(request != NULL && stream != NULL);
    assert(stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    if (request->event_capacity < stream->count) {
        rs_event *events = realloc(request->events, stream->count * sizeof *events);
        if (events == NULL) {
            return false;
        }
        request->events = events;
        request->event_capacity = stream->count;
    }
    memcpy(request->events, stream->events, stream->count * sizeof *stream->events);
    request->event_count = stream->count;
    return true;
}

/* Does a request's set of jobs fit in the queue next to what waits and what is reserved? */
static bool async_fits(const rs__async_state *async) {
    assert(async->on_full != RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST);
    assert(async->queue_depth + async->reserved <= async->queue_capacity);
    return async->queue_depth + async->reserved + async->secondary_count <=
           async->queue_capacity;
}

/* Writes request `index` to every primary, reserving its jobs' room under block and reject. */
static void async_primary_send(rs__async_state *async, uint32_t index) {
    assert(index < async->slot_used);
    rs__async_request *request = &async->slots[index];
    assert(request->phase == RS__ASYNC_PHASE_HELD || request->phase == RS__ASYNC_PHASE_PRIMARY);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    if (async->on_full != RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST) {
        assert(async_fits(async));
        async->reserved += async->secondary_count;
    }
    request->phase = RS__ASYNC_PHASE_PRIMARY;
    request->primary_sent_us = ops->now_us(context);
    request->primaries_left = async->primary_count;
    request->primary_status = RS_OK;
    request->answered = false;
    rs_event_stream stream = {request->event_count, request->events};
    for (uint32_t i = 0; i < async->primary_count; i++) {
        ops->store_append(context, async->stores[i], &stream, async->timeout_us, index);
    }
}

/* Under block: admits held requests, oldest first, while their jobs fit. */
static void async_admit_held(rs__async_state *async) {
    assert((async->held_head == 0) == (async->held_count == 0));
    assert(async->held_count == 0 || async->on_full == RS_ASYNC_QUEUE_ON_FULL_BLOCK);
    while (async->held_count > 0 && async_fits(async)) {
        uint32_t index = async->held_head - 1;
        assert(async->slots[index].phase == RS__ASYNC_PHASE_HELD);
        async->held_head = async->slots[index].next;
        async->held_count--;
        if (async->held_head == 0) {
            async->held_tail = 0;
        }
        async->slots[index].next = 0;
        async_primary_send(async, index);
    }
}

/* End of every callback: workers take jobs, held requests are admitted, the gauge reports the
 * queue depth when it changed. */
static void async_settle(rs__async_state *async) {
    assert(async != NULL);
    rs__async_dispatch(async);
    async_admit_held(async);
    assert(async->idle_count == 0 || async->queue_depth == 0);
    if ((int64_t)async->queue_depth != async->depth_reported) {
        async->runtime.ops->metric_gauge(async->runtime.context, "queue_depth",
                                         async->queue_depth);
        async->depth_reported = async->queue_depth;
    }
}

/* Reports every counter and the gauge at 0 once, so a report lists them even when unused;
 * says once that local_region fell back to the first target. */
static void async_announce_metrics(rs__async_state *async) {
    assert(async != NULL);
    assert(!async->metrics_announced);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    static const char *const counters[] = {"async_retries", "async_dropped", "async_rejected",
                                           "async_replication_failed", "async_blocked"};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        ops->metric_count(context, counters[i], 0);
    }
    ops->metric_gauge(context, "queue_depth", 0);
    async->depth_reported = 0;
    async->metrics_announced = true;
    if (async->primary_fell_back) {
        ops->log(context, RS_LOG_WARNING,
                 "async_queue: primary local_region, but no target store is in this manager's "
                 "region; the first target is the primary");
    }
}

static void async_reject(rs__async_state *async, uint64_t client_request) {
    assert(async != NULL);
    const rs_runtime_ops *ops = async->runtime.ops;
    ops->metric_count(async->runtime.context, "async_rejected", 1);
    ops->ack_client(async->runtime.context, client_request, RS_ERR_REJECTED);
}

/* Under block and reject: is a request refused before anything is written? (it can never
 * fit, or reject finds no room) */
static bool async_refuses(rs__async_state *async) {
    assert(async != NULL);
    if (async->on_full == RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST) {
        return false;
    }
    if (async->secondary_count > async->queue_capacity) {
        if (!async->never_fits_logged) {
            async->runtime.ops->log(async->runtime.context, RS_LOG_WARNING,
                                    "async_queue: more secondaries than queue_capacity; every "
                                    "request is rejected");
            async->never_fits_logged = true;
        }
        return true;
    }
    return async->on_full == RS_ASYNC_QUEUE_ON_FULL_REJECT && !async_fits(async);
}

/* Under block: appends request `index` to the admission list. */
static void async_hold(rs__async_state *async, uint32_t index) {
    assert(async->on_full == RS_ASYNC_QUEUE_ON_FULL_BLOCK);
    assert(index < async->slot_used);
    async->slots[index].phase = RS__ASYNC_PHASE_HELD;
    async->slots[index].next = 0;
    if (async->held_tail == 0) {
        async->held_head = index + 1;
    } else {
        async->slots[async->held_tail - 1].next = index + 1;
    }
    async->held_tail = index + 1;
    async->held_count++;
    async->runtime.ops->metric_count(async->runtime.context, "async_blocked", 1);
}

static void async_on_client_append(void *state, uint64_t client_request,
                                   const rs_event_stream *stream) {
    rs__async_state *async = state;
    assert(async != NULL && stream != NULL);
    assert(stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    if (!async->metrics_announced) {
        async_announce_metrics(async);
    }
    if (async_refuses(async)) {
        async_reject(async, client_request);
        return;
    }
    int64_t index = async_slot_take(async);
    if (index < 0) {
        async_reject(async, client_request);
        return;
    }
    rs__async_request *request = &async->slots[index];
    request->client_request = client_request;
    request->jobs_left = 0;
    request->phase = RS__ASYNC_PHASE_PRIMARY;
    if (!async_slot_copy(request, stream)) {
        rs__async_slot_release(async, (uint32_t)index);
        async_reject(async, client_request);
        return;
    }
    /* FIFO without overtaking: every settle admits what fits, so a request is held whenever
     * others are (all requests need the same room). */
    assert(async->held_count == 0 || !async_fits(async));
    if (async->on_full == RS_ASYNC_QUEUE_ON_FULL_BLOCK && !async_fits(async)) {
        async_hold(async, (uint32_t)index);
    } else {
        async_primary_send(async, (uint32_t)index);
    }
    async_settle(async);
}

/* Is `store` one of the primaries? O(primaries). */
static bool async_primary_named(const rs__async_state *async, uint32_t store) {
    for (uint32_t i = 0; i < async->primary_count; i++) {
        if (async->stores[i] == store) {
            return true;
        }
    }
    return false;
}

/* A primary answered request `index`: the first failure answers the client with its status;
 * when the last primary has answered and all confirmed, the client is acked ok and one job per
 * secondary is queued (each one offered to an idle worker before the next is queued). */
static void async_on_primary_reply(rs__async_state *async, uint32_t index, uint32_t store,
                                   rs_status status) {
    assert(index < async->slot_used);
    assert(async_primary_named(async, store));
    rs__async_request *request = &async->slots[index];
    assert(request->phase == RS__ASYNC_PHASE_PRIMARY);
    assert(request->primaries_left >= 1);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    int64_t now_us = ops->now_us(context);
    if (status == RS_OK) {
        ops->metric_latency(context, store, now_us - request->primary_sent_us);
    }
    ops->metric_result(context, store, status);
    if (status != RS_OK && !request->answered) {
        request->primary_status = status;
        request->answered = true;
        ops->ack_client(context, request->client_request, status);
    }
    if (--request->primaries_left > 0) {
        return;
    }
    if (async->on_full != RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST) {
        assert(async->reserved >= async->secondary_count);
        async->reserved -= async->secondary_count;
    }
    if (request->primary_status != RS_OK) {
        assert(request->answered);
        rs__async_slot_release(async, index);
        return;
    }
    assert(!request->answered);
    request->answered = true;
    ops->ack_client(context, request->client_request, RS_OK);
    if (async->secondary_count == 0) {
        rs__async_slot_release(async, index);
        return;
    }
    request->phase = RS__ASYNC_PHASE_REPLICATING;
    request->confirmed_us = now_us;
    request->jobs_left = async->secondary_count;
    for (uint32_t i = async->primary_count; i < async->config->target_count; i++) {
        rs__async_queue_push(async, (rs__async_job){index, async->stores[i], now_us});
        rs__async_dispatch(async);
    }
}

static void async_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    rs__async_state *async = state;
    assert(async != NULL);
    assert(status < RS_STATUS_COUNT);
    if (tag >= RS__ASYNC_WORKER_TAG_BASE) {
        uint32_t worker = (uint32_t)(tag - RS__ASYNC_WORKER_TAG_BASE);
        rs__async_on_worker_reply(async, worker, store, status);
    } else {
        async_on_primary_reply(async, (uint32_t)tag, store, status);
    }
    async_settle(async);
}

static void async_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    rs__async_state *async = state;
    assert(async != NULL);
    assert(tag < async->worker_count);
    rs__async_on_backoff_timer(async, timer, (uint32_t)tag);
}

static const rs_strategy_ops async_ops = {
    async_create, async_destroy, async_on_client_append, async_on_store_reply,
    async_on_timer, NULL, NULL, NULL, NULL,
};

const rs_component rs_async_queue_component = {
    RS_COMPONENT_STRATEGY, "async_queue",
    "write the primary (first target; or, with primary local_region, every target in the "
    "manager's region) and ack the client once all of them confirm; workers then copy the "
    "events to the other targets from a bounded FIFO queue, with retries and exponential "
    "backoff; the consistency policy's write quorum does not apply (use quorum with "
    "write_quorum 1)",
    async_params, sizeof async_params / sizeof async_params[0], &async_ops,
};
