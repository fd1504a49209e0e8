/* bare_star.h — the types of bench/bare_star, the floor replsim's star scenarios are measured
 * against (bare_star.c says what it is): its world, nodes, channels and messages, shared by
 * bare_star.c (building the world, the roles, the actors, main) and bare_engine.c (the engine
 * choices bench/engine.sh compares — how puts are made and messages received — and the
 * command line). Bench-only: nothing in replsim includes it. */
#ifndef RS_BENCH_BARE_STAR_H
#define RS_BENCH_BARE_STAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <simgrid/forward.h>

#include "model/scenario.h"

#define BARE_HEADER_BYTES 64      /* every message's header, as replsim's rs_message_new */
#define BARE_NAME_MAX 32          /* host and mailbox names: "r<region>-h<k>", "c<from>-<to>" */
#define BARE_STACK_CFG "--cfg=contexts/stack-size:128" /* as replsim's world.c, before --cfg */
#define BARE_REAP_BATCH 64        /* --put=async-test: kept handles that trigger a reaping */
#define BARE_ARGS_MAX 64          /* command-line arguments */

typedef enum bare_put { BARE_PUT_DETACHED, BARE_PUT_ASYNC_TEST } bare_put;
typedef enum bare_recv { BARE_RECV_PUMP, BARE_RECV_WAITANY } bare_recv;
typedef enum bare_mailbox { BARE_MAILBOX_PAIR, BARE_MAILBOX_NODE } bare_mailbox;

/* The engine choices under comparison (the defaults first). */
typedef struct bare_options {
    bare_put put;             /* --put: detached puts, or handles kept and tested */
    bare_recv recv;           /* --recv: a pump per channel, or one wait_any actor per node */
    bare_mailbox mailbox;     /* --mailbox: one per (sender, receiver) pair, or per receiver */
} bare_options;

/* --put=async-test: the handles of one actor's puts still kept, oldest first. */
typedef struct bare_outbox {
    sg_comm_t *comms;         /* kept handles */
    uint32_t count, capacity; /* kept, allocated */
    uint32_t reap_at;         /* count that triggers the next reaping (0: BARE_REAP_BATCH) */
} bare_outbox;

typedef enum bare_kind {
    BARE_CLIENT_APPEND,       /* client -> manager: one event */
    BARE_STORE_APPEND,        /* manager -> store: the event */
    BARE_STORE_REPLY,         /* store -> manager: ok */
    BARE_CLIENT_ACK,          /* manager -> client: ok */
    BARE_KIND_COUNT
} bare_kind;


/* A message in flight: allocated by the sender, freed by the receiver (or by SimGrid's clean
 * function if the run ends before delivery). */
typedef struct bare_message {
    bare_kind kind;           /* what it is */
    uint32_t from;            /* sender's node index */
    uint64_t tag;             /* client append/ack: the client's request number; store
                                 append/reply: the manager's slot of the event */
} bare_message;

typedef enum bare_role { BARE_STORE, BARE_MANAGER, BARE_CLIENT } bare_role;

/* A manager's record of one event being replicated. */
typedef struct bare_slot {
    uint32_t client;          /* node index of the client to ack */
    uint64_t request;         /* the client's request number */
    uint32_t replies;         /* store replies received so far */
    uint32_t next_free;       /* free-list link (index + 1), 0 = end */
} bare_slot;

typedef struct bare_world bare_world;
typedef struct bare_node bare_node;

/* A channel from one node to another: its mailbox and the pump actor that drains it. With
 * --mailbox=node, every channel to a node is that node's `inbound` channel. */
typedef struct bare_channel {
    bare_node *receiver;      /* the receiving node */
    sg_mailbox_t mailbox;     /* "c<from>-<to>", or "n<to>" with --mailbox=node */
    char name[BARE_NAME_MAX]; /* the mailbox name */
    bare_outbox outbox;       /* --put=async-test: puts its pump made */
} bare_channel;

struct bare_node {
    bare_world *world;        /* back pointer */
    bare_role role;           /* store, manager or client */
    uint32_t index;           /* global node index: stores, managers, clients (replsim's) */
    uint32_t region;          /* region index */
    uint32_t role_index;      /* index among the nodes of its role */
    char host_name[BARE_NAME_MAX]; /* "r<region>-h<k>" */
    sg_host_t host;           /* its SimGrid host */
    uint32_t manager;         /* clients: node index of the manager they write to */
    int64_t disk_free_us;     /* stores: when the disk finishes the requests it has taken */
    bare_slot *slots;         /* managers: events being replicated */
    uint32_t slot_used, slot_capacity, free_head;
    bare_channel *inbound;    /* --mailbox=node: its one mailbox; NULL otherwise */
    bare_outbox outbox;       /* --put=async-test: puts of its client or wait_any actor */
};

struct bare_world {
    const rs_scenario *scenario;  /* what is simulated */
    uint64_t seed;                /* arrival draws */
    bare_options options;         /* engine choices */
    uint32_t node_count;          /* stores + managers + clients */
    uint32_t store_count, manager_count, client_count;
    bare_node *nodes;             /* node_count nodes, replsim's order */
    bare_channel **channels;      /* [from * node_count + to]; NULL when the pair never talks */
    uint64_t messages[BARE_KIND_COUNT]; /* sent, by kind (replsim counts at send too) */
    uint64_t events;              /* client appends issued */
    uint64_t acked;               /* client acks received */
    int64_t workload_end_us;      /* clients issue strictly before this */
    int64_t end_us;               /* the run ends here (workload + settle) */
};

/* calloc that exits 3 on failure (a zero count allocates one element). */
void *bare_alloc(size_t count, size_t size);
/* Sends a message of `size_bytes` simulated bytes on the channel from -> to: detached, or
 * (--put=async-test) kept in `outbox`, the sending actor's (bare_engine.c). */
void bare_send(bare_world *world, bare_outbox *outbox, uint32_t from, uint32_t to,
               bare_kind kind, uint64_t tag, uint32_t size_bytes);
/* Hands a received message to its node's role; its sends go through `outbox` (the actor's). */
void bare_node_handle(bare_node *node, bare_message *message, bare_outbox *outbox);
/* --recv=waitany: a node's one receiving actor (bare_engine.c); its data is the node. */
void bare_receiver_main(int argc, char **argv);
/* Loads argv's scenario into *scenario (--seed into *seed, the engine flags into *options).
 * Returns 0, or 2 on bad input with the reason on stderr. `argv` is what simgrid_init left (no
 * --cfg= or --log=). (bare_engine.c) */
int bare_parse(int argc, char **argv, rs_scenario *scenario, uint64_t *seed,
               bare_options *options);

#endif
