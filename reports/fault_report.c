/* fault_report.c — the fault schedule and its effects in the report: the "faults" windows
 * (kind, what, start, end) and the crashes with what each store lost, in summary.json and
 * summary.md, and how many faults are active in each second (the faults_active column of
 * timeseries.csv). Labels hold scenario names: JSON escapes them (cJSON), Markdown gets the
 * same escaping as every other name in summary.md.
 *
 * The quality KPIs of the fault chapter, computed from the history alone (hard rule 2):
 *   recovery (per store crash): restart -> the store holds every event created before the
 *     restart that some target store holds at the end (its last such append);
 *   convergence (per partition): heal -> every target store holds every event created
 *     before the heal that some target store holds at the end;
 *   consistency over time (consistency_pct column): the share of the events acknowledged ok
 *     so far that every target store holds at the end of the second, replaying appends and
 *     crash losses (a crash removes the tail of the store's log, model/node_store.c);
 *   integrity: stored copies a corrupt fault damaged, and those the checksums reveal.
 * "Never" (a store that does not catch up within the run) is null, with the events missing.
 * Not judged when targets differ per event (rules). */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* --- recovery and convergence ------------------------------------------------------------- */

/* held_any[e] = 1 when some target store holds event e+1 at the end. NULL when out of memory. */
static uint8_t *held_by_a_target(const rs_scenario *scenario, const rs_history *history) {
    assert(scenario != NULL && history != NULL);
    assert(!rs_scenario_per_event_targets(scenario));
    uint8_t *held = calloc(history->event_count + 1, 1);
    for (uint32_t t = 0; held != NULL && t < scenario->target_count; t++) {
        uint32_t store = scenario->targets[t];
        assert(store < history->store_count);
        for (size_t i = 0; i < history->final_count[store]; i++) {
            held[history->final_events[store][i] - 1] = 1;
        }
    }
    return held;
}

/* How store `store` caught up after `from_us`: over the events created before `from_us` that
 * some target holds at the end, the latest time it (re)gained one, and how many it lacks at the
 * end. Uses `scratch` (event_count bytes). O(events + appends). */
static void catch_up(const rs_history *history, const uint8_t *held_any, uint8_t *scratch,
                     uint32_t store, int64_t from_us, int64_t *latest_us, uint64_t *missing) {
    assert(store < history->store_count);
    assert(held_any != NULL && scratch != NULL);
    memset(scratch, 0, history->event_count + 1);
    for (size_t i = 0; i < history->final_count[store]; i++) {
        scratch[history->final_events[store][i] - 1] = 1;
    }
    *missing = 0;
    for (size_t e = 0; e < history->event_count; e++) {
        *missing += held_any[e] && !scratch[e] && history->events[e].created_us < from_us;
    }
    *latest_us = from_us;
    for (size_t a = 0; a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        if (append->store == store && !append->duplicate && held_any[append->event - 1] &&
            history->events[append->event - 1].created_us < from_us &&
            append->time_us > *latest_us) {
            *latest_us = append->time_us;
        }
    }
}

static bool add_seconds_or_null(cJSON *object, const char *name, bool known, int64_t us) {
    if (!known) {
        return cJSON_AddNullToObject(object, name) != NULL;
    }
    return add_number(object, name, (double)us / 1e6, 6);
}

/* Is store `store` one of the scenario's targets? O(targets). */
static bool is_target(const rs_scenario *scenario, uint32_t store) {
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        if (scenario->targets[t] == store) {
            return true;
        }
    }
    return false;
}

/* Is fault `fault` one the catch-up KPIs judge: a crash of a target store (recovery) or a
 * partition (convergence), ending inside the run? */
static bool judged(const rs_scenario *scenario, const rs_history *history, const rs_fault *fault) {
    bool store_crash = fault->kind == RS_FAULT_CRASH && fault->node < scenario->store_count &&
                       is_target(scenario, fault->node);
    return (store_crash || fault->kind == RS_FAULT_PARTITION) && fault->end_us < history->end_us;
}

