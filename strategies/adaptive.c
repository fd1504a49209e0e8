/* adaptive.c — adaptive replication: a performance monitor feeds a selector that sends each
 * client append to one of two hosted sub-strategies, `healthy` (e.g. star) or `degraded`
 * (e.g. async_queue or batch).
 *
 * Hosting. Both sub-strategies are created with the adaptive instance, each through its own
 * rs_strategy_ops and behind a runtime of its own (adaptive_port.c) that routes back here:
 * the tags of its store appends and timers carry the sub-strategy in their two top bits
 * (0 healthy, 1 degraded; 2 is the monitor's own timer), so replies and timers reach the
 * instance that asked even after a switch — in-flight requests of the previous sub-strategy
 * complete and are acked by it, and its timers (batch flushes, queue workers) keep running.
 * A sub-strategy's parameters are its defaults, except those named like one of adaptive's
 * (timeout_ms, and async_queue's workers), which take adaptive's value; it sees the same
 * targets and write quorum as adaptive.
 *
 * Monitor. Every ok-reply latency a sub-strategy reports (metric_latency) and every result
 * (metric_result: failure = anything but ok) enters a sliding window of window_ms (at most
 * window_samples_max samples each: a busier window keeps its newest). Figures: the p99 of the
 * window's latencies (nearest rank: the ceil(0.99 n)-th smallest), known once it holds at
 * least min_samples; the failure rate in per mille of the window's results, known likewise;
 * the queue depth = store appends in flight (both sub-strategies) + the last "queue_depth"
 * gauge the active sub-strategy reported (async_queue's waiting jobs).
 *
 * Selector. Every evaluate_interval_ms from the first client append (the healthy mode begins
 * there), the figures are taken. In the healthy mode the selector is alarmed when a known p99
 * >= p99_enter_ms, or a known failure rate >= failure_enter_permille, or (queue_depth_enter
 * > 0) the depth >= queue_depth_enter; in the degraded mode it is calm when the p99 is known
 * and <= p99_exit_ms, and the failure rate is unknown or <= failure_exit_permille, and
 * (queue_depth_enter > 0) the depth <= queue_depth_exit. It switches when alarmed (calm) and
 * at least dwell_ms have passed since the current mode began; otherwise it waits for a later
 * evaluation. Exit thresholds below the enter ones give the hysteresis.
 *
 * Report. Each switch logs one line with the figures that caused it (RS_LOG_WARNING), counts
 * adaptive_switches and adaptive_switches_to_degraded or _to_healthy, observes
 * adaptive_switch_p99_us (when known), adaptive_switch_failure_permille (when known) and
 * adaptive_switch_queue_depth. The gauge adaptive_mode (0 healthy, 1 degraded) is set at the
 * first append and after every evaluation, so timeseries.csv shows the mode each second. A
 * switch that makes more than flap_switches_per_min_max switches within the last 60 s counts
 * one adaptive_flaps. The counters are reported at 0 on the first append so a report lists
 * them.
 *
 * Costs: O(1) per forwarded call; an evaluation copies and sorts the latency window,
 * O(n log n) with n <= window_samples_max. */
#include "strategies/adaptive.h"
#include "strategies/adaptive_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/async_queue.h"
#include "strategies/batch.h"
#include "strategies/cascade.h"
#include "strategies/star.h"

#define OWNER_SHIFT RS__ADAPTIVE_OWNER_SHIFT
#define OWNER_MONITOR UINT64_C(2)
#define MINUTE_US INT64_C(60000000)

static const char *const sub_choices[] = {"star", "cascade", "batch", "async_queue", NULL};
static const rs_component *const sub_components[] = {
    [RS_ADAPTIVE_SUB_STAR] = &rs_star_component,
    [RS_ADAPTIVE_SUB_CASCADE] = &rs_cascade_component,
    [RS_ADAPTIVE_SUB_BATCH] = &rs_batch_component,
    [RS_ADAPTIVE_SUB_ASYNC_QUEUE] = &rs_async_queue_component,
};
_Static_assert(sizeof sub_components / sizeof sub_components[0] == RS_ADAPTIVE_SUB_COUNT,
               "one component per choice");

