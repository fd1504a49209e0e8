/* scenario_topology.c — the loader's "topology" section: regions (names, stores, managers,
 * clients, global store numbering), the WAN links between every pair of regions, and the
 * latency distributions a link may carry. Same rules as the rest of the loader
 * (scenario_load.c): checked against limits before anything is stored, one message
 * "file:line:col: path: problem; allowed: ..." on the first problem. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/scenario_loader.h"

/* ---------------------------------------------------------------------------------------- */
/* Topology: regions.                                                                        */

typedef struct region_totals {
    uint32_t stores;          /* all regions so far */
    uint32_t nodes;           /* stores + managers + clients so far */
    uint32_t managers;
    uint32_t clients;
} region_totals;

static int load_region_counts(const loader *ld, const cJSON *region, const char *path,
                              rs_region_spec *spec) {
    static const rs_json_range range_stores = {0, false, RS_STORES_PER_REGION_MAX, true};
    static const rs_json_range range_managers = {0, false, RS_MANAGERS_PER_REGION_MAX, true};
    static const rs_json_range range_clients = {0, false, RS_CLIENTS_PER_REGION_MAX, true};
    uint64_t stores = 0;
    uint64_t managers = 0;
    uint64_t clients = 0;
    if (rs_json_get_uint(ld->doc, region, path, "stores", &range_stores, 1, &stores) != 0 ||
        rs_json_get_uint(ld->doc, region, path, "managers", &range_managers, 0, &managers) != 0 ||
        rs_json_get_uint(ld->doc, region, path, "clients", &range_clients, 0, &clients) != 0) {
        return 2;
    }
    spec->stores = (uint32_t)stores;
    spec->managers = (uint32_t)managers;
    spec->clients = (uint32_t)clients;
    if (spec->clients > 0 && spec->managers == 0) {
        char field_path[RS_JSON_PATH_MAX];
        rs_json_path_key(field_path, sizeof field_path, path, "clients");
        const cJSON *node = rs_json_member(region, "clients");
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node), field_path,
                            "region \"%s\" has clients (%u) but no manager, and clients "
                            "talk to their region's manager; allowed: managers >= 1 in this "
                            "region, or clients 0", spec->name, spec->clients);
    }
    return 0;
}

static int load_region(const loader *ld, const cJSON *region, const char *path,
                       region_totals *totals) {
    static const char *const fields[] = {"name", "stores", "managers", "clients"};
    rs_scenario *out = ld->out;
    rs_region_spec *spec = &out->regions[out->region_count];
    char name_path[RS_JSON_PATH_MAX];
    rs_json_path_key(name_path, sizeof name_path, path, "name");
    if (rs_json_need_object(ld->doc, region, path) != 0 ||
        rs_json_check_fields(ld->doc, region, path, fields, 4) != 0) {
        return 2;
    }
    const cJSON *name = rs_json_member(region, "name");
    if (name == NULL) {
        return rs_json_fail_missing(ld->doc, region, path, "name");
    }
    size_t offset = rs_json_value_offset(ld->doc, name);
    if (rs__load_identifier(ld, name, cJSON_IsString(name) ? name->valuestring : NULL, offset,
                        name_path, spec->name) != 0) {
        return 2;
    }
    int previous = rs__find_region(out, spec->name);
    if (previous >= 0) {
        return rs_json_fail(ld->doc, offset, name_path, "duplicate region name \"%s\" (also "
                            "topology.regions[%d]); allowed: unique names", spec->name, previous);
    }
    if (load_region_counts(ld, region, path, spec) != 0) {
        return 2;
    }
    spec->first_store = totals->stores;
    totals->stores += spec->stores;
    totals->nodes += spec->stores + spec->managers + spec->clients;
    totals->managers += spec->managers;
    totals->clients += spec->clients;
    if (totals->stores > RS_STORES_MAX || totals->nodes > RS_NODES_MAX) {
        bool stores = totals->stores > RS_STORES_MAX;
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, region), path,
                            "brings the %s to %u; allowed: at most %d %s in all regions",
                            stores ? "stores" : "nodes", stores ? totals->stores : totals->nodes,
                            stores ? RS_STORES_MAX : RS_NODES_MAX,
                            stores ? "stores" : "nodes (stores + managers + clients)");
    }
    memcpy(out->region_names[out->region_count], spec->name, sizeof spec->name);
    out->region_count++;
    return 0;
}

