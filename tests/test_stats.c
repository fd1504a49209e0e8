/* test_stats.c — pins reports/stats.c against published values: Student's t quantiles
 * (t(0.975, df) from the standard tables, 3 decimals, and the exact closed forms for df 1 and
 * 2), its CDF, and the 95% interval of a small sample worked out by hand. */
#include <math.h>
#include <stdint.h>

#include "reports/stats.h"
#include "tests/support/test_util.h"

static void test_t_quantiles_match_the_tables(void) {
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 1), 12.706, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 2), 4.303, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 4), 2.776, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 9), 2.262, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 29), 2.045, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 30), 2.042, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, 1000), 1.962, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.995, 10), 3.169, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.95, 5), 2.015, 0.0005);
    /* Towards the normal: z(0.975) = 1.959964 */
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.975, RS_STATS_DF_MAX), 1.959964, 1e-5);
}

/* df 1 is Cauchy: t_p = tan(pi (p - 1/2)); df 2: t_p = (2p - 1) / sqrt(2 p (1 - p)). */
static void test_t_quantiles_match_closed_forms(void) {
    const double pi = 3.14159265358979323846;
    for (int i = 1; i < 100; i++) {
        double p = i / 100.0;
        double cauchy = tan(pi * (p - 0.5));
        double two = (2 * p - 1) / sqrt(2 * p * (1 - p));
        CU_ASSERT(fabs(rs_stats_t_quantile(p, 1) - cauchy) <= 1e-8 * (1 + fabs(cauchy)));
        CU_ASSERT(fabs(rs_stats_t_quantile(p, 2) - two) <= 1e-8 * (1 + fabs(two)));
    }
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.5, 7), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_quantile(0.025, 4), -2.776445, 1e-5);
}

static void test_t_cdf(void) {
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_cdf(0.0, 3), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_cdf(1.0, 1), 0.75, 1e-12); /* 1/2 + atan(1)/pi */
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_cdf(2.776445, 4), 0.975, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(rs_stats_t_cdf(-2.262157, 9), 0.025, 1e-6);
    CU_ASSERT(rs_stats_t_cdf(1e9, 2) > 0.999999);
}

/* 1, 2, 3, 4, 5: mean 3, s = sqrt(2.5), half-width t(0.975, 4) x s / sqrt(5) = 1.963243. */
static void test_interval_of_a_known_sample(void) {
    const double values[] = {1, 2, 3, 4, 5};
    rs_stats_interval interval = rs_stats_mean_interval(values, 5, 0.95);
    CU_ASSERT_EQUAL(interval.n, 5);
    CU_ASSERT_DOUBLE_EQUAL(interval.mean, 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(interval.stddev, sqrt(2.5), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(interval.half_width, 1.963243, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(interval.low, 1.036757, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(interval.high, 4.963243, 1e-5);
    CU_ASSERT_TRUE(rs_stats_excludes(&interval, 0.0));
    CU_ASSERT_FALSE(rs_stats_excludes(&interval, 4.9));
    /* 10 values 0.1 .. 1.0: mean 0.55, s = 0.302765, t(0.975, 9) = 2.262157 -> 0.216585 */
    double tenths[10];
    for (int i = 0; i < 10; i++) {
        tenths[i] = (i + 1) / 10.0;
    }
    interval = rs_stats_mean_interval(tenths, 10, 0.95);
    CU_ASSERT_DOUBLE_EQUAL(interval.half_width, 0.216585, 1e-5);
}

static void test_degenerate_samples(void) {
    const double same[] = {7.5, 7.5, 7.5};
    rs_stats_interval interval = rs_stats_mean_interval(same, 3, 0.95);
    CU_ASSERT_EQUAL(interval.half_width, 0.0);
    CU_ASSERT_EQUAL(interval.low, 7.5);
    CU_ASSERT_TRUE(rs_stats_excludes(&interval, 0.0));
    CU_ASSERT_FALSE(rs_stats_excludes(&interval, 7.5));
    const double one[] = {4.0, NAN};
    interval = rs_stats_mean_interval(one, 2, 0.95);
    CU_ASSERT_EQUAL(interval.n, 1);
    CU_ASSERT_DOUBLE_EQUAL(interval.mean, 4.0, 0.0);
    CU_ASSERT_TRUE(isnan(interval.half_width));
    CU_ASSERT_FALSE(rs_stats_excludes(&interval, 0.0));
    interval = rs_stats_mean_interval(NULL, 0, 0.95);
    CU_ASSERT_EQUAL(interval.n, 0);
    CU_ASSERT_TRUE(isnan(interval.mean));
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"t quantiles match the tables", test_t_quantiles_match_the_tables},
        {"t quantiles match closed forms for df 1 and 2", test_t_quantiles_match_closed_forms},
        {"t cdf", test_t_cdf},
        {"interval of a known sample", test_interval_of_a_known_sample},
        {"degenerate samples", test_degenerate_samples},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("stats", tests);
    return rs_test_run_all();
}
