/* test_async_queue.c — pins the async_queue strategy (primary first, then a bounded queue of
 * replication jobs drained by workers) by driving it through the fake runtime (no SimGrid):
 * each test fixes the order and time of store replies and asserts the exact acks, the exact
 * store and time of every append, the backoff timers, and the named metrics reported. A thin
 * wrapper around the fake's port also records the order of acks and appends in one string. */
#include <stdlib.h>
#include <string.h>

#include "strategies/async_queue.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;
static double params[RS_ASYNC_QUEUE_PARAM_COUNT];

/* --- set-up ------------------------------------------------------------------------------- */

/* Default parameter values, which a test then changes before start(). */
static void params_default(void) {
    for (size_t i = 0; i < RS_ASYNC_QUEUE_PARAM_COUNT; i++) {
        params[i] = rs_async_queue_component.params[i].default_value;
    }
}

static void *start(uint32_t targets) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_async_queue_component.ops;
    void *state = ops->create(rs_fake_config(&rs_async_queue_component, params, targets, 1),
                              runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
    params_default();
}

/* Client request `client_request` appends one event whose id is 1000 + client_request. */
static void append_one(void *state, uint64_t client_request) {
    rs_event event = {.id = 1000 + client_request, .stream = 1, .version = 1, .size_bytes = 512};
    rs_event_stream stream = {1, &event};
    ops->on_client_append(state, client_request, &stream);
}

static int64_t counter(const char *name) { return rs_fake_metric_get(fake, name).counter; }

