/* convergence.c — the convergence (liveness) invariant: where the consistency policy promises
 * convergence (it runs a consistency checker beside the strategy: eventual), every target
 * store holds, at the end of the run (after the workload stopped and the settle time passed,
 * which bounds the time to converge), every event any target holds — except an event that a
 * held compensating event cancels (eventual's revert), settled wherever it is. One violation per
 * (store, missing event), stamped with the time the first target that holds it appended it.
 * Not checked where the policy makes no such promise (star without anti-entropy keeps what a
 * partition made it miss: that is its documented behaviour, not a bug), nor where the targets
 * differ per event (rules). Cost: O(final contents + appends) time, O(events) memory. */
#include "checks/invariants.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

static void not_checked(rs_check_result *result, const char *why) {
    result->checked[RS_INV_CONVERGENCE] = false;
    snprintf(result->skipped_because[RS_INV_CONVERGENCE], sizeof result->skipped_because[0],
             "%s", why);
}

/* first_us[e] = when some target first appended event e+1, or -1. */
static int64_t *first_appends(const rs_scenario *scenario, const rs_history *history,
                              const bool *is_target) {
    int64_t *first_us = malloc((history->event_count + 1) * sizeof *first_us);
    for (size_t e = 0; first_us != NULL && e < history->event_count; e++) {
        first_us[e] = -1;
    }
    for (size_t a = 0; first_us != NULL && a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        assert(append->event >= 1 && append->event <= history->event_count);
        if (is_target[append->store] && first_us[append->event - 1] < 0) {
            first_us[append->event - 1] = append->time_us;
        }
    }
    (void)scenario;
    return first_us;
}

int rs__check_convergence(const rs_scenario *scenario, const rs_history *history,
                          rs_check_result *result) {
    assert(scenario != NULL && history != NULL && result != NULL);
    if (scenario->policy == NULL || scenario->policy->ops == NULL) {
        not_checked(result, "the policy promises no convergence (no consistency checker)");
        return 0;
    }
    if (rs_scenario_per_event_targets(scenario)) {
        not_checked(result, "targets differ per event (rules)");
        return 0;
    }
    bool *is_target = calloc(history->store_count + 1, sizeof *is_target);
    uint32_t *holders = calloc(history->event_count + 1, sizeof *holders);
    uint8_t *held = calloc(history->event_count + 1, 1);
    int64_t *first_us = is_target != NULL ? NULL : NULL;
    int status = -1;
    if (is_target == NULL || holders == NULL || held == NULL) {
        goto done;
    }
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        is_target[scenario->targets[t]] = true;
    }
    if ((first_us = first_appends(scenario, history, is_target)) == NULL) {
        goto done;
    }
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        uint32_t store = scenario->targets[t];
        for (size_t i = 0; i < history->final_count[store]; i++) {
            held[history->final_events[store][i] - 1] = 1;
        }
    }
    /* an event a held compensating event cancels is settled wherever it is (revert): the
     * compensation itself must be everywhere, like any held event */
    for (size_t e = 0; e < history->event_count; e++) {
        rs_event_id cancelled = history->events[e].compensates;
        if (held[e] && cancelled != 0) {
            assert(cancelled >= 1 && cancelled <= history->event_count);
            held[cancelled - 1] = 2;
        }
    }
    char detail[120];
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        uint32_t store = scenario->targets[t];
        for (size_t e = 0; e < history->event_count; e++) {
            holders[e] = 0;
        }
        for (size_t i = 0; i < history->final_count[store]; i++) {
            holders[history->final_events[store][i] - 1] = 1;
        }
        for (size_t e = 0; e < history->event_count; e++) {
            if (held[e] == 1 && !holders[e]) {
                snprintf(detail, sizeof detail, "held by another target at the end, missing "
                         "here after %.3f s of settle time", scenario->settle_s);
                rs__check_violation(scenario, history, result, RS_INV_CONVERGENCE, e + 1,
                                    (int32_t)store, first_us[e], detail);
            }
        }
    }
    status = 0;
done:
    free(is_target);
    free(holders);
    free(held);
    free(first_us);
    return status;
}
