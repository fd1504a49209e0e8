/* test_geographic.c — pins the geographic strategy by driving it through the fake runtime (no
 * SimGrid) over three regions: each test fixes the reply times (so the round-trip times the
 * optimizer measures) and asserts the exact store_append calls each append leads to, the ack
 * time and status, and the counters: the deterministic order before any measurement, the k
 * nearest by measured RTT (a region whose replies turn slow drops out), exploration probes that
 * never count for the ack, residency never violated even when the allowed region is the
 * farthest (refusals counted), unroutable events rejected, and mixed appends split. Then the
 * bundled scenario's residency rules load as masks, and a simulated run under a partition
 * (its trace) never writes an EU-resident event outside the EU regions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/scenario.h"
#include "strategies/geographic.h"
#include "tests/support/fake_runtime.h"
#include "tests/support/test_util.h"

#define MS 1000

enum { PLAIN, RESIDENT, AMOUNT, TYPE_COUNT };
enum { EU_WEST, US_EAST, EU_CENTRAL, REGION_COUNT };

/* Stores: eu-west 0..1, us-east 2..3, eu-central 4. */
static const uint32_t store_region[5] = {EU_WEST, EU_WEST, US_EAST, US_EAST, EU_CENTRAL};
static const uint32_t all_targets[5] = {0, 1, 2, 3, 4};
static const char region_names[REGION_COUNT][RS_NAME_MAX] = {"eu-west", "us-east",
                                                             "eu-central"};
static const rs_event_type types[TYPE_COUNT] = {
    [PLAIN] = {"Plain", 0.4, 0, {{.key = ""}}},
    [RESIDENT] = {"OrderPlaced", 0.3, 1, {{.key = "residency", .text = "eu"}}},
    [AMOUNT] = {"Payment", 0.3, 1, {{.key = "residency", .is_number = true, .number = 1}}},
};

static rs_fake_runtime *fake;
static const rs_strategy_ops *ops;
static double params[RS_GEOGRAPHIC_PARAM_COUNT];
static rs_strategy_config config;
static rs_residency_rules residency;
static uint32_t stores_per_region;    /* for the next start(); 0 = every store */

/* A residency rule: events whose residency is "eu" go only to the regions in `mask`. */
static const rs_residency_rules *eu_rule(uint64_t mask) {
    memset(&residency, 0, sizeof residency);
    residency.rule_count = 1;
    strcpy(residency.rules[0].attribute, "residency");
    strcpy(residency.rules[0].equals, "eu");
    residency.rules[0].regions = mask;
    return &residency;
}

static void *start(uint32_t k, bool include_origin, uint32_t explore_every,
                   uint32_t target_count, uint32_t write_quorum,
                   const rs_residency_rules *rules) {
    fake = calloc(1, sizeof *fake);
    CU_ASSERT_FATAL(fake != NULL);
    rs_runtime runtime = rs_fake_runtime_init(fake);
    ops = rs_geographic_component.ops;
    for (size_t i = 0; i < RS_GEOGRAPHIC_PARAM_COUNT; i++) {
        params[i] = rs_geographic_component.params[i].default_value;
    }
    params[RS_GEOGRAPHIC_PARAM_REGIONS_K] = k;
    params[RS_GEOGRAPHIC_PARAM_INCLUDE_ORIGIN] = include_origin;
    params[RS_GEOGRAPHIC_PARAM_EXPLORE_EVERY_APPENDS] = explore_every;
    params[RS_GEOGRAPHIC_PARAM_TIMEOUT_MS] = 300;
    params[RS_GEOGRAPHIC_PARAM_STORES_PER_REGION] = stores_per_region;
    stores_per_region = 0;
    config = (rs_strategy_config){.params = params, .targets = all_targets,
                                  .target_count = target_count, .write_quorum = write_quorum,
                                  .manager_region = EU_WEST, .store_count = 5,
                                  .store_region = store_region, .types = types,
                                  .type_count = TYPE_COUNT, .region_names = region_names,
                                  .region_count = REGION_COUNT, .rules = NULL,
                                  .residency = rules};
    void *state = ops->create(&config, runtime);
    CU_ASSERT_FATAL(state != NULL);
    return state;
}

static void stop(void *state) {
    ops->destroy(state);
    free(fake);
}