static bool metric_reported(const char *name) {
    for (uint32_t i = 0; i < fake->metric_count; i++) {
        if (strcmp(fake->metrics[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Asserts append number `index` went to `store` at `at_us` carrying request's event. */
static void check_append(uint32_t index, uint32_t store, int64_t at_us, uint64_t request) {
    CU_ASSERT_FATAL(index < fake->append_count);
    CU_ASSERT_EQUAL(fake->appends[index].store, store);
    CU_ASSERT_EQUAL(fake->appends[index].at_us, at_us);
    CU_ASSERT_EQUAL(fake->appends[index].first_event, 1000 + request);
    int64_t timeout_us = (int64_t)params[RS_ASYNC_QUEUE_PARAM_TIMEOUT_MS] * MS;
    CU_ASSERT_EQUAL(fake->appends[index].timeout_us, timeout_us);
}

static void check_ack(uint32_t index, uint64_t request, rs_status status, int64_t at_us) {
    CU_ASSERT_FATAL(index < fake->ack_count);
    CU_ASSERT_EQUAL(fake->acks[index].client_request, request);
    CU_ASSERT_EQUAL(fake->acks[index].status, status);
    CU_ASSERT_EQUAL(fake->acks[index].at_us, at_us);
}

/* --- tests -------------------------------------------------------------------------------- */

static void test_registered_with_documented_defaults(void) {
    const rs_component *found = rs_component_find(RS_COMPONENT_STRATEGY, "async_queue");
    CU_ASSERT_PTR_EQUAL(found, &rs_async_queue_component);
    CU_ASSERT_EQUAL(rs_async_queue_component.param_count, RS_ASYNC_QUEUE_PARAM_COUNT);
    const char *names[] = {"timeout_ms",  "workers",           "queue_capacity",
                           "on_full",     "max_retries",       "backoff_initial_ms",
                           "backoff_max_ms", "primary"};
    const double defaults[] = {500, 4, 10000, 0, 5, 10, 1000, 0};
    CU_ASSERT_EQUAL_FATAL(sizeof names / sizeof names[0], RS_ASYNC_QUEUE_PARAM_COUNT);
    for (size_t i = 0; i < RS_ASYNC_QUEUE_PARAM_COUNT; i++) {
        CU_ASSERT_STRING_EQUAL(rs_async_queue_component.params[i].name, names[i]);
        CU_ASSERT_EQUAL(rs_async_queue_component.params[i].default_value, defaults[i]);
    }
    const rs_param_spec *on_full = &rs_async_queue_component.params[RS_ASYNC_QUEUE_PARAM_ON_FULL];
    CU_ASSERT_STRING_EQUAL(on_full->choices[RS_ASYNC_QUEUE_ON_FULL_BLOCK], "block");
    CU_ASSERT_STRING_EQUAL(on_full->choices[RS_ASYNC_QUEUE_ON_FULL_REJECT], "reject");
    CU_ASSERT_STRING_EQUAL(on_full->choices[RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST], "drop_oldest");
    CU_ASSERT_PTR_NULL(on_full->choices[3]);
    const rs_param_spec *primary = &rs_async_queue_component.params[RS_ASYNC_QUEUE_PARAM_PRIMARY];
    CU_ASSERT_EQUAL(primary->type, RS_PARAM_ENUM);
    CU_ASSERT_STRING_EQUAL(primary->choices[RS_ASYNC_QUEUE_PRIMARY_FIRST], "first");
    CU_ASSERT_STRING_EQUAL(primary->choices[RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION], "local_region");
    CU_ASSERT_PTR_NULL(primary->choices[2]);
    CU_ASSERT_EQUAL(rs_async_queue_component.params[RS_ASYNC_QUEUE_PARAM_WORKERS].max_value,
                    1024);
    CU_ASSERT_EQUAL(
        rs_async_queue_component.params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY].max_value,
        RS_IN_FLIGHT_MAX);
}

/* The client hears at the primary's reply, before any secondary is written; then the workers
 * append the (copied) events to every secondary at that same instant, lag measured from it. */
static void test_ack_at_primary_then_workers_append(void) {
    void *state = start(3);
    fake->now_us = 5 * MS;
    rs_event event = {.id = 1100, .stream = 1, .version = 1, .size_bytes = 512};
    rs_event_stream stream = {1, &event};
    ops->on_client_append(state, 100, &stream);
    event.id = 99;   /* the stream was only borrowed: the strategy must have copied it */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 1);
    check_append(0, 0, 5 * MS, 100);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 0, 6 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    check_ack(0, 100, RS_OK, 6 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(1, 1, 6 * MS, 100);
    check_append(2, 2, 6 * MS, 100);
    CU_ASSERT_STRING_EQUAL(fake->call_order, "SASS");
    CU_ASSERT_EQUAL(fake->results[0][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->last_latency_us[0], 1 * MS);
    rs_fake_reply(fake, ops, state, 1, 46 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 2, 81 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 40 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 75 * MS);
    CU_ASSERT_EQUAL(fake->results[1][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(fake->timer_count, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_wait_us").observations, 2);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_wait_us").observation_sum, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge_max, 0);
    stop(state);
}

/* One worker: jobs leave the queue one at a time, oldest first, each exactly when the previous
 * reply arrives; the depth gauge and the waits are exact. */
static void test_one_worker_drains_in_fifo_order(void) {
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    void *state = start(3);
    append_one(state, 1);
    append_one(state, 2);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    rs_fake_reply(fake, ops, state, 0, 2 * MS, RS_OK);   /* jobs (1,s1) (1,s2) */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(2, 1, 2 * MS, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge, 1);
    rs_fake_reply(fake, ops, state, 1, 3 * MS, RS_OK);   /* jobs (2,s1) (2,s2) */
    CU_ASSERT_EQUAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge, 3);
    check_ack(0, 1, RS_OK, 2 * MS);
    check_ack(1, 2, RS_OK, 3 * MS);
    rs_fake_reply(fake, ops, state, 2, 50 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 2, 50 * MS, 1);
    rs_fake_reply(fake, ops, state, 3, 90 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    check_append(4, 1, 90 * MS, 2);
    rs_fake_reply(fake, ops, state, 4, 130 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    check_append(5, 2, 130 * MS, 2);
    rs_fake_reply(fake, ops, state, 5, 170 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->append_count, 6);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 167 * MS);   /* 170 - request 2's 3 ms */
    rs_fake_metric depth = rs_fake_metric_get(fake, "queue_depth");
    CU_ASSERT_EQUAL(depth.gauge_max, 3);
    CU_ASSERT_EQUAL(depth.gauge, 0);
    rs_fake_metric wait = rs_fake_metric_get(fake, "queue_wait_us");
    CU_ASSERT_EQUAL(wait.observations, 4);
    CU_ASSERT_EQUAL(wait.observation_sum, (0 + 48 + 87 + 127) * MS);
    CU_ASSERT_EQUAL(wait.last_observation, 127 * MS);
    CU_ASSERT_STRING_EQUAL(fake->call_order, "SSASASSS");
    stop(state);
}

/* Fails 3 times, then succeeds: retries after 10, 20, 40 ms counted from each failed reply; the
 * worker stays busy while backing off, so the next job waits for it. */
static void test_retry_with_doubling_backoff(void) {
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    void *state = start(3);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_append(1, 1, 1 * MS, 1);
    rs_fake_reply(fake, ops, state, 1, 11 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL_FATAL(fake->timer_count, 1);
    CU_ASSERT_EQUAL(fake->timers[0].due_us, 21 * MS);
    rs_fake_advance(fake, ops, state, 21 * MS - 1);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    rs_fake_advance(fake, ops, state, 21 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(2, 1, 21 * MS, 1);
    rs_fake_reply(fake, ops, state, 2, 521 * MS, RS_ERR_TIMEOUT);
    rs_fake_advance(fake, ops, state, 541 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 1, 541 * MS, 1);
    rs_fake_reply(fake, ops, state, 3, 545 * MS, RS_ERR_STORE);
    rs_fake_advance(fake, ops, state, 585 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    check_append(4, 1, 585 * MS, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge, 1);   /* s2 still waits */
    rs_fake_reply(fake, ops, state, 4, 600 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 599 * MS);
    CU_ASSERT_EQUAL(fake->results[1][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_STORE], 0);     /* only the final outcome */
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_TIMEOUT], 0);
    CU_ASSERT_EQUAL(counter("async_retries"), 3);
    CU_ASSERT_EQUAL(counter("async_replication_failed"), 0);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    check_append(5, 2, 600 * MS, 1);
    rs_fake_metric wait = rs_fake_metric_get(fake, "queue_wait_us");
    CU_ASSERT_EQUAL(wait.observations, 2);
    CU_ASSERT_EQUAL(wait.last_observation, 599 * MS);
    CU_ASSERT_EQUAL(fake->timer_count, 3);
    stop(state);
}

/* Always failing with the defaults: attempts at 1, 12, 33, 74, 155, 316 ms (waits 10..160),
 * then the job is given up with the last status; the worker is free again at once. */
static void test_give_up_after_max_retries(void) {
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    void *state = start(2);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);
    const int64_t send_ms[] = {1, 12, 33, 74, 155, 316};
    for (uint32_t i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL_FATAL(fake->append_count, 2 + i);
        check_append(1 + i, 1, send_ms[i] * MS, 1);
        rs_status status = i == 5 ? RS_ERR_TIMEOUT : RS_ERR_STORE;
        rs_fake_reply(fake, ops, state, 1 + i, (send_ms[i] + 1) * MS, status);
        if (i < 5) {
            CU_ASSERT_EQUAL(counter("async_replication_failed"), 0);
            rs_fake_advance(fake, ops, state, send_ms[i + 1] * MS);
        }
    }
    CU_ASSERT_EQUAL(counter("async_retries"), 5);
    CU_ASSERT_EQUAL(counter("async_replication_failed"), 1);
    CU_ASSERT_EQUAL(fake->abandoned_count, 1);             /* the given-up job, reported */
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_TIMEOUT], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_STORE], 0);
    CU_ASSERT_EQUAL(fake->results[1][RS_OK], 0);
    rs_fake_advance(fake, ops, state, 10000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 7);
    CU_ASSERT_EQUAL(fake->timer_count, 5);
    append_one(state, 2);
    rs_fake_reply(fake, ops, state, 7, 10001 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 9);
    check_append(8, 1, 10001 * MS, 2);
    stop(state);
}

/* The doubling wait is capped by backoff_max_ms, also when the initial wait exceeds it. */
static void test_backoff_cap(void) {
    params[RS_ASYNC_QUEUE_PARAM_MAX_RETRIES] = 2;
    params[RS_ASYNC_QUEUE_PARAM_BACKOFF_MAX_MS] = 15;
    void *state = start(2);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 2 * MS, RS_ERR_STORE);      /* wait 10 */
    rs_fake_advance(fake, ops, state, 12 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(2, 1, 12 * MS, 1);
    rs_fake_reply(fake, ops, state, 2, 13 * MS, RS_ERR_STORE);     /* wait min(20, 15) */
    rs_fake_advance(fake, ops, state, 28 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 1, 28 * MS, 1);
    rs_fake_reply(fake, ops, state, 3, 29 * MS, RS_ERR_STORE);     /* given up */
    rs_fake_advance(fake, ops, state, 1000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 4);
    CU_ASSERT_EQUAL(fake->timer_count, 2);
    CU_ASSERT_EQUAL(counter("async_retries"), 2);
    CU_ASSERT_EQUAL(counter("async_replication_failed"), 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_STORE], 1);
    stop(state);
    params[RS_ASYNC_QUEUE_PARAM_BACKOFF_INITIAL_MS] = 50;
    params[RS_ASYNC_QUEUE_PARAM_BACKOFF_MAX_MS] = 30;
    state = start(2);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 2 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL_FATAL(fake->timer_count, 1);
    CU_ASSERT_EQUAL(fake->timers[0].due_us, 32 * MS);
    stop(state);
}

/* A failed primary: the client gets that very status and nothing is queued. */
static void test_primary_failure_answers_its_status(void) {
    void *state = start(3);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 500 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    check_ack(0, 1, RS_ERR_TIMEOUT, 500 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 1);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_TIMEOUT], 1);
    fake->now_us = 600 * MS;
    append_one(state, 2);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_append(1, 0, 600 * MS, 2);
    CU_ASSERT_EQUAL(fake->appends[1].tag, fake->appends[0].tag);   /* its slot was freed */
    rs_fake_reply(fake, ops, state, 1, 601 * MS, RS_ERR_STORE);
    check_ack(1, 2, RS_ERR_STORE, 601 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_STORE], 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_wait_us").observations, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge_max, 0);
    stop(state);
}

