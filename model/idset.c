/* idset.c — see idset.h. The hash is splitmix64's finaliser, so dense ids spread evenly. */
#include "model/idset.h"

#include <assert.h>
#include <stdlib.h>

static uint64_t idset_hash(uint64_t id) {
    id = (id ^ (id >> 30)) * 0xbf58476d1ce4e5b9ull;
    id = (id ^ (id >> 27)) * 0x94d049bb133111ebull;
    return id ^ (id >> 31);
}

void rs_idset_init(rs_idset *set) {
    assert(set != NULL);
    set->slots = NULL;
    set->capacity = 0;
    set->count = 0;
}

void rs_idset_free(rs_idset *set) {
    assert(set != NULL);
    free(set->slots);
    rs_idset_init(set);
}

static size_t idset_find(const uint64_t *slots, size_t capacity, uint64_t id) {
    size_t mask = capacity - 1;
    size_t index = (size_t)idset_hash(id) & mask;
    while (slots[index] != 0 && slots[index] != id) {
        index = (index + 1) & mask;
    }
    return index;
}

static int idset_grow(rs_idset *set) {
    size_t capacity = set->capacity == 0 ? 64 : set->capacity * 2;
    uint64_t *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL) {
        return -1;
    }
    for (size_t i = 0; i < set->capacity; i++) {
        if (set->slots[i] != 0) {
            slots[idset_find(slots, capacity, set->slots[i])] = set->slots[i];
        }
    }
    free(set->slots);
    set->slots = slots;
    set->capacity = capacity;
    return 0;
}

int rs_idset_insert(rs_idset *set, uint64_t id) {
    assert(set != NULL);
    assert(id != 0);
    if ((set->count + 1) * 2 > set->capacity && idset_grow(set) != 0) {
        return -1;
    }
    size_t index = idset_find(set->slots, set->capacity, id);
    if (set->slots[index] == id) {
        return 0;
    }
    set->slots[index] = id;
    set->count++;
    return 1;
}

int rs_idset_contains(const rs_idset *set, uint64_t id) {
    assert(set != NULL);
    assert(id != 0);
    if (set->capacity == 0) {
        return 0;
    }
    return set->slots[idset_find(set->slots, set->capacity, id)] == id;
}