static void append(void *state, uint64_t request, uint16_t type, uint16_t origin) {
    rs_event event = {.id = request, .stream = 1, .version = 1, .type_index = type,
                      .origin_region = origin, .size_bytes = 100};
    rs_event_stream stream = {1, &event};
    ops->on_client_append(state, request, &stream);
}

/* Appends [first, first + count) went to exactly `stores`, in order. */
static void expect_stores(uint32_t first, uint32_t count, const uint32_t *stores) {
    CU_ASSERT_EQUAL_FATAL(fake->append_count, first + count);
    for (uint32_t i = 0; i < count; i++) {
        CU_ASSERT_EQUAL(fake->appends[first + i].store, stores[i]);
    }
}

static int64_t counter(const char *name) { return rs_fake_metric_get(fake, name).counter; }

static void test_residency_allowed_intersects_matching_rules(void) {
    rs_residency_rules rules;
    memset(&rules, 0, sizeof rules);
    rules.rule_count = 2;
    rules.rules[0] = (rs_residency_rule){"residency", "eu", 0x5};
    rules.rules[1] = (rs_residency_rule){"origin_region", "eu-central", 0x6};
    CU_ASSERT_EQUAL(rs_residency_allowed(&rules, &types[RESIDENT], "eu-west"), 0x5);
    CU_ASSERT_EQUAL(rs_residency_allowed(&rules, &types[RESIDENT], "eu-central"), 0x4);
    CU_ASSERT_EQUAL(rs_residency_allowed(&rules, &types[PLAIN], "eu-central"), 0x6);
    CU_ASSERT_EQUAL(rs_residency_allowed(&rules, &types[PLAIN], "us-east"), UINT64_MAX);
    CU_ASSERT_EQUAL(rs_residency_allowed(&rules, &types[AMOUNT], "us-east"), UINT64_MAX);
    CU_ASSERT_EQUAL(rs_residency_allowed(NULL, &types[RESIDENT], "eu-west"), UINT64_MAX);
    CU_ASSERT_STRING_EQUAL(rs_geographic_region_counter(2), "geo_region_2_events");
    CU_ASSERT_STRING_EQUAL(rs_geographic_region_counter(31), "geo_region_31_events");
    CU_ASSERT_STRING_EQUAL(rs_geographic_region_counter(32), "geo_region_other_events");
}

/* Before any reply: the origin region first, then region index. */
static void test_fallback_order_before_measurement(void) {
    void *state = start(2, true, 0, 5, 5, NULL);
    fake->now_us = 1 * MS;
    append(state, 1, PLAIN, US_EAST);                      /* us-east (origin), eu-west */
    expect_stores(0, 4, (uint32_t[]){0, 1, 2, 3});
    CU_ASSERT_EQUAL(fake->appends[0].timeout_us, 300 * MS);
    CU_ASSERT_EQUAL(fake->appends[3].at_us, 1 * MS);
    append(state, 2, PLAIN, EU_CENTRAL);                   /* eu-central (origin), eu-west */
    expect_stores(4, 3, (uint32_t[]){0, 1, 4});
    CU_ASSERT_EQUAL(counter("geo_region_0_events"), 2);
    CU_ASSERT_EQUAL(counter("geo_region_1_events"), 1);
    CU_ASSERT_EQUAL(counter("geo_region_2_events"), 1);
    CU_ASSERT_EQUAL(counter("geo_explorations"), 0);
    stop(state);
    state = start(1, false, 0, 5, 5, NULL);
    append(state, 3, PLAIN, US_EAST);                      /* k = 1: the origin, unmeasured */
    expect_stores(0, 2, (uint32_t[]){2, 3});
    stop(state);
}

/* k = 2 without the origin pin, every append probing the third region: us-east answers in
 * 20 ms at first, then in 300 ms; the moving average (weight 200 per mille, one sample per
 * store) moves it from 20 ms to 76 then 120.8 ms, behind eu-central's 50 ms, so it drops out
 * and becomes the probe. */
