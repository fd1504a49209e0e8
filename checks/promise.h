/* promise.h — how many target stores a request's events were promised to when the client was
 * acknowledged, judged from the scenario and the recorded history alone: the write quorum,
 * except where the strategy skips stores its health checks mark unhealthy (a strategy
 * parameter "unhealthy": "skip") — then "all" promised every target healthy in the acking
 * manager's recorded health timeline when the request arrived, and a quorum stays a quorum. */
#ifndef RS_CHECK_PROMISE_H
#define RS_CHECK_PROMISE_H

#include <stdint.h>

#include "model/history.h"
#include "model/scenario.h"

/* Copies promised for the events of `request` (an ok request with a manager arrival).
 * O(health changes of the run). */
uint32_t rs_check_promised_copies(const rs_scenario *scenario, const rs_history *history,
                                  const rs_history_request *request);

#endif
