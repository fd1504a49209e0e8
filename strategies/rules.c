/* rules.c — building and evaluating conditional replication rules (see rules.h). Evaluation
 * recurses at most RS_CONDITION_DEPTH_MAX levels; each comparison looks its attribute up by
 * name among the built-ins and the type's attributes (O(RS_ATTRIBUTES_MAX) strcmp, fine at
 * <= 16; strategies/conditional.c caches results per event type and origin anyway). */
#include "strategies/rules.h"

#include <assert.h>
#include <string.h>

_Static_assert(RS_RULES_MAX <= 64, "rs_rules_match returns the matches as a 64-bit mask");

static const char *const op_names[RS_RULE_OP_COUNT] = {
    [RS_RULE_OP_EQ] = "eq",         [RS_RULE_OP_NE] = "ne",   [RS_RULE_OP_LT] = "lt",
    [RS_RULE_OP_LE] = "le",         [RS_RULE_OP_GT] = "gt",   [RS_RULE_OP_GE] = "ge",
    [RS_RULE_OP_IN] = "in",         [RS_RULE_OP_PREFIX] = "prefix",
    [RS_RULE_OP_AND] = "and",       [RS_RULE_OP_OR] = "or",   [RS_RULE_OP_NOT] = "not",
};

const char *rs_rule_op_name(rs_rule_op op) {
    assert(op < RS_RULE_OP_COUNT);
    assert(op_names[op] != NULL);
    return op_names[op];
}

static bool op_is_comparison(rs_rule_op op) {
    assert(op < RS_RULE_OP_COUNT);
    return op <= RS_RULE_OP_PREFIX;
}

void rs_rules_init(rs_rule_set *rules) {
    assert(rules != NULL);
    memset(rules, 0, sizeof *rules);
    assert(rules->rule_count == 0 && rules->default_count == 0);
}

uint32_t rs_rules_add_comparison(rs_rule_set *rules, rs_rule_op op, const char *attribute,
                                 const rs_rule_value *values, uint32_t count) {
    assert(rules != NULL && op_is_comparison(op));
    assert(attribute != NULL && strlen(attribute) >= 1 && strlen(attribute) < RS_NAME_MAX);
    assert(values != NULL && count >= 1);
    assert(op == RS_RULE_OP_IN ? count <= RS_IN_VALUES_MAX : count == 1);
    assert(op != RS_RULE_OP_PREFIX || !values[0].is_number);
    if (rules->condition_count == RS_CONDITIONS_MAX ||
        count > RS_RULE_VALUES_MAX - rules->value_count) {
        return RS_CONDITION_NONE;
    }
    uint32_t index = rules->condition_count++;
    rs_condition *node = &rules->conditions[index];
    memset(node, 0, sizeof *node);
    node->op = op;
    memcpy(node->attribute, attribute, strlen(attribute) + 1);
    node->first = rules->value_count;
    node->count = count;
    node->next = RS_CONDITION_NONE;
    node->height = 1;
    memcpy(&rules->values[rules->value_count], values, count * sizeof *values);
    rules->value_count += count;
    return index;
}

uint32_t rs_rules_add_combinator(rs_rule_set *rules, rs_rule_op op, const uint32_t *children,
                                 uint32_t count) {
    assert(rules != NULL && !op_is_comparison(op) && op < RS_RULE_OP_COUNT);
    assert(children != NULL && count >= 1);
    assert(op != RS_RULE_OP_NOT || count == 1);
    if (rules->condition_count == RS_CONDITIONS_MAX) {
        return RS_CONDITION_NONE;
    }
    uint32_t height = 0;
    for (uint32_t i = 0; i < count; i++) {
        assert(children[i] < rules->condition_count);
        rs_condition *child = &rules->conditions[children[i]];
        assert(!child->attached && "a condition has one parent");
        assert(child->height < RS_CONDITION_DEPTH_MAX);
        child->attached = true;
        child->next = i + 1 < count ? children[i + 1] : RS_CONDITION_NONE;
        height = child->height > height ? child->height : height;
    }
    uint32_t index = rules->condition_count++;
    rs_condition *node = &rules->conditions[index];
    memset(node, 0, sizeof *node);
    node->op = op;
    node->first = children[0];
    node->count = count;
    node->next = RS_CONDITION_NONE;
    node->height = height + 1;
    return index;
}

