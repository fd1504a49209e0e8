/* scenario_load.c — reads a scenario file (JSON) into an rs_scenario: every field checked
 * against its type, its range and the limits of strategies/limits.h, defaults filled in, and
 * names resolved to indices (regions, "region/store-K" stores, strategy targets, the
 * registry's strategy and policy with their parameter tables). The first problem met ends
 * the load with one line "file:line:col: field.path: what is wrong; allowed: ...".
 *
 * The text-level work (strict JSON, positions, messages, typed reads) is in json_pos.c; the
 * topology section in scenario_topology.c, faults in scenario_faults.c, rules in
 * scenario_rules.c, --set in scenario_overrides.c; this file is the rest of the scenario's
 * semantics, section by section in a fixed order, so the same file
 * always yields the same first error. Everything lands in the caller's fixed-size struct:
 * nothing is allocated in proportion to a number read from the file. */
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
/* Strategy and consistency policy: registry components with parameter tables.              */

/* One parameter from its spec: absent -> default; else checked by type. */
static int load_param(const loader *ld, const cJSON *object, const char *path,
                      const rs_param_spec *spec, double *value) {
    const cJSON *node = rs_json_member(object, spec->name);
    *value = spec->default_value;
    if (node == NULL) {
        return 0;
    }
    char field_path[RS_JSON_PATH_MAX];
    rs_json_path_key(field_path, sizeof field_path, path, spec->name);
    if (spec->type == RS_PARAM_NUMBER || spec->type == RS_PARAM_INTEGER) {
        rs_json_range range = {spec->min_value, false, spec->max_value,
                               spec->type == RS_PARAM_INTEGER};
        return rs_json_check_number(ld->doc, node, field_path, &range, value);
    }
    if (spec->type == RS_PARAM_ENUM) {
        size_t count = 0;
        while (spec->choices != NULL && spec->choices[count] != NULL) {
            count++;
        }
        size_t index = 0;
        int status = rs_json_check_choice(ld->doc, node, field_path, spec->name, spec->choices,
                                          count, &index);
        *value = (double)index;
        return status;
    }
    assert(spec->type == RS_PARAM_BOOL);
    if (!cJSON_IsBool(node)) {
        char got[64];
        rs_json_describe(ld->doc, node, got, sizeof got);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), field_path,
                            "must be true or false, got %s; allowed: true, false", got);
    }
    *value = cJSON_IsTrue(node) ? 1.0 : 0.0;
    return 0;
}

/* Without "type" the allowed fields are unknown; but "tpye" is surely a misspelt "type". */
static int fail_misspelt_type(const loader *ld, const cJSON *object, const char *path) {
    static const char *const type_only[] = {"type"};
    for (const cJSON *member = object->child; member != NULL; member = member->next) {
        if (rs_json_suggest(member->string, type_only, 1) == 0) {
            return rs_json_check_fields(ld->doc, object, path, type_only, 1);
        }
    }
    return 0;
}

/* The component named by `object`'s "type" (or `default_name` when absent), its fields
 * checked against its table (plus extra[0..extra_count) fields), and its parameters into
 * params. */
