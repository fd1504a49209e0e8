/* history.h — what happened in a run, recorded by the simulated world (never by strategies):
 * every client request and its outcome, every store append, final store contents, message
 * counts. Reports compute metrics from it and checkers judge the run from it alone.
 *
 * Times are int64 microseconds of simulated (global) time. Event ids are dense: event k has
 * id k+1 and lives at events[k]; the records keep them in 32 bits (RS_EVENTS_MAX is far
 * below). Arrays grow geometrically; their counts are bounded by the budgets in strategies/
 * limits.h, checked by the loader before the run. Memory per stored event-replica, the unit
 * that dominates a long run, is an append (16 B) and a receipt (16 B) here plus the store's
 * 4-byte log entry (model/node_store.c): see rs_history_append. */
#ifndef RS_HISTORY_H
#define RS_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "strategies/types.h"

typedef struct rs_history_event {
    rs_stream_id stream;          /* stream id */
    uint32_t version;             /* version in its stream */
    uint16_t type_index;          /* scenario event type */
    uint16_t origin_region;       /* region of the client that created it */
    uint32_t size_bytes;          /* payload size */
    uint32_t checksum;            /* rs_event_checksum at creation */
    uint32_t request_index;       /* index in requests[] of the append that carried it, or
                                     RS_HISTORY_NO_REQUEST (a compensating event) */
    uint32_t copy_version;        /* the version its first stored copy carried (multi-primary
                                     stamps versions at the manager), RS_HISTORY_NO_VERSION
                                     before; set by the history: read copies' versions with
                                     rs_history_append_version */
    rs_event_id compensates;      /* a compensating event: the event it cancels; else 0 */
    int64_t created_us;           /* creation at the client */
} rs_history_event;

/* request_index of an event no client request carried (a consistency checker's compensating
 * event). */
#define RS_HISTORY_NO_REQUEST UINT32_MAX
/* copy_version of an event no store has appended yet (versions are counters far below). */
#define RS_HISTORY_NO_VERSION UINT32_MAX

typedef struct rs_history_request {
    uint32_t client;              /* client index (global, in region order) */
    uint32_t manager;             /* manager index (global) the client sent it to */
    rs_event_id first_event;      /* events first_event .. first_event + event_count - 1 */
    uint32_t event_count;         /* >= 1 */
    rs_status status;             /* outcome the client received; RS_ERR_TIMEOUT if none */
    int64_t invoke_us;            /* client sent it */
    int64_t manager_arrival_us;   /* manager received it; -1 if it never arrived */
    int64_t manager_ack_us;       /* manager answered; -1 if it never did */
    int64_t client_ack_us;        /* client received the answer; -1 if it never did */
} rs_history_request;

/* A store's append of one event: one per event-replica, the largest record array, so 16 B.
 * The version and checksum of the copy are not members: they are the event's (its
 * copy_version and checksum) except in rare cases — a corrupt fault changed the checksum, or
 * a strategy sent one event with two versions (none does today: multi-primary stamps each
 * event once, at its accepting manager) — kept aside in the history's exceptions. Read them
 * with rs_history_append_version and rs_history_append_checksum. */
typedef struct rs_history_append {
    int64_t time_us;              /* when the store applied it (after service time) */
    uint32_t event;               /* which event (ids <= RS_EVENTS_MAX fit 32 bits) */
    uint16_t store;               /* global store index (< RS_STORES_MAX) */
    uint8_t duplicate;            /* 1 when the store already held it (idempotent no-op) */
    uint8_t aside;                /* 1 when its version or checksum differs from the event's:
                                     kept in the exceptions (set by the history) */
} rs_history_append;

/* An append whose version or checksum differs from its event's: one slot of the history's
 * open-addressing table of exceptions, keyed by append index + 1 (0 = empty slot). */
typedef struct rs_history_aside {
    uint64_t key;                 /* append index + 1, or 0 */
    uint32_t version;             /* the copy's version */
    uint32_t checksum;            /* the copy's checksum as stored */
} rs_history_aside;

