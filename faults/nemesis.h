/* nemesis.h — the random nemesis (scenario "nemesis"): instead of a fixed fault schedule, faults
 * of the configured kinds arrive at random (Poisson, rate_per_min) inside a window, each with a
 * duration uniform in [duration_min_s, duration_max_s], on targets and with figures drawn at
 * random. The draws come from the nemesis's own PRNG stream (model/rng.h RS_RNG_NEMESIS), seeded
 * by the run's seed, so adding a nemesis changes no other draw. The schedule it drew is written
 * into the report as a plain "faults" array (faults.json), so `replsim run FILE --faults-from
 * DIR` replays the same run without the nemesis (model/scenario_nemesis.c). */
#ifndef RS_NEMESIS_H
#define RS_NEMESIS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rs_nemesis_spec {
    bool enabled;                 /* the scenario has a "nemesis" */
    uint32_t kinds;               /* bit k: rs_fault_kind k may be drawn */
    double rate_per_min;          /* mean faults per minute of the window */
    double start_s;               /* window start (default 0) */
    double end_s;                 /* window end, no fault starts later (default: workload end) */
    double duration_min_s;        /* each fault lasts uniform [min, max] (clipped to the run) */
    double duration_max_s;
} rs_nemesis_spec;

#endif
