/* test_e2e.c — end-to-end runs of the replsim binary: the bundled scenario writes a complete
 * report; the simulated network gives exactly declared latency + size/bandwidth (+ append
 * service time) as replication latency; the same seed gives byte-identical outputs and another
 * seed different ones; exit statuses are 0 / 1 / 2 as documented. Method: run the binary in a
 * temporary directory and read summary.json back with cJSON. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/support/test_util.h"

static char scratch[4096];

static int run_replsim(const char *scenario, const char *seed, const char *out_dir) {
    const char *argv[8] = {rs_test_replsim(), "run", scenario, "--out", out_dir, NULL, NULL, NULL};
    if (seed != NULL) {
        argv[5] = "--seed";
        argv[6] = seed;
    }
    return rs_test_exec(argv, rs_test_path(scratch, "stdout.txt"), rs_test_path(scratch, "stderr.txt"));
}

static cJSON *read_summary(const char *out_dir) {
    char *text = rs_test_slurp(rs_test_path(out_dir, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

static double number_at(const cJSON *root, const char *a, const char *b, const char *c,
                        const char *d) {
    const char *keys[] = {a, b, c, d};
    const cJSON *node = root;
    for (int i = 0; i < 4 && keys[i] != NULL && node != NULL; i++) {
        node = cJSON_GetObjectItemCaseSensitive(node, keys[i]);
    }
    CU_ASSERT_FATAL(cJSON_IsNumber(node));
    return node->valuedouble;
}

static bool exists(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && info.st_size > 0;
}

static void test_bundled_star_scenario_writes_a_complete_report(void) {
    char scenario[4096];
    snprintf(scenario, sizeof scenario, "%s/scenarios/three-regions-star.json", rs_test_source_dir());
    const char *out = rs_test_path(scratch, "star");
    CU_ASSERT_EQUAL_FATAL(run_replsim(scenario, NULL, out), 0);
    cJSON *summary = read_summary(out);
    /* Poisson arrivals at 100/s for 30 s: 3000 requests expected, sd ~55. */
    double total = number_at(summary, "requests", "total", NULL, NULL);
    CU_ASSERT(total > 2800 && total < 3200);
    CU_ASSERT_DOUBLE_EQUAL(number_at(summary, "requests", "success_rate", NULL, NULL), 1.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(number_at(summary, "durability", "acked_events_lost", NULL, NULL), 0, 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(summary, "verdict")->valuestring, "pass");
    CU_ASSERT(exists(rs_test_path(out, "summary.md")));
    CU_ASSERT(exists(rs_test_path(out, "timeseries.csv")));
    CU_ASSERT(exists(rs_test_path(out, "plots/latency_cdf.png")));
    CU_ASSERT(exists(rs_test_path(out, "plots/throughput.png")));
    cJSON_Delete(summary);
}

/* Two regions 40 ms apart, one store in us; constant arrivals so nothing queues. */
static const char *latency_scenario =
    "{\"name\": \"latency probe\", \"seed\": 5, \"duration_s\": 10, \"settle_s\": 2,\n"
    " \"network\": {\"intra_region\": {\"latency_ms\": 0.2, \"bandwidth_mbps\": 10000}},\n"
    " \"topology\": {\"regions\": [{\"name\": \"eu\", \"stores\": 1, \"managers\": 1, \"clients\": 1},\n"
    "                              {\"name\": \"us\", \"stores\": 1}],\n"
    "   \"links\": [{\"between\": [\"eu\", \"us\"], \"latency_ms\": 40, \"bandwidth_mbps\": %s}]},\n"
    " \"stores\": {\"append_ms\": %s},\n"
    " \"strategy\": {\"type\": \"star\", \"timeout_ms\": 2000},\n"
    " \"workload\": {\"rate_per_s\": %s, \"arrival\": \"constant\", \"event_bytes\": %s}}\n";

static double us_store_p50_ms(const char *bandwidth, const char *append_ms, const char *rate,
                              const char *bytes) {
    char text[4096], name[64];
    snprintf(text, sizeof text, latency_scenario, bandwidth, append_ms, rate, bytes);
    snprintf(name, sizeof name, "latency-%s-%s.json", bandwidth, append_ms);
    const char *file = rs_test_path(scratch, name);
    rs_test_write_file(file, text);
    const char *out = rs_test_path(scratch, "latency-out");
    CU_ASSERT_EQUAL_FATAL(run_replsim(file, NULL, out), 0);
    cJSON *summary = read_summary(out);
    double p50 = number_at(summary, "replication_latency_ms", "per_store", "us/store-1", "p50");
    cJSON_Delete(summary);
    return p50;
}

/* A small message's one-way time is declared latency + size/bandwidth within 1%: the route is
 * 0.1 ms (eu host link) + 40 ms (WAN) + 0.1 ms (us host link); 576 bytes (512 + 64 header) at
 * 1000 Mb/s add 4.608 us. With no append time, the replication latency is that one-way time. */
