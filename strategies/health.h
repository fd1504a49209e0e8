/* health.h — the per-store health state machine (the chapter's ReplicationHealthCheck): a
 * store turns unhealthy after `unhealthy_after` consecutive failed probes and healthy again
 * after `healthy_after` consecutive successful ones. Pure code: the probes themselves (a ping
 * every interval, a timeout) are sent by the host of the strategy (model/node_health.c in the
 * simulation); strategies read the resulting state through the runtime's store_healthy. */
#ifndef RS_HEALTH_H
#define RS_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rs_health_spec {
    bool enabled;                 /* false: no probes, every store counts as healthy */
    int64_t interval_us;          /* between two probes of a store */
    int64_t timeout_us;           /* a probe not answered by then failed; < interval_us */
    uint32_t unhealthy_after;     /* consecutive failures that make a healthy store unhealthy */
    uint32_t healthy_after;       /* consecutive successes that make it healthy again */
} rs_health_spec;

typedef struct rs_health_tracker {
    bool healthy;                 /* current state; starts healthy */
    uint32_t failures;            /* consecutive failed probes (reset by a success) */
    uint32_t successes;           /* consecutive successful probes (reset by a failure) */
} rs_health_tracker;

/* A fresh tracker: healthy, no history. */
void rs_health_tracker_init(rs_health_tracker *tracker);

/* Records one probe outcome under `spec`; returns true when the state changed. */
bool rs_health_tracker_observe(rs_health_tracker *tracker, const rs_health_spec *spec, bool ok);

#endif
