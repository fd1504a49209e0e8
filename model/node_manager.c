/* node_manager.c — the replication manager node: hosts one strategy instance (plus the
 * consistency policy's checker and the read coordinator when the scenario has them) and binds
 * the runtime port (strategies/runtime.h) to the simulated world. Store requests and timers
 * live in generation-tagged slot tables (manager_tables.h), so a reply that arrives after its
 * request timed out, or a cancelled timer that fires, is recognised and dropped in O(1). Every
 * store request gets exactly one reply: the store's or, at its deadline, a timeout. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/manager_tables.h"
#include "model/world.h"
#include "strategies/quorum_read.h"

/* The components a manager hosts: the strategy, the consistency policy's checker when the
 * policy has one (eventual), and the read coordinator when the workload reads. Each gets its
 * own runtime context, so replies and timers go back to the one that asked. */
enum { MANAGER_STRATEGY = 0, MANAGER_CHECKER = 1, MANAGER_READER = 2, MANAGER_OWNERS = 3 };

typedef struct manager_binding {
    rs_node *node;         /* the manager node */
    uint8_t owner;         /* MANAGER_STRATEGY, _CHECKER or _READER */
} manager_binding;

typedef struct rs_manager_state {
    rs_strategy_config config;     /* the world's config with this manager's region */
    const rs_strategy_ops *ops;    /* the strategy's callbacks */
    void *strategy;                /* its instance */
    const rs_strategy_ops *checker_ops; /* the policy's checker callbacks; NULL: none */
    rs_strategy_config checker_config;  /* config with the policy's parameters */
    void *checker;                 /* its instance */
    void *reader;                  /* the read coordinator (quorum_read.c); NULL: no reads */
    rs_strategy_config reader_config; /* config whose write_quorum is the read quorum */
    manager_binding bindings[MANAGER_OWNERS]; /* runtime contexts of the three */
    rs_rng rng;                    /* RS_RNG_STRATEGY stream for random_u64 */
    manager_slots requests;        /* outstanding store requests */
    manager_slots timers;          /* armed strategy timers */
    manager_deadlines deadlines;   /* store requests' timeouts */
    rs_health_prober *health;      /* health probes; NULL when the scenario has none */
} rs_manager_state;



/* --- the runtime port, bound to a manager node ------------------------------------------- */

static rs_node *port_node(void *context) {
    const manager_binding *binding = context;
    assert(binding != NULL && binding->owner < MANAGER_OWNERS);
    rs_node *node = binding->node;
    assert(node != NULL && node->kind == RS_NODE_MANAGER);
    return node;
}

static uint8_t port_owner(void *context) {
    return ((const manager_binding *)context)->owner;
}

/* The manager's local clock: true simulated time, shifted while a clock fault names it. */
static int64_t port_now_us(void *context) {
    rs_node *node = port_node(context);
    int64_t now_us = rs_world_now_us();
    return node->world->scenario->fault_count > 0 ? rs_faults_clock_us(node->world, node, now_us)
                                                  : now_us;
}

static uint64_t port_random_u64(void *context) {
    rs_manager_state *manager = port_node(context)->role;
    return rs_rng_next(&manager->rng);
}

static void port_store_append(void *context, uint32_t store, const rs_event_stream *stream,
                              int64_t timeout_us, uint64_t tag) {
    rs_node *node = port_node(context);
    rs_manager_state *manager = node->role;
    assert(store < node->world->store_count);
    assert(stream != NULL && stream->count >= 1 && stream->count <= RS_EVENTS_PER_APPEND_MAX);
    assert(timeout_us > 0);
    uint64_t id = rs__slots_take(&manager->requests, store, tag, port_owner(context),
                             RS_MSG_STORE_APPEND);
    rs_message *message = rs_message_new(RS_MSG_STORE_APPEND, stream->count);
    message->request = id;
    memcpy(message->events, stream->events, stream->count * sizeof(rs_event));
    for (uint32_t i = 0; i < stream->count; i++) {
        message->size_bytes += stream->events[i].size_bytes;
    }
    rs_net_send(node, store, message);
    rs__deadlines_push(&manager->deadlines, rs_world_now_us() + timeout_us, id);
    rs__deadlines_arm(node, &manager->deadlines);
}

static rs_timer_id port_timer_set(void *context, int64_t delay_us, uint64_t tag) {
    rs_node *node = port_node(context);
    rs_manager_state *manager = node->role;
    assert(delay_us >= 0);
    uint64_t id = rs__slots_take(&manager->timers, 0, tag, port_owner(context), 0);
    rs_node_timer_push(node, (rs_timer){.due_us = rs_world_now_us() + delay_us,
                                        .kind = RS_TIMER_STRATEGY, .a = id});
    return id + 1; /* 0 means "no timer" to strategies */
}

