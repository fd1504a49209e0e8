/* node_client.c — the event source: a client issues appends (one event each) to a manager of
 * its region from the workload's arrival process until the workload ends, and records each
 * request's invocation and outcome in the history. The scenario's rate is shared evenly by all
 * clients. Constant arrivals are staggered across clients (client k of n starts at k/n of an
 * interval); Poisson arrivals draw exponential gaps. Each client owns its streams, so versions
 * are assigned here without coordination: stream id = (client << 32) | stream index. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/world.h"

typedef struct rs_client_state {
    rs_rng rng;                /* RS_RNG_WORKLOAD stream of this client */
    uint32_t *versions;        /* last version issued, per stream */
    double interval_us;        /* mean gap between this client's requests */
    double next_due_us;        /* exact (unrounded) time of the next request */
    uint32_t manager_node;     /* node index of the manager it talks to */
} rs_client_state;

static void client_arm(rs_node *node, rs_client_state *client) {
    if (client->next_due_us >= (double)node->world->workload_end_us) {
        return; /* the workload is over for this client */
    }
    rs_node_timer_push(node, (rs_timer){.due_us = llround(client->next_due_us),
                                        .kind = RS_TIMER_CLIENT_ARRIVAL});
}

int rs_client_init(rs_node *node) {
    assert(node != NULL && node->kind == RS_NODE_CLIENT);
    rs_world *world = node->world;
    const rs_scenario *scenario = world->scenario;
    rs_client_state *client = calloc(1, sizeof *client);
    if (client == NULL) {
        return -1;
    }
    node->role = client;
    client->versions = calloc(scenario->streams, sizeof *client->versions);
    if (client->versions == NULL) {
        return -1;
    }
    rs_rng_seed(&client->rng, world->seed, RS_RNG_WORKLOAD, node->role_index);
    client->interval_us = 1e6 * (double)world->client_count / scenario->rate_per_s;
    uint32_t managers = world->region_manager_count[node->region];
    assert(managers > 0);
    /* clients are spread over their region's managers by index */
    client->manager_node = world->region_first_manager[node->region] + node->role_index % managers;
    if (scenario->arrival == RS_ARRIVAL_CONSTANT) {
        client->next_due_us = client->interval_us * node->role_index / (double)world->client_count;
    } else {
        client->next_due_us = rs_rng_exponential(&client->rng, client->interval_us);
    }
    client_arm(node, client);
    return 0;
}

static uint16_t client_pick_type(const rs_scenario *scenario, rs_rng *rng) {
    double draw = rs_rng_uniform(rng);
    double cumulative = 0;
    for (uint32_t i = 0; i + 1 < scenario->type_count; i++) {
        cumulative += scenario->types[i].weight;
        if (draw < cumulative) {
            return (uint16_t)i;
        }
    }
    return (uint16_t)(scenario->type_count - 1);
}

static void client_issue(rs_node *node, rs_client_state *client) {
    rs_world *world = node->world;
    const rs_scenario *scenario = world->scenario;
    int64_t now_us = rs_world_now_us();
    uint32_t stream_index = (uint32_t)rs_rng_below(&client->rng, scenario->streams);
    uint16_t type_index = client_pick_type(scenario, &client->rng);
    rs_event event = {
        .id = ++world->next_event_id,
        .stream = ((uint64_t)node->role_index << 32) | stream_index,
        .version = ++client->versions[stream_index],
        .type_index = type_index,
        .origin_region = (uint16_t)node->region,
        .size_bytes = scenario->event_bytes,
        .created_us = now_us,
    };
    event.checksum = rs_event_checksum(&event);
    size_t request_index = world->history->request_count;
    rs_history_add_event(world->history, &(rs_history_event){
        .stream = event.stream, .version = event.version, .type_index = type_index,
        .origin_region = event.origin_region, .size_bytes = event.size_bytes,
        .checksum = event.checksum, .request_index = (uint32_t)request_index,
        .created_us = now_us});
    rs_history_add_request(world->history, &(rs_history_request){
        .client = node->role_index, .manager = UINT32_MAX, .first_event = event.id,
        .event_count = 1, .status = RS_ERR_TIMEOUT, .invoke_us = now_us,
        .manager_arrival_us = -1, .manager_ack_us = -1, .client_ack_us = -1});
    rs_message *message = rs_message_new(RS_MSG_CLIENT_APPEND, 1);
    message->request = request_index;
    message->events[0] = event;
    message->size_bytes += event.size_bytes;
    rs_net_send(node, client->manager_node, message);
}

void rs_client_on_timer(rs_node *node, const rs_timer *timer) {
    rs_client_state *client = node->role;
    assert(client != NULL);
    assert(timer->kind == RS_TIMER_CLIENT_ARRIVAL);
    client_issue(node, client);
    if (node->world->scenario->arrival == RS_ARRIVAL_CONSTANT) {
        client->next_due_us += client->interval_us;
    } else {
        client->next_due_us += rs_rng_exponential(&client->rng, client->interval_us);
    }
    client_arm(node, client);
}

void rs_client_on_message(rs_node *node, rs_message *message) {
    assert(node->role != NULL);
    rs_history *history = node->world->history;
    if (message->kind != RS_MSG_CLIENT_ACK || message->request >= history->request_count) {
        fprintf(stderr, "replsim: client %s got an unexpected %s message\n", node->host_name,
                rs_message_kind_name(message->kind));
        abort();
    }
    rs_history_request *request = &history->requests[message->request];
    if (request->client_ack_us < 0) {
        request->client_ack_us = rs_world_now_us();
        request->status = message->status;
    }
    free(message);
}

void rs_client_finish(rs_node *node) {
    rs_client_state *client = node->role;
    if (client == NULL) {
        return;
    }
    free(client->versions);
    free(client);
    node->role = NULL;
}
