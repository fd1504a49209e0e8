/* geographic.c — geographic replication: each event of a client append is written to the
 * stores of the regions_k regions its latency optimizer ranks nearest, among the regions its
 * residency rules allow (geographic.h). Candidate regions are those holding at least one of
 * the scenario's target stores; a chosen region is written on its first stores_per_region
 * target stores in target order (0 = all of them).
 *
 * Ranking. The optimizer measures, per region, the round-trip time of this manager's own
 * appends: request sent -> reply, folded into an exponentially weighted moving average
 * (rtt += (sample - rtt) x rtt_weight_permille / 1000; the first sample sets it). A timeout or
 * an error counts as a sample of at least timeout_ms, so a partitioned or failing region falls
 * behind. Measured regions rank first, by average RTT; unmeasured regions follow in the
 * deterministic fallback order — the event's origin region first, then region index — which
 * is therefore the whole order before any reply has arrived. Ties break the same way. With
 * include_origin, the origin region (when it is a candidate and allowed) is always chosen and
 * counts toward regions_k; the rest are taken from the ranking, skipping what residency
 * forbids. An event whose residency leaves no candidate region is unroutable: its append is
 * rejected as a whole (RS_ERR_REJECTED) and nothing is sent.
 *
 * Exploration. The optimizer only learns the RTT of regions it writes to, so every
 * explore_every_appends-th client append also writes its whole stream to the stores of one
 * more region, drawn with random_u64 among the candidates every event of the append may go
 * to and none was sent to. That probe write is measured and reported like any other but never
 * counts toward the client's ack, so a slow probe cannot delay or fail a request.
 *
 * Acks, as conditional replication: over the union U of the (non-probe) stores the request's
 * events go to, a store confirms when every append it was sent replied ok and fails at its
 * first error or timeout; the client needs min(write_quorum, |U|) confirmations (ack.h).
 *
 * Metrics: per event, one count in geo_region_<r>_events for each region r chosen (r = the
 * region's 0-based index in topology.regions; from RS_GEO_REGION_COUNTERS_MAX on, all share
 * geo_region_other_events); geo_residency_refusals counts, per event, the regions the ranking
 * alone would have chosen but residency excluded; geo_explorations the probe writes (one per
 * probed append); geo_unroutable the events rejected for lack of an allowed region. The last
 * three are reported at 0 on the first append so a report lists them. Each store reply is
 * reported with metric_result and each ok one with metric_latency (request start to reply).
 *
 * Costs: ranking is an insertion sort of the candidate regions (<= 64), done once per origin
 * met in an append; an append costs O(events x regions + stores written). Requests live in a
 * slab indexed by the tag's upper bits; the lower 16 bits hold the store's position. */
#include "strategies/geographic.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/ack.h"
#include "strategies/slab.h"

_Static_assert(RS_TARGETS_MAX <= 0xffff, "a store position fits the tag's lower 16 bits");

#define TAG_POSITION_BITS 16
#define RTT_UNKNOWN (-1)
#define REGION_BIT(r) (UINT64_C(1) << (r))

static const rs_param_spec geographic_params[] = {
    [RS_GEOGRAPHIC_PARAM_REGIONS_K] = {"regions_k", RS_PARAM_INTEGER, 2, 1, RS_REGIONS_MAX, NULL,
                                       "regions each event is written to: the nearest by "
                                       "measured round-trip time that residency allows"},
    [RS_GEOGRAPHIC_PARAM_STORES_PER_REGION] = {"stores_per_region", RS_PARAM_INTEGER, 0, 0,
                                               RS_STORES_PER_REGION_MAX, NULL,
                                               "target stores written in each chosen region, in "
                                               "target order; 0 = every one"},
    [RS_GEOGRAPHIC_PARAM_INCLUDE_ORIGIN] = {"include_origin", RS_PARAM_BOOL, 1, 0, 1, NULL,
                                            "always choose the event's origin region when "
                                            "residency allows it (counts toward regions_k)"},
    [RS_GEOGRAPHIC_PARAM_RTT_WEIGHT_PERMILLE] = {"rtt_weight_permille", RS_PARAM_INTEGER, 200, 1,
                                                 1000, NULL,
                                                 "weight of a new round-trip sample in a "
                                                 "region's moving average, per mille"},
    [RS_GEOGRAPHIC_PARAM_EXPLORE_EVERY_APPENDS] = {"explore_every_appends", RS_PARAM_INTEGER, 20,
                                                   0, 1000000, NULL,
                                                   "every N-th client append also writes one "
                                                   "more allowed region, drawn at random, to "
                                                   "measure it (not counted for the ack); "
                                                   "0 = never"},
    [RS_GEOGRAPHIC_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                        RS_TIMEOUT_MS_MAX, NULL,
                                        "timeout of each store append, ms; a timeout or error "
                                        "counts as a round trip of at least this"},
};

