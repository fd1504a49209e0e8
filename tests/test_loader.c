/* test_loader.c — pins what the scenario loader makes of accepted input: a full inline
 * scenario resolves to exact indices, links in pair order, store names, quorums, normalised
 * weights and distributions; a minimal one gets every default (and the same content hash when
 * loaded from a file); a conditional one resolves rule by rule. The rejected inputs are in
 * test_loader_errors.c, the shipped scenarios/ directory and its schema in
 * test_loader_schema.c. */
#include "model/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strategies/conditional.h"
#include "strategies/star.h"
#include "tests/support/loader_util.h"
#include "tests/support/test_util.h"

#define ERROR_SIZE 1024

static char error[ERROR_SIZE];

static rs_scenario *load_text(const char *text, int *status) {
    rs_scenario *scenario = malloc(sizeof *scenario);
    CU_ASSERT_FATAL(scenario != NULL);
    *status = rs_scenario_load_buffer("x.json", text, strlen(text), scenario, error,
                                      sizeof error);
    if (*status != 0) {
        printf("\n    unexpected: %s\n", error);
    }
    return scenario;
}

/* --- a full scenario, resolved ------------------------------------------------------------- */

/* The text itself (rs__loader_full_text) is in tests/support/loader_util.c: the truncation
 * and corruption test in test_loader_errors.c uses it too. */

static void test_full_scenario_resolves(void) {
    int status = 0;
    rs_scenario *s = load_text(rs__loader_full_text, &status);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    CU_ASSERT_STRING_EQUAL(s->name, "full");
    CU_ASSERT_STRING_EQUAL(s->source_path, "x.json");
    CU_ASSERT_EQUAL(s->seed, 7);
    CU_ASSERT_DOUBLE_EQUAL(s->duration_s, 20.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->settle_s, 2.5, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->intra_latency_ms, 0.5, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->intra_bandwidth_mbps, 2000.0, 0.0);
    /* regions: eu 0..2, us 3..4, ap none (first_store 5), sa 5..6 */
    CU_ASSERT_EQUAL(s->region_count, 4);
    CU_ASSERT_EQUAL(s->store_count, 7);
    CU_ASSERT_EQUAL(s->regions[0].first_store, 0);
    CU_ASSERT_EQUAL(s->regions[1].first_store, 3);
    CU_ASSERT_EQUAL(s->regions[2].first_store, 5);
    CU_ASSERT_EQUAL(s->regions[2].stores, 0);
    CU_ASSERT_EQUAL(s->regions[3].first_store, 5);
    CU_ASSERT_EQUAL(s->regions[0].clients, 2);
    CU_ASSERT_EQUAL(s->regions[3].managers, 0);
    /* stores */
    CU_ASSERT_DOUBLE_EQUAL(s->append_ms, 0.25, 0.0);
    CU_ASSERT_EQUAL(s->durability, RS_DURABILITY_PERIODIC);
    CU_ASSERT_DOUBLE_EQUAL(s->fsync_interval_ms, 50.0, 0.0);
    /* strategy: targets sa(5,6) + eu/store-3(2) + us/store-1(3) + eu/store-1(0), in order */
    CU_ASSERT_PTR_EQUAL(s->strategy, &rs_star_component);
    CU_ASSERT_DOUBLE_EQUAL(s->strategy_params[RS_STAR_PARAM_TIMEOUT_MS], 250.0, 0.0);
    CU_ASSERT_EQUAL_FATAL(s->target_count, 5);
    static const uint32_t targets[] = {5, 6, 2, 3, 0};
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(s->targets[i], targets[i]);
    }
    CU_ASSERT_PTR_EQUAL(s->policy, rs_component_find(RS_COMPONENT_POLICY, "quorum"));
    CU_ASSERT_DOUBLE_EQUAL(s->policy_params[0], 0.0, 0.0);
    CU_ASSERT_EQUAL(s->write_quorum, 3); /* majority of 5 */
    /* workload */
    CU_ASSERT_DOUBLE_EQUAL(s->rate_per_s, 50.0, 0.0);
    CU_ASSERT_EQUAL(s->arrival, RS_ARRIVAL_CONSTANT);
    CU_ASSERT_EQUAL(s->streams, 10);
    CU_ASSERT_EQUAL(s->event_bytes, 1024);
    CU_ASSERT_EQUAL_FATAL(s->type_count, 2);
    CU_ASSERT_STRING_EQUAL(s->types[1].name, "B");
    CU_ASSERT_DOUBLE_EQUAL(s->types[0].weight, 0.25, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(s->types[1].weight, 0.75, 1e-15);
    CU_ASSERT_EQUAL(s->types[0].attribute_count, 0);
    CU_ASSERT_EQUAL_FATAL(s->types[1].attribute_count, 2);
    CU_ASSERT_STRING_EQUAL(s->types[1].attributes[0].key, "tenant");
    CU_ASSERT(!s->types[1].attributes[0].is_number);
    CU_ASSERT_STRING_EQUAL(s->types[1].attributes[0].text, "t1");
    CU_ASSERT(s->types[1].attributes[1].is_number);
    CU_ASSERT_DOUBLE_EQUAL(s->types[1].attributes[1].number, 12.5, 0.0);
    /* expectations */
    CU_ASSERT(s->expect.present[RS_EXPECT_SUCCESS_RATE_MIN]);
    CU_ASSERT_DOUBLE_EQUAL(s->expect.value[RS_EXPECT_SUCCESS_RATE_MIN], 0.95, 0.0);
    CU_ASSERT(s->expect.present[RS_EXPECT_ACKED_EVENTS_LOST_MAX]);
    CU_ASSERT_DOUBLE_EQUAL(s->expect.value[RS_EXPECT_ACKED_EVENTS_LOST_MAX], 0.0, 0.0);
    CU_ASSERT(!s->expect.present[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX]);
    CU_ASSERT(!s->expect.present[RS_EXPECT_THROUGHPUT_PER_S_MIN]);
    free(s);
}