static const rs_param_spec adaptive_params[] = {
    [RS_ADAPTIVE_PARAM_HEALTHY] = {"healthy", RS_PARAM_ENUM, RS_ADAPTIVE_SUB_STAR, 0, 0,
                                   sub_choices, "sub-strategy while the figures are calm"},
    [RS_ADAPTIVE_PARAM_DEGRADED] = {"degraded", RS_PARAM_ENUM, RS_ADAPTIVE_SUB_ASYNC_QUEUE, 0, 0,
                                    sub_choices, "sub-strategy while the figures are alarming"},
    [RS_ADAPTIVE_PARAM_TIMEOUT_MS] = {"timeout_ms", RS_PARAM_NUMBER, 500, 0.001,
                                      RS_TIMEOUT_MS_MAX, NULL,
                                      "timeout_ms handed to both sub-strategies, ms"},
    [RS_ADAPTIVE_PARAM_WINDOW_MS] = {"window_ms", RS_PARAM_NUMBER, 2000, 1, RS_TIMEOUT_MS_MAX,
                                     NULL, "sliding window of the monitor, ms"},
    [RS_ADAPTIVE_PARAM_WINDOW_SAMPLES_MAX] = {"window_samples_max", RS_PARAM_INTEGER, 4096, 1,
                                              RS_ADAPTIVE_WINDOW_SAMPLES_MAX, NULL,
                                              "latencies (and results) a window keeps at "
                                              "most; the newest win"},
    [RS_ADAPTIVE_PARAM_MIN_SAMPLES] = {"min_samples", RS_PARAM_INTEGER, 20, 1,
                                       RS_ADAPTIVE_WINDOW_SAMPLES_MAX, NULL,
                                       "samples the p99 (failure rate) needs to be known"},
    [RS_ADAPTIVE_PARAM_EVALUATE_INTERVAL_MS] = {"evaluate_interval_ms", RS_PARAM_NUMBER, 100,
                                                0.1, RS_TIMEOUT_MS_MAX, NULL,
                                                "period of the selector's decision, ms"},
    [RS_ADAPTIVE_PARAM_P99_ENTER_MS] = {"p99_enter_ms", RS_PARAM_NUMBER, 200, 0.001,
                                        RS_TIMEOUT_MS_MAX, NULL,
                                        "window p99 replication latency at or above which "
                                        "the degraded sub-strategy takes over, ms"},
    [RS_ADAPTIVE_PARAM_P99_EXIT_MS] = {"p99_exit_ms", RS_PARAM_NUMBER, 100, 0,
                                       RS_TIMEOUT_MS_MAX, NULL,
                                       "window p99 at or below which (the rest calm too) the "
                                       "healthy one returns, ms"},
    [RS_ADAPTIVE_PARAM_FAILURE_ENTER_PERMILLE] = {"failure_enter_permille", RS_PARAM_INTEGER, 50,
                                                  1, 1000, NULL,
                                                  "window failure rate at or above which the "
                                                  "degraded sub-strategy takes over, per mille"},
    [RS_ADAPTIVE_PARAM_FAILURE_EXIT_PERMILLE] = {"failure_exit_permille", RS_PARAM_INTEGER, 10,
                                                 0, 1000, NULL,
                                                 "window failure rate at or below which the "
                                                 "healthy one may return, per mille"},
    [RS_ADAPTIVE_PARAM_QUEUE_DEPTH_ENTER] = {"queue_depth_enter", RS_PARAM_INTEGER, 0, 0,
                                             RS_IN_FLIGHT_MAX, NULL,
                                             "appends in flight + queued at or above which the "
                                             "degraded one takes over; 0 = not watched"},
    [RS_ADAPTIVE_PARAM_QUEUE_DEPTH_EXIT] = {"queue_depth_exit", RS_PARAM_INTEGER, 0, 0,
                                            RS_IN_FLIGHT_MAX, NULL,
                                            "depth at or below which the healthy one may "
                                            "return"},
    [RS_ADAPTIVE_PARAM_DWELL_MS] = {"dwell_ms", RS_PARAM_NUMBER, 5000, 0, RS_DURATION_S_MAX * 1000,
                                    NULL, "minimum time in a mode before leaving it, ms"},
    [RS_ADAPTIVE_PARAM_FLAP_SWITCHES_PER_MIN_MAX] = {"flap_switches_per_min_max",
                                                     RS_PARAM_INTEGER, 4, 1, 1000, NULL,
                                                     "switches within 60 s above which each "
                                                     "further one counts as a flap"},
    [RS_ADAPTIVE_PARAM_WORKERS] = {"workers", RS_PARAM_INTEGER, 16, 1, RS_ASYNC_QUEUE_WORKERS_MAX,
                                   NULL, "workers of a hosted async_queue (secondary appends "
                                   "in flight at once)"},
};
_Static_assert(sizeof adaptive_params / sizeof adaptive_params[0] == RS_ADAPTIVE_PARAM_COUNT,
               "one spec per parameter");
