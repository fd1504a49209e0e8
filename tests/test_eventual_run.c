/* test_eventual_run.c — eventual consistency end to end, against values derived from the
 * scenario's parameters. Two stores in eu (manager, client at a constant 100/s), two in us,
 * 40 ms apart; us is partitioned away from 10 s to 20 s; the write quorum is 1. Derived: the
 * appends to us of requests reaching the manager at m in [10 s - 40.2046 ms, 20 s) are lost
 * (sent into the cut, or in flight when it starts), i.e. i = 996..1999 (m = i x 10 ms +
 * 0.2 ms): 1004 events on each of 2 stores, 2008 missing replicas. Every request succeeds
 * (eu's stores confirm). With anti-entropy on, the checker finds and re-appends all 2008 and
 * every store ends with all 3000 events (convergence holds); with compensation "off" it
 * still counts 2008 missing, repairs none, and the convergence invariant reports exactly
 * those 2008 replicas, failing the run (exit 1). Then the bundled partition-heal.json and
 * crash-recovery.json: their convergence time after the heal and recovery time after the
 * restart, derived below from their parameters, hop by hop. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

#include "tests/support/test_util.h"

static char scratch[4096];

static const char *scenario_format =
    "{\"name\": \"eventual\", \"seed\": 11, \"duration_s\": 30, \"settle_s\": 10,\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 2, \"managers\": 1, \"clients\": 1},\n"
    "   {\"name\": \"us\", \"stores\": 2}],\n"
    "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000}]},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 300},\n"
    " \"consistency\": {\"type\": \"eventual\", \"write_quorum\": 1, \"interval_ms\": 1000,\n"
    "   \"grace_ms\": 500, \"query_timeout_ms\": 300, \"compensation\": \"%s\"},\n"
    " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\", \"streams\": 50},\n"
    " \"faults\": [{\"kind\": \"partition\", \"at_s\": 10, \"for_s\": 10, \"groups\": [[\"eu\"], [\"us\"]]}],\n"
    " \"expect\": {\"tolerate\": [\"stream_order\"]}}\n";

static cJSON *run_summary(const char *compensation, int expected_status) {
    char text[2048];
    snprintf(text, sizeof text, scenario_format, compensation);
    const char *file = rs_test_path(scratch, "eventual.json");
    rs_test_write_file(file, text);
    const char *args[] = {file, NULL};
    return rs_test_run_summary(scratch, args, expected_status);
}

#define member rs_test_member

static double counter(const cJSON *summary, const char *name) {
    return member(member(member(summary, "strategy_metrics"), "counters"), name)->valuedouble;
}

static int derived_missing_replicas(void) {
    const double to_us_s = 0.0402 + 576.0 * 8 / 1e9;
    int events = 0;
    for (int i = 0; i < 3000; i++) {
        double arrival_s = i * 0.01 + 0.0002;
        events += arrival_s + to_us_s >= 10.0 && arrival_s < 20.0;
    }
    return 2 * events;
}

static void test_anti_entropy_repairs_every_missing_replica(void) {
    cJSON *summary = run_summary("repair", 0);
    CU_ASSERT_EQUAL(derived_missing_replicas(), 2008);
    CU_ASSERT_EQUAL(member(member(summary, "requests"), "ok")->valuedouble, 3000);
    CU_ASSERT_EQUAL(counter(summary, "eventual_missing_replicas"), derived_missing_replicas());
    CU_ASSERT_EQUAL(counter(summary, "eventual_repaired_replicas"), derived_missing_replicas());
    const cJSON *store;
    cJSON_ArrayForEach(store, member(summary, "stores")) {
        CU_ASSERT_EQUAL(member(store, "final_events")->valuedouble, 3000);
    }
    const cJSON *convergence = member(member(summary, "invariants"), "convergence");
    CU_ASSERT_TRUE(cJSON_IsTrue(member(convergence, "checked")));
    CU_ASSERT_EQUAL(member(convergence, "violations")->valuedouble, 0);
    cJSON_Delete(summary);
}

/* Revert instead: the 1004 events us missed are cancelled — a compensating event each,
 * appended to all four stores (4016 stored) — and never re-appended: eu's stores end with
 * 3000 + 1004 events, us's with 3000 - 1004 + 1004; convergence holds (a cancelled event is
 * settled wherever it is). Durability holds: every acked event is still on eu's stores. */
