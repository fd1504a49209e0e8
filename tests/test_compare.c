/* test_compare.c — `--set` overrides and `replsim compare`. Goal: an override is held to the
 * file's rules and named in messages, changes the run as asked and the scenario hash; compare
 * runs every strategy over the same seeds and reports means, intervals and paired differences
 * that match what the strategies do (batch sends fewer messages per event than star). Method:
 * the loader in-process for the overrides (no simulation), the replsim binary for runs, and
 * comparison.json / summary.json read back with cJSON. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/scenario.h"
#include "reports/compare_report.h"
#include "tests/support/test_util.h"

static char scratch[4096];
static char star_file[4096];

static const char *star_scenario(void) {
    snprintf(star_file, sizeof star_file, "%s/scenarios/three-regions-star.json",
             rs_test_source_dir());
    return star_file;
}

static bool exists(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && info.st_size > 0;
}

static cJSON *read_json(const char *path) {
    char *text = rs_test_slurp(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *root = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    return root;
}

/* Loads the star scenario with overrides; returns the status, the message in error. */
static int load(rs_scenario *scenario, const char *const *sets, size_t count, char *error) {
    return rs_scenario_load_with_overrides(star_scenario(), sets, count, scenario, error, 1024);
}

/* --------------------------------------------------------------------------------------- */
/* Overrides in the loader.                                                                 */

static void test_overrides_change_fields_and_create_objects(void) {
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scenario);
    char error[1024];
    const char *sets[] = {"workload.rate_per_s=500", "strategy.type=batch",
                          "strategy.batch_size=20", "topology.regions[1].stores=5",
                          "consistency={\"type\":\"quorum\"}", "consistency.write_quorum=2",
                          "strategy.targets=[\"eu\",\"us/store-5\"]", "name=plain text"};
    CU_ASSERT_EQUAL_FATAL(load(scenario, sets, 8, error), 0);
    CU_ASSERT_DOUBLE_EQUAL(scenario->rate_per_s, 500, 0);
    CU_ASSERT_STRING_EQUAL(scenario->strategy->name, "batch");
    CU_ASSERT_DOUBLE_EQUAL(scenario->strategy_params[0], 20, 0); /* batch_size */
    CU_ASSERT_EQUAL(scenario->regions[1].stores, 5);
    CU_ASSERT_EQUAL(scenario->store_count, 11);
    CU_ASSERT_STRING_EQUAL(scenario->policy->name, "quorum");
    CU_ASSERT_EQUAL(scenario->write_quorum, 2);
    CU_ASSERT_EQUAL(scenario->target_count, 4); /* eu/store-1..3, us/store-5 */
    CU_ASSERT_EQUAL(scenario->targets[3], 7);
    CU_ASSERT_STRING_EQUAL(scenario->name, "plain text");
    /* A missing object on the path is created. */
    const char *expect[] = {"expect=", "expect.success_rate_min=0.5"};
    CU_ASSERT_EQUAL_FATAL(load(scenario, expect, 2, error), 0);
    CU_ASSERT_TRUE(scenario->expect.present[RS_EXPECT_SUCCESS_RATE_MIN]);
    CU_ASSERT_FALSE(scenario->expect.present[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX]);
    free(scenario);
}

static void test_empty_value_removes_a_field(void) {
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scenario);
    char error[1024];
    /* The file has streams 1000 (default 100); removing a missing field is no error; a value
     * set by an earlier override can be removed again. */
    const char *sets[] = {"workload.streams=", "strategy.nothing=", "faults[3].x=",
                          "strategy.timeout_ms=100", "strategy.timeout_ms="};
    CU_ASSERT_EQUAL(scenario->streams, 0);
    CU_ASSERT_EQUAL_FATAL(load(scenario, sets, 5, error), 0);
    CU_ASSERT_EQUAL(scenario->streams, 100);
    CU_ASSERT_EQUAL(scenario->fault_count, 0);
    CU_ASSERT_DOUBLE_EQUAL(scenario->strategy_params[0], 500, 0); /* the default */
    const char *settle[] = {"settle_s=7", "workload={\"rate_per_s\": 10}"};
    CU_ASSERT_EQUAL_FATAL(load(scenario, settle, 2, error), 0);
    CU_ASSERT_DOUBLE_EQUAL(scenario->settle_s, 7, 0);
    CU_ASSERT_EQUAL(scenario->type_count, 1); /* the whole workload replaced: default type */
    const char *name[] = {"name="};
    CU_ASSERT_EQUAL(load(scenario, name, 1, error), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "three-regions-star.json:1:1: name: missing required"));
    free(scenario);
}

