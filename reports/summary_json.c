/* summary_json.c — summary.json, the stable machine-readable summary (schema in
 * docs/summary.md). Built as a cJSON tree in a fixed key order and printed formatted. Every
 * number goes in as a raw token formatted here (counts as exact integers, milliseconds with 3
 * decimals, rates and fractions with 6, trailing zeros trimmed), so the bytes never depend on
 * cJSON's float printing; a figure without a value is null. */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define JSON_MS_DECIMALS 3
#define JSON_RATE_DECIMALS 6
#define JSON_US_PER_MS 1e3

/* The tree being built; any allocation failure sets failed and the output is dropped. */
typedef struct json_builder {
    bool failed;  /* a cJSON call returned NULL */
} json_builder;

static cJSON *json_check(json_builder *builder, cJSON *item) {
    if (item == NULL) {
        builder->failed = true;
    }
    return item;
}

static void json_uint(json_builder *builder, cJSON *object, const char *name, uint64_t value) {
    char raw[RS__NUMBER_BYTES];
    snprintf(raw, sizeof raw, "%" PRIu64, value);
    json_check(builder, cJSON_AddRawToObject(object, name, raw));
}

static void json_fixed(json_builder *builder, cJSON *object, const char *name, double value,
                       int decimals) {
    char raw[RS__NUMBER_BYTES];
    rs__format_number(raw, sizeof raw, value, decimals);
    json_check(builder, cJSON_AddRawToObject(object, name, raw));
}

static void json_string(json_builder *builder, cJSON *object, const char *name,
                        const char *value) {
    if (value == NULL) {
        json_check(builder, cJSON_AddNullToObject(object, name));
    } else {
        json_check(builder, cJSON_AddStringToObject(object, name, value));
    }
}

static cJSON *json_object(json_builder *builder, cJSON *parent, const char *name) {
    if (parent == NULL) {
        return NULL;
    }
    return json_check(builder, cJSON_AddObjectToObject(parent, name));
}

/* {count, mean, min, p50, p90, p99, p99_9, max} of a histogram, each value / divisor. */
static void json_histogram(json_builder *builder, cJSON *parent, const char *name,
                           const rs_histogram *histogram, double divisor, int decimals) {
    assert(histogram != NULL);
    assert(divisor > 0);
    cJSON *object = json_object(builder, parent, name);
    if (object == NULL) {
        return;
    }
    bool empty = histogram->total == 0;
    json_uint(builder, object, "count", histogram->total);
    json_fixed(builder, object, "mean", empty ? NAN : rs_histogram_mean(histogram) / divisor,
               decimals);
    static const struct {
        const char *name;
        double q;
    } quantiles[] = {{"min", 0.0},   {"p50", 0.5},     {"p90", 0.9},
                     {"p99", 0.99},  {"p99_9", 0.999}, {"max", 1.0}};
    for (size_t index = 0; index < sizeof quantiles / sizeof quantiles[0]; index++) {
        double value = (double)rs_histogram_quantile(histogram, quantiles[index].q) / divisor;
        json_fixed(builder, object, quantiles[index].name, empty ? NAN : value, decimals);
    }
}

/* The same of a µs histogram, in ms. */
static void json_latency(json_builder *builder, cJSON *parent, const char *name,
                         const rs_histogram *histogram) {
    json_histogram(builder, parent, name, histogram, JSON_US_PER_MS, JSON_MS_DECIMALS);
}

/* "strategy_metrics": the strategy's named counters, observations (raw units, as named) and
 * gauges (max and last level), each group sorted by name. */
static void json_strategy_metrics(json_builder *builder, cJSON *root, const rs_metrics *metrics) {
    cJSON *section = json_object(builder, root, "strategy_metrics");
    cJSON *counters = json_object(builder, section, "counters");
    cJSON *observations = json_object(builder, section, "observations");
    cJSON *gauges = json_object(builder, section, "gauges");
    if (metrics == NULL || gauges == NULL) {
        return;
    }
    uint32_t order[RS_NAMED_METRICS_MAX];
    uint32_t count = rs_metrics_named_sorted(metrics, order);
    for (uint32_t i = 0; i < count; i++) {
        const rs_named_metric *metric = &metrics->named[order[i]];
        switch (metric->kind) {
        case RS_NAMED_COUNTER:
            json_fixed(builder, counters, metric->name, (double)metric->counter, 0);
            break;
        case RS_NAMED_OBSERVATION:
            json_histogram(builder, observations, metric->name, &metric->observations, 1, 0);
            break;
        case RS_NAMED_GAUGE: {
            cJSON *gauge = json_object(builder, gauges, metric->name);
            if (gauge != NULL) {
                json_fixed(builder, gauge, "max", (double)metric->gauge_max, 0);
                json_fixed(builder, gauge, "last", (double)metric->gauge_last, 0);
            }
            break;
        }
        }
    }
}