static int load_component(const loader *ld, const cJSON *object, const char *path,
                          rs_component_kind kind, const char *default_name,
                          const char *const *extra, size_t extra_count,
                          const rs_component **component, double params[RS_PARAMS_MAX]) {
    const rs_component *const *all = NULL;
    size_t total = rs_components(&all);
    const char *names[LOAD_COMPONENTS_MAX];
    size_t count = 0;
    for (size_t i = 0; i < total; i++) {
        if (all[i]->kind == kind) {
            assert(count < LOAD_COMPONENTS_MAX);
            names[count++] = all[i]->name;
        }
    }
    const char *what = kind == RS_COMPONENT_STRATEGY ? "strategy" : "consistency policy";
    const cJSON *type = object != NULL ? rs_json_member(object, "type") : NULL;
    if (type == NULL && object != NULL && fail_misspelt_type(ld, object, path) != 0) {
        return 2;
    }
    if (type == NULL && default_name == NULL) {
        return rs_json_fail_missing(ld->doc, object, path, "type");
    }
    const char *name = default_name;
    if (type != NULL) {
        char type_path[RS_JSON_PATH_MAX];
        size_t index = 0;
        rs_json_path_key(type_path, sizeof type_path, path, "type");
        if (rs_json_check_choice(ld->doc, type, type_path, what, names, count, &index) != 0) {
            return 2;
        }
        name = names[index];
    }
    *component = rs_component_find(kind, name);
    assert(*component != NULL && (*component)->param_count <= RS_PARAMS_MAX);
    const char *fields[RS_PARAMS_MAX + 5] = {"type"};
    size_t field_count = 1;
    assert(extra_count <= 4);
    for (size_t i = 0; i < extra_count; i++) {
        fields[field_count++] = extra[i];
    }
    for (size_t i = 0; i < (*component)->param_count; i++) {
        fields[field_count++] = (*component)->params[i].name;
    }
    if (object == NULL) {
        for (size_t i = 0; i < (*component)->param_count; i++) {
            params[i] = (*component)->params[i].default_value;
        }
        return 0;
    }
    if (rs_json_check_fields(ld->doc, object, path, fields, field_count) != 0) {
        return 2;
    }
    for (size_t i = 0; i < (*component)->param_count; i++) {
        if (load_param(ld, object, path, &(*component)->params[i], &params[i]) != 0) {
            return 2;
        }
    }
    return 0;
}

/* "region/store-K" -> global store index, or -1 (K canonical: no sign, no leading zero). */
static int64_t parse_store_name(const rs_scenario *scenario, const char *name) {
    const char *slash = strchr(name, '/');
    if (slash == NULL || (size_t)(slash - name) >= RS_NAME_MAX ||
        strncmp(slash + 1, "store-", 6) != 0) {
        return -1;
    }
    char region_name[RS_NAME_MAX];
    memcpy(region_name, name, (size_t)(slash - name));
    region_name[slash - name] = '\0';
    int region = rs__find_region(scenario, region_name);
    const char *digits = slash + 1 + 6;
    if (region < 0 || *digits < '1' || *digits > '9' || strlen(digits) > 4 ||
        strspn(digits, "0123456789") != strlen(digits)) {
        return -1;
    }
    long k = strtol(digits, NULL, 10);
    const rs_region_spec *spec = &scenario->regions[region];
    if (k < 1 || k > (long)spec->stores) {
        return -1;
    }
    return (int64_t)spec->first_store + k - 1;
}

/* Appends store `store` to the targets, in scenario order; naming it twice is an error. */
static int add_target(const loader *ld, const cJSON *node, const char *path, bool *selected,
                      uint32_t store) {
    rs_scenario *out = ld->out;
    if (selected[store]) {
        char name[2 * RS_NAME_MAX];
        rs_scenario_store_name(out, store, name, sizeof name);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                            "selects store %s a second time; allowed: each store once, "
                            "directly or through its region (order matters: it is the "
                            "cascade chain and the async primary)", name);
    }
    selected[store] = true;
    out->targets[out->target_count++] = store;
    return 0;
}

/* One "targets" entry: a region (all its stores, in order) or a store name. */
static int load_target(const loader *ld, const cJSON *node, const char *path, bool *selected) {
    const rs_scenario *out = ld->out;
    if (!cJSON_IsString(node)) {
        char got[64];
        rs_json_describe(ld->doc, node, got, sizeof got);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                            "must be a region or store name, got %s; allowed: \"region\" or "
                            "\"region/store-K\"", got);
    }
    int region = rs__find_region(out, node->valuestring);
    if (region >= 0) {
        const rs_region_spec *spec = &out->regions[region];
        for (uint32_t k = 0; k < spec->stores; k++) {
            if (add_target(ld, node, path, selected, spec->first_store + k) != 0) {
                return 2;
            }
        }
        return 0;
    }
    int64_t store = parse_store_name(out, node->valuestring);
    if (store >= 0) {
        return add_target(ld, node, path, selected, (uint32_t)store);
    }
    const char *names[RS_REGIONS_MAX];
    for (uint32_t i = 0; i < out->region_count; i++) {
        names[i] = out->regions[i].name;
    }
    char quoted[64];
    char allowed[384];
    rs_json_quote(node->valuestring, quoted, sizeof quoted);
    rs_json_join(allowed, sizeof allowed, names, out->region_count);
    return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), path,
                        "unknown target %s; allowed: a region (%s) or one of its stores "
                        "\"region/store-K\", K from 1 to the region's stores", quoted, allowed);
}

