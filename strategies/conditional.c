/* conditional.c — conditional replication: each event of a client append is routed by the
 * scenario's rules (strategies/rules.h) over its attributes — the built-ins `type` and
 * `origin_region` and its event type's attributes — to its own target stores: in first_match
 * mode the first matching rule's targets, in all_match mode the union of every matching rule's
 * targets, and the default targets when no rule matches. Events of one append with the same
 * target set travel together as one store_append per target (a star fan-out per set); events
 * with different sets are sent as separate streams, sets in first-appearance order.
 *
 * The client is answered over the union U of its request's targets: a store of U confirms
 * when every append this request sent it replied ok, and fails at its first error or timeout.
 * The request needs min(write_quorum, |U|) confirmations — under the "all" policy write_quorum
 * is the size of the scenario's target union, so that is every store of U; under "quorum" it is
 * the policy's quorum, capped by |U| — and fails with quorum_not_reached as soon as that is
 * impossible (ack.h). An append holding an event that no rule matches while the default
 * targets are empty is rejected as a whole (RS_ERR_REJECTED, "no target"); nothing is sent.
 *
 * Metrics: every event counts once in conditional_rule_<i>_events for each rule i (0-based
 * position) it matched, or in conditional_default_events, or in conditional_unrouted — rule
 * names are user data and never become metric names. Each store reply is reported with
 * metric_result, each ok reply with metric_latency (request start to reply).
 *
 * Costs: attributes depend only on (event type, origin region), so each pair is evaluated
 * once and cached with its deduplicated target set; an append then costs O(events + targets).
 * Pending requests live in a slab indexed by the tag's upper bits; the lower 16 bits hold the
 * store's position in the request's union. */
#include "strategies/conditional.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/ack.h"
#include "strategies/slab.h"

_Static_assert(RS_RULE_MODE_FIRST_MATCH == 0 && RS_RULE_MODE_ALL_MATCH == 1,
               "the mode parameter's choices are rs_rule_mode in order");
_Static_assert(RS_TARGETS_MAX <= 0xffff, "a union position fits the tag's lower 16 bits");

#define TAG_POSITION_BITS 16
#define SET_NONE UINT32_MAX

static const char *const mode_choices[] = {"first_match", "all_match", NULL};

static const rs_param_spec conditional_params[] = {
    [RS_CONDITIONAL_PARAM_MODE] = {"mode", RS_PARAM_ENUM, 0, 0, 1, mode_choices,
                                   "first_match: the first matching rule's targets; all_match: "
                                   "the union of every matching rule's targets"},
    [RS_CONDITIONAL_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                         RS_TIMEOUT_MS_MAX, NULL,
                                         "timeout of each store append, ms"},
};

