/* world.h — the simulated world of one run: nodes (clients, managers, stores) placed on the
 * SimGrid platform generated from the scenario, their timers and inboxes, the network send
 * path and the history they record. Private to model/; the CLI only calls rs_world_run.
 *
 * Execution model: one SimGrid actor per node runs the node loop (drain inbox, fire due
 * timers, sleep on a semaphore until the next timer). Messages travel on channels, one per
 * (sender, receiver) pair, each with its own mailbox and a daemon pump actor on the receiver
 * that receives without timeout and pushes to the receiver's inbox (receiving with a timeout
 * loses messages in SimGrid 3.32). One mailbox per pair, not per node, because SimGrid
 * matches a receive with the oldest message still in flight on a mailbox: a shared mailbox
 * would hold a 0.2 ms reply behind a 40 ms one. Per pair, delivery is FIFO, as on one TCP
 * connection. Actors run one at a time, so nothing here needs a lock.
 * Times are int64 µs of simulated time; SimGrid's double seconds appear only in world.c. */
#ifndef RS_WORLD_H
#define RS_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/history.h"
#include "model/idset.h"
#include "model/rng.h"
#include "model/scenario.h"
#include "reports/metrics.h"
#include "strategies/strategy.h"

typedef enum rs_node_kind { RS_NODE_STORE, RS_NODE_MANAGER, RS_NODE_CLIENT } rs_node_kind;

/* A message between nodes. Allocated by the sender, freed by the receiver (or by SimGrid's
 * clean function when it is never delivered). Events follow the header. */
typedef struct rs_message {
    rs_message_kind kind;     /* what it is */
    uint32_t from_node;       /* sender's node index */
    uint32_t to_node;         /* receiver's node index */
    rs_status status;         /* replies: outcome */
    uint64_t request;         /* client append: history request index; store: request id */
    uint32_t size_bytes;      /* simulated size on the wire */
    uint32_t event_count;     /* events that follow */
    uint64_t trace_id;        /* its "msg" id in trace.jsonl (model/trace.h); 0 = not traced */
    rs_event events[];        /* event_count events */
} rs_message;

typedef enum rs_timer_kind {
    RS_TIMER_STRATEGY,        /* a strategy's timer_set; a = timer id, b = tag */
    RS_TIMER_REQUEST_TIMEOUT, /* a manager's store request deadline; a = request id */
    RS_TIMER_DEFERRED_SEND,   /* a message held back by extra latency; message = it */
    RS_TIMER_STORE_SERVICE,   /* a store finished serving its head request */
    RS_TIMER_CLIENT_ARRIVAL,  /* a client's next request is due */
    RS_TIMER_HEALTH,          /* a manager's health probes: a = round, b = 0 send, 1 judge */
    RS_TIMER_CLIENT_READ,     /* a client's next random read is due */
    RS_TIMER_CLIENT_PROBE,    /* a read-after-write probe: a = stream, b = probe index */
    RS_TIMER_STOP             /* the node's workload or life ends */
} rs_timer_kind;

typedef struct rs_timer {
    int64_t due_us;           /* simulated time it fires */
    uint64_t sequence;        /* tie-break: arming order, for determinism */
    rs_timer_kind kind;       /* what to do */
    uint64_t a;               /* kind-specific */
    uint64_t b;               /* kind-specific */
    rs_message *message;      /* DEFERRED_SEND only */
} rs_timer;

typedef struct rs_world rs_world;

typedef struct rs_node {
    rs_world *world;          /* back pointer */
    uint32_t index;           /* global node index */
    rs_node_kind kind;        /* role */
    uint32_t region;          /* region index */
    uint32_t role_index;      /* store / manager / client index (global within its kind) */
    char host_name[32];       /* SimGrid host ("r<region>-h<k>"), never a scenario name */
    void *host;               /* sg_host_t */
    void *semaphore;          /* sg_sem_t: released once per inbox push */
    struct rs_route **routes; /* channels this node sends on, sorted by destination */
    uint32_t route_count, route_capacity;
    rs_message **inbox;       /* ring buffer of received messages */
    uint32_t inbox_head, inbox_count, inbox_capacity;
    rs_timer *timers;         /* binary min-heap on (due_us, sequence) */
    uint32_t timer_count, timer_capacity;
    uint64_t timer_sequence;  /* next sequence number */
    rs_rng network_rng;       /* extra-latency draws for messages this node sends */
    rs_rng fault_rng;         /* duplicate / reorder draws for messages it sends */
    bool down;                /* crashed: receives nothing, runs nothing, until restart */
    uint32_t epoch;           /* bumped by every crash: timers of an earlier epoch are void */
    void *role;               /* rs_store_state / rs_manager_state / rs_client_state */
} rs_node;

