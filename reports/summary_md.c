/* summary_md.c — summary.md, the human-readable summary: title, scenario line, key figures,
 * per-store table, expectations with ✔/✘ and margins, verdict. Same numbers and rounding as
 * summary.json. Names from the scenario are data: they are only ever written mid-line or inside
 * a table cell, where the characters below are all that can start markup, an HTML tag or
 * entity, a link or a cell break; each of them is backslash-escaped (CommonMark then renders
 * it literally) and control characters become spaces. */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MD_MS_DECIMALS 3
#define MD_RATE_DECIMALS 6
#define MD_US_PER_MS 1e3
#define MD_CHECK "\xe2\x9c\x94"   /* U+2714 HEAVY CHECK MARK */
#define MD_CROSS "\xe2\x9c\x98"   /* U+2718 HEAVY BALLOT X */
#define MD_SPECIAL "\\`*_[]<>|!&~$" /* escaped with a backslash in names */

void rs__md_escaped(rs__text *out, const char *name) {
    assert(out != NULL);
    if (name == NULL) {
        rs__text_puts(out, "(none)");
        return;
    }
    for (const char *c = name; *c != '\0'; c++) {
        unsigned char byte = (unsigned char)*c;
        if (byte < 0x20 || byte == 0x7f) {
            rs__text_puts(out, " ");
        } else if (byte < 0x80 && strchr(MD_SPECIAL, byte) != NULL) {
            char pair[2] = {'\\', (char)byte};
            rs__text_append(out, pair, 2);
        } else {
            rs__text_append(out, c, 1);
        }
    }
}

static void md_number(rs__text *out, double value, int decimals) {
    char text[RS__NUMBER_BYTES];
    rs__format_number(text, sizeof text, value, decimals);
    rs__text_puts(out, strcmp(text, "null") == 0 ? "n/a" : text);
}

static double md_quantile_ms(const rs_histogram *histogram, double q) {
    if (histogram->total == 0) {
        return NAN;
    }
    return (double)rs_histogram_quantile(histogram, q) / MD_US_PER_MS;
}

/* "p50 / p90 / p99 / p99.9 / max" of a µs histogram, in ms. */
static void md_latency_row(rs__text *out, const char *label, const rs_histogram *histogram) {
    static const double quantiles[] = {0.5, 0.9, 0.99, 0.999, 1.0};
    rs__text_printf(out, "| %s | ", label);
    for (size_t index = 0; index < sizeof quantiles / sizeof quantiles[0]; index++) {
        rs__text_puts(out, index == 0 ? "" : " / ");
        md_number(out, md_quantile_ms(histogram, quantiles[index]), MD_MS_DECIMALS);
    }
    rs__text_printf(out, " (%" PRIu64 " samples) |\n", histogram->total);
}

/* The strategy's named metrics, one row each, sorted by name; nothing when there are none. */
static void md_strategy_metrics(rs__text *out, const rs_metrics *metrics) {
    if (metrics == NULL || metrics->named_count == 0) {
        return;
    }
    rs__text_puts(out, "## Strategy metrics\n\n| metric | kind | value |\n| --- | --- | --- |\n");
    uint32_t order[RS_NAMED_METRICS_MAX];
    uint32_t count = rs_metrics_named_sorted(metrics, order);
    for (uint32_t i = 0; i < count; i++) {
        const rs_named_metric *metric = &metrics->named[order[i]];
        const rs_histogram *samples = &metric->observations;
        switch (metric->kind) {
        case RS_NAMED_COUNTER:
            rs__text_printf(out, "| %s | counter | %" PRId64 " |\n", metric->name, metric->counter);
            break;
        case RS_NAMED_OBSERVATION:
            rs__text_printf(out, "| %s | observed | p50 %" PRId64 ", p99 %" PRId64 ", max %" PRId64
                                 " (%" PRIu64 " samples) |\n",
                            metric->name, rs_histogram_quantile(samples, 0.5),
                            rs_histogram_quantile(samples, 0.99), rs_histogram_quantile(samples, 1.0),
                            samples->total);
            break;
        case RS_NAMED_GAUGE:
            rs__text_printf(out, "| %s | gauge | max %" PRId64 ", last %" PRId64 " |\n", metric->name,
                            metric->gauge_max, metric->gauge_last);
            break;
        }
    }
    rs__text_puts(out, "\n");
}

