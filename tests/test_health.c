/* test_health.c — pins the health state machine (strategies/health.c): a store turns
 * unhealthy exactly at the unhealthy_after-th failure in a row and healthy again exactly at
 * the healthy_after-th success in a row; an interruption resets the count. */
#include "strategies/health.h"
#include "tests/support/test_util.h"

static const rs_health_spec spec = {.enabled = true, .interval_us = 1000, .timeout_us = 500,
                                    .unhealthy_after = 3, .healthy_after = 2};

static void test_unhealthy_after_consecutive_failures(void) {
    rs_health_tracker tracker;
    rs_health_tracker_init(&tracker);
    CU_ASSERT_TRUE(tracker.healthy);
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, false));
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, false));
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, true));  /* resets the count */
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, false));
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, false));
    CU_ASSERT_TRUE(tracker.healthy);
    CU_ASSERT_TRUE(rs_health_tracker_observe(&tracker, &spec, false));  /* third in a row */
    CU_ASSERT_FALSE(tracker.healthy);
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, false)); /* no new change */
}

static void test_healthy_again_after_consecutive_successes(void) {
    rs_health_tracker tracker;
    rs_health_tracker_init(&tracker);
    for (int i = 0; i < 3; i++) {
        (void)rs_health_tracker_observe(&tracker, &spec, false);
    }
    CU_ASSERT_FALSE_FATAL(tracker.healthy);
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, true));
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, false)); /* resets */
    CU_ASSERT_FALSE(rs_health_tracker_observe(&tracker, &spec, true));
    CU_ASSERT_FALSE(tracker.healthy);
    CU_ASSERT_TRUE(rs_health_tracker_observe(&tracker, &spec, true));   /* second in a row */
    CU_ASSERT_TRUE(tracker.healthy);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"unhealthy after consecutive failures", test_unhealthy_after_consecutive_failures},
        {"healthy after consecutive successes", test_healthy_again_after_consecutive_successes},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("health", tests);
    return rs_test_run_all();
}
