/* scenario_faults.c — the loader's "faults" section: a list of fault windows resolved to
 * region and node indices (faults/fault.h). Same rules as the rest of the loader: unknown
 * fields, wrong types, out-of-range numbers and unknown names are errors with file:line:col.
 *
 *   {"kind": "partition", "at_s": 20, "for_s": 10, "groups": [["ap"], ["eu", "us"]],
 *    "one_way": false}
 *   {"kind": "crash", "node": "us/store-1", "at_s": 35, "until_s": 40}
 *   {"kind": "link", "between": ["eu", "us"], "at_s": 5, "for_s": 5,
 *    "extra_latency_ms": 50, "loss": 0.1}
 *   {"kind": "duplicate", "between": ["eu/manager-1", "eu/store-1"], "at_s": 5, "for_s": 5,
 *    "probability": 0.5}
 *   {"kind": "reorder", "between": ["eu", "us"], "at_s": 5, "for_s": 5, "probability": 0.1,
 *    "delay_ms_max": 20}
 *   {"kind": "slow_store", "store": "us/store-1", "at_s": 5, "for_s": 5, "factor": 10}
 *   {"kind": "full_store", "store": "us", "at_s": 5, "for_s": 5}
 *   {"kind": "clock", "node": "eu/manager-1", "at_s": 5, "for_s": 5, "offset_ms": 500,
 *    "drift_ppm": 0}
 *   {"kind": "corrupt", "store": "us/store-1", "at_s": 5, "for_s": 1} */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "model/json_pos.h"
#include "model/scenario.h"

typedef struct fault_loader {
    const rs_json_doc *doc;   /* the parsed file */
    rs_scenario *scenario;    /* regions and nodes already loaded */
} fault_loader;

static int find_region_index(const rs_scenario *scenario, const char *name) {
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        if (strcmp(scenario->regions[r].name, name) == 0) {
            return (int)r;
        }
    }
    return -1;
}

/* A region or node name -> selector (group left 0). */
static int load_selector(const fault_loader *fl, const cJSON *node, const char *path,
                         rs_fault_selector *out) {
    assert(fl != NULL && out != NULL);
    if (!cJSON_IsString(node)) {
        char got[64];
        rs_json_describe(fl->doc, node, got, sizeof got);
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, node), path,
                            "must be a region or node name, got %s; allowed: \"region\" or "
                            "\"region/store-K\", \"region/manager-K\", \"region/client-K\"", got);
    }
    int region = find_region_index(fl->scenario, node->valuestring);
    int64_t index = region >= 0 ? region : rs_scenario_node_parse(fl->scenario, node->valuestring);
    if (index < 0) {
        char quoted[64];
        rs_json_quote(node->valuestring, quoted, sizeof quoted);
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, node), path,
                            "unknown region or node %s; allowed: a region name or "
                            "\"region/store-K\", \"region/manager-K\", \"region/client-K\" with K "
                            "from 1 to the region's count", quoted);
    }
    *out = (rs_fault_selector){.is_region = region >= 0, .index = (uint32_t)index, .group = 0};
    return 0;
}

static void label_append(rs_fault *fault, const char *text) {
    size_t used = strlen(fault->label);
    snprintf(fault->label + used, sizeof fault->label - used, "%s", text);
}

static void label_selector(const rs_scenario *scenario, rs_fault *fault,
                           const rs_fault_selector *selector) {
    char name[2 * RS_NAME_MAX];
    if (selector->is_region) {
        snprintf(name, sizeof name, "%s", scenario->regions[selector->index].name);
    } else {
        rs_scenario_node_name(scenario, selector->index, name, sizeof name);
    }
    label_append(fault, name);
}

/* Adds a selector to `fault`, refusing one named twice. */
static int add_selector(const fault_loader *fl, const cJSON *node, const char *path,
                        rs_fault *fault, uint32_t group) {
    rs_fault_selector selector;
    if (load_selector(fl, node, path, &selector) != 0) {
        return 2;
    }
    for (uint32_t i = 0; i < fault->selector_count; i++) {
        if (fault->selectors[i].is_region == selector.is_region &&
            fault->selectors[i].index == selector.index) {
            return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, node), path,
                                "is named twice in this fault; allowed: each region or node once");
        }
    }
    if (fault->selector_count == RS_FAULT_SELECTORS_MAX) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, node), path,
                            "too many names in one fault; allowed: at most %d",
                            RS_FAULT_SELECTORS_MAX);
    }
    selector.group = group;
    fault->selectors[fault->selector_count++] = selector;
    label_selector(fl->scenario, fault, &selector);
    return 0;
}

