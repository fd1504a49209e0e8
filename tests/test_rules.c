/* test_rules.c — pins the conditional replication rule engine (strategies/rules.h) on its own:
 * rule sets are built with the rs_rules_add_* calls and evaluated against hand-made event
 * attributes, asserting the exact truth of every operator (true and false cases), absent
 * attributes, number-versus-string operands, nesting, first_match versus all_match masks and
 * the exact target lists (union order, defaults), and that every pool refuses overflow. */
#include <stdlib.h>
#include <string.h>

#include "strategies/rules.h"
#include "tests/support/test_util.h"

static rs_rule_set *rules;

/* An OrderPlaced-like event from "eu" with three attributes (one named like a built-in). */
static const rs_attribute attributes[] = {
    {.key = "residency", .is_number = false, .text = "eu"},
    {.key = "amount", .is_number = true, .number = 5000},
    {.key = "tenant", .is_number = false, .text = "acme-corp"},
    {.key = "type", .is_number = false, .text = "shadowed"},
};
static const rs_rule_input input = {"PaymentCaptured", "eu", attributes, 4};

static rs_rule_value num(double number) {
    rs_rule_value value;
    memset(&value, 0, sizeof value);
    value.is_number = true;
    value.number = number;
    return value;
}

static rs_rule_value str(const char *text) {
    rs_rule_value value;
    memset(&value, 0, sizeof value);
    strcpy(value.text, text);
    return value;
}

static void setup(void) {
    if (rules == NULL) {
        rules = malloc(sizeof *rules);
        CU_ASSERT_FATAL(rules != NULL);
    }
    rs_rules_init(rules);
}

/* Evaluates a fresh comparison `attribute op value` against `input`. */
static bool holds(rs_rule_op op, const char *attribute, rs_rule_value value) {
    setup();
    uint32_t index = rs_rules_add_comparison(rules, op, attribute, &value, 1);
    CU_ASSERT_FATAL(index != RS_CONDITION_NONE);
    return rs_condition_holds(rules, index, &input);
}

static void test_number_comparisons(void) {
    CU_ASSERT_TRUE(holds(RS_RULE_OP_EQ, "amount", num(5000)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "amount", num(4999)));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_NE, "amount", num(4999)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_NE, "amount", num(5000)));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_LT, "amount", num(5000.5)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LT, "amount", num(5000)));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_LE, "amount", num(5000)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LE, "amount", num(4999.5)));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_GT, "amount", num(1000)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GT, "amount", num(5000)));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_GE, "amount", num(5000)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GE, "amount", num(5001)));
    /* numerically, not as text: 5000 > 10000 as strings, not as numbers */
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GT, "amount", num(10000)));
}

static void test_string_comparisons(void) {
    CU_ASSERT_TRUE(holds(RS_RULE_OP_EQ, "residency", str("eu")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "residency", str("EU")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_NE, "residency", str("us")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_NE, "residency", str("eu")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_LT, "residency", str("fr")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_LT, "residency", str("eu-west"))); /* a proper prefix */
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LT, "residency", str("eu")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LT, "residency", str("EZ"))); /* bytes: 'E' < 'e' */
    CU_ASSERT_TRUE(holds(RS_RULE_OP_LE, "residency", str("eu")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LE, "residency", str("ea")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_GT, "residency", str("ea")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GT, "residency", str("eu")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_GE, "residency", str("eu")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GE, "residency", str("ev")));
}

static void test_in_and_prefix(void) {
    rs_rule_value regions[] = {str("us"), str("eu")};
    rs_rule_value others[] = {str("us"), str("ap"), num(5000)};
    rs_rule_value amounts[] = {num(1), num(5000)};
    setup();
    uint32_t in_regions = rs_rules_add_comparison(rules, RS_RULE_OP_IN, "residency", regions, 2);
    uint32_t in_others = rs_rules_add_comparison(rules, RS_RULE_OP_IN, "residency", others, 3);
    uint32_t in_amounts = rs_rules_add_comparison(rules, RS_RULE_OP_IN, "amount", amounts, 2);
    uint32_t in_text = rs_rules_add_comparison(rules, RS_RULE_OP_IN, "amount", others, 3);
    CU_ASSERT_TRUE(rs_condition_holds(rules, in_regions, &input));
    CU_ASSERT_FALSE(rs_condition_holds(rules, in_others, &input));
    CU_ASSERT_TRUE(rs_condition_holds(rules, in_amounts, &input));
    CU_ASSERT_TRUE(rs_condition_holds(rules, in_text, &input)); /* matches num(5000) only */
    CU_ASSERT_EQUAL(rules->value_count, 10);
    CU_ASSERT_EQUAL(rules->conditions[in_others].count, 3);
    CU_ASSERT_TRUE(holds(RS_RULE_OP_PREFIX, "tenant", str("acme")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_PREFIX, "tenant", str("acme-corp")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_PREFIX, "tenant", str("acme-corp2")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_PREFIX, "tenant", str("corp")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_PREFIX, "amount", str("50"))); /* number attribute */
}