/* block, capacity 2, two secondaries, one worker: request 2 is held unwritten until the
 * queue (counting request 1's reserved jobs) has room for both of its jobs. */
static void test_block_holds_request_until_room(void) {
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 2;
    void *state = start(3);
    append_one(state, 1);
    fake->now_us = 1 * MS;
    append_one(state, 2);
    CU_ASSERT_EQUAL(fake->append_count, 1);        /* reserved by request 1: no room */
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    CU_ASSERT_EQUAL(counter("async_blocked"), 1);
    rs_fake_reply(fake, ops, state, 0, 2 * MS, RS_OK);
    check_ack(0, 1, RS_OK, 2 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);   /* (1,s1) taken; (1,s2) leaves 1 place */
    check_append(1, 1, 2 * MS, 1);
    rs_fake_reply(fake, ops, state, 1, 40 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(2, 2, 40 * MS, 1);
    check_append(3, 0, 40 * MS, 2);                 /* admitted: its primary, at last */
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    rs_fake_reply(fake, ops, state, 3, 41 * MS, RS_OK);
    check_ack(1, 2, RS_OK, 41 * MS);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge, 2);
    fake->now_us = 42 * MS;
    append_one(state, 3);                           /* full: held */
    CU_ASSERT_EQUAL(fake->append_count, 4);
    CU_ASSERT_EQUAL(counter("async_blocked"), 2);
    CU_ASSERT_EQUAL(counter("async_rejected"), 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge_max, 2);
    stop(state);
}

