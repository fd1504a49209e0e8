/* scenario.h — a scenario as the simulator sees it: every field of the JSON file, checked,
 * defaulted and resolved to indices (names referenced in the file become store/region
 * indices). Produced by rs_scenario_load (model/scenario_load.c); read-only afterwards.
 *
 * Units are in the field names. Limits are in strategies/limits.h. */
#ifndef RS_SCENARIO_H
#define RS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faults/fault.h"
#include "faults/nemesis.h"
#include "model/dist.h"
#include "strategies/geographic.h"
#include "strategies/health.h"
#include "strategies/limits.h"
#include "strategies/strategy.h"

typedef struct rs_region_spec {
    char name[RS_NAME_MAX];   /* unique among regions */
    uint32_t stores;          /* 0..RS_STORES_PER_REGION_MAX (default 1) */
    uint32_t managers;        /* 0..RS_MANAGERS_PER_REGION_MAX (default 0) */
    uint32_t clients;         /* 0..RS_CLIENTS_PER_REGION_MAX (default 0) */
    uint32_t first_store;     /* global index of this region's first store */
} rs_region_spec;

typedef struct rs_link_spec {
    uint32_t region_a;        /* region indices, region_a < region_b */
    uint32_t region_b;
    double latency_ms;        /* one-way propagation latency of the WAN link */
    double bandwidth_mbps;    /* megabits per second */
    rs_dist extra_latency;    /* per-message extra delay drawn by the sender */
} rs_link_spec;

/* How messages travel (docs/design.md): `flow` — every message is a SimGrid communication
 * (bandwidth sharing, contention); `latency` — delivered after latency + size / bandwidth
 * (+ extra latency) without a SimGrid communication: no contention, far cheaper per message. */
typedef enum rs_transport { RS_TRANSPORT_FLOW, RS_TRANSPORT_LATENCY } rs_transport;

typedef enum rs_arrival { RS_ARRIVAL_CONSTANT, RS_ARRIVAL_POISSON } rs_arrival;
typedef enum rs_durability { RS_DURABILITY_FSYNC, RS_DURABILITY_PERIODIC, RS_DURABILITY_VOLATILE } rs_durability;

/* rs_attribute and rs_event_type live in strategies/types.h (rules read them). */

/* One threshold of the "expect" block. Absent thresholds are not checked. */
typedef enum rs_expect_metric {
    RS_EXPECT_SUCCESS_RATE_MIN,              /* acked ok / requests, 0..1 */
    RS_EXPECT_WRITE_LATENCY_MS_P50_MAX,      /* client invoke -> client ack, ok requests */
    RS_EXPECT_WRITE_LATENCY_MS_P99_MAX,
    RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX,/* manager arrival -> store append, all replicas */
    RS_EXPECT_SYNC_DELAY_MS_P99_MAX,         /* manager arrival -> last target holds it */
    RS_EXPECT_ACKED_EVENTS_LOST_MAX,         /* acked ok but on fewer than write_quorum stores */
    RS_EXPECT_THROUGHPUT_PER_S_MIN,          /* acked ok events per second of workload */
    RS_EXPECT_METRIC_COUNT
} rs_expect_metric;

/* The invariants checks/invariants.c judges; a scenario may tolerate some ("expect":
 * {"tolerate": ["stream_order"]}): they are still checked and reported, but do not fail the
 * verdict (a known anomaly of the strategy under study, as Jepsen's expected anomalies). */
typedef enum rs_invariant {
    RS_INV_DURABILITY,       /* every ok event is, at the end, on >= write_quorum target stores */
    RS_INV_NO_DUPLICATES,    /* no store holds an event twice */
    RS_INV_STREAM_ORDER,     /* each store holds a stream's events in version order */
    RS_INV_INTEGRITY,        /* every stored event's checksum matches the one it was created with */
    RS_INV_QUORUM_HONESTY,   /* no ok ack before its manager had received write_quorum target
                                stores' confirmations */
    RS_INV_ROUTING,          /* every append is on a store the event's rules (or the targets)
                                name; rules: every ok event on its promised share of them */
    RS_INV_CASCADE_CHAIN,    /* cascade: hop k appends an event only after hop k-1 confirmed it */
    RS_INV_CONVERGENCE,      /* where the policy promises convergence (a consistency checker,
                                e.g. eventual): at the end every target holds the same events */
    RS_INV_CONFLICTS,        /* shared streams (multi-primary): every conflict the appends show
                                was resolved by a manager, and managers agree on its winner */
    RS_INV_COUNT
} rs_invariant;

