/* invariants.h — judges a finished run from its recorded history alone (client requests and
 * outcomes, every store append, every store confirmation a manager received, final store
 * contents) and the scenario's promises (targets,
 * write quorum): never from the strategies' own bookkeeping. Each invariant reports every
 * violation it finds (counted) and lists the first few (event, stream, store, time, and the
 * fault windows active then). */
#ifndef RS_INVARIANTS_H
#define RS_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/history.h"
#include "model/scenario.h"

#define RS_CHECK_LISTED_MAX 10       /* violations listed per invariant (all are counted) */

typedef struct rs_violation {
    rs_event_id event;       /* the event concerned (0 = none) */
    rs_stream_id stream;     /* its stream */
    uint32_t version;        /* its version */
    int32_t store;           /* the store concerned, -1 = none */
    int64_t time_us;         /* when it was observed (ack, append) */
    uint64_t faults_active;  /* bit f set: scenario fault f (f < 64) was active at time_us */
    char detail[120];        /* what is wrong, in words */
} rs_violation;

typedef struct rs_check_result {
    bool checked[RS_INV_COUNT];                  /* the invariant applies to this scenario */
    char skipped_because[RS_INV_COUNT][96];      /* when not checked: why */
    uint64_t violations[RS_INV_COUNT];           /* violations found */
    uint32_t listed[RS_INV_COUNT];               /* entries used in examples */
    rs_violation examples[RS_INV_COUNT][RS_CHECK_LISTED_MAX];
} rs_check_result;

/* Checks every invariant (rs_invariant, model/scenario.h). Returns the number of invariants
 * violated that the scenario does not tolerate (0 = the verdict holds), or -1 when out of
 * memory. `result` is caller-allocated (a few kB). */
int rs_check_history(const rs_scenario *scenario, const rs_history *history,
                     rs_check_result *result);

/* --- internal to checks/ (the rs__ prefix): what the checker files share -------------------- */

/* Counts one violation of `invariant` and lists it while there is room (event 0 = none, store
 * -1 = none; the faults active at time_us are looked up in the scenario). */
void rs__check_violation(const rs_scenario *scenario, const rs_history *history,
                         rs_check_result *result, rs_invariant invariant, rs_event_id event,
                         int32_t store, int64_t time_us, const char *detail);
/* checks/routing.c: the routing invariant (every scenario) and the cascade chain (cascades
 * only: rs__check_is_cascade). Each returns 0, or -1 when out of memory. */
int rs__check_routing(const rs_scenario *scenario, const rs_history *history,
                      rs_check_result *result);
bool rs__check_is_cascade(const rs_scenario *scenario);
int rs__check_cascade_chain(const rs_scenario *scenario, const rs_history *history,
                            rs_check_result *result);
/* checks/convergence.c: the convergence invariant where the policy promises it (otherwise it
 * marks it not checked, with the reason). 0, or -1 when out of memory. */
int rs__check_convergence(const rs_scenario *scenario, const rs_history *history,
                          rs_check_result *result);
/* checks/conflicts.c: the conflicts invariant where streams are shared (else not checked). */
int rs__check_conflicts(const rs_scenario *scenario, const rs_history *history,
                        rs_check_result *result);

#endif
