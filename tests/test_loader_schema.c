/* test_loader_schema.c — pins the scenario loader against the repository's scenarios/
 * directory: every shipped JSON file loads with a sane target set and quorum, and
 * scenarios/schema.json stays in step with limits.h, the expectations, the invariants and the
 * component registry (read with cJSON, compared number by number and name by name). */
#include "model/scenario.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tests/support/test_util.h"

#define ERROR_SIZE 1024

static char error[ERROR_SIZE];

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

int main(void) {
    static CU_TestInfo tests[] = {
        {"repository scenarios load", test_repository_scenarios_load},
        {"schema matches limits and registry", test_schema_matches_limits},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("loader schema", tests);
    return rs_test_run_all();
}
