/* test_async_promise.c — the durability promise of asynchronous replication, judged from the
 * history: async_queue acks after its primary and promises every secondary eventually, less
 * the copies it reports abandoned (runtime report_abandoned: a dropped or given-up job). With
 * a queue too small for the load and drop_oldest, jobs are dropped and reported: durability
 * holds, and each secondary lacks exactly the events whose jobs were dropped for it. When the
 * manager crashes, its queue is lost and nothing is reported: durability flags every acked
 * event a secondary never got — the gap asynchronous replication really has. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

#define member rs_test_member

static char scratch[4096];

static const char *scenario_format =
    "{\"name\": \"async promise\", \"seed\": 4, \"duration_s\": 10, \"settle_s\": 5,\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, \"clients\": 1},\n"
    "   {\"name\": \"us\", \"stores\": 1}],\n"
    "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000}]},\n"
    " \"strategy\": {\"type\": \"async_queue\", \"workers\": %d, \"queue_capacity\": %d,\n"
    "   \"on_full\": \"drop_oldest\", \"timeout_ms\": 500},\n"
    " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": 1},\n"
    " \"workload\": {\"rate_per_s\": 200, \"arrival\": \"constant\", \"streams\": 100},\n"
    " \"faults\": [%s],\n"
    " \"expect\": {\"tolerate\": [\"stream_order\"]}}\n";

static cJSON *run(int workers, int capacity, const char *faults, int expected_status) {
    char text[4096];
    snprintf(text, sizeof text, scenario_format, workers, capacity, faults);
    const char *file = rs_test_path(scratch, "async.json");
    rs_test_write_file(file, text);
    const char *args[] = {file, NULL};
    return rs_test_run_summary(scratch, args, expected_status);
}

static double store_final(const cJSON *summary, const char *name) {
    const cJSON *store;
    cJSON_ArrayForEach(store, member(summary, "stores")) {
        if (strcmp(member(store, "name")->valuestring, name) == 0) {
            return member(store, "final_events")->valuedouble;
        }
    }
    CU_FAIL_FATAL("no such store");
    return -1;
}

static double durability_violations(const cJSON *summary) {
    return member(member(member(summary, "invariants"), "durability"), "violations")->valuedouble;
}

static void test_reported_drops_are_excused_and_exact(void) {
    /* 1 worker at an 80 ms round trip replicates ~12.5 events/s of the 200 offered */
    cJSON *summary = run(1, 4, "", 0);
    double ok = member(member(summary, "requests"), "ok")->valuedouble;
    double dropped = member(member(member(summary, "strategy_metrics"), "counters"),
                            "async_dropped")->valuedouble;
    CU_ASSERT_EQUAL(ok, 2000);
    CU_ASSERT_TRUE(dropped > 1000);
    CU_ASSERT_EQUAL(store_final(summary, "eu/store-1"), ok);
    CU_ASSERT_EQUAL(store_final(summary, "us/store-1"), ok - dropped);
    CU_ASSERT_EQUAL(durability_violations(summary), 0);
    cJSON_Delete(summary);
}

static void test_a_lost_queue_is_flagged(void) {
    /* 12 workers at an 80 ms round trip replicate ~149 events/s of the 200 offered: a backlog
     * builds while clients write and drains within the settle time. The manager's crash at 5 s
     * loses the backlog it had queued (and the requests it had not answered: not acked) */
    cJSON *clean = run(12, 5000, "", 0);
    CU_ASSERT_EQUAL(durability_violations(clean), 0);
    CU_ASSERT_EQUAL(store_final(clean, "us/store-1"), store_final(clean, "eu/store-1"));
    cJSON_Delete(clean);
    cJSON *crashed = run(12, 5000,
                         "{\"kind\": \"crash\", \"node\": \"eu/manager-1\", \"at_s\": 5.0201, "
                         "\"for_s\": 1}", 1);
    double missing = store_final(crashed, "eu/store-1") - store_final(crashed, "us/store-1");
    CU_ASSERT_TRUE(missing > 100);
    CU_ASSERT_EQUAL(durability_violations(crashed), missing);
    cJSON_Delete(crashed);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"reported drops are excused, exactly", test_reported_drops_are_excused_and_exact},
        {"a lost queue is flagged by durability", test_a_lost_queue_is_flagged},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("async durability promise", tests);
    return rs_test_run_all();
}