/* Counter names: static strings, one per rule position. */
#define RULE_COUNTER(i) "conditional_rule_" #i "_events"
#define RULE_COUNTERS_TEN(d)                                                                  \
    RULE_COUNTER(d##0), RULE_COUNTER(d##1), RULE_COUNTER(d##2), RULE_COUNTER(d##3),           \
        RULE_COUNTER(d##4), RULE_COUNTER(d##5), RULE_COUNTER(d##6), RULE_COUNTER(d##7),       \
        RULE_COUNTER(d##8), RULE_COUNTER(d##9)
static const char *const rule_counters[] = {
    RULE_COUNTERS_TEN(), RULE_COUNTERS_TEN(1), RULE_COUNTERS_TEN(2),
    RULE_COUNTERS_TEN(3), RULE_COUNTERS_TEN(4), RULE_COUNTERS_TEN(5),
};
_Static_assert(sizeof rule_counters / sizeof rule_counters[0] == RS_RULES_MAX,
               "one counter name per rule position");

typedef struct conditional_route {
    bool known;                /* evaluated already */
    uint64_t matched;          /* rule mask (rs_rules_match) */
    uint32_t set;              /* index into sets */
} conditional_route;

typedef struct conditional_set {
    uint32_t first;            /* first entry in set_stores */
    uint32_t count;            /* stores; 0 = no target (unrouted) */
} conditional_set;

typedef struct conditional_store {
    uint32_t store;            /* global store index */
    rs_ack_target ack;         /* its appends' replies, counted once for the ack */
} conditional_store;

typedef struct conditional_pending {
    uint64_t client_request;   /* handle to answer the client with */
    int64_t started_us;        /* local time the appends were sent */
    uint32_t outstanding;      /* store replies still expected, all stores */
    uint32_t next_free;        /* free-list link when unused */
    rs_ack_tracker tracker;    /* the ack rule's state over the union */
    uint32_t union_count;      /* stores in use in `stores` */
    uint32_t store_capacity;   /* allocated entries of `stores`, kept across reuse */
    conditional_store *stores; /* the request's target union, first-appearance order */
} conditional_pending;

typedef struct conditional_state {
    const rs_strategy_config *config;  /* rules, types, regions, quorum; outlives us */
    rs_runtime runtime;                /* the port */
    rs_rule_mode mode;                 /* first_match or all_match */
    int64_t timeout_us;                /* per store append */
    conditional_route *routes;         /* type_count x region_count, by type then region */
    conditional_set *sets;             /* distinct target sets met so far */
    uint32_t set_count;                /* in use */
    uint32_t set_capacity;             /* allocated */
    uint32_t *set_stores;              /* the sets' stores, back to back */
    uint32_t set_store_count;          /* in use */
    uint32_t set_store_capacity;       /* allocated */
    uint32_t *position_of_store;       /* store_count entries: union position (scratch) */
    uint32_t *event_set;               /* RS_EVENTS_PER_APPEND_MAX: each event's set (scratch) */
    uint32_t *append_sets;             /* RS_EVENTS_PER_APPEND_MAX: distinct sets (scratch) */
    rs_event *events;                  /* RS_EVENTS_PER_APPEND_MAX: one set's events (scratch) */
    rs_slab slab;                      /* pending requests (conditional_pending; slab.h) */
} conditional_state;

/* The pending request at slab index `index`. */
#define PENDING(self, index)                                                                  \
    ((conditional_pending *)rs_slab_at(&(self)->slab, (uint32_t)(index)))

static void conditional_destroy(void *state) {
    conditional_state *self = state;
    assert(self != NULL);
    for (uint32_t i = 0; i < self->slab.used; i++) {
        free(PENDING(self, i)->stores);
    }
    rs_slab_free(&self->slab);
    free(self->routes);
    free(self->sets);
    free(self->set_stores);
    free(self->position_of_store);
    free(self->event_set);
    free(self->append_sets);
    free(self->events);
    free(self);
}

static void *conditional_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->rules != NULL);
    assert(config->rules->rule_count >= 1 && config->type_count >= 1);
    assert(config->region_names != NULL && config->region_count >= 1);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    conditional_state *self = calloc(1, sizeof *self);
    if (self == NULL) {
        return NULL;
    }
    rs_slab_init(&self->slab, sizeof(conditional_pending),
                 offsetof(conditional_pending, next_free));
    self->config = config;
    self->runtime = runtime;
    self->mode = (rs_rule_mode)config->params[RS_CONDITIONAL_PARAM_MODE];
    self->timeout_us =
        (int64_t)(config->params[RS_CONDITIONAL_PARAM_TIMEOUT_MS] * 1000.0 + 0.5);
    assert(self->timeout_us > 0);
    self->routes = calloc((size_t)config->type_count * config->region_count,
                          sizeof *self->routes);
    self->position_of_store = calloc(config->store_count, sizeof *self->position_of_store);
    self->event_set = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *self->event_set);
    self->append_sets = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *self->append_sets);
    self->events = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *self->events);
    if (self->routes == NULL || self->position_of_store == NULL || self->event_set == NULL ||
        self->append_sets == NULL || self->events == NULL) {
        conditional_destroy(self);
        return NULL;
    }
    return self;
}