static void md_scenario(rs__text *out, const rs__report *report) {
    const rs_scenario *scenario = report->scenario;
    rs__text_puts(out, "# replsim report: ");
    rs__md_escaped(out, scenario->name);
    rs__text_puts(out, "\n\nScenario ");
    rs__md_escaped(out, scenario->source_path);
    rs__text_printf(out, ", hash %s, seed %" PRIu64 "; strategy ", report->hash_hex,
                    report->facts->seed);
    rs__md_escaped(out, scenario->strategy != NULL ? scenario->strategy->name : NULL);
    rs__text_puts(out, ", consistency ");
    rs__md_escaped(out, scenario->policy != NULL ? scenario->policy->name : NULL);
    rs__text_printf(out, " (write quorum %u of %u targets); workload ", scenario->write_quorum,
                    scenario->target_count);
    md_number(out, scenario->duration_s, MD_RATE_DECIMALS);
    rs__text_puts(out, " s, settle ");
    md_number(out, scenario->settle_s, MD_RATE_DECIMALS);
    rs__text_puts(out, scenario->transport == RS_TRANSPORT_FLOW
                           ? " s; transport flow (SimGrid communications: bandwidth is shared "
                             "and contended).\n\n"
                           : " s; transport latency (latency + size / bandwidth per message: no "
                             "bandwidth sharing or contention is modelled).\n\n");
}

static void md_figures(rs__text *out, const rs_kpis *kpis, bool per_event_targets) {
    rs__text_puts(out, "## Key figures\n\n| figure | value |\n| --- | --- |\n");
    rs__text_printf(out, "| requests | %" PRIu64 " (ok %" PRIu64 ", failed %" PRIu64,
                    kpis->requests, kpis->requests_by_status[RS_OK], kpis->requests_failed);
    for (int status = RS_OK + 1; status < RS_STATUS_COUNT; status++) {
        if (kpis->requests_by_status[status] > 0) {
            rs__text_printf(out, "; %s %" PRIu64, rs_status_label((rs_status)status),
                            kpis->requests_by_status[status]);
        }
    }
    rs__text_puts(out, ") |\n| success rate | ");
    md_number(out, kpis->success_rate, MD_RATE_DECIMALS);
    rs__text_puts(out, kpis->requests == 0 ? " (no request was issued) |\n" : " |\n");
    md_latency_row(out, "write latency p50 / p90 / p99 / p99.9 / max (ms)",
                   &kpis->write_latency_us);
    md_latency_row(out, "replication latency, all stores, p50 / p90 / p99 / p99.9 / max (ms)",
                   &kpis->replication_latency_us);
    md_latency_row(out, "sync delay p50 / p90 / p99 / p99.9 / max (ms)", &kpis->sync_delay_us);
    rs__text_printf(out, "| events fully replicated / not | %" PRIu64 " / %" PRIu64 " |\n",
                    kpis->events_fully_replicated, kpis->events_not_fully_replicated);
    if (per_event_targets) {
        rs__text_puts(out, "| acked events lost | n/a: targets differ per event (rules) |\n");
    } else {
        rs__text_printf(out, "| acked events lost | %" PRIu64 " |\n", kpis->acked_events_lost);
    }
    rs__text_puts(out, "| throughput, acked events per s | ");
    md_number(out, kpis->throughput_acked_events_per_s, MD_RATE_DECIMALS);
    rs__text_puts(out, " |\n| appends per s | ");
    md_number(out, kpis->throughput_appends_per_s, MD_RATE_DECIMALS);
    rs__text_printf(out, " |\n| messages (bytes) | %" PRIu64 " (%" PRIu64 ") |\n",
                    kpis->messages_total, kpis->message_bytes_total);
    rs__text_puts(out, "| messages per event (bytes per event) | ");
    md_number(out, kpis->messages_per_event, MD_RATE_DECIMALS);
    rs__text_puts(out, " (");
    md_number(out, kpis->message_bytes_per_event, MD_RATE_DECIMALS);
    rs__text_puts(out, ") |\n\n");
}