/* Name as reported and as written in "tolerate" ("durability", "no_duplicates", ...). */
const char *rs_invariant_name(rs_invariant invariant);

typedef struct rs_expectations {
    bool present[RS_EXPECT_METRIC_COUNT];    /* which thresholds the file gave */
    double value[RS_EXPECT_METRIC_COUNT];    /* the thresholds */
    bool tolerated[RS_INV_COUNT];            /* invariants whose violations do not fail */
} rs_expectations;

/* JSON field name of an expectation ("success_rate_min", ...). */
const char *rs_expect_metric_name(rs_expect_metric metric);

typedef struct rs_scenario {
    char source_path[1024];           /* file it was loaded from (for messages) */
    char name[RS_SCENARIO_NAME_MAX];  /* "name" */
    uint64_t seed;                    /* "seed" (default 1); --seed overrides */
    uint64_t content_hash;            /* FNV-1a 64 of the file bytes, in every report */
    double duration_s;                /* workload duration, > 0 */
    double settle_s;                  /* simulation continues this long after the workload */

    /* network */
    rs_transport transport;           /* default flow */
    double intra_latency_ms;          /* one-way between two nodes of one region (default 0.2) */
    double intra_bandwidth_mbps;      /* default 10000 */
    uint32_t region_count;
    rs_region_spec regions[RS_REGIONS_MAX];
    char region_names[RS_REGIONS_MAX][RS_NAME_MAX]; /* regions[r].name again, as the flat array
                                                       rs_strategy_config.region_names wants */
    uint32_t link_count;              /* every region pair must have a link when >1 region */
    rs_link_spec links[RS_LINKS_MAX];
    uint32_t store_count;             /* sum over regions */

    /* stores */
    double append_ms;                 /* append service time (default 1.0) */
    rs_durability durability;         /* default fsync */
    double fsync_interval_ms;         /* periodic only (default 100) */

    /* strategy and consistency policy */
    const rs_component *strategy;     /* registry entry, kind STRATEGY */
    double strategy_params[RS_PARAMS_MAX];
    uint32_t target_count;            /* resolved "strategy.targets" (default: every store) */
    uint32_t targets[RS_TARGETS_MAX]; /* global store indices in scenario order, each once */
    const rs_component *policy;       /* registry entry, kind POLICY (default "all") */
    double policy_params[RS_PARAMS_MAX];
    uint32_t write_quorum;            /* resolved by rs_policy_write_quorum */
    rs_rule_set rules;                /* strategy "conditional" only (rule_count >= 1 exactly
                                         then): rules, default targets, mode in params; the
                                         targets above are then the union of all rule and
                                         default targets, rules first, in first-appearance order */
    rs_residency_rules residency;     /* strategy "geographic" only: its residency rules
                                         (model/scenario_residency.c); rule_count 0 = none */

    /* workload */
    double rate_per_s;                /* all clients together, > 0 */
    rs_arrival arrival;               /* default poisson */
    uint32_t streams;                 /* streams per client (default 100) */
    uint32_t event_bytes;             /* default 512 */
    uint32_t type_count;              /* >= 1 (default: one type "Event") */
    rs_event_type types[RS_EVENT_TYPES_MAX];

    rs_expectations expect;

    /* quorum reads (model/scenario_reads.c; "workload.reads"): absent = no reads */
    double read_ratio;                /* random reads per write (Poisson, all clients) */
    uint32_t probe_count;             /* read-after-write probe delays */
    int64_t probe_delays_us[RS_PROBE_DELAYS_MAX]; /* after each acked write, in file order */
    uint32_t read_quorum;             /* replies a read waits for: the policy's read_quorum
                                         (0 there = majority), 1 when it has none */
    bool partial_quorum;              /* read_quorum + write_quorum <= targets: reads may miss
                                         acked writes (a warning, not an error) */

    /* health checks (model/scenario_health.c; "health_check"): absent = disabled */
    rs_health_spec health;

    /* the random nemesis (model/scenario_nemesis.c; "nemesis"); its faults are drawn per seed
     * by rs_scenario_apply_nemesis and appended to faults[] */
    rs_nemesis_spec nemesis;

    /* faults (model/scenario_faults.c) */
    uint32_t fault_count;             /* 0..RS_FAULTS_MAX */
    rs_fault faults[RS_FAULTS_MAX];   /* in file order */
} rs_scenario;

