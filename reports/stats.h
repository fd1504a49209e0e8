/* stats.h — the small statistics `replsim compare` needs: Student's t quantile, and the mean
 * of a sample with its confidence interval (t with n - 1 degrees of freedom). Pure functions
 * of their arguments: no state, no allocation, deterministic for the same inputs. */
#ifndef RS_STATS_H
#define RS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_STATS_DF_MAX 100000000ULL /* degrees of freedom accepted (far beyond any sample) */

/* The p-quantile of Student's t distribution with `df` degrees of freedom: the t with
 * P(T <= t) = p. p in (0, 1), df in 1..RS_STATS_DF_MAX. Computed by bisection on the exact
 * CDF (regularised incomplete beta function), accurate to about 1e-9 relative; e.g.
 * t(0.975, 1) = 12.7062, t(0.975, 4) = 2.7764, t(0.975, 1000) = 1.9623. */
double rs_stats_t_quantile(double p, uint64_t df);

/* P(T <= t) for Student's t with `df` degrees of freedom (df >= 1). */
double rs_stats_t_cdf(double t, uint64_t df);

typedef struct rs_stats_interval {
    size_t n;                 /* finite values in the sample (NaN values are skipped) */
    double mean;              /* their mean; NaN when n == 0 */
    double stddev;            /* sample standard deviation (n - 1); NaN when n < 2 */
    double half_width;        /* t(1 - (1 - confidence) / 2, n - 1) x stddev / sqrt(n); NaN
                                 when n < 2; exactly 0 when every value is equal */
    double low;               /* mean - half_width */
    double high;              /* mean + half_width */
} rs_stats_interval;

/* Mean of values[0..count) and its two-sided `confidence` interval (e.g. 0.95), skipping
 * NaN values. `values` is borrowed; confidence in (0, 1). */
rs_stats_interval rs_stats_mean_interval(const double *values, size_t count, double confidence);

/* Does the interval exclude `value`? False when it has no half-width (n < 2). */
bool rs_stats_excludes(const rs_stats_interval *interval, double value);

#endif
