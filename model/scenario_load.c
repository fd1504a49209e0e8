/* scenario_load.c — reads a scenario file (JSON) into an rs_scenario: every field checked
 * against its type, its range and the limits of strategies/limits.h, defaults filled in, and
 * names resolved to indices (regions, "region/store-K" stores, strategy targets, the
 * registry's strategy and policy with their parameter tables). The first problem met ends
 * the load with one line "file:line:col: field.path: what is wrong; allowed: ...".
 *
 * The text-level work is in json_lex.c (strict JSON), json_pos.c (positions, messages),
 * json_text.c and json_read.c (typed reads); the topology section in scenario_topology.c,
 * strategy and consistency in scenario_strategy.c, the workload in scenario_workload.c,
 * faults in scenario_faults.c, rules in scenario_rules.c, --set in scenario_overrides.c; this
 * file is the small steps they share, the header, network, stores and expectations, and the
 * whole file section by section in a fixed order, so the same file always yields the same
 * first error. Everything lands in the caller's fixed-size struct: nothing is allocated in
 * proportion to a number read from the file. */
#include "model/scenario.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json_pos.h"
#include "model/scenario_loader.h"

static const rs_json_range range_duration_s = {0, true, RS_DURATION_S_MAX, false};
static const rs_json_range range_settle_s = {0, false, RS_DURATION_S_MAX, false};

/* ---------------------------------------------------------------------------------------- */
/* Small shared steps.                                                                       */

/* The member `name` of `parent` as an object: *out = NULL when absent and optional. */
int rs__load_section(const loader *ld, const cJSON *parent, const char *parent_path,
                        const char *name, bool required, const cJSON **out) {
    assert(ld != NULL && parent != NULL);
    assert(out != NULL);
    char path[RS_JSON_PATH_MAX];
    rs_json_path_key(path, sizeof path, parent_path, name);
    *out = rs_json_member(parent, name);
    if (*out == NULL) {
        return required ? rs_json_fail_missing(ld->doc, parent, parent_path, name) : 0;
    }
    return rs_json_need_object(ld->doc, *out, path);
}

/* A name: 1..RS_NAME_MAX-1 bytes of [A-Za-z0-9_.-], copied into out. `node` is the value
 * (for "got"), or NULL when checking an object key `text`. */
int rs__load_identifier(const loader *ld, const cJSON *node, const char *text, size_t offset,
                           const char *path, char out[RS_NAME_MAX]) {
    assert(ld != NULL && (node != NULL || text != NULL));
    size_t length = text != NULL ? strlen(text) : 0;
    bool ok = text != NULL && length >= 1 && length < RS_NAME_MAX;
    for (size_t i = 0; ok && i < length; i++) {
        char c = text[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    }
    if (!ok) {
        char got[64];
        if (node != NULL) {
            rs_json_describe(ld->doc, node, got, sizeof got);
        } else {
            rs_json_quote(text, got, sizeof got);
        }
        return rs_json_fail(ld->doc, offset, path, "must be a name, got %s; allowed: 1..%d "
                            "characters from A-Z a-z 0-9 _ . -", got, RS_NAME_MAX - 1);
    }
    memcpy(out, text, length + 1);
    return 0;
}

/* The element count of `array` (at `path`) must be within [minimum, maximum]. */
int rs__load_count(const loader *ld, const cJSON *array, const char *path, size_t minimum,
                      size_t maximum, const char *what, size_t *count) {
    assert(ld != NULL && cJSON_IsArray(array));
    assert(minimum <= maximum && count != NULL);
    size_t n = 0;
    for (const cJSON *item = array->child; item != NULL; item = item->next) {
        n++;
    }
    if (n < minimum || n > maximum) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, array), path,
                            "%s %zu %s; allowed: %zu..%zu %s", n < minimum ? "has only" : "has",
                            n, what, minimum, maximum, what);
    }
    *count = n;
    return 0;
}

