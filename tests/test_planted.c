/* test_planted.c — proves the checkers bite: on bundled (or test) scenarios each correct
 * component passes, and each planted bug (tests/planted/planted.c) fails the verdict through
 * the invariant that names its fault, while the correct code shows zero violations of that
 * invariant on the very same scenario and seed:
 *   early quorum, ack on arrival        -> quorum_honesty
 *   cascade past a failed hop           -> cascade_chain
 *   conditional rule leaking a store    -> routing
 *   store appending a retried request twice -> no_duplicates
 * Method: run replsim_planted on the scenario with strategy.type overridden (--set), read the
 * invariants from summary.json; once through `check`, reading its printed verdict. */
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

/* Runs `scenario` (relative to the source tree) with `field`.type = `component` into
 * scratch/`label`; returns the summary and sets *status to the exit status. */
static cJSON *run_planted_as(const char *scenario, const char *field, const char *component,
                             const char *label, int *status) {
    char source[4096], type[128];
    snprintf(source, sizeof source, "%s/%s", rs_test_source_dir(), scenario);
    snprintf(type, sizeof type, "%s.type=%s", field, component);
    const char *out = rs_test_path(scratch, label);
    const char *argv[] = {planted_binary(), "run", source, "--out", out, "--set", type, NULL};
    *status = rs_test_exec(argv, rs_test_path(scratch, "stdout"), rs_test_path(scratch, "stderr"));
    char *summary_text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_text);
    cJSON *summary = cJSON_Parse(summary_text);
    free(summary_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

static cJSON *run_planted(const char *scenario, const char *strategy, const char *label,
                          int *status) {
    return run_planted_as(scenario, "strategy", strategy, label, status);
}

static cJSON *run_planted_policy(const char *scenario, const char *policy, const char *label,
                                 int *status) {
    return run_planted_as(scenario, "consistency", policy, label, status);
}

static const cJSON *invariant(const cJSON *summary, const char *name) {
    const cJSON *entry = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(summary, "invariants"), name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    return entry;
}

static int violations(const cJSON *summary, const char *name) {
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(invariant(summary, name), "violations");
    CU_ASSERT_PTR_NOT_NULL_FATAL(count); /* absent when the invariant was not checked */
    return count->valueint;
}

static double number_at(const cJSON *summary, const char *object, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(summary, object), name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    return item->valuedouble;
}

static const char *first_detail(const cJSON *summary, const char *name) {
    const cJSON *first = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(invariant(summary, name), "examples"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    return cJSON_GetObjectItem(first, "detail")->valuestring;
}

static void test_correct_star_passes_the_bundled_scenarios(void) {
    static const char *const scenarios[] = {"scenarios/three-regions-quorum.json",
                                            "scenarios/partition-heal.json"};
    for (size_t i = 0; i < 2; i++) {
        int status = -1;
        cJSON *summary = run_planted(scenarios[i], "star", "star", &status);
        CU_ASSERT_EQUAL(status, 0);
        CU_ASSERT_EQUAL(violations(summary, "quorum_honesty"), 0);
        CU_ASSERT_EQUAL(violations(summary, "durability"), 0);
        CU_ASSERT_EQUAL(violations(summary, "routing"), 0);
        cJSON_Delete(summary);
    }
}

/* Quorum 5 of 9: acking at the 4th confirmation is caught on (nearly) every request. */
static void test_early_quorum_is_flagged_by_quorum_honesty(void) {
    int status = -1;
    cJSON *summary = run_planted("scenarios/three-regions-quorum.json", "planted_early_quorum",
                                 "early_quorum", &status);
    CU_ASSERT_EQUAL(status, 1);
    double requests = number_at(summary, "requests", "ok");
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
    cJSON *summary = run_planted("scenarios/partition-heal.json", "planted_ack_on_arrival",
                                 "ack_on_arrival", &status);
    CU_ASSERT_EQUAL(status, 1);
    double ok = number_at(summary, "requests", "ok");
    CU_ASSERT(ok > 0);
    CU_ASSERT_EQUAL(violations(summary, "quorum_honesty"), (int)ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(first_detail(summary, "quorum_honesty"),
                                  "when 0 of the 2 required"));
    cJSON_Delete(summary);
}

/* us/store-1 is down 2 s, longer than three attempts of 300 ms: the correct cascade stops its
 * chains there (and resumes them after the restart), so ap never appends before us confirmed;
 * the planted cascade is told "ok" for the failed hop and writes ap at once. */
static void test_cascade_past_failure_is_flagged_by_cascade_chain(void) {
    static const char *const scenario = "scenarios/ci/cascade-store-crash.json";
    int status = -1;
    cJSON *correct = run_planted(scenario, "cascade", "cascade", &status);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(invariant(correct, "cascade_chain"),
                                                    "checked")));
    CU_ASSERT_EQUAL(violations(correct, "cascade_chain"), 0);
    CU_ASSERT_EQUAL(violations(correct, "routing"), 0);
    cJSON_Delete(correct);
    cJSON *planted = run_planted(scenario, "planted_cascade_past_failure", "cascade_bug", &status);
    CU_ASSERT_EQUAL(status, 1);
    CU_ASSERT(violations(planted, "cascade_chain") >= 10); /* ~100 events/s over the crash */
    CU_ASSERT_PTR_NOT_NULL(strstr(first_detail(planted, "cascade_chain"),
                                  "appended on hop 3 before hop 2 had confirmed it"));
    CU_ASSERT_EQUAL(violations(planted, "routing"), 0);
    CU_ASSERT_EQUAL(violations(planted, "no_duplicates"), 0);
    cJSON_Delete(planted);
}

