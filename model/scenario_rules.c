/* scenario_rules.c — the loader's part for conditional replication: the "strategy" object's
 * "rules" (name, "when" condition, targets) and "default_targets" into the scenario's flat
 * rs_rule_set (strategies/rules.h), with conditions checked operator by operator, names
 * resolved to store indices, every pool bounded by strategies/limits.h, and the scenario's
 * targets set to the union of all rule and default targets (rules first, first appearance).
 * For any other strategy the two fields are rejected. Errors follow the loader's form
 * "file:line:col: path: what is wrong; allowed: ..." (model/json_pos.h); called by
 * model/scenario_load.c once the topology and the strategy's type and parameters are known.
 *
 * Conditions are read depth-first; a combinator is added after its children, so the stack
 * holds at most RS_CONDITION_DEPTH_MAX levels, each with its children's indices (2 KiB). */
#include "model/scenario.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "model/json_pos.h"
#include "strategies/conditional.h"

typedef struct rules_loader {
    const rs_json_doc *doc;        /* the parsed file */
    rs_scenario *out;              /* being filled */
    bool in_union[RS_STORES_MAX];  /* store already in out->targets */
} rules_loader;

static const char *const op_list = "eq, ne, lt, le, gt, ge, in, prefix, and, or, not";

static size_t value_offset(const rules_loader *rl, const cJSON *node) {
    assert(rl != NULL && rl->doc != NULL);
    assert(node != NULL);
    return rs_json_value_offset(rl->doc, node);
}

