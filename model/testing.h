/* testing.h — test-only switches that break the simulated world on purpose, so tests can prove
 * the checkers catch what they claim to (tests/planted/planted.c sets them before a run; the
 * replsim command never does). Each switch is one process-wide flag read at exactly one seam
 * of the model, as SQLite's test_vfs injects faults at its OS seam: nothing under strategies/
 * sees them. Off by default. */
#ifndef RS_TESTING_H
#define RS_TESTING_H

#include <stdbool.h>

/* When set, a store appends every event of a request to its log even when it already holds
 * it (model/node_store.c skips its idempotence check): a retried request duplicates events.
 * The history records those appends as real (duplicate = 0), as the broken store believes. */
extern bool rs_testing_store_ignores_idempotence;

#endif
