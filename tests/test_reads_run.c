/* test_reads_run.c — quorum reads end to end on scenarios/quorum-reads.json: 3 stores, the
 * nearest (a, 5 ms from the manager) with a disk 50x slower than b and c (20 ms away), W = 1.
 * With R = 1 a read takes the first reply — a's, which has not applied a write acknowledged
 * by b or c a moment before — so the read-after-write curve must start at 0 (a probe sent at
 * the ack reaches a 46.8 ms after the write left the manager, before a applies it at 55 ms at
 * the earliest), rise with the probe delay, never fall, and be exactly 1.0 at every delay
 * beyond the largest replication latency of the run. With R = 3 (R + W > 3) every read
 * overlaps the write quorum: 1.0 at every delay. Also: no read fails, and stale reads are
 * counted by versions behind. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

static char scratch[4096];

static cJSON *run_summary(const char *read_quorum) {
    char scenario[4096], set[64];
    snprintf(scenario, sizeof scenario, "%s/scenarios/quorum-reads.json", rs_test_source_dir());
    snprintf(set, sizeof set, "consistency.read_quorum=%s", read_quorum);
    const char *args[] = {scenario, "--set", set, NULL};
    return rs_test_run_summary(scratch, args, 0);
}

#define member rs_test_member

static void test_r1_curve_rises_to_one(void) {
    cJSON *summary = run_summary("1");
    const cJSON *reads = member(summary, "reads");
    CU_ASSERT_TRUE(cJSON_IsTrue(member(reads, "partial_quorum")));
    CU_ASSERT_EQUAL(member(reads, "failed")->valuedouble, 0);
    double max_replication_ms =
        member(member(member(summary, "replication_latency_ms"), "all"), "max")->valuedouble;
    const cJSON *probe;
    double previous = -1;
    int between = 0, at_one = 0, count = 0;
    cJSON_ArrayForEach(probe, member(reads, "probes")) {
        double delay_ms = member(probe, "delay_ms")->valuedouble;
        double share = member(probe, "p_consistent")->valuedouble;
        CU_ASSERT_TRUE(member(probe, "reads")->valuedouble > 200);
        if (count++ == 0) {
            CU_ASSERT_EQUAL(delay_ms, 0);
            CU_ASSERT_EQUAL(share, 0.0);
        }
        CU_ASSERT_TRUE(share >= previous);              /* rises, never falls */
        if (delay_ms > max_replication_ms) {
            CU_ASSERT_EQUAL(share, 1.0);
            at_one++;
        }
        between += share > 0 && share < 1;
        previous = share;
    }
    CU_ASSERT_EQUAL(count, 11);
    CU_ASSERT_EQUAL(at_one, 2);                         /* 150 and 200 ms > 124.5 ms */
    CU_ASSERT_TRUE(between >= 3);
    double stale_one_behind = member(member(reads, "stale_versions_behind"), "1")->valuedouble;
    CU_ASSERT_TRUE(stale_one_behind > 263);             /* every 0 ms probe, and more */
    cJSON_Delete(summary);
}

static void test_r3_overlaps_every_write(void) {
    cJSON *summary = run_summary("3");
    const cJSON *reads = member(summary, "reads");
    CU_ASSERT_TRUE(cJSON_IsFalse(member(reads, "partial_quorum")));
    const cJSON *probe;
    cJSON_ArrayForEach(probe, member(reads, "probes")) {
        CU_ASSERT_EQUAL(member(probe, "p_consistent")->valuedouble, 1.0);
    }
    CU_ASSERT_EQUAL(member(member(reads, "random"), "p_consistent")->valuedouble, 1.0);
    cJSON_Delete(summary);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"R=1: the probe curve rises to 1.0", test_r1_curve_rises_to_one},
        {"R=3: every read overlaps the write", test_r3_overlaps_every_write},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("quorum reads end to end", tests);
    return rs_test_run_all();
}
