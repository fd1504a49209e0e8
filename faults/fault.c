/* fault.c — see fault.h: pure questions about one fault, no state. */
#include "faults/fault.h"

#include <assert.h>
#include <stddef.h>

const char *rs_fault_kind_name(rs_fault_kind kind) {
    static const char *const names[RS_FAULT_KIND_COUNT] = {"partition", "crash", "link"};
    assert(kind < RS_FAULT_KIND_COUNT);
    return names[kind];
}

int rs_fault_group_of(const rs_fault *fault, uint32_t node, uint32_t region) {
    assert(fault != NULL);
    assert(fault->selector_count <= RS_FAULT_SELECTORS_MAX);
    int by_region = -1;
    for (uint32_t i = 0; i < fault->selector_count; i++) {
        const rs_fault_selector *selector = &fault->selectors[i];
        if (!selector->is_region && selector->index == node) {
            return (int)selector->group;
        }
        if (selector->is_region && selector->index == region) {
            by_region = (int)selector->group;
        }
    }
    return by_region;
}

bool rs_fault_partition_blocks(const rs_fault *fault, int from_group, int to_group) {
    assert(fault != NULL && fault->kind == RS_FAULT_PARTITION);
    assert(from_group < (int)RS_FAULT_GROUPS_MAX && to_group < (int)RS_FAULT_GROUPS_MAX);
    if (from_group < 0 || to_group < 0 || from_group == to_group) {
        return false;
    }
    return fault->one_way ? from_group == 0 : true;
}
