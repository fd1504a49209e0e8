/* scenario_nemesis.c — the random nemesis (faults/nemesis.h): its "nemesis" section in the
 * loader, the draw of a schedule for one seed, and the replay of a drawn schedule from a
 * report (--faults-from). A drawn schedule is written as scenario-syntax JSON and read back
 * through rs_scenario_load_faults, the loader of written faults, so a drawn fault and a
 * written one are the same thing, and the text is what the report keeps (faults.json).
 *
 *   "nemesis": {"kinds": ["partition", "crash", "link"], "rate_per_min": 6,
 *               "start_s": 5, "end_s": 50, "duration_min_s": 1, "duration_max_s": 8}
 *
 * Draws, all from the RS_RNG_NEMESIS stream: gaps exponential with mean 60 / rate_per_min s,
 * the kind uniform over `kinds`, the duration uniform in [min, max] (whole ms; clipped to the
 * run's end), the targets uniform (a region pair, a random split of the regions into two
 * groups, a store or manager node), the figures uniform in fixed ranges (below). A crash is
 * never drawn on a node already down: that draw is skipped. Times are whole milliseconds so
 * the JSON round-trips exactly. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/json_pos.h"
#include "model/rng.h"
#include "model/scenario_loader.h"

#define NEMESIS_RATE_MAX 600.0        /* faults per minute: ten a second is already a storm */
#define NEMESIS_TEXT_MAX (RS_FAULTS_MAX * 256 + 64) /* bytes of a drawn schedule's JSON */

/* --- the "nemesis" section ------------------------------------------------------------------- */

static int load_kinds(const loader *ld, const cJSON *nemesis, uint32_t *kinds) {
    const char *path = "nemesis.kinds";
    const cJSON *list = rs_json_member(nemesis, "kinds");
    if (list == NULL) {
        return rs_json_fail_missing(ld->doc, nemesis, "nemesis", "kinds");
    }
    size_t count = 0;
    if (rs_json_need_array(ld->doc, list, path) != 0 ||
        rs__load_count(ld, list, path, 1, RS_FAULT_KIND_COUNT, "kinds", &count) != 0) {
        return 2;
    }
    const char *names[RS_FAULT_KIND_COUNT];
    for (int k = 0; k < RS_FAULT_KIND_COUNT; k++) {
        names[k] = rs_fault_kind_name((rs_fault_kind)k);
    }
    size_t index = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, list) {
        char item_path[64];
        rs_json_path_index(item_path, sizeof item_path, path, index++);
        size_t kind = 0;
        if (rs_json_check_choice(ld->doc, item, item_path, "fault kind", names,
                                 RS_FAULT_KIND_COUNT, &kind) != 0) {
            return 2;
        }
        if (kind == RS_FAULT_PARTITION && ld->out->region_count < 2) {
            return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, item), item_path,
                                "a partition needs two regions, the topology has one; allowed: "
                                "the other kinds");
        }
        *kinds |= 1u << kind;
    }
    return 0;
}

