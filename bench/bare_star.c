/* bare_star.c — the floor replsim's star scenarios are measured against (bench/run.sh): a bare
 * SimGrid program that exchanges exactly the messages replsim exchanges for a star scenario
 * without faults, and nothing else — no strategy, no runtime port, no timers, no history, no
 * metrics, no report. Same platform (model/platform.c writes it from the scenario), same SimGrid
 * configuration (CM02, no cross-traffic, TCP gamma 0, 128 KiB stacks), same placement of nodes
 * on hosts, same channel structure (one mailbox "c<from>-<to>" per sender/receiver pair with a
 * permanent receiver, detached puts), same arrival times (each client draws from its own
 * RS_RNG_WORKLOAD stream in replsim's order: gap, then stream and type per event), same sizes:
 * the client appends 64 + event_bytes to its manager, the manager fans the event out to every
 * target store (64 + event_bytes each), each store waits append_ms and replies 64 B, and the
 * manager acks the client (64 B) once write_quorum replies are in. What is left out: replsim's
 * node loop (inbox, timer heap, semaphore wake-ups) — here each channel's pump actor handles
 * its messages itself; a store serves by sleeping until its disk is free (replsim arms a
 * timer); the manager keeps one counter per event (no timeouts: nothing is lost here).
 * The default engine choices are replsim's and the fastest measured (docs/performance.md,
 * "Engine choices"; bench/engine.sh); three flags select the alternatives it compares, each
 * slower (bare_engine.c holds the put and receive variants and the command line; bare_star.h
 * the types): --put=async-test keeps each put's handle (sg_mailbox_put_async) in its sending
 * actor's outbox and releases the finished ones with sg_comm_test in batches, instead of
 * detaching it (in SimGrid 3.32 such communications stay on the sender's activity list: time
 * grows with the square of the messages sent, memory with their number); --recv=waitany
 * receives with one actor per node doing sg_comm_wait_any over its channels instead of one
 * pump per channel (+16% instructions); --mailbox=node gives each node one mailbox and one
 * pump instead of one per sender (+16% instructions, and wrong for replsim anyway: docs/
 * design.md measured a local reply held behind a remote one on a shared mailbox). The messages
 * sent and the simulated end are the same whatever the flags.
 *
 *     bare_star SCENARIO.json [--seed N] [--put=detached|async-test] [--recv=pump|waitany]
 *               [--mailbox=pair|node] [--cfg=simgrid/option:value]...
 *
 * prints "key value" lines: events, acked, messages (and per kind), simulated_s. Exit status 0,
 * 2 on bad input or a scenario this program does not model (faults, extra latency, a strategy
 * other than star, the latency transport), 3 on an internal error. */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <xbt/config.h>
#include <xbt/log.h>

#include "model/rng.h"
#include "model/scenario.h"
#include "model/world.h"

#include "bench/bare_star.h"

static const char *const bare_kind_names[BARE_KIND_COUNT] = {
    "client_append", "store_append", "store_reply", "client_ack"};

void *bare_alloc(size_t count, size_t size) {
    void *memory = calloc(count == 0 ? 1 : count, size);
    if (memory == NULL) {
        fprintf(stderr, "bare_star: out of memory (%zu x %zu bytes)\n", count, size);
        exit(3);
    }
    return memory;
}

/* --- channels and messages --------------------------------------------------------------- */

/* Opens the channel from -> to: its mailbox and, on the receiver's host, its pump (started
 * by world_start_actors). Called before the simulation starts; opening a pair twice is a
 * programmer error. */
static void bare_channel_open(bare_world *world, uint32_t from, uint32_t to) {
    assert(from < world->node_count && to < world->node_count);
    assert(from != to);
    size_t key = (size_t)from * world->node_count + to;
    assert(world->channels[key] == NULL);
    bare_node *receiver = &world->nodes[to];
    if (world->options.mailbox == BARE_MAILBOX_NODE && receiver->inbound != NULL) {
        world->channels[key] = receiver->inbound;
        return;
    }
    bare_channel *channel = bare_alloc(1, sizeof *channel);
    channel->receiver = receiver;
    if (world->options.mailbox == BARE_MAILBOX_NODE) {
        snprintf(channel->name, sizeof channel->name, "n%u", to);
        receiver->inbound = channel; /* owned by the node, shared by every sender */
    } else {
        snprintf(channel->name, sizeof channel->name, "c%u-%u", from, to);
    }
    channel->mailbox = sg_mailbox_by_name(channel->name);
    world->channels[key] = channel;
}

