/* multi_primary.c — bidirectional multi-primary sync (the chapter's "Disaster recovery" and
 * multi-region write paths): every manager accepts writes on shared streams (the clients send
 * version 0: stream versions are the managers' business), assigns the next version from its
 * own view of the stream, stamps it with its hybrid logical clock, writes the event to every
 * target store (acking the client by the write quorum, as star) and sends it to every other
 * manager (runtime send_peers). A manager that learns of another's event at a version it
 * already knows under a different event has a conflict — two regions appended concurrently —
 * and resolves it by the configured policy:
 *
 *   lww              last writer wins: the larger (hlc, region index) keeps the version
 *   region_priority  the region listed first in the topology keeps the version
 *   keep_both        both stay; the smaller (hlc, region, id) goes first
 *
 * Every manager that sees a conflict resolves it the same way (the policies are functions of
 * the two events alone) and reports it (runtime report_conflict). Stores hold both events
 * either way (append-only logs): the resolution says which one the stream's version means.
 *
 * Hybrid logical clock, simplified to microseconds: hlc = max(local now, last hlc + 1) when
 * taking a write, last = max(last, received) when learning one. It never runs backwards and
 * follows causality; a skewed clock (clock fault) skews it, which is what LWW is sensitive to.
 *
 * Memory: per stream, the known event of every version (an open-addressing table of streams,
 * an array of versions each): O(events) per manager. */
#include "strategies/multi_primary.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/ack.h"
#include "strategies/slab.h"

static const char *const conflict_names[] = {"lww", "region_priority", "keep_both", NULL};

static const rs_param_spec multi_primary_params[] = {
    [RS_MULTI_PRIMARY_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                           RS_TIMEOUT_MS_MAX, NULL,
                                           "timeout of each store append, ms"},
    [RS_MULTI_PRIMARY_PARAM_CONFLICT] = {"conflict", RS_PARAM_ENUM, RS_CONFLICT_LWW, 0, 0,
                                         conflict_names,
                                         "concurrent appends at one version: lww (hybrid "
                                         "logical clock), region_priority, keep_both"},
};

typedef struct known_event {
    rs_event_id id;            /* 0: this version is not known yet */
    int64_t hlc_us;            /* its clock */
    uint16_t region;           /* the region of the manager that took it */
    rs_event_id loser;         /* the last conflict's loser here, so that a second copy of
                                  it (a duplicated message) is not a second conflict */
} known_event;

typedef struct stream_view {
    rs_stream_id stream;       /* key; valid when used */
    bool used;                 /* slot taken */
    uint32_t head;             /* highest version known */
    known_event *versions;     /* [version - 1], capacity entries */
    uint32_t capacity;
} stream_view;

typedef struct pending_write {
    uint64_t client_request;   /* to answer */
    uint32_t outstanding;      /* store replies still expected */
    uint32_t next_free;        /* free-list link */
    rs_ack_tracker tracker;    /* the write quorum */
} pending_write;

typedef struct multi_primary_state {
    const rs_strategy_config *config;  /* targets, quorum, region; outlives the instance */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store append */
    int conflict;                      /* RS_CONFLICT_* */
    int64_t hlc_us;                    /* the last clock value taken or seen */
    stream_view *streams;              /* open addressing, capacity a power of two */
    uint32_t stream_capacity, stream_count;
    rs_event *scratch;                 /* RS_EVENTS_PER_APPEND_MAX events: the versioned copy
                                          of an append (too big for an actor's stack) */
    rs_slab writes;                    /* pending client writes (pending_write; slab.h) */
} multi_primary_state;

static void *mp_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->write_quorum >= 1 && config->write_quorum <= config->target_count);
    multi_primary_state *mp = calloc(1, sizeof *mp);
    if (mp == NULL || (mp->scratch = malloc(RS_EVENTS_PER_APPEND_MAX * sizeof(rs_event))) == NULL) {
        free(mp);
        return NULL;
    }
    rs_slab_init(&mp->writes, sizeof(pending_write), offsetof(pending_write, next_free));
    mp->config = config;
    mp->runtime = runtime;
    mp->timeout_us = (int64_t)(config->params[RS_MULTI_PRIMARY_PARAM_TIMEOUT_MS] * 1000.0 + 0.5);
    mp->conflict = (int)config->params[RS_MULTI_PRIMARY_PARAM_CONFLICT];
    assert(mp->timeout_us > 0);
    return mp;
}

