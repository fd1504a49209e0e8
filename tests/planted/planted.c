/* planted.c — strategies with known, deliberate bugs, built only into the test binary
 * replsim_planted, to prove the checkers catch what they claim to (tests/test_planted.c).
 * Each wraps the real star strategy and breaks one promise:
 *   planted_early_quorum   acks the client after write_quorum - 1 confirmations
 *   planted_ack_on_arrival acks the client ok as soon as the append arrives, before any store
 *                          has it (as an async strategy acking before its primary)
 * The correct star passes the same scenarios. */
#include <assert.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "strategies/star.h"

typedef struct planted {
    rs_strategy_config config;   /* the real config, with the planted change */
    rs_runtime runtime;          /* the manager's port */
    void *star;                  /* the wrapped star instance */
    bool ack_on_arrival;         /* which bug */
} planted;

static void *planted_create(const rs_strategy_config *config, rs_runtime runtime,
                            bool ack_on_arrival) {
    assert(config != NULL && config->write_quorum >= 1);
    planted *bug = calloc(1, sizeof *bug);
    if (bug == NULL) {
        return NULL;
    }
    bug->config = *config;
    bug->runtime = runtime;
    bug->ack_on_arrival = ack_on_arrival;
    if (!ack_on_arrival && bug->config.write_quorum > 1) {
        bug->config.write_quorum--; /* the planted bug: one confirmation short */
    }
    bug->star = rs_star_component.ops->create(&bug->config, runtime);
    if (bug->star == NULL) {
        free(bug);
        return NULL;
    }
    return bug;
}

static void *early_quorum_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, false);
}

static void *ack_on_arrival_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, true);
}

static void planted_destroy(void *state) {
    planted *bug = state;
    rs_star_component.ops->destroy(bug->star);
    free(bug);
}

static void planted_on_client_append(void *state, uint64_t client_request,
                                     const rs_event_stream *stream) {
    planted *bug = state;
    if (bug->ack_on_arrival) { /* the planted bug: ok before anything is stored */
        bug->runtime.ops->ack_client(bug->runtime.context, client_request, RS_OK);
    }
    rs_star_component.ops->on_client_append(bug->star, client_request, stream);
}

static void planted_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    rs_star_component.ops->on_store_reply(((planted *)state)->star, tag, store, status);
}

static void planted_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    rs_star_component.ops->on_timer(((planted *)state)->star, timer, tag);
}

static const rs_strategy_ops early_quorum_ops = {
    early_quorum_create, planted_destroy, planted_on_client_append, planted_on_store_reply,
    planted_on_timer};
static const rs_strategy_ops ack_on_arrival_ops = {
    ack_on_arrival_create, planted_destroy, planted_on_client_append, planted_on_store_reply,
    planted_on_timer};

static rs_component early_quorum = {
    RS_COMPONENT_STRATEGY, "planted_early_quorum", "PLANTED BUG: star acking one confirmation "
    "short of write_quorum", NULL, 0, &early_quorum_ops};
static rs_component ack_on_arrival = {
    RS_COMPONENT_STRATEGY, "planted_ack_on_arrival", "PLANTED BUG: star acking ok before any "
    "store has the event", NULL, 0, &ack_on_arrival_ops};

int main(int argc, char **argv) {
    /* star's parameters (timeout_ms): the wrappers take whatever star takes */
    early_quorum.params = ack_on_arrival.params = rs_star_component.params;
    early_quorum.param_count = ack_on_arrival.param_count = rs_star_component.param_count;
    if (rs_components_register(&early_quorum) != 0 ||
        rs_components_register(&ack_on_arrival) != 0) {
        return 3;
    }
    return rs_cli_main(argc, argv);
}
