/* scenario_residency.c — the loader's part for geographic replication: the "strategy"
 * object's optional "residency" array, each entry
 *     {"attribute": "residency", "equals": "eu", "regions": ["eu-west", "eu-central"]}
 * into the scenario's flat rs_residency_rules (strategies/geographic.h), region names
 * resolved to a mask of region indices. An unknown region, a region named twice, an empty
 * list or a missing field is a load error at its position ("file:line:col: path: what is
 * wrong; allowed: ..."), as for conditional's rules; for any other strategy the field is
 * rejected. Called by model/scenario_load.c once the topology and the strategy's type are
 * known. O(rules x regions). */
#include <assert.h>
#include <string.h>

#include "model/json_pos.h"
#include "model/scenario.h"
#include "model/scenario_loader.h"
#include "strategies/geographic.h"

/* The "regions" list of one rule -> a non-empty mask of distinct known regions. */
static int load_regions(const loader *ld, const cJSON *list, const char *path,
                        uint64_t *mask) {
    assert(ld != NULL && mask != NULL);
    assert(list != NULL && path != NULL);
    *mask = 0;
    if (rs_json_need_array(ld->doc, list, path) != 0) {
        return 2;
    }
    if (list->child == NULL) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, list), path, "selects no "
                            "region; allowed: 1..%d region names", RS_REGIONS_MAX);
    }
    size_t index = 0;
    for (const cJSON *entry = list->child; entry != NULL; entry = entry->next, index++) {
        char entry_path[RS_JSON_PATH_MAX];
        rs_json_path_index(entry_path, sizeof entry_path, path, index);
        if (!cJSON_IsString(entry)) {
            char got[64];
            rs_json_describe(ld->doc, entry, got, sizeof got);
            return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, entry), entry_path,
                                "must be a region name, got %s; allowed: a region of "
                                "topology.regions", got);
        }
        int region = rs__find_region(ld->out, entry->valuestring);
        if (region < 0) {
            return rs__fail_unknown_region(ld, entry, entry_path);
        }
        if ((*mask >> region) & 1) {
            return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, entry), entry_path,
                                "names region \"%s\" a second time; allowed: each region once",
                                entry->valuestring);
        }
        *mask |= UINT64_C(1) << region;
    }
    assert(*mask != 0);
    return 0;
}

static int load_residency_rule(const loader *ld, const cJSON *node, const char *path,
                               rs_residency_rule *rule) {
    static const char *const fields[] = {"attribute", "equals", "regions"};
    assert(ld != NULL && rule != NULL);
    assert(node != NULL && path != NULL);
    memset(rule, 0, sizeof *rule);
    if (rs_json_need_object(ld->doc, node, path) != 0 ||
        rs_json_check_fields(ld->doc, node, path, fields, 3) != 0) {
        return 2;
    }
    for (size_t i = 0; i < 3; i++) {
        if (rs_json_member(node, fields[i]) == NULL) {
            return rs_json_fail_missing(ld->doc, node, path, fields[i]);
        }
    }
    char field_path[RS_JSON_PATH_MAX];
    const cJSON *attribute = rs_json_member(node, "attribute");
    rs_json_path_key(field_path, sizeof field_path, path, "attribute");
    if (rs__load_identifier(ld, attribute, cJSON_IsString(attribute) ? attribute->valuestring
                                                                     : NULL,
                            rs_json_value_offset(ld->doc, attribute), field_path,
                            rule->attribute) != 0) {
        return 2;
    }
    rs_json_path_key(field_path, sizeof field_path, path, "equals");
    if (rs_json_check_string(ld->doc, rs_json_member(node, "equals"), field_path, rule->equals,
                             sizeof rule->equals) != 0) {
        return 2;
    }
    rs_json_path_key(field_path, sizeof field_path, path, "regions");
    return load_regions(ld, rs_json_member(node, "regions"), field_path, &rule->regions);
}

int rs_scenario_load_residency(const rs_json_doc *doc, const cJSON *strategy,
                               rs_scenario *scenario) {
    assert(doc != NULL && strategy != NULL);
    assert(scenario != NULL && scenario->strategy != NULL);
    loader ld = {doc, scenario};
    memset(&scenario->residency, 0, sizeof scenario->residency);
    const cJSON *list = rs_json_member(strategy, "residency");
    if (list == NULL) {
        return 0;
    }
    if (scenario->strategy != &rs_geographic_component) {
        return rs_json_fail(doc, rs_json_key_offset(doc, list), "strategy.residency", "only for "
                            "strategy \"geographic\"; allowed: residency with \"type\": "
                            "\"geographic\"");
    }
    size_t count = 0;
    if (rs_json_need_array(doc, list, "strategy.residency") != 0 ||
        rs__load_count(&ld, list, "strategy.residency", 0, RS_RESIDENCY_RULES_MAX, "rules",
                       &count) != 0) {
        return 2;
    }
    uint32_t index = 0;
    for (const cJSON *node = list->child; node != NULL; node = node->next, index++) {
        char rule_path[RS_JSON_PATH_MAX];
        rs_json_path_index(rule_path, sizeof rule_path, "strategy.residency", index);
        if (load_residency_rule(&ld, node, rule_path, &scenario->residency.rules[index]) != 0) {
            return 2;
        }
        scenario->residency.rule_count = index + 1;
    }
    assert(scenario->residency.rule_count == count);
    return 0;
}
