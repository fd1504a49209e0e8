/* slab.h — a growable array of fixed-size records with a free list, for the requests a
 * strategy has in flight: a record's index is the tag it gives the runtime, so a reply finds
 * its record in O(1), and a released index is reused first. Each record type keeps the free
 * list's link in a uint32_t field whose offset the slab is given. Bounded by RS_IN_FLIGHT_MAX;
 * growth doubles (amortised O(1)); new records are zeroed. Pure C, no runtime calls. */
#ifndef RS_SLAB_H
#define RS_SLAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_slab {
    void *items;              /* capacity records of item_size bytes (owned) */
    size_t item_size;         /* bytes per record */
    size_t link_offset;       /* offset of the record's uint32_t free-list link */
    uint32_t capacity;        /* records allocated */
    uint32_t used;            /* records handed out at least once */
    uint32_t free_head;       /* first free record + 1; 0 = none */
} rs_slab;

/* An empty slab of records of `item_size` bytes whose free-list link is at `link_offset`. */
void rs_slab_init(rs_slab *slab, size_t item_size, size_t link_offset);
void rs_slab_free(rs_slab *slab);
/* A free record's index, or -1 at the in-flight limit or without memory. */
int64_t rs_slab_take(rs_slab *slab);
/* Gives record `index` back (it must be taken). */
void rs_slab_release(rs_slab *slab, uint32_t index);
/* The record at `index` (< used); valid until the next take. */
void *rs_slab_at(const rs_slab *slab, uint32_t index);

#endif