static void test_k_nearest_by_measured_rtt_slow_region_drops_out(void) {
    void *state = start(2, false, 1, 5, 5, NULL);
    append(state, 1, PLAIN, EU_WEST);             /* fallback: eu-west, us-east; probe 4 */
    expect_stores(0, 5, (uint32_t[]){0, 1, 2, 3, 4});
    rs_fake_reply(fake, ops, state, 0, 2 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 2 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 2, 20 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 3, 20 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);             /* the probe does not count */
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 20 * MS);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_OK);
    rs_fake_reply(fake, ops, state, 4, 50 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->results[4][RS_OK], 1);
    rs_fake_advance(fake, ops, state, 100 * MS);
    append(state, 2, PLAIN, EU_WEST);             /* eu-west 2, us-east 20, eu-central 50 */
    expect_stores(5, 5, (uint32_t[]){0, 1, 2, 3, 4});
    rs_fake_reply(fake, ops, state, 5, 102 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 6, 102 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 9, 150 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 7, 400 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    rs_fake_reply(fake, ops, state, 8, 400 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].at_us, 400 * MS);
    rs_fake_advance(fake, ops, state, 500 * MS);
    append(state, 3, PLAIN, EU_WEST);             /* eu-west 2, eu-central 50, us-east 120.8 */
    expect_stores(10, 5, (uint32_t[]){0, 1, 4, 2, 3});
    CU_ASSERT_EQUAL(counter("geo_region_1_events"), 2);
    CU_ASSERT_EQUAL(counter("geo_region_2_events"), 1);
    CU_ASSERT_EQUAL(counter("geo_region_0_events"), 3);
    CU_ASSERT_EQUAL(counter("geo_explorations"), 3);
    CU_ASSERT_EQUAL(counter("geo_residency_refusals"), 0);
    stop(state);
}

/* One store per region, k = 1, a probe every second append. A timeout counts as a round
 * trip of timeout_ms (300 ms), so eu-west ranks behind the region the probe measures at 5 ms
 * (which one the seeded draw picks does not matter: both were unmeasured). */
static void test_exploration_every_n_and_timeouts_penalise(void) {
    stores_per_region = 1;
    void *state = start(1, false, 2, 5, 5, NULL);
    append(state, 1, PLAIN, EU_WEST);                     /* eu-west only, no probe */
    expect_stores(0, 1, (uint32_t[]){0});
    rs_fake_reply(fake, ops, state, 0, 30 * MS, RS_ERR_TIMEOUT);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_QUORUM);
    append(state, 2, PLAIN, EU_WEST);                     /* eu-west (300 ms); probe one more */
    CU_ASSERT_EQUAL(counter("geo_explorations"), 1);
    CU_ASSERT_EQUAL_FATAL(fake->append_count, 3);
    CU_ASSERT_EQUAL(fake->appends[1].store, 0);
    uint32_t probed = fake->appends[2].store;
    CU_ASSERT(probed == 2 || probed == 4);
    rs_fake_reply(fake, ops, state, 2, 35 * MS, RS_OK);   /* the probe: 5 ms round trip */
    CU_ASSERT_EQUAL(fake->ack_count, 1);                  /* ... not counted for the ack */
    rs_fake_reply(fake, ops, state, 1, 40 * MS, RS_OK);   /* eu-west: 300 -> 242 ms */
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 2);
    CU_ASSERT_EQUAL(fake->acks[1].status, RS_OK);
    CU_ASSERT_EQUAL(fake->acks[1].at_us, 40 * MS);
    append(state, 3, PLAIN, EU_WEST);                     /* the probed region is nearest */
    expect_stores(3, 1, (uint32_t[]){probed});
    CU_ASSERT_EQUAL(counter("geo_explorations"), 1);
    stop(state);
}

/* residency eu -> eu-central only, the farthest region: a resident event from us-east goes
 * there alone (fewer than k regions), and both nearer regions count as refusals. */