/* reject, capacity 2: a request whose jobs do not fit is answered rejected at once and
 * nothing is written; once there is room again the next one is written. */
static void test_reject_answers_at_once(void) {
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 2;
    params[RS_ASYNC_QUEUE_PARAM_ON_FULL] = RS_ASYNC_QUEUE_ON_FULL_REJECT;
    void *state = start(3);
    append_one(state, 1);
    fake->now_us = 1 * MS;
    append_one(state, 2);
    CU_ASSERT_EQUAL(fake->append_count, 1);
    check_ack(0, 2, RS_ERR_REJECTED, 1 * MS);
    CU_ASSERT_EQUAL(counter("async_rejected"), 1);
    rs_fake_reply(fake, ops, state, 0, 2 * MS, RS_OK);
    check_ack(1, 1, RS_OK, 2 * MS);
    fake->now_us = 3 * MS;
    append_one(state, 3);                           /* one place free, two needed */
    CU_ASSERT_EQUAL(fake->append_count, 2);
    check_ack(2, 3, RS_ERR_REJECTED, 3 * MS);
    CU_ASSERT_EQUAL(counter("async_rejected"), 2);
    rs_fake_reply(fake, ops, state, 1, 40 * MS, RS_OK);
    fake->now_us = 41 * MS;
    append_one(state, 4);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 0, 41 * MS, 4);
    CU_ASSERT_EQUAL(fake->ack_count, 3);
    CU_ASSERT_EQUAL(counter("async_blocked"), 0);
    CU_ASSERT_EQUAL(counter("async_dropped"), 0);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_REJECTED], 0);
    stop(state);
}

