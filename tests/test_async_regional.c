/* test_async_regional.c — pins async_queue with primary "local_region" (star within the
 * manager's region, queued async copies to the other regions) and the promise the checkers
 * judge for it. Method: the strategy is driven through the fake runtime (no SimGrid) over two
 * regions of two stores each, with fixed reply times, asserting the exact ack (status and
 * time), the exact store and time of every append and the replication lags; the checker is
 * given a hand-built two-region history whose ack came after one local confirmation of two, and
 * must flag it under local_region and accept it under "first"; end to end, the bundled
 * scenarios/regional-async.json passes with the real strategy, and replsim_planted's async
 * early ack (tests/planted/planted.c) run on it is flagged by quorum_honesty on every request. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/invariants.h"
#include "strategies/async_queue.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;
static double params[RS_ASYNC_QUEUE_PARAM_COUNT];

/* Stores 0, 1 in region 0 and 2, 3 in region 1; the targets list a remote store first, so
 * the primaries are chosen by region, not by position. Region 2 has no store. */
static const uint32_t targets[] = {2, 0, 3, 1};
static const uint32_t store_region[] = {0, 0, 1, 1};
static rs_strategy_config config;

/* --- set-up ------------------------------------------------------------------------------- */

static void params_default(void) {
    for (size_t i = 0; i < RS_ASYNC_QUEUE_PARAM_COUNT; i++) {
        params[i] = rs_async_queue_component.params[i].default_value;
    }
    params[RS_ASYNC_QUEUE_PARAM_PRIMARY] = RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION;
}

/* An instance hosted by a manager of `manager_region`. */
static void *start(uint32_t manager_region) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    config = (rs_strategy_config){.params = params, .targets = targets, .target_count = 4,
                                  .write_quorum = 1, .manager_region = manager_region,
                                  .store_count = 4, .store_region = store_region,
                                  .region_count = 3};
    ops = rs_async_queue_component.ops;
    void *state = ops->create(&config, runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
    params_default();
}

/* Client request `client_request` appends one event whose id is 1000 + client_request. */
static void append_one(void *state, uint64_t client_request) {
    rs_event event = {.id = 1000 + client_request, .stream = 1, .version = 1, .size_bytes = 512};
    rs_event_stream stream = {1, &event};
    ops->on_client_append(state, client_request, &stream);
}

static void check_append(uint32_t index, uint32_t store, int64_t at_us, uint64_t request) {
    CU_ASSERT_FATAL(index < fake->append_count);
    CU_ASSERT_EQUAL(fake->appends[index].store, store);
    CU_ASSERT_EQUAL(fake->appends[index].at_us, at_us);
    CU_ASSERT_EQUAL(fake->appends[index].first_event, 1000 + request);
}

static void check_ack(uint32_t index, uint64_t request, rs_status status, int64_t at_us) {
    CU_ASSERT_FATAL(index < fake->ack_count);
    CU_ASSERT_EQUAL(fake->acks[index].client_request, request);
    CU_ASSERT_EQUAL(fake->acks[index].status, status);
    CU_ASSERT_EQUAL(fake->acks[index].at_us, at_us);
}

/* --- the strategy ------------------------------------------------------------------------- */

/* Region 0's manager writes stores 0 and 1 at once; one confirmation is not enough, the second
 * acks; then exactly the two remote stores get one job each, lag measured from that ack. */
