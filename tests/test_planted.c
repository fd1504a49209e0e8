/* test_planted.c — proves the checkers bite: on bundled scenarios, the correct star passes,
 * and each planted bug (tests/planted/planted.c) fails the verdict through the invariant that
 * names its fault — quorum_honesty for an early or premature ack — while the invariants it
 * does not break still pass. Method: run replsim_planted on the bundled scenario with only
 * strategy.type changed, and read the invariants from summary.json. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

static char scratch[4096];

static const char *planted_binary(void) {
    const char *path = getenv("RS_PLANTED");
    return path != NULL ? path : "replsim_planted";
}

/* Runs `scenario_name` from scenarios/ with strategy.type = `strategy`; returns the summary
 * and sets *status to the exit status. */
static cJSON *run_with(const char *scenario_name, const char *strategy, int *status) {
    char source[4096];
    snprintf(source, sizeof source, "%s/scenarios/%s", rs_test_source_dir(), scenario_name);
    char *text = rs_test_slurp(source, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    const char *marker = "\"type\": \"star\"";
    char *at = strstr(text, marker);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    char *changed = malloc(strlen(text) + 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(changed);
    snprintf(changed, strlen(text) + 64, "%.*s\"type\": \"%s\"%s", (int)(at - text), text,
             strategy, at + strlen(marker));
    const char *file = rs_test_path(scratch, "planted.json");
    rs_test_write_file(file, changed);
    free(changed);
    free(text);
    const char *out = rs_test_path(scratch, strategy);
    const char *argv[] = {planted_binary(), "run", file, "--out", out, NULL};
    *status = rs_test_exec(argv, rs_test_path(scratch, "stdout"), rs_test_path(scratch, "stderr"));
    char *summary_text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_text);
    cJSON *summary = cJSON_Parse(summary_text);
    free(summary_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

static const cJSON *invariant(const cJSON *summary, const char *name) {
    const cJSON *entry = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(summary, "invariants"), name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    return entry;
}

static int violations(const cJSON *summary, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(invariant(summary, name), "violations")->valueint;
}

static void test_correct_star_passes_the_bundled_scenarios(void) {
    static const char *const scenarios[] = {"three-regions-quorum.json", "partition-heal.json"};
    for (size_t i = 0; i < 2; i++) {
        int status = -1;
        cJSON *summary = run_with(scenarios[i], "star", &status);
        CU_ASSERT_EQUAL(status, 0);
        CU_ASSERT_EQUAL(violations(summary, "quorum_honesty"), 0);
        CU_ASSERT_EQUAL(violations(summary, "durability"), 0);
        cJSON_Delete(summary);
    }
}

/* Quorum 5 of 9: acking at the 4th confirmation is caught on (nearly) every request. */
static void test_early_quorum_is_flagged_by_quorum_honesty(void) {
    int status = -1;
    cJSON *summary = run_with("three-regions-quorum.json", "planted_early_quorum", &status);
    CU_ASSERT_EQUAL(status, 1);
    double requests = cJSON_GetObjectItem(cJSON_GetObjectItem(summary, "requests"), "ok")->valuedouble;
    CU_ASSERT(violations(summary, "quorum_honesty") > 0.9 * requests);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(summary, "verdict")->valuestring, "fail");
    /* Every event still reaches every store in the end: durability itself holds. */
    CU_ASSERT_EQUAL(violations(summary, "durability"), 0);
    CU_ASSERT_EQUAL(violations(summary, "no_duplicates"), 0);
    cJSON_Delete(summary);
}

/* Ack before any store appended: every ok request is a quorum_honesty violation, and with
 * ap cut off under a 2-of-3 quorum nothing else needs to break for the checker to see it. */
static void test_ack_on_arrival_is_flagged_by_quorum_honesty(void) {
    int status = -1;
    cJSON *summary = run_with("partition-heal.json", "planted_ack_on_arrival", &status);
    CU_ASSERT_EQUAL(status, 1);
    double ok = cJSON_GetObjectItem(cJSON_GetObjectItem(summary, "requests"), "ok")->valuedouble;
    CU_ASSERT(ok > 0);
    CU_ASSERT_EQUAL(violations(summary, "quorum_honesty"), (int)ok);
    const cJSON *first = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(invariant(summary, "quorum_honesty"), "examples"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetObjectItem(first, "detail")->valuestring,
                                  "when 0 of the 2 required"));
    cJSON_Delete(summary);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"correct star passes the bundled scenarios", test_correct_star_passes_the_bundled_scenarios},
        {"early quorum flagged by quorum_honesty", test_early_quorum_is_flagged_by_quorum_honesty},
        {"ack on arrival flagged by quorum_honesty", test_ack_on_arrival_is_flagged_by_quorum_honesty},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("planted bugs", tests);
    return rs_test_run_all();
}