/* --- routes: (type, origin) -> matched rules and a deduplicated target set ----------------- */

/* The index of the set holding exactly stores[0..count) (any order), or SET_NONE. */
static uint32_t set_find(const conditional_state *self, const uint32_t *stores, uint32_t count) {
    assert(self != NULL && (stores != NULL || count == 0));
    uint64_t members[RS_STORES_MAX / 64]; /* 256 bytes */
    memset(members, 0, sizeof members);
    for (uint32_t i = 0; i < count; i++) {
        members[stores[i] / 64] |= UINT64_C(1) << (stores[i] % 64);
    }
    for (uint32_t s = 0; s < self->set_count; s++) {
        const conditional_set *set = &self->sets[s];
        bool same = set->count == count;
        for (uint32_t i = 0; same && i < set->count; i++) {
            uint32_t store = self->set_stores[set->first + i];
            same = (members[store / 64] >> (store % 64)) & 1;
        }
        if (same) {
            return s;
        }
    }
    return SET_NONE;
}

/* Adds the set stores[0..count); returns its index, or SET_NONE when memory is out. */
static uint32_t set_add(conditional_state *self, const uint32_t *stores, uint32_t count) {
    assert(self != NULL && count <= RS_TARGETS_MAX);
    assert(set_find(self, stores, count) == SET_NONE);
    if (self->set_count == self->set_capacity) {
        uint32_t capacity = self->set_capacity == 0 ? 8 : self->set_capacity * 2;
        conditional_set *sets = realloc(self->sets, capacity * sizeof *sets);
        if (sets == NULL) {
            return SET_NONE;
        }
        self->sets = sets;
        self->set_capacity = capacity;
    }
    while (self->set_store_capacity - self->set_store_count < count) {
        uint32_t capacity = self->set_store_capacity == 0 ? 64 : self->set_store_capacity * 2;
        uint32_t *grown = realloc(self->set_stores, capacity * sizeof *grown);
        if (grown == NULL) {
            return SET_NONE;
        }
        self->set_stores = grown;
        self->set_store_capacity = capacity;
    }
    conditional_set *set = &self->sets[self->set_count];
    set->first = self->set_store_count;
    set->count = count;
    if (count > 0) {
        memcpy(&self->set_stores[set->first], stores, count * sizeof *stores);
    }
    self->set_store_count += count;
    return self->set_count++;
}

/* The cached route of an event, evaluated on first use; NULL when memory is out. */
static const conditional_route *route_of(conditional_state *self, const rs_event *event) {
    const rs_strategy_config *config = self->config;
    assert(self != NULL && event != NULL);
    assert(event->type_index < config->type_count);
    assert(event->origin_region < config->region_count);
    conditional_route *route =
        &self->routes[(size_t)event->type_index * config->region_count + event->origin_region];
    if (route->known) {
        return route;
    }
    const rs_event_type *type = &config->types[event->type_index];
    rs_rule_input input = {type->name, config->region_names[event->origin_region],
                           type->attributes, type->attribute_count};
    uint32_t stores[RS_TARGETS_MAX]; /* 8 KiB */
    uint64_t matched = rs_rules_match(config->rules, self->mode, &input);
    uint32_t count = rs_rules_targets(config->rules, matched, stores);
    uint32_t set = set_find(self, stores, count);
    set = set != SET_NONE ? set : set_add(self, stores, count);
    if (set == SET_NONE) {
        return NULL;
    }
    route->known = true;
    route->matched = matched;
    route->set = set;
    return route;
}

/* Counts one event's classification (rules matched, default, or unrouted). */
static void count_event(const conditional_state *self, const conditional_route *route) {
    const rs_runtime_ops *ops = self->runtime.ops;
    assert(route != NULL && route->known);
    assert(route->set < self->set_count);
    if (route->matched == 0) {
        bool routed = self->sets[route->set].count > 0;
        ops->metric_count(self->runtime.context,
                          routed ? "conditional_default_events" : "conditional_unrouted", 1);
        return;
    }
    for (uint32_t i = 0; i < self->config->rules->rule_count; i++) {
        if ((route->matched >> i) & 1) {
            ops->metric_count(self->runtime.context, rule_counters[i], 1);
        }
    }
}

