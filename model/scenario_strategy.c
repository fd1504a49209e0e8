/* scenario_strategy.c — the loader's "strategy" and "consistency" sections: registry
 * components (the strategy and the consistency policy) looked up by their "type", their fields
 * checked against the component's parameter table and the parameters read by type (number,
 * integer, enum, bool); the strategy's "targets" resolved to store indices in scenario order
 * (a region means all its stores; "region/store-K" one store; each store at most once), with
 * its rules and residency delegated to scenario_rules.c and scenario_residency.c; and the
 * policy's write quorum checked against the targets. Needs the topology loaded. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/scenario_loader.h"

/* One parameter from its spec: absent -> default; else checked by type. */
static int load_param(const loader *ld, const cJSON *object, const char *path,
                      const rs_param_spec *spec, double *value) {
    const cJSON *node = rs_json_member(object, spec->name);
    *value = spec->default_value;
    if (node == NULL) {
        return 0;
    }
    char field_path[RS_JSON_PATH_MAX];
    rs_json_path_key(field_path, sizeof field_path, path, spec->name);
    if (spec->type == RS_PARAM_NUMBER || spec->type == RS_PARAM_INTEGER) {
        rs_json_range range = {spec->min_value, false, spec->max_value,
                               spec->type == RS_PARAM_INTEGER};
        return rs_json_check_number(ld->doc, node, field_path, &range, value);
    }
    if (spec->type == RS_PARAM_ENUM) {
        size_t count = 0;
        while (spec->choices != NULL && spec->choices[count] != NULL) {
            count++;
        }
        size_t index = 0;
        int status = rs_json_check_choice(ld->doc, node, field_path, spec->name, spec->choices,
                                          count, &index);
        *value = (double)index;
        return status;
    }
    assert(spec->type == RS_PARAM_BOOL);
    if (!cJSON_IsBool(node)) {
        char got[64];
        rs_json_describe(ld->doc, node, got, sizeof got);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), field_path,
                            "must be true or false, got %s; allowed: true, false", got);
    }
    *value = cJSON_IsTrue(node) ? 1.0 : 0.0;
    return 0;
}

/* Without "type" the allowed fields are unknown; but "tpye" is surely a misspelt "type". */
static int fail_misspelt_type(const loader *ld, const cJSON *object, const char *path) {
    static const char *const type_only[] = {"type"};
    for (const cJSON *member = object->child; member != NULL; member = member->next) {
        if (rs_json_suggest(member->string, type_only, 1) == 0) {
            return rs_json_check_fields(ld->doc, object, path, type_only, 1);
        }
    }
    return 0;
}

/* The component named by `object`'s "type" (or `default_name` when absent), its fields
 * checked against its table (plus extra[0..extra_count) fields), and its parameters into
 * params. */
static int load_component(const loader *ld, const cJSON *object, const char *path,
                          rs_component_kind kind, const char *default_name,
                          const char *const *extra, size_t extra_count,
                          const rs_component **component, double params[RS_PARAMS_MAX]) {
    const rs_component *const *all = NULL;
    size_t total = rs_components(&all);
    const char *names[LOAD_COMPONENTS_MAX];
    size_t count = 0;
    for (size_t i = 0; i < total; i++) {
        if (all[i]->kind == kind) {
            assert(count < LOAD_COMPONENTS_MAX);
            names[count++] = all[i]->name;
        }
    }
    const char *what = kind == RS_COMPONENT_STRATEGY ? "strategy" : "consistency policy";
    const cJSON *type = object != NULL ? rs_json_member(object, "type") : NULL;
    if (type == NULL && object != NULL && fail_misspelt_type(ld, object, path) != 0) {
        return 2;
    }
    if (type == NULL && default_name == NULL) {
        return rs_json_fail_missing(ld->doc, object, path, "type");
    }
    const char *name = default_name;
    if (type != NULL) {
        char type_path[RS_JSON_PATH_MAX];
        size_t index = 0;
        rs_json_path_key(type_path, sizeof type_path, path, "type");
        if (rs_json_check_choice(ld->doc, type, type_path, what, names, count, &index) != 0) {
            return 2;
        }
        name = names[index];
    }
    *component = rs_component_find(kind, name);
    assert(*component != NULL && (*component)->param_count <= RS_PARAMS_MAX);
    const char *fields[RS_PARAMS_MAX + 5] = {"type"};
    size_t field_count = 1;
    assert(extra_count <= 4);
    for (size_t i = 0; i < extra_count; i++) {
        fields[field_count++] = extra[i];
    }
    for (size_t i = 0; i < (*component)->param_count; i++) {
        fields[field_count++] = (*component)->params[i].name;
    }
    if (object == NULL) {
        for (size_t i = 0; i < (*component)->param_count; i++) {
            params[i] = (*component)->params[i].default_value;
        }
        return 0;
    }
    if (rs_json_check_fields(ld->doc, object, path, fields, field_count) != 0) {
        return 2;
    }
    for (size_t i = 0; i < (*component)->param_count; i++) {
        if (load_param(ld, object, path, &(*component)->params[i], &params[i]) != 0) {
            return 2;
        }
    }
    return 0;
}

