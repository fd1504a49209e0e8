/* world.c — the SimGrid binding: builds the platform and the nodes, runs the node loops and
 * the message pumps, carries messages, and stops the run at its end time. Everything that
 * touches SimGrid lives here; the roles (node_store.c, node_manager.c, node_client.c) see
 * only world.h. See world.h for the execution model. */
#include "model/world.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/semaphore.h>

#include "model/trace.h"

static void *world_alloc(size_t count, size_t size) {
    void *memory = calloc(count == 0 ? 1 : count, size);
    if (memory == NULL) {
        fprintf(stderr, "replsim: out of memory (%zu x %zu bytes)\n", count, size);
        abort();
    }
    return memory;
}

/* rs_world_now_us and rs_world_now_s live in courier.c: the latency transport's courier keeps
 * the simulated time while it runs ahead of SimGrid's clock. */

/* --- timers: a binary min-heap on (due_us, sequence) -------------------------------------- */

static bool timer_before(const rs_timer *a, const rs_timer *b) {
    return a->due_us < b->due_us || (a->due_us == b->due_us && a->sequence < b->sequence);
}

void rs_node_timer_push(rs_node *node, rs_timer timer) {
    assert(node != NULL);
    assert(timer.due_us >= 0);
    if (node->world->courier != NULL) {
        rs_courier_push_timer(node, timer); /* latency transport: one heap for the world */
        return;
    }
    if (node->timer_count == node->timer_capacity) {
        uint32_t capacity = node->timer_capacity == 0 ? 16 : node->timer_capacity * 2;
        rs_timer *timers = realloc(node->timers, capacity * sizeof *timers);
        if (timers == NULL) {
            fprintf(stderr, "replsim: out of memory (timers)\n");
            abort();
        }
        node->timers = timers;
        node->timer_capacity = capacity;
    }
    timer.sequence = node->timer_sequence++;
    uint32_t index = node->timer_count++;
    while (index > 0 && timer_before(&timer, &node->timers[(index - 1) / 2])) {
        node->timers[index] = node->timers[(index - 1) / 2];
        index = (index - 1) / 2;
    }
    node->timers[index] = timer;
}

static rs_timer timer_pop(rs_node *node) {
    assert(node->timer_count > 0);
    rs_timer top = node->timers[0];
    rs_timer last = node->timers[--node->timer_count];
    uint32_t index = 0;
    for (;;) {
        uint32_t child = 2 * index + 1;
        if (child >= node->timer_count) {
            break;
        }
        if (child + 1 < node->timer_count &&
            timer_before(&node->timers[child + 1], &node->timers[child])) {
            child++;
        }
        if (!timer_before(&node->timers[child], &last)) {
            break;
        }
        node->timers[index] = node->timers[child];
        index = child;
    }
    if (node->timer_count > 0) {
        node->timers[index] = last;
    }
    return top;
}

/* --- inbox: a ring buffer of received messages ------------------------------------------- */

static void inbox_push(rs_node *node, rs_message *message) {
    if (node->inbox_count == node->inbox_capacity) {
        uint32_t capacity = node->inbox_capacity == 0 ? 16 : node->inbox_capacity * 2;
        rs_message **ring = world_alloc(capacity, sizeof *ring);
        for (uint32_t i = 0; i < node->inbox_count; i++) {
            ring[i] = node->inbox[(node->inbox_head + i) % node->inbox_capacity];
        }
        free(node->inbox);
        node->inbox = ring;
        node->inbox_head = 0;
        node->inbox_capacity = capacity;
    }
    node->inbox[(node->inbox_head + node->inbox_count) % node->inbox_capacity] = message;
    node->inbox_count++;
}

static rs_message *inbox_pop(rs_node *node) {
    assert(node->inbox_count > 0);
    rs_message *message = node->inbox[node->inbox_head];
    node->inbox_head = (node->inbox_head + 1) % node->inbox_capacity;
    node->inbox_count--;
    return message;
}

/* --- messages and the network ------------------------------------------------------------ */

rs_message *rs_message_new(rs_message_kind kind, uint32_t event_count) {
    assert(kind < RS_MSG_KIND_COUNT);
    assert(event_count <= RS_EVENTS_PER_APPEND_MAX);
    rs_message *message = world_alloc(1, sizeof *message + event_count * sizeof(rs_event));
    message->kind = kind;
    message->event_count = event_count;
    message->size_bytes = 64; /* header: ids, status, routing */
    return message;
}

