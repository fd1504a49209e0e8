/* fault_report.c — the fault schedule and its effects in the report: the "faults" windows
 * (kind, what, start, end) and the crashes with what each store lost, in summary.json and
 * summary.md, and how many faults are active in each second (the faults_active column of
 * timeseries.csv). Labels hold scenario names: JSON escapes them (cJSON), Markdown gets the
 * same escaping as every other name in summary.md. */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

#include <cjson/cJSON.h>

static bool add_number(cJSON *object, const char *name, double value, int decimals) {
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    return cJSON_AddRawToObject(object, name, raw) != NULL;
}

/* Share of [0, end] that node `node` was up, from the scenario's crash windows (clipped to
 * the run; overlapping windows of one node count once). */
static double availability(const rs_scenario *scenario, uint32_t node, int64_t end_us) {
    assert(end_us > 0);
    int64_t down_us = 0, covered_until_us = 0;
    for (int64_t at_us = 0; at_us < end_us;) { /* sweep: earliest window starting >= at */
        int64_t best_start = end_us, best_end = end_us;
        for (uint32_t f = 0; f < scenario->fault_count; f++) {
            const rs_fault *fault = &scenario->faults[f];
            if (fault->kind == RS_FAULT_CRASH && fault->node == node &&
                fault->end_us > at_us && fault->start_us < best_start) {
                best_start = fault->start_us > at_us ? fault->start_us : at_us;
                best_end = fault->end_us < end_us ? fault->end_us : end_us;
            }
        }
        if (best_start >= end_us) {
            break;
        }
        down_us += best_end - (best_start > covered_until_us ? best_start : covered_until_us);
        covered_until_us = at_us = best_end;
    }
    return 1.0 - (double)down_us / (double)end_us;
}

bool rs__faults_json(const rs__report *report, cJSON *root) {
    assert(report != NULL && root != NULL);
    const rs_scenario *scenario = report->scenario;
    const rs_history *history = report->history;
    bool ok = true;
    cJSON *faults = cJSON_AddArrayToObject(root, "faults");
    for (uint32_t f = 0; faults != NULL && f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        cJSON *entry = cJSON_CreateObject();
        ok &= entry != NULL && cJSON_AddItemToArray(faults, entry);
        ok &= entry != NULL && cJSON_AddStringToObject(entry, "kind", rs_fault_kind_name(fault->kind)) != NULL;
        ok &= entry != NULL && cJSON_AddStringToObject(entry, "what", fault->label) != NULL;
        ok &= entry != NULL && add_number(entry, "start_s", (double)fault->start_us / 1e6, 6);
        ok &= entry != NULL && add_number(entry, "end_s", (double)fault->end_us / 1e6, 6);
    }
    cJSON *crashes = cJSON_AddArrayToObject(root, "crashes");
    for (uint32_t c = 0; crashes != NULL && c < history->crash_count; c++) {
        const rs_history_crash *crash = &history->crashes[c];
        char name[2 * RS_NAME_MAX + 16];
        rs_scenario_node_name(scenario, crash->node, name, sizeof name);
        cJSON *entry = cJSON_CreateObject();
        ok &= entry != NULL && cJSON_AddItemToArray(crashes, entry);
        ok &= entry != NULL && cJSON_AddStringToObject(entry, "node", name) != NULL;
        ok &= entry != NULL && add_number(entry, "time_s", (double)crash->time_us / 1e6, 6);
        ok &= entry != NULL && add_number(entry, "events_lost", (double)crash->events_lost, 0);
    }
    ok &= add_number(root, "messages_dropped_by_faults", (double)history->messages_dropped, 0);
    cJSON *uptime = cJSON_AddObjectToObject(root, "availability");
    double sum = 0;
    for (uint32_t store = 0; uptime != NULL && store < scenario->store_count; store++) {
        char name[2 * RS_NAME_MAX + 16];
        rs_scenario_store_name(scenario, store, name, sizeof name);
        double share = history->end_us > 0 ? availability(scenario, store, history->end_us) : 1;
        sum += share;
        ok &= add_number(uptime, name, share, 6);
    }
    ok &= uptime != NULL && add_number(uptime, "stores_mean", scenario->store_count > 0
                                                      ? sum / scenario->store_count : 1, 6);
    return ok && faults != NULL && crashes != NULL;
}

void rs__faults_md(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    const rs_scenario *scenario = report->scenario;
    const rs_history *history = report->history;
    if (scenario->fault_count == 0) {
        return;
    }
    rs__text_puts(out, "## Faults\n\n| kind | what | start (s) | end (s) |\n| --- | --- | ---: | ---: |\n");
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        rs__text_printf(out, "| %s | ", rs_fault_kind_name(fault->kind));
        rs__md_escaped(out, fault->label);
        rs__text_printf(out, " | %.3f | %.3f |\n", (double)fault->start_us / 1e6,
                        (double)fault->end_us / 1e6);
    }
    rs__text_printf(out, "\n%" PRIu64 " messages were lost to faults.", history->messages_dropped);
    for (uint32_t store = 0; store < scenario->store_count && history->end_us > 0; store++) {
        double share = availability(scenario, store, history->end_us);
        if (share < 1) {
            char name[2 * RS_NAME_MAX + 16];
            rs_scenario_store_name(scenario, store, name, sizeof name);
            rs__text_puts(out, " Availability of ");
            rs__md_escaped(out, name);
            rs__text_printf(out, ": %.4f%%.", share * 100);
        }
    }
    for (uint32_t c = 0; c < history->crash_count; c++) {
        char name[2 * RS_NAME_MAX + 16];
        rs_scenario_node_name(scenario, history->crashes[c].node, name, sizeof name);
        rs__text_puts(out, c == 0 ? " Crashes: " : "; ");
        rs__md_escaped(out, name);
        rs__text_printf(out, " at %.3f s lost %" PRIu64 " stored events",
                        (double)history->crashes[c].time_us / 1e6, history->crashes[c].events_lost);
    }
    rs__text_puts(out, "\n\n");
}

uint32_t rs__faults_active(const rs_scenario *scenario, size_t second) {
    assert(scenario != NULL);
    int64_t from_us = (int64_t)second * 1000000, to_us = from_us + 1000000;
    uint32_t active = 0;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        active += fault->start_us < to_us && from_us < fault->end_us;
    }
    return active;
}