/* conditional.json's first rule sends OrderPlaced (residency eu) to eu's three stores; the
 * planted variant also names ap/store-2, the last store of the target union it lacks. */
static void test_rule_leak_is_flagged_by_routing(void) {
    static const char *const scenario = "scenarios/conditional.json";
    int status = -1;
    cJSON *correct = run_planted(scenario, "conditional", "conditional", &status);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_EQUAL(violations(correct, "routing"), 0);
    cJSON_Delete(correct);
    cJSON *planted = run_planted(scenario, "planted_rule_leak", "rule_leak", &status);
    CU_ASSERT_EQUAL(status, 1);
    /* every OrderPlaced event (weight 0.4 of ~100/s x 30 s) lands once on ap/store-2 */
    CU_ASSERT(violations(planted, "routing") > 800);
    const cJSON *first = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(invariant(planted, "routing"), "examples"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(first, "store")->valuestring, "ap/store-2");
    CU_ASSERT_EQUAL(violations(planted, "no_duplicates"), 0);
    cJSON_Delete(planted);
}

/* Replies lost on the eu-us link make the cascade retry appends us/store-1 already holds:
 * the correct store answers them idempotently (duplicate appends recorded, none stored), the
 * planted store (RS_PLANTED_STORE=duplicate_retries) appends them again. */
static void test_store_appending_retries_twice_is_flagged_by_no_duplicates(void) {
    static const char *const scenario = "tests/planted/cascade-lossy-replies.json";
    int status = -1;
    cJSON *correct = run_planted(scenario, "cascade", "store", &status);
    CU_ASSERT_EQUAL(status, 0);
    double retried = number_at(correct, "throughput", "duplicate_appends");
    CU_ASSERT(retried >= 5); /* the scenario does exercise retries of appended events */
    CU_ASSERT_EQUAL(violations(correct, "no_duplicates"), 0);
    cJSON_Delete(correct);
    CU_ASSERT_EQUAL_FATAL(setenv("RS_PLANTED_STORE", "duplicate_retries", 1), 0);
    cJSON *planted = run_planted(scenario, "cascade", "store_bug", &status);
    unsetenv("RS_PLANTED_STORE");
    CU_ASSERT_EQUAL(status, 1);
    /* the same seed, so the same retries: each re-append is now a second copy */
    CU_ASSERT_EQUAL(violations(planted, "no_duplicates"), (int)retried);
    CU_ASSERT_EQUAL(number_at(planted, "throughput", "duplicate_appends"), 0);
    CU_ASSERT_STRING_EQUAL(first_detail(planted, "no_duplicates"), "held twice by one store");
    cJSON_Delete(planted);
}

