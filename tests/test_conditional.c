/* test_conditional.c — pins the conditional strategy by driving it through the fake runtime
 * (no SimGrid) with a fixed rule set over fixed event types: each test asserts the exact
 * store_append calls (store, events, timeout) each event's attributes lead to, the splitting
 * of a mixed append by target set, the ack time and status over the union of a request's
 * targets under "all" and "quorum", rejection of unroutable appends, and the counters. */
#include <stdlib.h>
#include <string.h>

#include "strategies/conditional.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

enum { ORDER, PAYMENT, SIGNUP, REFUND, EU_PAYMENT, TYPE_COUNT };
enum { EU, US, AP };

/* Stores: eu 0..1, us 2..3, ap 4. */
static const rs_event_type types[TYPE_COUNT] = {
    [ORDER] = {"OrderPlaced", 0.2, 1, {{.key = "residency", .text = "eu"}}},
    [PAYMENT] = {"PaymentCaptured", 0.2, 1, {{.key = "amount", .is_number = true, .number = 5000}}},
    [SIGNUP] = {"UserSignedUp", 0.2, 1, {{.key = "tenant", .text = "acme"}}},
    [REFUND] = {"Refund", 0.2, 0, {{.key = ""}}},
    [EU_PAYMENT] = {"PaymentEU", 0.2, 2, {{.key = "residency", .text = "eu"},
                                          {.key = "amount", .is_number = true, .number = 2000}}},
};
static const char region_names[3][RS_NAME_MAX] = {"eu", "us", "ap"};

static rs_fake_runtime *fake;
static rs_rule_set *rules;
static const rs_strategy_ops *ops;

static rs_rule_value str(const char *text) {
    rs_rule_value value;
    memset(&value, 0, sizeof value);
    strcpy(value.text, text);
    return value;
}

/* r0 eu-residency: residency eq eu -> eu (0, 1); r1 big-payments: type prefix "Payment" and
 * amount gt 1000 -> 0, 2, 4; r2 refunds: type eq Refund -> 0; default: 0 (or none). */
static void build_rules(bool with_default) {
    rs_rule_value eu = str("eu");
    rs_rule_value payment = str("Payment");
    rs_rule_value refund = str("Refund");
    rs_rule_value thousand = {.is_number = true, .number = 1000};
    rs_rules_init(rules);
    uint32_t resident = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "residency", &eu, 1);
    uint32_t kind = rs_rules_add_comparison(rules, RS_RULE_OP_PREFIX, "type", &payment, 1);
    uint32_t big = rs_rules_add_comparison(rules, RS_RULE_OP_GT, "amount", &thousand, 1);
    uint32_t both = rs_rules_add_combinator(rules, RS_RULE_OP_AND, (uint32_t[]){kind, big}, 2);
    uint32_t refunds = rs_rules_add_comparison(rules, RS_RULE_OP_EQ, "type", &refund, 1);
    CU_ASSERT_EQUAL_FATAL(rs_rules_add_rule(rules, "eu-residency", resident,
                                            (uint32_t[]){0, 1}, 2), 0);
    CU_ASSERT_EQUAL_FATAL(rs_rules_add_rule(rules, "big-payments", both,
                                            (uint32_t[]){0, 2, 4}, 3), 0);
    CU_ASSERT_EQUAL_FATAL(rs_rules_add_rule(rules, "refunds", refunds, (uint32_t[]){0}, 1), 0);
    CU_ASSERT_EQUAL_FATAL(rs_rules_set_default(rules, (uint32_t[]){0}, with_default ? 1 : 0), 0);
}

