/* test_faults_more.c — the message, store, clock and corruption faults, and the recovery,
 * convergence and consistency KPIs, have exactly the effects their parameters imply. Method:
 * small scenarios (constant arrivals, declared latencies, no jitter) run through the replsim
 * binary; summary.json and timeseries.csv are compared with figures derived here from the
 * same parameters; the clock arithmetic is also checked on rs_fault_clock_us directly, the
 * fault streams' independence by comparing runs with and without a fault, and `replsim list`
 * against the kind table. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults/fault.h"
#include "tests/support/test_util.h"

static char scratch[4096];

/* One region eu: two stores, a manager and a client at a constant 100/s for 10 s, star over
 * both stores, quorum given; %s = transport, %s = the faults array. Intra-region messages take
 * 0.2 ms + size at 10 Gb/s; a store serves an append in 1 ms. */
static const char *local_scenario =
    "{\"name\": \"local\", \"seed\": 5, \"duration_s\": 10, \"settle_s\": 2,\n"
    " \"network\": {\"transport\": \"%s\"},\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 2, \"managers\": 1, "
    "\"clients\": 1}]},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 500},\n"
    " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": %d},\n"
    " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\"},\n"
    " \"expect\": {\"tolerate\": [\"integrity\", \"stream_order\"]},\n"
    " \"faults\": [%s]}\n";

/* Client -> manager and manager -> store: 0.2 ms + 576 B at 10 Gb/s each. */
static const double hop_s = 0.0002 + 576.0 * 8 / 1e10;

static cJSON *run_summary(const char *name, const char *text, char **timeseries) {
    const char *file = rs_test_path(scratch, name);
    rs_test_write_file(file, text);
    char out[4200];
    snprintf(out, sizeof out, "%s", rs_test_path(scratch, "out"));
    const char *argv[] = {rs_test_replsim(), "run", file, "--out", out, NULL};
    int status = rs_test_exec(argv, rs_test_path(scratch, "stdout"), rs_test_path(scratch, "stderr"));
    CU_ASSERT_EQUAL_FATAL(status, 0);
    char *summary_text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_text);
    cJSON *summary = cJSON_Parse(summary_text);
    free(summary_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    if (timeseries != NULL) {
        *timeseries = rs_test_slurp(rs_test_path(out, "timeseries.csv"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(*timeseries);
    }
    return summary;
}

static cJSON *run_local(const char *transport, int quorum, const char *faults) {
    char text[4096];
    snprintf(text, sizeof text, local_scenario, transport, quorum, faults);
    return run_summary("local.json", text, NULL);
}

/* summary[a][b][c] (b, c optional) as a number; fails the test when it is not one. */
static double field(const cJSON *node, const char *a, const char *b, const char *c) {
    node = cJSON_GetObjectItemCaseSensitive(node, a);
    node = b != NULL ? cJSON_GetObjectItemCaseSensitive(node, b) : node;
    node = c != NULL ? cJSON_GetObjectItemCaseSensitive(node, c) : node;
    if (!cJSON_IsNumber(node)) {
        printf("\n    %s.%s.%s is not a number\n", a, b != NULL ? b : "", c != NULL ? c : "");
    }
    CU_ASSERT_FATAL(cJSON_IsNumber(node));
    return node->valuedouble;
}

static const cJSON *store_entry(const cJSON *summary, const char *store) {
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(summary, "stores")) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(entry, "name")->valuestring, store) == 0) {
            return entry;
        }
    }
    CU_FAIL_FATAL("store missing from the summary");
    return NULL;
}

/* duplicate p=1 between the manager and eu/store-1 over the whole run: each of the 1000
 * appends reaches it twice (1000 copies); the store serves both and replies to each, and each
 * of those 2000 replies is copied too: 3000 copies. The store, idempotent by event id, holds
 * each event once and records 1000 duplicate appends. Both transports give the same counts. */