static int load_regions(const loader *ld, const cJSON *topology) {
    const char *path = "topology.regions";
    const cJSON *regions = rs_json_member(topology, "regions");
    if (regions == NULL) {
        return rs_json_fail_missing(ld->doc, topology, "topology", "regions");
    }
    size_t count = 0;
    if (rs_json_need_array(ld->doc, regions, path) != 0 ||
        rs__load_count(ld, regions, path, 1, RS_REGIONS_MAX, "regions", &count) != 0) {
        return 2;
    }
    region_totals totals = {0};
    size_t index = 0;
    for (const cJSON *region = regions->child; region != NULL; region = region->next, index++) {
        char region_path[RS_JSON_PATH_MAX];
        rs_json_path_index(region_path, sizeof region_path, path, index);
        if (load_region(ld, region, region_path, &totals) != 0) {
            return 2;
        }
    }
    assert(ld->out->region_count == count);
    ld->out->store_count = totals.stores;
    const char *missing = totals.stores == 0 ? "no stores" : totals.managers == 0 ? "no manager"
                        : totals.clients == 0 ? "no client" : NULL;
    if (missing != NULL) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, regions), path,
                            "the topology has %s; allowed: at least one store, one manager and "
                            "one client (in a region with a manager)", missing);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Latency distributions.                                                                    */

typedef struct dist_form {
    const char *name;         /* "dist" value */
    rs_dist_kind kind;        /* what it loads as */
    const char *p1_name;      /* field holding rs_dist_leaf.p1 */
    rs_json_range p1_range;
    const char *p2_name;      /* field holding p2, or NULL */
    rs_json_range p2_range;
} dist_form;

#define DIST_MS {0, false, RS_LATENCY_MS_MAX, false}
#define DIST_MS_POSITIVE {0, true, RS_LATENCY_MS_MAX, false}

static const dist_form dist_forms[] = {
    {"constant", RS_DIST_CONSTANT, "value_ms", DIST_MS, NULL, DIST_MS},
    {"uniform", RS_DIST_UNIFORM, "min_ms", DIST_MS, "max_ms", DIST_MS},
    {"normal", RS_DIST_NORMAL, "mean_ms", DIST_MS, "stddev_ms", DIST_MS},
    {"lognormal", RS_DIST_LOGNORMAL, "median_ms", DIST_MS_POSITIVE, "sigma", {0, false, 10, false}},
    {"exponential", RS_DIST_EXPONENTIAL, "mean_ms", DIST_MS_POSITIVE, NULL, DIST_MS},
    {"pareto", RS_DIST_PARETO, "scale_ms", DIST_MS_POSITIVE, "shape", {0, true, 100, false}},
};
#define DIST_FORM_COUNT (sizeof dist_forms / sizeof dist_forms[0])

/* The "dist" member of `node` as a form index; DIST_FORM_COUNT means "mixture". */
static int load_dist_kind(const loader *ld, const cJSON *node, const char *path, bool leaf_only,
                          size_t *form) {
    const char *names[DIST_FORM_COUNT + 1];
    for (size_t i = 0; i < DIST_FORM_COUNT; i++) {
        names[i] = dist_forms[i].name;
    }
    names[DIST_FORM_COUNT] = "mixture";
    const cJSON *kind = rs_json_member(node, "dist");
    if (kind == NULL) {
        return rs_json_fail_missing(ld->doc, node, path, "dist");
    }
    char kind_path[RS_JSON_PATH_MAX];
    rs_json_path_key(kind_path, sizeof kind_path, path, "dist");
    if (rs_json_check_choice(ld->doc, kind, kind_path, "distribution", names,
                             DIST_FORM_COUNT + 1, form) != 0) {
        return 2;
    }
    if (leaf_only && *form == DIST_FORM_COUNT) {
        char allowed[256];
        rs_json_join(allowed, sizeof allowed, names, DIST_FORM_COUNT);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, kind), kind_path,
                            "a mixture component cannot itself be a mixture; allowed: %s",
                            allowed);
    }
    return 0;
}

/* A non-mixture distribution; with_weight also takes the "weight" of a mixture component. */
static int load_dist_leaf(const loader *ld, const cJSON *node, const char *path, size_t form,
                          bool with_weight, rs_dist_leaf *leaf, double *weight) {
    const dist_form *f = &dist_forms[form];
    const char *fields[4] = {"dist", f->p1_name};
    size_t count = 2;
    if (f->p2_name != NULL) {
        fields[count++] = f->p2_name;
    }
    if (with_weight) {
        fields[count++] = "weight";
    }
    leaf->kind = f->kind;
    leaf->p2 = 0;
    if (rs_json_check_fields(ld->doc, node, path, fields, count) != 0 ||
        (with_weight && rs_json_get_number(ld->doc, node, path, "weight", &range_weight, NULL,
                                           weight) != 0) ||
        rs_json_get_number(ld->doc, node, path, f->p1_name, &f->p1_range, NULL, &leaf->p1) != 0 ||
        (f->p2_name != NULL && rs_json_get_number(ld->doc, node, path, f->p2_name, &f->p2_range,
                                                  NULL, &leaf->p2) != 0)) {
        return 2;
    }
    if (f->kind == RS_DIST_UNIFORM && leaf->p2 < leaf->p1) {
        char field_path[RS_JSON_PATH_MAX];
        rs_json_path_key(field_path, sizeof field_path, path, "max_ms");
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, rs_json_member(node, "max_ms")),
                            field_path, "must be >= min_ms (%g), got %g; allowed: min_ms <= "
                            "max_ms <= %g", leaf->p1, leaf->p2, RS_LATENCY_MS_MAX);
    }
    return 0;
}