int rs__load_nemesis(const loader *ld, const cJSON *root) {
    static const char *const fields[] = {"kinds", "rate_per_min", "start_s", "end_s",
                                         "duration_min_s", "duration_max_s"};
    static const rs_json_range range_rate = {0, true, NEMESIS_RATE_MAX, false};
    static const rs_json_range range_time = {0, false, RS_DURATION_S_MAX, false};
    static const rs_json_range range_duration = {0.001, false, RS_DURATION_S_MAX, false};
    static const double default_rate = 2, default_start = 0, default_min = 1, default_max = 10;
    rs_nemesis_spec *out = &ld->out->nemesis;
    *out = (rs_nemesis_spec){0};
    const cJSON *nemesis = NULL;
    if (rs__load_section(ld, root, "", "nemesis", false, &nemesis) != 0 || nemesis == NULL) {
        return nemesis == NULL ? 0 : 2;
    }
    double default_end = ld->out->duration_s;
    if (rs_json_check_fields(ld->doc, nemesis, "nemesis", fields, 6) != 0 ||
        load_kinds(ld, nemesis, &out->kinds) != 0 ||
        rs_json_get_number(ld->doc, nemesis, "nemesis", "rate_per_min", &range_rate,
                           &default_rate, &out->rate_per_min) != 0 ||
        rs_json_get_number(ld->doc, nemesis, "nemesis", "start_s", &range_time, &default_start,
                           &out->start_s) != 0 ||
        rs_json_get_number(ld->doc, nemesis, "nemesis", "end_s", &range_time, &default_end,
                           &out->end_s) != 0 ||
        rs_json_get_number(ld->doc, nemesis, "nemesis", "duration_min_s", &range_duration,
                           &default_min, &out->duration_min_s) != 0 ||
        rs_json_get_number(ld->doc, nemesis, "nemesis", "duration_max_s", &range_duration,
                           &default_max, &out->duration_max_s) != 0) {
        return 2;
    }
    const char *field = NULL, *problem = NULL;
    if (out->end_s <= out->start_s || out->end_s > ld->out->duration_s + ld->out->settle_s) {
        field = "end_s";
        problem = "must be after start_s and within the run (duration_s + settle_s)";
    } else if (out->duration_max_s < out->duration_min_s) {
        field = "duration_max_s";
        problem = "must be at least duration_min_s";
    } else if (out->rate_per_min * (out->end_s - out->start_s) / 60.0 > RS_FAULTS_MAX / 2.0) {
        field = "rate_per_min";
        problem = "expects more faults than a run may hold (rate x window over half of the "
                  "fault limit)";
    }
    if (problem != NULL) {
        const cJSON *at = rs_json_member(nemesis, field);
        char path[64];
        rs_json_path_key(path, sizeof path, "nemesis", field);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, at != NULL ? at : nemesis),
                            path, "%s; allowed: a window inside the run, min <= max, at most "
                            "%d expected faults", problem, RS_FAULTS_MAX / 2);
    }
    out->enabled = true;
    return 0;
}

/* --- drawing a schedule ------------------------------------------------------------------ */

typedef struct nemesis_draw {
    const rs_scenario *scenario;  /* topology and run length */
    rs_rng rng;                   /* RS_RNG_NEMESIS */
    cJSON *faults;                /* the array being drawn */
    int64_t *down_until_ms;       /* per store or manager node: end of its drawn crash */
    uint32_t manager_count;       /* managers of the topology */
    bool failed;                  /* a cJSON allocation failed */
} nemesis_draw;

static double draw_between(nemesis_draw *draw, double low, double high) {
    return low + (high - low) * rs_rng_uniform(&draw->rng);
}

/* Rounded to `decimals` (so the JSON text is short and round-trips exactly). */
static double rounded(double value, int decimals) {
    double scale = decimals == 3 ? 1000.0 : decimals == 1 ? 10.0 : 1.0;
    return (double)llround(value * scale) / scale;
}

static void add_name(nemesis_draw *draw, cJSON *array, uint32_t node) {
    char name[2 * RS_NAME_MAX + 16];
    rs_scenario_node_name(draw->scenario, node, name, sizeof name);
    draw->failed |= !cJSON_AddItemToArray(array, cJSON_CreateString(name));
}

static void add_number(nemesis_draw *draw, cJSON *fault, const char *name, double value) {
    draw->failed |= cJSON_AddNumberToObject(fault, name, value) == NULL;
}