static void test_duplicate_delivers_twice_and_stores_stay_idempotent(void) {
    const char *fault = "{\"kind\": \"duplicate\", \"between\": [\"eu/manager-1\", "
                        "\"eu/store-1\"], \"at_s\": 0, \"for_s\": 12, \"probability\": 1}";
    for (int t = 0; t < 2; t++) {
        cJSON *summary = run_local(t == 0 ? "flow" : "latency", 2, fault);
        CU_ASSERT_EQUAL(field(summary, "requests", "ok", NULL), 1000);
        CU_ASSERT_EQUAL(field(summary, "messages_duplicated_by_faults", NULL, NULL), 3000);
        const cJSON *one = store_entry(summary, "eu/store-1");
        CU_ASSERT_EQUAL(field(one, "appends", NULL, NULL), 1000);
        CU_ASSERT_EQUAL(field(one, "duplicates", NULL, NULL), 1000);
        CU_ASSERT_EQUAL(field(one, "final_events", NULL, NULL), 1000);
        CU_ASSERT_EQUAL(field(store_entry(summary, "eu/store-2"), "duplicates", NULL, NULL), 0);
        CU_ASSERT_EQUAL(field(summary, "invariants", "no_duplicates", "violations"), 0);
        cJSON_Delete(summary);
    }
}

/* reorder p=1 with holds up to 50 ms on the manager <-> eu/store-1 pair: every message is held
 * back (1000 appends and 1000 replies), so later appends overtake earlier ones (the store then
 * holds versions of a stream out of order: stream_order, tolerated here); the store still
 * holds every event once and every request succeeds (holds < the 500 ms timeout). The draws
 * are made at send, so both transports see the same holds and the same overtakings. */
static void test_reorder_holds_back_every_message_it_draws(void) {
    const char *fault = "{\"kind\": \"reorder\", \"between\": [\"eu/manager-1\", "
                        "\"eu/store-1\"], \"at_s\": 0, \"for_s\": 12, \"probability\": 1, "
                        "\"delay_ms_max\": 50}";
    double reordered[2], out_of_order[2];
    for (int t = 0; t < 2; t++) {
        cJSON *summary = run_local(t == 0 ? "flow" : "latency", 2, fault);
        reordered[t] = field(summary, "messages_reordered_by_faults", NULL, NULL);
        out_of_order[t] = field(summary, "invariants", "stream_order", "violations");
        CU_ASSERT_EQUAL(field(summary, "requests", "ok", NULL), 1000);
        CU_ASSERT_EQUAL(field(store_entry(summary, "eu/store-1"), "final_events", NULL, NULL), 1000);
        CU_ASSERT_EQUAL(field(store_entry(summary, "eu/store-2"), "final_events", NULL, NULL), 1000);
        const cJSON *per_store = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(summary, "replication_latency_ms"), "per_store");
        CU_ASSERT(field(per_store, "eu/store-1", "max", NULL) > (hop_s + 0.001) * 1e3 + 1);
        CU_ASSERT(field(per_store, "eu/store-1", "max", NULL) <= (hop_s + 0.001 + 0.05) * 1e3 + 0.002);
        cJSON_Delete(summary);
    }
    CU_ASSERT_EQUAL(reordered[0], 2000);
    CU_ASSERT_EQUAL(reordered[1], 2000);
    CU_ASSERT(out_of_order[0] > 0);
    CU_ASSERT_EQUAL(out_of_order[0], out_of_order[1]);
}

/* full_store on eu/store-1 in [5 s, 6 s): request i's append ends its service at
 * i x 10 ms + 2 hops + 1 ms; exactly those ending in the window are refused, so under a 2-of-2
 * quorum exactly those requests fail and the store lacks exactly those events. */
static void test_full_store_fails_exactly_the_appends_served_in_it(void) {
    int expected = 0;
    for (int i = 0; i < 1000; i++) {
        double done_s = i * 0.01 + 2 * hop_s + 0.001;
        expected += done_s >= 5.0 && done_s < 6.0;
    }
    CU_ASSERT_EQUAL(expected, 100);
    cJSON *summary = run_local("flow", 2, "{\"kind\": \"full_store\", \"store\": \"eu/store-1\", "
                                          "\"at_s\": 5, \"for_s\": 1}");
    CU_ASSERT_EQUAL(field(summary, "appends_rejected_by_faults", NULL, NULL), expected);
    CU_ASSERT_EQUAL(field(summary, "requests", "failed", NULL), expected);
    CU_ASSERT_EQUAL(field(store_entry(summary, "eu/store-1"), "final_events", NULL, NULL),
                    1000 - expected);
    CU_ASSERT_EQUAL(field(store_entry(summary, "eu/store-2"), "final_events", NULL, NULL), 1000);
    cJSON_Delete(summary);
}

