/* scenario_routing.c — what a scenario itself says about where events go and what kind of
 * promise its strategy makes, for the checkers and the reports (which read scenarios and
 * histories, never strategy headers): the targets of events of one (type, origin region) pair,
 * re-evaluated with the pure rule engine (strategies/rules.h) on the scenario's rules or the
 * residency engine (strategies/geographic.h) on its residency rules; and whether the strategy
 * is a cascade or an asynchronous queue, recognised by its parameter table (so test variants
 * wrapping one count as one). */
#include <assert.h>

#include "model/scenario.h"
#include "strategies/async_queue.h"
#include "strategies/cascade.h"
#include "strategies/conditional.h"
#include "strategies/geographic.h"
#include "strategies/rules.h"

/* The scenario's targets in the regions residency allows events of `pair` (all of them
 * without residency rules). */
static uint32_t resident_targets(const rs_scenario *scenario, uint32_t type, uint32_t region,
                                 uint32_t targets[RS_TARGETS_MAX]) {
    uint64_t regions = UINT64_MAX;
    if (scenario->residency.rule_count > 0) {
        regions = rs_residency_allowed(&scenario->residency, &scenario->types[type],
                                       scenario->region_names[region]);
    }
    uint32_t count = 0;
    for (uint32_t i = 0; i < scenario->target_count; i++) {
        uint32_t store_region = rs_scenario_store_region(scenario, scenario->targets[i]);
        if (regions & (UINT64_C(1) << store_region)) {
            targets[count++] = scenario->targets[i];
        }
    }
    return count;
}

uint32_t rs_scenario_pair_targets(const rs_scenario *scenario, uint32_t type, uint32_t region,
                                  uint32_t targets[RS_TARGETS_MAX]) {
    assert(scenario != NULL && targets != NULL);
    assert(type < scenario->type_count ||
           scenario->rules.rule_count + scenario->residency.rule_count == 0);
    if (scenario->rules.rule_count == 0) {
        return resident_targets(scenario, type, region, targets);
    }
    assert(region < scenario->region_count);
    const rs_event_type *event_type = &scenario->types[type];
    rs_rule_input input = {event_type->name, scenario->region_names[region],
                           event_type->attributes, event_type->attribute_count};
    rs_rule_mode mode = (rs_rule_mode)scenario->strategy_params[RS_CONDITIONAL_PARAM_MODE];
    assert(mode == RS_RULE_MODE_FIRST_MATCH || mode == RS_RULE_MODE_ALL_MATCH);
    return rs_rules_targets(&scenario->rules, rs_rules_match(&scenario->rules, mode, &input),
                            targets);
}

bool rs_scenario_is_cascade(const rs_scenario *scenario) {
    assert(scenario != NULL);
    return scenario->strategy != NULL &&
           scenario->strategy->params == rs_cascade_component.params;
}

bool rs_scenario_is_async(const rs_scenario *scenario) {
    assert(scenario != NULL);
    return scenario->strategy != NULL &&
           scenario->strategy->params == rs_async_queue_component.params;
}