/* A channel from one node to another: its mailbox and the pump that drains it. */
typedef struct rs_route {
    uint32_t to;              /* receiving node index */
    rs_node *receiver;        /* the receiving node */
    sg_mailbox_t mailbox;     /* "c<from>-<to>" */
    char name[32];            /* the mailbox name */
} rs_route;

static void pump_main(int argc, char **argv);

/* The channel from `from` to `to`, created (with its pump) on first use. Binary search over
 * the sender's sorted routes: O(log routes) per message, one allocation per new pair. */
static rs_route *route_to(rs_node *from, uint32_t to) {
    uint32_t low = 0, high = from->route_count;
    while (low < high) {
        uint32_t middle = (low + high) / 2;
        if (from->routes[middle]->to < to) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    if (low < from->route_count && from->routes[low]->to == to) {
        return from->routes[low];
    }
    if (from->route_count == from->route_capacity) {
        from->route_capacity = from->route_capacity == 0 ? 8 : from->route_capacity * 2;
        rs_route **routes = realloc(from->routes, from->route_capacity * sizeof *routes);
        if (routes == NULL) {
            fprintf(stderr, "replsim: out of memory (routes)\n");
            abort();
        }
        from->routes = routes;
    }
    rs_route *route = world_alloc(1, sizeof *route);
    route->to = to;
    route->receiver = &from->world->nodes[to];
    snprintf(route->name, sizeof route->name, "c%u-%u", from->index, to);
    route->mailbox = sg_mailbox_by_name(route->name);
    memmove(&from->routes[low + 1], &from->routes[low],
            (from->route_count - low) * sizeof *from->routes);
    from->routes[low] = route;
    from->route_count++;
    sg_actor_t pump = sg_actor_init("pump", route->receiver->host);
    sg_actor_set_data(pump, route);
    sg_actor_start(pump, pump_main, 0, NULL);
    return route;
}

void rs_net_put(rs_node *from, rs_message *message) {
    assert(from != NULL && message != NULL);
    assert(message->to_node < from->world->node_count);
    rs_world *world = from->world;
    if (world->courier != NULL) {
        rs_courier_push_message(world, from->region, message); /* after the route's delay */
        return;
    }
    rs_route *route = route_to(from, message->to_node);
    sg_comm_detach(sg_mailbox_put_init(route->mailbox, message, (long)message->size_bytes), free);
}

void rs_net_send(rs_node *from, uint32_t to, rs_message *message) {
    rs_world *world = from->world;
    assert(to < world->node_count);
    assert(message->kind < RS_MSG_KIND_COUNT);
    message->from_node = from->index;
    message->to_node = to;
    rs_trace_send(world->trace, message);
    world->history->messages[message->kind]++;
    world->history->message_bytes[message->kind] += message->size_bytes;
    if (world->scenario->fault_count > 0 && rs_faults_drop(world, from, to, true)) {
        rs_trace_drop(world->trace, message, true);
        free(message);
        return;
    }
    int64_t delay_us = world->scenario->fault_count > 0 ? rs_faults_extra_latency_us(world, from, to) : 0;
    uint32_t to_region = world->nodes[to].region;
    if (to_region != from->region) {
        const rs_link_spec *link = rs_scenario_link(world->scenario, from->region, to_region);
        assert(link != NULL);
        if (link->extra_latency.kind != RS_DIST_NONE) {
            double extra_ms = rs_dist_sample_ms(&link->extra_latency, &from->network_rng);
            /* heavy tails may draw huge values (even +inf): cap at the latency limit */
            delay_us += llround(fmin(extra_ms, RS_LATENCY_MS_MAX) * 1000.0);
        }
    }
    /* a duplicate fault's copy travels right behind the original, with the same delay */
    rs_message *copy = world->scenario->fault_count > 0
                           ? rs_faults_duplicate(world, from, to, message) : NULL;
    rs_trace_duplicate(world->trace, copy);
    for (rs_message *next = message; next != NULL; next = next == message ? copy : NULL) {
        if (delay_us > 0) {
            rs_node_timer_push(from, (rs_timer){.due_us = rs_world_now_us() + delay_us,
                                                .kind = RS_TIMER_DEFERRED_SEND, .message = next});
        } else {
            rs_net_put(from, next);
        }
    }
}

/* --- the node loop and the pump ----------------------------------------------------------- */

static void node_dispatch_message(rs_node *node, rs_message *message) {
    node->world->dispatched++;
    switch (node->kind) {
    case RS_NODE_STORE: rs_store_on_message(node, message); break;
    case RS_NODE_MANAGER: rs_manager_on_message(node, message); break;
    case RS_NODE_CLIENT: rs_client_on_message(node, message); break;
    }
}

void rs_node_dispatch_timer(rs_node *node, const rs_timer *timer) {
    node->world->dispatched++;
    if (timer->kind == RS_TIMER_DEFERRED_SEND) {
        rs_net_put(node, timer->message);
        return;
    }
    switch (node->kind) {
    case RS_NODE_STORE: rs_store_on_timer(node, timer); break;
    case RS_NODE_MANAGER: rs_manager_on_timer(node, timer); break;
    case RS_NODE_CLIENT: rs_client_on_timer(node, timer); break;
    }
}

static void node_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    rs_node *node = sg_actor_self_get_data();
    assert(node != NULL);
    sg_actor_daemonize(sg_actor_self());
    for (;;) {
        while (node->inbox_count > 0) {
            node_dispatch_message(node, inbox_pop(node));
        }
        while (node->timer_count > 0 && node->timers[0].due_us <= rs_world_now_us()) {
            rs_timer timer = timer_pop(node);
            rs_node_dispatch_timer(node, &timer);
        }
        if (node->inbox_count > 0) {
            continue;
        }
        if (node->timer_count == 0) {
            sg_sem_acquire(node->semaphore);
        } else {
            double wait_s = (double)node->timers[0].due_us / 1e6 - simgrid_get_clock();
            sg_sem_acquire_timeout(node->semaphore, wait_s > 0 ? wait_s : 0);
        }
    }
}

