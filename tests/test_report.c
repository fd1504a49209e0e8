/* test_report.c — pins the figures and files of a report on a hand-made history whose every
 * time is chosen so the expected values can be worked out by hand: a scenario of 2 regions and
 * 3 stores (all targets, write quorum 2) and three requests (two ok, one failed with
 * quorum_not_reached, one ok event held by a single store at the end). Method: rs_kpis_compute
 * and rs_expect_check are called directly, then rs_report_write into a temporary directory,
 * whose summary.json is parsed back with cJSON and whose other files are read as text. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/expect.h"
#include "reports/kpi.h"
#include "reports/report.h"
#include "tests/support/test_util.h"

#define MS 1000
#define S 1000000

static rs_scenario *scenario;
static rs_history history;
static rs_metrics metrics;
static const rs_run_facts facts = {.seed = 42, .simulated_events = 1234};

static void add_request(rs_status status, int64_t invoke_us, int64_t arrival_us, int64_t ack_us) {
    rs_event_id id = history.event_count + 1;
    rs_history_add_event(&history, &(rs_history_event){
        .stream = 1, .version = (uint32_t)id, .size_bytes = 512,
        .request_index = (uint32_t)history.request_count, .created_us = invoke_us});
    rs_history_add_request(&history, &(rs_history_request){
        .client = 0, .manager = 0, .first_event = id, .event_count = 1, .status = status,
        .invoke_us = invoke_us, .manager_arrival_us = arrival_us,
        .manager_ack_us = ack_us - 500, .client_ack_us = ack_us});
}

static void add_append(uint32_t store, rs_event_id event, int64_t time_us, uint8_t duplicate) {
    rs_history_add_append(&history, &(rs_history_append){
        .store = (uint16_t)store, .event = (uint32_t)event, .time_us = time_us,
        .duplicate = duplicate}, (uint32_t)event, 0);
}

/* Stores: eu/store-1 (0), eu/store-2 (1), us/store-1 (2). Replication latencies, manager
 * arrival -> append: event 1: 4, 6, 40.1 ms; event 2: 2, 8.015 ms (never reaches store 2);
 * event 3: 49, 299, 600 ms. At the end, store 1 has lost event 2 (only store 0 holds it, so
 * it counts as lost) and store 2 has lost event 1 (two stores, the write quorum, still hold it,
 * so it does not). */