static void test_revert_cancels_every_missing_event(void) {
    cJSON *summary = run_summary("revert", 0);
    int events = derived_missing_replicas() / 2;
    CU_ASSERT_EQUAL(counter(summary, "eventual_reverted_events"), events);
    CU_ASSERT_EQUAL(counter(summary, "eventual_compensations_stored"), 4 * events);
    CU_ASSERT_EQUAL(counter(summary, "eventual_missing_replicas"), 2 * events);
    const cJSON *store;
    cJSON_ArrayForEach(store, member(summary, "stores")) {
        bool eu = strncmp(member(store, "name")->valuestring, "eu/", 3) == 0;
        CU_ASSERT_EQUAL(member(store, "final_events")->valuedouble, eu ? 3000 + events : 3000);
    }
    const cJSON *invariants = member(summary, "invariants");
    CU_ASSERT_EQUAL(member(member(invariants, "convergence"), "violations")->valuedouble, 0);
    CU_ASSERT_EQUAL(member(member(invariants, "durability"), "violations")->valuedouble, 0);
    cJSON_Delete(summary);
}

static void test_without_repair_convergence_fails(void) {
    cJSON *summary = run_summary("off", 1);
    /* detected again by every check: checks run at 1 s, 2 s, ... 40 s; during the cut the
     * us stores sit out (their digests time out); the checks of 21 s .. 39 s each find all
     * 2008, the one at 20 s only those past the grace time by then, the one at 40 s ends
     * with the run */
    CU_ASSERT_EQUAL(counter(summary, "eventual_checks"), 40);
    double detected = counter(summary, "eventual_missing_replicas");
    CU_ASSERT_TRUE(detected >= 19.0 * derived_missing_replicas());
    CU_ASSERT_TRUE(detected < 20.0 * derived_missing_replicas());
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(
        member(member(summary, "strategy_metrics"), "counters"), "eventual_repaired_replicas"));
    const cJSON *convergence = member(member(summary, "invariants"), "convergence");
    CU_ASSERT_EQUAL(member(convergence, "violations")->valuedouble, derived_missing_replicas());
    CU_ASSERT_STRING_EQUAL(member(summary, "verdict")->valuestring, "fail");
    cJSON_Delete(summary);
}

/* --- the bundled partition-heal.json and crash-recovery.json --------------------------------
 *
 * Both: 3 stores, one per region (eu with the manager and the client), eu-us 40.2 ms one way
 * at 1 Gb/s, eu-ap 75.2 ms at 500 Mb/s (links + the 0.2 ms inside eu), one stream, event k
 * (from 1) invoked at (k-1) x 100 ms and reaching the manager 0.2 ms later, 512 B events (576 B
 * on the wire), 1 ms per append, anti-entropy every 1 s with no grace. A check at time T:
 * digests (64 B asks, 84 B answers: one stream) come back from every store; then each store's
 * read of the stream comes back (64 B ask, 64 + 512 B per held event answer); then the events
 * one store lacks go to it in one append (64 + 512 B each), applied 1 ms after arrival. */

typedef struct hop {
    double latency_s;       /* one way, eu manager -> the store */
    double bits_per_s;      /* the link's bandwidth */
} hop;

static const hop to_eu = {0.0002, 10e9}, to_us = {0.0402, 1e9}, to_ap = {0.0752, 500e6};

static double one_way(hop h, double bytes) { return h.latency_s + bytes * 8 / h.bits_per_s; }

static double arrival_at_manager(int k) { return (k - 1) * 0.1 + 0.0002; }

/* When event k's regular append is applied at the store behind `h`. */
static double applied(hop h, int k) { return arrival_at_manager(k) + one_way(h, 576) + 0.001; }

/* Events applied at the store behind `h` by `at`, except those in (lost_from, lost_to]. */
static int held(hop h, double at, double lost_from, double lost_to, int events) {
    int count = 0;
    for (int k = 1; k <= events; k++) {
        double when = applied(h, k);
        count += when <= at && !(when > lost_from && when <= lost_to);
    }
    return count;
}

/* When the repair of `missing` events to the store behind `lacking` is applied, for a check
 * at `check_s`, given how many events each store holds when its read arrives. */
static double repaired_at(double check_s, hop lacking, int missing, const int held_by[3]) {
    const hop stores[3] = {to_eu, to_us, to_ap};
    double digests = 0, reads = 0;
    for (int s = 0; s < 3; s++) {
        double back = one_way(stores[s], 64) + one_way(stores[s], 84);
        digests = back > digests ? back : digests;
    }
    for (int s = 0; s < 3; s++) {
        double back = one_way(stores[s], 64) + one_way(stores[s], 64 + 512.0 * held_by[s]);
        reads = back > reads ? back : reads;
    }
    return check_s + digests + reads + one_way(lacking, 64 + 512.0 * missing) + 0.001;
}

