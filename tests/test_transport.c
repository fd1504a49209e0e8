/* test_transport.c — the two transports agree when no link is near saturation: `flow`
 * (SimGrid communications) and `latency` (delivery after latency + size / bandwidth, no
 * communication) give the same acknowledgements and the same store contents, and latency
 * percentiles within 0.5%, on star, quorum with a partition, and batch. Method: run each
 * bundled scenario under both transports (the file with only network.transport changed) and
 * compare the two summary.json files. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

static char scratch[4096];

static cJSON *run_transport(const char *scenario, const char *transport) {
    char source[4096];
    snprintf(source, sizeof source, "%s/scenarios/%s", rs_test_source_dir(), scenario);
    char *text = rs_test_slurp(source, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *json = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    cJSON *network = cJSON_GetObjectItemCaseSensitive(json, "network");
    if (network == NULL) {
        network = cJSON_AddObjectToObject(json, "network");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(network, "transport");
    cJSON_AddStringToObject(network, "transport", transport);
    char *changed = cJSON_Print(json);
    cJSON_Delete(json);
    const char *file = rs_test_path(scratch, "transport.json");
    rs_test_write_file(file, changed);
    free(changed);
    const char *out = rs_test_path(scratch, transport);
    const char *argv[] = {rs_test_replsim(), "run", file, "--out", out, NULL};
    CU_ASSERT_EQUAL_FATAL(rs_test_exec(argv, rs_test_path(scratch, "stdout"),
                                       rs_test_path(scratch, "stderr")), 0);
    char *summary_text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_text);
    cJSON *summary = cJSON_Parse(summary_text);
    free(summary_text);
    return summary;
}

static double number(const cJSON *object, const char *a, const char *b) {
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(object, a);
    node = b != NULL ? cJSON_GetObjectItemCaseSensitive(node, b) : node;
    CU_ASSERT_FATAL(cJSON_IsNumber(node));
    return node->valuedouble;
}

/* Within `tolerance` (relative). */
static void assert_close(double flow, double latency, double tolerance, const char *what) {
    double relative = flow == 0 ? fabs(latency) : fabs(latency - flow) / flow;
    if (relative > tolerance) {
        printf("\n    %s: flow %.3f, latency %.3f (%.3f%%)\n", what, flow, latency, relative * 100);
    }
    CU_ASSERT(relative <= tolerance);
}

/* Means are exact: 0.5%. Reported percentiles are histogram bucket midpoints (buckets 1/128
 * of a power of two wide), so two runs a few microseconds apart can land one bucket apart:
 * 0.5% plus one bucket (0.78%). */
#define MEAN_TOLERANCE 0.005
#define PERCENTILE_TOLERANCE (0.005 + 1.0 / 128)

static void compare(const char *scenario) {
    cJSON *flow = run_transport(scenario, "flow");
    cJSON *latency = run_transport(scenario, "latency");
    CU_ASSERT(cJSON_Compare(cJSON_GetObjectItem(flow, "requests"),
                            cJSON_GetObjectItem(latency, "requests"), 1));
    const cJSON *stores_flow = cJSON_GetObjectItem(flow, "stores");
    const cJSON *stores_latency = cJSON_GetObjectItem(latency, "stores");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(stores_flow), cJSON_GetArraySize(stores_latency));
    for (int i = 0; i < cJSON_GetArraySize(stores_flow); i++) {
        CU_ASSERT_EQUAL(number(cJSON_GetArrayItem(stores_flow, i), "final_events", NULL),
                        number(cJSON_GetArrayItem(stores_latency, i), "final_events", NULL));
    }
    static const char *const figures[] = {"write_latency_ms", "sync_delay_ms"};
    static const char *const quantiles[] = {"p50", "p90", "p99"};
    for (size_t f = 0; f < 2; f++) {
        assert_close(number(flow, figures[f], "mean"), number(latency, figures[f], "mean"),
                     MEAN_TOLERANCE, figures[f]);
        for (size_t q = 0; q < 3; q++) {
            assert_close(number(flow, figures[f], quantiles[q]),
                         number(latency, figures[f], quantiles[q]), PERCENTILE_TOLERANCE,
                         figures[f]);
        }
    }
    CU_ASSERT_EQUAL(number(flow, "durability", "acked_events_lost"),
                    number(latency, "durability", "acked_events_lost"));
    cJSON_Delete(flow);
    cJSON_Delete(latency);
}

static void test_star_agrees(void) { compare("three-regions-star.json"); }
static void test_quorum_with_partition_agrees(void) { compare("partition-heal.json"); }
static void test_batch_agrees(void) { compare("batch.json"); }

/* Where they differ: batches of ten 64 KiB events (one flush a second) go to 3 ap stores over
 * one 20 Mb/s link. Under `latency` each batch crosses alone (262 ms); under `flow` the three
 * share the link and all finish after 3 x 262 ms. With a 2-of-4 quorum (eu's store + the first
 * ap store) the ack waits for the first ap copy, so flow's write latency is longer by the
 * queueing the link forces: 2 x size / bandwidth. */
static void test_bandwidth_bound_batch_diverges_by_the_link_queueing(void) {
    cJSON *flow = run_transport("bandwidth-bound.json", "flow");
    cJSON *latency = run_transport("bandwidth-bound.json", "latency");
    double batch_bytes = 10 * 65536.0 + 64.0;
    double queueing_ms = 2 * batch_bytes * 8 / 20e6 * 1000;
    double difference_ms = number(flow, "write_latency_ms", "p50") -
                           number(latency, "write_latency_ms", "p50");
    assert_close(queueing_ms, difference_ms, 0.02, "flow - latency write p50");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(flow, "scenario"),
                                               "transport")->valuestring, "flow");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(latency, "scenario"),
                                               "transport")->valuestring, "latency");
    cJSON_Delete(flow);
    cJSON_Delete(latency);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"star: flow and latency agree", test_star_agrees},
        {"quorum with a partition: flow and latency agree", test_quorum_with_partition_agrees},
        {"batch: flow and latency agree", test_batch_agrees},
        {"bandwidth-bound batch: flow slower by the link's queueing",
         test_bandwidth_bound_batch_diverges_by_the_link_queueing},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("transports", tests);
    return rs_test_run_all();
}