_Static_assert(sizeof geographic_params / sizeof geographic_params[0] ==
                   RS_GEOGRAPHIC_PARAM_COUNT, "one spec per parameter");

/* --- state ---------------------------------------------------------------------------------- */

typedef struct geo_store {
    uint32_t store;            /* global store index */
    uint32_t region;           /* its region index */
    rs_ack_target ack;         /* its appends' replies, counted once for the ack */
    bool probe;                /* exploration write: measured, never counted for the ack */
} geo_store;

typedef struct geo_pending {
    uint64_t client_request;   /* handle to answer the client with */
    int64_t started_us;        /* local time the appends were sent */
    uint32_t outstanding;      /* store replies still expected, all stores */
    uint32_t next_free;        /* free-list link when unused */
    rs_ack_tracker tracker;    /* the ack rule's state over the non-probe stores */
    uint32_t store_count;      /* entries in use in `stores` */
    uint32_t store_capacity;   /* allocated entries of `stores`, kept across reuse */
    geo_store *stores;         /* written stores: chosen regions by index, then the probe */
} geo_pending;

typedef struct geo_state {
    const rs_strategy_config *config;  /* targets, regions, types, residency; outlives us */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store append */
    uint32_t regions_k;                /* regions chosen per event */
    bool include_origin;               /* the origin region is always chosen when allowed */
    int64_t weight_permille;           /* EWMA weight of a new RTT sample */
    uint64_t explore_every;            /* probe every N-th append; 0 = never */
    uint64_t candidates;               /* regions with >= 1 store to write */
    uint32_t region_first[RS_REGIONS_MAX];  /* first entry of each region in region_stores */
    uint32_t region_count[RS_REGIONS_MAX];  /* stores written in each region */
    uint32_t *region_stores;           /* each region's stores to write, back to back */
    int64_t rtt_us[RS_REGIONS_MAX];    /* moving average per region, RTT_UNKNOWN before any */
    uint64_t appends;                  /* client appends received */
    bool counters_reported;            /* the zero counters went out */
    uint64_t *event_mask;              /* RS_EVENTS_PER_APPEND_MAX: chosen regions per event */
    rs_event *events;                  /* RS_EVENTS_PER_APPEND_MAX: a sub-stream being sent */
    uint32_t *position_of_store;       /* store_count: position in the current request */
    rs_slab slab;                      /* pending requests (geo_pending; slab.h) */
} geo_state;

/* The pending request at slab index `index`. */
#define PENDING(self, index) ((geo_pending *)rs_slab_at(&(self)->slab, (uint32_t)(index)))

static void geographic_destroy(void *state) {
    geo_state *self = state;
    assert(self != NULL);
    for (uint32_t i = 0; i < self->slab.used; i++) {
        free(PENDING(self, i)->stores);
    }
    rs_slab_free(&self->slab);
    free(self->region_stores);
    free(self->event_mask);
    free(self->events);
    free(self->position_of_store);
    free(self);
}

