/* idset.h — a set of 64-bit ids (event ids held by a store): open addressing with linear
 * probing, load factor at most 1/2, grows by doubling. Id 0 is reserved as the empty slot.
 * Lookup order never leaks into outputs (no iteration API), so pointer or hash order cannot
 * make a run nondeterministic. */
#ifndef RS_IDSET_H
#define RS_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_idset {
    uint64_t *slots;      /* capacity entries, 0 = empty */
    size_t capacity;      /* power of two, or 0 before the first insert */
    size_t count;         /* ids held */
} rs_idset;

void rs_idset_init(rs_idset *set);
void rs_idset_free(rs_idset *set);
/* Inserts `id` (> 0). Returns 1 if added, 0 if already present, -1 when out of memory. */
int rs_idset_insert(rs_idset *set, uint64_t id);
int rs_idset_contains(const rs_idset *set, uint64_t id);

#endif
