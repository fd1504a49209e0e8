/* slab.c — see slab.h. */
#include "strategies/slab.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/limits.h"

static uint32_t *slab_link(const rs_slab *slab, uint32_t index) {
    return (uint32_t *)((char *)slab->items + (size_t)index * slab->item_size +
                        slab->link_offset);
}

void rs_slab_init(rs_slab *slab, size_t item_size, size_t link_offset) {
    assert(slab != NULL && item_size > 0);
    assert(link_offset + sizeof(uint32_t) <= item_size);
    *slab = (rs_slab){.item_size = item_size, .link_offset = link_offset};
}

void rs_slab_free(rs_slab *slab) {
    assert(slab != NULL);
    free(slab->items);
    slab->items = NULL;
    slab->capacity = slab->used = slab->free_head = 0;
}

int64_t rs_slab_take(rs_slab *slab) {
    assert(slab != NULL && slab->used <= slab->capacity);
    if (slab->free_head != 0) {
        uint32_t index = slab->free_head - 1;
        slab->free_head = *slab_link(slab, index);
        return index;
    }
    if (slab->used == slab->capacity) {
        if (slab->capacity >= RS_IN_FLIGHT_MAX) {
            return -1;
        }
        uint32_t capacity = slab->capacity == 0 ? 64 : slab->capacity * 2;
        void *items = realloc(slab->items, (size_t)capacity * slab->item_size);
        if (items == NULL) {
            return -1;
        }
        memset((char *)items + (size_t)slab->capacity * slab->item_size, 0,
               (size_t)(capacity - slab->capacity) * slab->item_size);
        slab->items = items;
        slab->capacity = capacity;
    }
    return slab->used++;
}

void rs_slab_release(rs_slab *slab, uint32_t index) {
    assert(slab != NULL && index < slab->used);
    *slab_link(slab, index) = slab->free_head;
    slab->free_head = index + 1;
}

void *rs_slab_at(const rs_slab *slab, uint32_t index) {
    assert(slab != NULL && index < slab->used);
    return (char *)slab->items + (size_t)index * slab->item_size;
}