static void port_timer_cancel(void *context, rs_timer_id timer) {
    rs_manager_state *manager = port_node(context)->role;
    if (timer != 0) {
        (void)rs__slots_release(&manager->timers, timer - 1);
    }
}

static void port_ack_client(void *context, uint64_t client_request, rs_status status) {
    rs_node *node = port_node(context);
    rs_world *world = node->world;
    assert(client_request < world->history->request_count);
    assert(status < RS_STATUS_COUNT);
    rs_history_request *request = &world->history->requests[client_request];
    if (request->manager_ack_us >= 0) {
        fprintf(stderr, "replsim: warning: strategy answered request %llu twice; kept the first\n",
                (unsigned long long)client_request);
        return;
    }
    request->manager_ack_us = rs_world_now_us();
    rs_message *ack = rs_message_new(RS_MSG_CLIENT_ACK, 0);
    ack->request = client_request;
    ack->status = status;
    rs_net_send(node, world->store_count + world->manager_count + request->client, ack);
}

static int port_store_healthy(void *context, uint32_t store) {
    rs_node *node = port_node(context);
    assert(store < node->world->store_count);
    const rs_manager_state *manager = node->role;
    return rs_health_store_healthy(manager->health, store) ? 1 : 0;
}

static void port_metric_latency(void *context, uint32_t store, int64_t latency_us) {
    rs_metrics_record_latency(port_node(context)->world->metrics, store, latency_us);
}

static void port_metric_result(void *context, uint32_t store, rs_status status) {
    rs_metrics_record_result(port_node(context)->world->metrics, store, status);
}

static void port_metric_count(void *context, const char *name, int64_t delta) {
    rs_metrics_count(port_node(context)->world->metrics, name, delta);
}

static void port_metric_observe(void *context, const char *name, int64_t value) {
    rs_metrics_observe(port_node(context)->world->metrics, name, value);
}

static void port_metric_gauge(void *context, const char *name, int64_t level) {
    rs_metrics_gauge(port_node(context)->world->metrics, name, rs_world_now_us(), level);
}

static void port_log(void *context, rs_log_level level, const char *message) {
    rs_node *node = port_node(context);
    if (level >= RS_LOG_WARNING || getenv("REPLSIM_DEBUG") != NULL) {
        fprintf(stderr, "[%.6f %s] %s\n", (double)rs_world_now_us() / 1e6, node->host_name,
                message);
    }
}

/* A digest or read request: one event whose stream (and version) says what is asked. */
static void port_store_query(void *context, rs_message_kind kind, uint32_t store,
                             rs_stream_id stream, uint32_t from_version, int64_t timeout_us,
                             uint64_t tag) {
    rs_node *node = port_node(context);
    rs_manager_state *manager = node->role;
    assert(store < node->world->store_count);
    assert(timeout_us > 0);
    uint64_t id = rs__slots_take(&manager->requests, store, tag, port_owner(context),
                                 (uint8_t)kind);
    rs_message *message = rs_message_new(kind, 1);
    message->request = id;
    message->events[0] = (rs_event){.stream = stream, .version = from_version};
    rs_net_send(node, store, message);
    rs__deadlines_push(&manager->deadlines, rs_world_now_us() + timeout_us, id);
    rs__deadlines_arm(node, &manager->deadlines);
}

static void port_store_digest(void *context, uint32_t store, rs_stream_id from_stream,
                              int64_t timeout_us, uint64_t tag) {
    port_store_query(context, RS_MSG_STORE_DIGEST, store, from_stream, 0, timeout_us, tag);
}

static void port_store_read(void *context, uint32_t store, rs_stream_id stream,
                            uint32_t from_version, int64_t timeout_us, uint64_t tag) {
    port_store_query(context, RS_MSG_STORE_READ, store, stream, from_version, timeout_us, tag);
}

static void port_ack_read(void *context, uint64_t read_request, rs_status status,
                          uint32_t version) {
    rs_node *node = port_node(context);
    rs_world *world = node->world;
    assert(read_request < world->history->read_count);
    assert(status < RS_STATUS_COUNT);
    rs_message *ack = rs_message_new(RS_MSG_READ_ACK, 1);
    ack->request = read_request;
    ack->status = status;
    ack->events[0] = (rs_event){.version = version};
    uint32_t client = world->history->reads[read_request].client;
    rs_net_send(node, world->store_count + world->manager_count + client, ack);
}

