/* test_batch.c — pins the batch strategy by driving it through the fake runtime (no SimGrid):
 * each test fixes client arrival times and store replies and asserts the exact flushes (time,
 * events carried, one append per target), the acknowledgement of every request of a batch at
 * the decision time, and the fill and wait metrics. */
#include <stdlib.h>

#include "strategies/batch.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;
static rs_event events[RS_EVENTS_PER_APPEND_MAX];

static void *start(uint32_t batch_size, double batch_timeout_ms, uint32_t targets,
                   uint32_t quorum) {
    double params[RS_BATCH_PARAM_COUNT] = {
        [RS_BATCH_PARAM_BATCH_SIZE] = batch_size,
        [RS_BATCH_PARAM_BATCH_TIMEOUT_MS] = batch_timeout_ms,
        [RS_BATCH_PARAM_TIMEOUT_MS] = 500,
    };
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_batch_component.ops;
    void *state = ops->create(rs_fake_config(&rs_batch_component, params, targets, quorum),
                              runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

/* Moves the clock to `at_ms` (firing due timers) and appends `count` events with ids
 * first_id.. as client request `client_request`. */
static void arrive_at(void *state, int64_t at_ms, uint64_t client_request, rs_event_id first_id,
                      uint32_t count) {
    rs_fake_advance(fake, ops, state, at_ms * MS);
    for (uint32_t i = 0; i < count; i++) {
        events[i] = (rs_event){.id = first_id + i, .stream = 1, .version = 1, .size_bytes = 64};
    }
    rs_event_stream stream = {count, events};
    ops->on_client_append(state, client_request, &stream);
}

/* Asserts appends first..first+targets-1 are one flush: one per target, same tag, at `at_ms`,
 * each carrying `count` events starting with `first_event`. */
static void check_flush(uint32_t first, uint32_t targets, int64_t at_ms, rs_event_id first_event,
                        uint32_t count) {
    CU_ASSERT_FATAL(first + targets <= fake->append_count);
    for (uint32_t i = 0; i < targets; i++) {
        const rs_fake_append *append = &fake->appends[first + i];
        CU_ASSERT_EQUAL(append->store, i);
        CU_ASSERT_EQUAL(append->at_us, at_ms * MS);
        CU_ASSERT_EQUAL(append->first_event, first_event);
        CU_ASSERT_EQUAL(append->event_count, count);
        CU_ASSERT_EQUAL(append->timeout_us, 500 * MS);
        CU_ASSERT_EQUAL(append->tag, fake->appends[first].tag);
    }
}

static void test_registered_with_defaults(void) {
    CU_ASSERT_PTR_EQUAL(rs_component_find(RS_COMPONENT_STRATEGY, "batch"), &rs_batch_component);
    const rs_component *c = &rs_batch_component;
    CU_ASSERT_EQUAL_FATAL(c->param_count, RS_BATCH_PARAM_COUNT);
    CU_ASSERT_EQUAL(rs_component_param_index(c, "batch_size"), RS_BATCH_PARAM_BATCH_SIZE);
    CU_ASSERT_EQUAL(rs_component_param_index(c, "batch_timeout_ms"),
                    RS_BATCH_PARAM_BATCH_TIMEOUT_MS);
    CU_ASSERT_EQUAL(rs_component_param_index(c, "timeout_ms"), RS_BATCH_PARAM_TIMEOUT_MS);
    CU_ASSERT_EQUAL(c->params[RS_BATCH_PARAM_BATCH_SIZE].type, RS_PARAM_INTEGER);
    CU_ASSERT_EQUAL(c->params[RS_BATCH_PARAM_BATCH_SIZE].default_value, 10);
    CU_ASSERT_EQUAL(c->params[RS_BATCH_PARAM_BATCH_SIZE].min_value, 1);
    CU_ASSERT_EQUAL(c->params[RS_BATCH_PARAM_BATCH_SIZE].max_value, RS_EVENTS_PER_APPEND_MAX);
    CU_ASSERT_EQUAL(c->params[RS_BATCH_PARAM_BATCH_TIMEOUT_MS].default_value, 50);
    CU_ASSERT_EQUAL(c->params[RS_BATCH_PARAM_TIMEOUT_MS].default_value, 500);
}

/* Batch 10, timeout 45 ms, one event every 10 ms from t = 0: the timeout wins, each batch
 * carries 5 events; the 5 requests of batch 1 are acked together at its third confirmation. */
static void test_timeout_flush_with_constant_arrivals(void) {
    void *state = start(10, 45, 3, 3);
    for (uint32_t i = 0; i < 5; i++) {
        arrive_at(state, 10 * i, 1 + i, 1 + i, 1);
    }
    rs_fake_advance(fake, ops, state, 45 * MS - 1);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL(fake->metric_count, 2);   /* both flush counters announced at 0 */
    rs_fake_advance(fake, ops, state, 45 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_flush(0, 3, 45, 1, 5);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_timeout").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_full").counter, 0);
    rs_fake_metric fill = rs_fake_metric_get(fake, "batch_fill_permille");
    CU_ASSERT_EQUAL(fill.observations, 1);
    CU_ASSERT_EQUAL(fill.last_observation, 500);
    rs_fake_metric wait = rs_fake_metric_get(fake, "batch_wait_us");
    CU_ASSERT_EQUAL(wait.observations, 5);
    CU_ASSERT_EQUAL(wait.observation_sum, (45 + 35 + 25 + 15 + 5) * MS);
    CU_ASSERT_EQUAL(wait.last_observation, 5 * MS);
    arrive_at(state, 50, 6, 6, 1);
    rs_fake_reply(fake, ops, state, 0, 55 * MS, RS_OK);
    arrive_at(state, 60, 7, 7, 1);
    rs_fake_reply(fake, ops, state, 2, 62 * MS, RS_OK);
    arrive_at(state, 70, 8, 8, 1);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 1, 75 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 5);
    for (uint32_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(fake->acks[i].client_request, 1 + i);
        CU_ASSERT_EQUAL(fake->acks[i].status, RS_OK);
        CU_ASSERT_EQUAL(fake->acks[i].at_us, 75 * MS);
    }
    CU_ASSERT_EQUAL(fake->last_latency_us[0], 10 * MS);   /* from the flush at 45 ms */
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 17 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 30 * MS);
    arrive_at(state, 80, 9, 9, 1);
    arrive_at(state, 90, 10, 10, 1);
    rs_fake_advance(fake, ops, state, 95 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    check_flush(3, 3, 95, 6, 5);
    CU_ASSERT_EQUAL(fake->appends[3].tag, fake->appends[0].tag);   /* batch 1's slot, freed */
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_timeout").counter, 2);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_wait_us").observation_sum, 250 * MS);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_fill_permille").observation_sum, 1000);
    CU_ASSERT_EQUAL(fake->ack_count, 5);
    stop(state);
}

