/* kpi.h — the key figures of a finished run, computed from the recorded history alone (hard
 * rule 2: nothing the code under test says about itself enters them): request outcomes, write
 * latency, replication latency per store, the synchronisation delay of the target set,
 * durability of acknowledged events, throughput and message costs. The report writers print
 * these; the verdict compares expect_actual with the scenario's thresholds (checks/expect.h).
 * docs/summary.md defines every figure. */
#ifndef RS_KPI_H
#define RS_KPI_H

#include <stdint.h>

#include "model/history.h"
#include "model/scenario.h"
#include "reports/histogram.h"

typedef struct rs_store_kpis {
    uint64_t appends;                     /* non-duplicate append records of this store */
    uint64_t duplicates;                  /* duplicate (idempotent no-op) append records */
    uint64_t final_events;                /* events the store held at the end of the run */
    rs_histogram replication_latency_us;  /* manager arrival -> this store's append, per
                                           * non-duplicate append */
} rs_store_kpis;

typedef struct rs_kpis {
    /* requests */
    uint64_t requests;                        /* history->request_count */
    uint64_t requests_by_status[RS_STATUS_COUNT]; /* by the status the client ended with */
    uint64_t requests_failed;                 /* requests - requests_by_status[RS_OK] */
    double success_rate;                      /* ok / requests, 0..1; 0 when no request */

    /* events */
    uint64_t events;                          /* history->event_count */
    uint64_t events_acked_ok;                 /* events carried by requests with status ok */
    uint64_t events_fully_replicated;         /* events every target store appended */
    uint64_t events_not_fully_replicated;     /* events - events_fully_replicated */
    uint64_t acked_events_lost;               /* ok events held at the end by fewer than
                                               * write_quorum target stores */

    /* latencies, microseconds */
    rs_histogram write_latency_us;            /* client_ack - invoke, ok requests */
    rs_histogram replication_latency_us;      /* every store's samples together */
    rs_histogram sync_delay_us;               /* last target's first append - manager
                                               * arrival, fully replicated events */

    /* stores */
    uint32_t store_count;                     /* entries in stores (history->store_count) */
    rs_store_kpis *stores;                    /* by global store index; owned */
    uint64_t appends;                         /* non-duplicate appends, all stores */
    uint64_t duplicates;                      /* duplicate appends, all stores */

    /* throughput, per second */
    double end_s;                             /* history->end_us in seconds */
    double workload_end_s;                    /* history->workload_end_us in seconds */
    double throughput_acked_events_per_s;     /* events_acked_ok / scenario->duration_s */
    double throughput_appends_per_s;          /* appends / end_s; 0 when end_s is 0 */

    /* messages, as counted by the simulated network */
    uint64_t messages[RS_MSG_KIND_COUNT];     /* history->messages, by kind */
    uint64_t message_bytes[RS_MSG_KIND_COUNT];/* history->message_bytes, by kind */
    uint64_t messages_total;                  /* sum of history->messages */
    uint64_t message_bytes_total;             /* sum of history->message_bytes */
    double messages_per_event;                /* messages_total / events; 0 when no event */
    double message_bytes_per_event;           /* message_bytes_total / events; 0 likewise */

    /* the figures the scenario's "expect" thresholds are compared with, in their units
     * (ms, fraction, events, events per second); NaN when the figure has no sample */
    double expect_actual[RS_EXPECT_METRIC_COUNT];
} rs_kpis;

/* Computes every figure of *out from `history` and the scenario's targets, write_quorum and
 * duration_s. *out is overwritten (no need to initialise it) and owns memory released by
 * rs_kpis_free, also after a failure. Returns 0, or -1 when out of memory.
 * Cost: O(requests + appends + final contents) time; O(events x targets / 8) bytes of
 * bitsets plus 12 bytes per event, bounded by RS_REPLICAS_MAX and RS_EVENTS_MAX. */
int rs_kpis_compute(const rs_scenario *scenario, const rs_history *history, rs_kpis *out);
void rs_kpis_free(rs_kpis *kpis);

#endif
