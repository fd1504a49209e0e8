/* idset.c — see idset.h. Growth: to twice the words, or to the words the new id needs if
 * more, at least IDSET_WORDS_MIN; the new words are zeroed. */
#include "model/idset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define IDSET_WORDS_MIN 64 /* first allocation: ids 1 .. 4096 */

void rs_idset_init(rs_idset *set) {
    assert(set != NULL);
    set->words = NULL;
    set->word_count = 0;
    set->count = 0;
}

void rs_idset_free(rs_idset *set) {
    assert(set != NULL);
    free(set->words);
    rs_idset_init(set);
}

/* Makes word `word` exist; -1 when out of memory. */
static int idset_grow(rs_idset *set, size_t word) {
    size_t count = set->word_count < IDSET_WORDS_MIN ? IDSET_WORDS_MIN : set->word_count * 2;
    count = count <= word ? word + 1 : count;
    if (count > SIZE_MAX / sizeof *set->words) {
        return -1;
    }
    uint64_t *words = realloc(set->words, count * sizeof *words);
    if (words == NULL) {
        return -1;
    }
    memset(&words[set->word_count], 0, (count - set->word_count) * sizeof *words);
    set->words = words;
    set->word_count = count;
    return 0;
}

int rs_idset_insert(rs_idset *set, uint64_t id) {
    assert(set != NULL);
    assert(id != 0);
    size_t word = (size_t)((id - 1) / 64);
    uint64_t bit = UINT64_C(1) << ((id - 1) % 64);
    if (word >= set->word_count && idset_grow(set, word) != 0) {
        return -1;
    }
    if ((set->words[word] & bit) != 0) {
        return 0;
    }
    set->words[word] |= bit;
    set->count++;
    return 1;
}

int rs_idset_contains(const rs_idset *set, uint64_t id) {
    assert(set != NULL);
    assert(id != 0);
    size_t word = (size_t)((id - 1) / 64);
    return word < set->word_count && (set->words[word] & (UINT64_C(1) << ((id - 1) % 64))) != 0;
}
