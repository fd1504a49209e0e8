/* eventual.h — eventual consistency with compensation (the chapter's
 * EventualConsistencyWithCompensation): a consistency policy whose checker runs in every
 * manager beside the strategy. See eventual.c. */
#ifndef RS_EVENTUAL_H
#define RS_EVENTUAL_H

#include "strategies/strategy.h"

enum {
    RS_EVENTUAL_PARAM_WRITE_QUORUM = 0,   /* confirmations before the client is acked */
    RS_EVENTUAL_PARAM_INTERVAL_MS,        /* between two checks */
    RS_EVENTUAL_PARAM_GRACE_MS,           /* an event younger than this is in flight */
    RS_EVENTUAL_PARAM_QUERY_TIMEOUT_MS,   /* timeout of each digest, read and repair */
    RS_EVENTUAL_PARAM_STREAMS_PER_CHECK,  /* divergent streams examined per check, at most */
    RS_EVENTUAL_PARAM_REPAIR,             /* false: detect and count only (no anti-entropy) */
    RS_EVENTUAL_PARAM_READ_QUORUM,        /* replies a read waits for (workload.reads) */
    RS_EVENTUAL_PARAM_COUNT
};

extern const rs_component rs_eventual_component;

#endif
