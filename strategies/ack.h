/* ack.h — the write-acknowledgement rule shared by strategies: given how many of a request's
 * targets must confirm (the consistency policy's write quorum) and how many were asked, decide
 * once — as early as possible — whether the client gets "ok" or "quorum not reached"
 * (the chapter's StrongConsistencyWithQuorum). The tracker is pure arithmetic;
 * rs_ack_answer turns its decision into the one answer to the client. */
#ifndef RS_ACK_H
#define RS_ACK_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/runtime.h"

typedef enum rs_ack_decision {
    RS_ACK_PENDING,       /* not decided yet (or decided earlier: the decision is given once) */
    RS_ACK_SUCCEEDED,     /* this result completed the quorum */
    RS_ACK_FAILED         /* this result made the quorum impossible */
} rs_ack_decision;

typedef struct rs_ack_tracker {
    uint32_t needed;      /* confirmations required, 1..total */
    uint32_t total;       /* targets asked */
    uint32_t confirmed;   /* ok results so far */
    uint32_t failed;      /* error or timeout results so far */
    bool decided;         /* a decision has been returned */
} rs_ack_tracker;

void rs_ack_tracker_init(rs_ack_tracker *tracker, uint32_t needed, uint32_t total);
/* Records one target's result. Returns SUCCEEDED or FAILED exactly once, on the result that
 * decides; PENDING otherwise. At most `total` results may be recorded. */
rs_ack_decision rs_ack_tracker_record(rs_ack_tracker *tracker, bool ok);

/* A target store a request writes with several appends (one per group of its events, as
 * conditional and geographic do): it counts once toward the quorum — failed at its first
 * error or timeout, confirmed when its last append is. */
typedef struct rs_ack_target {
    uint32_t outstanding;     /* appends to it still unanswered */
    bool decided;             /* its result went to the tracker */
} rs_ack_target;

/* Records the reply (`ok` or not) to one of `target`'s appends; when that decides the
 * target, records it in `tracker` and returns the tracker's decision (rs_ack_tracker_record),
 * else PENDING. A NULL tracker: the target is not counted (an exploration write). */
rs_ack_decision rs_ack_target_record(rs_ack_tracker *tracker, rs_ack_target *target, bool ok);

/* Answers client request `client_request` through `runtime` when `decision` decided: ok when
 * SUCCEEDED, quorum_not_reached when FAILED; nothing when PENDING. */
void rs_ack_answer(rs_runtime runtime, uint64_t client_request, rs_ack_decision decision);

#endif