/* An absent attribute makes every comparison false, ne included; `not` turns that true. */
static void test_absent_attribute(void) {
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "priority", str("high")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_NE, "priority", str("high")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LT, "priority", num(1)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GE, "priority", num(1)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_PREFIX, "priority", str("h")));
    rs_rule_value any[] = {str("high"), num(1)};
    setup();
    uint32_t in = rs_rules_add_comparison(rules, RS_RULE_OP_IN, "priority", any, 2);
    CU_ASSERT_FALSE(rs_condition_holds(rules, in, &input));
    uint32_t negated = rs_rules_add_combinator(rules, RS_RULE_OP_NOT, &in, 1);
    CU_ASSERT_TRUE(rs_condition_holds(rules, negated, &input));
    rs_rule_input bare = {"A", "us", NULL, 0};
    CU_ASSERT_FALSE(rs_condition_holds(rules, in, &bare));
}

/* A number attribute against a string value (and the reverse) is false for every operator. */
static void test_number_versus_string(void) {
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "amount", str("5000")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_NE, "amount", str("5000")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LT, "amount", str("9")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GE, "amount", str("0")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "residency", num(5)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_NE, "residency", num(5)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_GT, "residency", num(0)));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_LE, "residency", num(0)));
}

/* `type` and `origin_region` come from the input, and shadow a type attribute "type". */
static void test_builtins(void) {
    CU_ASSERT_TRUE(holds(RS_RULE_OP_EQ, "type", str("PaymentCaptured")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "type", str("shadowed")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_PREFIX, "type", str("Payment")));
    CU_ASSERT_TRUE(holds(RS_RULE_OP_EQ, "origin_region", str("eu")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "origin_region", str("us")));
    CU_ASSERT_FALSE(holds(RS_RULE_OP_EQ, "origin_region", num(0)));
}

static void test_combinators(void) {
    rs_rule_value eu = str("eu");
    rs_rule_value big = num(1000);
    rs_rule_value us = str("us");
    setup();
    uint32_t t1 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &eu, 1);
    uint32_t t2 = rs_rules_add_comparison(rules, RS_RULE_OP_GT, "amount", &big, 1);
    uint32_t f1 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &us, 1);
    uint32_t f2 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "origin_region", &us, 1);
    uint32_t t3 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &eu, 1);
    uint32_t f3 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &us, 1);
    uint32_t and_true = rs_rules_add_combinator(rules, RS_RULE_OP_AND, (uint32_t[]){t1, t2}, 2);
    uint32_t or_false = rs_rules_add_combinator(rules, RS_RULE_OP_OR, (uint32_t[]){f1, f2}, 2);
    uint32_t and_false = rs_rules_add_combinator(rules, RS_RULE_OP_AND, (uint32_t[]){t3, f3}, 2);
    uint32_t or_true =
        rs_rules_add_combinator(rules, RS_RULE_OP_OR, (uint32_t[]){or_false, and_true}, 2);
    uint32_t not_false = rs_rules_add_combinator(rules, RS_RULE_OP_NOT, &or_true, 1);
    CU_ASSERT_TRUE(rs_condition_holds(rules, and_true, &input));
    CU_ASSERT_FALSE(rs_condition_holds(rules, or_false, &input));
    CU_ASSERT_FALSE(rs_condition_holds(rules, and_false, &input));
    CU_ASSERT_TRUE(rs_condition_holds(rules, or_true, &input));
    CU_ASSERT_FALSE(rs_condition_holds(rules, not_false, &input));
    CU_ASSERT_EQUAL(rules->conditions[not_false].height, 4);
    CU_ASSERT_EQUAL(rules->conditions[and_true].first, t1);
    CU_ASSERT_EQUAL(rules->conditions[t1].next, t2);
    CU_ASSERT_EQUAL(rules->conditions[t2].next, RS_CONDITION_NONE);
}