/* Ten events within the timeout: the tenth flushes at once, and the timer armed at t = 0 (due
 * at 45 ms) is cancelled, so nothing else is sent until the next event starts a new batch. */
static void test_size_flush_cancels_the_timer(void) {
    void *state = start(10, 45, 3, 3);
    for (uint32_t i = 0; i < 10; i++) {
        arrive_at(state, 2 * i, 1 + i, 1 + i, 1);
        CU_ASSERT_EQUAL(fake->append_count, i == 9 ? 3u : 0u);
    }
    check_flush(0, 3, 18, 1, 10);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_full").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_fill_permille").last_observation, 1000);
    rs_fake_metric wait = rs_fake_metric_get(fake, "batch_wait_us");
    CU_ASSERT_EQUAL(wait.observations, 10);
    CU_ASSERT_EQUAL(wait.observation_sum, 90 * MS);      /* 18 + 16 + ... + 0 ms */
    CU_ASSERT_EQUAL(wait.last_observation, 0);
    rs_fake_reply(fake, ops, state, 0, 30 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 31 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 2, 32 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 10);
    for (uint32_t i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(fake->acks[i].client_request, 1 + i);
        CU_ASSERT_EQUAL(fake->acks[i].at_us, 32 * MS);
        CU_ASSERT_EQUAL(fake->acks[i].status, RS_OK);
    }
    rs_fake_advance(fake, ops, state, 1000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_timeout").counter, 0);
    arrive_at(state, 1000, 11, 11, 1);
    rs_fake_advance(fake, ops, state, 1045 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    check_flush(3, 3, 1045, 11, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_timeout").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_fill_permille").last_observation, 100);
    stop(state);
}

/* Quorum 2 of 3: an error and a timeout make it impossible; every request of the batch hears
 * quorum_not_reached at the second failure, and the late confirmation changes nothing. */
static void test_quorum_failure_answers_the_whole_batch(void) {
    void *state = start(10, 45, 3, 2);
    arrive_at(state, 0, 1, 1, 1);
    arrive_at(state, 1, 2, 2, 1);
    arrive_at(state, 2, 3, 3, 1);
    rs_fake_advance(fake, ops, state, 45 * MS);
    check_flush(0, 3, 45, 1, 3);
    rs_fake_reply(fake, ops, state, 0, 50 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 1, 545 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 3);
    for (uint32_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(fake->acks[i].client_request, 1 + i);
        CU_ASSERT_EQUAL(fake->acks[i].status, RS_ERR_QUORUM);
        CU_ASSERT_EQUAL(fake->acks[i].at_us, 545 * MS);
    }
    rs_fake_reply(fake, ops, state, 2, 546 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 3);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_STORE], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_TIMEOUT], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 501 * MS);
    stop(state);
}

