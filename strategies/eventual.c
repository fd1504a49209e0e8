/* eventual.c — eventual consistency with compensation: the write quorum acks the client
 * (1 by default: as soon as one target holds the write), and a consistency checker in each
 * manager converges the targets afterwards (the chapter's ConsistencyChecker and
 * CompensationManager, anti-entropy by repair).
 *
 * Every `interval_ms` a check runs in three steps, each request bounded by query_timeout_ms:
 *   1. digests: every target is asked for the digest of each stream it holds (paged, stream
 *      order); a target that fails to answer sits this check out;
 *   2. compare: a stream is divergent when the answering targets do not all report the same
 *      (count, digest); at most streams_per_check of them, in stream order, are read from
 *      every answering target (paged by version);
 *   3. repair: every event some target holds and another lacks, older than grace_ms (younger
 *      ones may still be in flight), is re-appended to the targets that lack it.
 * A check that is still running when the next is due lets it pass (counted).
 *
 * Metrics: eventual_checks, eventual_checks_skipped, eventual_divergent_streams (detected),
 * eventual_missing_replicas (detected), eventual_repaired_replicas (confirmed by the store),
 * eventual_repair_failures, and the observation divergence_to_repair_us (event creation to
 * its repair confirmed). Memory: the digests of one check, O(streams x targets). */
#include "strategies/eventual.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const eventual_repair_names[] = {"off", "repair", "revert", NULL};

static const rs_param_spec eventual_params[] = {
    [RS_EVENTUAL_PARAM_WRITE_QUORUM] = {"write_quorum", RS_PARAM_INTEGER, 1, 1, RS_TARGETS_MAX,
                                        NULL, "confirmations before the client is acked"},
    [RS_EVENTUAL_PARAM_INTERVAL_MS] = {"interval_ms", RS_PARAM_NUMBER, 1000, 1,
                                       RS_TIMEOUT_MS_MAX, NULL, "between two checks, ms"},
    [RS_EVENTUAL_PARAM_GRACE_MS] = {"grace_ms", RS_PARAM_NUMBER, 500, 0, RS_TIMEOUT_MS_MAX,
                                    NULL, "events younger than this are in flight, not missing"},
    [RS_EVENTUAL_PARAM_QUERY_TIMEOUT_MS] = {"query_timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                            RS_TIMEOUT_MS_MAX, NULL,
                                            "timeout of each digest, read and repair request"},
    [RS_EVENTUAL_PARAM_STREAMS_PER_CHECK] = {"streams_per_check", RS_PARAM_INTEGER, 256, 1,
                                             100000, NULL,
                                             "divergent streams read and repaired per check"},
    [RS_EVENTUAL_PARAM_REPAIR] = {"compensation", RS_PARAM_ENUM, 1, 0, 0, eventual_repair_names,
                                  "off (detect and count only), repair (anti-entropy: "
                                  "re-append missing events) or revert (append a "
                                  "compensating event that cancels each, everywhere)"},
    [RS_EVENTUAL_PARAM_READ_QUORUM] = {"read_quorum", RS_PARAM_INTEGER, 1, 0, RS_TARGETS_MAX,
                                       NULL, "replies a read waits for (workload.reads); "
                                       "0 = majority of the targets"},
};

/* Tags: the kind in the top byte, a target position and a stream slot below. */
enum { TAG_CHECK = 1, TAG_DIGEST = 2, TAG_READ = 3, TAG_REPAIR = 4, TAG_REVERT = 5 };
#define TAG(kind, target, slot) (((uint64_t)(kind) << 56) | ((uint64_t)(slot) << 24) | (target))
#define TAG_KIND(tag) ((uint32_t)((tag) >> 56))
#define TAG_TARGET(tag) ((uint32_t)((tag) & 0xffffffu))
#define TAG_SLOT(tag) ((uint32_t)(((tag) >> 24) & 0xffffffffu))