/* "targets" -> store indices in scenario order, each once; absent -> every store. */
static int load_targets(const loader *ld, const cJSON *strategy, const char *path) {
    bool selected[RS_STORES_MAX]; /* 2 KiB of stack */
    rs_scenario *out = ld->out;
    const cJSON *targets = rs_json_member(strategy, "targets");
    char list_path[RS_JSON_PATH_MAX];
    rs_json_path_key(list_path, sizeof list_path, path, "targets");
    size_t count = 0;
    if (targets != NULL && (rs_json_need_array(ld->doc, targets, list_path) != 0 ||
                            rs__load_count(ld, targets, list_path, 0, RS_TARGETS_MAX, "entries",
                                       &count) != 0)) {
        return 2;
    }
    memset(selected, 0, sizeof selected);
    out->target_count = 0;
    if (targets == NULL) {
        for (uint32_t store = 0; store < out->store_count; store++) {
            out->targets[out->target_count++] = store;
        }
    }
    size_t index = 0;
    for (const cJSON *t = targets != NULL ? targets->child : NULL; t != NULL;
         t = t->next, index++) {
        char entry_path[RS_JSON_PATH_MAX];
        rs_json_path_index(entry_path, sizeof entry_path, list_path, index);
        if (load_target(ld, t, entry_path, selected) != 0) {
            return 2;
        }
    }
    if (out->target_count == 0) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, targets), list_path,
                            "selects no store; allowed: region or store names that hold at "
                            "least one store");
    }
    return 0;
}

static int load_strategy(const loader *ld, const cJSON *root) {
    static const char *const extra[] = {"targets", "rules", "default_targets", "residency"};
    const cJSON *strategy = NULL;
    if (rs__load_section(ld, root, "", "strategy", true, &strategy) != 0 ||
        load_component(ld, strategy, "strategy", RS_COMPONENT_STRATEGY, NULL, extra, 4,
                       &ld->out->strategy, ld->out->strategy_params) != 0 ||
        rs_scenario_load_rules(ld->doc, strategy, ld->out) != 0 || /* model/scenario_rules.c */
        rs_scenario_load_residency(ld->doc, strategy, ld->out) != 0) { /* scenario_residency.c */
        return 2;
    }
    return ld->out->rules.rule_count > 0 ? 0 : load_targets(ld, strategy, "strategy");
}

static int load_consistency(const loader *ld, const cJSON *root) {
    rs_scenario *out = ld->out;
    const cJSON *consistency = NULL;
    if (rs__load_section(ld, root, "", "consistency", false, &consistency) != 0 ||
        load_component(ld, consistency, "consistency", RS_COMPONENT_POLICY, "all", NULL, 0,
                       &out->policy, out->policy_params) != 0) {
        return 2;
    }
    out->write_quorum = rs_policy_write_quorum(out->policy, out->policy_params,
                                               out->target_count);
    if (out->write_quorum != 0) {
        assert(out->write_quorum <= out->target_count);
        return 0;
    }
    int param = rs_component_param_index(out->policy, "write_quorum");
    const cJSON *asked = param >= 0 ? rs_json_member(consistency, "write_quorum") : NULL;
    if (asked != NULL) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, asked),
                            "consistency.write_quorum", "write_quorum %.0f exceeds the %u target "
                            "stores; allowed: at most %u (the stores strategy.targets selects)",
                            out->policy_params[param], out->target_count, out->target_count);
    }
    return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, consistency != NULL ? consistency
                                                                                   : root),
                        "consistency", "policy \"%s\" needs more than the %u target stores; "
                        "allowed: parameters the targets can satisfy", out->policy->name,
                        out->target_count);
}

/* ---------------------------------------------------------------------------------------- */
/* Workload.                                                                                 */

