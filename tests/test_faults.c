/* test_faults.c — faults have exactly the effects their parameters imply. Method: run small
 * scenarios through the replsim binary (constant arrivals, declared latencies, no jitter) and
 * compare summary.json with counts derived here from the same parameters: which requests a
 * partition fails under a 3-of-3 quorum (none under 2-of-3), what a one-way partition changes,
 * how many stored events a crash loses under each durability policy. Also the loader's
 * errors for bad fault entries. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/scenario.h"
#include "tests/support/test_util.h"

static char scratch[4096];

/* Three regions, one store each; eu has the manager and a client at a constant 100/s. */
static const char *partition_scenario =
    "{\"name\": \"partition\", \"seed\": 3, \"duration_s\": 30, \"settle_s\": 5,\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, \"clients\": 1},\n"
    "   {\"name\": \"us\", \"stores\": 1}, {\"name\": \"ap\", \"stores\": 1}],\n"
    "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000},\n"
    "   {\"between\": [\"eu\", \"ap\"], \"latency_ms\": 75, \"bandwidth_mbps\": 500},\n"
    "   {\"between\": [\"us\", \"ap\"], \"latency_ms\": 100, \"bandwidth_mbps\": 500}]},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 500},\n"
    " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": %d},\n"
    " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\"},\n"
    " \"faults\": [{\"kind\": \"partition\", \"at_s\": 10, \"for_s\": 10, \"one_way\": %s,\n"
    "   \"groups\": %s}]}\n";

static cJSON *run_summary(const char *name, const char *text) {
    const char *file = rs_test_path(scratch, name);
    rs_test_write_file(file, text);
    const char *out = rs_test_path(scratch, "out");
    const char *argv[] = {rs_test_replsim(), "run", file, "--out", out, NULL};
    int status = rs_test_exec(argv, rs_test_path(scratch, "stdout"), rs_test_path(scratch, "stderr"));
    CU_ASSERT_EQUAL_FATAL(status, 0);
    char *summary_text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_text);
    cJSON *summary = cJSON_Parse(summary_text);
    free(summary_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

static double field(const cJSON *node, const char *a, const char *b) {
    node = cJSON_GetObjectItemCaseSensitive(node, a);
    if (b != NULL) {
        node = cJSON_GetObjectItemCaseSensitive(node, b);
    }
    CU_ASSERT_FATAL(cJSON_IsNumber(node));
    return node->valuedouble;
}

static double store_final(const cJSON *summary, const char *store) {
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(summary, "stores")) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(entry, "name")->valuestring, store) == 0) {
            return field(entry, "final_events", NULL);
        }
    }
    CU_FAIL_FATAL("store missing from the summary");
    return -1;
}

/* Request i is invoked at i * 10 ms and reaches the manager 0.2 ms later (m_i). A message to
 * ap takes 75.2 ms + 576 B at 500 Mb/s, the store appends for 1 ms, the reply takes 75.2 ms +
 * 64 B at 500 Mb/s. Counts the requests whose span [m_i + from_s, m_i + to_s] meets the
 * partition window [10 s, 20 s): a message is lost when sent or delivered inside it. */
static int count_meeting_window(double from_s, double to_s) {
    int count = 0;
    for (int i = 0; i < 3000; i++) {
        double arrival_s = i * 0.01 + 0.0002;
        count += arrival_s + to_s >= 10.0 && arrival_s + from_s < 20.0;
    }
    return count;
}

static const double to_ap_s = 0.0752 + 576.0 * 8 / 500e6;
static const double from_ap_s = 0.0752 + 64.0 * 8 / 500e6;

static double failed_quorum(const cJSON *summary) {
    const cJSON *requests = cJSON_GetObjectItemCaseSensitive(summary, "requests");
    return field(requests, "failed_by_status", "quorum_not_reached");
}

