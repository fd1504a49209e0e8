/* test_adaptive.c — pins the adaptive strategy by driving it through the fake runtime (no
 * SimGrid) with star as the healthy and async_queue or batch as the degraded sub-strategy:
 * each test fixes the request and reply times, so the window's latencies, and asserts the
 * exact evaluation at which the selector switches (the first one after the window p99 crosses
 * the enter threshold, never before the dwell time), the hysteresis on the way back, the
 * failure-rate and queue-depth triggers, flap counting, and that requests and timers of the
 * previous sub-strategy still complete and ack after a switch. */
#include <stdlib.h>
#include <string.h>

#include "strategies/adaptive.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000
#define OWNER(tag) ((tag) >> 62)

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;
static double params[RS_ADAPTIVE_PARAM_COUNT];

/* Defaults of the tests: evaluation every 10 ms, window 1 s of at most 100 samples, p99
 * enter 50 ms / exit 20 ms, failures ignored (enter 1000 per mille), depth not watched,
 * no dwell, flapping above 4 switches a minute. Tests change what they pin. */
static void set_params(void) {
    for (size_t i = 0; i < RS_ADAPTIVE_PARAM_COUNT; i++) {
        params[i] = rs_adaptive_component.params[i].default_value;
    }
    params[RS_ADAPTIVE_PARAM_HEALTHY] = RS_ADAPTIVE_SUB_STAR;
    params[RS_ADAPTIVE_PARAM_DEGRADED] = RS_ADAPTIVE_SUB_ASYNC_QUEUE;
    params[RS_ADAPTIVE_PARAM_TIMEOUT_MS] = 300;
    params[RS_ADAPTIVE_PARAM_WINDOW_MS] = 1000;
    params[RS_ADAPTIVE_PARAM_WINDOW_SAMPLES_MAX] = 100;
    params[RS_ADAPTIVE_PARAM_MIN_SAMPLES] = 2;
    params[RS_ADAPTIVE_PARAM_EVALUATE_INTERVAL_MS] = 10;
    params[RS_ADAPTIVE_PARAM_P99_ENTER_MS] = 50;
    params[RS_ADAPTIVE_PARAM_P99_EXIT_MS] = 20;
    params[RS_ADAPTIVE_PARAM_FAILURE_ENTER_PERMILLE] = 1000;
    params[RS_ADAPTIVE_PARAM_FAILURE_EXIT_PERMILLE] = 1000;
    params[RS_ADAPTIVE_PARAM_QUEUE_DEPTH_ENTER] = 0;
    params[RS_ADAPTIVE_PARAM_DWELL_MS] = 0;
    params[RS_ADAPTIVE_PARAM_FLAP_SWITCHES_PER_MIN_MAX] = 4;
}

static void *start(uint32_t targets, uint32_t quorum) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_adaptive_component.ops;
    void *state = ops->create(rs_fake_config(&rs_adaptive_component, params, targets, quorum),
                              runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

static rs_event events[64];

static void append_at(void *state, uint64_t request, int64_t at_us) {
    rs_fake_advance(fake, ops, state, at_us);
    events[request % 64] = (rs_event){.id = request, .stream = 1, .version = (uint32_t)request,
                                      .size_bytes = 100};
    rs_event_stream stream = {1, &events[request % 64]};
    ops->on_client_append(state, request, &stream);
}

static int64_t counter(const char *name) { return rs_fake_metric_get(fake, name).counter; }

/* One target: latencies 10, 10, 45, 55 ms. With 45 the p99 (of 3: the largest) is below
 * 50 ms; the 55 ms reply lands at 135 ms, so the evaluation at 140 ms switches. */
static void *run_crossing(int64_t dwell_ms, int64_t window_ms) {
    set_params();
    params[RS_ADAPTIVE_PARAM_DWELL_MS] = (double)dwell_ms;
    params[RS_ADAPTIVE_PARAM_WINDOW_MS] = (double)window_ms;
    void *state = start(1, 1);
    append_at(state, 1, 0);
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    append_at(state, 2, 10 * MS);
    rs_fake_reply(fake, ops, state, 1, 20 * MS, RS_OK);
    append_at(state, 3, 20 * MS);
    rs_fake_reply(fake, ops, state, 2, 65 * MS, RS_OK);
    append_at(state, 4, 80 * MS);
    rs_fake_reply(fake, ops, state, 3, 135 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 4);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 0);
    for (uint32_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(OWNER(fake->appends[i].tag), 0);
    }
    return state;
}