typedef struct digest_list {
    rs_stream_digest *items;       /* this check's digests of one target, in stream order */
    uint32_t count, capacity;
    bool answered;                 /* every page arrived */
    bool failed;                   /* a page failed: the target sits this check out */
} digest_list;

typedef struct stream_read {
    rs_stream_id stream;           /* the divergent stream */
    uint32_t pending;              /* targets whose read is not complete */
    rs_event **held;               /* per target: the events it holds (owned), version order */
    uint32_t *counts;              /* per target: how many */
    bool *failed;                  /* per target: its read failed (it sits the repair out) */
} stream_read;

typedef struct eventual_state {
    const rs_strategy_config *config;  /* targets; params are the policy's; outlives it */
    rs_runtime runtime;                /* the port */
    int64_t interval_us, grace_us, timeout_us; /* parameters */
    uint32_t streams_per_check;        /* parameter */
    bool repair;                       /* parameter compensation = repair */
    bool revert;                       /* parameter compensation = revert */
    bool running;                      /* a check is in progress */
    uint32_t digests_pending;          /* targets still sending digests */
    digest_list *digests;              /* per target */
    stream_read *reads;                /* this check's divergent streams */
    uint32_t read_count;               /* in use */
    uint32_t reads_pending;            /* streams whose reads are not complete */
    int64_t **repairs;                 /* per repair in flight: its events' creation times,
                                          [0] = how many; NULL = a free slot */
    uint32_t repair_count;             /* slots in use or free */
    rs_event *scratch;                 /* 3 x RS_EVENTS_PER_APPEND_MAX events of working space
                                          (a repair batch, the doomed, their compensations):
                                          too big for an actor's stack */
} eventual_state;

static void eventual_start_check(eventual_state *eventual);

static void *eventual_alloc(void *old, size_t count_in, size_t size) {
    return realloc(old, (count_in == 0 ? 1 : count_in) * size);
}

static void *eventual_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->target_count >= 1);
    assert(config->target_count < (1u << 24));
    eventual_state *eventual = calloc(1, sizeof *eventual);
    if (eventual == NULL) {
        return NULL;
    }
    const double *p = config->params;
    eventual->config = config;
    eventual->runtime = runtime;
    eventual->interval_us = (int64_t)(p[RS_EVENTUAL_PARAM_INTERVAL_MS] * 1000.0 + 0.5);
    eventual->grace_us = (int64_t)(p[RS_EVENTUAL_PARAM_GRACE_MS] * 1000.0 + 0.5);
    eventual->timeout_us = (int64_t)(p[RS_EVENTUAL_PARAM_QUERY_TIMEOUT_MS] * 1000.0 + 0.5);
    eventual->streams_per_check = (uint32_t)p[RS_EVENTUAL_PARAM_STREAMS_PER_CHECK];
    eventual->repair = p[RS_EVENTUAL_PARAM_REPAIR] == 1;
    eventual->revert = p[RS_EVENTUAL_PARAM_REPAIR] == 2;
    eventual->digests = calloc(config->target_count, sizeof *eventual->digests);
    eventual->scratch = malloc(3 * RS_EVENTS_PER_APPEND_MAX * sizeof *eventual->scratch);
    if (eventual->digests == NULL || eventual->scratch == NULL) {
        free(eventual->digests);
        free(eventual->scratch);
        free(eventual);
        return NULL;
    }
    assert(eventual->interval_us > 0 && eventual->timeout_us > 0);
    runtime.ops->timer_set(runtime.context, eventual->interval_us, TAG(TAG_CHECK, 0, 0));
    return eventual;
}

static void reads_free(eventual_state *eventual) {
    for (uint32_t r = 0; r < eventual->read_count; r++) {
        stream_read *read = &eventual->reads[r];
        for (uint32_t t = 0; read->held != NULL && t < eventual->config->target_count; t++) {
            free(read->held[t]);
        }
        free(read->held);
        free(read->counts);
        free(read->failed);
    }
    free(eventual->reads);
    eventual->reads = NULL;
    eventual->read_count = 0;
}