/* "at_s" plus exactly one of "for_s" and "until_s", inside the run. */
static int load_window(const fault_loader *fl, const cJSON *object, const char *path,
                       rs_fault *fault) {
    double run_s = fl->scenario->duration_s + fl->scenario->settle_s;
    rs_json_range at_range = {0, false, run_s, false};
    rs_json_range for_range = {0, true, run_s, false};
    double at_s = 0, for_s = 0, until_s = 0;
    const cJSON *for_node = rs_json_member(object, "for_s");
    const cJSON *until_node = rs_json_member(object, "until_s");
    if (rs_json_get_number(fl->doc, object, path, "at_s", &at_range, NULL, &at_s) != 0) {
        return 2;
    }
    if ((for_node == NULL) == (until_node == NULL)) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, object), path,
                            "needs exactly one of for_s and until_s; allowed: \"for_s\": "
                            "seconds > 0, or \"until_s\": a time after at_s");
    }
    if (for_node != NULL) {
        if (rs_json_get_number(fl->doc, object, path, "for_s", &for_range, NULL, &for_s) != 0) {
            return 2;
        }
        until_s = at_s + for_s;
    } else {
        rs_json_range until_range = {at_s, true, run_s, false};
        if (rs_json_get_number(fl->doc, object, path, "until_s", &until_range, NULL,
                               &until_s) != 0) {
            return 2;
        }
    }
    fault->start_us = (int64_t)(at_s * 1e6 + 0.5);
    fault->end_us = (int64_t)(until_s * 1e6 + 0.5);
    return fault->end_us > fault->start_us
               ? 0
               : rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, object), path,
                              "window is shorter than a microsecond; allowed: for_s >= 0.000001");
}

static int load_partition(const fault_loader *fl, const cJSON *object, const char *path,
                          rs_fault *fault) {
    char groups_path[RS_JSON_PATH_MAX];
    rs_json_path_key(groups_path, sizeof groups_path, path, "groups");
    const cJSON *groups = rs_json_member(object, "groups");
    if (groups == NULL) {
        return rs_json_fail_missing(fl->doc, object, path, "groups");
    }
    int count = cJSON_IsArray(groups) ? cJSON_GetArraySize(groups) : 0;
    if (rs_json_need_array(fl->doc, groups, groups_path) != 0 || count < 2 ||
        count > RS_FAULT_GROUPS_MAX) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, groups), groups_path,
                            "must list 2 to %d groups; allowed: [[\"eu\"], [\"us\", \"ap\"]]",
                            RS_FAULT_GROUPS_MAX);
    }
    const cJSON *one_way = rs_json_member(object, "one_way");
    if (one_way != NULL && !cJSON_IsBool(one_way)) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, one_way), path,
                            "one_way must be true or false; allowed: a boolean");
    }
    fault->one_way = one_way != NULL && cJSON_IsTrue(one_way);
    fault->group_count = (uint32_t)count;
    label_append(fault, "partition ");
    uint32_t group = 0;
    for (const cJSON *members = groups->child; members != NULL; members = members->next, group++) {
        char group_path[RS_JSON_PATH_MAX];
        rs_json_path_index(group_path, sizeof group_path, groups_path, group);
        if (rs_json_need_array(fl->doc, members, group_path) != 0) {
            return 2;
        }
        if (members->child == NULL) {
            return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, members), group_path,
                                "is empty; allowed: one or more region or node names");
        }
        label_append(fault, group == 0 ? "[" : fault->one_way ? " -/-> [" : " | [");
        size_t index = 0;
        for (const cJSON *member = members->child; member != NULL; member = member->next) {
            char member_path[RS_JSON_PATH_MAX];
            rs_json_path_index(member_path, sizeof member_path, group_path, index);
            label_append(fault, index++ == 0 ? "" : ", ");
            if (add_selector(fl, member, member_path, fault, group) != 0) {
                return 2;
            }
        }
        label_append(fault, "]");
    }
    return 0;
}