/* --- pending requests ---------------------------------------------------------------------- */

/* Returns a free slot index, or -1 when the in-flight limit is reached or memory is out. */
static int64_t slot_take(conditional_state *self) {
    assert(self != NULL);
    return rs_slab_take(&self->slab);
}

static void slot_release(conditional_state *self, uint32_t index) {
    assert(index < self->slab.used);
    assert(PENDING(self, index)->outstanding == 0);
    rs_slab_release(&self->slab, index);
}

/* Makes room for `count` union stores in the slot; -1 when memory is out. */
static int slot_reserve(conditional_pending *pending, uint32_t count) {
    assert(pending != NULL && count >= 1);
    assert(count <= RS_TARGETS_MAX);
    if (count <= pending->store_capacity) {
        return 0;
    }
    conditional_store *stores = realloc(pending->stores, count * sizeof *stores);
    if (stores == NULL) {
        return -1;
    }
    pending->stores = stores;
    pending->store_capacity = count;
    return 0;
}

/* --- client appends ------------------------------------------------------------------------ */

/* Routes every event: event_set[i], the distinct sets in append_sets (first appearance), and
 * the counters. Returns the number of distinct sets, 0 when an event has no target, or -1
 * when memory is out. */
static int64_t route_events(conditional_state *self, const rs_event_stream *stream) {
    assert(self != NULL && stream != NULL);
    assert(stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    uint32_t distinct = 0;
    bool unrouted = false;
    for (uint32_t i = 0; i < stream->count; i++) {
        const conditional_route *route = route_of(self, &stream->events[i]);
        if (route == NULL) {
            return -1;
        }
        count_event(self, route);
        self->event_set[i] = route->set;
        unrouted = unrouted || self->sets[route->set].count == 0;
        uint32_t k = 0;
        while (k < distinct && self->append_sets[k] != route->set) {
            k++;
        }
        if (k == distinct) {
            self->append_sets[distinct++] = route->set;
        }
    }
    assert(distinct >= 1 && distinct <= stream->count);
    return unrouted ? 0 : distinct;
}

/* Fills the slot's union from the append's sets; position_of_store maps each union store. */
static int build_union(conditional_state *self, conditional_pending *pending, uint32_t distinct) {
    assert(self != NULL && pending != NULL);
    assert(distinct >= 1 && distinct <= RS_EVENTS_PER_APPEND_MAX);
    uint64_t seen[RS_STORES_MAX / 64]; /* 256 bytes */
    memset(seen, 0, sizeof seen);
    uint32_t total = 0;
    for (uint32_t k = 0; k < distinct; k++) {
        total += self->sets[self->append_sets[k]].count;
    }
    if (slot_reserve(pending, total < RS_TARGETS_MAX ? total : RS_TARGETS_MAX) != 0) {
        return -1;
    }
    pending->union_count = 0;
    for (uint32_t k = 0; k < distinct; k++) {
        const conditional_set *set = &self->sets[self->append_sets[k]];
        for (uint32_t i = 0; i < set->count; i++) {
            uint32_t store = self->set_stores[set->first + i];
            assert(store < self->config->store_count);
            if (((seen[store / 64] >> (store % 64)) & 1) == 0) {
                seen[store / 64] |= UINT64_C(1) << (store % 64);
                self->position_of_store[store] = pending->union_count;
                pending->stores[pending->union_count++] = (conditional_store){store, {0, false}};
            }
        }
    }
    assert(pending->union_count >= 1 && pending->union_count <= total);
    return 0;
}

/* Sends set `set`'s events (sub) to each of its stores, tagged with slot and position. */
static void send_set(conditional_state *self, uint64_t slot, conditional_pending *pending,
                     uint32_t set_index, const rs_event_stream *sub) {
    const conditional_set *set = &self->sets[set_index];
    assert(set->count >= 1 && sub->count >= 1);
    assert(slot < self->slab.used && pending == PENDING(self, slot));
    for (uint32_t i = 0; i < set->count; i++) {
        uint32_t store = self->set_stores[set->first + i];
        uint32_t position = self->position_of_store[store];
        assert(position < pending->union_count && pending->stores[position].store == store);
        pending->stores[position].ack.outstanding++;
        pending->outstanding++;
        self->runtime.ops->store_append(self->runtime.context, store, sub, self->timeout_us,
                                        (slot << TAG_POSITION_BITS) | position);
    }
}

static void conditional_on_client_append(void *state, uint64_t client_request,
                                         const rs_event_stream *stream) {
    conditional_state *self = state;
    assert(self != NULL && stream != NULL);
    const rs_runtime_ops *ops = self->runtime.ops;
    int64_t distinct = route_events(self, stream);
    int64_t index = distinct > 0 ? slot_take(self) : -1;
    conditional_pending *pending = index >= 0 ? PENDING(self, index) : NULL;
    if (pending == NULL || build_union(self, pending, (uint32_t)distinct) != 0) {
        if (pending != NULL) {
            slot_release(self, (uint32_t)index);
        }
        ops->ack_client(self->runtime.context, client_request, RS_ERR_REJECTED);
        return;
    }
    pending->client_request = client_request;
    pending->started_us = ops->now_us(self->runtime.context);
    pending->outstanding = 0;
    uint32_t needed = self->config->write_quorum < pending->union_count
                          ? self->config->write_quorum : pending->union_count;
    rs_ack_tracker_init(&pending->tracker, needed, pending->union_count);
    for (uint32_t k = 0; k < (uint32_t)distinct; k++) {
        uint32_t set = self->append_sets[k];
        rs_event_stream sub = *stream;
        if (distinct > 1) {
            sub = (rs_event_stream){0, self->events};
            for (uint32_t i = 0; i < stream->count; i++) {
                if (self->event_set[i] == set) {
                    self->events[sub.count++] = stream->events[i];
                }
            }
        }
        send_set(self, (uint64_t)index, pending, set, &sub);
    }
    assert(pending->outstanding >= pending->union_count);
}

static void conditional_on_store_reply(void *state, uint64_t tag, uint32_t store,
                                       rs_status status) {
    conditional_state *self = state;
    assert(self != NULL && (tag >> TAG_POSITION_BITS) < self->slab.used);
    const rs_runtime_ops *ops = self->runtime.ops;
    void *context = self->runtime.context;
    uint32_t index = (uint32_t)(tag >> TAG_POSITION_BITS);
    conditional_pending *pending = PENDING(self, index);
    conditional_store *target = &pending->stores[tag & ((1u << TAG_POSITION_BITS) - 1)];
    assert(target->store == store && target->ack.outstanding > 0);
    if (status == RS_OK) {
        ops->metric_latency(context, store, ops->now_us(context) - pending->started_us);
    }
    ops->metric_result(context, store, status);
    rs_ack_decision decision =
        rs_ack_target_record(&pending->tracker, &target->ack, status == RS_OK);
    rs_ack_answer(self->runtime, pending->client_request, decision);
    pending->outstanding--;
    if (pending->outstanding == 0) {
        slot_release(self, index);
    }
}

static void conditional_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    (void)state;
    (void)timer;
    (void)tag;
    assert(0 && "conditional arms no timer");
}

static const rs_strategy_ops conditional_ops = {
    conditional_create, conditional_destroy, conditional_on_client_append,
    conditional_on_store_reply, conditional_on_timer, NULL, NULL, NULL, NULL,
};

const rs_component rs_conditional_component = {
    RS_COMPONENT_STRATEGY, "conditional",
    "route each event by rules over its attributes to its own target stores; ack over the "
    "union of a request's targets by the consistency policy (capped by that union)",
    conditional_params, sizeof conditional_params / sizeof conditional_params[0],
    &conditional_ops,
};
