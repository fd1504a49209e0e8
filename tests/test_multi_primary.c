/* test_multi_primary.c — pins the multi-primary strategy (strategies/multi_primary.c) through
 * the fake runtime: versions come from the manager's own view of a shared stream (its writes
 * and what its peers sent), each write goes to every target and to the peers with the
 * manager's hybrid logical clock, the client is acked by the write quorum, and a peer's event
 * at a version already known under another event is a conflict resolved by the policy — last
 * writer by clock, region priority, or both kept in clock order — reported once per manager
 * that sees it, and deciding what the version means afterwards. */
#include <stdlib.h>
#include <string.h>

#include "strategies/multi_primary.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;

static void *start(int conflict) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_multi_primary_component.ops;
    static double params[RS_PARAMS_MAX];
    params[RS_MULTI_PRIMARY_PARAM_TIMEOUT_MS] = 500;
    params[RS_MULTI_PRIMARY_PARAM_CONFLICT] = conflict;
    void *state = ops->create(rs_fake_config(&rs_multi_primary_component, params, 2, 1), runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

/* A client write of one event (id) on stream 7 from region 0, at the fake clock. */
static void write_one(void *state, rs_event_id id, uint64_t request) {
    rs_event event = {.id = id, .stream = 7, .version = 0, .origin_region = 0, .size_bytes = 100};
    rs_event_stream stream = {1, &event};
    ops->on_client_append(state, request, &stream);
}

static void peer_sends(void *state, rs_event_id id, uint32_t version, int64_t hlc_us,
                       uint16_t region) {
    rs_event event = {.id = id, .stream = 7, .version = version, .origin_region = region,
                      .size_bytes = 100, .hlc_us = hlc_us};
    rs_event_stream stream = {1, &event};
    ops->on_peer_events(state, 1, &stream);
}

static void test_versions_follow_own_writes_and_peers(void) {
    void *state = start(RS_CONFLICT_LWW);
    fake->now_us = 10 * MS;
    write_one(state, 1, 100);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);               /* every target */
    CU_ASSERT_EQUAL_FATAL(fake->peer_event_count, 1);           /* and the peers */
    CU_ASSERT_EQUAL(fake->peer_events[0].version, 1);
    CU_ASSERT_EQUAL(fake->peer_events[0].hlc_us, 10 * MS);
    write_one(state, 2, 101);                                   /* same instant */
    CU_ASSERT_EQUAL(fake->peer_events[1].version, 2);
    CU_ASSERT_EQUAL(fake->peer_events[1].hlc_us, 10 * MS + 1);  /* the clock never repeats */
    peer_sends(state, 50, 5, 90 * MS, 1);                       /* a peer is ahead */
    fake->now_us = 20 * MS;
    write_one(state, 3, 102);
    CU_ASSERT_EQUAL(fake->peer_events[2].version, 6);
    CU_ASSERT_EQUAL(fake->peer_events[2].hlc_us, 90 * MS + 1);  /* it learnt the peer's clock */
    CU_ASSERT_EQUAL(fake->conflict_count, 0);
    rs_fake_reply(fake, ops, state, 0, 21 * MS, RS_OK);          /* write quorum 1 */
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 100);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    stop(state);
}

/* Local event 1 took version 1 at hlc 10 ms; a peer's event 9 at version 1 arrives. */
static void conflict_case(int policy, int64_t peer_hlc_us, uint16_t peer_region,
                          rs_event_id expected_winner, const char *expected_resolution) {
    void *state = start(policy);
    fake->now_us = 10 * MS;
    write_one(state, 1, 100);
    peer_sends(state, 9, 1, peer_hlc_us, peer_region);
    CU_ASSERT_EQUAL_FATAL(fake->conflict_count, 1);
    CU_ASSERT_EQUAL(fake->conflicts[0].winner.id, expected_winner);
    CU_ASSERT_EQUAL(fake->conflicts[0].loser.id, expected_winner == 1 ? 9 : 1);
    CU_ASSERT_EQUAL(fake->conflicts[0].winner.version, 1);
    CU_ASSERT_STRING_EQUAL(fake->conflicts[0].resolution, expected_resolution);
    peer_sends(state, 9, 1, peer_hlc_us, peer_region);          /* the same event again */
    peer_sends(state, expected_winner, 1, 0, 0);                /* the winner: known */
    CU_ASSERT_EQUAL(fake->conflict_count, 1);
    write_one(state, 2, 101);                                   /* version 1 is taken */
    CU_ASSERT_EQUAL(fake->peer_events[1].version, 2);
    stop(state);
}

static void test_lww_keeps_the_later_clock(void) {
    conflict_case(RS_CONFLICT_LWW, 12 * MS, 1, 9, "lww");       /* peer later: it wins */
    conflict_case(RS_CONFLICT_LWW, 8 * MS, 1, 1, "lww");        /* peer earlier: it loses */
    conflict_case(RS_CONFLICT_LWW, 10 * MS, 1, 9, "lww");       /* tie: higher region */
}

static void test_region_priority_ignores_clocks(void) {
    conflict_case(RS_CONFLICT_REGION_PRIORITY, 12 * MS, 1, 1, "region_priority");
    /* the peer from region 0 too: the clock breaks the tie, earlier first */
    conflict_case(RS_CONFLICT_REGION_PRIORITY, 8 * MS, 0, 9, "region_priority");
}

static void test_keep_both_puts_the_earlier_first(void) {
    conflict_case(RS_CONFLICT_KEEP_BOTH, 12 * MS, 1, 1, "keep_both");
    conflict_case(RS_CONFLICT_KEEP_BOTH, 8 * MS, 1, 9, "keep_both");
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"versions follow own writes and peers", test_versions_follow_own_writes_and_peers},
        {"lww keeps the later clock", test_lww_keeps_the_later_clock},
        {"region priority ignores clocks", test_region_priority_ignores_clocks},
        {"keep both: earlier first", test_keep_both_puts_the_earlier_first},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("multi_primary", tests);
    return rs_test_run_all();
}