static void mp_destroy(void *state) {
    multi_primary_state *mp = state;
    assert(mp != NULL);
    for (uint32_t i = 0; i < mp->stream_capacity; i++) {
        free(mp->streams[i].versions);
    }
    free(mp->streams);
    rs_slab_free(&mp->writes);
    free(mp->scratch);
    free(mp);
}

static uint64_t mp_hash(rs_stream_id stream) {
    uint64_t z = stream + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    return z ^ (z >> 31);
}

static bool mp_grow_streams(multi_primary_state *mp) {
    uint32_t capacity = mp->stream_capacity == 0 ? 64 : mp->stream_capacity * 2;
    stream_view *table = calloc(capacity, sizeof *table);
    if (table == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < mp->stream_capacity; i++) {
        if (mp->streams[i].used) {
            uint32_t slot = (uint32_t)(mp_hash(mp->streams[i].stream) & (capacity - 1));
            while (table[slot].used) {
                slot = (slot + 1) & (capacity - 1);
            }
            table[slot] = mp->streams[i];
        }
    }
    free(mp->streams);
    mp->streams = table;
    mp->stream_capacity = capacity;
    return true;
}

/* The view of `stream`, created empty when new; NULL without memory. */
static stream_view *mp_stream(multi_primary_state *mp, rs_stream_id stream) {
    if ((mp->stream_count + 1) * 2 > mp->stream_capacity && !mp_grow_streams(mp)) {
        return NULL;
    }
    uint32_t slot = (uint32_t)(mp_hash(stream) & (mp->stream_capacity - 1));
    while (mp->streams[slot].used && mp->streams[slot].stream != stream) {
        slot = (slot + 1) & (mp->stream_capacity - 1);
    }
    if (!mp->streams[slot].used) {
        mp->streams[slot] = (stream_view){.stream = stream, .used = true};
        mp->stream_count++;
    }
    return &mp->streams[slot];
}

/* The slot of `version` in `view`, grown as needed; NULL without memory. */
static known_event *mp_version(stream_view *view, uint32_t version) {
    assert(version >= 1);
    if (version > view->capacity) {
        uint32_t capacity = view->capacity == 0 ? 16 : view->capacity;
        while (capacity < version) {
            capacity *= 2;
        }
        known_event *grown = realloc(view->versions, capacity * sizeof *grown);
        if (grown == NULL) {
            return NULL;
        }
        memset(&grown[view->capacity], 0, (capacity - view->capacity) * sizeof *grown);
        view->versions = grown;
        view->capacity = capacity;
    }
    view->head = version > view->head ? version : view->head;
    return &view->versions[version - 1];
}

/* Does `a` keep the version against `b` under the policy? A function of the two events
 * alone, so every manager decides alike. */
static bool mp_first_wins(int policy, const rs_event *a, const rs_event *b) {
    assert(a->id != b->id);
    if (policy == RS_CONFLICT_REGION_PRIORITY && a->origin_region != b->origin_region) {
        return a->origin_region < b->origin_region;
    }
    if (a->hlc_us != b->hlc_us) {
        /* lww: the later clock wins; keep_both (and priority ties): the earlier goes first */
        return policy == RS_CONFLICT_LWW ? a->hlc_us > b->hlc_us : a->hlc_us < b->hlc_us;
    }
    if (a->origin_region != b->origin_region) {
        return policy == RS_CONFLICT_LWW ? a->origin_region > b->origin_region
                                         : a->origin_region < b->origin_region;
    }
    return a->id < b->id;
}

/* Takes the next version of each event's stream and stamps it; false without memory. */
static bool mp_take_versions(multi_primary_state *mp, rs_event *events, uint32_t count) {
    int64_t now_us = mp->runtime.ops->now_us(mp->runtime.context);
    for (uint32_t i = 0; i < count; i++) {
        stream_view *view = mp_stream(mp, events[i].stream);
        known_event *slot = view != NULL ? mp_version(view, view->head + 1) : NULL;
        if (slot == NULL) {
            return false;
        }
        mp->hlc_us = now_us > mp->hlc_us ? now_us : mp->hlc_us + 1;
        events[i].version = view->head;
        events[i].hlc_us = mp->hlc_us;
        *slot = (known_event){events[i].id, events[i].hlc_us, events[i].origin_region, 0};
    }
    return true;
}

