/* registry.c — the list of every replication strategy and consistency policy, with their
 * parameter tables. Adding a strategy = one rs_component here plus its ops in its own file. */
#include "strategies/strategy.h"

#include <assert.h>
#include <string.h>

#include "strategies/adaptive.h"
#include "strategies/async_queue.h"
#include "strategies/batch.h"
#include "strategies/cascade.h"
#include "strategies/conditional.h"
#include "strategies/eventual.h"
#include "strategies/geographic.h"
#include "strategies/multi_primary.h"
#include "strategies/star.h"

/* --- consistency policies ------------------------------------------------------------------ */

static const rs_param_spec quorum_params[] = {
    {"write_quorum", RS_PARAM_INTEGER, 0, 0, RS_TARGETS_MAX, NULL,
     "confirmations needed before the client is acked; 0 = majority of the targets"},
    {"read_quorum", RS_PARAM_INTEGER, 0, 0, RS_TARGETS_MAX, NULL,
     "replies a read waits for (workload.reads); 0 = majority of the targets"},
};

static const rs_component policy_all = {
    RS_COMPONENT_POLICY, "all",
    "ack the client once every target store confirmed; fail as soon as one cannot",
    NULL, 0, NULL};

static const rs_component policy_quorum = {
    RS_COMPONENT_POLICY, "quorum",
    "strong consistency: ack once write_quorum targets confirmed; fail with quorum_not_reached "
    "as soon as that is impossible or the timeout passes",
    quorum_params, sizeof quorum_params / sizeof quorum_params[0], NULL};

static const rs_component *const components[] = {
    &rs_star_component,
    &rs_cascade_component,
    &rs_batch_component,
    &rs_conditional_component,
    &rs_async_queue_component,
    &rs_geographic_component,
    &rs_adaptive_component,
    &rs_multi_primary_component,
    &policy_all,
    &policy_quorum,
    &rs_eventual_component,
};

#define BUILT_IN_COUNT (sizeof components / sizeof components[0])

/* Components registered at start-up by test binaries (planted bugs), after the built-in ones.
 * Written before any lookup, read-only afterwards. */
static const rs_component *listed[BUILT_IN_COUNT + RS_EXTRA_COMPONENTS_MAX];
static size_t extra_count;

int rs_components_register(const rs_component *component) {
    assert(component != NULL && component->name != NULL);
    assert(component->kind != RS_COMPONENT_STRATEGY || component->ops != NULL);
    if (extra_count == RS_EXTRA_COMPONENTS_MAX ||
        rs_component_find(component->kind, component->name) != NULL) {
        return -1;
    }
    listed[BUILT_IN_COUNT + extra_count++] = component;
    return 0;
}

size_t rs_components(const rs_component *const **out) {
    assert(out != NULL);
    for (size_t i = 0; i < BUILT_IN_COUNT; i++) {
        listed[i] = components[i];
    }
    *out = listed;
    return BUILT_IN_COUNT + extra_count;
}

const rs_component *rs_component_find(rs_component_kind kind, const char *name) {
    assert(name != NULL);
    const rs_component *const *all = NULL;
    size_t count = rs_components(&all);
    for (size_t i = 0; i < count; i++) {
        if (all[i]->kind == kind && strcmp(all[i]->name, name) == 0) {
            return all[i];
        }
    }
    return NULL;
}

int rs_component_param_index(const rs_component *component, const char *name) {
    assert(component != NULL);
    assert(name != NULL);
    for (size_t i = 0; i < component->param_count; i++) {
        if (strcmp(component->params[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

uint32_t rs_policy_write_quorum(const rs_component *policy, const double *params,
                                uint32_t target_count) {
    assert(policy != NULL && policy->kind == RS_COMPONENT_POLICY);
    assert(target_count >= 1);
    if (policy == &policy_all) {
        return target_count;
    }
    int index = rs_component_param_index(policy, "write_quorum");
    assert(index >= 0);
    double asked = params[index];
    if (asked == 0) {
        return target_count / 2 + 1;
    }
    if (asked > (double)target_count) {
        return 0;
    }
    return (uint32_t)asked;
}