static void eventual_destroy(void *state) {
    eventual_state *eventual = state;
    assert(eventual != NULL);
    reads_free(eventual);
    for (uint32_t t = 0; t < eventual->config->target_count; t++) {
        free(eventual->digests[t].items);
    }
    free(eventual->digests);
    for (uint32_t i = 0; i < eventual->repair_count; i++) {
        free(eventual->repairs[i]);
    }
    free(eventual->repairs);
    free(eventual->scratch);
    free(eventual);
}

/* Keeps the creation times of a repair's events until its reply; the slot, or -1. */
static int64_t repair_record(eventual_state *eventual, const rs_event *events, uint32_t n) {
    uint32_t slot = 0;
    while (slot < eventual->repair_count && eventual->repairs[slot] != NULL) {
        slot++; /* O(repairs in flight): a few per check */
    }
    if (slot == eventual->repair_count) {
        int64_t **grown = eventual_alloc(eventual->repairs, slot + 1, sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        eventual->repairs = grown;
        eventual->repairs[eventual->repair_count++] = NULL;
    }
    int64_t *times = malloc((n + 1) * sizeof *times);
    if (times == NULL) {
        return -1;
    }
    times[0] = n;
    for (uint32_t i = 0; i < n; i++) {
        times[i + 1] = events[i].created_us;
    }
    eventual->repairs[slot] = times;
    return slot;
}

static void count(eventual_state *eventual, const char *name, int64_t delta) {
    eventual->runtime.ops->metric_count(eventual->runtime.context, name, delta);
}

static void eventual_start_check(eventual_state *eventual) {
    const rs_runtime_ops *ops = eventual->runtime.ops;
    void *context = eventual->runtime.context;
    ops->timer_set(context, eventual->interval_us, TAG(TAG_CHECK, 0, 0));
    if (eventual->running) {
        count(eventual, "eventual_checks_skipped", 1);
        return;
    }
    eventual->running = true;
    count(eventual, "eventual_checks", 1);
    eventual->digests_pending = eventual->config->target_count;
    for (uint32_t t = 0; t < eventual->config->target_count; t++) {
        eventual->digests[t].count = 0;
        eventual->digests[t].answered = false;
        eventual->digests[t].failed = false;
        ops->store_digest(context, eventual->config->targets[t], 0, eventual->timeout_us,
                          TAG(TAG_DIGEST, t, 0));
    }
}

/* The targets that answered every digest page agree on `stream`? `cursor[t]` walks each
 * target's sorted list; on return it has passed `stream`. */
static bool digests_agree(eventual_state *eventual, uint32_t *cursor, rs_stream_id stream) {
    bool agree = true, seen = false;
    rs_stream_digest first = {0};
    for (uint32_t t = 0; t < eventual->config->target_count; t++) {
        const digest_list *list = &eventual->digests[t];
        if (list->failed) {
            continue;
        }
        rs_stream_digest mine = {.stream = stream};
        if (cursor[t] < list->count && list->items[cursor[t]].stream == stream) {
            mine = list->items[cursor[t]++];
        }
        if (!seen) {
            first = mine;
            seen = true;
        } else if (mine.count != first.count || mine.digest != first.digest) {
            agree = false;
        }
    }
    return agree;
}

/* The smallest stream any answering target lists at or after its cursor; false when none. */
static bool next_stream(const eventual_state *eventual, const uint32_t *cursor,
                        rs_stream_id *stream) {
    bool found = false;
    for (uint32_t t = 0; t < eventual->config->target_count; t++) {
        const digest_list *list = &eventual->digests[t];
        if (!list->failed && cursor[t] < list->count &&
            (!found || list->items[cursor[t]].stream < *stream)) {
            *stream = list->items[cursor[t]].stream;
            found = true;
        }
    }
    return found;
}

static void check_finish(eventual_state *eventual) {
    reads_free(eventual);
    eventual->running = false;
}

static bool read_open(eventual_state *eventual, rs_stream_id stream) {
    uint32_t targets = eventual->config->target_count;
    stream_read *read = &eventual->reads[eventual->read_count];
    memset(read, 0, sizeof *read);
    read->stream = stream;
    read->held = calloc(targets, sizeof *read->held);
    read->counts = calloc(targets, sizeof *read->counts);
    read->failed = calloc(targets, sizeof *read->failed);
    eventual->read_count++;
    return read->held != NULL && read->counts != NULL && read->failed != NULL;
}

/* Step 2: lists the divergent streams and reads each from every answering target. */
static void check_compare(eventual_state *eventual) {
    uint32_t targets = eventual->config->target_count;
    uint32_t *cursor = calloc(targets, sizeof *cursor);
    eventual->reads = calloc(eventual->streams_per_check, sizeof *eventual->reads);
    if (cursor == NULL || eventual->reads == NULL) {
        free(cursor);
        check_finish(eventual);
        return;
    }
    rs_stream_id stream = 0;
    uint32_t answering = 0;
    for (uint32_t t = 0; t < targets; t++) {
        answering += eventual->digests[t].failed ? 0u : 1u;
    }
    int64_t divergent = 0;
    while (answering >= 2 && next_stream(eventual, cursor, &stream)) {
        if (!digests_agree(eventual, cursor, stream)) {
            divergent++;
            if (eventual->read_count < eventual->streams_per_check &&
                !read_open(eventual, stream)) {
                break;
            }
        }
    }
    free(cursor);
    count(eventual, "eventual_divergent_streams", divergent);
    if (eventual->read_count == 0) {
        check_finish(eventual);
        return;
    }
    eventual->reads_pending = eventual->read_count;
    for (uint32_t r = 0; r < eventual->read_count; r++) {
        stream_read *read = &eventual->reads[r];
        for (uint32_t t = 0; t < targets; t++) {
            if (eventual->digests[t].failed) {
                read->failed[t] = true;
                continue;
            }
            read->pending++;
            eventual->runtime.ops->store_read(eventual->runtime.context,
                                              eventual->config->targets[t], read->stream, 0,
                                              eventual->timeout_us, TAG(TAG_READ, t, r));
        }
    }
}

static void eventual_on_store_digest(void *state, uint64_t tag, uint32_t store, rs_status status,
                                     const rs_stream_digest *digests, uint32_t count_in) {
    eventual_state *eventual = state;
    uint32_t t = TAG_TARGET(tag);
    assert(TAG_KIND(tag) == TAG_DIGEST && t < eventual->config->target_count);
    assert(eventual->config->targets[t] == store);
    digest_list *list = &eventual->digests[t];
    if (status == RS_OK && list->count + count_in > list->capacity) {
        uint32_t capacity = list->capacity == 0 ? 256 : list->capacity;
        while (capacity < list->count + count_in) {
            capacity *= 2;
        }
        rs_stream_digest *items = eventual_alloc(list->items, capacity, sizeof *items);
        if (items == NULL) {
            status = RS_ERR_STORE; /* out of memory: this target sits the check out */
        } else {
            list->items = items;
            list->capacity = capacity;
        }
    }
    if (status != RS_OK) {
        list->failed = true;
    } else {
        if (count_in > 0) { /* items may still be NULL: memcpy wants real pointers */
            memcpy(&list->items[list->count], digests, count_in * sizeof *digests);
        }
        list->count += count_in;
        if (count_in == RS_DIGESTS_PER_REPLY) { /* a full page: ask for the next one */
            eventual->runtime.ops->store_digest(eventual->runtime.context, store,
                                                digests[count_in - 1].stream + 1,
                                                eventual->timeout_us, tag);
            return;
        }
        list->answered = true;
    }
    assert(eventual->digests_pending > 0);
    if (--eventual->digests_pending == 0) {
        check_compare(eventual);
    }
}

/* Is `id` among the `count` events of `events`? O(count): streams are short. */
static bool holds(const rs_event *events, uint32_t count_in, rs_event_id id) {
    for (uint32_t i = 0; i < count_in; i++) {
        if (events[i].id == id) {
            return true;
        }
    }
    return false;
}

/* Does an answering target before `source` hold `id` (so it was counted there already)? */
static bool held_before(const stream_read *read, uint32_t source, rs_event_id id) {
    for (uint32_t t = 0; t < source; t++) {
        if (!read->failed[t] && holds(read->held[t], read->counts[t], id)) {
            return true;
        }
    }
    return false;
}

/* Has some answering target a compensating event that cancels `id`? */
static bool cancelled(const eventual_state *eventual, const stream_read *read, rs_event_id id) {
    for (uint32_t t = 0; t < eventual->config->target_count; t++) {
        for (uint32_t i = 0; !read->failed[t] && i < read->counts[t]; i++) {
            if (read->held[t][i].compensates == id) {
                return true;
            }
        }
    }
    return false;
}

/* Appends `events` (n) to target `t` under a tag of `kind`, remembering the creation times
 * of `origins` (the events repaired, or those a compensation cancels) for the reply. */
static void send_fix(eventual_state *eventual, uint32_t t, uint32_t kind, rs_event *events,
                     const rs_event *origins, uint32_t n) {
    int64_t slot = repair_record(eventual, origins, n);
    if (slot >= 0) {
        rs_event_stream stream = {n, events};
        eventual->runtime.ops->store_append(eventual->runtime.context,
                                            eventual->config->targets[t], &stream,
                                            eventual->timeout_us, TAG(kind, t, (uint32_t)slot));
    }
}

/* Revert: one compensating event per cancelled event, appended to every answering target. */
static void stream_revert(eventual_state *eventual, const stream_read *read,
                          const rs_event *doomed, uint32_t n) {
    rs_event *compensations = eventual->scratch + 2 * RS_EVENTS_PER_APPEND_MAX;
    uint32_t made = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (eventual->runtime.ops->new_compensation(eventual->runtime.context, &doomed[i],
                                                    &compensations[made]) == 0) {
            made++;
        }
    }
    count(eventual, "eventual_reverted_events", made);
    for (uint32_t t = 0; made > 0 && t < eventual->config->target_count; t++) {
        if (!read->failed[t]) {
            send_fix(eventual, t, TAG_REVERT, compensations, doomed, made);
        }
    }
}

