/* scenario_reads.c — the loader's "workload.reads": random reads (a ratio of reads per write)
 * and read-after-write probes (after each acknowledged write, one read of its stream at each
 * delay), and the read quorum they wait for: the policy's read_quorum parameter (0 = majority
 * of the targets), or 1 for a policy without one. A read quorum that cannot overlap the write
 * quorum (R + W <= targets) is legitimate — partial quorums are worth studying — so it is a
 * flag the report and the CLI turn into a warning, not an error. */
#include <assert.h>
#include <stdio.h>

#include "model/scenario_loader.h"

static int load_read_quorum(const loader *ld) {
    rs_scenario *out = ld->out;
    int param = rs_component_param_index(out->policy, "read_quorum");
    double asked = param >= 0 ? out->policy_params[param] : 1.0;
    out->read_quorum = asked == 0 ? out->target_count / 2 + 1 : (uint32_t)asked;
    if (out->read_quorum > out->target_count) {
        const cJSON *consistency = rs_json_member(ld->doc->root, "consistency");
        const cJSON *node = consistency != NULL ? rs_json_member(consistency, "read_quorum")
                                                : NULL;
        return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, node != NULL ? node
                                                                            : ld->doc->root),
                            "consistency.read_quorum", "read_quorum %u exceeds the %u target "
                            "stores; allowed: at most %u", out->read_quorum, out->target_count,
                            out->target_count);
    }
    out->partial_quorum = out->read_quorum + out->write_quorum <= out->target_count;
    return 0;
}

static int load_probes(const loader *ld, const cJSON *reads, const char *path) {
    static const rs_json_range range_delay = {0, false, RS_TIMEOUT_MS_MAX, false};
    const cJSON *delays = rs_json_member(reads, "probe_delays_ms");
    size_t count = 0;
    if (delays == NULL) {
        return 0;
    }
    char item_path[96];
    snprintf(item_path, sizeof item_path, "%s.probe_delays_ms", path);
    if (rs_json_need_array(ld->doc, delays, item_path) != 0 ||
        rs__load_count(ld, delays, item_path, 1, RS_PROBE_DELAYS_MAX, "delays", &count) != 0) {
        return 2;
    }
    const cJSON *item = NULL;
    uint32_t index = 0;
    cJSON_ArrayForEach(item, delays) {
        snprintf(item_path, sizeof item_path, "%s.probe_delays_ms[%u]", path, index);
        double delay_ms = 0;
        if (rs_json_check_number(ld->doc, item, item_path, &range_delay, &delay_ms) != 0) {
            return 2;
        }
        int64_t delay_us = (int64_t)(delay_ms * 1000.0 + 0.5);
        if (index > 0 && delay_us <= ld->out->probe_delays_us[index - 1]) {
            return rs_json_fail(ld->doc, rs_json_value_offset(ld->doc, item), item_path,
                                "must be greater than the delay before it; allowed: delays in "
                                "increasing order, each once");
        }
        ld->out->probe_delays_us[index++] = delay_us;
    }
    ld->out->probe_count = index;
    return 0;
}

int rs__load_reads(const loader *ld, const cJSON *workload) {
    static const char *const fields[] = {"ratio", "probe_delays_ms"};
    static const rs_json_range range_ratio = {0, false, RS_READ_RATIO_MAX, false};
    static const double default_ratio = 0;
    const char *path = "workload.reads";
    rs_scenario *out = ld->out;
    out->read_ratio = 0;
    out->probe_count = 0;
    if (load_read_quorum(ld) != 0) {
        return 2;
    }
    const cJSON *reads = NULL;
    if (rs__load_section(ld, workload, "workload", "reads", false, &reads) != 0 ||
        reads == NULL) {
        return reads == NULL ? 0 : 2;
    }
    if (rs_json_check_fields(ld->doc, reads, path, fields, 2) != 0 ||
        rs_json_get_number(ld->doc, reads, path, "ratio", &range_ratio, &default_ratio,
                           &out->read_ratio) != 0) {
        return 2;
    }
    return load_probes(ld, reads, path);
}