/* "region/store-K" -> global store index, or -1 (K canonical: no sign, no leading zero). */
static int64_t parse_store_name(const rs_scenario *scenario, const char *name) {
    const char *slash = strchr(name, '/');
    if (slash == NULL || (size_t)(slash - name) >= RS_NAME_MAX ||
        strncmp(slash + 1, "store-", 6) != 0) {
        return -1;
    }
    char region_name[RS_NAME_MAX];
    memcpy(region_name, name, (size_t)(slash - name));
    region_name[slash - name] = '\0';
    int region = rs__find_region(scenario, region_name);
    const char *digits = slash + 1 + 6;
    if (region < 0 || *digits < '1' || *digits > '9' || strlen(digits) > 4 ||
        strspn(digits, "0123456789") != strlen(digits)) {
        return -1;
    }
    long k = strtol(digits, NULL, 10);
    const rs_region_spec *spec = &scenario->regions[region];
    if (k < 1 || k > (long)spec->stores) {
        return -1;
    }
    return (int64_t)spec->first_store + k - 1;
}

/* Appends store `store` to the targets, in scenario order; naming it twice is an error. */
static int add_target(const loader *ld, const cJSON *node, const char *path, bool *selected,
                      uint32_t store) {
    rs_scenario *out = ld->out;
    if (selected[store]) {
        char name[2 * RS_NAME_MAX];
        rs_scenario_store_name(out, store, name, sizeof name);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                            "selects store %s a second time; allowed: each store once, "
                            "directly or through its region (order matters: it is the "
                            "cascade chain and the async primary)", name);
    }
    selected[store] = true;
    out->targets[out->target_count++] = store;
    return 0;
}

/* One "targets" entry: a region (all its stores, in order) or a store name. */
static int load_target(const loader *ld, const cJSON *node, const char *path, bool *selected) {
    const rs_scenario *out = ld->out;
    if (!cJSON_IsString(node)) {
        char got[64];
        rs_json_describe(ld->doc, node, got, sizeof got);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                            "must be a region or store name, got %s; allowed: \"region\" or "
                            "\"region/store-K\"", got);
    }
    int region = rs__find_region(out, node->valuestring);
    if (region >= 0) {
        const rs_region_spec *spec = &out->regions[region];
        for (uint32_t k = 0; k < spec->stores; k++) {
            if (add_target(ld, node, path, selected, spec->first_store + k) != 0) {
                return 2;
            }
        }
        return 0;
    }
    int64_t store = parse_store_name(out, node->valuestring);
    if (store >= 0) {
        return add_target(ld, node, path, selected, (uint32_t)store);
    }
    const char *names[RS_REGIONS_MAX];
    for (uint32_t i = 0; i < out->region_count; i++) {
        names[i] = out->regions[i].name;
    }
    char quoted[64];
    char allowed[384];
    rs_json_quote(node->valuestring, quoted, sizeof quoted);
    rs_json_join(allowed, sizeof allowed, names, out->region_count);
    return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                        "unknown target %s; allowed: a region (%s) or one of its stores "
                        "\"region/store-K\", K from 1 to the region's stores", quoted, allowed);
}