static void port_send_peers(void *context, const rs_event_stream *events) {
    rs_node *node = port_node(context);
    rs_world *world = node->world;
    assert(events != NULL && events->count >= 1 && events->count <= RS_EVENTS_PER_APPEND_MAX);
    for (uint32_t m = 0; m < world->manager_count; m++) {
        if (m == node->role_index) {
            continue;
        }
        rs_message *message = rs_message_new(RS_MSG_PEER_SYNC, events->count);
        memcpy(message->events, events->events, events->count * sizeof(rs_event));
        for (uint32_t i = 0; i < events->count; i++) {
            message->size_bytes += events->events[i].size_bytes;
        }
        rs_net_send(node, world->store_count + m, message);
    }
}

static void port_report_conflict(void *context, const rs_event *winner, const rs_event *loser,
                                 const char *resolution) {
    rs_node *node = port_node(context);
    assert(winner != NULL && loser != NULL && resolution != NULL);
    assert(winner->stream == loser->stream && winner->version == loser->version);
    rs_history_conflict conflict = {
        .manager = node->role_index, .stream = winner->stream, .version = winner->version,
        .winner = winner->id, .loser = loser->id, .winner_region = winner->origin_region,
        .loser_region = loser->origin_region, .time_us = rs_world_now_us()};
    snprintf(conflict.resolution, sizeof conflict.resolution, "%s", resolution);
    rs_history_add_conflict(node->world->history, &conflict);
}

static int port_new_compensation(void *context, const rs_event *cancelled, rs_event *out) {
    rs_node *node = port_node(context);
    rs_world *world = node->world;
    assert(cancelled != NULL && out != NULL && cancelled->id != 0);
    if (world->history->event_count >= (size_t)RS_EVENTS_MAX) {
        return -1;
    }
    int64_t now_us = rs_world_now_us();
    *out = (rs_event){.id = ++world->next_event_id, .stream = cancelled->stream,
                      .version = cancelled->version, .type_index = cancelled->type_index,
                      .origin_region = cancelled->origin_region, .size_bytes = 64,
                      .created_us = now_us, .compensates = cancelled->id};
    out->checksum = rs_event_checksum(out);
    rs_history_add_event(world->history, &(rs_history_event){
        .stream = out->stream, .version = out->version, .type_index = out->type_index,
        .origin_region = out->origin_region, .size_bytes = out->size_bytes,
        .checksum = out->checksum, .request_index = RS_HISTORY_NO_REQUEST,
        .compensates = out->compensates, .created_us = now_us});
    assert(world->history->event_count == out->id);
    return 0;
}

static void port_report_abandoned(void *context, uint32_t store, const rs_event_stream *events) {
    rs_node *node = port_node(context);
    assert(store < node->world->store_count && events != NULL);
    for (uint32_t i = 0; i < events->count; i++) {
        rs_history_add_abandon(node->world->history, &(rs_history_abandon){
            .store = store, .event = events->events[i].id, .time_us = rs_world_now_us()});
    }
}

static const rs_runtime_ops manager_port = {
    port_now_us, port_random_u64, port_store_append, port_timer_set, port_timer_cancel,
    port_ack_client, port_store_healthy, port_metric_latency, port_metric_result,
    port_metric_count, port_metric_observe, port_metric_gauge, port_log,
    port_store_digest, port_store_read, port_ack_read, port_send_peers, port_report_conflict,
    port_new_compensation, port_report_abandoned,
};

/* The callbacks and instance of `owner`. */
static const rs_strategy_ops *owner_ops(const rs_manager_state *manager, uint8_t owner) {
    return owner == MANAGER_STRATEGY  ? manager->ops
           : owner == MANAGER_CHECKER ? manager->checker_ops
                                      : &rs_quorum_read_ops;
}

static void *owner_state(const rs_manager_state *manager, uint8_t owner) {
    return owner == MANAGER_STRATEGY  ? manager->strategy
           : owner == MANAGER_CHECKER ? manager->checker
                                      : manager->reader;
}

/* Hands the one reply of a store request to whoever asked: `message` is the store's reply,
 * or NULL for the timeout. */
