/* test_cascade.c — pins the cascade strategy by driving it through the fake runtime (no
 * SimGrid): each test fixes the order and time of store replies and asserts the exact store
 * appends (store, time, size on the wire), retry and resume times, acknowledgements and
 * metrics. */
#include <stdlib.h>

#include "strategies/cascade.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;
static double params[RS_CASCADE_PARAM_COUNT];

/* Resets `params` to the component's defaults. */
static void defaults(void) {
    CU_ASSERT_FATAL(rs_cascade_component.param_count == RS_CASCADE_PARAM_COUNT);
    for (size_t i = 0; i < RS_CASCADE_PARAM_COUNT; i++) {
        params[i] = rs_cascade_component.params[i].default_value;
    }
}

static void *start(uint32_t targets, uint32_t quorum) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_cascade_component.ops;
    void *state = ops->create(rs_fake_config(&rs_cascade_component, params, targets, quorum),
                              runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

static void append_event(void *state, uint64_t client_request, rs_event_id id,
                         uint32_t size_bytes) {
    rs_event event = {.id = id, .stream = 1, .version = 1, .size_bytes = size_bytes};
    rs_event_stream stream = {1, &event};
    ops->on_client_append(state, client_request, &stream);
}

/* Asserts append `index` went to `store` at `at_ms` carrying event `first_event`. */
static void check_append(uint32_t index, uint32_t store, int64_t at_ms, rs_event_id first_event) {
    CU_ASSERT_FATAL(index < fake->append_count);
    CU_ASSERT_EQUAL(fake->appends[index].store, store);
    CU_ASSERT_EQUAL(fake->appends[index].at_us, at_ms * MS);
    CU_ASSERT_EQUAL(fake->appends[index].first_event, first_event);
}

static uint32_t appends_to(uint32_t store) {
    uint32_t count = 0;
    for (uint32_t i = 0; i < fake->append_count; i++) {
        count += fake->appends[i].store == store;
    }
    return count;
}

static void test_registered_with_defaults(void) {
    CU_ASSERT_PTR_EQUAL(rs_component_find(RS_COMPONENT_STRATEGY, "cascade"),
                        &rs_cascade_component);
    const rs_component *c = &rs_cascade_component;
    CU_ASSERT_EQUAL(rs_component_param_index(c, "timeout_ms"), RS_CASCADE_PARAM_TIMEOUT_MS);
    CU_ASSERT_EQUAL(rs_component_param_index(c, "size_factor"), RS_CASCADE_PARAM_SIZE_FACTOR);
    CU_ASSERT_EQUAL(rs_component_param_index(c, "max_retries"), RS_CASCADE_PARAM_MAX_RETRIES);
    CU_ASSERT_EQUAL(rs_component_param_index(c, "resume"), RS_CASCADE_PARAM_RESUME);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_TIMEOUT_MS].default_value, 500);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_SIZE_FACTOR].default_value, 1);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_SIZE_FACTOR].min_value, 0.01);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_SIZE_FACTOR].max_value, 100);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_MAX_RETRIES].default_value, 2);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_MAX_RETRIES].type, RS_PARAM_INTEGER);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_RETRY_BACKOFF_MS].default_value, 10);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_RESUME].default_value, 0);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_RESUME].type, RS_PARAM_BOOL);
    CU_ASSERT_EQUAL(c->params[RS_CASCADE_PARAM_RESUME_INTERVAL_MS].default_value, 1000);
}

static void test_hop_size_transform(void) {
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(512, 0.5, 0), 512);
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(512, 0.5, 1), 256);
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(512, 0.5, 2), 128);
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(512, 1.5, 2), 1152);
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(3, 0.5, 1), 2);      /* 1.5 rounds up */
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(100, 0.01, 2), 1);   /* 0.01 -> at least 1 */
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(512, 100, 3), RS_EVENT_BYTES_MAX);
    CU_ASSERT_EQUAL(rs_cascade_hop_size_bytes(512, 100, 2000), RS_EVENT_BYTES_MAX);
}

/* Chain 0 -> 1 -> 2, factor 0.5: each append is made when the previous reply arrives, with the
 * size halved per hop; the "all" ack comes with the last reply. */