/* A message reaches `node` (either transport): lost if a fault says so at delivery (a
 * partition started or the receiver went down while it was in flight), else queued. */
void rs_node_receive(rs_node *node, rs_message *message) {
    assert(node != NULL && message != NULL);
    assert(message->to_node == node->index);
    rs_world *world = node->world;
    if (world->scenario->fault_count > 0 &&
        rs_faults_drop(world, &world->nodes[message->from_node], node->index, false)) {
        rs_trace_drop(world->trace, message, false);
        free(message);
        return;
    }
    rs_trace_deliver(world->trace, message);
    if (world->courier != NULL) {
        node_dispatch_message(node, message); /* latency transport: handled in the courier */
        return;
    }
    inbox_push(node, message);
    sg_sem_release(node->semaphore);
}

static void pump_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    rs_route *route = sg_actor_self_get_data();
    assert(route != NULL && route->receiver != NULL);
    rs_node *node = route->receiver;
    sg_actor_daemonize(sg_actor_self());
    sg_mailbox_set_receiver(route->name);
    for (;;) {
        void *payload = NULL;
        sg_comm_t comm = sg_mailbox_get_async(route->mailbox, &payload);
        sg_error_t outcome = sg_comm_wait(comm);
        switch (outcome) {
        case SG_OK:
            assert(payload != NULL);
            rs_node_receive(node, payload);
            break;
        case SG_ERROR_NETWORK:
        case SG_ERROR_TIMEOUT:
        case SG_ERROR_CANCELED:
            break; /* the message is lost, as on a real network; SimGrid frees it */
        default:
            fprintf(stderr, "replsim: unexpected communication outcome %d on %s\n", (int)outcome,
                    route->name);
            abort();
        }
    }
}

void rs_node_clear(rs_node *node) {
    assert(node != NULL);
    node->epoch++; /* the latency transport's pending timers of this node become void */
    while (node->inbox_count > 0) {
        free(inbox_pop(node));
    }
    while (node->timer_count > 0) {
        rs_timer timer = timer_pop(node);
        free(timer.message);
    }
}

/* One crash boundary: the node goes down at a fault's start and up at its end. */
typedef struct crash_action {
    int64_t time_us;      /* when */
    uint32_t node;        /* which node */
    bool restart;         /* up (end of window) or down (start) */
    uint32_t order;       /* tie-break: restarts first, then fault order */
    int32_t corrupt;      /* a corrupt fault's start instead: its index; -1 for a crash */
} crash_action;

