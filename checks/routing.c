/* routing.c — the invariants about where events go, judged from the recorded history and the
 * scenario's own routing promises, never from a strategy's bookkeeping:
 *
 *   routing        every store append of an event is on a store its routing names: for a rule
 *                  set (conditional), the targets of the rules that match the event when the
 *                  rules (strategies/rules.h, pure code) are re-evaluated here on the event's
 *                  recorded type and origin region, or the default targets when none matches;
 *                  for every other strategy, the scenario's targets — narrowed, when the
 *                  scenario has residency rules (geographic), to the stores of the regions
 *                  residency grants the event (re-evaluated too). The targets of each (type,
 *                  origin region) pair come from rs_scenario_pair_targets (model/, which
 *                  runs the pure rule and residency engines on the scenario's own rules).
 *                  With rules, each event acknowledged ok must also be held at the end by
 *                  min(write_quorum, |its targets|) of its targets — the per-event form of
 *                  durability (not judged against write_quorum when targets differ per event).
 *   cascade_chain  for a cascade (a strategy taking cascade's parameter table: cascade itself
 *                  and test variants wrapping it), hop k (targets[k], k >= 1) appends an event
 *                  only after the manager received hop k-1's confirmation of it: judged by
 *                  merging the time-ordered appends and receipts.
 *
 * Costs: routing O(type x region pairs x rules + appends + final contents) time, O(pairs x
 * stores + events) memory; cascade_chain O(appends + receipts) time, one bit per event and
 * chain position. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/invariants.h"
#include "checks/routing.h"

/* Where events of each (type, origin region) pair may go and how many must hold them. */
typedef struct routing_table {
    bool per_pair;            /* rules or residency: targets depend on (type, origin region);
                                 else one set for every event */
    uint32_t pair_count;      /* type_count x region_count with rules, else 1 */
    uint32_t store_count;     /* stores in the topology */
    uint8_t *allowed;         /* [pair][store]: 1 when the pair's routing names the store */
    uint32_t *promised;       /* [pair]: target stores that must hold an ok event at the end */
} routing_table;

static uint32_t routing_pair(const rs_scenario *scenario, const routing_table *table,
                             const rs_history_event *event) {
    if (!table->per_pair) {
        return 0;
    }
    assert(event->type_index < scenario->type_count);
    assert(event->origin_region < scenario->region_count);
    return (uint32_t)event->type_index * scenario->region_count + event->origin_region;
}

static int routing_table_build(const rs_scenario *scenario, routing_table *table) {
    table->per_pair = scenario->rules.rule_count > 0 || scenario->residency.rule_count > 0;
    table->pair_count = table->per_pair ? scenario->type_count * scenario->region_count : 1;
    table->store_count = scenario->store_count;
    table->allowed = calloc((size_t)table->pair_count * table->store_count + 1, 1);
    table->promised = calloc(table->pair_count + 1, sizeof *table->promised);
    uint32_t *targets = malloc(RS_TARGETS_MAX * sizeof *targets);
    if (table->allowed == NULL || table->promised == NULL || targets == NULL) {
        free(targets);
        return -1;
    }
    for (uint32_t pair = 0; pair < table->pair_count; pair++) {
        uint32_t count = rs_scenario_pair_targets(scenario, pair / scenario->region_count,
                                                  pair % scenario->region_count, targets);
        for (uint32_t i = 0; i < count; i++) {
            assert(targets[i] < table->store_count);
            table->allowed[(size_t)pair * table->store_count + targets[i]] = 1;
        }
        table->promised[pair] = count < scenario->write_quorum ? count : scenario->write_quorum;
    }
    free(targets);
    return 0;
}

/* Every append on a store its routing does not name is a violation. */
static void routing_check_appends(const rs_scenario *scenario, const rs_history *history,
                                  const routing_table *table, rs_check_result *result) {
    for (size_t a = 0; a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        assert(append->event >= 1 && append->event <= history->event_count);
        uint32_t pair = routing_pair(scenario, table, &history->events[append->event - 1]);
        if (table->allowed[(size_t)pair * table->store_count + append->store] == 0) {
            rs__check_violation(scenario, history, result, RS_INV_ROUTING, append->event,
                                (int32_t)append->store, append->time_us,
                                "appended on a store that none of its matching rules (nor the "
                                "default targets, nor the targets) names");
        }
    }
}

/* Rules only: every ok event is held at the end by its promised share of its own targets. */
static int routing_check_promises(const rs_scenario *scenario, const rs_history *history,
                                  const routing_table *table, rs_check_result *result) {
    uint32_t *holders = calloc(history->event_count + 1, sizeof *holders);
    uint32_t *last_store = calloc(history->event_count + 1, sizeof *last_store);
    if (holders == NULL || last_store == NULL) {
        free(holders);
        free(last_store);
        return -1;
    }
    for (uint32_t s = 0; s < history->store_count; s++) {
        for (size_t i = 0; i < history->final_count[s]; i++) {
            rs_event_id event = history->final_events[s][i];
            uint32_t pair = routing_pair(scenario, table, &history->events[event - 1]);
            bool target = table->allowed[(size_t)pair * table->store_count + s] != 0;
            if (target && last_store[event - 1] != s + 1) { /* a store counts once */
                last_store[event - 1] = s + 1;
                holders[event - 1]++;
            }
        }
    }
    for (size_t r = 0; r < history->request_count; r++) {
        const rs_history_request *request = &history->requests[r];
        for (uint32_t k = 0; request->status == RS_OK && k < request->event_count; k++) {
            rs_event_id event = request->first_event + k;
            const rs_history_event *recorded = &history->events[event - 1];
            uint32_t promised = table->promised[routing_pair(scenario, table, recorded)];
            if (holders[event - 1] < promised) {
                char detail[120];
                snprintf(detail, sizeof detail, "acknowledged, but on %u of the %u stores its "
                         "rules promised at the end", holders[event - 1], promised);
                rs__check_violation(scenario, history, result, RS_INV_ROUTING, event, -1,
                                    request->manager_ack_us, detail);
            }
        }
    }
    free(holders);
    free(last_store);
    return 0;
}