static void test_happy_path_is_sequential(void) {
    defaults();
    params[RS_CASCADE_PARAM_SIZE_FACTOR] = 0.5;
    void *state = start(3, 3);
    fake->now_us = 5 * MS;
    append_event(state, 100, 7, 512);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 1);
    check_append(0, 0, 5, 7);
    CU_ASSERT_EQUAL(fake->appends[0].size_bytes, 512);
    CU_ASSERT_EQUAL(fake->appends[0].timeout_us, 500 * MS);
    CU_ASSERT_EQUAL(fake->appends[0].event_count, 1);
    rs_fake_reply(fake, ops, state, 0, 12 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_append(1, 1, 12, 7);
    CU_ASSERT_EQUAL(fake->appends[1].size_bytes, 256);
    CU_ASSERT_EQUAL(fake->appends[1].timeout_us, 500 * MS);
    rs_fake_reply(fake, ops, state, 1, 50 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(2, 2, 50, 7);
    CU_ASSERT_EQUAL(fake->appends[2].size_bytes, 128);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 2, 90 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 100);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 90 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[0], 7 * MS);    /* from the chain start, 5 ms */
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 45 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 85 * MS);
    for (uint32_t store = 0; store < 3; store++) {
        CU_ASSERT_EQUAL(fake->results[store][RS_OK], 1);
    }
    rs_fake_advance(fake, ops, state, 10000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(fake->timer_count, 0);
    CU_ASSERT_EQUAL(fake->metric_count, 3);               /* announced at 0 */
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_stops").counter, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_retries").counter, 0);
    stop(state);
}

/* Store 1 (the second hop) errors on every attempt, max_retries 2, backoff 10 ms: three
 * attempts exactly 10 ms after each failure, then the chain stops; store 2 is never written. */
static void test_failing_hop_stops_the_chain(void) {
    defaults();
    void *state = start(3, 3);
    append_event(state, 8, 21, 512);
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    check_append(1, 1, 10, 21);
    rs_fake_reply(fake, ops, state, 1, 15 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL(fake->append_count, 2);                 /* not before the backoff */
    rs_fake_advance(fake, ops, state, 25 * MS - 1);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    rs_fake_advance(fake, ops, state, 25 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(2, 1, 25, 21);
    rs_fake_reply(fake, ops, state, 2, 31 * MS, RS_ERR_STORE);
    rs_fake_advance(fake, ops, state, 41 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 1, 41, 21);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 3, 44 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 8);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 44 * MS);
    rs_fake_advance(fake, ops, state, 60000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 4);
    CU_ASSERT_EQUAL(appends_to(0), 1);
    CU_ASSERT_EQUAL(appends_to(1), 3);
    CU_ASSERT_EQUAL(appends_to(2), 0);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->results[0][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_STORE], 1);     /* once, not per attempt */
    CU_ASSERT_EQUAL(fake->results[1][RS_OK], 0);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_OK], 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_stops").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_retries").counter, 2);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_resumed").counter, 0);
    stop(state);
}

/* A hop that timed out, was retried and then confirmed goes on as if nothing happened; the
 * latency is from the chain start. A timeout as the last status is what is recorded. */
static void test_retry_then_success_and_timeout_as_last_status(void) {
    defaults();
    params[RS_CASCADE_PARAM_MAX_RETRIES] = 1;
    params[RS_CASCADE_PARAM_RETRY_BACKOFF_MS] = 3;
    void *state = start(2, 2);
    append_event(state, 1, 5, 100);
    rs_fake_reply(fake, ops, state, 0, 500 * MS, RS_ERR_TIMEOUT);
    rs_fake_advance(fake, ops, state, 503 * MS);
    check_append(1, 0, 503, 5);
    rs_fake_reply(fake, ops, state, 1, 510 * MS, RS_OK);
    check_append(2, 1, 510, 5);
    CU_ASSERT_EQUAL(fake->last_latency_us[0], 510 * MS);
    rs_fake_reply(fake, ops, state, 2, 1010 * MS, RS_ERR_TIMEOUT);
    rs_fake_advance(fake, ops, state, 1013 * MS);
    check_append(3, 1, 1013, 5);
    rs_fake_reply(fake, ops, state, 3, 1513 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 1513 * MS);
    CU_ASSERT_EQUAL(fake->results[0][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_TIMEOUT], 0);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_TIMEOUT], 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_retries").counter, 2);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_stops").counter, 1);
    rs_fake_advance(fake, ops, state, 60000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 4);
    stop(state);
}

/* Quorum 1 of 3: the first confirmation acks; a later stop records its failures but does not
 * answer the client again. */
static void test_quorum_one_acks_at_first_hop(void) {
    defaults();
    params[RS_CASCADE_PARAM_MAX_RETRIES] = 0;
    void *state = start(3, 1);
    append_event(state, 3, 9, 512);
    rs_fake_reply(fake, ops, state, 0, 4 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 4 * MS);
    rs_fake_reply(fake, ops, state, 1, 9 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_TIMEOUT], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_stops").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_retries").counter, 0);
    stop(state);
}

/* Quorum 2 of 3, the first hop fails: the quorum is impossible once the first two hops count
 * as failed, so the client hears at once, and nothing else is written. */
