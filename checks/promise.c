/* promise.c — see promise.h. The health state of each target is replayed from the history's
 * health changes of the request's manager up to its arrival there: the same inputs the
 * strategy consulted, recorded by the world, not by the strategy. Abandoned copies are counted
 * per event once, over distinct target stores. */
#include "checks/promise.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
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

/* async_queue with primary "local_region": fills primaries[r] with the targets in region r
 * (1 where there are none: the first target is then the primary). */
static bool regional_primaries(const rs_scenario *scenario, uint32_t primaries[RS_REGIONS_MAX]) {
    int index = rs_component_param_index(scenario->strategy, "primary");
    if (index < 0) {
        return false;
    }
    const rs_param_spec *spec = &scenario->strategy->params[index];
    assert(spec->type == RS_PARAM_ENUM && spec->choices != NULL);
    if (strcmp(spec->choices[(size_t)scenario->strategy_params[index]], "local_region") != 0) {
        return false;
    }
    memset(primaries, 0, RS_REGIONS_MAX * sizeof *primaries);
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        primaries[rs_scenario_store_region(scenario, scenario->targets[t])]++;
    }
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        primaries[r] = primaries[r] == 0 ? 1 : primaries[r];
    }
    return true;
}

static int compare_u64(const void *left, const void *right) {
    uint64_t a = *(const uint64_t *)left, b = *(const uint64_t *)right;
    return a < b ? -1 : a > b ? 1 : 0;
}

struct rs_check_promises {
    const rs_scenario *scenario;  /* borrowed */
    const rs_history *history;    /* borrowed */
    bool asynchronous;            /* the strategy promises every secondary eventually */
    bool regional;                /* async with primary local_region: the ack promises the
                                     acking manager's region's targets (regional_primaries) */
    uint32_t primaries[RS_REGIONS_MAX]; /* regional: primaries per region of the manager */
    uint32_t *abandoned;          /* per event: distinct target stores reported abandoned */
};

rs_check_promises *rs_check_promises_new(const rs_scenario *scenario, const rs_history *history) {
    assert(scenario != NULL && history != NULL);
    rs_check_promises *promises = calloc(1, sizeof *promises);
    if (promises == NULL) {
        return NULL;
    }
    promises->scenario = scenario;
    promises->history = history;
    promises->asynchronous = rs_scenario_is_async(scenario);
    promises->regional =
        promises->asynchronous && regional_primaries(scenario, promises->primaries);
    if (!promises->asynchronous) {
        return promises;
    }
    promises->abandoned = calloc(history->event_count + 1, sizeof *promises->abandoned);
    bool *target = calloc(history->store_count + 1, sizeof *target);
    uint64_t *seen = calloc(history->abandon_count + 1, sizeof *seen);
    if (promises->abandoned == NULL || target == NULL || seen == NULL) {
        free(target);
        free(seen);
        rs_check_promises_free(promises);
        return NULL;
    }
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        target[scenario->targets[t]] = true;
    }
    size_t count = 0;
    for (size_t a = 0; a < history->abandon_count; a++) {
        const rs_history_abandon *abandon = &history->abandons[a];
        assert(abandon->event >= 1 && abandon->event <= history->event_count);
        if (target[abandon->store]) {
            seen[count++] = (abandon->event << 16) | abandon->store; /* stores < 2^16 */
        }
    }
    qsort(seen, count, sizeof *seen, compare_u64);
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || seen[i] != seen[i - 1]) { /* each (event, store) once */
            promises->abandoned[(seen[i] >> 16) - 1]++;
        }
    }
    free(target);
    free(seen);
    return promises;
}

void rs_check_promises_free(rs_check_promises *promises) {
    if (promises != NULL) {
        free(promises->abandoned);
        free(promises);
    }
}

uint32_t rs_check_promised_at_end(const rs_check_promises *promises,
                                  const rs_history_request *request, rs_event_id event) {
    assert(promises != NULL && request != NULL);
    if (!promises->asynchronous) {
        return rs_check_promised_at_ack(promises, request);
    }
    assert(event >= 1 && event <= promises->history->event_count);
    uint32_t targets = promises->scenario->target_count;
    uint32_t abandoned = promises->abandoned[event - 1];
    return abandoned >= targets ? 0 : targets - abandoned;
}

uint32_t rs_check_promised_at_ack(const rs_check_promises *promises,
                                  const rs_history_request *request) {
    assert(promises != NULL && request != NULL);
    const rs_scenario *scenario = promises->scenario;
    const rs_history *history = promises->history;
    if (promises->regional) { /* every primary of the manager's region; managers in region order */
        uint32_t region = 0, managers = scenario->regions[0].managers;
        while (request->manager >= managers && region + 1 < scenario->region_count) {
            managers += scenario->regions[++region].managers;
        }
        assert(request->manager < managers);
        return promises->primaries[region];
    }
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