/* --- roles -------------------------------------------------------------------------------- */

static void store_handle(bare_node *node, bare_message *message, bare_outbox *outbox) {
    assert(node->role == BARE_STORE);
    if (message->kind != BARE_STORE_APPEND) {
        fprintf(stderr, "bare_star: store %s got a %s\n", node->host_name,
                bare_kind_names[message->kind]);
        abort();
    }
    /* one disk, FIFO: this request starts when the disk is free and takes append_us (replsim
     * rounds both to whole µs); the pump sleeps until it is done, so a store with several
     * managers serves their requests in arrival order across pumps */
    int64_t append_us = llround(node->world->scenario->append_ms * 1000.0);
    int64_t now_us = llround(simgrid_get_clock() * 1e6);
    node->disk_free_us = (node->disk_free_us > now_us ? node->disk_free_us : now_us) + append_us;
    sg_actor_sleep_until((double)node->disk_free_us / 1e6);
    bare_send(node->world, outbox, node->index, message->from, BARE_STORE_REPLY, message->tag,
              BARE_HEADER_BYTES);
    free(message);
}

static uint32_t manager_slot_take(bare_node *node) {
    if (node->free_head != 0) {
        uint32_t index = node->free_head - 1;
        node->free_head = node->slots[index].next_free;
        return index;
    }
    if (node->slot_used == node->slot_capacity) {
        node->slot_capacity = node->slot_capacity == 0 ? 64 : node->slot_capacity * 2;
        bare_slot *slots = realloc(node->slots, node->slot_capacity * sizeof *slots);
        if (slots == NULL) {
            fprintf(stderr, "bare_star: out of memory (manager slots)\n");
            abort();
        }
        node->slots = slots;
    }
    return node->slot_used++;
}

static void manager_on_append(bare_node *node, const bare_message *message,
                              bare_outbox *outbox) {
    const rs_scenario *scenario = node->world->scenario;
    uint32_t index = manager_slot_take(node);
    node->slots[index] = (bare_slot){.client = message->from, .request = message->tag};
    for (uint32_t t = 0; t < scenario->target_count; t++) {
        bare_send(node->world, outbox, node->index, scenario->targets[t], BARE_STORE_APPEND,
                  index, BARE_HEADER_BYTES + scenario->event_bytes);
    }
}

static void manager_on_reply(bare_node *node, const bare_message *message,
                             bare_outbox *outbox) {
    const rs_scenario *scenario = node->world->scenario;
    assert(message->tag < node->slot_used);
    uint32_t index = (uint32_t)message->tag;
    bare_slot *slot = &node->slots[index];
    assert(slot->replies < scenario->target_count);
    slot->replies++;
    if (slot->replies == scenario->write_quorum) {
        bare_send(node->world, outbox, node->index, slot->client, BARE_CLIENT_ACK,
                  slot->request, BARE_HEADER_BYTES);
    }
    if (slot->replies == scenario->target_count) {
        slot->next_free = node->free_head;
        node->free_head = index + 1;
    }
}

static void manager_handle(bare_node *node, bare_message *message, bare_outbox *outbox) {
    assert(node->role == BARE_MANAGER);
    switch (message->kind) {
    case BARE_CLIENT_APPEND: manager_on_append(node, message, outbox); break;
    case BARE_STORE_REPLY: manager_on_reply(node, message, outbox); break;
    case BARE_STORE_APPEND:
    case BARE_CLIENT_ACK:
    case BARE_KIND_COUNT:
    default:
        fprintf(stderr, "bare_star: manager %s got a message of kind %u\n", node->host_name,
                (unsigned)message->kind);
        abort();
    }
    free(message);
}

