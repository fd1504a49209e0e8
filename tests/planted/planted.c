/* planted.c — components with known, deliberate bugs, built only into the test binary
 * replsim_planted, to prove the checkers catch what they claim to (tests/test_planted.c).
 * Each strategy wraps a real one and breaks one promise:
 *   planted_early_quorum     star acking the client after write_quorum - 1 confirmations
 *   planted_ack_on_arrival   star acking ok as soon as the append arrives, before any store has
 *                            the event (as an async strategy acking before its primary)
 *   planted_cascade_past_failure  cascade told "ok" for every failed hop (error or timeout),
 *                            so its chain goes on to the next store past a hop that never
 *                            confirmed
 *   planted_rule_leak        conditional whose first rule also names one store outside its
 *                            targets (the last store of the target union it lacks): its events
 *                            leak to a store the scenario's rules forbid
 *   planted_async_early_ack  async_queue acking ok as the append arrives, before its primary
 *                            has the event
 * one consistency policy,
 *   planted_eventual_blind   eventual whose checker forgets every digest page's entries, so no
 *                            stream ever diverges and its anti-entropy never repairs
 * and one store bug, switched on by the environment (RS_PLANTED_STORE=duplicate_retries): the
 * store skips its idempotence check (model/testing.h), so a retried request appends twice.
 * The correct components pass the same scenarios. Wrappers take the wrapped strategy's
 * parameters, so the checkers treat them as that strategy (e.g. a cascade's chain). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "model/testing.h"
#include "strategies/async_queue.h"
#include "strategies/cascade.h"
#include "strategies/eventual.h"
#include "strategies/conditional.h"
#include "strategies/rules.h"
#include "strategies/star.h"

typedef enum planted_bug {
    PLANTED_EARLY_QUORUM,          /* write_quorum - 1 */
    PLANTED_ACK_ON_ARRIVAL,        /* ok before any store */
    PLANTED_CASCADE_PAST_FAILURE,  /* failed hops reported ok to the cascade */
    PLANTED_RULE_LEAK,             /* rule 0 names one more store */
    PLANTED_ASYNC_EARLY_ACK,       /* async_queue: ok before its primary has the event */
    PLANTED_BUG_COUNT
} planted_bug;

typedef struct planted {
    planted_bug bug;               /* which bug */
    const rs_component *inner;     /* the wrapped, correct strategy */
    rs_strategy_config config;     /* the real config, with the planted change */
    rs_rule_set *rules;            /* RULE_LEAK: the leaking copy of the rules (owned) */
    rs_runtime runtime;            /* the manager's port */
    void *state;                   /* the wrapped instance */
} planted;

/* A copy of `rules` whose rule 0 also names the last store of `config`'s targets it lacks
 * (moved to the end of the slot pool to stay contiguous); an unchanged copy when there is no
 * such store or no room. NULL when out of memory. */
static rs_rule_set *leaky_rules(const rs_strategy_config *config) {
    assert(config->rules != NULL && config->rules->rule_count >= 1);
    rs_rule_set *rules = malloc(sizeof *rules);
    if (rules == NULL) {
        return NULL;
    }
    *rules = *config->rules;
    rs_rule *rule = &rules->rules[0];
    uint32_t extra = UINT32_MAX;
    for (uint32_t i = 0; i < config->target_count; i++) {
        bool named = false;
        for (uint32_t k = 0; k < rule->target_count; k++) {
            named = named || rules->target_slots[rule->first_target + k] == config->targets[i];
        }
        extra = named ? extra : config->targets[i];
    }
    uint32_t first = rules->target_slot_count;
    if (extra == UINT32_MAX || first + rule->target_count + 1 > RS_RULE_TARGETS_MAX) {
        return rules;
    }
    memmove(&rules->target_slots[first], &rules->target_slots[rule->first_target],
            rule->target_count * sizeof rules->target_slots[0]);
    rules->target_slots[first + rule->target_count] = extra; /* the planted leak */
    rule->first_target = first;
    rule->target_count++;
    rules->target_slot_count = first + rule->target_count;
    return rules;
}

