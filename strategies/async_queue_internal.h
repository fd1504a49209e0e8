/* async_queue_internal.h — what strategies/async_queue.c (the client-request side: parameters,
 * the request slab, primaries, admission) and strategies/async_queue_jobs.c (the FIFO of
 * replication jobs and the workers draining it) share, private to them (the rs__ prefix marks
 * it internal): the instance's state and the calls each side makes into the other. See
 * async_queue.c for the semantics. */
#ifndef RS_ASYNC_QUEUE_INTERNAL_H
#define RS_ASYNC_QUEUE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/async_queue.h"

/* Tags of worker appends; primary appends use slab indices, below RS_IN_FLIGHT_MAX. */
#define RS__ASYNC_WORKER_TAG_BASE (UINT64_C(1) << 32)
_Static_assert(RS_IN_FLIGHT_MAX < (1LL << 32), "slab indices stay below the worker tags");

typedef enum rs__async_phase {
    RS__ASYNC_PHASE_FREE = 0,      /* slot unused, on the free list */
    RS__ASYNC_PHASE_HELD,          /* waiting for admission (block), primaries not written */
    RS__ASYNC_PHASE_PRIMARY,       /* primary appends in flight */
    RS__ASYNC_PHASE_REPLICATING    /* acked; jobs_left jobs queued or held by workers */
} rs__async_phase;

typedef struct rs__async_request {
    uint64_t client_request;   /* handle to answer the client with */
    rs_event *events;          /* owned copy of the client's stream, kept across slot reuse */
    uint32_t event_count;      /* events in use, 1..RS_EVENTS_PER_APPEND_MAX */
    uint32_t event_capacity;   /* events allocated */
    int64_t primary_sent_us;   /* local time the primary appends were sent */
    int64_t confirmed_us;      /* local time the last primary confirmed: base of replication lag */
    uint32_t primaries_left;   /* primary appends not answered yet */
    rs_status primary_status;  /* RS_OK, or the first failure a primary answered */
    bool answered;             /* the client has its answer (a failure may come before the
                                  last primary replies) */
    uint32_t jobs_left;        /* jobs not finished yet (waiting, in flight, backing off) */
    uint32_t next;             /* free-list or admission-list link: index + 1; 0 = end */
    rs__async_phase phase;     /* where the request is in its life */
} rs__async_request;

typedef struct rs__async_job {
    uint32_t request;          /* slab index of the request whose events it carries */
    uint32_t store;            /* the secondary to write (global store index) */
    int64_t enqueued_us;       /* local time it entered the queue */
} rs__async_job;

typedef enum rs__async_worker_phase {
    RS__ASYNC_WORKER_IDLE = 0,     /* on the idle stack, holds no job */
    RS__ASYNC_WORKER_APPENDING,    /* its job's append is in flight */
    RS__ASYNC_WORKER_BACKING_OFF   /* waiting for its backoff timer before the next attempt */
} rs__async_worker_phase;

typedef struct rs__async_worker {
    rs__async_job job;             /* the job it holds unless idle */
    rs__async_worker_phase phase;  /* what it is doing */
    uint32_t retries;              /* retries made for this job so far, 0..max_retries */
    int64_t backoff_us;            /* wait before its next retry (already capped) */
    rs_timer_id timer;             /* backoff timer while backing off; 0 otherwise */
} rs__async_worker;

typedef struct rs__async_state {
    const rs_strategy_config *config;  /* targets; outlives the instance */
    rs_runtime runtime;                /* the port */
    int64_t timeout_us;                /* per store append */
    int64_t backoff_initial_us;        /* wait before the first retry */
    int64_t backoff_max_us;            /* cap of the doubling wait */
    uint32_t max_retries;              /* retries per job before giving up */
    uint32_t on_full;                  /* RS_ASYNC_QUEUE_ON_FULL_* */
    uint32_t primary_mode;             /* RS_ASYNC_QUEUE_PRIMARY_* */
    uint32_t *stores;                  /* target_count stores: the primaries, then the
                                          secondaries, each group in target order */
    uint32_t primary_count;            /* primaries: stores[0 .. primary_count - 1], >= 1 */
    uint32_t secondary_count;          /* target_count - primary_count: jobs per request */
    bool primary_fell_back;            /* local_region found no target in the manager's
                                          region and writes targets[0] instead */
    rs__async_job *queue;              /* ring buffer of waiting jobs, oldest at queue_head */
    uint32_t queue_capacity;           /* most waiting jobs (the parameter) */
    uint32_t queue_allocated;          /* ring slots allocated, <= queue_capacity */
    uint32_t queue_head;               /* ring index of the oldest waiting job */
    uint32_t queue_depth;              /* waiting jobs */
    uint32_t reserved;                 /* queue places promised to primaries in flight */
    rs__async_worker *workers;         /* worker_count workers */
    uint32_t worker_count;             /* the parameter, 1..RS_ASYNC_QUEUE_WORKERS_MAX */
    uint32_t *idle;                    /* stack of idle worker indices, worker_count entries */
    uint32_t idle_count;               /* idle workers */
    rs__async_request *slots;          /* slab of requests, indexed by primary tag */
    uint32_t slot_capacity;            /* allocated slots */
    uint32_t slot_used;                /* slots handed out at least once */
    uint32_t free_head;                /* first free slot + 1; 0 = none */
    uint32_t held_head;                /* oldest held request + 1; 0 = none */
    uint32_t held_tail;                /* newest held request + 1; 0 = none */
    uint32_t held_count;               /* requests waiting for admission */
    int64_t depth_reported;            /* last queue_depth gauge level; -1 before any */
    bool metrics_announced;            /* counters and gauge were reported at 0 */
    bool never_fits_logged;            /* the "more secondaries than queue_capacity" warning */
} rs__async_state;

/* --- async_queue.c: the request slab ----------------------------------------------------- */

/* Returns slot `index` (no job left) to the free list. */
void rs__async_slot_release(rs__async_state *async, uint32_t index);

/* --- async_queue_jobs.c: the queue and its workers ---------------------------------------- */

/* Appends `job` to the queue, evicting the oldest waiting job when it is full (drop_oldest
 * only: block and reject reserved the room before the primaries were written). */
void rs__async_queue_push(rs__async_state *async, rs__async_job job);
/* Idle workers take the oldest waiting jobs, one each, until either runs out. */
void rs__async_dispatch(rs__async_state *async);
/* Worker `index`'s append to `store` answered `status`: done on ok; else retry after backoff
 * or give the job up (reported abandoned). */
void rs__async_on_worker_reply(rs__async_state *async, uint32_t index, uint32_t store,
                               rs_status status);
/* Worker `index`'s backoff timer `timer` fired: it sends its job again. */
void rs__async_on_backoff_timer(rs__async_state *async, rs_timer_id timer, uint32_t index);

#endif