static void test_residency_never_violated_refusals_counted(void) {
    void *state = start(2, true, 1, 5, 5, eu_rule(UINT64_C(1) << EU_CENTRAL));
    append(state, 1, PLAIN, US_EAST);             /* us-east + eu-west; probe eu-central */
    expect_stores(0, 5, (uint32_t[]){0, 1, 2, 3, 4});
    rs_fake_reply(fake, ops, state, 2, 2 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 3, 2 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 0, 40 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 1, 40 * MS, RS_OK);
    rs_fake_reply(fake, ops, state, 4, 90 * MS, RS_OK);
    for (uint64_t request = 2; request <= 4; request++) {
        uint32_t before = fake->append_count;
        append(state, request, RESIDENT, US_EAST);
        expect_stores(before, 1, (uint32_t[]){4});        /* no probe: nothing else allowed */
        rs_fake_reply(fake, ops, state, before, fake->now_us + 90 * MS, RS_OK);
    }
    CU_ASSERT_EQUAL(fake->ack_count, 4);
    CU_ASSERT_EQUAL(fake->acks[3].status, RS_OK);
    CU_ASSERT_EQUAL(counter("geo_residency_refusals"), 6);
    CU_ASSERT_EQUAL(counter("geo_region_2_events"), 3);
    CU_ASSERT_EQUAL(counter("geo_region_1_events"), 1);
    CU_ASSERT_EQUAL(counter("geo_explorations"), 1);
    append(state, 5, AMOUNT, US_EAST);            /* a number never equals "eu": free; */
    expect_stores(8, 5, (uint32_t[]){0, 1, 2, 3, 4}); /* and the probe may go to eu-central */
    stop(state);
}

/* Residency naming a region without target stores leaves the event nowhere to go. */
static void test_unroutable_event_rejected(void) {
    void *state = start(2, true, 0, 4, 4, eu_rule(UINT64_C(1) << EU_CENTRAL));
    fake->now_us = 7 * MS;
    append(state, 9, RESIDENT, EU_WEST);
    CU_ASSERT_EQUAL(fake->append_count, 0);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].status, RS_ERR_REJECTED);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 7 * MS);
    CU_ASSERT_EQUAL(counter("geo_unroutable"), 1);
    CU_ASSERT_EQUAL(counter("geo_region_0_events"), 0);
    append(state, 10, PLAIN, EU_WEST);                    /* eu-west + us-east */
    expect_stores(0, 4, (uint32_t[]){0, 1, 2, 3});
    stop(state);
}

/* Quorum 2 over the chosen stores; a mixed append is split by chosen regions. */
static void test_quorum_and_mixed_append(void) {
    void *state = start(1, true, 0, 5, 2, NULL);
    rs_event events[2] = {
        {.id = 1, .stream = 1, .version = 1, .type_index = PLAIN, .origin_region = US_EAST},
        {.id = 2, .stream = 2, .version = 1, .type_index = PLAIN, .origin_region = EU_CENTRAL},
    };
    rs_event_stream stream = {2, events};
    ops->on_client_append(state, 77, &stream);
    expect_stores(0, 3, (uint32_t[]){2, 3, 4});
    CU_ASSERT_EQUAL(fake->appends[0].first_event, 1);
    CU_ASSERT_EQUAL(fake->appends[0].event_count, 1);
    CU_ASSERT_EQUAL(fake->appends[2].first_event, 2);
    rs_fake_reply(fake, ops, state, 2, 5 * MS, RS_OK);
    CU_ASSERT_EQUAL(fake->ack_count, 0);
    rs_fake_reply(fake, ops, state, 0, 8 * MS, RS_OK);
    CU_ASSERT_EQUAL_FATAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->acks[0].at_us, 8 * MS);
    CU_ASSERT_EQUAL(fake->acks[0].client_request, 77);
    rs_fake_reply(fake, ops, state, 1, 9 * MS, RS_ERR_STORE);
    CU_ASSERT_EQUAL(fake->ack_count, 1);
    CU_ASSERT_EQUAL(fake->results[3][RS_ERR_STORE], 1);
    CU_ASSERT_EQUAL(fake->last_latency_us[2], 8 * MS);
    CU_ASSERT_EQUAL(fake->last_latency_us[4], 5 * MS);
    stop(state);
}

