/* test_dist.c — checks every latency distribution's sampler against its own analytic mean and
 * quantiles (200000 fixed-seed samples each, tolerances justified from the standard errors),
 * the analytic functions against hand-computed values, and the fixed draw counts that make
 * runs replay exactly. */
#include "model/dist.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

#define SAMPLES 200000
#define LN2 0.69314718055994530942
#define LN10 2.30258509299404568402
#define Z_975 1.9599639845400536 /* standard normal quantiles, Python's NormalDist.inv_cdf */
#define Z_90 1.2815515655446008

static double samples[SAMPLES];

static rs_dist dist_of_leaf(rs_dist_kind kind, double p1, double p2) {
    rs_dist dist;
    memset(&dist, 0, sizeof dist);
    dist.kind = kind;
    dist.p1 = p1;
    dist.p2 = p2;
    return dist;
}

static int compare_double(const void *left, const void *right) {
    const double a = *(const double *)left;
    const double b = *(const double *)right;
    return (a > b) - (a < b);
}

/* Nearest-rank sample quantile of the sorted samples. */
static double sorted_quantile(double q) {
    size_t rank = (size_t)ceil(q * SAMPLES);
    return samples[rank - 1];
}

/* Fills `samples` from a fixed seed, checks none is negative, sorts them, returns the mean. */
static double draw_sorted_samples(const rs_dist *dist, uint64_t seed) {
    rs_rng rng;
    rs_rng_seed(&rng, seed, RS_RNG_NETWORK, 0);
    double sum = 0.0;
    int negatives = 0;
    for (int i = 0; i < SAMPLES; i++) {
        samples[i] = rs_dist_sample_ms(dist, &rng);
        negatives += samples[i] < 0.0 || isnan(samples[i]);
        sum += samples[i];
    }
    CU_ASSERT_EQUAL(negatives, 0);
    qsort(samples, SAMPLES, sizeof samples[0], compare_double);
    return sum / SAMPLES;
}

/* Sample mean within 1% of rs_dist_mean_ms, and p50, p90, p99 within 2% of the analytic
 * quantiles. The parameters in the tests below are chosen so that 1% of the mean is at least
 * 4.5 standard errors of the sample mean, and 2% of each quantile at least 4 standard errors
 * of the sample quantile (sqrt(q (1 - q) / n) / density): failures mean a wrong sampler. */
static void check_leaf_statistics(rs_dist_kind kind, double p1, double p2, uint64_t seed) {
    const rs_dist dist = dist_of_leaf(kind, p1, p2);
    const rs_dist_leaf leaf = {.kind = kind, .p1 = p1, .p2 = p2};
    const double mean = draw_sorted_samples(&dist, seed);
    const double expected_mean = rs_dist_mean_ms(&dist);
    CU_ASSERT(fabs(mean - expected_mean) <= 0.01 * fabs(expected_mean));
    static const double quantiles[] = {0.5, 0.9, 0.99};
    for (size_t i = 0; i < sizeof quantiles / sizeof quantiles[0]; i++) {
        const double expected = rs_dist_leaf_quantile_ms(&leaf, quantiles[i]);
        const double observed = sorted_quantile(quantiles[i]);
        CU_ASSERT(fabs(observed - expected) <= 0.02 * fabs(expected));
    }
}

static void test_kind_names_round_trip(void) {
    static const char *const names[] = {"none", "constant", "uniform", "normal", "lognormal",
                                        "exponential", "pareto", "mixture"};
    for (int kind = RS_DIST_NONE; kind <= RS_DIST_MIXTURE; kind++) {
        CU_ASSERT_STRING_EQUAL(rs_dist_kind_name((rs_dist_kind)kind), names[kind]);
        CU_ASSERT_EQUAL(rs_dist_kind_from_name(names[kind]), kind);
    }
    CU_ASSERT_EQUAL(rs_dist_kind_from_name("pareto"), RS_DIST_PARETO);
    CU_ASSERT_EQUAL(rs_dist_kind_from_name("gamma"), -1);
    CU_ASSERT_EQUAL(rs_dist_kind_from_name(""), -1);
    CU_ASSERT_EQUAL(rs_dist_kind_from_name("Normal"), -1); /* names are case-sensitive */
    CU_ASSERT_EQUAL(rs_dist_kind_from_name("normal "), -1);
}