/* Loads and validates `path`. On success returns 0 and fills *out (caller-allocated; large,
 * so heap-allocate it). On bad input returns 2 and writes one message
 * "file:line:col: field.path: what is wrong; allowed: ..." into `error` (NUL-terminated,
 * truncated to error_size). Never asserts or crashes on any input. */
int rs_scenario_load(const char *path, rs_scenario *out, char *error, size_t error_size);

/* Same, from a buffer; `path` is only used in messages. */
int rs_scenario_load_buffer(const char *path, const char *text, size_t length, rs_scenario *out,
                            char *error, size_t error_size);

/* Same as rs_scenario_load, but `edit` (when not NULL) may change the parsed tree before it is
 * checked: it gets the model/json_pos.h document and `context`, records what it adds with
 * rs_json_doc_graft, and returns 0, or 2 with a message in the doc's error buffer. */
struct rs_json_doc;
typedef int (*rs_scenario_edit)(struct rs_json_doc *doc, void *context);
int rs_scenario_load_edited(const char *path, rs_scenario_edit edit, void *context,
                            rs_scenario *out, char *error, size_t error_size);

/* Command-line overrides (model/scenario_overrides.c). */

/* Loads `path` like rs_scenario_load after applying overrides[0..count), each "path=value"
 * as given to --set, in order: the path is a field path as in messages ("strategy.type",
 * "topology.regions[1].stores"; objects on it are created when missing, array elements must
 * exist); the value is parsed as JSON, else taken as a string; an empty value removes the
 * field. Every override is checked like the file; a problem in one reads
 * "--set <path=value>: field.path: what; allowed: ...". The content hash covers the file
 * bytes and then each override, so different overrides never share a hash (none: the file's
 * hash). Returns 0 or 2, like rs_scenario_load. Strings are borrowed for the call only. */
int rs_scenario_load_with_overrides(const char *path, const char *const *overrides,
                                    size_t count, rs_scenario *out, char *error,
                                    size_t error_size);

/* Global store index -> region index, and the store's name "region/store-K" into buf. */
uint32_t rs_scenario_store_region(const rs_scenario *scenario, uint32_t store);
void rs_scenario_store_name(const rs_scenario *scenario, uint32_t store, char *buf, size_t size);

/* Nodes: stores of every region (region order), then managers, then clients; this order is
 * the global node index everywhere (model/world.c places nodes by it). */
typedef enum rs_node_role { RS_ROLE_STORE, RS_ROLE_MANAGER, RS_ROLE_CLIENT } rs_node_role;
uint32_t rs_scenario_node_count(const rs_scenario *scenario);
/* Global index of the k-th (0-based) node of `role` in `region`. */
uint32_t rs_scenario_node_index(const rs_scenario *scenario, rs_node_role role, uint32_t region,
                                uint32_t k);
/* Parses "region/store-K", "region/manager-K" or "region/client-K" (K from 1, no leading
 * zero): the node's global index, or -1 when it names no node. */
