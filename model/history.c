/* history.c — see history.h. The record arrays double when full (amortised O(1) per record);
 * running out of memory aborts with a message, because the loader's budgets (strategies/
 * limits.h) keep a valid run far below what the machine holds, and a history with a hole in
 * it would make every report and checker wrong. Appends whose copy differs from its event
 * (version or checksum) are kept aside in an open-addressing table keyed by append index:
 * lookups only, never iterated, so its layout cannot leak into outputs. */
#include "model/history.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_CAPACITY_MIN 64 /* first allocation of each record array, in records */
#define HISTORY_ASIDE_MIN 64    /* first allocation of the exceptions table, in slots */

const char *rs_message_kind_name(rs_message_kind kind) {
    switch (kind) {
    case RS_MSG_CLIENT_APPEND: return "client_append";
    case RS_MSG_CLIENT_ACK: return "client_ack";
    case RS_MSG_STORE_APPEND: return "store_append";
    case RS_MSG_STORE_REPLY: return "store_reply";
    case RS_MSG_HEALTH_PING: return "health_ping";
    case RS_MSG_HEALTH_PONG: return "health_pong";
    case RS_MSG_STORE_DIGEST: return "store_digest";
    case RS_MSG_DIGEST_REPLY: return "digest_reply";
    case RS_MSG_STORE_READ: return "store_read";
    case RS_MSG_READ_REPLY: return "read_reply";
    case RS_MSG_CLIENT_READ: return "client_read";
    case RS_MSG_READ_ACK: return "read_ack";
    case RS_MSG_PEER_SYNC: return "peer_sync";
    case RS_MSG_KIND_COUNT: break;
    }
    assert(0 && "unknown message kind");
    return "unknown";
}

int rs_history_init(rs_history *history, uint32_t store_count) {
    assert(history != NULL);
    assert(store_count <= RS_STORES_MAX);
    memset(history, 0, sizeof *history);
    history->store_count = store_count;
    if (store_count == 0) {
        return 0;
    }
    history->final_count = calloc(store_count, sizeof *history->final_count);
    history->final_events = calloc(store_count, sizeof *history->final_events);
    if (history->final_count == NULL || history->final_events == NULL) {
        free(history->final_count);
        free(history->final_events);
        memset(history, 0, sizeof *history);
        return -1;
    }
    return 0;
}

void rs_history_free(rs_history *history) {
    assert(history != NULL);
    free(history->events);
    free(history->requests);
    free(history->appends);
    free(history->asides);
    free(history->receipts);
    free(history->health);
    free(history->reads);
    free(history->conflicts);
    free(history->abandons);
    if (history->final_events != NULL) {
        for (uint32_t store = 0; store < history->store_count; store++) {
            free(history->final_events[store]);
        }
    }
    free(history->final_events);
    free(history->final_count);
    memset(history, 0, sizeof *history);
}

/* Makes room for one more record in *items (count used of *capacity); aborts on no memory. */
static void history_reserve(void **items, size_t *capacity, size_t count, size_t item_size,
                            const char *what) {
    assert(items != NULL && capacity != NULL);
    assert(count <= *capacity);
    if (count < *capacity) {
        return;
    }
    size_t grown = *capacity == 0 ? HISTORY_CAPACITY_MIN : *capacity * 2;
    if (grown < *capacity || grown > SIZE_MAX / item_size) {
        fprintf(stderr, "replsim: history: too many %s records (%zu)\n", what, count);
        abort();
    }
    void *resized = realloc(*items, grown * item_size);
    if (resized == NULL) {
        fprintf(stderr, "replsim: history: out of memory for %zu %s records\n", grown, what);
        abort();
    }
    *items = resized;
    *capacity = grown;
}