/* Splits the targets by region: the first stores_per_region of each (0 = all). */
static void split_targets(geo_state *self, uint32_t per_region) {
    const rs_strategy_config *config = self->config;
    assert(config->region_count >= 1 && config->region_count <= RS_REGIONS_MAX);
    uint32_t next = 0;
    for (uint32_t r = 0; r < config->region_count; r++) {
        self->region_first[r] = next;
        for (uint32_t i = 0; i < config->target_count; i++) {
            uint32_t store = config->targets[i];
            assert(store < config->store_count);
            if (config->store_region[store] == r &&
                (per_region == 0 || self->region_count[r] < per_region)) {
                self->region_stores[next++] = store;
                self->region_count[r]++;
            }
        }
        self->candidates |= self->region_count[r] > 0 ? REGION_BIT(r) : 0;
        self->rtt_us[r] = RTT_UNKNOWN;
    }
    assert(next >= 1 && next <= config->target_count);
}

static void *geographic_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->region_count >= 1 && config->region_names != NULL);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    assert(config->residency == NULL || config->type_count >= 1);
    geo_state *self = calloc(1, sizeof *self);
    if (self == NULL) {
        return NULL;
    }
    rs_slab_init(&self->slab, sizeof(geo_pending),
                 offsetof(geo_pending, next_free));
    const double *params = config->params;
    self->config = config;
    self->runtime = runtime;
    self->timeout_us = (int64_t)(params[RS_GEOGRAPHIC_PARAM_TIMEOUT_MS] * 1000.0 + 0.5);
    self->regions_k = (uint32_t)params[RS_GEOGRAPHIC_PARAM_REGIONS_K];
    self->include_origin = params[RS_GEOGRAPHIC_PARAM_INCLUDE_ORIGIN] != 0;
    self->weight_permille = (int64_t)params[RS_GEOGRAPHIC_PARAM_RTT_WEIGHT_PERMILLE];
    self->explore_every = (uint64_t)params[RS_GEOGRAPHIC_PARAM_EXPLORE_EVERY_APPENDS];
    assert(self->timeout_us > 0 && self->regions_k >= 1);
    assert(self->weight_permille >= 1 && self->weight_permille <= 1000);
    self->region_stores = calloc(config->target_count, sizeof *self->region_stores);
    self->event_mask = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *self->event_mask);
    self->events = calloc(RS_EVENTS_PER_APPEND_MAX, sizeof *self->events);
    self->position_of_store = calloc(config->store_count, sizeof *self->position_of_store);
    if (self->region_stores == NULL || self->event_mask == NULL || self->events == NULL ||
        self->position_of_store == NULL) {
        geographic_destroy(self);
        return NULL;
    }
    split_targets(self, (uint32_t)params[RS_GEOGRAPHIC_PARAM_STORES_PER_REGION]);
    return self;
}

/* --- the latency optimizer -------------------------------------------------------------------- */

/* Does region a rank before region b for events from `origin`? */
static bool ranks_before(const geo_state *self, uint32_t a, uint32_t b, uint32_t origin) {
    assert(a != b);
    assert(a < RS_REGIONS_MAX && b < RS_REGIONS_MAX);
    bool known_a = self->rtt_us[a] != RTT_UNKNOWN;
    bool known_b = self->rtt_us[b] != RTT_UNKNOWN;
    if (known_a != known_b) {
        return known_a;
    }
    if (known_a && self->rtt_us[a] != self->rtt_us[b]) {
        return self->rtt_us[a] < self->rtt_us[b];
    }
    if ((a == origin) != (b == origin)) {
        return a == origin;
    }
    return a < b;
}

/* The candidate regions, nearest first, for events from `origin`. Returns their count. */
static uint32_t rank_regions(const geo_state *self, uint32_t origin,
                             uint32_t order[RS_REGIONS_MAX]) {
    assert(self != NULL && origin < self->config->region_count);
    uint32_t count = 0;
    for (uint32_t r = 0; r < self->config->region_count; r++) {
        if ((self->candidates >> r) & 1) {
            uint32_t at = count++;
            while (at > 0 && ranks_before(self, r, order[at - 1], origin)) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = r;
        }
    }
    assert(count >= 1);
    return count;
}