/* "between": two distinct regions when there are two, else the first manager and a store. */
static void add_between(nemesis_draw *draw, cJSON *fault) {
    const rs_scenario *scenario = draw->scenario;
    cJSON *between = cJSON_AddArrayToObject(fault, "between");
    draw->failed |= between == NULL;
    if (between == NULL) {
        return;
    }
    if (scenario->region_count >= 2) {
        uint32_t a = (uint32_t)rs_rng_below(&draw->rng, scenario->region_count);
        uint32_t b = (a + 1 + (uint32_t)rs_rng_below(&draw->rng, scenario->region_count - 1)) %
                     scenario->region_count;
        draw->failed |= !cJSON_AddItemToArray(between, cJSON_CreateString(scenario->regions[a].name));
        draw->failed |= !cJSON_AddItemToArray(between, cJSON_CreateString(scenario->regions[b].name));
        return;
    }
    add_name(draw, between, scenario->store_count); /* the first manager */
    add_name(draw, between, (uint32_t)rs_rng_below(&draw->rng, scenario->store_count));
}

/* A random split of the regions into two non-empty groups. */
static void add_groups(nemesis_draw *draw, cJSON *fault) {
    const rs_scenario *scenario = draw->scenario;
    uint32_t side[RS_REGIONS_MAX];
    uint32_t in_first = 0;
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        side[r] = (uint32_t)rs_rng_below(&draw->rng, 2);
        in_first += side[r] == 0;
    }
    if (in_first == 0 || in_first == scenario->region_count) {
        uint32_t moved = (uint32_t)rs_rng_below(&draw->rng, scenario->region_count);
        side[moved] = 1 - side[moved];
    }
    cJSON *groups = cJSON_AddArrayToObject(fault, "groups");
    for (uint32_t g = 0; groups != NULL && g < 2; g++) {
        cJSON *group = cJSON_CreateArray();
        draw->failed |= !cJSON_AddItemToArray(groups, group);
        for (uint32_t r = 0; group != NULL && r < scenario->region_count; r++) {
            if (side[r] == g) {
                draw->failed |= !cJSON_AddItemToArray(
                    group, cJSON_CreateString(scenario->regions[r].name));
            }
        }
    }
    draw->failed |= groups == NULL;
    draw->failed |= cJSON_AddBoolToObject(fault, "one_way",
                                          rs_rng_below(&draw->rng, 4) == 0) == NULL;
}

/* The kind's targets and figures; false when the draw must be skipped (a node already down). */
static bool add_kind_fields(nemesis_draw *draw, cJSON *fault, rs_fault_kind kind,
                            int64_t at_ms, int64_t end_ms) {
    const rs_scenario *scenario = draw->scenario;
    uint32_t store = (uint32_t)rs_rng_below(&draw->rng, scenario->store_count);
    cJSON *one = NULL;
    switch (kind) {
    case RS_FAULT_PARTITION: add_groups(draw, fault); break;
    case RS_FAULT_CRASH: {
        uint32_t node = (uint32_t)rs_rng_below(&draw->rng,
                                               scenario->store_count + draw->manager_count);
        if (draw->down_until_ms[node] > at_ms) {
            return false;
        }
        draw->down_until_ms[node] = end_ms;
        one = cJSON_CreateArray();
        add_name(draw, one, node);
        draw->failed |= !cJSON_AddItemToObject(fault, "node", cJSON_DetachItemFromArray(one, 0));
        cJSON_Delete(one);
        break;
    }
    case RS_FAULT_LINK:
        add_between(draw, fault);
        add_number(draw, fault, "extra_latency_ms", rounded(draw_between(draw, 10, 200), 0));
        add_number(draw, fault, "loss", rounded(draw_between(draw, 0, 0.2), 3));
        break;
    case RS_FAULT_DUPLICATE:
    case RS_FAULT_REORDER:
        add_between(draw, fault);
        add_number(draw, fault, "probability", rounded(draw_between(draw, 0.05, 0.5), 3));
        if (kind == RS_FAULT_REORDER) {
            add_number(draw, fault, "delay_ms_max", rounded(draw_between(draw, 5, 100), 0));
        }
        break;
    case RS_FAULT_SLOW_STORE:
    case RS_FAULT_FULL_STORE:
    case RS_FAULT_CORRUPT:
        one = cJSON_CreateArray();
        add_name(draw, one, store);
        draw->failed |= !cJSON_AddItemToObject(fault, "store", cJSON_DetachItemFromArray(one, 0));
        cJSON_Delete(one);
        if (kind == RS_FAULT_SLOW_STORE) {
            add_number(draw, fault, "factor", rounded(draw_between(draw, 2, 20), 1));
        }
        break;
    case RS_FAULT_CLOCK:
        one = cJSON_CreateArray();
        add_name(draw, one, scenario->store_count +
                               (uint32_t)rs_rng_below(&draw->rng, draw->manager_count));
        draw->failed |= !cJSON_AddItemToObject(fault, "node", cJSON_DetachItemFromArray(one, 0));
        cJSON_Delete(one);
        /* 50..1000 ms either way: never 0, which the loader refuses as a no-op */
        add_number(draw, fault, "offset_ms", (rs_rng_below(&draw->rng, 2) == 0 ? -1.0 : 1.0) *
                                                 rounded(draw_between(draw, 50, 1000), 0));
        add_number(draw, fault, "drift_ppm", 0);
        break;
    case RS_FAULT_KIND_COUNT: assert(0 && "not a kind"); break;
    }
    return true;
}