struct rs_world {
    const rs_scenario *scenario;  /* the scenario being run */
    uint64_t seed;                /* seed in use */
    rs_history *history;          /* where everything is recorded */
    rs_metrics *metrics;          /* strategy-reported metrics */
    uint32_t node_count;          /* stores, then managers, then clients */
    rs_node *nodes;
    uint32_t store_count, manager_count, client_count;
    uint32_t *region_first_manager;   /* per region: first manager node index */
    uint32_t *region_manager_count;   /* per region: managers */
    uint32_t *store_region;           /* per store: region index */
    int64_t workload_end_us;          /* clients stop issuing here */
    int64_t end_us;                   /* simulation end */
    uint64_t next_event_id;           /* last event id handed out */
    int8_t *fault_groups;             /* [fault][node]: partition group / link side, -1 none */
    struct rs_courier *courier;       /* latency transport: the delivery heap and its actor */
    int64_t faults_next_us;           /* the fault actor's next boundary not yet applied
                                       * (INT64_MAX: none left); the courier never runs ahead
                                       * of SimGrid's clock past it */
    uint64_t dispatched;              /* callbacks handled by node loops */
    struct rs_trace *trace;           /* --trace recorder (model/trace.h); NULL = off */
};

/* Runs `scenario` with `seed`: builds the platform, runs the simulation to its end, records
 * into `history` (initialised by the caller) and `metrics`. Returns 0, or -1 with `error`. */
int rs_world_run(const rs_scenario *scenario, uint64_t seed, rs_history *history,
                 rs_metrics *metrics, struct rs_trace *trace, uint64_t *dispatched, char *error,
                 size_t error_size);

/* SimGrid settings from the command line (`--cfg KEY:VALUE`, world_engine.c): speed-only keys,
 * passed to simgrid_init after replsim's defaults. */
#define RS_ENGINE_CFG_MAX 16      /* --cfg settings per command */
#define RS_ENGINE_CFG_LENGTH 128  /* characters per setting, with its terminating NUL */
typedef struct rs_engine_options {
    const char *cfg[RS_ENGINE_CFG_MAX]; /* "KEY:VALUE", checked; borrowed (argv) */
    size_t cfg_count;                   /* how many */
} rs_engine_options;
/* Checks one "KEY:VALUE" against the keys and values replsim allows. 0, or -1 with
 * "key: problem; allowed: ..." in `error`. */
int rs_engine_cfg_check(const char *setting, char *error, size_t error_size);
/* Checks `setting` and appends it to `options` (borrowed). 0, or 2 with one line naming
 * `command` ("replsim <command>: --cfg ...") on stderr. */
int rs_engine_options_add(rs_engine_options *options, const char *command, const char *setting);
/* The settings every later rs_world_run of this process (and of its forked children) passes
 * to SimGrid; copied, the strings stay borrowed. */
void rs_world_set_engine_options(const rs_engine_options *options);
/* Those settings (for rs__world_init_engine). */
const rs_engine_options *rs__world_engine_options(void);
/* Starts SimGrid once per process with replsim's pinned settings and the --cfg ones
 * (world_engine.c). */
void rs__world_init_engine(void);
/* Writes the scenario's platform to a temporary file and loads it. 0, or -1 with a message. */
int rs__world_load_platform(const rs_scenario *scenario, char *error, size_t error_size);

/* --- node plumbing (world.c) ------------------------------------------------------------- */
int64_t rs_world_now_us(void);
void rs_node_timer_push(rs_node *node, rs_timer timer);
rs_message *rs_message_new(rs_message_kind kind, uint32_t event_count);
/* Sends `message` from `from` to node `to`: counts it in the history, applies the link's
 * extra latency (deferring the send on the sender's timers), then hands it to SimGrid. */
void rs_net_send(rs_node *from, uint32_t to, rs_message *message);
/* Hands `message` to SimGrid now (after any extra latency). */
void rs_net_put(rs_node *from, rs_message *message);

/* Hands a message that has arrived to its node (either transport): lost if a fault says so
 * at delivery, else queued for the node loop (flow) or handled at once (latency). */
void rs_node_receive(rs_node *node, rs_message *message);
/* Runs a node's due timer (a deferred send, or the role's handler). */
void rs_node_dispatch_timer(rs_node *node, const rs_timer *timer);

/* --- the latency transport (courier.c) ----------------------------------------------------- */
typedef struct rs_courier rs_courier;
rs_courier *rs_courier_new(void);
/* Simulated time in seconds: the courier's while it runs ahead of SimGrid's clock (latency
 * transport), else SimGrid's. rs_world_now_us rounds it to µs. */
double rs_world_now_s(void);
/* The fault actor moved world->faults_next_us: wakes the courier if it waits for that. */
void rs_courier_wake(rs_world *world);
/* Starts the courier actor on `host` (a sg_host_t). */
void rs_courier_start(rs_world *world, void *host);
/* Frees the courier and every entry still pending; NULL is a no-op. */
void rs_courier_free(rs_courier *courier);
/* Schedules `message` (from a node of `from_region`) to arrive after the route's one-way delay
 * (rs_platform_one_way_us), or `timer` for its node. */
void rs_courier_push_message(rs_world *world, uint32_t from_region, rs_message *message);
void rs_courier_push_timer(rs_node *node, rs_timer timer);