static void *planted_create(const rs_strategy_config *config, rs_runtime runtime,
                            planted_bug bug, const rs_component *inner) {
    assert(config != NULL && config->write_quorum >= 1);
    assert(bug < PLANTED_BUG_COUNT && inner != NULL);
    /* the wrappers forward none of these: the wrapped strategies must not use them either */
    assert(inner->ops->on_store_digest == NULL && inner->ops->on_store_read == NULL);
    assert(inner->ops->on_client_read == NULL);
    planted *self = calloc(1, sizeof *self);
    if (self == NULL) {
        return NULL;
    }
    self->bug = bug;
    self->inner = inner;
    self->config = *config;
    self->runtime = runtime;
    if (bug == PLANTED_EARLY_QUORUM && self->config.write_quorum > 1) {
        self->config.write_quorum--; /* the planted bug: one confirmation short */
    }
    if (bug == PLANTED_RULE_LEAK) {
        self->rules = leaky_rules(config);
        self->config.rules = self->rules;
    }
    self->state = bug == PLANTED_RULE_LEAK && self->rules == NULL
                      ? NULL
                      : inner->ops->create(&self->config, runtime);
    if (self->state == NULL) {
        free(self->rules);
        free(self);
        return NULL;
    }
    return self;
}

static void *early_quorum_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, PLANTED_EARLY_QUORUM, &rs_star_component);
}

static void *ack_on_arrival_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, PLANTED_ACK_ON_ARRIVAL, &rs_star_component);
}

static void *cascade_past_failure_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, PLANTED_CASCADE_PAST_FAILURE, &rs_cascade_component);
}

static void *rule_leak_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, PLANTED_RULE_LEAK, &rs_conditional_component);
}

static void *async_early_ack_create(const rs_strategy_config *config, rs_runtime runtime) {
    return planted_create(config, runtime, PLANTED_ASYNC_EARLY_ACK, &rs_async_queue_component);
}

static void planted_destroy(void *state) {
    planted *self = state;
    assert(self != NULL && self->inner != NULL);
    self->inner->ops->destroy(self->state);
    free(self->rules);
    free(self);
}

static void planted_on_client_append(void *state, uint64_t client_request,
                                     const rs_event_stream *stream) {
    planted *self = state;
    assert(self != NULL && stream != NULL);
    if (self->bug == PLANTED_ACK_ON_ARRIVAL || self->bug == PLANTED_ASYNC_EARLY_ACK) {
        /* the planted bug: ok before anything is stored */
        self->runtime.ops->ack_client(self->runtime.context, client_request, RS_OK);
    }
    self->inner->ops->on_client_append(self->state, client_request, stream);
}

static void planted_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    planted *self = state;
    assert(self != NULL);
    if (self->bug == PLANTED_CASCADE_PAST_FAILURE) {
        status = RS_OK; /* the planted bug: a failed hop counts as confirmed, the chain goes on */
    }
    self->inner->ops->on_store_reply(self->state, tag, store, status);
}

static void planted_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    planted *self = state;
    assert(self != NULL);
    self->inner->ops->on_timer(self->state, timer, tag);
}

#define PLANTED_OPS(make)                                                                     \
    {.create = (make), .destroy = planted_destroy,                                            \
     .on_client_append = planted_on_client_append, .on_store_reply = planted_on_store_reply, \
     .on_timer = planted_on_timer}

static const rs_strategy_ops planted_ops[PLANTED_BUG_COUNT] = {
    [PLANTED_EARLY_QUORUM] = PLANTED_OPS(early_quorum_create),
    [PLANTED_ACK_ON_ARRIVAL] = PLANTED_OPS(ack_on_arrival_create),
    [PLANTED_CASCADE_PAST_FAILURE] = PLANTED_OPS(cascade_past_failure_create),
    [PLANTED_RULE_LEAK] = PLANTED_OPS(rule_leak_create),
    [PLANTED_ASYNC_EARLY_ACK] = PLANTED_OPS(async_early_ack_create),
};