/* Copies `count` distinct targets into the pool; *first = their first slot. */
static int rules_add_targets(rs_rule_set *rules, const uint32_t *targets, uint32_t count,
                             uint32_t *first) {
    assert(rules != NULL && first != NULL);
    assert(count == 0 || targets != NULL);
    if (count > RS_RULE_TARGETS_MAX - rules->target_slot_count) {
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        assert(targets[i] < RS_STORES_MAX);
        for (uint32_t j = 0; j < i; j++) {
            assert(targets[j] != targets[i] && "targets are distinct");
        }
    }
    *first = rules->target_slot_count;
    if (count > 0) {
        memcpy(&rules->target_slots[*first], targets, count * sizeof *targets);
    }
    rules->target_slot_count += count;
    return 0;
}

int rs_rules_add_rule(rs_rule_set *rules, const char *name, uint32_t condition,
                      const uint32_t *targets, uint32_t count) {
    assert(rules != NULL && name != NULL && strlen(name) < RS_NAME_MAX);
    assert(condition < rules->condition_count && count >= 1);
    assert(!rules->conditions[condition].attached);
    if (rules->rule_count == RS_RULES_MAX) {
        return -1;
    }
    rs_rule *rule = &rules->rules[rules->rule_count];
    memset(rule, 0, sizeof *rule);
    if (rules_add_targets(rules, targets, count, &rule->first_target) != 0) {
        return -1;
    }
    memcpy(rule->name, name, strlen(name) + 1);
    rule->condition = condition;
    rule->target_count = count;
    rules->conditions[condition].attached = true;
    rules->rule_count++;
    return 0;
}

int rs_rules_set_default(rs_rule_set *rules, const uint32_t *targets, uint32_t count) {
    assert(rules != NULL);
    assert(rules->default_count == 0 && "the default is set once");
    if (rules_add_targets(rules, targets, count, &rules->default_first) != 0) {
        return -1;
    }
    rules->default_count = count;
    return 0;
}

/* --- evaluation ---------------------------------------------------------------------------- */

/* The attribute `name` of the input as a value; false when the event has none. */
static bool input_lookup(const rs_rule_input *input, const char *name, bool *is_number,
                         double *number, const char **text) {
    assert(input != NULL && name != NULL);
    assert(input->attribute_count <= RS_ATTRIBUTES_MAX);
    *is_number = false;
    *number = 0;
    if (strcmp(name, "type") == 0 || strcmp(name, "origin_region") == 0) {
        *text = name[0] == 't' ? input->type_name : input->origin_region;
        return *text != NULL;
    }
    for (uint32_t i = 0; i < input->attribute_count; i++) {
        const rs_attribute *attribute = &input->attributes[i];
        if (strcmp(attribute->key, name) == 0) {
            *is_number = attribute->is_number;
            *number = attribute->number;
            *text = attribute->text;
            return true;
        }
    }
    return false;
}

/* <0, 0, >0 as attribute vs value; *comparable false when their kinds differ. */
static int compare_value(bool is_number, double number, const char *text,
                         const rs_rule_value *value, bool *comparable) {
    assert(value != NULL && comparable != NULL);
    *comparable = is_number == value->is_number;
    if (!*comparable) {
        return 0;
    }
    if (is_number) {
        return number < value->number ? -1 : number > value->number ? 1 : 0;
    }
    assert(text != NULL);
    return strcmp(text, value->text);
}

