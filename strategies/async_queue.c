/* async_queue.c — asynchronous replication through a bounded queue (the chapter's
 * AsyncReplicationWithQueue). A client append is written to the primary, config->targets[0],
 * alone; when the primary confirms, the client is acked ok at once (when it fails or times out,
 * the client gets that status and nothing more happens). Then one replication job per
 * secondary (every other target) enters a FIFO of at most queue_capacity waiting jobs, and
 * `workers` workers drain it oldest first: a worker appends its job's events to its secondary
 * and, on an error or timeout, retries the same job after backoff_initial_ms, doubling each
 * time up to backoff_max_ms, at most max_retries times, then gives the job up. A worker is busy
 * while its append is in flight or while it backs off. The consistency policy's write quorum
 * does not apply: the primary alone decides the ack (scenarios should say
 * {"type": "quorum", "write_quorum": 1} so the durability invariant judges what is promised).
 *
 * When the jobs of a request do not fit (on_full): "block" holds the request, primary not yet
 * written, in an admission FIFO until the queue has room for all its jobs; "reject" answers
 * rejected at once and writes nothing; "drop_oldest" evicts the oldest waiting jobs to make
 * room — each one an acknowledged event a secondary will never get. Under block and reject a
 * request's jobs are counted against the queue from the moment its primary append is sent
 * (a reservation), so a request admitted never finds the queue full when its primary confirms.
 * A request with more secondaries than queue_capacity can never fit: under block and reject it
 * is rejected (logged once); under drop_oldest its own later jobs evict its earlier ones.
 *
 * Metrics: gauge "queue_depth" (waiting jobs, reported at the end of every callback that
 * changed it: a job a worker takes in the instant it is queued never raises it), observation
 * "queue_wait_us" (per job a worker takes: now minus its enqueue time), metric_latency for the
 * primary (request to reply) and for each secondary that confirms (now minus the primary's
 * confirmation: the replication lag), metric_result once per store per final outcome (primary
 * reply; secondary ok, given up with its last status, or RS_ERR_REJECTED when dropped), and the
 * counters "async_retries", "async_dropped", "async_rejected" (every client answered rejected),
 * "async_replication_failed" and "async_blocked" (requests that waited for admission), all
 * reported at 0 on the first client append so a report lists them.
 *
 * Requests live in a slab indexed by the primary append's tag (each slot owns a copy of the
 * events, which its jobs share, and is freed when its last job ends); a worker's appends carry
 * a tag of WORKER_TAG_BASE + worker index and its backoff timer the worker index; the queue is
 * a ring buffer grown by doubling up to queue_capacity; idle workers are a stack and held
 * requests a list threaded through the slab. Every callback is O(1) plus O(jobs it moves). */
#include "strategies/async_queue.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const on_full_choices[] = {"block", "reject", "drop_oldest", NULL};

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
};

_Static_assert(sizeof async_params / sizeof async_params[0] == RS_ASYNC_QUEUE_PARAM_COUNT,
               "one spec per parameter");

/* Tags of worker appends; primary appends use slab indices, below RS_IN_FLIGHT_MAX. */
#define WORKER_TAG_BASE (UINT64_C(1) << 32)
_Static_assert(RS_IN_FLIGHT_MAX < (1LL << 32), "slab indices stay below the worker tags");

/* The smallest ring buffer allocated; it doubles up to queue_capacity. */
#define QUEUE_ALLOCATED_MIN 64u

typedef enum async_phase {
    ASYNC_PHASE_FREE = 0,      /* slot unused, on the free list */
    ASYNC_PHASE_HELD,          /* waiting for admission (block), primary not written */
    ASYNC_PHASE_PRIMARY,       /* primary append in flight */
    ASYNC_PHASE_REPLICATING    /* acked; jobs_left jobs queued or held by workers */
} async_phase;