/* slow_store x5 on eu/store-1 for the whole run: its replication latency (manager arrival ->
 * append) is one hop + 5 ms instead of one hop + 1 ms, i.e. 4 ms more at every quantile; the
 * other store is unchanged. One request every 10 ms never queues behind a 5 ms service. */
static void test_slow_store_adds_the_computed_service_time(void) {
    cJSON *summary = run_local("flow", 2, "{\"kind\": \"slow_store\", \"store\": \"eu/store-1\", "
                                          "\"at_s\": 0, \"for_s\": 12, \"factor\": 5}");
    const cJSON *per_store = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(summary, "replication_latency_ms"), "per_store");
    CU_ASSERT_DOUBLE_EQUAL(field(per_store, "eu/store-1", "min", NULL), (hop_s + 0.005) * 1e3, 0.0015);
    CU_ASSERT_DOUBLE_EQUAL(field(per_store, "eu/store-1", "max", NULL), (hop_s + 0.005) * 1e3, 0.0015);
    CU_ASSERT_DOUBLE_EQUAL(field(per_store, "eu/store-2", "max", NULL), (hop_s + 0.001) * 1e3, 0.0015);
    double p50_slow = field(per_store, "eu/store-1", "p50", NULL);
    double p50_fast = field(per_store, "eu/store-2", "p50", NULL);
    CU_ASSERT_DOUBLE_EQUAL(p50_slow - p50_fast, 4.0, 0.004 * p50_slow + 0.002); /* histogram */
    cJSON_Delete(summary);
}

/* clock +500 ms on the manager from 5.0005 s to the end: star measures each store's latency
 * on the manager's clock (now_us at the reply - now_us at the send); request 500 is sent at
 * 5.0002 s and answered after the skew began, so exactly one sample per store is 500 ms
 * longer: the maximum moves by exactly 500 ms, the minimum not at all. */
static void test_clock_skew_shifts_what_the_strategy_reads_by_the_offset(void) {
    cJSON *plain = run_local("flow", 2, "");
    cJSON *skewed = run_local("flow", 2, "{\"kind\": \"clock\", \"node\": \"eu/manager-1\", "
                                         "\"at_s\": 5.0005, \"until_s\": 12, \"offset_ms\": 500}");
    const cJSON *a = store_entry(plain, "eu/store-1"), *b = store_entry(skewed, "eu/store-1");
    double max_plain = field(a, "strategy_observed_latency_ms", "max", NULL);
    double max_skewed = field(b, "strategy_observed_latency_ms", "max", NULL);
    CU_ASSERT_DOUBLE_EQUAL(max_skewed - max_plain, 500.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(field(b, "strategy_observed_latency_ms", "min", NULL),
                           field(a, "strategy_observed_latency_ms", "min", NULL), 1e-9);
    /* simulated time is unchanged: the world's own latencies do not move */
    CU_ASSERT_DOUBLE_EQUAL(field(skewed, "write_latency_ms", "max", NULL),
                           field(plain, "write_latency_ms", "max", NULL), 1e-9);
    cJSON_Delete(plain);
    cJSON_Delete(skewed);
}

/* The clock arithmetic itself: offset plus drift of the time since the window's start, true
 * time outside the window, and never backwards inside it. */
static void test_clock_fault_arithmetic(void) {
    rs_fault fault = {.kind = RS_FAULT_CLOCK, .start_us = 1000000, .end_us = 3000000,
                      .offset_ms = 500, .drift_ppm = 100};
    CU_ASSERT_EQUAL(rs_fault_clock_us(&fault, 999999), 999999);
    CU_ASSERT_EQUAL(rs_fault_clock_us(&fault, 1000000), 1500000);
    CU_ASSERT_EQUAL(rs_fault_clock_us(&fault, 2000000), 2000000 + 500000 + 100);
    CU_ASSERT_EQUAL(rs_fault_clock_us(&fault, 3000000), 3000000);
    fault.offset_ms = -250;
    fault.drift_ppm = -100000;
    int64_t last = rs_fault_clock_us(&fault, 1000000);
    CU_ASSERT_EQUAL(last, 750000);
    for (int64_t t = 1000001; t < 3000000; t += 7) {
        int64_t now = rs_fault_clock_us(&fault, t);
        CU_ASSERT_FATAL(now >= last);
        last = now;
    }
}

/* corrupt eu/store-1 at 5.0005 s: it then holds the events appended by then (append of
 * request i at i x 10 ms + 2 hops + 1 ms); every one is flagged by integrity, counted as
 * corrupted and as detected; eu/store-2 is untouched. */
static void test_corrupt_is_revealed_for_exactly_the_events_held(void) {
    int held = 0;
    for (int i = 0; i < 1000; i++) {
        held += i * 0.01 + 2 * hop_s + 0.001 <= 5.0005;
    }
    CU_ASSERT_EQUAL(held, 500);
    cJSON *summary = run_local("flow", 2, "{\"kind\": \"corrupt\", \"store\": \"eu/store-1\", "
                                          "\"at_s\": 5.0005, \"for_s\": 1}");
    CU_ASSERT_EQUAL(field(summary, "invariants", "integrity", "violations"), held);
    CU_ASSERT_EQUAL(field(summary, "integrity", "events_corrupted", NULL), held);
    CU_ASSERT_EQUAL(field(summary, "integrity", "corrupted_events_detected", NULL), held);
    CU_ASSERT_EQUAL(field(store_entry(summary, "eu/store-1"), "final_events", NULL, NULL), 1000);
    cJSON_Delete(summary);
}

/* Column consistency_pct of timeseries.csv at row `row` (NaN when empty or absent). */
static double consistency_at(const char *csv, int row) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "\n%d,", row);
    const char *line = strstr(csv, prefix);
    if (line == NULL) {
        return NAN;
    }
    line++;
    for (int comma = 0; comma < 10; comma++) {
        line = strchr(line, ',');
        if (line == NULL) {
            return NAN;
        }
        line++;
    }
    return *line == ',' || *line == '\n' ? NAN : strtod(line, NULL);
}

