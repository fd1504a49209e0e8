/* scenario_loader.h — what the loader's files share, private to them (the rs__ prefix marks
 * it internal): the loader's state, the ranges and bounds several sections check, and the
 * small steps every section uses. scenario_load.c reads the file section by section;
 * scenario_topology.c is its topology section (regions, links, latency distributions),
 * scenario_strategy.c its strategy and consistency sections, scenario_workload.c its workload. */
#ifndef RS_SCENARIO_LOADER_H
#define RS_SCENARIO_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/json_pos.h"
#include "model/scenario.h"

#define LOAD_COMPONENTS_MAX 64        /* registry entries listed in one message */
#define LOAD_WEIGHT_MAX 1000000.0     /* event type and mixture weights: relative, bounded */
#define LOAD_SEED_MAX 9007199254740992.0 /* 2^53: every integer up to here is exact in JSON */
#define LOAD_THRESHOLD_MS_MAX (RS_DURATION_S_MAX * 1000.0) /* expectations in ms: one day */

typedef struct loader {
    const rs_json_doc *doc;   /* the parsed file */
    rs_scenario *out;         /* being filled */
} loader;

static const rs_json_range range_latency_ms = {0, false, RS_LATENCY_MS_MAX, false};
static const rs_json_range range_bandwidth_mbps = {RS_BANDWIDTH_MBPS_MIN, false,
                                                   RS_BANDWIDTH_MBPS_MAX, false};
static const rs_json_range range_weight = {0, true, LOAD_WEIGHT_MAX, false};

/* The member `name` of `parent` as an object: *out = NULL when absent and optional. */
int rs__load_section(const loader *ld, const cJSON *parent, const char *parent_path,
                     const char *name, bool required, const cJSON **out);
/* A name: 1..RS_NAME_MAX-1 bytes of [A-Za-z0-9_.-], copied into out. `node` is the value
 * (for "got"), or NULL when checking an object key `text`. */
int rs__load_identifier(const loader *ld, const cJSON *node, const char *text, size_t offset,
                        const char *path, char out[RS_NAME_MAX]);
/* The element count of `array` (at `path`) must be within [minimum, maximum]. */
int rs__load_count(const loader *ld, const cJSON *array, const char *path, size_t minimum,
                   size_t maximum, const char *what, size_t *count);
/* Index of the region called `name`, or -1. */
int rs__find_region(const rs_scenario *scenario, const char *name);
/* "unknown region "x" (did you mean "eu"?); allowed: eu, us, ap" at `node`. */
int rs__fail_unknown_region(const loader *ld, const cJSON *node, const char *path);

/* The "topology" section (scenario_topology.c): regions, then links. */
int rs__load_topology(const loader *ld, const cJSON *root);

/* The "strategy" section (scenario_strategy.c): the registry's strategy with its parameters,
 * rules, residency and targets (absent targets -> every store). Needs the topology loaded. */
int rs__load_strategy(const loader *ld, const cJSON *root);
/* The optional "consistency" section (scenario_strategy.c): the policy (default "all") with
 * its parameters, and the write quorum it asks of the targets. Needs the strategy loaded. */
int rs__load_consistency(const loader *ld, const cJSON *root);

/* The "workload" section (scenario_workload.c): rate against the budgets, arrival, streams,
 * event size, event types, then its "reads". Needs the header, strategy and policy loaded. */
int rs__load_workload(const loader *ld, const cJSON *root);

/* The optional "reads" member of the workload (scenario_reads.c): random reads and
 * read-after-write probes; resolves the read quorum from the policy. Needs the targets and the
 * policy loaded. */
int rs__load_reads(const loader *ld, const cJSON *workload);

/* The optional "nemesis" section (scenario_nemesis.c). Needs the topology and the run's
 * length loaded. */
int rs__load_nemesis(const loader *ld, const cJSON *root);

/* The optional "health_check" section (scenario_health.c): probes managers send to their
 * target stores. Absent: disabled. */
int rs__load_health(const loader *ld, const cJSON *root);

#endif
