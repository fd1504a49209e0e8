/* test_history.c — pins the compact history pieces that keep a stored event-replica small:
 * the store's set of held ids as a bitmap (model/idset.h: growth, membership, count), the
 * 16-byte append record whose version and checksum default to its event's and are kept aside
 * only when they differ (a copy sent with another version than the first, a corrupt fault's
 * checksum), and final store contents handed over without a copy. */
#include <stdint.h>
#include <stdlib.h>

#include "model/history.h"
#include "model/idset.h"
#include "tests/support/test_util.h"

static void test_idset_bitmap_grows_and_holds_exactly_what_was_inserted(void) {
    rs_idset set;
    rs_idset_init(&set);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 1), 0);             /* empty: no words yet */
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 1), 1);
    CU_ASSERT_EQUAL(set.word_count, 64);                         /* ids 1 .. 4096 */
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 64), 1);
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 65), 1);               /* first bit of word 1 */
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 4096), 1);             /* last bit of word 63 */
    CU_ASSERT_EQUAL(set.word_count, 64);
    CU_ASSERT_EQUAL(set.words[0], UINT64_C(0x8000000000000001)); /* ids 1 and 64 */
    CU_ASSERT_EQUAL(set.words[1], 1);                            /* id 65 */
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 4097), 1);             /* word 64: doubles */
    CU_ASSERT_EQUAL(set.word_count, 128);
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 100000), 1);           /* word 1562: beyond 2x */
    CU_ASSERT_EQUAL(set.word_count, 1563);
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 65), 0);               /* already held */
    CU_ASSERT_EQUAL(rs_idset_insert(&set, 100000), 0);
    CU_ASSERT_EQUAL(set.count, 6);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 64), 1);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 4097), 1);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 2), 0);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 66), 0);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 99999), 0);
    CU_ASSERT_EQUAL(rs_idset_contains(&set, 10000000), 0);       /* beyond the words */
    CU_ASSERT_EQUAL(set.words[128], 0);                          /* grown words are zero */
    rs_idset_free(&set);
    CU_ASSERT_PTR_NULL(set.words);
    CU_ASSERT_EQUAL(set.count, 0);
}

static rs_history history;

/* Events 1 (version 3, checksum 0xabc) and 2 (a shared stream's: version 0 until a manager
 * stamps it, checksum 0xdef), two stores. */
static void make_history(void) {
    CU_ASSERT_EQUAL_FATAL(rs_history_init(&history, 2), 0);
    rs_history_add_event(&history, &(rs_history_event){.stream = 1, .version = 3,
                                                       .checksum = 0xabc, .copy_version = 77});
    rs_history_add_event(&history, &(rs_history_event){.stream = 2, .version = 0,
                                                       .checksum = 0xdef});
}

static size_t append(uint16_t store, uint32_t event, uint32_t version, uint32_t checksum) {
    return rs_history_add_append(&history, &(rs_history_append){
        .store = store, .event = event, .time_us = 1000 * (int64_t)history.append_count,
        .aside = 1}, version, checksum);
}