/* "between": exactly two sides (regions or nodes), side 0 and side 1; traffic between them
 * in either direction is affected. */
static int load_between(const fault_loader *fl, const cJSON *object, const char *path,
                        rs_fault *fault) {
    char between_path[RS_JSON_PATH_MAX];
    rs_json_path_key(between_path, sizeof between_path, path, "between");
    const cJSON *between = rs_json_member(object, "between");
    if (between == NULL) {
        return rs_json_fail_missing(fl->doc, object, path, "between");
    }
    if (rs_json_need_array(fl->doc, between, between_path) != 0 ||
        cJSON_GetArraySize(between) != 2) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, between), between_path,
                            "must name exactly two sides; allowed: [\"eu\", \"us\"] or "
                            "[\"eu/manager-1\", \"us/store-2\"]");
    }
    label_append(fault, rs_fault_kind_name(fault->kind));
    label_append(fault, " ");
    for (uint32_t side = 0; side < 2; side++) {
        char side_path[RS_JSON_PATH_MAX];
        rs_json_path_index(side_path, sizeof side_path, between_path, side);
        label_append(fault, side == 0 ? "" : " <-> ");
        if (add_selector(fl, cJSON_GetArrayItem(between, (int)side), side_path, fault, side) != 0) {
            return 2;
        }
    }
    return 0;
}

static int load_link_fault(const fault_loader *fl, const cJSON *object, const char *path,
                           rs_fault *fault) {
    if (load_between(fl, object, path, fault) != 0) {
        return 2;
    }
    rs_json_range latency = {0, false, RS_LATENCY_MS_MAX, false};
    rs_json_range probability = {0, false, 1, false};
    double zero = 0;
    if (rs_json_get_number(fl->doc, object, path, "extra_latency_ms", &latency, &zero,
                           &fault->extra_latency_ms) != 0 ||
        rs_json_get_number(fl->doc, object, path, "loss", &probability, &zero, &fault->loss) != 0) {
        return 2;
    }
    if (fault->extra_latency_ms == 0 && fault->loss == 0) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, object), path,
                            "degrades nothing; allowed: extra_latency_ms > 0 and/or loss > 0");
    }
    char figures[96];
    snprintf(figures, sizeof figures, " +%g ms, loss %g", fault->extra_latency_ms, fault->loss);
    label_append(fault, figures);
    return 0;
}

/* duplicate: "between" and "probability" (0, 1]; reorder adds "delay_ms_max" (0, limit]. */
static int load_message_fault(const fault_loader *fl, const cJSON *object, const char *path,
                              rs_fault *fault) {
    assert(fault->kind == RS_FAULT_DUPLICATE || fault->kind == RS_FAULT_REORDER);
    if (load_between(fl, object, path, fault) != 0) {
        return 2;
    }
    rs_json_range probability = {0, true, 1, false};
    if (rs_json_get_number(fl->doc, object, path, "probability", &probability, NULL,
                           &fault->probability) != 0) {
        return 2;
    }
    char figures[96];
    snprintf(figures, sizeof figures, ", p %g", fault->probability);
    if (fault->kind == RS_FAULT_REORDER) {
        rs_json_range delay = {0, true, RS_REORDER_DELAY_MS_MAX, false};
        if (rs_json_get_number(fl->doc, object, path, "delay_ms_max", &delay, NULL,
                               &fault->delay_ms_max) != 0) {
            return 2;
        }
        snprintf(figures, sizeof figures, ", p %g, held back up to %g ms", fault->probability,
                 fault->delay_ms_max);
    }
    label_append(fault, figures);
    return 0;
}

/* "node" (crash, clock) or "store" (slow_store, full_store, corrupt): one name, of a role the
 * kind accepts; a store fault also accepts a region (all its stores). */
