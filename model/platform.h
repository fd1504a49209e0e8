/* platform.h — the scenario's topology as a SimGrid platform file: one <cluster> per region
 * (one host per node, each with a private link of half the intra-region latency, so two nodes
 * of a region are `intra_latency_ms` apart), one WAN <link> per region pair, routed through
 * the clusters' gateways in a Full top zone. A cross-region message therefore takes
 * intra/2 + WAN latency + intra/2 plus size over the route's narrowest bandwidth.
 * Host names are "r<region>-h<k>"; scenario names never reach the file. */
#ifndef RS_PLATFORM_H
#define RS_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/scenario.h"

/* Nodes hosted in region `region` (stores + managers + clients). */
uint32_t rs_platform_region_hosts(const rs_scenario *scenario, uint32_t region);

/* Writes the platform XML for `scenario` to `out`. Returns 0, or -1 on a write error. */
int rs_platform_write(const rs_scenario *scenario, FILE *out);

/* The analytic one-way time in µs of a message of `size_bytes` between two nodes in regions
 * `from` and `to` without extra latency or contention: the route's latency plus size over the
 * narrowest bandwidth on it. */
double rs_platform_one_way_us(const rs_scenario *scenario, uint32_t from, uint32_t to,
                              uint32_t size_bytes);

#endif
