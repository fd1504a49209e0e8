/* geographic.h — geographic replication (the chapter's GeographicReplicationStrategy with its
 * LatencyOptimizer): each event goes to the stores of the `regions_k` regions nearest by the
 * round-trip time the manager measures on its own appends, within what the scenario's
 * residency rules allow for the event. See geographic.c. The residency rules are pure data
 * over fixed arrays, so they sit inside the flat rs_scenario (loaded by
 * model/scenario_residency.c) and reach the strategy through rs_strategy_config.residency. */
#ifndef RS_GEOGRAPHIC_H
#define RS_GEOGRAPHIC_H

#include <stdint.h>

#include "strategies/strategy.h"

/* Positions in the parameter table (rs_strategy_config.params). */
enum {
    RS_GEOGRAPHIC_PARAM_REGIONS_K = 0,          /* regions chosen per event */
    RS_GEOGRAPHIC_PARAM_STORES_PER_REGION,      /* target stores written per chosen region;
                                                   0 = every target store of the region */
    RS_GEOGRAPHIC_PARAM_INCLUDE_ORIGIN,         /* bool: the origin region is always chosen
                                                   when residency allows it */
    RS_GEOGRAPHIC_PARAM_RTT_WEIGHT_PERMILLE,    /* EWMA weight of a new RTT sample */
    RS_GEOGRAPHIC_PARAM_EXPLORE_EVERY_APPENDS,  /* every N-th append probes one more region;
                                                   0 = never */
    RS_GEOGRAPHIC_PARAM_TIMEOUT_MS,             /* every store append */
    RS_GEOGRAPHIC_PARAM_COUNT
};

_Static_assert(RS_REGIONS_MAX <= 64, "a set of regions is a 64-bit mask");

/* Events whose attribute `attribute` is the string `equals` may only be written to the
 * regions of the mask `regions` (bit r = region index r). */
typedef struct rs_residency_rule {
    char attribute[RS_NAME_MAX];      /* type attribute, or the built-ins type, origin_region */
    char equals[RS_ATTR_VALUE_MAX];   /* string value that makes the rule apply */
    uint64_t regions;                 /* allowed regions, >= 1 bit */
} rs_residency_rule;

typedef struct rs_residency_rules {
    uint32_t rule_count;                              /* 0..RS_RESIDENCY_RULES_MAX */
    rs_residency_rule rules[RS_RESIDENCY_RULES_MAX];  /* in scenario order */
} rs_residency_rules;

/* Regions an event of `type` from the region named `origin_region` may be written to: the
 * intersection of the masks of every rule that applies; every region (all ones) when none
 * does. A number attribute never equals a rule's string. `rules` may be NULL (no rules). */
uint64_t rs_residency_allowed(const rs_residency_rules *rules, const rs_event_type *type,
                              const char *origin_region);

/* Counter name "geo_region_<r>_events" of region index r (static string); regions from
 * RS_GEO_REGION_COUNTERS_MAX on share "geo_region_other_events". */
#define RS_GEO_REGION_COUNTERS_MAX 32
const char *rs_geographic_region_counter(uint32_t region);

extern const rs_component rs_geographic_component;

#endif
