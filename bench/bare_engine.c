/* bare_engine.c — bench/bare_star's engine choices and command line: how a message is put
 * (detached, the default, as replsim; or --put=async-test, the handle kept and released with
 * sg_comm_test in batches), how a node receives (a pump per channel, in bare_star.c; or
 * --recv=waitany, one actor per node over all its channels), and the parsing of the command
 * line (scenario, --seed, those flags, --mailbox). bench/engine.sh measures each choice;
 * docs/performance.md, "Engine choices", has the figures. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/mailbox.h>

#include "bench/bare_star.h"
#include "cli/commands.h"

/* --put=async-test: keeps `comm` in `outbox`; once `reap_at` are kept, tests every kept
 * handle (sg_comm_test releases a finished one), keeps the unfinished in order and sets the
 * next reaping at twice what is left (at least BARE_REAP_BATCH): at most ~2 tests per put. */
static void bare_outbox_keep(bare_outbox *outbox, sg_comm_t comm) {
    assert(outbox != NULL && comm != NULL);
    if (outbox->count == outbox->capacity) {
        outbox->capacity = outbox->capacity == 0 ? 2 * BARE_REAP_BATCH : outbox->capacity * 2;
        sg_comm_t *comms = realloc(outbox->comms, outbox->capacity * sizeof *comms);
        if (comms == NULL) {
            fprintf(stderr, "bare_star: out of memory (outbox)\n");
            abort();
        }
        outbox->comms = comms;
    }
    outbox->comms[outbox->count++] = comm;
    if (outbox->count < (outbox->reap_at == 0 ? BARE_REAP_BATCH : outbox->reap_at)) {
        return;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < outbox->count; i++) {
        if (!sg_comm_test(outbox->comms[i])) {
            outbox->comms[kept++] = outbox->comms[i];
        }
    }
    outbox->count = kept;
    outbox->reap_at = 2 * kept > BARE_REAP_BATCH ? 2 * kept : BARE_REAP_BATCH;
    assert(outbox->count <= outbox->capacity);
}

/* Sends a message of `size_bytes` simulated bytes on the channel from -> to: detached, or
 * (--put=async-test) kept in `outbox`, the sending actor's. */
void bare_send(bare_world *world, bare_outbox *outbox, uint32_t from, uint32_t to,
               bare_kind kind, uint64_t tag, uint32_t size_bytes) {
    assert(kind < BARE_KIND_COUNT && outbox != NULL);
    assert(size_bytes >= BARE_HEADER_BYTES);
    const bare_channel *channel = world->channels[(size_t)from * world->node_count + to];
    assert(channel != NULL);
    bare_message *message = malloc(sizeof *message);
    if (message == NULL) {
        fprintf(stderr, "bare_star: out of memory (message)\n");
        abort();
    }
    *message = (bare_message){.kind = kind, .from = from, .tag = tag};
    world->messages[kind]++;
    if (world->options.put == BARE_PUT_DETACHED) {
        sg_comm_detach(sg_mailbox_put_init(channel->mailbox, message, (long)size_bytes), free);
    } else {
        bare_outbox_keep(outbox, sg_mailbox_put_async(channel->mailbox, message,
                                                      (long)size_bytes));
    }
}

static void bare_free_on_exit(int failed, void *memory) {
    (void)failed;
    free(memory);
}

/* --recv=waitany: a node's one receiving actor, the permanent receiver of every channel to
 * it, with one receive posted per channel: sg_comm_wait_any, handle, post that channel's next
 * receive. A daemon, killed when the controller ends the run. */
void bare_receiver_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    bare_node *node = sg_actor_self_get_data();
    assert(node != NULL && node->world->options.mailbox == BARE_MAILBOX_PAIR);
    bare_world *world = node->world;
    sg_actor_daemonize(sg_actor_self());
    /* one block for the three arrays, freed when the actor is killed at the end */
    size_t slot_bytes = sizeof(bare_channel *) + sizeof(sg_comm_t) + sizeof(void *);
    char *block = bare_alloc(world->node_count, slot_bytes);
    sg_actor_on_exit(bare_free_on_exit, block);
    bare_channel **channels = (bare_channel **)(void *)block;
    sg_comm_t *comms = (sg_comm_t *)(void *)(block + world->node_count * sizeof *channels);
    void **payloads = (void **)(void *)(block + world->node_count * (sizeof *channels +
                                                                     sizeof *comms));
    size_t count = 0;
    for (uint32_t from = 0; from < world->node_count; from++) {
        bare_channel *channel = world->channels[(size_t)from * world->node_count + node->index];
        if (channel != NULL) {
            sg_mailbox_set_receiver(channel->name);
            channels[count] = channel;
            comms[count] = sg_mailbox_get_async(channel->mailbox, &payloads[count]);
            count++;
        }
    }
    assert(count > 0);
    for (;;) {
        ssize_t index = sg_comm_wait_any(comms, count);
        if (index < 0 || payloads[index] == NULL) {
            fprintf(stderr, "bare_star: %s: receive failed\n", node->host_name);
            abort(); /* no faults here: every message must arrive */
        }
        void *payload = payloads[index];
        comms[index] = sg_mailbox_get_async(channels[index]->mailbox, &payloads[index]);
        bare_node_handle(node, payload, &node->outbox);
    }
}