/* Seven nots over a comparison: the deepest allowed nesting (8 levels), odd -> negated. */
static void test_nesting_to_the_limit(void) {
    rs_rule_value eu = str("eu");
    setup();
    uint32_t node = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &eu, 1);
    for (uint32_t level = 2; level <= RS_CONDITION_DEPTH_MAX; level++) {
        node = rs_rules_add_combinator(rules, RS_RULE_OP_NOT, &node, 1);
        CU_ASSERT_EQUAL(rules->conditions[node].height, level);
        CU_ASSERT_EQUAL(rs_condition_holds(rules, node, &input), level % 2 == 1);
    }
    CU_ASSERT_EQUAL(rules->conditions[node].height, 8);
    CU_ASSERT_FALSE(rs_condition_holds(rules, node, &input));
}

/* r0 residency=eu -> 0,1; r1 amount>1000 -> 1,3,4; r2 type=Refund -> 6; r3 origin=eu -> 5,0;
 * default -> 2. */
static void build_routing(uint32_t default_count) {
    rs_rule_value eu = str("eu");
    rs_rule_value big = num(1000);
    rs_rule_value refund = str("Refund");
    setup();
    uint32_t c0 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &eu, 1);
    uint32_t c1 = rs_rules_add_comparison(rules, RS_RULE_OP_GT, "amount", &big, 1);
    uint32_t c2 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "type", &refund, 1);
    uint32_t c3 = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "origin_region", &eu, 1);
    CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "eu-residency", c0, (uint32_t[]){0, 1}, 2), 0);
    CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "big", c1, (uint32_t[]){1, 3, 4}, 3), 0);
    CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "refunds", c2, (uint32_t[]){6}, 1), 0);
    CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "from-eu", c3, (uint32_t[]){5, 0}, 2), 0);
    CU_ASSERT_EQUAL(rs_rules_set_default(rules, (uint32_t[]){2}, default_count), 0);
    CU_ASSERT_EQUAL(rules->rule_count, 4);
}

static void test_first_match_and_all_match(void) {
    build_routing(1);
    uint32_t out[RS_TARGETS_MAX];
    uint64_t first = rs_rules_match(rules, RS_RULE_MODE_FIRST_MATCH, &input);
    uint64_t all = rs_rules_match(rules, RS_RULE_MODE_ALL_MATCH, &input);
    CU_ASSERT_EQUAL(first, 0x1);
    CU_ASSERT_EQUAL(all, 0xb); /* rules 0, 1 and 3 */
    CU_ASSERT_EQUAL_FATAL(rs_rules_targets(rules, first, out), 2);
    CU_ASSERT_EQUAL(out[0], 0);
    CU_ASSERT_EQUAL(out[1], 1);
    static const uint32_t union_expected[] = {0, 1, 3, 4, 5};
    CU_ASSERT_EQUAL_FATAL(rs_rules_targets(rules, all, out), 5);
    for (uint32_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(out[i], union_expected[i]);
    }
    /* from us, not resident, small: only rule 1 fails too -> nothing matches */
    rs_attribute small[] = {{.key = "amount", .is_number = true, .number = 10}};
    rs_rule_input us = {"OrderPlaced", "us", small, 1};
    CU_ASSERT_EQUAL(rs_rules_match(rules, RS_RULE_MODE_FIRST_MATCH, &us), 0);
    CU_ASSERT_EQUAL(rs_rules_match(rules, RS_RULE_MODE_ALL_MATCH, &us), 0);
    /* a later rule wins first_match when the earlier ones fail */
    rs_rule_input refund = {"Refund", "us", small, 1};
    CU_ASSERT_EQUAL(rs_rules_match(rules, RS_RULE_MODE_FIRST_MATCH, &refund), 0x4);
    CU_ASSERT_EQUAL(rs_rules_match(rules, RS_RULE_MODE_ALL_MATCH, &refund), 0x4);
}

