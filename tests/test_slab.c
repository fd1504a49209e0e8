/* test_slab.c — pins the in-flight record slab (strategies/slab.h): indexes are handed out in
 * order, a released index is reused first (last released, first reused), records survive
 * growth, new records are zeroed, and the free-list link lives in the record's own field. */
#include <stddef.h>
#include <stdint.h>

#include "strategies/slab.h"
#include "tests/support/test_util.h"

typedef struct record {
    uint64_t payload;        /* what the owner keeps */
    uint32_t next_free;      /* the slab's link */
} record;

static void test_take_release_reuse_and_growth(void) {
    rs_slab slab;
    rs_slab_init(&slab, sizeof(record), offsetof(record, next_free));
    for (int64_t i = 0; i < 100; i++) {                     /* grows past 64 */
        CU_ASSERT_EQUAL_FATAL(rs_slab_take(&slab), i);
        record *r = rs_slab_at(&slab, (uint32_t)i);
        CU_ASSERT_EQUAL(r->payload, 0);                      /* zeroed when new */
        r->payload = 1000 + (uint64_t)i;
    }
    CU_ASSERT_EQUAL(((record *)rs_slab_at(&slab, 3))->payload, 1003); /* kept by growth */
    rs_slab_release(&slab, 7);
    rs_slab_release(&slab, 42);
    CU_ASSERT_EQUAL(rs_slab_take(&slab), 42);                /* last released first */
    CU_ASSERT_EQUAL(rs_slab_take(&slab), 7);
    CU_ASSERT_EQUAL(rs_slab_take(&slab), 100);               /* then a new one */
    CU_ASSERT_EQUAL(slab.used, 101);
    rs_slab_free(&slab);
    CU_ASSERT_EQUAL(slab.used, 0);
    CU_ASSERT_PTR_NULL(slab.items);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"take, release, reuse, growth", test_take_release_reuse_and_growth},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("slab", tests);
    return rs_test_run_all();
}