static double number_at(const cJSON *array, const char *name) {
    const cJSON *entry = cJSON_GetArrayItem(array, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    return member(entry, name)->valuedouble;
}

/* ap is cut off [15 s, 25 s): the appends of events 151..250 never reach it (sent into the
 * cut). The check at 25 s reads ap when it holds events 1..150 and the two applied since the
 * heal (251, 252: applied by the read's arrival), eu and us all 252; the repair of the 100
 * lands 0.3790698 s after the heal. */
static void test_partition_heal_converges_when_derived(void) {
    char scenario[4096];
    snprintf(scenario, sizeof scenario, "%s/scenarios/partition-heal.json", rs_test_source_dir());
    const char *args[] = {scenario, NULL};
    cJSON *summary = rs_test_run_summary(scratch, args, 0);
    double read_at_ap = 25 + one_way(to_ap, 64) + one_way(to_ap, 84) + one_way(to_ap, 64);
    int missing = 0;
    for (int k = 1; k <= 400; k++) {
        double sent = arrival_at_manager(k);
        missing += sent + one_way(to_ap, 576) >= 15.0 && sent < 25.0;
    }
    CU_ASSERT_EQUAL(missing, 100);
    int held_by[3] = {held(to_eu, read_at_ap, 0, 0, 400), held(to_us, read_at_ap, 0, 0, 400),
                      held(to_ap, read_at_ap, 0, 0, 400) - missing};
    CU_ASSERT_EQUAL(held_by[2], 152);
    double expected_s = repaired_at(25.0, to_ap, missing, held_by) - 25.0;
    const cJSON *convergence = member(summary, "convergence");
    CU_ASSERT_DOUBLE_EQUAL(number_at(convergence, "heal_s"), 25.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(number_at(convergence, "convergence_s"), expected_s, 2e-6);
    CU_ASSERT_DOUBLE_EQUAL(expected_s, 0.3790698, 1e-7);
    CU_ASSERT_EQUAL(counter(summary, "eventual_repaired_replicas"), missing);
    cJSON_Delete(summary);
}

/* us/store-1 is down [10.05 s, 15.05 s) with an fsync every 100 ms: it loses event 101
 * (applied at 10.0414 s, after the 10.0 s sync) and the appends of events 102..151 (sent while
 * it is down). The check at 15 s finds it down (it sits out); the check at 16 s reads ap
 * holding events 1..162 and repairs the 51 at us 1.2935409 s after the restart. */
static void test_crash_recovery_recovers_when_derived(void) {
    char scenario[4096];
    snprintf(scenario, sizeof scenario, "%s/scenarios/crash-recovery.json", rs_test_source_dir());
    const char *args[] = {scenario, NULL};
    cJSON *summary = rs_test_run_summary(scratch, args, 0);
    int lost_by_fsync = 0, dropped = 0;
    for (int k = 1; k <= 300; k++) {
        double sent = arrival_at_manager(k), done = applied(to_us, k);
        lost_by_fsync += done > 10.0 && done <= 10.05;
        dropped += done > 10.05 - 0.001 && sent < 15.05 && !(done > 10.0 && done <= 10.05);
    }
    CU_ASSERT_EQUAL(lost_by_fsync, 1);
    CU_ASSERT_EQUAL(dropped, 50);
    int missing = lost_by_fsync + dropped;
    double read_at_ap = 16 + one_way(to_ap, 64) + one_way(to_ap, 84) + one_way(to_ap, 64);
    int held_by[3] = {held(to_eu, read_at_ap, 0, 0, 300), 0, held(to_ap, read_at_ap, 0, 0, 300)};
    CU_ASSERT_EQUAL(held_by[2], 162);
    held_by[1] = held_by[2] - missing; /* us: smaller, and answering sooner: not the last */
    double expected_s = repaired_at(16.0, to_us, missing, held_by) - 15.05;
    const cJSON *recovery = member(summary, "recovery");
    CU_ASSERT_DOUBLE_EQUAL(number_at(recovery, "restart_s"), 15.05, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(number_at(recovery, "recovery_s"), expected_s, 2e-6);
    CU_ASSERT_DOUBLE_EQUAL(expected_s, 1.2935409, 1e-7);
    CU_ASSERT_EQUAL(counter(summary, "eventual_repaired_replicas"), missing);
    CU_ASSERT_EQUAL(number_at(member(summary, "crashes"), "events_lost"), lost_by_fsync);
    cJSON_Delete(summary);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"anti-entropy repairs every missing replica",
         test_anti_entropy_repairs_every_missing_replica},
        {"revert cancels every missing event", test_revert_cancels_every_missing_event},
        {"without repair, convergence fails", test_without_repair_convergence_fails},
        {"partition-heal.json: convergence time as derived",
         test_partition_heal_converges_when_derived},
        {"crash-recovery.json: recovery time as derived", test_crash_recovery_recovers_when_derived},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("eventual end to end", tests);
    return rs_test_run_all();
}
