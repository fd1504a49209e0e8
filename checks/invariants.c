/* invariants.c — see invariants.h. One pass per invariant over the history; memory is a few
 * arrays indexed by event id (dense) and a per-store sorted copy for duplicates. Costs:
 * O(appends + final contents x log) time, O(events) memory. */
#include "checks/invariants.h"
#include "checks/promise.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t faults_active_at(const rs_scenario *scenario, int64_t time_us) {
    uint64_t mask = 0;
    for (uint32_t f = 0; f < scenario->fault_count && f < 64; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->start_us <= time_us && time_us < fault->end_us) {
            mask |= 1ull << f;
        }
    }
    return mask;
}

/* Counts one violation and lists it while there is room. */
static void violation(const rs_scenario *scenario, const rs_history *history,
                      rs_check_result *result, rs_invariant invariant, rs_event_id event,
                      int32_t store, int64_t time_us, const char *detail) {
    assert(invariant < RS_INV_COUNT);
    assert(event == 0 || event <= history->event_count);
    result->violations[invariant]++;
    if (result->listed[invariant] == RS_CHECK_LISTED_MAX) {
        return;
    }
    rs_violation *entry = &result->examples[invariant][result->listed[invariant]++];
    memset(entry, 0, sizeof *entry);
    entry->event = event;
    if (event != 0) {
        entry->stream = history->events[event - 1].stream;
        entry->version = history->events[event - 1].version;
    }
    entry->store = store;
    entry->time_us = time_us;
    entry->faults_active = faults_active_at(scenario, time_us);
    snprintf(entry->detail, sizeof entry->detail, "%s", detail);
}

void rs__check_violation(const rs_scenario *scenario, const rs_history *history,
                         rs_check_result *result, rs_invariant invariant, rs_event_id event,
                         int32_t store, int64_t time_us, const char *detail) {
    assert(scenario != NULL && history != NULL && result != NULL);
    violation(scenario, history, result, invariant, event, store, time_us, detail);
}

/* target_index[s] = 1 + position of store s in the targets, 0 when not a target. */
static uint32_t *target_positions(const rs_scenario *scenario, uint32_t store_count) {
    uint32_t *positions = calloc(store_count == 0 ? 1 : store_count, sizeof *positions);
    for (uint32_t i = 0; positions != NULL && i < scenario->target_count; i++) {
        assert(scenario->targets[i] < store_count);
        positions[scenario->targets[i]] = i + 1;
    }
    return positions;
}

/* holders[e] = target stores holding event e+1 at the end; confirmed[e] = distinct target
 * stores whose ok reply for it its manager had received by the time it acked the request
 * (a bit per event and target marks the pairs counted: events x targets bits, the replica
 * budget's 1/8 byte each, not a record per receipt). */
static int count_copies(const rs_history *history, const uint32_t *positions, uint32_t *holders,
                        uint32_t *confirmed) {
    uint32_t width = 0; /* the highest target position */
    for (uint32_t s = 0; s < history->store_count; s++) {
        width = positions[s] > width ? positions[s] : width;
    }
    /* last_store[e] = 1 + the last store counted as holding e: a store that lists an event
     * twice (a no_duplicates violation) still holds it once */
    uint32_t *last_store = calloc(history->event_count + 1, sizeof *last_store);
    size_t bits = history->event_count * (size_t)width;
    uint8_t *counted = calloc(bits / 8 + 1, 1); /* bit (e - 1) x width + position - 1 */
    if (last_store == NULL || counted == NULL) {
        free(last_store);
        free(counted);
        return -1;
    }
    for (uint32_t s = 0; s < history->store_count; s++) {
        for (size_t i = 0; positions[s] != 0 && i < history->final_count[s]; i++) {
            rs_event_id event = history->final_events[s][i];
            assert(event >= 1 && event <= history->event_count);
            if (last_store[event - 1] != s + 1) {
                last_store[event - 1] = s + 1;
                holders[event - 1]++;
            }
        }
    }
    free(last_store);
    for (size_t r = 0; r < history->receipt_count; r++) {
        const rs_history_receipt *receipt = &history->receipts[r];
        assert(receipt->event >= 1 && receipt->event <= history->event_count);
        const rs_history_event *event = &history->events[receipt->event - 1];
        if (event->request_index == RS_HISTORY_NO_REQUEST) {
            continue; /* a compensating event: no client was promised anything */
        }
        const rs_history_request *request = &history->requests[event->request_index];
        if (positions[receipt->store] != 0 && request->manager_ack_us >= 0 &&
            receipt->time_us <= request->manager_ack_us) {
            size_t bit = (size_t)(receipt->event - 1) * width + positions[receipt->store] - 1;
            uint8_t mask = (uint8_t)(1u << (bit % 8));
            if ((counted[bit / 8] & mask) == 0) { /* one store counts once per event */
                counted[bit / 8] |= mask;
                confirmed[receipt->event - 1]++;
            }
        }
    }
    free(counted);
    return 0;
}