_Static_assert(RS_ADAPTIVE_PARAM_COUNT <= RS_PARAMS_MAX, "the table fits a scenario");

/* --- sliding windows ------------------------------------------------------------------------ */

void rs__adaptive_window_push(rs__adaptive_window *window, int64_t at_us, int64_t value) {
    assert(window->capacity >= 1);
    assert(window->count <= window->capacity);
    if (window->count == window->capacity) {
        window->sum -= window->ring[window->head].value;
        window->head = (window->head + 1) % window->capacity;
        window->count--;
    }
    window->ring[(window->head + window->count) % window->capacity] =
        (rs__adaptive_sample){at_us, value};
    window->count++;
    window->sum += value;
}

/* Drops the samples taken at or before `oldest_us`. */
static void window_expire(rs__adaptive_window *window, int64_t oldest_us) {
    assert(window->capacity >= 1);
    while (window->count > 0 && window->ring[window->head].at_us <= oldest_us) {
        window->sum -= window->ring[window->head].value;
        window->head = (window->head + 1) % window->capacity;
        window->count--;
    }
    assert(window->count > 0 || window->sum == 0);
}

static int compare_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The window's figures at `now_us`, after expiring what is older than window_ms. */
static void take_figures(rs__adaptive_state *self, int64_t now_us, rs__adaptive_figures *figures) {
    assert(self != NULL && figures != NULL);
    window_expire(&self->latencies, now_us - self->window_us);
    window_expire(&self->results, now_us - self->window_us);
    const rs__adaptive_window *latencies = &self->latencies;
    uint32_t n = latencies->count;
    figures->latency_samples = n;
    figures->p99_us = -1;
    if (n >= self->min_samples) {
        for (uint32_t i = 0; i < n; i++) {
            self->scratch[i] = latencies->ring[(latencies->head + i) % latencies->capacity].value;
        }
        qsort(self->scratch, n, sizeof *self->scratch, compare_int64);
        figures->p99_us = self->scratch[((uint64_t)n * 99 + 99) / 100 - 1];
    }
    figures->result_samples = self->results.count;
    figures->failure_permille = self->results.count >= self->min_samples
                                    ? self->results.sum * 1000 / self->results.count : -1;
    figures->queue_depth = self->in_flight + self->subs[self->active].queue_depth;
    assert(figures->queue_depth >= 0);
}

/* --- life cycle ------------------------------------------------------------------------------- */

static void adaptive_destroy(void *state) {
    rs__adaptive_state *self = state;
    assert(self != NULL);
    for (uint32_t i = 0; i < 2; i++) {
        if (self->subs[i].instance != NULL) {
            self->subs[i].component->ops->destroy(self->subs[i].instance);
        }
    }
    free(self->latencies.ring);
    free(self->results.ring);
    free(self->scratch);
    free(self->switch_times);
    free(self);
}

static int64_t ms_to_us(double ms) {
    assert(ms >= 0);
    return (int64_t)(ms * 1000.0 + 0.5);
}