static int load_target(const fault_loader *fl, const cJSON *object, const char *path,
                       rs_fault *fault) {
    bool store_kind = fault->kind == RS_FAULT_SLOW_STORE || fault->kind == RS_FAULT_FULL_STORE ||
                      fault->kind == RS_FAULT_CORRUPT;
    const char *field = store_kind ? "store" : "node";
    char node_path[RS_JSON_PATH_MAX];
    rs_json_path_key(node_path, sizeof node_path, path, field);
    const cJSON *node = rs_json_member(object, field);
    if (node == NULL) {
        return rs_json_fail_missing(fl->doc, object, path, field);
    }
    label_append(fault, rs_fault_kind_name(fault->kind));
    label_append(fault, " ");
    if (add_selector(fl, node, node_path, fault, 0) != 0) {
        return 2;
    }
    uint32_t region = 0;
    const rs_fault_selector *selector = &fault->selectors[0];
    rs_node_role role = selector->is_region
                            ? RS_ROLE_CLIENT
                            : rs_scenario_node_role(fl->scenario, selector->index, &region);
    bool allowed = store_kind    ? selector->is_region || role == RS_ROLE_STORE
                   : fault->kind == RS_FAULT_CLOCK ? !selector->is_region && role == RS_ROLE_MANAGER
                                 : !selector->is_region && role != RS_ROLE_CLIENT;
    if (!allowed) {
        static const char *const wanted[] = {
            "a store or a manager (\"region/store-K\", \"region/manager-K\")",
            "a manager (\"region/manager-K\"): strategies read the clock there",
            "a store (\"region/store-K\") or a region (all its stores)"};
        int which = store_kind ? 2 : fault->kind == RS_FAULT_CLOCK ? 1 : 0;
        if (fault->kind == RS_FAULT_CRASH) {
            return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, node), node_path,
                                "%s cannot crash; allowed: %s", node->valuestring, wanted[0]);
        }
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, node), node_path,
                            "%s cannot have a %s fault; allowed: %s", node->valuestring,
                            rs_fault_kind_name(fault->kind), wanted[which]);
    }
    fault->node = selector->index;
    return 0;
}

/* slow_store: "factor" in (1, limit]; full_store and corrupt have no figures. */
static int load_store_fault(const fault_loader *fl, const cJSON *object, const char *path,
                            rs_fault *fault) {
    if (load_target(fl, object, path, fault) != 0) {
        return 2;
    }
    if (fault->kind == RS_FAULT_SLOW_STORE) {
        rs_json_range factor = {1, true, RS_SLOW_STORE_FACTOR_MAX, false};
        if (rs_json_get_number(fl->doc, object, path, "factor", &factor, NULL, &fault->factor) != 0) {
            return 2;
        }
        char figures[64];
        snprintf(figures, sizeof figures, " x%g", fault->factor);
        label_append(fault, figures);
    }
    return 0;
}

/* clock: "offset_ms" and "drift_ppm" within their limits, at least one not zero. */
static int load_clock(const fault_loader *fl, const cJSON *object, const char *path,
                      rs_fault *fault) {
    if (load_target(fl, object, path, fault) != 0) {
        return 2;
    }
    rs_json_range offset = {-RS_CLOCK_OFFSET_MS_MAX, false, RS_CLOCK_OFFSET_MS_MAX, false};
    rs_json_range drift = {-RS_CLOCK_DRIFT_PPM_MAX, false, RS_CLOCK_DRIFT_PPM_MAX, false};
    double zero = 0;
    if (rs_json_get_number(fl->doc, object, path, "offset_ms", &offset, &zero,
                           &fault->offset_ms) != 0 ||
        rs_json_get_number(fl->doc, object, path, "drift_ppm", &drift, &zero,
                           &fault->drift_ppm) != 0) {
        return 2;
    }
    if (fault->offset_ms == 0 && fault->drift_ppm == 0) {
        return rs_json_fail(fl->doc, rs_json_value_offset(fl->doc, object), path,
                            "changes nothing; allowed: offset_ms != 0 and/or drift_ppm != 0");
    }
    char figures[96];
    snprintf(figures, sizeof figures, " %+g ms, %+g ppm", fault->offset_ms, fault->drift_ppm);
    label_append(fault, figures);
    return 0;
}

