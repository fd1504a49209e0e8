/* multi_primary.h — bidirectional multi-primary sync: managers in several regions accept
 * writes on shared streams, assign versions from their own view, replicate to every target
 * store and to each other, and resolve concurrent appends at the same version. See
 * multi_primary.c. */
#ifndef RS_MULTI_PRIMARY_H
#define RS_MULTI_PRIMARY_H

#include "strategies/strategy.h"

enum {
    RS_MULTI_PRIMARY_PARAM_TIMEOUT_MS = 0,  /* per store append */
    RS_MULTI_PRIMARY_PARAM_CONFLICT,        /* resolution policy, below */
    RS_MULTI_PRIMARY_PARAM_COUNT
};

/* Conflict resolution: last writer wins by hybrid logical clock (ties: higher region index),
 * the region listed first in the topology wins, or both are kept, the one with the smaller
 * (clock, region, id) first. */
enum { RS_CONFLICT_LWW = 0, RS_CONFLICT_REGION_PRIORITY = 1, RS_CONFLICT_KEEP_BOTH = 2 };

extern const rs_component rs_multi_primary_component;

#endif
