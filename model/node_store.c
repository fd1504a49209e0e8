/* node_store.c — the store server: an append-only log with a FIFO disk. Each append request
 * waits its turn and takes `append_ms` of service (one service time per request, whatever the
 * number of events it carries); then every event not already held is appended (idempotent by
 * event id, so a retried request never duplicates an event), each append is recorded in the
 * history with its completion time, and the store replies ok to the manager.
 *
 * Faults at this seam (model/world_faults.c decides): a slow_store fault multiplies the
 * service time of a request whose service starts inside its window; a full_store fault makes
 * a request whose service ends inside its window fail (RS_ERR_STORE, nothing appended); a
 * corrupt fault flips a byte of every stored copy, which the history shows as the copy's
 * append record no longer matching the event's checksum (checks/invariants.c, integrity).
 *
 * Memory (one entry per stored event-replica, so kept small): the log is the index of each
 * entry's append record in the history (4 B; the record gives the event, its time and its
 * checksum), the set of held ids a bitmap (model/idset.h). */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/testing.h"
#include "model/trace.h"
#include "model/world.h"

typedef struct rs_store_state {
    rs_idset held;             /* event ids in the log */
    uint32_t *log;             /* in append order: each entry's append record in the history
                                  (rs_history_add_append keeps their count below 2^32) */
    size_t log_count, log_capacity;
    rs_message **queue;        /* append requests waiting for the disk, FIFO ring */
    uint32_t queue_head, queue_count, queue_capacity;
    bool busy;                 /* the disk is serving queue[head] */
    int64_t append_us;         /* service time of one append request */
} rs_store_state;

static void *store_alloc(void *old, size_t count, size_t size) {
    void *memory = realloc(old, count * size);
    if (memory == NULL) {
        fprintf(stderr, "replsim: out of memory (store)\n");
        abort();
    }
    return memory;
}

const uint32_t *rs_store_log(const rs_node *node, size_t *count) {
    const rs_store_state *store = node->role;
    assert(node->kind == RS_NODE_STORE && store != NULL);
    *count = store->log_count;
    return store->log;
}

int rs_store_init(rs_node *node) {
    assert(node != NULL && node->kind == RS_NODE_STORE);
    assert(node->index == node->role_index); /* stores are the first nodes */
    rs_store_state *store = calloc(1, sizeof *store);
    if (store == NULL) {
        return -1;
    }
    rs_idset_init(&store->held);
    store->append_us = llround(node->world->scenario->append_ms * 1000.0);
    node->role = store;
    return 0;
}

static void store_queue_push(rs_store_state *store, rs_message *message) {
    if (store->queue_count == store->queue_capacity) {
        uint32_t capacity = store->queue_capacity == 0 ? 16 : store->queue_capacity * 2;
        rs_message **ring = store_alloc(NULL, capacity, sizeof *ring);
        for (uint32_t i = 0; i < store->queue_count; i++) {
            ring[i] = store->queue[(store->queue_head + i) % store->queue_capacity];
        }
        free(store->queue);
        store->queue = ring;
        store->queue_head = 0;
        store->queue_capacity = capacity;
    }
    store->queue[(store->queue_head + store->queue_count) % store->queue_capacity] = message;
    store->queue_count++;
}

static void store_start_service(rs_node *node, rs_store_state *store) {
    assert(!store->busy);
    assert(store->queue_count > 0);
    store->busy = true;
    int64_t service_us = node->world->scenario->fault_count > 0
                             ? rs_faults_service_us(node->world, node, store->append_us)
                             : store->append_us;
    rs_node_timer_push(node, (rs_timer){.due_us = rs_world_now_us() + service_us,
                                        .kind = RS_TIMER_STORE_SERVICE});
}

void rs_store_on_message(rs_node *node, rs_message *message) {
    rs_store_state *store = node->role;
    assert(store != NULL);
    if (message->kind == RS_MSG_HEALTH_PING) {
        rs_store_on_ping(node, message);
        free(message);
        return;
    }
    if (message->kind == RS_MSG_STORE_DIGEST || message->kind == RS_MSG_STORE_READ) {
        rs_store_on_query(node, message);
        free(message);
        return;
    }
    if (message->kind != RS_MSG_STORE_APPEND) {
        fprintf(stderr, "replsim: store %s got an unexpected %s message\n", node->host_name,
                rs_message_kind_name(message->kind));
        abort();
    }
    store_queue_push(store, message);
    if (!store->busy) {
        store_start_service(node, store);
    }
}

static void store_apply(rs_node *node, rs_store_state *store, const rs_message *request) {
    rs_history *history = node->world->history;
    int64_t now_us = rs_world_now_us();
    for (uint32_t i = 0; i < request->event_count; i++) {
        const rs_event *event = &request->events[i];
        int added = rs_idset_insert(&store->held, event->id);
        if (added < 0) {
            fprintf(stderr, "replsim: out of memory (store index)\n");
            abort();
        }
        added |= (int)rs_testing_store_ignores_idempotence; /* test-only (model/testing.h) */
        assert(event->id <= UINT32_MAX && node->role_index <= UINT16_MAX);
        size_t record = rs_history_add_append(
            history,
            &(rs_history_append){.store = (uint16_t)node->role_index,
                                 .event = (uint32_t)event->id, .time_us = now_us,
                                 .duplicate = added == 0},
            event->version, event->checksum);
        if (added == 1) {
            if (store->log_count == store->log_capacity) {
                store->log_capacity = store->log_capacity == 0 ? 256 : store->log_capacity * 2;
                store->log = store_alloc(store->log, store->log_capacity, sizeof *store->log);
            }
            store->log[store->log_count++] = (uint32_t)record;
        }
        rs_trace_append(node->world->trace, node->role_index, event, added == 0);
    }
}

