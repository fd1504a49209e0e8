/* manager_tables.c — see manager_tables.h: the slot tables (O(1) take and release through a
 * free list, ids carry a generation) and the deadline min-heap (24-byte entries, O(log n)). */
#include "model/manager_tables.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool deadline_before(const manager_deadline *a, const manager_deadline *b) {
    return a->due_us < b->due_us || (a->due_us == b->due_us && a->sequence < b->sequence);
}

void rs__deadlines_push(manager_deadlines *deadlines, int64_t due_us, uint64_t request) {
    if (deadlines->count == deadlines->capacity) {
        deadlines->capacity = deadlines->capacity == 0 ? 64 : deadlines->capacity * 2;
        deadlines->heap = realloc(deadlines->heap, deadlines->capacity * sizeof *deadlines->heap);
        if (deadlines->heap == NULL) {
            fprintf(stderr, "replsim: out of memory (deadlines)\n");
            abort();
        }
    }
    manager_deadline entry = {due_us, deadlines->sequence++, request};
    uint32_t index = deadlines->count++;
    while (index > 0 && deadline_before(&entry, &deadlines->heap[(index - 1) / 2])) {
        deadlines->heap[index] = deadlines->heap[(index - 1) / 2];
        index = (index - 1) / 2;
    }
    deadlines->heap[index] = entry;
}

manager_deadline rs__deadlines_pop(manager_deadlines *deadlines) {
    assert(deadlines->count > 0);
    manager_deadline top = deadlines->heap[0];
    manager_deadline last = deadlines->heap[--deadlines->count];
    uint32_t index = 0;
    for (uint32_t child = 1; child < deadlines->count; child = 2 * index + 1) {
        if (child + 1 < deadlines->count &&
            deadline_before(&deadlines->heap[child + 1], &deadlines->heap[child])) {
            child++;
        }
        if (!deadline_before(&deadlines->heap[child], &last)) {
            break;
        }
        deadlines->heap[index] = deadlines->heap[child];
        index = child;
    }
    if (deadlines->count > 0) {
        deadlines->heap[index] = last;
    }
    return top;
}

/* Arms the node timer for the earliest deadline unless one no later is armed already. */
void rs__deadlines_arm(rs_node *node, manager_deadlines *deadlines) {
    if (deadlines->count == 0) {
        return;
    }
    int64_t due_us = deadlines->heap[0].due_us;
    if (deadlines->armed_us < 0 || due_us < deadlines->armed_us) {
        deadlines->armed_us = due_us;
        rs_node_timer_push(node, (rs_timer){.due_us = due_us, .kind = RS_TIMER_REQUEST_TIMEOUT});
    }
}

uint64_t rs__slots_take(manager_slots *table, uint32_t store, uint64_t tag, uint8_t owner,
                           uint8_t kind) {
    uint32_t index;
    if (table->free_head != 0) {
        index = table->free_head - 1;
        table->free_head = table->slots[index].next_free;
    } else {
        if (table->used == table->capacity) {
            table->capacity = table->capacity == 0 ? 64 : table->capacity * 2;
            table->slots = realloc(table->slots, table->capacity * sizeof *table->slots);
            if (table->slots == NULL) {
                fprintf(stderr, "replsim: out of memory (manager slots)\n");
                abort();
            }
            memset(&table->slots[table->used], 0,
                   (table->capacity - table->used) * sizeof(manager_slot));
        }
        index = table->used++;
    }
    manager_slot *slot = &table->slots[index];
    assert(!slot->live);
    slot->live = true;
    slot->store = store;
    slot->tag = tag;
    slot->owner = owner;
    slot->kind = kind;
    return ((uint64_t)slot->generation << 32) | index;
}

/* The live slot named by `id`, released; NULL when it was already released (stale id). */
manager_slot *rs__slots_release(manager_slots *table, uint64_t id) {
    uint32_t index = (uint32_t)(id & 0xffffffffu);
    if (index >= table->used) {
        return NULL;
    }
    manager_slot *slot = &table->slots[index];
    if (!slot->live || slot->generation != (uint32_t)(id >> 32)) {
        return NULL;
    }
    slot->live = false;
    slot->generation++;
    slot->next_free = table->free_head;
    table->free_head = index + 1;
    return slot;
}

/* Releases every live slot, so that no late reply or timer of the old instance matches. */
void rs__slots_release_all(manager_slots *table) {
    for (uint32_t index = 0; index < table->used; index++) {
        if (table->slots[index].live) {
            uint64_t id = ((uint64_t)table->slots[index].generation << 32) | index;
            (void)rs__slots_release(table, id);
        }
    }
}
