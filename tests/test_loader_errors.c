/* test_loader_errors.c — pins how the scenario loader rejects bad input: each of many bad
 * files returns 2 with its exact "file:line:col: path: message" fragment on one line; limits
 * over whole files (total stores, rule count and condition nodes) name the element that
 * crosses them; an oversized buffer and a tiny error buffer are handled; every prefix and
 * single-byte corruption of a valid file is rejected cleanly or loads, never crashes. */
#include "model/scenario.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/loader_util.h"
#include "tests/support/test_util.h"

#define ERROR_SIZE 1024

static char error[ERROR_SIZE];

/* --- files ---------------------------------------------------------------------------------- */

static void test_oversized_buffer(void) {
    size_t length = RS_SCENARIO_BYTES_MAX + 1;
    char *text = malloc(length);
    CU_ASSERT_FATAL(text != NULL);
    memset(text, ' ', length);
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("big.json", text, length, s, error, sizeof error), 2);
    CU_ASSERT_STRING_EQUAL(error, "big.json:1:1: (file): file has more than 4194304 bytes; "
                                  "allowed: at most 4194304 bytes");
    free(text);
    free(s);
}

/* A tiny buffer gets a truncated, terminated message and the same status. */
static void test_small_error_buffer(void) {
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    char tiny[12];
    memset(tiny, 'z', sizeof tiny);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", "[", 1, s, tiny, sizeof tiny), 2);
    CU_ASSERT_STRING_EQUAL(tiny, "x.json:1:2:");
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", "[", 1, s, NULL, 0), 2);
    free(s);
}

/* --- bad inputs ----------------------------------------------------------------------------- */

/* A valid four-line scenario; bad cases replace one line. */
#define L1 "{\"name\":\"t\",\"duration_s\":10,\n"
#define L2 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1}]},\n"
#define L3 "\"strategy\":{\"type\":\"star\"},\n"
#define L4 "\"workload\":{\"rate_per_s\":10}}"
#define TWO_REGIONS "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1}," \
                    "{\"name\":\"us\"}],\n"
#define LINK_HEAD "\"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1,\n"

#define RULE_HEAD "\"strategy\":{\"type\":\"conditional\",\"rules\":[\n"
#define RULE_OK "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[\"eu\"]}"

typedef struct bad_case {
    const char *label;        /* what is wrong */
    const char *text;         /* the file */
    size_t length;            /* 0: strlen(text) */
    const char *fragment;     /* must appear in the message */
    const char *fragment2;    /* and this too, when not NULL */
} bad_case;

static const bad_case bad_cases[] = {
    {"syntax: missing comma", L1 "\"seed\":1 \"settle_s\":2,\n" L2 L3 L4, 0,
     "x.json:2:10: (syntax): expected ',' or '}' after a member, found '\"'; allowed: JSON", NULL},
    {"syntax: trailing comma", L1 "\"topology\":{\"regions\":[{\"name\":\"eu\"},]}}", 0,
     "x.json:2:37: (syntax): trailing comma before ']'", NULL},
    {"syntax: unquoted key", "{name:\"t\"}", 0,
     "x.json:1:2: (syntax): expected a key in double quotes, found 'name'", NULL},
    {"syntax: unterminated string", "{\n  \"name\": \"t", 0,
     "x.json:2:11: (syntax): unterminated string", NULL},
    {"syntax: empty file", "", 0, "x.json:1:1: (syntax): expected a value, found end of input",
     NULL},
    {"unknown field with suggestion", L1 L2 L3 "\"workload\":{\"rate_per_s\":10,\"stream\":5}}", 0,
     "x.json:4:29: workload.stream: unknown field (did you mean \"streams\"?); allowed: "
     "rate_per_s, arrival, streams, event_bytes, types", NULL},
    {"unknown field missing its unit", L1 L2 "\"strategy\":{\"type\":\"star\",\"timeout\":5},\n" L4,
     0, "x.json:3:27: strategy.timeout: unknown field (did you mean \"timeout_ms\"?)", NULL},
    {"duplicate key", L1 L2 "\"strategy\":{\"type\":\"star\",\"type\":\"star\"},\n" L4, 0,
     "x.json:3:27: strategy.type: duplicate key (first at 3:13); allowed: each key once", NULL},
    {"wrong type",
     L1 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":\"three\"}]},\n" L3 L4, 0,
     "x.json:2:46: topology.regions[0].stores: must be an integer, got \"three\"; allowed: "
     "integer 0..256", NULL},
    {"out of range", L1 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":300}]},\n" L3 L4, 0,
     "x.json:2:46: topology.regions[0].stores: must be <= 256, got 300; allowed: integer 0..256",
     NULL},
    {"limit exceeded",
     L1 "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":65}]},\n" L3 L4, 0,
     "x.json:2:60: topology.regions[0].clients: must be <= 64, got 65; allowed: integer 0..64",
     NULL},
    {"budget: rate x duration", "{\"name\":\"t\",\"duration_s\":86400,\n" L2 L3
     "\"workload\":{\"rate_per_s\":1000}}", 0,
     "x.json:4:26: workload.rate_per_s: rate_per_s x duration_s = 86400000 events, over the "
     "budget; allowed: at most 20000000 events per run", NULL},
    {"budget: replicas", "{\"name\":\"t\",\"duration_s\":20,\n"
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":11,\"managers\":1,\"clients\":1}]},\n"
     L3 "\"workload\":{\"rate_per_s\":1000000}}", 0,
     "x.json:4:26: workload.rate_per_s: 20000000 events x 11 target stores = 220000000 "
     "replicas, over the budget; allowed: at most 200000000 replicas per run", NULL},
    {"unknown strategy", L1 L2 "\"strategy\":{\"type\":\"stra\"},\n" L4, 0,
     "x.json:3:20: strategy.type: unknown strategy \"stra\" (did you mean \"star\"?); allowed: ",
     NULL},
    {"misspelt type", L1 L2 "\"strategy\":{\"tpye\":\"star\"},\n" L4, 0,
     "x.json:3:13: strategy.tpye: unknown field (did you mean \"type\"?)", NULL},
    {"control character in the name", "{\"name\":\"a\\u0007b\"}", 0,
     "x.json:1:9: name: contains control character 0x07; allowed: printable text", NULL},
    {"strategy without type", L1 L2 "\"strategy\":{\"timeout_ms\":5},\n" L4, 0,
     "x.json:3:12: strategy.type: missing required field", NULL},
    {"unknown policy", L1 L2 L3 "\"consistency\":{\"type\":\"quorom\"},\n" L4, 0,
     "x.json:4:23: consistency.type: unknown consistency policy \"quorom\" (did you mean "
     "\"quorum\"?)", NULL},
    {"policy parameter out of range", L1 L2 L3
     "\"consistency\":{\"type\":\"quorum\",\"write_quorum\":-1},\n" L4, 0,
     "x.json:4:47: consistency.write_quorum: must be >= 0, got -1", NULL},
    {"unknown target", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":2,\"managers\":1,\"clients\":1}]},\n"
     "\"strategy\":{\"type\":\"star\",\"targets\":[\"eu\",\"eu/store-3\"]},\n" L4, 0,
     "x.json:3:43: strategy.targets[1]: unknown target \"eu/store-3\"; allowed: a region (eu)",
     NULL},
    {"target named twice", L1 L2
     "\"strategy\":{\"type\":\"star\",\"targets\":[\"eu/store-1\",\"eu\"]},\n" L4, 0,
     "x.json:3:51: strategy.targets[1]: selects store eu/store-1 a second time", NULL},
    {"targets select nothing", L1 L2 "\"strategy\":{\"type\":\"star\",\"targets\":[]},\n" L4, 0,
     "x.json:3:37: strategy.targets: selects no store", NULL},
    {"quorum larger than targets", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"stores\":6,\"managers\":1,\"clients\":1}]},\n"
     L3 "\"consistency\":{\"type\":\"quorum\",\"write_quorum\":7},\n" L4, 0,
     "x.json:4:47: consistency.write_quorum: write_quorum 7 exceeds the 6 target stores; "
     "allowed: at most 6", NULL},
    {"missing link", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1},{\"name\":\"us\"},"
     "{\"name\":\"ap\"}],\n"
     "\"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1},\n"
     "{\"between\":[\"ap\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:3:9: topology.links: no link between \"eu\" and \"ap\"; allowed: exactly one link "
     "for each of the 3 region pairs", NULL},
    {"self link", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"us\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:3:21: topology.links[0].between: links region \"us\" to itself", NULL},
    {"second link for a pair", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"eu\",\"us\"],\"latency_ms\":1,\"bandwidth_mbps\":1},\n"
     "{\"between\":[\"us\",\"eu\"],\"latency_ms\":2,\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:4:12: topology.links[1].between: second link between \"eu\" and \"us\" (first is "
     "topology.links[0])", NULL},
    {"link to an unknown region", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"eu\",\"uss\"],\"latency_ms\":1,\"bandwidth_mbps\":1}]},\n" L3 L4,
     0, "x.json:3:27: topology.links[0].between[1]: unknown region \"uss\" (did you mean "
        "\"us\"?); allowed: eu, us", NULL},
    {"link without latency", L1 TWO_REGIONS
     "\"links\":[{\"between\":[\"eu\",\"us\"],\"bandwidth_mbps\":1}]},\n" L3 L4, 0,
     "x.json:3:10: topology.links[0].latency_ms: missing required field", NULL},
    {"clients without manager", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1},"
     "{\"name\":\"us\",\"clients\":2}]},\n" L3 L4, 0,
     "x.json:2:86: topology.regions[1].clients: region \"us\" has clients (2) but no manager",
     NULL},
    {"duplicate region names", L1
     "\"topology\":{\"regions\":[{\"name\":\"eu\",\"managers\":1,\"clients\":1},"
     "{\"name\":\"eu\"}]},\n" L3 L4, 0,
     "x.json:2:71: topology.regions[1].name: duplicate region name \"eu\" (also "
     "topology.regions[0]); allowed: unique names", NULL},
    {"region name not an identifier", L1 "\"topology\":{\"regions\":[{\"name\":\"e u\"}]}}", 0,
     "x.json:2:32: topology.regions[0].name: must be a name, got \"e u\"; allowed: 1..63 "
     "characters from A-Z a-z 0-9 _ . -", NULL},
    {"empty regions array", L1 "\"topology\":{\"regions\":[]}}", 0,
     "x.json:2:23: topology.regions: has only 0 regions; allowed: 1..64 regions", NULL},
    {"bad dist", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"exponetial\",\"mean_ms\":2}}]},\n" L3 L4, 0,
     "x.json:4:25: topology.links[0].extra_latency.dist: unknown distribution \"exponetial\" "
     "(did you mean \"exponential\"?); allowed: constant, uniform, normal, lognormal, "
     "exponential, pareto, mixture", NULL},
    {"dist parameter of another kind", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"exponential\",\"median_ms\":2}}]},\n" L3 L4, 0,
     "x.json:4:39: topology.links[0].extra_latency.median_ms: unknown field (did you mean "
     "\"mean_ms\"?); allowed: dist, mean_ms", NULL},
    {"uniform max below min", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"uniform\",\"min_ms\":5,\"max_ms\":2}}]},\n" L3 L4, 0,
     "x.json:4:55: topology.links[0].extra_latency.max_ms: must be >= min_ms (5), got 2", NULL},
    {"mixture nesting", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"mixture\",\"components\":[{\"weight\":1,"
     "\"dist\":\"mixture\"}]}}"
     "]},\n" L3 L4, 0,
     "x.json:4:68: topology.links[0].extra_latency.components[0].dist: a mixture component "
     "cannot itself be a mixture; allowed: constant, uniform, normal, lognormal, exponential, "
     "pareto", NULL},
    {"mixture without weight", L1 TWO_REGIONS LINK_HEAD
     "\"extra_latency\":{\"dist\":\"mixture\",\"components\":[{\"dist\":\"constant\","
     "\"value_ms\":1}"
     "]}}]},\n" L3 L4, 0,
     "x.json:4:49: topology.links[0].extra_latency.components[0].weight: missing required field",
     NULL},
    {"integer given as 1.5", L1 "\"seed\":1.5,\n" L2 L3 L4, 0,
     "x.json:2:8: seed: must be an integer, got 1.5; allowed: integer 0..9007199254740992", NULL},
    {"negative seed", L1 "\"seed\":-1,\n" L2 L3 L4, 0,
     "x.json:2:8: seed: must be >= 0, got -1", NULL},
    {"non-UTF-8 string", "{\"name\":\"caf\xc3\x28\"}", 0,
     "x.json:1:13: name: invalid UTF-8 byte 0xc3 in a string; allowed: UTF-8 text", NULL},
    {"raw newline in a string", "{\"name\":\"a\nb\"}", 0,
     "x.json:1:11: name: control character 0x0a in a string", NULL},
    {"NaN literal", L1 "\"settle_s\":NaN,\n" L2 L3 L4, 0,
     "x.json:2:12: settle_s: NaN and Infinity are not JSON numbers; allowed: finite numbers",
     NULL},
    {"number overflowing to infinity", L1 "\"settle_s\":1e999,\n" L2 L3 L4, 0,
     "x.json:2:12: settle_s: number 1e999 is out of range; allowed: finite numbers", NULL},
    {"leading zero", L1 "\"settle_s\":05,\n" L2 L3 L4, 0,
     "x.json:2:12: settle_s: number with a leading zero", NULL},
    {"NUL byte after the document", "{\"name\":\"t\"}\0x", 14,
     "x.json:1:13: (syntax): expected end of input after the top-level value, found byte 0x00",
     NULL},
    {"depth exceeded",
     "{\"name\":\"t\",\"seed\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]}", 0,
     "x.json:1:51: seed[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
     "[0][0][0][0][0][0][0]: nesting deeper than 32 levels",
     "; allowed: at most 32 nested objects and arrays"},
    {"not an object", "[1]", 0, "x.json:1:1: (document): must be an object, got an array", NULL},
    {"empty name", "{\"name\":\"\"}", 0,
     "x.json:1:9: name: empty string (0 bytes); allowed: a string of 1..199 bytes", NULL},
    {"missing workload", L1 L2 "\"strategy\":{\"type\":\"star\"}}", 0,
     "x.json:1:1: workload: missing required field", NULL},
    {"missing rate", L1 L2 L3 "\"workload\":{\"arrival\":\"poisson\"}}", 0,
     "x.json:4:12: workload.rate_per_s: missing required field", NULL},
    {"rate zero", L1 L2 L3 "\"workload\":{\"rate_per_s\":0}}", 0,
     "x.json:4:26: workload.rate_per_s: must be > 0, got 0; allowed: number > 0 and <= 1000000",
     NULL},
    {"durability typo", L1 "\"stores\":{\"durability\":\"fsnyc\"},\n" L2 L3 L4, 0,
     "x.json:2:24: stores.durability: unknown durability \"fsnyc\" (did you mean \"fsync\"?); "
     "allowed: fsync, periodic, volatile", NULL},
    {"unknown transport", L1 "\"network\":{\"transport\":\"fast\"},\n" L2 L3 L4, 0,
     "x.json:2:24: network.transport: unknown transport \"fast\"; allowed: flow, latency", NULL},
    {"event type weight zero", L1 L2 L3
     "\"workload\":{\"rate_per_s\":1,\"types\":[{\"name\":\"A\",\"weight\":0}]}}", 0,
     "x.json:4:58: workload.types[0].weight: must be > 0, got 0", NULL},
    {"duplicate event type", L1 L2 L3
     "\"workload\":{\"rate_per_s\":1,\"types\":[{\"name\":\"A\"},{\"name\":\"A\"}]}}", 0,
     "x.json:4:58: workload.types[1].name: duplicate event type name \"A\"", NULL},
    {"attribute of the wrong type", L1 L2 L3
     "\"workload\":{\"rate_per_s\":1,\"types\":[{\"name\":\"A\",\"attributes\":{\"vip\":true}}]}}",
     0, "x.json:4:69: workload.types[0].attributes.vip: must be a string or a number, got true",
     NULL},
    {"escaped newline in a key stays on one line", "{\"a\\nb\":1}", 0,
     "x.json:1:2: a?b: unknown field", NULL},
    /* conditional replication rules (model/scenario_rules.c) */
    {"rules: unknown operator", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eqq\":[\"a\",\"b\"]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:21: strategy.rules[0].when.eqq: unknown operator \"eqq\" (did you mean \"eq\"?); "
     "allowed: eq, ne, lt, le, gt, ge, in, prefix, and, or, not", NULL},
    {"rules: wrong arity", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",\"b\",\"c\"]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:26: strategy.rules[0].when.eq: must be [attribute, value], got 3 elements; "
     "allowed: a 2-element array", NULL},
    {"rules: not given an array", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"not\":[{\"eq\":[\"a\",1]}]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:27: strategy.rules[0].when.not: must be one condition object, got an array; "
     "allowed: {\"not\": {condition}}", NULL},
    {"rules: two operators in one object", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1],\"ne\":[\"a\",2]},\"targets\":[\"eu\"]}]},\n" L4,
     0, "x.json:4:34: strategy.rules[0].when.ne: a second operator in one condition (the first "
     "is \"eq\"); allowed: one operator per object, combined with and/or", NULL},
    {"rules: prefix of a number", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"prefix\":[\"a\",1]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:35: strategy.rules[0].when.prefix[1]: must be a string, got 1; allowed: a string "
     "of 1..63 bytes", NULL},
    {"rules: attribute not a name", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[5,\"b\"]},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:27: strategy.rules[0].when.eq[0]: must be an attribute name, got 5; allowed: "
     "type, origin_region or an event type's attribute", NULL},
    {"rules: unknown target store", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[\"eu\",\"eu/store-2\"]}]},\n" L4,
     0, "x.json:4:51: strategy.rules[0].targets[1]: unknown target \"eu/store-2\"; allowed: a "
     "region (eu) or one of its stores \"region/store-K\"", NULL},
    {"rules: unknown target region", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[\"us\"]}]},\n" L4, 0,
     "x.json:4:46: strategy.rules[0].targets[0]: unknown target \"us\"; allowed: a region (eu)",
     NULL},
    {"rules: a rule without targets", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"eq\":[\"a\",1]},\"targets\":[]}]},\n" L4, 0,
     "x.json:4:45: strategy.rules[0].targets: selects no store; allowed: at least one region "
     "(with stores) or store name", NULL},
    {"rules: duplicate rule names", L1 L2 RULE_HEAD RULE_OK ",\n" RULE_OK "]},\n" L4, 0,
     "x.json:5:9: strategy.rules[1].name: duplicate rule name \"r\" (also strategy.rules[0]); "
     "allowed: unique names", NULL},
    {"rules: nesting too deep", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":"
     "{\"not\":{\"eq\":[\"a\",1]}}}}}}}}},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:76: strategy.rules[0].when.not.not.not.not.not.not.not.not: conditions nested "
     "deeper than 8 levels; allowed: at most 8 nested conditions (and, or, not)", NULL},
    {"rules: missing for conditional", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"mode\":\"all_match\"},\n" L4, 0,
     "x.json:3:12: strategy.rules: missing required field; allowed: 1..60 rules for strategy "
     "\"conditional\"", NULL},
    {"rules: given for another strategy", L1 L2 "\"strategy\":{\"type\":\"star\",\"rules\":[]},\n"
     L4, 0, "x.json:3:27: strategy.rules: only for strategy \"conditional\"; allowed: rules and "
     "default_targets with \"type\": \"conditional\"", NULL},
    {"rules: default_targets for another strategy", L1 L2
     "\"strategy\":{\"type\":\"batch\",\"default_targets\":[\"eu\"]},\n" L4, 0,
     "x.json:3:28: strategy.default_targets: only for strategy \"conditional\"", NULL},
    {"rules: strategy.targets for conditional", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"targets\":[\"eu\"],\"rules\":[" RULE_OK "]},\n" L4,
     0, "x.json:3:34: strategy.targets: not used by strategy \"conditional\" (each rule has its "
     "own); allowed: rules[].targets and default_targets", NULL},
    {"rules: empty list", L1 L2 "\"strategy\":{\"type\":\"conditional\",\"rules\":[]},\n" L4, 0,
     "x.json:3:42: strategy.rules: has only 0 rules; allowed: 1..60 rules", NULL},
    {"rules: mode typo", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"mode\":\"first-match\",\"rules\":[" RULE_OK "]},\n"
     L4, 0, "x.json:3:41: strategy.mode: unknown mode \"first-match\" (did you mean "
     "\"first_match\"?); allowed: first_match, all_match", NULL},
    {"rules: unknown default target", L1 L2
     "\"strategy\":{\"type\":\"conditional\",\"rules\":[" RULE_OK "],\"default_targets\":[\"ap\"]},"
     "\n" L4, 0, "x.json:3:115: strategy.default_targets[0]: unknown target \"ap\"", NULL},
    {"rules: empty condition", L1 L2 RULE_HEAD
     "{\"name\":\"r\",\"when\":{},\"targets\":[\"eu\"]}]},\n" L4, 0,
     "x.json:4:20: strategy.rules[0].when: a condition needs one operator, got none", NULL},
};

static void test_bad_inputs(void) {
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    size_t count = sizeof bad_cases / sizeof bad_cases[0];
    CU_ASSERT(count >= 20);
    for (size_t i = 0; i < count; i++) {
        const bad_case *c = &bad_cases[i];
        size_t length = c->length != 0 ? c->length : strlen(c->text);
        int status = rs_scenario_load_buffer("x.json", c->text, length, s, error, sizeof error);
        bool ok = status == 2 && strstr(error, c->fragment) != NULL &&
                  (c->fragment2 == NULL || strstr(error, c->fragment2) != NULL) &&
                  strchr(error, '\n') == NULL;
        if (!ok) {
            printf("\n    %s: status %d\n      got:  %s\n      want: %s\n", c->label, status,
                   error, c->fragment);
        }
        CU_ASSERT(ok);
    }
    free(s);
}

/* More stores than RS_STORES_MAX over nine regions: the region that crosses it is named. */
static void test_total_stores_limit(void) {
    static char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "{\"name\":\"t\",\"duration_s\":10,"
                                   "\"topology\":{\"regions\":[\n");
    for (int r = 0; r < 9; r++) {
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"name\":\"r%d\",\"stores\":256,\"managers\":1,"
                                 "\"clients\":1}%s\n", r, r < 8 ? "," : "]}}");
    }
    int status = 0;
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    status = rs_scenario_load_buffer("x.json", text, used, s, error, sizeof error);
    CU_ASSERT_EQUAL(status, 2);
    CU_ASSERT_STRING_EQUAL(error, "x.json:10:1: topology.regions[8]: brings the stores to 2304; "
                                  "allowed: at most 2048 stores in all regions");
    free(s);
}