static void make_fixture(void) {
    scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scenario);
    snprintf(scenario->source_path, sizeof scenario->source_path, "scenarios/hand-made.json");
    snprintf(scenario->name, sizeof scenario->name, "hand 'made' `x` \"y\" | z");
    scenario->seed = 42;
    scenario->content_hash = UINT64_C(0x0123456789abcdef);
    scenario->duration_s = 2;
    scenario->settle_s = 1;
    scenario->region_count = 2;
    scenario->regions[0] = (rs_region_spec){.name = "eu", .stores = 2, .managers = 1,
                                            .clients = 1, .first_store = 0};
    scenario->regions[1] = (rs_region_spec){.name = "us", .stores = 1, .first_store = 2};
    scenario->store_count = 3;
    scenario->strategy = rs_component_find(RS_COMPONENT_STRATEGY, "star");
    scenario->strategy_params[0] = 500;
    scenario->target_count = 3;
    for (uint32_t i = 0; i < 3; i++) {
        scenario->targets[i] = i;
    }
    scenario->policy = rs_component_find(RS_COMPONENT_POLICY, "quorum");
    scenario->policy_params[0] = 2;
    scenario->write_quorum = 2;
    CU_ASSERT_EQUAL_FATAL(rs_history_init(&history, 3), 0);
    CU_ASSERT_EQUAL_FATAL(rs_metrics_init(&metrics, 3), 0);
    add_request(RS_OK, 0, 1 * MS, 12 * MS);                     /* write latency 12 ms */
    add_append(0, 1, 5 * MS, 0);
    add_append(1, 1, 7 * MS, 0);
    add_append(2, 1, 41100, 0);
    /* the manager heard stores 0 and 1 confirm event 1 before acking at 11.5 ms */
    rs_history_add_receipt(&history, &(rs_history_receipt){.store = 0, .event = 1, .time_us = 6 * MS});
    rs_history_add_receipt(&history, &(rs_history_receipt){.store = 1, .event = 1, .time_us = 8 * MS});
    add_request(RS_OK, 1 * S, 1 * S + 1 * MS, 1 * S + 20480);   /* write latency 20.48 ms */
    add_append(0, 2, 1 * S + 3 * MS, 0);
    add_append(1, 2, 1 * S + 9015, 0);
    rs_history_add_receipt(&history, &(rs_history_receipt){.store = 0, .event = 2,
                                                            .time_us = 1 * S + 4 * MS});
    rs_history_add_receipt(&history, &(rs_history_receipt){.store = 1, .event = 2,
                                                            .time_us = 1 * S + 10 * MS});
    add_request(RS_ERR_QUORUM, 1500 * MS, 1501 * MS, 1600 * MS);
    add_append(2, 3, 1550 * MS, 0);
    add_append(0, 1, 1700 * MS, 1);                             /* idempotent re-append */
    add_append(0, 3, 1800 * MS, 0);
    add_append(1, 3, 2101 * MS, 0);
    rs_history_set_final(&history, 0, (const rs_event_id[]){1, 2, 3}, 3);
    rs_history_set_final(&history, 1, (const rs_event_id[]){1, 3}, 2);
    rs_history_set_final(&history, 2, (const rs_event_id[]){3}, 1); /* event 1: on 2 = quorum */
    static const uint64_t messages[RS_MSG_KIND_COUNT] = {3, 3, 9, 9};
    static const uint64_t bytes[RS_MSG_KIND_COUNT] = {1800, 192, 5400, 576};
    memcpy(history.messages, messages, sizeof messages);
    memcpy(history.message_bytes, bytes, sizeof bytes);
    history.workload_end_us = 2 * S;
    history.end_us = 3 * S;
    rs_metrics_record_result(&metrics, 0, RS_OK);
    rs_metrics_record_result(&metrics, 1, RS_ERR_TIMEOUT);
    rs_metrics_record_latency(&metrics, 0, 4 * MS);
}

static void free_fixture(void) {
    rs_history_free(&history);
    rs_metrics_free(&metrics);
    free(scenario);
    scenario = NULL;
}