static int crash_action_compare(const void *left, const void *right) {
    const crash_action *a = left, *b = right;
    if (a->time_us != b->time_us) {
        return a->time_us < b->time_us ? -1 : 1;
    }
    return a->order < b->order ? -1 : a->order > b->order ? 1 : 0;
}

/* The fault actor: applies crash windows at their boundaries and corruptions at their start.
 * Partitions, links, duplicates, reorders, store and clock faults need no actor: the network,
 * the stores and the managers' clocks consult the schedule when they act. */
static void faults_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    rs_world *world = sg_actor_self_get_data();
    assert(world != NULL);
    sg_actor_daemonize(sg_actor_self());
    const rs_scenario *scenario = world->scenario;
    crash_action *actions = world_alloc(2 * (size_t)scenario->fault_count, sizeof *actions);
    uint32_t count = 0;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->kind == RS_FAULT_CRASH) {
            actions[count++] = (crash_action){fault->start_us, fault->node, false, 2 * f + 1, -1};
            actions[count++] = (crash_action){fault->end_us, fault->node, true, 2 * f, -1};
        } else if (fault->kind == RS_FAULT_CORRUPT) {
            actions[count++] = (crash_action){fault->start_us, 0, false, 2 * f + 1, (int32_t)f};
        }
    }
    qsort(actions, count, sizeof *actions, crash_action_compare);
    for (uint32_t i = 0; i < count && actions[i].time_us < world->end_us; i++) {
        world->faults_next_us = actions[i].time_us; /* the courier stops short of it */
        rs_courier_wake(world); /* the previous boundary is applied */
        sg_actor_sleep_until((double)actions[i].time_us / 1e6);
        rs_node *node = &world->nodes[actions[i].node];
        if (actions[i].corrupt >= 0) {
            rs_faults_corrupt(world, (uint32_t)actions[i].corrupt);
        } else if (actions[i].restart && node->down) {
            rs_node_restart(node);
        } else if (!actions[i].restart && !node->down) {
            rs_node_crash(node);
            rs_node_clear(node);
        }
    }
    world->faults_next_us = INT64_MAX; /* nothing left: the courier runs to the end */
    rs_courier_wake(world);
    free(actions);
}

static void controller_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    rs_world *world = sg_actor_self_get_data();
    assert(world != NULL);
    sg_actor_sleep_until((double)world->end_us / 1e6);
}

/* --- building the world ------------------------------------------------------------------- */

static void world_place_nodes(rs_world *world) {
    const rs_scenario *scenario = world->scenario;
    uint32_t *next_host = world_alloc(scenario->region_count, sizeof *next_host);
    uint32_t index = 0;
    static const rs_node_kind kinds[] = {RS_NODE_STORE, RS_NODE_MANAGER, RS_NODE_CLIENT};
    uint32_t role_counters[3] = {0, 0, 0};
    for (uint32_t k = 0; k < 3; k++) {
        for (uint32_t r = 0; r < scenario->region_count; r++) {
            const rs_region_spec *region = &scenario->regions[r];
            uint32_t count = k == 0 ? region->stores : k == 1 ? region->managers : region->clients;
            if (k == 1) {
                world->region_first_manager[r] = index;
                world->region_manager_count[r] = count;
            }
            for (uint32_t i = 0; i < count; i++, index++) {
                rs_node *node = &world->nodes[index];
                assert(index == rs_scenario_node_index(scenario, (rs_node_role)k, r, i));
                node->world = world;
                node->index = index;
                node->kind = kinds[k];
                node->region = r;
                node->role_index = role_counters[k]++;
                snprintf(node->host_name, sizeof node->host_name, "r%u-h%u", r, next_host[r]++);
                rs_rng_seed(&node->network_rng, world->seed, RS_RNG_NETWORK, index);
            }
        }
    }
    assert(index == world->node_count);
    free(next_host);
}

static void world_start_actors(rs_world *world) {
    for (uint32_t i = 0; i < world->node_count; i++) {
        rs_node *node = &world->nodes[i];
        node->host = sg_host_by_name(node->host_name);
        assert(node->host != NULL);
        if (world->courier != NULL) {
            continue; /* latency transport: the courier runs every node's handlers */
        }
        node->semaphore = sg_sem_init(0);
        sg_actor_t actor = sg_actor_init("node", node->host);
        sg_actor_set_data(actor, node);
        sg_actor_start(actor, node_main, 0, NULL);
    }
    if (world->courier != NULL) {
        rs_courier_start(world, world->nodes[0].host);
    }
    if (world->scenario->fault_count > 0) {
        sg_actor_t faults = sg_actor_init("faults", world->nodes[0].host);
        sg_actor_set_data(faults, world);
        sg_actor_start(faults, faults_main, 0, NULL);
    }
    sg_actor_t controller = sg_actor_init("controller", world->nodes[0].host);
    sg_actor_set_data(controller, world);
    sg_actor_start(controller, controller_main, 0, NULL);
}