static int load_fault(const fault_loader *fl, const cJSON *object, const char *path,
                      rs_fault *fault) {
    static const char *const kinds[RS_FAULT_KIND_COUNT] = {
        "partition", "crash", "link", "duplicate", "reorder", "slow_store", "full_store", "clock",
        "corrupt"};
    static const char *const fields[RS_FAULT_KIND_COUNT][8] = {
        {"kind", "at_s", "for_s", "until_s", "groups", "one_way"},
        {"kind", "at_s", "for_s", "until_s", "node"},
        {"kind", "at_s", "for_s", "until_s", "between", "extra_latency_ms", "loss"},
        {"kind", "at_s", "for_s", "until_s", "between", "probability"},
        {"kind", "at_s", "for_s", "until_s", "between", "probability", "delay_ms_max"},
        {"kind", "at_s", "for_s", "until_s", "store", "factor"},
        {"kind", "at_s", "for_s", "until_s", "store"},
        {"kind", "at_s", "for_s", "until_s", "node", "offset_ms", "drift_ppm"},
        {"kind", "at_s", "for_s", "until_s", "store"},
    };
    static const size_t field_counts[RS_FAULT_KIND_COUNT] = {6, 5, 7, 6, 7, 6, 5, 7, 5};
    size_t kind = 0;
    memset(fault, 0, sizeof *fault);
    if (rs_json_need_object(fl->doc, object, path) != 0) {
        return 2;
    }
    const cJSON *kind_node = rs_json_member(object, "kind");
    char kind_path[RS_JSON_PATH_MAX];
    rs_json_path_key(kind_path, sizeof kind_path, path, "kind");
    if (kind_node == NULL) {
        return rs_json_fail_missing(fl->doc, object, path, "kind");
    }
    if (rs_json_check_choice(fl->doc, kind_node, kind_path, "fault kind", kinds,
                             RS_FAULT_KIND_COUNT, &kind) != 0 ||
        rs_json_check_fields(fl->doc, object, path, fields[kind], field_counts[kind]) != 0 ||
        load_window(fl, object, path, fault) != 0) {
        return 2;
    }
    fault->kind = (rs_fault_kind)kind;
    switch (fault->kind) {
    case RS_FAULT_PARTITION: return load_partition(fl, object, path, fault);
    case RS_FAULT_CRASH: return load_target(fl, object, path, fault);
    case RS_FAULT_LINK: return load_link_fault(fl, object, path, fault);
    case RS_FAULT_DUPLICATE:
    case RS_FAULT_REORDER: return load_message_fault(fl, object, path, fault);
    case RS_FAULT_SLOW_STORE:
    case RS_FAULT_FULL_STORE:
    case RS_FAULT_CORRUPT: return load_store_fault(fl, object, path, fault);
    case RS_FAULT_CLOCK: return load_clock(fl, object, path, fault);
    case RS_FAULT_KIND_COUNT: break;
    }
    assert(0 && "unknown fault kind");
    return 2;
}

int rs_scenario_load_faults(const rs_json_doc *doc, const cJSON *root, rs_scenario *scenario) {
    assert(doc != NULL && root != NULL && scenario != NULL);
    fault_loader fl = {doc, scenario};
    scenario->fault_count = 0;
    const cJSON *faults = rs_json_member(root, "faults");
    if (faults == NULL) {
        return 0;
    }
    if (rs_json_need_array(doc, faults, "faults") != 0) {
        return 2;
    }
    if (cJSON_GetArraySize(faults) > RS_FAULTS_MAX) {
        return rs_json_fail(doc, rs_json_value_offset(doc, faults), "faults",
                            "has %d faults; allowed: at most %d", cJSON_GetArraySize(faults),
                            RS_FAULTS_MAX);
    }
    size_t index = 0;
    for (const cJSON *fault = faults->child; fault != NULL; fault = fault->next, index++) {
        char path[RS_JSON_PATH_MAX];
        rs_json_path_index(path, sizeof path, "faults", index);
        if (load_fault(&fl, fault, path, &scenario->faults[scenario->fault_count]) != 0) {
            return 2;
        }
        scenario->fault_count++;
    }
    return 0;
}