/* Generated rule sets over the limits: 61 rules, and 2 x 300 comparisons (512 nodes fit). */
static void test_rule_limits(void) {
    static char text[65536];
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    size_t used = (size_t)snprintf(text, sizeof text, L1 L2 RULE_HEAD);
    for (int r = 0; r <= RS_RULES_MAX; r++) {
        used += (size_t)snprintf(text + used, sizeof text - used, "{\"name\":\"r%d\",\"when\":"
                                 "{\"eq\":[\"a\",%d]},\"targets\":[\"eu\"]}%s\n", r, r,
                                 r < RS_RULES_MAX ? "," : "]},");
    }
    used += (size_t)snprintf(text + used, sizeof text - used, L4);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", text, used, s, error, sizeof error), 2);
    CU_ASSERT_STRING_EQUAL(error, "x.json:3:42: strategy.rules: has 61 rules; allowed: 1..60 "
                                  "rules");
    used = (size_t)snprintf(text, sizeof text, L1 L2 RULE_HEAD);
    for (int r = 0; r < 2; r++) {
        used += (size_t)snprintf(text + used, sizeof text - used, "{\"name\":\"r%d\",\"when\":"
                                 "{\"or\":[\n", r);
        for (int c = 0; c < 300; c++) {
            used += (size_t)snprintf(text + used, sizeof text - used, "{\"eq\":[\"a\",%d]}%s\n",
                                     c, c < 299 ? "," : "");
        }
        used += (size_t)snprintf(text + used, sizeof text - used, "]},\"targets\":[\"eu\"]}%s\n",
                                 r == 0 ? "," : "]},");
    }
    used += (size_t)snprintf(text + used, sizeof text - used, L4);
    CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", text, used, s, error, sizeof error), 2);
    /* rule 0 takes 301 nodes; rule 1's child 211 would be node 513: line 307 + 211, at its
     * operand's '[' (column 7) */
    CU_ASSERT_STRING_EQUAL(error, "x.json:518:7: strategy.rules[1].when.or[211].eq: too many "
                                  "conditions in the rules; allowed: at most 512 in all rules "
                                  "together");
    free(s);
}