static int world_init_roles(rs_world *world) {
    for (uint32_t i = 0; i < world->node_count; i++) {
        rs_node *node = &world->nodes[i];
        int status = node->kind == RS_NODE_STORE     ? rs_store_init(node)
                     : node->kind == RS_NODE_MANAGER ? rs_manager_init(node)
                                                     : rs_client_init(node);
        if (status != 0) {
            return -1;
        }
    }
    return 0;
}

static void world_finish(rs_world *world) {
    for (uint32_t i = 0; i < world->node_count; i++) {
        rs_node *node = &world->nodes[i];
        switch (node->kind) {
        case RS_NODE_STORE: rs_store_finish(node); break;
        case RS_NODE_MANAGER: rs_manager_finish(node); break;
        case RS_NODE_CLIENT: rs_client_finish(node); break;
        }
        while (node->inbox_count > 0) {
            free(inbox_pop(node));
        }
        while (node->timer_count > 0) {
            rs_timer timer = timer_pop(node);
            free(timer.message);
        }
        free(node->inbox);
        free(node->timers);
        if (node->semaphore != NULL) {
            sg_sem_destroy(node->semaphore);
        }
        for (uint32_t r = 0; r < node->route_count; r++) {
            free(node->routes[r]);
        }
        free(node->routes);
    }
}

int rs_world_run(const rs_scenario *scenario, uint64_t seed, rs_history *history,
                 rs_metrics *metrics, struct rs_trace *trace, uint64_t *dispatched, char *error,
                 size_t error_size) {
    assert(scenario != NULL && history != NULL && metrics != NULL);
    assert(scenario->store_count == history->store_count);
    rs_world world = {.scenario = scenario, .seed = seed, .history = history, .metrics = metrics,
                      .trace = trace};
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        world.store_count += scenario->regions[r].stores;
        world.manager_count += scenario->regions[r].managers;
        world.client_count += scenario->regions[r].clients;
    }
    world.node_count = world.store_count + world.manager_count + world.client_count;
    world.nodes = world_alloc(world.node_count, sizeof *world.nodes);
    world.region_first_manager = world_alloc(scenario->region_count, sizeof(uint32_t));
    world.region_manager_count = world_alloc(scenario->region_count, sizeof(uint32_t));
    world.store_region = world_alloc(scenario->store_count, sizeof(uint32_t));
    for (uint32_t s = 0; s < scenario->store_count; s++) {
        world.store_region[s] = rs_scenario_store_region(scenario, s);
    }
    world.workload_end_us = llround(scenario->duration_s * 1e6);
    world.end_us = world.workload_end_us + llround(scenario->settle_s * 1e6);
    world_place_nodes(&world);
    rs_faults_prepare(&world);
    rs__trace_attach(trace, &world); /* --trace (NULL: off) reads node states and fault groups */
    /* until the fault actor has published its first boundary, the courier stays on time */
    world.faults_next_us = scenario->fault_count > 0 ? 0 : INT64_MAX;
    if (scenario->transport == RS_TRANSPORT_LATENCY) {
        world.courier = rs_courier_new();
    }
    rs__world_init_engine();
    int status = rs__world_load_platform(scenario, error, error_size);
    if (status == 0) {
        status = world_init_roles(&world);
        if (status != 0) {
            snprintf(error, error_size, "out of memory while creating the nodes");
        }
    }
    if (status == 0) {
        world_start_actors(&world);
        simgrid_run();
        history->workload_end_us = world.workload_end_us;
        history->end_us = world.end_us;
        *dispatched = world.dispatched;
    }
    rs__trace_attach(trace, NULL);
    world_finish(&world);
    free(world.nodes);
    free(world.region_first_manager);
    free(world.region_manager_count);
    free(world.store_region);
    free(world.fault_groups);
    rs_courier_free(world.courier);
    return status;
}
