/* quorum_read.h — the read coordinator every manager runs when the workload reads (the read
 * half of the chapter's StrongConsistencyWithQuorum). See quorum_read.c. */
#ifndef RS_QUORUM_READ_H
#define RS_QUORUM_READ_H

#include "strategies/strategy.h"

/* Its config's write_quorum field is the read quorum R (1..targets); params are unused. */
extern const rs_strategy_ops rs_quorum_read_ops;

#endif