static void test_analytic_values_by_hand(void) {
    const rs_dist_leaf exponential = {RS_DIST_EXPONENTIAL, 2.0, 0.0};
    const rs_dist_leaf uniform = {RS_DIST_UNIFORM, 1.0, 3.0};
    const rs_dist_leaf lognormal = {RS_DIST_LOGNORMAL, 5.0, 0.5};
    const rs_dist_leaf normal = {RS_DIST_NORMAL, 10.0, 2.0};
    const rs_dist_leaf pareto = {RS_DIST_PARETO, 2.0, 3.0};
    const rs_dist_leaf constant = {RS_DIST_CONSTANT, 7.0, 0.0};
    const rs_dist_leaf none = {RS_DIST_NONE, 0.0, 0.0};
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&exponential, 0.5), 2.0 * LN2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&exponential, 0.9), 2.0 * LN10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&uniform, 0.9), 2.8, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&uniform, 0.5), 2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&lognormal, 0.5), 5.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&lognormal, 0.975), 5.0 * exp(0.5 * Z_975),
                           1e-10);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&normal, 0.5), 10.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&normal, 0.975), 10.0 + 2.0 * Z_975, 1e-10);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&normal, 0.025), 10.0 - 2.0 * Z_975, 1e-10);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&pareto, 0.5), 2.0 * cbrt(2.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&pareto, 0.99), 2.0 * cbrt(100.0), 1e-10);
    CU_ASSERT_EQUAL(rs_dist_leaf_quantile_ms(&constant, 0.99), 7.0);
    CU_ASSERT_EQUAL(rs_dist_leaf_quantile_ms(&none, 0.99), 0.0);

    rs_dist dist = dist_of_leaf(RS_DIST_EXPONENTIAL, 2.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_mean_ms(&dist), 2.0, 1e-15);
    dist = dist_of_leaf(RS_DIST_UNIFORM, 1.0, 3.0);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_mean_ms(&dist), 2.0, 1e-15);
    dist = dist_of_leaf(RS_DIST_LOGNORMAL, 5.0, 0.5);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_mean_ms(&dist), 5.0 * exp(0.125), 1e-12); /* 5.66598... */
    dist = dist_of_leaf(RS_DIST_PARETO, 2.0, 3.0);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_mean_ms(&dist), 3.0, 1e-12);
    dist = dist_of_leaf(RS_DIST_CONSTANT, 7.0, 0.0);
    CU_ASSERT_EQUAL(rs_dist_mean_ms(&dist), 7.0);
    dist = dist_of_leaf(RS_DIST_NONE, 0.0, 0.0);
    CU_ASSERT_EQUAL(rs_dist_mean_ms(&dist), 0.0);
}

static void test_infinite_and_clamped_analytics(void) {
    rs_dist dist = dist_of_leaf(RS_DIST_PARETO, 2.0, 1.0);
    CU_ASSERT(isinf(rs_dist_mean_ms(&dist)) && rs_dist_mean_ms(&dist) > 0.0);
    dist = dist_of_leaf(RS_DIST_PARETO, 2.0, 0.5);
    CU_ASSERT(isinf(rs_dist_mean_ms(&dist)));
    dist = dist_of_leaf(RS_DIST_PARETO, 2.0, 1.001);
    CU_ASSERT(isfinite(rs_dist_mean_ms(&dist)));
    /* Normal(1, 2): the mean ignores the clamp, the quantiles are those of clamped samples. */
    dist = dist_of_leaf(RS_DIST_NORMAL, 1.0, 2.0);
    CU_ASSERT_EQUAL(rs_dist_mean_ms(&dist), 1.0);
    const rs_dist_leaf normal = {RS_DIST_NORMAL, 1.0, 2.0};
    CU_ASSERT_EQUAL(rs_dist_leaf_quantile_ms(&normal, 0.1), 0.0); /* 1 - 2 * 1.28 < 0 */
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&normal, 0.9), 1.0 + 2.0 * Z_90, 1e-10);
}

static void test_normal_quantile_precision(void) {
    /* Reference values from Python's statistics.NormalDist().inv_cdf (Wichura's AS241). */
    static const double cases[][2] = {
        {0.5, 0.0},
        {0.975, 1.9599639845400536},
        {0.9, 1.2815515655446008},
        {0.99, 2.3263478740408408},
        {0.001, -3.090232306167813},
        {1e-09, -5.9978070150076865},
        {0.3, -0.5244005127080407},
        {0.02, -2.0537489106318225},  /* Acklam's tail region */
        {0.03, -1.8807936081512509},  /* Acklam's central region */
        {0.999999, 4.753424308817089},
    };
    const rs_dist_leaf standard = {RS_DIST_NORMAL, 0.0, 1.0};
    const rs_dist_leaf shifted = {RS_DIST_NORMAL, 100.0, 1.0}; /* unclamped everywhere here */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double q = cases[i][0];
        const double z = rs_dist_leaf_quantile_ms(&shifted, q) - 100.0;
        CU_ASSERT(fabs(z - cases[i][1]) <= 1e-9 * fmax(1.0, fabs(cases[i][1])));
        if (cases[i][1] > 0.0) { /* the standard one clamps the lower half to 0 */
            const double exact = rs_dist_leaf_quantile_ms(&standard, q);
            CU_ASSERT(fabs(exact - cases[i][1]) <= 1e-12 * cases[i][1]);
        }
    }
    /* Symmetry, and the lower half of the standard normal clamped to 0. */
    CU_ASSERT_EQUAL(rs_dist_leaf_quantile_ms(&standard, 0.3), 0.0);
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_leaf_quantile_ms(&standard, 0.7), 0.5244005127080407, 1e-14);
}