static void deliver_reply(rs_manager_state *manager, manager_slot released,
                          const rs_message *message) {
    const manager_slot *slot = &released; /* a copy: callbacks may grow the slot table */
    const rs_strategy_ops *ops = owner_ops(manager, slot->owner);
    void *state = owner_state(manager, slot->owner);
    assert(ops != NULL && state != NULL);
    rs_status status = message != NULL ? message->status : RS_ERR_TIMEOUT;
    bool ok = status == RS_OK;
    if (slot->kind == RS_MSG_STORE_APPEND) {
        ops->on_store_reply(state, slot->tag, slot->store, status);
    } else if (slot->kind == RS_MSG_STORE_DIGEST) {
        uint32_t count = ok ? message->event_count : 0;
        assert(count <= RS_DIGESTS_PER_REPLY);
        rs_stream_digest *digests = malloc((count + 1) * sizeof *digests); /* off the stack */
        if (digests == NULL) {
            fprintf(stderr, "replsim: out of memory (digest reply)\n");
            abort();
        }
        for (uint32_t i = 0; i < count; i++) {
            digests[i] = rs_digest_from_carrier(&message->events[i]);
        }
        ops->on_store_digest(state, slot->tag, slot->store, status, digests, count);
        free(digests);
    } else {
        assert(slot->kind == RS_MSG_STORE_READ);
        rs_event_stream events = {ok ? message->event_count : 0,
                                  ok ? (rs_event *)message->events : NULL};
        ops->on_store_read(state, slot->tag, slot->store, status, &events);
    }
}

/* Creates the strategy (and the policy's checker); 0, or -1 when out of memory. */
static int manager_create_instances(rs_node *node, rs_manager_state *manager) {
    manager->strategy = manager->ops->create(&manager->config,
                                             (rs_runtime){&manager_port,
                                                          &manager->bindings[MANAGER_STRATEGY]});
    if (manager->strategy == NULL) {
        return -1;
    }
    if (manager->checker_ops != NULL) {
        manager->checker = manager->checker_ops->create(
            &manager->checker_config,
            (rs_runtime){&manager_port, &manager->bindings[MANAGER_CHECKER]});
        if (manager->checker == NULL) {
            return -1;
        }
    }
    const rs_scenario *scenario = node->world->scenario;
    if (scenario->read_ratio > 0 || scenario->probe_count > 0) {
        manager->reader = rs_quorum_read_ops.create(
            &manager->reader_config,
            (rs_runtime){&manager_port, &manager->bindings[MANAGER_READER]});
        if (manager->reader == NULL) {
            return -1;
        }
    }
    return 0;
}

static void manager_destroy_instances(rs_manager_state *manager) {
    if (manager->strategy != NULL) {
        manager->ops->destroy(manager->strategy);
        manager->strategy = NULL;
    }
    if (manager->checker != NULL) {
        manager->checker_ops->destroy(manager->checker);
        manager->checker = NULL;
    }
    if (manager->reader != NULL) {
        rs_quorum_read_ops.destroy(manager->reader);
        manager->reader = NULL;
    }
}

/* --- node handlers ------------------------------------------------------------------------ */

int rs_manager_init(rs_node *node) {
    assert(node != NULL && node->kind == RS_NODE_MANAGER);
    rs_world *world = node->world;
    const rs_scenario *scenario = world->scenario;
    rs_manager_state *manager = calloc(1, sizeof *manager);
    if (manager == NULL) {
        return -1;
    }
    node->role = manager;
    manager->deadlines.armed_us = -1;
    manager->config = (rs_strategy_config){
        scenario->strategy_params, scenario->targets, scenario->target_count,
        scenario->write_quorum,    node->region,      world->store_count,
        world->store_region,       scenario->types,   scenario->type_count,
        scenario->region_names,    scenario->region_count,
        scenario->rules.rule_count > 0 ? &scenario->rules : NULL,
        scenario->residency.rule_count > 0 ? &scenario->residency : NULL};
    rs_rng_seed(&manager->rng, world->seed, RS_RNG_STRATEGY, node->role_index);
    manager->ops = scenario->strategy->ops;
    assert(manager->ops != NULL);
    manager->checker_ops = scenario->policy != NULL ? scenario->policy->ops : NULL;
    manager->checker_config = manager->config;
    manager->checker_config.params = scenario->policy_params;
    manager->reader_config = manager->config;
    manager->reader_config.write_quorum = scenario->read_quorum;
    manager->bindings[MANAGER_READER] = (manager_binding){node, MANAGER_READER};
    manager->bindings[MANAGER_STRATEGY] = (manager_binding){node, MANAGER_STRATEGY};
    manager->bindings[MANAGER_CHECKER] = (manager_binding){node, MANAGER_CHECKER};
    bool failed = false;
    manager->health = rs_health_prober_new(node, &failed);
    if (failed) {
        return -1;
    }
    rs_health_prober_start(manager->health, node);
    return manager_create_instances(node, manager);
}