/* The CI gate itself: `check` fails the leaking run, names routing in its line, and prints
 * the command that reproduces it (with the override that planted the bug). */
/* async-queue.json: the correct async_queue acks after its primary confirmed (quorum_honesty
 * holds); the planted one acks every request as it arrives, before its primary has the event:
 * quorum_honesty flags exactly every request acknowledged ok. */
static void test_async_early_ack_is_flagged_by_quorum_honesty(void) {
    int status = -1;
    cJSON *correct = run_planted("scenarios/async-queue.json", "async_queue", "async", &status);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_EQUAL(violations(correct, "quorum_honesty"), 0);
    cJSON_Delete(correct);
    cJSON *planted = run_planted("scenarios/async-queue.json", "planted_async_early_ack",
                                 "async_bug", &status);
    CU_ASSERT_EQUAL(status, 1);
    double ok = number_at(planted, "requests", "ok");
    CU_ASSERT_TRUE(ok > 1000);
    CU_ASSERT_EQUAL(violations(planted, "quorum_honesty"), ok);
    cJSON_Delete(planted);
}

/* partition-heal.json: ap misses the 100 events whose appends were sent into the cut
 * (tests/test_eventual_run.c derives them). The correct anti-entropy repairs them all:
 * convergence holds. The blind checker never sees a difference: convergence reports exactly
 * those 100 replicas missing on ap, and the run fails. */
static void test_blind_anti_entropy_is_flagged_by_convergence(void) {
    int status = -1;
    cJSON *correct = run_planted_policy("scenarios/partition-heal.json", "eventual", "eventual",
                                        &status);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_EQUAL(violations(correct, "convergence"), 0);
    cJSON_Delete(correct);
    cJSON *planted = run_planted_policy("scenarios/partition-heal.json",
                                        "planted_eventual_blind", "blind", &status);
    CU_ASSERT_EQUAL(status, 1);
    CU_ASSERT_EQUAL(violations(planted, "convergence"), 100);
    CU_ASSERT_EQUAL(violations(planted, "durability"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(first_detail(planted, "convergence"), "missing here"));
    cJSON_Delete(planted);
}

static void test_check_names_the_invariant_and_the_reproduction(void) {
    char source[4096];
    snprintf(source, sizeof source, "%s/scenarios/conditional.json", rs_test_source_dir());
    const char *argv[] = {planted_binary(), "check", source, "--seeds", "1", "--out",
                          rs_test_path(scratch, "check"), "--set",
                          "strategy.type=planted_rule_leak", NULL};
    const char *stdout_path = rs_test_path(scratch, "check-stdout");
    CU_ASSERT_EQUAL(rs_test_exec(argv, stdout_path, rs_test_path(scratch, "stderr")), 1);
    char *printed = rs_test_slurp(stdout_path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(printed);
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, "invariant routing ("));
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, "reproduce: replsim run "));
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, "conditional.json --seed 1 --set "
                                           "strategy.type=planted_rule_leak\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, "check: 0 passed, 1 failed"));
    free(printed);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"correct star passes the bundled scenarios",
         test_correct_star_passes_the_bundled_scenarios},
        {"early quorum flagged by quorum_honesty", test_early_quorum_is_flagged_by_quorum_honesty},
        {"ack on arrival flagged by quorum_honesty",
         test_ack_on_arrival_is_flagged_by_quorum_honesty},
        {"cascade past a failed hop flagged by cascade_chain",
         test_cascade_past_failure_is_flagged_by_cascade_chain},
        {"conditional rule leak flagged by routing", test_rule_leak_is_flagged_by_routing},
        {"async early ack flagged by quorum_honesty",
         test_async_early_ack_is_flagged_by_quorum_honesty},
        {"blind anti-entropy flagged by convergence",
         test_blind_anti_entropy_is_flagged_by_convergence},
        {"check names the invariant and the reproduction",
         test_check_names_the_invariant_and_the_reproduction},
        {"store appending a retry twice flagged by no_duplicates",
         test_store_appending_retries_twice_is_flagged_by_no_duplicates},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("planted bugs", tests);
    return rs_test_run_all();
}
