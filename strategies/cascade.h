/* cascade.h — cascade replication: the targets form a chain in scenario order and store k is
 * written only after store k-1 confirmed (the chapter's CascadeReplicationStrategy), with
 * per-hop retries, an optional per-hop size transform and an optional resume of a stopped
 * chain. See cascade.c. */
#ifndef RS_CASCADE_H
#define RS_CASCADE_H

#include <stdint.h>

#include "strategies/strategy.h"

/* Upper bound of max_retries: a hop that needs more than 100 extra attempts is a dead store,
 * and that is what `resume` is for. */
#define RS_CASCADE_RETRIES_MAX 100

enum {
    RS_CASCADE_PARAM_TIMEOUT_MS = 0,
    RS_CASCADE_PARAM_SIZE_FACTOR,
    RS_CASCADE_PARAM_MAX_RETRIES,
    RS_CASCADE_PARAM_RETRY_BACKOFF_MS,
    RS_CASCADE_PARAM_RESUME,
    RS_CASCADE_PARAM_RESUME_INTERVAL_MS,
    RS_CASCADE_PARAM_COUNT
};

extern const rs_component rs_cascade_component;

/* The chapter's transformStream for one event: the size, in bytes, an event of `size_bytes`
 * has on chain hop `hop` (0 = the first store, which gets the original size): size_bytes x
 * size_factor^hop, rounded to nearest, at least 1 and at most RS_EVENT_BYTES_MAX. */
uint32_t rs_cascade_hop_size_bytes(uint32_t size_bytes, double size_factor, uint32_t hop);

#endif
