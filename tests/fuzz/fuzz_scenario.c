/* fuzz_scenario.c — libFuzzer target for the scenario loader: every input is handed to
 * rs_scenario_load_buffer, which must either accept it (then the loaded scenario must hold its
 * documented invariants, which this target walks) or reject it with status 2 and exactly one
 * line "fuzz.json:LINE:COL: path: ...". Anything else — another status, a message of several
 * lines, an assertion, a sanitizer report, a hang — is a finding. Built only with
 * -DREPLSIM_FUZZ=ON by scripts/fuzz.sh (clang, libFuzzer, ASan + UBSan); never part of CI. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/scenario.h"

#define FUZZ_FILE_NAME "fuzz.json"  /* the path the loader puts in its messages */
#define FUZZ_ERROR_BYTES 1024       /* as `replsim validate` (cli/run.c) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Dies loudly (libFuzzer records the input) when `ok` is false. */
static void fuzz_require(int ok, const char *what, const char *detail) {
    if (!ok) {
        fprintf(stderr, "fuzz_scenario: %s: %s\n", what, detail);
        abort();
    }
}

/* A rejection: one non-empty line that starts with the file name and a position. */
static void fuzz_check_error(const char *error) {
    size_t length = strlen(error);
    fuzz_require(length > 0, "empty error message", "(none)");
    fuzz_require(strchr(error, '\n') == NULL, "multi-line error message", error);
    fuzz_require(strncmp(error, FUZZ_FILE_NAME ":", strlen(FUZZ_FILE_NAME) + 1) == 0,
                 "message does not start with FILE:", error);
    unsigned line = 0;
    unsigned col = 0;
    fuzz_require(sscanf(error + strlen(FUZZ_FILE_NAME), ":%u:%u: ", &line, &col) == 2,
                 "message has no LINE:COL", error);
    fuzz_require(line >= 1 && col >= 1, "LINE or COL below 1", error);
}

/* An accepted scenario: the counts within their limits, targets and quorum consistent, and
 * every node and store nameable (these accessors assert their own preconditions). */
static void fuzz_check_scenario(const rs_scenario *scenario) {
    char name[2 * RS_NAME_MAX + 16];
    fuzz_require(scenario->region_count >= 1 && scenario->region_count <= RS_REGIONS_MAX,
                 "region count", scenario->name);
    fuzz_require(scenario->store_count >= 1 && scenario->store_count <= RS_STORES_MAX,
                 "store count", scenario->name);
    fuzz_require(scenario->target_count >= 1 && scenario->target_count <= scenario->store_count,
                 "target count", scenario->name);
    fuzz_require(scenario->write_quorum >= 1 &&
                 scenario->write_quorum <= scenario->target_count, "write quorum",
                 scenario->name);
    fuzz_require(scenario->strategy != NULL && scenario->policy != NULL, "component",
                 scenario->name);
    fuzz_require(scenario->fault_count <= RS_FAULTS_MAX, "fault count", scenario->name);
    for (uint32_t i = 0; i < scenario->target_count; i++) {
        fuzz_require(scenario->targets[i] < scenario->store_count, "target index", scenario->name);
        rs_scenario_store_name(scenario, scenario->targets[i], name, sizeof name);
    }
    uint32_t nodes = rs_scenario_node_count(scenario);
    fuzz_require(nodes <= RS_NODES_MAX, "node count", scenario->name);
    for (uint32_t node = 0; node < nodes; node++) {
        uint32_t region = 0;
        rs_scenario_node_role(scenario, node, &region);
        rs_scenario_node_name(scenario, node, name, sizeof name);
        fuzz_require(rs_scenario_node_parse(scenario, name) == (int64_t)node,
                     "node name does not parse back", name);
    }
    for (uint32_t a = 0; a < scenario->region_count; a++) {
        for (uint32_t b = a + 1; b < scenario->region_count; b++) {
            fuzz_require(rs_scenario_link(scenario, a, b) != NULL, "missing link",
                         scenario->regions[a].name);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static rs_scenario *scenario; /* ~1 MB: allocated once, reused by every input */
    if (scenario == NULL) {
        scenario = calloc(1, sizeof *scenario);
        fuzz_require(scenario != NULL, "out of memory", "rs_scenario");
    }
    char error[FUZZ_ERROR_BYTES];
    int status = rs_scenario_load_buffer(FUZZ_FILE_NAME, (const char *)data, size, scenario,
                                         error, sizeof error);
    fuzz_require(status == 0 || status == 2, "status neither 0 nor 2", "rs_scenario_load_buffer");
    if (status == 2) {
        fuzz_check_error(error);
    } else {
        fuzz_check_scenario(scenario);
    }
    return 0;
}