static void test_bad_overrides_are_named_in_the_message(void) {
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scenario);
    char error[1024];
    static const struct {
        const char *sets[2];
        const char *message;
    } cases[] = {
        {{"strategy.type=batch", "strategy.batch_size=abc"},
         "--set strategy.batch_size=abc: strategy.batch_size: must be an integer, got \"abc\"; "
         "allowed: integer 1..1024"},
        {{"strategy.batch_size=20", NULL},
         "--set strategy.batch_size=20: strategy.batch_size: unknown field; allowed: type, "},
        {{"topology.regions[1].stores=three", NULL},
         "--set topology.regions[1].stores=three: topology.regions[1].stores: must be an "
         "integer, got \"three\""},
        {{"topology.regions[3].stores=1", NULL},
         "--set topology.regions[3].stores=1: topology.regions[3]: no element [3] (the array "
         "has 3)"},
        {{"name.first=1", NULL}, "--set name.first=1: name: is a string, so it has no fields"},
        {{"strategy..type=star", NULL}, "--set strategy..type=star: bad path; allowed: "},
        {{"workload.rate_per_s", NULL}, "--set workload.rate_per_s: no '=' after the path"},
        {{"consistency.type=quorum", "consistency.write_quorum=12"},
         "--set consistency.write_quorum=12: consistency.write_quorum: write_quorum 12 exceeds "
         "the 9 target stores"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t count = cases[i].sets[1] != NULL ? 2 : 1;
        CU_ASSERT_EQUAL(load(scenario, cases[i].sets, count, error), 2);
        if (strncmp(error, cases[i].message, strlen(cases[i].message)) != 0) {
            fprintf(stderr, "\n  got:      %s\n  expected: %s...\n", error, cases[i].message);
            CU_FAIL("message");
        }
    }
    free(scenario);
}

static void test_overrides_enter_the_hash(void) {
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scenario);
    char error[1024];
    CU_ASSERT_EQUAL_FATAL(rs_scenario_load(star_scenario(), scenario, error, sizeof error), 0);
    uint64_t file_hash = scenario->content_hash;
    CU_ASSERT_EQUAL_FATAL(load(scenario, NULL, 0, error), 0);
    CU_ASSERT_EQUAL(scenario->content_hash, file_hash);
    const char *one[] = {"workload.rate_per_s=50"};
    CU_ASSERT_EQUAL_FATAL(load(scenario, one, 1, error), 0);
    uint64_t one_hash = scenario->content_hash;
    CU_ASSERT_NOT_EQUAL(one_hash, file_hash);
    const char *same_value[] = {"workload.rate_per_s=100"}; /* the file's value, still another */
    CU_ASSERT_EQUAL_FATAL(load(scenario, same_value, 1, error), 0);
    CU_ASSERT_NOT_EQUAL(scenario->content_hash, file_hash);
    CU_ASSERT_NOT_EQUAL(scenario->content_hash, one_hash);
    CU_ASSERT_EQUAL_FATAL(load(scenario, one, 1, error), 0);
    CU_ASSERT_EQUAL(scenario->content_hash, one_hash); /* deterministic */
    free(scenario);
}

/* --------------------------------------------------------------------------------------- */
/* The binary: run, check and compare with --set.                                           */

static double requests_of_run(const char *out_dir, const char *const *sets, size_t count,
                              char hash[17]) {
    const char *argv[16] = {rs_test_replsim(), "run", star_scenario(), "--out", out_dir,
                            "--seed", "3"};
    size_t argc = 7;
    for (size_t i = 0; i < count; i++) {
        argv[argc++] = "--set";
        argv[argc++] = sets[i];
    }
    CU_ASSERT_EQUAL_FATAL(rs_test_exec(argv, rs_test_path(scratch, "run.out"),
                                       rs_test_path(scratch, "run.err")), 0);
    cJSON *summary = read_json(rs_test_path(out_dir, "summary.json"));
    const cJSON *requests = cJSON_GetObjectItemCaseSensitive(summary, "requests");
    const cJSON *scenario = cJSON_GetObjectItemCaseSensitive(summary, "scenario");
    double total = cJSON_GetObjectItemCaseSensitive(requests, "total")->valuedouble;
    snprintf(hash, 17, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(scenario,
                                                                                     "hash")));
    cJSON_Delete(summary);
    return total;
}

static void test_run_with_half_the_rate_issues_half_the_requests(void) {
    char file_hash[17], half_hash[17];
    const char *latency[] = {"network.transport=latency"};
    const char *half[] = {"network.transport=latency", "workload.rate_per_s=50"};
    double full = requests_of_run(rs_test_path(scratch, "rate-100"), latency, 1, file_hash);
    double halved = requests_of_run(rs_test_path(scratch, "rate-50"), half, 2, half_hash);
    /* Poisson at 100/s x 30 s: ~3000 (sd ~55); at 50/s: ~1500 (sd ~39). */
    CU_ASSERT(full > 2800 && full < 3200);
    CU_ASSERT(halved > 1350 && halved < 1650);
    CU_ASSERT(halved / full > 0.44 && halved / full < 0.56);
    CU_ASSERT_STRING_NOT_EQUAL(file_hash, half_hash);
}

