/* adaptive_port.c — the runtime each sub-strategy hosted by the adaptive strategy sees
 * (adaptive_internal.h): every call goes on to the adaptive instance's own runtime; store
 * requests and timers get the sub-strategy in their tag's two top bits so replies and timers
 * come back to it, store appends count as in flight until their reply, and the latencies and
 * results the sub-strategy reports also enter the monitor's windows, as does the last
 * "queue_depth" gauge it sets. O(1) per call. */
#include <assert.h>
#include <string.h>

#include "strategies/adaptive_internal.h"

#define OWNER_SHIFT RS__ADAPTIVE_OWNER_SHIFT

static rs__adaptive_sub *sub_of(void *context) {
    rs__adaptive_sub *sub = context;
    assert(sub != NULL && sub->owner != NULL);
    assert(sub->index <= 1);
    return sub;
}

#define PARENT(sub) ((sub)->owner->runtime)

static int64_t sub_now_us(void *context) {
    rs__adaptive_sub *sub = sub_of(context);
    return PARENT(sub).ops->now_us(PARENT(sub).context);
}

static uint64_t sub_random_u64(void *context) {
    rs__adaptive_sub *sub = sub_of(context);
    return PARENT(sub).ops->random_u64(PARENT(sub).context);
}

static void sub_store_append(void *context, uint32_t store, const rs_event_stream *stream,
                             int64_t timeout_us, uint64_t tag) {
    rs__adaptive_sub *sub = sub_of(context);
    assert((tag >> OWNER_SHIFT) == 0 && "sub-strategy tags leave the top two bits free");
    sub->owner->in_flight++;
    PARENT(sub).ops->store_append(PARENT(sub).context, store, stream, timeout_us,
                                  tag | (sub->index << OWNER_SHIFT));
}

static rs_timer_id sub_timer_set(void *context, int64_t delay_us, uint64_t tag) {
    rs__adaptive_sub *sub = sub_of(context);
    assert((tag >> OWNER_SHIFT) == 0 && "sub-strategy tags leave the top two bits free");
    return PARENT(sub).ops->timer_set(PARENT(sub).context, delay_us,
                                      tag | (sub->index << OWNER_SHIFT));
}

static void sub_timer_cancel(void *context, rs_timer_id timer) {
    rs__adaptive_sub *sub = sub_of(context);
    PARENT(sub).ops->timer_cancel(PARENT(sub).context, timer);
}

static void sub_ack_client(void *context, uint64_t client_request, rs_status status) {
    rs__adaptive_sub *sub = sub_of(context);
    PARENT(sub).ops->ack_client(PARENT(sub).context, client_request, status);
}

static int sub_store_healthy(void *context, uint32_t store) {
    rs__adaptive_sub *sub = sub_of(context);
    return PARENT(sub).ops->store_healthy(PARENT(sub).context, store);
}

static void sub_metric_latency(void *context, uint32_t store, int64_t latency_us) {
    rs__adaptive_sub *sub = sub_of(context);
    rs_runtime parent = PARENT(sub);
    parent.ops->metric_latency(parent.context, store, latency_us);
    int64_t now_us = parent.ops->now_us(parent.context);
    rs__adaptive_window_push(&sub->owner->latencies, now_us, latency_us);
}

static void sub_metric_result(void *context, uint32_t store, rs_status status) {
    rs__adaptive_sub *sub = sub_of(context);
    rs_runtime parent = PARENT(sub);
    parent.ops->metric_result(parent.context, store, status);
    int64_t now_us = parent.ops->now_us(parent.context);
    rs__adaptive_window_push(&sub->owner->results, now_us, status != RS_OK);
}

static void sub_metric_count(void *context, const char *name, int64_t delta) {
    rs__adaptive_sub *sub = sub_of(context);
    PARENT(sub).ops->metric_count(PARENT(sub).context, name, delta);
}

static void sub_metric_observe(void *context, const char *name, int64_t value) {
    rs__adaptive_sub *sub = sub_of(context);
    PARENT(sub).ops->metric_observe(PARENT(sub).context, name, value);
}

static void sub_metric_gauge(void *context, const char *name, int64_t level) {
    rs__adaptive_sub *sub = sub_of(context);
    if (strcmp(name, "queue_depth") == 0) {
        sub->queue_depth = level;
    }
    PARENT(sub).ops->metric_gauge(PARENT(sub).context, name, level);
}

static void sub_log(void *context, rs_log_level level, const char *message) {
    rs__adaptive_sub *sub = sub_of(context);
    PARENT(sub).ops->log(PARENT(sub).context, level, message);
}

static void sub_store_digest(void *context, uint32_t store, rs_stream_id from_stream,
                             int64_t timeout_us, uint64_t tag) {
    rs__adaptive_sub *sub = sub_of(context);
    assert((tag >> OWNER_SHIFT) == 0 && "sub-strategy tags leave the top two bits free");
    PARENT(sub).ops->store_digest(PARENT(sub).context, store, from_stream, timeout_us,
                                  tag | (sub->index << OWNER_SHIFT));
}

static void sub_store_read(void *context, uint32_t store, rs_stream_id stream,
                           uint32_t from_version, int64_t timeout_us, uint64_t tag) {
    rs__adaptive_sub *sub = sub_of(context);
    assert((tag >> OWNER_SHIFT) == 0 && "sub-strategy tags leave the top two bits free");
    PARENT(sub).ops->store_read(PARENT(sub).context, store, stream, from_version, timeout_us,
                                tag | (sub->index << OWNER_SHIFT));
}

const rs_runtime_ops rs__adaptive_sub_port = {
    .now_us = sub_now_us, .random_u64 = sub_random_u64, .store_append = sub_store_append,
    .timer_set = sub_timer_set, .timer_cancel = sub_timer_cancel,
    .ack_client = sub_ack_client, .store_healthy = sub_store_healthy,
    .metric_latency = sub_metric_latency, .metric_result = sub_metric_result,
    .metric_count = sub_metric_count, .metric_observe = sub_metric_observe,
    .metric_gauge = sub_metric_gauge, .log = sub_log, .store_digest = sub_store_digest,
    .store_read = sub_store_read,
};