int rs__check_routing(const rs_scenario *scenario, const rs_history *history,
                      rs_check_result *result) {
    assert(scenario != NULL && history != NULL && result != NULL);
    assert(scenario->rules.rule_count + scenario->residency.rule_count == 0 ||
           scenario->type_count >= 1);
    routing_table table = {0};
    int status = routing_table_build(scenario, &table);
    if (status == 0) {
        routing_check_appends(scenario, history, &table, result);
    }
    if (status == 0 && scenario->rules.rule_count > 0) {
        status = routing_check_promises(scenario, history, &table, result);
    }
    free(table.allowed);
    free(table.promised);
    return status;
}

/* --- the table as a public call (checks/routing.h) ------------------------------------------ */

struct rs_routing {
    const rs_scenario *scenario;  /* borrowed */
    routing_table table;          /* allowed stores per (type, origin region) pair */
    uint32_t *counts;             /* per pair: allowed stores */
};

rs_routing *rs_routing_new(const rs_scenario *scenario) {
    assert(scenario != NULL);
    rs_routing *routing = calloc(1, sizeof *routing);
    if (routing == NULL) {
        return NULL;
    }
    routing->scenario = scenario;
    if (routing_table_build(scenario, &routing->table) != 0 ||
        (routing->counts = calloc(routing->table.pair_count + 1, sizeof *routing->counts)) ==
            NULL) {
        rs_routing_free(routing);
        return NULL;
    }
    for (uint32_t pair = 0; pair < routing->table.pair_count; pair++) {
        for (uint32_t store = 0; store < routing->table.store_count; store++) {
            routing->counts[pair] +=
                routing->table.allowed[(size_t)pair * routing->table.store_count + store];
        }
    }
    return routing;
}

void rs_routing_free(rs_routing *routing) {
    if (routing != NULL) {
        free(routing->table.allowed);
        free(routing->table.promised);
        free(routing->counts);
        free(routing);
    }
}

const uint8_t *rs_routing_allowed(const rs_routing *routing, const rs_history_event *event) {
    uint32_t pair = routing_pair(routing->scenario, &routing->table, event);
    return &routing->table.allowed[(size_t)pair * routing->table.store_count];
}

uint32_t rs_routing_target_count(const rs_routing *routing, const rs_history_event *event) {
    return routing->counts[routing_pair(routing->scenario, &routing->table, event)];
}

bool rs__check_is_cascade(const rs_scenario *scenario) {
    assert(scenario != NULL);
    return rs_scenario_is_cascade(scenario);
}

int rs__check_cascade_chain(const rs_scenario *scenario, const rs_history *history,
                            rs_check_result *result) {
    assert(scenario != NULL && history != NULL && result != NULL);
    assert(rs__check_is_cascade(scenario));
    uint32_t chain = scenario->target_count;
    uint32_t *position = calloc(history->store_count + 1, sizeof *position); /* 1 + hop, 0 none */
    size_t bits = history->event_count * (size_t)chain;
    uint8_t *confirmed = calloc(bits / 8 + 1, 1); /* bit (e-1) x chain + hop: hop confirmed e */
    if (position == NULL || confirmed == NULL) {
        free(position);
        free(confirmed);
        return -1;
    }
    for (uint32_t k = 0; k < chain; k++) {
        position[scenario->targets[k]] = k + 1;
    }
    size_t r = 0;
    for (size_t a = 0; a < history->append_count; a++) {
        const rs_history_append *append = &history->appends[a];
        for (; r < history->receipt_count && history->receipts[r].time_us <= append->time_us; r++) {
            const rs_history_receipt *receipt = &history->receipts[r];
            if (position[receipt->store] != 0) {
                size_t bit = (size_t)(receipt->event - 1) * chain + position[receipt->store] - 1;
                confirmed[bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
        }
        uint32_t hop = position[append->store];
        if (hop <= 1) {
            continue; /* the first hop, or not in the chain (routing judges that) */
        }
        size_t previous = (size_t)(append->event - 1) * chain + hop - 2;
        if ((confirmed[previous / 8] & (1u << (previous % 8))) == 0) {
            char detail[120];
            snprintf(detail, sizeof detail, "appended on hop %u before hop %u had confirmed it",
                     hop, hop - 1);
            rs__check_violation(scenario, history, result, RS_INV_CASCADE_CHAIN, append->event,
                                (int32_t)append->store, append->time_us, detail);
        }
    }
    free(position);
    free(confirmed);
    return 0;
}
