/* test_loader.c — pins the scenario loader: every scenarios/ JSON file loads, a full inline
 * scenario resolves to exact indices, quorums, normalised weights and defaults, and each of
 * many bad inputs returns 2 with its exact "file:line:col: path: message" fragment. */
#include "model/scenario.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "strategies/conditional.h"
#include "strategies/star.h"
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

/* --- every scenario shipped in the repository ---------------------------------------------- */

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_repository_scenarios_load(void) {
    char dir_path[1024];
    snprintf(dir_path, sizeof dir_path, "%s/scenarios", rs_test_source_dir());
    DIR *dir = opendir(dir_path);
    if (dir == NULL) {
        return; /* no scenarios yet: nothing to load */
    }
    char *names[256];
    size_t count = 0;
    for (struct dirent *entry = readdir(dir); entry != NULL && count < 256;
         entry = readdir(dir)) {
        size_t length = strlen(entry->d_name);
        if (length > 5 && strcmp(entry->d_name + length - 5, ".json") == 0 &&
            strcmp(entry->d_name, "schema.json") != 0) {
            names[count++] = strdup(entry->d_name);
        }
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], compare_names);
    rs_scenario *scenario = malloc(sizeof *scenario);
    CU_ASSERT_FATAL(scenario != NULL);
    for (size_t i = 0; i < count; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir_path, names[i]);
        int status = rs_scenario_load(path, scenario, error, sizeof error);
        if (status != 0) {
            printf("\n    %s\n", error);
        }
        CU_ASSERT_EQUAL(status, 0);
        CU_ASSERT(scenario->target_count >= 1);
        CU_ASSERT(scenario->write_quorum >= 1 && scenario->write_quorum <= scenario->target_count);
        free(names[i]);
    }
    free(scenario);
}

/* --- a full scenario, resolved ------------------------------------------------------------- */

static const char full_text[] =
    "{\n"
    "  \"$schema\": \"./schema.json\",\n"
    "  \"name\": \"full\", \"seed\": 7, \"duration_s\": 20, \"settle_s\": 2.5,\n"
    "  \"network\": {\"intra_region\": {\"latency_ms\": 0.5, \"bandwidth_mbps\": 2000},\n"
    "              \"transport\": \"flow\"},\n"
    "  \"topology\": {\n"
    "    \"regions\": [\n"
    "      {\"name\": \"eu\", \"stores\": 3, \"managers\": 1, \"clients\": 2},\n"
    "      {\"name\": \"us\", \"stores\": 2, \"managers\": 1, \"clients\": 1},\n"
    "      {\"name\": \"ap\", \"stores\": 0},\n"
    "      {\"name\": \"sa\", \"stores\": 2}\n"
    "    ],\n"
    "    \"links\": [\n"
    "      {\"between\": [\"sa\", \"eu\"], \"latency_ms\": 90, \"bandwidth_mbps\": 100},\n"
    "      {\"between\": [\"us\", \"eu\"], \"latency_ms\": 40, \"bandwidth_mbps\": 1000,\n"
    "       \"extra_latency\": {\"dist\": \"mixture\", \"components\": [\n"
    "         {\"weight\": 3, \"dist\": \"constant\", \"value_ms\": 1},\n"
    "         {\"weight\": 1, \"dist\": \"lognormal\", \"median_ms\": 2, \"sigma\": 0.5}]}},\n"
    "      {\"between\": [\"eu\", \"ap\"], \"latency_ms\": 75, \"bandwidth_mbps\": 500,\n"
    "       \"extra_latency\": {\"dist\": \"uniform\", \"min_ms\": 1, \"max_ms\": 3}},\n"
    "      {\"between\": [\"us\", \"ap\"], \"latency_ms\": 100, \"bandwidth_mbps\": 500},\n"
    "      {\"between\": [\"us\", \"sa\"], \"latency_ms\": 60, \"bandwidth_mbps\": 200,\n"
    "       \"extra_latency\": {\"dist\": \"pareto\", \"scale_ms\": 2, \"shape\": 1.5}},\n"
    "      {\"between\": [\"ap\", \"sa\"], \"latency_ms\": 150, \"bandwidth_mbps\": 50}\n"
    "    ]\n"
    "  },\n"
    "  \"stores\": {\"append_ms\": 0.25, \"durability\": \"periodic\",\n"
    "             \"fsync_interval_ms\": 50},\n"
    "  \"strategy\": {\"type\": \"star\", \"timeout_ms\": 250,\n"
    "               \"targets\": [\"sa\", \"eu/store-3\", \"us/store-1\", "
    "\"eu/store-1\"]},\n"
    "  \"consistency\": {\"type\": \"quorum\"},\n"
    "  \"workload\": {\"rate_per_s\": 50, \"arrival\": \"constant\", \"streams\": 10,\n"
    "               \"event_bytes\": 1024, \"types\": [\n"
    "                 {\"name\": \"A\", \"weight\": 1},\n"
    "                 {\"name\": \"B\", \"weight\": 3,\n"
    "                  \"attributes\": {\"tenant\": \"t1\", \"amount\": 12.5}}]},\n"
    "  \"expect\": {\"success_rate_min\": 0.95, \"acked_events_lost_max\": 0}\n"
    "}";