static void test_partition_fails_exactly_the_requests_whose_round_trip_meets_it(void) {
    char text[4096];
    snprintf(text, sizeof text, partition_scenario, 2, "false", "[[\"ap\"], [\"eu\", \"us\"]]");
    cJSON *two = run_summary("p2.json", text);
    CU_ASSERT_EQUAL(field(two, "requests", "ok"), 3000);
    cJSON_Delete(two);
    snprintf(text, sizeof text, partition_scenario, 3, "false", "[[\"ap\"], [\"eu\", \"us\"]]");
    cJSON *three = run_summary("p3.json", text);
    int expected = count_meeting_window(0, to_ap_s + 0.001 + from_ap_s);
    CU_ASSERT_EQUAL(expected, 1015);
    CU_ASSERT_EQUAL(field(three, "requests", "failed"), expected);
    CU_ASSERT_EQUAL(failed_quorum(three), expected);
    CU_ASSERT_EQUAL(store_final(three, "ap/store-1"), 3000 - count_meeting_window(0, to_ap_s));
    CU_ASSERT_EQUAL(store_final(three, "us/store-1"), 3000);
    cJSON_Delete(three);
}

/* One way: ap cannot reach eu (replies lost, appends arrive), or eu cannot reach ap (appends
 * lost). Each differs from the symmetric cut, and from the other. */
static void test_one_way_partitions_cut_one_direction_only(void) {
    char text[4096];
    snprintf(text, sizeof text, partition_scenario, 3, "true", "[[\"ap\"], [\"eu\", \"us\"]]");
    cJSON *replies_cut = run_summary("ow1.json", text);
    int expected = count_meeting_window(to_ap_s + 0.001, to_ap_s + 0.001 + from_ap_s);
    CU_ASSERT_EQUAL(expected, 1008);
    CU_ASSERT_EQUAL(failed_quorum(replies_cut), expected);
    CU_ASSERT_EQUAL(store_final(replies_cut, "ap/store-1"), 3000);
    cJSON_Delete(replies_cut);
    snprintf(text, sizeof text, partition_scenario, 3, "true", "[[\"eu\", \"us\"], [\"ap\"]]");
    cJSON *appends_cut = run_summary("ow2.json", text);
    expected = count_meeting_window(0, to_ap_s);
    CU_ASSERT_EQUAL(expected, 1007);
    CU_ASSERT_EQUAL(failed_quorum(appends_cut), expected);
    CU_ASSERT_EQUAL(store_final(appends_cut, "ap/store-1"), 3000 - expected);
    cJSON_Delete(appends_cut);
}

static const char *crash_scenario =
    "{\"name\": \"crash\", \"seed\": 3, \"duration_s\": 20, \"settle_s\": 5,\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, \"clients\": 1},\n"
    "   {\"name\": \"us\", \"stores\": 2}],\n"
    "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000}]},\n"
    " \"stores\": {\"append_ms\": 1, \"durability\": \"%s\", \"fsync_interval_ms\": 100},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 500},\n"
    " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": 2},\n"
    " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\"},\n"
    " \"faults\": [{\"kind\": \"crash\", \"node\": \"us/store-1\", \"at_s\": 10.05, \"for_s\": 5}]}\n";

static double crash_events_lost(const char *durability) {
    char text[4096], name[64];
    snprintf(text, sizeof text, crash_scenario, durability);
    snprintf(name, sizeof name, "crash-%s.json", durability);
    cJSON *summary = run_summary(name, text);
    const cJSON *crashes = cJSON_GetObjectItemCaseSensitive(summary, "crashes");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(crashes), 1);
    double lost = field(cJSON_GetArrayItem(crashes, 0), "events_lost", NULL);
    CU_ASSERT_DOUBLE_EQUAL(field(cJSON_GetArrayItem(crashes, 0), "time_s", NULL), 10.05, 1e-9);
    /* down 5 s of a 25 s run (20 s workload + 5 s settle) */
    CU_ASSERT_DOUBLE_EQUAL(field(summary, "availability", "us/store-1"), 0.8, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(field(summary, "availability", "us/store-2"), 1.0, 1e-9);
    cJSON_Delete(summary);
    return lost;
}

/* us/store-1 appends event i at i x 10 ms + 0.2 + 40.2 + 576 B at 1 Gb/s + 1 ms. A crash at
 * 10.05 s loses, with periodic fsync every 100 ms, the appends after the 10.0 s sync point;
 * with fsync none; with a volatile log every append made so far. */
