/* promise.h — what a run promised each acknowledged request, judged from the scenario and the
 * recorded history alone (never from a strategy's bookkeeping):
 *
 *   at the ack   the confirmations its manager needed before answering ok: the write quorum,
 *                except where the strategy skips stores its health checks mark unhealthy
 *                (a parameter "unhealthy": "skip") under "all": then every target healthy in
 *                the acking manager's recorded health timeline when the request arrived;
 *   at the end   the target stores that must hold each of its events after the settle time:
 *                the same, except for an asynchronous strategy (async_queue), which promises
 *                the primary at the ack and every secondary eventually — less the copies it
 *                reported abandoned (a dropped or given-up job, recorded by the runtime).
 *                With its primary "local_region", the ack promises every target of the acking
 *                manager's region (1, the first target, when it has none). */
#ifndef RS_CHECK_PROMISE_H
#define RS_CHECK_PROMISE_H

#include <stdint.h>

#include "model/history.h"
#include "model/scenario.h"

typedef struct rs_check_promises rs_check_promises;

/* Precomputes what the promises need (abandoned copies per event); NULL without memory.
 * O(events + abandons). Both arguments must outlive it. */
rs_check_promises *rs_check_promises_new(const rs_scenario *scenario, const rs_history *history);
void rs_check_promises_free(rs_check_promises *promises);

/* Confirmations `request` needed before its ok ack. O(health changes). */
uint32_t rs_check_promised_at_ack(const rs_check_promises *promises,
                                  const rs_history_request *request);
/* Target stores that must hold `event` (of `request`) at the end. */
uint32_t rs_check_promised_at_end(const rs_check_promises *promises,
                                  const rs_history_request *request, rs_event_id event);

#endif
