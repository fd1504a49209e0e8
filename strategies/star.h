/* star.h — star replication: every target store is written in parallel (the chapter's
 * StarReplicationStrategy). See star.c. */
#ifndef RS_STAR_H
#define RS_STAR_H

#include "strategies/strategy.h"

enum { RS_STAR_PARAM_TIMEOUT_MS = 0, RS_STAR_PARAM_UNHEALTHY = 1 };

/* Values of the "unhealthy" parameter: write stores the health checks mark unhealthy anyway,
 * or skip them (then "all" means every healthy target, and a quorum must be reachable among
 * the healthy ones, else the request fails at once with quorum_not_reached). */
enum { RS_STAR_UNHEALTHY_INCLUDE = 0, RS_STAR_UNHEALTHY_SKIP = 1 };

extern const rs_component rs_star_component;

#endif
