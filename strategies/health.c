/* health.c — the per-store health state machine (health.h): consecutive failures and
 * successes with two thresholds, so one lost probe does not flap a store's state. */
#include "strategies/health.h"

#include <assert.h>
#include <stddef.h>

void rs_health_tracker_init(rs_health_tracker *tracker) {
    assert(tracker != NULL);
    *tracker = (rs_health_tracker){.healthy = true};
}

bool rs_health_tracker_observe(rs_health_tracker *tracker, const rs_health_spec *spec, bool ok) {
    assert(tracker != NULL && spec != NULL);
    assert(spec->unhealthy_after >= 1 && spec->healthy_after >= 1);
    if (ok) {
        tracker->failures = 0;
        tracker->successes++;
        if (!tracker->healthy && tracker->successes >= spec->healthy_after) {
            tracker->healthy = true;
            return true;
        }
        return false;
    }
    tracker->successes = 0;
    tracker->failures++;
    if (tracker->healthy && tracker->failures >= spec->unhealthy_after) {
        tracker->healthy = false;
        return true;
    }
    return false;
}