static void test_full_scenario_resolves(void) {
    int status = 0;
    rs_scenario *s = load_text(full_text, &status);
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
    rs_scenario *s = load_text(full_text, &status);
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
    rs_scenario *s = load_text(full_text, &status);
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

static void test_oversized_buffer(void) {
    size_t length = RS_SCENARIO_BYTES_MAX + 1;
    char *text = malloc(length);
    CU_ASSERT_FATAL(text != NULL);
    memset(text, ' ', length);
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("big.json", text, length, s, error, sizeof error), 2);
    CU_ASSERT_STRING_EQUAL(error, "big.json:1:1: (file): file has more than 4194304 bytes; "
                                  "allowed: at most 4194304 bytes");
    free(text);
    free(s);
}

/* A tiny buffer gets a truncated, terminated message and the same status. */
static void test_small_error_buffer(void) {
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    char tiny[12];
    memset(tiny, 'z', sizeof tiny);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", "[", 1, s, tiny, sizeof tiny), 2);
    CU_ASSERT_STRING_EQUAL(tiny, "x.json:1:2:");
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", "[", 1, s, NULL, 0), 2);
    free(s);
}

/* --- the JSON Schema stays in step with limits.h, the expectations and the registry -------- */

static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    char *text = calloc(1, 1 << 20);
    if (text != NULL) {
        size_t length = fread(text, 1, (1 << 20) - 1, file);
        text[length] = '\0';
    }
    fclose(file);
    return text;
}

/* The number at a dotted path ("a.b.3.c": digits index arrays), or NAN. */
static double schema_number(const cJSON *node, const char *path) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *part = strtok(buf, "."); part != NULL && node != NULL; part = strtok(NULL, ".")) {
        node = (part[0] >= '0' && part[0] <= '9') ? cJSON_GetArrayItem(node, atoi(part))
                                                   : cJSON_GetObjectItemCaseSensitive(node, part);
    }
    if (!cJSON_IsNumber(node)) {
        printf("\n    schema.json has no number at %s\n", path);
        return NAN;
    }
    return node->valuedouble;
}