static void test_one_way_time_is_declared_latency_plus_size_over_bandwidth(void) {
    double analytic_ms = 40.2 + 576.0 * 8.0 / 1000.0 / 1000.0;
    double measured_ms = us_store_p50_ms("1000", "0", "100", "512");
    CU_ASSERT(fabs(measured_ms - analytic_ms) / analytic_ms < 0.01);
    /* A 1 MB event at 100 Mb/s: the size term dominates (83.89 ms), and must be exact too. */
    analytic_ms = 40.2 + (1048576.0 + 64.0) * 8.0 / 100.0 / 1000.0;
    measured_ms = us_store_p50_ms("100", "0", "1", "1048576");
    CU_ASSERT(fabs(measured_ms - analytic_ms) / analytic_ms < 0.01);
}

/* The foundation's acceptance figure: star at 100 events/s, 40 ms eu->us, 1 ms append: p50
 * replication latency to the us store within 2% of latency + size/bandwidth + append. */
static void test_star_replication_latency_matches_analytic_value(void) {
    double analytic_ms = 40.2 + 576.0 * 8.0 / 1000.0 / 1000.0 + 1.0;
    double measured_ms = us_store_p50_ms("1000", "1", "100", "512");
    CU_ASSERT(fabs(measured_ms - analytic_ms) / analytic_ms < 0.02);
}

static bool same_file(const char *a, const char *b) {
    size_t length_a = 0, length_b = 0;
    char *text_a = rs_test_slurp(a, &length_a);
    char *text_b = rs_test_slurp(b, &length_b);
    bool same = text_a != NULL && text_b != NULL && length_a == length_b &&
                memcmp(text_a, text_b, length_a) == 0;
    free(text_a);
    free(text_b);
    return same;
}

static void test_same_seed_same_bytes_other_seed_other_bytes(void) {
    char scenario[4096];
    snprintf(scenario, sizeof scenario, "%s/scenarios/three-regions-quorum.json", rs_test_source_dir());
    const char *first = rs_test_path(scratch, "det-1");
    const char *second = rs_test_path(scratch, "det-2");
    const char *third = rs_test_path(scratch, "det-3");
    CU_ASSERT_EQUAL_FATAL(run_replsim(scenario, "7", first), 0);
    CU_ASSERT_EQUAL_FATAL(run_replsim(scenario, "7", second), 0);
    CU_ASSERT_EQUAL_FATAL(run_replsim(scenario, "8", third), 0);
    char a[4096], b[4096], c[4096];
    const char *files[] = {"summary.json", "timeseries.csv", "summary.md"};
    for (int i = 0; i < 3; i++) {
        snprintf(a, sizeof a, "%s/%s", first, files[i]);
        snprintf(b, sizeof b, "%s/%s", second, files[i]);
        snprintf(c, sizeof c, "%s/%s", third, files[i]);
        CU_ASSERT(same_file(a, b));
        CU_ASSERT(!same_file(a, c));
    }
}

static void test_exit_status_two_on_bad_input_with_location(void) {
    const char *file = rs_test_path(scratch, "bad.json");
    rs_test_write_file(file, "{\"name\": \"x\",\n \"duration_s\": \"ten\"}\n");
    CU_ASSERT_EQUAL(run_replsim(file, NULL, rs_test_path(scratch, "bad-out")), 2);
    char *errors = rs_test_slurp(rs_test_path(scratch, "stderr.txt"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(errors);
    CU_ASSERT_PTR_NOT_NULL(strstr(errors, "bad.json:2:16: duration_s:"));
    free(errors);
    CU_ASSERT(!exists(rs_test_path(rs_test_path(scratch, "bad-out"), "summary.json")));
}

/* An expectation the run cannot meet: exit 1, and the summary says which and by how much. */
static void test_exit_status_one_when_an_expectation_fails(void) {
    char text[4096];
    snprintf(text, sizeof text, latency_scenario, "1000", "1", "50", "512");
    char *brace = strrchr(text, '}');
    snprintf(brace, sizeof text - (size_t)(brace - text),
             ", \"expect\": {\"write_latency_ms_p99_max\": 10}}\n");
    const char *file = rs_test_path(scratch, "strict.json");
    rs_test_write_file(file, text);
    const char *out = rs_test_path(scratch, "strict-out");
    CU_ASSERT_EQUAL_FATAL(run_replsim(file, NULL, out), 1);
    cJSON *summary = read_summary(out);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(summary, "verdict")->valuestring, "fail");
    char *markdown = rs_test_slurp(rs_test_path(out, "summary.md"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(markdown);
    CU_ASSERT_PTR_NOT_NULL(strstr(markdown, "write_latency_ms_p99_max"));
    free(markdown);
    cJSON_Delete(summary);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"bundled star scenario writes a complete report",
         test_bundled_star_scenario_writes_a_complete_report},
        {"one-way time = latency + size/bandwidth (1%)",
         test_one_way_time_is_declared_latency_plus_size_over_bandwidth},
        {"star p50 replication latency = analytic (2%)",
         test_star_replication_latency_matches_analytic_value},
        {"same seed same bytes, other seed other bytes",
         test_same_seed_same_bytes_other_seed_other_bytes},
        {"exit 2 on bad input with file:line:col", test_exit_status_two_on_bad_input_with_location},
        {"exit 1 when an expectation fails", test_exit_status_one_when_an_expectation_fails},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("end to end", tests);
    return rs_test_run_all();
}
