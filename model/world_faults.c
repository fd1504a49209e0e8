/* world_faults.c — applies the fault schedule at the world's seams: the network asks here
 * whether a message is lost or delayed (at send, and again at delivery for messages in
 * flight when a partition starts or a node goes down), and crashes stop a node and discard
 * what its role cannot keep. Strategies never see any of it except through its effects.
 * Cost: O(active faults) per message, with each node's group precomputed per fault. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/world.h"

void rs_faults_prepare(rs_world *world) {
    const rs_scenario *scenario = world->scenario;
    assert(world->fault_groups == NULL);
    if (scenario->fault_count == 0) {
        return;
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
    return fault->start_us <= now_us && now_us < fault->end_us;
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

int64_t rs_faults_extra_latency_us(const rs_world *world, const rs_node *from, uint32_t to) {
    assert(from != NULL && to < world->node_count);
    const rs_scenario *scenario = world->scenario;
    int64_t now_us = rs_world_now_us();
    int64_t extra_us = 0;
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        if (fault->kind == RS_FAULT_LINK && fault_active(fault, now_us) &&
            link_applies(world, f, from->index, to)) {
            extra_us += (int64_t)(fault->extra_latency_ms * 1000.0 + 0.5);
        }
    }
    return extra_us;
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
}

void rs_node_restart(rs_node *node) {
    assert(node != NULL && node->down);
    node->down = false;
    if (node->kind == RS_NODE_MANAGER && rs_manager_restart(node) != 0) {
        fprintf(stderr, "replsim: out of memory restarting %s\n", node->host_name);
        abort();
    }
}
