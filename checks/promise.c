/* promise.c — see promise.h. The health state of each target is replayed from the history's
 * health changes of the request's manager up to its arrival there: the same inputs the
 * strategy consulted, recorded by the world, not by the strategy. */
#include "checks/promise.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

static bool skips_unhealthy(const rs_scenario *scenario) {
    if (scenario->strategy == NULL) {
        return false; /* hand-built scenarios of unit tests */
    }
    int index = rs_component_param_index(scenario->strategy, "unhealthy");
    if (index < 0 || !scenario->health.enabled) {
        return false;
    }
    const rs_param_spec *spec = &scenario->strategy->params[index];
    assert(spec->type == RS_PARAM_ENUM && spec->choices != NULL);
    size_t choice = (size_t)scenario->strategy_params[index];
    return strcmp(spec->choices[choice], "skip") == 0;
}

uint32_t rs_check_promised_copies(const rs_scenario *scenario, const rs_history *history,
                                  const rs_history_request *request) {
    assert(scenario != NULL && history != NULL && request != NULL);
    if (!skips_unhealthy(scenario) || scenario->write_quorum != scenario->target_count) {
        return scenario->write_quorum; /* a quorum is promised whatever the health */
    }
    bool healthy[RS_TARGETS_MAX];
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        healthy[t] = true;
    }
    for (size_t i = 0; i < history->health_count; i++) {
        const rs_history_health *change = &history->health[i];
        if (change->time_us > request->manager_arrival_us) {
            break; /* in time order */
        }
        for (uint32_t t = 0; change->manager == request->manager && t < scenario->target_count;
             t++) {
            if (scenario->targets[t] == change->store) {
                healthy[t] = change->healthy != 0;
            }
        }
    }
    uint32_t promised = 0;
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        promised += healthy[t] ? 1u : 0u;
    }
    return promised;
}
