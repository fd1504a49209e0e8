/* batch.h — batch replication: client appends accumulate in one open batch that is flushed to
 * every target as one store append when it is full or its oldest event is batch_timeout_ms
 * old (the chapter's BatchReplicationStrategy). See batch.c. */
#ifndef RS_BATCH_H
#define RS_BATCH_H

#include "strategies/strategy.h"

enum {
    RS_BATCH_PARAM_BATCH_SIZE = 0,
    RS_BATCH_PARAM_BATCH_TIMEOUT_MS,
    RS_BATCH_PARAM_TIMEOUT_MS,
    RS_BATCH_PARAM_COUNT
};

extern const rs_component rs_batch_component;

#endif