static int load_mixture(const loader *ld, const cJSON *node, const char *path, rs_dist *dist) {
    static const char *const fields[] = {"dist", "components"};
    char list_path[RS_JSON_PATH_MAX];
    rs_json_path_key(list_path, sizeof list_path, path, "components");
    const cJSON *components = rs_json_member(node, "components");
    size_t count = 0;
    if (rs_json_check_fields(ld->doc, node, path, fields, 2) != 0) {
        return 2;
    }
    if (components == NULL) {
        return rs_json_fail_missing(ld->doc, node, path, "components");
    }
    if (rs_json_need_array(ld->doc, components, list_path) != 0 ||
        rs__load_count(ld, components, list_path, 1, RS_DIST_COMPONENTS_MAX, "components",
                   &count) != 0) {
        return 2;
    }
    double total = 0;
    size_t index = 0;
    for (const cJSON *part = components->child; part != NULL; part = part->next, index++) {
        char part_path[RS_JSON_PATH_MAX];
        size_t form = 0;
        rs_json_path_index(part_path, sizeof part_path, list_path, index);
        if (rs_json_need_object(ld->doc, part, part_path) != 0 ||
            load_dist_kind(ld, part, part_path, true, &form) != 0 ||
            load_dist_leaf(ld, part, part_path, form, true, &dist->components[index],
                           &dist->weights[index]) != 0) {
            return 2;
        }
        total += dist->weights[index];
    }
    assert(total > 0);
    dist->kind = RS_DIST_MIXTURE;
    dist->component_count = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        dist->weights[i] /= total;
    }
    return 0;
}

/* A DIST object at `path` into *dist (which starts zeroed, i.e. RS_DIST_NONE). */
static int load_dist(const loader *ld, const cJSON *node, const char *path, rs_dist *dist) {
    assert(ld != NULL && dist != NULL);
    size_t form = 0;
    if (rs_json_need_object(ld->doc, node, path) != 0 ||
        load_dist_kind(ld, node, path, false, &form) != 0) {
        return 2;
    }
    if (form == DIST_FORM_COUNT) {
        return load_mixture(ld, node, path, dist);
    }
    rs_dist_leaf leaf = {0};
    if (load_dist_leaf(ld, node, path, form, false, &leaf, NULL) != 0) {
        return 2;
    }
    dist->kind = leaf.kind;
    dist->p1 = leaf.p1;
    dist->p2 = leaf.p2;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Topology: links.                                                                          */

/* "between": exactly two distinct known region names, returned ordered a < b. */
static int load_between(const loader *ld, const cJSON *link, const char *path, uint32_t *a,
                        uint32_t *b) {
    char field_path[RS_JSON_PATH_MAX];
    rs_json_path_key(field_path, sizeof field_path, path, "between");
    const cJSON *between = rs_json_member(link, "between");
    size_t count = 0;
    if (between == NULL) {
        return rs_json_fail_missing(ld->doc, link, path, "between");
    }
    if (rs_json_need_array(ld->doc, between, field_path) != 0 ||
        rs__load_count(ld, between, field_path, 2, 2, "region names", &count) != 0) {
        return 2;
    }
    int ends[2] = {0, 0};
    size_t index = 0;
    for (const cJSON *end = between->child; end != NULL; end = end->next, index++) {
        char end_path[RS_JSON_PATH_MAX];
        rs_json_path_index(end_path, sizeof end_path, field_path, index);
        if (!cJSON_IsString(end)) {
            char got[64];
            rs_json_describe(ld->doc, end, got, sizeof got);
            return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, end), end_path,
                                "must be a region name, got %s; allowed: a region name", got);
        }
        ends[index] = rs__find_region(ld->out, end->valuestring);
        if (ends[index] < 0) {
            return rs__fail_unknown_region(ld, end, end_path);
        }
    }
    if (ends[0] == ends[1]) {
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, between), field_path,
                            "links region \"%s\" to itself; allowed: two different regions",
                            ld->out->regions[ends[0]].name);
    }
    *a = (uint32_t)(ends[0] < ends[1] ? ends[0] : ends[1]);
    *b = (uint32_t)(ends[0] < ends[1] ? ends[1] : ends[0]);
    return 0;
}