/* How the stores `fault` concerns (a crashed store; every target after a partition) caught up
 * after its end: the latest time one (re)gained a needed event, and the events still missing
 * at the end over them all; with `stores`, each store's own figure (seconds or null) too. */
static bool fault_catch_up(const rs__report *report, const rs_fault *fault,
                           const uint8_t *held_any, uint8_t *scratch, cJSON *stores,
                           int64_t *latest_us, uint64_t *missing) {
    const rs_scenario *scenario = report->scenario;
    assert(judged(scenario, report->history, fault));
    bool ok = true;
    *latest_us = fault->end_us;
    *missing = 0;
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        uint32_t store = scenario->targets[t];
        if (fault->kind == RS_FAULT_CRASH && store != fault->node) {
            continue;
        }
        int64_t store_us = 0;
        uint64_t store_missing = 0;
        catch_up(report->history, held_any, scratch, store, fault->end_us, &store_us,
                 &store_missing);
        if (stores != NULL) {
            char name[2 * RS_NAME_MAX + 16];
            rs_scenario_store_name(scenario, store, name, sizeof name);
            ok &= add_seconds_or_null(stores, name, store_missing == 0, store_us - fault->end_us);
        }
        *missing += store_missing;
        *latest_us = store_us > *latest_us ? store_us : *latest_us;
    }
    return ok;
}

/* One entry per judged fault: into `recovery` for a store crash {store, restart_s,
 * recovery_s, events_missing}, into `convergence` for a partition {fault, heal_s,
 * convergence_s, events_diverging, stores}; the worst time and whether all are known. */
static bool catch_up_json(const rs__report *report, const uint8_t *held_any, uint8_t *scratch,
                          cJSON *lists[2], int64_t worst_us[2], bool all_known[2]) {
    const rs_scenario *scenario = report->scenario;
    bool ok = true;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (!judged(scenario, report->history, fault)) {
            continue;
        }
        int k = fault->kind == RS_FAULT_CRASH ? 0 : 1;
        cJSON *entry = cJSON_CreateObject();
        cJSON *stores = k == 1 ? cJSON_CreateObject() : NULL;
        int64_t latest_us = 0;
        uint64_t missing = 0;
        ok &= entry != NULL && cJSON_AddItemToArray(lists[k], entry) && (k == 0 || stores != NULL);
        ok &= fault_catch_up(report, fault, held_any, scratch, stores, &latest_us, &missing);
        if (!ok) {
            cJSON_Delete(stores);
            return false;
        }
        char name[2 * RS_NAME_MAX + 16] = "";
        if (k == 0) {
            rs_scenario_store_name(scenario, fault->node, name, sizeof name);
        }
        ok &= cJSON_AddStringToObject(entry, k == 0 ? "store" : "fault",
                                      k == 0 ? name : fault->label) != NULL;
        ok &= add_number(entry, k == 0 ? "restart_s" : "heal_s", (double)fault->end_us / 1e6, 6);
        ok &= add_seconds_or_null(entry, k == 0 ? "recovery_s" : "convergence_s", missing == 0,
                                  latest_us - fault->end_us);
        ok &= add_number(entry, k == 0 ? "events_missing" : "events_diverging", (double)missing, 0);
        ok &= k == 0 || cJSON_AddItemToObject(entry, "stores", stores);
        all_known[k] &= missing == 0;
        worst_us[k] = latest_us - fault->end_us > worst_us[k] ? latest_us - fault->end_us
                                                               : worst_us[k];
    }
    return ok;
}

/* Stored copies whose checksum differs from the event's (what the integrity invariant flags). */
static uint64_t corrupted_detected(const rs_history *history) {
    assert(history != NULL);
    uint64_t detected = 0;
    for (size_t a = 0; a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        assert(append->event >= 1 && append->event <= history->event_count);
        detected += rs_history_append_checksum(history, a) !=
                    history->events[append->event - 1].checksum;
    }
    return detected;
}

