/* test_star.c — pins the star strategy and the quorum ack rule by driving them through the
 * fake runtime (no SimGrid): each test fixes the order and time of store replies and asserts
 * the exact acknowledgement (status and time), the requests sent and the metrics reported. */
#include <stdlib.h>

#include "strategies/ack.h"
#include "strategies/star.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;

static rs_event event_one = {.id = 7, .stream = 1, .version = 1, .size_bytes = 512};

static void *start(uint32_t targets, uint32_t quorum) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_star_component.ops;
    void *state = ops->create(rs_fake_config(&rs_star_component, NULL, targets, quorum), runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

static void append_one(void *state, uint64_t client_request) {
    rs_event_stream stream = {1, &event_one};
    ops->on_client_append(state, client_request, &stream);
}

static void test_ack_tracker_decides_once(void) {
    rs_ack_tracker tracker;
    rs_ack_tracker_init(&tracker, 2, 3);
    CU_ASSERT_EQUAL(rs_ack_tracker_record(&tracker, false), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(rs_ack_tracker_record(&tracker, true), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(rs_ack_tracker_record(&tracker, true), RS_ACK_SUCCEEDED);
    rs_ack_tracker_init(&tracker, 2, 3);
    CU_ASSERT_EQUAL(rs_ack_tracker_record(&tracker, false), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(rs_ack_tracker_record(&tracker, false), RS_ACK_FAILED);
    CU_ASSERT_EQUAL(rs_ack_tracker_record(&tracker, true), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(tracker.confirmed, 1);
    CU_ASSERT_EQUAL(tracker.failed, 2);
}

/* A target written by two appends counts once: at its first failure, or its last ok. */
static void test_ack_target_counts_once(void) {
    rs_ack_tracker tracker;
    rs_ack_tracker_init(&tracker, 1, 2);
    rs_ack_target first = {2, false}, second = {2, false};
    CU_ASSERT_EQUAL(rs_ack_target_record(&tracker, &first, true), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(tracker.confirmed, 0);
    CU_ASSERT_EQUAL(rs_ack_target_record(&tracker, &second, false), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(tracker.failed, 1);
    CU_ASSERT_EQUAL(rs_ack_target_record(&tracker, &second, true), RS_ACK_PENDING);
    CU_ASSERT_EQUAL(tracker.confirmed + tracker.failed, 1);
    CU_ASSERT_EQUAL(rs_ack_target_record(&tracker, &first, true), RS_ACK_SUCCEEDED);
    CU_ASSERT_EQUAL(first.outstanding + second.outstanding, 0);
    rs_ack_target probe = {1, false}; /* not counted: no tracker */
    CU_ASSERT_EQUAL(rs_ack_target_record(NULL, &probe, true), RS_ACK_PENDING);
    CU_ASSERT_FALSE(probe.decided);
}

static void test_fan_out_to_every_target_with_timeout(void) {
    void *state = start(3, 3);
    fake->now_us = 5 * MS;
    append_one(state, 100);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    for (uint32_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(fake->appends[i].store, i);
        CU_ASSERT_EQUAL(fake->appends[i].at_us, 5 * MS);
        CU_ASSERT_EQUAL(fake->appends[i].timeout_us, 500 * MS);
        CU_ASSERT_EQUAL(fake->appends[i].first_event, 7);
    }
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    stop(state);
}

static void test_all_policy_acks_after_last_confirmation(void) {
    void *state = start(3, 3);
    append_one(state, 100);
    rs_fake_reply(fake, ops, state, 1, 12 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 0, 20 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 2, 41 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 100);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 41 * MS);
    CU_ASSERT_EQUAL(fake->results[2][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 41 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 12 * MS);
    stop(state);
}

/* The example: quorum 2-of-3 with replies at 10, 30, 50 ms acks at 30 ms. */
static void test_quorum_two_of_three_acks_at_second_reply(void) {
    void *state = start(3, 2);
    append_one(state, 9);
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 1, 30 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 30 * MS);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    rs_fake_reply(fake, ops, state, 2, 50 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->results[2][RS_OK], 1);
    stop(state);
}

/* 2-of-3 with one confirmation and two timeouts: fails at the second timeout, not before. */
static void test_quorum_fails_when_impossible_after_timeouts(void) {
    void *state = start(3, 2);
    append_one(state, 9);
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 500 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 2, 500 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 500 * MS);
    CU_ASSERT_EQUAL(fake->results[1][RS_ERR_TIMEOUT], 1);
    CU_ASSERT_EQUAL(fake->results[0][RS_OK], 1);
    stop(state);
}

/* 3-of-3: the first error makes the quorum impossible, so the client hears at once. */
static void test_all_policy_fails_on_first_error(void) {
    void *state = start(3, 3);
    append_one(state, 4);
    rs_fake_reply(fake, ops, state, 2, 20 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 20 * MS);
    rs_fake_reply(fake, ops, state, 0, 30 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 40 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    stop(state);
}

/* Two requests in flight, replies interleaved; slots are reused after completion. */
static void test_interleaved_requests_and_slot_reuse(void) {
    void *state = start(2, 1);
    append_one(state, 1);
    append_one(state, 2);
    CU_ASSERT_EQUAL(fake->append_count, 4);
    rs_fake_reply(fake, ops, state, 3, 5 * MS, RS_OK);   /* request 2, store 1 */
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 2);
    rs_fake_reply(fake, ops, state, 0, 6 * MS, RS_ERR_TIMEOUT);
    rs_fake_reply(fake, ops, state, 1, 7 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].client_request, 1);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_ERR_QUORUM);
    rs_fake_reply(fake, ops, state, 2, 8 * MS, RS_OK);
    append_one(state, 3);                               /* reuses a freed slot */
    CU_ASSERT_TRUE(fake->appends[4].tag <= 1);
    rs_fake_reply(fake, ops, state, 4, 9 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 3);
    CU_ASSERT_EQUAL(fake->acks[2].client_request, 3);
    CU_ASSERT_EQUAL(fake->acks[2].status, RS_OK);
    stop(state);
}

static void *start_skip(uint32_t targets, uint32_t quorum) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_star_component.ops;
    static double params[RS_PARAMS_MAX];
    params[RS_STAR_PARAM_TIMEOUT_MS] = 500;
    params[RS_STAR_PARAM_UNHEALTHY] = RS_STAR_UNHEALTHY_SKIP;
    void *state = ops->create(rs_fake_config(&rs_star_component, params, targets, quorum),
                              runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

/* "all" over 3 targets with store 1 unhealthy: only stores 0 and 2 are written, and the ack
 * comes with the second of those two confirmations; the skip is counted. */
static void test_skip_unhealthy_all_waits_for_healthy_only(void) {
    void *state = start_skip(3, 3);
    fake->unhealthy[1] = true;
    append_one(state, 40);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    CU_ASSERT_EQUAL(fake->appends[0].store, 0);
    CU_ASSERT_EQUAL(fake->appends[1].store, 2);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "star_skipped_unhealthy").counter, 1);
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 1, 30 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 30 * MS);
    fake->unhealthy[1] = false;                       /* healthy again: written again */
    append_one(state, 41);
    CU_ASSERT_EQUAL(fake->append_count, 5);
    stop(state);
}

/* A quorum of 2 of 3 with two stores unhealthy cannot be reached among the healthy: the
 * request fails at once with quorum_not_reached and nothing is sent; "include" (the default)
 * writes the unhealthy stores anyway. */
static void test_skip_unhealthy_quorum_unreachable_fails_at_once(void) {
    void *state = start_skip(3, 2);
    fake->unhealthy[0] = true;
    fake->unhealthy[2] = true;
    fake->now_us = 3 * MS;
    append_one(state, 50);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 3 * MS);
    append_one(state, 51);                            /* the slot was given back */
    CU_ASSERT_EQUAL(fake->ack_count, 2);
    stop(state);
    state = start(3, 2);
    fake->unhealthy[0] = true;
    fake->unhealthy[2] = true;
    append_one(state, 52);
    CU_ASSERT_EQUAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"ack tracker decides once", test_ack_tracker_decides_once},
        {"ack target counts once", test_ack_target_counts_once},
        {"fan-out to every target with timeout", test_fan_out_to_every_target_with_timeout},
        {"all: ack after last confirmation", test_all_policy_acks_after_last_confirmation},
        {"quorum 2/3: ack at second reply", test_quorum_two_of_three_acks_at_second_reply},
        {"quorum 2/3: fail after timeouts", test_quorum_fails_when_impossible_after_timeouts},
        {"all: fail on first error", test_all_policy_fails_on_first_error},
        {"interleaved requests, slot reuse", test_interleaved_requests_and_slot_reuse},
        {"skip unhealthy: all = every healthy target", test_skip_unhealthy_all_waits_for_healthy_only},
        {"skip unhealthy: unreachable quorum fails at once",
         test_skip_unhealthy_quorum_unreachable_fails_at_once},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("star", tests);
    return rs_test_run_all();
}