int rs__find_region(const rs_scenario *scenario, const char *name) {
    assert(scenario != NULL && name != NULL);
    for (uint32_t i = 0; i < scenario->region_count; i++) {
        if (strcmp(scenario->regions[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* "unknown region "x" (did you mean "eu"?); allowed: eu, us, ap". */
int rs__fail_unknown_region(const loader *ld, const cJSON *node, const char *path) {
    const char *names[RS_REGIONS_MAX];
    for (uint32_t i = 0; i < ld->out->region_count; i++) {
        names[i] = ld->out->regions[i].name;
    }
    char quoted[64];
    char hint[96] = "";
    char allowed[512];
    rs_json_quote(node->valuestring, quoted, sizeof quoted);
    int close = rs_json_suggest(node->valuestring, names, ld->out->region_count);
    if (close >= 0) {
        snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", names[close]);
    }
    rs_json_join(allowed, sizeof allowed, names, ld->out->region_count);
    return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                        "unknown region %s%s; allowed: %s", quoted, hint, allowed);
}

/* ---------------------------------------------------------------------------------------- */
/* Header and network.                                                                       */

static int load_header(const loader *ld, const cJSON *root) {
    static const rs_json_range range_seed = {0, false, LOAD_SEED_MAX, true};
    static const double default_settle_s = 5.0;
    rs_scenario *out = ld->out;
    const cJSON *name = rs_json_member(root, "name");
    if (name == NULL) {
        return rs_json_fail_missing(ld->doc, root, "", "name");
    }
    if (rs_json_check_string(ld->doc, name, "name", out->name, sizeof out->name) != 0 ||
        rs_json_get_uint(ld->doc, root, "", "seed", &range_seed, 1, &out->seed) != 0 ||
        rs_json_get_number(ld->doc, root, "", "duration_s", &range_duration_s, NULL,
                           &out->duration_s) != 0) {
        return 2;
    }
    return rs_json_get_number(ld->doc, root, "", "settle_s", &range_settle_s, &default_settle_s,
                              &out->settle_s);
}

static int load_network(const loader *ld, const cJSON *root) {
    static const char *const fields[] = {"intra_region", "transport"};
    static const char *const intra_fields[] = {"latency_ms", "bandwidth_mbps"};
    static const char *const transports[] = {"flow", "latency"};
    static const double default_latency_ms = 0.2;
    static const double default_bandwidth_mbps = 10000.0;
    ld->out->intra_latency_ms = default_latency_ms;
    ld->out->intra_bandwidth_mbps = default_bandwidth_mbps;
    const cJSON *network = NULL;
    const cJSON *intra = NULL;
    size_t transport = 0;
    if (rs__load_section(ld, root, "", "network", false, &network) != 0 || network == NULL) {
        return network == NULL ? 0 : 2;
    }
    if (rs_json_check_fields(ld->doc, network, "network", fields, 2) != 0 ||
        rs_json_get_choice(ld->doc, network, "network", "transport", "transport", transports, 2,
                           0, &transport) != 0 ||
        rs__load_section(ld, network, "network", "intra_region", false, &intra) != 0) {
        return 2;
    }
    ld->out->transport = (rs_transport)transport;
    if (intra == NULL) {
        return 0;
    }
    const char *path = "network.intra_region";
    if (rs_json_check_fields(ld->doc, intra, path, intra_fields, 2) != 0 ||
        rs_json_get_number(ld->doc, intra, path, "latency_ms", &range_latency_ms,
                           &default_latency_ms, &ld->out->intra_latency_ms) != 0) {
        return 2;
    }
    return rs_json_get_number(ld->doc, intra, path, "bandwidth_mbps", &range_bandwidth_mbps,
                              &default_bandwidth_mbps, &ld->out->intra_bandwidth_mbps);
}

/* ---------------------------------------------------------------------------------------- */
/* Stores.                                                                                   */

static int load_stores(const loader *ld, const cJSON *root) {
    static const char *const fields[] = {"append_ms", "durability", "fsync_interval_ms"};
    static const char *const durabilities[] = {"fsync", "periodic", "volatile"};
    static const rs_json_range range_append_ms = {0, false, RS_SERVICE_MS_MAX, false};
    static const rs_json_range range_interval_ms = {0, true, RS_TIMEOUT_MS_MAX, false};
    static const double default_append_ms = 1.0;
    static const double default_interval_ms = 100.0;
    rs_scenario *out = ld->out;
    out->append_ms = default_append_ms;
    out->durability = RS_DURABILITY_FSYNC;
    out->fsync_interval_ms = default_interval_ms;
    const cJSON *stores = NULL;
    if (rs__load_section(ld, root, "", "stores", false, &stores) != 0 || stores == NULL) {
        return stores == NULL ? 0 : 2;
    }
    size_t durability = 0;
    if (rs_json_check_fields(ld->doc, stores, "stores", fields, 3) != 0 ||
        rs_json_get_number(ld->doc, stores, "stores", "append_ms", &range_append_ms,
                           &default_append_ms, &out->append_ms) != 0 ||
        rs_json_get_choice(ld->doc, stores, "stores", "durability", "durability", durabilities, 3,
                           0, &durability) != 0 ||
        rs_json_get_number(ld->doc, stores, "stores", "fsync_interval_ms", &range_interval_ms,
                           &default_interval_ms, &out->fsync_interval_ms) != 0) {
        return 2;
    }
    static const rs_durability kinds[] = {RS_DURABILITY_FSYNC, RS_DURABILITY_PERIODIC,
                                          RS_DURABILITY_VOLATILE};
    out->durability = kinds[durability];
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Expectations.                                                                             */

static const struct {
    const char *name;         /* JSON field */
    rs_json_range range;      /* what a threshold may be */
} expect_fields[RS_EXPECT_METRIC_COUNT] = {
    [RS_EXPECT_SUCCESS_RATE_MIN] = {"success_rate_min", {0, false, 1, false}},
    [RS_EXPECT_WRITE_LATENCY_MS_P50_MAX] = {"write_latency_ms_p50_max",
                                            {0, false, LOAD_THRESHOLD_MS_MAX, false}},
    [RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = {"write_latency_ms_p99_max",
                                            {0, false, LOAD_THRESHOLD_MS_MAX, false}},
    [RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX] = {"replication_latency_ms_p99_max",
                                                  {0, false, LOAD_THRESHOLD_MS_MAX, false}},
    [RS_EXPECT_SYNC_DELAY_MS_P99_MAX] = {"sync_delay_ms_p99_max",
                                         {0, false, LOAD_THRESHOLD_MS_MAX, false}},
    [RS_EXPECT_ACKED_EVENTS_LOST_MAX] = {"acked_events_lost_max",
                                         {0, false, (double)RS_EVENTS_MAX, true}},
    [RS_EXPECT_THROUGHPUT_PER_S_MIN] = {"throughput_per_s_min",
                                        {0, false, RS_RATE_PER_S_MAX, false}},
};

const char *rs_expect_metric_name(rs_expect_metric metric) {
    assert(metric < RS_EXPECT_METRIC_COUNT);
    assert(expect_fields[metric].name != NULL);
    return expect_fields[metric].name;
}

const char *rs_invariant_name(rs_invariant invariant) {
    static const char *const names[RS_INV_COUNT] = {
        "durability", "no_duplicates", "stream_order", "integrity", "quorum_honesty",
        "routing", "cascade_chain", "convergence", "conflicts"};
    assert(invariant < RS_INV_COUNT);
    return names[invariant];
}

/* "tolerate": invariant names whose violations the scenario expects (reported, not failing). */
static int load_tolerate(const loader *ld, const cJSON *expect) {
    const cJSON *list = rs_json_member(expect, "tolerate");
    if (list == NULL) {
        return 0;
    }
    if (rs_json_need_array(ld->doc, list, "expect.tolerate") != 0) {
        return 2;
    }
    const char *names[RS_INV_COUNT];
    for (int i = 0; i < RS_INV_COUNT; i++) {
        names[i] = rs_invariant_name((rs_invariant)i);
    }
    size_t index = 0;
    for (const cJSON *item = list->child; item != NULL; item = item->next, index++) {
        char path[RS_JSON_PATH_MAX];
        size_t which = 0;
        rs_json_path_index(path, sizeof path, "expect.tolerate", index);
        if (rs_json_check_choice(ld->doc, item, path, "invariant", names, RS_INV_COUNT,
                                 &which) != 0) {
            return 2;
        }
        ld->out->expect.tolerated[which] = true;
    }
    return 0;
}

static int load_expect(const loader *ld, const cJSON *root) {
    const char *fields[RS_EXPECT_METRIC_COUNT + 1];
    for (size_t i = 0; i < RS_EXPECT_METRIC_COUNT; i++) {
        fields[i] = expect_fields[i].name;
    }
    fields[RS_EXPECT_METRIC_COUNT] = "tolerate";
    const cJSON *expect = NULL;
    if (rs__load_section(ld, root, "", "expect", false, &expect) != 0 || expect == NULL) {
        return expect == NULL ? 0 : 2;
    }
    if (rs_json_check_fields(ld->doc, expect, "expect", fields, RS_EXPECT_METRIC_COUNT + 1) != 0 ||
        load_tolerate(ld, expect) != 0) {
        return 2;
    }
    rs_expectations *out = &ld->out->expect;
    for (size_t i = 0; i < RS_EXPECT_METRIC_COUNT; i++) {
        out->present[i] = rs_json_member(expect, fields[i]) != NULL;
        if (out->present[i] &&
            rs_json_get_number(ld->doc, expect, "expect", fields[i], &expect_fields[i].range,
                               NULL, &out->value[i]) != 0) {
            return 2;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The whole file, and the public calls.                                                     */

static int load_root(const loader *ld) {
    static const char *const fields[] = {"name", "seed", "duration_s", "settle_s", "network",
                                         "topology", "stores", "strategy", "consistency",
                                         "workload", "expect", "faults", "health_check",
                                         "nemesis", "$schema"};
    const cJSON *root = ld->doc->root;
    if (!cJSON_IsObject(root)) {
        char got[64];
        rs_json_describe(ld->doc, root, got, sizeof got);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, root), "(document)",
                            "must be an object, got %s; allowed: a scenario object { \"name\": "
                            "..., ... }", got);
    }
    const cJSON *schema = rs_json_member(root, "$schema");
    char schema_text[1024]; /* for editors only; checked, then ignored */
    if (rs_json_check_fields(ld->doc, root, "", fields, sizeof fields / sizeof fields[0]) != 0 ||
        (schema != NULL && rs_json_check_string(ld->doc, schema, "$schema", schema_text,
                                                sizeof schema_text) != 0) ||
        load_header(ld, root) != 0 || load_network(ld, root) != 0 ||
        rs__load_topology(ld, root) != 0 || load_stores(ld, root) != 0 ||
        rs__load_strategy(ld, root) != 0 || rs__load_consistency(ld, root) != 0 ||
        rs__load_workload(ld, root) != 0 || rs__load_health(ld, root) != 0 ||
        rs__load_nemesis(ld, root) != 0) {
        return 2;
    }
    return load_expect(ld, root) != 0 ? 2 : rs_scenario_load_faults(ld->doc, root, ld->out);
}

static uint64_t fnv1a64(const char *text, size_t length) {
    uint64_t hash = 14695981039346656037ULL;
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)text[i];
        hash *= 1099511628211ULL;
    }
    return hash;
}

static int load_buffer_edited(const char *path, const char *text, size_t length,
                              rs_scenario_edit edit, void *context, rs_scenario *out,
                              char *error, size_t error_size) {
    assert(path != NULL && out != NULL);
    assert(text != NULL || length == 0);
    assert(error != NULL || error_size == 0);
    memset(out, 0, sizeof *out);
    snprintf(out->source_path, sizeof out->source_path, "%s", path);
    rs_json_doc doc;
    int status = rs_json_doc_parse(&doc, path, text, length, RS_SCENARIO_BYTES_MAX,
                                   RS_JSON_DEPTH_MAX, error, error_size);
    if (status == 0 && edit != NULL) {
        status = edit(&doc, context); /* overrides (model/scenario_overrides.c) */
    }
    if (status == 0) {
        loader ld = {.doc = &doc, .out = out};
        out->content_hash = fnv1a64(text, length);
        status = load_root(&ld);
    }
    rs_json_doc_free(&doc);
    assert(status == 0 || status == 2);
    return status;
}

int rs_scenario_load_buffer(const char *path, const char *text, size_t length, rs_scenario *out,
                            char *error, size_t error_size) {
    return load_buffer_edited(path, text, length, NULL, NULL, out, error, error_size);
}

int rs_scenario_load(const char *path, rs_scenario *out, char *error, size_t error_size) {
    return rs_scenario_load_edited(path, NULL, NULL, out, error, error_size);
}

/* Reads at most RS_SCENARIO_BYTES_MAX + 1 bytes, so an oversized file is reported, not read. */
int rs_scenario_load_edited(const char *path, rs_scenario_edit edit, void *context,
                            rs_scenario *out, char *error, size_t error_size) {
    assert(path != NULL && out != NULL);
    assert(error != NULL || error_size == 0);
    rs_json_doc none = {.file = path, .error = error, .error_size = error_size};
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        memset(out, 0, sizeof *out);
        return rs_json_fail(&none, 0, "(file)", "cannot open: %s; allowed: a readable scenario "
                            "file", strerror(errno));
    }
    size_t capacity = RS_SCENARIO_BYTES_MAX + 1;
    char *text = malloc(capacity);
    size_t length = text != NULL ? fread(text, 1, capacity, file) : 0;
    bool failed = text == NULL || ferror(file);
    const char *reason = text == NULL ? "out of memory" : strerror(errno);
    fclose(file);
    int status = 2;
    if (failed) {
        memset(out, 0, sizeof *out);
        rs_json_fail(&none, 0, "(file)", "cannot read: %s; allowed: a readable scenario file",
                     reason);
    } else {
        status = load_buffer_edited(path, text, length, edit, context, out, error, error_size);
    }
    free(text);
    return status;
}

uint32_t rs_scenario_store_region(const rs_scenario *scenario, uint32_t store) {
    assert(scenario != NULL);
    assert(store < scenario->store_count);
    uint32_t region = 0; /* O(regions), fine while regions <= 64; callers may cache */
    while (region + 1 < scenario->region_count &&
           store >= scenario->regions[region + 1].first_store) {
        region++;
    }
    assert(store >= scenario->regions[region].first_store);
    assert(store < scenario->regions[region].first_store + scenario->regions[region].stores);
    return region;
}

void rs_scenario_store_name(const rs_scenario *scenario, uint32_t store, char *buf, size_t size) {
    assert(buf != NULL && size > 0);
    uint32_t region = rs_scenario_store_region(scenario, store);
    const rs_region_spec *spec = &scenario->regions[region];
    snprintf(buf, size, "%s/store-%u", spec->name, store - spec->first_store + 1);
}

/* The loader stores links in pair order (0,1), (0,2), ..., (1,2), ... — one per pair — so
 * the link sits at a computed index; a hand-built scenario falls back to a scan. */
const rs_link_spec *rs_scenario_link(const rs_scenario *scenario, uint32_t a, uint32_t b) {
    assert(scenario != NULL && a != b);
    assert(a < scenario->region_count && b < scenario->region_count);
    uint32_t low = a < b ? a : b;
    uint32_t high = a < b ? b : a;
    uint32_t n = scenario->region_count;
    uint32_t index = low * (2 * n - low - 1) / 2 + (high - low - 1);
    if (index < scenario->link_count && scenario->links[index].region_a == low &&
        scenario->links[index].region_b == high) {
        return &scenario->links[index];
    }
    for (uint32_t i = 0; i < scenario->link_count; i++) {
        if (scenario->links[i].region_a == low && scenario->links[i].region_b == high) {
            return &scenario->links[i];
        }
    }
    return NULL;
}
