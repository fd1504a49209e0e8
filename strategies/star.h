/* star.h — star replication: every target store is written in parallel (the chapter's
 * StarReplicationStrategy). See star.c. */
#ifndef RS_STAR_H
#define RS_STAR_H

#include "strategies/strategy.h"

enum { RS_STAR_PARAM_TIMEOUT_MS = 0 };

extern const rs_component rs_star_component;

#endif
