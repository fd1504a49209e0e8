/* test_invariants.c — each invariant checker flags exactly the violations planted in a
 * hand-built history, and nothing in a clean one: durability (an acked event left on too few
 * stores), no_duplicates (a store listing an event twice), stream_order (a store holding
 * version 2 before version 1), integrity (an append stored with another checksum),
 * quorum_honesty (an ok ack before enough confirmations were received), routing (an append on
 * a store the targets, the re-evaluated rules or residency do not allow; with rules, an ok
 * event missing from its own targets) and cascade_chain (hop 2 appending before hop 1 confirmed). Method: a
 * small scenario struct and history filled by hand, judged by rs_check_history. */
#include <stdlib.h>
#include <string.h>

#include "checks/invariants.h"
#include "strategies/cascade.h"
#include "strategies/geographic.h"
#include "strategies/rules.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_scenario *scenario;
static rs_history history;

/* Two stores, both targets, write quorum 2; two ok events of one stream, each appended and
 * confirmed by both stores before its ack, and held by both at the end. */
static void clean_fixture(void) {
    scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_FATAL(scenario != NULL);
    scenario->region_count = 1;
    scenario->regions[0] = (rs_region_spec){.name = "eu", .stores = 2, .managers = 1, .clients = 1};
    scenario->store_count = 2;
    scenario->target_count = 2;
    scenario->targets[0] = 0;
    scenario->targets[1] = 1;
    scenario->write_quorum = 2;
    CU_ASSERT_EQUAL_FATAL(rs_history_init(&history, 2), 0);
    for (uint32_t e = 1; e <= 2; e++) {
        rs_history_add_event(&history, &(rs_history_event){
            .stream = 7, .version = e, .checksum = 100 + e, .request_index = e - 1});
        rs_history_add_request(&history, &(rs_history_request){
            .first_event = e, .event_count = 1, .status = RS_OK, .invoke_us = e * 10 * MS,
            .manager_arrival_us = e * 10 * MS, .manager_ack_us = e * 10 * MS + 9 * MS,
            .client_ack_us = e * 10 * MS + 10 * MS});
        for (uint32_t s = 0; s < 2; s++) {
            rs_history_add_append(&history, &(rs_history_append){
                .store = (uint16_t)s, .event = e, .time_us = e * 10 * MS + 2 * MS}, e, 100 + e);
            rs_history_add_receipt(&history, &(rs_history_receipt){
                .store = s, .event = e, .time_us = e * 10 * MS + 5 * MS});
        }
    }
    history.end_us = 100 * MS;
}

static void finish(const rs_event_id *store0, size_t count0, const rs_event_id *store1,
                   size_t count1) {
    rs_history_set_final(&history, 0, store0, count0);
    rs_history_set_final(&history, 1, store1, count1);
}

static void release(void) {
    rs_history_free(&history);
    free(scenario);
}

static void test_clean_history_violates_nothing(void) {
    clean_fixture();
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 0);
    for (int i = 0; i < RS_INV_COUNT; i++) {
        CU_ASSERT_EQUAL(result.violations[i], 0);
    }
    for (int i = 0; i <= RS_INV_CASCADE_CHAIN; i++) { /* the later ones have their own tests */
        CU_ASSERT_EQUAL(result.checked[i], i != RS_INV_CASCADE_CHAIN); /* not a cascade */
    }
    CU_ASSERT_STRING_EQUAL(result.skipped_because[RS_INV_CASCADE_CHAIN], "not a cascade");
    release();
}

