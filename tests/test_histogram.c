/* test_histogram.c — pins the log-linear histogram against known values: exact counts below
 * 256, bucket centres (worked out by hand from the layout in histogram.c) and the 0.4% bound on
 * the sequence 1..10000, merging, the empty histogram, exact min/max and clamping. */
#include <math.h>
#include <stdint.h>

#include "reports/histogram.h"
#include "tests/support/test_util.h"

static void record_range(rs_histogram *histogram, int64_t first, int64_t last) {
    for (int64_t value = first; value <= last; value++) {
        CU_ASSERT_EQUAL_FATAL(rs_histogram_record(histogram, value), 0);
    }
}

static void test_values_below_256_are_exact(void) {
    rs_histogram histogram;
    rs_histogram_init(&histogram);
    record_range(&histogram, 0, 255);
    CU_ASSERT_EQUAL(histogram.total, 256);
    for (int rank = 1; rank <= 256; rank++) {
        CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, rank / 256.0), rank - 1);
    }
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), 127);
    CU_ASSERT_DOUBLE_EQUAL(rs_histogram_mean(&histogram), 127.5, 1e-12);
    rs_histogram_free(&histogram);
}

static void test_quantiles_of_one_to_ten_thousand(void) {
    rs_histogram histogram;
    rs_histogram_init(&histogram);
    record_range(&histogram, 1, 10000);
    /* 5000 lies in [4992, 5024) (width 32 above 4096): its centre is 4992 + 15. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), 5007);
    /* 9900 lies in [9856, 9920) (width 64 above 8192): centre 9856 + 31. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.99), 9887);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.0), 1);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 1.0), 10000);
    for (int per_mille = 1; per_mille < 1000; per_mille++) {
        double q = per_mille / 1000.0;
        double expected = ceil(q * 10000.0 - 1e-9);
        double reported = (double)rs_histogram_quantile(&histogram, q);
        CU_ASSERT(fabs(reported - expected) / expected <= 0.004);
    }
    CU_ASSERT_DOUBLE_EQUAL(rs_histogram_mean(&histogram), 5000.5, 1e-9);
    rs_histogram_free(&histogram);
}

/* q * total a few ulps above a whole number (0.07 * 100 = 7.000000000000001) is rank 7. */
static void test_rank_is_not_pushed_up_by_rounding(void) {
    rs_histogram histogram;
    rs_histogram_init(&histogram);
    record_range(&histogram, 1, 100);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.07), 7);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.999), 100);
    rs_histogram_free(&histogram);
    rs_histogram_init(&histogram);
    record_range(&histogram, 1, 1000);
    /* rank 999: 999 lies in [996, 1000), centre 997; rank 1000 would give 1000. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.999), 997);
    rs_histogram_free(&histogram);
}

static void test_merge_equals_recording_everything(void) {
    rs_histogram low, high, all;
    rs_histogram_init(&low);
    rs_histogram_init(&high);
    rs_histogram_init(&all);
    record_range(&low, 1, 5000);
    record_range(&high, 5001, 10000);
    record_range(&all, 1, 10000);
    CU_ASSERT_EQUAL(rs_histogram_merge(&high, &low), 0);
    CU_ASSERT_EQUAL(high.total, 10000);
    CU_ASSERT_EQUAL(high.min_value, 1);
    CU_ASSERT_EQUAL(high.max_value, 10000);
    CU_ASSERT_DOUBLE_EQUAL(rs_histogram_mean(&high), 5000.5, 1e-9);
    static const double quantiles[] = {0.001, 0.1, 0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof quantiles / sizeof quantiles[0]; i++) {
        CU_ASSERT_EQUAL(rs_histogram_quantile(&high, quantiles[i]),
                        rs_histogram_quantile(&all, quantiles[i]));
    }
    CU_ASSERT_EQUAL(rs_histogram_quantile(&high, 0.5), 5007);
    rs_histogram empty;
    rs_histogram_init(&empty);
    CU_ASSERT_EQUAL(rs_histogram_merge(&empty, &low), 0);
    CU_ASSERT_EQUAL(empty.total, 5000);
    CU_ASSERT_EQUAL(empty.min_value, 1);
    CU_ASSERT_EQUAL(empty.max_value, 5000);
    rs_histogram_free(&empty);
    rs_histogram_free(&low);
    rs_histogram_free(&high);
    rs_histogram_free(&all);
}

static void test_empty_histogram(void) {
    rs_histogram histogram;
    rs_histogram_init(&histogram);
    CU_ASSERT_PTR_NULL(histogram.counts);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.0), 0);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), 0);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 1.0), 0);
    CU_ASSERT_DOUBLE_EQUAL(rs_histogram_mean(&histogram), 0.0, 0.0);
    rs_histogram other;
    rs_histogram_init(&other);
    CU_ASSERT_EQUAL(rs_histogram_merge(&histogram, &other), 0);
    CU_ASSERT_PTR_NULL(histogram.counts); /* merging nothing allocates nothing */
    CU_ASSERT_EQUAL(histogram.total, 0);
    rs_histogram_free(&histogram);
}

static void test_min_and_max_are_exact(void) {
    rs_histogram histogram;
    rs_histogram_init(&histogram);
    CU_ASSERT_EQUAL(rs_histogram_record(&histogram, 1000003), 0);
    /* One value: its bucket [999424, 1003520) has centre 1001471, clamped to [min, max]. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), 1000003);
    CU_ASSERT_EQUAL(rs_histogram_record(&histogram, 77777777), 0);
    CU_ASSERT_EQUAL(histogram.min_value, 1000003);
    CU_ASSERT_EQUAL(histogram.max_value, 77777777);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.0), 1000003);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 1.0), 77777777);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), 1001471);
    /* Rank 2 of 2: bucket centre 77856767 is above the max, so the max is reported. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.99), 77777777);
    rs_histogram_free(&histogram);
}

static void test_values_are_clamped_to_zero_and_two_to_the_forty(void) {
    rs_histogram histogram;
    rs_histogram_init(&histogram);
    CU_ASSERT_EQUAL(rs_histogram_record(&histogram, -5), 0);
    CU_ASSERT_EQUAL(histogram.min_value, 0);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), 0);
    CU_ASSERT_EQUAL(rs_histogram_record(&histogram, INT64_C(1) << 41), 0);
    CU_ASSERT_EQUAL(rs_histogram_record(&histogram, INT64_MAX), 0);
    int64_t top = (INT64_C(1) << 40) - 1;
    CU_ASSERT_EQUAL(histogram.max_value, top);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 1.0), top);
    /* Rank 2 of 3 lies in the last bucket [2^40 - 2^32, 2^40): centre 2^40 - 2^31 - 1. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&histogram, 0.5), top - (INT64_C(1) << 31));
    CU_ASSERT_EQUAL(histogram.total, 3);
    CU_ASSERT_DOUBLE_EQUAL(histogram.sum, 2.0 * (double)top, 1.0);
    rs_histogram_free(&histogram);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"values below 256 are exact", test_values_below_256_are_exact},
        {"quantiles of 1..10000 within 0.4%", test_quantiles_of_one_to_ten_thousand},
        {"rank is not pushed up by rounding", test_rank_is_not_pushed_up_by_rounding},
        {"merge equals recording everything", test_merge_equals_recording_everything},
        {"empty histogram", test_empty_histogram},
        {"min and max are exact", test_min_and_max_are_exact},
        {"values are clamped to [0, 2^40)", test_values_are_clamped_to_zero_and_two_to_the_forty},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("histogram", tests);
    return rs_test_run_all();
}