/* "targets" -> store indices in scenario order, each once; absent -> every store. */
static int load_targets(const loader *ld, const cJSON *strategy, const char *path) {
    bool selected[RS_STORES_MAX]; /* 2 KiB of stack */
    rs_scenario *out = ld->out;
    const cJSON *targets = rs_json_member(strategy, "targets");
    char list_path[RS_JSON_PATH_MAX];
    rs_json_path_key(list_path, sizeof list_path, path, "targets");
    size_t count = 0;
    if (targets != NULL && (rs_json_need_array(ld->doc, targets, list_path) != 0 ||
                            rs__load_count(ld, targets, list_path, 0, RS_TARGETS_MAX, "entries",
                                       &count) != 0)) {
        return 2;
    }
    memset(selected, 0, sizeof selected);
    out->target_count = 0;
    if (targets == NULL) {
        for (uint32_t store = 0; store < out->store_count; store++) {
            out->targets[out->target_count++] = store;
        }
    }
    size_t index = 0;
    for (const cJSON *t = targets != NULL ? targets->child : NULL; t != NULL;
         t = t->next, index++) {
        char entry_path[RS_JSON_PATH_MAX];
        rs_json_path_index(entry_path, sizeof entry_path, list_path, index);
        if (load_target(ld, t, entry_path, selected) != 0) {
            return 2;
        }
    }
    if (out->target_count == 0) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, targets), list_path,
                            "selects no store; allowed: region or store names that hold at "
                            "least one store");
    }
    return 0;
}

int rs__load_strategy(const loader *ld, const cJSON *root) {
    static const char *const extra[] = {"targets", "rules", "default_targets", "residency"};
    const cJSON *strategy = NULL;
    if (rs__load_section(ld, root, "", "strategy", true, &strategy) != 0 ||
        load_component(ld, strategy, "strategy", RS_COMPONENT_STRATEGY, NULL, extra, 4,
                       &ld->out->strategy, ld->out->strategy_params) != 0 ||
        rs_scenario_load_rules(ld->doc, strategy, ld->out) != 0 || /* model/scenario_rules.c */
        rs_scenario_load_residency(ld->doc, strategy, ld->out) != 0) { /* scenario_residency.c */
        return 2;
    }
    return ld->out->rules.rule_count > 0 ? 0 : load_targets(ld, strategy, "strategy");
}

int rs__load_consistency(const loader *ld, const cJSON *root) {
    rs_scenario *out = ld->out;
    const cJSON *consistency = NULL;
    if (rs__load_section(ld, root, "", "consistency", false, &consistency) != 0 ||
        load_component(ld, consistency, "consistency", RS_COMPONENT_POLICY, "all", NULL, 0,
                       &out->policy, out->policy_params) != 0) {
        return 2;
    }
    out->write_quorum = rs_policy_write_quorum(out->policy, out->policy_params,
                                               out->target_count);
    if (out->write_quorum != 0) {
        assert(out->write_quorum <= out->target_count);
        return 0;
    }
    int param = rs_component_param_index(out->policy, "write_quorum");
    const cJSON *asked = param >= 0 ? rs_json_member(consistency, "write_quorum") : NULL;
    if (asked != NULL) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, asked),
                            "consistency.write_quorum", "write_quorum %.0f exceeds the %u target "
                            "stores; allowed: at most %u (the stores strategy.targets selects)",
                            out->policy_params[param], out->target_count, out->target_count);
    }
    return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, consistency != NULL ? consistency
                                                                                   : root),
                        "consistency", "policy \"%s\" needs more than the %u target stores; "
                        "allowed: parameters the targets can satisfy", out->policy->name,
                        out->target_count);
}