void rs_store_on_timer(rs_node *node, const rs_timer *timer) {
    rs_store_state *store = node->role;
    assert(store != NULL && store->busy);
    assert(timer->kind == RS_TIMER_STORE_SERVICE);
    rs_message *request = store->queue[store->queue_head];
    store->queue_head = (store->queue_head + 1) % store->queue_capacity;
    store->queue_count--;
    store->busy = false;
    bool full = node->world->scenario->fault_count > 0 && rs_faults_store_full(node->world, node);
    if (full) {
        node->world->history->appends_rejected++;
    } else {
        store_apply(node, store, request);
    }
    /* the reply names the events it confirms (for the history); its simulated size stays
     * the 64-byte header whatever it carries */
    rs_message *reply = rs_message_new(RS_MSG_STORE_REPLY, request->event_count);
    memcpy(reply->events, request->events, request->event_count * sizeof(rs_event));
    reply->request = request->request;
    reply->status = full ? RS_ERR_STORE : RS_OK;
    rs_net_send(node, request->from_node, reply);
    free(request);
    if (store->queue_count > 0) {
        store_start_service(node, store);
    }
}

void rs_store_finish(rs_node *node) {
    rs_store_state *store = node->role;
    if (store == NULL) {
        return;
    }
    /* the log becomes the final contents in place: record indexes -> event ids */
    const rs_history *history = node->world->history;
    for (size_t i = 0; i < store->log_count; i++) {
        store->log[i] = history->appends[store->log[i]].event;
    }
    if (store->log_count == 0) {
        free(store->log);
        store->log = NULL;
    }
    rs_history_take_final(node->world->history, node->role_index, store->log, store->log_count);
    store->log = NULL;
    while (store->queue_count > 0) {
        free(store->queue[store->queue_head]);
        store->queue_head = (store->queue_head + 1) % store->queue_capacity;
        store->queue_count--;
    }
    free(store->queue);
    rs_idset_free(&store->held);
    free(store);
    node->role = NULL;
}

/* How many log entries survive a crash at `now_us`: fsync keeps all (each append was durable
 * before it was confirmed), volatile keeps none, periodic keeps those appended up to the last
 * sync point (syncs happen at every multiple of fsync_interval_ms from t = 0). */
static size_t store_durable_count(const rs_node *node, const rs_store_state *store, int64_t now_us) {
    const rs_scenario *scenario = node->world->scenario;
    switch (scenario->durability) {
    case RS_DURABILITY_FSYNC: return store->log_count;
    case RS_DURABILITY_VOLATILE: return 0;
    case RS_DURABILITY_PERIODIC: break;
    }
    int64_t interval_us = llround(scenario->fsync_interval_ms * 1000.0);
    assert(interval_us > 0);
    int64_t last_sync_us = now_us / interval_us * interval_us;
    const rs_history_append *appends = node->world->history->appends;
    size_t kept = store->log_count;
    while (kept > 0 && appends[store->log[kept - 1]].time_us > last_sync_us) {
        kept--;
    }
    return kept;
}

uint64_t rs_store_crash(rs_node *node) {
    rs_store_state *store = node->role;
    assert(store != NULL);
    assert(node->kind == RS_NODE_STORE);
    while (store->queue_count > 0) { /* requests waiting for the disk are lost unanswered */
        free(store->queue[store->queue_head]);
        store->queue_head = (store->queue_head + 1) % store->queue_capacity;
        store->queue_count--;
    }
    store->busy = false;
    size_t kept = store_durable_count(node, store, rs_world_now_us());
    uint64_t lost = store->log_count - kept;
    store->log_count = kept;
    rs_idset_free(&store->held);
    rs_idset_init(&store->held);
    const rs_history_append *appends = node->world->history->appends;
    for (size_t i = 0; i < kept; i++) {
        if (rs_idset_insert(&store->held, appends[store->log[i]].event) < 0) {
            fprintf(stderr, "replsim: out of memory (store index)\n");
            abort();
        }
    }
    return lost;
}

uint64_t rs_store_corrupt(rs_node *node, rs_rng *rng) {
    rs_store_state *store = node->role;
    assert(store != NULL && rng != NULL);
    assert(node->kind == RS_NODE_STORE);
    rs_history *history = node->world->history;
    for (size_t i = 0; i < store->log_count; i++) {
        size_t record = store->log[i];
        assert(record < history->append_count);
        const rs_history_append *append = &history->appends[record];
        assert(append->store == node->role_index);
        uint32_t byte = (uint32_t)rs_rng_below(rng, 4);
        uint32_t flips = 1 + (uint32_t)rs_rng_below(rng, 255); /* never zero: a real change */
        uint32_t checksum = rs_history_append_checksum(history, record) ^ (flips << (8 * byte));
        if (checksum == history->events[append->event - 1].checksum) {
            checksum ^= 1; /* a second corruption undid the first: damage it again */
        }
        rs_history_set_append_checksum(history, record, checksum);
    }
    return store->log_count;
}