static void expect_thresholds(void) {
    rs_expectations *expect = &scenario->expect;
    expect->present[RS_EXPECT_SUCCESS_RATE_MIN] = true;
    expect->value[RS_EXPECT_SUCCESS_RATE_MIN] = 0.5;
    expect->present[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = true;
    expect->value[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = 15;
    expect->present[RS_EXPECT_SYNC_DELAY_MS_P99_MAX] = true;
    expect->value[RS_EXPECT_SYNC_DELAY_MS_P99_MAX] = 1000;
    expect->present[RS_EXPECT_ACKED_EVENTS_LOST_MAX] = true;
    expect->value[RS_EXPECT_ACKED_EVENTS_LOST_MAX] = 0;
    expect->present[RS_EXPECT_THROUGHPUT_PER_S_MIN] = true;
    expect->value[RS_EXPECT_THROUGHPUT_PER_S_MIN] = 1.0;
}

static void test_kpis_from_the_history(void) {
    make_fixture();
    rs_kpis kpis;
    CU_ASSERT_EQUAL_FATAL(rs_kpis_compute(scenario, &history, &kpis), 0);
    CU_ASSERT_EQUAL(kpis.requests, 3);
    CU_ASSERT_EQUAL(kpis.requests_by_status[RS_OK], 2);
    CU_ASSERT_EQUAL(kpis.requests_by_status[RS_ERR_QUORUM], 1);
    CU_ASSERT_EQUAL(kpis.requests_failed, 1);
    CU_ASSERT_DOUBLE_EQUAL(kpis.success_rate, 2.0 / 3.0, 1e-12);
    /* Write latency {12000, 20480} us: rank 1's bucket centre 11999 is below the min, rank 2's
     * centre 20543 above the max, so both are exact. */
    CU_ASSERT_EQUAL(kpis.write_latency_us.total, 2);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.write_latency_us, 0.5), 12000);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.write_latency_us, 0.99), 20480);
    /* Replication, all stores, 8 samples: rank 4 is 8015 (a bucket centre), rank 8 is 600000. */
    CU_ASSERT_EQUAL(kpis.replication_latency_us.total, 8);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.replication_latency_us, 0.5), 8015);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.replication_latency_us, 0.99), 600000);
    CU_ASSERT_EQUAL(kpis.stores[0].replication_latency_us.total, 3);
    /* Store 0: {2000, 4000, 299000}; rank 2 is 4000, in [4000, 4016), centre 4007. */
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.stores[0].replication_latency_us, 0.5), 4007);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.stores[2].replication_latency_us, 0.5), 40100);
    CU_ASSERT_EQUAL(kpis.stores[0].appends, 3);
    CU_ASSERT_EQUAL(kpis.stores[0].duplicates, 1);
    CU_ASSERT_EQUAL(kpis.stores[1].final_events, 2);
    CU_ASSERT_EQUAL(kpis.appends, 8);
    CU_ASSERT_EQUAL(kpis.duplicates, 1);
    /* Sync delay: event 1 at 41.1 - 1 = 40.1 ms, event 3 at 2101 - 1501 = 600 ms. */
    CU_ASSERT_EQUAL(kpis.events_fully_replicated, 2);
    CU_ASSERT_EQUAL(kpis.events_not_fully_replicated, 1);
    CU_ASSERT_EQUAL(kpis.sync_delay_us.total, 2);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.sync_delay_us, 0.5), 40100);
    CU_ASSERT_EQUAL(rs_histogram_quantile(&kpis.sync_delay_us, 0.99), 600000);
    CU_ASSERT_EQUAL(kpis.acked_events_lost, 1);
    CU_ASSERT_EQUAL(kpis.events_acked_ok, 2);
    CU_ASSERT_DOUBLE_EQUAL(kpis.throughput_acked_events_per_s, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(kpis.throughput_appends_per_s, 8.0 / 3.0, 1e-12);
    CU_ASSERT_EQUAL(kpis.messages_total, 24);
    CU_ASSERT_EQUAL(kpis.message_bytes_total, 7968);
    CU_ASSERT_DOUBLE_EQUAL(kpis.messages_per_event, 8.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(kpis.message_bytes_per_event, 2656.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(kpis.expect_actual[RS_EXPECT_WRITE_LATENCY_MS_P50_MAX], 12.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(kpis.expect_actual[RS_EXPECT_SYNC_DELAY_MS_P99_MAX], 600.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(kpis.expect_actual[RS_EXPECT_ACKED_EVENTS_LOST_MAX], 1.0, 0.0);
    rs_kpis_free(&kpis);
    free_fixture();
}

static void test_expectations_pass_fail_and_margin(void) {
    rs_expectations expect;
    memset(&expect, 0, sizeof expect);
    double actual[RS_EXPECT_METRIC_COUNT] = {0.75, 10, 20.48, NAN, 600, 1, 1};
    expect.present[RS_EXPECT_SUCCESS_RATE_MIN] = true;
    expect.value[RS_EXPECT_SUCCESS_RATE_MIN] = 0.5;
    expect.present[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = true;
    expect.value[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = 15;
    expect.present[RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX] = true;
    expect.value[RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX] = 100;
    expect.present[RS_EXPECT_THROUGHPUT_PER_S_MIN] = true;
    expect.value[RS_EXPECT_THROUGHPUT_PER_S_MIN] = 1.0;
    rs_expect_outcome outcomes[RS_EXPECT_METRIC_COUNT];
    CU_ASSERT_EQUAL(rs_expect_check(&expect, actual, outcomes), 2);
    CU_ASSERT(outcomes[RS_EXPECT_SUCCESS_RATE_MIN].pass);
    CU_ASSERT_DOUBLE_EQUAL(outcomes[RS_EXPECT_SUCCESS_RATE_MIN].margin, 0.25, 1e-12);
    CU_ASSERT_FALSE(outcomes[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX].pass);
    CU_ASSERT_DOUBLE_EQUAL(outcomes[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX].margin, -5.48, 1e-12);
    /* No replication sample (NaN) never satisfies a threshold. */
    CU_ASSERT_FALSE(outcomes[RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX].pass);
    CU_ASSERT(isnan(outcomes[RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX].margin));
    /* A minimum met exactly holds, with margin 0. */
    CU_ASSERT(outcomes[RS_EXPECT_THROUGHPUT_PER_S_MIN].pass);
    CU_ASSERT_DOUBLE_EQUAL(outcomes[RS_EXPECT_THROUGHPUT_PER_S_MIN].margin, 0.0, 0.0);
    CU_ASSERT_FALSE(outcomes[RS_EXPECT_ACKED_EVENTS_LOST_MAX].checked);
    CU_ASSERT_FALSE(outcomes[RS_EXPECT_ACKED_EVENTS_LOST_MAX].pass);
    memset(&expect, 0, sizeof expect);
    CU_ASSERT_EQUAL(rs_expect_check(&expect, actual, outcomes), 0);
}

static const cJSON *json_at(const cJSON *node, const char *a, const char *b, const char *c) {
    const char *keys[] = {a, b, c};
    for (int i = 0; i < 3 && keys[i] != NULL && node != NULL; i++) {
        node = cJSON_GetObjectItemCaseSensitive(node, keys[i]);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(node);
    return node;
}

static double number_at(const cJSON *root, const char *a, const char *b, const char *c) {
    const cJSON *node = json_at(root, a, b, c);
    CU_ASSERT_FATAL(cJSON_IsNumber(node));
    return node->valuedouble;
}

static int write_report(const char *out_dir, bool *hold) {
    char error[1024] = "";
    int status = rs_report_write(scenario, &history, &metrics, &facts, out_dir, hold, error,
                                 sizeof error);
    if (status != 0) {
        fprintf(stderr, "rs_report_write: %s\n", error);
    }
    return status;
}

static void check_summary_json(const char *out_dir) {
    char *text = rs_test_slurp(rs_test_path(out_dir, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    CU_ASSERT_STRING_EQUAL(summary->child->string, "summary_version"); /* fixed key order */
    CU_ASSERT_EQUAL(number_at(summary, "summary_version", NULL, NULL), 1);
    CU_ASSERT_STRING_EQUAL(json_at(summary, "scenario", "hash", NULL)->valuestring,
                           "0123456789abcdef");
    CU_ASSERT_EQUAL(number_at(summary, "scenario", "seed", NULL), 42);
    CU_ASSERT_STRING_EQUAL(json_at(summary, "scenario", "strategy", "name")->valuestring, "star");
    CU_ASSERT_EQUAL(number_at(json_at(summary, "scenario", "strategy", "params"), "timeout_ms",
                              NULL, NULL), 500);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(json_at(summary, "scenario", "targets", NULL)), 3);
    CU_ASSERT_STRING_EQUAL(
        cJSON_GetArrayItem(json_at(summary, "scenario", "targets", NULL), 2)->valuestring,
        "us/store-1");
    CU_ASSERT_EQUAL(number_at(summary, "requests", "total", NULL), 3);
    CU_ASSERT_EQUAL(number_at(summary, "requests", "failed_by_status", "quorum_not_reached"), 1);
    CU_ASSERT_EQUAL(number_at(summary, "requests", "success_rate", NULL), 0.666667);
    CU_ASSERT_EQUAL(number_at(summary, "write_latency_ms", "p50", NULL), 12.0);
    CU_ASSERT_EQUAL(number_at(summary, "write_latency_ms", "max", NULL), 20.48);
    CU_ASSERT_EQUAL(number_at(summary, "write_latency_ms", "mean", NULL), 16.24);
    CU_ASSERT_EQUAL(number_at(summary, "replication_latency_ms", "all", "p50"), 8.015);
    CU_ASSERT_EQUAL(number_at(json_at(summary, "replication_latency_ms", "per_store", NULL),
                              "us/store-1", "p50", NULL), 40.1);
    CU_ASSERT_EQUAL(number_at(summary, "sync_delay_ms", "p99", NULL), 600.0);
    CU_ASSERT_EQUAL(number_at(summary, "sync_delay_ms", "events_not_fully_replicated", NULL), 1);
    CU_ASSERT_EQUAL(number_at(summary, "throughput", "appends_per_s", NULL), 2.666667);
    CU_ASSERT_EQUAL(number_at(json_at(summary, "messages", "by_kind", "store_append"), "count",
                              NULL, NULL), 9);
    CU_ASSERT_EQUAL(number_at(summary, "messages", "per_event", NULL), 8);
    CU_ASSERT_EQUAL(number_at(summary, "durability", "acked_events_lost", NULL), 1);
    const cJSON *stores = json_at(summary, "stores", NULL, NULL);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(stores), 3);
    CU_ASSERT_EQUAL(number_at(cJSON_GetArrayItem(stores, 1), "strategy_results", "timeout", NULL),
                    1);
    CU_ASSERT_STRING_EQUAL(json_at(summary, "verdict", NULL, NULL)->valuestring, "fail");
    /* Invariants: only durability is violated, by event 2 (acked, held by 1 of 2 promised). */
    const cJSON *durability = json_at(summary, "invariants", "durability", NULL);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(durability, "violations")->valueint, 1);
    CU_ASSERT_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(durability, "examples"), 0)
                        ->child->valueint, 2);
    static const char *const holding[] = {"no_duplicates", "stream_order", "integrity",
                                          "quorum_honesty"};
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(
            json_at(summary, "invariants", holding[i], NULL), "pass")));
    }
    CU_ASSERT_EQUAL(number_at(summary, "simulated_events", NULL, NULL), 1234);
    cJSON_Delete(summary);
    free(text);
}

static void check_expectations_in_summary(const char *out_dir) {
    char *text = rs_test_slurp(rs_test_path(out_dir, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    const cJSON *expectations = json_at(summary, "expectations", NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(expectations), 5);
    /* In metric order: success_rate_min, write p99 max, sync p99 max, lost max, throughput. */
    static const struct {
        const char *name;
        double actual, margin;
        bool pass;
    } expected[] = {{"success_rate_min", 0.666667, 0.166667, true},
                    {"write_latency_ms_p99_max", 20.48, -5.48, false},
                    {"sync_delay_ms_p99_max", 600, 400, true},
                    {"acked_events_lost_max", 1, -1, false},
                    {"throughput_per_s_min", 1, 0, true}};
    for (int i = 0; i < 5; i++) {
        const cJSON *entry = cJSON_GetArrayItem(expectations, i);
        CU_ASSERT_STRING_EQUAL(json_at(entry, "name", NULL, NULL)->valuestring, expected[i].name);
        CU_ASSERT_EQUAL(number_at(entry, "actual", NULL, NULL), expected[i].actual);
        CU_ASSERT_EQUAL(number_at(entry, "margin", NULL, NULL), expected[i].margin);
        CU_ASSERT_EQUAL(cJSON_IsTrue(json_at(entry, "pass", NULL, NULL)), expected[i].pass);
    }
    CU_ASSERT_STRING_EQUAL(json_at(summary, "verdict", NULL, NULL)->valuestring, "fail");
    cJSON_Delete(summary);
    free(text);
    char *markdown = rs_test_slurp(rs_test_path(out_dir, "summary.md"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(markdown);
    CU_ASSERT_PTR_NOT_NULL(strstr(markdown, "| \xe2\x9c\x98 | write_latency_ms_p99_max | 15 | "
                                            "20.48 | -5.48 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(markdown, "| \xe2\x9c\x94 | sync_delay_ms_p99_max | 1000 | "
                                            "600 | 400 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(markdown, "**Verdict: fail** (2 expectations not met)"));
    /* The scenario name is data: its punctuation is escaped, so no table cell breaks. */
    CU_ASSERT_PTR_NOT_NULL(strstr(markdown, "# replsim report: hand 'made' \\`x\\` \"y\" \\| z\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(markdown, "| eu/store-1 | eu | 3 | 1 | 3 | 4.007 | 297.983 | "
                                            "1 / 0 | 4 | 4 |\n"));
    free(markdown);
}

static int count_lines(const char *text) {
    int lines = 0;
    for (const char *c = text; *c != '\0'; c++) {
        lines += *c == '\n';
    }
    return lines;
}

static void check_timeseries(const char *out_dir) {
    char *csv = rs_test_slurp(rs_test_path(out_dir, "timeseries.csv"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    /* Header comment, column header, then seconds 0..ceil(3.0 s) = 4 rows. */
    const char *expected =
        "# replsim timeseries; scenario=0123456789abcdef; seed=42\n"
        "time_s,requests_invoked,acked_ok,acked_failed,appends,write_latency_ms_p50,"
        "write_latency_ms_p99,replication_latency_ms_p50,replication_latency_ms_p99,"
        "faults_active\n"
        "0,1,1,0,3,12.000,12.000,6.000,40.100,0\n"
        "1,2,1,1,4,20.480,20.480,8.015,299.000,0\n"
        "2,0,0,0,1,,,600.000,600.000,0\n"
        "3,0,0,0,0,,,,,0\n";
    CU_ASSERT_STRING_EQUAL(csv, expected);
    CU_ASSERT_EQUAL(count_lines(csv), 6);
    free(csv);
}

static void check_plots(const char *out_dir, bool expect_png) {
    char *script = rs_test_slurp(rs_test_path(out_dir, "plots/latency_cdf.gp"), NULL);
    char *data = rs_test_slurp(rs_test_path(out_dir, "plots/latency_cdf.dat"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(script);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    /* Names reach gnuplot only sanitised: no quote or backquote from the scenario survives. */
    CU_ASSERT_PTR_NULL(strchr(script, '`'));
    CU_ASSERT_PTR_NULL(strstr(script, "\"y\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(script, "set title 'Replication latency CDF per store: "
                                          "hand _made_ _x_ _y_ _ z'\n"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(script, "datafile index 2 using 1:2 with steps title 'us/store-1'\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(script, "set xlabel 'replication latency (ms)'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(data, "# replsim replication latency CDF; "
                                        "scenario=0123456789abcdef; seed=42\n"));
    /* 3 stores with samples, 201 points each (quantiles 0, 1/200, ..., 1). */
    CU_ASSERT_PTR_NOT_NULL(strstr(data, "# index 2: store us/store-1 (2 samples)\n40.100 0.000\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(data, "600.000 1.000\n"));
    int points = count_lines(data) - 3 - 3 - 2 * 2; /* header, block titles, separators */
    CU_ASSERT_EQUAL(points, 3 * 201);
    free(script);
    free(data);
    char *throughput = rs_test_slurp(rs_test_path(out_dir, "plots/throughput.dat"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(throughput);
    CU_ASSERT_PTR_NOT_NULL(strstr(throughput, "\n0 1 3\n1 1 4\n2 0 1\n3 0 0\n"));
    free(throughput);
    struct stat info;
    CU_ASSERT_EQUAL(stat(rs_test_path(out_dir, "plots/latency_cdf.png"), &info) == 0, expect_png);
    CU_ASSERT_EQUAL(stat(rs_test_path(out_dir, "plots/throughput.png"), &info) == 0, expect_png);
}

/* No "<name>.tmp.<pid>" file is left in dir. */
static int temporaries_in(const char *dir) {
    DIR *listing = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(listing);
    int count = 0;
    for (struct dirent *entry = readdir(listing); entry != NULL; entry = readdir(listing)) {
        count += strstr(entry->d_name, ".tmp.") != NULL;
    }
    closedir(listing);
    return count;
}

static bool gnuplot_on_path(void) {
    const char *path = getenv("PATH");
    char copy[8192], candidate[8300];
    snprintf(copy, sizeof copy, "%s", path != NULL ? path : "");
    for (char *dir = strtok(copy, ":"); dir != NULL; dir = strtok(NULL, ":")) {
        snprintf(candidate, sizeof candidate, "%s/gnuplot", dir);
        struct stat info;
        if (stat(candidate, &info) == 0 && (info.st_mode & S_IXUSR) != 0) {
            return true;
        }
    }
    return false;
}

static void test_report_files(void) {
    make_fixture();
    expect_thresholds();
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/report", rs_test_make_temp_dir());
    bool hold = true;
    CU_ASSERT_EQUAL_FATAL(write_report(out_dir, &hold), 0);
    CU_ASSERT_FALSE(hold);
    check_summary_json(out_dir);
    check_expectations_in_summary(out_dir);
    check_timeseries(out_dir);
    check_plots(out_dir, gnuplot_on_path());
    CU_ASSERT_EQUAL(temporaries_in(out_dir), 0);
    CU_ASSERT_EQUAL(temporaries_in(rs_test_path(out_dir, "plots")), 0);
    free_fixture();
}

static const char *const report_files[] = {
    "summary.json", "summary.md", "timeseries.csv", "plots/latency_cdf.dat",
    "plots/latency_cdf.gp", "plots/throughput.dat", "plots/throughput.gp"};
#define REPORT_FILE_COUNT (sizeof report_files / sizeof report_files[0])

static void test_writing_twice_gives_identical_bytes(void) {
    make_fixture();
    expect_thresholds();
    char first[4096], second[4096];
    snprintf(first, sizeof first, "%s/one", rs_test_make_temp_dir());
    snprintf(second, sizeof second, "%s/two", rs_test_make_temp_dir());
    bool hold = true;
    CU_ASSERT_EQUAL_FATAL(write_report(first, &hold), 0);
    char *before[REPORT_FILE_COUNT];
    size_t before_length[REPORT_FILE_COUNT];
    for (size_t i = 0; i < REPORT_FILE_COUNT; i++) {
        before[i] = rs_test_slurp(rs_test_path(first, report_files[i]), &before_length[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(before[i]);
    }
    CU_ASSERT_EQUAL_FATAL(write_report(first, &hold), 0);   /* over the first report */
    CU_ASSERT_EQUAL_FATAL(write_report(second, &hold), 0);  /* into another directory */
    for (size_t i = 0; i < REPORT_FILE_COUNT; i++) {
        const char *dirs[] = {first, second};
        for (int d = 0; d < 2; d++) {
            size_t length = 0;
            char *after = rs_test_slurp(rs_test_path(dirs[d], report_files[i]), &length);
            CU_ASSERT_PTR_NOT_NULL_FATAL(after);
            CU_ASSERT_EQUAL(length, before_length[i]);
            CU_ASSERT(length == before_length[i] && memcmp(after, before[i], length) == 0);
            free(after);
        }
        free(before[i]);
    }
    /* The rendered images too, when gnuplot is there (same gnuplot, same bytes). */
    static const char *const images[] = {"plots/latency_cdf.png", "plots/throughput.png"};
    for (size_t i = 0; gnuplot_on_path() && i < 2; i++) {
        size_t length_first = 0, length_second = 0;
        char *image_first = rs_test_slurp(rs_test_path(first, images[i]), &length_first);
        char *image_second = rs_test_slurp(rs_test_path(second, images[i]), &length_second);
        CU_ASSERT_PTR_NOT_NULL_FATAL(image_first);
        CU_ASSERT_PTR_NOT_NULL_FATAL(image_second);
        CU_ASSERT(length_first == length_second &&
                  memcmp(image_first, image_second, length_first) == 0);
        free(image_first);
        free(image_second);
    }
    free_fixture();
}

/* Without gnuplot on PATH the report still succeeds: .dat and .gp are there, no .png. */
static void test_missing_gnuplot_keeps_data_and_scripts(void) {
    make_fixture();
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/no-gnuplot", rs_test_make_temp_dir());
    char saved[8192];
    const char *path = getenv("PATH");
    snprintf(saved, sizeof saved, "%s", path != NULL ? path : "/usr/bin:/bin");
    CU_ASSERT_EQUAL_FATAL(setenv("PATH", "/nonexistent-replsim-test", 1), 0);
    bool hold = false;
    int status = write_report(out_dir, &hold);
    setenv("PATH", saved, 1);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    CU_ASSERT_FALSE(hold); /* the fixture's event 2 is acked but ends on 1 store: durability */
    check_plots(out_dir, false);
    CU_ASSERT_EQUAL(temporaries_in(rs_test_path(out_dir, "plots")), 0);
    free_fixture();
}

/* An unwritable place fails with a message and leaves no file of the run. */
static void test_unwritable_directory_fails_cleanly(void) {
    make_fixture();
    char blocker[4096], out_dir[4200];
    snprintf(blocker, sizeof blocker, "%s/a-file", rs_test_make_temp_dir());
    rs_test_write_file(blocker, "not a directory\n");
    snprintf(out_dir, sizeof out_dir, "%s/report", blocker);
    char error[1024] = "";
    bool hold = true;
    CU_ASSERT_EQUAL(rs_report_write(scenario, &history, &metrics, &facts, out_dir, &hold, error,
                                    sizeof error), -1);
    CU_ASSERT_FALSE(hold);
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "a-file"));
    free_fixture();
}

/* No request at all: success rate 0 with a note, latencies null, verdict from the thresholds. */
static void test_empty_history(void) {
    make_fixture();
    rs_history_free(&history);
    CU_ASSERT_EQUAL_FATAL(rs_history_init(&history, 3), 0);
    scenario->expect.present[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = true;
    scenario->expect.value[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = 100;
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/empty", rs_test_make_temp_dir());
    bool hold = true;
    CU_ASSERT_EQUAL_FATAL(write_report(out_dir, &hold), 0);
    CU_ASSERT_FALSE(hold); /* no write latency sample cannot satisfy a maximum */
    char *text = rs_test_slurp(rs_test_path(out_dir, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    CU_ASSERT_EQUAL(number_at(summary, "requests", "success_rate", NULL), 0);
    CU_ASSERT(cJSON_IsString(json_at(summary, "requests", "note", NULL)));
    CU_ASSERT(cJSON_IsNull(json_at(summary, "write_latency_ms", "p50", NULL)));
    CU_ASSERT_EQUAL(number_at(summary, "write_latency_ms", "count", NULL), 0);
    CU_ASSERT(cJSON_IsNull(json_at(cJSON_GetArrayItem(json_at(summary, "expectations", NULL,
                                                              NULL), 0), "actual", NULL, NULL)));
    cJSON_Delete(summary);
    free(text);
    char *csv = rs_test_slurp(rs_test_path(out_dir, "timeseries.csv"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    CU_ASSERT_EQUAL(count_lines(csv), 3); /* end_us 0: the single row of second 0 */
    free(csv);
    free_fixture();
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"kpis from the history", test_kpis_from_the_history},
        {"expectations: pass, fail and margin", test_expectations_pass_fail_and_margin},
        {"report files", test_report_files},
        {"writing twice gives identical bytes", test_writing_twice_gives_identical_bytes},
        {"missing gnuplot keeps data and scripts", test_missing_gnuplot_keeps_data_and_scripts},
        {"unwritable directory fails cleanly", test_unwritable_directory_fails_cleanly},
        {"empty history", test_empty_history},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("report", tests);
    return rs_test_run_all();
}