/* Creates sub-strategy `index` (0 healthy, 1 degraded) behind its own runtime. */
static int sub_create(rs__adaptive_state *self, uint32_t index) {
    const double *params = self->config->params;
    double choice = params[index == 0 ? RS_ADAPTIVE_PARAM_HEALTHY : RS_ADAPTIVE_PARAM_DEGRADED];
    assert(choice >= 0 && choice < RS_ADAPTIVE_SUB_COUNT);
    rs__adaptive_sub *sub = &self->subs[index];
    sub->owner = self;
    sub->index = index;
    sub->component = sub_components[(size_t)choice];
    assert(sub->component->ops != NULL && sub->component->param_count <= RS_PARAMS_MAX);
    for (size_t i = 0; i < sub->component->param_count; i++) {
        sub->params[i] = sub->component->params[i].default_value;
    }
    for (size_t i = 0; i < sub->component->param_count; i++) { /* timeout_ms, workers */
        const char *name = sub->component->params[i].name;
        int same = rs_component_param_index(&rs_adaptive_component, name);
        sub->params[i] = same >= 0 ? params[same] : sub->params[i];
    }
    sub->config = *self->config;
    sub->config.params = sub->params;
    sub->config.rules = NULL;
    sub->config.residency = NULL;
    rs_runtime port = {&rs__adaptive_sub_port, sub};
    sub->instance = sub->component->ops->create(&sub->config, port);
    return sub->instance != NULL ? 0 : -1;
}

static void read_params(rs__adaptive_state *self, const double *params) {
    self->window_us = ms_to_us(params[RS_ADAPTIVE_PARAM_WINDOW_MS]);
    self->interval_us = ms_to_us(params[RS_ADAPTIVE_PARAM_EVALUATE_INTERVAL_MS]);
    self->dwell_us = ms_to_us(params[RS_ADAPTIVE_PARAM_DWELL_MS]);
    self->p99_enter_us = ms_to_us(params[RS_ADAPTIVE_PARAM_P99_ENTER_MS]);
    self->p99_exit_us = ms_to_us(params[RS_ADAPTIVE_PARAM_P99_EXIT_MS]);
    self->failure_enter_permille = (int64_t)params[RS_ADAPTIVE_PARAM_FAILURE_ENTER_PERMILLE];
    self->failure_exit_permille = (int64_t)params[RS_ADAPTIVE_PARAM_FAILURE_EXIT_PERMILLE];
    self->depth_enter = (int64_t)params[RS_ADAPTIVE_PARAM_QUEUE_DEPTH_ENTER];
    self->depth_exit = (int64_t)params[RS_ADAPTIVE_PARAM_QUEUE_DEPTH_EXIT];
    self->min_samples = (uint32_t)params[RS_ADAPTIVE_PARAM_MIN_SAMPLES];
    self->flap_max = (uint32_t)params[RS_ADAPTIVE_PARAM_FLAP_SWITCHES_PER_MIN_MAX];
    assert(self->window_us >= 1 && self->interval_us >= 1);
    assert(self->flap_max >= 1 && self->min_samples >= 1);
}

static void *adaptive_create(const rs_strategy_config *config, rs_runtime runtime) {
    assert(config != NULL && config->params != NULL);
    assert(config->target_count >= 1);
    rs__adaptive_state *self = calloc(1, sizeof *self);
    if (self == NULL) {
        return NULL;
    }
    self->config = config;
    self->runtime = runtime;
    read_params(self, config->params);
    uint32_t capacity = (uint32_t)config->params[RS_ADAPTIVE_PARAM_WINDOW_SAMPLES_MAX];
    assert(capacity >= 1 && capacity <= RS_ADAPTIVE_WINDOW_SAMPLES_MAX);
    self->latencies = (rs__adaptive_window){calloc(capacity, sizeof(rs__adaptive_sample)), capacity,
                                        0, 0, 0};
    self->results = (rs__adaptive_window){calloc(capacity, sizeof(rs__adaptive_sample)), capacity,
                                      0, 0, 0};
    self->scratch = calloc(capacity, sizeof *self->scratch);
    self->switch_times = calloc(self->flap_max + 1, sizeof *self->switch_times);
    if (self->latencies.ring == NULL || self->results.ring == NULL || self->scratch == NULL ||
        self->switch_times == NULL || sub_create(self, 0) != 0 || sub_create(self, 1) != 0) {
        adaptive_destroy(self);
        return NULL;
    }
    return self;
}