int64_t rs_scenario_node_parse(const rs_scenario *scenario, const char *name);
/* The node's role and region, and its name into buf. */
rs_node_role rs_scenario_node_role(const rs_scenario *scenario, uint32_t node, uint32_t *region);
void rs_scenario_node_name(const rs_scenario *scenario, uint32_t node, char *buf, size_t size);

/* Reads the optional "faults" array of `root` into scenario->faults (helper of the loader:
 * `doc` is a model/json_pos.h document, declared opaquely here). Returns 0 or 2. */
struct rs_json_doc;
struct cJSON;
int rs_scenario_load_faults(const struct rs_json_doc *doc, const struct cJSON *root,
                            rs_scenario *scenario);

/* Reads the conditional strategy's "rules" and "default_targets" from the "strategy" object
 * into scenario->rules and sets scenario->targets to their union (model/scenario_rules.c);
 * for any other strategy, rejects those two fields. Needs the topology and scenario->strategy
 * loaded. Returns 0 or 2. */
int rs_scenario_load_rules(const struct rs_json_doc *doc, const struct cJSON *strategy,
                           rs_scenario *scenario);

/* Reads the geographic strategy's optional "residency" array from the "strategy" object into
 * scenario->residency (model/scenario_residency.c); for any other strategy, rejects the field.
 * Needs the topology and scenario->strategy loaded. Returns 0 or 2. */
int rs_scenario_load_residency(const struct rs_json_doc *doc, const struct cJSON *strategy,
                               rs_scenario *scenario);

/* Draws the nemesis's faults for `seed` and appends them to scenario->faults (after the
 * file's own), through the same loader as written faults. *faults_json receives the drawn
 * schedule as a JSON document {"faults": [...]} in scenario syntax (malloc'd; NULL when the
 * scenario has no nemesis). Returns 0, or 2 with a message in `error`. */
int rs_scenario_apply_nemesis(rs_scenario *scenario, uint64_t seed, char **faults_json,
                              char *error, size_t error_size);

/* Replays the faults of the run whose report is in `report_dir` (its faults.json, written
 * when a nemesis drew them; `replsim run --faults-from`): they are appended to the file's own
 * faults and the nemesis is switched off, so the run is the same as the one that drew them
 * (same content hash, same summary). Returns 0, or 2 with a message in `error`. */
int rs_scenario_apply_replay(rs_scenario *scenario, const char *report_dir, char *error,
                             size_t error_size);

/* Estimated peak memory of a run in bytes: per event (history event + request, ~96 B), per
 * replica on a target store (history append and receipt, log entry, report samples, ~48 B),
 * per store a bitmap of held ids (events / 4 B at most), plus 64 MiB of base. An estimate to
 * refuse hopeless runs early, not a bound. */
double rs_scenario_memory_estimate(const rs_scenario *scenario);

/* Do the strategy's targets differ per event (rules)? Then figures and invariants judged
 * against the scenario's target set and write quorum do not apply as such. */
bool rs_scenario_per_event_targets(const rs_scenario *scenario);

/* Do the clients share their streams, versions being assigned by the managers
 * (multi_primary)? Then stream id = stream index for every client, and events leave the
 * client with version 0. */
bool rs_scenario_shared_streams(const rs_scenario *scenario);

/* Routing as the scenario promises it (model/scenario_routing.c): the target stores of
 * events of type `type` from region `region` into targets[] (their count) — the matching rules'
 * targets (or the defaults) with rules, else the scenario's targets in the regions residency
 * allows. Without rules or residency, type and region are ignored. */
uint32_t rs_scenario_pair_targets(const rs_scenario *scenario, uint32_t type, uint32_t region,
                                  uint32_t targets[RS_TARGETS_MAX]);
/* Is the strategy a cascade / an asynchronous queue (or a variant taking its parameters)? */
bool rs_scenario_is_cascade(const rs_scenario *scenario);
bool rs_scenario_is_async(const rs_scenario *scenario);

/* The link between two distinct regions, or NULL. */
const rs_link_spec *rs_scenario_link(const rs_scenario *scenario, uint32_t a, uint32_t b);

#endif