/* The regions an event from `origin` goes to, given what it may go to. 0 = none allowed. */
static uint64_t choose_regions(const geo_state *self, uint32_t origin, uint64_t allowed,
                               const uint32_t *order, uint32_t count) {
    assert(order != NULL && count >= 1);
    assert(origin < RS_REGIONS_MAX);
    uint64_t usable = self->candidates & allowed;
    uint64_t chosen = 0;
    uint32_t taken = 0;
    if (self->include_origin && ((usable >> origin) & 1)) {
        chosen |= REGION_BIT(origin);
        taken++;
    }
    for (uint32_t i = 0; i < count && taken < self->regions_k; i++) {
        uint32_t region = order[i];
        if (((usable >> region) & 1) && !((chosen >> region) & 1)) {
            chosen |= REGION_BIT(region);
            taken++;
        }
    }
    assert(taken <= self->regions_k);
    return chosen;
}

/* Folds one round trip into the region's moving average. */
static void rtt_record(geo_state *self, uint32_t region, int64_t sample_us) {
    assert(region < self->config->region_count);
    assert(sample_us >= 0);
    int64_t *rtt = &self->rtt_us[region];
    *rtt = *rtt == RTT_UNKNOWN ? sample_us
                               : *rtt + (sample_us - *rtt) * self->weight_permille / 1000;
    assert(*rtt >= 0);
}

static uint32_t popcount64(uint64_t mask) {
    uint32_t count = 0;
    for (; mask != 0; mask &= mask - 1) {
        count++;
    }
    return count;
}

/* Chooses every event's regions into event_mask and counts the metrics. Returns the union
 * of the chosen regions, with the intersection of what every event allows in *allowed_all;
 * 0 when some event has no allowed region (counted in geo_unroutable). */