/* --- faults at the seams (world_faults.c) ------------------------------------------------- */
/* Precomputes which group or side of each fault every node is on. */
void rs_faults_prepare(rs_world *world);
/* Must a message from `from` to node `to` be lost now? At send (`at_send`): a down receiver,
 * an active partition between them, or a loss draw of an active lossy link (the draw uses the
 * sender's network stream only while such a link fault is active). At delivery: a down
 * receiver or an active partition (in-flight loss). */
bool rs_faults_drop(rs_world *world, rs_node *from, uint32_t to, bool at_send);
/* Extra latency (µs) active link faults add to a message from `from` to `to` now, plus the
 * hold of an active reorder fault whose draw (sender's fault stream) holds it back. */
int64_t rs_faults_extra_latency_us(rs_world *world, rs_node *from, uint32_t to);
/* A copy of `message` (caller owns it) when an active duplicate fault between `from` and
 * `to` draws it, else NULL. */
rs_message *rs_faults_duplicate(rs_world *world, rs_node *from, uint32_t to,
                                const rs_message *message);
/* `node`'s local clock (µs) at true time `now_us`: shifted by its active clock faults. */
int64_t rs_faults_clock_us(const rs_world *world, const rs_node *node, int64_t now_us);
/* Service time (µs) of an append starting now on `store`: `service_us` times the factors of
 * active slow_store faults naming it. */
int64_t rs_faults_service_us(const rs_world *world, const rs_node *store, int64_t service_us);
/* Is a full_store fault naming `store` active now? */
bool rs_faults_store_full(const rs_world *world, const rs_node *store);
/* Applies corrupt fault `fault` (its start): every event its stores hold is corrupted. */
void rs_faults_corrupt(rs_world *world, uint32_t fault);
/* Crash and restart of a node: state loss per role, then the role's restart. */
void rs_node_crash(rs_node *node);
/* Empties a node's inbox and timers (world.c; after a crash). */
void rs_node_clear(rs_node *node);
void rs_node_restart(rs_node *node);

/* --- roles: each a set of handlers called by the node loop -------------------------------- */
int rs_store_init(rs_node *node);
void rs_store_on_message(rs_node *node, rs_message *message);
void rs_store_on_timer(rs_node *node, const rs_timer *timer);
void rs_store_finish(rs_node *node);   /* records final contents, frees state */
/* Drops the disk queue and the log entries the durability policy does not keep; returns how
 * many log entries were lost. */
uint64_t rs_store_crash(rs_node *node);
/* Flips one byte (drawn from `rng`) of every stored event's checksum, as recorded in the
 * history (the stored copy no longer matches); returns how many events it corrupted. */
uint64_t rs_store_corrupt(rs_node *node, rs_rng *rng);

int rs_manager_init(rs_node *node);
void rs_manager_on_message(rs_node *node, rs_message *message);
void rs_manager_on_timer(rs_node *node, const rs_timer *timer);
void rs_manager_finish(rs_node *node);
void rs_manager_crash(rs_node *node);    /* the strategy and its in-flight state are lost */
int rs_manager_restart(rs_node *node);   /* a fresh strategy instance; 0 or -1 (memory) */

/* Health probes a manager sends to its target stores (node_health.c; scenario "health_check").
 * The prober is the manager's volatile state: a crash loses it, a restart starts afresh. */
typedef struct rs_health_prober rs_health_prober;
/* NULL when health checks are disabled or memory is out (*failed set then). */
rs_health_prober *rs_health_prober_new(rs_node *manager, bool *failed);
void rs_health_prober_free(rs_health_prober *prober);
/* Arms the first probe round now (start and restart). */
void rs_health_prober_start(rs_health_prober *prober, rs_node *manager);
void rs_health_on_timer(rs_health_prober *prober, rs_node *manager, const rs_timer *timer);
void rs_health_on_pong(rs_health_prober *prober, rs_node *manager, const rs_message *pong);
/* The probes' verdict on global store `store`; healthy when it is not probed. */
bool rs_health_store_healthy(const rs_health_prober *prober, uint32_t store);
/* A store's answer to a probe (node_store.c). */
void rs_store_on_ping(rs_node *store, const rs_message *ping);

/* Consistency checkers' queries (node_store_query.c): a store answers a digest or read
 * request at once. The digest of a stream is the sum of rs_digest_mix over its held ids; a
 * digest reply carries each entry in an rs_event (the carrier functions convert). */
void rs_store_on_query(rs_node *store, const rs_message *query);
uint64_t rs_digest_mix(rs_event_id id);
rs_event rs_digest_to_carrier(const rs_stream_digest *digest);
rs_stream_digest rs_digest_from_carrier(const rs_event *carrier);
/* The store's log in append order: each held entry's append record index in the history
 * (history->appends[i].event is the event); borrowed (node_store.c). */
const uint32_t *rs_store_log(const rs_node *store, size_t *count);

int rs_client_init(rs_node *node);
void rs_client_on_message(rs_node *node, rs_message *message);
void rs_client_on_timer(rs_node *node, const rs_timer *timer);
void rs_client_finish(rs_node *node);

#endif
