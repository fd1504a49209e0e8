/* expect.c — see expect.h. O(RS_EXPECT_METRIC_COUNT); no allocation. */
#include "checks/expect.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

bool rs_expect_metric_is_min(rs_expect_metric metric) {
    assert((int)metric >= 0 && metric < RS_EXPECT_METRIC_COUNT);
    switch (metric) {
    case RS_EXPECT_SUCCESS_RATE_MIN:
    case RS_EXPECT_THROUGHPUT_PER_S_MIN:
        return true;
    case RS_EXPECT_WRITE_LATENCY_MS_P50_MAX:
    case RS_EXPECT_WRITE_LATENCY_MS_P99_MAX:
    case RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX:
    case RS_EXPECT_SYNC_DELAY_MS_P99_MAX:
    case RS_EXPECT_ACKED_EVENTS_LOST_MAX:
        return false;
    case RS_EXPECT_METRIC_COUNT:
        break;
    }
    assert(0 && "unknown expectation metric");
    return false;
}

static rs_expect_outcome expect_judge(rs_expect_metric metric, double threshold, double actual) {
    assert(isfinite(threshold));
    rs_expect_outcome outcome = {.checked = true, .is_min = rs_expect_metric_is_min(metric),
                                 .threshold = threshold, .actual = actual};
    if (isnan(actual)) {
        outcome.pass = false;
        outcome.margin = NAN;
        return outcome;
    }
    outcome.margin = outcome.is_min ? actual - threshold : threshold - actual;
    outcome.pass = outcome.is_min ? actual >= threshold : actual <= threshold;
    assert(outcome.pass == (outcome.margin >= 0.0));
    return outcome;
}

int rs_expect_check(const rs_expectations *expect, const double actual[RS_EXPECT_METRIC_COUNT],
                    rs_expect_outcome outcomes[RS_EXPECT_METRIC_COUNT]) {
    assert(expect != NULL);
    assert(actual != NULL && outcomes != NULL);
    int failures = 0;
    for (int index = 0; index < RS_EXPECT_METRIC_COUNT; index++) {
        rs_expect_metric metric = (rs_expect_metric)index;
        if (!expect->present[metric]) {
            outcomes[metric] = (rs_expect_outcome){.is_min = rs_expect_metric_is_min(metric),
                                                   .actual = actual[metric], .margin = NAN};
            continue;
        }
        outcomes[metric] = expect_judge(metric, expect->value[metric], actual[metric]);
        if (!outcomes[metric].pass) {
            failures++;
        }
    }
    assert(failures >= 0 && failures <= RS_EXPECT_METRIC_COUNT);
    return failures;
}