/* Every proper prefix of a valid file, and every single-byte corruption of it, is rejected
 * cleanly or loads: never a crash (run under valgrind/ASan to see leaks and overreads). */
static void test_truncations_and_corruptions(void) {
    rs_scenario *s = malloc(sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    size_t length = strlen(rs__loader_full_text);
    for (size_t cut = 0; cut < length; cut++) {
        CU_ASSERT_EQUAL(rs_scenario_load_buffer("x.json", rs__loader_full_text, cut, s, error,
                                                sizeof error),
                        2);
    }
    char *copy = malloc(length);
    CU_ASSERT_FATAL(copy != NULL);
    static const char replacements[] = {'\0', '"', '{', ']', '9', 'x', '\xff'};
    size_t loaded = 0;
    for (size_t at = 0; at < length; at++) {
        for (size_t r = 0; r < sizeof replacements; r++) {
            memcpy(copy, rs__loader_full_text, length);
            copy[at] = replacements[r];
            int status = rs_scenario_load_buffer("x.json", copy, length, s, error, sizeof error);
            CU_ASSERT(status == 0 || status == 2);
            CU_ASSERT(status == 0 || strncmp(error, "x.json:", 7) == 0);
            loaded += status == 0;
        }
    }
    CU_ASSERT(loaded > 0); /* e.g. a digit changed to 9 still loads */
    free(copy);
    free(s);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"oversized buffer", test_oversized_buffer},
        {"small error buffer", test_small_error_buffer},
        {"bad inputs", test_bad_inputs},
        {"total stores limit", test_total_stores_limit},
        {"rule limits", test_rule_limits},
        {"truncations and corruptions", test_truncations_and_corruptions},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("loader errors", tests);
    return rs_test_run_all();
}