static void md_store_row(rs__text *out, const rs__report *report, uint32_t store) {
    const rs_store_kpis *kpis = &report->kpis.stores[store];
    char name[2 * RS_NAME_MAX];
    rs_scenario_store_name(report->scenario, store, name, sizeof name);
    uint32_t region = rs_scenario_store_region(report->scenario, store);
    rs__text_puts(out, "| ");
    rs__md_escaped(out, name);
    rs__text_puts(out, " | ");
    rs__md_escaped(out, region < report->scenario->region_count
                        ? report->scenario->regions[region].name : NULL);
    rs__text_printf(out, " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ", kpis->appends,
                    kpis->duplicates, kpis->final_events);
    md_number(out, md_quantile_ms(&kpis->replication_latency_us, 0.5), MD_MS_DECIMALS);
    rs__text_puts(out, " | ");
    md_number(out, md_quantile_ms(&kpis->replication_latency_us, 0.99), MD_MS_DECIMALS);
    const rs_metrics *metrics = report->metrics;
    if (metrics == NULL || store >= metrics->store_count) {
        rs__text_puts(out, " | n/a | n/a | n/a |\n");
        return;
    }
    const rs_store_metrics *reported = &metrics->stores[store];
    uint64_t failed = 0;
    for (int status = RS_OK + 1; status < RS_STATUS_COUNT; status++) {
        failed += reported->results[status];
    }
    rs__text_printf(out, " | %" PRIu64 " / %" PRIu64 " | ", reported->results[RS_OK], failed);
    md_number(out, md_quantile_ms(&reported->observed_latency_us, 0.5), MD_MS_DECIMALS);
    rs__text_puts(out, " | ");
    md_number(out, md_quantile_ms(&reported->observed_latency_us, 0.99), MD_MS_DECIMALS);
    rs__text_puts(out, " |\n");
}

static void md_stores(rs__text *out, const rs__report *report) {
    rs__text_puts(out, "## Stores\n\n"
                       "| store | region | appends | duplicates | final events | "
                       "replication p50 (ms) | replication p99 (ms) | "
                       "strategy ok / failed | strategy observed p50 (ms) | "
                       "strategy observed p99 (ms) |\n"
                       "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (uint32_t store = 0; store < report->kpis.store_count; store++) {
        md_store_row(out, report, store);
    }
    rs__text_puts(out, "\nStrategy columns are what the strategy reported about itself; every "
                       "other figure is computed from the recorded history.\n\n");
}

static void md_expectations(rs__text *out, const rs__report *report) {
    rs__text_puts(out, "## Expectations\n\n");
    bool any = false;
    for (int metric = 0; metric < RS_EXPECT_METRIC_COUNT; metric++) {
        const rs_expect_outcome *outcome = &report->outcomes[metric];
        if (!outcome->checked) {
            continue;
        }
        if (!any) {
            rs__text_puts(out, "| | expectation | threshold | actual | margin |\n"
                               "| --- | --- | ---: | ---: | ---: |\n");
            any = true;
        }
        rs__text_printf(out, "| %s | %s | ", outcome->pass ? MD_CHECK : MD_CROSS,
                        rs_expect_metric_name((rs_expect_metric)metric));
        md_number(out, outcome->threshold, MD_RATE_DECIMALS);
        rs__text_puts(out, " | ");
        md_number(out, outcome->actual, MD_RATE_DECIMALS);
        rs__text_puts(out, " | ");
        md_number(out, outcome->margin, MD_RATE_DECIMALS);
        rs__text_puts(out, " |\n");
    }
    rs__text_puts(out, any ? "\n" : "The scenario sets no expectation.\n\n");
}

void rs__summary_md(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    assert(report->scenario != NULL && report->facts != NULL);
    md_scenario(out, report);
    md_figures(out, &report->kpis, rs_scenario_per_event_targets(report->scenario));
    md_stores(out, report);
    md_strategy_metrics(out, report->metrics);
    rs__faults_md(report, out);
    rs__health_md(report, out);
    rs__reads_md(report, out);
    rs__conflicts_md(report, out);
    rs__invariants_md(report, out);
    md_expectations(out, report);
    bool pass = report->expectation_failures == 0 && report->invariant_failures == 0;
    rs__text_printf(out, "**Verdict: %s**", pass ? "pass" : "fail");
    if (report->expectation_failures > 0) {
        rs__text_printf(out, " (%d expectation%s not met)", report->expectation_failures,
                        report->expectation_failures == 1 ? "" : "s");
    }
    if (report->invariant_failures > 0) {
        rs__text_printf(out, " (%d invariant%s violated)", report->invariant_failures,
                        report->invariant_failures == 1 ? "" : "s");
    }
    rs__text_printf(out, "; %" PRIu64 " simulated events.\n", report->facts->simulated_events);
}
