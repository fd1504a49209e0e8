/* fault.h — the fault schedule: what goes wrong, where and when. A scenario lists faults,
 * each with a window [start, end) of simulated time; the model applies them at its seams only
 * (the simulated network at send and at delivery, the node loop, the store), never inside
 * strategies. Everything is resolved to indices by the loader (model/scenario_faults.c).
 *
 * Nodes are named "region/store-K", "region/manager-K", "region/client-K" (K from 1), and a
 * selector names either one node or a whole region. */
#ifndef RS_FAULT_H
#define RS_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/limits.h"


typedef enum rs_fault_kind {
    RS_FAULT_PARTITION,   /* messages between groups are lost (one way or both) */
    RS_FAULT_CRASH,       /* a store or manager stops, loses volatile state, restarts */
    RS_FAULT_LINK,        /* extra latency and/or loss on traffic between two selectors */
    RS_FAULT_DUPLICATE,   /* a message between two selectors is delivered twice */
    RS_FAULT_REORDER,     /* a message between two selectors is held back, so later ones
                             overtake it */
    RS_FAULT_SLOW_STORE,  /* a store's append service time is multiplied */
    RS_FAULT_FULL_STORE,  /* a store rejects appends with an error */
    RS_FAULT_CLOCK,       /* a manager's local clock is offset and drifts */
    RS_FAULT_CORRUPT,     /* bytes of a store's stored events flip at the window's start */
    RS_FAULT_KIND_COUNT
} rs_fault_kind;

typedef struct rs_fault_selector {
    bool is_region;       /* a whole region, or one node */
    uint32_t index;       /* region index, or global node index */
    uint32_t group;       /* partition: the group it belongs to; link: 0 or 1 (its side) */
} rs_fault_selector;

typedef struct rs_fault {
    rs_fault_kind kind;                               /* what */
    int64_t start_us;                                 /* window start, simulated time */
    int64_t end_us;                                   /* window end (exclusive), > start */
    bool one_way;                                     /* partition: group 0 cannot reach the
                                                         others; they still reach it */
    uint32_t group_count;                             /* partition: 2..RS_FAULT_GROUPS_MAX */
    uint32_t selector_count;                          /* members named */
    rs_fault_selector selectors[RS_FAULT_SELECTORS_MAX];
    uint32_t node;                                    /* crash: global node index */
    double extra_latency_ms;                          /* link: added to every message */
    double loss;                                      /* link: probability a message is lost */
    double probability;                               /* duplicate, reorder: per message */
    double delay_ms_max;                              /* reorder: a held-back message waits
                                                         uniform (0, delay_ms_max] more */
    double factor;                                    /* slow_store: service time multiplier */
    double offset_ms;                                 /* clock: skew added while active */
    double drift_ppm;                                 /* clock: rate error while active, from
                                                         the window's start */
    char label[160];                                  /* "partition [eu] | [us, ap]": for
                                                         reports (scenario names, escaped
                                                         by each writer) */
} rs_fault;

/* Name as written in scenarios ("partition", "crash", "link", "duplicate", "reorder",
 * "slow_store", "full_store", "clock", "corrupt"). */
const char *rs_fault_kind_name(rs_fault_kind kind);

/* The group (0..) node `node` of region `region` belongs to under `fault`, or -1 when the
 * fault does not name it. A node selector wins over its region's. O(selectors). */
int rs_fault_group_of(const rs_fault *fault, uint32_t node, uint32_t region);

/* Does partition `fault` stop a message from `from_group` to `to_group`? */
bool rs_fault_partition_blocks(const rs_fault *fault, int from_group, int to_group);

/* One line for `replsim list`: the kind's own fields (besides kind, at_s, for_s / until_s)
 * and what it does. */
const char *rs_fault_kind_description(rs_fault_kind kind);

/* Is `fault` active at simulated time `now_us` (start <= now < end)? */
bool rs_fault_active(const rs_fault *fault, int64_t now_us);

/* The local clock of a node under clock fault `fault` at true time `now_us` (µs): true time
 * plus offset_ms plus drift_ppm of the time elapsed since the window's start, while active;
 * true time otherwise. Monotonic within the window (|drift_ppm| < 10^6, the loader's bound). */
int64_t rs_fault_clock_us(const rs_fault *fault, int64_t now_us);

#endif
