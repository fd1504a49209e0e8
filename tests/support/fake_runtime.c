/* fake_runtime.c — see fake_runtime.h. */
#include "tests/support/fake_runtime.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rs_fake_runtime *fake_of(void *context) {
    assert(context != NULL);
    return context;
}

static int64_t fake_now_us(void *context) { return fake_of(context)->now_us; }

static uint64_t fake_random_u64(void *context) {
    rs_fake_runtime *fake = fake_of(context);
    uint64_t z = (fake->random_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Records `call` in the fake's call_order string. */
static void fake_call_order(rs_fake_runtime *fake, char call) {
    assert(fake->call_order_length < 2 * RS_FAKE_CAPACITY);
    fake->call_order[fake->call_order_length++] = call;
    fake->call_order[fake->call_order_length] = '\0';
}

static void fake_store_append(void *context, uint32_t store, const rs_event_stream *stream,
                              int64_t timeout_us, uint64_t tag) {
    rs_fake_runtime *fake = fake_of(context);
    fake_call_order(fake, 'S');
    assert(fake->append_count < RS_FAKE_CAPACITY);
    assert(stream != NULL && stream->count >= 1);
    fake->appends[fake->append_count++] = (rs_fake_append){
        store, tag, fake->now_us, timeout_us, stream->events[0].id, stream->count,
        stream->events[0].size_bytes, stream->events[stream->count - 1].id};
}

static rs_timer_id fake_timer_set(void *context, int64_t delay_us, uint64_t tag) {
    rs_fake_runtime *fake = fake_of(context);
    assert(fake->timer_count < RS_FAKE_CAPACITY);
    assert(delay_us >= 0);
    rs_timer_id id = fake->timer_count + 1;
    fake->timers[fake->timer_count++] = (rs_fake_timer){id, fake->now_us + delay_us, tag, true};
    return id;
}

static void fake_timer_cancel(void *context, rs_timer_id timer) {
    rs_fake_runtime *fake = fake_of(context);
    if (timer >= 1 && timer <= fake->timer_count) {
        fake->timers[timer - 1].armed = false;
    }
}

static void fake_ack_client(void *context, uint64_t client_request, rs_status status) {
    rs_fake_runtime *fake = fake_of(context);
    fake_call_order(fake, 'A');
    assert(fake->ack_count < RS_FAKE_CAPACITY);
    fake->acks[fake->ack_count++] = (rs_fake_ack){client_request, status, fake->now_us};
}

static int fake_store_healthy(void *context, uint32_t store) {
    assert(store < 64);
    return !fake_of(context)->unhealthy[store];
}

static void fake_metric_latency(void *context, uint32_t store, int64_t latency_us) {
    assert(store < 64);
    fake_of(context)->last_latency_us[store] = latency_us;
}

static void fake_metric_result(void *context, uint32_t store, rs_status status) {
    assert(store < 64 && status < RS_STATUS_COUNT);
    fake_of(context)->results[store][status]++;
}

static rs_fake_metric *fake_metric(void *context, const char *name) {
    rs_fake_runtime *fake = fake_of(context);
    assert(name != NULL && strlen(name) < sizeof fake->metrics[0].name);
    for (uint32_t i = 0; i < fake->metric_count; i++) {
        if (strcmp(fake->metrics[i].name, name) == 0) {
            return &fake->metrics[i];
        }
    }
    assert(fake->metric_count < 64);
    rs_fake_metric *metric = &fake->metrics[fake->metric_count++];
    snprintf(metric->name, sizeof metric->name, "%s", name);
    return metric;
}

static void fake_metric_count(void *context, const char *name, int64_t delta) {
    fake_metric(context, name)->counter += delta;
}

static void fake_metric_observe(void *context, const char *name, int64_t value) {
    rs_fake_metric *metric = fake_metric(context, name);
    metric->observations++;
    metric->last_observation = value;
    metric->observation_sum += value;
}

static void fake_metric_gauge(void *context, const char *name, int64_t level) {
    rs_fake_metric *metric = fake_metric(context, name);
    metric->gauge = level;
    metric->gauge_max = level > metric->gauge_max ? level : metric->gauge_max;
}

rs_fake_metric rs_fake_metric_get(const rs_fake_runtime *fake, const char *name) {
    for (uint32_t i = 0; i < fake->metric_count; i++) {
        if (strcmp(fake->metrics[i].name, name) == 0) {
            return fake->metrics[i];
        }
    }
    rs_fake_metric none;
    memset(&none, 0, sizeof none);
    return none;
}

static void fake_log(void *context, rs_log_level level, const char *message) {
    (void)level;
    if (getenv("RS_FAKE_LOG") != NULL) {
        fprintf(stderr, "[fake %lld us] %s\n", (long long)fake_of(context)->now_us, message);
    }
}

static void fake_store_query(void *context, bool read, uint32_t store, rs_stream_id stream,
                             uint32_t from_version, int64_t timeout_us, uint64_t tag) {
    rs_fake_runtime *fake = fake_of(context);
    assert(fake->query_count < RS_FAKE_CAPACITY);
    fake->queries[fake->query_count++] = (rs_fake_query){read, store, stream, from_version, tag,
                                                         fake->now_us, timeout_us};
}

static void fake_store_digest(void *context, uint32_t store, rs_stream_id from_stream,
                              int64_t timeout_us, uint64_t tag) {
    fake_store_query(context, false, store, from_stream, 0, timeout_us, tag);
}

static void fake_store_read(void *context, uint32_t store, rs_stream_id stream,
                            uint32_t from_version, int64_t timeout_us, uint64_t tag) {
    fake_store_query(context, true, store, stream, from_version, timeout_us, tag);
}

static void fake_ack_read(void *context, uint64_t read_request, rs_status status,
                          uint32_t version) {
    rs_fake_runtime *fake = fake_of(context);
    assert(fake->read_ack_count < RS_FAKE_CAPACITY);
    fake->read_acks[fake->read_ack_count++] = (rs_fake_read_ack){read_request, status, version,
                                                                 fake->now_us};
}

static void fake_send_peers(void *context, const rs_event_stream *events) {
    rs_fake_runtime *fake = fake_of(context);
    for (uint32_t i = 0; i < events->count; i++) {
        assert(fake->peer_event_count < RS_FAKE_CAPACITY);
        fake->peer_events[fake->peer_event_count++] = events->events[i];
    }
}

static void fake_report_conflict(void *context, const rs_event *winner, const rs_event *loser,
                                 const char *resolution) {
    rs_fake_runtime *fake = fake_of(context);
    assert(fake->conflict_count < RS_FAKE_CAPACITY);
    rs_fake_conflict *conflict = &fake->conflicts[fake->conflict_count++];
    conflict->winner = *winner;
    conflict->loser = *loser;
    snprintf(conflict->resolution, sizeof conflict->resolution, "%s", resolution);
}

static int fake_new_compensation(void *context, const rs_event *cancelled, rs_event *out) {
    rs_fake_runtime *fake = fake_of(context);
    *out = (rs_event){.id = 1000000 + ++fake->compensation_count, .stream = cancelled->stream,
                      .version = cancelled->version, .size_bytes = 64,
                      .created_us = fake->now_us, .compensates = cancelled->id};
    return 0;
}

static void fake_report_abandoned(void *context, uint32_t store, const rs_event_stream *events) {
    rs_fake_runtime *fake = fake_of(context);
    (void)store;
    fake->abandoned_count += events->count;
}

static const rs_runtime_ops fake_ops = {
    fake_now_us, fake_random_u64, fake_store_append, fake_timer_set, fake_timer_cancel,
    fake_ack_client, fake_store_healthy, fake_metric_latency, fake_metric_result,
    fake_metric_count, fake_metric_observe, fake_metric_gauge, fake_log,
    fake_store_digest, fake_store_read, fake_ack_read, fake_send_peers, fake_report_conflict,
    fake_new_compensation, fake_report_abandoned,
};

rs_runtime rs_fake_runtime_init(rs_fake_runtime *fake) {
    assert(fake != NULL);
    memset(fake, 0, sizeof *fake);
    fake->random_state = 42;
    return (rs_runtime){&fake_ops, fake};
}

void rs_fake_advance(rs_fake_runtime *fake, const rs_strategy_ops *ops, void *state,
                     int64_t until_us) {
    assert(until_us >= fake->now_us);
    for (;;) {
        rs_fake_timer *next = NULL;
        for (uint32_t i = 0; i < fake->timer_count; i++) {
            rs_fake_timer *timer = &fake->timers[i];
            if (timer->armed && timer->due_us <= until_us &&
                (next == NULL || timer->due_us < next->due_us)) {
                next = timer;
            }
        }
        if (next == NULL) {
            break;
        }
        next->armed = false;
        fake->now_us = next->due_us > fake->now_us ? next->due_us : fake->now_us;
        ops->on_timer(state, next->id, next->tag);
    }
    fake->now_us = until_us;
}

void rs_fake_reply(rs_fake_runtime *fake, const rs_strategy_ops *ops, void *state,
                   uint32_t append_index, int64_t at_us, rs_status status) {
    assert(append_index < fake->append_count);
    rs_fake_advance(fake, ops, state, at_us);
    const rs_fake_append *append = &fake->appends[append_index];
    ops->on_store_reply(state, append->tag, append->store, status);
}

const rs_strategy_config *rs_fake_config(const rs_component *component, const double *params,
                                         uint32_t target_count, uint32_t write_quorum) {
    static double values[RS_PARAMS_MAX];
    static uint32_t targets[64];
    static uint32_t regions[64];
    static rs_strategy_config config;
    assert(component != NULL && target_count <= 64);
    for (size_t i = 0; i < component->param_count; i++) {
        values[i] = params != NULL ? params[i] : component->params[i].default_value;
    }
    for (uint32_t i = 0; i < 64; i++) {
        targets[i] = i;
        regions[i] = 0;
    }
    config = (rs_strategy_config){values, targets, target_count, write_quorum, 0, 64, regions,
                                  NULL, 0, NULL, 0, NULL, NULL};
    return &config;
}

const rs_strategy_config *rs_fake_config_with_rules(const rs_strategy_config *base,
                                                    const rs_event_type *types,
                                                    uint32_t type_count,
                                                    const char (*region_names)[RS_NAME_MAX],
                                                    uint32_t region_count,
                                                    const rs_rule_set *rules) {
    static rs_strategy_config config;
    assert(base != NULL && types != NULL);
    assert(region_names != NULL && rules != NULL);
    config = *base;
    config.types = types;
    config.type_count = type_count;
    config.region_names = region_names;
    config.region_count = region_count;
    config.rules = rules;
    return &config;
}