/* A store's ok reply for an event, as its manager received it and handed it to the strategy:
 * the confirmations a strategy could know of (quorum honesty is judged on these). */
typedef struct rs_history_receipt {
    int64_t time_us;              /* when the manager received the reply */
    uint32_t event;               /* the event confirmed (ids fit 32 bits) */
    uint32_t store;               /* the store that confirmed */
} rs_history_receipt;

typedef enum rs_message_kind {
    RS_MSG_CLIENT_APPEND,         /* client -> manager */
    RS_MSG_CLIENT_ACK,            /* manager -> client */
    RS_MSG_STORE_APPEND,          /* manager -> store */
    RS_MSG_STORE_REPLY,           /* store -> manager */
    RS_MSG_HEALTH_PING,           /* manager -> store: a health probe */
    RS_MSG_HEALTH_PONG,           /* store -> manager: its answer */
    RS_MSG_STORE_DIGEST,          /* manager -> store: digests of its streams, from one */
    RS_MSG_DIGEST_REPLY,          /* store -> manager: a page of stream digests */
    RS_MSG_STORE_READ,            /* manager -> store: the events of one stream */
    RS_MSG_READ_REPLY,            /* store -> manager: those events */
    RS_MSG_CLIENT_READ,           /* client -> manager: a read of one stream */
    RS_MSG_READ_ACK,              /* manager -> client: its answer (status, version) */
    RS_MSG_PEER_SYNC,             /* manager -> manager: events it accepted (multi-primary) */
    RS_MSG_KIND_COUNT
} rs_message_kind;

const char *rs_message_kind_name(rs_message_kind kind);

/* A crash of a store or manager, as it happened (the fault window is in the scenario). */
typedef struct rs_history_crash {
    uint32_t node;                /* global node index */
    int64_t time_us;              /* when it went down */
    uint64_t events_lost;         /* store: log entries its durability policy lost */
} rs_history_crash;

/* A change of a store's health state as one manager's probes saw it (health checks). */
typedef struct rs_history_health {
    uint32_t manager;             /* manager index (global) whose probes decided it */
    uint32_t store;               /* global store index */
    int64_t time_us;              /* when the state changed */
    uint8_t healthy;              /* the new state: 1 healthy, 0 unhealthy */
} rs_history_health;

/* A client's read of one stream (workload.reads): random, or a read-after-write probe. */
typedef struct rs_history_read {
    uint32_t client;              /* client index (global) */
    int32_t probe;                /* index of the probe delay, or -1 for a random read */
    rs_stream_id stream;          /* the stream read */
    int64_t invoke_us;            /* the client sent it */
    int64_t client_ack_us;        /* the client got the answer; -1 if it never did */
    rs_status status;             /* the answer; RS_ERR_TIMEOUT when none came */
    uint32_t version;             /* ok: the highest version the read quorum returned */
} rs_history_read;

/* A conflict a manager reported resolving (multi-primary): two distinct events at the same
 * version of a stream. */
typedef struct rs_history_conflict {
    uint32_t manager;             /* manager index (global) that resolved it */
    rs_stream_id stream;          /* the stream */
    uint32_t version;             /* the contested version */
    rs_event_id winner;           /* keeps the version (or goes first: keep_both) */
    rs_event_id loser;            /* the other */
    uint16_t winner_region;       /* region of the manager that accepted the winner */
    uint16_t loser_region;        /* likewise for the loser */
    int64_t time_us;              /* when it was resolved */
    char resolution[16];          /* "lww", "region_priority", "keep_both" */
} rs_history_conflict;

/* A copy a strategy said it abandoned (runtime report_abandoned): `event` will not be
 * replicated to `store` by it. */
typedef struct rs_history_abandon {
    uint32_t store;               /* global store index */
    rs_event_id event;            /* the event */
    int64_t time_us;              /* when it was reported */
} rs_history_abandon;