static void test_mixture_means(void) {
    rs_dist mixture = dist_of_leaf(RS_DIST_MIXTURE, 0.0, 0.0);
    mixture.component_count = 3;
    mixture.weights[0] = 0.25;
    mixture.components[0] = (rs_dist_leaf){RS_DIST_CONSTANT, 4.0, 0.0};
    mixture.weights[1] = 0.75;
    mixture.components[1] = (rs_dist_leaf){RS_DIST_UNIFORM, 0.0, 2.0};
    mixture.weights[2] = 0.0; /* an infinite-mean part with no weight: 0 * inf is skipped */
    mixture.components[2] = (rs_dist_leaf){RS_DIST_PARETO, 1.0, 1.0};
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_mean_ms(&mixture), 0.25 * 4.0 + 0.75 * 1.0, 1e-15);
    mixture.weights[1] = 0.5;
    mixture.weights[2] = 0.25;
    CU_ASSERT(isinf(rs_dist_mean_ms(&mixture)));
}

static void test_constant_and_none_samples(void) {
    check_leaf_statistics(RS_DIST_CONSTANT, 7.5, 0.0, 101);
    CU_ASSERT_EQUAL(samples[0], 7.5);
    CU_ASSERT_EQUAL(samples[SAMPLES - 1], 7.5);
    check_leaf_statistics(RS_DIST_NONE, 0.0, 0.0, 102);
    CU_ASSERT_EQUAL(samples[SAMPLES - 1], 0.0);
}

static void test_uniform_samples(void) {
    /* sd 0.577: mean se 0.0013 (1% = 15 se); p50 se 0.0022 (2% = 18 se). */
    check_leaf_statistics(RS_DIST_UNIFORM, 1.0, 3.0, 103);
    CU_ASSERT(samples[0] >= 1.0);
    CU_ASSERT(samples[SAMPLES - 1] < 3.0);
}

static void test_normal_samples(void) {
    /* Normal(10, 2): mean se 0.0045 (1% = 22 se); clamping has probability 3e-7. */
    check_leaf_statistics(RS_DIST_NORMAL, 10.0, 2.0, 104);
}

static void test_lognormal_samples(void) {
    /* Median 5, sigma 0.5: sd 3.02, mean se 0.0068 (1% = 8 se); p99 16.0, se 0.067 (2% = 4.8). */
    check_leaf_statistics(RS_DIST_LOGNORMAL, 5.0, 0.5, 105);
}

static void test_exponential_samples(void) {
    /* Mean 2: mean se 0.0045 (1% = 4.5 se); p99 9.21, se 0.044 (2% = 4.1 se). */
    check_leaf_statistics(RS_DIST_EXPONENTIAL, 2.0, 0.0, 106);
}

static void test_pareto_samples(void) {
    /* Scale 2, shape 5: finite variance 0.42, mean 2.5, se 0.0014 (1% = 17 se). The relative
     * se of a Pareto p99 is sqrt(99 / n) / shape = 0.45%, so 2% is 4.5 se. */
    check_leaf_statistics(RS_DIST_PARETO, 2.0, 5.0, 107);
    CU_ASSERT(samples[0] >= 2.0); /* never below the scale */
}

static void test_normal_clamps_negative_draws_to_zero(void) {
    const rs_dist dist = dist_of_leaf(RS_DIST_NORMAL, 1.0, 2.0);
    (void)draw_sorted_samples(&dist, 108);
    CU_ASSERT_EQUAL(samples[0], 0.0);
    CU_ASSERT_FALSE(signbit(samples[0])); /* +0.0, never -0.0 */
    size_t zeros = 0;
    while (zeros < SAMPLES && samples[zeros] == 0.0) {
        zeros++;
    }
    /* P(N(1, 2) <= 0) = Phi(-0.5) = 0.30854; se 0.0010, so 0.005 is 4.8 se. */
    CU_ASSERT_DOUBLE_EQUAL((double)zeros / SAMPLES, 0.30853753872598688, 0.005);
    CU_ASSERT_EQUAL(sorted_quantile(0.1), 0.0);
    CU_ASSERT(fabs(sorted_quantile(0.9) - (1.0 + 2.0 * Z_90)) <= 0.02 * (1.0 + 2.0 * Z_90));
}