static void test_schema_matches_limits(void) {
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/schema.json", rs_test_source_dir());
    char *text = read_file(path);
    CU_ASSERT_FATAL(text != NULL);
    cJSON *schema = cJSON_Parse(text);
    CU_ASSERT_FATAL(schema != NULL);
    static const struct { const char *path; double value; } pins[] = {
        {"properties.name.maxLength", RS_SCENARIO_NAME_MAX - 1},
        {"properties.duration_s.maximum", RS_DURATION_S_MAX},
        {"properties.topology.properties.regions.maxItems", RS_REGIONS_MAX},
        {"properties.topology.properties.links.maxItems", RS_LINKS_MAX},
        {"$defs.region.properties.stores.maximum", RS_STORES_PER_REGION_MAX},
        {"$defs.region.properties.managers.maximum", RS_MANAGERS_PER_REGION_MAX},
        {"$defs.region.properties.clients.maximum", RS_CLIENTS_PER_REGION_MAX},
        {"$defs.link.properties.latency_ms.maximum", RS_LATENCY_MS_MAX},
        {"$defs.link.properties.bandwidth_mbps.minimum", RS_BANDWIDTH_MBPS_MIN},
        {"$defs.link.properties.bandwidth_mbps.maximum", RS_BANDWIDTH_MBPS_MAX},
        {"$defs.ms.maximum", RS_LATENCY_MS_MAX},
        {"$defs.dist.oneOf.1.properties.components.maxItems", RS_DIST_COMPONENTS_MAX},
        {"properties.stores.properties.append_ms.maximum", RS_SERVICE_MS_MAX},
        {"properties.strategy.properties.targets.maxItems", RS_TARGETS_MAX},
        {"properties.workload.properties.rate_per_s.maximum", RS_RATE_PER_S_MAX},
        {"properties.workload.properties.streams.maximum", RS_STREAMS_MAX},
        {"properties.workload.properties.event_bytes.maximum", RS_EVENT_BYTES_MAX},
        {"properties.workload.properties.types.maxItems", RS_EVENT_TYPES_MAX},
        {"$defs.event_type.properties.attributes.maxProperties", RS_ATTRIBUTES_MAX},
        {"properties.expect.properties.acked_events_lost_max.maximum", (double)RS_EVENTS_MAX},
        {"$defs.rules.maxItems", RS_RULES_MAX},
        {"$defs.in_values.maxItems", RS_IN_VALUES_MAX},
        {"$defs.rule_value.oneOf.0.maxLength", RS_ATTR_VALUE_MAX - 1},
    };
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        double value = schema_number(schema, pins[i].path);
        if (value != pins[i].value) {
            printf("\n    schema.json %s = %g, limits.h says %g\n", pins[i].path, value,
                   pins[i].value);
        }
        CU_ASSERT_DOUBLE_EQUAL(value, pins[i].value, 0.0);
    }
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(schema, "properties"),
                                         "expect"), "properties");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(expect), RS_EXPECT_METRIC_COUNT + 1); /* + tolerate */
    for (int m = 0; m < RS_EXPECT_METRIC_COUNT; m++) {
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(expect, rs_expect_metric_name(m)));
    }
    const cJSON *tolerate = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(expect, "tolerate"),
                                         "items"), "enum");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(tolerate), RS_INV_COUNT);
    for (int i = 0; i < RS_INV_COUNT; i++) {
        CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(tolerate, i)->valuestring,
                               rs_invariant_name((rs_invariant)i));
    }
    /* Every registered component and parameter is documented (by name) in the schema. */
    const rs_component *const *components = NULL;
    size_t count = rs_components(&components);
    for (size_t i = 0; i < count; i++) {
        char quoted[128];
        snprintf(quoted, sizeof quoted, "\"const\": \"%s\"", components[i]->name);
        bool documented = strstr(text, quoted) != NULL || strcmp(components[i]->name, "all") == 0;
        for (size_t p = 0; p < components[i]->param_count; p++) {
            snprintf(quoted, sizeof quoted, "\"%s\":", components[i]->params[p].name);
            documented = documented && strstr(text, quoted) != NULL;
        }
        if (!documented) {
            printf("\n    scenarios/schema.json does not document component %s\n",
                   components[i]->name);
        }
        CU_ASSERT(documented);
    }
    cJSON_Delete(schema);
    free(text);
}

/* --- bad inputs ----------------------------------------------------------------------------- */

/* A valid four-line scenario; bad cases replace one line. */
#define L1 "{\"name\":\"t\",\"duration_s\":10,\n"
#define L2 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1}]},\n"
#define L3 "\"strategy\":{\"type\":\"star\"},\n"
#define L4 "\"workload\":{\"rate_per_s\":10}}"
#define TWO_REGIONS "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1}," \
                    "{\"name\":\"us\"}],\n"
#define LINK_HEAD "\"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1,\n"

#define RULE_HEAD "\"strategy\":{\"type\":\"conditional\",\"rules\":[\n"
#define RULE_OK "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[\"eu\"]}"

typedef struct bad_case {
    const char *label;        /* what is wrong */
    const char *text;         /* the file */
    size_t length;            /* 0: strlen(text) */
    const char *fragment;     /* must appear in the message */
    const char *fragment2;    /* and this too, when not NULL */
} bad_case;

