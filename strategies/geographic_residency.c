/* geographic_residency.c — the pure parts of geographic replication (geographic.h): the
 * residency rules' evaluation (which regions an event may be written to) and the static
 * names of the per-region counters. No runtime calls, no allocation: the loader's tests and
 * the strategy share them. O(rules x attributes) per evaluation. */
#include <assert.h>
#include <string.h>

#include "strategies/geographic.h"

/* Counter names: static strings, one per region index below RS_GEO_REGION_COUNTERS_MAX. */
#define REGION_COUNTER(i) "geo_region_" #i "_events"
#define REGION_COUNTERS_TEN(d)                                                                \
    REGION_COUNTER(d##0), REGION_COUNTER(d##1), REGION_COUNTER(d##2), REGION_COUNTER(d##3),   \
        REGION_COUNTER(d##4), REGION_COUNTER(d##5), REGION_COUNTER(d##6),                     \
        REGION_COUNTER(d##7), REGION_COUNTER(d##8), REGION_COUNTER(d##9)
static const char *const region_counters[] = {
    REGION_COUNTERS_TEN(), REGION_COUNTERS_TEN(1), REGION_COUNTERS_TEN(2),
    REGION_COUNTER(30), REGION_COUNTER(31),
};
_Static_assert(sizeof region_counters / sizeof region_counters[0] == RS_GEO_REGION_COUNTERS_MAX,
               "one counter name per region index");

const char *rs_geographic_region_counter(uint32_t region) {
    assert(region < RS_REGIONS_MAX);
    return region < RS_GEO_REGION_COUNTERS_MAX ? region_counters[region]
                                               : "geo_region_other_events";
}

/* The string value of `attribute` for an event, or NULL (absent or a number). */
static const char *attribute_text(const rs_event_type *type, const char *origin_region,
                                  const char *attribute) {
    assert(type != NULL && attribute != NULL);
    if (strcmp(attribute, "type") == 0) {
        return type->name;
    }
    if (strcmp(attribute, "origin_region") == 0) {
        return origin_region;
    }
    for (uint32_t i = 0; i < type->attribute_count; i++) {
        const rs_attribute *candidate = &type->attributes[i];
        if (strcmp(candidate->key, attribute) == 0) {
            return candidate->is_number ? NULL : candidate->text;
        }
    }
    return NULL;
}

uint64_t rs_residency_allowed(const rs_residency_rules *rules, const rs_event_type *type,
                              const char *origin_region) {
    uint64_t allowed = UINT64_MAX;
    if (rules == NULL) {
        return allowed;
    }
    assert(rules->rule_count <= RS_RESIDENCY_RULES_MAX);
    assert(type != NULL && origin_region != NULL);
    for (uint32_t i = 0; i < rules->rule_count; i++) {
        const rs_residency_rule *rule = &rules->rules[i];
        assert(rule->regions != 0);
        const char *value = attribute_text(type, origin_region, rule->attribute);
        if (value != NULL && strcmp(value, rule->equals) == 0) {
            allowed &= rule->regions;
        }
    }
    return allowed;
}
