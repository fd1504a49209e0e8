/* read_report.c — quorum reads in the report (workload.reads), judged from the history alone:
 * a read is consistent when it returned at least the latest version of its stream that had
 * been acknowledged ok to a client when the read was invoked (the read-after-write rule:
 * "any reply contains the latest acknowledged event"); otherwise it is stale by that many
 * versions (k-staleness). Per probe delay, P(consistent) is the t-visibility curve. Also the
 * read outcome counts and latency (client invoke to client answer). In summary.json
 * ("reads") and summary.md ("## Reads"); nothing when the workload does not read.
 * Cost: O(W log W + R log W) for W acked events and R reads. */
#include "reports/report_internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define READS_STALENESS_BUCKETS 10     /* versions behind 1..9, then 10 or more */

typedef struct acked_version {
    rs_stream_id stream;               /* the stream */
    int64_t ack_us;                    /* when the client got the ok */
    uint32_t version;                  /* highest version acked on the stream by then */
} acked_version;

typedef struct read_kpis {
    uint64_t total, ok, failed;        /* reads and their outcomes */
    rs_histogram latency_us;           /* ok reads: invoke to answer */
    uint64_t judged[RS_PROBE_DELAYS_MAX + 1];     /* ok reads per probe ([0] = random) */
    uint64_t consistent[RS_PROBE_DELAYS_MAX + 1]; /* of which consistent */
    uint64_t behind[READS_STALENESS_BUCKETS];     /* stale reads by versions behind */
} read_kpis;

static int compare_acked(const void *left, const void *right) {
    const acked_version *a = left, *b = right;
    if (a->stream != b->stream) {
        return a->stream < b->stream ? -1 : 1;
    }
    return a->ack_us < b->ack_us ? -1 : a->ack_us > b->ack_us ? 1 : 0;
}

/* Acked events sorted by (stream, ack time), versions turned into running maxima. */
static acked_version *acked_versions(const rs_history *history, size_t *count) {
    acked_version *items = malloc((history->event_count + 1) * sizeof *items);
    size_t used = 0;
    for (size_t r = 0; items != NULL && r < history->request_count; r++) {
        const rs_history_request *request = &history->requests[r];
        for (uint32_t k = 0; request->status == RS_OK && request->client_ack_us >= 0 &&
                             k < request->event_count; k++) {
            const rs_history_event *event = &history->events[request->first_event - 1 + k];
            items[used++] = (acked_version){event->stream, request->client_ack_us,
                                            event->version};
        }
    }
    if (items != NULL) {
        qsort(items, used, sizeof *items, compare_acked);
        for (size_t i = 1; i < used; i++) {
            if (items[i].stream == items[i - 1].stream && items[i - 1].version > items[i].version) {
                items[i].version = items[i - 1].version;
            }
        }
    }
    *count = used;
    return items;
}

/* The latest version of `stream` acked at or before `at_us` (0: none). Binary search. */
static uint32_t latest_acked(const acked_version *items, size_t count, rs_stream_id stream,
                             int64_t at_us) {
    size_t low = 0, high = count; /* first entry > (stream, at_us) */
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (items[mid].stream < stream ||
            (items[mid].stream == stream && items[mid].ack_us <= at_us)) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low > 0 && items[low - 1].stream == stream ? items[low - 1].version : 0;
}

static int read_kpis_compute(const rs_history *history, read_kpis *out) {
    *out = (read_kpis){0};
    rs_histogram_init(&out->latency_us);
    size_t count = 0;
    acked_version *items = acked_versions(history, &count);
    if (items == NULL) {
        return -1;
    }
    for (size_t i = 0; i < history->read_count; i++) {
        const rs_history_read *read = &history->reads[i];
        out->total++;
        if (read->status != RS_OK || read->client_ack_us < 0) {
            out->failed++;
            continue;
        }
        out->ok++;
        if (rs_histogram_record(&out->latency_us, read->client_ack_us - read->invoke_us) != 0) {
            free(items);
            return -1;
        }
        uint32_t latest = latest_acked(items, count, read->stream, read->invoke_us);
        size_t bucket = read->probe < 0 ? 0 : (size_t)read->probe + 1;
        assert(bucket <= RS_PROBE_DELAYS_MAX);
        out->judged[bucket]++;
        if (read->version >= latest) {
            out->consistent[bucket]++;
        } else {
            uint32_t behind = latest - read->version;
            out->behind[behind >= READS_STALENESS_BUCKETS ? READS_STALENESS_BUCKETS - 1
                                                          : behind - 1]++;
        }
    }
    free(items);
    return 0;
}

static bool add_number(cJSON *object, const char *name, double value, int decimals) {
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    return cJSON_AddRawToObject(object, name, raw) != NULL;
}

static bool add_share(cJSON *object, uint64_t consistent, uint64_t judged) {
    return add_number(object, "reads", (double)judged, 0) &&
           add_number(object, "consistent", (double)consistent, 0) &&
           add_number(object, "p_consistent",
                      judged == 0 ? NAN : (double)consistent / (double)judged, 6);
}