/* {name: value} of a component's parameters; enum values by choice name, bools as booleans. */
static void json_params(json_builder *builder, cJSON *parent, const rs_component *component,
                        const double *values) {
    cJSON *params = json_object(builder, parent, "params");
    if (params == NULL || component == NULL) {
        return;
    }
    for (size_t index = 0; index < component->param_count && index < RS_PARAMS_MAX; index++) {
        const rs_param_spec *spec = &component->params[index];
        double value = values[index];
        if (spec->type == RS_PARAM_BOOL) {
            json_check(builder, cJSON_AddBoolToObject(params, spec->name, value != 0.0));
        } else if (spec->type == RS_PARAM_ENUM && spec->choices != NULL) {
            size_t choice = 0;
            while (spec->choices[choice] != NULL && (double)choice < value) {
                choice++;
            }
            json_string(builder, params, spec->name, spec->choices[choice]);
        } else {
            json_fixed(builder, params, spec->name, value, JSON_RATE_DECIMALS);
        }
    }
}

static void json_scenario(json_builder *builder, cJSON *root, const rs__report *report) {
    const rs_scenario *scenario = report->scenario;
    cJSON *object = json_object(builder, root, "scenario");
    if (object == NULL) {
        return;
    }
    json_string(builder, object, "name", scenario->name);
    json_string(builder, object, "file", scenario->source_path);
    json_string(builder, object, "hash", report->hash_hex);
    json_uint(builder, object, "seed", report->facts->seed);
    cJSON *strategy = json_object(builder, object, "strategy");
    if (strategy != NULL) {
        json_string(builder, strategy, "name",
                    scenario->strategy != NULL ? scenario->strategy->name : NULL);
        json_params(builder, strategy, scenario->strategy, scenario->strategy_params);
    }
    cJSON *consistency = json_object(builder, object, "consistency");
    if (consistency != NULL) {
        json_string(builder, consistency, "name",
                    scenario->policy != NULL ? scenario->policy->name : NULL);
        json_params(builder, consistency, scenario->policy, scenario->policy_params);
    }
    json_uint(builder, object, "write_quorum", scenario->write_quorum);
    cJSON *targets = json_check(builder, cJSON_AddArrayToObject(object, "targets"));
    for (uint32_t index = 0; targets != NULL && index < scenario->target_count; index++) {
        char name[2 * RS_NAME_MAX];
        rs_scenario_store_name(scenario, scenario->targets[index], name, sizeof name);
        cJSON *item = json_check(builder, cJSON_CreateString(name));
        if (item != NULL) {
            cJSON_AddItemToArray(targets, item);
        }
    }
    json_fixed(builder, object, "duration_s", scenario->duration_s, JSON_RATE_DECIMALS);
    json_fixed(builder, object, "settle_s", scenario->settle_s, JSON_RATE_DECIMALS);
    json_string(builder, object, "transport",
                scenario->transport == RS_TRANSPORT_FLOW ? "flow" : "latency");
}

static void json_requests(json_builder *builder, cJSON *root, const rs_kpis *kpis) {
    cJSON *object = json_object(builder, root, "requests");
    if (object == NULL) {
        return;
    }
    json_uint(builder, object, "total", kpis->requests);
    json_uint(builder, object, "ok", kpis->requests_by_status[RS_OK]);
    json_uint(builder, object, "failed", kpis->requests_failed);
    cJSON *by_status = json_object(builder, object, "failed_by_status");
    for (int status = RS_OK + 1; by_status != NULL && status < RS_STATUS_COUNT; status++) {
        json_uint(builder, by_status, rs_status_label((rs_status)status),
                  kpis->requests_by_status[status]);
    }
    json_fixed(builder, object, "success_rate", kpis->success_rate, JSON_RATE_DECIMALS);
    json_string(builder, object, "note",
                kpis->requests == 0 ? "no request was issued; success_rate is 0 by convention"
                                    : NULL);
}