static const bad_case bad_cases[] = {
    {"syntax: missing comma", L1 "\"seed\":1 \"settle_s\":2,\n" L2 L3 L4, 0,
     "x.json:2:10: (syntax): expected ',' or '}' after a member, found '\"'; allowed: JSON", NULL},
    {"syntax: trailing comma", L1 "\"topology\":{\"regions\":[{\"name\":\"eu\"},]}}", 0,
     "x.json:2:37: (syntax): trailing comma before ']'", NULL},
    {"syntax: unquoted key", "{name:\"t\"}", 0,
     "x.json:1:2: (syntax): expected a key in double quotes, found 'name'", NULL},
    {"syntax: unterminated string", "{\n  \"name\": \"t", 0,
     "x.json:2:11: (syntax): unterminated string", NULL},
    {"syntax: empty file", "", 0, "x.json:1:1: (syntax): expected a value, found end of input",
     NULL},
    {"unknown field with suggestion", L1 L2 L3 "\"workload\":{\"rate_per_s\":10,\"stream\":5}}", 0,
     "x.json:4:29: workload.stream: unknown field (did you mean \"streams\"?); allowed: "
     "rate_per_s, arrival, streams, event_bytes, types", NULL},
    {"unknown field missing its unit", L1 L2 "\"strategy\":{\"type\":\"star\",\"timeout\":5},\n" L4,
     0, "x.json:3:27: strategy.timeout: unknown field (did you mean \"timeout_ms\"?)", NULL},
    {"duplicate key", L1 L2 "\"strategy\":{\"type\":\"star\",\"type\":\"star\"},\n" L4, 0,
     "x.json:3:27: strategy.type: duplicate key (first at 3:13); allowed: each key once", NULL},
    {"wrong type",
     L1 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":\"three\"}]},\n" L3 L4, 0,
     "x.json:2:46: topology.regions[0].stores: must be an integer, got \"three\"; allowed: "
     "integer 0..256", NULL},
    {"out of range", L1 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":300}]},\n" L3 L4, 0,
     "x.json:2:46: topology.regions[0].stores: must be <= 256, got 300; allowed: integer 0..256",
     NULL},
    {"limit exceeded",
     L1 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":65}]},\n" L3 L4, 0,
     "x.json:2:60: topology.regions[0].clients: must be <= 64, got 65; allowed: integer 0..64",
     NULL},
    {"budget: rate x duration", "{\"name\":\"t\",\"duration_s\":86400,\n" L2 L3
     "\"workload\":{\"rate_per_s\":1000}}", 0,
     "x.json:4:26: workload.rate_per_s: rate_per_s x duration_s = 86400000 events, over the "
     "budget; allowed: at most 20000000 events per run", NULL},
    {"budget: replicas", "{\"name\":\"t\",\"duration_s\":20,\n"
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":11,\"managers\":1,\"clients\":1}]},\n"
     L3 "\"workload\":{\"rate_per_s\":1000000}}", 0,
     "x.json:4:26: workload.rate_per_s: 20000000 events x 11 target stores = 220000000 "
     "replicas, over the budget; allowed: at most 200000000 replicas per run", NULL},
    {"unknown strategy", L1 L2 "\"strategy\":{\"type\":\"stra\"},\n" L4, 0,
     "x.json:3:20: strategy.type: unknown strategy \"stra\" (did you mean \"star\"?); allowed: ",
     NULL},
    {"misspelt type", L1 L2 "\"strategy\":{\"tpye\":\"star\"},\n" L4, 0,
     "x.json:3:13: strategy.tpye: unknown field (did you mean \"type\"?)", NULL},
    {"control character in the name", "{\"name\":\"a\\u0007b\"}", 0,
     "x.json:1:9: name: contains control character 0x07; allowed: printable text", NULL},
    {"strategy without type", L1 L2 "\"strategy\":{\"timeout_ms\":5},\n" L4, 0,
     "x.json:3:12: strategy.type: missing required field", NULL},
    {"unknown policy", L1 L2 L3 "\"consistency\":{\"type\":\"quorom\"},\n" L4, 0,
     "x.json:4:23: consistency.type: unknown consistency policy \"quorom\" (did you mean "
     "\"quorum\"?)", NULL},
    {"policy parameter out of range", L1 L2 L3
     "\"consistency\":{\"type\":\"quorum\",\"write_quorum\":-1},\n" L4, 0,
     "x.json:4:47: consistency.write_quorum: must be >= 0, got -1", NULL},
    {"unknown target", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":2,\"managers\":1,\"clients\":1}]},\n"
     "\"strategy\":{\"type\":\"star\",\"targets\":[\"eu\",\"eu/store-3\"]},\n" L4, 0,
     "x.json:3:43: strategy.targets[1]: unknown target \"eu/store-3\"; allowed: a region (eu)",
     NULL},
    {"target named twice", L1 L2
     "\"strategy\":{\"type\":\"star\",\"targets\":[\"eu/store-1\",\"eu\"]},\n" L4, 0,
     "x.json:3:51: strategy.targets[1]: selects store eu/store-1 a second time", NULL},
    {"targets select nothing", L1 L2 "\"strategy\":{\"type\":\"star\",\"targets\":[]},\n" L4, 0,
     "x.json:3:37: strategy.targets: selects no store", NULL},
    {"quorum larger than targets", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":6,\"managers\":1,\"clients\":1}]},\n"
     L3 "\"consistency\":{\"type\":\"quorum\",\"write_quorum\":7},\n" L4, 0,
     "x.json:4:47: consistency.write_quorum: write_quorum 7 exceeds the 6 target stores; "
     "allowed: at most 6", NULL},
    {"missing link", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1},{\"name\":\"us\"},"
     "{\"name\":\"ap\"}],\n"
     "\"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1},\n"
     "{\"between\":[\"ap\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:3:9: topology.links: no link between \"eu\" and \"ap\"; allowed: exactly one link "
     "for each of the 3 region pairs", NULL},
    {"self link", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"us\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:3:21: topology.links[0].between: links region \"us\" to itself", NULL},
    {"second link for a pair", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1},\n"
     "{\"between\":[\"us\",\"eu\"],\"latency_ms\":2,\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:4:12: topology.links[1].between: second link between \"eu\" and \"us\" (first is "
     "topology.links[0])", NULL},
    {"link to an unknown region", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"eu\",\"uss\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n" L3 L4,
     0, "x.json:3:27: topology.links[0].between[1]: unknown region \"uss\" (did you mean "
        "\"us\"?); allowed: eu, us", NULL},
    {"link without latency", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"eu\",\"us\"],\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:3:10: topology.links[0].latency_ms: missing required field", NULL},
    {"clients without manager", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1},"
     "{\"name\":\"us\",\"clients\":2}]},\n" L3 L4, 0,
     "x.json:2:86: topology.regions[1].clients: region \"us\" has clients (2) but no manager",
     NULL},
    {"duplicate region names", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1},"
     "{\"name\":\"eu\"}]},\n" L3 L4, 0,
     "x.json:2:71: topology.regions[1].name: duplicate region name \"eu\" (also "
     "topology.regions[0]); allowed: unique names", NULL},
    {"region name not an identifier", L1 "\"topology\":{\"regions\":[{\"name\":\"e u\"}]}}", 0,
     "x.json:2:32: topology.regions[0].name: must be a name, got \"e u\"; allowed: 1..63 "
     "characters from A-Z a-z 0-9 _ . -", NULL},
    {"empty regions array", L1 "\"topology\":{\"regions\":[]}}", 0,
     "x.json:2:23: topology.regions: has only 0 regions; allowed: 1..64 regions", NULL},
    {"bad dist", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"exponetial\",\"mean_ms\":2}}]},\n" L3 L4, 0,
     "x.json:4:25: topology.links[0].extra_latency.dist: unknown distribution \"exponetial\" "
     "(did you mean \"exponential\"?); allowed: constant, uniform, normal, lognormal, "
     "exponential, pareto, mixture", NULL},
    {"dist parameter of another kind", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"exponential\",\"median_ms\":2}}]},\n" L3 L4, 0,
     "x.json:4:39: topology.links[0].extra_latency.median_ms: unknown field (did you mean "
     "\"mean_ms\"?); allowed: dist, mean_ms", NULL},
    {"uniform max below min", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"uniform\",\"min_ms\":5,\"max_ms\":2}}]},\n" L3 L4, 0,
     "x.json:4:55: topology.links[0].extra_latency.max_ms: must be >= min_ms (5), got 2", NULL},
    {"mixture nesting", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"mixture\",\"components\":[{\"weight\":1,"
     "\"dist\":\"mixture\"}]}}"
     "]},\n" L3 L4, 0,
     "x.json:4:68: topology.links[0].extra_latency.components[0].dist: a mixture component "
     "cannot itself be a mixture; allowed: constant, uniform, normal, lognormal, exponential, "
     "pareto", NULL},
    {"mixture without weight", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"mixture\",\"components\":[{\"dist\":\"constant\","
     "\"value_ms\":1}"
     "]}}]},\n" L3 L4, 0,
     "x.json:4:49: topology.links[0].extra_latency.components[0].weight: missing required field",
     NULL},
    {"integer given as 1.5", L1 "\"seed\":1.5,\n" L2 L3 L4, 0,
     "x.json:2:8: seed: must be an integer, got 1.5; allowed: integer 0..9007199254740992", NULL},
    {"negative seed", L1 "\"seed\":-1,\n" L2 L3 L4, 0,
     "x.json:2:8: seed: must be >= 0, got -1", NULL},
    {"non-UTF-8 string", "{\"name\":\"caf\xc3\x28\"}", 0,
     "x.json:1:13: name: invalid UTF-8 byte 0xc3 in a string; allowed: UTF-8 text", NULL},
    {"raw newline in a string", "{\"name\":\"a\nb\"}", 0,
     "x.json:1:11: name: control character 0x0a in a string", NULL},
    {"NaN literal", L1 "\"settle_s\":NaN,\n" L2 L3 L4, 0,
     "x.json:2:12: settle_s: NaN and Infinity are not JSON numbers; allowed: finite numbers",
     NULL},
    {"number overflowing to infinity", L1 "\"settle_s\":1e999,\n" L2 L3 L4, 0,
     "x.json:2:12: settle_s: number 1e999 is out of range; allowed: finite numbers", NULL},
    {"leading zero", L1 "\"settle_s\":05,\n" L2 L3 L4, 0,
     "x.json:2:12: settle_s: number with a leading zero", NULL},
    {"NUL byte after the document", "{\"name\":\"t\"}\0x", 14,
     "x.json:1:13: (syntax): expected end of input after the top-level value, found byte 0x00",
     NULL},
    {"depth exceeded",
     "{\"name\":\"t\",\"seed\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]}", 0,
     "x.json:1:51: seed[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
     "[0][0][0][0][0][0][0]: nesting deeper than 32 levels",
     "; allowed: at most 32 nested objects and arrays"},
    {"not an object", "[1]", 0, "x.json:1:1: (document): must be an object, got an array", NULL},
    {"empty name", "{\"name\":\"\"}", 0,
     "x.json:1:9: name: empty string (0 bytes); allowed: a string of 1..199 bytes", NULL},
    {"missing workload", L1 L2 "\"strategy\":{\"type\":\"star\"}}", 0,
     "x.json:1:1: workload: missing required field", NULL},
    {"missing rate", L1 L2 L3 "\"workload\":{\"arrival\":\"poisson\"}}", 0,
     "x.json:4:12: workload.rate_per_s: missing required field", NULL},
    {"rate zero", L1 L2 L3 "\"workload\":{\"rate_per_s\":0}}", 0,
     "x.json:4:26: workload.rate_per_s: must be > 0, got 0; allowed: number > 0 and <= 1000000",
     NULL},
    {"durability typo", L1 "\"stores\":{\"durability\":\"fsnyc\"},\n" L2 L3 L4, 0,
     "x.json:2:24: stores.durability: unknown durability \"fsnyc\" (did you mean \"fsync\"?); "
     "allowed: fsync, periodic, volatile", NULL},
    {"unknown transport", L1 "\"network\":{\"transport\":\"fast\"},\n" L2 L3 L4, 0,
     "x.json:2:24: network.transport: unknown transport \"fast\"; allowed: flow, latency", NULL},
    {"event type weight zero", L1 L2 L3
     "\"workload\":{\"rate_per_s\":1,\"types\":[{\"name\":\"A\",\"weight\":0}]}}", 0,
     "x.json:4:58: workload.types[0].weight: must be > 0, got 0", NULL},
    {"duplicate event type", L1 L2 L3
     "\"workload\":{\"rate_per_s\":1,\"types\":[{\"name\":\"A\"},{\"name\":\"A\"}]}}", 0,
     "x.json:4:58: workload.types[1].name: duplicate event type name \"A\"", NULL},
    {"attribute of the wrong type", L1 L2 L3
     "\"workload\":{\"rate_per_s\":1,\"types\":[{\"name\":\"A\",\"attributes\":{\"vip\":true}}]}}",
     0, "x.json:4:69: workload.types[0].attributes.vip: must be a string or a number, got true",
     NULL},
    {"escaped newline in a key stays on one line", "{\"a\\nb\":1}", 0,
     "x.json:1:2: a?b: unknown field", NULL},
    /* conditional replication rules (model/scenario_rules.c) */
    {"rules: unknown operator", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eqq\":[\"a\",\"b\"]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:21: strategy.rules[0].when.eqq: unknown operator \"eqq\" (did you mean \"eq\"?); "
     "allowed: eq, ne, lt, le, gt, ge, in, prefix, and, or, not", NULL},
    {"rules: wrong arity", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",\"b\",\"c\"]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:26: strategy.rules[0].when.eq: must be [attribute, value], got 3 elements; "
     "allowed: a 2-element array", NULL},
    {"rules: not given an array", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"not\":[{\"eq\":[\"a\",1]}]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:27: strategy.rules[0].when.not: must be one condition object, got an array; "
     "allowed: {\"not\": {condition}}", NULL},
    {"rules: two operators in one object", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1],\"ne\":[\"a\",2]},\"targets\":[\"eu\"]}]},\n" L4,
     0, "x.json:4:34: strategy.rules[0].when.ne: a second operator in one condition (the first "
     "is \"eq\"); allowed: one operator per object, combined with and/or", NULL},
    {"rules: prefix of a number", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"prefix\":[\"a\",1]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:35: strategy.rules[0].when.prefix[1]: must be a string, got 1; allowed: a string "
     "of 1..63 bytes", NULL},
    {"rules: attribute not a name", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[5,\"b\"]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:27: strategy.rules[0].when.eq[0]: must be an attribute name, got 5; allowed: "
     "type, origin_region or an event type's attribute", NULL},
    {"rules: unknown target store", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[\"eu\",\"eu/store-2\"]}]},\n" L4,
     0, "x.json:4:51: strategy.rules[0].targets[1]: unknown target \"eu/store-2\"; allowed: a "
     "region (eu) or one of its stores \"region/store-K\"", NULL},
    {"rules: unknown target region", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[\"us\"]}]},\n" L4, 0,
     "x.json:4:46: strategy.rules[0].targets[0]: unknown target \"us\"; allowed: a region (eu)",
     NULL},
    {"rules: a rule without targets", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[]}]},\n" L4, 0,
     "x.json:4:45: strategy.rules[0].targets: selects no store; allowed: at least one region "
     "(with stores) or store name", NULL},
    {"rules: duplicate rule names", L1 L2 RULE_HEAD RULE_OK ",\n" RULE_OK "]},\n" L4, 0,
     "x.json:5:9: strategy.rules[1].name: duplicate rule name \"r\" (also strategy.rules[0]); "
     "allowed: unique names", NULL},
    {"rules: nesting too deep", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":"
     "{\"not\":{\"eq\":[\"a\",1]}}}}}}}}},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:76: strategy.rules[0].when.not.not.not.not.not.not.not.not: conditions nested "
     "deeper than 8 levels; allowed: at most 8 nested conditions (and, or, not)", NULL},
    {"rules: missing for conditional", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"mode\":\"all_match\"},\n" L4, 0,
     "x.json:3:12: strategy.rules: missing required field; allowed: 1..60 rules for strategy "
     "\"conditional\"", NULL},
    {"rules: given for another strategy", L1 L2 "\"strategy\":{\"type\":\"star\",\"rules\":[]},\n"
     L4, 0, "x.json:3:27: strategy.rules: only for strategy \"conditional\"; allowed: rules and "
     "default_targets with \"type\": \"conditional\"", NULL},
    {"rules: default_targets for another strategy", L1 L2
     "\"strategy\":{\"type\":\"batch\",\"default_targets\":[\"eu\"]},\n" L4, 0,
     "x.json:3:28: strategy.default_targets: only for strategy \"conditional\"", NULL},
    {"rules: strategy.targets for conditional", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"targets\":[\"eu\"],\"rules\":[" RULE_OK "]},\n" L4,
     0, "x.json:3:34: strategy.targets: not used by strategy \"conditional\" (each rule has its "
     "own); allowed: rules[].targets and default_targets", NULL},
    {"rules: empty list", L1 L2 "\"strategy\":{\"type\":\"conditional\",\"rules\":[]},\n" L4, 0,
     "x.json:3:42: strategy.rules: has only 0 rules; allowed: 1..60 rules", NULL},
    {"rules: mode typo", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"mode\":\"first-match\",\"rules\":[" RULE_OK "]},\n"
     L4, 0, "x.json:3:41: strategy.mode: unknown mode \"first-match\" (did you mean "
     "\"first_match\"?); allowed: first_match, all_match", NULL},
    {"rules: unknown default target", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"rules\":[" RULE_OK "],\"default_targets\":[\"ap\"]},"
     "\n" L4, 0, "x.json:3:115: strategy.default_targets[0]: unknown target \"ap\"", NULL},
    {"rules: empty condition", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:20: strategy.rules[0].when: a condition needs one operator, got none", NULL},
};

