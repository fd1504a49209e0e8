/* kpi.c — see kpi.h. Four passes over the history: requests (outcomes, write latency), appends
 * (per-store counts and replication latency), appends again against the target set (which
 * target first held each event, and when), and the final store contents (who holds each
 * acknowledged event at the end). The last two use one bitset of events x targets, so an event
 * a store appended twice (or listed twice) counts once; it costs events x targets / 8 bytes,
 * bounded by RS_REPLICAS_MAX / 8 = 25 MB. Records naming an event or request outside the
 * history are skipped: the history is the evidence, and a bad record must not crash the judge. */
#include "reports/kpi.h"

#include "checks/promise.h"
#include "checks/routing.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KPI_US_PER_S 1e6
#define KPI_US_PER_MS 1e3
#define KPI_NOT_TARGET UINT32_MAX   /* target position of a store outside the target set */

/* The request that carried event `event` (id), or NULL when the records do not say. */
static const rs_history_request *kpi_request_of(const rs_history *history, rs_event_id event) {
    assert(history != NULL);
    if (event == 0 || event > history->event_count) {
        return NULL;
    }
    uint32_t request_index = history->events[event - 1].request_index;
    if (request_index >= history->request_count) {
        return NULL;
    }
    return &history->requests[request_index];
}

static int kpi_requests(const rs_history *history, rs_kpis *out) {
    assert(history != NULL && out != NULL);
    assert(out->requests == 0);
    for (size_t index = 0; index < history->request_count; index++) {
        const rs_history_request *request = &history->requests[index];
        rs_status status = request->status;
        if ((int)status < 0 || status >= RS_STATUS_COUNT) {
            status = RS_ERR_TIMEOUT; /* an unknown outcome is no acknowledgement */
        }
        out->requests_by_status[status]++;
        if (status != RS_OK) {
            continue;
        }
        out->events_acked_ok += request->event_count;
        if (request->client_ack_us >= 0 &&
            rs_histogram_record(&out->write_latency_us,
                                request->client_ack_us - request->invoke_us) != 0) {
            return -1;
        }
    }
    out->requests = history->request_count;
    out->requests_failed = out->requests - out->requests_by_status[RS_OK];
    out->success_rate = out->requests == 0
                            ? 0.0
                            : (double)out->requests_by_status[RS_OK] / (double)out->requests;
    return 0;
}