static void test_crash_loses_what_the_durability_policy_says(void) {
    double done_s = 0.0002 + 0.0402 + 576.0 * 8 / 1e9 + 0.001;
    int unsynced = 0, appended = 0;
    for (int i = 0; i < 2000; i++) {
        double at_s = i * 0.01 + done_s;
        unsynced += at_s > 10.0 && at_s <= 10.05;
        appended += at_s <= 10.05;
    }
    CU_ASSERT_EQUAL(unsynced, 5);
    CU_ASSERT_EQUAL(crash_events_lost("periodic"), unsynced);
    CU_ASSERT_EQUAL(crash_events_lost("fsync"), 0);
    CU_ASSERT_EQUAL(crash_events_lost("volatile"), appended);
}

#define HEAD "{\"name\":\"t\",\"duration_s\":10,\n" \
             "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":2,\"managers\":1,\"clients\":1}]},\n" \
             "\"strategy\":{\"type\":\"star\"},\"workload\":{\"rate_per_s\":10},\n"

static void test_bad_fault_entries_are_refused_with_their_location(void) {
    static const struct { const char *text; const char *message; } cases[] = {
        {HEAD "\"faults\":[{\"kind\":\"meteor\",\"at_s\":1,\"for_s\":1}]}",
         "f.json:4:19: faults[0].kind: unknown fault kind \"meteor\""},
        {HEAD "\"faults\":[{\"kind\":\"crash\",\"node\":\"eu/store-1\",\"at_s\":1}]}",
         "f.json:4:11: faults[0]: needs exactly one of for_s and until_s"},
        {HEAD "\"faults\":[{\"kind\":\"crash\",\"node\":\"eu/client-1\",\"at_s\":1,\"for_s\":1}]}",
         "f.json:4:34: faults[0].node: eu/client-1 cannot crash"},
        {HEAD "\"faults\":[{\"kind\":\"crash\",\"node\":\"eu/store-3\",\"at_s\":1,\"for_s\":1}]}",
         "f.json:4:34: faults[0].node: unknown region or node \"eu/store-3\""},
        {HEAD "\"faults\":[{\"kind\":\"partition\",\"at_s\":1,\"for_s\":1,\"groups\":[[\"eu\"]]}]}",
         "f.json:4:59: faults[0].groups: must list 2 to 8 groups"},
        {HEAD "\"faults\":[{\"kind\":\"partition\",\"at_s\":1,\"for_s\":1,"
              "\"groups\":[[\"eu/store-1\"],[\"eu/store-1\"]]}]}",
         "f.json:4:76: faults[0].groups[1][0]: is named twice in this fault"},
        {HEAD "\"faults\":[{\"kind\":\"link\",\"at_s\":1,\"for_s\":1,"
              "\"between\":[\"eu/store-1\",\"eu/store-2\"]}]}",
         "f.json:4:11: faults[0]: degrades nothing"},
        {HEAD "\"faults\":[{\"kind\":\"crash\",\"node\":\"eu/store-1\",\"at_s\":16,\"for_s\":1}]}",
         "f.json:4:54: faults[0].at_s: must be <= 15, got 16"},
        {HEAD "\"faults\":[{\"kind\":\"crash\",\"nod\":\"eu/store-1\",\"at_s\":1,\"for_s\":1}]}",
         "f.json:4:27: faults[0].nod: unknown field (did you mean \"node\"?)"},
    };
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_FATAL(scenario != NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char error[1024] = "";
        int status = rs_scenario_load_buffer("f.json", cases[i].text, strlen(cases[i].text),
                                             scenario, error, sizeof error);
        CU_ASSERT_EQUAL(status, 2);
        if (strstr(error, cases[i].message) == NULL) {
            printf("\n    case %zu: got: %s\n    expected: %s\n", i, error, cases[i].message);
            CU_FAIL("message");
        }
    }
    free(scenario);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"partition: 2/3 holds, 3/3 fails exactly the requests it meets",
         test_partition_fails_exactly_the_requests_whose_round_trip_meets_it},
        {"one-way partitions cut one direction only",
         test_one_way_partitions_cut_one_direction_only},
        {"crash loses what the durability policy says",
         test_crash_loses_what_the_durability_policy_says},
        {"bad fault entries are refused with their location",
         test_bad_fault_entries_are_refused_with_their_location},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("faults", tests);
    return rs_test_run_all();
}