#define LOOSE_ZERO_US 2e-6 /* µs rounding of SimGrid times, and bandwidth terms below 1 µs */

/* The three-region partition of test_faults.c (ap cut off in [10 s, 20 s), constant 100/s,
 * star over all three stores, quorum 2). */
static const char *partition_scenario =
    "{\"name\": \"heal\", \"seed\": 3, \"duration_s\": 30, \"settle_s\": 5,\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, \"clients\": 1},\n"
    "   {\"name\": \"us\", \"stores\": 1}, {\"name\": \"ap\", \"stores\": 1}],\n"
    "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000},\n"
    "   {\"between\": [\"eu\", \"ap\"], \"latency_ms\": 75, \"bandwidth_mbps\": 500},\n"
    "   {\"between\": [\"us\", \"ap\"], \"latency_ms\": 100, \"bandwidth_mbps\": 500}]},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 500},\n"
    " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": 2},\n"
    " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\"},\n"
    " \"faults\": [{\"kind\": \"partition\", \"at_s\": 10, \"for_s\": 10, \"one_way\": %s,\n"
    "   \"groups\": [[\"ap\"], [\"eu\", \"us\"]]}]}\n";

static const double to_ap_s = 0.0752 + 576.0 * 8 / 500e6;

/* Heal at 20 s. One way (ap cannot reach eu: only replies are lost), every store gets every
 * event, and they agree once the last event created before the heal (request 1999, at
 * 19.99 s) lands on ap: 19.99 + 0.2 ms + to_ap + 1 ms. Symmetric, star never repairs: ap
 * lacks the events sent to it in the window for good, so convergence is never (null) with
 * exactly those events diverging. */
