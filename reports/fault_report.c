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