static void client_handle(bare_node *node, bare_message *message) {
    assert(node->role == BARE_CLIENT);
    if (message->kind != BARE_CLIENT_ACK) {
        fprintf(stderr, "bare_star: client %s got a %s\n", node->host_name,
                bare_kind_names[message->kind]);
        abort();
    }
    node->world->acked++;
    free(message);
}

void bare_node_handle(bare_node *node, bare_message *message, bare_outbox *outbox) {
    assert(node != NULL && message != NULL);
    switch (node->role) {
    case BARE_STORE: store_handle(node, message, outbox); break;
    case BARE_MANAGER: manager_handle(node, message, outbox); break;
    case BARE_CLIENT: client_handle(node, message); break;
    }
}

/* A channel's pump: the permanent receiver of its mailbox (transfers start at send time),
 * receiving without a timeout, handing each message to the receiving node's role. A daemon,
 * killed when the controller ends the run. */
static void pump_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    bare_channel *channel = sg_actor_self_get_data();
    assert(channel != NULL && channel->receiver != NULL);
    bare_node *node = channel->receiver;
    sg_actor_daemonize(sg_actor_self());
    sg_mailbox_set_receiver(channel->name);
    for (;;) {
        void *payload = NULL;
        sg_error_t outcome = sg_comm_wait(sg_mailbox_get_async(channel->mailbox, &payload));
        if (outcome != SG_OK || payload == NULL) {
            fprintf(stderr, "bare_star: %s: receive failed (%d)\n", channel->name, (int)outcome);
            abort(); /* no faults here: every message must arrive */
        }
        bare_node_handle(node, payload, &channel->outbox);
    }
}

/* A client's issuing actor: replsim's arrival process, draw for draw (node_client.c): the
 * first gap at start, then per event the stream (rs_rng_below), the type (one uniform) and the
 * next gap. Stream and type are drawn only to keep the gaps identical; nothing uses them. */
static void client_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    bare_node *node = sg_actor_self_get_data();
    assert(node != NULL && node->role == BARE_CLIENT);
    sg_actor_daemonize(sg_actor_self());
    bare_world *world = node->world;
    const rs_scenario *scenario = world->scenario;
    bool constant = scenario->arrival == RS_ARRIVAL_CONSTANT;
    rs_rng rng;
    rs_rng_seed(&rng, world->seed, RS_RNG_WORKLOAD, node->role_index);
    double interval_us = 1e6 * (double)world->client_count / scenario->rate_per_s;
    double next_due_us = constant ? interval_us * node->role_index / (double)world->client_count
                                  : rs_rng_exponential(&rng, interval_us);
    for (uint64_t request = 0; next_due_us < (double)world->workload_end_us; request++) {
        sg_actor_sleep_until((double)llround(next_due_us) / 1e6);
        (void)rs_rng_below(&rng, scenario->streams);
        (void)rs_rng_uniform(&rng);
        world->events++;
        bare_send(world, &node->outbox, node->index, node->manager, BARE_CLIENT_APPEND, request,
                  BARE_HEADER_BYTES + scenario->event_bytes);
        next_due_us += constant ? interval_us : rs_rng_exponential(&rng, interval_us);
    }
    /* --put=async-test: an actor's puts still pending fail when it ends; wait for them */
    for (uint32_t i = 0; i < node->outbox.count; i++) {
        if (sg_comm_wait(node->outbox.comms[i]) != SG_OK) {
            fprintf(stderr, "bare_star: %s: a send failed\n", node->host_name);
            abort(); /* no faults here: every message must arrive */
        }
    }
    node->outbox.count = 0;
}

static void controller_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    bare_world *world = sg_actor_self_get_data();
    assert(world != NULL);
    sg_actor_sleep_until((double)world->end_us / 1e6);
}

/* --- building the world ------------------------------------------------------------------- */

/* Places nodes as replsim's world_place_nodes does: stores of every region, then managers,
 * then clients; host k of region r is "r<r>-h<k>" in that order. */