static int load_attribute(const loader *ld, const cJSON *value, const char *path,
                          rs_event_type *spec) {
    rs_attribute *attribute = &spec->attributes[spec->attribute_count];
    size_t key_offset = rs_json_key_offset(ld->doc, value);
    if (rs__load_identifier(ld, NULL, value->string, key_offset, path, attribute->key) != 0) {
        return 2;
    }
    for (uint32_t i = 0; i < spec->attribute_count; i++) {
        if (strcmp(spec->attributes[i].key, attribute->key) == 0) {
            return rs_json_fail(ld->doc, key_offset, path, "duplicate key; allowed: each "
                                "attribute once");
        }
    }
    attribute->is_number = cJSON_IsNumber(value);
    if (attribute->is_number) {
        attribute->number = value->valuedouble;
    } else if (cJSON_IsString(value)) {
        if (rs_json_check_string(ld->doc, value, path, attribute->text,
                                 sizeof attribute->text) != 0) {
            return 2;
        }
    } else {
        char got[64];
        rs_json_describe(ld->doc, value, got, sizeof got);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, value), path,
                            "must be a string or a number, got %s; allowed: a string of 1..%d "
                            "bytes or a number", got, RS_ATTR_VALUE_MAX - 1);
    }
    spec->attribute_count++;
    return 0;
}

static int load_attributes(const loader *ld, const cJSON *type, const char *path,
                           rs_event_type *spec) {
    const cJSON *attributes = rs_json_member(type, "attributes");
    char list_path[RS_JSON_PATH_MAX];
    rs_json_path_key(list_path, sizeof list_path, path, "attributes");
    if (attributes == NULL) {
        return 0;
    }
    if (rs_json_need_object(ld->doc, attributes, list_path) != 0) {
        return 2;
    }
    size_t count = 0;
    for (const cJSON *a = attributes->child; a != NULL; a = a->next) {
        count++;
    }
    if (count > RS_ATTRIBUTES_MAX) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, attributes), list_path,
                            "has %zu attributes; allowed: at most %d", count, RS_ATTRIBUTES_MAX);
    }
    for (const cJSON *a = attributes->child; a != NULL; a = a->next) {
        char value_path[RS_JSON_PATH_MAX];
        rs_json_path_key(value_path, sizeof value_path, list_path, a->string);
        if (load_attribute(ld, a, value_path, spec) != 0) {
            return 2;
        }
    }
    return 0;
}

static int load_type(const loader *ld, const cJSON *type, const char *path) {
    static const char *const fields[] = {"name", "weight", "attributes"};
    static const double default_weight = 1.0;
    rs_scenario *out = ld->out;
    rs_event_type *spec = &out->types[out->type_count];
    if (rs_json_need_object(ld->doc, type, path) != 0 ||
        rs_json_check_fields(ld->doc, type, path, fields, 3) != 0) {
        return 2;
    }
    const cJSON *name = rs_json_member(type, "name");
    if (name == NULL) {
        return rs_json_fail_missing(ld->doc, type, path, "name");
    }
    char name_path[RS_JSON_PATH_MAX];
    rs_json_path_key(name_path, sizeof name_path, path, "name");
    size_t offset = rs_json_value_offset(ld->doc, name);
    if (rs__load_identifier(ld, name, cJSON_IsString(name) ? name->valuestring : NULL, offset,
                        name_path, spec->name) != 0) {
        return 2;
    }
    for (uint32_t i = 0; i < out->type_count; i++) {
        if (strcmp(out->types[i].name, spec->name) == 0) {
            return rs_json_fail(ld->doc, offset, name_path, "duplicate event type name \"%s\" "
                                "(also workload.types[%u]); allowed: unique names", spec->name,
                                i);
        }
    }
    if (rs_json_get_number(ld->doc, type, path, "weight", &range_weight, &default_weight,
                           &spec->weight) != 0 ||
        load_attributes(ld, type, path, spec) != 0) {
        return 2;
    }
    out->type_count++;
    return 0;
}

