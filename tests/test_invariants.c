/* test_invariants.c — each invariant checker flags exactly the violations planted in a
 * hand-built history, and nothing in a clean one: durability (an acked event left on too few
 * stores), no_duplicates (a store listing an event twice), stream_order (a store holding
 * version 2 before version 1), integrity (an append stored with another checksum) and
 * quorum_honesty (an ok ack before enough confirmations were received). Method: a small
 * scenario struct and history filled by hand, judged by rs_check_history. */
#include <stdlib.h>
#include <string.h>

#include "checks/invariants.h"
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
                .store = s, .event = e, .version = e, .checksum = 100 + e,
                .time_us = e * 10 * MS + 2 * MS});
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
        CU_ASSERT_TRUE(result.checked[i]);
        CU_ASSERT_EQUAL(result.violations[i], 0);
    }
    release();
}

static void test_each_planted_violation_is_flagged_by_its_invariant(void) {
    clean_fixture();
    history.appends[1].checksum = 999;           /* integrity: store 1 stored event 1 wrongly */
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
        history.appends[a].checksum = 1;
    }
    finish((const rs_event_id[]){1, 2}, 2, (const rs_event_id[]){1, 2}, 2);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_INTEGRITY], 4);
    CU_ASSERT_EQUAL(result.listed[RS_INV_INTEGRITY], 4);
    release();
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"clean history violates nothing", test_clean_history_violates_nothing},
        {"each planted violation flagged by its invariant",
         test_each_planted_violation_is_flagged_by_its_invariant},
        {"violations counted beyond the listed examples",
         test_violations_are_counted_beyond_the_listed_examples},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("invariants", tests);
    return rs_test_run_all();
}
