/* health_report.c — the health checks in the report (scenario "health_check"): the probe
 * settings, every health state change the managers' probes recorded (the timeline: time,
 * manager, store, new state; the first HEALTH_LISTED_MAX listed, all counted), and per store
 * how long it was marked unhealthy by some manager, in summary.json ("health") and
 * summary.md ("## Health checks"). Nothing is written when the scenario has no health checks.
 * Cost: O(changes x stores) for the unhealthy durations, fine for the dozens a run has. */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define HEALTH_LISTED_MAX 1000        /* changes listed in full; the rest are counted */

static bool add_number(cJSON *object, const char *name, double value, int decimals) {
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    return cJSON_AddRawToObject(object, name, raw) != NULL;
}

/* Microseconds store `store` spent marked unhealthy by manager `manager`, up to the end. */
static int64_t unhealthy_us(const rs_history *history, uint32_t manager, uint32_t store) {
    int64_t total_us = 0, since_us = -1;
    for (size_t i = 0; i < history->health_count; i++) {
        const rs_history_health *change = &history->health[i];
        if (change->manager != manager || change->store != store) {
            continue;
        }
        if (!change->healthy && since_us < 0) {
            since_us = change->time_us;
        } else if (change->healthy && since_us >= 0) {
            total_us += change->time_us - since_us;
            since_us = -1;
        }
    }
    return since_us >= 0 ? total_us + (history->end_us - since_us) : total_us;
}

static bool health_store_json(const rs__report *report, cJSON *stores, uint32_t store) {
    const rs_history *history = report->history;
    char name[RS_NAME_MAX * 2];
    rs_scenario_store_name(report->scenario, store, name, sizeof name);
    int64_t worst_us = 0;
    uint32_t managers = 0;
    for (uint32_t r = 0; r < report->scenario->region_count; r++) {
        managers += report->scenario->regions[r].managers;
    }
    for (uint32_t m = 0; m < managers; m++) {
        int64_t down_us = unhealthy_us(history, m, store);
        worst_us = down_us > worst_us ? down_us : worst_us;
    }
    cJSON *entry = cJSON_CreateObject();
    bool ok = entry != NULL && cJSON_AddItemToArray(stores, entry);
    ok = ok && cJSON_AddStringToObject(entry, "store", name) != NULL;
    ok = ok && add_number(entry, "unhealthy_s", (double)worst_us / 1e6, 3);
    return ok && managers > 0;
}

bool rs__health_json(const rs__report *report, cJSON *root) {
    assert(report != NULL && root != NULL);
    const rs_health_spec *spec = &report->scenario->health;
    const rs_history *history = report->history;
    if (!spec->enabled) {
        return true;
    }
    cJSON *health = cJSON_AddObjectToObject(root, "health");
    bool ok = health != NULL;
    ok = ok && add_number(health, "interval_ms", (double)spec->interval_us / 1e3, 3);
    ok = ok && add_number(health, "timeout_ms", (double)spec->timeout_us / 1e3, 3);
    ok = ok && add_number(health, "unhealthy_after", spec->unhealthy_after, 0);
    ok = ok && add_number(health, "healthy_after", spec->healthy_after, 0);
    ok = ok && add_number(health, "changes_total", (double)history->health_count, 0);
    cJSON *changes = ok ? cJSON_AddArrayToObject(health, "changes") : NULL;
    ok = ok && changes != NULL;
    for (size_t i = 0; ok && i < history->health_count && i < HEALTH_LISTED_MAX; i++) {
        const rs_history_health *change = &history->health[i];
        char store[RS_NAME_MAX * 2];
        rs_scenario_store_name(report->scenario, change->store, store, sizeof store);
        cJSON *entry = cJSON_CreateObject();
        ok = entry != NULL && cJSON_AddItemToArray(changes, entry);
        ok = ok && add_number(entry, "time_s", (double)change->time_us / 1e6, 6);
        ok = ok && add_number(entry, "manager", change->manager, 0);
        ok = ok && cJSON_AddStringToObject(entry, "store", store) != NULL;
        ok = ok && cJSON_AddStringToObject(entry, "state",
                                           change->healthy ? "healthy" : "unhealthy") != NULL;
    }
    cJSON *stores = ok ? cJSON_AddArrayToObject(health, "stores") : NULL;
    ok = ok && stores != NULL;
    for (uint32_t t = 0; ok && t < report->scenario->target_count; t++) {
        ok = health_store_json(report, stores, report->scenario->targets[t]);
    }
    return ok;
}

void rs__health_md(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    const rs_health_spec *spec = &report->scenario->health;
    const rs_history *history = report->history;
    if (!spec->enabled) {
        return;
    }
    rs__text_printf(out, "\n## Health checks\n\nProbe every %.3f ms, timeout %.3f ms; unhealthy "
                    "after %u failed probes in a row, healthy again after %u answered. %zu "
                    "state changes.\n\n| time (s) | manager | store | new state |\n"
                    "|---:|---:|---|---|\n", (double)spec->interval_us / 1e3,
                    (double)spec->timeout_us / 1e3, spec->unhealthy_after, spec->healthy_after,
                    history->health_count);
    for (size_t i = 0; i < history->health_count && i < HEALTH_LISTED_MAX; i++) {
        const rs_history_health *change = &history->health[i];
        char store[RS_NAME_MAX * 2];
        rs_scenario_store_name(report->scenario, change->store, store, sizeof store);
        rs__text_printf(out, "| %.6f | %" PRIu32 " | ", (double)change->time_us / 1e6,
                        change->manager);
        rs__md_escaped(out, store);
        rs__text_printf(out, " | %s |\n", change->healthy ? "healthy" : "unhealthy");
    }
}
