/* routing.h — where each event may go, as the scenario's routing promises it (checks/routing.c):
 * with rules (conditional), the targets of the rules that match the event's type and origin
 * region, re-evaluated from the recorded event (or the default targets); with residency rules
 * (geographic), the scenario's targets in the regions residency allows; otherwise the
 * scenario's targets. Shared by the routing invariant and the reports (per-event figures such
 * as the synchronisation delay, judged against each event's own targets). */
#ifndef RS_CHECK_ROUTING_H
#define RS_CHECK_ROUTING_H

#include <stdint.h>

#include "model/history.h"
#include "model/scenario.h"

typedef struct rs_routing rs_routing;

/* Builds the table for `scenario` (borrowed; it must outlive the table); NULL without memory.
 * O(types x regions x rules). */
rs_routing *rs_routing_new(const rs_scenario *scenario);
void rs_routing_free(rs_routing *routing);

/* store_count bytes: 1 where `event` may be stored. */
const uint8_t *rs_routing_allowed(const rs_routing *routing, const rs_history_event *event);
/* How many stores `event` may be stored on (its own targets). */
uint32_t rs_routing_target_count(const rs_routing *routing, const rs_history_event *event);

#endif
