/* test_eventual.c — pins the eventual-consistency checker (strategies/eventual.c) through the
 * fake runtime: when a check runs and what it asks, which streams it reads (digests that
 * differ), what it re-appends and to whom (events another target holds, older than the grace
 * time), what it counts, and how it pages, skips and sits targets out. Store answers are
 * handed to the checker's callbacks directly, with exact times. */
#include <stdlib.h>
#include <string.h>

#include "strategies/eventual.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;

static void *start(double compensation) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_eventual_component.ops;
    static double params[RS_PARAMS_MAX];
    params[RS_EVENTUAL_PARAM_WRITE_QUORUM] = 1;
    params[RS_EVENTUAL_PARAM_INTERVAL_MS] = 1000;
    params[RS_EVENTUAL_PARAM_GRACE_MS] = 500;
    params[RS_EVENTUAL_PARAM_QUERY_TIMEOUT_MS] = 200;
    params[RS_EVENTUAL_PARAM_STREAMS_PER_CHECK] = 16;
    params[RS_EVENTUAL_PARAM_REPAIR] = compensation;
    void *state = ops->create(rs_fake_config(&rs_eventual_component, params, 3, 1), runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

static rs_event event_at(rs_event_id id, uint32_t version, int64_t created_us) {
    return (rs_event){.id = id, .stream = 5, .version = version, .size_bytes = 100,
                      .created_us = created_us};
}

/* Answers query `q` (a digest) with one entry for stream 5, or none when count is 0. */
static void digest_reply(void *state, uint32_t q, uint32_t count, uint64_t digest) {
    CU_ASSERT_FATAL(q < fake->query_count && !fake->queries[q].read);
    rs_stream_digest entry = {.stream = 5, .digest = digest, .count = count};
    ops->on_store_digest(state, fake->queries[q].tag, fake->queries[q].store, RS_OK, &entry,
                         count > 0 ? 1 : 0);
}

static void read_reply(void *state, uint32_t q, rs_event *events, uint32_t count) {
    CU_ASSERT_FATAL(q < fake->query_count && fake->queries[q].read);
    CU_ASSERT_EQUAL(fake->queries[q].stream, 5);
    rs_event_stream stream = {count, events};
    ops->on_store_read(state, fake->queries[q].tag, fake->queries[q].store, RS_OK, &stream);
}

/* Stores 0 and 1 hold events 1 and 2 of stream 5, store 2 only event 1; event 2 was created
 * at `created_us`. Runs one check at 1000 ms up to the reads' answers. */
static void check_with_store_2_lacking(void *state, int64_t created_us) {
    rs_fake_advance(fake, ops, state, 1000 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->query_count, 3);
    for (uint32_t q = 0; q < 3; q++) {
        CU_ASSERT_EQUAL(fake->queries[q].store, q);
        CU_ASSERT_EQUAL(fake->queries[q].stream, 0);
        CU_ASSERT_EQUAL(fake->queries[q].timeout_us, 200 * MS);
    }
    digest_reply(state, 0, 2, 77);
    digest_reply(state, 1, 2, 77);
    CU_ASSERT_EQUAL(fake->query_count, 3);          /* waits for every target */
    digest_reply(state, 2, 1, 55);
    CU_ASSERT_EQUAL_FATAL(fake->query_count, 6);    /* stream 5 read from all three */
    rs_event both[2] = {event_at(1, 1, 0), event_at(2, 2, created_us)};
    read_reply(state, 3, both, 2);
    read_reply(state, 4, both, 2);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    read_reply(state, 5, both, 1);
}

static void test_repairs_what_another_target_holds(void) {
    void *state = start(1);
    CU_ASSERT_EQUAL(fake->query_count, 0);
    check_with_store_2_lacking(state, 100 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 1);
    CU_ASSERT_EQUAL(fake->appends[0].store, 2);
    CU_ASSERT_EQUAL(fake->appends[0].first_event, 2);
    CU_ASSERT_EQUAL(fake->appends[0].event_count, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_divergent_streams").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_missing_replicas").counter, 1);
    rs_fake_reply(fake, ops, state, 0, 1100 * MS, RS_OK);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_repaired_replicas").counter, 1);
    rs_fake_metric delay = rs_fake_metric_get(fake, "divergence_to_repair_us");
    CU_ASSERT_EQUAL(delay.observations, 1);
    CU_ASSERT_EQUAL(delay.last_observation, 1000 * MS); /* created 100 ms, repaired 1100 ms */
    rs_fake_advance(fake, ops, state, 2000 * MS);       /* the next check */
    CU_ASSERT_EQUAL(fake->query_count, 9);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_checks").counter, 2);
    stop(state);
}

/* Revert: event 2, which store 2 lacks, is cancelled everywhere — one compensating event
 * (compensates = 2, the same stream and version) appended to all three stores; nothing is
 * re-appended. A later check that finds the compensation on every store and event 2 on two of
 * them has nothing left to do: the event is settled. */
