/* conflicts.c — multi-primary conflicts judged from the history alone (checks/conflicts.h):
 * the stores' appends say which conflicts happened — two distinct events appended at one
 * (stream, version) — and the managers' reports (history conflicts) say which they resolved
 * and how. The `conflicts` invariant holds when every conflict that happened was resolved by
 * some manager and no two managers chose different winners; the report lists them. Checked
 * only when the clients share streams (multi_primary). Cost: O(A log A) for A appends and
 * O(C log C) for C reports. */
#include "checks/conflicts.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "checks/invariants.h"

static int compare_keys(const void *left, const void *right) {
    const rs_conflict_key *a = left, *b = right;
    if (a->stream != b->stream) return a->stream < b->stream ? -1 : 1;
    if (a->version != b->version) return a->version < b->version ? -1 : 1;
    if (a->low != b->low) return a->low < b->low ? -1 : 1;
    if (a->high != b->high) return a->high < b->high ? -1 : 1;
    return a->report < b->report ? -1 : a->report > b->report ? 1 : 0;
}

/* (stream, version, event) of every append, sorted: runs of one (stream, version) with two
 * or more events are the conflicts that happened. */
static int count_happened(const rs_history *history, rs_conflict_summary *out) {
    rs_conflict_key *appends = malloc((history->append_count + 1) * sizeof *appends);
    if (appends == NULL) {
        return -1;
    }
    for (size_t a = 0; a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        appends[a] = (rs_conflict_key){history->events[append->event - 1].stream,
                                       rs_history_append_version(history, a), append->event,
                                       append->event, 0};
    }
    qsort(appends, history->append_count, sizeof *appends, compare_keys);
    for (size_t a = 1; a < history->append_count; a++) {
        const rs_conflict_key *prev = &appends[a - 1], *cur = &appends[a];
        bool same_version = prev->stream == cur->stream && prev->version == cur->version;
        /* sorted by event within a version: the first change of event in a version's run
         * makes it contested; further events in the run count no more */
        bool contested_before = false;
        for (size_t b = a - 1; same_version && b > 0 && !contested_before; b--) {
            const rs_conflict_key *older = &appends[b - 1];
            if (older->stream != cur->stream || older->version != cur->version) {
                break;
            }
            contested_before = older->low != appends[b].low;
        }
        out->happened += same_version && prev->low != cur->low && !contested_before;
    }
    free(appends);
    return 0;
}

int rs_conflicts_compute(const rs_history *history, rs_conflict_summary *out) {
    assert(history != NULL && out != NULL);
    *out = (rs_conflict_summary){0};
    out->distinct = malloc((history->conflict_count + 1) * sizeof *out->distinct);
    if (out->distinct == NULL || count_happened(history, out) != 0) {
        free(out->distinct);
        return -1;
    }
    out->reports = history->conflict_count;
    rs_conflict_key *keys = out->distinct;
    for (size_t c = 0; c < history->conflict_count; c++) {
        const rs_history_conflict *conflict = &history->conflicts[c];
        bool winner_low = conflict->winner < conflict->loser;
        keys[c] = (rs_conflict_key){conflict->stream, conflict->version,
                                 winner_low ? conflict->winner : conflict->loser,
                                 winner_low ? conflict->loser : conflict->winner, c};
    }
    qsort(keys, history->conflict_count, sizeof *keys, compare_keys);
    size_t distinct = 0;
    for (size_t c = 0; c < history->conflict_count; c++) {
        bool same = distinct > 0 && keys[distinct - 1].stream == keys[c].stream &&
                    keys[distinct - 1].version == keys[c].version &&
                    keys[distinct - 1].low == keys[c].low &&
                    keys[distinct - 1].high == keys[c].high;
        if (same) {
            const rs_history_conflict *first = &history->conflicts[keys[distinct - 1].report];
            out->disagreements += history->conflicts[keys[c].report].winner != first->winner;
            continue;
        }
        keys[distinct++] = keys[c];
        const rs_history_conflict *conflict = &history->conflicts[keys[c].report];
        assert(conflict->winner_region < RS_REGIONS_MAX);
        out->wins[conflict->winner_region]++;
    }
    out->distinct_count = distinct;
    for (size_t c = 0; c < distinct; c++) { /* contested versions among the distinct pairs */
        out->reported += c == 0 || keys[c].stream != keys[c - 1].stream ||
                         keys[c].version != keys[c - 1].version;
    }
    out->undetected = out->happened > out->reported ? out->happened - out->reported : 0;
    return 0;
}


void rs_conflicts_free(rs_conflict_summary *summary) {
    free(summary->distinct);
    summary->distinct = NULL;
}

int rs__check_conflicts(const rs_scenario *scenario, const rs_history *history,
                        rs_check_result *result) {
    assert(scenario != NULL && history != NULL && result != NULL);
    if (!rs_scenario_shared_streams(scenario)) {
        result->checked[RS_INV_CONFLICTS] = false;
        snprintf(result->skipped_because[RS_INV_CONFLICTS], sizeof result->skipped_because[0],
                 "streams are not shared (no multi-primary writes)");
        return 0;
    }
    rs_conflict_summary summary;
    if (rs_conflicts_compute(history, &summary) != 0) {
        return -1;
    }
    char detail[120];
    if (summary.undetected > 0) {
        snprintf(detail, sizeof detail, "%llu of the %llu conflicts in the stores' appends were "
                 "resolved by no manager", (unsigned long long)summary.undetected,
                 (unsigned long long)summary.happened);
        for (uint64_t i = 0; i < summary.undetected; i++) {
            rs__check_violation(scenario, history, result, RS_INV_CONFLICTS, 0, -1,
                                history->end_us, detail);
        }
    }
    for (uint64_t i = 0; i < summary.disagreements; i++) {
        rs__check_violation(scenario, history, result, RS_INV_CONFLICTS, 0, -1, history->end_us,
                            "two managers resolved one conflict with different winners");
    }
    rs_conflicts_free(&summary);
    return 0;
}