static bool comparison_holds(const rs_rule_set *rules, const rs_condition *node,
                             const rs_rule_input *input) {
    assert(op_is_comparison(node->op));
    assert(node->first + node->count <= rules->value_count);
    bool is_number = false;
    double number = 0;
    const char *text = NULL;
    if (!input_lookup(input, node->attribute, &is_number, &number, &text)) {
        return false;
    }
    const rs_rule_value *values = &rules->values[node->first];
    bool comparable = false;
    if (node->op == RS_RULE_OP_IN) {
        for (uint32_t i = 0; i < node->count; i++) {
            if (compare_value(is_number, number, text, &values[i], &comparable) == 0 &&
                comparable) {
                return true;
            }
        }
        return false;
    }
    if (node->op == RS_RULE_OP_PREFIX) {
        return !is_number && !values[0].is_number &&
               strncmp(text, values[0].text, strlen(values[0].text)) == 0;
    }
    int order = compare_value(is_number, number, text, &values[0], &comparable);
    switch (node->op) {
    case RS_RULE_OP_EQ: return comparable && order == 0;
    case RS_RULE_OP_NE: return comparable && order != 0;
    case RS_RULE_OP_LT: return comparable && order < 0;
    case RS_RULE_OP_LE: return comparable && order <= 0;
    case RS_RULE_OP_GT: return comparable && order > 0;
    case RS_RULE_OP_GE: return comparable && order >= 0;
    default: assert(0 && "not a plain comparison"); return false;
    }
}

bool rs_condition_holds(const rs_rule_set *rules, uint32_t condition,
                        const rs_rule_input *input) {
    assert(rules != NULL && input != NULL);
    assert(condition < rules->condition_count);
    const rs_condition *node = &rules->conditions[condition];
    assert(node->height <= RS_CONDITION_DEPTH_MAX);
    if (op_is_comparison(node->op)) {
        return comparison_holds(rules, node, input);
    }
    uint32_t child = node->first;
    if (node->op == RS_RULE_OP_NOT) {
        return !rs_condition_holds(rules, child, input);
    }
    bool all = node->op == RS_RULE_OP_AND;
    assert(all || node->op == RS_RULE_OP_OR);
    for (uint32_t i = 0; i < node->count; i++) {
        assert(child != RS_CONDITION_NONE);
        if (rs_condition_holds(rules, child, input) != all) {
            return !all;  /* and: one false child; or: one true child */
        }
        child = rules->conditions[child].next;
    }
    assert(child == RS_CONDITION_NONE);
    return all;
}

uint64_t rs_rules_match(const rs_rule_set *rules, rs_rule_mode mode, const rs_rule_input *input) {
    assert(rules != NULL && input != NULL);
    assert(mode == RS_RULE_MODE_FIRST_MATCH || mode == RS_RULE_MODE_ALL_MATCH);
    uint64_t matched = 0;
    for (uint32_t i = 0; i < rules->rule_count; i++) {
        if (rs_condition_holds(rules, rules->rules[i].condition, input)) {
            matched |= UINT64_C(1) << i;
            if (mode == RS_RULE_MODE_FIRST_MATCH) {
                break;
            }
        }
    }
    return matched;
}

/* Appends slots[0..count) to out, skipping stores already in `seen`. */
static uint32_t targets_union(const uint32_t *slots, uint32_t count, uint64_t *seen,
                              uint32_t *out, uint32_t used) {
    assert(slots != NULL || count == 0);
    assert(seen != NULL && out != NULL);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t store = slots[i];
        assert(store < RS_STORES_MAX);
        uint64_t bit = UINT64_C(1) << (store % 64);
        if ((seen[store / 64] & bit) == 0) {
            seen[store / 64] |= bit;
            assert(used < RS_TARGETS_MAX);
            out[used++] = store;
        }
    }
    return used;
}

uint32_t rs_rules_targets(const rs_rule_set *rules, uint64_t matched,
                          uint32_t out[RS_TARGETS_MAX]) {
    assert(rules != NULL && out != NULL);
    assert(rules->rule_count == 64 || (matched >> rules->rule_count) == 0);
    uint64_t seen[RS_STORES_MAX / 64]; /* 256 bytes: which stores are already in out */
    memset(seen, 0, sizeof seen);
    if (matched == 0) {
        return targets_union(&rules->target_slots[rules->default_first], rules->default_count,
                             seen, out, 0);
    }
    uint32_t used = 0;
    for (uint32_t i = 0; i < rules->rule_count; i++) {
        if ((matched >> i) & 1) {
            const rs_rule *rule = &rules->rules[i];
            used = targets_union(&rules->target_slots[rule->first_target], rule->target_count,
                                 seen, out, used);
        }
    }
    assert(used >= 1);
    return used;
}
