/* fault.c — see fault.h: pure questions about one fault, no state. */
#include "faults/fault.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

const char *rs_fault_kind_name(rs_fault_kind kind) {
    static const char *const names[RS_FAULT_KIND_COUNT] = {
        "partition", "crash", "link", "duplicate", "reorder", "slow_store", "full_store", "clock",
        "corrupt"};
    assert(kind < RS_FAULT_KIND_COUNT);
    return names[kind];
}

const char *rs_fault_kind_description(rs_fault_kind kind) {
    static const char *const descriptions[RS_FAULT_KIND_COUNT] = {
        "groups: 2-8 lists of names, one_way: bool; messages across the cut are lost",
        "node: a store or manager; it stops, loses what its durability (store) or memory "
        "(manager) does not keep, restarts at the end",
        "between: two names, extra_latency_ms >= 0, loss 0..1; slower or lossy traffic",
        "between: two names, probability (0..1]; a message is delivered twice",
        "between: two names, probability (0..1], delay_ms_max (0..10000]; a message is held "
        "back uniform (0, delay_ms_max] so later ones overtake it",
        "store: a store or region, factor (1..1000]; append service time x factor",
        "store: a store or region; appends whose service ends in the window fail (store_error)",
        "node: a manager, offset_ms, drift_ppm (|drift| <= 100000); the manager's now_us is "
        "skewed, simulated time is not",
        "store: a store or region; at the start, a byte of every stored event flips (its "
        "checksum no longer matches)"};
    assert(kind < RS_FAULT_KIND_COUNT);
    return descriptions[kind];
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

bool rs_fault_active(const rs_fault *fault, int64_t now_us) {
    assert(fault != NULL);
    assert(fault->start_us < fault->end_us);
    return fault->start_us <= now_us && now_us < fault->end_us;
}

int64_t rs_fault_clock_us(const rs_fault *fault, int64_t now_us) {
    assert(fault != NULL && fault->kind == RS_FAULT_CLOCK);
    assert(fault->drift_ppm > -1e6 && fault->drift_ppm < 1e6);
    if (!rs_fault_active(fault, now_us)) {
        return now_us;
    }
    double elapsed_us = (double)(now_us - fault->start_us);
    return now_us + llround(fault->offset_ms * 1000.0 + elapsed_us * fault->drift_ppm / 1e6);
}