static void test_append_version_and_checksum_default_to_the_event_and_exceptions_are_aside(void) {
    CU_ASSERT_EQUAL(sizeof(rs_history_append), 16);
    CU_ASSERT_EQUAL(sizeof(rs_history_receipt), 16);
    make_history();
    CU_ASSERT_EQUAL(history.events[0].copy_version, RS_HISTORY_NO_VERSION); /* 77 ignored */
    CU_ASSERT_EQUAL(append(0, 1, 3, 0xabc), 0);
    CU_ASSERT_EQUAL(append(1, 1, 3, 0xabc), 1);
    CU_ASSERT_EQUAL(append(0, 2, 5, 0xdef), 2);    /* first copy of event 2: stamped 5 */
    CU_ASSERT_EQUAL(append(1, 2, 6, 0xdef), 3);    /* another copy sent as 6: an exception */
    CU_ASSERT_EQUAL(append(1, 1, 3, 0x123), 4);    /* arrived damaged: an exception */
    CU_ASSERT_EQUAL(history.events[0].copy_version, 3);
    CU_ASSERT_EQUAL(history.events[1].copy_version, 5);
    const uint8_t aside[] = {0, 0, 0, 1, 1}; /* the caller's .aside = 1 is ignored */
    const uint32_t versions[] = {3, 3, 5, 6, 3}, checksums[] = {0xabc, 0xabc, 0xdef, 0xdef, 0x123};
    for (size_t a = 0; a < 5; a++) {
        CU_ASSERT_EQUAL(history.appends[a].aside, aside[a]);
        CU_ASSERT_EQUAL(rs_history_append_version(&history, a), versions[a]);
        CU_ASSERT_EQUAL(rs_history_append_checksum(&history, a), checksums[a]);
        CU_ASSERT_EQUAL(history.appends[a].time_us, 1000 * (int64_t)a);
    }
    CU_ASSERT_EQUAL(history.appends[3].store, 1);
    CU_ASSERT_EQUAL(history.appends[3].event, 2);
    CU_ASSERT_EQUAL(history.aside_count, 2);
    /* a corrupt fault changes a stored checksum: the version stays, the event's is untouched */
    rs_history_set_append_checksum(&history, 2, 0xdef ^ 0x100);
    rs_history_set_append_checksum(&history, 3, 0xdef ^ 0x200);  /* already aside: updated */
    CU_ASSERT_EQUAL(history.appends[2].aside, 1);
    CU_ASSERT_EQUAL(rs_history_append_checksum(&history, 2), 0xdef ^ 0x100);
    CU_ASSERT_EQUAL(rs_history_append_version(&history, 2), 5);
    CU_ASSERT_EQUAL(rs_history_append_checksum(&history, 3), 0xdef ^ 0x200);
    CU_ASSERT_EQUAL(rs_history_append_version(&history, 3), 6);
    CU_ASSERT_EQUAL(history.events[1].checksum, 0xdef);
    CU_ASSERT_EQUAL(history.aside_count, 3);
    rs_history_free(&history);
}

/* Exceptions beyond the table's first 64 slots (load <= 1/2): every one survives regrowth. */
static void test_many_exceptions_survive_the_table_growing(void) {
    make_history();
    for (uint32_t a = 0; a < 1000; a++) {
        append((uint16_t)(a % 2), 1, 3, 0xabc);
    }
    for (size_t a = 0; a < 1000; a += 2) { /* a corrupt store 0 */
        rs_history_set_append_checksum(&history, a, 0xabc ^ (uint32_t)(a + 1));
    }
    CU_ASSERT_EQUAL(history.aside_count, 500);
    CU_ASSERT_EQUAL(history.aside_capacity, 1024);
    uint64_t damaged = 0, sum = 0;
    for (size_t a = 0; a < 1000; a++) {
        uint32_t checksum = rs_history_append_checksum(&history, a);
        damaged += checksum != 0xabc;
        sum += checksum ^ 0xabc;
        CU_ASSERT_EQUAL(rs_history_append_version(&history, a), 3);
    }
    CU_ASSERT_EQUAL(damaged, 500);
    CU_ASSERT_EQUAL(sum, 250000); /* 1 + 3 + ... + 999 */
    rs_history_free(&history);
}

static void test_final_contents_are_copied_to_32_bits_or_handed_over(void) {
    make_history();
    rs_history_set_final(&history, 0, (const rs_event_id[]){2, 1}, 2);
    uint32_t *handed = malloc(3 * sizeof *handed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(handed);
    handed[0] = 1;
    handed[1] = 2;
    handed[2] = 2;
    rs_history_take_final(&history, 1, handed, 3);
    CU_ASSERT_EQUAL(history.final_count[0], 2);
    CU_ASSERT_EQUAL(history.final_events[0][0], 2);
    CU_ASSERT_EQUAL(history.final_events[0][1], 1);
    CU_ASSERT_PTR_EQUAL(history.final_events[1], handed); /* no copy */
    CU_ASSERT_EQUAL(history.final_count[1], 3);
    rs_history_set_final(&history, 1, NULL, 0);            /* replaced: the old one freed */
    CU_ASSERT_PTR_NULL(history.final_events[1]);
    CU_ASSERT_EQUAL(history.final_count[1], 0);
    rs_history_free(&history);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"idset bitmap", test_idset_bitmap_grows_and_holds_exactly_what_was_inserted},
        {"append accessors and exceptions",
         test_append_version_and_checksum_default_to_the_event_and_exceptions_are_aside},
        {"many exceptions", test_many_exceptions_survive_the_table_growing},
        {"final contents", test_final_contents_are_copied_to_32_bits_or_handed_over},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("history", tests);
    return rs_test_run_all();
}
