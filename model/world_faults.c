/* world_faults.c — applies the fault schedule at the world's seams: the network asks here
 * whether a message is lost or delayed (at send, and again at delivery for messages in
 * flight when a partition starts or a node goes down), and crashes stop a node and discard
 * what its role cannot keep; duplicate and reorder are decided at send (so both transports
 * behave alike), slow and full stores at the store's disk, skewed clocks in the manager's
 * now_us, corruption in the store's log at the window's start. Strategies never see any of
 * it except through its effects. Random draws come from RS_RNG_FAULTS streams only, so a
 * fault never shifts the workload's or the network's draws.
 * Cost: O(active faults) per message, with each node's group precomputed per fault. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace.h"
#include "model/world.h"

void rs_faults_prepare(rs_world *world) {
    const rs_scenario *scenario = world->scenario;
    assert(world->fault_groups == NULL);
    if (scenario->fault_count == 0) {
        return;
    }
    for (uint32_t n = 0; n < world->node_count; n++) { /* draws of duplicate and reorder */
        rs_rng_seed(&world->nodes[n].fault_rng, world->seed, RS_RNG_FAULTS, n);
    }
    world->fault_groups = malloc((size_t)scenario->fault_count * world->node_count);
    if (world->fault_groups == NULL) {
        fprintf(stderr, "replsim: out of memory (fault groups)\n");
        abort();
    }
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        for (uint32_t n = 0; n < world->node_count; n++) {
            int group = rs_fault_group_of(&scenario->faults[f], n, world->nodes[n].region);
            world->fault_groups[(size_t)f * world->node_count + n] = (int8_t)group;
        }
    }
}

static bool fault_active(const rs_fault *fault, int64_t now_us) {
    return rs_fault_active(fault, now_us);
}

static int group_of(const rs_world *world, uint32_t fault, uint32_t node) {
    return world->fault_groups[(size_t)fault * world->node_count + node];
}

/* Is the pair (from, to) across link fault f (one side each)? */
static bool link_applies(const rs_world *world, uint32_t f, uint32_t from, uint32_t to) {
    int a = group_of(world, f, from), b = group_of(world, f, to);
    return a >= 0 && b >= 0 && a != b;
}

bool rs_faults_drop(rs_world *world, rs_node *from, uint32_t to, bool at_send) {
    assert(to < world->node_count);
    assert(from != NULL);
    const rs_scenario *scenario = world->scenario;
    bool lost = world->nodes[to].down;
    int64_t now_us = rs_world_now_us();
    for (uint32_t f = 0; !lost && f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (!fault_active(fault, now_us)) {
            continue;
        }
        if (fault->kind == RS_FAULT_PARTITION) {
            lost = rs_fault_partition_blocks(fault, group_of(world, f, from->index),
                                             group_of(world, f, to));
        } else if (fault->kind == RS_FAULT_LINK && at_send && fault->loss > 0 &&
                   link_applies(world, f, from->index, to)) {
            lost = rs_rng_uniform(&from->network_rng) < fault->loss;
        }
    }
    if (lost) {
        world->history->messages_dropped++;
    }
    return lost;
}

int64_t rs_faults_extra_latency_us(rs_world *world, rs_node *from, uint32_t to) {
    assert(from != NULL && to < world->node_count);
    const rs_scenario *scenario = world->scenario;
    int64_t now_us = rs_world_now_us();
    int64_t extra_us = 0;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if ((fault->kind != RS_FAULT_LINK && fault->kind != RS_FAULT_REORDER) ||
            !fault_active(fault, now_us) || !link_applies(world, f, from->index, to)) {
            continue;
        }
        if (fault->kind == RS_FAULT_LINK) {
            extra_us += (int64_t)(fault->extra_latency_ms * 1000.0 + 0.5);
        } else if (rs_rng_uniform(&from->fault_rng) < fault->probability) {
            /* held back uniform in (0, delay_ms_max]: later messages may overtake it */
            double held_ms = (1.0 - rs_rng_uniform(&from->fault_rng)) * fault->delay_ms_max;
            int64_t held_us = llround(held_ms * 1000.0);
            extra_us += held_us > 0 ? held_us : 1;
            world->history->messages_reordered++;
        }
    }
    assert(extra_us >= 0);
    return extra_us;
}