/* Draws the whole schedule into draw->faults. */
static void nemesis_draw_all(nemesis_draw *draw, uint32_t room) {
    const rs_nemesis_spec *spec = &draw->scenario->nemesis;
    rs_fault_kind kinds[RS_FAULT_KIND_COUNT];
    uint32_t kind_count = 0;
    for (int k = 0; k < RS_FAULT_KIND_COUNT; k++) {
        if (spec->kinds & (1u << k)) {
            kinds[kind_count++] = (rs_fault_kind)k;
        }
    }
    assert(kind_count > 0);
    int64_t run_end_ms = llround((draw->scenario->duration_s + draw->scenario->settle_s) * 1e3);
    double at_s = spec->start_s;
    for (uint32_t drawn = 0; drawn < room && !draw->failed;) {
        at_s += rs_rng_exponential(&draw->rng, 60.0 / spec->rate_per_min);
        rs_fault_kind kind = kinds[rs_rng_below(&draw->rng, kind_count)];
        int64_t at_ms = llround(at_s * 1e3);
        int64_t for_ms = llround(draw_between(draw, spec->duration_min_s, spec->duration_max_s) * 1e3);
        if (at_s >= spec->end_s || at_ms >= run_end_ms) {
            break;
        }
        for_ms = at_ms + for_ms > run_end_ms ? run_end_ms - at_ms : for_ms;
        cJSON *fault = cJSON_CreateObject();
        draw->failed |= fault == NULL ||
                        cJSON_AddStringToObject(fault, "kind", rs_fault_kind_name(kind)) == NULL;
        add_number(draw, fault, "at_s", (double)at_ms / 1e3);
        add_number(draw, fault, "for_s", (double)for_ms / 1e3);
        if (draw->failed || for_ms < 1 || !add_kind_fields(draw, fault, kind, at_ms, at_ms + for_ms)) {
            cJSON_Delete(fault);
            continue;
        }
        draw->failed |= !cJSON_AddItemToArray(draw->faults, fault);
        drawn++;
    }
}

