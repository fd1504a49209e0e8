/* node_client.c — the event source: a client issues appends (one event each) to a manager of
 * its region from the workload's arrival process until the workload ends, and records each
 * request's invocation and outcome in the history. The scenario's rate is shared evenly by all
 * clients. Constant arrivals are staggered across clients (client k of n starts at k/n of an
 * interval); Poisson arrivals draw exponential gaps. Each client owns its streams, so versions
 * are assigned here without coordination: stream id = (client << 32) | stream index.
 * With workload.reads, a client also reads its own streams: random reads at its share of
 * rate x ratio (Poisson, from its own RS_RNG_READS stream, so writes draw exactly what they
 * draw without reads), and one read-after-write probe of a write's stream at each probe delay
 * after the write was acknowledged ok. Reads are recorded in the history's reads. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/trace.h"
#include "model/world.h"

typedef struct rs_client_state {
    rs_rng rng;                /* RS_RNG_WORKLOAD stream of this client */
    uint32_t *versions;        /* last version issued, per stream */
    double interval_us;        /* mean gap between this client's requests */
    double next_due_us;        /* exact (unrounded) time of the next request */
    uint32_t manager_node;     /* node index of the manager it talks to */
    rs_rng read_rng;           /* RS_RNG_READS stream: random reads' gaps and streams */
    double read_interval_us;   /* mean gap between random reads; 0 = none */
    double next_read_us;       /* exact time of the next random read */
} rs_client_state;

static void client_arm(rs_node *node, rs_client_state *client) {
    if (client->next_due_us >= (double)node->world->workload_end_us) {
        return; /* the workload is over for this client */
    }
    rs_node_timer_push(node, (rs_timer){.due_us = llround(client->next_due_us),
                                        .kind = RS_TIMER_CLIENT_ARRIVAL});
}

static void client_arm_read(rs_node *node, const rs_client_state *client) {
    if (client->next_read_us < (double)node->world->workload_end_us) {
        rs_node_timer_push(node, (rs_timer){.due_us = llround(client->next_read_us),
                                            .kind = RS_TIMER_CLIENT_READ});
    }
}

/* Sends a read of `stream` (probe: index of the delay, -1 for a random read). */
static void client_read(rs_node *node, const rs_client_state *client, rs_stream_id stream,
                        int32_t probe) {
    rs_world *world = node->world;
    size_t index = rs_history_add_read(world->history, &(rs_history_read){
        .client = node->role_index, .probe = probe, .stream = stream,
        .invoke_us = rs_world_now_us(), .client_ack_us = -1, .status = RS_ERR_TIMEOUT});
    rs_message *message = rs_message_new(RS_MSG_CLIENT_READ, 1);
    message->request = index;
    message->events[0] = (rs_event){.stream = stream};
    rs_trace_read(world->trace, index, node->index, client->manager_node, stream, probe);
    rs_net_send(node, client->manager_node, message);
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
    if (scenario->read_ratio > 0) {
        rs_rng_seed(&client->read_rng, world->seed, RS_RNG_READS, node->role_index);
        client->read_interval_us = client->interval_us / scenario->read_ratio;
        client->next_read_us = rs_rng_exponential(&client->read_rng, client->read_interval_us);
        client_arm_read(node, client);
    }
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
    bool shared = rs_scenario_shared_streams(scenario); /* managers assign versions */
    rs_event event = {
        .id = ++world->next_event_id,
        .stream = shared ? stream_index : ((uint64_t)node->role_index << 32) | stream_index,
        .version = shared ? 0 : ++client->versions[stream_index],
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
    rs_trace_invoke(world->trace, request_index, node->index, client->manager_node, &event);
    rs_net_send(node, client->manager_node, message);
}

void rs_client_on_timer(rs_node *node, const rs_timer *timer) {
    rs_client_state *client = node->role;
    assert(client != NULL);
    if (timer->kind == RS_TIMER_CLIENT_PROBE) {
        client_read(node, client, timer->a, (int32_t)timer->b);
        return;
    }
    if (timer->kind == RS_TIMER_CLIENT_READ) {
        uint32_t stream_index = (uint32_t)rs_rng_below(&client->read_rng,
                                                       node->world->scenario->streams);
        client_read(node, client, ((uint64_t)node->role_index << 32) | stream_index, -1);
        client->next_read_us += rs_rng_exponential(&client->read_rng, client->read_interval_us);
        client_arm_read(node, client);
        return;
    }
    assert(timer->kind == RS_TIMER_CLIENT_ARRIVAL);
    client_issue(node, client);
    if (node->world->scenario->arrival == RS_ARRIVAL_CONSTANT) {
        client->next_due_us += client->interval_us;
    } else {
        client->next_due_us += rs_rng_exponential(&client->rng, client->interval_us);
    }
    client_arm(node, client);
}

/* Arms one read-after-write probe per delay for an ok write. */
static void client_probe(rs_node *node, const rs_history_request *request) {
    const rs_scenario *scenario = node->world->scenario;
    if (request->status != RS_OK || scenario->probe_count == 0) {
        return;
    }
    rs_stream_id stream = node->world->history->events[request->first_event - 1].stream;
    for (uint32_t p = 0; p < scenario->probe_count; p++) {
        rs_node_timer_push(node, (rs_timer){.due_us = rs_world_now_us() +
                                                      scenario->probe_delays_us[p],
                                            .kind = RS_TIMER_CLIENT_PROBE, .a = stream,
                                            .b = p});
    }
}

void rs_client_on_message(rs_node *node, rs_message *message) {
    assert(node->role != NULL);
    rs_history *history = node->world->history;
    if (message->kind == RS_MSG_READ_ACK && message->request < history->read_count) {
        rs_history_read *read = &history->reads[message->request];
        if (read->client_ack_us < 0) {
            read->client_ack_us = rs_world_now_us();
            read->status = message->status;
            read->version = message->event_count == 1 ? message->events[0].version : 0;
            rs_trace_read_ack(node->world->trace, message->request, node->index,
                              (int)read->status, read->version);
        }
        free(message);
        return;
    }
    if (message->kind != RS_MSG_CLIENT_ACK || message->request >= history->request_count) {
        fprintf(stderr, "replsim: client %s got an unexpected %s message\n", node->host_name,
                rs_message_kind_name(message->kind));
        abort();
    }
    rs_history_request *request = &history->requests[message->request];
    if (request->client_ack_us < 0) {
        request->client_ack_us = rs_world_now_us();
        request->status = message->status;
        client_probe(node, request);
        rs_trace_ack(node->world->trace, message->request, node->index, (int)message->status);
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