/* Union of all targets: 0, 1, 2, 4 -> the "all" policy's write quorum is 4. */
static void *start(rs_rule_mode mode, uint32_t write_quorum, bool with_default) {
    fake = calloc(1, sizeof *fake);
    rules = calloc(1, sizeof *rules);
    CU_ASSERT_FATAL(fake != NULL && rules != NULL);
    build_rules(with_default);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_conditional_component.ops;
    double params[] = {[RS_CONDITIONAL_PARAM_MODE] = mode,
                       [RS_CONDITIONAL_PARAM_TIMEOUT_MS] = 250};
    const rs_strategy_config *base =
        rs_fake_config(&rs_conditional_component, params, 4, write_quorum);
    void *state = ops->create(rs_fake_config_with_rules(base, types, TYPE_COUNT, region_names,
                                                        3, rules), runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(rules);
    free(fake);
}

/* One append of `count` events of the given types from `origin`, ids first_id, first_id+1.. */
static void append(void *state, uint64_t request, rs_event_id first_id, const int *kinds,
                   uint32_t count, uint16_t origin) {
    rs_event events[8];
    CU_ASSERT_FATAL(count <= 8);
    for (uint32_t i = 0; i < count; i++) {
        events[i] = (rs_event){.id = first_id + i, .stream = 1, .version = i + 1,
                               .type_index = (uint16_t)kinds[i], .origin_region = origin,
                               .size_bytes = 100};
    }
    rs_event_stream stream = {count, events};
    ops->on_client_append(state, request, &stream);
}

static void expect_append(uint32_t index, uint32_t store, rs_event_id first, rs_event_id last,
                          uint32_t count) {
    CU_ASSERT_FATAL(index < fake->append_count);
    const rs_fake_append *a = &fake->appends[index];
    CU_ASSERT_EQUAL(a->store, store);
    CU_ASSERT_EQUAL(a->first_event, first);
    CU_ASSERT_EQUAL(a->last_event, last);
    CU_ASSERT_EQUAL(a->event_count, count);
    CU_ASSERT_EQUAL(a->timeout_us, 250 * MS);
}

static int64_t counter(const char *name) {
    return rs_fake_metric_get(fake, name).counter;
}

static void test_each_event_goes_to_its_rule_targets(void) {
    void *state = start(RS_RULE_MODE_FIRST_MATCH, 4, true);
    fake->now_us = 3 * MS;
    append(state, 1, 10, (int[]){ORDER}, 1, US);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    expect_append(0, 0, 10, 10, 1);
    expect_append(1, 1, 10, 10, 1);
    CU_ASSERT_EQUAL(fake->appends[1].at_us, 3 * MS);
    append(state, 2, 11, (int[]){PAYMENT}, 1, EU);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    expect_append(2, 0, 11, 11, 1);
    expect_append(3, 2, 11, 11, 1);
    expect_append(4, 4, 11, 11, 1);
    append(state, 3, 12, (int[]){SIGNUP}, 1, AP);  /* no rule: default eu/store-1 */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    expect_append(5, 0, 12, 12, 1);
    CU_ASSERT_EQUAL(counter("conditional_rule_0_events"), 1);
    CU_ASSERT_EQUAL(counter("conditional_rule_1_events"), 1);
    CU_ASSERT_EQUAL(counter("conditional_rule_2_events"), 0);
    CU_ASSERT_EQUAL(counter("conditional_default_events"), 1);
    CU_ASSERT_EQUAL(counter("conditional_unrouted"), 0);
    CU_ASSERT_EQUAL(fake->metric_count, 3);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    stop(state);
}

/* One append, four events, three target sets: one stream per set, sets in first-appearance
 * order; the client is acked when every store of the union {0, 1, 2, 4} confirmed — store 0
 * only once all three of its appends did. */
static void test_mixed_append_is_split_and_acked_over_the_union(void) {
    void *state = start(RS_RULE_MODE_FIRST_MATCH, 4, true);
    append(state, 7, 1, (int[]){ORDER, PAYMENT, ORDER, SIGNUP}, 4, EU);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 6);
    expect_append(0, 0, 1, 3, 2);   /* events 1 and 3 */
    expect_append(1, 1, 1, 3, 2);
    expect_append(2, 0, 2, 2, 1);
    expect_append(3, 2, 2, 2, 1);
    expect_append(4, 4, 2, 2, 1);
    expect_append(5, 0, 4, 4, 1);
    rs_fake_reply(fake, ops, state, 1, 10 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 3, 20 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 4, 30 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 0, 40 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 5, 50 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 2, 60 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 7);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 60 * MS);
    CU_ASSERT_EQUAL(fake->results[0][RS_OK], 3);
    CU_ASSERT_EQUAL(fake->results[4][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->last_latency_us[0], 60 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 20 * MS);
    CU_ASSERT_EQUAL(counter("conditional_rule_0_events"), 2);
    CU_ASSERT_EQUAL(counter("conditional_rule_1_events"), 1);
    CU_ASSERT_EQUAL(counter("conditional_default_events"), 1);
    stop(state);
}

/* Refund (rule 2) and UserSignedUp (default) both go to store 0 only: one stream, not two. */
static void test_events_with_the_same_target_set_travel_together(void) {
    void *state = start(RS_RULE_MODE_FIRST_MATCH, 4, true);
    append(state, 1, 20, (int[]){REFUND, SIGNUP, REFUND}, 3, US);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 1);
    expect_append(0, 0, 20, 22, 3);
    rs_fake_reply(fake, ops, state, 0, 5 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);   /* union {0}: min(4, 1) = 1 confirmation */
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 5 * MS);
    CU_ASSERT_EQUAL(counter("conditional_rule_2_events"), 2);
    CU_ASSERT_EQUAL(counter("conditional_default_events"), 1);
    stop(state);
}

/* Quorum 2: a payment (union of 3) acks at its second confirmation; a signup (union of 1)
 * needs min(2, 1) = 1. Requests interleave; tags keep them apart. */