static int kpi_replication(const rs_history *history, rs_kpis *out) {
    assert(history != NULL && out != NULL);
    assert(out->store_count == history->store_count);
    for (size_t index = 0; index < history->append_count; index++) {
        const rs_history_append *append = &history->appends[index];
        if (append->store >= out->store_count) {
            continue;
        }
        rs_store_kpis *store = &out->stores[append->store];
        if (append->duplicate) {
            store->duplicates++;
            out->duplicates++;
            continue;
        }
        store->appends++;
        out->appends++;
        const rs_history_request *request = kpi_request_of(history, append->event);
        if (request == NULL || request->manager_arrival_us < 0) {
            continue;
        }
        if (rs_histogram_record(&store->replication_latency_us,
                                append->time_us - request->manager_arrival_us) != 0) {
            return -1;
        }
    }
    for (uint32_t store = 0; store < out->store_count; store++) {
        out->stores[store].final_events = history->final_count[store];
        if (rs_histogram_merge(&out->replication_latency_us,
                               &out->stores[store].replication_latency_us) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Scratch space of the target-set passes. */
typedef struct kpi_targets {
    uint32_t target_count;   /* scenario->target_count */
    uint32_t *position;      /* per store: index in scenario->targets, or KPI_NOT_TARGET */
    uint64_t *bits;          /* bit event_index * target_count + position */
    size_t bit_words;        /* uint64 words in bits */
    uint32_t *holders;       /* per event: targets that hold it (pass-dependent meaning) */
    int64_t *last_first_us;  /* per event: latest first-append time over the targets, or -1 */
} kpi_targets;

static void kpi_targets_free(kpi_targets *targets) {
    assert(targets != NULL);
    free(targets->position);
    free(targets->bits);
    free(targets->holders);
    free(targets->last_first_us);
    memset(targets, 0, sizeof *targets);
}

static int kpi_targets_init(const rs_scenario *scenario, const rs_history *history,
                            kpi_targets *targets) {
    assert(scenario != NULL && history != NULL);
    assert(scenario->target_count <= RS_TARGETS_MAX);
    memset(targets, 0, sizeof *targets);
    targets->target_count = scenario->target_count;
    size_t events = history->event_count;
    size_t stores = history->store_count;
    if (targets->target_count != 0 && events > SIZE_MAX / 2 / targets->target_count) {
        return -1;
    }
    targets->bit_words = (events * targets->target_count + 63) / 64;
    targets->position = malloc((stores + 1) * sizeof *targets->position);
    targets->bits = calloc(targets->bit_words + 1, sizeof *targets->bits);
    targets->holders = calloc(events + 1, sizeof *targets->holders);
    targets->last_first_us = malloc((events + 1) * sizeof *targets->last_first_us);
    if (targets->position == NULL || targets->bits == NULL || targets->holders == NULL ||
        targets->last_first_us == NULL) {
        kpi_targets_free(targets);
        return -1;
    }
    for (size_t store = 0; store < stores; store++) {
        targets->position[store] = KPI_NOT_TARGET;
    }
    for (uint32_t index = 0; index < targets->target_count; index++) {
        if (scenario->targets[index] < stores) {
            targets->position[scenario->targets[index]] = index;
        }
    }
    for (size_t event = 0; event < events; event++) {
        targets->last_first_us[event] = -1;
    }
    return 0;
}

/* Sets the bit of (event id, store) and returns true when the store is a target and the bit
 * was clear (first time this target holds this event); false otherwise. */
static bool kpi_targets_mark(kpi_targets *targets, const rs_history *history, uint32_t store,
                             rs_event_id event) {
    assert(targets != NULL && history != NULL);
    if (store >= history->store_count || event == 0 || event > history->event_count) {
        return false;
    }
    uint32_t position = targets->position[store];
    if (position == KPI_NOT_TARGET) {
        return false;
    }
    size_t bit = (size_t)(event - 1) * targets->target_count + position;
    assert(bit / 64 < targets->bit_words);
    uint64_t mask = UINT64_C(1) << (bit % 64);
    if ((targets->bits[bit / 64] & mask) != 0) {
        return false;
    }
    targets->bits[bit / 64] |= mask;
    targets->holders[event - 1]++;
    return true;
}

/* Synchronisation delay: when the last target first appended each event. With rules
 * (conditional), an event's targets are its own (the rules re-evaluated, checks/routing.h),
 * not the union of every rule's: appends elsewhere do not count, and it is fully replicated
 * once all of its own targets appended it. */
static int kpi_sync(const rs_scenario *scenario, const rs_history *history,
                    kpi_targets *targets, rs_kpis *out) {
    assert(history != NULL && targets != NULL && out != NULL);
    rs_routing *routing = scenario->rules.rule_count > 0 ? rs_routing_new(scenario) : NULL;
    if (scenario->rules.rule_count > 0 && routing == NULL) {
        return -1;
    }
    for (size_t index = 0; index < history->append_count; index++) {
        const rs_history_append *append = &history->appends[index];
        if (routing != NULL && append->event >= 1 && append->event <= history->event_count &&
            !rs_routing_allowed(routing, &history->events[append->event - 1])[append->store]) {
            continue; /* not one of this event's targets */
        }
        if (kpi_targets_mark(targets, history, append->store, append->event)) {
            int64_t *last = &targets->last_first_us[append->event - 1];
            *last = append->time_us > *last ? append->time_us : *last;
        }
    }
    for (size_t event = 0; event < history->event_count; event++) {
        uint32_t own = routing != NULL ? rs_routing_target_count(routing, &history->events[event])
                                       : targets->target_count;
        if (own == 0 || targets->holders[event] < own) {
            continue;
        }
        assert(targets->holders[event] == own);
        out->events_fully_replicated++;
        const rs_history_request *request = kpi_request_of(history, event + 1);
        if (request == NULL || request->manager_arrival_us < 0) {
            continue;
        }
        if (rs_histogram_record(&out->sync_delay_us,
                                targets->last_first_us[event] - request->manager_arrival_us) != 0) {
            rs_routing_free(routing);
            return -1;
        }
    }
    out->events_not_fully_replicated = out->events - out->events_fully_replicated;
    rs_routing_free(routing);
    return 0;
}

/* Durability: ok events that fewer than write_quorum targets hold in their final contents. */
static int kpi_durability(const rs_scenario *scenario, const rs_history *history,
                          kpi_targets *targets, rs_kpis *out) {
    assert(scenario != NULL && history != NULL);
    assert(targets != NULL && out != NULL);
    memset(targets->bits, 0, targets->bit_words * sizeof *targets->bits);
    memset(targets->holders, 0, history->event_count * sizeof *targets->holders);
    for (uint32_t index = 0; index < scenario->target_count; index++) {
        uint32_t store = scenario->targets[index];
        if (store >= history->store_count) {
            continue;
        }
        for (size_t slot = 0; slot < history->final_count[store]; slot++) {
            kpi_targets_mark(targets, history, store, history->final_events[store][slot]);
        }
    }
    rs_check_promises *promises = rs_check_promises_new(scenario, history);
    if (promises == NULL) {
        return -1;
    }
    for (size_t index = 0; index < history->request_count; index++) {
        const rs_history_request *request = &history->requests[index];
        if (request->status != RS_OK) {
            continue;
        }
        /* lost: below what the ack promised (the write quorum; the primaries for async) */
        uint32_t promised = rs_check_promised_at_ack(promises, request);
        for (uint32_t offset = 0; offset < request->event_count; offset++) {
            rs_event_id event = request->first_event + offset;
            uint32_t held = (event >= 1 && event <= history->event_count)
                                ? targets->holders[event - 1]
                                : 0;
            if (held < promised) {
                out->acked_events_lost++;
            }
        }
    }
    rs_check_promises_free(promises);
    return 0;
}

static void kpi_throughput_and_messages(const rs_scenario *scenario, const rs_history *history,
                                        rs_kpis *out) {
    assert(scenario != NULL && history != NULL && out != NULL);
    assert(out->events == history->event_count);
    out->end_s = (double)history->end_us / KPI_US_PER_S;
    out->workload_end_s = (double)history->workload_end_us / KPI_US_PER_S;
    out->throughput_acked_events_per_s =
        scenario->duration_s > 0 ? (double)out->events_acked_ok / scenario->duration_s : 0.0;
    out->throughput_appends_per_s = out->end_s > 0 ? (double)out->appends / out->end_s : 0.0;
    for (int kind = 0; kind < RS_MSG_KIND_COUNT; kind++) {
        out->messages[kind] = history->messages[kind];
        out->message_bytes[kind] = history->message_bytes[kind];
        out->messages_total += history->messages[kind];
        out->message_bytes_total += history->message_bytes[kind];
    }
    if (out->events > 0) {
        out->messages_per_event = (double)out->messages_total / (double)out->events;
        out->message_bytes_per_event = (double)out->message_bytes_total / (double)out->events;
    }
}

/* A latency quantile in ms, NaN when the histogram is empty. */
static double kpi_quantile_ms(const rs_histogram *histogram, double q) {
    assert(histogram != NULL);
    assert(q >= 0.0 && q <= 1.0);
    if (histogram->total == 0) {
        return NAN;
    }
    return (double)rs_histogram_quantile(histogram, q) / KPI_US_PER_MS;
}

_Static_assert(RS_EXPECT_METRIC_COUNT == 7, "kpi_expect_actuals sets one actual per metric");

/* `per_event_targets`: acked_events_lost counts against the union of targets, which means
 * nothing when each event has its own (the summary says n/a; routing judges those). */
static void kpi_expect_actuals(rs_kpis *out, bool per_event_targets) {
    assert(out != NULL);
    double *actual = out->expect_actual;
    actual[RS_EXPECT_SUCCESS_RATE_MIN] = out->success_rate;
    actual[RS_EXPECT_WRITE_LATENCY_MS_P50_MAX] = kpi_quantile_ms(&out->write_latency_us, 0.5);
    actual[RS_EXPECT_WRITE_LATENCY_MS_P99_MAX] = kpi_quantile_ms(&out->write_latency_us, 0.99);
    actual[RS_EXPECT_REPLICATION_LATENCY_MS_P99_MAX] =
        kpi_quantile_ms(&out->replication_latency_us, 0.99);
    actual[RS_EXPECT_SYNC_DELAY_MS_P99_MAX] = kpi_quantile_ms(&out->sync_delay_us, 0.99);
    actual[RS_EXPECT_ACKED_EVENTS_LOST_MAX] =
        per_event_targets ? NAN : (double)out->acked_events_lost;
    actual[RS_EXPECT_THROUGHPUT_PER_S_MIN] = out->throughput_acked_events_per_s;
}

static void kpi_init(const rs_history *history, rs_kpis *out) {
    assert(history != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    rs_histogram_init(&out->write_latency_us);
    rs_histogram_init(&out->replication_latency_us);
    rs_histogram_init(&out->sync_delay_us);
    out->events = history->event_count;
}

int rs_kpis_compute(const rs_scenario *scenario, const rs_history *history, rs_kpis *out) {
    assert(scenario != NULL && history != NULL && out != NULL);
    assert(history->store_count == 0 || history->final_count != NULL);
    kpi_init(history, out);
    if (history->store_count > 0) {
        out->stores = calloc(history->store_count, sizeof *out->stores);
        if (out->stores == NULL) {
            return -1;
        }
        out->store_count = history->store_count;
        for (uint32_t store = 0; store < out->store_count; store++) {
            rs_histogram_init(&out->stores[store].replication_latency_us);
        }
    }
    if (kpi_requests(history, out) != 0 || kpi_replication(history, out) != 0) {
        return -1;
    }
    kpi_targets targets;
    if (kpi_targets_init(scenario, history, &targets) != 0) {
        return -1;
    }
    int status = kpi_sync(scenario, history, &targets, out);
    if (status == 0) {
        status = kpi_durability(scenario, history, &targets, out);
    }
    kpi_targets_free(&targets);
    kpi_throughput_and_messages(scenario, history, out);
    kpi_expect_actuals(out, rs_scenario_per_event_targets(scenario));
    return status;
}

void rs_kpis_free(rs_kpis *kpis) {
    assert(kpis != NULL);
    assert(kpis->store_count == 0 || kpis->stores != NULL);
    for (uint32_t store = 0; store < kpis->store_count; store++) {
        rs_histogram_free(&kpis->stores[store].replication_latency_us);
    }
    free(kpis->stores);
    rs_histogram_free(&kpis->write_latency_us);
    rs_histogram_free(&kpis->replication_latency_us);
    rs_histogram_free(&kpis->sync_delay_us);
    memset(kpis, 0, sizeof *kpis);
}