static void test_convergence_after_heal_matches_the_last_event_in_flight(void) {
    char text[4096];
    snprintf(text, sizeof text, partition_scenario, "true");
    char *csv = NULL;
    cJSON *one_way = run_summary("heal1.json", text, &csv);
    const cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(one_way, "convergence"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    double expected_s = 19.99 + 0.0002 + to_ap_s + 0.001 - 20.0;
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "heal_s", NULL, NULL), 20.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "convergence_s", NULL, NULL), expected_s, LOOSE_ZERO_US);
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "stores", "ap/store-1", NULL), expected_s, LOOSE_ZERO_US);
    CU_ASSERT_EQUAL(field(entry, "events_diverging", NULL, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(field(one_way, "convergence_after_heal_s_max", NULL, NULL), expected_s,
                           LOOSE_ZERO_US);
    /* every event reaches all three stores (ap after 76.2 ms) before its ack (81.4 ms, from
     * us under quorum 2): 100% at every second */
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, ",faults_active,consistency_pct\n"));
    for (int row = 0; row < 35; row++) {
        CU_ASSERT_DOUBLE_EQUAL(consistency_at(csv, row), 100.0, 1e-9);
    }
    free(csv);
    cJSON_Delete(one_way);

    snprintf(text, sizeof text, partition_scenario, "false");
    cJSON *cut = run_summary("heal2.json", text, &csv);
    entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cut, "convergence"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    int lost = 0;
    for (int i = 0; i < 3000; i++) {
        double arrival_s = i * 0.01 + 0.0002;
        lost += arrival_s + to_ap_s >= 10.0 && arrival_s < 20.0;
    }
    CU_ASSERT_EQUAL(lost, 1007);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(entry, "convergence_s")));
    CU_ASSERT_EQUAL(field(entry, "events_diverging", NULL, NULL), lost);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cut, "convergence_after_heal_s_max")));
    cJSON_Delete(cut);
    /* consistency at the end of second k: of the requests acked by then (manager arrival
     * m_i + the us round trip), the share whose event ap got (not lost; ap appends at
     * m_i + 76.2 ms, before the ack) */
    const double round_trip_s = 2 * 0.0402 + 576.0 * 8 / 1e9 + 64.0 * 8 / 1e9 + 0.001;
    for (int row = 0; row < 35; row++) {
        double until_s = row + 1 - 1e-6;
        int acked = 0, full = 0;
        for (int i = 0; i < 3000; i++) {
            double arrival_s = i * 0.01 + hop_s;
            if (arrival_s + round_trip_s <= until_s) {
                acked++;
                full += !(arrival_s + to_ap_s >= 10.0 && arrival_s < 20.0);
            }
        }
        CU_ASSERT_DOUBLE_EQUAL(consistency_at(csv, row), 100.0 * full / acked, 0.0005);
    }
    free(csv);
}

/* An async queue (primary eu/store-1, secondary us/store-1, 200 workers, retry after a fixed
 * 1 s backoff, timeout 500 ms) while us/store-1 is down in [10.05 s, 11.05 s) (fsync: it loses
 * nothing stored). Request i's job leaves at p_i = i x 10 ms + 2 hops + 1 ms + the reply hop
 * and lands 40.2 ms + 576 B at 1 Gb/s + 1 ms later; a job sent while the store is down, or
 * arriving or in service then, is lost and retried 0.5 + 1 s after it left. Recovery: from
 * the restart until the store holds every event created before it (i <= 1104): the latest
 * such append, minus 11.05 s. */