static void test_switches_at_first_evaluation_after_p99_crosses_enter(void) {
    void *state = run_crossing(50, 1000);
    rs_fake_advance(fake, ops, state, 139 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 0);
    rs_fake_advance(fake, ops, state, 140 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);
    CU_ASSERT_EQUAL(counter("adaptive_switches_to_degraded"), 1);
    rs_fake_metric p99 = rs_fake_metric_get(fake, "adaptive_switch_p99_us");
    CU_ASSERT_EQUAL(p99.observations, 1);
    CU_ASSERT_EQUAL(p99.last_observation, 55 * MS);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_switch_queue_depth").last_observation, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_mode").gauge, 1);
    append_at(state, 5, 150 * MS);                 /* async_queue now: its primary append */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    CU_ASSERT_EQUAL(OWNER(fake->appends[4].tag), 1);
    rs_fake_reply(fake, ops, state, 4, 153 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 5);
    CU_ASSERT_EQUAL(fake->acks[4].client_request, 5);
    CU_ASSERT_EQUAL(fake->acks[4].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[4].at_us, 153 * MS);
    stop(state);
}

static void test_no_switch_before_dwell_time(void) {
    void *state = run_crossing(200, 1000);               /* alarmed from 140 ms, dwell until 200 */
    rs_fake_advance(fake, ops, state, 199 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 0);
    rs_fake_advance(fake, ops, state, 200 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);
    stop(state);
}

/* Window 200 ms. Degraded from 140 ms; a 30 ms latency (between exit 20 and enter 50) at
 * 180 ms holds the degraded mode until it leaves the window: back at 380 ms, not 340 ms. */
static void test_switches_back_with_hysteresis(void) {
    void *state = run_crossing(50, 200);
    rs_fake_advance(fake, ops, state, 140 * MS);
    CU_ASSERT_EQUAL_FATAL(counter("adaptive_switches"), 1);
    append_at(state, 5, 150 * MS);
    rs_fake_reply(fake, ops, state, 4, 180 * MS, RS_OK);   /* 30 ms */
    for (uint32_t i = 0; i < 4; i++) {                     /* 5 ms at 205, 255, 305, 355 */
        append_at(state, 6 + i, (200 + 50 * i) * MS);
        rs_fake_reply(fake, ops, state, 5 + i, (205 + 50 * i) * MS, RS_OK);
    }
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);       /* 340: window p99 still 30 ms */
    rs_fake_advance(fake, ops, state, 379 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);
    rs_fake_advance(fake, ops, state, 380 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 2);
    CU_ASSERT_EQUAL(counter("adaptive_switches_to_healthy"), 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_switch_p99_us").last_observation, 5 * MS);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_mode").gauge, 0);
    CU_ASSERT_EQUAL(counter("adaptive_flaps"), 0);
    append_at(state, 10, 390 * MS);                         /* star again */
    CU_ASSERT_EQUAL(OWNER(fake->appends[fake->append_count - 1].tag), 0);
    stop(state);
}

/* Star over two stores, quorum 2; degraded = batch (flush timer 50 ms). A star request in
 * flight at the switch is acked by star when its second reply comes; the batch's timer and
 * appends carry the degraded owner and reach the batch. */
static void test_in_flight_requests_complete_after_switch(void) {
    set_params();
    params[RS_ADAPTIVE_PARAM_DEGRADED] = RS_ADAPTIVE_SUB_BATCH;
    params[RS_ADAPTIVE_PARAM_MIN_SAMPLES] = 1;
    void *state = start(2, 2);
    append_at(state, 1, 0);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    rs_fake_reply(fake, ops, state, 0, 60 * MS, RS_OK);
    rs_fake_advance(fake, ops, state, 70 * MS);
    CU_ASSERT_EQUAL_FATAL(counter("adaptive_switches"), 1);
    append_at(state, 2, 75 * MS);                           /* into the batch, no append yet */
    CU_ASSERT_EQUAL(fake->append_count, 2);
    rs_fake_reply(fake, ops, state, 1, 80 * MS, RS_OK);     /* star's request completes */
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 80 * MS);
    rs_fake_advance(fake, ops, state, 125 * MS);            /* the batch's timer: flush */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    CU_ASSERT_EQUAL(OWNER(fake->appends[2].tag), 1);
    CU_ASSERT_EQUAL(fake->appends[2].at_us, 125 * MS);
    CU_ASSERT_EQUAL(fake->appends[3].store, 1);
    rs_fake_reply(fake, ops, state, 2, 130 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 3, 131 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].client_request, 2);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[1].at_us, 131 * MS);
    stop(state);
}