/* Appends the faults of `text` ({"faults": [...]}, scenario syntax) to scenario->faults. */
static int append_faults(rs_scenario *scenario, const char *label, const char *text,
                         char *error, size_t error_size) {
    rs_json_doc doc;
    rs_scenario *drawn = malloc(sizeof *drawn);
    int status = 2;
    if (drawn == NULL) {
        snprintf(error, error_size, "%s: out of memory", label);
        return 2;
    }
    *drawn = *scenario;
    if (rs_json_doc_parse(&doc, label, text, strlen(text), RS_SCENARIO_BYTES_MAX,
                          RS_JSON_DEPTH_MAX, error, error_size) == 0) {
        if (!cJSON_IsObject(doc.root) || rs_json_member(doc.root, "faults") == NULL) {
            snprintf(error, error_size, "%s: no \"faults\" array; allowed: a faults.json "
                     "written by replsim run", label);
        } else if (rs_scenario_load_faults(&doc, doc.root, drawn) == 0) {
            status = 0; /* else the message is in `error`: the doc writes into it */
        }
    }
    if (status == 0 && scenario->fault_count + drawn->fault_count > RS_FAULTS_MAX) {
        snprintf(error, error_size, "%s: %u faults and the scenario's %u exceed the limit; "
                 "allowed: at most %d together", label, drawn->fault_count,
                 scenario->fault_count, RS_FAULTS_MAX);
        status = 2;
    }
    for (uint32_t f = 0; status == 0 && f < drawn->fault_count; f++) {
        scenario->faults[scenario->fault_count++] = drawn->faults[f];
    }
    rs_json_doc_free(&doc);
    free(drawn);
    return status;
}

int rs_scenario_apply_nemesis(rs_scenario *scenario, uint64_t seed, char **faults_json,
                              char *error, size_t error_size) {
    assert(scenario != NULL && faults_json != NULL);
    *faults_json = NULL;
    if (!scenario->nemesis.enabled) {
        return 0;
    }
    nemesis_draw draw = {.scenario = scenario};
    rs_rng_seed(&draw.rng, seed, RS_RNG_NEMESIS, 0);
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        draw.manager_count += scenario->regions[r].managers;
    }
    cJSON *root = cJSON_CreateObject();
    draw.faults = root != NULL ? cJSON_AddArrayToObject(root, "faults") : NULL;
    draw.down_until_ms = calloc(scenario->store_count + draw.manager_count + 1,
                                sizeof *draw.down_until_ms);
    draw.failed = draw.faults == NULL || draw.down_until_ms == NULL;
    nemesis_draw_all(&draw, RS_FAULTS_MAX - scenario->fault_count);
    char *text = draw.failed ? NULL : cJSON_Print(root);
    free(draw.down_until_ms);
    cJSON_Delete(root);
    if (text == NULL) {
        snprintf(error, error_size, "nemesis: out of memory");
        return 2;
    }
    int status = append_faults(scenario, "nemesis", text, error, error_size);
    char *copy = status == 0 ? malloc(strlen(text) + 2) : NULL;
    if (copy != NULL) {
        snprintf(copy, strlen(text) + 2, "%s\n", text);
    }
    cJSON_free(text);
    if (status != 0 || copy == NULL) {
        if (status == 0) {
            snprintf(error, error_size, "nemesis: out of memory");
        }
        return 2;
    }
    *faults_json = copy;
    scenario->nemesis.enabled = false; /* drawn: a second call adds nothing */
    return 0;
}

int rs_scenario_apply_replay(rs_scenario *scenario, const char *report_dir, char *error,
                             size_t error_size) {
    assert(scenario != NULL && report_dir != NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/faults.json", report_dir);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(error, error_size, "--faults-from %s: cannot open %s: %s; allowed: the report "
                 "directory of a run whose scenario has a nemesis", report_dir, path,
                 strerror(errno));
        return 2;
    }
    char *text = malloc(NEMESIS_TEXT_MAX + 1);
    size_t length = text != NULL ? fread(text, 1, NEMESIS_TEXT_MAX + 1, file) : 0;
    fclose(file);
    if (text == NULL || length > NEMESIS_TEXT_MAX) {
        free(text);
        snprintf(error, error_size, "--faults-from %s: %s; allowed: a faults.json of at most "
                 "%d bytes", report_dir, text == NULL ? "out of memory" : "file too large",
                 NEMESIS_TEXT_MAX);
        return 2;
    }
    text[length] = '\0';
    int status = append_faults(scenario, path, text, error, error_size);
    free(text);
    if (status == 0) {
        scenario->nemesis.enabled = false; /* its draws are the faults just read */
    }
    return status;
}
