/* histogram.h — log-linear latency histogram with bounded memory (HdrHistogram-like):
 * values below 256 are counted exactly; above, each power of two is split into 128 linear
 * sub-buckets, so a reported quantile is within 0.4% of the true sample value. Values are
 * int64 (microseconds by convention), clamped to [0, 2^40). The bucket array is allocated on
 * the first record, so an unused histogram costs a few bytes. Deterministic. */
#ifndef RS_HISTOGRAM_H
#define RS_HISTOGRAM_H

#include <stdint.h>

typedef struct rs_histogram {
    uint64_t *counts;     /* bucket counts, NULL until the first record */
    uint64_t total;       /* values recorded */
    int64_t min_value;    /* exact smallest value recorded (0 when empty) */
    int64_t max_value;    /* exact largest value recorded (0 when empty) */
    double sum;           /* sum of values, for the mean */
} rs_histogram;

void rs_histogram_init(rs_histogram *histogram);
void rs_histogram_free(rs_histogram *histogram);
/* Records one value. Returns 0, or -1 when the bucket array cannot be allocated. */
int rs_histogram_record(rs_histogram *histogram, int64_t value);
/* Adds every count of `source` into `target`. Returns 0 or -1 (allocation). */
int rs_histogram_merge(rs_histogram *target, const rs_histogram *source);
/* Value at quantile q in [0, 1]: the midpoint of the bucket holding the ceil(q*total)-th
 * smallest value, clamped to [min, max]; q = 0 gives min, q = 1 gives max; 0 when empty. */
int64_t rs_histogram_quantile(const rs_histogram *histogram, double q);
double rs_histogram_mean(const rs_histogram *histogram);

#endif