static int load_types(const loader *ld, const cJSON *workload) {
    const char *path = "workload.types";
    rs_scenario *out = ld->out;
    const cJSON *types = rs_json_member(workload, "types");
    if (types == NULL) {
        snprintf(out->types[0].name, sizeof out->types[0].name, "Event");
        out->types[0].weight = 1.0;
        out->type_count = 1;
        return 0;
    }
    size_t count = 0;
    if (rs_json_need_array(ld->doc, types, path) != 0 ||
        rs__load_count(ld, types, path, 1, RS_EVENT_TYPES_MAX, "types", &count) != 0) {
        return 2;
    }
    size_t index = 0;
    double total = 0;
    for (const cJSON *type = types->child; type != NULL; type = type->next, index++) {
        char type_path[RS_JSON_PATH_MAX];
        rs_json_path_index(type_path, sizeof type_path, path, index);
        if (load_type(ld, type, type_path) != 0) {
            return 2;
        }
        total += out->types[index].weight;
    }
    assert(out->type_count == count && total > 0);
    for (uint32_t i = 0; i < out->type_count; i++) {
        out->types[i].weight /= total;
    }
    return 0;
}

/* rate x duration and its replicas against the budgets of limits.h. */
static int check_budgets(const loader *ld, const cJSON *workload) {
    const rs_scenario *out = ld->out;
    const cJSON *rate = rs_json_member(workload, "rate_per_s");
    size_t offset = rs_json_value_offset(ld->doc, rate);
    double events = out->rate_per_s * out->duration_s;
    if (events > (double)RS_EVENTS_MAX) {
        return rs_json_fail(ld->doc, offset, "workload.rate_per_s", "rate_per_s x duration_s = "
                            "%.0f events, over the budget; allowed: at most %lld events per run",
                            events, RS_EVENTS_MAX);
    }
    double replicas = events * (double)out->target_count;
    if (replicas > (double)RS_REPLICAS_MAX) {
        return rs_json_fail(ld->doc, offset, "workload.rate_per_s", "%.0f events x %u target "
                            "stores = %.0f replicas, over the budget; allowed: at most %lld "
                            "replicas per run", events, out->target_count, replicas,
                            RS_REPLICAS_MAX);
    }
    return 0;
}

static int load_workload(const loader *ld, const cJSON *root) {
    static const char *const fields[] = {"rate_per_s", "arrival", "streams", "event_bytes",
                                         "types", "reads"};
    static const char *const arrivals[] = {"constant", "poisson"};
    static const rs_arrival arrival_kinds[] = {RS_ARRIVAL_CONSTANT, RS_ARRIVAL_POISSON};
    static const rs_json_range range_rate = {0, true, RS_RATE_PER_S_MAX, false};
    static const rs_json_range range_streams = {1, false, RS_STREAMS_MAX, true};
    static const rs_json_range range_bytes = {1, false, RS_EVENT_BYTES_MAX, true};
    const char *path = "workload";
    rs_scenario *out = ld->out;
    const cJSON *workload = NULL;
    size_t arrival = 1;
    uint64_t streams = 0;
    uint64_t bytes = 0;
    if (rs__load_section(ld, root, "", path, true, &workload) != 0 ||
        rs_json_check_fields(ld->doc, workload, path, fields, 6) != 0 ||
        rs_json_get_number(ld->doc, workload, path, "rate_per_s", &range_rate, NULL,
                           &out->rate_per_s) != 0 ||
        check_budgets(ld, workload) != 0 ||
        rs_json_get_choice(ld->doc, workload, path, "arrival", "arrival", arrivals, 2, 1,
                           &arrival) != 0 ||
        rs_json_get_uint(ld->doc, workload, path, "streams", &range_streams, 100, &streams) != 0 ||
        rs_json_get_uint(ld->doc, workload, path, "event_bytes", &range_bytes, 512, &bytes) != 0) {
        return 2;
    }
    out->arrival = arrival_kinds[arrival];
    out->streams = (uint32_t)streams;
    out->event_bytes = (uint32_t)bytes;
    return load_types(ld, workload) != 0 ? 2 : rs__load_reads(ld, workload);
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
        load_strategy(ld, root) != 0 || load_consistency(ld, root) != 0 ||
        load_workload(ld, root) != 0 || rs__load_health(ld, root) != 0 ||
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