static void test_quorum_is_capped_by_each_requests_union(void) {
    void *state = start(RS_RULE_MODE_FIRST_MATCH, 2, true);
    append(state, 1, 1, (int[]){PAYMENT}, 1, EU);   /* appends 0..2: stores 0, 2, 4 */
    append(state, 2, 2, (int[]){SIGNUP}, 1, EU);    /* append 3: store 0 */
    rs_fake_reply(fake, ops, state, 2, 8 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 3, 9 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 2);
    rs_fake_reply(fake, ops, state, 0, 12 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].client_request, 1);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[1].at_us, 12 * MS);
    rs_fake_reply(fake, ops, state, 1, 250 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->results[2][RS_ERR_TIMEOUT], 1);
    append(state, 3, 3, (int[]){SIGNUP}, 1, EU);    /* reuses a released slot */
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 5);
    rs_fake_reply(fake, ops, state, 4, 260 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 3);
    CU_ASSERT_EQUAL(fake->acks[2].client_request, 3);
    stop(state);
}

/* "all": one failed append of a store fails that store even when its other appends succeed,
 * and the request fails at once; later replies change nothing. */
static void test_one_failed_append_fails_the_store(void) {
    void *state = start(RS_RULE_MODE_FIRST_MATCH, 4, true);
    append(state, 5, 1, (int[]){ORDER, PAYMENT}, 2, EU); /* 0:s0 1:s1 | 2:s0 3:s2 4:s4 */
    rs_fake_reply(fake, ops, state, 0, 10 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 11 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 3, 12 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 4, 13 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 2, 250 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 250 * MS);
    CU_ASSERT_EQUAL(fake->results[0][RS_OK], 1);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_TIMEOUT], 1);
    stop(state);
}

/* No default targets: an append holding an event no rule matches is rejected whole, at once,
 * with nothing sent; every event is still classified in the counters. */
static void test_unroutable_append_is_rejected(void) {
    void *state = start(RS_RULE_MODE_FIRST_MATCH, 4, false);
    fake->now_us = 4 * MS;
    append(state, 8, 1, (int[]){SIGNUP}, 1, EU);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 8);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_REJECTED);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 4 * MS);
    append(state, 9, 2, (int[]){ORDER, SIGNUP, SIGNUP}, 3, EU);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_ERR_REJECTED);
    CU_ASSERT_EQUAL(counter("conditional_unrouted"), 3);
    CU_ASSERT_EQUAL(counter("conditional_rule_0_events"), 1);
    CU_ASSERT_EQUAL(counter("conditional_default_events"), 0);
    append(state, 10, 5, (int[]){ORDER}, 1, EU);         /* routable ones still go */
    CU_ASSERT_EQUAL(fake->append_count, 2);
    stop(state);
}

/* all_match: an EU-resident big payment matches rules 0 and 1 and goes to their union
 * 0, 1, 2, 4 (store 0 once); first_match sends it to rule 0's stores only. */
static void test_all_match_unions_every_matching_rule(void) {
    void *state = start(RS_RULE_MODE_ALL_MATCH, 4, true);
    append(state, 1, 30, (int[]){EU_PAYMENT}, 1, AP);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    expect_append(0, 0, 30, 30, 1);
    expect_append(1, 1, 30, 30, 1);
    expect_append(2, 2, 30, 30, 1);
    expect_append(3, 4, 30, 30, 1);
    CU_ASSERT_EQUAL(counter("conditional_rule_0_events"), 1);
    CU_ASSERT_EQUAL(counter("conditional_rule_1_events"), 1);
    for (uint32_t i = 0; i < 3; i++) {
        rs_fake_reply(fake, ops, state, i, (10 + i) * MS, RS_OK);
    }
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 3, 20 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 20 * MS);
    stop(state);
    state = start(RS_RULE_MODE_FIRST_MATCH, 4, true);
    append(state, 1, 30, (int[]){EU_PAYMENT}, 1, AP);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    expect_append(1, 1, 30, 30, 1);
    CU_ASSERT_EQUAL(counter("conditional_rule_1_events"), 0);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"each event goes to its rule's targets", test_each_event_goes_to_its_rule_targets},
        {"mixed append: split by set, ack over union",
         test_mixed_append_is_split_and_acked_over_the_union},
        {"same target set travels together",
         test_events_with_the_same_target_set_travel_together},
        {"quorum capped by each request's union", test_quorum_is_capped_by_each_requests_union},
        {"one failed append fails the store", test_one_failed_append_fails_the_store},
        {"unroutable append rejected", test_unroutable_append_is_rejected},
        {"all_match unions matching rules", test_all_match_unions_every_matching_rule},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("conditional", tests);
    return rs_test_run_all();
}
