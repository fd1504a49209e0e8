/* node_health.c — the health probes of one manager (scenario "health_check"): every interval
 * a round of pings goes to each target store; a store that has not answered a round's ping
 * when the round's timeout passes failed that probe. The outcome of each probe feeds the
 * state machine in strategies/health.c, whose verdict the manager's runtime gives strategies
 * (store_healthy) and whose every change goes into the history (the health timeline of the
 * report). A pong of an earlier round, or one after its round was judged, counts for nothing:
 * the probe already failed. Probes cost two 64-byte messages per target per interval. */
#include <assert.h>
#include <stdlib.h>

#include "model/world.h"

struct rs_health_prober {
    const rs_health_spec *spec;       /* the scenario's health_check */
    uint32_t target_count;            /* stores probed: the scenario's targets */
    const uint32_t *targets;          /* their global store indices */
    rs_health_tracker *trackers;      /* per target: the state machine */
    bool *answered;                   /* per target: answered the open round */
    uint64_t round;                   /* the latest round sent (from 1) */
    bool round_open;                  /* its timeout has not passed yet */
};

rs_health_prober *rs_health_prober_new(rs_node *manager, bool *failed) {
    assert(manager != NULL && manager->kind == RS_NODE_MANAGER);
    const rs_scenario *scenario = manager->world->scenario;
    *failed = false;
    if (!scenario->health.enabled) {
        return NULL;
    }
    rs_health_prober *prober = calloc(1, sizeof *prober);
    uint32_t count = scenario->target_count;
    if (prober == NULL || (prober->trackers = calloc(count, sizeof *prober->trackers)) == NULL ||
        (prober->answered = calloc(count, sizeof *prober->answered)) == NULL) {
        rs_health_prober_free(prober);
        *failed = true;
        return NULL;
    }
    prober->spec = &scenario->health;
    prober->target_count = count;
    prober->targets = scenario->targets;
    return prober;
}

void rs_health_prober_free(rs_health_prober *prober) {
    if (prober != NULL) {
        free(prober->trackers);
        free(prober->answered);
        free(prober);
    }
}

void rs_health_prober_start(rs_health_prober *prober, rs_node *manager) {
    if (prober == NULL) {
        return;
    }
    assert(manager->kind == RS_NODE_MANAGER);
    for (uint32_t i = 0; i < prober->target_count; i++) {
        rs_health_tracker_init(&prober->trackers[i]);
    }
    prober->round_open = false;
    rs_node_timer_push(manager, (rs_timer){.due_us = rs_world_now_us(), .kind = RS_TIMER_HEALTH,
                                           .a = prober->round + 1, .b = 0});
}

static void health_observe(rs_health_prober *prober, rs_node *manager, uint32_t target, bool ok) {
    assert(target < prober->target_count);
    if (rs_health_tracker_observe(&prober->trackers[target], prober->spec, ok)) {
        rs_history_add_health(manager->world->history, &(rs_history_health){
            .manager = manager->role_index, .store = prober->targets[target],
            .time_us = rs_world_now_us(), .healthy = prober->trackers[target].healthy});
    }
}

static void health_send_round(rs_health_prober *prober, rs_node *manager, uint64_t round) {
    assert(round == prober->round + 1);
    prober->round = round;
    prober->round_open = true;
    int64_t now_us = rs_world_now_us();
    for (uint32_t i = 0; i < prober->target_count; i++) {
        prober->answered[i] = false;
        rs_message *ping = rs_message_new(RS_MSG_HEALTH_PING, 0);
        ping->request = (round << 32) | i;
        rs_net_send(manager, prober->targets[i], ping);
    }
    rs_node_timer_push(manager, (rs_timer){.due_us = now_us + prober->spec->timeout_us,
                                           .kind = RS_TIMER_HEALTH, .a = round, .b = 1});
    rs_node_timer_push(manager, (rs_timer){.due_us = now_us + prober->spec->interval_us,
                                           .kind = RS_TIMER_HEALTH, .a = round + 1, .b = 0});
}

void rs_health_on_timer(rs_health_prober *prober, rs_node *manager, const rs_timer *timer) {
    assert(timer->kind == RS_TIMER_HEALTH);
    if (prober == NULL) {
        return;
    }
    if (timer->b == 0) {
        if (timer->due_us < manager->world->end_us) {
            health_send_round(prober, manager, timer->a);
        }
        return;
    }
    if (timer->a != prober->round || !prober->round_open) {
        return;
    }
    prober->round_open = false;
    for (uint32_t i = 0; i < prober->target_count; i++) {
        if (!prober->answered[i]) {
            health_observe(prober, manager, i, false);
        }
    }
}

void rs_health_on_pong(rs_health_prober *prober, rs_node *manager, const rs_message *pong) {
    assert(pong->kind == RS_MSG_HEALTH_PONG);
    if (prober == NULL) {
        return;
    }
    uint64_t round = pong->request >> 32;
    uint32_t target = (uint32_t)(pong->request & 0xffffffffu);
    if (round != prober->round || !prober->round_open || target >= prober->target_count ||
        prober->answered[target]) {
        return;
    }
    prober->answered[target] = true;
    health_observe(prober, manager, target, pong->status == RS_OK);
}

bool rs_health_store_healthy(const rs_health_prober *prober, uint32_t store) {
    if (prober == NULL) {
        return true;
    }
    for (uint32_t i = 0; i < prober->target_count; i++) { /* O(targets): few */
        if (prober->targets[i] == store) {
            return prober->trackers[i].healthy;
        }
    }
    return true;
}

void rs_store_on_ping(rs_node *store, const rs_message *ping) {
    assert(store->kind == RS_NODE_STORE);
    assert(ping->kind == RS_MSG_HEALTH_PING);
    rs_message *pong = rs_message_new(RS_MSG_HEALTH_PONG, 0);
    pong->request = ping->request;
    pong->status = RS_OK;
    rs_net_send(store, ping->from_node, pong);
}