static void test_check_reproduces_with_the_overrides(void) {
    const char *argv[] = {rs_test_replsim(), "check", star_scenario(), "--seeds", "1", "--out",
                          rs_test_path(scratch, "check"), "--set", "network.transport=latency",
                          "--set", "strategy.type=cascade", "--set",
                          "strategy.targets=[\"eu\", \"us\"]", NULL};
    const char *out = rs_test_path(scratch, "check.out");
    /* cascade misses the file's write_latency_ms_p99_max of 200 ms: a failing run */
    CU_ASSERT_EQUAL(rs_test_exec(argv, out, rs_test_path(scratch, "check.err")), 1);
    char *text = rs_test_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ": expectation write_latency_ms_p99_max"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, " --seed 1 --set network.transport=latency --set "
                                        "strategy.type=cascade --set 'strategy.targets=[\"eu\", "
                                        "\"us\"]'\n"));
    free(text);
}

/* Runs the comparison of the brief once; returns its directory. */
static const char *comparison_dir(void) {
    static char dir[4096];
    static int status = -2;
    if (status == -2) {
        snprintf(dir, sizeof dir, "%s", rs_test_path(scratch, "compare"));
        const char *argv[] = {rs_test_replsim(), "compare", star_scenario(), "--strategies",
                              "star,batch:batch_size=5,cascade", "--seeds", "3", "--set",
                              "network.transport=latency", "--out", dir, NULL};
        status = rs_test_exec(argv, rs_test_path(scratch, "compare.out"),
                              rs_test_path(scratch, "compare.err"));
    }
    CU_ASSERT_EQUAL_FATAL(status, 0);
    return dir;
}

static const cJSON *kpi_of(const cJSON *strategy, const char *name) {
    const cJSON *kpis = cJSON_GetObjectItemCaseSensitive(strategy, "kpis");
    const cJSON *kpi = cJSON_GetObjectItemCaseSensitive(kpis, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kpi);
    return kpi;
}

static double number_of(const cJSON *object, const char *name) {
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(object, name);
    CU_ASSERT_FATAL(cJSON_IsNumber(node));
    return node->valuedouble;
}

static void test_compare_writes_every_report(void) {
    const char *dir = comparison_dir();
    CU_ASSERT_TRUE(exists(rs_test_path(dir, "comparison.json")));
    CU_ASSERT_TRUE(exists(rs_test_path(dir, "comparison.md")));
    static const char *const runs[] = {"star/seed-1/summary.json", "star/seed-3/summary.json",
                                       "batch:batch_size=5/seed-2/summary.json",
                                       "cascade/seed-3/summary.json"};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        CU_ASSERT_TRUE(exists(rs_test_path(dir, runs[i])));
    }
    CU_ASSERT_FALSE(exists(rs_test_path(dir, "star/seed-4/summary.json")));
    char *md = rs_test_slurp(rs_test_path(dir, "comparison.md"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| KPI | unit | star | batch:batch\\_size=5 | cascade |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| messages_per_event | messages/event | 20 ± 0 |"));
    free(md);
}

static void test_comparison_json_has_every_strategy_and_kpi(void) {
    cJSON *root = read_json(rs_test_path(comparison_dir(), "comparison.json"));
    const cJSON *strategies = cJSON_GetObjectItemCaseSensitive(root, "strategies");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(strategies), 3);
    static const char *const entries[] = {"star", "batch:batch_size=5", "cascade"};
    const rs_compare_kpi *kpis = NULL;
    size_t kpi_count = rs_compare_kpis(&kpis);
    CU_ASSERT(kpi_count >= 10);
    for (int s = 0; s < 3; s++) {
        const cJSON *strategy = cJSON_GetArrayItem(strategies, s);
        CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(strategy,
                                                                                   "entry")),
                               entries[s]);
        const cJSON *object = cJSON_GetObjectItemCaseSensitive(strategy, "kpis");
        CU_ASSERT_EQUAL((size_t)cJSON_GetArraySize(object), kpi_count);
        size_t k = 0; /* in the table's order */
        for (const cJSON *kpi = object->child; kpi != NULL && k < kpi_count; kpi = kpi->next) {
            /* the fault KPIs exist only when a store crashed or a partition healed: not here */
            bool fault_kpi = strcmp(kpis[k].name, "convergence_after_heal_s_max") == 0 ||
                             strcmp(kpis[k].name, "recovery_s_max") == 0;
            CU_ASSERT_STRING_EQUAL(kpi->string, kpis[k++].name);
            CU_ASSERT_EQUAL(number_of(kpi, "n"), fault_kpi ? 0 : 3);
            CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(kpi, "values")), 3);
        }
    }
    static const char *const required[] = {
        "success_rate", "write_latency_ms_p50", "write_latency_ms_p99",
        "replication_latency_ms_p99", "sync_delay_ms_p99", "acked_events_per_s",
        "messages_per_event", "bytes_per_event", "acked_events_lost"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        kpi_of(cJSON_GetArrayItem(strategies, 1), required[i]);
    }
    cJSON_Delete(root);
}