static int load_link(const loader *ld, const cJSON *link, const char *path,
                     int16_t link_of[RS_REGIONS_MAX][RS_REGIONS_MAX]) {
    static const char *const fields[] = {"between", "latency_ms", "bandwidth_mbps",
                                         "extra_latency"};
    rs_scenario *out = ld->out;
    rs_link_spec *spec = &out->links[out->link_count];
    if (rs_json_need_object(ld->doc, link, path) != 0 ||
        rs_json_check_fields(ld->doc, link, path, fields, 4) != 0 ||
        load_between(ld, link, path, &spec->region_a, &spec->region_b) != 0) {
        return 2;
    }
    int16_t first = link_of[spec->region_a][spec->region_b];
    if (first >= 0) {
        const cJSON *between = rs_json_member(link, "between");
        char field_path[RS_JSON_PATH_MAX];
        rs_json_path_key(field_path, sizeof field_path, path, "between");
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, between), field_path,
                            "second link between \"%s\" and \"%s\" (first is topology.links[%d]); "
                            "allowed: one link per region pair", out->regions[spec->region_a].name,
                            out->regions[spec->region_b].name, first);
    }
    const cJSON *extra = rs_json_member(link, "extra_latency");
    char extra_path[RS_JSON_PATH_MAX];
    rs_json_path_key(extra_path, sizeof extra_path, path, "extra_latency");
    if (rs_json_get_number(ld->doc, link, path, "latency_ms", &range_latency_ms, NULL,
                           &spec->latency_ms) != 0 ||
        rs_json_get_number(ld->doc, link, path, "bandwidth_mbps", &range_bandwidth_mbps, NULL,
                           &spec->bandwidth_mbps) != 0 ||
        (extra != NULL && load_dist(ld, extra, extra_path, &spec->extra_latency) != 0)) {
        return 2;
    }
    link_of[spec->region_a][spec->region_b] = (int16_t)out->link_count;
    out->link_count++;
    return 0;
}

static int compare_links(const void *x, const void *y) {
    const rs_link_spec *a = x;
    const rs_link_spec *b = y;
    if (a->region_a != b->region_a) {
        return a->region_a < b->region_a ? -1 : 1;
    }
    return a->region_b < b->region_b ? -1 : a->region_b > b->region_b ? 1 : 0;
}

/* Every region pair has exactly one link; links end up in pair order (see rs_scenario_link). */
static int load_links(const loader *ld, const cJSON *topology) {
    int16_t link_of[RS_REGIONS_MAX][RS_REGIONS_MAX]; /* 8 KiB of stack */
    const char *path = "topology.links";
    const cJSON *links = rs_json_member(topology, "links");
    rs_scenario *out = ld->out;
    size_t count = 0;
    memset(link_of, 0xff, sizeof link_of); /* -1: no link yet */
    if (links != NULL && (rs_json_need_array(ld->doc, links, path) != 0 ||
                          rs__load_count(ld, links, path, 0, RS_LINKS_MAX, "links", &count) != 0)) {
        return 2;
    }
    size_t index = 0;
    for (const cJSON *link = links != NULL ? links->child : NULL; link != NULL;
         link = link->next, index++) {
        char link_path[RS_JSON_PATH_MAX];
        rs_json_path_index(link_path, sizeof link_path, path, index);
        if (load_link(ld, link, link_path, link_of) != 0) {
            return 2;
        }
    }
    for (uint32_t a = 0; a < out->region_count; a++) {
        for (uint32_t b = a + 1; b < out->region_count; b++) {
            if (link_of[a][b] < 0) {
                const cJSON *at = links != NULL ? links : topology;
                return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, at), path,
                                    "no link between \"%s\" and \"%s\"; allowed: exactly one link "
                                    "for each of the %u region pairs", out->regions[a].name,
                                    out->regions[b].name,
                                    out->region_count * (out->region_count - 1) / 2);
            }
        }
    }
    qsort(out->links, out->link_count, sizeof out->links[0], compare_links);
    return 0;
}

int rs__load_topology(const loader *ld, const cJSON *root) {
    static const char *const fields[] = {"regions", "links"};
    const cJSON *topology = NULL;
    if (rs__load_section(ld, root, "", "topology", true, &topology) != 0 ||
        rs_json_check_fields(ld->doc, topology, "topology", fields, 2) != 0 ||
        load_regions(ld, topology) != 0) {
        return 2;
    }
    return load_links(ld, topology);
}