/* Window 15 ms, no dwell, at most 1 switch a minute: 70 ms (to degraded), 80 ms (back: the
 * 60 ms latency left the window, a 5 ms one came) and 160 ms (70 ms latency) make 2 flaps. */
static void test_flapping_counted(void) {
    set_params();
    params[RS_ADAPTIVE_PARAM_WINDOW_MS] = 15;
    params[RS_ADAPTIVE_PARAM_MIN_SAMPLES] = 1;
    params[RS_ADAPTIVE_PARAM_FLAP_SWITCHES_PER_MIN_MAX] = 1;
    void *state = start(1, 1);
    append_at(state, 1, 0);
    rs_fake_reply(fake, ops, state, 0, 60 * MS, RS_OK);
    rs_fake_advance(fake, ops, state, 70 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);
    append_at(state, 2, 70 * MS);
    rs_fake_reply(fake, ops, state, 1, 75 * MS, RS_OK);
    rs_fake_advance(fake, ops, state, 80 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 2);
    CU_ASSERT_EQUAL(counter("adaptive_flaps"), 1);
    append_at(state, 3, 80 * MS);
    rs_fake_reply(fake, ops, state, 2, 150 * MS, RS_OK);
    rs_fake_advance(fake, ops, state, 159 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 2);
    rs_fake_advance(fake, ops, state, 160 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 3);
    CU_ASSERT_EQUAL(counter("adaptive_switches_to_degraded"), 2);
    CU_ASSERT_EQUAL(counter("adaptive_switches_to_healthy"), 1);
    CU_ASSERT_EQUAL(counter("adaptive_flaps"), 2);
    CU_ASSERT_EQUAL(fake->ack_count, 3);
    stop(state);
}

/* Failure rate: two timeouts of two results = 1000 per mille >= 500. Queue depth: three star
 * appends in flight >= 3. Neither figure alone is below its bar before. */
static void test_failure_rate_and_queue_depth_triggers(void) {
    set_params();
    params[RS_ADAPTIVE_PARAM_FAILURE_ENTER_PERMILLE] = 500;
    void *state = start(1, 1);
    append_at(state, 1, 0);
    append_at(state, 2, 1 * MS);
    rs_fake_reply(fake, ops, state, 0, 300 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 0);       /* one result: under min_samples */
    rs_fake_reply(fake, ops, state, 1, 301 * MS, RS_ERR_TIMEOUT);
    rs_fake_advance(fake, ops, state, 310 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_switch_failure_permille").last_observation,
                    1000);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_switch_p99_us").observations, 0);
    stop(state);
    set_params();
    params[RS_ADAPTIVE_PARAM_QUEUE_DEPTH_ENTER] = 3;
    params[RS_ADAPTIVE_PARAM_QUEUE_DEPTH_EXIT] = 1;
    state = start(1, 1);
    append_at(state, 1, 0);
    append_at(state, 2, 1 * MS);
    rs_fake_advance(fake, ops, state, 10 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 0);       /* depth 2 */
    append_at(state, 3, 15 * MS);
    rs_fake_advance(fake, ops, state, 20 * MS);
    CU_ASSERT_EQUAL(counter("adaptive_switches"), 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "adaptive_switch_queue_depth").last_observation, 3);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"switch at first evaluation after p99 crosses enter",
         test_switches_at_first_evaluation_after_p99_crosses_enter},
        {"no switch before the dwell time", test_no_switch_before_dwell_time},
        {"switch back with hysteresis", test_switches_back_with_hysteresis},
        {"in-flight requests complete after a switch",
         test_in_flight_requests_complete_after_switch},
        {"flapping counted", test_flapping_counted},
        {"failure rate and queue depth triggers", test_failure_rate_and_queue_depth_triggers},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("adaptive", tests);
    return rs_test_run_all();
}