size_t rs_history_add_event(rs_history *history, const rs_history_event *event) {
    assert(history != NULL);
    assert(event != NULL);
    if (history->event_count == UINT32_MAX) { /* records name events in 32 bits */
        fprintf(stderr, "replsim: history: too many events (%zu)\n", history->event_count);
        abort();
    }
    void *items = history->events;
    history_reserve(&items, &history->event_capacity, history->event_count, sizeof *event,
                    "event");
    history->events = items;
    history->events[history->event_count] = *event;
    history->events[history->event_count].copy_version = RS_HISTORY_NO_VERSION;
    return history->event_count++;
}

size_t rs_history_add_request(rs_history *history, const rs_history_request *request) {
    assert(history != NULL);
    assert(request != NULL);
    assert(request->event_count >= 1);
    void *items = history->requests;
    history_reserve(&items, &history->request_capacity, history->request_count,
                    sizeof *request, "request");
    history->requests = items;
    history->requests[history->request_count] = *request;
    return history->request_count++;
}

/* The slot of append `index` in the exceptions table (its own or the empty one to use). */
static size_t aside_find(const rs_history_aside *slots, size_t capacity, size_t index) {
    assert(capacity > 0 && (capacity & (capacity - 1)) == 0);
    uint64_t key = (uint64_t)index + 1;
    uint64_t hash = key * 0x9e3779b97f4a7c15ull; /* Fibonacci hashing: dense keys spread */
    size_t slot = (size_t)(hash >> 32) & (capacity - 1);
    while (slots[slot].key != 0 && slots[slot].key != key) {
        slot = (slot + 1) & (capacity - 1);
    }
    return slot;
}

/* Keeps append `index`'s version and checksum aside (new or updated); aborts on no memory. */
static void aside_put(rs_history *history, size_t index, uint32_t version, uint32_t checksum) {
    if ((history->aside_count + 1) * 2 > history->aside_capacity) {
        size_t capacity = history->aside_capacity == 0 ? HISTORY_ASIDE_MIN
                                                       : history->aside_capacity * 2;
        rs_history_aside *slots = calloc(capacity, sizeof *slots);
        if (slots == NULL) {
            fprintf(stderr, "replsim: history: out of memory for %zu append exceptions\n",
                    capacity);
            abort();
        }
        for (size_t i = 0; i < history->aside_capacity; i++) {
            const rs_history_aside *old = &history->asides[i];
            if (old->key != 0) {
                slots[aside_find(slots, capacity, (size_t)(old->key - 1))] = *old;
            }
        }
        free(history->asides);
        history->asides = slots;
        history->aside_capacity = capacity;
    }
    rs_history_aside *slot = &history->asides[aside_find(history->asides,
                                                          history->aside_capacity, index)];
    history->aside_count += slot->key == 0;
    *slot = (rs_history_aside){(uint64_t)index + 1, version, checksum};
    history->appends[index].aside = 1;
}

static const rs_history_aside *aside_get(const rs_history *history, size_t index) {
    assert(index < history->append_count && history->appends[index].aside);
    const rs_history_aside *slot = &history->asides[aside_find(history->asides,
                                                                history->aside_capacity, index)];
    assert(slot->key == (uint64_t)index + 1);
    return slot;
}

size_t rs_history_add_append(rs_history *history, const rs_history_append *append,
                             uint32_t version, uint32_t checksum) {
    assert(history != NULL);
    assert(append != NULL);
    assert(append->store < history->store_count);
    assert(append->event >= 1 && append->event <= history->event_count);
    if (history->append_count == UINT32_MAX) { /* store logs name appends in 32 bits */
        fprintf(stderr, "replsim: history: too many append records (%zu)\n",
                history->append_count);
        abort();
    }
    void *items = history->appends;
    history_reserve(&items, &history->append_capacity, history->append_count, sizeof *append,
                    "append");
    history->appends = items;
    size_t index = history->append_count++;
    history->appends[index] = *append;
    history->appends[index].aside = 0;
    rs_history_event *event = &history->events[append->event - 1];
    if (event->copy_version == RS_HISTORY_NO_VERSION) {
        event->copy_version = version; /* the first copy sets the event's usual version */
    }
    if (version != event->copy_version || checksum != event->checksum) {
        aside_put(history, index, version, checksum);
    }
    return index;
}