/* --- the selector ----------------------------------------------------------------------------- */

static bool alarmed(const rs__adaptive_state *self, const rs__adaptive_figures *figures) {
    assert(self != NULL && figures != NULL);
    return (figures->p99_us >= 0 && figures->p99_us >= self->p99_enter_us) ||
           (figures->failure_permille >= 0 &&
            figures->failure_permille >= self->failure_enter_permille) ||
           (self->depth_enter > 0 && figures->queue_depth >= self->depth_enter);
}

static bool calm(const rs__adaptive_state *self, const rs__adaptive_figures *figures) {
    assert(self != NULL && figures != NULL);
    return figures->p99_us >= 0 && figures->p99_us <= self->p99_exit_us &&
           (figures->failure_permille < 0 ||
            figures->failure_permille <= self->failure_exit_permille) &&
           (self->depth_enter == 0 || figures->queue_depth <= self->depth_exit);
}

/* Records a switch time; true when it makes more than flap_max switches within 60 s. */
static bool record_switch(rs__adaptive_state *self, int64_t now_us) {
    uint32_t slots = self->flap_max + 1;
    assert(self->switch_count <= slots);
    self->switch_times[self->switch_head] = now_us;
    self->switch_head = (self->switch_head + 1) % slots;
    self->switch_count += self->switch_count < slots;
    uint32_t recent = 0;
    for (uint32_t i = 0; i < self->switch_count; i++) {
        recent += self->switch_times[i] > now_us - MINUTE_US;
    }
    return recent > self->flap_max;
}

static void switch_mode(rs__adaptive_state *self, int64_t now_us,
                        const rs__adaptive_figures *figures) {
    const rs_runtime_ops *ops = self->runtime.ops;
    void *context = self->runtime.context;
    uint32_t from = self->active;
    uint32_t to = 1 - from;
    char line[320];
    snprintf(line, sizeof line, "adaptive: switch %s -> %s after %lld us: p99 %lld us over %u "
             "latencies (enter %lld, exit %lld), failures %lld permille over %u results, queue "
             "depth %lld", self->subs[from].component->name, self->subs[to].component->name,
             (long long)(now_us - self->entered_us), (long long)figures->p99_us,
             figures->latency_samples, (long long)self->p99_enter_us,
             (long long)self->p99_exit_us, (long long)figures->failure_permille,
             figures->result_samples, (long long)figures->queue_depth);
    ops->log(context, RS_LOG_WARNING, line);
    ops->metric_count(context, "adaptive_switches", 1);
    ops->metric_count(context, to == 1 ? "adaptive_switches_to_degraded"
                                       : "adaptive_switches_to_healthy", 1);
    if (figures->p99_us >= 0) {
        ops->metric_observe(context, "adaptive_switch_p99_us", figures->p99_us);
    }
    if (figures->failure_permille >= 0) {
        ops->metric_observe(context, "adaptive_switch_failure_permille",
                            figures->failure_permille);
    }
    ops->metric_observe(context, "adaptive_switch_queue_depth", figures->queue_depth);
    if (record_switch(self, now_us)) {
        ops->metric_count(context, "adaptive_flaps", 1);
        ops->log(context, RS_LOG_WARNING, "adaptive: flapping: more than "
                 "flap_switches_per_min_max switches within 60 s");
    }
    self->active = to;
    self->entered_us = now_us;
}

static void evaluate(rs__adaptive_state *self) {
    assert(self != NULL && self->started);
    int64_t now_us = self->runtime.ops->now_us(self->runtime.context);
    rs__adaptive_figures figures;
    take_figures(self, now_us, &figures);
    bool wanted = self->active == 0 ? alarmed(self, &figures) : calm(self, &figures);
    if (wanted && now_us - self->entered_us >= self->dwell_us) {
        switch_mode(self, now_us, &figures);
    }
    self->runtime.ops->metric_gauge(self->runtime.context, "adaptive_mode", self->active);
}

/* --- callbacks -------------------------------------------------------------------------------- */