static void test_each_planted_violation_is_flagged_by_its_invariant(void) {
    clean_fixture();
    rs_history_set_append_checksum(&history, 1, 999); /* integrity: store 1 stored event 1
                                                         wrongly */
    history.receipts[3].time_us = 40 * MS;       /* honesty: event 2 acked at 29 ms with one
                                                    confirmation received */
    finish((const rs_event_id[]){2, 1, 2}, 3,    /* order: v2 before v1; duplicates: 2 twice */
           (const rs_event_id[]){1}, 1);         /* durability: event 2 only on store 0 */
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 5);
    CU_ASSERT_EQUAL(result.violations[RS_INV_DURABILITY], 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_DURABILITY][0].event, 2);
    CU_ASSERT_EQUAL(result.violations[RS_INV_NO_DUPLICATES], 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_NO_DUPLICATES][0].store, 0);
    CU_ASSERT_EQUAL(result.violations[RS_INV_STREAM_ORDER], 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_STREAM_ORDER][0].version, 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_INTEGRITY], 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_INTEGRITY][0].store, 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_QUORUM_HONESTY], 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_QUORUM_HONESTY][0].event, 2);
    /* a tolerated invariant is still counted but no longer fails the verdict */
    scenario->expect.tolerated[RS_INV_STREAM_ORDER] = true;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 4);
    CU_ASSERT_EQUAL(result.violations[RS_INV_STREAM_ORDER], 1);
    release();
}

/* Violations are all counted, only the first RS_CHECK_LISTED_MAX listed. */
static void test_violations_are_counted_beyond_the_listed_examples(void) {
    clean_fixture();
    for (size_t a = 0; a < history.append_count; a++) {
        rs_history_set_append_checksum(&history, a, 1);
    }
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_INTEGRITY], 4);
    CU_ASSERT_EQUAL(result.listed[RS_INV_INTEGRITY], 4);
    release();
}

/* Targets {store 0}, quorum 1: both events' appends on store 1 are off their routing. */
static void test_routing_flags_appends_off_the_targets(void) {
    clean_fixture();
    scenario->target_count = 1;
    scenario->write_quorum = 1;
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_ROUTING], 2);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][0].event, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][0].store, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][0].time_us, 12 * MS);
    CU_ASSERT_EQUAL(result.violations[RS_INV_DURABILITY], 0);
    release();
}

/* Rules, first match: type A -> store 0, anything else -> the default, store 1. Event 1 is
 * an A, event 2 a B; the fixture appends both on both stores. */
static void rules_fixture(void) {
    clean_fixture();
    scenario->type_count = 2;
    snprintf(scenario->types[0].name, sizeof scenario->types[0].name, "A");
    snprintf(scenario->types[1].name, sizeof scenario->types[1].name, "B");
    snprintf(scenario->region_names[0], sizeof scenario->region_names[0], "eu");
    history.events[1].type_index = 1;
    rs_rules_init(&scenario->rules);
    rs_rule_value a = {.is_number = false, .text = "A"};
    uint32_t condition = rs_rules_add_comparison(&scenario->rules, RS_RULE_OP_EQ, "type", &a, 1);
    CU_ASSERT_FATAL(condition != RS_CONDITION_NONE);
    CU_ASSERT_EQUAL_FATAL(rs_rules_add_rule(&scenario->rules, "a-to-0", condition,
                                            (const uint32_t[]){0}, 1), 0);
    CU_ASSERT_EQUAL_FATAL(rs_rules_set_default(&scenario->rules, (const uint32_t[]){1}, 1), 0);
    scenario->strategy_params[0] = 0; /* first_match */
}

static void test_routing_re_evaluates_the_rules(void) {
    rules_fixture();
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_ROUTING], 2); /* 1 on store 1, 2 on store 0 */
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][0].event, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][0].store, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][1].event, 2);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][1].store, 0);
    CU_ASSERT_FALSE(result.checked[RS_INV_DURABILITY]); /* per-event targets: routing judges */
    release();
}

/* Each ok event must end on min(write_quorum 2, its 1 target) = 1 of its own targets. */
static void test_routing_flags_an_ok_event_missing_from_its_rule_targets(void) {
    rules_fixture();
    finish((const rs_event_id[]){2}, 1, (const rs_event_id[]){1}, 1); /* each on the wrong one */
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_ROUTING], 2 + 2);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][2].event, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][2].store, -1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][2].time_us, 19 * MS); /* its ack */
    CU_ASSERT_STRING_EQUAL(result.examples[RS_INV_ROUTING][2].detail,
                           "acknowledged, but on 0 of the 1 stores its rules promised at the end");
    release();
}