typedef struct async_request {
    uint64_t client_request;   /* handle to answer the client with */
    rs_event *events;          /* owned copy of the client's stream, kept across slot reuse */
    uint32_t event_count;      /* events in use, 1..RS_EVENTS_PER_APPEND_MAX */
    uint32_t event_capacity;   /* events allocated */
    int64_t primary_sent_us;   /* local time the primary append was sent */
    int64_t confirmed_us;      /* local time the primary confirmed: base of replication lag */
    uint32_t jobs_left;        /* jobs not finished yet (waiting, in flight, backing off) */
    uint32_t next;             /* free-list or admission-list link: index + 1; 0 = end */
    async_phase phase;         /* where the request is in its life */
} async_request;

typedef struct async_job {
    uint32_t request;          /* slab index of the request whose events it carries */
    uint32_t store;            /* the secondary to write (global store index) */
    int64_t enqueued_us;       /* local time it entered the queue */
} async_job;

typedef enum async_worker_phase {
    ASYNC_WORKER_IDLE = 0,     /* on the idle stack, holds no job */
    ASYNC_WORKER_APPENDING,    /* its job's append is in flight */
    ASYNC_WORKER_BACKING_OFF   /* waiting for its backoff timer before the next attempt */
} async_worker_phase;

typedef struct async_worker {
    async_job job;             /* the job it holds unless idle */
    async_worker_phase phase;  /* what it is doing */
    uint32_t retries;          /* retries made for this job so far, 0..max_retries */
    int64_t backoff_us;        /* wait before its next retry (already capped) */
    rs_timer_id timer;         /* backoff timer while backing off; 0 otherwise */
} async_worker;

typedef struct async_state {
    const rs_strategy_config *config;  /* targets; outlives the instance */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store append */
    int64_t backoff_initial_us;        /* wait before the first retry */
    int64_t backoff_max_us;            /* cap of the doubling wait */
    uint32_t max_retries;              /* retries per job before giving up */
    uint32_t on_full;                  /* RS_ASYNC_QUEUE_ON_FULL_* */
    uint32_t secondary_count;          /* target_count - 1: jobs per request */
    async_job *queue;                  /* ring buffer of waiting jobs, oldest at queue_head */
    uint32_t queue_capacity;           /* most waiting jobs (the parameter) */
    uint32_t queue_allocated;          /* ring slots allocated, <= queue_capacity */
    uint32_t queue_head;               /* ring index of the oldest waiting job */
    uint32_t queue_depth;              /* waiting jobs */
    uint32_t reserved;                 /* queue places promised to primaries in flight */
    async_worker *workers;             /* worker_count workers */
    uint32_t worker_count;             /* the parameter, 1..RS_ASYNC_QUEUE_WORKERS_MAX */
    uint32_t *idle;                    /* stack of idle worker indices, worker_count entries */
    uint32_t idle_count;               /* idle workers */
    async_request *slots;              /* slab of requests, indexed by primary tag */
    uint32_t slot_capacity;            /* allocated slots */
    uint32_t slot_used;                /* slots handed out at least once */
    uint32_t free_head;                /* first free slot + 1; 0 = none */
    uint32_t held_head;                /* oldest held request + 1; 0 = none */
    uint32_t held_tail;                /* newest held request + 1; 0 = none */
    uint32_t held_count;               /* requests waiting for admission */
    int64_t depth_reported;            /* last queue_depth gauge level; -1 before any */
    bool metrics_announced;            /* counters and gauge were reported at 0 */
    bool never_fits_logged;            /* the "more secondaries than queue_capacity" warning */
} async_state;

static int64_t async_ms_to_us(double milliseconds) {
    assert(milliseconds >= 0);
    assert(milliseconds <= RS_TIMEOUT_MS_MAX);
    return (int64_t)(milliseconds * 1000.0 + 0.5);
}

static void async_destroy(void *state) {
    async_state *async = state;
    assert(async != NULL);
    assert(async->slot_used <= async->slot_capacity);
    for (uint32_t i = 0; i < async->slot_used; i++) {
        free(async->slots[i].events);
    }
    free(async->slots);
    free(async->queue);
    free(async->workers);
    free(async->idle);
    free(async);
}