static void test_default_targets(void) {
    uint32_t out[RS_TARGETS_MAX];
    build_routing(1);
    CU_ASSERT_EQUAL_FATAL(rs_rules_targets(rules, 0, out), 1);
    CU_ASSERT_EQUAL(out[0], 2);
    CU_ASSERT_EQUAL(rules->default_count, 1);
    build_routing(0); /* empty default: an unmatched event has no target */
    CU_ASSERT_EQUAL(rs_rules_targets(rules, 0, out), 0);
    CU_ASSERT_EQUAL(rules->default_count, 0);
    CU_ASSERT_EQUAL(rules->target_slot_count, 8);
}

/* Every pool says "full" instead of overflowing. */
static void test_pools_refuse_overflow(void) {
    rs_rule_value eu = str("eu");
    setup();
    for (uint32_t i = 0; i < RS_CONDITIONS_MAX; i++) {
        CU_ASSERT_EQUAL_FATAL(rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "a", &eu, 1), i);
    }
    CU_ASSERT_EQUAL(rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "a", &eu, 1),
                    RS_CONDITION_NONE);
    CU_ASSERT_EQUAL(rs_rules_add_combinator(rules, RS_RULE_OP_NOT, (uint32_t[]){0}, 1),
                    RS_CONDITION_NONE);
    CU_ASSERT_EQUAL(rules->value_count, RS_CONDITIONS_MAX);
    for (uint32_t i = 0; i < RS_RULES_MAX; i++) {
        CU_ASSERT_EQUAL_FATAL(rs_rules_add_rule(rules, "r", i, (uint32_t[]){i}, 1), 0);
    }
    CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "r", RS_RULES_MAX, (uint32_t[]){0}, 1), -1);
    CU_ASSERT_EQUAL(rules->rule_count, RS_RULES_MAX);
    rs_rule_value many[RS_IN_VALUES_MAX];
    for (uint32_t i = 0; i < RS_IN_VALUES_MAX; i++) {
        many[i] = num(i);
    }
    setup();
    for (uint32_t i = 0; i < RS_RULE_VALUES_MAX / RS_IN_VALUES_MAX; i++) {
        CU_ASSERT_NOT_EQUAL(rs_rules_add_comparison(rules, RS_RULE_OP_IN, "a", many,
                                                    RS_IN_VALUES_MAX), RS_CONDITION_NONE);
    }
    CU_ASSERT_EQUAL(rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "a", &eu, 1),
                    RS_CONDITION_NONE);
    static uint32_t stores[RS_STORES_MAX];
    for (uint32_t i = 0; i < RS_STORES_MAX; i++) {
        stores[i] = i;
    }
    for (uint32_t i = 0; i < RS_RULE_TARGETS_MAX / RS_STORES_MAX; i++) {
        CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "r", i, stores, RS_STORES_MAX), 0);
    }
    CU_ASSERT_EQUAL(rs_rules_add_rule(rules, "r", 5, stores, 1), -1);
    CU_ASSERT_EQUAL(rs_rules_set_default(rules, stores, 1), -1);
    CU_ASSERT_EQUAL(rs_rules_set_default(rules, stores, 0), 0); /* nothing to store */
}

static void test_operator_names(void) {
    static const char *const names[] = {"eq", "ne", "lt", "le", "gt", "ge", "in", "prefix",
                                        "and", "or", "not"};
    CU_ASSERT_EQUAL(sizeof names / sizeof names[0], RS_RULE_OP_COUNT);
    for (int op = 0; op < RS_RULE_OP_COUNT; op++) {
        CU_ASSERT_STRING_EQUAL(rs_rule_op_name((rs_rule_op)op), names[op]);
    }
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"number comparisons", test_number_comparisons},
        {"string comparisons", test_string_comparisons},
        {"in and prefix", test_in_and_prefix},
        {"absent attribute", test_absent_attribute},
        {"number versus string", test_number_versus_string},
        {"built-in attributes", test_builtins},
        {"and, or, not", test_combinators},
        {"nesting to the limit", test_nesting_to_the_limit},
        {"first_match and all_match", test_first_match_and_all_match},
        {"default targets", test_default_targets},
        {"pools refuse overflow", test_pools_refuse_overflow},
        {"operator names", test_operator_names},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("rules", tests);
    int status = rs_test_run_all();
    free(rules);
    return status;
}
