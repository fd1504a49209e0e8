/* test_quorum_read.c — pins the read coordinator (strategies/quorum_read.c) through the fake
 * runtime: a read asks every target for the stream's latest event, answers as soon as R
 * replied with the highest version among those R replies (later replies change nothing), and
 * fails with quorum_not_reached as soon as R replies can no longer come. */
#include <stdlib.h>

#include "strategies/quorum_read.h"
#include "strategies/star.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;

static void *start(uint32_t read_quorum) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    /* any component's config will do: the coordinator reads targets and write_quorum (= R) */
    void *state = rs_quorum_read_ops.create(rs_fake_config(&rs_star_component, NULL, 3,
                                                           read_quorum), runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    rs_quorum_read_ops.destroy(state);
    free(fake);
}

static void reply(void *state, uint32_t q, int64_t at_us, rs_status status, uint32_t version) {
    CU_ASSERT_FATAL(q < fake->query_count);
    fake->now_us = at_us;
    rs_event latest = {.id = 100 + version, .stream = 9, .version = version};
    rs_event_stream events = {version > 0 ? 1 : 0, &latest};
    rs_quorum_read_ops.on_store_read(state, fake->queries[q].tag, fake->queries[q].store, status,
                                     &events);
}

static void test_r2_answers_at_second_reply_with_highest_version(void) {
    void *state = start(2);
    rs_quorum_read_ops.on_client_read(state, 31, 9);
    CU_ASSERT_EQUAL_FATAL(fake->query_count, 3);
    for (uint32_t q = 0; q < 3; q++) {
        CU_ASSERT_TRUE(fake->queries[q].read);
        CU_ASSERT_EQUAL(fake->queries[q].store, q);
        CU_ASSERT_EQUAL(fake->queries[q].stream, 9);
        CU_ASSERT_EQUAL(fake->queries[q].from_version, RS_READ_LATEST);
    }
    reply(state, 1, 10 * MS, RS_OK, 4);
    CU_ASSERT_EQUAL(fake->read_ack_count, 0);
    reply(state, 0, 30 * MS, RS_OK, 3);
    CU_ASSERT_EQUAL_FATAL(fake->read_ack_count, 1);
    CU_ASSERT_EQUAL(fake->read_acks[0].read_request, 31);
    CU_ASSERT_EQUAL(fake->read_acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->read_acks[0].version, 4);
    CU_ASSERT_EQUAL(fake->read_acks[0].at_us, 30 * MS);
    reply(state, 2, 50 * MS, RS_OK, 7);                /* too late to matter */
    CU_ASSERT_EQUAL(fake->read_ack_count, 1);
    stop(state);
}

static void test_r2_fails_once_impossible(void) {
    void *state = start(2);
    rs_quorum_read_ops.on_client_read(state, 5, 9);
    reply(state, 0, 10 * MS, RS_ERR_TIMEOUT, 0);
    CU_ASSERT_EQUAL(fake->read_ack_count, 0);
    reply(state, 2, 20 * MS, RS_ERR_STORE, 0);
    CU_ASSERT_EQUAL_FATAL(fake->read_ack_count, 1);
    CU_ASSERT_EQUAL(fake->read_acks[0].status, RS_ERR_QUORUM);
    reply(state, 1, 30 * MS, RS_OK, 2);
    CU_ASSERT_EQUAL(fake->read_ack_count, 1);
    rs_quorum_read_ops.on_client_read(state, 6, 9);     /* the slot was given back */
    CU_ASSERT_EQUAL(fake->query_count, 6);
    stop(state);
}

static void test_r1_empty_stream_answers_version_zero(void) {
    void *state = start(1);
    rs_quorum_read_ops.on_client_read(state, 8, 9);
    reply(state, 2, 1 * MS, RS_OK, 0);
    CU_ASSERT_EQUAL_FATAL(fake->read_ack_count, 1);
    CU_ASSERT_EQUAL(fake->read_acks[0].status, RS_OK);
    CU_ASSERT_EQUAL(fake->read_acks[0].version, 0);
    stop(state);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"R=2: answer at the second reply, highest version",
         test_r2_answers_at_second_reply_with_highest_version},
        {"R=2: fail once impossible", test_r2_fails_once_impossible},
        {"R=1: an empty stream answers version 0", test_r1_empty_stream_answers_version_zero},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("quorum reads", tests);
    return rs_test_run_all();
}
