/* conflict_report.c — multi-primary conflicts in the report: what the managers reported
 * resolving (history conflicts: stream, version, the two events, their regions, the winner,
 * the policy) and, independently, what the stores' appends show — two distinct events appended
 * at the same (stream, version) anywhere is a conflict that happened. The summary gives both
 * counts, the conflicts no manager reported (undetected), those the managers resolved
 * differently (disagreements), wins per region, and lists the first CONFLICTS_LISTED_MAX.
 * summary.json "conflicts", summary.md "## Conflicts"; nothing unless streams are shared.
 * The counting lives in checks/conflicts.c (the `conflicts` invariant judges the same). */
#include "reports/report_internal.h"

#include "checks/conflicts.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define CONFLICTS_LISTED_MAX 1000     /* conflicts listed in full; all are counted */

static bool add_number(cJSON *object, const char *name, double value) {
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, 6);
    return cJSON_AddRawToObject(object, name, raw) != NULL;
}

static bool conflict_entry_json(const rs__report *report, cJSON *list, const rs_conflict_key *key) {
    const rs_history_conflict *conflict = &report->history->conflicts[key->report];
    const rs_scenario *scenario = report->scenario;
    cJSON *entry = cJSON_CreateObject();
    bool ok = entry != NULL && cJSON_AddItemToArray(list, entry) &&
              add_number(entry, "stream", (double)conflict->stream) &&
              add_number(entry, "version", conflict->version) &&
              add_number(entry, "winner", (double)conflict->winner) &&
              add_number(entry, "loser", (double)conflict->loser) &&
              cJSON_AddStringToObject(entry, "winner_region",
                                      scenario->regions[conflict->winner_region].name) != NULL &&
              cJSON_AddStringToObject(entry, "loser_region",
                                      scenario->regions[conflict->loser_region].name) != NULL &&
              cJSON_AddStringToObject(entry, "resolution", conflict->resolution) != NULL &&
              add_number(entry, "time_s", (double)conflict->time_us / 1e6);
    return ok;
}

bool rs__conflicts_json(const rs__report *report, cJSON *root) {
    const rs_scenario *scenario = report->scenario;
    if (!rs_scenario_shared_streams(scenario)) {
        return true;
    }
    rs_conflict_summary summary;
    if (rs_conflicts_compute(report->history, &summary) != 0) {
        return false;
    }
    cJSON *conflicts = cJSON_AddObjectToObject(root, "conflicts");
    bool ok = conflicts != NULL && add_number(conflicts, "happened", (double)summary.happened) &&
              add_number(conflicts, "resolved", (double)summary.reported) &&
              add_number(conflicts, "reports", (double)summary.reports) &&
              add_number(conflicts, "undetected", (double)summary.undetected) &&
              add_number(conflicts, "disagreements", (double)summary.disagreements);
    cJSON *wins = ok ? cJSON_AddObjectToObject(conflicts, "wins_by_region") : NULL;
    ok = ok && wins != NULL;
    for (uint32_t r = 0; ok && r < scenario->region_count; r++) {
        ok = add_number(wins, scenario->regions[r].name, (double)summary.wins[r]);
    }
    cJSON *list = ok ? cJSON_AddArrayToObject(conflicts, "listed") : NULL;
    ok = ok && list != NULL;
    for (size_t c = 0; ok && c < summary.distinct_count && c < CONFLICTS_LISTED_MAX; c++) {
        ok = conflict_entry_json(report, list, &summary.distinct[c]);
    }
    rs_conflicts_free(&summary);
    return ok;
}

void rs__conflicts_md(const rs__report *report, rs__text *out) {
    const rs_scenario *scenario = report->scenario;
    if (!rs_scenario_shared_streams(scenario)) {
        return;
    }
    rs_conflict_summary summary;
    if (rs_conflicts_compute(report->history, &summary) != 0) {
        out->failed = true;
        return;
    }
    rs__text_printf(out, "\n## Conflicts\n\n%" PRIu64 " conflicts in the stores' appends (two "
                    "events at one stream version); %" PRIu64 " resolved by the managers (%"
                    PRIu64 " reports), %" PRIu64 " undetected, %" PRIu64 " resolved differently "
                    "by two managers. Wins by region:", summary.happened, summary.reported,
                    summary.reports, summary.undetected, summary.disagreements);
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        rs__text_puts(out, r == 0 ? " " : ", ");
        rs__md_escaped(out, scenario->regions[r].name);
        rs__text_printf(out, " %" PRIu64, summary.wins[r]);
    }
    rs__text_puts(out, ".\n\n| stream | version | winner (region) | loser (region) | "
                       "resolution | time (s) |\n|---:|---:|---|---|---|---:|\n");
    for (size_t c = 0; c < summary.distinct_count && c < 20; c++) {
        const rs_history_conflict *conflict = &report->history->conflicts[summary.distinct[c].report];
        rs__text_printf(out, "| %" PRIu64 " | %u | %" PRIu64 " (", conflict->stream,
                        conflict->version, conflict->winner);
        rs__md_escaped(out, scenario->regions[conflict->winner_region].name);
        rs__text_printf(out, ") | %" PRIu64 " (", conflict->loser);
        rs__md_escaped(out, scenario->regions[conflict->loser_region].name);
        rs__text_printf(out, ") | %s | %.6f |\n", conflict->resolution,
                        (double)conflict->time_us / 1e6);
    }
    if (summary.distinct_count > 20) {
        rs__text_printf(out, "\n(first 20 of %zu; summary.json lists up to %d)\n",
                        summary.distinct_count, CONFLICTS_LISTED_MAX);
    }
    rs_conflicts_free(&summary);
}