static void test_recovery_after_crash_matches_the_retry_schedule(void) {
    const char *text =
        "{\"name\": \"recovery\", \"seed\": 7, \"duration_s\": 20, \"settle_s\": 5,\n"
        " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, "
        "\"clients\": 1}, {\"name\": \"us\", \"stores\": 1}],\n"
        "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000}]},\n"
        " \"stores\": {\"append_ms\": 1, \"durability\": \"fsync\"},\n"
        " \"strategy\": {\"type\": \"async_queue\", \"workers\": 200, \"max_retries\": 5,\n"
        "   \"backoff_initial_ms\": 1000, \"backoff_max_ms\": 1000, \"timeout_ms\": 500},\n"
        " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": 1},\n"
        " \"workload\": {\"rate_per_s\": 100, \"arrival\": \"constant\"},\n"
        " \"expect\": {\"tolerate\": [\"stream_order\"]},\n"
        " \"faults\": [{\"kind\": \"crash\", \"node\": \"us/store-1\", \"at_s\": 10.05, "
        "\"for_s\": 1}]}\n";
    const double reply_hop_s = 0.0002 + 64.0 * 8 / 1e10;
    const double transit_s = 0.0402 + 576.0 * 8 / 1e9;
    double latest_s = 0;
    int lost = 0;
    for (int i = 0; i * 0.01 < 11.05; i++) {
        double sent_s = i * 0.01 + 2 * hop_s + 0.001 + reply_hop_s;
        bool dropped = sent_s + transit_s + 0.001 > 10.05 && sent_s < 11.05;
        lost += dropped;
        double appended_s = sent_s + (dropped ? 1.5 : 0) + transit_s + 0.001;
        latest_s = appended_s > latest_s ? appended_s : latest_s;
    }
    CU_ASSERT_EQUAL(lost, 104);
    cJSON *summary = run_summary("recovery.json", text, NULL);
    const cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(summary, "recovery"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "restart_s", NULL, NULL), 11.05, 1e-9);
    /* eight hops each rounded to the µs by the simulation, and 6 decimals in the JSON */
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "recovery_s", NULL, NULL), latest_s - 11.05, 1e-5);
    CU_ASSERT_EQUAL(field(entry, "events_missing", NULL, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(field(summary, "recovery_s_max", NULL, NULL), latest_s - 11.05, 1e-5);
    CU_ASSERT(fabs(field(entry, "recovery_s", NULL, NULL) - (latest_s - 1.5 - 11.05)) > 1.0);
    CU_ASSERT_EQUAL(field(summary, "strategy_metrics", "counters", "async_retries"), lost);
    cJSON_Delete(summary);
}

/* A bundled scenario with its anti-entropy switched off ("compensation": "off", and the
 * convergence invariant that this breaks tolerated): what a strategy without repair does. */
static cJSON *run_bundled_without_repair(const char *name) {
    char path[4200];
    snprintf(path, sizeof path, "%s/scenarios/%s", rs_test_source_dir(), name);
    char *text = rs_test_slurp(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    char edited[8192];
    const char *grace = strstr(text, "\"grace_ms\": 0,");
    const char *tolerate = strstr(text, "\"tolerate\": [\"stream_order\"]");
    CU_ASSERT_FATAL(grace != NULL && tolerate != NULL && grace < tolerate);
    snprintf(edited, sizeof edited, "%.*s\"compensation\": \"off\", %.*s\"convergence\", %s",
             (int)(grace - text), text, (int)(tolerate + 13 - grace), grace, tolerate + 13);
    cJSON *summary = run_summary(name, edited, NULL);
    free(text);
    return summary;
}

/* Without repair nothing re-sends what a fault cost a store (the bundled scenarios repair it
 * by anti-entropy: tests/test_eventual_run.c derives those times). In crash-recovery.json
 * us/store-1 (down 10.05-15.05 s, periodic fsync) then never recovers: null,
 * missing exactly the events it lacks at the end (the other stores hold every event, and after
 * the restart nothing more is lost on the eu-us link). In partition-heal.json ap/store-1 never
 * converges after the heal at 25 s: null, diverging by exactly the events it lacks. */
static void test_no_repair_never_recovers_nor_converges(void) {
    cJSON *summary = run_bundled_without_repair("crash-recovery.json");
    const cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(summary, "recovery"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "restart_s", NULL, NULL), 15.05, 1e-9);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(entry, "recovery_s")));
    double events = field(summary, "requests", "total", NULL); /* one event per request */
    double held = field(store_entry(summary, "us/store-1"), "final_events", NULL, NULL);
    CU_ASSERT(events - held > 0);
    CU_ASSERT_EQUAL(field(entry, "events_missing", NULL, NULL), events - held);
    cJSON_Delete(summary);

    summary = run_bundled_without_repair("partition-heal.json");
    entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(summary, "convergence"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
    CU_ASSERT_DOUBLE_EQUAL(field(entry, "heal_s", NULL, NULL), 25.0, 1e-9);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(entry, "convergence_s")));
    events = field(summary, "requests", "total", NULL);
    held = field(store_entry(summary, "ap/store-1"), "final_events", NULL, NULL);
    CU_ASSERT(events - held > 0);
    CU_ASSERT_EQUAL(field(entry, "events_diverging", NULL, NULL), events - held);
    CU_ASSERT_EQUAL(field(store_entry(summary, "us/store-1"), "final_events", NULL, NULL), events);
    cJSON_Delete(summary);
}

/* Fault draws come from their own stream: a duplicate fault drawing on every message between
 * the manager and eu/store-1 leaves the workload (Poisson arrivals) and the network's draws
 * (the eu-us link's exponential extra latency, drawn by the same manager) exactly as they
 * were: us/store-1's replication latencies are identical with and without it. */
