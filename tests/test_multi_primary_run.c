/* test_multi_primary_run.c — multi-primary end to end on scenarios/multi-primary.json (eu and
 * us each take writes on 5 shared streams, 40 ms apart, last writer wins), and how a skewed
 * clock changes who wins. Predictions: every conflict the stores' appends show is resolved by
 * the managers (each one reported by both), and they agree; with true clocks the later write
 * wins each conflict — events are numbered in creation order, so the winner has the larger
 * id in every one; with eu's manager clock 500 ms ahead (clock fault over the whole run) eu
 * wins every conflict, and with us's ahead us wins every one: concurrent writes are less
 * than a one-way trip (40.2 ms) apart, far less than the skew. The workload is the same in
 * the three runs, so the same conflicts happen. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/support/test_util.h"

#define member rs_test_member

static char scratch[4096];

static cJSON *run_conflicts(const char *skewed_region, cJSON **summary) {
    char scenario[4096], set[512];
    snprintf(scenario, sizeof scenario, "%s/scenarios/multi-primary.json", rs_test_source_dir());
    snprintf(set, sizeof set, "faults=[{\"kind\": \"clock\", \"node\": \"%s/manager-1\", "
             "\"at_s\": 0, \"for_s\": 33, \"offset_ms\": 500}]", skewed_region);
    const char *with_skew[] = {scenario, "--set", set, NULL};
    const char *without[] = {scenario, NULL};
    *summary = rs_test_run_summary(scratch, skewed_region != NULL ? with_skew : without, 0);
    return (cJSON *)member(*summary, "conflicts");
}

static double number(const cJSON *node, const char *name) {
    return member(node, name)->valuedouble;
}

static void test_true_clocks_the_later_write_wins(void) {
    cJSON *summary = NULL;
    const cJSON *conflicts = run_conflicts(NULL, &summary);
    double happened = number(conflicts, "happened");
    CU_ASSERT_TRUE(happened > 50);
    CU_ASSERT_EQUAL(number(conflicts, "resolved"), happened);
    CU_ASSERT_EQUAL(number(conflicts, "reports"), 2 * happened);
    CU_ASSERT_EQUAL(number(conflicts, "undetected"), 0);
    CU_ASSERT_EQUAL(number(conflicts, "disagreements"), 0);
    const cJSON *wins = member(conflicts, "wins_by_region");
    CU_ASSERT_TRUE(number(wins, "eu") > 0 && number(wins, "us") > 0);
    CU_ASSERT_EQUAL(number(wins, "eu") + number(wins, "us"), happened);
    const cJSON *entry;
    int later_won = 0, listed = 0;
    cJSON_ArrayForEach(entry, member(conflicts, "listed")) {
        listed++;
        later_won += number(entry, "winner") > number(entry, "loser");
        CU_ASSERT_STRING_EQUAL(member(entry, "resolution")->valuestring, "lww");
    }
    CU_ASSERT_EQUAL(listed, happened);
    CU_ASSERT_EQUAL(later_won, listed);
    CU_ASSERT_EQUAL(number(member(summary, "requests"), "failed"), 0);
    cJSON_Delete(summary);
}

static void test_a_skewed_clock_wins_every_conflict(void) {
    cJSON *plain = NULL;
    double happened = number(run_conflicts(NULL, &plain), "happened");
    cJSON_Delete(plain);
    const char *regions[] = {"eu", "us"};
    for (int r = 0; r < 2; r++) {
        cJSON *summary = NULL;
        const cJSON *conflicts = run_conflicts(regions[r], &summary);
        CU_ASSERT_EQUAL(number(conflicts, "happened"), happened);
        CU_ASSERT_EQUAL(number(conflicts, "resolved"), happened);
        CU_ASSERT_EQUAL(number(conflicts, "disagreements"), 0);
        const cJSON *wins = member(conflicts, "wins_by_region");
        CU_ASSERT_EQUAL(number(wins, regions[r]), happened);
        CU_ASSERT_EQUAL(number(wins, regions[1 - r]), 0);
        cJSON_Delete(summary);
    }
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"true clocks: the later write wins", test_true_clocks_the_later_write_wins},
        {"a clock 500 ms ahead wins every conflict", test_a_skewed_clock_wins_every_conflict},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("multi-primary end to end", tests);
    return rs_test_run_all();
}