/* drop_oldest, capacity 2: requests are never held; the oldest waiting jobs are evicted, each
 * counted and reported as rejected for the secondary that misses it. */
static void test_drop_oldest_evicts_and_counts(void) {
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 2;
    params[RS_ASYNC_QUEUE_PARAM_ON_FULL] = RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST;
    void *state = start(3);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 5 * MS, RS_OK);     /* (1,s1) taken; (1,s2) waits */
    fake->now_us = 6 * MS;
    append_one(state, 2);
    append_one(state, 3);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);          /* both primaries at once */
    check_append(2, 0, 6 * MS, 2);
    check_append(3, 0, 6 * MS, 3);
    rs_fake_reply(fake, ops, state, 2, 7 * MS, RS_OK);     /* (2,s2) evicts (1,s2) */
    CU_ASSERT_EQUAL(counter("async_dropped"), 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 1);
    rs_fake_reply(fake, ops, state, 3, 8 * MS, RS_OK);     /* evicts (2,s1) then (2,s2) */
    CU_ASSERT_EQUAL(counter("async_dropped"), 3);
    CU_ASSERT_EQUAL(fake->abandoned_count, 3);             /* each dropped job reported */
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_REJECTED], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 2);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 3);
    check_ack(2, 3, RS_OK, 8 * MS);
    rs_fake_reply(fake, ops, state, 1, 80 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    check_append(4, 1, 80 * MS, 3);
    rs_fake_reply(fake, ops, state, 4, 120 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    check_append(5, 2, 120 * MS, 3);
    rs_fake_reply(fake, ops, state, 5, 160 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->append_count, 6);
    rs_fake_metric wait = rs_fake_metric_get(fake, "queue_wait_us");
    CU_ASSERT_EQUAL(wait.observations, 3);
    CU_ASSERT_EQUAL(wait.observation_sum, (0 + 72 + 112) * MS);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge_max, 2);
    CU_ASSERT_EQUAL(counter("async_blocked"), 0);
    CU_ASSERT_EQUAL(counter("async_rejected"), 0);
    stop(state);
}

