/* types.h — the vocabulary shared by strategies, the model and the reports: status codes,
 * events, event streams (the batch one append carries), identifiers, event types and their
 * attributes.
 *
 * Payload bytes are never materialised: an event's size drives the network model only. Times
 * are int64 microseconds of simulated time (or node-local time where a name says so). */
#ifndef RS_TYPES_H
#define RS_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/limits.h"

typedef enum rs_status {
    RS_OK = 0,
    RS_ERR_QUORUM,        /* "quorum not reached": too few targets confirmed */
    RS_ERR_TIMEOUT,       /* no reply before the deadline */
    RS_ERR_STORE,         /* the store answered with an error (full, unhealthy, ...) */
    RS_ERR_REJECTED,      /* the manager refused the request (queue full, no target) */
    RS_ERR_INPUT,         /* bad configuration or input (loader, CLI) */
    RS_STATUS_COUNT
} rs_status;

/* Short stable label used in reports and metrics ("ok", "quorum_not_reached", ...). */
const char *rs_status_label(rs_status status);

typedef uint64_t rs_event_id;    /* unique across the run; 0 is never a valid id */
typedef uint64_t rs_stream_id;   /* (client global index << 32) | stream index */
typedef uint64_t rs_request_id;  /* a manager's outstanding store request; 0 = none */
typedef uint64_t rs_timer_id;    /* 0 = none */

typedef struct rs_event {
    rs_event_id id;          /* unique, assigned by the event source */
    rs_stream_id stream;     /* the stream the event belongs to */
    uint32_t version;        /* 1-based position in its stream */
    uint16_t type_index;     /* index into the scenario's event types (carries attributes) */
    uint16_t origin_region;  /* region index of the client that produced it */
    uint32_t size_bytes;     /* simulated payload size */
    uint32_t checksum;       /* over the fields above; stores keep it, checks verify it */
    int64_t created_us;      /* simulated time the client created it */
    int64_t hlc_us;          /* multi-primary: the accepting manager's hybrid logical clock
                                when it took the event (µs, local clock); 0 elsewhere. Not
                                covered by the checksum: assigned after creation */
    rs_event_id compensates; /* a compensating event (eventual, revert): the event it
                                cancels; 0 for every other event */
} rs_event;

/* The batch one append carries (the chapter's EventStream). Owned by whoever holds it; the
 * runtime copies what it sends, so a strategy may free or reuse its stream after a call. */
typedef struct rs_event_stream {
    uint32_t count;          /* events in use, 1..RS_EVENTS_PER_APPEND_MAX */
    rs_event *events;        /* count events, in stream order */
} rs_event_stream;

/* An attribute of an event type ("residency": "eu", "amount": 5000), as the scenario gives it
 * (workload.types[].attributes). Every event of the type carries it; conditional replication
 * rules read it. */
typedef struct rs_attribute {
    char key[RS_NAME_MAX];            /* attribute name */
    bool is_number;                   /* number or string value */
    double number;                    /* when is_number */
    char text[RS_ATTR_VALUE_MAX];     /* when !is_number */
} rs_attribute;

/* An event type of the workload: rs_event.type_index indexes the scenario's array of these. */
typedef struct rs_event_type {
    char name[RS_NAME_MAX];           /* unique among types */
    double weight;                    /* normalised so all types sum to 1 */
    uint32_t attribute_count;         /* 0..RS_ATTRIBUTES_MAX */
    rs_attribute attributes[RS_ATTRIBUTES_MAX]; /* attribute_count in use, keys unique */
} rs_event_type;

/* Checksum of an event's identity fields (not of checksum itself). Deterministic. */
uint32_t rs_event_checksum(const rs_event *event);

#endif