/* Bad input or a scenario beyond this program's model: the reason, or NULL when it fits. */
static const char *bare_unsupported(const rs_scenario *scenario) {
    if (strcmp(scenario->strategy->name, "star") != 0) {
        return "strategy.type: only star is modelled (its message pattern is fixed)";
    }
    if (scenario->transport != RS_TRANSPORT_FLOW) {
        return "network.transport: only flow is modelled";
    }
    if (scenario->fault_count > 0) {
        return "faults: none allowed (nothing is lost or retried here)";
    }
    for (uint32_t i = 0; i < scenario->link_count; i++) {
        if (scenario->links[i].extra_latency.kind != RS_DIST_NONE) {
            return "topology.links: extra latency is not modelled";
        }
    }
    if (rs_scenario_per_event_targets(scenario)) {
        return "strategy: per-event targets (rules) are not modelled";
    }
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        if (scenario->regions[r].clients > 0 && scenario->regions[r].managers == 0) {
            return "topology.regions: a region with clients needs a manager";
        }
    }
    return NULL;
}

#define BARE_USAGE "usage: bare_star SCENARIO.json [--seed N] [--put=detached|async-test] " \
                   "[--recv=pump|waitany] [--mailbox=pair|node] [--cfg=option:value]..."

/* One of the engine flags (--put=, --recv=, --mailbox=) into *options: 1 when `arg` is one,
 * 0 when it is not, -1 (said on stderr) when its value is bad. */
static int bare_parse_engine_flag(const char *arg, bare_options *options) {
    static const struct {
        const char *flag;     /* the flag with its value */
        int field;            /* 0 put, 1 recv, 2 mailbox */
        int value;            /* the enum value */
    } flags[] = {
        {"--put=detached", 0, BARE_PUT_DETACHED}, {"--put=async-test", 0, BARE_PUT_ASYNC_TEST},
        {"--recv=pump", 1, BARE_RECV_PUMP},       {"--recv=waitany", 1, BARE_RECV_WAITANY},
        {"--mailbox=pair", 2, BARE_MAILBOX_PAIR}, {"--mailbox=node", 2, BARE_MAILBOX_NODE},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (strcmp(arg, flags[i].flag) == 0) {
            if (flags[i].field == 0) {
                options->put = (bare_put)flags[i].value;
            } else if (flags[i].field == 1) {
                options->recv = (bare_recv)flags[i].value;
            } else {
                options->mailbox = (bare_mailbox)flags[i].value;
            }
            return 1;
        }
    }
    if (strncmp(arg, "--put=", 6) == 0 || strncmp(arg, "--recv=", 7) == 0 ||
        strncmp(arg, "--mailbox=", 10) == 0) {
        fprintf(stderr, "bare_star: bad value in '%s'; %s\n", arg, BARE_USAGE);
        return -1;
    }
    return 0;
}

int bare_parse(int argc, char **argv, rs_scenario *scenario, uint64_t *seed,
               bare_options *options) {
    const char *path = NULL;
    bool seed_given = false;
    for (int i = 1; i < argc; i++) {
        int flag = bare_parse_engine_flag(argv[i], options);
        if (flag != 0) {
            if (flag < 0) {
                return 2;
            }
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            unsigned long long value = 0;
            if (rs_cli_parse_seed(argv[++i], &value) != 0) {
                fprintf(stderr, "bare_star: --seed: '%s' is not a seed; allowed: an integer "
                                "0..18446744073709551615\n", argv[i]);
                return 2;
            }
            *seed = value;
            seed_given = true;
        } else if (argv[i][0] == '-' || path != NULL) {
            fprintf(stderr, "bare_star: unexpected argument '%s'; %s\n", argv[i], BARE_USAGE);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (path == NULL) {
        fprintf(stderr, "bare_star: missing scenario; %s\n", BARE_USAGE);
        return 2;
    }
    if (options->mailbox == BARE_MAILBOX_NODE && options->recv == BARE_RECV_WAITANY) {
        fprintf(stderr, "bare_star: --mailbox=node has one mailbox per node: nothing to wait_any "
                        "over; use --recv=pump with it\n");
        return 2;
    }
    char error[1024];
    if (rs_scenario_load(path, scenario, error, sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        return 2;
    }
    const char *unsupported = bare_unsupported(scenario);
    if (unsupported != NULL) {
        fprintf(stderr, "%s: %s\n", path, unsupported);
        return 2;
    }
    if (!seed_given) {
        *seed = scenario->seed;
    }
    return 0;
}