static void world_place_nodes(bare_world *world) {
    const rs_scenario *scenario = world->scenario;
    uint32_t next_host[RS_REGIONS_MAX] = {0};
    uint32_t role_counters[3] = {0, 0, 0};
    uint32_t index = 0;
    for (uint32_t k = 0; k < 3; k++) {
        for (uint32_t r = 0; r < scenario->region_count; r++) {
            const rs_region_spec *region = &scenario->regions[r];
            uint32_t count = k == 0 ? region->stores : k == 1 ? region->managers : region->clients;
            for (uint32_t i = 0; i < count; i++, index++) {
                assert(index == rs_scenario_node_index(scenario, (rs_node_role)k, r, i));
                bare_node *node = &world->nodes[index];
                node->world = world;
                node->role = (bare_role)k;
                node->index = index;
                node->region = r;
                node->role_index = role_counters[k]++;
                snprintf(node->host_name, sizeof node->host_name, "r%u-h%u", r, next_host[r]++);
            }
        }
    }
    assert(index == world->node_count);
}

/* Opens every channel the run uses: client <-> its manager, manager <-> each target store.
 * A client writes to a manager of its region, chosen by index (replsim's node_client.c). */
static void world_open_channels(bare_world *world) {
    const rs_scenario *scenario = world->scenario;
    uint32_t first_manager = world->store_count;
    for (uint32_t c = 0; c < world->client_count; c++) {
        bare_node *client = &world->nodes[world->store_count + world->manager_count + c];
        uint32_t region_first = first_manager, region_managers = 0;
        for (uint32_t m = 0; m < world->manager_count; m++) {
            const bare_node *manager = &world->nodes[first_manager + m];
            if (manager->region == client->region) {
                region_first = region_managers == 0 ? manager->index : region_first;
                region_managers++;
            }
        }
        assert(region_managers > 0);
        client->manager = region_first + client->role_index % region_managers;
        bare_channel_open(world, client->index, client->manager);
        bare_channel_open(world, client->manager, client->index);
    }
    for (uint32_t m = 0; m < world->manager_count; m++) {
        for (uint32_t t = 0; t < scenario->target_count; t++) {
            bare_channel_open(world, first_manager + m, scenario->targets[t]);
            bare_channel_open(world, scenario->targets[t], first_manager + m);
        }
    }
}

static void world_start_actors(bare_world *world) {
    for (uint32_t i = 0; i < world->node_count; i++) {
        bare_node *node = &world->nodes[i];
        node->host = sg_host_by_name(node->host_name);
        assert(node->host != NULL);
        if (node->role == BARE_CLIENT) {
            sg_actor_t client = sg_actor_init("client", node->host);
            sg_actor_set_data(client, node);
            sg_actor_start(client, client_main, 0, NULL);
        }
    }
    if (world->options.recv == BARE_RECV_WAITANY) {
        for (uint32_t i = 0; i < world->node_count; i++) { /* every node receives something */
            sg_actor_t receiver = sg_actor_init("receiver", world->nodes[i].host);
            sg_actor_set_data(receiver, &world->nodes[i]);
            sg_actor_start(receiver, bare_receiver_main, 0, NULL);
        }
    }
    bool per_node = world->options.mailbox == BARE_MAILBOX_NODE;
    size_t pumps = world->options.recv != BARE_RECV_PUMP ? 0
                   : per_node                            ? world->node_count
                                 : (size_t)world->node_count * world->node_count;
    for (size_t i = 0; i < pumps; i++) { /* in node, or (sender, receiver), order */
        bare_channel *channel = per_node ? world->nodes[i].inbound : world->channels[i];
        if (channel != NULL) {
            sg_actor_t pump = sg_actor_init("pump", channel->receiver->host);
            sg_actor_set_data(pump, channel);
            sg_actor_start(pump, pump_main, 0, NULL);
        }
    }
    sg_actor_t controller = sg_actor_init("controller", world->nodes[0].host);
    sg_actor_set_data(controller, world);
    sg_actor_start(controller, controller_main, 0, NULL);
}