static void test_quorum_two_fails_when_first_hop_stops(void) {
    defaults();
    params[RS_CASCADE_PARAM_MAX_RETRIES] = 0;
    void *state = start(3, 2);
    append_event(state, 6, 11, 512);
    rs_fake_reply(fake, ops, state, 0, 20 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 20 * MS);
    rs_fake_advance(fake, ops, state, 60000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 1);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_STORE], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_REJECTED], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 1);
    stop(state);
}

/* resume on: after the stop at hop 1 (t = 20 ms), hop 1 is retried every 1000 ms after each
 * failure until it confirms, then the chain goes on to hop 2; the client heard at the stop. */
static void test_resume_retries_stopped_hop_then_continues(void) {
    defaults();
    params[RS_CASCADE_PARAM_MAX_RETRIES] = 0;
    params[RS_CASCADE_PARAM_RESUME] = 1;
    params[RS_CASCADE_PARAM_SIZE_FACTOR] = 2;
    void *state = start(3, 3);
    append_event(state, 4, 33, 100);
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 20 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 20 * MS);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_STORE], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_REJECTED], 1);
    rs_fake_advance(fake, ops, state, 1020 * MS - 1);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    rs_fake_advance(fake, ops, state, 1020 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    check_append(2, 1, 1020, 33);
    CU_ASSERT_EQUAL(fake->appends[2].size_bytes, 200);
    rs_fake_reply(fake, ops, state, 2, 1030 * MS, RS_ERR_TIMEOUT);
    rs_fake_advance(fake, ops, state, 2030 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(3, 1, 2030, 33);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_resumed").counter, 0);
    rs_fake_reply(fake, ops, state, 3, 2040 * MS, RS_OK);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_resumed").counter, 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    check_append(4, 2, 2040, 33);                        /* the chain continues at once */
    CU_ASSERT_EQUAL(fake->appends[4].size_bytes, 400);
    rs_fake_reply(fake, ops, state, 4, 2100 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 1);                 /* answered once, at the stop */
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 2040 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 2100 * MS);
    CU_ASSERT_EQUAL(fake->results[1][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_OK], 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_stops").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "cascade_retries").counter, 0);
    rs_fake_advance(fake, ops, state, 60000 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 5);               /* the chain is over */
    stop(state);
}

/* Two chains overlap; each follows its own replies. The strategy keeps its own copy of the
 * events (the caller's stream is reused at once), and a finished chain's slot is reused. */
static void test_overlapping_chains_and_slot_reuse(void) {
    defaults();
    void *state = start(2, 2);
    rs_event events[3] = {{.id = 1, .size_bytes = 10}, {.id = 2, .size_bytes = 20},
                          {.id = 3, .size_bytes = 30}};
    rs_event_stream stream = {3, events};
    ops->on_client_append(state, 1, &stream);
    events[0].id = 50;
    stream.count = 1;
    ops->on_client_append(state, 2, &stream);
    events[0].id = 99;                                   /* scribbles over the caller's copy */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    CU_ASSERT_NOT_EQUAL(fake->appends[0].tag, fake->appends[1].tag);
    rs_fake_reply(fake, ops, state, 1, 3 * MS, RS_OK);   /* chain 2 first */
    check_append(2, 1, 3, 50);
    CU_ASSERT_EQUAL(fake->appends[2].event_count, 1);
    rs_fake_reply(fake, ops, state, 0, 4 * MS, RS_OK);
    check_append(3, 1, 4, 1);
    CU_ASSERT_EQUAL(fake->appends[3].event_count, 3);
    CU_ASSERT_EQUAL(fake->appends[3].size_bytes, 10);
    rs_fake_reply(fake, ops, state, 3, 6 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 1);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 6 * MS);
    uint64_t freed_tag = fake->appends[3].tag;
    append_event(state, 3, 60, 5);                        /* reuses chain 1's slot */
    CU_ASSERT_EQUAL(fake->appends[4].tag, freed_tag);
    rs_fake_reply(fake, ops, state, 2, 8 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].client_request, 2);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_OK);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"registered, param table and defaults", test_registered_with_defaults},
        {"hop size transform (transformStream)", test_hop_size_transform},
        {"happy path: sequential, sizes per hop, ack at last", test_happy_path_is_sequential},
        {"failing hop: 3 attempts 10 ms apart, stop", test_failing_hop_stops_the_chain},
        {"retry then success; timeout as last status",
         test_retry_then_success_and_timeout_as_last_status},
        {"quorum 1/3: ack at first hop, stop recorded", test_quorum_one_acks_at_first_hop},
        {"quorum 2/3: first hop stops -> fail at once", test_quorum_two_fails_when_first_hop_stops},
        {"resume: retry every interval, then continue",
         test_resume_retries_stopped_hop_then_continues},
        {"overlapping chains, event copy, slot reuse", test_overlapping_chains_and_slot_reuse},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("cascade", tests);
    return rs_test_run_all();
}