static void test_links_in_pair_order(void) {
    int status = 0;
    rs_scenario *s = load_text(rs__loader_full_text, &status);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    CU_ASSERT_EQUAL_FATAL(s->link_count, 6);
    /* (eu,us) (eu,ap) (eu,sa) (us,ap) (us,sa) (ap,sa), whatever the file's order */
    static const uint32_t pairs[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
    static const double latency_ms[6] = {40, 75, 90, 100, 60, 150};
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(s->links[i].region_a, pairs[i][0]);
        CU_ASSERT_EQUAL(s->links[i].region_b, pairs[i][1]);
        CU_ASSERT_DOUBLE_EQUAL(s->links[i].latency_ms, latency_ms[i], 0.0);
        CU_ASSERT_PTR_EQUAL(rs_scenario_link(s, pairs[i][1], pairs[i][0]), &s->links[i]);
        CU_ASSERT_PTR_EQUAL(rs_scenario_link(s, pairs[i][0], pairs[i][1]), &s->links[i]);
    }
    const rs_dist *mixture = &s->links[0].extra_latency;
    CU_ASSERT_EQUAL(mixture->kind, RS_DIST_MIXTURE);
    CU_ASSERT_EQUAL_FATAL(mixture->component_count, 2);
    CU_ASSERT_DOUBLE_EQUAL(mixture->weights[0], 0.75, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(mixture->weights[1], 0.25, 1e-15);
    CU_ASSERT_EQUAL(mixture->components[0].kind, RS_DIST_CONSTANT);
    CU_ASSERT_DOUBLE_EQUAL(mixture->components[0].p1, 1.0, 0.0);
    CU_ASSERT_EQUAL(mixture->components[1].kind, RS_DIST_LOGNORMAL);
    CU_ASSERT_DOUBLE_EQUAL(mixture->components[1].p1, 2.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(mixture->components[1].p2, 0.5, 0.0);
    CU_ASSERT_EQUAL(s->links[1].extra_latency.kind, RS_DIST_UNIFORM);
    CU_ASSERT_DOUBLE_EQUAL(s->links[1].extra_latency.p1, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->links[1].extra_latency.p2, 3.0, 0.0);
    CU_ASSERT_EQUAL(s->links[2].extra_latency.kind, RS_DIST_NONE);
    CU_ASSERT_EQUAL(s->links[4].extra_latency.kind, RS_DIST_PARETO);
    CU_ASSERT_DOUBLE_EQUAL(s->links[4].extra_latency.p2, 1.5, 0.0);
    free(s);
}

static void test_store_names_and_regions(void) {
    int status = 0;
    rs_scenario *s = load_text(rs__loader_full_text, &status);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    static const uint32_t regions[7] = {0, 0, 0, 1, 1, 3, 3};
    static const char *const names[7] = {"eu/store-1", "eu/store-2", "eu/store-3", "us/store-1",
                                         "us/store-2", "sa/store-1", "sa/store-2"};
    for (uint32_t store = 0; store < 7; store++) {
        char name[RS_NAME_MAX + 16];
        rs_scenario_store_name(s, store, name, sizeof name);
        CU_ASSERT_STRING_EQUAL(name, names[store]);
        CU_ASSERT_EQUAL(rs_scenario_store_region(s, store), regions[store]);
    }
    free(s);
}

/* --- defaults ------------------------------------------------------------------------------- */

static const char minimal_text[] =
    "{\"name\":\"m\",\"duration_s\":10,\"topology\":{\"regions\":[{\"name\":\"eu\","
    "\"managers\":1,\"clients\":1},{\"name\":\"us\",\"stores\":2}],\"links\":[{\"between\":"
    "[\"eu\",\"us\"],\"latency_ms\":30,\"bandwidth_mbps\":100}]},\"strategy\":{\"type\":"
    "\"star\"},\"workload\":{\"rate_per_s\":10}}";

static void test_defaults(void) {
    int status = 0;
    rs_scenario *s = load_text(minimal_text, &status);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    CU_ASSERT_EQUAL(s->seed, 1);
    CU_ASSERT_DOUBLE_EQUAL(s->settle_s, 5.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->intra_latency_ms, 0.2, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->intra_bandwidth_mbps, 10000.0, 0.0);
    CU_ASSERT_EQUAL(s->regions[0].stores, 1);
    CU_ASSERT_EQUAL(s->regions[1].managers, 0);
    CU_ASSERT_EQUAL(s->regions[1].clients, 0);
    CU_ASSERT_EQUAL(s->store_count, 3);
    CU_ASSERT_EQUAL(s->links[0].extra_latency.kind, RS_DIST_NONE);
    CU_ASSERT_DOUBLE_EQUAL(s->append_ms, 1.0, 0.0);
    CU_ASSERT_EQUAL(s->durability, RS_DURABILITY_FSYNC);
    CU_ASSERT_DOUBLE_EQUAL(s->fsync_interval_ms, 100.0, 0.0);
    /* parameters default from the component's own table */
    CU_ASSERT_DOUBLE_EQUAL(s->strategy_params[RS_STAR_PARAM_TIMEOUT_MS],
                           rs_star_component.params[RS_STAR_PARAM_TIMEOUT_MS].default_value, 0.0);
    CU_ASSERT_EQUAL(s->target_count, 3);
    CU_ASSERT_EQUAL(s->targets[2], 2);
    CU_ASSERT_PTR_EQUAL(s->policy, rs_component_find(RS_COMPONENT_POLICY, "all"));
    CU_ASSERT_EQUAL(s->write_quorum, 3);
    CU_ASSERT_EQUAL(s->arrival, RS_ARRIVAL_POISSON);
    CU_ASSERT_EQUAL(s->streams, 100);
    CU_ASSERT_EQUAL(s->event_bytes, 512);
    CU_ASSERT_EQUAL(s->type_count, 1);
    CU_ASSERT_STRING_EQUAL(s->types[0].name, "Event");
    CU_ASSERT_DOUBLE_EQUAL(s->types[0].weight, 1.0, 0.0);
    for (int m = 0; m < RS_EXPECT_METRIC_COUNT; m++) {
        CU_ASSERT(!s->expect.present[m]);
    }
    /* FNV-1a 64 of the bytes, computed independently (Python) */
    CU_ASSERT_EQUAL(s->content_hash, 0x683f3e303cd56433ULL);
    free(s);
}

static void test_expect_metric_names(void) {
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_SUCCESS_RATE_MIN), "success_rate_min");
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_WRITE_LATENCY_MS_P50_MAX),
                           "write_latency_ms_p50_max");
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_WRITE_LATENCY_MS_P99_MAX),
                           "write_latency_ms_p99_max");
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX),
                           "replication_latency_ms_p99_max");
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_SYNC_DELAY_MS_P99_MAX),
                           "sync_delay_ms_p99_max");
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_ACKED_EVENTS_LOST_MAX),
                           "acked_events_lost_max");
    CU_ASSERT_STRING_EQUAL(rs_expect_metric_name(RS_EXPECT_THROUGHPUT_PER_S_MIN),
                           "throughput_per_s_min");
}

