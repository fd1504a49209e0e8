/* platform.c — see platform.h. Numbers are printed with %.17g so the file loads the exact
 * doubles the scenario declared. */
#include "model/platform.h"

#include <assert.h>

uint32_t rs_platform_region_hosts(const rs_scenario *scenario, uint32_t region) {
    assert(scenario != NULL);
    assert(region < scenario->region_count);
    const rs_region_spec *spec = &scenario->regions[region];
    return spec->stores + spec->managers + spec->clients;
}

static int platform_write_clusters(const rs_scenario *scenario, FILE *out) {
    double host_latency_ms = scenario->intra_latency_ms / 2.0;
    int failed = 0;
    for (uint32_t r = 0; r < scenario->region_count; r++) {
        uint32_t hosts = rs_platform_region_hosts(scenario, r);
        if (hosts == 0) {
            hosts = 1; /* a cluster needs a host; an empty region keeps an idle one */
        }
        failed |= fprintf(out,
                          "  <cluster id=\"r%u\" prefix=\"r%u-h\" suffix=\"\" radical=\"0-%u\""
                          " speed=\"1Gf\" bw=\"%.17gMbps\" lat=\"%.17gms\""
                          " router_id=\"r%u-gw\"/>\n",
                          r, r, hosts - 1, scenario->intra_bandwidth_mbps, host_latency_ms, r) < 0;
    }
    return failed ? -1 : 0;
}

static int platform_write_links(const rs_scenario *scenario, FILE *out) {
    int failed = 0;
    for (uint32_t i = 0; i < scenario->link_count; i++) {
        const rs_link_spec *link = &scenario->links[i];
        assert(link->region_a != link->region_b);
        failed |= fprintf(out, "  <link id=\"wan%u\" bandwidth=\"%.17gMbps\" latency=\"%.17gms\"/>\n",
                          i, link->bandwidth_mbps, link->latency_ms) < 0;
    }
    for (uint32_t i = 0; i < scenario->link_count; i++) {
        const rs_link_spec *link = &scenario->links[i];
        failed |= fprintf(out,
                          "  <zoneRoute src=\"r%u\" dst=\"r%u\" gw_src=\"r%u-gw\" gw_dst=\"r%u-gw\">"
                          "<link_ctn id=\"wan%u\"/></zoneRoute>\n",
                          link->region_a, link->region_b, link->region_a, link->region_b, i) < 0;
    }
    return failed ? -1 : 0;
}

int rs_platform_write(const rs_scenario *scenario, FILE *out) {
    assert(scenario != NULL);
    assert(out != NULL);
    int failed = fprintf(out, "<?xml version='1.0'?>\n"
                              "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                              "<platform version=\"4.1\">\n"
                              "<zone id=\"world\" routing=\"Full\">\n") < 0;
    failed |= platform_write_clusters(scenario, out) != 0;
    failed |= platform_write_links(scenario, out) != 0;
    failed |= fprintf(out, "</zone>\n</platform>\n") < 0;
    failed |= fflush(out) != 0;
    return failed ? -1 : 0;
}

double rs_platform_one_way_us(const rs_scenario *scenario, uint32_t from, uint32_t to,
                              uint32_t size_bytes) {
    assert(scenario != NULL);
    assert(from < scenario->region_count && to < scenario->region_count);
    double latency_ms = scenario->intra_latency_ms;
    double bandwidth_mbps = scenario->intra_bandwidth_mbps;
    if (from != to) {
        const rs_link_spec *link = rs_scenario_link(scenario, from, to);
        assert(link != NULL);
        latency_ms += link->latency_ms;
        if (link->bandwidth_mbps < bandwidth_mbps) {
            bandwidth_mbps = link->bandwidth_mbps;
        }
    }
    return latency_ms * 1000.0 + (double)size_bytes * 8.0 / bandwidth_mbps;
}