static int check_durability_and_honesty(const rs_scenario *scenario, const rs_history *history,
                                        const uint32_t *holders, const uint32_t *confirmed,
                                        rs_check_result *result) {
    char detail[120];
    rs_check_promises *promises = rs_check_promises_new(scenario, history);
    if (promises == NULL) {
        return -1;
    }
    for (size_t r = 0; r < history->request_count; r++) {
        const rs_history_request *request = &history->requests[r];
        if (request->status != RS_OK) {
            continue;
        }
        uint32_t promised_at_ack = rs_check_promised_at_ack(promises, request);
        for (uint32_t k = 0; k < request->event_count; k++) {
            rs_event_id event = request->first_event + k;
            uint32_t promised = rs_check_promised_at_end(promises, request, event);
            if (holders[event - 1] < promised) {
                snprintf(detail, sizeof detail, "acknowledged, but on %u of the %u target stores "
                         "it was promised at the end", holders[event - 1], promised);
                violation(scenario, history, result, RS_INV_DURABILITY, event, -1,
                          request->manager_ack_us, detail);
            }
            if (confirmed[event - 1] < promised_at_ack) {
                snprintf(detail, sizeof detail, "acknowledged ok when %u of the %u required target "
                         "stores had confirmed it", confirmed[event - 1], promised_at_ack);
                violation(scenario, history, result, RS_INV_QUORUM_HONESTY, event, -1,
                          request->manager_ack_us, detail);
            }
        }
    }
    rs_check_promises_free(promises);
    return 0;
}

static int compare_ids(const void *left, const void *right) {
    rs_event_id a = *(const rs_event_id *)left, b = *(const rs_event_id *)right;
    return a < b ? -1 : a > b ? 1 : 0;
}

static const rs_history *sort_history; /* qsort has no context argument; single-threaded */