/* --- files ---------------------------------------------------------------------------------- */

static void test_load_from_file(void) {
    char path[] = "/tmp/rs_test_loader_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    size_t length = strlen(minimal_text);
    CU_ASSERT_EQUAL_FATAL(write(fd, minimal_text, length), (ssize_t)length);
    close(fd);
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(rs_scenario_load(path, s, error, sizeof error), 0);
    CU_ASSERT_STRING_EQUAL(s->source_path, path);
    CU_ASSERT_EQUAL(s->content_hash, 0x683f3e303cd56433ULL);
    unlink(path);
    CU_ASSERT_EQUAL(rs_scenario_load(path, s, error, sizeof error), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(error, ":1:1: (file): cannot open: No such file"));
    CU_ASSERT_EQUAL(strncmp(error, path, strlen(path)), 0);
    CU_ASSERT_EQUAL(rs_scenario_load("/tmp", s, error, sizeof error), 2);
    CU_ASSERT_STRING_EQUAL(error, "/tmp:1:1: (file): cannot read: Is a directory; allowed: a "
                                  "readable scenario file");
    free(s);
}

/* A conditional scenario, resolved field by field: rules, conditions, targets, the union. */
static const char conditional_text[] =
    "{\"name\":\"c\",\"duration_s\":10,\n"
    "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":3,\"managers\":1,\"clients\":1},\n"
    "  {\"name\":\"us\",\"stores\":2},{\"name\":\"ap\",\"stores\":0}],\n"
    "  \"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1},\n"
    "    {\"between\":[\"eu\",\"ap\"],\"latency_ms\":1,\"bandwidth_mbps\":1},\n"
    "    {\"between\":[\"us\",\"ap\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n"
    "\"strategy\":{\"type\":\"conditional\",\"mode\":\"all_match\",\"timeout_ms\":250,\n"
    "  \"default_targets\":[\"us/store-1\"],\n"
    "  \"rules\":[{\"name\":\"eu-residency\",\"when\":{\"eq\":[\"residency\",\"eu\"]},"
    "\"targets\":[\"eu\"]},\n"
    "    {\"name\":\"big\",\"when\":{\"and\":[{\"eq\":[\"type\",\"PaymentCaptured\"]},"
    "{\"gt\":[\"amount\",1000]}]},\"targets\":[\"us/store-2\",\"eu/store-1\",\"ap\"]},\n"
    "    {\"name\":\"misc\",\"when\":{\"or\":[{\"in\":[\"origin_region\",[\"us\",3]]},"
    "{\"not\":{\"prefix\":[\"tenant\",\"ac\"]}}]},\"targets\":[\"us\"]}]},\n"
    "\"consistency\":{\"type\":\"quorum\"},\n"
    "\"workload\":{\"rate_per_s\":10}}";

