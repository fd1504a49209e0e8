/* ack.c — see ack.h. Success needs `needed` confirmations; failure is certain once more than
 * total - needed targets failed, because the rest can no longer make up the quorum. */
#include "strategies/ack.h"

#include <assert.h>
#include <stddef.h>

void rs_ack_tracker_init(rs_ack_tracker *tracker, uint32_t needed, uint32_t total) {
    assert(tracker != NULL);
    assert(needed >= 1);
    assert(needed <= total);
    tracker->needed = needed;
    tracker->total = total;
    tracker->confirmed = 0;
    tracker->failed = 0;
    tracker->decided = false;
}

rs_ack_decision rs_ack_tracker_record(rs_ack_tracker *tracker, bool ok) {
    assert(tracker != NULL);
    assert(tracker->confirmed + tracker->failed < tracker->total);
    if (ok) {
        tracker->confirmed++;
    } else {
        tracker->failed++;
    }
    if (tracker->decided) {
        return RS_ACK_PENDING;
    }
    if (tracker->confirmed >= tracker->needed) {
        tracker->decided = true;
        return RS_ACK_SUCCEEDED;
    }
    if (tracker->failed > tracker->total - tracker->needed) {
        tracker->decided = true;
        return RS_ACK_FAILED;
    }
    return RS_ACK_PENDING;
}

rs_ack_decision rs_ack_target_record(rs_ack_tracker *tracker, rs_ack_target *target, bool ok) {
    assert(target != NULL);
    assert(target->outstanding > 0);
    target->outstanding--;
    if (tracker == NULL || target->decided || (ok && target->outstanding > 0)) {
        return RS_ACK_PENDING;
    }
    target->decided = true;
    return rs_ack_tracker_record(tracker, ok);
}

void rs_ack_answer(rs_runtime runtime, uint64_t client_request, rs_ack_decision decision) {
    assert(runtime.ops != NULL);
    switch (decision) {
    case RS_ACK_SUCCEEDED: runtime.ops->ack_client(runtime.context, client_request, RS_OK); break;
    case RS_ACK_FAILED:
        runtime.ops->ack_client(runtime.context, client_request, RS_ERR_QUORUM);
        break;
    case RS_ACK_PENDING: break;
    }
}