static rs_dist normal_exponential_mixture(void) {
    rs_dist mixture = dist_of_leaf(RS_DIST_MIXTURE, 0.0, 0.0);
    mixture.component_count = 2;
    mixture.weights[0] = 0.7;
    mixture.components[0] = (rs_dist_leaf){RS_DIST_NORMAL, 10.0, 2.0};
    mixture.weights[1] = 0.3;
    mixture.components[1] = (rs_dist_leaf){RS_DIST_EXPONENTIAL, 20.0, 0.0};
    return mixture;
}

static void test_mixture_samples(void) {
    const rs_dist mixture = normal_exponential_mixture();
    CU_ASSERT_DOUBLE_EQUAL(rs_dist_mean_ms(&mixture), 13.0, 1e-12);
    const double mean = draw_sorted_samples(&mixture, 109);
    /* Variance 143.8: mean se 0.027, so 1% (0.13) is 4.8 se. */
    CU_ASSERT(fabs(mean - 13.0) <= 0.01 * 13.0);
    /* The mixture CDF: F(x) = 0.7 Phi((x - 10) / 2) + 0.3 (1 - e^(-x / 20)). At x = 10,
     * 0.35 + 0.3 (1 - e^-0.5) = 0.46804 (se 0.0011); at x = 30, 0.7 + 0.3 (1 - e^-1.5)
     * = 0.93306 (se 0.00056). */
    size_t below_10 = 0, below_30 = 0;
    for (size_t i = 0; i < SAMPLES; i++) {
        below_10 += samples[i] < 10.0;
        below_30 += samples[i] < 30.0;
    }
    CU_ASSERT_DOUBLE_EQUAL((double)below_10 / SAMPLES, 0.35 + 0.3 * (1.0 - exp(-0.5)), 0.005);
    CU_ASSERT_DOUBLE_EQUAL((double)below_30 / SAMPLES, 0.7 + 0.3 * (1.0 - exp(-1.5)), 0.0028);
}

static void test_mixture_never_picks_a_zero_weight(void) {
    rs_dist mixture = dist_of_leaf(RS_DIST_MIXTURE, 0.0, 0.0);
    mixture.component_count = 3;
    for (uint32_t i = 0; i < 3; i++) {
        mixture.components[i] = (rs_dist_leaf){RS_DIST_CONSTANT, (double)(i + 1), 0.0};
    }
    mixture.weights[1] = 1.0;
    rs_rng rng;
    rs_rng_seed(&rng, 110, RS_RNG_NETWORK, 0);
    for (int i = 0; i < 10000; i++) {
        CU_ASSERT_EQUAL_FATAL(rs_dist_sample_ms(&mixture, &rng), 2.0);
    }
    /* Weights summing to 1 - 1e-10 and the largest uniform, 1 - 2^-53: the pick falls past
     * the total and must land on the last weighted component (2.0), not the zero-weight 3.0.
     * A state whose first output is all ones gives that uniform. */
    mixture.weights[0] = 0.5;
    mixture.weights[1] = 0.5 - 1e-10;
    const uint64_t rotated = (UINT64_MAX * 0x8e38e38e38e38e39ULL); /* times 9^-1 mod 2^64 */
    const uint64_t product = (rotated >> 7) | (rotated << 57);
    rng = (rs_rng){.state = {1, product * 0xcccccccccccccccdULL, 0, 0}}; /* times 5^-1 */
    rs_rng probe = rng;
    CU_ASSERT_EQUAL(rs_rng_next(&probe), UINT64_MAX);
    CU_ASSERT_EQUAL(rs_dist_sample_ms(&mixture, &rng), 2.0);
}

/* Number of rs_rng_next calls one sample of `dist` consumes, found by replaying the stream. */
static int draws_per_sample(const rs_dist *dist) {
    rs_rng rng;
    rs_rng_seed(&rng, 111, RS_RNG_STORE, 0);
    rs_rng replay = rng;
    (void)rs_dist_sample_ms(dist, &rng);
    for (int draws = 0; draws <= 8; draws++) {
        if (memcmp(&rng, &replay, sizeof rng) == 0) {
            return draws;
        }
        (void)rs_rng_next(&replay);
    }
    return -1;
}