/* Step 3 for one stream: each target gets what another holds and it lacks (repair), or the
 * events some target lacks are cancelled everywhere (revert; a missing compensating event is
 * itself repaired, never reverted). Events older than the grace time only; cancelled events
 * are settled. */
static void stream_repair(eventual_state *eventual, uint32_t r) {
    stream_read *read = &eventual->reads[r];
    uint32_t targets = eventual->config->target_count;
    int64_t now_us = eventual->runtime.ops->now_us(eventual->runtime.context);
    rs_event *batch = eventual->scratch, *doomed = eventual->scratch + RS_EVENTS_PER_APPEND_MAX;
    uint32_t doomed_count = 0;
    for (uint32_t lacking = 0; lacking < targets; lacking++) {
        uint32_t missing = 0, fixable = 0;
        for (uint32_t source = 0; !read->failed[lacking] && source < targets; source++) {
            for (uint32_t i = 0; !read->failed[source] && i < read->counts[source] &&
                                 fixable < RS_EVENTS_PER_APPEND_MAX; i++) {
                const rs_event *event = &read->held[source][i];
                if (now_us - event->created_us < eventual->grace_us ||
                    holds(read->held[lacking], read->counts[lacking], event->id) ||
                    holds(batch, fixable, event->id) || held_before(read, source, event->id) ||
                    cancelled(eventual, read, event->id)) {
                    continue;
                }
                missing++; /* one replica missing here (counted once per lacking target) */
                if (eventual->revert && event->compensates == 0) {
                    if (!holds(doomed, doomed_count, event->id)) {
                        doomed[doomed_count++] = *event; /* bounded: one stream's page */
                    }
                } else {
                    batch[fixable++] = *event;
                }
                if (doomed_count == RS_EVENTS_PER_APPEND_MAX) {
                    break;
                }
            }
        }
        count(eventual, "eventual_missing_replicas", missing);
        if (fixable > 0 && (eventual->repair || eventual->revert)) {
            send_fix(eventual, lacking, TAG_REPAIR, batch, batch, fixable);
        }
    }
    if (doomed_count > 0) {
        stream_revert(eventual, read, doomed, doomed_count);
    }
}