/* Quorum 2 of 3 succeeding: the batch is acked at the second confirmation. */
static void test_quorum_success_at_second_confirmation(void) {
    void *state = start(2, 45, 3, 2);
    arrive_at(state, 0, 1, 1, 1);
    arrive_at(state, 4, 2, 2, 1);
    check_flush(0, 3, 4, 1, 2);
    rs_fake_reply(fake, ops, state, 2, 10 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 0, 12 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 12 * MS);
    CU_ASSERT_EQUAL(fake->acks[1].at_us, 12 * MS);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 14 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL(fake->ack_count, 2);
    stop(state);
}

/* Appends that do not fit: the open batch is flushed first (a size flush), and an append of
 * more than batch_size events then goes out alone; the first batch's timer never fires. */
static void test_append_that_does_not_fit(void) {
    void *state = start(10, 45, 1, 1);
    arrive_at(state, 0, 1, 1, 4);
    arrive_at(state, 5, 2, 11, 8);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 1);
    check_flush(0, 1, 5, 1, 4);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_full").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_fill_permille").last_observation, 400);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_wait_us").observation_sum, 4 * 5 * MS);
    rs_fake_advance(fake, ops, state, 50 * MS - 1);
    CU_ASSERT_EQUAL(fake->append_count, 1);
    rs_fake_advance(fake, ops, state, 50 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_flush(1, 1, 50, 11, 8);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_timeout").counter, 1);
    arrive_at(state, 60, 3, 21, 12);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_flush(2, 1, 60, 21, 12);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_fill_permille").last_observation, 1200);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_full").counter, 2);
    rs_fake_reply(fake, ops, state, 2, 61 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 3);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 61 * MS);
    rs_fake_advance(fake, ops, state, 1000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    stop(state);
}

/* batch_size at the limit: 1 event then a maximal append -> two flushes of 1 and 1024 events;
 * 1000 then 24 events -> exactly one full flush of 1024. No append ever exceeds the limit. */
static void test_never_exceeds_events_per_append_max(void) {
    void *state = start(RS_EVENTS_PER_APPEND_MAX, 45, 1, 1);
    arrive_at(state, 0, 1, 1, 1);
    arrive_at(state, 1, 2, 100, RS_EVENTS_PER_APPEND_MAX);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_flush(0, 1, 1, 1, 1);
    check_flush(1, 1, 1, 100, RS_EVENTS_PER_APPEND_MAX);
    arrive_at(state, 2, 3, 5000, 1000);
    arrive_at(state, 3, 4, 6000, 24);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_flush(2, 1, 3, 5000, RS_EVENTS_PER_APPEND_MAX);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_full").counter, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_fill_permille").last_observation, 1000);
    rs_fake_advance(fake, ops, state, 1000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "batch_flush_timeout").counter, 0);
    stop(state);
}

/* Two batches in flight: each reply answers only its own batch's requests; a released slot
 * is reused by the next flush. */
static void test_batches_in_flight_are_independent(void) {
    void *state = start(2, 45, 2, 2);
    arrive_at(state, 0, 1, 1, 1);
    arrive_at(state, 1, 2, 2, 1);
    arrive_at(state, 2, 3, 3, 1);
    arrive_at(state, 3, 4, 4, 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    CU_ASSERT_NOT_EQUAL(fake->appends[0].tag, fake->appends[2].tag);
    rs_fake_reply(fake, ops, state, 3, 10 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 2, 11 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 3);
    CU_ASSERT_EQUAL(fake->acks[1].client_request, 4);
    arrive_at(state, 12, 5, 5, 1);
    arrive_at(state, 13, 6, 6, 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    CU_ASSERT_EQUAL(fake->appends[4].tag, fake->appends[2].tag);   /* reused */
    rs_fake_reply(fake, ops, state, 0, 20 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 21 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 4);
    CU_ASSERT_EQUAL(fake->acks[2].client_request, 1);
    CU_ASSERT_EQUAL(fake->acks[3].client_request, 2);
    CU_ASSERT_EQUAL(fake->acks[3].at_us, 21 * MS);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"registered, param table and defaults", test_registered_with_defaults},
        {"timeout flush: 5 events at 45 ms, batch acked",
         test_timeout_flush_with_constant_arrivals},
        {"size flush at the 10th event cancels the timer", test_size_flush_cancels_the_timer},
        {"quorum 2/3 failure answers the whole batch", test_quorum_failure_answers_the_whole_batch},
        {"quorum 2/3 success at second confirmation", test_quorum_success_at_second_confirmation},
        {"append that does not fit flushes first", test_append_that_does_not_fit},
        {"never exceeds RS_EVENTS_PER_APPEND_MAX", test_never_exceeds_events_per_append_max},
        {"batches in flight are independent", test_batches_in_flight_are_independent},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("batch", tests);
    return rs_test_run_all();
}