static void mp_on_client_append(void *state, uint64_t client_request,
                                const rs_event_stream *stream) {
    multi_primary_state *mp = state;
    assert(mp != NULL && stream != NULL && stream->count >= 1);
    assert(stream->count <= RS_EVENTS_PER_APPEND_MAX);
    const rs_runtime_ops *ops = mp->runtime.ops;
    void *context = mp->runtime.context;
    rs_event *events = mp->scratch;
    memcpy(events, stream->events, stream->count * sizeof *events);
    int64_t index = rs_slab_take(&mp->writes);
    if (index < 0 || !mp_take_versions(mp, events, stream->count)) {
        if (index >= 0) {
            rs_slab_release(&mp->writes, (uint32_t)index);
        }
        ops->ack_client(context, client_request, RS_ERR_REJECTED);
        return;
    }
    pending_write *write = rs_slab_at(&mp->writes, (uint32_t)index);
    write->client_request = client_request;
    write->outstanding = mp->config->target_count;
    rs_ack_tracker_init(&write->tracker, mp->config->write_quorum, mp->config->target_count);
    rs_event_stream versioned = {stream->count, events};
    for (uint32_t i = 0; i < mp->config->target_count; i++) {
        ops->store_append(context, mp->config->targets[i], &versioned, mp->timeout_us,
                          (uint64_t)index);
    }
    ops->send_peers(context, &versioned);
}

static void mp_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    multi_primary_state *mp = state;
    assert(mp != NULL && tag < mp->writes.used);
    (void)store;
    pending_write *write = rs_slab_at(&mp->writes, (uint32_t)tag);
    assert(write->outstanding > 0);
    rs_ack_decision decision = rs_ack_tracker_record(&write->tracker, status == RS_OK);
    rs_ack_answer(mp->runtime, write->client_request, decision);
    if (--write->outstanding == 0) {
        rs_slab_release(&mp->writes, (uint32_t)tag);
    }
}

/* A peer's event: learn its version and clock; resolve a conflict with the one known there. */
static void mp_learn(multi_primary_state *mp, const rs_event *event) {
    static const char *const resolution[] = {"lww", "region_priority", "keep_both"};
    mp->hlc_us = event->hlc_us > mp->hlc_us ? event->hlc_us : mp->hlc_us;
    stream_view *view = mp_stream(mp, event->stream);
    known_event *slot = view != NULL && event->version >= 1 ? mp_version(view, event->version)
                                                            : NULL;
    if (slot == NULL) {
        mp->runtime.ops->metric_count(mp->runtime.context, "mp_events_unlearned", 1);
        return;
    }
    if (slot->id == 0 || slot->id == event->id) {
        *slot = (known_event){event->id, event->hlc_us, event->origin_region, slot->loser};
        return;
    }
    if (slot->loser == event->id) {
        return; /* resolved already */
    }
    rs_event known = *event;
    known.id = slot->id;
    known.hlc_us = slot->hlc_us;
    known.origin_region = slot->region;
    bool incoming_wins = mp_first_wins(mp->conflict, event, &known);
    const rs_event *winner = incoming_wins ? event : &known;
    const rs_event *loser = incoming_wins ? &known : event;
    mp->runtime.ops->report_conflict(mp->runtime.context, winner, loser,
                                     resolution[mp->conflict]);
    mp->runtime.ops->metric_count(mp->runtime.context, "mp_conflicts_resolved", 1);
    *slot = (known_event){winner->id, winner->hlc_us, winner->origin_region, loser->id};
}

static void mp_on_peer_events(void *state, uint32_t from_manager, const rs_event_stream *events) {
    multi_primary_state *mp = state;
    assert(mp != NULL && events != NULL);
    (void)from_manager;
    for (uint32_t i = 0; i < events->count; i++) {
        mp_learn(mp, &events->events[i]);
    }
}

static void mp_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    (void)state;
    (void)timer;
    (void)tag;
    assert(0 && "multi_primary arms no timer");
}

static const rs_strategy_ops multi_primary_ops = {
    .create = mp_create, .destroy = mp_destroy, .on_client_append = mp_on_client_append,
    .on_store_reply = mp_on_store_reply, .on_timer = mp_on_timer,
    .on_peer_events = mp_on_peer_events,
};

const rs_component rs_multi_primary_component = {
    RS_COMPONENT_STRATEGY, "multi_primary",
    "bidirectional sync: every manager takes writes on shared streams, versions them, writes "
    "every target and syncs its peers; concurrent appends at one version are resolved",
    multi_primary_params, sizeof multi_primary_params / sizeof multi_primary_params[0],
    &multi_primary_ops,
};