static void eventual_on_store_read(void *state, uint64_t tag, uint32_t store, rs_status status,
                                   const rs_event_stream *events) {
    eventual_state *eventual = state;
    uint32_t t = TAG_TARGET(tag), r = TAG_SLOT(tag);
    assert(TAG_KIND(tag) == TAG_READ && t < eventual->config->target_count);
    assert(r < eventual->read_count && eventual->config->targets[t] == store);
    stream_read *read = &eventual->reads[r];
    if (status == RS_OK && events->count > 0) {
        rs_event *grown = eventual_alloc(read->held[t], read->counts[t] + events->count,
                                         sizeof *grown);
        if (grown == NULL) {
            status = RS_ERR_STORE;
        } else {
            read->held[t] = grown;
            memcpy(&grown[read->counts[t]], events->events, events->count * sizeof *grown);
            read->counts[t] += events->count;
        }
    }
    if (status != RS_OK) {
        read->failed[t] = true;
    } else if (events->count == RS_EVENTS_PER_APPEND_MAX) { /* a full page: read on */
        eventual->runtime.ops->store_read(eventual->runtime.context, store, read->stream,
                                          events->events[events->count - 1].version + 1,
                                          eventual->timeout_us, tag);
        return;
    }
    assert(read->pending > 0);
    if (--read->pending > 0) {
        return;
    }
    stream_repair(eventual, r);
    assert(eventual->reads_pending > 0);
    if (--eventual->reads_pending == 0) {
        check_finish(eventual);
    }
}