/* An attribute name: 1..RS_NAME_MAX-1 bytes of [A-Za-z0-9_.-] (as event type attributes). */
static int load_attribute_name(const rules_loader *rl, const cJSON *node, const char *path,
                               char out[RS_NAME_MAX]) {
    assert(rl != NULL && node != NULL);
    size_t length = cJSON_IsString(node) ? strlen(node->valuestring) : 0;
    bool ok = length >= 1 && length < RS_NAME_MAX;
    for (size_t i = 0; ok && i < length; i++) {
        char c = node->valuestring[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    }
    if (!ok) {
        char got[64];
        rs_json_describe(rl->doc, node, got, sizeof got);
        return rs_json_fail(rl->doc, value_offset(rl, node), path, "must be an attribute name, "
                            "got %s; allowed: type, origin_region or an event type's attribute "
                            "(1..%d characters from A-Z a-z 0-9 _ . -)", got, RS_NAME_MAX - 1);
    }
    memcpy(out, node->valuestring, length + 1);
    return 0;
}

/* A comparison operand: a number, or a string of 1..RS_ATTR_VALUE_MAX-1 bytes. */
static int load_value(const rules_loader *rl, const cJSON *node, const char *path,
                      bool string_only, rs_rule_value *value) {
    assert(rl != NULL && node != NULL && value != NULL);
    memset(value, 0, sizeof *value);
    if (cJSON_IsNumber(node) && !string_only) {
        value->is_number = true;
        value->number = node->valuedouble;
        return 0;
    }
    if (cJSON_IsString(node)) {
        return rs_json_check_string(rl->doc, node, path, value->text, sizeof value->text);
    }
    char got[64];
    rs_json_describe(rl->doc, node, got, sizeof got);
    return rs_json_fail(rl->doc, value_offset(rl, node), path, "must be %s, got %s; allowed: "
                        "a string of 1..%d bytes%s", string_only ? "a string" :
                        "a string or a number", got, RS_ATTR_VALUE_MAX - 1,
                        string_only ? "" : " or a number");
}

/* `arg` must be an array of exactly two elements; "got 3 elements" / "got 5" otherwise. */
static int need_pair(const rules_loader *rl, const cJSON *arg, const char *path,
                     const char *form) {
    assert(rl != NULL && arg != NULL);
    assert(path != NULL && form != NULL);
    int size = cJSON_IsArray(arg) ? cJSON_GetArraySize(arg) : -1;
    if (size == 2) {
        return 0;
    }
    char got[64];
    if (size >= 0) {
        snprintf(got, sizeof got, "%d element%s", size, size == 1 ? "" : "s");
    } else {
        rs_json_describe(rl->doc, arg, got, sizeof got);
    }
    return rs_json_fail(rl->doc, value_offset(rl, arg), path, "must be %s, got %s; allowed: a "
                        "2-element array", form, got);
}

static int fail_pool(const rules_loader *rl, const cJSON *node, const char *path) {
    const rs_rule_set *rules = &rl->out->rules;
    bool conditions = rules->condition_count == RS_CONDITIONS_MAX;
    assert(conditions || rules->value_count > RS_RULE_VALUES_MAX - RS_IN_VALUES_MAX);
    assert(node != NULL && path != NULL);
    return rs_json_fail(rl->doc, value_offset(rl, node), path, "too many %s in the rules; "
                        "allowed: at most %d in all rules together",
                        conditions ? "conditions" : "comparison values",
                        conditions ? RS_CONDITIONS_MAX : RS_RULE_VALUES_MAX);
}

/* {"eq": [attribute, value]} ... {"in": [attribute, [values]]}, {"prefix": [attribute, s]}. */
static int load_comparison(const rules_loader *rl, rs_rule_op op, const cJSON *arg,
                           const char *path, uint32_t *index) {
    assert(op <= RS_RULE_OP_PREFIX);
    assert(arg != NULL && index != NULL);
    rs_rule_value values[RS_IN_VALUES_MAX]; /* 2.5 KiB */
    char attribute[RS_NAME_MAX];
    char item_path[RS_JSON_PATH_MAX];
    const char *form = op == RS_RULE_OP_IN ? "[attribute, [values]]" : op == RS_RULE_OP_PREFIX
                     ? "[attribute, \"prefix\"]" : "[attribute, value]";
    if (need_pair(rl, arg, path, form) != 0) {
        return 2;
    }
    rs_json_path_index(item_path, sizeof item_path, path, 0);
    if (load_attribute_name(rl, arg->child, item_path, attribute) != 0) {
        return 2;
    }
    const cJSON *operand = arg->child->next;
    rs_json_path_index(item_path, sizeof item_path, path, 1);
    uint32_t count = 1;
    if (op != RS_RULE_OP_IN) {
        if (load_value(rl, operand, item_path, op == RS_RULE_OP_PREFIX, &values[0]) != 0) {
            return 2;
        }
    } else {
        int size = cJSON_IsArray(operand) ? cJSON_GetArraySize(operand) : -1;
        if (size < 1 || size > RS_IN_VALUES_MAX) {
            char got[64];
            rs_json_describe(rl->doc, operand, got, sizeof got);
            return rs_json_fail(rl->doc, value_offset(rl, operand), item_path, "must be a list "
                                "of values, got %s%s%s; allowed: an array of 1..%d strings or "
                                "numbers", got, size >= 0 ? " with " : "",
                                size >= 0 ? (size == 0 ? "no values" : "too many values") : "",
                                RS_IN_VALUES_MAX);
        }
        count = 0;
        for (const cJSON *v = operand->child; v != NULL; v = v->next, count++) {
            char value_path[RS_JSON_PATH_MAX];
            rs_json_path_index(value_path, sizeof value_path, item_path, count);
            if (load_value(rl, v, value_path, false, &values[count]) != 0) {
                return 2;
            }
        }
    }
    *index = rs_rules_add_comparison(&rl->out->rules, op, attribute, values, count);
    return *index == RS_CONDITION_NONE ? fail_pool(rl, arg, path) : 0;
}

static int load_condition(const rules_loader *rl, const cJSON *node, const char *path,
                          uint32_t depth, uint32_t *index);

/* {"and": [c, ...]}, {"or": [c, ...]} (1..n conditions), {"not": c}. */
static int load_combinator(const rules_loader *rl, rs_rule_op op, const cJSON *arg,
                           const char *path, uint32_t depth, uint32_t *index) {
    assert(op == RS_RULE_OP_AND || op == RS_RULE_OP_OR || op == RS_RULE_OP_NOT);
    assert(depth >= 1 && depth <= RS_CONDITION_DEPTH_MAX);
    uint32_t children[RS_CONDITIONS_MAX]; /* 2 KiB per level, <= 8 levels */
    uint32_t count = 0;
    if (op == RS_RULE_OP_NOT) {
        if (!cJSON_IsObject(arg)) {
            char got[64];
            rs_json_describe(rl->doc, arg, got, sizeof got);
            return rs_json_fail(rl->doc, value_offset(rl, arg), path, "must be one condition "
                                "object, got %s; allowed: {\"not\": {condition}}", got);
        }
        if (load_condition(rl, arg, path, depth + 1, &children[count++]) != 0) {
            return 2;
        }
    } else {
        if (!cJSON_IsArray(arg) || arg->child == NULL) {
            char got[64];
            rs_json_describe(rl->doc, arg, got, sizeof got);
            return rs_json_fail(rl->doc, value_offset(rl, arg), path, "must be a non-empty "
                                "array of conditions, got %s; allowed: [condition, ...]",
                                cJSON_IsArray(arg) ? "[]" : got);
        }
        for (const cJSON *c = arg->child; c != NULL; c = c->next) {
            char child_path[RS_JSON_PATH_MAX];
            rs_json_path_index(child_path, sizeof child_path, path, count);
            if (count == RS_CONDITIONS_MAX) {
                return fail_pool(rl, c, child_path);
            }
            if (load_condition(rl, c, child_path, depth + 1, &children[count++]) != 0) {
                return 2;
            }
        }
    }
    *index = rs_rules_add_combinator(&rl->out->rules, op, children, count);
    return *index == RS_CONDITION_NONE ? fail_pool(rl, arg, path) : 0;
}

/* One condition object {"op": argument} at nesting level `depth` (the rule's "when" is 1). */
static int load_condition(const rules_loader *rl, const cJSON *node, const char *path,
                          uint32_t depth, uint32_t *index) {
    assert(rl != NULL && depth >= 1);
    assert(node != NULL && index != NULL);
    if (rs_json_need_object(rl->doc, node, path) != 0) {
        return 2;
    }
    if (depth > RS_CONDITION_DEPTH_MAX) {
        return rs_json_fail(rl->doc, value_offset(rl, node), path, "conditions nested deeper "
                            "than %d levels; allowed: at most %d nested conditions (and, or, "
                            "not)", RS_CONDITION_DEPTH_MAX, RS_CONDITION_DEPTH_MAX);
    }
    const cJSON *member = node->child;
    if (member == NULL) {
        return rs_json_fail(rl->doc, value_offset(rl, node), path, "a condition needs one "
                            "operator, got none; allowed: %s", op_list);
    }
    char op_path[RS_JSON_PATH_MAX];
    rs_json_path_key(op_path, sizeof op_path, path, member->string);
    if (member->next != NULL) {
        rs_json_path_key(op_path, sizeof op_path, path, member->next->string);
        return rs_json_fail(rl->doc, rs_json_key_offset(rl->doc, member->next), op_path,
                            "a second operator in one condition (the first is \"%s\"); "
                            "allowed: one operator per object, combined with and/or",
                            member->string);
    }
    const char *names[RS_RULE_OP_COUNT];
    for (int op = 0; op < RS_RULE_OP_COUNT; op++) {
        names[op] = rs_rule_op_name((rs_rule_op)op);
    }
    int op = 0;
    while (op < RS_RULE_OP_COUNT && strcmp(names[op], member->string) != 0) {
        op++;
    }
    if (op == RS_RULE_OP_COUNT) {
        char quoted[64];
        char hint[64] = "";
        rs_json_quote(member->string, quoted, sizeof quoted);
        int close = rs_json_suggest(member->string, names, RS_RULE_OP_COUNT);
        if (close >= 0) {
            snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", names[close]);
        }
        return rs_json_fail(rl->doc, rs_json_key_offset(rl->doc, member), op_path,
                            "unknown operator %s%s; allowed: %s", quoted, hint, op_list);
    }
    if (op <= RS_RULE_OP_PREFIX) {
        return load_comparison(rl, (rs_rule_op)op, member, op_path, index);
    }
    return load_combinator(rl, (rs_rule_op)op, member, op_path, depth, index);
}

/* --- targets ------------------------------------------------------------------------------- */

static int fail_unknown_target(const rules_loader *rl, const cJSON *node, const char *path) {
    const rs_scenario *out = rl->out;
    assert(out->region_count >= 1 && out->region_count <= RS_REGIONS_MAX);
    assert(node != NULL && path != NULL);
    const char *names[RS_REGIONS_MAX];
    for (uint32_t i = 0; i < out->region_count; i++) {
        names[i] = out->regions[i].name;
    }
    char got[64];
    char allowed[384];
    rs_json_describe(rl->doc, node, got, sizeof got);
    rs_json_join(allowed, sizeof allowed, names, out->region_count);
    return rs_json_fail(rl->doc, value_offset(rl, node), path, "%s %s; allowed: a region (%s) "
                        "or one of its stores \"region/store-K\", K from 1 to the region's "
                        "stores", cJSON_IsString(node) ? "unknown target" :
                        "must be a region or store name, got", got, allowed);
}

/* One entry: a region (all its stores, in order) or "region/store-K", appended to stores. */
static int load_store_entry(const rules_loader *rl, const cJSON *node, const char *path,
                            bool *selected, uint32_t *stores, uint32_t *count) {
    const rs_scenario *out = rl->out;
    assert(node != NULL && selected != NULL);
    assert(stores != NULL && *count <= out->store_count);
    uint32_t first = 0;
    uint32_t span = 0;
    for (uint32_t r = 0; cJSON_IsString(node) && r < out->region_count && span == 0; r++) {
        if (strcmp(out->regions[r].name, node->valuestring) == 0) {
            first = out->regions[r].first_store;
            span = out->regions[r].stores;
            if (span == 0) {
                return 0; /* a region without stores selects nothing */
            }
        }
    }
    int64_t node_index = cJSON_IsString(node) && span == 0
                             ? rs_scenario_node_parse(out, node->valuestring) : -1;
    if (span == 0 && (node_index < 0 || (uint64_t)node_index >= out->store_count)) {
        return fail_unknown_target(rl, node, path);
    }
    first = span == 0 ? (uint32_t)node_index : first;
    span = span == 0 ? 1 : span;
    for (uint32_t store = first; store < first + span; store++) {
        assert(store < out->store_count);
        if (selected[store]) {
            char name[2 * RS_NAME_MAX];
            rs_scenario_store_name(out, store, name, sizeof name);
            return rs_json_fail(rl->doc, value_offset(rl, node), path, "selects store %s a "
                                "second time; allowed: each store once per list, directly or "
                                "through its region", name);
        }
        selected[store] = true;
        stores[(*count)++] = store;
    }
    return 0;
}

/* A list of region and store names -> distinct stores in order; `at_least_one` demands one. */
static int load_store_list(const rules_loader *rl, const cJSON *list, const char *path,
                           bool at_least_one, uint32_t stores[RS_TARGETS_MAX], uint32_t *count) {
    bool selected[RS_STORES_MAX]; /* 2 KiB */
    assert(rl != NULL && list != NULL);
    assert(stores != NULL && count != NULL);
    memset(selected, 0, sizeof selected);
    *count = 0;
    if (rs_json_need_array(rl->doc, list, path) != 0) {
        return 2;
    }
    size_t index = 0;
    for (const cJSON *entry = list->child; entry != NULL; entry = entry->next, index++) {
        char entry_path[RS_JSON_PATH_MAX];
        rs_json_path_index(entry_path, sizeof entry_path, path, index);
        if (load_store_entry(rl, entry, entry_path, selected, stores, count) != 0) {
            return 2;
        }
    }
    if (at_least_one && *count == 0) {
        return rs_json_fail(rl->doc, value_offset(rl, list), path, "selects no store; allowed: "
                            "at least one region (with stores) or store name");
    }
    assert(*count <= rl->out->store_count);
    return 0;
}

/* Adds stores to the scenario's target union, keeping first appearances. */
static void union_add(rules_loader *rl, const uint32_t *stores, uint32_t count) {
    rs_scenario *out = rl->out;
    assert(stores != NULL || count == 0);
    for (uint32_t i = 0; i < count; i++) {
        assert(stores[i] < out->store_count);
        if (!rl->in_union[stores[i]]) {
            rl->in_union[stores[i]] = true;
            assert(out->target_count < RS_TARGETS_MAX);
            out->targets[out->target_count++] = stores[i];
        }
    }
}

static int fail_target_pool(const rules_loader *rl, const cJSON *node, const char *path) {
    assert(rl->out->rules.target_slot_count > 0);
    assert(node != NULL && path != NULL);
    return rs_json_fail(rl->doc, value_offset(rl, node), path, "the rules' targets need more "
                        "than %d store slots; allowed: at most %d stores in all rule targets "
                        "and default_targets together (a region counts its stores)",
                        RS_RULE_TARGETS_MAX, RS_RULE_TARGETS_MAX);
}

/* --- rules --------------------------------------------------------------------------------- */

static int load_rule(rules_loader *rl, const cJSON *rule, const char *path, uint32_t index) {
    static const char *const fields[] = {"name", "when", "targets"};
    static const char *const required[] = {"name", "when", "targets"};
    rs_rule_set *rules = &rl->out->rules;
    assert(rule != NULL && path != NULL);
    assert(index == rules->rule_count && index < RS_RULES_MAX);
    if (rs_json_need_object(rl->doc, rule, path) != 0 ||
        rs_json_check_fields(rl->doc, rule, path, fields, 3) != 0) {
        return 2;
    }
    for (size_t i = 0; i < 3; i++) {
        if (rs_json_member(rule, required[i]) == NULL) {
            return rs_json_fail_missing(rl->doc, rule, path, required[i]);
        }
    }
    char field_path[RS_JSON_PATH_MAX];
    char name[RS_NAME_MAX];
    const cJSON *name_node = rs_json_member(rule, "name");
    rs_json_path_key(field_path, sizeof field_path, path, "name");
    if (load_attribute_name(rl, name_node, field_path, name) != 0) {
        return 2;
    }
    for (uint32_t i = 0; i < index; i++) {
        if (strcmp(rules->rules[i].name, name) == 0) {
            return rs_json_fail(rl->doc, value_offset(rl, name_node), field_path, "duplicate "
                                "rule name \"%s\" (also strategy.rules[%u]); allowed: unique "
                                "names", name, i);
        }
    }
    uint32_t condition = RS_CONDITION_NONE;
    rs_json_path_key(field_path, sizeof field_path, path, "when");
    if (load_condition(rl, rs_json_member(rule, "when"), field_path, 1, &condition) != 0) {
        return 2;
    }
    uint32_t stores[RS_TARGETS_MAX]; /* 8 KiB */
    uint32_t count = 0;
    const cJSON *targets = rs_json_member(rule, "targets");
    rs_json_path_key(field_path, sizeof field_path, path, "targets");
    if (load_store_list(rl, targets, field_path, true, stores, &count) != 0) {
        return 2;
    }
    if (rs_rules_add_rule(rules, name, condition, stores, count) != 0) {
        return fail_target_pool(rl, targets, field_path);
    }
    union_add(rl, stores, count);
    assert(rules->rule_count == index + 1);
    return 0;
}

static int load_rule_list(rules_loader *rl, const cJSON *strategy) {
    assert(rl != NULL && strategy != NULL);
    assert(rl->out->rules.rule_count == 0);
    const cJSON *list = rs_json_member(strategy, "rules");
    if (list == NULL) {
        return rs_json_fail(rl->doc, value_offset(rl, strategy), "strategy.rules", "missing "
                            "required field; allowed: 1..%d rules for strategy \"conditional\"",
                            RS_RULES_MAX);
    }
    if (rs_json_need_array(rl->doc, list, "strategy.rules") != 0) {
        return 2;
    }
    int size = cJSON_GetArraySize(list);
    if (size < 1 || size > RS_RULES_MAX) {
        return rs_json_fail(rl->doc, value_offset(rl, list), "strategy.rules", "has %s%d rules; "
                            "allowed: 1..%d rules", size < 1 ? "only " : "", size, RS_RULES_MAX);
    }
    uint32_t index = 0;
    for (const cJSON *rule = list->child; rule != NULL; rule = rule->next, index++) {
        char rule_path[RS_JSON_PATH_MAX];
        rs_json_path_index(rule_path, sizeof rule_path, "strategy.rules", index);
        if (load_rule(rl, rule, rule_path, index) != 0) {
            return 2;
        }
    }
    assert(rl->out->rules.rule_count == (uint32_t)size);
    return 0;
}

/* A field this strategy does not take, at its key. */
static int fail_field(const rules_loader *rl, const cJSON *field, const char *message) {
    assert(rl != NULL && message != NULL);
    assert(field != NULL && field->string != NULL);
    char path[RS_JSON_PATH_MAX];
    rs_json_path_key(path, sizeof path, "strategy", field->string);
    return rs_json_fail(rl->doc, rs_json_key_offset(rl->doc, field), path, "%s", message);
}

int rs_scenario_load_rules(const rs_json_doc *doc, const cJSON *strategy, rs_scenario *scenario) {
    assert(doc != NULL && strategy != NULL);
    assert(scenario != NULL && scenario->strategy != NULL);
    rules_loader rl = {.doc = doc, .out = scenario};
    memset(rl.in_union, 0, sizeof rl.in_union);
    rs_rules_init(&scenario->rules);
    const cJSON *defaults = rs_json_member(strategy, "default_targets");
    /* conditional, or a test variant wrapping it (it takes conditional's parameter table) */
    if (scenario->strategy->params != rs_conditional_component.params) {
        const cJSON *foreign = rs_json_member(strategy, "rules");
        foreign = foreign != NULL ? foreign : defaults;
        return foreign == NULL ? 0 : fail_field(&rl, foreign, "only for strategy "
                                                "\"conditional\"; allowed: rules and "
                                                "default_targets with \"type\": \"conditional\"");
    }
    const cJSON *targets = rs_json_member(strategy, "targets");
    if (targets != NULL) {
        return fail_field(&rl, targets, "not used by strategy \"conditional\" (each rule has "
                          "its own); allowed: rules[].targets and default_targets");
    }
    scenario->target_count = 0;
    if (load_rule_list(&rl, strategy) != 0) {
        return 2;
    }
    uint32_t stores[RS_TARGETS_MAX]; /* 8 KiB */
    uint32_t count = 0;
    if (defaults != NULL && load_store_list(&rl, defaults, "strategy.default_targets", false,
                                            stores, &count) != 0) {
        return 2;
    }
    if (rs_rules_set_default(&scenario->rules, stores, count) != 0) {
        return fail_target_pool(&rl, defaults, "strategy.default_targets");
    }
    union_add(&rl, stores, count);
    assert(scenario->target_count >= 1);
    return 0;
}