static void json_replication_and_sync(json_builder *builder, cJSON *root,
                                      const rs__report *report) {
    const rs_kpis *kpis = &report->kpis;
    cJSON *replication = json_object(builder, root, "replication_latency_ms");
    json_latency(builder, replication, "all", &kpis->replication_latency_us);
    cJSON *per_store = json_object(builder, replication, "per_store");
    for (uint32_t store = 0; per_store != NULL && store < kpis->store_count; store++) {
        char name[2 * RS_NAME_MAX];
        rs_scenario_store_name(report->scenario, store, name, sizeof name);
        json_latency(builder, per_store, name, &kpis->stores[store].replication_latency_us);
    }
    json_latency(builder, root, "sync_delay_ms", &kpis->sync_delay_us);
    cJSON *sync = cJSON_GetObjectItemCaseSensitive(root, "sync_delay_ms");
    if (sync != NULL) {
        json_uint(builder, sync, "events_fully_replicated", kpis->events_fully_replicated);
        json_uint(builder, sync, "events_not_fully_replicated",
                  kpis->events_not_fully_replicated);
    }
}

static void json_throughput_and_messages(json_builder *builder, cJSON *root,
                                         const rs_kpis *kpis) {
    cJSON *throughput = json_object(builder, root, "throughput");
    if (throughput != NULL) {
        json_fixed(builder, throughput, "acked_events_per_s",
                   kpis->throughput_acked_events_per_s, JSON_RATE_DECIMALS);
        json_fixed(builder, throughput, "appends_per_s", kpis->throughput_appends_per_s,
                   JSON_RATE_DECIMALS);
        json_uint(builder, throughput, "acked_events", kpis->events_acked_ok);
        json_uint(builder, throughput, "events", kpis->events);
        json_uint(builder, throughput, "appends", kpis->appends);
        json_uint(builder, throughput, "duplicate_appends", kpis->duplicates);
        json_fixed(builder, throughput, "workload_end_s", kpis->workload_end_s,
                   JSON_RATE_DECIMALS);
        json_fixed(builder, throughput, "end_s", kpis->end_s, JSON_RATE_DECIMALS);
    }
    cJSON *messages = json_object(builder, root, "messages");
    if (messages == NULL) {
        return;
    }
    json_uint(builder, messages, "total", kpis->messages_total);
    json_uint(builder, messages, "bytes", kpis->message_bytes_total);
    json_fixed(builder, messages, "per_event", kpis->messages_per_event, JSON_RATE_DECIMALS);
    json_fixed(builder, messages, "bytes_per_event", kpis->message_bytes_per_event,
               JSON_RATE_DECIMALS);
    cJSON *by_kind = json_object(builder, messages, "by_kind");
    for (int kind = 0; by_kind != NULL && kind < RS_MSG_KIND_COUNT; kind++) {
        cJSON *entry = json_object(builder, by_kind, rs_message_kind_name((rs_message_kind)kind));
        if (entry == NULL) {
            continue;
        }
        double events = (double)kpis->events;
        json_uint(builder, entry, "count", kpis->messages[kind]);
        json_uint(builder, entry, "bytes", kpis->message_bytes[kind]);
        json_fixed(builder, entry, "per_event",
                   events > 0 ? (double)kpis->messages[kind] / events : 0.0, JSON_RATE_DECIMALS);
        json_fixed(builder, entry, "bytes_per_event",
                   events > 0 ? (double)kpis->message_bytes[kind] / events : 0.0,
                   JSON_RATE_DECIMALS);
    }
}

static bool json_is_target(const rs_scenario *scenario, uint32_t store) {
    for (uint32_t index = 0; index < scenario->target_count; index++) {
        if (scenario->targets[index] == store) {
            return true;
        }
    }
    return false;
}

