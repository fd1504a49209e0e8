/* adaptive_internal.h — what strategies/adaptive.c and strategies/adaptive_port.c share,
 * private to them (the rs__ prefix marks it internal): the adaptive instance's state, its two
 * hosted sub-strategies, the monitor's sliding windows, and the port each sub-strategy sees.
 * See adaptive.c for the semantics. */
#ifndef RS_ADAPTIVE_INTERNAL_H
#define RS_ADAPTIVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/adaptive.h"

/* Tags of store requests and timers carry their owner in their two top bits: 0 the healthy
 * sub-strategy, 1 the degraded one, 2 the monitor's own timer. */
#define RS__ADAPTIVE_OWNER_SHIFT 62

typedef struct rs__adaptive_sample {
    int64_t at_us;                     /* local time it was taken */
    int64_t value;                     /* latency in us, or 1 (failure) / 0 (ok) */
} rs__adaptive_sample;

typedef struct rs__adaptive_window {
    rs__adaptive_sample *ring;         /* capacity samples, oldest at head */
    uint32_t capacity;                 /* window_samples_max */
    uint32_t head;                     /* index of the oldest sample */
    uint32_t count;                    /* samples held */
    int64_t sum;                       /* of the held values (failures of the result window) */
} rs__adaptive_window;

typedef struct rs__adaptive_figures {
    int64_t p99_us;                    /* window p99 latency; -1 when under min_samples */
    uint32_t latency_samples;          /* latencies in the window */
    int64_t failure_permille;          /* window failure rate; -1 when under min_samples */
    uint32_t result_samples;           /* results in the window */
    int64_t queue_depth;               /* appends in flight + the active sub's queue_depth */
} rs__adaptive_figures;

struct rs__adaptive_state;

typedef struct rs__adaptive_sub {
    struct rs__adaptive_state *owner;  /* the hosting instance */
    uint64_t index;                    /* 0 healthy, 1 degraded: its tags' top bits */
    const rs_component *component;     /* which strategy it is */
    double params[RS_PARAMS_MAX];      /* its defaults; timeout_ms, workers: ours */
    rs_strategy_config config;         /* adaptive's config with these params */
    void *instance;                    /* its state */
    int64_t queue_depth;               /* the last "queue_depth" gauge it reported */
} rs__adaptive_sub;

typedef struct rs__adaptive_state {
    const rs_strategy_config *config;  /* outlives us */
    rs_runtime runtime;                /* the port */
    rs__adaptive_sub subs[2];          /* healthy, degraded */
    uint32_t active;                   /* 0 healthy, 1 degraded */
    bool started;                      /* first append seen: counters out, monitor armed */
    int64_t entered_us;                /* local time the active mode began */
    int64_t in_flight;                 /* store appends of both subs not yet answered */
    rs__adaptive_window latencies;     /* ok-reply latencies, us */
    rs__adaptive_window results;       /* 1 per failure, 0 per ok */
    int64_t *scratch;                  /* capacity values: the latencies, sorted */
    int64_t window_us;                 /* monitor window */
    int64_t interval_us;               /* evaluation period */
    int64_t dwell_us;                  /* minimum time in a mode */
    int64_t p99_enter_us;              /* p99 entering the degraded mode, us */
    int64_t p99_exit_us;               /* p99 leaving it, us */
    int64_t failure_enter_permille;    /* failure rate entering it, per mille */
    int64_t failure_exit_permille;     /* failure rate leaving it, per mille */
    int64_t depth_enter;               /* depth entering it; 0 = not watched */
    int64_t depth_exit;                /* depth leaving it */
    uint32_t min_samples;              /* for a figure to be known */
    uint32_t flap_max;                 /* switches per 60 s before a flap */
    int64_t *switch_times;             /* ring of the last flap_max + 1 switch times */
    uint32_t switch_head;              /* next slot to write */
    uint32_t switch_count;             /* slots in use */
} rs__adaptive_state;

/* Adds a sample taken at `at_us` to `window`, dropping the oldest when it is full. */
void rs__adaptive_window_push(rs__adaptive_window *window, int64_t at_us, int64_t value);

/* The runtime a hosted sub-strategy sees; its context is that sub-strategy's rs__adaptive_sub.
 * It forwards everything to the adaptive instance's runtime, tagging store requests and
 * timers with the sub-strategy, counting appends in flight, and feeding the monitor with the
 * latencies and results the sub-strategy reports (adaptive_port.c). */
extern const rs_runtime_ops rs__adaptive_sub_port;

#endif