static void test_fault_draws_leave_the_other_streams_alone(void) {
    const char *text =
        "{\"name\": \"streams\", \"seed\": 9, \"duration_s\": 10, \"settle_s\": 2,\n"
        " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, "
        "\"clients\": 1}, {\"name\": \"us\", \"stores\": 1}],\n"
        "  \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000,\n"
        "    \"extra_latency\": {\"dist\": \"exponential\", \"mean_ms\": 5}}]},\n"
        " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 500},\n"
        " \"consistency\": {\"type\": \"quorum\", \"write_quorum\": 2},\n"
        " \"workload\": {\"rate_per_s\": 200, \"arrival\": \"poisson\"},\n"
        " \"expect\": {\"tolerate\": [\"stream_order\"]},\n"
        " \"faults\": [%s]}\n";
    char with[4096], without[4096];
    snprintf(with, sizeof with, text, "{\"kind\": \"duplicate\", \"between\": [\"eu/manager-1\", "
             "\"eu/store-1\"], \"at_s\": 0, \"for_s\": 12, \"probability\": 0.5}");
    snprintf(without, sizeof without, text, "");
    cJSON *a = run_summary("streams-with.json", with, NULL);
    cJSON *b = run_summary("streams-without.json", without, NULL);
    CU_ASSERT(field(a, "messages_duplicated_by_faults", NULL, NULL) > 0);
    CU_ASSERT_EQUAL(field(a, "requests", "total", NULL), field(b, "requests", "total", NULL));
    const cJSON *latency_a = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "replication_latency_ms"),
                                         "per_store"), "us/store-1");
    const cJSON *latency_b = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "replication_latency_ms"),
                                         "per_store"), "us/store-1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(latency_a);
    CU_ASSERT_TRUE(cJSON_Compare(latency_a, latency_b, true));
    CU_ASSERT(field(latency_a, "max", NULL, NULL) > field(latency_a, "min", NULL, NULL) + 1);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* `replsim list` names every fault kind with its fields (the table the loader checks). */
static void test_list_shows_every_fault_kind(void) {
    const char *argv[] = {rs_test_replsim(), "list", NULL};
    const char *out = rs_test_path(scratch, "list.txt");
    CU_ASSERT_EQUAL_FATAL(rs_test_exec(argv, out, rs_test_path(scratch, "list.err")), 0);
    char *text = rs_test_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "fault kinds (scenario field faults[].kind"));
    for (int kind = 0; kind < RS_FAULT_KIND_COUNT; kind++) {
        char line[256];
        snprintf(line, sizeof line, "  %-10s %s\n", rs_fault_kind_name((rs_fault_kind)kind),
                 rs_fault_kind_description((rs_fault_kind)kind));
        if (strstr(text, line) == NULL) {
            printf("\n    missing: %s", line);
        }
        CU_ASSERT_PTR_NOT_NULL(strstr(text, line));
    }
    CU_ASSERT_EQUAL(RS_FAULT_KIND_COUNT, 9);
    free(text);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"duplicate: delivered twice, stores stay idempotent",
         test_duplicate_delivers_twice_and_stores_stay_idempotent},
        {"reorder: holds back every message it draws", test_reorder_holds_back_every_message_it_draws},
        {"full_store: fails exactly the appends served in it",
         test_full_store_fails_exactly_the_appends_served_in_it},
        {"slow_store: adds the computed service time", test_slow_store_adds_the_computed_service_time},
        {"clock: the strategy reads the offset", test_clock_skew_shifts_what_the_strategy_reads_by_the_offset},
        {"clock: arithmetic and monotonicity", test_clock_fault_arithmetic},
        {"corrupt: integrity flags exactly the events held",
         test_corrupt_is_revealed_for_exactly_the_events_held},
        {"convergence after heal: the last event in flight, or never",
         test_convergence_after_heal_matches_the_last_event_in_flight},
        {"recovery after a crash: the retry schedule",
         test_recovery_after_crash_matches_the_retry_schedule},
        {"star never recovers nor converges in the bundled scenarios",
         test_no_repair_never_recovers_nor_converges},
        {"fault draws leave the other streams alone",
         test_fault_draws_leave_the_other_streams_alone},
        {"list shows every fault kind", test_list_shows_every_fault_kind},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("faults_more", tests);
    return rs_test_run_all();
}
