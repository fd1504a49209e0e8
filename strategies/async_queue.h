/* async_queue.h — asynchronous replication through a bounded queue (the chapter's
 * AsyncReplicationWithQueue): the client is answered once the primary (the first target) has
 * the events — or, with primary "local_region", every target of the manager's own region;
 * workers then copy them to every other target from a FIFO of replication jobs, retrying with
 * exponential backoff. See async_queue.c (client side) and async_queue_jobs.c (queue, workers). */
#ifndef RS_ASYNC_QUEUE_H
#define RS_ASYNC_QUEUE_H

#include "strategies/strategy.h"

/* Positions in the parameter table (rs_strategy_config.params). */
enum {
    RS_ASYNC_QUEUE_PARAM_TIMEOUT_MS = 0,     /* every store append, primary and secondary */
    RS_ASYNC_QUEUE_PARAM_WORKERS,            /* jobs replicated concurrently */
    RS_ASYNC_QUEUE_PARAM_QUEUE_CAPACITY,     /* waiting jobs the queue holds */
    RS_ASYNC_QUEUE_PARAM_ON_FULL,            /* an RS_ASYNC_QUEUE_ON_FULL_* index */
    RS_ASYNC_QUEUE_PARAM_MAX_RETRIES,        /* retries of one job before it is given up */
    RS_ASYNC_QUEUE_PARAM_BACKOFF_INITIAL_MS, /* wait before the first retry */
    RS_ASYNC_QUEUE_PARAM_BACKOFF_MAX_MS,     /* cap of the doubling wait */
    RS_ASYNC_QUEUE_PARAM_PRIMARY,            /* an RS_ASYNC_QUEUE_PRIMARY_* index */
    RS_ASYNC_QUEUE_PARAM_COUNT
};

/* Values of the on_full parameter (indices into its choices). */
enum {
    RS_ASYNC_QUEUE_ON_FULL_BLOCK = 0,        /* hold the client request until its jobs fit */
    RS_ASYNC_QUEUE_ON_FULL_REJECT,           /* answer rejected at once, write nothing */
    RS_ASYNC_QUEUE_ON_FULL_DROP_OLDEST       /* evict the oldest waiting jobs */
};

/* Values of the primary parameter (indices into its choices). */
enum {
    RS_ASYNC_QUEUE_PRIMARY_FIRST = 0,        /* the first target alone */
    RS_ASYNC_QUEUE_PRIMARY_LOCAL_REGION      /* every target in the manager's region, in
                                                parallel (the first target when there is none) */
};

#define RS_ASYNC_QUEUE_WORKERS_MAX 1024      /* one worker slot costs ~48 bytes; 1024 workers
                                                keep more appends in flight than any WAN link
                                                of the scale target needs */

extern const rs_component rs_async_queue_component;

#endif