static void adaptive_on_client_append(void *state, uint64_t client_request,
                                      const rs_event_stream *stream) {
    rs__adaptive_state *self = state;
    assert(self != NULL && stream != NULL);
    const rs_runtime_ops *ops = self->runtime.ops;
    void *context = self->runtime.context;
    if (!self->started) {
        self->started = true;
        self->entered_us = ops->now_us(context);
        static const char *const counters[] = {"adaptive_switches", "adaptive_switches_to_degraded",
                                               "adaptive_switches_to_healthy", "adaptive_flaps"};
        for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
            ops->metric_count(context, counters[i], 0);
        }
        ops->metric_gauge(context, "adaptive_mode", 0);
        ops->timer_set(context, self->interval_us, OWNER_MONITOR << OWNER_SHIFT);
    }
    rs__adaptive_sub *sub = &self->subs[self->active];
    sub->component->ops->on_client_append(sub->instance, client_request, stream);
}

static void adaptive_on_store_reply(void *state, uint64_t tag, uint32_t store, rs_status status) {
    rs__adaptive_state *self = state;
    assert(self != NULL && self->in_flight > 0);
    uint64_t owner = tag >> OWNER_SHIFT;
    assert(owner <= 1);
    self->in_flight--;
    rs__adaptive_sub *sub = &self->subs[owner];
    sub->component->ops->on_store_reply(sub->instance, tag & ~(UINT64_C(3) << OWNER_SHIFT),
                                        store, status);
}

static void adaptive_on_timer(void *state, rs_timer_id timer, uint64_t tag) {
    rs__adaptive_state *self = state;
    assert(self != NULL);
    uint64_t owner = tag >> OWNER_SHIFT;
    if (owner == OWNER_MONITOR) {
        evaluate(self);
        self->runtime.ops->timer_set(self->runtime.context, self->interval_us,
                                     OWNER_MONITOR << OWNER_SHIFT);
        return;
    }
    assert(owner <= 1);
    rs__adaptive_sub *sub = &self->subs[owner];
    sub->component->ops->on_timer(sub->instance, timer, tag & ~(UINT64_C(3) << OWNER_SHIFT));
}

/* The sub-strategy that made a store_digest / store_read with `tag`, which it must handle. */
static rs__adaptive_sub *read_owner(rs__adaptive_state *self, uint64_t tag) {
    assert(self != NULL);
    assert((tag >> OWNER_SHIFT) <= 1);
    return &self->subs[tag >> OWNER_SHIFT];
}

static void adaptive_on_store_digest(void *state, uint64_t tag, uint32_t store,
                                     rs_status status, const rs_stream_digest *digests,
                                     uint32_t count) {
    rs__adaptive_sub *sub = read_owner(state, tag);
    assert(sub->component->ops->on_store_digest != NULL);
    sub->component->ops->on_store_digest(sub->instance, tag & ~(UINT64_C(3) << OWNER_SHIFT),
                                         store, status, digests, count);
}

static void adaptive_on_store_read(void *state, uint64_t tag, uint32_t store, rs_status status,
                                   const rs_event_stream *events) {
    rs__adaptive_sub *sub = read_owner(state, tag);
    assert(sub->component->ops->on_store_read != NULL);
    sub->component->ops->on_store_read(sub->instance, tag & ~(UINT64_C(3) << OWNER_SHIFT),
                                       store, status, events);
}

static const rs_strategy_ops adaptive_ops = {
    .create = adaptive_create, .destroy = adaptive_destroy,
    .on_client_append = adaptive_on_client_append, .on_store_reply = adaptive_on_store_reply,
    .on_timer = adaptive_on_timer, .on_store_digest = adaptive_on_store_digest,
    .on_store_read = adaptive_on_store_read,
};

const rs_component rs_adaptive_component = {
    RS_COMPONENT_STRATEGY, "adaptive",
    "switch between a healthy and a degraded sub-strategy (star, cascade, batch, async_queue) "
    "on the window p99 latency, failure rate and queue depth, with hysteresis and dwell time",
    adaptive_params, sizeof adaptive_params / sizeof adaptive_params[0], &adaptive_ops,
};
