/* histogram.c — see histogram.h. Bucket layout: values 0..255 have one bucket each; a value v
 * >= 256 with highest set bit e (8 <= e <= 39) falls in sub-bucket (v >> (e - 7)) - 128 of the
 * 128 linear sub-buckets of [2^e, 2^(e+1)), each 2^(e-7) wide. That is 256 + 32 * 128 = 4352
 * buckets (34 KiB), allocated on the first record. A bucket's representative value is its
 * central integer low + (width - 1) / 2, at most width / 2 <= 2^e / 256 from any value in it:
 * a relative error below 1/256 (0.39%). Recording is O(1); a quantile walks the buckets,
 * O(4352). */
#include "reports/histogram.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HISTOGRAM_EXACT_LIMIT 256                  /* values below it are counted exactly */
#define HISTOGRAM_EXACT_BITS 8                     /* log2(HISTOGRAM_EXACT_LIMIT) */
#define HISTOGRAM_SUB_BUCKETS 128                  /* linear sub-buckets per power of two */
#define HISTOGRAM_SUB_BITS 7                       /* log2(HISTOGRAM_SUB_BUCKETS) */
#define HISTOGRAM_VALUE_BITS 40                    /* values are clamped below 2^40 */
#define HISTOGRAM_VALUE_MAX ((INT64_C(1) << HISTOGRAM_VALUE_BITS) - 1)
#define HISTOGRAM_BUCKETS \
    (HISTOGRAM_EXACT_LIMIT + (HISTOGRAM_VALUE_BITS - HISTOGRAM_EXACT_BITS) * HISTOGRAM_SUB_BUCKETS)
/* ceil(q * total) for q like 0.999 that binary cannot hold exactly: a product a few ulps above
 * a whole number must not round up to the next rank. */
#define HISTOGRAM_RANK_TOLERANCE 1e-12

static int64_t histogram_clamp(int64_t value) {
    if (value < 0) {
        return 0;
    }
    return value > HISTOGRAM_VALUE_MAX ? HISTOGRAM_VALUE_MAX : value;
}

static int histogram_highest_bit(uint64_t value) {
    assert(value != 0);
    int bit = 0;
    while (value >> 1 != 0) {
        value >>= 1;
        bit++;
    }
    return bit;
}

static size_t histogram_bucket_of(int64_t value) {
    assert(value >= 0);
    assert(value <= HISTOGRAM_VALUE_MAX);
    if (value < HISTOGRAM_EXACT_LIMIT) {
        return (size_t)value;
    }
    int exponent = histogram_highest_bit((uint64_t)value);
    size_t sub = (size_t)((uint64_t)value >> (exponent - HISTOGRAM_SUB_BITS)) -
                 HISTOGRAM_SUB_BUCKETS;
    size_t bucket = HISTOGRAM_EXACT_LIMIT +
                    (size_t)(exponent - HISTOGRAM_EXACT_BITS) * HISTOGRAM_SUB_BUCKETS + sub;
    assert(bucket < HISTOGRAM_BUCKETS);
    return bucket;
}

/* Central integer of a bucket: low + (width - 1) / 2. */
static int64_t histogram_bucket_value(size_t bucket) {
    assert(bucket < HISTOGRAM_BUCKETS);
    if (bucket < HISTOGRAM_EXACT_LIMIT) {
        return (int64_t)bucket;
    }
    size_t offset = bucket - HISTOGRAM_EXACT_LIMIT;
    int exponent = (int)(offset / HISTOGRAM_SUB_BUCKETS) + HISTOGRAM_EXACT_BITS;
    uint64_t sub = offset % HISTOGRAM_SUB_BUCKETS;
    int shift = exponent - HISTOGRAM_SUB_BITS;
    uint64_t low = (HISTOGRAM_SUB_BUCKETS + sub) << shift;
    uint64_t width = UINT64_C(1) << shift;
    assert(low <= (uint64_t)HISTOGRAM_VALUE_MAX);
    return (int64_t)(low + (width - 1) / 2);
}

static int histogram_allocate(rs_histogram *histogram) {
    assert(histogram != NULL);
    if (histogram->counts != NULL) {
        return 0;
    }
    histogram->counts = calloc(HISTOGRAM_BUCKETS, sizeof *histogram->counts);
    return histogram->counts != NULL ? 0 : -1;
}

void rs_histogram_init(rs_histogram *histogram) {
    assert(histogram != NULL);
    histogram->counts = NULL;
    histogram->total = 0;
    histogram->min_value = 0;
    histogram->max_value = 0;
    histogram->sum = 0.0;
}

void rs_histogram_free(rs_histogram *histogram) {
    assert(histogram != NULL);
    free(histogram->counts);
    rs_histogram_init(histogram);
}

int rs_histogram_record(rs_histogram *histogram, int64_t value) {
    assert(histogram != NULL);
    assert(histogram->total == 0 || histogram->counts != NULL);
    if (histogram_allocate(histogram) != 0) {
        return -1;
    }
    int64_t clamped = histogram_clamp(value);
    histogram->counts[histogram_bucket_of(clamped)]++;
    if (histogram->total == 0 || clamped < histogram->min_value) {
        histogram->min_value = clamped;
    }
    if (histogram->total == 0 || clamped > histogram->max_value) {
        histogram->max_value = clamped;
    }
    histogram->total++;
    histogram->sum += (double)clamped;
    return 0;
}

int rs_histogram_merge(rs_histogram *target, const rs_histogram *source) {
    assert(target != NULL && source != NULL);
    assert(target != source);
    if (source->total == 0) {
        return 0;
    }
    assert(source->counts != NULL);
    if (histogram_allocate(target) != 0) {
        return -1;
    }
    for (size_t bucket = 0; bucket < HISTOGRAM_BUCKETS; bucket++) {
        target->counts[bucket] += source->counts[bucket];
    }
    if (target->total == 0 || source->min_value < target->min_value) {
        target->min_value = source->min_value;
    }
    if (target->total == 0 || source->max_value > target->max_value) {
        target->max_value = source->max_value;
    }
    target->total += source->total;
    target->sum += source->sum;
    return 0;
}

int64_t rs_histogram_quantile(const rs_histogram *histogram, double q) {
    assert(histogram != NULL);
    assert(q >= 0.0 && q <= 1.0);
    if (histogram->total == 0) {
        return 0;
    }
    assert(histogram->counts != NULL);
    if (q <= 0.0) {
        return histogram->min_value;
    }
    if (q >= 1.0) {
        return histogram->max_value;
    }
    double exact_rank = q * (double)histogram->total;
    uint64_t rank = (uint64_t)ceil(exact_rank * (1.0 - HISTOGRAM_RANK_TOLERANCE));
    if (rank < 1) {
        rank = 1;
    }
    if (rank > histogram->total) {
        rank = histogram->total;
    }
    uint64_t seen = 0;
    size_t bucket = 0;
    for (; bucket < HISTOGRAM_BUCKETS; bucket++) {
        seen += histogram->counts[bucket];
        if (seen >= rank) {
            break;
        }
    }
    assert(bucket < HISTOGRAM_BUCKETS);
    int64_t value = histogram_bucket_value(bucket);
    if (value < histogram->min_value) {
        return histogram->min_value;
    }
    return value > histogram->max_value ? histogram->max_value : value;
}

double rs_histogram_mean(const rs_histogram *histogram) {
    assert(histogram != NULL);
    assert(histogram->total == 0 || histogram->counts != NULL);
    if (histogram->total == 0) {
        return 0.0;
    }
    return histogram->sum / (double)histogram->total;
}