/* --- the command -------------------------------------------------------------------------- */

static void bare_print(const bare_world *world) {
    uint64_t total = 0;
    for (uint32_t k = 0; k < BARE_KIND_COUNT; k++) {
        total += world->messages[k];
    }
    printf("scenario %s\nseed %" PRIu64 "\nevents %" PRIu64 "\nacked %" PRIu64
           "\nmessages %" PRIu64 "\n",
           world->scenario->source_path, world->seed, world->events, world->acked, total);
    for (uint32_t k = 0; k < BARE_KIND_COUNT; k++) {
        printf("messages.%s %" PRIu64 "\n", bare_kind_names[k], world->messages[k]);
    }
    printf("simulated_s %.6f\n", simgrid_get_clock());
}

static void bare_engine_configure(void) {
    /* replsim's world_init_engine: declared latency is exact (SIMGRID_NOTES.md) */
    sg_cfg_set_string("network/model", "CM02");
    sg_cfg_set_boolean("network/crosstraffic", "no");
    sg_cfg_set_double("network/TCP-gamma", 0.0);
    sg_cfg_set_boolean("debug/verbose-exit", "no");
}

int main(int argc, char **argv) {
    if (argc > BARE_ARGS_MAX) {
        fprintf(stderr, "bare_star: more than %d arguments\n", BARE_ARGS_MAX - 1);
        return 2;
    }
    /* replsim's defaults before the command line's --cfg= (a later setting wins), as world.c */
    char stack[] = BARE_STACK_CFG;
    char *engine_argv[BARE_ARGS_MAX + 2] = {argv[0], stack};
    int engine_argc = 2;
    for (int i = 1; i < argc; i++) {
        engine_argv[engine_argc++] = argv[i];
    }
    engine_argv[engine_argc] = NULL;
    xbt_log_control_set("root.thres:critical");
    simgrid_init(&engine_argc, engine_argv); /* takes --cfg= and --log= out of argv */
    rs_scenario *scenario = bare_alloc(1, sizeof *scenario);
    bare_world world = {.scenario = scenario};
    int status = bare_parse(engine_argc, engine_argv, scenario, &world.seed, &world.options);
    if (status != 0) {
        free(scenario);
        return status;
    }
    bare_engine_configure();
    world.store_count = scenario->store_count;
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        world.manager_count += scenario->regions[r].managers;
        world.client_count += scenario->regions[r].clients;
    }
    world.node_count = world.store_count + world.manager_count + world.client_count;
    assert(world.node_count == rs_scenario_node_count(scenario));
    world.workload_end_us = llround(scenario->duration_s * 1e6);
    world.end_us = world.workload_end_us + llround(scenario->settle_s * 1e6);
    world.nodes = bare_alloc(world.node_count, sizeof *world.nodes);
    world.channels = bare_alloc((size_t)world.node_count * world.node_count,
                                sizeof(bare_channel *));
    world_place_nodes(&world);
    char error[256];
    if (rs__world_load_platform(scenario, error, sizeof error) != 0) { /* replsim's own loader */
        fprintf(stderr, "bare_star: %s\n", error);
        return 3;
    }
    world_open_channels(&world);
    world_start_actors(&world);
    simgrid_run();
    bare_print(&world);
    for (uint32_t i = 0; i < world.node_count; i++) {
        free(world.nodes[i].slots);
        free(world.nodes[i].outbox.comms); /* handles still kept: released with the engine */
        if (world.nodes[i].inbound != NULL) {
            free(world.nodes[i].inbound->outbox.comms);
            free(world.nodes[i].inbound);
        }
    }
    for (size_t key = 0; world.options.mailbox == BARE_MAILBOX_PAIR &&
                         key < (size_t)world.node_count * world.node_count; key++) {
        if (world.channels[key] != NULL) {
            free(world.channels[key]->outbox.comms);
        }
        free(world.channels[key]);
    }
    free(world.nodes);
    free(world.channels);
    free(scenario);
    return 0;
}