rs_message *rs_faults_duplicate(rs_world *world, rs_node *from, uint32_t to,
                                const rs_message *message) {
    assert(from != NULL && message != NULL);
    assert(to < world->node_count);
    const rs_scenario *scenario = world->scenario;
    int64_t now_us = rs_world_now_us();
    bool twice = false;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->kind == RS_FAULT_DUPLICATE && fault_active(fault, now_us) &&
            link_applies(world, f, from->index, to)) {
            twice |= rs_rng_uniform(&from->fault_rng) < fault->probability;
        }
    }
    if (!twice) {
        return NULL;
    }
    size_t bytes = sizeof *message + message->event_count * sizeof(rs_event);
    rs_message *copy = malloc(bytes);
    if (copy == NULL) {
        fprintf(stderr, "replsim: out of memory (duplicate message)\n");
        abort();
    }
    memcpy(copy, message, bytes);
    world->history->messages_duplicated++;
    return copy;
}

int64_t rs_faults_clock_us(const rs_world *world, const rs_node *node, int64_t now_us) {
    assert(world != NULL && node != NULL);
    const rs_scenario *scenario = world->scenario;
    int64_t local_us = now_us;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->kind == RS_FAULT_CLOCK && fault->node == node->index) {
            local_us += rs_fault_clock_us(fault, now_us) - now_us;
        }
    }
    return local_us;
}

/* Does store fault f (slow_store, full_store, corrupt) name `store` (itself or its region)? */
static bool store_named(const rs_world *world, uint32_t f, const rs_node *store) {
    return group_of(world, f, store->index) >= 0;
}

int64_t rs_faults_service_us(const rs_world *world, const rs_node *store, int64_t service_us) {
    assert(store != NULL && store->kind == RS_NODE_STORE);
    assert(service_us >= 0);
    const rs_scenario *scenario = world->scenario;
    int64_t now_us = rs_world_now_us();
    double factor = 1.0;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->kind == RS_FAULT_SLOW_STORE && fault_active(fault, now_us) &&
            store_named(world, f, store)) {
            factor *= fault->factor;
        }
    }
    return factor == 1.0 ? service_us : llround((double)service_us * factor);
}

bool rs_faults_store_full(const rs_world *world, const rs_node *store) {
    assert(store != NULL && store->kind == RS_NODE_STORE);
    const rs_scenario *scenario = world->scenario;
    int64_t now_us = rs_world_now_us();
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->kind == RS_FAULT_FULL_STORE && fault_active(fault, now_us) &&
            store_named(world, f, store)) {
            return true;
        }
    }
    return false;
}

void rs_faults_corrupt(rs_world *world, uint32_t fault) {
    assert(fault < world->scenario->fault_count);
    assert(world->scenario->faults[fault].kind == RS_FAULT_CORRUPT);
    rs_rng rng; /* a stream of its own: which byte of each stored copy flips */
    rs_rng_seed(&rng, world->seed, RS_RNG_FAULTS, (uint64_t)world->node_count + fault);
    for (uint32_t s = 0; s < world->store_count; s++) {
        if (store_named(world, fault, &world->nodes[s])) {
            world->history->events_corrupted += rs_store_corrupt(&world->nodes[s], &rng);
        }
    }
}

void rs_node_crash(rs_node *node) {
    assert(node != NULL && !node->down);
    assert(node->kind != RS_NODE_CLIENT);
    rs_history *history = node->world->history;
    node->down = true;
    uint64_t lost = 0;
    if (node->kind == RS_NODE_STORE) {
        lost = rs_store_crash(node);
    } else {
        rs_manager_crash(node);
    }
    assert(history->crash_count < sizeof history->crashes / sizeof history->crashes[0]);
    history->crashes[history->crash_count++] =
        (rs_history_crash){.node = node->index, .time_us = rs_world_now_us(), .events_lost = lost};
    rs_trace_crash(node->world->trace, node->index, lost);
}

void rs_node_restart(rs_node *node) {
    assert(node != NULL && node->down);
    node->down = false;
    rs_trace_restart(node->world->trace, node->index);
    if (node->kind == RS_NODE_MANAGER && rs_manager_restart(node) != 0) {
        fprintf(stderr, "replsim: out of memory restarting %s\n", node->host_name);
        abort();
    }
}
