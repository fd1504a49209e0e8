/* stats.c — see stats.h. Student's t CDF through the regularised incomplete beta function
 * I_x(a, b) (continued fraction by the modified Lentz method, as in Numerical Recipes §6.4),
 * and its quantile by bisection on that CDF: ~200 CDF evaluations per quantile, each O(100)
 * operations — nothing next to one simulated run. */
#include "reports/stats.h"

#include <assert.h>
#include <math.h>

#define STATS_CF_ITERATIONS_MAX 300   /* continued fraction terms; converges in < 100 */
#define STATS_CF_EPSILON 1e-15        /* relative change that ends the continued fraction */
#define STATS_TINY 1e-300             /* keeps Lentz's denominators away from 0 */
#define STATS_BISECTIONS_MAX 200      /* halvings of the quantile's bracket */
#define STATS_T_MAX 1e12              /* largest |t| the quantile searches */

/* Continued fraction of I_x(a, b) (valid, and fast, for x < (a + 1) / (a + b + 2)). */
static double beta_fraction(double a, double b, double x) {
    assert(a > 0 && b > 0);
    assert(x >= 0 && x <= 1);
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    d = 1.0 / (fabs(d) < STATS_TINY ? STATS_TINY : d);
    double result = d;
    for (int m = 1; m <= STATS_CF_ITERATIONS_MAX; m++) {
        double m2 = 2.0 * m;
        for (int step = 0; step < 2; step++) {
            double numerator = step == 0
                ? m * (b - m) * x / ((a + m2 - 1.0) * (a + m2))
                : -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
            d = 1.0 + numerator * d;
            d = 1.0 / (fabs(d) < STATS_TINY ? STATS_TINY : d);
            c = 1.0 + numerator / c;
            c = fabs(c) < STATS_TINY ? STATS_TINY : c;
            result *= d * c;
            if (step == 1 && fabs(d * c - 1.0) < STATS_CF_EPSILON) {
                return result;
            }
        }
    }
    return result; /* not converged: the last approximation (never seen for t's parameters) */
}

/* The regularised incomplete beta function I_x(a, b), x in [0, 1]. */
static double incomplete_beta(double a, double b, double x) {
    assert(a > 0 && b > 0);
    assert(x >= 0 && x <= 1);
    if (x == 0.0 || x == 1.0) {
        return x;
    }
    double log_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double front = exp(log_front);
    if (x < (a + 1.0) / (a + b + 2.0)) {
        return front * beta_fraction(a, b, x) / a;
    }
    return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

double rs_stats_t_cdf(double t, uint64_t df) {
    assert(df >= 1 && df <= RS_STATS_DF_MAX);
    assert(!isnan(t));
    double v = (double)df;
    /* P(|T| > |t|) = I_{v / (v + t^2)}(v / 2, 1 / 2) */
    double tail = incomplete_beta(v / 2.0, 0.5, v / (v + t * t)) / 2.0;
    return t >= 0 ? 1.0 - tail : tail;
}

double rs_stats_t_quantile(double p, uint64_t df) {
    assert(p > 0.0 && p < 1.0);
    assert(df >= 1 && df <= RS_STATS_DF_MAX);
    if (p < 0.5) {
        return -rs_stats_t_quantile(1.0 - p, df); /* symmetric */
    }
    double low = 0.0;
    double high = 1.0;
    while (rs_stats_t_cdf(high, df) < p && high < STATS_T_MAX) {
        high *= 2.0;
    }
    for (int i = 0; i < STATS_BISECTIONS_MAX && high - low > 1e-12 * high; i++) {
        double middle = (low + high) / 2.0;
        if (rs_stats_t_cdf(middle, df) < p) {
            low = middle;
        } else {
            high = middle;
        }
    }
    assert(low <= high);
    return (low + high) / 2.0;
}

rs_stats_interval rs_stats_mean_interval(const double *values, size_t count, double confidence) {
    assert(values != NULL || count == 0);
    assert(confidence > 0.0 && confidence < 1.0);
    rs_stats_interval out = {.mean = NAN, .stddev = NAN, .half_width = NAN,
                             .low = NAN, .high = NAN};
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) {
        if (!isnan(values[i])) {
            sum += values[i];
            out.n++;
        }
    }
    if (out.n == 0) {
        return out;
    }
    out.mean = sum / (double)out.n;
    double squares = 0.0; /* two passes: no cancellation for large, nearly equal values */
    for (size_t i = 0; i < count; i++) {
        if (!isnan(values[i])) {
            squares += (values[i] - out.mean) * (values[i] - out.mean);
        }
    }
    if (out.n >= 2) {
        out.stddev = sqrt(squares / (double)(out.n - 1));
        double t = rs_stats_t_quantile(1.0 - (1.0 - confidence) / 2.0, (uint64_t)(out.n - 1));
        out.half_width = squares == 0.0 ? 0.0 : t * out.stddev / sqrt((double)out.n);
        out.low = out.mean - out.half_width;
        out.high = out.mean + out.half_width;
    }
    assert(out.n < 2 || out.half_width >= 0.0);
    return out;
}

bool rs_stats_excludes(const rs_stats_interval *interval, double value) {
    assert(interval != NULL);
    assert(!isnan(value));
    if (interval->n < 2 || isnan(interval->half_width)) {
        return false;
    }
    return value < interval->low || value > interval->high;
}