/* Residency: store 0 in eu, store 1 in us; events of type Order (residency eu) may only be
 * written in eu, so both events' appends on store 1 are flagged. */
static void test_routing_applies_residency(void) {
    clean_fixture();
    scenario->region_count = 2;
    scenario->regions[0] = (rs_region_spec){.name = "eu", .stores = 1, .managers = 1,
                                            .clients = 1, .first_store = 0};
    scenario->regions[1] = (rs_region_spec){.name = "us", .stores = 1, .first_store = 1};
    snprintf(scenario->region_names[0], sizeof scenario->region_names[0], "eu");
    snprintf(scenario->region_names[1], sizeof scenario->region_names[1], "us");
    scenario->type_count = 1;
    rs_event_type *order = &scenario->types[0];
    snprintf(order->name, sizeof order->name, "Order");
    order->attribute_count = 1;
    snprintf(order->attributes[0].key, sizeof order->attributes[0].key, "residency");
    snprintf(order->attributes[0].text, sizeof order->attributes[0].text, "eu");
    scenario->residency.rule_count = 1;
    scenario->residency.rules[0] = (rs_residency_rule){.attribute = "residency", .equals = "eu",
                                                       .regions = 1}; /* eu only */
    scenario->write_quorum = 1;
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    rs_check_history(scenario, &history, &result);
    CU_ASSERT_EQUAL(result.violations[RS_INV_ROUTING], 2);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][0].store, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_ROUTING][1].event, 2);
    scenario->residency.rules[0].regions = 3; /* eu and us: nothing left to flag */
    rs_check_history(scenario, &history, &result);
    CU_ASSERT_EQUAL(result.violations[RS_INV_ROUTING], 0);
    release();
}

/* A cascade store 0 -> store 1: hop 2 appends at +6 ms, after hop 1's ok reply at +5 ms. */
static void test_cascade_chain_flags_a_hop_written_before_the_previous_confirmed(void) {
    clean_fixture();
    scenario->strategy = &rs_cascade_component;
    for (size_t e = 0; e < 2; e++) {
        history.appends[2 * e + 1].time_us += 4 * MS;  /* store 1 appends at +6 ms */
        history.receipts[2 * e + 1].time_us += 2 * MS; /* and confirms at +7 ms */
    }
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 0);
    CU_ASSERT_TRUE(result.checked[RS_INV_CASCADE_CHAIN]);
    CU_ASSERT_EQUAL(result.violations[RS_INV_CASCADE_CHAIN], 0);
    history.appends[1].time_us = 14 * MS; /* event 1 on hop 2 before hop 1's reply (15 ms) */
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_CASCADE_CHAIN], 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_CASCADE_CHAIN][0].event, 1);
    CU_ASSERT_EQUAL(result.examples[RS_INV_CASCADE_CHAIN][0].store, 1);
    CU_ASSERT_STRING_EQUAL(result.examples[RS_INV_CASCADE_CHAIN][0].detail,
                           "appended on hop 2 before hop 1 had confirmed it");
    release();
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"clean history violates nothing", test_clean_history_violates_nothing},
        {"each planted violation flagged by its invariant",
         test_each_planted_violation_is_flagged_by_its_invariant},
        {"violations counted beyond the listed examples",
         test_violations_are_counted_beyond_the_listed_examples},
        {"routing flags appends off the targets", test_routing_flags_appends_off_the_targets},
        {"routing re-evaluates the rules", test_routing_re_evaluates_the_rules},
        {"routing flags an ok event missing from its rule targets",
         test_routing_flags_an_ok_event_missing_from_its_rule_targets},
        {"routing applies residency", test_routing_applies_residency},
        {"cascade_chain flags a hop written before the previous confirmed",
         test_cascade_chain_flags_a_hop_written_before_the_previous_confirmed},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("invariants", tests);
    return rs_test_run_all();
}