typedef struct rs_history {
    size_t event_count, event_capacity;
    rs_history_event *events;           /* by event id - 1 */
    size_t request_count, request_capacity;
    rs_history_request *requests;       /* in invoke order */
    size_t append_count, append_capacity;
    rs_history_append *appends;         /* in simulated-time order; < 2^32 of them */
    size_t aside_count, aside_capacity;
    rs_history_aside *asides;           /* appends' exceptions (rs_history_append): hash
                                           table, load <= 1/2, capacity a power of two */
    size_t receipt_count, receipt_capacity;
    rs_history_receipt *receipts;       /* in simulated-time order */
    size_t abandon_count, abandon_capacity;
    rs_history_abandon *abandons;       /* as strategies reported them, in time order */
    size_t conflict_count, conflict_capacity;
    rs_history_conflict *conflicts;     /* as managers reported them, in time order */
    size_t read_count, read_capacity;
    rs_history_read *reads;             /* in invoke order */
    size_t health_count, health_capacity;
    rs_history_health *health;          /* health state changes, in simulated-time order */
    uint64_t messages[RS_MSG_KIND_COUNT];       /* messages sent, by kind */
    uint64_t message_bytes[RS_MSG_KIND_COUNT];  /* simulated bytes sent, by kind */
    uint32_t store_count;                /* stores in the topology */
    size_t *final_count;                 /* per store: events held at the end */
    uint32_t **final_events;             /* per store: event ids in log order at the end */
    uint64_t messages_dropped;           /* lost to faults (partition, down node, loss) */
    uint64_t messages_duplicated;        /* extra copies a duplicate fault delivered */
    uint64_t messages_reordered;         /* messages a reorder fault held back */
    uint64_t appends_rejected;           /* append requests a full_store fault refused */
    uint64_t events_corrupted;           /* stored copies a corrupt fault damaged (their
                                            append records' checksums were changed) */
    uint32_t crash_count;                /* entries used in crashes */
    rs_history_crash crashes[RS_FAULTS_MAX]; /* in time order: at most one per crash fault */
    int64_t workload_end_us;             /* when clients stopped issuing requests */
    int64_t end_us;                      /* when the simulation stopped */
} rs_history;

/* Initialises an empty history for `store_count` stores. Returns 0, or -1 when out of memory. */
int rs_history_init(rs_history *history, uint32_t store_count);
void rs_history_free(rs_history *history);

/* Appenders: each returns the index of the new record, or aborts when out of memory (the
 * loader's budgets keep the sizes far below what the machine holds). */
size_t rs_history_add_event(rs_history *history, const rs_history_event *event);
size_t rs_history_add_request(rs_history *history, const rs_history_request *request);
/* The copy carried `version` and `checksum`; append->aside is ignored (the history sets it). */
size_t rs_history_add_append(rs_history *history, const rs_history_append *append,
                             uint32_t version, uint32_t checksum);
size_t rs_history_add_receipt(rs_history *history, const rs_history_receipt *receipt);
size_t rs_history_add_health(rs_history *history, const rs_history_health *change);
size_t rs_history_add_read(rs_history *history, const rs_history_read *read);
size_t rs_history_add_conflict(rs_history *history, const rs_history_conflict *conflict);
size_t rs_history_add_abandon(rs_history *history, const rs_history_abandon *abandon);

/* The version and checksum of append `index`'s copy as the store holds it. */
uint32_t rs_history_append_version(const rs_history *history, size_t index);
uint32_t rs_history_append_checksum(const rs_history *history, size_t index);
/* Changes the stored checksum of append `index`'s copy (a corrupt fault). */
void rs_history_set_append_checksum(rs_history *history, size_t index, uint32_t checksum);

/* Records store `store`'s final contents (copied). */
void rs_history_set_final(rs_history *history, uint32_t store, const rs_event_id *events, size_t count);
/* Likewise, taking ownership of `events` (malloc'd, `count` ids; NULL when count is 0): no
 * copy. */
void rs_history_take_final(rs_history *history, uint32_t store, uint32_t *events, size_t count);

#endif