static void test_fixed_draw_counts(void) {
    static const struct {
        rs_dist_kind kind;
        double p1;
        double p2;
        int draws;
    } cases[] = {
        {RS_DIST_NONE, 0.0, 0.0, 0},        {RS_DIST_CONSTANT, 3.0, 0.0, 0},
        {RS_DIST_UNIFORM, 1.0, 2.0, 1},     {RS_DIST_NORMAL, 5.0, 1.0, 2},
        {RS_DIST_LOGNORMAL, 5.0, 1.0, 2},   {RS_DIST_EXPONENTIAL, 5.0, 0.0, 1},
        {RS_DIST_PARETO, 1.0, 3.0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rs_dist dist = dist_of_leaf(cases[i].kind, cases[i].p1, cases[i].p2);
        CU_ASSERT_EQUAL(draws_per_sample(&dist), cases[i].draws);
        rs_dist mixture = dist_of_leaf(RS_DIST_MIXTURE, 0.0, 0.0);
        mixture.component_count = 1;
        mixture.weights[0] = 1.0;
        mixture.components[0] = (rs_dist_leaf){cases[i].kind, cases[i].p1, cases[i].p2};
        CU_ASSERT_EQUAL(draws_per_sample(&mixture), cases[i].draws + 1);
    }
}

static void test_same_seed_same_sequence(void) {
    enum { COUNT = 1000 };
    static double first[COUNT], second[COUNT], other[COUNT];
    const rs_dist mixture = normal_exponential_mixture();
    rs_rng a, b, c;
    rs_rng_seed(&a, 112, RS_RNG_NETWORK, 3);
    rs_rng_seed(&b, 112, RS_RNG_NETWORK, 3);
    rs_rng_seed(&c, 112, RS_RNG_NETWORK, 4);
    for (int i = 0; i < COUNT; i++) {
        first[i] = rs_dist_sample_ms(&mixture, &a);
        second[i] = rs_dist_sample_ms(&mixture, &b);
        other[i] = rs_dist_sample_ms(&mixture, &c);
    }
    CU_ASSERT_EQUAL(memcmp(first, second, sizeof first), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(first, other, sizeof first), 0);
}

static void test_samples_are_pinned(void) {
    /* First samples of seed 7, network stream 3, from a Python re-implementation of rng.c and
     * of the formulas in dist.c; a change here changes every run's latencies. */
    static const struct {
        rs_dist_kind kind;
        double p1;
        double p2;
        double expected[3];
    } cases[] = {
        {RS_DIST_EXPONENTIAL, 2.0, 0.0, {8.04141994204133, 3.799793920473232, 1.1311981003641078}},
        {RS_DIST_PARETO, 2.0, 5.0, {4.469556446647666, 2.924508910106221, 2.2395321682548155}},
        {RS_DIST_LOGNORMAL, 5.0, 0.5, {11.540194136167202, 5.258526966276323, 5.947974998538226}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rs_dist dist = dist_of_leaf(cases[i].kind, cases[i].p1, cases[i].p2);
        rs_rng rng;
        rs_rng_seed(&rng, 7, RS_RNG_NETWORK, 3);
        for (int k = 0; k < 3; k++) {
            const double sample = rs_dist_sample_ms(&dist, &rng);
            CU_ASSERT(fabs(sample - cases[i].expected[k]) <= 1e-12 * cases[i].expected[k]);
        }
    }
}

int main(void) {
    static CU_TestInfo analytic[] = {
        {"kind names round trip", test_kind_names_round_trip},
        {"analytic values by hand", test_analytic_values_by_hand},
        {"infinite and clamped analytics", test_infinite_and_clamped_analytics},
        {"normal quantile precision", test_normal_quantile_precision},
        {"mixture means", test_mixture_means},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo sampling[] = {
        {"constant and none", test_constant_and_none_samples},
        {"uniform", test_uniform_samples},
        {"normal", test_normal_samples},
        {"lognormal", test_lognormal_samples},
        {"exponential", test_exponential_samples},
        {"pareto", test_pareto_samples},
        {"normal clamps to zero", test_normal_clamps_negative_draws_to_zero},
        {"mixture", test_mixture_samples},
        {"mixture never picks a zero weight", test_mixture_never_picks_a_zero_weight},
        {"fixed draw counts", test_fixed_draw_counts},
        {"same seed same sequence", test_same_seed_same_sequence},
        {"samples are pinned", test_samples_are_pinned},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("dist analytic", analytic);
    rs_test_add_suite("dist sampling", sampling);
    return rs_test_run_all();
}
