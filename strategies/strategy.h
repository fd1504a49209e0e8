/* strategy.h — the strategy interface, the parameter tables, and the registry.
 *
 * A replication strategy decides where and how a client's event stream is written; a
 * consistency policy decides when the client is answered. Both are components with a name, a
 * description and a table of parameters (pure data: the scenario loader validates a scenario's
 * "strategy" and "consistency" objects against these tables, and `replsim list` prints them).
 * A strategy instance lives in one manager node and is driven by the callbacks below. */
#ifndef RS_STRATEGY_H
#define RS_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "strategies/rules.h"
#include "strategies/runtime.h"
#include "strategies/types.h"

typedef enum rs_param_type {
    RS_PARAM_NUMBER,      /* any finite double in [min, max] */
    RS_PARAM_INTEGER,     /* whole number in [min, max] */
    RS_PARAM_ENUM,        /* one of `choices`; stored as its index */
    RS_PARAM_BOOL         /* true/false; stored as 1/0 */
} rs_param_type;

typedef struct rs_param_spec {
    const char *name;             /* JSON field name; the unit is in the name (timeout_ms) */
    rs_param_type type;           /* how the loader checks and stores it */
    double default_value;         /* used when the field is absent (enum: index) */
    double min_value;             /* inclusive bounds for NUMBER and INTEGER */
    double max_value;
    const char *const *choices;   /* ENUM only: NULL-terminated names */
    const char *description;      /* one line for `replsim list` and the schema */
} rs_param_spec;

/* What a strategy instance is told when it is created. Everything is resolved to indices. */
typedef struct rs_strategy_config {
    const double *params;         /* values in the order of the strategy's param table */
    const uint32_t *targets;      /* global store indices to write, in scenario order (the
                                     cascade chain; the async primary first), each once */
    uint32_t target_count;        /* >= 1 */
    uint32_t write_quorum;        /* confirmations needed before the client is acked, 1..targets */
    uint32_t manager_region;      /* region index of the hosting manager */
    uint32_t store_count;         /* all stores of the topology */
    const uint32_t *store_region; /* store_count entries: region index of each store */
    const rs_event_type *types;   /* type_count event types (rs_event.type_index indexes them:
                                     name and attributes, which rules read) */
    uint32_t type_count;          /* 0 only where no strategy reads types (unit tests) */
    const char (*region_names)[RS_NAME_MAX]; /* region_count names (origin_region); NULL = none */
    uint32_t region_count;        /* regions of the topology */
    const rs_rule_set *rules;     /* the conditional strategy's rules; NULL for the others */
    const struct rs_residency_rules *residency; /* the geographic strategy's residency rules
                                     (strategies/geographic.h); NULL = none */
} rs_strategy_config;

typedef struct rs_strategy_ops {
    /* Creates an instance; NULL when out of memory. `config` outlives the instance. */
    void *(*create)(const rs_strategy_config *config, rs_runtime runtime);
    void (*destroy)(void *state);
    /* A client's append arrived at the manager. `stream` is borrowed for the call only. */
    void (*on_client_append)(void *state, uint64_t client_request, const rs_event_stream *stream);
    /* The one reply to a store_append made with `tag`. */
    void (*on_store_reply)(void *state, uint64_t tag, uint32_t store, rs_status status);
    /* A timer armed with `tag` fired. */
    void (*on_timer)(void *state, rs_timer_id timer, uint64_t tag);
    /* The one reply to a store_digest / store_read made with `tag` (NULL for components that
     * make none). The arrays are borrowed for the call only; empty unless status is RS_OK. */
    void (*on_store_digest)(void *state, uint64_t tag, uint32_t store, rs_status status,
                            const rs_stream_digest *digests, uint32_t count);
    void (*on_store_read)(void *state, uint64_t tag, uint32_t store, rs_status status,
                          const rs_event_stream *events);
    /* A client's read of `stream` arrived (the read coordinator only; NULL elsewhere). */
    void (*on_client_read)(void *state, uint64_t read_request, rs_stream_id stream);
    /* Events another manager sent with send_peers (multi-primary; NULL elsewhere: the runtime
     * then drops them). Borrowed for the call. */
    void (*on_peer_events)(void *state, uint32_t from_manager, const rs_event_stream *events);
} rs_strategy_ops;

typedef enum rs_component_kind { RS_COMPONENT_STRATEGY, RS_COMPONENT_POLICY } rs_component_kind;

typedef struct rs_component {
    rs_component_kind kind;       /* replication strategy or consistency policy */
    const char *name;             /* as written in scenarios ("star", "quorum") */
    const char *description;      /* one line */
    const rs_param_spec *params;  /* param_count entries */
    size_t param_count;           /* <= RS_PARAMS_MAX */
    const rs_strategy_ops *ops;   /* strategies: their callbacks; policies: NULL, or a
                                     consistency checker each manager runs beside the strategy
                                     (eventual), created with the policy's parameters */
} rs_component;

/* Registry: every component, in a fixed order (strategies first). Returns the count. */
size_t rs_components(const rs_component *const **out);
/* Adds a component after the built-in ones — for test binaries that plant known bugs, called
 * before anything looks components up. -1 when the name is taken or the table is full. */
int rs_components_register(const rs_component *component);
/* The component of `kind` called `name`, or NULL. */
const rs_component *rs_component_find(rs_component_kind kind, const char *name);
/* Index of parameter `name` in `component`'s table, or -1. */
int rs_component_param_index(const rs_component *component, const char *name);

/* Write quorum a consistency policy demands for `target_count` targets, given its resolved
 * parameter values. Returns 0 when the parameters ask for more than the targets hold. */
uint32_t rs_policy_write_quorum(const rs_component *policy, const double *params,
                                uint32_t target_count);

#endif