static void json_store(json_builder *builder, cJSON *stores, const rs__report *report,
                       uint32_t store) {
    cJSON *entry = json_check(builder, cJSON_CreateObject());
    if (entry == NULL) {
        return;
    }
    cJSON_AddItemToArray(stores, entry);
    const rs_store_kpis *kpis = &report->kpis.stores[store];
    char name[2 * RS_NAME_MAX];
    rs_scenario_store_name(report->scenario, store, name, sizeof name);
    uint32_t region = rs_scenario_store_region(report->scenario, store);
    json_string(builder, entry, "name", name);
    json_string(builder, entry, "region",
                region < report->scenario->region_count
                    ? report->scenario->regions[region].name : NULL);
    json_check(builder, cJSON_AddBoolToObject(entry, "target",
                                              json_is_target(report->scenario, store)));
    json_uint(builder, entry, "appends", kpis->appends);
    json_uint(builder, entry, "duplicates", kpis->duplicates);
    json_uint(builder, entry, "final_events", kpis->final_events);
    const rs_metrics *metrics = report->metrics;
    bool reported = metrics != NULL && store < metrics->store_count;
    cJSON *results = json_object(builder, entry, "strategy_results");
    for (int status = 0; results != NULL && status < RS_STATUS_COUNT; status++) {
        json_uint(builder, results, rs_status_label((rs_status)status),
                  reported ? metrics->stores[store].results[status] : 0);
    }
    rs_histogram none;
    rs_histogram_init(&none);
    json_latency(builder, entry, "strategy_observed_latency_ms",
                 reported ? &metrics->stores[store].observed_latency_us : &none);
}

static void json_expectations(json_builder *builder, cJSON *root, const rs__report *report) {
    cJSON *array = json_check(builder, cJSON_AddArrayToObject(root, "expectations"));
    for (int metric = 0; array != NULL && metric < RS_EXPECT_METRIC_COUNT; metric++) {
        const rs_expect_outcome *outcome = &report->outcomes[metric];
        if (!outcome->checked) {
            continue;
        }
        cJSON *entry = json_check(builder, cJSON_CreateObject());
        if (entry == NULL) {
            return;
        }
        cJSON_AddItemToArray(array, entry);
        json_string(builder, entry, "name", rs_expect_metric_name((rs_expect_metric)metric));
        json_string(builder, entry, "kind", outcome->is_min ? "min" : "max");
        json_fixed(builder, entry, "threshold", outcome->threshold, JSON_RATE_DECIMALS);
        json_fixed(builder, entry, "actual", outcome->actual, JSON_RATE_DECIMALS);
        json_fixed(builder, entry, "margin", outcome->margin, JSON_RATE_DECIMALS);
        json_check(builder, cJSON_AddBoolToObject(entry, "pass", outcome->pass));
    }
}

void rs__summary_json(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    assert(report->facts != NULL);
    json_builder builder = {.failed = false};
    cJSON *root = json_check(&builder, cJSON_CreateObject());
    if (root == NULL) {
        out->failed = true;
        return;
    }
    json_uint(&builder, root, "summary_version", 1);
    json_scenario(&builder, root, report);
    json_requests(&builder, root, &report->kpis);
    json_latency(&builder, root, "write_latency_ms", &report->kpis.write_latency_us);
    json_replication_and_sync(&builder, root, report);
    json_throughput_and_messages(&builder, root, &report->kpis);
    cJSON *durability = json_object(&builder, root, "durability");
    if (durability != NULL) {
        if (rs_scenario_per_event_targets(report->scenario)) {
            json_fixed(&builder, durability, "acked_events_lost", NAN, 0);
            json_string(&builder, durability, "note", "targets differ per event (rules): not "
                        "judged against write_quorum of the union of targets");
        } else {
            json_uint(&builder, durability, "acked_events_lost", report->kpis.acked_events_lost);
        }
    }
    cJSON *stores = json_check(&builder, cJSON_AddArrayToObject(root, "stores"));
    for (uint32_t store = 0; stores != NULL && store < report->kpis.store_count; store++) {
        json_store(&builder, stores, report, store);
    }
    json_strategy_metrics(&builder, root, report->metrics);
    builder.failed |= !rs__faults_json(report, root);
    builder.failed |= !rs__health_json(report, root);
    builder.failed |= !rs__reads_json(report, root);
    builder.failed |= !rs__conflicts_json(report, root);
    builder.failed |= !rs__invariants_json(report, root);
    json_expectations(&builder, root, report);
    json_string(&builder, root, "verdict",
                report->expectation_failures == 0 && report->invariant_failures == 0 ? "pass"
                                                                                      : "fail");
    json_uint(&builder, root, "simulated_events", report->facts->simulated_events);
    char *printed = builder.failed ? NULL : cJSON_Print(root);
    if (printed == NULL) {
        out->failed = true;
    } else {
        rs__text_puts(out, printed);
        rs__text_puts(out, "\n");
        cJSON_free(printed);
    }
    cJSON_Delete(root);
}