static void test_bad_inputs(void) {
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    size_t count = sizeof bad_cases / sizeof bad_cases[0];
    CU_ASSERT(count >= 20);
    for (size_t i = 0; i < count; i++) {
        const bad_case *c = &bad_cases[i];
        size_t length = c->length != 0 ? c->length : strlen(c->text);
        int status = rs_scenario_load_buffer("x.json", c->text, length, s, error, sizeof error);
        bool ok = status == 2 && strstr(error, c->fragment) != NULL &&
                  (c->fragment2 == NULL || strstr(error, c->fragment2) != NULL) &&
                  strchr(error, '\n') == NULL;
        if (!ok) {
            printf("\n    %s: status %d\n      got:  %s\n      want: %s\n", c->label, status,
                   error, c->fragment);
        }
        CU_ASSERT(ok);
    }
    free(s);
}

/* More stores than RS_STORES_MAX over nine regions: the region that crosses it is named. */
static void test_total_stores_limit(void) {
    static char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "{\"name\":\"t\",\"duration_s\":10,"
                                   "\"topology\":{\"regions\":[\n");
    for (int r = 0; r < 9; r++) {
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"name\":\"r%d\",\"stores\":256,\"managers\":1,"
                                 "\"clients\":1}%s\n", r, r < 8 ? "," : "]}}");
    }
    int status = 0;
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    status = rs_scenario_load_buffer("x.json", text, used, s, error, sizeof error);
    CU_ASSERT_EQUAL(status, 2);
    CU_ASSERT_STRING_EQUAL(error, "x.json:10:1: topology.regions[8]: brings the stores to 2304; "
                                  "allowed: at most 2048 stores in all regions");
    free(s);
}

