/* scenario_nodes.c — node names and indices of a loaded scenario: the one place that knows
 * the global node order (stores of every region, then managers, then clients) and the names
 * "region/store-K", "region/manager-K", "region/client-K" (K from 1). O(regions) per call. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/scenario.h"
#include "strategies/multi_primary.h"

static uint32_t role_count(const rs_region_spec *region, rs_node_role role) {
    return role == RS_ROLE_STORE ? region->stores
           : role == RS_ROLE_MANAGER ? region->managers
                                     : region->clients;
}

static const char *const role_names[] = {"store", "manager", "client"};

uint32_t rs_scenario_node_count(const rs_scenario *scenario) {
    assert(scenario != NULL);
    uint32_t count = 0;
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        const rs_region_spec *region = &scenario->regions[r];
        count += region->stores + region->managers + region->clients;
    }
    return count;
}

uint32_t rs_scenario_node_index(const rs_scenario *scenario, rs_node_role role, uint32_t region,
                                uint32_t k) {
    assert(scenario != NULL && region < scenario->region_count);
    assert(k < role_count(&scenario->regions[region], role));
    uint32_t index = 0;
    for (int earlier = RS_ROLE_STORE; earlier < (int)role; earlier++) {
        for (uint32_t r = 0; r < scenario->region_count; r++) {
            index += role_count(&scenario->regions[r], (rs_node_role)earlier);
        }
    }
    for (uint32_t r = 0; r < region; r++) {
        index += role_count(&scenario->regions[r], role);
    }
    return index + k;
}

int64_t rs_scenario_node_parse(const rs_scenario *scenario, const char *name) {
    assert(scenario != NULL && name != NULL);
    const char *slash = strchr(name, '/');
    if (slash == NULL || (size_t)(slash - name) >= RS_NAME_MAX) {
        return -1;
    }
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        const rs_region_spec *region = &scenario->regions[r];
        if (strlen(region->name) != (size_t)(slash - name) ||
            strncmp(region->name, name, (size_t)(slash - name)) != 0) {
            continue;
        }
        for (int role = RS_ROLE_STORE; role <= RS_ROLE_CLIENT; role++) {
            size_t length = strlen(role_names[role]);
            const char *digits = slash + 1 + length + 1;
            if (strncmp(slash + 1, role_names[role], length) != 0 || slash[1 + length] != '-' ||
                *digits < '1' || *digits > '9' || strlen(digits) > 5 ||
                strspn(digits, "0123456789") != strlen(digits)) {
                continue;
            }
            long k = strtol(digits, NULL, 10);
            if (k > (long)role_count(region, (rs_node_role)role)) {
                return -1;
            }
            return rs_scenario_node_index(scenario, (rs_node_role)role, r, (uint32_t)(k - 1));
        }
    }
    return -1;
}

rs_node_role rs_scenario_node_role(const rs_scenario *scenario, uint32_t node, uint32_t *region) {
    assert(scenario != NULL && region != NULL);
    assert(node < rs_scenario_node_count(scenario));
    uint32_t index = node;
    for (int role = RS_ROLE_STORE; role <= RS_ROLE_CLIENT; role++) {
        for (uint32_t r = 0; r < scenario->region_count; r++) {
            uint32_t count = role_count(&scenario->regions[r], (rs_node_role)role);
            if (index < count) {
                *region = r;
                return (rs_node_role)role;
            }
            index -= count;
        }
    }
    assert(0 && "node index out of range");
    return RS_ROLE_CLIENT;
}

void rs_scenario_node_name(const rs_scenario *scenario, uint32_t node, char *buf, size_t size) {
    uint32_t region = 0;
    rs_node_role role = rs_scenario_node_role(scenario, node, &region);
    uint32_t first = rs_scenario_node_index(scenario, role, region, 0);
    assert(node >= first);
    snprintf(buf, size, "%s/%s-%u", scenario->regions[region].name, role_names[role],
             node - first + 1);
}

bool rs_scenario_per_event_targets(const rs_scenario *scenario) {
    assert(scenario != NULL);
    assert(scenario->rules.rule_count <= RS_RULES_MAX);
    /* conditional's rules, and geographic's choice of regions per event */
    return scenario->rules.rule_count > 0 || scenario->strategy == &rs_geographic_component;
}

bool rs_scenario_shared_streams(const rs_scenario *scenario) {
    assert(scenario != NULL);
    return scenario->strategy == &rs_multi_primary_component;
}

double rs_scenario_memory_estimate(const rs_scenario *scenario) {
    assert(scenario != NULL);
    assert(scenario->rate_per_s >= 0 && scenario->duration_s >= 0);
    double events = scenario->rate_per_s * scenario->duration_s;
    double replicas = events * (double)scenario->target_count;
    /* each store's set of held ids is a bitmap up to its highest id: events / 8 bytes, up to
     * twice that after growth (model/idset.h) */
    double bitmaps = events / 4.0 * (double)scenario->store_count;
    return RS_MEMORY_BASE_BYTES + events * RS_MEMORY_BYTES_PER_EVENT +
           replicas * RS_MEMORY_BYTES_PER_REPLICA + bitmaps;
}
