/* scenario_health.c — the loader's "health_check" section: the probes each manager sends to
 * its target stores (interval, timeout, consecutive failures before unhealthy and successes
 * before healthy again). Absent: no probes, every store counts as healthy. A probe timeout of
 * at least the interval is refused: a probe round must end before the next begins. */
#include <assert.h>

#include "model/scenario_loader.h"

#define HEALTH_COUNT_MAX 1000.0       /* consecutive probes before a state change */

int rs__load_health(const loader *ld, const cJSON *root) {
    static const char *const fields[] = {"interval_ms", "timeout_ms", "unhealthy_after",
                                         "healthy_after"};
    static const rs_json_range range_ms = {0, true, RS_TIMEOUT_MS_MAX, false};
    static const rs_json_range range_count = {1, false, HEALTH_COUNT_MAX, true};
    static const double default_interval_ms = 1000.0;
    static const double default_timeout_ms = 500.0;
    const char *path = "health_check";
    rs_health_spec *out = &ld->out->health;
    *out = (rs_health_spec){0};
    const cJSON *section = NULL;
    if (rs__load_section(ld, root, "", path, false, &section) != 0 || section == NULL) {
        return section == NULL ? 0 : 2;
    }
    double interval_ms = 0;
    double timeout_ms = 0;
    uint64_t unhealthy_after = 0;
    uint64_t healthy_after = 0;
    if (rs_json_check_fields(ld->doc, section, path, fields, 4) != 0 ||
        rs_json_get_number(ld->doc, section, path, "interval_ms", &range_ms,
                           &default_interval_ms, &interval_ms) != 0 ||
        rs_json_get_number(ld->doc, section, path, "timeout_ms", &range_ms, &default_timeout_ms,
                           &timeout_ms) != 0 ||
        rs_json_get_uint(ld->doc, section, path, "unhealthy_after", &range_count, 3,
                         &unhealthy_after) != 0 ||
        rs_json_get_uint(ld->doc, section, path, "healthy_after", &range_count, 2,
                         &healthy_after) != 0) {
        return 2;
    }
    if (timeout_ms >= interval_ms) {
        const cJSON *node = rs_json_member(section, "timeout_ms");
        const cJSON *at = node != NULL ? node : section;
        char interval[64];
        rs_json_format_number(interval_ms, interval, sizeof interval);
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, at), "health_check.timeout_ms",
                            "must be less than interval_ms (%s); allowed: a probe timeout "
                            "shorter than the probe interval", interval);
    }
    *out = (rs_health_spec){
        .enabled = true,
        .interval_us = (int64_t)(interval_ms * 1000.0 + 0.5),
        .timeout_us = (int64_t)(timeout_ms * 1000.0 + 0.5),
        .unhealthy_after = (uint32_t)unhealthy_after,
        .healthy_after = (uint32_t)healthy_after,
    };
    assert(out->timeout_us <= out->interval_us);
    if (out->timeout_us < 1) {
        out->timeout_us = 1;
    }
    return 0;
}