/* Generated rule sets over the limits: 61 rules, and 2 x 300 comparisons (512 nodes fit). */
static void test_rule_limits(void) {
    static char text[65536];
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    size_t used = (size_t)snprintf(text, sizeof text, L1 L2 RULE_HEAD);
    for (int r = 0; r <= RS_RULES_MAX; r++) {
        used += (size_t)snprintf(text + used, sizeof text - used, "{\"name\":\"r%d\",\"when\":"
                                 "{\"eq\":[\"a\",%d]},\"targets\":[\"eu\"]}%s\n", r, r,
                                 r < RS_RULES_MAX ? "," : "]},");
    }
    used += (size_t)snprintf(text + used, sizeof text - used, L4);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", text, used, s, error, sizeof error), 2);
    CU_ASSERT_STRING_EQUAL(error, "x.json:3:42: strategy.rules: has 61 rules; allowed: 1..60 "
                                  "rules");
    used = (size_t)snprintf(text, sizeof text, L1 L2 RULE_HEAD);
    for (int r = 0; r < 2; r++) {
        used += (size_t)snprintf(text + used, sizeof text - used, "{\"name\":\"r%d\",\"when\":"
                                 "{\"or\":[\n", r);
        for (int c = 0; c < 300; c++) {
            used += (size_t)snprintf(text + used, sizeof text - used, "{\"eq\":[\"a\",%d]}%s\n",
                                     c, c < 299 ? "," : "");
        }
        used += (size_t)snprintf(text + used, sizeof text - used, "]},\"targets\":[\"eu\"]}%s\n",
                                 r == 0 ? "," : "]},");
    }
    used += (size_t)snprintf(text + used, sizeof text - used, L4);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", text, used, s, error, sizeof error), 2);
    /* rule 0 takes 301 nodes; rule 1's child 211 would be node 513: line 307 + 211, at its
     * operand's '[' (column 7) */
    CU_ASSERT_STRING_EQUAL(error, "x.json:518:7: strategy.rules[1].when.or[211].eq: too many "
                                  "conditions in the rules; allowed: at most 512 in all rules "
                                  "together");
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

/* Every proper prefix of a valid file, and every single-byte corruption of it, is rejected
 * cleanly or loads: never a crash (run under valgrind/ASan to see leaks and overreads). */
static void test_truncations_and_corruptions(void) {
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    size_t length = strlen(full_text);
    for (size_t cut = 0; cut < length; cut++) {
        CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", full_text, cut, s, error, sizeof error),
                        2);
    }
    char *copy = malloc(length);
    CU_ASSERT_FATAL(copy != NULL);
    static const char replacements[] = {'\0', '"', '{', ']', '9', 'x', '\xff'};
    size_t loaded = 0;
    for (size_t at = 0; at < length; at++) {
        for (size_t r = 0; r < sizeof replacements; r++) {
            memcpy(copy, full_text, length);
            copy[at] = replacements[r];
            int status = rs_scenario_load_buffer("x.json", copy, length, s, error, sizeof error);
            CU_ASSERT(status == 0 || status == 2);
            CU_ASSERT(status == 0 || strncmp(error, "x.json:", 7) == 0);
            loaded += status == 0;
        }
    }
    CU_ASSERT(loaded > 0); /* e.g. a digit changed to 9 still loads */
    free(copy);
    free(s);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"repository scenarios load", test_repository_scenarios_load},
        {"full scenario resolves exactly", test_full_scenario_resolves},
        {"links in pair order", test_links_in_pair_order},
        {"store names and regions", test_store_names_and_regions},
        {"defaults", test_defaults},
        {"expect metric names", test_expect_metric_names},
        {"load from file", test_load_from_file},
        {"oversized buffer", test_oversized_buffer},
        {"small error buffer", test_small_error_buffer},
        {"bad inputs", test_bad_inputs},
        {"total stores limit", test_total_stores_limit},
        {"rule limits", test_rule_limits},
        {"conditional scenario resolves exactly", test_conditional_scenario_resolves},
        {"truncations and corruptions", test_truncations_and_corruptions},
        {"schema matches limits and registry", test_schema_matches_limits},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("loader", tests);
    return rs_test_run_all();
}