uint32_t rs_history_append_version(const rs_history *history, size_t index) {
    assert(history != NULL && index < history->append_count);
    const rs_history_append *append = &history->appends[index];
    return append->aside ? aside_get(history, index)->version
                         : history->events[append->event - 1].copy_version;
}

uint32_t rs_history_append_checksum(const rs_history *history, size_t index) {
    assert(history != NULL && index < history->append_count);
    const rs_history_append *append = &history->appends[index];
    return append->aside ? aside_get(history, index)->checksum
                         : history->events[append->event - 1].checksum;
}

void rs_history_set_append_checksum(rs_history *history, size_t index, uint32_t checksum) {
    assert(history != NULL && index < history->append_count);
    aside_put(history, index, rs_history_append_version(history, index), checksum);
}

size_t rs_history_add_receipt(rs_history *history, const rs_history_receipt *receipt) {
    assert(history != NULL && receipt != NULL);
    assert(receipt->store < history->store_count);
    void *items = history->receipts;
    history_reserve(&items, &history->receipt_capacity, history->receipt_count, sizeof *receipt,
                    "receipt");
    history->receipts = items;
    history->receipts[history->receipt_count] = *receipt;
    return history->receipt_count++;
}

size_t rs_history_add_health(rs_history *history, const rs_history_health *change) {
    assert(history != NULL && change != NULL);
    assert(change->store < history->store_count);
    void *items = history->health;
    history_reserve(&items, &history->health_capacity, history->health_count, sizeof *change,
                    "health change");
    history->health = items;
    history->health[history->health_count] = *change;
    return history->health_count++;
}

size_t rs_history_add_read(rs_history *history, const rs_history_read *read) {
    assert(history != NULL && read != NULL);
    void *items = history->reads;
    history_reserve(&items, &history->read_capacity, history->read_count, sizeof *read, "read");
    history->reads = items;
    history->reads[history->read_count] = *read;
    return history->read_count++;
}

size_t rs_history_add_conflict(rs_history *history, const rs_history_conflict *conflict) {
    assert(history != NULL && conflict != NULL);
    void *items = history->conflicts;
    history_reserve(&items, &history->conflict_capacity, history->conflict_count,
                    sizeof *conflict, "conflict");
    history->conflicts = items;
    history->conflicts[history->conflict_count] = *conflict;
    return history->conflict_count++;
}

size_t rs_history_add_abandon(rs_history *history, const rs_history_abandon *abandon) {
    assert(history != NULL && abandon != NULL);
    assert(abandon->store < history->store_count);
    void *items = history->abandons;
    history_reserve(&items, &history->abandon_capacity, history->abandon_count,
                    sizeof *abandon, "abandoned copy");
    history->abandons = items;
    history->abandons[history->abandon_count] = *abandon;
    return history->abandon_count++;
}

void rs_history_set_final(rs_history *history, uint32_t store, const rs_event_id *events,
                          size_t count) {
    assert(history != NULL);
    assert(store < history->store_count);
    assert(count == 0 || events != NULL);
    if (count > SIZE_MAX / sizeof(uint32_t)) {
        fprintf(stderr, "replsim: history: store %u holds too many events (%zu)\n", store, count);
        abort();
    }
    uint32_t *copy = count == 0 ? NULL : malloc(count * sizeof *copy);
    if (count > 0 && copy == NULL) {
        fprintf(stderr, "replsim: history: out of memory for store %u's %zu final events\n",
                store, count);
        abort();
    }
    for (size_t i = 0; i < count; i++) {
        assert(events[i] >= 1 && events[i] <= UINT32_MAX);
        copy[i] = (uint32_t)events[i];
    }
    rs_history_take_final(history, store, copy, count);
}

void rs_history_take_final(rs_history *history, uint32_t store, uint32_t *events, size_t count) {
    assert(history != NULL);
    assert(store < history->store_count);
    assert((count == 0) == (events == NULL));
    free(history->final_events[store]);
    history->final_events[store] = events;
    history->final_count[store] = count;
}
