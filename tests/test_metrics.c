/* test_metrics.c — pins the named strategy metrics: counters add up across calls, gauges keep
 * their per-second maximum and last level, observations feed a histogram, and names come out
 * sorted whatever order they were first used in. Method: feed rs_metrics directly. */
#include "reports/metrics.h"
#include "tests/support/test_util.h"

static void test_counters_observations_and_gauges(void) {
    rs_metrics metrics;
    CU_ASSERT_EQUAL_FATAL(rs_metrics_init(&metrics, 2), 0);
    rs_metrics_count(&metrics, "events_rule_a", 2);
    rs_metrics_count(&metrics, "events_rule_a", 3);
    rs_metrics_observe(&metrics, "queue_wait_us", 100);
    rs_metrics_observe(&metrics, "queue_wait_us", 300);
    rs_metrics_gauge(&metrics, "queue_depth", 100000, 4);
    rs_metrics_gauge(&metrics, "queue_depth", 900000, 7);
    rs_metrics_gauge(&metrics, "queue_depth", 950000, 2);
    rs_metrics_gauge(&metrics, "queue_depth", 2500000, 1);
    CU_ASSERT_EQUAL_FATAL(metrics.named_count, 3);
    CU_ASSERT_EQUAL(metrics.named[0].counter, 5);
    CU_ASSERT_EQUAL(metrics.named[1].observations.total, 2);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&metrics.named[1].observations, 1.0), 300);
    const rs_named_metric *gauge = &metrics.named[2];
    CU_ASSERT_EQUAL(gauge->gauge_max, 7);
    CU_ASSERT_EQUAL(gauge->gauge_last, 1);
    CU_ASSERT_FATAL(gauge->gauge_seconds >= 3);
    CU_ASSERT_EQUAL(gauge->gauge_second_max[0], 7);
    CU_ASSERT_EQUAL(gauge->gauge_second_max[1], -1);
    CU_ASSERT_EQUAL(gauge->gauge_second_max[2], 1);
    uint32_t order[RS_NAMED_METRICS_MAX];
    CU_ASSERT_EQUAL(rs_metrics_named_sorted(&metrics, order), 3);
    CU_ASSERT_EQUAL(order[0], 0); /* events_rule_a */
    CU_ASSERT_EQUAL(order[1], 2); /* queue_depth */
    CU_ASSERT_EQUAL(order[2], 1); /* queue_wait_us */
    rs_metrics_free(&metrics);
    CU_ASSERT_EQUAL(metrics.named_count, 0);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"counters, observations and gauges", test_counters_observations_and_gauges},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("named metrics", tests);
    return rs_test_run_all();
}