static rs_component planted_components[PLANTED_BUG_COUNT] = {
    [PLANTED_EARLY_QUORUM] = {RS_COMPONENT_STRATEGY, "planted_early_quorum",
                              "PLANTED BUG: star acking one confirmation short of write_quorum",
                              NULL, 0, &planted_ops[PLANTED_EARLY_QUORUM]},
    [PLANTED_ACK_ON_ARRIVAL] = {RS_COMPONENT_STRATEGY, "planted_ack_on_arrival",
                                "PLANTED BUG: star acking ok before any store has the event",
                                NULL, 0, &planted_ops[PLANTED_ACK_ON_ARRIVAL]},
    [PLANTED_CASCADE_PAST_FAILURE] = {RS_COMPONENT_STRATEGY, "planted_cascade_past_failure",
                                      "PLANTED BUG: cascade going on past a failed hop",
                                      NULL, 0, &planted_ops[PLANTED_CASCADE_PAST_FAILURE]},
    [PLANTED_RULE_LEAK] = {RS_COMPONENT_STRATEGY, "planted_rule_leak",
                           "PLANTED BUG: conditional whose first rule leaks to one more store",
                           NULL, 0, &planted_ops[PLANTED_RULE_LEAK]},
    [PLANTED_ASYNC_EARLY_ACK] = {RS_COMPONENT_STRATEGY, "planted_async_early_ack",
                                 "PLANTED BUG: async_queue acking ok before its primary append",
                                 NULL, 0, &planted_ops[PLANTED_ASYNC_EARLY_ACK]},
};

/* A consistency policy with a planted bug: eventual's anti-entropy whose checker forgets the
 * entries of every digest page it receives, so every store looks empty, no stream ever
 * diverges and nothing is ever repaired ("anti-entropy that never repairs"). */
static rs_strategy_ops blind_eventual_ops;

static void blind_on_store_digest(void *state, uint64_t tag, uint32_t store, rs_status status,
                                  const rs_stream_digest *digests, uint32_t count) {
    (void)count;
    rs_eventual_component.ops->on_store_digest(state, tag, store, status, digests, 0);
}

static rs_component blind_eventual = {
    RS_COMPONENT_POLICY, "planted_eventual_blind",
    "PLANTED BUG: eventual whose checker ignores the digests (never repairs)", NULL, 0,
    &blind_eventual_ops};

int main(int argc, char **argv) {
    static const rs_component *const wrapped[PLANTED_BUG_COUNT] = {
        &rs_star_component, &rs_star_component, &rs_cascade_component,
        &rs_conditional_component, &rs_async_queue_component};
    for (int bug = 0; bug < PLANTED_BUG_COUNT; bug++) {
        /* the wrapped strategy's parameters: the wrappers take whatever it takes */
        planted_components[bug].params = wrapped[bug]->params;
        planted_components[bug].param_count = wrapped[bug]->param_count;
        if (rs_components_register(&planted_components[bug]) != 0) {
            return 3;
        }
    }
    blind_eventual_ops = *rs_eventual_component.ops;
    blind_eventual_ops.on_store_digest = blind_on_store_digest;
    blind_eventual.params = rs_eventual_component.params;
    blind_eventual.param_count = rs_eventual_component.param_count;
    if (rs_components_register(&blind_eventual) != 0) {
        return 3;
    }
    const char *store_bug = getenv("RS_PLANTED_STORE");
    if (store_bug != NULL && strcmp(store_bug, "duplicate_retries") == 0) {
        rs_testing_store_ignores_idempotence = true;
    } else if (store_bug != NULL && *store_bug != '\0') {
        return 3; /* an unknown store bug: refuse rather than run the correct store */
    }
    return rs_cli_main(argc, argv);
}