static bool reads_latency_json(cJSON *reads, const rs_histogram *latency_us) {
    cJSON *latency = cJSON_AddObjectToObject(reads, "latency_ms");
    bool ok = latency != NULL && add_number(latency, "count", (double)latency_us->total, 0);
    static const struct { const char *name; double q; } quantiles[] = {
        {"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"max", 1.0}};
    for (size_t q = 0; ok && q < sizeof quantiles / sizeof quantiles[0]; q++) {
        double value = latency_us->total == 0
                           ? NAN
                           : (double)rs_histogram_quantile(latency_us, quantiles[q].q) / 1e3;
        ok = add_number(latency, quantiles[q].name, value, 3);
    }
    return ok;
}

bool rs__reads_json(const rs__report *report, cJSON *root) {
    const rs_scenario *scenario = report->scenario;
    if (scenario->read_ratio == 0 && scenario->probe_count == 0) {
        return true;
    }
    read_kpis kpis;
    bool ok = read_kpis_compute(report->history, &kpis) == 0;
    cJSON *reads = ok ? cJSON_AddObjectToObject(root, "reads") : NULL;
    ok = ok && reads != NULL && add_number(reads, "read_quorum", scenario->read_quorum, 0) &&
         add_number(reads, "write_quorum", scenario->write_quorum, 0) &&
         add_number(reads, "targets", scenario->target_count, 0) &&
         cJSON_AddBoolToObject(reads, "partial_quorum", scenario->partial_quorum) != NULL &&
         add_number(reads, "total", (double)kpis.total, 0) &&
         add_number(reads, "ok", (double)kpis.ok, 0) &&
         add_number(reads, "failed", (double)kpis.failed, 0) &&
         reads_latency_json(reads, &kpis.latency_us);
    cJSON *random = ok ? cJSON_AddObjectToObject(reads, "random") : NULL;
    ok = ok && random != NULL && add_share(random, kpis.consistent[0], kpis.judged[0]);
    cJSON *probes = ok ? cJSON_AddArrayToObject(reads, "probes") : NULL;
    ok = ok && probes != NULL;
    for (uint32_t p = 0; ok && p < scenario->probe_count; p++) {
        cJSON *entry = cJSON_CreateObject();
        ok = entry != NULL && cJSON_AddItemToArray(probes, entry) &&
             add_number(entry, "delay_ms", (double)scenario->probe_delays_us[p] / 1e3, 3) &&
             add_share(entry, kpis.consistent[p + 1], kpis.judged[p + 1]);
    }
    cJSON *behind = ok ? cJSON_AddObjectToObject(reads, "stale_versions_behind") : NULL;
    ok = ok && behind != NULL;
    for (int b = 0; ok && b < READS_STALENESS_BUCKETS; b++) {
        char name[16];
        snprintf(name, sizeof name, b + 1 == READS_STALENESS_BUCKETS ? "%d+" : "%d", b + 1);
        ok = add_number(behind, name, (double)kpis.behind[b], 0);
    }
    rs_histogram_free(&kpis.latency_us);
    return ok;
}

void rs__reads_md(const rs__report *report, rs__text *out) {
    const rs_scenario *scenario = report->scenario;
    if (scenario->read_ratio == 0 && scenario->probe_count == 0) {
        return;
    }
    read_kpis kpis;
    if (read_kpis_compute(report->history, &kpis) != 0) {
        out->failed = true;
        return;
    }
    rs__text_printf(out, "\n## Reads\n\nRead quorum R = %u, write quorum W = %u, %u targets%s. "
                    "%llu reads: %llu ok, %llu failed. A read is consistent when it returned "
                    "the latest version of its stream acknowledged when it was invoked.\n\n"
                    "| reads | delay (ms) | ok reads | consistent | P(consistent) |\n"
                    "|---|---:|---:|---:|---:|\n", scenario->read_quorum, scenario->write_quorum,
                    scenario->target_count,
                    scenario->partial_quorum ? " (partial quorum: R + W <= targets)" : "",
                    (unsigned long long)kpis.total, (unsigned long long)kpis.ok,
                    (unsigned long long)kpis.failed);
    for (uint32_t b = 0; b <= scenario->probe_count; b++) {
        if (b == 0 && kpis.judged[0] == 0) {
            continue;
        }
        double share = kpis.judged[b] == 0 ? NAN
                                           : (double)kpis.consistent[b] / (double)kpis.judged[b];
        rs__text_printf(out, "| %s | %.3f | %llu | %llu | %.6f |\n", b == 0 ? "random" : "probe",
                        b == 0 ? 0.0 : (double)scenario->probe_delays_us[b - 1] / 1e3,
                        (unsigned long long)kpis.judged[b], (unsigned long long)kpis.consistent[b],
                        share);
    }
    rs__text_puts(out, "\nStale reads by versions behind: ");
    for (int b = 0; b < READS_STALENESS_BUCKETS; b++) {
        rs__text_printf(out, "%s%d%s: %llu", b == 0 ? "" : ", ", b + 1,
                        b + 1 == READS_STALENESS_BUCKETS ? "+" : "",
                        (unsigned long long)kpis.behind[b]);
    }
    rs__text_puts(out, ".\n");
    rs_histogram_free(&kpis.latency_us);
}
