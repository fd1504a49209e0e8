/* test_health_run.c — health checks end to end, against values derived from the scenario's
 * parameters: a manager probes 4 stores every 500 ms (timeout 200 ms, unhealthy after 2
 * failures, healthy after 2 successes); us/store-2 is down from 5.1 s to 11.1 s. Derived:
 * the probe rounds sent at 5.5 s and 6.0 s go unanswered, so the store turns unhealthy when
 * the second round is judged, at exactly 6.2 s; after the restart the rounds of 11.5 s and
 * 12.0 s are answered, so it turns healthy at 12.0 s plus one round trip (80.4 ms + 2 x 64 B
 * at 1 Gb/s). With "unhealthy": "skip" under "all", exactly the requests whose append reached
 * the store from its crash until 6.2 s fail; with "include" every request whose append
 * was sent while it was down fails. Both pass durability and quorum_honesty. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

static char scratch[4096];

static const char *scenario_format =
    "{\"name\": \"health\", \"seed\": 7, \"duration_s\": 20, \"settle_s\": 3,\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 2, \"managers\": 1, \"clients\": 1},\n"
    "   {\"name\": \"us\", \"stores\": 2}],\n"
    "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000}]},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 200, \"unhealthy\": \"%s\"},\n"
    " \"consistency\": {\"type\": \"all\"},\n"
    " \"health_check\": {\"interval_ms\": 500, \"timeout_ms\": 200, \"unhealthy_after\": 2,\n"
    "   \"healthy_after\": 2},\n"
    " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\"},\n"
    " \"faults\": [{\"kind\": \"crash\", \"node\": \"us/store-2\", \"at_s\": 5.1, \"for_s\": 6}]}\n";

static cJSON *run_summary(const char *mode) {
    char text[2048];
    snprintf(text, sizeof text, scenario_format, mode);
    const char *file = rs_test_path(scratch, "health.json");
    rs_test_write_file(file, text);
    const char *args[] = {file, NULL};
    return rs_test_run_summary(scratch, args, 0);
}

#define member rs_test_member

/* Request i reaches the manager at m = i x 10 ms + 0.2 ms; its append reaches us/store-2 at
 * m + 40.2 ms + 576 B at 1 Gb/s and is applied 1 ms later. It fails when the store is down
 * at application time and the manager still writes it: application in (5.1 s, until_s). */
static int derived_failures(double until_s) {
    const double to_store_s = 0.0402 + 576.0 * 8 / 1e9;
    int count = 0;
    for (int i = 0; i < 2000; i++) {
        double arrival_s = i * 0.01 + 0.0002;
        count += arrival_s + to_store_s + 0.001 > 5.1 && arrival_s < until_s;
    }
    return count;
}

static void assert_invariants_hold(const cJSON *summary) {
    CU_ASSERT_STRING_EQUAL(member(summary, "verdict")->valuestring, "pass");
}

static void test_skip_fails_only_until_marked_unhealthy(void) {
    cJSON *summary = run_summary("skip");
    const cJSON *changes = member(member(summary, "health"), "changes");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(changes), 2);
    const cJSON *down = cJSON_GetArrayItem(changes, 0);
    const cJSON *up = cJSON_GetArrayItem(changes, 1);
    CU_ASSERT_STRING_EQUAL(member(down, "store")->valuestring, "us/store-2");
    CU_ASSERT_STRING_EQUAL(member(down, "state")->valuestring, "unhealthy");
    CU_ASSERT_DOUBLE_EQUAL(member(down, "time_s")->valuedouble, 6.2, 1e-9);
    CU_ASSERT_STRING_EQUAL(member(up, "state")->valuestring, "healthy");
    double round_trip_s = 2 * (0.0402 + 64.0 * 8 / 1e9);
    CU_ASSERT_DOUBLE_EQUAL(member(up, "time_s")->valuedouble, 12.0 + round_trip_s, 2e-6);
    double failed = member(member(summary, "requests"), "failed")->valuedouble;
    CU_ASSERT_EQUAL(failed, derived_failures(6.2));
    CU_ASSERT_EQUAL(derived_failures(6.2), 114);
    const cJSON *counters = member(member(summary, "strategy_metrics"), "counters");
    /* skipped: every request arriving while marked unhealthy, 6.2 s to 12.0804 s */
    int skipped = 0;
    for (int i = 0; i < 2000; i++) {
        double arrival_s = i * 0.01 + 0.0002;
        skipped += arrival_s > 6.2 && arrival_s < 12.0 + round_trip_s;
    }
    CU_ASSERT_EQUAL(member(counters, "star_skipped_unhealthy")->valuedouble, skipped);
    assert_invariants_hold(summary);
    cJSON_Delete(summary);
}

static void test_include_fails_while_down(void) {
    cJSON *summary = run_summary("include");
    double failed = member(member(summary, "requests"), "failed")->valuedouble;
    /* appends sent before the restart at 11.1 s are lost (a message to a down node is lost
     * when sent, model/world_faults.c), so the window of failures ends with sends at 11.1 s */
    CU_ASSERT_EQUAL(failed, derived_failures(11.1));
    CU_ASSERT_EQUAL(derived_failures(11.1), 604);
    assert_invariants_hold(summary);
    cJSON_Delete(summary);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"skip: fails only until marked unhealthy", test_skip_fails_only_until_marked_unhealthy},
        {"include: fails while the store is down", test_include_fails_while_down},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("health end to end", tests);
    return rs_test_run_all();
}