static void eventual_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    eventual_state *eventual = state;
    uint32_t slot = TAG_SLOT(tag);
    bool revert = TAG_KIND(tag) == TAG_REVERT;
    assert(TAG_KIND(tag) == TAG_REPAIR || revert);
    assert(slot < eventual->repair_count && eventual->repairs[slot] != NULL);
    (void)store;
    int64_t *times = eventual->repairs[slot];
    if (status == RS_OK) {
        int64_t now_us = eventual->runtime.ops->now_us(eventual->runtime.context);
        count(eventual, revert ? "eventual_compensations_stored" : "eventual_repaired_replicas",
              times[0]);
        for (int64_t i = 1; i <= times[0]; i++) {
            eventual->runtime.ops->metric_observe(
                eventual->runtime.context, revert ? "divergence_to_revert_us"
                                                  : "divergence_to_repair_us", now_us - times[i]);
        }
    } else {
        count(eventual, revert ? "eventual_revert_failures" : "eventual_repair_failures",
              times[0]);
    }
    free(times);
    eventual->repairs[slot] = NULL;
}

static void eventual_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    (void)timer;
    assert(TAG_KIND(tag) == TAG_CHECK);
    eventual_start_check(state);
}

static void eventual_on_client_append(void *state, uint64_t client_request,
                                      const rs_event_stream *stream) {
    (void)state;
    (void)client_request;
    (void)stream;
    assert(0 && "a consistency checker receives no client append");
}

static const rs_strategy_ops eventual_ops = {
    eventual_create, eventual_destroy, eventual_on_client_append, eventual_on_store_reply,
    eventual_on_timer, eventual_on_store_digest, eventual_on_store_read, NULL, NULL,
};

const rs_component rs_eventual_component = {
    RS_COMPONENT_POLICY, "eventual",
    "eventual consistency with compensation: ack after write_quorum targets (default 1); a "
    "checker compares the targets' stream digests every interval and re-appends missing events",
    eventual_params, sizeof eventual_params / sizeof eventual_params[0], &eventual_ops,
};