static void async_read_params(async_state *async, const double *params) {
    assert(async != NULL && params != NULL);
    async->timeout_us = async_ms_to_us(params[RS_ASYNC_QUEUE_PARAM_TIMEOUT_MS]);
    async->worker_count = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_WORKERS];
    async->queue_capacity = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY];
    async->on_full = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_ON_FULL];
    async->max_retries = (uint32_t)params[RS_ASYNC_QUEUE_PARAM_MAX_RETRIES];
    async->backoff_initial_us = async_ms_to_us(params[RS_ASYNC_QUEUE_PARAM_BACKOFF_INITIAL_MS]);
    async->backoff_max_us = async_ms_to_us(params[RS_ASYNC_QUEUE_PARAM_BACKOFF_MAX_MS]);
    assert(async->timeout_us > 0);
    assert(async->worker_count >= 1 && async->worker_count <= RS_ASYNC_QUEUE_WORKERS_MAX);
    assert(async->queue_capacity >= 1 && async->queue_capacity <= RS_IN_FLIGHT_MAX);
    assert(async->on_full <= RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST);
    assert(async->max_retries <= 100);
}

static void *async_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->params != NULL);
    assert(config->target_count >= 1 && config->targets != NULL);
    async_state *async = calloc(1, sizeof *async);
    if (async == NULL) {
        return NULL;
    }
    async->config = config;
    async->runtime = runtime;
    async->secondary_count = config->target_count - 1;
    async->depth_reported = -1;
    async_read_params(async, config->params);
    async->workers = calloc(async->worker_count, sizeof *async->workers);
    async->idle = calloc(async->worker_count, sizeof *async->idle);
    if (async->workers == NULL || async->idle == NULL) {
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
static int64_t async_slot_take(async_state *async) {
    if (async->free_head != 0) {
        uint32_t index = async->free_head - 1;
        assert(async->slots[index].phase == ASYNC_PHASE_FREE);
        async->free_head = async->slots[index].next;
        return index;
    }
    if (async->slot_used == async->slot_capacity) {
        if (async->slot_capacity >= RS_IN_FLIGHT_MAX) {
            return -1;
        }
        uint32_t capacity = async->slot_capacity == 0 ? 64 : async->slot_capacity * 2;
        async_request *slots = realloc(async->slots, capacity * sizeof *slots);
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

static void async_slot_release(async_state *async, uint32_t index) {
    assert(index < async->slot_used);
    assert(async->slots[index].jobs_left == 0);
    assert(async->slots[index].phase != ASYNC_PHASE_FREE);
    async->slots[index].phase = ASYNC_PHASE_FREE;
    async->slots[index].next = async->free_head;
    async->free_head = index + 1;
}

/* Copies `stream` into the slot's own buffer. Returns false when memory is out. */
static bool async_slot_copy(async_request *request, const rs_event_stream *stream) {
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

/* One job of request `index` has ended (ok, given up or dropped); frees the request with its
 * last one. */
static void async_job_end(async_state *async, uint32_t index) {
    assert(index < async->slot_used);
    async_request *request = &async->slots[index];
    assert(request->phase == ASYNC_PHASE_REPLICATING);
    assert(request->jobs_left > 0);
    request->jobs_left--;
    if (request->jobs_left == 0) {
        async_slot_release(async, index);
    }
}

/* Doubles the ring buffer (at most to queue_capacity), unwrapping it so the oldest job is at
 * index 0. O(depth), amortised O(1) per push. Returns false when memory is out. */
static bool async_queue_grow(async_state *async) {
    assert(async->queue_depth == async->queue_allocated);
    assert(async->queue_allocated < async->queue_capacity);
    uint32_t allocated = async->queue_allocated == 0 ? QUEUE_ALLOCATED_MIN
                                                     : async->queue_allocated * 2;
    allocated = allocated < async->queue_capacity ? allocated : async->queue_capacity;
    async_job *queue = malloc(allocated * sizeof *queue);
    if (queue == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < async->queue_depth; i++) {
        queue[i] = async->queue[(async->queue_head + i) % async->queue_allocated];
    }
    free(async->queue);
    async->queue = queue;
    async->queue_allocated = allocated;
    async->queue_head = 0;
    return true;
}

/* Takes the oldest waiting job out of the queue. */
static async_job async_queue_pop(async_state *async) {
    assert(async->queue_depth > 0);
    assert(async->queue_head < async->queue_allocated);
    async_job job = async->queue[async->queue_head];
    async->queue_head = (async->queue_head + 1) % async->queue_allocated;
    async->queue_depth--;
    return job;
}

/* Tells the world `job`'s secondary will never get its events from us. */
static void async_report_abandoned(async_state *async, async_job job) {
    const async_request *request = &async->slots[job.request];
    rs_event_stream events = {request->event_count, request->events};
    async->runtime.ops->report_abandoned(async->runtime.context, job.store, &events);
}

/* A job that will never be replicated: its secondary misses the events for good. */
static void async_job_drop(async_state *async, async_job job) {
    assert(job.request < async->slot_used);
    assert(job.store < async->config->store_count);
    const rs_runtime_ops *ops = async->runtime.ops;
    ops->metric_count(async->runtime.context, "async_dropped", 1);
    ops->metric_result(async->runtime.context, job.store, RS_ERR_REJECTED);
    async_report_abandoned(async, job);
    async_job_end(async, job.request);
}

/* Appends `job` to the queue, evicting the oldest waiting job when it is full (only
 * drop_oldest lets it be full: block and reject reserved the room before the primary). */
static void async_queue_push(async_state *async, async_job job) {
    assert(job.request < async->slot_used);
    assert(async->queue_depth <= async->queue_capacity);
    if (async->queue_depth == async->queue_capacity) {
        assert(async->on_full == RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST);
        async_job_drop(async, async_queue_pop(async));
    }
    if (async->queue_depth == async->queue_allocated && !async_queue_grow(async)) {
        async->runtime.ops->log(async->runtime.context, RS_LOG_ERROR,
                                "async_queue: out of memory growing the queue; job dropped");
        async_job_drop(async, job);
        return;
    }
    assert(async->queue_depth < async->queue_allocated);
    uint32_t tail = (async->queue_head + async->queue_depth) % async->queue_allocated;
    async->queue[tail] = job;
    async->queue_depth++;
}

/* Sends worker `index`'s job to its secondary (first attempt or a retry). */
static void async_worker_send(async_state *async, uint32_t index) {
    assert(index < async->worker_count);
    async_worker *worker = &async->workers[index];
    assert(worker->phase == ASYNC_WORKER_APPENDING);
    assert(worker->timer == 0);
    const async_request *request = &async->slots[worker->job.request];
    assert(request->phase == ASYNC_PHASE_REPLICATING);
    rs_event_stream stream = {request->event_count, request->events};
    async->runtime.ops->store_append(async->runtime.context, worker->job.store, &stream,
                                     async->timeout_us, WORKER_TAG_BASE + index);
}

/* Idle workers take the oldest waiting jobs, one each, until either runs out. */
static void async_dispatch(async_state *async) {
    assert(async->idle_count <= async->worker_count);
    assert(async->queue_depth <= async->queue_capacity);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    while (async->idle_count > 0 && async->queue_depth > 0) {
        uint32_t index = async->idle[--async->idle_count];
        async_worker *worker = &async->workers[index];
        assert(worker->phase == ASYNC_WORKER_IDLE);
        worker->job = async_queue_pop(async);
        worker->phase = ASYNC_WORKER_APPENDING;
        worker->retries = 0;
        worker->backoff_us = async->backoff_initial_us < async->backoff_max_us
                                 ? async->backoff_initial_us : async->backoff_max_us;
        int64_t now_us = ops->now_us(context);
        assert(now_us >= worker->job.enqueued_us);
        ops->metric_observe(context, "queue_wait_us", now_us - worker->job.enqueued_us);
        async_worker_send(async, index);
    }
}

/* Worker `index` is done with its job: back on the idle stack. */
static void async_worker_free(async_state *async, uint32_t index) {
    assert(index < async->worker_count);
    assert(async->idle_count < async->worker_count);
    async_worker *worker = &async->workers[index];
    assert(worker->phase == ASYNC_WORKER_APPENDING);
    async_job_end(async, worker->job.request);
    worker->phase = ASYNC_WORKER_IDLE;
    async->idle[async->idle_count++] = index;
}

/* Does a request's set of jobs fit in the queue next to what waits and what is reserved? */
static bool async_fits(const async_state *async) {
    assert(async->on_full != RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST);
    assert(async->queue_depth + async->reserved <= async->queue_capacity);
    return async->queue_depth + async->reserved + async->secondary_count <=
           async->queue_capacity;
}

/* Writes request `index` to the primary, reserving its jobs' room under block and reject. */
static void async_primary_send(async_state *async, uint32_t index) {
    assert(index < async->slot_used);
    async_request *request = &async->slots[index];
    assert(request->phase == ASYNC_PHASE_HELD || request->phase == ASYNC_PHASE_PRIMARY);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    if (async->on_full != RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST) {
        assert(async_fits(async));
        async->reserved += async->secondary_count;
    }
    request->phase = ASYNC_PHASE_PRIMARY;
    request->primary_sent_us = ops->now_us(context);
    rs_event_stream stream = {request->event_count, request->events};
    ops->store_append(context, async->config->targets[0], &stream, async->timeout_us, index);
}

/* Under block: admits held requests, oldest first, while their jobs fit. */
static void async_admit_held(async_state *async) {
    assert((async->held_head == 0) == (async->held_count == 0));
    assert(async->held_count == 0 || async->on_full == RS_ASYNC_QUEUE_ON_FULL_BLOCK);
    while (async->held_count > 0 && async_fits(async)) {
        uint32_t index = async->held_head - 1;
        assert(async->slots[index].phase == ASYNC_PHASE_HELD);
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
static void async_settle(async_state *async) {
    assert(async != NULL);
    async_dispatch(async);
    async_admit_held(async);
    assert(async->idle_count == 0 || async->queue_depth == 0);
    if ((int64_t)async->queue_depth != async->depth_reported) {
        async->runtime.ops->metric_gauge(async->runtime.context, "queue_depth",
                                         async->queue_depth);
        async->depth_reported = async->queue_depth;
    }
}

/* Reports every counter and the gauge at 0 once, so a report lists them even when unused. */
static void async_announce_metrics(async_state *async) {
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
}

static void async_reject(async_state *async, uint64_t client_request) {
    assert(async != NULL);
    const rs_runtime_ops *ops = async->runtime.ops;
    ops->metric_count(async->runtime.context, "async_rejected", 1);
    ops->ack_client(async->runtime.context, client_request, RS_ERR_REJECTED);
}

/* Under block and reject: is a request refused before anything is written? (it can never
 * fit, or reject finds no room) */
static bool async_refuses(async_state *async) {
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
static void async_hold(async_state *async, uint32_t index) {
    assert(async->on_full == RS_ASYNC_QUEUE_ON_FULL_BLOCK);
    assert(index < async->slot_used);
    async->slots[index].phase = ASYNC_PHASE_HELD;
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
    async_state *async = state;
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
    async_request *request = &async->slots[index];
    request->client_request = client_request;
    request->jobs_left = 0;
    request->phase = ASYNC_PHASE_PRIMARY;
    if (!async_slot_copy(request, stream)) {
        async_slot_release(async, (uint32_t)index);
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

/* The primary answered request `index`: ack the client with its status; on ok, queue one job
 * per secondary (each one offered to an idle worker before the next is queued). */
static void async_on_primary_reply(async_state *async, uint32_t index, uint32_t store,
                                   rs_status status) {
    assert(index < async->slot_used);
    assert(store == async->config->targets[0]);
    async_request *request = &async->slots[index];
    assert(request->phase == ASYNC_PHASE_PRIMARY);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    int64_t now_us = ops->now_us(context);
    if (async->on_full != RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST) {
        assert(async->reserved >= async->secondary_count);
        async->reserved -= async->secondary_count;
    }
    if (status == RS_OK) {
        ops->metric_latency(context, store, now_us - request->primary_sent_us);
    }
    ops->metric_result(context, store, status);
    ops->ack_client(context, request->client_request, status);
    if (status != RS_OK || async->secondary_count == 0) {
        async_slot_release(async, index);
        return;
    }
    request->phase = ASYNC_PHASE_REPLICATING;
    request->confirmed_us = now_us;
    request->jobs_left = async->secondary_count;
    for (uint32_t i = 1; i < async->config->target_count; i++) {
        async_queue_push(async, (async_job){index, async->config->targets[i], now_us});
        async_dispatch(async);
    }
}

/* Worker `index`'s append answered: done on ok; else retry after backoff or give up. */
static void async_on_worker_reply(async_state *async, uint32_t index, uint32_t store,
                                  rs_status status) {
    assert(index < async->worker_count);
    async_worker *worker = &async->workers[index];
    assert(worker->phase == ASYNC_WORKER_APPENDING);
    assert(store == worker->job.store);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    if (status == RS_OK) {
        int64_t lag_us = ops->now_us(context) - async->slots[worker->job.request].confirmed_us;
        ops->metric_latency(context, store, lag_us);
        ops->metric_result(context, store, RS_OK);
        async_worker_free(async, index);
        return;
    }
    if (worker->retries < async->max_retries) {
        worker->retries++;
        ops->metric_count(context, "async_retries", 1);
        worker->phase = ASYNC_WORKER_BACKING_OFF;
        worker->timer = ops->timer_set(context, worker->backoff_us, index);
        assert(worker->timer != 0);
        int64_t doubled_us = worker->backoff_us * 2;
        worker->backoff_us = doubled_us < async->backoff_max_us ? doubled_us
                                                                : async->backoff_max_us;
        return;
    }
    ops->metric_count(context, "async_replication_failed", 1);
    ops->metric_result(context, store, status);
    async_report_abandoned(async, worker->job);
    async_worker_free(async, index);
}

static void async_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    async_state *async = state;
    assert(async != NULL);
    assert(status < RS_STATUS_COUNT);
    if (tag >= WORKER_TAG_BASE) {
        async_on_worker_reply(async, (uint32_t)(tag - WORKER_TAG_BASE), store, status);
    } else {
        async_on_primary_reply(async, (uint32_t)tag, store, status);
    }
    async_settle(async);
}

static void async_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    async_state *async = state;
    assert(async != NULL);
    assert(tag < async->worker_count);
    async_worker *worker = &async->workers[tag];
    assert(worker->phase == ASYNC_WORKER_BACKING_OFF);
    assert(timer != 0 && timer == worker->timer);   /* backoff timers are never cancelled */
    worker->timer = 0;
    worker->phase = ASYNC_WORKER_APPENDING;
    async_worker_send(async, (uint32_t)tag);
}

static const rs_strategy_ops async_ops = {
    async_create, async_destroy, async_on_client_append, async_on_store_reply,
    async_on_timer, NULL, NULL, NULL, NULL,
};

const rs_component rs_async_queue_component = {
    RS_COMPONENT_STRATEGY, "async_queue",
    "write the primary (first target) and ack the client; workers then copy the events to the "
    "other targets from a bounded FIFO queue, with retries and exponential backoff; the "
    "consistency policy's write quorum does not apply (use quorum with write_quorum 1)",
    async_params, sizeof async_params / sizeof async_params[0], &async_ops,
};
