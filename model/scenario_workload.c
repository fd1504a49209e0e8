/* scenario_workload.c — the loader's "workload" section: the write rate (checked with the
 * run's length against the event and replica budgets of strategies/limits.h), the arrival
 * process, streams and event size; the event types with their relative weights (normalised to
 * sum to 1) and attributes (string or number values, each key once); absent types -> one
 * type "Event". Its "reads" member is scenario_reads.c. Needs the header, the targets and the
 * policy loaded. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "model/scenario_loader.h"

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

int rs__load_workload(const loader *ld, const cJSON *root) {
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