void rs_manager_on_message(rs_node *node, rs_message *message) {
    rs_manager_state *manager = node->role;
    assert(manager != NULL);
    if (message->kind == RS_MSG_CLIENT_APPEND) {
        rs_history *history = node->world->history;
        assert(message->request < history->request_count);
        history->requests[message->request].manager_arrival_us = rs_world_now_us();
        history->requests[message->request].manager = node->role_index;
        rs_event_stream stream = {message->event_count, message->events};
        manager->ops->on_client_append(manager->strategy, message->request, &stream);
    } else if (message->kind == RS_MSG_STORE_REPLY) {
        manager_slot *slot = rs__slots_release(&manager->requests, message->request);
        if (slot != NULL) {
            uint32_t store = slot->store;
            for (uint32_t i = 0; message->status == RS_OK && i < message->event_count; i++) {
                assert(message->events[i].id <= UINT32_MAX); /* history ids fit 32 bits */
                rs_history_add_receipt(node->world->history, &(rs_history_receipt){
                    .store = store, .event = (uint32_t)message->events[i].id,
                    .time_us = rs_world_now_us()});
            }
            deliver_reply(manager, *slot, message);
        }
    } else if (message->kind == RS_MSG_DIGEST_REPLY || message->kind == RS_MSG_READ_REPLY) {
        manager_slot *slot = rs__slots_release(&manager->requests, message->request);
        if (slot != NULL) {
            deliver_reply(manager, *slot, message);
        }
    } else if (message->kind == RS_MSG_PEER_SYNC) {
        if (manager->ops->on_peer_events != NULL) {
            rs_event_stream events = {message->event_count, message->events};
            manager->ops->on_peer_events(manager->strategy,
                                         message->from_node - node->world->store_count, &events);
        }
    } else if (message->kind == RS_MSG_CLIENT_READ) {
        assert(manager->reader != NULL && message->event_count == 1);
        rs_quorum_read_ops.on_client_read(manager->reader, message->request,
                                          message->events[0].stream);
    } else if (message->kind == RS_MSG_HEALTH_PONG) {
        rs_health_on_pong(manager->health, node, message);
    } else {
        fprintf(stderr, "replsim: manager %s got an unexpected %s message\n", node->host_name,
                rs_message_kind_name(message->kind));
        abort();
    }
    free(message);
}

void rs_manager_on_timer(rs_node *node, const rs_timer *timer) {
    rs_manager_state *manager = node->role;
    assert(manager != NULL);
    if (timer->kind == RS_TIMER_REQUEST_TIMEOUT) {
        manager_deadlines *deadlines = &manager->deadlines;
        if (timer->due_us != deadlines->armed_us) {
            return; /* superseded by an earlier deadline's timer */
        }
        deadlines->armed_us = -1;
        int64_t now_us = rs_world_now_us();
        while (deadlines->count > 0 && deadlines->heap[0].due_us <= now_us) {
            uint64_t request = rs__deadlines_pop(deadlines).request;
            manager_slot *slot = rs__slots_release(&manager->requests, request);
            if (slot != NULL) { /* still unanswered: its one reply is the timeout */
                deliver_reply(manager, *slot, NULL);
            }
        }
        rs__deadlines_arm(node, deadlines);
    } else if (timer->kind == RS_TIMER_HEALTH) {
        rs_health_on_timer(manager->health, node, timer);
    } else {
        assert(timer->kind == RS_TIMER_STRATEGY);
        manager_slot *slot = rs__slots_release(&manager->timers, timer->a);
        if (slot != NULL) {
            manager_slot fired = *slot;
            owner_ops(manager, fired.owner)->on_timer(owner_state(manager, fired.owner),
                                                      timer->a + 1, fired.tag);
        }
    }
}


void rs_manager_crash(rs_node *node) {
    rs_manager_state *manager = node->role;
    assert(manager != NULL && manager->strategy != NULL);
    assert(node->kind == RS_NODE_MANAGER);
    manager_destroy_instances(manager);
    rs__slots_release_all(&manager->requests);
    rs__slots_release_all(&manager->timers);
    manager->deadlines.count = 0;       /* all stale now; the node's timers are dropped too */
    manager->deadlines.armed_us = -1;
}

int rs_manager_restart(rs_node *node) {
    rs_manager_state *manager = node->role;
    assert(manager != NULL && manager->strategy == NULL);
    assert(node->kind == RS_NODE_MANAGER);
    rs_health_prober_start(manager->health, node); /* probe state was volatile: afresh */
    return manager_create_instances(node, manager);
}

void rs_manager_finish(rs_node *node) {
    rs_manager_state *manager = node->role;
    if (manager == NULL) {
        return;
    }
    manager_destroy_instances(manager);
    free(manager->requests.slots);
    free(manager->timers.slots);
    free(manager->deadlines.heap);
    rs_health_prober_free(manager->health);
    free(manager);
    node->role = NULL;
}
