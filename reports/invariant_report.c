/* invariant_report.c — the invariants in the report: for each, whether it was checked (and
 * why not), how many violations, and the first few listed with event, stream, version, store,
 * time and the fault windows active then; in summary.json and summary.md. */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

#include <cjson/cJSON.h>

static bool add_raw_number(cJSON *object, const char *name, double value, int decimals) {
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    return cJSON_AddRawToObject(object, name, raw) != NULL;
}

static bool example_json(const rs__report *report, cJSON *list, const rs_violation *violation) {
    cJSON *entry = cJSON_CreateObject();
    if (entry == NULL || !cJSON_AddItemToArray(list, entry)) {
        cJSON_Delete(entry);
        return false;
    }
    char store[2 * RS_NAME_MAX + 16] = "";
    if (violation->store >= 0) {
        rs_scenario_store_name(report->scenario, (uint32_t)violation->store, store, sizeof store);
    }
    char stream[40];
    snprintf(stream, sizeof stream, "%" PRIu64 ":%" PRIu64, violation->stream >> 32,
             violation->stream & 0xffffffffu);
    bool ok = add_raw_number(entry, "event", (double)violation->event, 0);
    ok &= cJSON_AddStringToObject(entry, "stream", stream) != NULL;
    ok &= add_raw_number(entry, "version", violation->version, 0);
    ok &= (violation->store >= 0 ? cJSON_AddStringToObject(entry, "store", store)
                                 : cJSON_AddNullToObject(entry, "store")) != NULL;
    ok &= add_raw_number(entry, "time_s", (double)violation->time_us / 1e6, 6);
    cJSON *faults = cJSON_AddArrayToObject(entry, "faults_active");
    for (uint32_t f = 0; faults != NULL && f < 64; f++) {
        if (violation->faults_active & (1ull << f)) {
            ok &= cJSON_AddItemToArray(faults, cJSON_CreateString(report->scenario->faults[f].label));
        }
    }
    ok &= cJSON_AddStringToObject(entry, "detail", violation->detail) != NULL;
    return ok && faults != NULL;
}

bool rs__invariants_json(const rs__report *report, cJSON *root) {
    assert(report != NULL && root != NULL);
    const rs_check_result *checks = &report->checks;
    cJSON *section = cJSON_AddObjectToObject(root, "invariants");
    bool ok = section != NULL;
    for (int i = 0; ok && i < RS_INV_COUNT; i++) {
        cJSON *entry = cJSON_AddObjectToObject(section, rs_invariant_name((rs_invariant)i));
        ok = entry != NULL;
        ok = ok && cJSON_AddBoolToObject(entry, "checked", checks->checked[i]) != NULL;
        if (ok && !checks->checked[i]) {
            ok = cJSON_AddStringToObject(entry, "skipped_because", checks->skipped_because[i]);
            continue;
        }
        ok = ok && add_raw_number(entry, "violations", (double)checks->violations[i], 0);
        ok = ok && cJSON_AddBoolToObject(entry, "pass", checks->violations[i] == 0) != NULL;
        ok = ok && cJSON_AddBoolToObject(entry, "tolerated",
                                         report->scenario->expect.tolerated[i]) != NULL;
        cJSON *examples = ok ? cJSON_AddArrayToObject(entry, "examples") : NULL;
        ok = examples != NULL;
        for (uint32_t k = 0; ok && k < checks->listed[i]; k++) {
            ok = example_json(report, examples, &checks->examples[i][k]);
        }
    }
    return ok;
}

void rs__invariants_md(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    const rs_check_result *checks = &report->checks;
    rs__text_puts(out, "## Invariants\n\n| | invariant | violations | first example |\n"
                       "| --- | --- | ---: | --- |\n");
    for (int i = 0; i < RS_INV_COUNT; i++) {
        const char *name = rs_invariant_name((rs_invariant)i);
        if (!checks->checked[i]) {
            rs__text_printf(out, "| – | %s | not checked | %s |\n", name, checks->skipped_because[i]);
            continue;
        }
        bool tolerated = report->scenario->expect.tolerated[i];
        rs__text_printf(out, "| %s | %s%s | %" PRIu64 " | ",
                        checks->violations[i] == 0 ? "✔" : tolerated ? "~" : "✘", name,
                        tolerated ? " (tolerated)" : "", checks->violations[i]);
        if (checks->listed[i] > 0) {
            const rs_violation *first = &checks->examples[i][0];
            rs__text_printf(out, "event %" PRIu64 " (version %u) at %.6f s: ", first->event,
                            first->version, (double)first->time_us / 1e6);
            rs__md_escaped(out, first->detail);
        }
        rs__text_puts(out, " |\n");
    }
    rs__text_puts(out, "\n");
}