static void test_zero_variance_and_significant_differences(void) {
    cJSON *root = read_json(rs_test_path(comparison_dir(), "comparison.json"));
    const cJSON *strategies = cJSON_GetObjectItemCaseSensitive(root, "strategies");
    const cJSON *star = cJSON_GetArrayItem(strategies, 0);
    const cJSON *batch = cJSON_GetArrayItem(strategies, 1);
    /* Every run acks everything and star always sends 20 messages per event: no variance. */
    CU_ASSERT_EQUAL(number_of(kpi_of(star, "success_rate"), "mean"), 1);
    CU_ASSERT_EQUAL(number_of(kpi_of(star, "success_rate"), "half_width"), 0);
    const cJSON *star_messages = kpi_of(star, "messages_per_event");
    CU_ASSERT_EQUAL(number_of(star_messages, "mean"), 20);
    CU_ASSERT_EQUAL(number_of(star_messages, "half_width"), 0);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(star_messages, "difference")));
    /* batch: one append per target per batch of <= 5 events, so ~2 + 18/5 = 5.6 and more when
     * a timeout flushes a partial batch: far below 20, significantly. */
    const cJSON *batch_messages = kpi_of(batch, "messages_per_event");
    CU_ASSERT(number_of(batch_messages, "mean") > 5.6 - 1e-9);
    CU_ASSERT(number_of(batch_messages, "mean") < 8);
    const cJSON *difference = cJSON_GetObjectItemCaseSensitive(batch_messages, "difference");
    CU_ASSERT(number_of(difference, "mean") < -12);
    CU_ASSERT(number_of(difference, "ci95_high") < 0);
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(difference, "significant")));
    /* Success rates do not differ: difference 0, not significant. */
    const cJSON *same = cJSON_GetObjectItemCaseSensitive(kpi_of(batch, "success_rate"),
                                                         "difference");
    CU_ASSERT_EQUAL(number_of(same, "mean"), 0);
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(same, "significant")));
    cJSON_Delete(root);
}

static void test_compare_rejects_a_bad_set_before_running(void) {
    const char *dir = rs_test_path(scratch, "compare-bad");
    const char *err = rs_test_path(scratch, "compare-bad.err");
    const char *argv[] = {rs_test_replsim(), "compare", star_scenario(), "--strategies",
                          "star,batch", "--seeds", "2", "--set", "workload.rate_per_s=fast",
                          "--out", dir, NULL};
    CU_ASSERT_EQUAL(rs_test_exec(argv, rs_test_path(scratch, "compare-bad.out"), err), 2);
    char *text = rs_test_slurp(err, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "--set workload.rate_per_s=fast: workload.rate_per_s: "
                                        "must be a number, got \"fast\""));
    free(text);
    CU_ASSERT_FALSE(exists(rs_test_path(dir, "comparison.json")));
    CU_ASSERT_FALSE(exists(rs_test_path(dir, "star/seed-1/summary.json")));
    const char *bad_entry[] = {rs_test_replsim(), "compare", star_scenario(), "--strategies",
                               "star,batch:batch_size=abc", "--out", dir, NULL};
    CU_ASSERT_EQUAL(rs_test_exec(bad_entry, rs_test_path(scratch, "compare-bad.out"), err), 2);
    text = rs_test_slurp(err, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "--set strategy.batch_size=abc: strategy.batch_size: "));
    free(text);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"overrides change fields and create objects",
         test_overrides_change_fields_and_create_objects},
        {"an empty value removes a field", test_empty_value_removes_a_field},
        {"bad overrides are named in the message", test_bad_overrides_are_named_in_the_message},
        {"overrides enter the hash", test_overrides_enter_the_hash},
        {"run at half the rate issues half the requests",
         test_run_with_half_the_rate_issues_half_the_requests},
        {"check reproduces with the overrides", test_check_reproduces_with_the_overrides},
        {"compare writes every report", test_compare_writes_every_report},
        {"comparison.json has every strategy and KPI",
         test_comparison_json_has_every_strategy_and_kpi},
        {"zero variance and significant differences",
         test_zero_variance_and_significant_differences},
        {"compare rejects a bad --set before running",
         test_compare_rejects_a_bad_set_before_running},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("compare", tests);
    return rs_test_run_all();
}