/* The KPIs into root: "recovery", "convergence" (with their maxima) and "integrity". */
static bool fault_kpis_json(const rs__report *report, cJSON *root) {
    assert(report != NULL && root != NULL);
    const rs_scenario *scenario = report->scenario;
    const rs_history *history = report->history;
    bool ok = true;
    cJSON *integrity = cJSON_AddObjectToObject(root, "integrity");
    ok &= integrity != NULL &&
          add_number(integrity, "events_corrupted", (double)history->events_corrupted, 0) &&
          add_number(integrity, "corrupted_events_detected",
                     (double)corrupted_detected(history), 0);
    cJSON *recovery = cJSON_AddArrayToObject(root, "recovery");
    cJSON *convergence = cJSON_AddArrayToObject(root, "convergence");
    if (!ok || recovery == NULL || convergence == NULL) {
        return false;
    }
    if (rs_scenario_per_event_targets(scenario) || scenario->target_count == 0) {
        return true; /* targets differ per event: not judged (see the file comment) */
    }
    uint8_t *held_any = held_by_a_target(scenario, history);
    uint8_t *scratch = malloc(history->event_count + 1);
    if (held_any == NULL || scratch == NULL) {
        free(held_any);
        free(scratch);
        return false;
    }
    cJSON *lists[2] = {recovery, convergence};
    int64_t worst_us[2] = {0, 0};
    bool all_known[2] = {true, true};
    ok &= catch_up_json(report, held_any, scratch, lists, worst_us, all_known);
    free(held_any);
    free(scratch);
    if (cJSON_GetArraySize(recovery) > 0) {
        ok &= add_seconds_or_null(root, "recovery_s_max", all_known[0], worst_us[0]);
    }
    if (cJSON_GetArraySize(convergence) > 0) {
        ok &= add_seconds_or_null(root, "convergence_after_heal_s_max", all_known[1],
                                  worst_us[1]);
    }
    return ok;
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
    ok &= add_number(root, "messages_duplicated_by_faults", (double)history->messages_duplicated, 0);
    ok &= add_number(root, "messages_reordered_by_faults", (double)history->messages_reordered, 0);
    ok &= add_number(root, "appends_rejected_by_faults", (double)history->appends_rejected, 0);
    ok &= fault_kpis_json(report, root);
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

/* The recovery and convergence lines of the Faults section. */
static void faults_md_kpis(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    const rs_scenario *scenario = report->scenario;
    const rs_history *history = report->history;
    if (rs_scenario_per_event_targets(scenario) || scenario->target_count == 0) {
        return;
    }
    uint8_t *held_any = held_by_a_target(scenario, history);
    uint8_t *scratch = malloc(history->event_count + 1);
    out->failed |= held_any == NULL || scratch == NULL;
    for (uint32_t f = 0; held_any != NULL && scratch != NULL && f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (!judged(scenario, history, fault)) {
            continue;
        }
        int64_t latest_us = 0;
        uint64_t missing = 0;
        (void)fault_catch_up(report, fault, held_any, scratch, NULL, &latest_us, &missing);
        rs__text_printf(out, "\n- %s of ", fault->kind == RS_FAULT_CRASH
                                                ? "Recovery" : "Convergence after the heal");
        rs__md_escaped(out, fault->label);
        if (missing == 0) {
            rs__text_printf(out, " at %.3f s: %.6f s.", (double)fault->end_us / 1e6,
                            (double)(latest_us - fault->end_us) / 1e6);
        } else {
            rs__text_printf(out, " at %.3f s: never within the run (%" PRIu64 " events missing).",
                            (double)fault->end_us / 1e6, missing);
        }
    }
    rs__text_puts(out, "\n");
    free(held_any);
    free(scratch);
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
    rs__text_printf(out, "%s %" PRIu64 " messages duplicated, %" PRIu64 " reordered, %" PRIu64
                    " appends rejected by full stores; %" PRIu64 " stored events corrupted, %"
                    PRIu64 " detected by their checksums.\n",
                    history->crash_count > 0 ? "." : "", history->messages_duplicated,
                    history->messages_reordered, history->appends_rejected,
                    history->events_corrupted, corrupted_detected(history));
    faults_md_kpis(report, out);
    rs__text_puts(out, "\n");
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

/* --- consistency over time: a replay of the target stores' holdings ----------------------- */

/* The state of one replay of the history, second by second (rs__faults_consistency). */
typedef struct consistency_replay {
    const rs_history *history;
    int32_t *position;        /* per store: index in the targets, or -1 */
    uint32_t target_count;    /* scenario->target_count */
    uint64_t *bits;           /* bit event_index * target_count + position: held now */
    uint32_t *holders;        /* per event: targets holding it now */
    uint8_t *acked;           /* per event: acknowledged ok so far */
    uint32_t **log;           /* per store: its log as replayed (appends, crash truncations) */
    size_t *log_count;        /* per store: entries in log */
    size_t *log_capacity;     /* per store: room in log */
    uint64_t acked_count;     /* events acknowledged ok so far */
    uint64_t acked_full;      /* of those, held by every target now */
    bool failed;              /* out of memory */
} consistency_replay;

/* Store `store` gains (+1) or loses (-1) event `event` (a target's bit and holder count). */
static void replay_change(consistency_replay *r, uint32_t store, rs_event_id event, int delta) {
    assert(store < r->history->store_count);
    assert(event >= 1 && event <= r->history->event_count);
    if (r->position[store] < 0) {
        return;
    }
    size_t bit = (size_t)(event - 1) * r->target_count + (size_t)r->position[store];
    uint64_t mask = UINT64_C(1) << (bit % 64);
    bool held = (r->bits[bit / 64] & mask) != 0;
    if (held == (delta > 0)) {
        return; /* already in that state */
    }
    r->bits[bit / 64] ^= mask;
    assert(delta > 0 ? r->holders[event - 1] < r->target_count : r->holders[event - 1] > 0);
    bool full_before = r->holders[event - 1] == r->target_count;
    r->holders[event - 1] = delta > 0 ? r->holders[event - 1] + 1 : r->holders[event - 1] - 1;
    bool full_after = r->holders[event - 1] == r->target_count;
    if (r->acked[event - 1] && full_before != full_after) {
        r->acked_full = full_after ? r->acked_full + 1 : r->acked_full - 1;
    }
}

static void replay_append(consistency_replay *r, const rs_history_append *append) {
    assert(append->store < r->history->store_count);
    if (append->duplicate) {
        return;
    }
    uint32_t store = append->store;
    if (r->log_count[store] == r->log_capacity[store]) {
        size_t capacity = r->log_capacity[store] == 0 ? 256 : 2 * r->log_capacity[store];
        uint32_t *grown = realloc(r->log[store], capacity * sizeof *grown);
        if (grown == NULL) {
            r->failed = true;
            return;
        }
        r->log[store] = grown;
        r->log_capacity[store] = capacity;
    }
    r->log[store][r->log_count[store]++] = append->event;
    replay_change(r, store, append->event, +1);
}

/* A crash removes the tail of the store's log: the entries its durability did not keep. */
static void replay_crash(consistency_replay *r, const rs_history_crash *crash) {
    assert(crash != NULL);
    if (crash->node >= r->history->store_count) {
        return; /* a manager: no log */
    }
    for (uint64_t k = 0; k < crash->events_lost && r->log_count[crash->node] > 0; k++) {
        rs_event_id event = r->log[crash->node][--r->log_count[crash->node]];
        replay_change(r, crash->node, event, -1);
    }
}

static int compare_acks(const void *left, const void *right) {
    const int64_t *a = left, *b = right; /* (ack time, request index) pairs */
    if (a[0] != b[0]) {
        return a[0] < b[0] ? -1 : 1;
    }
    return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

static bool replay_init(consistency_replay *r, const rs_scenario *scenario,
                        const rs_history *history) {
    assert(scenario->store_count == history->store_count);
    assert(scenario->target_count > 0 && scenario->target_count <= history->store_count);
    memset(r, 0, sizeof *r);
    r->history = history;
    r->target_count = scenario->target_count;
    size_t bits = history->event_count * scenario->target_count;
    r->position = malloc((history->store_count + 1) * sizeof *r->position);
    r->bits = calloc(bits / 64 + 1, sizeof *r->bits);
    r->holders = calloc(history->event_count + 1, sizeof *r->holders);
    r->acked = calloc(history->event_count + 1, 1);
    r->log = calloc(history->store_count + 1, sizeof *r->log);
    r->log_count = calloc(history->store_count + 1, sizeof *r->log_count);
    r->log_capacity = calloc(history->store_count + 1, sizeof *r->log_capacity);
    if (r->position == NULL || r->bits == NULL || r->holders == NULL || r->acked == NULL ||
        r->log == NULL || r->log_count == NULL || r->log_capacity == NULL) {
        return false;
    }
    for (uint32_t s = 0; s < history->store_count; s++) {
        r->position[s] = -1;
    }
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        r->position[scenario->targets[t]] = (int32_t)t;
    }
    return true;
}

static void replay_free(consistency_replay *r) {
    for (uint32_t s = 0; r->log != NULL && s < r->history->store_count; s++) {
        free(r->log[s]);
    }
    free(r->log);
    free(r->log_count);
    free(r->log_capacity);
    free(r->position);
    free(r->bits);
    free(r->holders);
    free(r->acked);
}

/* Fills percent[row] for each row (second) by replaying appends, crashes and acks in time
 * order (appends before a crash at the same instant: a store appends nothing while down). */
static void replay_rows(consistency_replay *r, const int64_t *acks, size_t ack_count,
                        double *percent, size_t rows) {
    const rs_history *history = r->history;
    assert(percent != NULL);
    assert(ack_count <= history->request_count);
    size_t a = 0, k = 0;
    uint32_t c = 0;
    for (size_t row = 0; row < rows && !r->failed; row++) {
        int64_t until_us = (int64_t)(row + 1) * 1000000 - 1;
        for (;;) {
            int64_t append_us = a < history->append_count ? history->appends[a].time_us : INT64_MAX;
            int64_t crash_us = c < history->crash_count ? history->crashes[c].time_us : INT64_MAX;
            if (append_us <= until_us && append_us <= crash_us) {
                replay_append(r, &history->appends[a++]);
            } else if (crash_us <= until_us) {
                replay_crash(r, &history->crashes[c++]);
            } else {
                break;
            }
        }
        for (; k < ack_count && acks[2 * k] <= until_us; k++) {
            const rs_history_request *request = &history->requests[acks[2 * k + 1]];
            for (uint32_t e = 0; e < request->event_count; e++) {
                rs_event_id event = request->first_event + e;
                r->acked[event - 1] = 1;
                r->acked_count++;
                r->acked_full += r->holders[event - 1] == r->target_count;
            }
        }
        percent[row] = r->acked_count == 0 ? NAN
                                           : 100.0 * (double)r->acked_full / (double)r->acked_count;
    }
}

double *rs__faults_consistency(const rs__report *report, size_t rows) {
    assert(report != NULL);
    const rs_scenario *scenario = report->scenario;
    const rs_history *history = report->history;
    double *percent = malloc((rows + 1) * sizeof *percent);
    for (size_t row = 0; percent != NULL && row < rows; row++) {
        percent[row] = NAN;
    }
    if (percent == NULL || rs_scenario_per_event_targets(scenario) || scenario->target_count == 0) {
        return percent;
    }
    int64_t *acks = malloc((2 * history->request_count + 2) * sizeof *acks);
    size_t ack_count = 0;
    for (size_t q = 0; acks != NULL && q < history->request_count; q++) {
        if (history->requests[q].status == RS_OK && history->requests[q].manager_ack_us >= 0) {
            acks[2 * ack_count] = history->requests[q].manager_ack_us;
            acks[2 * ack_count++ + 1] = (int64_t)q;
        }
    }
    consistency_replay replay;
    bool ready = acks != NULL && replay_init(&replay, scenario, history);
    if (ready) {
        qsort(acks, ack_count, 2 * sizeof *acks, compare_acks);
        replay_rows(&replay, acks, ack_count, percent, rows);
    }
    bool failed = !ready || replay.failed;
    if (acks != NULL) {
        replay_free(&replay);
    }
    free(acks);
    if (failed) {
        free(percent);
        return NULL;
    }
    return percent;
}
