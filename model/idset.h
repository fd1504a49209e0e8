/* idset.h — a set of ids (event ids held by a store) as a bitmap: bit id - 1 is set when id is
 * held. Event ids are dense (1 .. events of the run), so a store holding most of them pays a
 * bit per id, and one holding few pays a bit per id up to its highest (the loader's memory
 * estimate counts events / 8 bytes per store). Grows by doubling, zero-filled. No iteration
 * API, so nothing about its layout can leak into outputs. */
#ifndef RS_IDSET_H
#define RS_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_idset {
    uint64_t *words;      /* word_count words; bit (id - 1) % 64 of word (id - 1) / 64 */
    size_t word_count;    /* words allocated, 0 before the first insert */
    size_t count;         /* ids held */
} rs_idset;

void rs_idset_init(rs_idset *set);
void rs_idset_free(rs_idset *set);
/* Inserts `id` (> 0). Returns 1 if added, 0 if already present, -1 when out of memory. */
int rs_idset_insert(rs_idset *set, uint64_t id);
int rs_idset_contains(const rs_idset *set, uint64_t id);

#endif