static uint64_t route_events(geo_state *self, const rs_event_stream *stream,
                             uint64_t *allowed_all) {
    const rs_strategy_config *config = self->config;
    const rs_runtime_ops *ops = self->runtime.ops;
    assert(stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    uint32_t order[RS_REGIONS_MAX];
    uint32_t ranked = 0;
    uint32_t ranked_origin = UINT32_MAX;
    uint64_t chosen_union = 0;
    uint32_t unroutable = 0;
    *allowed_all = UINT64_MAX;
    for (uint32_t i = 0; i < stream->count; i++) {
        const rs_event *event = &stream->events[i];
        assert(event->origin_region < config->region_count);
        if (event->origin_region != ranked_origin) {
            ranked_origin = event->origin_region;
            ranked = rank_regions(self, ranked_origin, order);
        }
        uint64_t allowed = UINT64_MAX;
        if (config->residency != NULL) {
            assert(event->type_index < config->type_count);
            allowed = rs_residency_allowed(config->residency, &config->types[event->type_index],
                                           config->region_names[event->origin_region]);
        }
        uint64_t chosen = choose_regions(self, event->origin_region, allowed, order, ranked);
        uint64_t nearest = choose_regions(self, event->origin_region, UINT64_MAX, order, ranked);
        self->event_mask[i] = chosen;
        *allowed_all &= allowed;
        chosen_union |= chosen;
        unroutable += chosen == 0;
        ops->metric_count(self->runtime.context, "geo_residency_refusals",
                          popcount64(nearest & ~allowed));
    }
    if (unroutable > 0) {
        ops->metric_count(self->runtime.context, "geo_unroutable", unroutable);
        return 0;
    }
    for (uint32_t i = 0; i < stream->count; i++) {
        for (uint64_t m = self->event_mask[i]; m != 0; m &= m - 1) {
            uint32_t region = (uint32_t)__builtin_ctzll(m);
            ops->metric_count(self->runtime.context, rs_geographic_region_counter(region), 1);
        }
    }
    return chosen_union;
}

/* The region this append probes (every explore_every-th append), or UINT32_MAX. */
static uint32_t probe_region(geo_state *self, uint64_t chosen_union, uint64_t allowed_all) {
    assert(chosen_union != 0);
    assert(self->appends >= 1);
    if (self->explore_every == 0 || self->appends % self->explore_every != 0) {
        return UINT32_MAX;
    }
    uint64_t pool = self->candidates & allowed_all & ~chosen_union;
    uint32_t size = popcount64(pool);
    if (size == 0) {
        return UINT32_MAX;
    }
    uint64_t pick = self->runtime.ops->random_u64(self->runtime.context) % size;
    for (; pick > 0; pick--) {
        pool &= pool - 1;
    }
    self->runtime.ops->metric_count(self->runtime.context, "geo_explorations", 1);
    return (uint32_t)__builtin_ctzll(pool);
}

/* --- pending requests ------------------------------------------------------------------------- */

/* Returns a free slot index, or -1 when the in-flight limit is reached or memory is out. */
static int64_t slot_take(geo_state *self) {
    assert(self != NULL);
    return rs_slab_take(&self->slab);
}

static void slot_release(geo_state *self, uint32_t index) {
    assert(index < self->slab.used);
    assert(PENDING(self, index)->outstanding == 0);
    rs_slab_release(&self->slab, index);
}

/* Fills the slot's stores: every chosen region's, by region index, then the probe's. Returns
 * the number of non-probe stores, or 0 when memory is out. */
static uint32_t build_stores(geo_state *self, geo_pending *pending, uint64_t chosen_union,
                             uint32_t probe) {
    uint64_t regions = chosen_union | (probe != UINT32_MAX ? REGION_BIT(probe) : 0);
    uint32_t total = 0;
    for (uint64_t m = regions; m != 0; m &= m - 1) {
        total += self->region_count[__builtin_ctzll(m)];
    }
    assert(total >= 1 && total <= self->config->target_count);
    if (total > pending->store_capacity) {
        geo_store *stores = realloc(pending->stores, total * sizeof *stores);
        if (stores == NULL) {
            return 0;
        }
        pending->stores = stores;
        pending->store_capacity = total;
    }
    pending->store_count = 0;
    uint32_t counted = 0;
    for (uint64_t m = regions; m != 0; m &= m - 1) {
        uint32_t region = (uint32_t)__builtin_ctzll(m);
        bool is_probe = region == probe;
        for (uint32_t i = 0; i < self->region_count[region]; i++) {
            uint32_t store = self->region_stores[self->region_first[region] + i];
            self->position_of_store[store] = pending->store_count;
            pending->stores[pending->store_count++] =
                (geo_store){store, region, {0, false}, is_probe};
            counted += !is_probe;
        }
    }
    assert(pending->store_count == total);
    return counted;
}

/* Sends `sub` to every store of the regions in `regions`, tagged with slot and position. */
static void send_regions(geo_state *self, uint64_t slot, uint64_t regions,
                         const rs_event_stream *sub) {
    geo_pending *pending = PENDING(self, slot);
    assert(regions != 0 && sub->count >= 1);
    for (uint64_t m = regions; m != 0; m &= m - 1) {
        uint32_t region = (uint32_t)__builtin_ctzll(m);
        for (uint32_t i = 0; i < self->region_count[region]; i++) {
            uint32_t store = self->region_stores[self->region_first[region] + i];
            uint32_t position = self->position_of_store[store];
            assert(position < pending->store_count && pending->stores[position].store == store);
            pending->stores[position].ack.outstanding++;
            pending->outstanding++;
            self->runtime.ops->store_append(self->runtime.context, store, sub, self->timeout_us,
                                            (slot << TAG_POSITION_BITS) | position);
        }
    }
}

/* Sends each group of events with the same chosen regions (first-appearance order) to those
 * regions' stores, then the whole stream to the probe region's. */
static void send_groups(geo_state *self, uint64_t slot, const rs_event_stream *stream,
                        uint32_t probe) {
    assert(stream->count >= 1);
    assert(slot < self->slab.used);
    for (uint32_t i = 0; i < stream->count; i++) {
        uint64_t mask = self->event_mask[i];
        bool first = true;
        for (uint32_t j = 0; j < i && first; j++) {
            first = self->event_mask[j] != mask;
        }
        if (!first) {
            continue;
        }
        rs_event_stream sub = {0, self->events};
        for (uint32_t j = i; j < stream->count; j++) {
            if (self->event_mask[j] == mask) {
                self->events[sub.count++] = stream->events[j];
            }
        }
        send_regions(self, slot, mask, sub.count == stream->count ? stream : &sub);
    }
    if (probe != UINT32_MAX) {
        send_regions(self, slot, REGION_BIT(probe), stream);
    }
}

static void geographic_on_client_append(void *state, uint64_t client_request,
                                        const rs_event_stream *stream) {
    geo_state *self = state;
    assert(self != NULL && stream != NULL);
    const rs_runtime_ops *ops = self->runtime.ops;
    void *context = self->runtime.context;
    if (!self->counters_reported) {
        self->counters_reported = true;
        ops->metric_count(context, "geo_residency_refusals", 0);
        ops->metric_count(context, "geo_explorations", 0);
        ops->metric_count(context, "geo_unroutable", 0);
    }
    self->appends++;
    uint64_t allowed_all = 0;
    uint64_t chosen_union = route_events(self, stream, &allowed_all);
    uint32_t probe = chosen_union != 0 ? probe_region(self, chosen_union, allowed_all)
                                       : UINT32_MAX;
    int64_t index = chosen_union != 0 ? slot_take(self) : -1;
    geo_pending *pending = index >= 0 ? PENDING(self, index) : NULL;
    uint32_t counted = pending != NULL ? build_stores(self, pending, chosen_union, probe) : 0;
    if (counted == 0) {
        if (pending != NULL) {
            slot_release(self, (uint32_t)index);
        }
        ops->ack_client(context, client_request, RS_ERR_REJECTED);
        return;
    }
    pending->client_request = client_request;
    pending->started_us = ops->now_us(context);
    pending->outstanding = 0;
    uint32_t needed = self->config->write_quorum < counted ? self->config->write_quorum : counted;
    rs_ack_tracker_init(&pending->tracker, needed, counted);
    send_groups(self, (uint64_t)index, stream, probe);
    assert(pending->outstanding >= pending->store_count);
}

static void geographic_on_store_reply(void *state, uint64_t tag, uint32_t store,
                                      rs_status status) {
    geo_state *self = state;
    assert(self != NULL && (tag >> TAG_POSITION_BITS) < self->slab.used);
    const rs_runtime_ops *ops = self->runtime.ops;
    void *context = self->runtime.context;
    uint32_t index = (uint32_t)(tag >> TAG_POSITION_BITS);
    geo_pending *pending = PENDING(self, index);
    assert((tag & ((1u << TAG_POSITION_BITS) - 1)) < pending->store_count);
    geo_store *target = &pending->stores[tag & ((1u << TAG_POSITION_BITS) - 1)];
    assert(target->store == store && target->ack.outstanding > 0);
    int64_t elapsed_us = ops->now_us(context) - pending->started_us;
    elapsed_us = elapsed_us > 0 ? elapsed_us : 0;
    if (status == RS_OK) {
        ops->metric_latency(context, store, elapsed_us);
    }
    ops->metric_result(context, store, status);
    rtt_record(self, target->region,
               status == RS_OK || elapsed_us >= self->timeout_us ? elapsed_us : self->timeout_us);
    rs_ack_decision decision = rs_ack_target_record(target->probe ? NULL : &pending->tracker,
                                                    &target->ack, status == RS_OK);
    rs_ack_answer(self->runtime, pending->client_request, decision);
    pending->outstanding--;
    if (pending->outstanding == 0) {
        slot_release(self, index);
    }
}

static void geographic_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    (void)state;
    (void)timer;
    (void)tag;
    assert(0 && "geographic arms no timer");
}

static const rs_strategy_ops geographic_ops = {
    .create = geographic_create, .destroy = geographic_destroy,
    .on_client_append = geographic_on_client_append,
    .on_store_reply = geographic_on_store_reply, .on_timer = geographic_on_timer,
    /* on_store_digest, on_store_read: NULL, it makes no reads */
};

const rs_component rs_geographic_component = {
    RS_COMPONENT_STRATEGY, "geographic",
    "write each event to the regions_k regions nearest by measured round-trip time that its "
    "residency rules allow; ack over the stores written by the consistency policy",
    geographic_params, sizeof geographic_params / sizeof geographic_params[0],
    &geographic_ops,
};