static void expect_comparison(const rs_rule_set *rules, uint32_t index, rs_rule_op op,
                              const char *attribute, uint32_t value_count) {
    CU_ASSERT_FATAL(index < rules->condition_count);
    CU_ASSERT_EQUAL(rules->conditions[index].op, op);
    CU_ASSERT_STRING_EQUAL(rules->conditions[index].attribute, attribute);
    CU_ASSERT_EQUAL(rules->conditions[index].count, value_count);
}

static void test_conditional_scenario_resolves(void) {
    int status = 0;
    rs_scenario *s = load_text(conditional_text, &status);
    CU_ASSERT_EQUAL_FATAL(status, 0);
    const rs_rule_set *rules = &s->rules;
    CU_ASSERT_PTR_EQUAL(s->strategy, &rs_conditional_component);
    CU_ASSERT_DOUBLE_EQUAL(s->strategy_params[RS_CONDITIONAL_PARAM_MODE], 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(s->strategy_params[RS_CONDITIONAL_PARAM_TIMEOUT_MS], 250.0, 0.0);
    CU_ASSERT_STRING_EQUAL(s->region_names[0], "eu");
    CU_ASSERT_STRING_EQUAL(s->region_names[2], "ap");
    CU_ASSERT_EQUAL_FATAL(rules->rule_count, 3);
    CU_ASSERT_STRING_EQUAL(rules->rules[0].name, "eu-residency");
    CU_ASSERT_STRING_EQUAL(rules->rules[2].name, "misc");
    CU_ASSERT_EQUAL(rules->condition_count, 8);
    CU_ASSERT_EQUAL(rules->value_count, 6);
    /* rule 0: eq residency "eu" */
    expect_comparison(rules, rules->rules[0].condition, RS_RULE_OP_EQ, "residency", 1);
    CU_ASSERT_STRING_EQUAL(rules->values[rules->conditions[rules->rules[0].condition].first].text,
                           "eu");
    /* rule 1: and(eq type "PaymentCaptured", gt amount 1000) */
    const rs_condition *both = &rules->conditions[rules->rules[1].condition];
    CU_ASSERT_EQUAL(both->op, RS_RULE_OP_AND);
    CU_ASSERT_EQUAL_FATAL(both->count, 2);
    expect_comparison(rules, both->first, RS_RULE_OP_EQ, "type", 1);
    uint32_t second = rules->conditions[both->first].next;
    expect_comparison(rules, second, RS_RULE_OP_GT, "amount", 1);
    CU_ASSERT(rules->values[rules->conditions[second].first].is_number);
    CU_ASSERT_DOUBLE_EQUAL(rules->values[rules->conditions[second].first].number, 1000.0, 0.0);
    /* rule 2: or(in origin_region ["us", 3], not(prefix tenant "ac")) */
    const rs_condition *either = &rules->conditions[rules->rules[2].condition];
    CU_ASSERT_EQUAL(either->op, RS_RULE_OP_OR);
    expect_comparison(rules, either->first, RS_RULE_OP_IN, "origin_region", 2);
    const rs_rule_value *in_values = &rules->values[rules->conditions[either->first].first];
    CU_ASSERT_STRING_EQUAL(in_values[0].text, "us");
    CU_ASSERT(in_values[1].is_number && in_values[1].number == 3.0);
    const rs_condition *negation = &rules->conditions[rules->conditions[either->first].next];
    CU_ASSERT_EQUAL(negation->op, RS_RULE_OP_NOT);
    expect_comparison(rules, negation->first, RS_RULE_OP_PREFIX, "tenant", 1);
    CU_ASSERT_EQUAL(either->height, 3);
    /* targets: eu -> 0 1 2; us/store-2, eu/store-1, ap (no stores) -> 4 0; us -> 3 4 */
    static const uint32_t slots[] = {0, 1, 2, 4, 0, 3, 4, 3};
    CU_ASSERT_EQUAL_FATAL(rules->target_slot_count, 8);
    for (uint32_t i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(rules->target_slots[i], slots[i]);
    }
    CU_ASSERT_EQUAL(rules->rules[1].first_target, 3);
    CU_ASSERT_EQUAL(rules->rules[1].target_count, 2);
    CU_ASSERT_EQUAL(rules->default_first, 7);
    CU_ASSERT_EQUAL(rules->default_count, 1);
    /* the union, rules first in first-appearance order; quorum = majority of 5 */
    static const uint32_t targets[] = {0, 1, 2, 4, 3};
    CU_ASSERT_EQUAL_FATAL(s->target_count, 5);
    for (uint32_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(s->targets[i], targets[i]);
    }
    CU_ASSERT_EQUAL(s->write_quorum, 3);
    free(s);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"full scenario resolves exactly", test_full_scenario_resolves},
        {"links in pair order", test_links_in_pair_order},
        {"store names and regions", test_store_names_and_regions},
        {"defaults", test_defaults},
        {"expect metric names", test_expect_metric_names},
        {"load from file", test_load_from_file},
        {"conditional scenario resolves exactly", test_conditional_scenario_resolves},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("loader", tests);
    return rs_test_run_all();
}