static void test_revert_cancels_what_a_target_lacks(void) {
    void *state = start(2);
    check_with_store_2_lacking(state, 100 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->compensation_count, 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    for (uint32_t a = 0; a < 3; a++) {
        CU_ASSERT_EQUAL(fake->appends[a].store, a);
        CU_ASSERT_EQUAL(fake->appends[a].first_event, 1000001);
        CU_ASSERT_EQUAL(fake->appends[a].event_count, 1);
    }
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_reverted_events").counter, 1);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_missing_replicas").counter, 1);
    for (uint32_t a = 0; a < 3; a++) {
        rs_fake_reply(fake, ops, state, a, 1100 * MS, RS_OK);
    }
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_compensations_stored").counter, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "divergence_to_revert_us").last_observation,
                    1000 * MS);
    rs_fake_advance(fake, ops, state, 2000 * MS);        /* the next check */
    CU_ASSERT_EQUAL_FATAL(fake->query_count, 9);
    for (uint32_t q = 6; q < 9; q++) {
        digest_reply(state, q, q == 8 ? 2 : 3, q == 8 ? 56 : 78);
    }
    CU_ASSERT_EQUAL_FATAL(fake->query_count, 12);
    rs_event compensation = {.id = 1000001, .stream = 5, .version = 2, .compensates = 2,
                             .created_us = 1000 * MS};
    rs_event full[3] = {event_at(1, 1, 0), event_at(2, 2, 100 * MS), compensation};
    rs_event partial[2] = {event_at(1, 1, 0), compensation};
    read_reply(state, 9, full, 3);
    read_reply(state, 10, full, 3);
    read_reply(state, 11, partial, 2);
    CU_ASSERT_EQUAL(fake->append_count, 3);              /* nothing more */
    CU_ASSERT_EQUAL(fake->compensation_count, 1);
    stop(state);
}

static void test_young_events_are_in_flight_not_missing(void) {
    void *state = start(1);
    check_with_store_2_lacking(state, 600 * MS);        /* 400 ms old < 500 ms grace */
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_missing_replicas").counter, 0);
    stop(state);
}

static void test_compensation_off_detects_without_repair(void) {
    void *state = start(0);
    check_with_store_2_lacking(state, 100 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_missing_replicas").counter, 1);
    stop(state);
}

static void test_agreeing_digests_read_nothing(void) {
    void *state = start(1);
    rs_fake_advance(fake, ops, state, 1000 * MS);
    for (uint32_t q = 0; q < 3; q++) {
        digest_reply(state, q, 2, 77);
    }
    CU_ASSERT_EQUAL(fake->query_count, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_divergent_streams").counter, 0);
    stop(state);
}

/* A target whose digests time out sits the check out: the other two agree, nothing is read;
 * and a check still running when the next is due lets it pass. */
static void test_failed_target_sits_out_and_busy_check_skips(void) {
    void *state = start(1);
    rs_fake_advance(fake, ops, state, 1000 * MS);
    digest_reply(state, 0, 2, 77);
    rs_fake_advance(fake, ops, state, 2000 * MS);       /* still waiting for 1 and 2 */
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_checks_skipped").counter, 1);
    CU_ASSERT_EQUAL(fake->query_count, 3);
    digest_reply(state, 1, 2, 77);
    ops->on_store_digest(state, fake->queries[2].tag, 2, RS_ERR_TIMEOUT, NULL, 0);
    CU_ASSERT_EQUAL(fake->query_count, 3);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "eventual_divergent_streams").counter, 0);
    rs_fake_advance(fake, ops, state, 3000 * MS);       /* free again: a new check */
    CU_ASSERT_EQUAL(fake->query_count, 6);
    stop(state);
}

/* A full page of digests is followed by a request for the next page, from the next stream. */
static void test_digest_pages(void) {
    void *state = start(1);
    rs_fake_advance(fake, ops, state, 1000 * MS);
    static rs_stream_digest page[RS_DIGESTS_PER_REPLY];
    for (uint32_t i = 0; i < RS_DIGESTS_PER_REPLY; i++) {
        page[i] = (rs_stream_digest){.stream = 10 + i, .digest = i, .count = 1};
    }
    ops->on_store_digest(state, fake->queries[0].tag, 0, RS_OK, page, RS_DIGESTS_PER_REPLY);
    CU_ASSERT_EQUAL_FATAL(fake->query_count, 4);
    CU_ASSERT_EQUAL(fake->queries[3].store, 0);
    CU_ASSERT_EQUAL(fake->queries[3].stream, 10 + RS_DIGESTS_PER_REPLY);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"repairs what another target holds", test_repairs_what_another_target_holds},
        {"revert cancels what a target lacks", test_revert_cancels_what_a_target_lacks},
        {"young events are in flight", test_young_events_are_in_flight_not_missing},
        {"compensation off: detect only", test_compensation_off_detects_without_repair},
        {"agreeing digests read nothing", test_agreeing_digests_read_nothing},
        {"failed target sits out; busy check skips",
         test_failed_target_sits_out_and_busy_check_skips},
        {"digest pages", test_digest_pages},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("eventual", tests);
    return rs_test_run_all();
}