static void test_ack_when_both_local_stores_confirm(void) {
    void *state = start(0);
    fake->now_us = 5 * MS;
    append_one(state, 7);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_append(0, 0, 5 * MS, 7);
    check_append(1, 1, 5 * MS, 7);
    rs_fake_reply(fake, ops, state, 1, 7 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    rs_fake_reply(fake, ops, state, 0, 9 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    check_ack(0, 7, RS_OK, 9 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[1], 2 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[0], 4 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(2, 2, 9 * MS, 7);
    check_append(3, 3, 9 * MS, 7);
    CU_ASSERT_STRING_EQUAL(fake->call_order, "SSASS");
    rs_fake_reply(fake, ops, state, 2, 49 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 3, 52 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 40 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[3], 43 * MS);
    for (uint32_t store = 0; store < 4; store++) {
        CU_ASSERT_EQUAL(fake->results[store][RS_OK], 1);
    }
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->append_count, 4);
    CU_ASSERT_EQUAL(rs_fake_metric_get(fake, "queue_wait_us").observations, 2);
    stop(state);
}

/* Region 1's manager: its primaries are stores 2 and 3 (target order), its jobs go to 0 and 1. */
static void test_primaries_follow_the_manager_region(void) {
    void *state = start(1);
    append_one(state, 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 2);
    check_append(0, 2, 0, 1);
    check_append(1, 3, 0, 1);
    rs_fake_reply(fake, ops, state, 0, 3 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 4 * MS, RS_OK);
    check_ack(0, 1, RS_OK, 4 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(2, 0, 4 * MS, 1);
    check_append(3, 1, 4 * MS, 1);
    stop(state);
}

/* A local primary timing out answers the client at once with its status; the other primary's
 * later ok acks nothing and queues nothing; the slot is free for the next request. */
static void test_local_failure_answers_at_once(void) {
    void *state = start(0);
    append_one(state, 1);
    rs_fake_reply(fake, ops, state, 0, 500 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    check_ack(0, 1, RS_ERR_TIMEOUT, 500 * MS);
    rs_fake_reply(fake, ops, state, 1, 501 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    CU_ASSERT_EQUAL(fake->results[0][RS_ERR_TIMEOUT], 1);
    CU_ASSERT_EQUAL(fake->results[1][RS_OK], 1);
    CU_ASSERT_STRING_EQUAL(fake->call_order, "SSA");
    append_one(state, 2);
    rs_fake_reply(fake, ops, state, 2, 502 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 3, 503 * MS, RS_OK);
    check_ack(1, 2, RS_OK, 503 * MS);
    CU_ASSERT_EQUAL(fake->append_count, 6);
    stop(state);
}

/* A manager in region 2, which holds no target: the first target (store 2) is the primary,
 * the three others get jobs, as with primary "first". */
static void test_no_local_target_falls_back_to_the_first(void) {
    void *state = start(2);
    append_one(state, 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 1);
    check_append(0, 2, 0, 1);
    rs_fake_reply(fake, ops, state, 0, 1 * MS, RS_OK);
    check_ack(0, 1, RS_OK, 1 * MS);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 4);
    check_append(1, 0, 1 * MS, 1);
    check_append(2, 3, 1 * MS, 1);
    check_append(3, 1, 1 * MS, 1);
    stop(state);
}

/* Admission counts the remote stores only: with queue_capacity 2 a local_region request (two
 * jobs) fits and is written; under "first" (three jobs) it can never fit and is rejected. */
static void test_queue_room_counts_remote_jobs_only(void) {
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 2;
    void *state = start(0);
    append_one(state, 1);
    CU_ASSERT_EQUAL(fake->append_count, 2);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    stop(state);
    params[RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY] = 2;
    params[RS_ASYNC_QUEUE_PARAM_PRIMARY] = RS_ASYNC_QUEUE_PRIMARY_FIRST;
    state = start(0);
    append_one(state, 1);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    check_ack(0, 1, RS_ERR_REJECTED, 0);
    stop(state);
}

/* --- the checker -------------------------------------------------------------------------- */

static rs_scenario *scenario;
static rs_history history;

/* Regions eu (stores 0, 1, manager 0) and us (stores 2, 3, manager 1), async_queue over all
 * four stores, write_quorum 1. One ok request from us's manager acked at 20 ms after receipts
 * from store 2 (10 ms) and, when `both`, store 3 (15 ms); all four stores hold it at the end. */
static void history_fixture(uint32_t primary, bool both) {
    scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_FATAL(scenario != NULL);
    scenario->region_count = 2;
    scenario->regions[0] = (rs_region_spec){.name = "eu", .stores = 2, .managers = 1,
                                            .first_store = 0};
    scenario->regions[1] = (rs_region_spec){.name = "us", .stores = 2, .managers = 1,
                                            .clients = 1, .first_store = 2};
    scenario->store_count = 4;
    scenario->target_count = 4;
    for (uint32_t t = 0; t < 4; t++) {
        scenario->targets[t] = t;
    }
    scenario->write_quorum = 1;
    scenario->strategy = &rs_async_queue_component;
    for (size_t i = 0; i < RS_ASYNC_QUEUE_PARAM_COUNT; i++) {
        scenario->strategy_params[i] = rs_async_queue_component.params[i].default_value;
    }
    scenario->strategy_params[RS_ASYNC_QUEUE_PARAM_PRIMARY] = primary;
    CU_ASSERT_EQUAL_FATAL(rs_history_init(&history, 4), 0);
    rs_history_add_event(&history, &(rs_history_event){
        .stream = 7, .version = 1, .checksum = 101, .request_index = 0});
    rs_history_add_request(&history, &(rs_history_request){
        .manager = 1, .first_event = 1, .event_count = 1, .status = RS_OK, .invoke_us = 0,
        .manager_arrival_us = 1 * MS, .manager_ack_us = 20 * MS, .client_ack_us = 21 * MS});
    for (uint32_t s = 0; s < 4; s++) {
        rs_history_add_append(&history, &(rs_history_append){
            .store = (uint16_t)s, .event = 1, .time_us = (s < 2 ? 60 : 5 + s) * MS}, 1, 101);
        if (s == 2 || (s == 3 && both)) {
            rs_history_add_receipt(&history, &(rs_history_receipt){
                .store = s, .event = 1, .time_us = (s == 2 ? 10 : 15) * MS});
        }
    }
    for (uint32_t s = 0; s < 4; s++) {
        rs_history_set_final(&history, s, (const rs_event_id[]){1}, 1);
    }
    history.end_us = 100 * MS;
}

static void release(void) {
    rs_history_free(&history);
    free(scenario);
}

static void test_checker_wants_every_local_primary(void) {
    history_fixture(RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION, true);
    rs_check_result result;
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 0);
    CU_ASSERT_EQUAL(result.violations[RS_INV_QUORUM_HONESTY], 0);
    CU_ASSERT_EQUAL(result.violations[RS_INV_DURABILITY], 0);
    release();
    history_fixture(RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION, false);
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 1);
    CU_ASSERT_EQUAL(result.violations[RS_INV_QUORUM_HONESTY], 1);
    CU_ASSERT_STRING_EQUAL(result.examples[RS_INV_QUORUM_HONESTY][0].detail,
                           "acknowledged ok when 1 of the 2 required target stores had "
                           "confirmed it");
    CU_ASSERT_EQUAL(result.violations[RS_INV_DURABILITY], 0);
    release();
    /* the same history under "first": one confirmation (the primary's) is all it promised */
    history_fixture(RS_ASYNC_QUEUE_PRIMARY_FIRST, false);
    CU_ASSERT_EQUAL(rs_check_history(scenario, &history, &result), 0);
    CU_ASSERT_EQUAL(result.violations[RS_INV_QUORUM_HONESTY], 0);
    release();
}

/* --- end to end ------------------------------------------------------------------------- */

static char scratch[4096];

/* Runs `binary` on scenarios/regional-async.json with strategy.type = `type` into
 * scratch/`label`; returns the summary and sets *status to the exit status. */
static cJSON *run_regional(const char *binary, const char *type, const char *label,
                           int *status) {
    char source[4096], set[128];
    snprintf(source, sizeof source, "%s/scenarios/regional-async.json", rs_test_source_dir());
    snprintf(set, sizeof set, "strategy.type=%s", type);
    const char *out = rs_test_path(scratch, label);
    const char *argv[] = {binary, "run", source, "--out", out, "--set", set, NULL};
    *status = rs_test_exec(argv, rs_test_path(scratch, "stdout"), rs_test_path(scratch, "stderr"));
    char *text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

static int violations(const cJSON *summary, const char *name) {
    const cJSON *entry = rs_test_member(rs_test_member(summary, "invariants"), name);
    return rs_test_member(entry, "violations")->valueint;
}

static void test_bundled_scenario_passes_and_an_early_ack_is_flagged(void) {
    int status = -1;
    cJSON *correct = run_regional(rs_test_replsim(), "async_queue", "correct", &status);
    CU_ASSERT_EQUAL(status, 0);
    const cJSON *requests = rs_test_member(correct, "requests");
    double ok = rs_test_member(requests, "ok")->valuedouble;
    CU_ASSERT(ok > 8000); /* ~300/s for 30 s */
    CU_ASSERT_EQUAL(ok, rs_test_member(requests, "total")->valuedouble);
    CU_ASSERT_EQUAL(violations(correct, "quorum_honesty"), 0);
    CU_ASSERT_EQUAL(violations(correct, "durability"), 0);
    cJSON_Delete(correct);
    const char *planted_binary = getenv("RS_PLANTED");
    cJSON *planted = run_regional(planted_binary != NULL ? planted_binary : "replsim_planted",
                                  "planted_async_early_ack", "planted", &status);
    CU_ASSERT_EQUAL(status, 1);
    double planted_ok = rs_test_member(rs_test_member(planted, "requests"), "ok")->valuedouble;
    CU_ASSERT(planted_ok > 8000);
    CU_ASSERT_EQUAL(violations(planted, "quorum_honesty"), planted_ok);
    cJSON_Delete(planted);
}

int main(void) {
    params_default();
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"ack when both local stores confirm", test_ack_when_both_local_stores_confirm},
        {"primaries follow the manager's region", test_primaries_follow_the_manager_region},
        {"local failure answers at once", test_local_failure_answers_at_once},
        {"no local target falls back to the first", test_no_local_target_falls_back_to_the_first},
        {"queue room counts remote jobs only", test_queue_room_counts_remote_jobs_only},
        {"checker wants every local primary", test_checker_wants_every_local_primary},
        {"bundled scenario passes, an early ack is flagged",
         test_bundled_scenario_passes_and_an_early_ack_is_flagged},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("async_regional", tests);
    return rs_test_run_all();
}
