/* conflicts.h — multi-primary conflicts as the history shows them (checks/conflicts.c): shared
 * by the `conflicts` invariant and the report's "conflicts" section. */
#ifndef RS_CHECK_CONFLICTS_H
#define RS_CHECK_CONFLICTS_H

#include <stddef.h>
#include <stdint.h>

#include "model/history.h" /* and, through it, the limits (RS_REGIONS_MAX) */

typedef struct rs_conflict_key {
    rs_stream_id stream;              /* the stream */
    uint32_t version;                 /* the contested version */
    rs_event_id low, high;            /* the two events, ordered */
    size_t report;                    /* index in history->conflicts */
} rs_conflict_key;

typedef struct rs_conflict_summary {
    uint64_t happened;                /* (stream, version) with two events in the appends */
    uint64_t reported;                /* (stream, version) some manager reported resolving */
    uint64_t reports;                 /* reports (one per manager that saw the conflict) */
    uint64_t undetected;              /* happened, reported by none */
    uint64_t disagreements;           /* one pair reported with different winners */
    uint64_t wins[RS_REGIONS_MAX];    /* distinct conflicts won, by the winner's region */
    rs_conflict_key *distinct;        /* the distinct reported pairs, sorted (owned) */
    size_t distinct_count;
} rs_conflict_summary;

/* Fills `out` from the history; 0, or -1 without memory. rs_conflicts_free releases it. */
int rs_conflicts_compute(const rs_history *history, rs_conflict_summary *out);
void rs_conflicts_free(rs_conflict_summary *summary);

#endif