static int compare_by_stream(const void *left, const void *right) {
    rs_event_id a = *(const rs_event_id *)left, b = *(const rs_event_id *)right;
    rs_stream_id stream_a = sort_history->events[a - 1].stream;
    rs_stream_id stream_b = sort_history->events[b - 1].stream;
    if (stream_a != stream_b) {
        return stream_a < stream_b ? -1 : 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

/* slot[e] = the smallest event id of e's stream: a dense per-stream index without a hash
 * map. O(events log events). */
static int assign_stream_slots(const rs_history *history, rs_event_id *slot) {
    rs_event_id *order = malloc((history->event_count + 1) * sizeof *order);
    if (order == NULL) {
        return -1;
    }
    for (size_t e = 0; e < history->event_count; e++) {
        order[e] = e + 1;
    }
    sort_history = history;
    qsort(order, history->event_count, sizeof *order, compare_by_stream);
    for (size_t i = 0; i < history->event_count; i++) {
        bool same = i > 0 && history->events[order[i] - 1].stream ==
                                 history->events[order[i - 1] - 1].stream;
        slot[order[i]] = same ? slot[order[i - 1]] : order[i];
    }
    free(order);
    return 0;
}

/* no_duplicates of store s: every id its final contents list more than once, once per extra
 * copy, in id order. `seen` (a bit per event id) is all zero on entry and on return; dups has
 * room for the store's count. O(count) plus a sort of the duplicates found (rare). */
static void check_store_duplicates(const rs_scenario *scenario, const rs_history *history,
                                   uint32_t s, uint8_t *seen, rs_event_id *dups,
                                   rs_check_result *result) {
    size_t count = history->final_count[s], dup_count = 0;
    for (size_t i = 0; i < count; i++) {
        rs_event_id id = history->final_events[s][i];
        assert(id >= 1 && id <= history->event_count);
        uint8_t bit = (uint8_t)(1u << (id % 8));
        if (seen[id / 8] & bit) {
            dups[dup_count++] = id;
        }
        seen[id / 8] |= bit;
    }
    for (size_t i = 0; i < count; i++) {
        rs_event_id id = history->final_events[s][i];
        seen[id / 8] = 0; /* every bit set above is in a byte cleared here */
    }
    qsort(dups, dup_count, sizeof *dups, compare_ids);
    for (size_t i = 0; i < dup_count; i++) {
        violation(scenario, history, result, RS_INV_NO_DUPLICATES, dups[i], (int32_t)s,
                  history->end_us, "held twice by one store");
    }
}

/* Per-stream version order (last version seen per stream, in an array indexed by each
 * stream's smallest event id), then duplicates (check_store_duplicates), store by store. */
static int check_stores(const rs_scenario *scenario, const rs_history *history,
                        rs_check_result *result) {
    size_t longest = 0;
    for (uint32_t s = 0; s < history->store_count; s++) {
        longest = history->final_count[s] > longest ? history->final_count[s] : longest;
    }
    uint32_t *last_version = calloc(history->event_count + 1, sizeof *last_version);
    rs_event_id *stream_slot = calloc(history->event_count + 1, sizeof *stream_slot);
    uint8_t *seen = calloc(history->event_count / 8 + 1, 1);
    rs_event_id *dups = malloc((longest + 1) * sizeof *dups);
    int status = last_version == NULL || stream_slot == NULL || seen == NULL || dups == NULL
                     ? -1
                     : assign_stream_slots(history, stream_slot);
    for (uint32_t s = 0; s < history->store_count && status == 0; s++) {
        memset(last_version, 0, (history->event_count + 1) * sizeof *last_version);
        for (size_t i = 0; i < history->final_count[s]; i++) {
            rs_event_id id = history->final_events[s][i];
            const rs_history_event *event = &history->events[id - 1];
            uint32_t *last = &last_version[stream_slot[id]];
            if (event->version < *last) {
                char detail[120];
                snprintf(detail, sizeof detail, "version %u stored after version %u of its stream",
                         event->version, *last);
                violation(scenario, history, result, RS_INV_STREAM_ORDER, id, (int32_t)s,
                          history->end_us, detail);
            }
            *last = event->version > *last ? event->version : *last;
        }
        check_store_duplicates(scenario, history, s, seen, dups, result);
    }
    free(last_version);
    free(stream_slot);
    free(seen);
    free(dups);
    return status;
}

static void check_integrity(const rs_scenario *scenario, const rs_history *history,
                            rs_check_result *result) {
    for (size_t a = 0; a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        const rs_history_event *event = &history->events[append->event - 1];
        uint32_t stored = rs_history_append_checksum(history, a);
        if (stored != event->checksum) {
            char detail[120];
            snprintf(detail, sizeof detail, "stored with checksum %08x, created with %08x",
                     stored, event->checksum);
            violation(scenario, history, result, RS_INV_INTEGRITY, append->event,
                      (int32_t)append->store, append->time_us, detail);
        }
    }
}

int rs_check_history(const rs_scenario *scenario, const rs_history *history,
                     rs_check_result *result) {
    assert(scenario != NULL && history != NULL && result != NULL);
    assert(history->store_count == scenario->store_count);
    memset(result, 0, sizeof *result);
    for (int i = 0; i < RS_INV_COUNT; i++) {
        result->checked[i] = true;
    }
    uint32_t *positions = target_positions(scenario, history->store_count);
    uint32_t *holders = calloc(history->event_count + 1, sizeof *holders);
    uint32_t *confirmed = calloc(history->event_count + 1, sizeof *confirmed);
    int status = positions != NULL && holders != NULL && confirmed != NULL ? 0 : -1;
    /* Strategies whose targets differ per event (rules) promise per event, not write_quorum
     * of the scenario's targets: durability and honesty need routing-aware checks. */
    if (status == 0 && rs_scenario_per_event_targets(scenario)) {
        static const rs_invariant promised[] = {RS_INV_DURABILITY, RS_INV_QUORUM_HONESTY};
        for (size_t i = 0; i < sizeof promised / sizeof promised[0]; i++) {
            result->checked[promised[i]] = false;
            snprintf(result->skipped_because[promised[i]], sizeof result->skipped_because[0],
                     "targets differ per event (rules); not judged against write_quorum");
        }
    } else if (status == 0) {
        status = count_copies(history, positions, holders, confirmed);
        if (status == 0) {
            status = check_durability_and_honesty(scenario, history, holders, confirmed, result);
        }
    }
    if (status == 0) {
        status = check_stores(scenario, history, result);
        check_integrity(scenario, history, result);
    }
    if (status == 0 && rs_scenario_shared_streams(scenario)) {
        result->checked[RS_INV_STREAM_ORDER] = false; /* the versions are the managers' */
        result->violations[RS_INV_STREAM_ORDER] = 0;
        result->listed[RS_INV_STREAM_ORDER] = 0;
        snprintf(result->skipped_because[RS_INV_STREAM_ORDER], sizeof result->skipped_because[0],
                 "shared streams: managers assign the versions (the report lists conflicts)");
    }
    if (status == 0) {
        status = rs__check_routing(scenario, history, result);
    }
    if (status == 0) {
        status = rs__check_convergence(scenario, history, result);
    }
    if (status == 0) {
        status = rs__check_conflicts(scenario, history, result);
    }
    if (status == 0 && rs__check_is_cascade(scenario)) {
        status = rs__check_cascade_chain(scenario, history, result);
    } else if (status == 0) {
        result->checked[RS_INV_CASCADE_CHAIN] = false;
        snprintf(result->skipped_because[RS_INV_CASCADE_CHAIN],
                 sizeof result->skipped_because[0], "not a cascade");
    }
    free(positions);
    free(holders);
    free(confirmed);
    if (status != 0) {
        return -1;
    }
    int violated = 0;
    for (int i = 0; i < RS_INV_COUNT; i++) {
        violated += result->violations[i] > 0 && !scenario->expect.tolerated[i];
    }
    return violated;
}