/* More secondaries than queue_capacity never fit: block and reject refuse at once. */
static void test_never_fitting_request_is_rejected(void) {
    const double policies[] = {RS_ASYNC_QUEUE_ON_FULL_BLOCK, RS_ASYNC_QUEUE_ON_FULL_REJECT};
    for (size_t i = 0; i < 2; i++) {
        params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 1;
        params[RS_ASYNC_QUEUE_PARAM_ON_FULL] = policies[i];
        void *state = start(3);
        fake->now_us = 3 * MS;
        append_one(state, 1);
        CU_ASSERT_EQUAL(fake->append_count, 0);
        check_ack(0, 1, RS_ERR_REJECTED, 3 * MS);
        CU_ASSERT_EQUAL(counter("async_rejected"), 1);
        CU_ASSERT_EQUAL(counter("async_blocked"), 0);
        stop(state);
    }
}

/* drop_oldest with more secondaries than queue_capacity (1): an idle worker takes each job as
 * it is queued, so with two idle workers nothing is dropped; with the only worker busy, the
 * request's second job evicts its first. */
static void test_drop_oldest_offers_each_job_to_idle_workers(void) {
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 1;
    params[RS_ASYNC_QUEUE_PARAM_ON_FULL] = RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST;
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 2;
    void *state = start(3);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(1, 1, 1 * MS, 1);
    check_append(2, 2, 1 * MS, 1);
    CU_ASSERT_EQUAL(counter("async_dropped"), 0);
    stop(state);
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 1;
    params[RS_ASYNC_QUEUE_PARAM_ON_FULL] = RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST;
    params[RS_ASYNC_QUEUE_PARAM_WORKERS] = 1;
    state = start(3);
    append_one(state, 1);
    append_one(state, 2);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);     /* (1,s1) taken, (1,s2) waits */
    rs_fake_reply(fake, ops, state, 1, 2 * MS, RS_OK);     /* (2,s1) evicts (1,s2), and so on */
    CU_ASSERT_EQUAL(counter("async_dropped"), 2);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_REJECTED], 1);
    rs_fake_reply(fake, ops, state, 2, 30 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 2, 30 * MS, 2);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_depth").gauge, 0);
    stop(state);
}

/* One target: the primary is all there is; the slot is reused once the request is acked. */
static void test_single_target_has_no_jobs(void) {
    void *state = start(1);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 2 * MS, RS_OK);
    check_ack(0, 1, RS_OK, 2 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 1);
    append_one(state, 2);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    CU_ASSERT_EQUAL(fake->appends[1].tag, fake->appends[0].tag);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_wait_us").observations, 0);
    stop(state);
}

/* The first client append reports every counter and the gauge at 0, so reports list them. */
static void test_metrics_announced_on_first_append(void) {
    void *state = start(3);
    CU_ASSERT_EQUAL(fake->metric_count, 0);
    append_one(state, 1);
    const char *names[] = {"async_retries", "async_dropped", "async_rejected",
                           "async_replication_failed", "async_blocked", "queue_depth"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CU_ASSERT(metric_reported(names[i]));
    }
    CU_ASSERT_EQUAL(fake->metric_count, 6);
    stop(state);
}

int main(void) {
    params_default();
    static CU_TestInfo tests[] = {
        {"registered, documented defaults", test_registered_with_documented_defaults},
        {"ack at primary, then workers append", test_ack_at_primary_then_workers_append},
        {"one worker drains in FIFO order", test_one_worker_drains_in_fifo_order},
        {"retry with doubling backoff", test_retry_with_doubling_backoff},
        {"give up after max_retries", test_give_up_after_max_retries},
        {"backoff capped by backoff_max_ms", test_backoff_cap},
        {"primary failure answers its status", test_primary_failure_answers_its_status},
        {"block holds request until room", test_block_holds_request_until_room},
        {"reject answers at once", test_reject_answers_at_once},
        {"drop_oldest evicts and counts", test_drop_oldest_evicts_and_counts},
        {"never-fitting request is rejected", test_never_fitting_request_is_rejected},
        {"drop_oldest offers jobs to idle workers",
         test_drop_oldest_offers_each_job_to_idle_workers},
        {"single target has no jobs", test_single_target_has_no_jobs},
        {"metrics announced on first append", test_metrics_announced_on_first_append},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("async_queue", tests);
    return rs_test_run_all();
}
