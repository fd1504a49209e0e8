/* async_queue_jobs.c — the replication side of async_queue (see async_queue.c for the whole
 * strategy): the bounded FIFO of replication jobs (one per secondary per acknowledged request)
 * and the workers draining it. A worker appends its job's events to its secondary and, on an
 * error or timeout, retries the same job after backoff_initial_ms, doubling each time up to
 * backoff_max_ms, at most max_retries times, then gives the job up and reports the copy
 * abandoned. A worker is busy while its append is in flight or while it backs off. The queue
 * is a ring buffer grown by doubling up to queue_capacity (oldest at queue_head); idle workers
 * are a stack; a worker's appends carry the tag RS__ASYNC_WORKER_TAG_BASE + its index and its
 * backoff timer its index. Every call is O(1) plus O(jobs it moves). */
#include "strategies/async_queue_internal.h"

#include <assert.h>
#include <stdlib.h>

/* The smallest ring buffer allocated; it doubles up to queue_capacity. */
#define QUEUE_ALLOCATED_MIN 64u

/* One job of request `index` has ended (ok, given up or dropped); frees the request with its
 * last one. */
static void async_job_end(rs__async_state *async, uint32_t index) {
    assert(index < async->slot_used);
    rs__async_request *request = &async->slots[index];
    assert(request->phase == RS__ASYNC_PHASE_REPLICATING);
    assert(request->jobs_left > 0);
    request->jobs_left--;
    if (request->jobs_left == 0) {
        rs__async_slot_release(async, index);
    }
}

/* Doubles the ring buffer (at most to queue_capacity), unwrapping it so the oldest job is at
 * index 0. O(depth), amortised O(1) per push. Returns false when memory is out. */
static bool async_queue_grow(rs__async_state *async) {
    assert(async->queue_depth == async->queue_allocated);
    assert(async->queue_allocated < async->queue_capacity);
    uint32_t allocated = async->queue_allocated == 0 ? QUEUE_ALLOCATED_MIN
                                                     : async->queue_allocated * 2;
    allocated = allocated < async->queue_capacity ? allocated : async->queue_capacity;
    rs__async_job *queue = malloc(allocated * sizeof *queue);
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
static rs__async_job async_queue_pop(rs__async_state *async) {
    assert(async->queue_depth > 0);
    assert(async->queue_head < async->queue_allocated);
    rs__async_job job = async->queue[async->queue_head];
    async->queue_head = (async->queue_head + 1) % async->queue_allocated;
    async->queue_depth--;
    return job;
}

/* Tells the world `job`'s secondary will never get its events from us. */
static void async_report_abandoned(rs__async_state *async, rs__async_job job) {
    const rs__async_request *request = &async->slots[job.request];
    rs_event_stream events = {request->event_count, request->events};
    async->runtime.ops->report_abandoned(async->runtime.context, job.store, &events);
}

/* A job that will never be replicated: its secondary misses the events for good. */
static void async_job_drop(rs__async_state *async, rs__async_job job) {
    assert(job.request < async->slot_used);
    assert(job.store < async->config->store_count);
    const rs_runtime_ops *ops = async->runtime.ops;
    ops->metric_count(async->runtime.context, "async_dropped", 1);
    ops->metric_result(async->runtime.context, job.store, RS_ERR_REJECTED);
    async_report_abandoned(async, job);
    async_job_end(async, job.request);
}

void rs__async_queue_push(rs__async_state *async, rs__async_job job) {
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
static void async_worker_send(rs__async_state *async, uint32_t index) {
    assert(index < async->worker_count);
    rs__async_worker *worker = &async->workers[index];
    assert(worker->phase == RS__ASYNC_WORKER_APPENDING);
    assert(worker->timer == 0);
    const rs__async_request *request = &async->slots[worker->job.request];
    assert(request->phase == RS__ASYNC_PHASE_REPLICATING);
    rs_event_stream stream = {request->event_count, request->events};
    async->runtime.ops->store_append(async->runtime.context, worker->job.store, &stream,
                                     async->timeout_us, RS__ASYNC_WORKER_TAG_BASE + index);
}

void rs__async_dispatch(rs__async_state *async) {
    assert(async->idle_count <= async->worker_count);
    assert(async->queue_depth <= async->queue_capacity);
    const rs_runtime_ops *ops = async->runtime.ops;
    void *context = async->runtime.context;
    while (async->idle_count > 0 && async->queue_depth > 0) {
        uint32_t index = async->idle[--async->idle_count];
        rs__async_worker *worker = &async->workers[index];
        assert(worker->phase == RS__ASYNC_WORKER_IDLE);
        worker->job = async_queue_pop(async);
        worker->phase = RS__ASYNC_WORKER_APPENDING;
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
static void async_worker_free(rs__async_state *async, uint32_t index) {
    assert(index < async->worker_count);
    assert(async->idle_count < async->worker_count);
    rs__async_worker *worker = &async->workers[index];
    assert(worker->phase == RS__ASYNC_WORKER_APPENDING);
    async_job_end(async, worker->job.request);
    worker->phase = RS__ASYNC_WORKER_IDLE;
    async->idle[async->idle_count++] = index;
}

void rs__async_on_worker_reply(rs__async_state *async, uint32_t index, uint32_t store,
                               rs_status status) {
    assert(index < async->worker_count);
    rs__async_worker *worker = &async->workers[index];
    assert(worker->phase == RS__ASYNC_WORKER_APPENDING);
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
        worker->phase = RS__ASYNC_WORKER_BACKING_OFF;
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

void rs__async_on_backoff_timer(rs__async_state *async, rs_timer_id timer, uint32_t index) {
    assert(async != NULL);
    assert(index < async->worker_count);
    rs__async_worker *worker = &async->workers[index];
    assert(worker->phase == RS__ASYNC_WORKER_BACKING_OFF);
    assert(timer != 0 && timer == worker->timer);   /* backoff timers are never cancelled */
    worker->timer = 0;
    worker->phase = RS__ASYNC_WORKER_APPENDING;
    async_worker_send(async, index);
}
