/* manager_tables.h — the two bookkeeping structures of a manager node (node_manager.c), private
 * to model/ (the rs__ prefix): generation-tagged slot tables for store requests and strategy
 * timers, so a reply that arrives after its request timed out, or a cancelled timer that
 * fires, is recognised and dropped in O(1); and the min-heap of store-request deadlines, with
 * one node timer armed for the earliest. */
#ifndef RS_MANAGER_TABLES_H
#define RS_MANAGER_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "model/world.h"

typedef struct manager_slot {
    uint32_t generation;   /* bumped on every release; half of the id */
    uint32_t next_free;    /* free-list link (index + 1), 0 = end */
    bool live;             /* waiting for its reply or its firing */
    uint32_t store;        /* store requests: the store asked */
    uint64_t tag;          /* the strategy's tag */
    uint8_t owner;         /* MANAGER_STRATEGY, _CHECKER or _READER: whose request or timer */
    uint8_t kind;          /* store requests: what was asked (rs_message_kind of the ask) */
} manager_slot;

typedef struct manager_slots {
    manager_slot *slots;
    uint32_t used, capacity, free_head;
} manager_slots;

/* Store-request deadlines: a min-heap on (due, sequence) of 24-byte entries, with one node
 * timer armed for the earliest. One timer per request would fill the world's timer heap with
 * entries that almost never fire (most requests are answered long before their timeout). */
typedef struct manager_deadline {
    int64_t due_us;        /* when the request times out */
    uint64_t sequence;     /* tie-break: order of the requests */
    uint64_t request;      /* slot id; stale once the request was answered */
} manager_deadline;

typedef struct manager_deadlines {
    manager_deadline *heap;
    uint32_t count, capacity;
    uint64_t sequence;     /* next sequence number */
    int64_t armed_us;      /* due time of the armed node timer, or -1 when none is armed */
} manager_deadlines;

/* Takes a slot for (store, tag, owner, kind); returns its id (generation << 32 | index).
 * Aborts when out of memory. */
uint64_t rs__slots_take(manager_slots *table, uint32_t store, uint64_t tag, uint8_t owner,
                        uint8_t kind);
/* The live slot named by `id`, released; NULL when it was already released (stale id). The
 * pointer is valid until the next take. */
manager_slot *rs__slots_release(manager_slots *table, uint64_t id);
/* Releases every live slot, so that no late reply or timer of an old instance matches. */
void rs__slots_release_all(manager_slots *table);

/* Adds the deadline of request `request`; aborts when out of memory. */
void rs__deadlines_push(manager_deadlines *deadlines, int64_t due_us, uint64_t request);
/* Removes and returns the earliest deadline (count > 0). */
manager_deadline rs__deadlines_pop(manager_deadlines *deadlines);
/* Arms a node timer for the earliest deadline unless one at or before it is armed. */
void rs__deadlines_arm(rs_node *node, manager_deadlines *deadlines);

#endif
