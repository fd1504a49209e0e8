/* expect.h — judges a run's figures against the scenario's "expect" block: for each threshold
 * the file gave, whether it holds and by how much. The figures (actuals) are computed by the
 * caller from the history (reports/kpi.h); this module only compares, so it depends on the
 * scenario's types and nothing of the code under test. */
#ifndef RS_EXPECT_H
#define RS_EXPECT_H

#include <stdbool.h>

#include "model/scenario.h"

typedef struct rs_expect_outcome {
    bool checked;      /* the threshold is present in the scenario (else nothing below counts) */
    bool pass;         /* the actual is on the allowed side of the threshold */
    bool is_min;       /* a "_min" threshold (actual >= threshold) rather than a "_max" one */
    double threshold;  /* the scenario's value, in the metric's unit */
    double actual;     /* the run's figure, in the metric's unit; NaN when it has no value */
    double margin;     /* distance on the allowed side: actual - threshold for a minimum,
                        * threshold - actual for a maximum; >= 0 when pass, NaN when no actual */
} rs_expect_outcome;

/* True for the "_min" metrics (success_rate_min, throughput_per_s_min), false for "_max". */
bool rs_expect_metric_is_min(rs_expect_metric metric);

/* Compares actual[m] with expect->value[m] for every metric m with expect->present[m]:
 * a minimum holds when actual >= threshold, a maximum when actual <= threshold. An actual that
 * is NaN (no sample: e.g. no ok request, so no write latency) never holds. Fills every entry of
 * `outcomes` (absent thresholds get checked = false). Returns how many present thresholds
 * failed (0 = the expectations hold). Nothing is allocated. */
int rs_expect_check(const rs_expectations *expect, const double actual[RS_EXPECT_METRIC_COUNT],
                    rs_expect_outcome outcomes[RS_EXPECT_METRIC_COUNT]);

#endif