/* scenarios/geographic.json: one rule, residency eu -> eu-west (0), eu-central (1). */
static void test_bundled_scenario_loads_residency(void) {
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    CU_ASSERT_FATAL(scenario != NULL);
    char path[1024];
    char error[512];
    snprintf(path, sizeof path, "%s/scenarios/geographic.json", rs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(rs_scenario_load(path, scenario, error, sizeof error), 0);
    CU_ASSERT(scenario->strategy == &rs_geographic_component);
    CU_ASSERT_EQUAL(scenario->residency.rule_count, 1);
    CU_ASSERT_STRING_EQUAL(scenario->residency.rules[0].attribute, "residency");
    CU_ASSERT_STRING_EQUAL(scenario->residency.rules[0].equals, "eu");
    CU_ASSERT_EQUAL(scenario->residency.rules[0].regions, 0x3);
    CU_ASSERT_EQUAL(scenario->strategy_params[RS_GEOGRAPHIC_PARAM_REGIONS_K], 2);
    CU_ASSERT(rs_scenario_per_event_targets(scenario));
    free(scenario);
}

/* Counts the store appends of "OrderPlaced" events (residency eu) in a trace, and those on a
 * store outside eu-west and eu-central. Events are numbered from 1, invoked before sent. */
static void count_resident_appends(const char *trace, uint32_t *inside, uint32_t *outside) {
    enum { EVENTS_MAX = 1 << 16 };
    static bool resident[EVENTS_MAX];
    memset(resident, 0, sizeof resident);
    *inside = 0;
    *outside = 0;
    for (const char *line = trace; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        cJSON *record = cJSON_ParseWithLength(line, end != NULL ? (size_t)(end - line)
                                                                : strlen(line));
        CU_ASSERT_FATAL(record != NULL);
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(record, "kind"));
        const char *msg_kind = cJSON_GetStringValue(cJSON_GetObjectItem(record, "msg_kind"));
        if (strcmp(kind, "invoke") == 0) {
            int event = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(record, "event"));
            const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(record, "type"));
            CU_ASSERT_FATAL(event >= 1 && event < EVENTS_MAX);
            resident[event] = strcmp(type, "OrderPlaced") == 0;
        } else if (strcmp(kind, "send") == 0 && strcmp(msg_kind, "store_append") == 0) {
            int first = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(record, "first_event"));
            int count = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(record, "events"));
            const char *to = cJSON_GetStringValue(cJSON_GetObjectItem(record, "to"));
            bool eu = strncmp(to, "eu-west/", 8) == 0 || strncmp(to, "eu-central/", 11) == 0;
            for (int e = first; e < first + count && e < EVENTS_MAX; e++) {
                *inside += resident[e] && eu;
                *outside += resident[e] && !eu;
            }
        }
        cJSON_Delete(record);
        line = end != NULL ? end + 1 : NULL;
    }
}

static void test_simulated_run_keeps_residency_under_partition(void) {
    const char *dir = rs_test_make_temp_dir();
    char scenario[1024];
    snprintf(scenario, sizeof scenario, "%s/scenarios/ci/geographic-partition.json",
             rs_test_source_dir());
    const char *out = rs_test_path(dir, "run");
    const char *argv[] = {rs_test_replsim(), "run", scenario, "--trace", "--out", out, NULL};
    CU_ASSERT_EQUAL_FATAL(rs_test_exec(argv, rs_test_path(dir, "run.out"),
                                       rs_test_path(dir, "run.err")), 0);
    char *trace = rs_test_slurp(rs_test_path(out, "trace.jsonl"), NULL);
    CU_ASSERT_FATAL(trace != NULL);
    uint32_t inside = 0;
    uint32_t outside = 0;
    count_resident_appends(trace, &inside, &outside);
    CU_ASSERT(inside > 1000);
    CU_ASSERT_EQUAL(outside, 0);
    free(trace);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"residency: intersection of matching rules",
         test_residency_allowed_intersects_matching_rules},
        {"fallback order before measurement", test_fallback_order_before_measurement},
        {"k nearest by measured RTT, slow region drops out",
         test_k_nearest_by_measured_rtt_slow_region_drops_out},
        {"exploration every N, timeouts penalise", test_exploration_every_n_and_timeouts_penalise},
        {"residency never violated, refusals counted",
         test_residency_never_violated_refusals_counted},
        {"unroutable event rejected", test_unroutable_event_rejected},
        {"quorum and mixed append", test_quorum_and_mixed_append},
        {"bundled scenario loads residency", test_bundled_scenario_loads_residency},
        {"simulated run keeps residency under partition",
         test_simulated_run_keeps_residency_under_partition},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("geographic", tests);
    return rs_test_run_all();
}
